package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// newServer returns a server of the default schedule with a fixed clock,
// a stream URL and no log; edit adjusts it before first use.
func newServer(t testing.TB, edit ...func(*Server)) *Server {
	t.Helper()
	s := &Server{
		Schedule:  testkit.Default(t),
		Now:       func() time.Time { return testNow },
		StreamURL: "http://tv.local/{id}.ts",
		Generator: "backstage/test",
		Logger:    slog.New(slog.DiscardHandler),
	}
	for _, e := range edit {
		e(s)
	}
	return s
}

// do sends a request to h and returns the response, its body read.
func do(t testing.TB, h http.Handler, method, target string, header ...string) (*http.Response, []byte) {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	resp := w.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestRoutes(t *testing.T) {
	h := newServer(t).Handler()
	for _, c := range []struct {
		target string
		status int
		ctype  string
		want   []string // in the body
	}{
		{"/calendar.ics", 200, "text/calendar; charset=utf-8", []string{"BEGIN:VCALENDAR", "Episode 816", "END:VCALENDAR"}},
		{"/calendar.ics?year=2003&compact=1", 200, "text/calendar; charset=utf-8", []string{"RRULE:"}},
		{"/calendar.ics?run=rebroadcast&from=2009-01-05&to=2009-01-09&all_day=1", 200, "text/calendar; charset=utf-8", []string{"DTSTART;VALUE=DATE:20090105"}},
		{"/xmltv.xml?from=2003-06-16&to=2003-06-16", 200, "application/xml; charset=utf-8", []string{`<channel id="etv.co.za">`, `start="20030616183000 +0200"`, "generator-info-name=\"backstage/test\""}},
		{"/xmltv.xml?year=2000&mark_new=1", 200, "application/xml; charset=utf-8", []string{"<new/>"}},
		{"/xmltv.xml.gz", 200, "application/gzip", []string{"\x1f\x8b"}},
		{"/channels.m3u", 200, "audio/x-mpegurl; charset=utf-8", []string{"#EXTM3U\n#EXTINF", `tvg-id="etv.co.za" tvg-name="e.tv"`, "http://tv.local/etv.co.za.ts"}},
		{"/favicon.ico", 200, "image/x-icon", []string{"\x00\x00\x01\x00\x01\x00", "\x89PNG"}},
		{"/api/v1/aired?date=2003-06-16", 200, "application/json", []string{`"episode":816`}},
		{"/api/v1/aired?at=2003-06-16T18:45:00%2B02:00", 200, "application/json", []string{`"episode":816`}},
		{"/api/v1/aired?at=2003-06-16T18:45:00+02:00", 200, "application/json", []string{`"episode":816`}},
		{"/api/v1/aired?at=2003-06-16T17:00:00Z", 200, "application/json", []string{"[]"}},
		{"/api/v1/aired?date=2003-06-21", 200, "application/json", []string{"[]"}},
		{"/api/v1/aired?date=today", 200, "application/json", []string{"[]"}},
		{"/api/v1/episodes/1", 200, "application/json", []string{`"start":"2000-05-01T18:30:00+02:00"`, `"first_aired":"2000-05-01T18:30:00+02:00"`}},
		{"/api/v1/slots?from=2007-07-02&to=2008-01-09", 200, "application/json", []string{`"episode":1875`}},
		{"/api/v1/slots?from=2008-12-01&to=2009-01-09", 200, "application/json", []string{`"run":"rebroadcast"`, `"first_aired":"2000-05-01T18:30:00+02:00"`}},
		{"/api/v1/slots?from=2004-01-01&to=2004-12-31", 200, "application/json", []string{`"episode":959`}},
		{"/api/v1/slots?year=2008", 200, "application/json", []string{"[]"}},
		{"/api/v1/slots?year=2012&run=rebroadcast", 200, "application/json", []string{`"run":"rebroadcast"`}},
		{"/api/v1/runs", 200, "application/json", []string{`"name":"original"`, `"assumptions":{`}},
		{"/healthz", 200, "text/plain; charset=utf-8", []string{"ok"}},
		{"/", 200, "text/html; charset=utf-8", []string{`<img src="history/2003.svg?v=`, "Subscribe"}},
		{"/days/2003-06-16.html", 200, "text/html; charset=utf-8", []string{"Episode 816"}},
		{"/episodes/816.html", 200, "text/html; charset=utf-8", []string{"Episode 816", "20 Feb 2012"}},
		{"/calendar/2003.ics", 200, "text/calendar; charset=utf-8", []string{"BEGIN:VCALENDAR"}},
		{"/api/v1/days/2003-06-16.json", 200, "application/json", []string{`"episode":816`}},
		{"/api/v1/episodes/816.json", 200, "application/json", []string{`"episode":816`}},
		{"/api/v1/runs.json", 200, "application/json", []string{`"name":"original"`}},
		{"/assets/style.css", 200, "text/css; charset=utf-8", []string{"--r0"}},
		{"/assets/icon.svg", 200, "image/svg+xml", []string{"<svg"}},
		{"/assets/channel-icon.png", 200, "image/png", []string{"\x89PNG"}},
	} {
		t.Run(c.target, func(t *testing.T) {
			resp, body := do(t, h, "GET", c.target)
			if resp.StatusCode != c.status {
				t.Errorf("got status %d, want %d; body %.300s", resp.StatusCode, c.status, body)
			}
			if got := resp.Header.Get("Content-Type"); got != c.ctype {
				t.Errorf("got Content-Type %q, want %q", got, c.ctype)
			}
			for _, w := range c.want {
				if !bytes.Contains(body, []byte(w)) {
					t.Errorf("got body %.300s…, want it to contain %q", body, w)
				}
			}
			head, hbody := do(t, h, "HEAD", c.target)
			if head.StatusCode != c.status || len(hbody) != 0 {
				t.Errorf("HEAD: got status %d and %d bytes, want %d and none", head.StatusCode, len(hbody), c.status)
			}
			if cl := head.Header.Get("Content-Length"); cl != "" && cl != fmt.Sprint(len(body)) {
				t.Errorf("HEAD: got Content-Length %s, want %d", cl, len(body))
			}
		})
	}
}

// TestAPIMatchesCLI checks that the API writes the airing objects of
// "backstage aired --json".
func TestAPIMatchesCLI(t *testing.T) {
	h := newServer(t).Handler()
	_, body := do(t, h, "GET", "/api/v1/aired?date=2003-06-16")
	want, err := os.ReadFile("../cli/testdata/aired-2003-06-16.json")
	if err != nil {
		t.Fatal(err)
	}
	var got, exp any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &exp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("got %s, want %s", body, want)
	}
}

func TestErrors(t *testing.T) {
	h := newServer(t).Handler()
	for _, c := range []struct {
		method, target string
		status         int
		want           string // in the error message
	}{
		{"GET", "/calendar.ics?year=03", 400, `year "03": want a four-digit year`},
		{"GET", "/calendar.ics?year=%2B003", 400, `year "+003": want a four-digit year`},
		{"GET", "/calendar.ics?year=-003", 400, `year "-003": want a four-digit year`},
		{"GET", "/calendar.ics?year=2003&from=2003-01-01", 400, `year "2003": goes with neither from nor to`},
		{"GET", "/calendar.ics?year=2003&to=2003-01-01", 400, `year "2003": goes with neither from nor to`},
		{"GET", "/calendar.ics?from=2003-02-30", 400, `from "2003-02-30": day out of range (want YYYY-MM-DD)`},
		{"GET", "/calendar.ics?to=tomorrow", 400, `to "tomorrow": not a date (want YYYY-MM-DD)`},
		{"GET", "/calendar.ics?from=2004-01-01&to=2003-01-01", 400, `to "2003-01-01": before from 2004-01-01`},
		{"GET", "/calendar.ics?run=repeat", 400, `run "repeat": no run has this name: want one of original, rebroadcast`},
		{"GET", "/calendar.ics?compact=yes", 400, `compact "yes": want 1`},
		{"GET", "/calendar.ics?all_day=2", 400, `all_day "2": want 1`},
		{"GET", "/calendar.ics?mark_new=1", 400, `unknown parameter "mark_new": want run, from, to, year, compact, all_day`},
		{"GET", "/calendar.ics?year=2003&year=2004", 400, `parameter "year" given twice`},
		{"GET", "/calendar.ics?from=%zz", 400, "bad %-escape"},
		{"GET", "/calendar.ics?a=1;b=2", 400, `query "a=1;b=2": a semicolon: separate parameters with &`},
		{"GET", "/api/v1/aired?date=2003-06-16;", 400, "a semicolon"},
		{"GET", "/api/v1/aired?date=2003-06-16%3B", 400, `date "2003-06-16;"`},
		{"GET", "/xmltv.xml?compact=1", 400, `unknown parameter "compact"`},
		{"GET", "/xmltv.xml.gz?mark_new=on", 400, `mark_new "on": want 1`},
		{"GET", "/channels.m3u?x=1", 400, `unknown parameter "x": this path takes none`},
		{"GET", "/api/v1/aired", 400, "missing parameter: want date=YYYY-MM-DD"},
		{"GET", "/api/v1/aired?date=2003-06-16&at=2003-06-16T18:45:00Z", 400, "date and at given together"},
		{"GET", "/api/v1/aired?date=16/06/2003", 400, `date "16/06/2003": not a date (want YYYY-MM-DD)`},
		{"GET", "/api/v1/aired?at=2003-06-16T18:45", 400, `at "2003-06-16T18:45": want an RFC 3339 time`},
		{"GET", "/api/v1/aired?day=2003-06-16", 400, `unknown parameter "day": want date, at`},
		{"GET", "/api/v1/episodes/0", 400, `episode "0": want a whole number from 1 to 1875`},
		{"GET", "/api/v1/episodes/one", 400, `episode "one": want a whole number from 1 to 1875`},
		{"GET", "/api/v1/episodes/+5", 400, `episode "+5"`},
		{"GET", "/api/v1/episodes/1876", 404, `episode "1876": never aired: episodes run from 1 to 1875`},
		{"GET", "/api/v1/episodes/99999999999999999999", 400, "want a whole number"},
		{"GET", "/api/v1/episodes/1?x=1", 400, `unknown parameter "x"`},
		{"GET", "/api/v1/slots", 400, "missing parameter from"},
		{"GET", "/api/v1/slots?from=2003-01-01", 400, "missing parameter to"},
		{"GET", "/api/v1/slots?from=2003-01-01&to=2004-01-02", 400, "from 2003-01-01 to 2004-01-02 is 367 days: want at most 366 per request"},
		{"GET", "/api/v1/slots?from=2003-01-01&to=2004-06-30", 400, "is 547 days: want at most 366 per request"},
		{"GET", "/api/v1/slots?year=2003&run=x", 400, `run "x": no run has this name`},
		{"GET", "/api/v1/runs?all=1", 400, `unknown parameter "all"`},
		{"GET", "/api/v1/nope", 404, "no such path"},
		{"GET", "/api/v1/episodes/", 404, "no such path"},
		{"GET", "/api/v1/episodes/1.json?x=1", 400, `unknown parameter "x"`},
		{"GET", "/calendar/1999.ics", 404, "no such path"},
		{"POST", "/calendar.ics", 405, "method POST not allowed on /calendar.ics: want GET or HEAD"},
		{"PUT", "/api/v1/episodes/1", 405, "method PUT not allowed"},
		{"DELETE", "/", 405, "method DELETE not allowed"},
		{"POST", "/nope", 404, "no such path"},
	} {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			resp, body := do(t, h, c.method, c.target)
			if resp.StatusCode == http.StatusMovedPermanently || resp.StatusCode == http.StatusTemporaryRedirect {
				return // ServeMux cleans paths such as /assets/../x by redirecting
			}
			if resp.StatusCode != c.status {
				t.Errorf("got status %d, want %d; body %s", resp.StatusCode, c.status, body)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("got Content-Type %q, want application/json", got)
			}
			var e struct{ Error string }
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Fatalf("got body %q, want {\"error\": …}: %v", body, err)
			}
			if !strings.Contains(e.Error, c.want) {
				t.Errorf("got error %q, want it to contain %q", e.Error, c.want)
			}
			if c.status == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("got Allow %q, want GET, HEAD", resp.Header.Get("Allow"))
			}
		})
	}
}

func TestM3UWithoutStream(t *testing.T) {
	h := newServer(t, func(s *Server) { s.StreamURL = "" }).Handler()
	resp, body := do(t, h, "GET", "/channels.m3u")
	if resp.StatusCode != 404 || !strings.Contains(string(body), "--stream-url") {
		t.Errorf("got %d %q, want 404 and how to set --stream-url", resp.StatusCode, body)
	}
}

func TestM3UPublicURL(t *testing.T) {
	h := newServer(t, func(s *Server) { s.PublicURL = "https://tv.example.org/backstage/" }).Handler()
	_, body := do(t, h, "GET", "/channels.m3u")
	for _, want := range []string{
		`url-tvg="https://tv.example.org/backstage/xmltv.xml.gz"`,
		`tvg-logo="https://tv.example.org/backstage/assets/channel-icon.png"`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("got %q, want it to contain %q", body, want)
		}
	}
}

func TestConditional(t *testing.T) {
	h := newServer(t).Handler()
	first, body := do(t, h, "GET", "/calendar.ics?year=2003")
	etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
		t.Fatalf("got ETag %q, want a strong one", etag)
	}
	if lastMod != "Thu, 26 Nov 2026 00:00:00 GMT" {
		t.Errorf("got Last-Modified %q, want the schedule's revision time", lastMod)
	}
	if cc := first.Header.Get("Cache-Control"); cc != "public, max-age=86400" {
		t.Errorf("got Cache-Control %q, want public, max-age=86400 (the calendar's refresh interval)", cc)
	}
	earlier := "Wed, 25 Nov 2026 00:00:00 GMT"
	for _, c := range []struct {
		name   string
		header []string
		status int
	}{
		{"If-None-Match matches", []string{"If-None-Match", etag}, 304},
		{"If-None-Match in a list", []string{"If-None-Match", `"x", ` + etag}, 304},
		{"If-None-Match weak form", []string{"If-None-Match", "W/" + etag}, 304},
		{"If-None-Match star", []string{"If-None-Match", "*"}, 304},
		{"If-None-Match other", []string{"If-None-Match", `"other"`}, 200},
		{"If-Modified-Since equal", []string{"If-Modified-Since", lastMod}, 304},
		{"If-Modified-Since later", []string{"If-Modified-Since", "Fri, 27 Nov 2026 00:00:00 GMT"}, 304},
		{"If-Modified-Since earlier", []string{"If-Modified-Since", earlier}, 200},
		{"If-None-Match wins over If-Modified-Since", []string{"If-None-Match", `"other"`, "If-Modified-Since", lastMod}, 200},
		{"If-Modified-Since garbage", []string{"If-Modified-Since", "yesterday"}, 200},
		{"If-Match matches", []string{"If-Match", etag}, 200},
		{"If-Match other", []string{"If-Match", `"other"`}, 412},
		{"If-Unmodified-Since earlier", []string{"If-Unmodified-Since", earlier}, 412},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, got := do(t, h, "GET", "/calendar.ics?year=2003", c.header...)
			if resp.StatusCode != c.status {
				t.Fatalf("got status %d, want %d", resp.StatusCode, c.status)
			}
			if c.status != 412 && resp.Header.Get("Last-Modified") != lastMod && c.status != 304 {
				t.Errorf("got Last-Modified %q, want %q", resp.Header.Get("Last-Modified"), lastMod)
			}
			switch c.status {
			case 304:
				if len(got) != 0 || resp.Header.Get("ETag") != etag {
					t.Errorf("304 with %d bytes and ETag %q, want none and %q", len(got), resp.Header.Get("ETag"), etag)
				}
			case 200:
				if !bytes.Equal(got, body) {
					t.Errorf("200 with a different body")
				}
			}
		})
	}
	t.Run("HEAD with If-None-Match", func(t *testing.T) {
		resp, _ := do(t, h, "HEAD", "/calendar.ics?year=2003", "If-None-Match", etag)
		if resp.StatusCode != 304 {
			t.Errorf("got %d, want 304", resp.StatusCode)
		}
	})
	t.Run("Range", func(t *testing.T) {
		resp, got := do(t, h, "GET", "/calendar.ics?year=2003", "Range", "bytes=0-14")
		if resp.StatusCode != 206 || string(got) != "BEGIN:VCALENDAR" {
			t.Errorf("got %d %q, want 206 BEGIN:VCALENDAR", resp.StatusCode, got)
		}
		if cr := resp.Header.Get("Content-Range"); cr != fmt.Sprintf("bytes 0-14/%d", len(body)) {
			t.Errorf("got Content-Range %q", cr)
		}
		resp, got = do(t, h, "GET", "/calendar.ics?year=2003", "Range", "bytes=-5")
		if resp.StatusCode != 206 || !bytes.Equal(got, body[len(body)-5:]) {
			t.Errorf("suffix range: got %d %q", resp.StatusCode, got)
		}
		resp, _ = do(t, h, "GET", "/calendar.ics?year=2003", "Range", fmt.Sprintf("bytes=%d-", len(body)+10))
		if resp.StatusCode != 416 {
			t.Errorf("range past the end: got %d, want 416", resp.StatusCode)
		}
		for _, ifRange := range []string{etag, lastMod} {
			resp, got = do(t, h, "GET", "/calendar.ics?year=2003", "Range", "bytes=0-14", "If-Range", ifRange)
			if resp.StatusCode != 206 || string(got) != "BEGIN:VCALENDAR" {
				t.Errorf("If-Range %s: got %d, want 206", ifRange, resp.StatusCode)
			}
		}
		resp, got = do(t, h, "GET", "/calendar.ics?year=2003", "Range", "bytes=0-14", "If-Range", "Wed, 25 Nov 2026 00:00:00 GMT")
		if resp.StatusCode != 200 || !bytes.Equal(got, body) {
			t.Errorf("If-Range with an older date: got %d, want 200 and the whole feed", resp.StatusCode)
		}
		resp, got = do(t, h, "GET", "/calendar.ics?year=2003", "Range", "bytes=0-14", "If-Range", `"other"`)
		if resp.StatusCode != 200 || !bytes.Equal(got, body) {
			t.Errorf("If-Range not matching: got %d, want 200 and the whole feed", resp.StatusCode)
		}
	})
}

func TestGzip(t *testing.T) {
	h := newServer(t).Handler()
	for _, path := range []string{"/calendar.ics?year=2003", "/xmltv.xml?year=2003"} {
		t.Run(path, func(t *testing.T) {
			plain, body := do(t, h, "GET", path)
			if plain.Header.Get("Vary") != "Accept-Encoding" || plain.Header.Get("Content-Encoding") != "" {
				t.Errorf("plain: got Vary %q, Content-Encoding %q", plain.Header.Get("Vary"), plain.Header.Get("Content-Encoding"))
			}
			for _, ae := range []string{"gzip", "br, gzip, deflate", "gzip;q=0.5", "x-gzip", "GZIP"} {
				resp, zbody := do(t, h, "GET", path, "Accept-Encoding", ae)
				if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
					t.Fatalf("Accept-Encoding %q: got Content-Encoding %q, Vary %q", ae, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
				}
				if resp.Header.Get("ETag") == plain.Header.Get("ETag") {
					t.Errorf("gzip and plain share ETag %s", resp.Header.Get("ETag"))
				}
				if got := testkit.Gunzip(t, zbody); !bytes.Equal(got, body) {
					t.Errorf("gunzipped body differs from the plain one")
				}
				// The plain copy's ETag does not validate the gzipped one.
				r2, _ := do(t, h, "GET", path, "Accept-Encoding", ae, "If-None-Match", plain.Header.Get("ETag"))
				if r2.StatusCode != 200 {
					t.Errorf("gzip request with the plain ETag: got %d, want 200", r2.StatusCode)
				}
				r3, _ := do(t, h, "GET", path, "Accept-Encoding", ae, "If-None-Match", resp.Header.Get("ETag"))
				if r3.StatusCode != 304 {
					t.Errorf("gzip request with its own ETag: got %d, want 304", r3.StatusCode)
				}
			}
			for _, ae := range []string{"", "identity", "gzip;q=0", "br", "gzip;q=0.000"} {
				resp, _ := do(t, h, "GET", path, "Accept-Encoding", ae)
				if resp.Header.Get("Content-Encoding") != "" {
					t.Errorf("Accept-Encoding %q: got Content-Encoding %q, want none", ae, resp.Header.Get("Content-Encoding"))
				}
			}
		})
	}
	t.Run("xmltv.xml.gz", func(t *testing.T) {
		_, plain := do(t, h, "GET", "/xmltv.xml?year=2003")
		resp, z := do(t, h, "GET", "/xmltv.xml.gz?year=2003")
		if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" {
			t.Errorf("got Content-Encoding %q, Vary %q; want neither (the file itself is gzip)", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
		}
		if !bytes.Equal(testkit.Gunzip(t, z), plain) {
			t.Errorf("xmltv.xml.gz does not unpack to xmltv.xml")
		}
		resp2, z2 := do(t, h, "GET", "/xmltv.xml.gz?year=2003", "Accept-Encoding", "gzip")
		if resp2.Header.Get("Content-Encoding") != "" || !bytes.Equal(z, z2) {
			t.Errorf("xmltv.xml.gz with Accept-Encoding: gzip changed")
		}
	})
	t.Run("page", func(t *testing.T) {
		_, plain := do(t, h, "GET", "/")
		resp, z := do(t, h, "GET", "/", "Accept-Encoding", "gzip")
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Length") != fmt.Sprint(len(z)) {
			t.Fatalf("got Content-Encoding %q, Content-Length %q for %d bytes", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Length"), len(z))
		}
		if !bytes.Equal(testkit.Gunzip(t, z), plain) {
			t.Errorf("gzipped page does not unpack to the plain one")
		}
		if len(z) > len(plain)/5 {
			t.Errorf("gzipped page is %d bytes of %d", len(z), len(plain))
		}
	})
}

// gunzip unpacks b, checking its CRC and length as gzip.Reader does.
// TestNormalised checks that URLs asking for the same feed share one
// rendering and one ETag.
func TestNormalised(t *testing.T) {
	for _, group := range [][]string{
		{"/calendar.ics?year=2003", "/calendar.ics?from=2003-01-01&to=2003-12-31", "/calendar.ics?to=2003-12-31&from=2003-01-01", "/calendar.ics?from=2003-01-01&to=2003-12-31&compact=0&all_day=false"},
		{"/calendar.ics", "/calendar.ics?from=1999-01-01", "/calendar.ics?to=2030-12-31&from=2000-05-01", "/calendar.ics?from=2000-01-01&to=2016-03-11"},
		{"/xmltv.xml?run=original&mark_new=1", "/xmltv.xml?mark_new=true&run=original&from=2000-05-01", "/xmltv.xml?run=original&mark_new=1&to=2016-12-31"},
		{"/calendar.ics?year=2016", "/calendar.ics?from=2016-01-01"},
		{"/calendar.ics?year=2000&compact=1", "/calendar.ics?compact=1&to=2000-12-31"},
	} {
		t.Run(group[0], func(t *testing.T) {
			s := newServer(t)
			h := s.Handler()
			var etag string
			for i, target := range group {
				resp, _ := do(t, h, "GET", target)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: got %d", target, resp.StatusCode)
				}
				if i == 0 {
					etag = resp.Header.Get("ETag")
				} else if got := resp.Header.Get("ETag"); got != etag {
					t.Errorf("%s: got ETag %s, want %s as for %s", target, got, etag, group[0])
				}
			}
			if n, _ := s.cache.stats(); n != 1 {
				t.Errorf("got %d cached feeds, want 1", n)
			}
		})
	}
	s := newServer(t)
	h := s.Handler()
	_, a := do(t, h, "GET", "/calendar.ics?year=2003")
	_, b := do(t, h, "GET", "/calendar.ics?year=2004")
	if bytes.Equal(a, b) {
		t.Error("2003 and 2004 give the same calendar")
	}
}

// TestRenderOnce checks that concurrent first requests for a feed render
// it once.
func TestRenderOnce(t *testing.T) {
	s := newServer(t)
	h := s.Handler()
	var wg sync.WaitGroup
	etags := make([]string, 16)
	for i := range etags {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := do(t, h, "GET", "/xmltv.xml.gz")
			etags[i] = resp.Header.Get("ETag")
		}()
	}
	wg.Wait()
	// One rendering of the XML, one compression.
	if n := s.cache.renders.Load(); n != 2 {
		t.Errorf("got %d renderings, want 2", n)
	}
	for _, e := range etags {
		if e != etags[0] || e == "" {
			t.Errorf("got ETags %q, want one", etags)
			break
		}
	}
}

func TestCacheBound(t *testing.T) {
	s := newServer(t, func(s *Server) { s.MaxCacheBytes = 300 << 10 })
	h := s.Handler()
	for y := 2000; y <= 2016; y++ {
		do(t, h, "GET", fmt.Sprintf("/calendar.ics?year=%d", y))
		if _, b := s.cache.stats(); b > 300<<10 {
			t.Fatalf("after year %d the cache holds %d bytes, over its bound", y, b)
		}
	}
	// A large one, more than the cache should hold, is streamed, and the
	// cache keeps what it had.
	before, _ := s.cache.stats()
	resp, body := do(t, h, "GET", "/calendar.ics")
	if resp.StatusCode != 200 || len(body) < 1<<20 || !strings.HasPrefix(resp.Header.Get("Etag"), `W/"s-`) {
		t.Errorf("full calendar: got %d, %d bytes, ETag %q; want it streamed", resp.StatusCode, len(body), resp.Header.Get("Etag"))
	}
	if n, _ := s.cache.stats(); n != before {
		t.Errorf("got %d entries after the streamed feed, want the %d before", n, before)
	}

	c := newFeedCache(1<<20, 3)
	for i := range 5 {
		c.get(fileKey{file: site.File{Path: fmt.Sprint(i)}}, func() (*rendered, error) { return newRendered([]byte("x"), time.Time{}), nil })
	}
	if n, _ := c.stats(); n != 3 {
		t.Errorf("got %d entries, want 3 at most", n)
	}
	if _, err := c.get(fileKey{file: site.File{Path: "bad"}}, func() (*rendered, error) { return nil, errors.New("no") }); err == nil {
		t.Error("got no error from a failed rendering")
	}
	calls := 0
	f, err := c.get(fileKey{file: site.File{Path: "bad"}}, func() (*rendered, error) { calls++; return newRendered([]byte("y"), time.Time{}), nil })
	if err != nil || calls != 1 || string(f.body) != "y" {
		t.Errorf("a failed rendering was kept: got %v, %d calls", err, calls)
	}
}

// TestTimeline serves a replay window that rolls on at midnight.
func TestTimeline(t *testing.T) {
	base := testkit.Default(t)
	jnb := base.Location()
	now := time.Date(2026, 11, 26, 20, 0, 0, 0, jnb)
	builds := 0
	s := newServer(t, func(s *Server) {
		s.Schedule = nil
		s.Now = func() time.Time { return now }
		s.Timeline = DailyTimeline(jnb, func(now time.Time) (*schedule.Schedule, error) {
			builds++
			return base.Replay(schedule.ReplayOptions{Now: now, Days: 7, PastDays: 1})
		})
	})
	h := s.Handler()
	get := func(target string, header ...string) (*http.Response, []byte) {
		resp, body := do(t, h, "GET", target, header...)
		if resp.StatusCode != 200 && resp.StatusCode != 304 {
			t.Fatalf("%s: got %d %s", target, resp.StatusCode, body)
		}
		return resp, body
	}
	r1, b1 := get("/xmltv.xml")
	if !bytes.Contains(b1, []byte(`start="20261126183000 +0200"`)) {
		t.Fatalf("want tonight's airing in the replayed guide; got %.500s", b1)
	}
	if cc := r1.Header.Get("Cache-Control"); cc != "public, max-age=14400" {
		t.Errorf("got Cache-Control %q, want the 4 hours to midnight", cc)
	}
	_, aired := get("/api/v1/aired?date=today")
	// The default replay: 1357 weeks on.
	if !bytes.Contains(aired, []byte(`"replay_of":"2000-11-23T18:30:00+02:00"`)) {
		t.Errorf("got %s, want the replay of 23 November 2000", aired)
	}
	_, page := get("/")
	if !bytes.Contains(page, []byte("Today, Thursday 26 November 2026")) || !bytes.Contains(page, []byte("replays the airing of Thursday 23 November 2000")) {
		t.Errorf("the page does not show today's replayed airing")
	}
	if !bytes.Contains(page, []byte("This week's guide</h2>")) || bytes.Contains(page, []byte(`history/`)) {
		t.Errorf("the page does not show the window as this week's guide, in place of the history picture")
	}

	now = now.Add(time.Hour) // the same day: the same schedule and feed
	r2, _ := get("/xmltv.xml", "If-None-Match", r1.Header.Get("ETag"))
	if r2.StatusCode != 304 || builds != 1 {
		t.Errorf("later that day: got %d after %d builds, want 304 after 1", r2.StatusCode, builds)
	}
	// The headers of a rendering are made once; its Cache-Control, which
	// shortens as midnight comes, is not.
	if r, _ := get("/xmltv.xml"); r.Header.Get("Cache-Control") != "public, max-age=10800" {
		t.Errorf("an hour later: got Cache-Control %q, want the 3 hours to midnight", r.Header.Get("Cache-Control"))
	}

	now = time.Date(2026, 11, 27, 0, 0, 1, 0, jnb) // the window rolls on
	r3, b3 := get("/xmltv.xml", "If-None-Match", r1.Header.Get("ETag"), "If-Modified-Since", r1.Header.Get("Last-Modified"))
	if r3.StatusCode != 200 || builds != 2 || bytes.Equal(b1, b3) {
		t.Errorf("next day: got %d after %d builds, want 200 with a new guide after 2", r3.StatusCode, builds)
	}
	if r3.Header.Get("ETag") == r1.Header.Get("ETag") {
		t.Errorf("next day's guide has yesterday's ETag")
	}
	if lm, _ := http.ParseTime(r3.Header.Get("Last-Modified")); lm.Before(now.Truncate(time.Second)) {
		t.Errorf("got Last-Modified %s, want no earlier than %s", lm, now)
	}
	r4, _ := get("/xmltv.xml", "If-Modified-Since", r1.Header.Get("Last-Modified"))
	if r4.StatusCode != 200 {
		t.Errorf("If-Modified-Since from yesterday: got %d, want 200", r4.StatusCode)
	}
	if n, _ := s.cache.stats(); n != 1 {
		t.Errorf("got %d cached feeds, want yesterday's dropped", n)
	}
}

func TestTimelineError(t *testing.T) {
	var logs bytes.Buffer
	h := newServer(t, func(s *Server) {
		s.Timeline = func(time.Time) (*schedule.Schedule, error) { return nil, errors.New("disk on fire at /secret/path") }
		s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	}).Handler()
	for _, target := range []string{"/calendar.ics", "/api/v1/runs", "/", "/healthz"} {
		resp, body := do(t, h, "GET", target)
		if resp.StatusCode < 500 || bytes.Contains(body, []byte("secret")) {
			t.Errorf("%s: got %d %q, want 5xx without the error", target, resp.StatusCode, body)
		}
	}
	if !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("the error was not logged: %s", logs.String())
	}
}

func TestPanic(t *testing.T) {
	var logs bytes.Buffer
	h := newServer(t, func(s *Server) {
		s.Timeline = func(time.Time) (*schedule.Schedule, error) { panic("secret detail") }
		s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	}).Handler()
	resp, body := do(t, h, "GET", "/api/v1/runs")
	if resp.StatusCode != 500 || string(body) != "{\"error\":\"internal error\"}\n" {
		t.Errorf("got %d %q, want 500 and nothing about the panic", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "secret detail") || !strings.Contains(logs.String(), "status=500") {
		t.Errorf("the panic was not logged: %s", logs.String())
	}
}

func TestNoSchedule(t *testing.T) {
	s := &Server{Logger: slog.New(slog.DiscardHandler)}
	if err := s.Check(); !errors.Is(err, errNoSchedule) {
		t.Errorf("got %v, want errNoSchedule", err)
	}
	resp, _ := do(t, s.Handler(), "GET", "/healthz")
	if resp.StatusCode != 503 {
		t.Errorf("healthz: got %d, want 503", resp.StatusCode)
	}
}

func TestAccessLog(t *testing.T) {
	var logs bytes.Buffer
	h := newServer(t, func(s *Server) { s.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) }).Handler()
	do(t, h, "GET", "/api/v1/aired?date=2003-06-16")
	var rec map[string]any
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, logs.String())
	}
	for k, want := range map[string]any{"msg": "request", "method": "GET", "path": "/api/v1/aired", "status": 200.0, "bytes": 190.0} {
		if rec[k] != want {
			t.Errorf("got %s=%v, want %v", k, rec[k], want)
		}
	}
	if _, ok := rec["duration"].(float64); !ok {
		t.Errorf("got duration %v, want a number", rec["duration"])
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newServer(t).Handler()
	for _, target := range []string{"/", "/?date=2003-02-30"} {
		resp, _ := do(t, h, "GET", target)
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "strict-origin-when-cross-origin",
		} {
			if got := resp.Header.Get(k); !strings.Contains(got, want) {
				t.Errorf("%s: got %s %q, want %q", target, k, got, want)
			}
		}
	}
}

func TestHTTPServer(t *testing.T) {
	hs := newServer(t).HTTPServer()
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.WriteTimeout <= 0 || hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 {
		t.Errorf("got %+v, want every timeout and MaxHeaderBytes set", hs)
	}
}

// TestGracefulShutdown checks that Serve lets a request in flight finish
// when its context ends.
func TestGracefulShutdown(t *testing.T) {
	base := testkit.Default(t)
	var block atomic.Bool
	entered, release := make(chan struct{}), make(chan struct{})
	s := newServer(t, func(s *Server) {
		s.Timeline = func(time.Time) (*schedule.Schedule, error) {
			if block.CompareAndSwap(true, false) {
				close(entered)
				<-release
			}
			return base, nil
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(url + "/healthz"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}

	block.Store(true)
	got := make(chan int, 1)
	go func() {
		resp, err := client.Get(url + "/api/v1/aired?date=2003-06-16")
		if err != nil {
			t.Error(err)
			got <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	<-entered
	cancel()
	// Shutdown closes the listener first; wait for that, then let the
	// request in flight finish.
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 5 s after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if code := <-got; code != 200 {
		t.Errorf("request in flight: got %d, want 200", code)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestDailyTimeline(t *testing.T) {
	base := testkit.Default(t)
	jnb := base.Location()
	calls := 0
	fail := true
	tl := DailyTimeline(jnb, func(time.Time) (*schedule.Schedule, error) {
		calls++
		if fail {
			return nil, errors.New("once")
		}
		return base, nil
	})
	day := time.Date(2026, 11, 26, 23, 0, 0, 0, jnb)
	if _, err := tl(day); err == nil {
		t.Fatal("want the error")
	}
	fail = false
	a, _ := tl(day)
	b, _ := tl(day.Add(59 * time.Minute)) // 23:59 SAST
	if a != base || b != a || calls != 2 {
		t.Errorf("got %d builds by 23:59, want 2 (the failure, then one)", calls)
	}
	if c, _ := tl(day.Add(time.Hour)); c != base || calls != 3 { // midnight
		t.Errorf("got %d builds by midnight, want 3", calls)
	}
}

// FuzzQuery feeds arbitrary query strings and Accept-Encoding values to
// the parsers of user input: they may refuse, as a 400, but never panic
// or fail otherwise, and equal keys mean equal feeds.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"year=2003", "from=2003-01-01&to=2003-12-31", "run=original&compact=1&all_day=true", "from=%zz",
		"year=2003&year=2004", "mark_new=1", "=&&=", "run=&from=", "date=2003-06-16", "at=2003-06-16T18:45:00+02:00"} {
		f.Add(s, "gzip;q=0.5, br")
	}
	s := newServer(f)
	s.init()
	v, err := s.current()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw, ae string) {
		acceptsGzip([]string{ae})
		for kind := range feedParamNames {
			o, err := s.feedOptions(kind, raw, v)
			if err != nil {
				if code, _ := status(err); code != 400 {
					t.Errorf("%q: got status %d for %v", raw, code, err)
				}
				continue
			}
			if w := o.Window; !w.From.IsZero() && !w.To.IsZero() && w.To.Before(w.From) {
				t.Errorf("%q: from %s after to %s", raw, w.From, w.To)
			}
		}
		if q, err := parseQuery(raw, []string{"date", "at"}); err == nil {
			if at, ok := q["at"]; ok {
				parseAt(at)
			}
			if d, ok := q["date"]; ok {
				s.parseDay(v, d)
			}
		}
	})
}

// TestStreamed: a feed larger than the cache should hold is streamed as
// it is made, gzipped or not, with a validator that gives 304s, and
// answers HEAD without making it.
func TestStreamed(t *testing.T) {
	s := newServer(t, func(s *Server) { s.MaxCacheBytes = 1 << 20 })
	h := s.Handler()
	ref := newServer(t).Handler()
	for _, c := range []struct{ path, ae string }{
		{"/xmltv.xml", ""}, {"/xmltv.xml", "gzip"}, {"/xmltv.xml.gz", ""}, {"/calendar.ics", "gzip"},
	} {
		resp, body := do(t, h, "GET", c.path, "Accept-Encoding", c.ae)
		_, want := do(t, ref, "GET", c.path, "Accept-Encoding", c.ae)
		etag := resp.Header.Get("Etag")
		if resp.StatusCode != 200 || !strings.HasPrefix(etag, `W/"s-`) {
			t.Fatalf("%s %s: %d, ETag %q; want 200, streamed", c.path, c.ae, resp.StatusCode, etag)
		}
		if resp.Header.Get("Content-Encoding") == "gzip" || strings.HasSuffix(c.path, ".gz") {
			body, want = testkit.Gunzip(t, body), testkit.Gunzip(t, want)
		}
		if !bytes.Equal(body, want) {
			t.Errorf("%s %s: %d bytes streamed, the cached answer has %d", c.path, c.ae, len(body), len(want))
		}
		if r2, _ := do(t, h, "GET", c.path, "Accept-Encoding", c.ae, "If-None-Match", etag); r2.StatusCode != 304 {
			t.Errorf("%s %s: revalidating: %d, want 304", c.path, c.ae, r2.StatusCode)
		}
		if hr, hb := do(t, h, "HEAD", c.path, "Accept-Encoding", c.ae); hr.StatusCode != 200 || len(hb) != 0 || hr.Header.Get("Etag") != etag {
			t.Errorf("%s %s: HEAD %d, %d bytes, ETag %q", c.path, c.ae, hr.StatusCode, len(hb), hr.Header.Get("Etag"))
		}
	}
	if n, b := s.cache.stats(); b > 1<<20 {
		t.Errorf("the cache holds %d entries, %d bytes, over its bound", n, b)
	}
}

// TestOutgrowsCache: a feed whose size is not guessed ahead (a compact
// calendar) and turns out larger than the cache should hold is abandoned
// as it renders and streamed, now and for the next request, with the
// same bytes; a compact calendar that fits is cached, not streamed.
func TestOutgrowsCache(t *testing.T) {
	_, want := do(t, newServer(t).Handler(), "GET", "/calendar/compact.ics")
	s := newServer(t, func(s *Server) { s.MaxCacheBytes = 8 << 10 }) // 2 KB for a feed; the calendar is 4.7 KB
	h := s.Handler()
	for i := range 2 {
		resp, body := do(t, h, "GET", "/calendar/compact.ics")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Etag"), `W/"s-`) || !bytes.Equal(body, want) {
			t.Errorf("request %d: %d, ETag %q, %d bytes (want %d); want it streamed", i, resp.StatusCode, resp.Header.Get("Etag"), len(body), len(want))
		}
	}
	if n := s.cache.renders.Load(); n != 1 {
		t.Errorf("%d renderings into the cache, want the one abandoned", n)
	}
	if n, b := s.cache.stats(); n != 0 || b != 0 {
		t.Errorf("the cache holds %d entries, %d bytes", n, b)
	}
	resp, _ := do(t, newServer(t, func(s *Server) { s.MaxCacheBytes = 1 << 20 }).Handler(), "GET", "/calendar/compact.ics")
	if strings.HasPrefix(resp.Header.Get("Etag"), "W/") {
		t.Errorf("with a 1 MB cache the compact calendar is streamed (ETag %s)", resp.Header.Get("Etag"))
	}
}

// TestTooBigMemoBounded: the per-view memo of which feeds are streamed
// stops growing at maxMemos, however many windows a client asks for.
func TestTooBigMemoBounded(t *testing.T) {
	s := newServer(t)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	v := s.views.cur.Load()
	first := schedule.Date{Year: 2000, Month: time.May, Day: 1}
	for i := range maxMemos + 100 {
		d := first.AddDays(i)
		f := v.site.FeedFile(feeds.Options{Format: feeds.XMLTV, Window: schedule.Window{From: d, To: d}}, false)
		if s.tooBig(v, f) {
			t.Fatalf("a day's guide, %v, taken as too big", d)
		}
	}
	if n := len(v.big); n != maxMemos {
		t.Errorf("the memo holds %d feeds, want at most %d", n, maxMemos)
	}
}

// TestFeedQueryMemo: the files of feed queries are remembered for at
// most maxMemos queries, whatever the spellings a client tries, and a
// remembered query is answered as the first time.
func TestFeedQueryMemo(t *testing.T) {
	s := newServer(t)
	h := s.Handler()
	want, _ := do(t, h, "HEAD", "/calendar.ics?year=2003")
	const query = "from=2003-01-01&to=2003-12-31"
	for i := range maxMemos + 50 {
		// The same window, the k-th digit written as a %-escape when bit
		// k of i is set.
		var q strings.Builder
		k := 0
		for _, c := range []byte(query) {
			if '0' <= c && c <= '9' {
				if i&(1<<k) != 0 {
					fmt.Fprintf(&q, "%%%02X", c)
					c = 0
				}
				k++
			}
			if c != 0 {
				q.WriteByte(c)
			}
		}
		for range 2 {
			resp, _ := do(t, h, "HEAD", "/calendar.ics?"+q.String())
			if resp.StatusCode != 200 || resp.Header.Get("Etag") != want.Header.Get("Etag") {
				t.Fatalf("%s: got %d %s, want 200 and the calendar of 2003", q.String(), resp.StatusCode, resp.Header.Get("Etag"))
			}
		}
	}
	n := 0
	s.views.cur.Load().feedFiles.Range(func(any, any) bool { n++; return true })
	if n != maxMemos {
		t.Errorf("the memo holds %d queries, want %d at most", n, maxMemos)
	}
}

// TestRanges: a suffix of no bytes is unsatisfiable, alone or among
// others, as RFC 9110 says; other ranges are ServeContent's.
func TestRanges(t *testing.T) {
	h := newServer(t).Handler()
	_, full := do(t, h, "GET", "/calendar/2003.ics")
	for _, c := range []struct {
		rg, contentRange string
		status, n        int
	}{
		{"bytes=-0", fmt.Sprintf("bytes */%d", len(full)), 416, -1},
		{"bytes=-000", fmt.Sprintf("bytes */%d", len(full)), 416, -1},
		{"bytes=0-0,-0", fmt.Sprintf("bytes 0-0/%d", len(full)), 206, 1},
		{"bytes=-5", fmt.Sprintf("bytes %d-%d/%d", len(full)-5, len(full)-1, len(full)), 206, 5},
		{"bytes=0-9", fmt.Sprintf("bytes 0-9/%d", len(full)), 206, 10},
	} {
		resp, body := do(t, h, "GET", "/calendar/2003.ics", "Range", c.rg)
		if resp.StatusCode != c.status || resp.Header.Get("Content-Range") != c.contentRange || (c.n >= 0 && len(body) != c.n) {
			t.Errorf("Range %s: %d, Content-Range %q, %d bytes; want %d, %q, %d", c.rg, resp.StatusCode, resp.Header.Get("Content-Range"), len(body), c.status, c.contentRange, c.n)
		}
	}
}
