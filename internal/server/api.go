package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/internal/api"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/schedule"
)

// maxSlotDays is the widest range /api/v1/slots answers in one request:
// a year, leap years included.
const maxSlotDays = 366

// handleAired answers /api/v1/aired?date=YYYY-MM-DD (or today) with the
// airings of that local day, and ?at=RFC3339 with those on air then.
func (s *Server) handleAired(w http.ResponseWriter, r *http.Request, v *view) error {
	q, err := parseQuery(r.URL.RawQuery, []string{"date", "at"})
	if err != nil {
		return err
	}
	date, hasDate := q["date"]
	at, hasAt := q["at"]
	var slots []schedule.Slot
	switch {
	case hasDate && hasAt:
		return badRequest("date and at given together: want date=YYYY-MM-DD or at=RFC 3339, not both")
	case hasDate:
		d, err := s.parseDay(v, date)
		if err != nil {
			return err
		}
		slots = v.sched.On(d)
	case hasAt:
		t, err := parseAt(at)
		if err != nil {
			return err
		}
		slots = v.sched.At(t)
	default:
		return badRequest("missing parameter: want date=YYYY-MM-DD (or today) or at=RFC 3339 such as 2003-06-16T18:45:00%%2B02:00")
	}
	return writeJSON(w, r, api.Airings(slots, v.loc))
}

// parseDay reads a date parameter: YYYY-MM-DD or today, in the
// schedule's zone.
func (s *Server) parseDay(v *view, value string) (schedule.Date, error) {
	if value == "today" {
		return schedule.DateOf(s.now().In(v.sched.Location())), nil
	}
	return schedule.ParseDate(value) // its error names the date
}

// parseAt reads an at parameter: an RFC 3339 time. A "+" written as
// such in a URL arrives as a space; it is read as the "+" it was.
func parseAt(value string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, value)
	if err != nil && strings.Contains(value, " ") {
		t, err = time.Parse(time.RFC3339, strings.Replace(value, " ", "+", 1))
	}
	if err != nil {
		return t, badRequest("at %s: want an RFC 3339 time such as 2003-06-16T18:45:00+02:00 (in a URL, + is %%2B) or 2003-06-16T16:45:00Z", quote.Value(value))
	}
	return t, nil
}

// handleEpisode answers /api/v1/episodes/{n} with every airing of
// episode n, first airing first.
func (s *Server) handleEpisode(w http.ResponseWriter, r *http.Request, v *view) error {
	if strings.HasSuffix(r.PathValue("n"), ".json") {
		return s.handleFile(w, r, v) // the site's api/v1/episodes/N.json
	}
	if _, err := parseQuery(r.URL.RawQuery, nil); err != nil {
		return err
	}
	n, err := schedule.ParseEpisode(r.PathValue("n"), v.site.LastEpisode())
	if err != nil {
		return err
	}
	slots := v.sched.Episode(n)
	if len(slots) == 0 {
		return &httpError{http.StatusNotFound, fmt.Sprintf("episode %d never aired", n)}
	}
	return writeJSON(w, r, api.Airings(slots, v.loc))
}

// handleSlots answers /api/v1/slots with the airings of a range of local
// days: from and to (inclusive) or a year, of one run if run is set.
func (s *Server) handleSlots(w http.ResponseWriter, r *http.Request, v *view) error {
	q, err := parseQuery(r.URL.RawQuery, []string{"from", "to", "year", "run"})
	if err != nil {
		return err
	}
	win, err := q.window(v)
	switch {
	case err != nil:
		return err
	case win.From.IsZero():
		return badRequest("missing parameter from: want from=YYYY-MM-DD and to=YYYY-MM-DD (at most %d days), or year=YYYY", maxSlotDays)
	case win.To.IsZero():
		return badRequest("missing parameter to: want from=YYYY-MM-DD and to=YYYY-MM-DD (at most %d days), or year=YYYY", maxSlotDays)
	case win.From.Days(win.To)+1 > maxSlotDays:
		return badRequest("from %s to %s is %d days: want at most %d per request; ask for the rest in further requests", win.From, win.To, win.From.Days(win.To)+1, maxSlotDays)
	}
	sq, err := v.sched.Query(win)
	if err != nil {
		return err
	}
	return writeJSON(w, r, api.Airings(slices.Collect(v.sched.Slots(sq)), v.loc))
}

// handleRuns answers /api/v1/runs with every run, what it expanded to
// and which of its details are assumptions.
func (s *Server) handleRuns(w http.ResponseWriter, r *http.Request, v *view) error {
	if _, err := parseQuery(r.URL.RawQuery, nil); err != nil {
		return err
	}
	return writeJSON(w, r, api.Runs(v.sched.Stats(), v.loc))
}

// handleHealth answers "ok" when the schedule can be served.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if _, err := s.current(); err != nil {
		s.log.Error("health check", "error", err)
		w.Header()["Content-Type"] = plainType
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("unavailable\n"))
		return
	}
	w.Header()["Content-Type"] = plainType
	w.Header().Set("Cache-Control", "no-store")
	writeBody(w, r, []byte("ok\n"))
}

// m3uMissing is the body of /channels.m3u when no stream URL is set.
const m3uMissing = `No stream URL is set, so there is no playlist to serve.

The playlist pairs this guide with a stream of your own: an ErsatzTV or
Tunarr channel, or any URL a media centre can play. Start the server with
the stream's URL:

    backstage serve --stream-url http://192.168.1.10:8409/iptv/channel/1.ts

"{id}" in the URL is replaced by each channel's XMLTV id. The guide for
the playlist is /xmltv.xml.gz.
`

// handleM3U answers /channels.m3u: the site's playlist, or a 404 that
// says how to have one.
func (s *Server) handleM3U(w http.ResponseWriter, r *http.Request, v *view) error {
	if _, err := parseQuery(r.URL.RawQuery, nil); err != nil {
		return err
	}
	f, ok := v.site.Lookup("channels.m3u")
	if !ok {
		w.Header()["Content-Type"] = plainType
		w.Header()["X-Content-Type-Options"] = nosniff
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(m3uMissing))
		return nil
	}
	return s.serveFile(w, r, v, f)
}
