package cli

import (
	"flag"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// replayOptions are the flags of replay mode, as typed.
type replayOptions struct {
	on             bool
	from, now      string
	days, pastDays int
	loop, skipGaps bool
}

// replayFlags registers the replay-mode flags, on the commands that read
// the timeline (see command.timeline).
func replayFlags(fs *flag.FlagSet, o *options) {
	r := &o.replay
	fs.BoolVar(&r.on, "replay", false, "re-date the history to the present by whole weeks (replay mode; see --replay-from)")
	fs.StringVar(&r.from, "replay-from", "", "replay: the historic `DATE` whose week becomes this week (default: the first airing)")
	fs.IntVar(&r.days, "days", 7, "replay: whole days after today in the window, 1 to 31")
	fs.IntVar(&r.pastDays, "past-days", 1, "replay: whole days before today in the window, 0 to 14")
	fs.StringVar(&r.now, "now", "", "take `TIME` (RFC 3339) as the present instead of the clock, for reproducible output")
	fs.BoolVar(&r.loop, "loop", false, "replay: start again from --replay-from after the last airing")
	fs.BoolVar(&r.skipGaps, "skip-gaps", false, "replay: leave out weeks with no airing, such as the 2007-2009 gap")
}

// timeline applies --now and the replay flags: with --replay, c.sched
// becomes the re-dated window and c.replay the options that made it (the
// server rolls its own windows from them).
func (c *call) timeline(fs *flag.FlagSet) error {
	r := c.opt.replay
	if r.now != "" {
		t, err := time.Parse(time.RFC3339, r.now)
		if err != nil {
			return usagef("--now %q: want an RFC 3339 time such as 2026-11-26T20:00:00+02:00", r.now)
		}
		c.env.Now = func() time.Time { return t }
	}
	if !r.on {
		var stray string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "replay-from", "days", "past-days", "loop", "skip-gaps":
				stray = f.Name
			}
		})
		if stray != "" {
			return usagef("--%s works only with --replay", stray)
		}
		return nil
	}
	opt := schedule.ReplayOptions{PastDays: r.pastDays, Days: r.days, Loop: r.loop, SkipGaps: r.skipGaps}
	if r.from != "" {
		d, err := schedule.ParseDate(r.from)
		if err != nil {
			return usagef("--replay-from %q: want YYYY-MM-DD, a real calendar date", r.from)
		}
		opt.From = d
	}
	if r.days < 1 || r.days > schedule.MaxDays {
		return usagef("--days %d: want a whole number from 1 to %d", r.days, schedule.MaxDays)
	}
	if r.pastDays < 0 || r.pastDays > schedule.MaxPastDays {
		return usagef("--past-days %d: want a whole number from 0 to %d", r.pastDays, schedule.MaxPastDays)
	}
	c.replay = &opt
	c.base = c.sched
	opt.Now = c.env.Now()
	s, err := c.base.Replay(opt)
	if err != nil {
		return usageError{err}
	}
	c.sched = s
	return nil
}
