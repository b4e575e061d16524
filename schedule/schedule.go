package schedule

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"sort"
	"time"

	"github.com/robfig/cron/v3"
)

// Slot is one airing: an episode of a show on a channel, from Start to End.
// Start and End are in the run's location.
type Slot struct {
	Run     *Run
	Episode int
	Start   time.Time
	End     time.Time

	// FirstAired is the start of the episode's first airing when this slot
	// shows it again, and the zero Time when this slot is that first airing.
	FirstAired time.Time

	// ReplayOf is the start of the historic airing this slot re-dates, for
	// slots of a time-shifted timeline (see Schedule.Replay); zero otherwise.
	ReplayOf time.Time
}

// IsRepeat reports whether s shows an episode that aired before.
func (s Slot) IsRepeat() bool { return !s.FirstAired.IsZero() }

// Title returns the title of the slot's episode.
func (s Slot) Title() string { return s.Run.Show.EpisodeTitle(s.Episode) }

// Previous returns the start of the airing this slot repeats: the historic
// slot for a re-dated one, otherwise the episode's first airing; zero for a
// first airing.
func (s Slot) Previous() time.Time {
	if !s.ReplayOf.IsZero() {
		return s.ReplayOf
	}
	return s.FirstAired
}

// OverlapError reports two slots on one channel that overlap in time.
type OverlapError struct {
	A, B Slot
}

func (e *OverlapError) Error() string {
	f := func(s Slot) string {
		return fmt.Sprintf("run %q episode %d %s–%s", s.Run.Name, s.Episode,
			s.Start.Format("2006-01-02 15:04"), s.End.Format("15:04 -07:00"))
	}
	return fmt.Sprintf("schedule: %v: overlapping slots on channel %s: %s and %s",
		ErrInvalid, e.A.Run.Channel.ID, f(e.A), f(e.B))
}

func (e *OverlapError) Unwrap() error { return ErrInvalid }

// Plan is what a schedule is built from: its runs and a little metadata.
type Plan struct {
	Name     string         // what to call the schedule, e.g. "Backstage on e.tv"
	Source   string         // where the data comes from, for feeds that cite it
	Location *time.Location // the zone dates are read in when a query gives none
	Revised  time.Time      // when the data last changed; feeds use it as their timestamp
	Runs     []*Run
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
	slots    []Slot  // sorted by Start, then channel, then run
	byEp     []int32 // indexes into slots, sorted by episode then start
	maxLen   time.Duration
	stats    []Stats // in plan order
	channels []*Channel
	shows    []*Show
}

// New expands every run of p into slots and checks the result. Runs may
// come in any order; a replay may replay a replay. It fails, wrapping
// ErrInvalid, on a bad field (a *FieldError), on two overlapping slots on
// one channel (an *OverlapError), on a replay of an unknown run or a
// circle of replays, and when no run has any slot.
func New(p Plan) (*Schedule, error) {
	if len(p.Runs) == 0 {
		return nil, fmt.Errorf("schedule: %w: no runs", ErrInvalid)
	}
	if p.Location == nil {
		p.Location = p.Runs[0].Location
	}
	byName := make(map[string]*Run, len(p.Runs))
	rules := make(map[*Run]cron.Schedule, len(p.Runs))
	for _, r := range p.Runs {
		rule, err := r.validate()
		if err != nil {
			return nil, err
		}
		if byName[r.Name] != nil {
			return nil, r.fieldErr("name", r.Name, "two runs have this name")
		}
		byName[r.Name] = r
		rules[r] = rule
	}

	s := &Schedule{plan: p}
	expanded := make(map[*Run][]Slot, len(p.Runs))
	var expand func(r *Run, path []string) error
	expand = func(r *Run, path []string) error {
		if _, done := expanded[r]; done {
			return nil
		}
		if slices.Contains(path, r.Name) {
			return r.fieldErr("replay.run", r.Replays, "replays go round in a circle: %v", append(path, r.Name))
		}
		next := newEpisodes(r)
		if r.IsReplay() {
			src := byName[r.Replays]
			if src == nil {
				return r.fieldErr("replay.run", r.Replays, "no run has this name")
			}
			if err := expand(src, append(path, r.Name)); err != nil {
				return err
			}
			var err error
			if next, err = replayed(r, expanded[src]); err != nil {
				return err
			}
		}
		expanded[r] = slots(r, rules[r], next)
		return nil
	}
	for _, r := range p.Runs {
		if err := expand(r, nil); err != nil {
			return nil, err
		}
		s.slots = append(s.slots, expanded[r]...)
		s.maxLen = max(s.maxLen, r.Length)
		if !slices.Contains(s.channels, r.Channel) {
			s.channels = append(s.channels, r.Channel)
		}
		if !slices.Contains(s.shows, r.Show) {
			s.shows = append(s.shows, r.Show)
		}
	}
	if len(s.slots) == 0 {
		return nil, fmt.Errorf("schedule: %w: no run has any slot", ErrInvalid)
	}
	if err := s.index(); err != nil {
		return nil, err
	}
	for _, r := range p.Runs {
		st := Stats{Run: r, Slots: len(expanded[r])}
		if n := st.Slots; n > 0 {
			st.First, st.Last = expanded[r][0], expanded[r][n-1]
		}
		s.stats = append(s.stats, st)
	}
	return s, nil
}

// index sorts the slots, checks for overlaps and builds the episode index.
func (s *Schedule) index() error {
	slices.SortFunc(s.slots, compareSlots)
	latest := make(map[*Channel]int, len(s.channels)) // slot with the latest end so far
	for i, sl := range s.slots {
		if j, ok := latest[sl.Run.Channel]; ok {
			if sl.Start.Before(s.slots[j].End) {
				return &OverlapError{A: s.slots[j], B: sl}
			}
			if !sl.End.After(s.slots[j].End) {
				continue
			}
		}
		latest[sl.Run.Channel] = i
	}
	s.byEp = make([]int32, len(s.slots))
	for i := range s.byEp {
		s.byEp[i] = int32(i)
	}
	// Stable keeps airings of one episode in start order.
	slices.SortStableFunc(s.byEp, func(a, b int32) int {
		return cmp.Compare(s.slots[a].Episode, s.slots[b].Episode)
	})
	return nil
}

func compareSlots(a, b Slot) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Run.Channel.ID, b.Run.Channel.ID); c != 0 {
		return c
	}
	return cmp.Compare(a.Run.Name, b.Run.Name)
}

// episodeSource yields the episodes a run shows, one per call: the
// number, its first airing (zero when this is it) and whether there is one.
type episodeSource func() (ep int, first time.Time, ok bool)

func newEpisodes(r *Run) episodeSource {
	n := 0
	return func() (int, time.Time, bool) {
		if r.Count > 0 && n == r.Count {
			return 0, time.Time{}, false
		}
		n++
		return r.FirstEpisode + n - 1, time.Time{}, true
	}
}

func replayed(r *Run, src []Slot) (episodeSource, error) {
	i := slices.IndexFunc(src, func(s Slot) bool { return s.Episode == r.ReplayFrom })
	if i < 0 {
		return nil, r.fieldErr("replay.from", fmt.Sprint(r.ReplayFrom), "run %q never airs this episode", r.Replays)
	}
	if r.ReplayTo != 0 && !slices.ContainsFunc(src[i:], func(s Slot) bool { return s.Episode == r.ReplayTo }) {
		return nil, r.fieldErr("replay.to", fmt.Sprint(r.ReplayTo), "run %q never airs this episode after episode %d", r.Replays, r.ReplayFrom)
	}
	done := false
	return func() (int, time.Time, bool) {
		if done || i == len(src) {
			return 0, time.Time{}, false
		}
		s := src[i]
		i++
		done = s.Episode == r.ReplayTo
		first := s.FirstAired
		if first.IsZero() {
			first = s.Start
		}
		return s.Episode, first, true
	}, nil
}

// slots expands one run. Every loop ends: at the run's last day, when its
// episodes run out, or when cron finds no further match (its Next returns
// the zero Time after five fruitless years).
func slots(r *Run, rule cron.Schedule, next episodeSource) []Slot {
	var end time.Time
	if !r.Last.IsZero() {
		end = r.Last.AddDays(1).In(r.Location)
	}
	skip := make(map[Date]bool, len(r.Exceptions))
	for _, d := range r.Exceptions {
		skip[d] = true
	}
	var out []Slot
	if !end.IsZero() {
		// A weekday rule fills about 5 days in 7; a guess saves regrowth.
		out = make([]Slot, 0, r.First.Days(r.Last)*5/7+8)
	}
	// Next returns times strictly after its argument, at whole seconds.
	t := r.First.In(r.Location).Add(-time.Second)
	var wall time.Time // the previous match's wall-clock reading
	for {
		t = rule.Next(t)
		if t.IsZero() || (!end.IsZero() && !t.Before(end)) {
			return out
		}
		// When clocks fall back, cron matches a time in the repeated hour
		// twice; a broadcaster airs the slot once, at the first.
		w := wallClock(t)
		if w.Equal(wall) {
			continue
		}
		wall = w
		if skip[DateOf(t)] {
			continue
		}
		ep, first, ok := next()
		if !ok {
			return out
		}
		out = append(out, Slot{Run: r, Episode: ep, Start: t, End: t.Add(r.Length), FirstAired: first})
	}
}

// wallClock returns t's local date and time of day as if in UTC.
func wallClock(t time.Time) time.Time {
	y, m, d := t.Date()
	h, mi, sec := t.Clock()
	return time.Date(y, m, d, h, mi, sec, 0, time.UTC)
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

// Stats returns what each run expanded to, in plan order.
func (s *Schedule) Stats() []Stats { return s.stats }

// Channels returns the channels the runs air on, in order of first mention.
func (s *Schedule) Channels() []*Channel { return s.channels }

// Shows returns the shows the runs air, in order of first mention.
func (s *Schedule) Shows() []*Show { return s.shows }

// Len returns the number of slots.
func (s *Schedule) Len() int { return len(s.slots) }

// First returns the earliest slot.
func (s *Schedule) First() Slot { return s.slots[0] }

// Last returns the slot that starts last.
func (s *Schedule) Last() Slot { return s.slots[len(s.slots)-1] }

// LastEpisode returns the highest episode number any slot shows.
func (s *Schedule) LastEpisode() int { return s.slots[s.byEp[len(s.byEp)-1]].Episode }

// Query selects slots: those on air at any moment in [From, To), and of
// one run if Run is set. A zero From or To leaves that end open.
type Query struct {
	From, To time.Time
	Run      string
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

// bounds returns the index range of slots that may match q: all those
// starting in [q.From - longest slot, q.To). Found by binary search, so a
// narrow window never touches slots outside it.
func (s *Schedule) bounds(q Query) (i, j int) {
	if !q.From.IsZero() {
		from := q.From.Add(-s.maxLen)
		i = sort.Search(len(s.slots), func(k int) bool { return s.slots[k].Start.After(from) })
	}
	j = len(s.slots)
	if !q.To.IsZero() {
		j = i + sort.Search(j-i, func(k int) bool { return !s.slots[i+k].Start.Before(q.To) })
	}
	return i, j
}

func (q Query) match(sl Slot) bool {
	return (q.From.IsZero() || sl.End.After(q.From)) && (q.Run == "" || sl.Run.Name == q.Run)
}

// Slots returns the slots q selects, in order of start.
func (s *Schedule) Slots(q Query) iter.Seq[Slot] {
	return func(yield func(Slot) bool) {
		i, j := s.bounds(q)
		for _, sl := range s.slots[i:j] {
			if q.match(sl) && !yield(sl) {
				return
			}
		}
	}
}

// Count returns the number of slots q selects.
func (s *Schedule) Count(q Query) int {
	i, j := s.bounds(q)
	n := 0
	for _, sl := range s.slots[i:j] {
		if q.match(sl) {
			n++
		}
	}
	return n
}

// collect returns the slots q selects as a new slice (nil when none),
// allocating once.
func (s *Schedule) collect(q Query) []Slot {
	n := s.Count(q)
	if n == 0 {
		return nil
	}
	out := make([]Slot, 0, n)
	i, j := s.bounds(q)
	for _, sl := range s.slots[i:j] {
		if q.match(sl) {
			out = append(out, sl)
		}
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
	lo := sort.Search(len(s.byEp), func(k int) bool { return s.slots[s.byEp[k]].Episode >= n })
	hi := lo + sort.Search(len(s.byEp)-lo, func(k int) bool { return s.slots[s.byEp[lo+k]].Episode > n })
	if lo == hi {
		return nil
	}
	out := make([]Slot, hi-lo)
	for k, idx := range s.byEp[lo:hi] {
		out[k] = s.slots[idx]
	}
	return out
}

