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
// A question that cannot be answered gets the index page saying why.
// Other parameters, such as the fbclid a shared link picks up, are
// ignored: a page is for people, and a link should not break.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	date, episode := strings.TrimSpace(q.Get("date")), strings.TrimSpace(q.Get("episode"))
	switch {
	case date != "" && episode != "":
		return pageError(http.StatusBadRequest, "ask about a day or an episode, one at a time")
	case date != "":
		d, err := s.parseDay(v, date)
		if err != nil {
			return err
		}
		if d.Before(v.site.First()) || d.After(v.site.Last()) {
			return pageError(http.StatusNotFound, fmt.Sprintf("nothing aired on %s: the schedule runs from %s to %s", d, v.site.First(), v.site.Last()))
		}
		return redirect(w, r, "days/"+d.String()+".html")
	case episode != "":
		n, err := schedule.ParseEpisode(episode, v.site.LastEpisode())
		if err != nil {
			return err
		}
		if _, ok := v.site.Lookup("episodes/" + strconv.Itoa(n) + ".html"); !ok {
			return pageError(http.StatusNotFound, fmt.Sprintf("episode %d never aired", n))
		}
		return redirect(w, r, "episodes/"+strconv.Itoa(n)+".html")
	}
	f, _ := v.site.Lookup("index.html")
	return s.serveFile(w, r, v, f)
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
	case errors.As(err, &pe):
		code, msg = pe.code, pe.msg
	case errors.Is(err, errNoSuchPath):
		code, msg = http.StatusNotFound, "there is no page at "+quote.Value(r.URL.Path)
	}
	if code >= 500 {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if perr := v.site.ErrorPage(&b, msg); perr != nil {
		s.fail(w, r, perr)
		return
	}
	h := w.Header()
	h["Content-Type"] = headerValue(site.TypeHTML)
	h["Content-Security-Policy"] = pageCSP
	h["X-Content-Type-Options"] = nosniff
	h["Referrer-Policy"] = referrerPolicy
	h["Cache-Control"] = noStore
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(b.Bytes())
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

var noStore = []string{"no-store"}
