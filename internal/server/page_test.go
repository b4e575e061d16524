package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/internal/site"
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
				body = gunzip(t, body)
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
		{"/?date=today", 404, "", []string{"Nothing aired on Thursday 26 November 2026: the last airing was on Friday 11 March 2016."}},
		{"/?date=1999-12-31", 404, "", []string{"Nothing aired on Friday 31 December 1999: the first airing was on Monday 1 May 2000."}},
		{"/?episode=816", 303, "/episodes/816.html", nil},
		{"/?episode=+1", 303, "/episodes/1.html", nil}, // a + in a query is a space
		{"/?episode=%2B1", 400, "", []string{"We could not read “&#43;1” as an episode: write a whole number from 1 to 1875."}},
		{"/?date=2003-06-16&episode=816", 400, "", []string{"Ask about a day or an episode, one at a time."}},
		{"/?date=2020-01-01", 404, "", []string{"the last airing was on Friday 11 March 2016"}},
		{"/?date=2003-02-30", 400, "", []string{`role="alert"`, "We could not read “2003-02-30” as a day. Pick one with the date box, or write it as year-month-day, such as 2003-06-16.", `<form method="get" action="/"`}},
		{"/?date=<script>", 400, "", []string{"We could not read “&lt;script&gt;” as a day."}},
		{"/?episode=0", 400, "", []string{"We could not read “0” as an episode: write a whole number from 1 to 1875."}},
		{"/?episode=1876", 404, "", []string{"There is no episode 1876: the episodes run from 1 to 1875."}},
		{"/?episode=01876", 404, "", []string{"There is no episode 1876: the episodes run from 1 to 1875."}},
		{"/?date=", 200, "", []string{"<svg"}},
		{"/?fbclid=IwAR0abc&utm_source=x", 200, "", []string{"<svg"}},
		{"/days/2003-06-16.html?fbclid=x", 200, "", []string{`id="day-title"`}},
		{"/days/1999-01-01.html", 404, "", []string{"Sorry, there is no page at “/days/1999-01-01.html”.", `href="/assets/style.css`}},
		{"/nope/deeper", 404, "", []string{`there is no page at`, `<form method="get" action="/"`}},
		{"/favicon.ico", 404, "", []string{`there is no page at`}},
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
			if c.status >= 400 && bytes.Contains(body, []byte("<svg")) {
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
