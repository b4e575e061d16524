package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// serveBoth runs s twice on loopback: through Serve, with its fast path,
// and as a plain net/http server of s.Handler(), which has none. It
// returns both addresses and the fast path, for its counter.
func serveBoth(t *testing.T, s *Server) (fast, plain string, fp *fastPath) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	ref := httptest.NewServer(s.Handler())
	t.Cleanup(ref.Close)
	for s.fast.Load() == nil {
		time.Sleep(time.Millisecond)
	}
	return ln.Addr().String(), strings.TrimPrefix(ref.URL, "http://"), s.fast.Load()
}

// exchange sends raw on a new connection to addr and reads one response,
// returning it and the connection for more.
func exchange(t *testing.T, addr, raw string) (*http.Response, []byte, net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	resp, body := readResponse(t, r, strings.HasPrefix(raw, "HEAD"))
	return resp, body, c, r
}

func readResponse(t *testing.T, r *bufio.Reader, head bool) (*http.Response, []byte) {
	t.Helper()
	method := "GET"
	if head {
		method = "HEAD"
	}
	resp, err := http.ReadResponse(r, &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp, body
}

// sameResponse fails the test where the two responses differ: status,
// headers (the Date aside) and body.
func sameResponse(t *testing.T, what string, got, want *http.Response, gotBody, wantBody []byte) {
	t.Helper()
	if got.StatusCode != want.StatusCode {
		t.Errorf("%s: status %d, net/http's %d", what, got.StatusCode, want.StatusCode)
	}
	for _, h := range []http.Header{got.Header, want.Header} {
		h.Del("Date")
	}
	keys := func(h http.Header) []string {
		return slices.Sorted(func(yield func(string) bool) {
			for k := range h {
				yield(k)
			}
		})
	}
	if g, w := keys(got.Header), keys(want.Header); !slices.Equal(g, w) {
		t.Errorf("%s: headers %q, net/http's %q", what, g, w)
	}
	for k, w := range want.Header {
		if g := got.Header[k]; !slices.Equal(g, w) {
			t.Errorf("%s: %s %q, net/http's %q", what, k, g, w)
		}
	}
	if !bytes.Equal(gotBody, wantBody) {
		t.Errorf("%s: %d bytes of body, net/http's %d", what, len(gotBody), len(wantBody))
	}
}

// TestFastPathAnswersAsNetHTTP sends the requests the fast path takes to
// it and to net/http, and checks the answers are the same, and that the
// fast path gave them.
func TestFastPathAnswersAsNetHTTP(t *testing.T) {
	s := newServer(t)
	fast, plain, fp := serveBoth(t, s)
	etag := func(path, ae string) string {
		resp, _, _, _ := exchange(t, plain, "GET "+path+" HTTP/1.1\r\nHost: x\r\nAccept-Encoding: "+ae+"\r\n\r\n")
		return resp.Header.Get("Etag")
	}
	calPlain, calGzip := etag("/calendar.ics", "identity"), etag("/calendar.ics", "gzip")
	n := 0
	for _, method := range []string{"GET", "HEAD"} {
		for _, path := range []string{"/calendar.ics", "/calendar/2003.ics", "/calendar/compact.ics", "/xmltv.xml", "/xmltv.xml.gz", "/", "/index.html", "/assets/style.css", "/assets/channel-icon.png", "/channels.m3u"} {
			for _, header := range []string{
				"", "Accept-Encoding: gzip\r\n", "Accept-Encoding: br, GZIP;q=0.5\r\n", "Accept-Encoding: gzip;q=0\r\n",
				"If-None-Match: " + calPlain + "\r\n", "If-None-Match: W/" + calPlain + "\r\n", "If-None-Match: \"x\", " + calGzip + "\r\nAccept-Encoding: gzip\r\n",
				"If-None-Match: *\r\n", "If-None-Match: \"nothing\"\r\n", "Connection: keep-alive\r\nUser-Agent: test\r\n",
			} {
				raw := method + " " + path + " HTTP/1.1\r\nHost: example.org\r\n" + header + "\r\n"
				what := strings.ReplaceAll(raw, "\r\n", " ")
				before := fp.served.Load()
				got, gotBody, _, _ := exchange(t, fast, raw)
				want, wantBody, _, _ := exchange(t, plain, raw)
				sameResponse(t, what, got, want, gotBody, wantBody)
				if fp.served.Load() == before {
					t.Errorf("%s: not answered by the fast path", what)
				}
				n++
			}
		}
	}
	t.Logf("%d requests compared", n)
}

// TestFastPathTimeline: in replay mode the fast path answers as net/http
// does, with the feeds' Cache-Control running to the schedule's midnight
// (4 hours at 20:00) rather than the calendar's refresh interval.
func TestFastPathTimeline(t *testing.T) {
	base := testkit.Default(t)
	jnb := base.Location()
	now := time.Date(2026, 11, 26, 20, 0, 0, 0, jnb)
	s := newServer(t, func(s *Server) {
		s.Schedule = nil
		s.Now = func() time.Time { return now }
		s.Timeline = DailyTimeline(jnb, func(now time.Time) (*schedule.Schedule, error) {
			return base.Replay(schedule.ReplayOptions{Now: now, Days: 7, PastDays: 1})
		})
	})
	fast, plain, fp := serveBoth(t, s)
	for _, path := range []string{"/calendar.ics", "/xmltv.xml.gz", "/", "/assets/style.css"} {
		for _, header := range []string{"", "Accept-Encoding: gzip\r\n"} {
			raw := "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + header + "\r\n"
			before := fp.served.Load()
			got, gotBody, _, _ := exchange(t, fast, raw)
			want, wantBody, _, _ := exchange(t, plain, raw)
			sameResponse(t, raw, got, want, gotBody, wantBody)
			if fp.served.Load() == before {
				t.Errorf("%q: not answered by the fast path", raw)
			}
			if strings.HasSuffix(path, ".ics") || strings.HasSuffix(path, ".gz") {
				if cc := got.Header.Get("Cache-Control"); cc != "public, max-age=14400" {
					t.Errorf("%q: Cache-Control %q, want the 4 hours to midnight", raw, cc)
				}
			}
		}
	}
}

// TestFastPathAccessLog: the fast path's answers are in the access log as
// net/http's are: method, path, status and body bytes (none for a HEAD
// or a 304).
func TestFastPathAccessLog(t *testing.T) {
	var logs syncBuffer
	s := newServer(t, func(s *Server) { s.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	fast, _, fp := serveBoth(t, s)
	resp, body, _, _ := exchange(t, fast, "GET /calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n")
	exchange(t, fast, "HEAD /calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n")
	exchange(t, fast, "GET /calendar.ics HTTP/1.1\r\nHost: x\r\nIf-None-Match: "+resp.Header.Get("Etag")+"\r\n\r\n")
	if fp.served.Load() != 3 {
		t.Fatalf("the fast path answered %d of 3", fp.served.Load())
	}
	// The record is written after the answer is sent: wait for it.
	for deadline := time.Now().Add(5 * time.Second); strings.Count(logs.String(), "msg=request") < 3 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	for _, want := range []string{
		fmt.Sprintf("msg=request method=GET path=/calendar.ics status=200 bytes=%d duration=", len(body)),
		"msg=request method=HEAD path=/calendar.ics status=200 bytes=0 duration=",
		"msg=request method=GET path=/calendar.ics status=304 bytes=0 duration=",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestWarm: Serve renders the files first clients ask for before anyone
// asks, leaving out those too big to keep, which are streamed.
func TestWarm(t *testing.T) {
	for _, c := range []struct {
		name     string
		maxBytes int64
		warm     []string // paths expected in the cache, gzipped or not
		cold     []string // paths expected not to be rendered
	}{
		{"default cache", 0, []string{"xmltv.xml", "calendar.ics", "calendar/compact.ics", "index.html"}, nil},
		{"a 1 MB cache", 1 << 20, []string{"calendar/compact.ics", "index.html"}, []string{"xmltv.xml", "calendar.ics"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newServer(t, func(s *Server) { s.MaxCacheBytes = c.maxBytes })
			serveBoth(t, s)
			v := s.views.cur.Load()
			cachedAs := func(path string) bool {
				f, ok := v.site.Lookup(path)
				if !ok {
					t.Fatalf("no %s in the site", path)
				}
				return s.cache.ready(fileKey{v.version, f, false}) != nil || s.cache.ready(fileKey{v.version, f, true}) != nil
			}
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				all := true
				for _, p := range c.warm {
					all = all && cachedAs(p)
				}
				if all {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not all of %v rendered within 20 s of the start", c.warm)
				}
			}
			for _, p := range c.cold {
				if cachedAs(p) {
					t.Errorf("%s, too big to keep, was rendered into the cache", p)
				}
			}
		})
	}
}

// TestFastPathHandsOver sends requests the fast path leaves to net/http:
// the answers are net/http's, and the connection goes on working.
func TestFastPathHandsOver(t *testing.T) {
	s := newServer(t)
	fast, plain, fp := serveBoth(t, s)
	for _, raw := range []string{
		"GET /calendar.ics?year=2003 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nRange: bytes=-0\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Thu, 26 Nov 2026 00:00:00 GMT\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n\r\n",
		"GET /days/2003-06-16.html HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/runs HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /calendar%2Eics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET //calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /./calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /assets/../calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /.git/config HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /calendar.ics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nBad Name: a\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nX: caf\xc3\xa9\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"get /calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /calendar.ics HTTP/1.0\r\nHost: x\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\nHost: x\n\n",
		"GET http://x/calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nX-Long: " + strings.Repeat("a", 9000) + "\r\n\r\n",
	} {
		what := strings.ReplaceAll(raw[:min(len(raw), 80)], "\r\n", " ")
		before := fp.served.Load()
		got, gotBody, c, r := exchange(t, fast, raw)
		want, wantBody, _, _ := exchange(t, plain, raw)
		sameResponse(t, what, got, want, gotBody, wantBody)
		if fp.served.Load() != before {
			t.Errorf("%s: answered by the fast path", what)
		}
		if got.Close || got.StatusCode >= 400 && strings.Contains(got.Header.Get("Connection"), "close") {
			continue
		}
		// The connection, now net/http's, answers the next request.
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if next, body := readResponse(t, r, false); next.StatusCode != 200 || string(body) != "ok\n" {
			t.Errorf("%s: then /healthz: %d %q", what, next.StatusCode, body)
		}
	}
}

// TestFastPathPipelined: requests sent together are answered in order,
// by the fast path and then by net/http when one needs it.
func TestFastPathPipelined(t *testing.T) {
	s := newServer(t)
	fast, _, _ := serveBoth(t, s)
	raw := "GET /calendar/2003.ics HTTP/1.1\r\nHost: x\r\n\r\n" +
		"HEAD /xmltv.xml.gz HTTP/1.1\r\nHost: x\r\n\r\n" +
		"GET /api/v1/runs HTTP/1.1\r\nHost: x\r\n\r\n" +
		"GET /calendar/2004.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	resp, body, _, r := exchange(t, fast, raw)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("BEGIN:VCALENDAR")) {
		t.Fatalf("first: %d", resp.StatusCode)
	}
	for i, want := range []string{"", `"name":"original"`, "DTSTART;TZID=Africa/Johannesburg:2004"} {
		resp, body := readResponse(t, r, i == 0)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(want)) {
			t.Errorf("response %d: %d, %.80q; want %q", i+2, resp.StatusCode, body, want)
		}
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Errorf("after Connection: close the connection stays open: %v", err)
	}
}

// TestFastPathSmuggling: a request with both Content-Length and
// Transfer-Encoding is refused with 400, and the connection closed.
func TestFastPathSmuggling(t *testing.T) {
	s := newServer(t)
	fast, _, _ := serveBoth(t, s)
	resp, _, _, r := exchange(t, fast, "GET /calendar.ics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 400 || !resp.Close {
		t.Errorf("got %d, close %v; want 400 and close", resp.StatusCode, resp.Close)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Errorf("the connection answers more after the 400: %v", err)
	}
}

// TestFastPathSlowHeader: a head that trickles in is cut off at the
// header timeout, and an idle connection at the idle timeout.
func TestFastPathSlowHeader(t *testing.T) {
	defer func(h, i time.Duration) { fastReadHeaderTimeout, fastIdleTimeout = h, i }(fastReadHeaderTimeout, fastIdleTimeout)
	fastReadHeaderTimeout, fastIdleTimeout = 300*time.Millisecond, 2*time.Second
	s := newServer(t)
	fast, _, _ := serveBoth(t, s)
	c, err := net.Dial("tcp", fast)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	io.WriteString(c, "GET /calendar.ics HTTP/1.1\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i := 0; ; i++ {
		if _, err := io.WriteString(c, "X: y\r\n"); err != nil {
			break
		}
		if i > 100 {
			t.Fatal("a head trickling in was never cut off")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cut off after %v", d)
	}
	idle, err := net.Dial("tcp", fast)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("an idle connection: %v, want it closed", err)
	}
}

// TestFastPathShutdown: on shutdown, connections waiting for a request
// are closed at once, and Serve returns.
func TestFastPathShutdown(t *testing.T) {
	s := newServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	resp, _, c, r := exchange(t, ln.Addr().String(), "GET /calendar/2003.ics HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return with an idle connection open")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadByte(); err != io.EOF {
		t.Errorf("the idle connection: %v, want it closed", err)
	}
}

// FuzzFastRequest checks the fast path's parser against net/http's: what
// the fast path serves, net/http reads as the same request.
func FuzzFastRequest(f *testing.F) {
	for _, s := range []string{
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"HEAD /xmltv.xml.gz HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nIf-None-Match: W/\"a\", \"b\"\r\n\r\n",
		"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: x\r\n X: y\r\n\r\n",
		"GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost:\tx \r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req, n, v := parseFastRequest(b)
		if v != verdictServe || n == 0 {
			return
		}
		if n > len(b) {
			t.Fatalf("consumed %d of %d bytes", n, len(b))
		}
		hr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b[:n])))
		if err != nil {
			t.Fatalf("the fast path serves %q, which net/http refuses: %v", b[:n], err)
		}
		method := "GET"
		if req.head {
			method = "HEAD"
		}
		if hr.Method != method || hr.URL.Path != "/"+string(req.path) || hr.URL.RawQuery != "" || hr.ContentLength > 0 || len(hr.TransferEncoding) > 0 {
			t.Errorf("%q: fast path reads %s /%s, net/http %s %s (query %q, length %d)", b[:n], method, req.path, hr.Method, hr.URL.Path, hr.URL.RawQuery, hr.ContentLength)
		}
		if got, want := string(req.ifNoneMatch), hr.Header.Get("If-None-Match"); got != want {
			t.Errorf("%q: If-None-Match %q, net/http %q", b[:n], got, want)
		}
		if req.gzip != acceptsGzip(hr.Header["Accept-Encoding"]) {
			t.Errorf("%q: gzip %v, net/http's header says %v", b[:n], req.gzip, !req.gzip)
		}
		if req.close != hr.Close {
			t.Errorf("%q: close %v, net/http %v", b[:n], req.close, hr.Close)
		}
	})
}

var _ = fmt.Sprint
