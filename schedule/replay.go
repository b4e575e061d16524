package schedule

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrReplay is wrapped by every error Replay returns for bad options.
var ErrReplay = errors.New("invalid replay")

// Replay window limits, in whole days either side of today.
const (
	MaxPastDays = 14
	MaxDays     = 31
)

// ReplayOptions describe how Replay re-dates the historic timeline.
//
// The rule: let today be Now's date in the schedule's zone, and this week
// the Monday-to-Sunday week holding it. The week holding From is placed on
// this week, so From itself falls this week on its own weekday (possibly
// later in the week than today), and every other week follows in order:
// the historic week after From's is next week, the one before it last
// week. Each airing keeps its weekday and its local time of day.
type ReplayOptions struct {
	// From is the historic day whose week becomes this week. The zero Date
	// stands for the date of the first airing.
	From Date
	// Now is the present. Only its date in the schedule's zone matters, so
	// a window, and the feeds made from it, change once a day.
	Now time.Time
	// PastDays (0 to MaxPastDays) and Days (1 to MaxDays) bound the window:
	// from the start of the day PastDays before today to the end of the
	// day Days after it.
	PastDays, Days int
	// Loop starts again at From's week once the replay runs past the week
	// of the last airing. Without it, the guide ends there.
	Loop bool
	// SkipGaps leaves out the weeks with no airing at all (such as those
	// between two runs), so the replay goes straight on to the next week
	// that has one. Without it the gap is replayed as it happened: empty.
	SkipGaps bool
}

// Window returns the instants the window of o covers in loc: from the
// start of the day PastDays before today to the end of the day Days after.
func (o ReplayOptions) Window(loc *time.Location) (from, to time.Time) {
	today := DateOf(o.Now.In(loc))
	return today.AddDays(-o.PastDays).In(loc), today.AddDays(o.Days + 1).In(loc)
}

// Check reports whether o can make a replay: Now is set, in the years
// MinYear to MaxYear (so that no re-dated slot leaves the years feeds can
// write), and PastDays and Days are within their limits. Its error is a
// *ReplayError.
func (o ReplayOptions) Check() error {
	switch {
	case o.Now.IsZero():
		return &ReplayError{Field: "Now"}
	case o.Now.Year() < MinYear || o.Now.Year() > MaxYear:
		return &ReplayError{Field: "Now", Value: o.Now.Year(), Min: MinYear, Max: MaxYear}
	case o.PastDays < 0 || o.PastDays > MaxPastDays:
		return &ReplayError{Field: "PastDays", Value: o.PastDays, Min: 0, Max: MaxPastDays}
	case o.Days < 1 || o.Days > MaxDays:
		return &ReplayError{Field: "Days", Value: o.Days, Min: 1, Max: MaxDays}
	}
	return nil
}

// ReplayError reports a ReplayOptions field out of its limits: Value is
// not within Min to Max (for Now, its year), or, for Now with Max 0, the
// present is not given.
type ReplayError struct {
	Field    string // "Now", "PastDays" or "Days"
	Value    int
	Min, Max int
}

// Error names the field, its value and its limits.
func (e *ReplayError) Error() string {
	switch {
	case e.Field == "Now" && e.Max == 0:
		return "schedule: invalid replay: no present time given"
	case e.Field == "Now":
		return fmt.Sprintf("schedule: invalid replay: the present in the year %d: want %d to %d", e.Value, e.Min, e.Max)
	}
	name := map[string]string{"PastDays": "past days", "Days": "days"}[e.Field]
	return fmt.Sprintf("schedule: invalid replay: %s %d: want %d to %d", name, e.Value, e.Min, e.Max)
}

// Unwrap returns ErrReplay and ErrInput.
func (e *ReplayError) Unwrap() []error { return []error{ErrReplay, ErrInput} }

// Replay returns the airings of s re-dated into the present, as a new
// Schedule holding just the window that o describes (see ReplayOptions for
// the rule). Each re-dated Slot keeps its run and episode; its ReplayOf is
// the start of the historic airing it stands for, and its FirstAired the
// episode's first airing (for a re-dated first airing, that same start).
// The new schedule has the same runs, shows and channels, and is revised
// at the start of today, when its content last changed; its History is
// s's history. It may be empty.
//
// Replay reads only the historic weeks that map into the window, found by
// binary search, so its cost does not grow with the length of the history.
func (s *Schedule) Replay(o ReplayOptions) (*Schedule, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	loc := s.plan.Location
	from := o.From
	if from.IsZero() {
		from = DateOf(s.First().Start.In(loc))
	}
	today := DateOf(o.Now.In(loc))
	winFrom, winTo := o.Window(loc)
	weeks := s.weekMap(from, o)

	var out []entry
	// A slot may start up to the longest slot length before the window:
	// begin with the week holding the day before the window, enough for
	// any slot shorter than a day. (Longer ones are not a broadcast slot.)
	thisWeek := monday(today)
	for k := (monday(today.AddDays(-o.PastDays-1)) - thisWeek) / 7; ; k++ {
		present := thisWeek + 7*k
		if !dayOf(present).In(loc).Before(winTo) {
			break
		}
		hist, ok := weeks(k)
		if !ok {
			continue
		}
		shift := present - hist
		lo, hi := s.bounds(Query{From: dayOf(hist).In(loc), To: dayOf(hist + 7).In(loc), ByStart: true})
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
	if rev := today.In(loc); rev.After(p.Revised) {
		p.Revised = rev
	}
	r := &Schedule{plan: p, entries: dropOverlaps(p.Runs, out), history: s.History()}
	if err := r.index(context.Background()); err != nil {
		return nil, fmt.Errorf("schedule: replay: %w", err) // not reached: overlaps were dropped
	}
	return r, nil
}

// weekMap returns the function from a present week, counted from this one
// (k = 0), to the historic week replayed then, as the day number of its
// Monday; false when none is.
func (s *Schedule) weekMap(from Date, o ReplayOptions) func(k int) (int, bool) {
	first := monday(DateOf(s.First().Start.In(s.plan.Location)))
	last := monday(DateOf(s.Last().Start.In(s.plan.Location)))
	w0 := monday(from)
	if !o.SkipGaps {
		n := (last-w0)/7 + 1 // weeks from From's to the last airing's
		return func(k int) (int, bool) {
			w := w0 + 7*k
			if o.Loop && k >= 0 && n > 0 {
				w = w0 + 7*(k%n)
			}
			return w, w >= first && w <= last
		}
	}
	weeks := s.airingWeeks()
	i0, _ := slices.BinarySearch(weeks, w0)
	return func(k int) (int, bool) {
		i := i0 + k
		if o.Loop && k >= 0 && i0 < len(weeks) {
			i = i0 + k%(len(weeks)-i0)
		}
		if i < 0 || i >= len(weeks) {
			return 0, false
		}
		return weeks[i], true
	}
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
