package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backstage-epg/backstage/internal/api"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/internal/version"
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
			// A day is the schedule's; a moment is read in the zone
			// the answer is shown in (--tz), as the reader writes it.
			day, at, err := parseWhen(args[0], t.sched.Location(), t.loc, t.now)
			if err != nil {
				return err
			}
			if at.IsZero() {
				return out.print(ctx, env.Stdout, t.loc, slices.Values(t.sched.On(day)), nothingOn(t, day))
			}
			return out.print(ctx, env.Stdout, t.loc, slices.Values(t.sched.At(at)), nothingAt(t, at))
		})
	},
}

// parseWhen reads a day (YYYY-MM-DD, or "today" in zone, the schedule's)
// or a moment (YYYY-MM-DDTHH:MM in show, the zone times are shown in, or
// RFC 3339). Exactly one of the results is set.
func parseWhen(s string, zone, show *time.Location, now func() time.Time) (schedule.Date, time.Time, error) {
	if s == "today" {
		return schedule.DateOf(now().In(zone)), time.Time{}, nil
	}
	if len(s) == len(time.DateOnly) {
		d, err := schedule.ParseDate(s)
		return d, time.Time{}, err
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, show); err == nil {
		return schedule.Date{}, t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return schedule.Date{}, t, nil
	}
	return schedule.Date{}, time.Time{}, usagef("date %s: want YYYY-MM-DD, YYYY-MM-DDTHH:MM (in %s), RFC 3339 such as 2003-06-16T18:45:00+02:00, or today", quote.Value(s), show)
}

// nothingAt says that nothing was on air at instant at, and names the
// next airing, as a day query does; after the last airing, the last,
// with a word on replay mode; in replay mode it speaks of the window.
func nothingAt(t *timeline, at time.Time) string {
	head := fmt.Sprintf("Nothing was on air at %s", at.In(t.loc).Format("Mon 2006-01-02 15:04 MST"))
	s := t.sched
	next, hasNext := s.Next(at)
	prev, hasPrev := s.Prev(at)
	switch {
	case hasNext:
		return fmt.Sprintf("%s. Next: %s.", head, airingName(next, t.loc))
	case t.replay != nil:
		return fmt.Sprintf("%s, and nothing after it in this replay window.", head)
	case hasPrev:
		return fmt.Sprintf("%s: the airings ended with %s. With --replay, the history airs again, %d weeks (26 years) later.", head, airingName(prev, t.loc), schedule.DefaultReplayWeeks)
	}
	return head + "."
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
			n, err := schedule.ParseEpisode(args[0], t.sched.History().LastEpisode())
			if err != nil {
				return err
			}
			return out.print(ctx, env.Stdout, t.loc, slices.Values(t.sched.Episode(n)), notInWindow(t, n))
		})
	},
}

// stamp formats an instant as the tables do: "Mon 2003-06-16 18:30".
func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2006-01-02 15:04") }

// dayStamp formats a day as the tables do: "Mon 2003-06-16".
func dayStamp(d schedule.Date) string { return d.Weekday().String()[:3] + " " + d.String() }

// airingName names an airing in a sentence: "Mon 2003-06-16 18:30
// (original, episode 816)".
func airingName(sl schedule.Slot, loc *time.Location) string {
	return fmt.Sprintf("%s (%s, episode %d)", stamp(sl.Start, loc), quote.Line(sl.Run.Name), sl.Episode)
}

// nothingOn says that nothing aired on day and what is around it: the
// first or last airing when day is outside the airings (with a word on
// replay mode past the end), the runs either side of a gap between two
// runs, and otherwise the next airing. In replay mode it speaks of the
// window.
func nothingOn(t *timeline, day schedule.Date) string {
	zone := t.sched.Location()
	head := fmt.Sprintf("Nothing aired on %s %s (%s)", day.Weekday().String()[:3], day, zone)
	if first, last, ok := t.sched.ReplayWindow(); ok {
		if day.Before(first) || day.After(last) {
			msg := fmt.Sprintf("%s (%s) is outside this replay window, %s to %s", dayStamp(day), zone, dayStamp(first), dayStamp(last))
			if h, ok := t.sched.ReplayDay(day); ok {
				msg += fmt.Sprintf("; it replays %s (see backstage aired %s)", dayStamp(h), h)
			}
			return msg + "."
		}
		verb := "airs"
		if day.Before(schedule.DateOf(t.now().In(zone))) {
			verb = "aired"
		}
		head = fmt.Sprintf("Nothing %s on %s %s (%s) in this replay", verb, day.Weekday().String()[:3], day, zone)
	}
	s := t.sched
	prev, hasPrev := s.Prev(day.In(zone))
	next, hasNext := s.Next(day.AddDays(1).In(zone))
	switch {
	case t.replay != nil && hasNext:
		return fmt.Sprintf("%s. Next: %s.", head, airingName(next, t.loc))
	case t.replay != nil:
		return fmt.Sprintf("%s, and nothing after it in this window.", head)
	case !hasPrev && !hasNext:
		return head + "."
	case !hasPrev:
		return fmt.Sprintf("%s: the first airing was %s.", head, airingName(next, t.loc))
	case !hasNext:
		return fmt.Sprintf("%s: the airings ended with %s. With --replay, the history airs again, %d weeks (26 years) later.", head, airingName(prev, t.loc), schedule.DefaultReplayWeeks)
	case prev.Run != next.Run && runStats(s, prev.Run).Last.Start.Equal(prev.Start) && runStats(s, next.Run).First.Start.Equal(next.Start):
		return fmt.Sprintf("%s: it falls between the %s run, which ended with %s, and the %s run, which began with %s.",
			head, quote.Line(prev.Run.Name), airingName(prev, t.loc), quote.Line(next.Run.Name), airingName(next, t.loc))
	}
	return fmt.Sprintf("%s. Next: %s.", head, airingName(next, t.loc))
}

// runStats returns the Stats of run r in s; zero Stats when s has none.
func runStats(s *schedule.Schedule, r *schedule.Run) schedule.Stats {
	for _, st := range s.Stats() {
		if st.Run == r {
			return st
		}
	}
	return schedule.Stats{}
}

// notInWindow says why episode n has no airing: in replay mode, that it
// is outside this window, and when it aired in the history.
func notInWindow(t *timeline, n int) string {
	if t.replay == nil {
		return fmt.Sprintf("Episode %d never aired.", n)
	}
	wFirst, wLast, _ := t.sched.ReplayWindow()
	msg := fmt.Sprintf("Episode %d does not air in this replay window, %s to %s", n, dayStamp(wFirst), dayStamp(wLast))
	if lo, hi := episodeRange(t.sched); lo > 0 {
		msg += fmt.Sprintf(", which has episodes %d to %d", lo, hi)
	}
	hist := t.sched.History().Episode(n)
	if len(hist) == 0 {
		return msg + "; it never aired."
	}
	first, last := hist[0], hist[len(hist)-1]
	msg += fmt.Sprintf(". It first aired %s (%s)", stamp(first.Start, t.loc), quote.Line(first.Run.Name))
	if len(hist) > 1 {
		msg += fmt.Sprintf("; its last airing was %s (%s)", stamp(last.Start, t.loc), quote.Line(last.Run.Name))
	}
	return msg + "."
}

// episodeRange returns the lowest and highest episode numbers s airs;
// zeros when it airs none.
func episodeRange(s *schedule.Schedule) (lo, hi int) {
	for sl := range s.Slots(schedule.Query{}) {
		if lo == 0 || sl.Episode < lo {
			lo = sl.Episode
		}
		hi = max(hi, sl.Episode)
	}
	return lo, hi
}

var slotsCmd = &command{
	name:    "slots",
	args:    "[--from DATE] [--to DATE] [--year YEAR] [--run NAME]",
	summary: "list every airing in a range of days",
	example: `  backstage slots --from 2009-01-01 --to 2009-01-31 --run rebroadcast
  backstage slots --from 2007-07-01 --to 2009-01-10 --json
  backstage slots --year 2003 --run original`,
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
			return out.print(ctx, env.Stdout, t.loc, t.sched.Slots(q), "No airings in that range.")
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
// empty (or [] in JSON). It stops once ctx is done.
func (p *printer) print(ctx context.Context, w io.Writer, loc *time.Location, slots iter.Seq[schedule.Slot], empty string) error {
	if p.json {
		return writeAirings(ctx, w, loc, slots)
	}
	n, err := writeTable(ctx, w, slots, loc)
	if err == nil && n == 0 {
		_, err = fmt.Fprintln(w, empty)
	}
	return err
}

// stopEvery is how many airings are printed between looks at the
// context: often enough to stop within a moment, seldom enough to cost
// nothing.
const stopEvery = 1024

// writeAirings writes slots as a JSON array of airings, one at a time,
// as writeJSON would write the whole array: the slots of a schedule of
// hundreds of thousands are never held, as airings or as bytes.
func writeAirings(ctx context.Context, w io.Writer, loc *time.Location, slots iter.Seq[schedule.Slot]) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	for s := range slots {
		if n%stopEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b, err := json.MarshalIndent(api.NewAiring(s, loc), "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if n == 0 {
			sep = "[\n  "
		}
		bw.WriteString(sep)
		if _, err := bw.Write(b); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	return bw.Flush()
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

// writeTable prints one aligned row per slot, its times in loc, and
// returns how many it printed; none prints nothing. Names from the
// schedule file are quoted as messages quote them (quote.Clip), so that
// none acts on the terminal.
func writeTable(ctx context.Context, w io.Writer, slots iter.Seq[schedule.Slot], loc *time.Location) (int, error) {
	tw := newTable(w)
	n := 0
	for s := range slots {
		if n%stopEvery == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		if n == 0 {
			fmt.Fprintln(tw, "DAY\tDATE\tTIME\tCHANNEL\tRUN\tEPISODE\tNOTES")
		}
		n++
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
			start.Format("MST"), quote.Line(s.Run.Channel.Name), quote.Line(s.Run.Name), s.Episode, strings.Join(notes, "; "))
	}
	if n == 0 {
		return 0, nil
	}
	return n, tw.Flush()
}

var runsCmd = &command{
	name:    "runs",
	summary: "list the runs: first and last airing, slot count, and which details are assumptions; with --replay, what the replay airs",
	example: `  backstage runs
  backstage runs --json
  backstage runs --replay                              # which historic weeks the replay airs this week and next`,
	nargs: [2]int{0, 0},
	setup: func(fs *flag.FlagSet) action {
		var asJSON bool
		fs.BoolVar(&asJSON, "json", false, "print a JSON array of runs instead of a table")
		return withTimeline(fs, func(ctx context.Context, env Env, t *timeline, args []string) error {
			stats := t.sched.History().Stats()
			if asJSON {
				return writeJSON(env.Stdout, api.Runs(stats, t.loc))
			}
			if err := writeRuns(env.Stdout, stats, t.loc); err != nil {
				return err
			}
			return writeReplay(env.Stdout, t)
		})
	},
}

// writeReplay says, in replay mode, what the replay is: when it began and
// with which historic day, which historic weeks this week and next
// replay, and the window's days.
func writeReplay(w io.Writer, t *timeline) error {
	o, ok := t.sched.ReplayOptions()
	if !ok {
		return nil
	}
	how := "set by --replay-start"
	if t.replay.Start.IsZero() {
		how = fmt.Sprintf("the default, %d weeks on", schedule.DefaultReplayWeeks)
	}
	fmt.Fprintf(w, "\nReplay (%s):\n", how)
	tw := newTable(w)
	fmt.Fprintf(tw, "  began\t%s, airing %s\n", dayStamp(o.Start), dayStamp(o.From))
	today := schedule.DateOf(t.now().In(t.sched.Location()))
	for i, name := range []string{"this week", "next week"} {
		d := today.AddDays(7 * i)
		mon := d.AddDays(-(int(d.Weekday()) + 6) % 7)
		what := "nothing: before the replay began or after it ended"
		if h, ok := t.sched.ReplayWeek(d); ok {
			what = "the week of " + dayStamp(h)
		}
		fmt.Fprintf(tw, "  %s\t%s to %s: %s\n", name, dayStamp(mon), dayStamp(mon.AddDays(6)), what)
	}
	first, last, _ := t.sched.ReplayWindow()
	fmt.Fprintf(tw, "  window\t%s to %s, %d airings\n", dayStamp(first), dayStamp(last), t.sched.Len())
	yes := map[bool]string{false: "no", true: "yes"}
	fmt.Fprintf(tw, "  loop, skip gaps\t%s, %s\n", yes[o.Loop], yes[o.SkipGaps])
	return tw.Flush()
}

// writeRuns prints a table of the runs, then their assumptions. A run's
// slot rule is read in its own zone, which SLOT ZONE names; the airings'
// times are in loc, the zone --tz chose, each with its abbreviation.
func writeRuns(w io.Writer, stats []schedule.Stats, loc *time.Location) error {
	tw := newTable(w)
	fmt.Fprintln(tw, "RUN\tCHANNEL\tSLOT (cron)\tSLOT ZONE\tFIRST AIRING\tLAST AIRING\tSLOTS\tEPISODES")
	for _, st := range stats {
		r := st.Run
		first, last, eps := "-", "-", "-"
		if st.Slots > 0 {
			first = st.First.Start.In(loc).Format("Mon 2006-01-02 15:04 MST")
			last = st.Last.Start.In(loc).Format("Mon 2006-01-02 15:04 MST")
			eps = fmt.Sprintf("%d–%d", st.First.Episode, st.Last.Episode)
			if r.IsReplay() {
				eps += " replaying " + quote.Line(r.Replays)
			} else {
				eps += " new"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", quote.Line(r.Name), quote.Line(r.Channel.Name), quote.Line(r.Rule), r.Location, first, last, st.Slots, eps)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nModelling assumptions (not sourced facts; a schedule file can change them):")
	tw = newTable(w)
	n := 0
	for _, st := range stats {
		for _, a := range st.Run.Assumptions {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", quote.Line(st.Run.Name), a.Field, quote.Line(a.Note))
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
			return printVersion(env.Stdout)
		}
	},
}

// printVersion writes the version line of "backstage version" and
// "backstage --version".
func printVersion(w io.Writer) error {
	_, err := fmt.Fprintf(w, "backstage %s\n", version.Number)
	return err
}
