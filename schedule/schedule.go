package schedule

import (
	"iter"
	"sort"
	"sync"
	"time"
)

// Plan is what a schedule is built from: its runs and a little metadata.
type Plan struct {
	Name     string         // what to call the schedule, e.g. "Backstage on e.tv"
	Source   string         // where the data comes from, for feeds that cite it
	Location *time.Location // the zone dates are read in; default: the first run's
	Revised  time.Time      // when the data last changed; feeds use it as their timestamp
	Runs     []*Run

	// MaxSlots is the most slots the schedule may hold, for a loader
	// that affords fewer than MaxSlots; 0 (or more) means MaxSlots.
	MaxSlots int
}

// Stats summarises what one run expanded to.
type Stats struct {
	Run         *Run
	Slots       int
	First, Last Slot // zero Slots when the run has none
}

// Schedule holds every slot of every run of a Plan, sorted by start, and
// answers questions about them. It is immutable and safe for concurrent use.
type Schedule struct {
	plan     Plan
	entries  []entry // sorted by start, then channel id, then run name
	byEp     []int32 // indexes into entries, sorted by episode then start
	maxLen   time.Duration
	stats    []Stats // in plan order
	channels []*Channel
	shows    []*Show

	weeksOnce sync.Once
	weeks     []int // see airingWeeks

	history *Schedule  // the schedule Replay re-dated this one from; nil for a history
	replay  *replayMap // the replay that made it; nil for a history
}

// slot makes the Slot that e stands for.
func (s *Schedule) slot(e *entry) Slot {
	r := s.plan.Runs[e.run]
	start := time.Unix(e.start, 0).In(r.Location)
	sl := Slot{Run: r, Episode: int(e.ep), Start: start, End: start.Add(r.Length)}
	if e.firstRun != noRun {
		sl.FirstAired = time.Unix(e.first, 0).In(s.plan.Runs[e.firstRun].Location)
	}
	if e.replayOf != noTime {
		sl.ReplayOf = time.Unix(e.replayOf, 0).In(r.Location)
	}
	return sl
}

// History returns the schedule that Replay re-dated s from: the history
// a replay window was cut from. For a schedule that is not a replay, it
// returns s itself, so callers can always ask the history about episodes
// and days outside a window.
func (s *Schedule) History() *Schedule {
	if s.history != nil {
		return s.history
	}
	return s
}

// Name returns the schedule's name.
func (s *Schedule) Name() string { return s.plan.Name }

// Source returns where the schedule's data comes from.
func (s *Schedule) Source() string { return s.plan.Source }

// Location returns the zone in which the schedule reads dates.
func (s *Schedule) Location() *time.Location { return s.plan.Location }

// Revised returns when the schedule's data last changed.
func (s *Schedule) Revised() time.Time { return s.plan.Revised }

// Runs returns the runs in the order the plan gave them.
func (s *Schedule) Runs() []*Run { return s.plan.Runs }

// Run returns the run with the given name, or nil.
func (s *Schedule) Run(name string) *Run {
	for _, r := range s.plan.Runs {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// RunNames returns the names of the runs, in plan order.
func (s *Schedule) RunNames() []string {
	names := make([]string, len(s.plan.Runs))
	for i, r := range s.plan.Runs {
		names[i] = r.Name
	}
	return names
}

// Stats returns what each run expanded to, in plan order.
func (s *Schedule) Stats() []Stats { return s.stats }

// Channels returns the channels the runs air on, in order of first mention.
func (s *Schedule) Channels() []*Channel { return s.channels }

// Shows returns the shows the runs air, in order of first mention.
func (s *Schedule) Shows() []*Show { return s.shows }

// Len returns the number of slots.
func (s *Schedule) Len() int { return len(s.entries) }

// First returns the earliest slot, or the zero Slot if there is none.
func (s *Schedule) First() Slot {
	if len(s.entries) == 0 {
		return Slot{}
	}
	return s.slot(&s.entries[0])
}

// Last returns the slot that starts last, or the zero Slot if there is none.
func (s *Schedule) Last() Slot {
	if len(s.entries) == 0 {
		return Slot{}
	}
	return s.slot(&s.entries[len(s.entries)-1])
}

// LastEpisode returns the highest episode number any slot shows, or 0.
func (s *Schedule) LastEpisode() int {
	if len(s.byEp) == 0 {
		return 0
	}
	return int(s.entries[s.byEp[len(s.byEp)-1]].ep)
}

// Query selects slots: those on air at any moment in [From, To), of one
// run if Run is set, and of one episode if Episode is set. A zero From
// or To leaves that end open.
//
// With ByStart it selects the slots that start in [From, To) instead: a
// slot already on air at From is left out, so the queries of adjacent
// windows share no slot.
type Query struct {
	From, To time.Time
	Run      string
	ByStart  bool

	// Episode, when above 0, selects the airings of that episode alone
	// (of each show that has one): a calendar of one episode's airings.
	// They are found by the episode index, not by reading every slot.
	Episode int
}

// Day returns the query for a whole local calendar day in the schedule's
// zone: from its midnight to the next.
func (s *Schedule) Day(d Date) Query {
	return Query{From: d.In(s.plan.Location), To: d.AddDays(1).In(s.plan.Location)}
}

// Dates returns the query for the local days from through to, inclusive;
// a zero Date leaves that end open.
func (s *Schedule) Dates(from, to Date) Query {
	var q Query
	if !from.IsZero() {
		q.From = from.In(s.plan.Location)
	}
	if !to.IsZero() {
		q.To = to.AddDays(1).In(s.plan.Location)
	}
	return q
}

// bounds returns the index range of entries that may match q: all those
// starting in (q.From - longest slot, q.To), or in [q.From, q.To) with
// q.ByStart. Found by binary search, so a narrow window never touches
// entries outside it.
func (s *Schedule) bounds(q Query) (i, j int) {
	switch {
	case q.From.IsZero():
	case q.ByStart:
		i = s.startIndex(0, q.From)
	default:
		// Unix floors, so start > from.Unix() is start > from in seconds.
		from := q.From.Add(-s.maxLen).Unix()
		i = sort.Search(len(s.entries), func(k int) bool { return s.entries[k].start > from })
	}
	j = len(s.entries)
	if !q.To.IsZero() {
		j = s.startIndex(i, q.To)
	}
	return i, j
}

func (s *Schedule) match(q Query, e *entry) (Slot, bool) {
	if q.Run != "" && s.plan.Runs[e.run].Name != q.Run {
		return Slot{}, false
	}
	sl := s.slot(e)
	// bounds has checked the start against q.From for ByStart.
	return sl, q.From.IsZero() || q.ByStart || sl.End.After(q.From)
}

// Slots returns the slots q selects, in order of start.
func (s *Schedule) Slots(q Query) iter.Seq[Slot] {
	return func(yield func(Slot) bool) {
		i, j := s.bounds(q)
		if q.Episode > 0 {
			for _, k := range s.episodeEntries(q.Episode) {
				if int(k) < i || int(k) >= j {
					continue
				}
				if sl, ok := s.match(q, &s.entries[k]); ok && !yield(sl) {
					return
				}
			}
			return
		}
		for k := i; k < j; k++ {
			if sl, ok := s.match(q, &s.entries[k]); ok && !yield(sl) {
				return
			}
		}
	}
}

// Count returns the number of slots q selects.
func (s *Schedule) Count(q Query) int {
	n := 0
	if q.Episode > 0 {
		for range s.Slots(q) {
			n++
		}
		return n
	}
	i, j := s.bounds(q)
	for k := i; k < j; k++ {
		if _, ok := s.match(q, &s.entries[k]); ok {
			n++
		}
	}
	return n
}

// episodeEntries returns the indexes of the entries of episode n, in
// order of start: a part of the episode index.
func (s *Schedule) episodeEntries(n int) []int32 {
	ep := func(k int) int { return int(s.entries[s.byEp[k]].ep) }
	lo := sort.Search(len(s.byEp), func(k int) bool { return ep(k) >= n })
	hi := lo + sort.Search(len(s.byEp)-lo, func(k int) bool { return ep(lo+k) > n })
	return s.byEp[lo:hi]
}

// collect returns the slots q selects as a new slice (nil when none),
// allocating once.
func (s *Schedule) collect(q Query) []Slot {
	n := s.Count(q)
	if n == 0 {
		return nil
	}
	out := make([]Slot, 0, n)
	for sl := range s.Slots(q) {
		out = append(out, sl)
	}
	return out
}

// On returns the slots on air at any moment of local day d in the
// schedule's zone, in order of start; a slot that crosses midnight belongs
// to both days. It returns nil when nothing aired.
func (s *Schedule) On(d Date) []Slot { return s.collect(s.Day(d)) }

// At returns the slots on air at instant t, one per channel at most: those
// with Start <= t < End. It returns nil between slots.
func (s *Schedule) At(t time.Time) []Slot {
	return s.collect(Query{From: t, To: t.Add(time.Nanosecond)})
}

// Episode returns every airing of episode n, first airing first; nil when
// no slot shows it. In a schedule of several shows it returns episode n of
// each.
func (s *Schedule) Episode(n int) []Slot {
	idx := s.episodeEntries(n)
	if len(idx) == 0 {
		return nil
	}
	out := make([]Slot, len(idx))
	for k, i := range idx {
		out[k] = s.slot(&s.entries[i])
	}
	return out
}

// Prev returns the last slot that starts before t, and false when none
// does (t is at or before the first airing).
func (s *Schedule) Prev(t time.Time) (Slot, bool) {
	i := s.startIndex(0, t)
	if i == 0 {
		return Slot{}, false
	}
	return s.slot(&s.entries[i-1]), true
}

// Next returns the first slot that starts at or after t, and false when
// none does (t is after the last airing's start).
func (s *Schedule) Next(t time.Time) (Slot, bool) {
	i := s.startIndex(0, t)
	if i == len(s.entries) {
		return Slot{}, false
	}
	return s.slot(&s.entries[i]), true
}

// startIndex returns the index of the first entry from lo on that starts
// at or after t (len(s.entries) when none does), by binary search.
func (s *Schedule) startIndex(lo int, t time.Time) int {
	at := t.Unix()
	if t.Nanosecond() > 0 {
		at++ // entries start on whole seconds: one at t.Unix() is before t
	}
	return lo + sort.Search(len(s.entries)-lo, func(k int) bool { return s.entries[lo+k].start >= at })
}
