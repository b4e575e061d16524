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
		{"/?date=today", 404, "", []string{"nothing aired on 2026-11-26: the schedule runs from 2000-05-01 to 2016-03-11"}},
		{"/?episode=816", 303, "/episodes/816.html", nil},
		{"/?episode=+1", 303, "/episodes/1.html", nil}, // a + in a query is a space
		{"/?episode=%2B1", 400, "", []string{`episode &#34;&#43;1&#34;: want a whole number from 1 to 1875`}},
		{"/?date=2003-06-16&episode=816", 400, "", []string{"one at a time"}},
		{"/?date=2020-01-01", 404, "", []string{"the schedule runs from 2000-05-01 to 2016-03-11"}},
		{"/?date=2003-02-30", 400, "", []string{`role="alert"`, `date &#34;2003-02-30&#34;: day out of range (want YYYY-MM-DD)`, `<form method="get" action="/"`}},
		{"/?date=<script>", 400, "", []string{`date &#34;&lt;script&gt;&#34;`}},
		{"/?episode=0", 400, "", []string{`episode &#34;0&#34;: want a whole number from 1 to 1875`}},
		{"/?episode=1876", 404, "", []string{"episode 1876 never aired"}},
		{"/?date=", 200, "", []string{"<svg"}},
		{"/?fbclid=IwAR0abc&utm_source=x", 200, "", []string{"<svg"}},
		{"/days/2003-06-16.html?fbclid=x", 200, "", []string{`id="day-title"`}},
		{"/days/1999-01-01.html", 404, "", []string{`there is no page at &#34;/days/1999-01-01.html&#34;`, `href="/assets/style.css`}},
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
