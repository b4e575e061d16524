package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backstage-epg/backstage/internal/api"
	"github.com/backstage-epg/backstage/internal/config"
	"github.com/backstage-epg/backstage/schedule"
)

func jsonFlag(fs *flag.FlagSet, o *options) {
	fs.BoolVar(&o.json, "json", false, "print a JSON array of airings instead of a table")
}

var airedCmd = &command{
	name:    "aired",
	args:    "DATE|DATETIME|today",
	summary: "show what aired on a day, or what was on air at a moment",
	example: `  backstage aired 2003-06-16                 # every airing that day (the schedule's zone)
  backstage aired 2003-06-16T18:45           # what was on air then (the schedule's zone)
  backstage aired 2003-06-16T16:45:00Z       # RFC 3339, any offset
  backstage aired 2009-01-05 --json --tz UTC`,
	timeline: true,
	nargs:    [2]int{1, 1},
	flags:    jsonFlag,
	run: func(ctx context.Context, c *call) error {
		day, at, err := parseWhen(c.args[0], c.sched.Location(), c.env.Now)
		if err != nil {
			return err
		}
		if at.IsZero() {
			return c.print(c.sched.On(day), fmt.Sprintf("Nothing aired on %s %s (%s).",
				day.Weekday().String()[:3], day, c.sched.Location()))
		}
		return c.print(c.sched.At(at), fmt.Sprintf("Nothing was on air at %s.", at.In(c.loc).Format("Mon 2006-01-02 15:04 MST")))
	},
}

// parseWhen reads a day (YYYY-MM-DD or "today") or a moment
// (YYYY-MM-DDTHH:MM in loc, or RFC 3339). Exactly one of the results is set.
func parseWhen(s string, loc *time.Location, now func() time.Time) (schedule.Date, time.Time, error) {
	if s == "today" {
		return schedule.DateOf(now().In(loc)), time.Time{}, nil
	}
	if len(s) == len(time.DateOnly) {
		d, err := schedule.ParseDate(s)
		if err != nil {
			return d, time.Time{}, usagef("date %q: want YYYY-MM-DD, a real calendar date", s)
		}
		return d, time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, loc); err == nil {
		return schedule.Date{}, t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return schedule.Date{}, t, nil
	}
	return schedule.Date{}, time.Time{}, usagef("date %q: want YYYY-MM-DD, YYYY-MM-DDTHH:MM (in %s), RFC 3339 such as 2003-06-16T18:45:00+02:00, or today", s, loc)
}

var episodeCmd = &command{
	name:    "episode",
	args:    "N",
	summary: "show every airing of episode N, first airing first",
	example: `  backstage episode 1000
  backstage episode 1 --json`,
	timeline: true,
	nargs:    [2]int{1, 1},
	flags:    jsonFlag,
	run: func(ctx context.Context, c *call) error {
		last := c.sched.LastEpisode()
		if c.base != nil {
			last = c.base.LastEpisode() // a replay window holds only some episodes
		}
		n, err := parseEpisode(c.args[0], last)
		if err != nil {
			return err
		}
		return c.print(c.sched.Episode(n), fmt.Sprintf("Episode %d never aired.", n))
	},
}

// parseEpisode reads a positive episode number no higher than last.
func parseEpisode(s string, last int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, usagef("episode %q: want a whole number from 1 to %d", s, last)
	}
	if n > last {
		return 0, usagef("episode %d: beyond the last episode; want 1 to %d", n, last)
	}
	return n, nil
}

func rangeFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.from, "from", "", "first local `DATE` (YYYY-MM-DD), inclusive; default: the first airing")
	fs.StringVar(&o.to, "to", "", "last local `DATE` (YYYY-MM-DD), inclusive; default: the last airing")
	fs.StringVar(&o.run, "run", "", "only the run called `NAME` (see backstage runs)")
}

var slotsCmd = &command{
	name:    "slots",
	args:    "[--from DATE] [--to DATE] [--run NAME]",
	summary: "list every airing in a range of days",
	example: `  backstage slots --from 2009-01-01 --to 2009-01-31 --run rebroadcast
  backstage slots --from 2007-07-01 --to 2009-01-10 --json`,
	timeline: true,
	nargs:    [2]int{0, 0},
	flags:    func(fs *flag.FlagSet, o *options) { rangeFlags(fs, o); jsonFlag(fs, o) },
	run: func(ctx context.Context, c *call) error {
		q, err := c.query()
		if err != nil {
			return err
		}
		var out []schedule.Slot
		for s := range c.sched.Slots(q) {
			out = append(out, s)
		}
		return c.print(out, "No airings in that range.")
	},
}

// query builds the schedule query of --from, --to and --run.
func (c *call) query() (schedule.Query, error) {
	var from, to schedule.Date
	var err error
	if c.opt.from != "" {
		if from, err = schedule.ParseDate(c.opt.from); err != nil {
			return schedule.Query{}, usagef("--from %q: want YYYY-MM-DD, a real calendar date", c.opt.from)
		}
	}
	if c.opt.to != "" {
		if to, err = schedule.ParseDate(c.opt.to); err != nil {
			return schedule.Query{}, usagef("--to %q: want YYYY-MM-DD, a real calendar date", c.opt.to)
		}
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return schedule.Query{}, usagef("--from %s is after --to %s: want from on or before to", from, to)
	}
	if c.opt.run != "" && c.sched.Run(c.opt.run) == nil {
		return schedule.Query{}, usagef("--run %q: no such run; want one of %s", c.opt.run, strings.Join(c.sched.RunNames(), ", "))
	}
	q := c.sched.Dates(from, to)
	q.Run = c.opt.run
	return q, nil
}

// print writes slots as a table, or as JSON with --json; none prints the
// sentence empty (or [] in JSON).
func (c *call) print(slots []schedule.Slot, empty string) error {
	if c.opt.json {
		return writeJSON(c.env.Stdout, api.Airings(slots, c.loc))
	}
	if len(slots) == 0 {
		_, err := fmt.Fprintln(c.env.Stdout, empty)
		return err
	}
	return writeTable(c.env.Stdout, slots, c.loc)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable returns an aligned-column writer whose lines carry no trailing
// blanks (tabwriter pads a column even when every cell after it is empty).
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(&trimWriter{w: w}, 0, 0, 2, ' ', 0)
}

// trimWriter holds back runs of spaces until it sees what follows them,
// and drops those that end a line.
type trimWriter struct {
	w      io.Writer
	spaces int
	buf    []byte
}

func (t *trimWriter) Write(p []byte) (int, error) {
	t.buf = t.buf[:0]
	for _, b := range p {
		switch b {
		case ' ':
			t.spaces++
			continue
		case '\n':
			t.spaces = 0
		}
		for ; t.spaces > 0; t.spaces-- {
			t.buf = append(t.buf, ' ')
		}
		t.buf = append(t.buf, b)
	}
	if _, err := t.w.Write(t.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeTable prints one aligned row per slot, its times in loc.
func writeTable(w io.Writer, slots []schedule.Slot, loc *time.Location) error {
	tw := newTable(w)
	fmt.Fprintln(tw, "DAY\tDATE\tTIME\tCHANNEL\tRUN\tEPISODE\tNOTES")
	for _, s := range slots {
		start, end := s.Start.In(loc), s.End.In(loc)
		var notes []string
		if t := s.Title(); t != fmt.Sprintf("Episode %d", s.Episode) {
			notes = append(notes, fmt.Sprintf("%q", t))
		}
		switch {
		case !s.ReplayOf.IsZero() && s.ReplayOf.Equal(s.FirstAired):
			notes = append(notes, "replays its first airing, "+s.ReplayOf.In(loc).Format("Mon 2006-01-02 15:04"))
		case !s.ReplayOf.IsZero():
			notes = append(notes, "replays the airing of "+s.ReplayOf.In(loc).Format("Mon 2006-01-02 15:04"),
				"first aired "+s.FirstAired.In(loc).Format("Mon 2006-01-02 15:04"))
		case s.IsRepeat():
			notes = append(notes, "first aired "+s.FirstAired.In(loc).Format("Mon 2006-01-02 15:04"))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s–%s %s\t%s\t%s\t%d\t%s\n",
			start.Format("Mon"), start.Format(time.DateOnly), start.Format("15:04"), end.Format("15:04"),
			start.Format("MST"), s.Run.Channel.Name, s.Run.Name, s.Episode, strings.Join(notes, "; "))
	}
	return tw.Flush()
}

var runsCmd = &command{
	name:    "runs",
	summary: "list the runs: first and last airing, slot count, and which details are assumptions",
	example: `  backstage runs
  backstage runs --json`,
	nargs: [2]int{0, 0},
	flags: func(fs *flag.FlagSet, o *options) {
		fs.BoolVar(&o.json, "json", false, "print a JSON array of runs instead of a table")
	},
	run: func(ctx context.Context, c *call) error {
		stats := c.sched.Stats()
		if c.opt.json {
			out := make([]api.Run, len(stats))
			for i, st := range stats {
				out[i] = api.NewRun(st, c.loc)
			}
			return writeJSON(c.env.Stdout, out)
		}
		w := c.env.Stdout
		tw := newTable(w)
		fmt.Fprintln(tw, "RUN\tCHANNEL\tSLOT (cron)\tZONE\tFIRST AIRING\tLAST AIRING\tSLOTS\tEPISODES")
		for _, st := range stats {
			r := st.Run
			first, last, eps := "-", "-", "-"
			if st.Slots > 0 {
				first = st.First.Start.In(c.loc).Format("Mon 2006-01-02 15:04")
				last = st.Last.Start.In(c.loc).Format("Mon 2006-01-02 15:04")
				eps = fmt.Sprintf("%d–%d", st.First.Episode, st.Last.Episode)
				if r.IsReplay() {
					eps += " replaying " + r.Replays
				} else {
					eps += " new"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Name, r.Channel.Name, r.Rule, r.Location, first, last, st.Slots, eps)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, "\nModelling assumptions (not sourced facts; a schedule file can change them):")
		tw = newTable(w)
		n := 0
		for _, st := range stats {
			for _, a := range st.Run.Assumptions {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", st.Run.Name, a.Field, a.Note)
				n++
			}
		}
		if n == 0 {
			fmt.Fprintln(tw, "  none are marked in this schedule")
		}
		return tw.Flush()
	},
}

var scheduleCmd = &command{
	name:    "schedule",
	summary: "print the embedded default schedule file, a starting point for your own",
	example: `  backstage schedule > my-schedule.yaml
  backstage --schedule my-schedule.yaml runs`,
	nargs: [2]int{0, 0},
	run: func(ctx context.Context, c *call) error {
		_, err := c.env.Stdout.Write(config.DefaultFile())
		return err
	},
}

var versionCmd = &command{
	name:    "version",
	summary: "print the version",
	example: "  backstage version",
	nargs:   [2]int{0, 0},
	run: func(ctx context.Context, c *call) error {
		_, err := fmt.Fprintf(c.env.Stdout, "backstage %s\n", Version)
		return err
	},
}
