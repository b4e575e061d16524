package server

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// discardWriter is a ResponseWriter that keeps the status and drops the
// body, so that benchmarks measure the handler rather than a recorder.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header  { return w.h }
func (w *discardWriter) WriteHeader(code int) { w.code = code }
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	w.n += len(b)
	return len(b), nil
}

// ReadFrom copies as net/http's own writer does, through a pooled buffer
// rather than one per call.
func (w *discardWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.code == 0 {
		w.code = 200
	}
	n, err := io.Copy(io.Discard, r)
	w.n += int(n)
	return n, err
}

// bench serves r to h b.N times and checks each status.
func bench(b *testing.B, h http.Handler, r *http.Request, status int) {
	b.Helper()
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, r) // render and cache outside the timing
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		w.code, w.n = 0, 0
		h.ServeHTTP(w, r)
		if w.code != status {
			b.Fatalf("got status %d, want %d", w.code, status)
		}
	}
	b.ReportMetric(float64(w.n), "bytes/op")
}

// BenchmarkNotModified: a calendar client polling the full calendar with
// the ETag it has.
func BenchmarkNotModified(b *testing.B) {
	h := newServer(b).Handler()
	resp, _ := do(b, h, "GET", "/calendar.ics")
	r := httptest.NewRequest("GET", "/calendar.ics", nil)
	r.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	bench(b, h, r, 304)
}

// BenchmarkGzipGuide: the whole guide as /xmltv.xml.gz, stored gzipped.
func BenchmarkGzipGuide(b *testing.B) {
	h := newServer(b).Handler()
	bench(b, h, httptest.NewRequest("GET", "/xmltv.xml.gz", nil), 200)
}

// BenchmarkAired: one day's airings as JSON.
func BenchmarkAired(b *testing.B) {
	h := newServer(b).Handler()
	bench(b, h, httptest.NewRequest("GET", "/api/v1/aired?date=2003-06-16", nil), 200)
}

// BenchmarkPage: the page of one day, gzipped.
func BenchmarkPage(b *testing.B) {
	h := newServer(b).Handler()
	r := httptest.NewRequest("GET", "/days/2003-06-16.html", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	bench(b, h, r, 200)
}

// BenchmarkFirstRender: the first request for a feed after a start, as
// a subscriber makes it: a new Server each time, its view made (by
// Check, as Serve does before it listens) and nothing rendered, so the
// time is the rendering, the compression of a gzipped copy, and the
// answer.
func BenchmarkFirstRender(b *testing.B) {
	for _, c := range []struct{ target, encoding string }{
		{"/xmltv.xml", ""}, {"/xmltv.xml.gz", ""}, {"/calendar.ics", ""}, {"/calendar.ics", "gzip"}, {"/calendar.ics?year=2003", ""},
	} {
		b.Run(strings.TrimPrefix(c.target, "/")+map[string]string{"": "", "gzip": ",gzip"}[c.encoding], func(b *testing.B) {
			r := httptest.NewRequest("GET", c.target, nil)
			if c.encoding != "" {
				r.Header.Set("Accept-Encoding", c.encoding)
			}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				s := newServer(b)
				if err := s.Check(); err != nil {
					b.Fatal(err)
				}
				h := s.Handler()
				clear(w.h)
				w.code = 0
				b.StartTimer()
				h.ServeHTTP(w, r)
				if w.code != 200 {
					b.Fatalf("got %d", w.code)
				}
			}
		})
	}
}

// BenchmarkReplayRollover: the cost of the window rolling on in replay
// mode. Each iteration is a new day: the timeline re-dates a fresh window
// (schedule.Replay) and the first request renders and compresses the
// day's guide and calendar.
func BenchmarkReplayRollover(b *testing.B) {
	base := testkit.Default(b)
	jnb := base.Location()
	now := time.Date(2026, 11, 26, 20, 0, 0, 0, jnb)
	s := newServer(b, func(s *Server) {
		s.Schedule = nil
		s.Now = func() time.Time { return now }
		s.Timeline = DailyTimeline(jnb, func(now time.Time) (*schedule.Schedule, error) {
			return base.Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: now, Days: 7, PastDays: 1})
		})
	})
	h := s.Handler()
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		now = now.AddDate(0, 0, 1)
		for _, target := range []string{"/xmltv.xml.gz", "/calendar.ics"} {
			clear(w.h)
			w.code = 0
			h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
			if w.code != 200 {
				b.Fatalf("%s: got %d", target, w.code)
			}
		}
	}
}

// BenchmarkLoopback: requests over a real loopback connection to
// Serve, one after another on one keep-alive connection: the 304 of a
// client polling the calendar, and the gzipped calendar. The allocations
// counted are the server's (the client allocates none).
func BenchmarkLoopback(b *testing.B) {
	s := newServer(b, func(s *Server) { s.Logger = slog.New(slog.DiscardHandler) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() { stop(); <-done }()
	_, body := do(b, s.Handler(), "GET", "/calendar.ics")
	etag := newRendered(body, time.Time{}).etag[0]
	for _, c := range []struct{ name, header string }{
		{"304", "If-None-Match: " + etag},
		{"gzip", "Accept-Encoding: gzip"},
	} {
		b.Run(c.name, func(b *testing.B) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			req := []byte("GET /calendar.ics HTTP/1.1\r\nHost: x\r\n" + c.header + "\r\n\r\n")
			r := bufio.NewReaderSize(conn, 256<<10)
			read := func() {
				n := 0
				for {
					line, err := r.ReadSlice('\n')
					if err != nil {
						b.Fatal(err)
					}
					if len(line) == 2 {
						break
					}
					if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
						n, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
					}
				}
				if _, err := r.Discard(n); err != nil {
					b.Fatal(err)
				}
			}
			conn.Write(req)
			read()
			b.ReportAllocs()
			for b.Loop() {
				conn.Write(req)
				read()
			}
		})
	}
}
