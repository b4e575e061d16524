package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/backstage-epg/backstage/internal/publish"
	"github.com/backstage-epg/backstage/internal/server"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/schedule"
)

var publishCmd = &command{
	name:    "publish",
	args:    "DIR",
	summary: "write every feed, API answer and page into DIR, a static site for any web host",
	example: `  backstage publish site/                                   # then serve site/ with nginx, Caddy, Netlify …
  backstage publish site/ --public-url https://tv.example.org/backstage
  backstage publish site/ --replay --replay-from 2003-06-16  # today's replay window; run it daily`,
	nargs: [2]int{1, 1},
	setup: func(fs *flag.FlagSet) action {
		var publicURL, streamURL string
		var quiet bool
		fs.StringVar(&publicURL, "public-url", "", "the `URL` the site will be published at, for absolute links in the feeds and pages (default: relative links)")
		fs.StringVar(&streamURL, "stream-url", "", "the `URL` of your own stream of the channel, for channels.m3u; {id} in it becomes the channel id")
		fs.BoolVar(&quiet, "quiet", false, "print nothing when all goes well")
		return withTimeline(fs, func(ctx context.Context, env Env, t *timeline, args []string) error {
			if err := checkURLs(publicURL, streamURL); err != nil {
				return err
			}
			st, err := site.New(site.Config{
				Schedule:  t.sched,
				Location:  t.loc,
				Today:     today(t),
				Replay:    t.replay != nil,
				PublicURL: publicURL,
				StreamURL: streamURL,
				Generator: "backstage/" + Version,
			})
			if err != nil {
				return err
			}
			dir := args[0]
			var opt publish.Options
			if !quiet && isTerminal(env.Stderr) {
				opt.Progress = progress(env.Stderr, time.Now())
			}
			res, err := publish.Publish(ctx, st, dir, opt)
			if opt.Progress != nil {
				fmt.Fprint(env.Stderr, "\r\033[K") // the progress line, cleared
			}
			switch {
			case errors.Is(err, publish.ErrNotFolder):
				return usagef("publish: %s is a file; want a folder (it is made if missing)", dir)
			case errors.Is(err, publish.ErrFolder):
				return usagef("publish: %s: %v", dir, err)
			case errors.Is(err, os.ErrPermission):
				return usagef("publish: %s: cannot write there: %v", dir, err)
			case err != nil:
				return fmt.Errorf("publish %s: %w", dir, err)
			}
			if !quiet {
				_, err = fmt.Fprintf(env.Stdout, "published %s: %s\n", dir, res)
			}
			return err
		})
	},
}

// checkURLs refuses a public or stream URL that cannot be used.
func checkURLs(publicURL, streamURL string) error {
	if streamURL != "" {
		if err := server.CheckStreamURL(streamURL); err != nil {
			return usagef("--stream-url: %v", err)
		}
	}
	if publicURL != "" {
		if err := server.CheckPublicURL(publicURL); err != nil {
			return usagef("--public-url: %v", err)
		}
	}
	return nil
}

// today returns the day the site's index answers for: today, when the
// timeline reaches it.
func today(t *timeline) schedule.Date {
	d := schedule.DateOf(t.now().In(t.sched.Location()))
	if first, last := site.Span(t.sched); d.Before(first) || d.After(last) {
		return schedule.Date{}
	}
	return d
}

// isTerminal reports whether w is a terminal, where progress can be shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress returns a publish.Progress that shows, on one line of w, how
// far the work has got, once it has taken more than a second.
func progress(w io.Writer, start time.Time) publish.Progress {
	var mu sync.Mutex
	return func(done, total int) {
		if time.Since(start) < time.Second {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "\r\033[Kpublishing: %d of %d files", done, total)
	}
}
