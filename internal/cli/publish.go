package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/process"
	"github.com/backstage-epg/backstage/internal/publish"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/version"
	"github.com/backstage-epg/backstage/schedule"
)

var publishCmd = &command{
	name:    "publish",
	args:    "DIR",
	summary: "write every feed, API answer and page into DIR, a static site for any web host",
	example: `  backstage publish site/                                   # then serve site/ with nginx, Caddy, Netlify …
  backstage publish site/ --public-url https://tv.example.org/backstage
  backstage publish site/ --replay                          # today's replay window; run it daily`,
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
			st, err := newSite(ctx, site.Config{
				Schedule:  t.sched,
				Location:  t.loc,
				Date:      schedule.DateOf(t.now().In(t.sched.Location())),
				Replay:    t.replay != nil,
				PublicURL: publicURL,
				StreamURL: streamURL,
				Generator: "backstage/" + version.Number,
			})
			if err != nil {
				return err
			}
			dir := args[0]
			if os.Getenv("GOMEMLIMIT") == "" {
				// Publish keeps a record of every file and makes a few at
				// a time; without a limit the collector lets the heap grow
				// to twice what is live.
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(publishMemory))
			}
			var opt publish.Options
			if p := newProgress(env, quiet); p != nil {
				opt.Progress = func(done, total int) { p.show("publishing: %d of %d files", done, total) }
				defer p.clear()
			}
			res, err := publish.Publish(ctx, st, dir, opt)
			switch {
			case errors.Is(err, publish.ErrNotFolder):
				return usagef("publish: %s is a file; want a folder (it is made if missing)", dir)
			case errors.Is(err, publish.ErrForeign):
				return usagef("publish: %v", err)
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

// newSite is site.New, given up on once ctx is done. site.New takes no
// context, and lays out a record of every episode: for a schedule of the
// most slots a file may give, a second or more on a busy machine, in
// which a signal must still stop the command. It goes on in a goroutine
// of its own, which the command leaves behind.
func newSite(ctx context.Context, cfg site.Config) (*site.Site, error) {
	type made struct {
		st  *site.Site
		err error
	}
	ch := make(chan made, 1)
	go func() {
		st, err := site.New(cfg)
		ch <- made{st, err}
	}()
	select {
	case m := <-ch:
		return m.st, m.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// publishMemory is the Go runtime's soft memory limit while publishing.
const publishMemory = 256 << 20

// checkURLs refuses a public or stream URL that cannot be used.
func checkURLs(publicURL, streamURL string) error {
	if streamURL != "" {
		if err := site.CheckStreamURL(streamURL); err != nil {
			return usagef("--stream-url: %v", err)
		}
	}
	if publicURL != "" {
		if err := feeds.CheckBaseURL(publicURL); err != nil {
			return usagef("--public-url: %v", err)
		}
	}
	return nil
}

// isTerminal reports whether w is a terminal, where progress can be shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && process.Terminal(f)
}

// progressLine shows on one line of a terminal how far long work has
// got: nothing in the first second, then at most ten updates a second.
// A nil *progressLine shows nothing.
type progressLine struct {
	w     io.Writer
	start time.Time
	mu    sync.Mutex
	last  time.Time // of the last update
	shown bool
}

// newProgress returns a progress line on env.Stderr when it is a
// terminal and quiet is not set; nil otherwise.
func newProgress(env Env, quiet bool) *progressLine {
	if quiet || !isTerminal(env.Stderr) {
		return nil
	}
	return &progressLine{w: env.Stderr, start: time.Now()}
}

// show replaces the line with the formatted text, once the work has
// taken more than a second.
func (p *progressLine) show(format string, args ...any) {
	if p == nil {
		return
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	fmt.Fprintf(p.w, "\r\033[K"+format, args...)
}

// clear removes the line, if it was shown.
func (p *progressLine) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
