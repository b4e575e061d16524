package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/server"
	"github.com/backstage-epg/backstage/schedule"
)

var serveCmd = &command{
	name:    "serve",
	summary: "serve the feeds, a JSON API and a web page over HTTP until interrupted",
	example: `  backstage serve                                     # http://127.0.0.1:8080/
  backstage serve --addr :8080 --public-url https://tv.example.org
  backstage serve --stream-url http://192.168.1.10:8409/iptv/channel/1.ts
  backstage serve --replay --replay-from 2003-06-16   # the history re-dated to this week`,
	nargs: [2]int{0, 0},
	setup: func(fs *flag.FlagSet) action {
		var tf timelineFlags
		var o serveFlags
		tf.register(fs)
		o.register(fs)
		return func(ctx context.Context, env Env, args []string) error {
			if err := o.check(); err != nil {
				return err
			}
			t, err := tf.load(ctx, env)
			if err != nil {
				return err
			}
			var logs slog.Handler = slog.NewTextHandler(env.Stderr, nil)
			if o.quiet {
				logs = slog.DiscardHandler
			}
			srv := &server.Server{
				Schedule:  t.sched,
				Now:       t.now,
				Location:  t.loc,
				StreamURL: o.streamURL,
				PublicURL: o.publicURL,
				Generator: "backstage/" + Version,
				Logger:    slog.New(logs),
			}
			if t.replay != nil {
				// Replay mode: a window re-dated around the present, rolled
				// on at each midnight in the schedule's zone.
				base, opt := t.base, *t.replay
				srv.Schedule = nil
				srv.Timeline = server.DailyTimeline(base.Location(), func(now time.Time) (*schedule.Schedule, error) {
					o := opt
					o.Now = now
					return base.Replay(o)
				})
			}
			if err := srv.Check(); err != nil {
				return err
			}
			ln, err := net.Listen("tcp", o.addr)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			printURLs(env.Stdout, ln.Addr(), &o, t.replay != nil)
			return srv.Serve(ctx, ln)
		}
	},
}

// serveFlags are the flags of serve alone.
type serveFlags struct {
	addr, streamURL, publicURL string
	quiet                      bool
}

func (o *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT`; port 0 picks a free one, :8080 listens on every interface")
	fs.StringVar(&o.streamURL, "stream-url", "", "the `URL` of your own stream of the channel, for /channels.m3u; {id} in it becomes the channel id")
	fs.StringVar(&o.publicURL, "public-url", "", "the `URL` clients reach the server at (behind a proxy, say), for the links it advertises")
	fs.BoolVar(&o.quiet, "quiet", false, "write no access log")
}

// check refuses values serve cannot use, before anything is loaded.
func (o *serveFlags) check() error {
	if err := checkURLs(o.publicURL, o.streamURL); err != nil {
		return err
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

// printURLs tells the user where the server listens and what to paste
// where. The first line names the bound address, port 0 resolved. In
// replay mode the calendar is this week's guide, small enough for any
// app.
func printURLs(w io.Writer, addr net.Addr, o *serveFlags, replay bool) {
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
	if replay {
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
