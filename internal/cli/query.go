package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backstage-epg/backstage/internal/api"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/schedule"
)

var airedCmd = &command{
	name:    "aired",
	args:    "DATE|DATETIME|today",
	summary: "show what aired on a day, or what was on air at a moment",
	example: `  backstage aired 2003-06-16                 # every airing that day (the schedule's zone)
  backstage aired 2003-06-16T18:45           # what was on air then (the schedule's zone)
  backstage aired 2003-06-16T16:45:00Z       # RFC 3339, any offset
  backstage aired 2009-01-05 --json --tz UTC`,
	nargs: [2]int{1, 1},
	setup: func(fs *flag.FlagSet) action {
		var out printer
		out.register(fs)
		return withTimeline(fs, func(ctx context.Context, env Env, t *timeline, args []string) error {
			day, at, err := parseWhen(args[0], t.sched.Location(), t.now)
			if err != nil {
				return err
			}
			if at.IsZero() {
				return out.print(env.Stdout, t.loc, t.sched.On(day), fmt.Sprintf("Nothing aired on %s %s (%s).",
					day.Weekday().String()[:3], day, t.sched.Location()))
			}
			return out.print(env.Stdout, t.loc, t.sched.At(at), fmt.Sprintf("Nothing was on air at %s.", at.In(t.loc).Format("Mon 2006-01-02 15:04 MST")))
		})
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
		return d, time.Time{}, err
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, loc); err == nil {
		return schedule.Date{}, t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return schedule.Date{}, t, nil
	}
	return schedule.Date{}, time.Time{}, usagef("date %s: want YYYY-MM-DD, YYYY-MM-DDTHH:MM (in %s), RFC 3339 such as 2003-06-16T18:45:00+02:00, or today", quote.Value(s), loc)
}

var episodeCmd = &command{
	name:    "episode",
	args:    "N",
	summary: "show every airing of episode N, first airing first",
	example: `  backstage episode 1000
  backstage episode 1 --json`,
	nargs: [2]int{1, 1},
	setup: func(fs *flag.FlagSet) action {
		var out printer
		out.register(fs)
		return withTimeline(fs, func(ctx context.Context, env Env, t *timeline, args []string) error {
			// A replay window holds only some episodes: numbers are
			// checked against the history's.
			n, err := schedule.ParseEpisode(args[0], t.base.LastEpisode())
			if err != nil {
				return err
			}
			return out.print(env.Stdout, t.loc, t.sched.Episode(n), fmt.Sprintf("Episode %d never aired.", n))
		})
	},
}

var slotsCmd = &command{
	name:    "slots",
	args:    "[--from DATE] [--to DATE] [--run NAME]",
	summary: "list every airing in a range of days",
	example: `  backstage slots --from 2009-01-01 --to 2009-01-31 --run rebroadcast
  backstage slots --from 2007-07-01 --to 2009-01-10 --json`,
	nargs: [2]int{0, 0},
	setup: func(fs *flag.FlagSet) action {
		var wf windowFlags
		var out printer
		wf.register(fs)
		out.register(fs)
		return withTimeline(fs, func(ctx context.Context, env Env, t *timeline, args []string) error {
			_, q, err := wf.query(t.sched)
			if err != nil {
				return err
			}
			return out.print(env.Stdout, t.loc, slices.Collect(t.sched.Slots(q)), "No airings in that range.")
		})
	},
}

// printer writes airings as a table, or as JSON with --json.
type printer struct {
	json bool
}

func (p *printer) register(fs *flag.FlagSet) {
	fs.BoolVar(&p.json, "json", false, "print a JSON array of airings instead of a table")
}

// print writes slots, their times in loc; none prints the sentence
// empty (or [] in JSON).
func (p *printer) print(w io.Writer, loc *time.Location, slots []schedule.Slot, empty string) error {
	if p.json {
		return writeJSON(w, api.Airings(slots, loc))
	}
	if len(slots) == 0 {
		_, err := fmt.Fprintln(w, empty)
		return err
	}
	return writeTable(w, slots, loc)
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
		if t := s.OwnTitle(); t != "" {
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
	setup: func(fs *flag.FlagSet) action {
		var sf scheduleFlags
		var asJSON bool
		sf.register(fs)
		fs.BoolVar(&asJSON, "json", false, "print a JSON array of runs instead of a table")
		return func(ctx context.Context, env Env, args []string) error {
			s, loc, err := sf.load(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(env.Stdout, api.Runs(s.Stats(), loc))
			}
			return writeRuns(env.Stdout, s.Stats(), loc)
		}
	},
}

// writeRuns prints a table of the runs, then their assumptions.
func writeRuns(w io.Writer, stats []schedule.Stats, loc *time.Location) error {
	tw := newTable(w)
	fmt.Fprintln(tw, "RUN\tCHANNEL\tSLOT (cron)\tZONE\tFIRST AIRING\tLAST AIRING\tSLOTS\tEPISODES")
	for _, st := range stats {
		r := st.Run
		first, last, eps := "-", "-", "-"
		if st.Slots > 0 {
			first = st.First.Start.In(loc).Format("Mon 2006-01-02 15:04")
			last = st.Last.Start.In(loc).Format("Mon 2006-01-02 15:04")
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
}

var scheduleCmd = &command{
	name:    "schedule",
	summary: "print the embedded default schedule file, a starting point for your own",
	example: `  backstage schedule > my-schedule.yaml
  backstage --schedule my-schedule.yaml runs`,
	nargs: [2]int{0, 0},
	setup: func(fs *flag.FlagSet) action {
		return func(ctx context.Context, env Env, args []string) error {
			_, err := env.Stdout.Write(schedfile.DefaultFile())
			return err
		}
	},
}

var versionCmd = &command{
	name:    "version",
	summary: "print the version",
	example: "  backstage version",
	nargs:   [2]int{0, 0},
	setup: func(fs *flag.FlagSet) action {
		return func(ctx context.Context, env Env, args []string) error {
			_, err := fmt.Fprintf(env.Stdout, "backstage %s\n", Version)
			return err
		}
	},
}
