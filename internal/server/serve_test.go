package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// serveOn runs s with Serve on a loopback port until the test ends, and
// returns its address once it answers.
func serveOn(t testing.TB, s *Server) string {
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
	// Serve answers nothing before its Check: wait for an answer.
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return ln.Addr().String()
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
			serveOn(t, s)
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

// TestSmuggling: a request with both Content-Length and
// Transfer-Encoding is refused with 400, and the connection closed, so
// that what follows the head is never read as a request of its own.
func TestSmuggling(t *testing.T) {
	addr := serveOn(t, newServer(t))
	resp, _, _, r := exchange(t, addr, "GET /calendar.ics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 400 || !resp.Close {
		t.Errorf("got %d, close %v; want 400 and close", resp.StatusCode, resp.Close)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Errorf("the connection answers more after the 400: %v", err)
	}
}

// TestShutdownClosesIdle: on shutdown, connections waiting for a request
// are closed at once, and Serve returns.
func TestShutdownClosesIdle(t *testing.T) {
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

// TestServeSurvivesPanic: a request whose handling panics gets a 500
// that says nothing about it, the panic and its stack go to the log, and
// the server goes on answering, on the same connection and on new ones.
func TestServeSurvivesPanic(t *testing.T) {
	var logs syncBuffer
	var panics atomic.Int32
	s := newServer(t, func(s *Server) {
		sched := s.Schedule
		s.Schedule = nil
		s.Timeline = func(time.Time) (*schedule.Schedule, error) {
			if panics.Load() > 0 {
				panics.Add(-1)
				panic("secret detail")
			}
			return sched, nil
		}
		s.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	addr := serveOn(t, s)
	panics.Store(1)
	resp, body, c, r := exchange(t, addr, "GET /api/v1/runs HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 500 || string(body) != "{\"error\":\"internal error\"}\n" {
		t.Errorf("the panicking request: got %d %q, want 500 and nothing about the panic", resp.StatusCode, body)
	}
	io.WriteString(c, "GET /api/v1/runs HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, body := readResponse(t, r, false); resp.StatusCode != 200 || !strings.Contains(string(body), `"name":"original"`) {
		t.Errorf("the next request on that connection: got %d %.80q, want 200 and the runs", resp.StatusCode, body)
	}
	if resp, _, _, _ := exchange(t, addr, "GET /calendar/2003.ics HTTP/1.1\r\nHost: x\r\n\r\n"); resp.StatusCode != 200 {
		t.Errorf("a new connection after the panic: got %d, want 200", resp.StatusCode)
	}
	var rec struct {
		Msg, Panic, Stack, Path string
	}
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"panic serving request"`) {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rec.Panic != "secret detail" || rec.Path != "/api/v1/runs" {
		t.Errorf("the panic was not logged with its value and path: %s", logs.String())
	}
	// The stack names the function that panicked.
	if !strings.Contains(rec.Stack, "goroutine ") || !strings.Contains(rec.Stack, "server.TestServeSurvivesPanic.func") {
		t.Errorf("the panic's stack was not logged: %q", rec.Stack)
	}
}

// TestPreconditionFailed: a 412, which has no body, promises none, for a
// gzipped answer too (whose length is set before ServeContent decides),
// and the connection goes on to the next request.
func TestPreconditionFailed(t *testing.T) {
	addr := serveOn(t, newServer(t))
	for _, header := range []string{"If-Match: \"other\"", "If-Unmodified-Since: Wed, 25 Nov 2026 00:00:00 GMT"} {
		for _, ae := range []string{"identity", "gzip"} {
			raw := "GET /calendar.ics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: " + ae + "\r\n" + header + "\r\n\r\n"
			resp, body, c, r := exchange(t, addr, raw)
			if resp.StatusCode != 412 || len(body) != 0 || resp.ContentLength > 0 {
				t.Errorf("%q: got %d with %d bytes, Content-Length %d; want 412 and none", raw, resp.StatusCode, len(body), resp.ContentLength)
			}
			io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
			if next, body := readResponse(t, r, false); next.StatusCode != 200 || string(body) != "ok\n" {
				t.Errorf("%q: then /healthz: %d %q", raw, next.StatusCode, body)
			}
		}
	}
}
