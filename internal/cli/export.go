package cli

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/atomicfile"
	"github.com/backstage-epg/backstage/internal/quote"
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
		var o feeds.Options
		tf.register(fs)
		wf.register(fs)
		fs.StringVar(&out, "o", "", "write to `FILE` (atomically; gzipped if it ends in .gz); - or nothing for standard output")
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
			if o.Window, _, err = wf.query(t.sched); err != nil {
				return err
			}
			o.Generator = "backstage/" + Version
			return writeOutput(out, env.Stdout, func(w io.Writer) error {
				return feeds.Write(ctx, w, t.sched, o)
			})
		}
	},
}

// writeOutput runs write against standard output, or against path
// through atomicfile: a reader never sees half a feed, a failed export
// leaves any old file as it was, and a device, pipe or symbolic link is
// written as a shell redirection would write it. A path ending in .gz is
// gzipped. A path that cannot be written is a usage error (exit 2); a
// failure while writing is not.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		bw := bufio.NewWriterSize(stdout, 64<<10)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, atomicfile.ErrIsDir) {
			return usagef("-o %s: is a folder; want a file name", quote.Value(path))
		}
		return usagef("-o %s: cannot write there: %v", quote.Value(path), err)
	}
	defer f.Cleanup()
	var w io.Writer = f
	var zw *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		if zw, err = gzip.NewWriterLevel(f, feeds.GzipLevel); err != nil {
			return err
		}
		zw.Name = strings.TrimSuffix(filepath.Base(path), ".gz")
		w = zw
	}
	if err := write(w); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return f.Commit()
}
