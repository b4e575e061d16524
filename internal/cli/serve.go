package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/server"
	"github.com/backstage-epg/backstage/internal/version"
	"github.com/backstage-epg/backstage/schedule"
)

var serveCmd = &command{
	name:    "serve",
	summary: "serve the feeds, a JSON API and a web page over HTTP until interrupted",
	example: `  backstage serve                                     # http://127.0.0.1:8080/
  backstage serve --addr :8080 --public-url https://tv.example.org
  backstage serve --stream-url http://192.168.1.10:8409/iptv/channel/1.ts
  backstage serve --replay                            # a retro channel: e.tv 26 years ago, this week
  backstage serve --replay --replay-start 2026-12-07  # episode 1 on Monday 2026-12-07, then one a weekday`,
	nargs: [2]int{0, 0},
	setup: func(fs *flag.FlagSet) action {
		var o serveFlags
		o.register(fs)
		return o.run
	},
}

// serveFlags are the flags of serve: the timeline's and its own.
type serveFlags struct {
	timelineFlags
	addr, streamURL, publicURL string
	quiet                      bool
	cacheSize                  int64
	shutdownTimeout            time.Duration
}

func (o *serveFlags) register(fs *flag.FlagSet) {
	o.timelineFlags.register(fs)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT`; port 0 picks a free one, :8080 listens on every interface")
	fs.StringVar(&o.streamURL, "stream-url", "", "the `URL` of your own stream of the channel, for /channels.m3u; {id} in it becomes the channel id")
	fs.StringVar(&o.publicURL, "public-url", "", "the `URL` clients reach the server at (behind a proxy, say), for the links it advertises")
	fs.BoolVar(&o.quiet, "quiet", false, "write no access log")
	o.cacheSize = server.DefaultMaxCacheBytes
	fs.Var(sizeFlag{&o.cacheSize}, "cache-size", "keep at most `SIZE` of rendered feeds in memory, such as 64MB or 1GB; larger feeds are streamed")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", server.DefaultShutdownTimeout, "on Ctrl-C or SIGTERM, let downloads under way finish for up to `DURATION` (a second signal stops at once)")
}

// run serves until ctx is done. The access log goes to env.Stderr
// through a logWriter: written out a tenth of a second after a request
// at the latest, and in full before run returns.
func (o *serveFlags) run(ctx context.Context, env Env, args []string) error {
	logw := newLogWriter(env.Stderr, 100*time.Millisecond)
	defer logw.Close()
	srv, err := o.newServer(ctx, env, logw)
	if err != nil {
		return err
	}
	limitMemory(o.cacheSize)
	if err := srv.Check(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	printURLs(env.Stdout, ln.Addr(), o)
	return srv.Serve(ctx, ln)
}

// newServer checks the flags and returns the server they describe, its
// access log written to logs unless --quiet.
func (o *serveFlags) newServer(ctx context.Context, env Env, logs io.Writer) (*server.Server, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	t, err := o.load(ctx, env)
	if err != nil {
		return nil, err
	}
	var h slog.Handler = slog.NewTextHandler(logs, nil)
	if o.quiet {
		h = slog.DiscardHandler
	}
	srv := &server.Server{
		Now:             t.now,
		Location:        t.loc,
		StreamURL:       o.streamURL,
		PublicURL:       o.publicURL,
		Generator:       "backstage/" + version.Number,
		Logger:          slog.New(h),
		MaxCacheBytes:   o.cacheSize,
		ShutdownTimeout: o.shutdownTimeout,
	}
	if t.replay == nil {
		srv.Schedule = t.sched
		return srv, nil
	}
	// Replay mode: a window re-dated around the present, rolled on at
	// each midnight in the schedule's zone.
	history, opt := t.sched.History(), *t.replay
	srv.Timeline = server.DailyTimeline(history.Location(), func(now time.Time) (*schedule.Schedule, error) {
		day := opt
		day.Now = now
		return history.Replay(day)
	})
	return srv, nil
}

// check refuses values serve cannot use, before anything is loaded.
func (o *serveFlags) check() error {
	if err := checkURLs(o.publicURL, o.streamURL); err != nil {
		return err
	}
	if o.shutdownTimeout <= 0 {
		return usagef("--shutdown-timeout %v: want a positive duration such as 30s or 2m", o.shutdownTimeout)
	}
	_, port, err := net.SplitHostPort(o.addr)
	if err != nil {
		return usagef("--addr %s: want HOST:PORT such as 127.0.0.1:8080 or :8080", quote.Value(o.addr))
	}
	// LookupPort reads a number, or a service name such as http from the
	// local services database; it refuses numbers past 65535.
	if _, err := net.LookupPort("tcp", port); err != nil {
		return usagef("--addr %s: want a port from 0 to 65535 (0 picks a free one)", quote.Value(o.addr))
	}
	return nil
}

// limitMemory sets the Go runtime's soft memory limit from the cache's
// size, unless GOMEMLIMIT sets one: the cache's bytes, a quarter more for
// the garbage collector's headroom, and what the program held before it
// served anything. Without it, the collector lets the heap grow to twice
// what is live, and a client asking for one new feed after another takes
// the server to about two and a half times the cache.
func limitMemory(cacheBytes int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	debug.SetMemoryLimit(int64(m.HeapInuse) + 32<<20 + cacheBytes + cacheBytes/4)
}

// sizeFlag is a flag holding a number of bytes, written as a number with
// an optional unit: B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB.
type sizeFlag struct{ p *int64 }

func (b sizeFlag) String() string {
	if b.p == nil {
		return ""
	}
	return strconv.FormatInt(*b.p>>20, 10) + "MiB"
}

func (b sizeFlag) Set(s string) error {
	num := strings.TrimRight(s, "KMGIBkmgib")
	unit := strings.ToUpper(s[len(num):])
	mult, ok := map[string]int64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n <= 0 || n > (1<<40)/mult {
		return errors.New("want a size such as 64MB, 256MiB or 1GB")
	}
	if n*mult < 1e6 {
		return errors.New("want at least 1MB, room for a calendar of a year")
	}
	*b.p = n * mult
	return nil
}

// printURLs tells the user where the server listens and what to paste
// where. The first line names the bound address, port 0 resolved. In
// replay mode the calendar is this week's guide, small enough for any
// app.
func printURLs(w io.Writer, addr net.Addr, o *serveFlags) {
	local := "http://" + addr.String()
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		local = fmt.Sprintf("http://localhost:%d", ta.Port)
	}
	base := local
	if o.publicURL != "" {
		base = strings.TrimSuffix(o.publicURL, "/")
	}
	webcal := "webcal://" + strings.SplitN(base, "://", 2)[1]
	fmt.Fprintf(w, "Listening on %s/\n\n", local)
	fmt.Fprintf(w, "  Web page                      %s/\n", base)
	if o.replay {
		fmt.Fprintf(w, "  Calendar, this week's guide   %s/calendar.ics\n", webcal)
		fmt.Fprintf(w, "    (any app, Google too; it moves on daily)\n")
	} else {
		fmt.Fprintf(w, "  Calendar, the full history    %s/calendar.ics\n", webcal)
		fmt.Fprintf(w, "    (Apple, Thunderbird, khal)\n")
		fmt.Fprintf(w, "  Calendar for Google           %s/calendar.ics?compact=1\n", base)
		fmt.Fprintf(w, "    (under 1 MB; or ?year=YYYY)\n")
	}
	fmt.Fprintf(w, "  XMLTV guide                   %s/xmltv.xml.gz\n", base)
	fmt.Fprintf(w, "    (Kodi, Jellyfin, Plex, TVHeadend)\n")
	if o.streamURL != "" {
		fmt.Fprintf(w, "  M3U playlist                  %s/channels.m3u\n", base)
	} else {
		fmt.Fprintf(w, "  M3U playlist                  (start with --stream-url URL for one)\n")
	}
	fmt.Fprintf(w, "\nPress Ctrl-C to stop.\n")
}
