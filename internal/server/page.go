package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/schedule"
)

// handlePage answers / and /index.html: the index page, or, for the
// forms' ?date= and ?episode=, a redirect to the page of the answer
// (days/YYYY-MM-DD.html, episodes/N.html), which a static host has too.
// A day outside the site's (today, after a history) and, in replay mode,
// an episode outside the window are answered by a page of their own
// saying so, which only the server can give. A
// question that cannot be answered gets the index's forms with a message
// in words for people (the API keeps its precise ones). Other
// parameters, such as the fbclid a shared link picks up, are ignored: a
// page is for people, and a link should not break.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	date, episode := strings.TrimSpace(q.Get("date")), strings.TrimSpace(q.Get("episode"))
	st := v.site
	switch {
	case date != "" && episode != "":
		return pageError(http.StatusBadRequest, "Ask about a day or an episode, one at a time.")
	case date != "":
		d, err := s.parseDay(v, date)
		if err != nil {
			why := "We could not read “%s” as a day."
			if dateShaped(date) {
				why = "There is no day “%s” on the calendar." // 2003-02-30
			}
			return pageError(http.StatusBadRequest, fmt.Sprintf(why+" Pick one with the date box, or write it as year-month-day, such as 2003-06-16.", quote.Clip(date)))
		}
		// A day the site has no page for is still a question with an
		// answer: nothing aired then, and this is the nearest airing.
		var b bytes.Buffer
		ok, err := st.DayElsewhere(&b, d)
		if err != nil {
			return err
		}
		if ok {
			writePage(w, r, v, http.StatusOK, b.Bytes())
			return nil
		}
		return redirect(w, r, "days/"+d.String()+".html")
	case episode != "":
		last := max(v.sched.History().LastEpisode(), st.LastEpisode())
		n, err := schedule.ParseEpisode(episode, last)
		switch {
		case errors.Is(err, schedule.ErrNoEpisode):
			var ie *schedule.InputError
			errors.As(err, &ie)
			return pageError(http.StatusNotFound, fmt.Sprintf("There is no episode %s: the episodes run from 1 to %d.", ie.Value, last))
		case err != nil:
			return pageError(http.StatusBadRequest, fmt.Sprintf("We could not read “%s” as an episode: write a whole number from 1 to %d.", quote.Clip(episode), last))
		}
		if _, ok := st.Lookup("episodes/" + strconv.Itoa(n) + ".html"); ok {
			return redirect(w, r, "episodes/"+strconv.Itoa(n)+".html")
		}
		var b bytes.Buffer
		ok, err := st.EpisodeElsewhere(&b, n)
		if err != nil {
			return err
		}
		if !ok {
			return pageError(http.StatusNotFound, fmt.Sprintf("Episode %d never aired.", n))
		}
		writePage(w, r, v, http.StatusOK, b.Bytes())
		return nil
	}
	f, _ := st.Lookup("index.html")
	return s.serveFile(w, r, v, f)
}

// dateShaped reports whether s is written as a date is, YYYY-MM-DD in
// digits, whether or not the calendar has that day.
func dateShaped(s string) bool {
	if len(s) != len("2003-06-16") {
		return false
	}
	for i := range len(s) {
		if (s[i] == '-') != (i == 4 || i == 7) || s[i] != '-' && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// redirect answers with a 303 to target, relative to the request's
// folder, so that it stays right behind a proxy that serves the site
// under a path of its own.
func redirect(w http.ResponseWriter, r *http.Request, target string) error {
	w.Header().Set("Cache-Control", "no-cache")
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// pageErr is an error on a page: it is answered with a page, not JSON.
type pageErr struct {
	code int
	msg  string
}

func (e *pageErr) Error() string { return e.msg }

func pageError(code int, msg string) error { return &pageErr{code, msg} }

// handleFile answers every other path with the site's file there, if it
// has one. Feeds and JSON answers at these paths take no parameters, as
// on a static host; pages ignore theirs.
func (s *Server) handleFile(w http.ResponseWriter, r *http.Request, v *view) error {
	path := strings.TrimPrefix(r.URL.Path, "/")
	f, ok := v.site.Lookup(path)
	if !ok || path == "" {
		return errNoSuchPath
	}
	if f.Kind != site.Page && f.Kind != site.Asset && r.URL.RawQuery != "" {
		if _, err := parseQuery(r.URL.RawQuery, nil); err != nil {
			return err
		}
	}
	return s.serveFile(w, r, v, f)
}

// errNoSuchPath is answered 404: as a page for paths outside the API, as
// JSON within it.
var errNoSuchPath = errors.New("no such path")

// failPage answers err as a short page that says what went wrong, with
// the forms to ask again.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, v *view, err error) {
	code, msg := status(err)
	var pe *pageErr
	switch {
	case code >= 500:
		s.fail(w, r, err)
		return
	case errors.As(err, &pe):
		// Worded for people already.
	case errors.Is(err, errNoSuchPath):
		msg = "Sorry, there is no page at “" + quote.Clip(r.URL.Path) + "”. Ask about a day or an episode here, or start again from the front page."
	default:
		// A page speaks to people; the API's wording is for programs.
		msg = "Sorry, that question could not be answered. Ask about a day or an episode here, or start again from the front page."
	}
	var b bytes.Buffer
	if perr := v.site.ErrorPage(&b, msg); perr != nil {
		s.fail(w, r, perr)
		return
	}
	writePage(w, r, v, code, b.Bytes())
}

// writePage sends a page made for this request alone: an error's, or an
// answer no file of the site holds, with the headers v's site gives a
// page with no path of its own (never to be kept).
func writePage(w http.ResponseWriter, r *http.Request, v *view, code int, body []byte) {
	h := w.Header()
	for _, kv := range v.site.Headers(site.File{Kind: site.Page, Type: site.TypeHTML}) {
		h[kv.Name] = headerValue(kv.Value)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// isPage reports whether errors at path are answered with a page rather
// than JSON: the index and pages, and paths outside the API that are not
// feeds.
func isPage(path string) bool {
	if path == "/" || strings.HasSuffix(path, ".html") {
		return true
	}
	if strings.HasPrefix(path, "/api/") {
		return false
	}
	for _, ext := range []string{".ics", ".xml", ".gz", ".m3u", ".json"} {
		if strings.HasSuffix(path, ext) {
			return false
		}
	}
	return true
}
