package schedule

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Replay window limits, in whole days either side of today.
const (
	MaxPastDays = 14
	MaxDays     = 31
)

// DefaultReplayWeeks is how long after the history a replay airs it when
// ReplayOptions.Start is not set: 1357 weeks, 26 years to within three
// days, so that the channel shows what aired in the same week 26 years
// before, each airing on its own weekday at its own local time. For the
// default schedule, whose first airing was on Monday 1 May 2000, that
// replay began on Monday 4 May 2026.
const DefaultReplayWeeks = 1357

// ReplayOptions describe a replay: a channel that airs the history again,
// later by whole weeks, and the window of days around the present that a
// guide of it shows.
//
// The mapping from real days to historic ones is fixed by From, Start,
// Loop and SkipGaps alone: the channel began on Start by airing what
// aired on From, and airs on each later day what aired on the next day of
// the history, so day Start+n replays day From+n. Start and From fall on
// the same weekday, so every airing keeps its weekday and its local time.
// Nothing airs before Start. Now plays no part in the mapping: it only
// chooses which days the window shows, so two guides made on different
// days agree on every day both hold.
type ReplayOptions struct {
	// From is the historic day the replay began with. The zero Date
	// stands for the date of the first airing.
	From Date
	// Start is the real day the replay aired From. The zero Date stands
	// for DefaultReplayWeeks weeks after From.
	Start Date
	// Loop starts again at From after the week of the last airing, so the
	// channel never ends. Without it, the replay ends there.
	Loop bool
	// SkipGaps leaves out the weeks with no airing at all (such as those
	// between two runs): the replay goes straight on to the next week
	// that has one. Without it a gap is replayed as it happened: empty.
	SkipGaps bool

	// Now is the present. Only its date in the schedule's zone matters, so
	// a window, and the feeds made from it, change once a day.
	Now time.Time
	// PastDays (0 to MaxPastDays) and Days (1 to MaxDays) bound the window:
	// from the start of the day PastDays before today to the end of the
	// day Days after it.
	PastDays, Days int
}

// Window returns the instants the window of o covers in loc: from the
// start of the day PastDays before today to the end of the day Days after.
func (o ReplayOptions) Window(loc *time.Location) (from, to time.Time) {
	first, last := o.days(loc)
	return first.In(loc), last.AddDays(1).In(loc)
}

// days returns the first and last day of the window in loc.
func (o ReplayOptions) days(loc *time.Location) (first, last Date) {
	today := DateOf(o.Now.In(loc))
	return today.AddDays(-o.PastDays), today.AddDays(o.Days)
}

// The fields an *InputError about replay options names, as the command
// line and the grabber's configuration name them.
const (
	FieldReplayFrom  = "replay-from"  // From
	FieldReplayStart = "replay-start" // Start
	FieldNow         = "now"          // Now
	FieldPastDays    = "past-days"    // PastDays
	FieldDays        = "days"         // Days
)

// Check reports whether the numbers of o can make a window: Now is set,
// and PastDays and Days are within their limits. Replay checks the rest,
// which needs the schedule. Its error is an *InputError.
func (o ReplayOptions) Check() error {
	within := func(field string, v, lo, hi int) error {
		if v < lo || v > hi {
			return &InputError{Field: field, Value: strconv.Itoa(v), Err: fmt.Errorf("want a whole number from %d to %d", lo, hi)}
		}
		return nil
	}
	if o.Now.IsZero() {
		return &InputError{Field: FieldNow, Err: errors.New("no present time given")}
	}
	if err := within(FieldPastDays, o.PastDays, 0, MaxPastDays); err != nil {
		return err
	}
	return within(FieldDays, o.Days, 1, MaxDays)
}

// resolve checks o against s and returns it with From and Start set: the
// mapping of a replay of s, and its window's days. Its errors are
// *InputErrors naming the option at fault.
func (s *Schedule) resolve(o ReplayOptions) (ReplayOptions, error) {
	if err := o.Check(); err != nil {
		return o, err
	}
	loc := s.plan.Location
	first, last := o.days(loc)
	if first.Year < MinYear || last.Year > MaxYear {
		return o, &InputError{Field: FieldNow, Value: o.Now.In(loc).Format(time.RFC3339),
			Err: fmt.Errorf("its window, %s to %s, leaves the years %d to %d", first, last, MinYear, MaxYear)}
	}
	if s.Len() == 0 {
		return o, nil // nothing to replay: an empty window
	}
	firstAiring, lastAiring := DateOf(s.First().Start.In(loc)), DateOf(s.Last().Start.In(loc))
	defaultStart, defaultFrom := o.Start.IsZero(), o.From.IsZero()
	if o.From.IsZero() {
		o.From = firstAiring
	}
	fromErr := func(format string, args ...any) error {
		return &InputError{Field: FieldReplayFrom, Value: o.From.String(), Err: fmt.Errorf(format, args...)}
	}
	switch {
	case o.From.Before(firstAiring):
		return o, fromErr("before the first airing, %s", firstAiring)
	case o.From.After(lastAiring):
		return o, fromErr("after the last airing, %s", lastAiring)
	}
	if defaultStart {
		o.Start = o.From.AddDays(7 * DefaultReplayWeeks)
	}
	today := DateOf(o.Now.In(loc))
	startErr := func(format string, args ...any) error {
		return &InputError{Field: FieldReplayStart, Value: o.Start.String(), Err: fmt.Errorf(format, args...)}
	}
	switch {
	case o.Start.Weekday() != o.From.Weekday():
		// The nearest days of From's weekday either side of Start.
		before := o.Start.AddDays(-((int(o.Start.Weekday()) - int(o.From.Weekday()) + 7) % 7))
		return o, startErr("a %s, and the day it replays, %s, a %s: the replay moves whole weeks, so want a %s such as %s or %s",
			o.Start.Weekday(), o.From, o.From.Weekday(), o.From.Weekday(), before, before.AddDays(7))
	case o.Start.Before(o.From):
		return o, startErr("before %s, the day it replays: want a later day", o.From)
	case today.Days(o.Start) > MaxDays && defaultFrom && defaultStart:
		// The default replay has not begun yet: its window is empty.
	case today.Days(o.Start) > MaxDays && defaultStart:
		return o, fromErr("by default it airs again %d weeks later, on %s, more than %d days after today (%s): give a start as well",
			DefaultReplayWeeks, o.Start, MaxDays, today)
	case today.Days(o.Start) > MaxDays:
		return o, startErr("more than %d days after today (%s): no guide reaches it yet", MaxDays, today)
	}
	return o, nil
}

// Replay returns the airings of s re-dated into the present, as a new
// Schedule holding just the window that o describes (see ReplayOptions for
// the rule). Each re-dated Slot keeps its run and episode; its ReplayOf is
// the start of the historic airing it stands for, and its FirstAired the
// episode's first airing (for a re-dated first airing, that same start).
// The new schedule has the same runs, shows and channels, and is revised
// at the start of today, when its content last changed; its History is
// s's history, and ReplayOptions and ReplayDay describe the replay. It
// may be empty.
//
// Replay reads only the historic weeks that map into the window, found by
// binary search, so its cost does not grow with the length of the history.
func (s *Schedule) Replay(o ReplayOptions) (*Schedule, error) {
	o, err := s.resolve(o)
	if err != nil {
		return nil, err
	}
	loc := s.plan.Location
	first, last := o.days(loc)
	winFrom, winTo := o.Window(loc)
	m := s.replayMap(o)

	var out []entry
	// A slot may start up to the longest slot length before the window:
	// begin with the week holding the day before the window, enough for
	// any slot shorter than a day. (Longer ones are not a broadcast slot.)
	for present := monday(first.AddDays(-1)); dayOf(present).In(loc).Before(winTo); present += 7 {
		hist, ok := m.week(present)
		if !ok {
			continue
		}
		shift := present - hist
		// Within the week, the airings of the days before From are not
		// replayed: the channel begins, and begins again when it loops, at
		// From.
		lo, hi := s.bounds(Query{From: dayOf(max(hist, dayNumber(o.From))).In(loc), To: dayOf(hist + 7).In(loc), ByStart: true})
		for i := lo; i < hi; i++ {
			e := s.entries[i]
			r := s.plan.Runs[e.run]
			start := time.Unix(e.start, 0).In(r.Location).AddDate(0, 0, shift)
			if !start.Before(winTo) || !start.Add(r.Length).After(winFrom) {
				continue
			}
			if e.firstRun == noRun {
				e.first, e.firstRun = e.start, e.run
			}
			e.replayOf, e.start = e.start, start.Unix()
			out = append(out, e)
		}
	}
	p := s.plan
	if rev := DateOf(o.Now.In(loc)).In(loc); rev.After(p.Revised) {
		p.Revised = rev
	}
	m.first, m.last = first, last
	r := &Schedule{plan: p, entries: dropOverlaps(p.Runs, out), history: s.History(), replay: m}
	if err := r.index(context.Background()); err != nil {
		return nil, fmt.Errorf("schedule: replay: %w", err) // not reached: overlaps were dropped
	}
	return r, nil
}

// ReplayOptions returns the options a replay schedule was made with, From
// and Start filled in, and true; for a schedule that is not a replay, the
// zero ReplayOptions and false.
func (s *Schedule) ReplayOptions() (ReplayOptions, bool) {
	if s.replay == nil {
		return ReplayOptions{}, false
	}
	return s.replay.o, true
}

// ReplayWindow returns the first and last day of a replay schedule's
// window, and true; for a schedule that is not a replay, false. The
// window's days may hold no airing at all.
func (s *Schedule) ReplayWindow() (first, last Date, ok bool) {
	if s.replay == nil {
		return Date{}, Date{}, false
	}
	return s.replay.first, s.replay.last, true
}

// ReplayDay returns the historic day that day d of a replay schedule
// replays, and true, whether or not anything aired that day (a day in a
// gap between runs is replayed as it happened: empty). It returns false
// before the replay's start, after its end and for a schedule that is not
// a replay. It answers for any day, inside the window or not: the
// replay's mapping does not depend on the window.
func (s *Schedule) ReplayDay(d Date) (Date, bool) {
	if s.replay == nil {
		return Date{}, false
	}
	return s.replay.day(d)
}

// ReplayWeek returns the Monday of the historic week that the week
// (Monday to Sunday) holding day d of a replay schedule replays, and
// true; false when that week replays none (before the week of the
// replay's start, after its end, or for a schedule that is not a replay).
// In the week of the start, the days before it replay nothing.
func (s *Schedule) ReplayWeek(d Date) (Date, bool) {
	if s.replay == nil {
		return Date{}, false
	}
	w, ok := s.replay.week(monday(d))
	return dayOf(w), ok
}

// replayMap is the fixed mapping of a replay from real weeks to historic
// ones, and the window it was cut for.
type replayMap struct {
	o           ReplayOptions // From and Start resolved
	first, last Date          // the window's days
	weeks       func(k int) (int, bool)
}

// week returns the Monday (as a day number) of the historic week that the
// real week of Monday present replays, and false when none is.
func (m *replayMap) week(present int) (int, bool) {
	k := present - monday(m.o.Start)
	if k < 0 || m.weeks == nil {
		return 0, false
	}
	return m.weeks(k / 7)
}

func (m *replayMap) day(d Date) (Date, bool) {
	w := monday(d)
	hist, ok := m.week(w)
	if !ok {
		return Date{}, false
	}
	h := dayOf(hist + dayNumber(d) - w)
	if h.Before(m.o.From) {
		return Date{}, false
	}
	return h, true
}

// replayMap returns the mapping of the replay o, whose From and Start are
// resolved, of s.
func (s *Schedule) replayMap(o ReplayOptions) *replayMap {
	m := &replayMap{o: o}
	if s.Len() == 0 {
		return m
	}
	first := monday(DateOf(s.First().Start.In(s.plan.Location)))
	last := monday(DateOf(s.Last().Start.In(s.plan.Location)))
	w0 := monday(o.From)
	if !o.SkipGaps {
		n := (last-w0)/7 + 1 // weeks from From's to the last airing's
		m.weeks = func(k int) (int, bool) {
			if o.Loop {
				k %= n
			}
			w := w0 + 7*k
			return w, w >= first && w <= last
		}
		return m
	}
	weeks := s.airingWeeks()
	i0, _ := slices.BinarySearch(weeks, w0)
	m.weeks = func(k int) (int, bool) {
		if o.Loop {
			k %= len(weeks) - i0
		}
		if i0+k >= len(weeks) {
			return 0, false
		}
		return weeks[i0+k], true
	}
	return m
}

// airingWeeks returns the Mondays (as day numbers) of the weeks in which
// some slot starts, in order. It is worked out once per schedule.
func (s *Schedule) airingWeeks() []int {
	s.weeksOnce.Do(func() {
		loc := s.plan.Location
		for i := range s.entries {
			w := monday(DateOf(time.Unix(s.entries[i].start, 0).In(loc)))
			if n := len(s.weeks); n == 0 || s.weeks[n-1] != w {
				s.weeks = append(s.weeks, w)
			}
		}
	})
	return s.weeks
}

// dropOverlaps removes entries that would start before the previous one on
// their channel ends. Whole-week shifts keep a week's airings apart, but a
// slot running past Sunday midnight can meet the next week's first slot
// when the two weeks come from different historic weeks (with Loop or
// SkipGaps); the earlier airing keeps its place.
func dropOverlaps(runs []*Run, entries []entry) []entry {
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.start, b.start) })
	end := map[*Channel]int64{}
	out := entries[:0]
	for _, e := range entries {
		r := runs[e.run]
		if e.start < end[r.Channel] {
			continue
		}
		end[r.Channel] = time.Unix(e.start, 0).Add(r.Length).Unix()
		out = append(out, e)
	}
	return out
}

// Day numbers count days from 1970-01-01 (day 0, a Thursday).
var epoch = Date{1970, time.January, 1}

func dayNumber(d Date) int { return epoch.Days(d) }

func dayOf(n int) Date { return epoch.AddDays(n) }

// monday returns the day number of the Monday that starts d's week.
func monday(d Date) int {
	return dayNumber(d) - (int(d.Weekday())+6)%7
}
