package cli

import (
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/server"
)

// TestPrintURLs: serve names what to paste where, and in replay mode the
// calendar is this week's guide, not the full history.
func TestPrintURLs(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	for _, c := range []struct {
		replay    bool
		want, not string
	}{
		{false, "Calendar, the full history    webcal://127.0.0.1:8080/calendar.ics", "this week"},
		{true, "Calendar, this week's guide   webcal://127.0.0.1:8080/calendar.ics", "full history"},
	} {
		var b strings.Builder
		printURLs(&b, addr, &serveFlags{timelineFlags: timelineFlags{replay: c.replay}})
		if out := b.String(); !strings.Contains(out, c.want) || strings.Contains(out, c.not) {
			t.Errorf("replay %v: got\n%s\nwant %q and not %q", c.replay, out, c.want, c.not)
		}
	}
}

// TestServeFlagsReachTheServer: --cache-size, --shutdown-timeout and
// --replay set the server serve runs, and their defaults are the
// server's own.
func TestServeFlagsReachTheServer(t *testing.T) {
	at := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		args     []string
		cache    int64
		shutdown time.Duration
		replay   bool
	}{
		{nil, server.DefaultMaxCacheBytes, server.DefaultShutdownTimeout, false},
		{[]string{"--cache-size", "64MB", "--shutdown-timeout", "5s"}, 64e6, 5 * time.Second, false},
		{[]string{"--cache-size=1GiB", "--replay", "--replay-from", "2003-06-16", "--replay-start", "2026-11-23"}, 1 << 30, server.DefaultShutdownTimeout, true},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		var o serveFlags
		o.register(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		srv, err := o.newServer(context.Background(), Env{Now: func() time.Time { return at }}, io.Discard)
		if err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		if srv.MaxCacheBytes != c.cache || srv.ShutdownTimeout != c.shutdown {
			t.Errorf("%q: cache %d, shutdown timeout %v; want %d, %v", c.args, srv.MaxCacheBytes, srv.ShutdownTimeout, c.cache, c.shutdown)
		}
		if (srv.Timeline != nil) != c.replay || (srv.Schedule == nil) != c.replay {
			t.Errorf("%q: timeline set %v, schedule set %v; want a timeline only in replay mode", c.args, srv.Timeline != nil, srv.Schedule != nil)
		}
		if c.replay {
			s, err := srv.Timeline(at)
			if err != nil || s.History() == s || s.First().Episode != 818 {
				t.Errorf("%q: today's window %v, %v; want the week of 2003-06-16 replayed (episode 818 first)", c.args, s, err)
			}
		}
	}
}

// TestServeAccessLog runs serve in process, asks it one thing and stops
// it at once: the request's line reaches standard error although the
// log had no time to be written out on its own, and --quiet writes none.
func TestServeAccessLog(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		args := []string{"serve", "--addr", "127.0.0.1:0"}
		if quiet {
			args = append(args, "--quiet")
		}
		ctx, cancel := context.WithCancel(context.Background())
		var stdout, stderr lockedBuffer
		done := make(chan int, 1)
		go func() { done <- Main(ctx, args, Env{Stdout: &stdout, Stderr: &stderr}) }()
		var base string
		for deadline := time.Now().Add(20 * time.Second); base == ""; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("%q: no address printed within 20 s; stderr %q", args, stderr.String())
			}
			line, _, _ := strings.Cut(stdout.String(), "\n")
			if rest, ok := strings.CutPrefix(line, "Listening on "); ok {
				base = strings.TrimSuffix(rest, "/")
			}
		}
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("%q: exit %d, stderr %q; want 0", args, code, stderr.String())
		}
		logged := strings.Contains(stderr.String(), "path=/healthz status=200")
		if logged == quiet {
			t.Errorf("%q: stderr %q; want the request logged: %v", args, stderr.String(), !quiet)
		}
	}
}
