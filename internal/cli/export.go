package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/atomicfile"
	"github.com/backstage-epg/backstage/internal/output"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/version"
	"github.com/backstage-epg/backstage/schedule"
)

var exportCmd = &command{
	name:    "export",
	args:    "ics|xmltv",
	summary: "write the airings as an iCalendar feed or an XMLTV guide",
	example: `  backstage export ics -o backstage.ics                # whole history, both runs
  backstage export ics --run original --from 2003-01-01 --to 2003-12-31 -o 2003.ics
  backstage export ics --compact -o tiny.ics          # one recurring event per run
  backstage export ics --all-day -o days.ics          # all-day events
  backstage export xmltv -o guide.xml.gz              # gzipped, chosen by the .gz suffix
  backstage export xmltv --from 2009-01-01 --to 2009-03-31 -o q1-2009.xml
  backstage export xmltv --public-url https://tv.example.org/backstage -o guide.xml   # with icons`,
	nargs: [2]int{1, 1},
	setup: func(fs *flag.FlagSet) action {
		var tf timelineFlags
		var wf windowFlags
		var out string
		var quiet bool
		var o feeds.Options
		tf.register(fs)
		wf.register(fs)
		fs.StringVar(&out, "o", "", "write to `FILE` (atomically; gzipped if it ends in .gz); - or nothing for standard output")
		fs.BoolVar(&quiet, "quiet", false, "with -o, print nothing when all goes well (by default one line on standard error: the file, its airings and size)")
		fs.BoolVar(&o.Compact, "compact", false, "ics: one recurring event (RRULE) per run instead of one per airing")
		fs.BoolVar(&o.AllDay, "all-day", false, "ics: all-day events on each airing's local date")
		fs.BoolVar(&o.MarkNew, "mark-new", false, "xmltv: mark first-run airings <new/> (for \"new episodes only\" recordings)")
		fs.BoolVar(&o.SeasonByYear, "season-by-year", false, "xmltv: invent season numbers, the year each episode first aired, for media centres that want one")
		textVar(fs, &o.BaseURL, "public-url", "the `URL` the feed will be published at, such as https://tv.example.org/backstage: feeds then carry pictures and name their own address", "an absolute http:// or https:// URL")
		return func(ctx context.Context, env Env, args []string) error {
			var err error
			if o.Format, err = feeds.ParseFormat(args[0]); err != nil {
				return usagef("export: format %s: want ics or xmltv", quote.Value(args[0]))
			}
			if err := o.Check(); err != nil {
				return usagef("export %s: %v", o.Format, err)
			}
			t, err := tf.load(ctx, env)
			if err != nil {
				return err
			}
			var q schedule.Query
			if o.Window, q, err = wf.query(t.sched); err != nil {
				return err
			}
			o.Generator = "backstage/" + version.Number
			if o.BaseURL != "" {
				// The calendar names its own address: the path publish
				// gives this feed, if it has one (only the site knows its
				// paths), or else the query serve answers.
				st, err := site.New(site.Config{Schedule: t.sched, PublicURL: o.BaseURL})
				if err != nil {
					return err
				}
				o.Path = st.FeedFile(o, false).Path
			}
			toStdout := output.IsStdout(out)
			p := newProgress(env, quiet || toStdout)
			defer p.clear()
			size, err := output.Write(ctx, out, env.Stdout, func(w io.Writer) error {
				return feeds.Write(ctx, &progressWriter{w: w, p: p}, t.sched, o)
			})
			var ce *output.CreateError
			switch {
			case errors.As(err, &ce) && errors.Is(err, atomicfile.ErrIsDir):
				return usagef("-o %s: is a folder; want a file name", quote.Value(out))
			case errors.As(err, &ce):
				return usagef("-o %s: cannot write there: %v", quote.Value(out), ce.Err)
			case err != nil || toStdout || quiet:
				return err
			}
			p.clear()
			_, err = fmt.Fprintf(env.Stderr, "wrote %s: %s, %s\n", out, count(t.sched.Count(q), "airing"), byteSize(size))
			return err
		}
	},
}

// progressWriter passes writes on to w, showing on p how much has been
// written.
type progressWriter struct {
	w    io.Writer
	p    *progressLine
	done int64
}

func (pw *progressWriter) Write(b []byte) (int, error) {
	n, err := pw.w.Write(b)
	pw.done += int64(n)
	pw.p.show("exporting: %s", byteSize(pw.done))
	return n, err
}

// count writes n things: "1 airing", "3,750 airings".
func count(n int, thing string) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if n != 1 {
		thing += "s"
	}
	return s + " " + thing
}

// byteSize writes a size as people read it, as the web page does:
// "812 bytes", "5.1 KB", "1.8 MB" (powers of 1000, as publish's summary
// has them).
func byteSize(n int64) string { return site.ByteSize(n) }
