package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// TestSameBytesAsTheSite: serve answers every path of the site with the
// site's bytes, so moving to a static host changes nothing but the host.
func TestSameBytesAsTheSite(t *testing.T) {
	s := newServer(t)
	h := s.Handler()
	v, err := s.current()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for f := range v.site.Files() {
		// Every feed, asset and JSON kind, and a sample of the thousands
		// of day and episode pages.
		if f.Kind == site.Page && f.Path != "index.html" && !strings.HasSuffix(f.Path, "-16.html") && !strings.HasPrefix(f.Path, "episodes/81") {
			continue
		}
		if f.Kind == site.JSON && !strings.HasSuffix(f.Path, "-16.json") && !strings.HasPrefix(f.Path, "api/v1/episodes/81") && !strings.HasSuffix(f.Path, "runs.json") {
			continue
		}
		want, err := v.site.Bytes(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, ae := range []string{"", "gzip"} {
			resp, body := do(t, h, "GET", "/"+f.Path, "Accept-Encoding", ae)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: got %d", f.Path, resp.StatusCode)
			}
			if resp.Header.Get("Content-Encoding") == "gzip" {
				body = testkit.Gunzip(t, body)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("/%s (Accept-Encoding %q): %d bytes that differ from the site's %d", f.Path, ae, len(body), len(want))
			}
			if ct := resp.Header.Get("Content-Type"); ct != f.Type {
				t.Errorf("/%s: Content-Type %q, want %q", f.Path, ct, f.Type)
			}
		}
		n++
	}
	if n < 100 {
		t.Errorf("compared %d files", n)
	}
}

// TestPageRoutes: the forms' query URLs lead to the pages of their
// answers, and what cannot be answered gets a page saying why.
func TestPageRoutes(t *testing.T) {
	h := newServer(t).Handler()
	for _, c := range []struct {
		target   string
		status   int
		location string   // for a redirect
		want     []string // in the page
	}{
		{"/?date=2003-06-16", 303, "/days/2003-06-16.html", nil},
		{"/index.html?date=2003-06-16", 303, "/days/2003-06-16.html", nil},
		{"/?date=today", 200, "", []string{"<h1 id=\"day-title\">Today, Thursday 26 November 2026</h1>",
			"Nothing aired on Thursday 26 November 2026: Backstage&#39;s last airing was on Friday 11 March 2016, 16:40, episode 1875 (rebroadcast).",
			`The airing before: <a href="/days/2016-03-11.html">`}},
		{"/?date=1999-12-31", 200, "", []string{"Backstage had not started on Friday 31 December 1999: its first airing was on Monday 1 May 2000, 18:30.", `The next airing: <a href="/days/2000-05-01.html">`}},
		{"/?episode=816", 303, "/episodes/816.html", nil},
		{"/?episode=+1", 303, "/episodes/1.html", nil}, // a + in a query is a space
		{"/?episode=%2B1", 400, "", []string{"We could not read “&#43;1” as an episode: write a whole number from 1 to 1875."}},
		{"/?date=2003-06-16&episode=816", 400, "", []string{"Ask about a day or an episode, one at a time."}},
		{"/?date=2020-01-01", 200, "", []string{"last airing was on Friday 11 March 2016"}},
		{"/?date=2003-02-30", 400, "", []string{`role="alert"`, "There is no day “2003-02-30” on the calendar. Pick one with the date box, or write it as year-month-day, such as 2003-06-16.", `<form method="get" action="/"`}},
		{"/?date=16%2F06%2F2003", 400, "", []string{"We could not read “16/06/2003” as a day. Pick one with the date box"}},
		{"/?date=<script>", 400, "", []string{"We could not read “&lt;script&gt;” as a day."}},
		{"/?episode=0", 400, "", []string{"We could not read “0” as an episode: write a whole number from 1 to 1875."}},
		{"/?episode=1876", 404, "", []string{"There is no episode 1876: the episodes run from 1 to 1875."}},
		{"/?episode=01876", 404, "", []string{"There is no episode 1876: the episodes run from 1 to 1875."}},
		{"/?date=", 200, "", []string{`<img src="history/2003.svg?v=`}},
		{"/?fbclid=IwAR0abc&utm_source=x", 200, "", []string{`<img src="history/2003.svg?v=`}},
		{"/days/2003-06-16.html?fbclid=x", 200, "", []string{`id="day-title"`}},
		{"/days/1999-01-01.html", 404, "", []string{"Sorry, there is no page at “/days/1999-01-01.html”.", `href="/assets/style.css`}},
		{"/nope/deeper", 404, "", []string{`there is no page at`, `<form method="get" action="/"`}},
		{"/favicon.ico/x", 404, "", []string{`there is no page at`}},
	} {
		t.Run(c.target, func(t *testing.T) {
			resp, body := do(t, h, "GET", c.target)
			if resp.StatusCode != c.status {
				t.Errorf("got status %d, want %d", resp.StatusCode, c.status)
			}
			if loc := resp.Header.Get("Location"); loc != c.location {
				t.Errorf("got Location %q, want %q", loc, c.location)
			}
			if c.location == "" {
				if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("got Content-Type %q", ct)
				}
				if resp.Header.Get("Content-Security-Policy") == "" {
					t.Error("a page without a Content-Security-Policy")
				}
			}
			for _, w := range c.want {
				if !bytes.Contains(body, []byte(w)) {
					t.Errorf("page lacks %q", w)
				}
			}
			if c.status >= 400 && bytes.Contains(body, []byte("history/")) {
				t.Error("an error page carries the history picture")
			}
			// Pages speak to people: no programmer's wording.
			for _, w := range []string{"want YYYY-MM-DD", "want a whole number", "(want", "never aired:"} {
				if bytes.Contains(body, []byte(w)) {
					t.Errorf("page says %q", w)
				}
			}
		})
	}
}

// TestErrorsByKind: a path people read gets an HTML error, the API and
// the feeds JSON.
func TestErrorsByKind(t *testing.T) {
	h := newServer(t).Handler()
	for _, c := range []struct {
		target, ctype string
		status        int
	}{
		{"/nope", "text/html; charset=utf-8", 404},
		{"/api/v1/nope", "application/json", 404},
		{"/calendar/1999.ics", "application/json", 404},
		{"/calendar.ics?fbclid=x", "application/json", 400},
		{"/calendar/2003.ics?year=2004", "application/json", 400},
		{"/api/v1/days/2003-06-16.json?x=1", "application/json", 400},
	} {
		resp, _ := do(t, h, "GET", c.target)
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != c.ctype {
			t.Errorf("%s: got %d %q, want %d %q", c.target, resp.StatusCode, resp.Header.Get("Content-Type"), c.status, c.ctype)
		}
	}
	resp, _ := do(t, h, "POST", "/days/2003-06-16.html")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to a page: %d, want 405", resp.StatusCode)
	}
	resp, _ = do(t, h, "POST", "/nope")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST to no page: %d, want 404", resp.StatusCode)
	}
}

// TestOnThisDayRollsOver: the index's "on this day" follows the date, so
// the server makes its view anew at midnight, even for a history that
// ended long ago.
func TestOnThisDayRollsOver(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	now := time.Date(2026, 11, 26, 23, 59, 0, 0, jnb)
	h := newServer(t, func(s *Server) { s.Now = func() time.Time { return now } }).Handler()
	_, before := do(t, h, "GET", "/")
	now = now.Add(2 * time.Minute)
	_, after := do(t, h, "GET", "/")
	if !bytes.Contains(before, []byte("On this day, 26 November")) || !bytes.Contains(after, []byte("On this day, 27 November")) {
		t.Error("the index's on this day did not move on at midnight")
	}
}

// TestReplayQuestions: in replay mode an episode outside the window gets
// a page of its own saying when it aired, and a day outside it a page
// that names the window.
func TestReplayQuestions(t *testing.T) {
	base := testkit.Default(t)
	h := newServer(t, func(s *Server) {
		s.Schedule = nil
		s.Timeline = DailyTimeline(base.Location(), func(now time.Time) (*schedule.Schedule, error) {
			return base.Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: now, Days: 7, PastDays: 1})
		})
	}).Handler()
	for _, c := range []struct {
		target   string
		status   int
		location string
		want     string
	}{
		{"/?episode=819", 303, "/episodes/819.html", ""},
		{"/?episode=1000", 200, "", "Episode 1000 is not on this week&#39;s guide, which has episodes 818 to 824. It first aired on Friday 27 February 2004, 18:30 (original)"},
		{"/?episode=1876", 404, "", "There is no episode 1876: the episodes run from 1 to 1875."},
		{"/?date=2003-06-16", 200, "", "Monday 16 June 2003 is not in this week&#39;s guide, which runs from Wednesday 25 November to Thursday 3 December 2026."},
		{"/?date=2026-12-10", 200, "", "Thursday 10 December 2026 is not in this week&#39;s guide, which runs from Wednesday 25 November to Thursday 3 December 2026. On that day the channel replays what e.tv aired on Thursday 3 July 2003."},
		{"/?date=today", 303, "/days/2026-11-26.html", ""},
	} {
		resp, body := do(t, h, "GET", c.target)
		if resp.StatusCode != c.status || resp.Header.Get("Location") != c.location || !bytes.Contains(body, []byte(c.want)) {
			t.Errorf("%s: got %d %q, %.300s; want %d %q and %q", c.target, resp.StatusCode, resp.Header.Get("Location"), body, c.status, c.location, c.want)
		}
		if c.status == 200 && (resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Security-Policy") == "") {
			t.Errorf("%s: an answer made for the request alone, with headers %v", c.target, resp.Header)
		}
	}
}
