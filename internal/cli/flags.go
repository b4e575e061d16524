package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/schedule"
)

// textValue is a string flag that refuses an empty value: "--from=" is a
// slip, not a way of saying "not set".
type textValue struct {
	p    *string
	want string // what a value looks like, for the error
}

func (t textValue) String() string {
	if t.p == nil {
		return ""
	}
	return *t.p
}

func (t textValue) Set(s string) error {
	if s == "" {
		return errors.New("empty: want " + t.want)
	}
	*t.p = s
	return nil
}

// textVar defines a string flag that refuses "", with want describing a
// good value.
func textVar(fs *flag.FlagSet, p *string, name, usage, want string) {
	fs.Var(textValue{p, want}, name, usage)
}

// scheduleFlags are the flags of every command that reads the schedule.
type scheduleFlags struct {
	path, tz string
}

func (f *scheduleFlags) register(fs *flag.FlagSet) {
	textVar(fs, &f.path, "schedule", "read the schedule from `FILE` instead of the embedded Backstage default", "a schedule file")
	textVar(fs, &f.tz, "tz", "show times in `ZONE` (an IANA name such as Europe/London); default: the schedule's own", "an IANA zone name such as Europe/London")
}

// load returns the schedule the flags name and the zone to show times in.
// A schedule file that cannot be read or built is a usage error; a build
// stopped by ctx is not.
func (f *scheduleFlags) load(ctx context.Context) (*schedule.Schedule, *time.Location, error) {
	var s *schedule.Schedule
	var err error
	if f.path == "" {
		s, err = schedfile.Default()
	} else {
		s, err = schedfile.LoadContext(ctx, f.path)
	}
	var fe *schedfile.Error
	if errors.As(err, &fe) {
		return nil, nil, usageError{err}
	}
	if err != nil {
		return nil, nil, err
	}
	loc := s.Location()
	if f.tz != "" {
		l, err := time.LoadLocation(f.tz)
		if err != nil || f.tz == "Local" {
			return nil, nil, usagef("--tz %s: want an IANA zone name such as Africa/Johannesburg or UTC", quote.Value(f.tz))
		}
		loc = l
	}
	return s, loc, nil
}

// timelineFlags are the flags of the commands that read airings: the
// schedule's, --now, and replay mode's.
type timelineFlags struct {
	scheduleFlags
	now            string
	replay         bool
	from, start    string
	days, pastDays int
	loop, skipGaps bool

	fs *flag.FlagSet // to tell a replay flag given from one left alone
}

func (f *timelineFlags) register(fs *flag.FlagSet) {
	f.scheduleFlags.register(fs)
	f.fs = fs
	fs.BoolVar(&f.replay, "replay", false, fmt.Sprintf("air the history again as a channel, %d weeks (26 years) later unless --replay-start says otherwise (replay mode)", schedule.DefaultReplayWeeks))
	textVar(fs, &f.from, "replay-from", "replay: the historic `DATE` the replay began with (default: the first airing)", "a date written YYYY-MM-DD")
	textVar(fs, &f.start, "replay-start", fmt.Sprintf("replay: the `DATE` your channel began airing --replay-from, on the same weekday (default: %d weeks after it)", schedule.DefaultReplayWeeks), "a date written YYYY-MM-DD")
	fs.IntVar(&f.days, "days", 7, "replay: whole `DAYS` after today in the window, 1 to 31")
	fs.IntVar(&f.pastDays, "past-days", 1, "replay: whole `DAYS` before today in the window, 0 to 14")
	textVar(fs, &f.now, "now", "take `TIME` (RFC 3339) as the present instead of the clock, for reproducible output", "an RFC 3339 time")
	fs.BoolVar(&f.loop, "loop", false, "replay: start again from --replay-from after the last airing")
	fs.BoolVar(&f.skipGaps, "skip-gaps", false, "replay: leave out weeks with no airing, such as the 2007-2009 gap")
}

// timeline is what a command that reads airings answers from.
type timeline struct {
	sched *schedule.Schedule // the history, or in replay mode its re-dated window; History() is the history
	loc   *time.Location     // the zone to show times in
	now   func() time.Time

	// replay holds replay mode's options, all but Now (the server rolls
	// its own windows from them); nil outside replay mode.
	replay *schedule.ReplayOptions
}

// withTimeline registers the timeline flags on fs and returns an action
// that loads the timeline they describe before it runs body.
func withTimeline(fs *flag.FlagSet, body func(ctx context.Context, env Env, t *timeline, args []string) error) action {
	var tf timelineFlags
	tf.register(fs)
	return func(ctx context.Context, env Env, args []string) error {
		t, err := tf.load(ctx, env)
		if err != nil {
			return err
		}
		return body(ctx, env, t, args)
	}
}

// load applies the flags: it loads the schedule, fixes the clock with
// --now and, with --replay, makes the re-dated window.
func (f *timelineFlags) load(ctx context.Context, env Env) (*timeline, error) {
	s, loc, err := f.scheduleFlags.load(ctx)
	if err != nil {
		return nil, err
	}
	t := &timeline{sched: s, loc: loc, now: env.Now}
	if f.now != "" {
		at, err := time.Parse(time.RFC3339, f.now)
		if err != nil {
			return nil, usagef("--now %s: want an RFC 3339 time such as 2026-11-26T20:00:00+02:00", quote.Value(f.now))
		}
		t.now = func() time.Time { return at }
	}
	if !f.replay {
		var stray string
		f.fs.Visit(func(fl *flag.Flag) {
			switch fl.Name {
			case "replay-from", "replay-start", "days", "past-days", "loop", "skip-gaps":
				stray = fl.Name
			}
		})
		if stray != "" {
			return nil, usagef("--%s works only with --replay", stray)
		}
		return t, nil
	}
	opt := schedule.ReplayOptions{PastDays: f.pastDays, Days: f.days, Loop: f.loop, SkipGaps: f.skipGaps}
	if f.from != "" {
		if opt.From, err = schedule.ParseDate(f.from); err != nil {
			return nil, fmt.Errorf("--replay-from: %w", err)
		}
	}
	if f.start != "" {
		if opt.Start, err = schedule.ParseDate(f.start); err != nil {
			return nil, fmt.Errorf("--replay-start: %w", err)
		}
	}
	o := opt
	o.Now = t.now()
	if t.sched, err = s.Replay(o); err != nil {
		return nil, replayFlagError(err, f.now)
	}
	t.replay = &opt
	return t, nil
}

// replayFlagError names the flag of the replay option err is about: the
// clock is a flag only when --now is given (now), and is then named as it
// was written.
func replayFlagError(err error, now string) error {
	var ie *schedule.InputError
	switch {
	case !errors.As(err, &ie):
		return err
	case ie.Field == schedule.FieldNow && now == "":
		return err
	case ie.Field == schedule.FieldNow:
		return usagef("--now %s: %v", quote.Value(now), ie.Err)
	}
	return inputFlagError(err)
}

// windowFlags choose airings by day and run.
type windowFlags struct {
	from, to, year, run string
}

func (f *windowFlags) register(fs *flag.FlagSet) {
	textVar(fs, &f.from, "from", "first local `DATE` (YYYY-MM-DD), inclusive; default: the first airing", "a date written YYYY-MM-DD")
	textVar(fs, &f.to, "to", "last local `DATE` (YYYY-MM-DD), inclusive; default: the last airing", "a date written YYYY-MM-DD")
	textVar(fs, &f.year, "year", "only the local days of `YEAR` (four digits), as ?year= on the server; goes with neither --from nor --to", "a four-digit year such as 2003")
	textVar(fs, &f.run, "run", "only the run called `NAME` (see backstage runs)", "a run's name (see backstage runs)")
}

// query reads the flags as a window of s and checks it, as the server
// reads its query parameters: the window, and the query it stands for. A
// year Y stands for the days Y-01-01 to Y-12-31.
func (f *windowFlags) query(s *schedule.Schedule) (schedule.Window, schedule.Query, error) {
	flags := map[string]string{"from": f.from, "to": f.to, "year": f.year, "run": f.run}
	w, err := s.ParseWindow(func(field string) (string, bool) {
		v := flags[field]
		return v, v != "" // textValue refuses a flag given empty
	})
	if err != nil {
		return w, schedule.Query{}, inputFlagError(err)
	}
	q, err := s.Query(w)
	return w, q, inputFlagError(err)
}

// inputFlagError names the flag of the value an *schedule.InputError is about:
// the flags are called as the fields are, with "--" in front.
func inputFlagError(err error) error {
	var ie *schedule.InputError
	if errors.As(err, &ie) {
		return usageError{fmt.Errorf("--%w", err)}
	}
	return err
}
