package schedule

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/backstage-epg/backstage/internal/quote"
)

// entry is a slot as the schedule stores it: 32 bytes where a Slot takes
// 112, so a million-slot schedule fits in tens of megabytes. Times are
// whole Unix seconds (cron works in seconds, replays shift by weeks);
// Slots are made from entries as they are read.
type entry struct {
	start    int64 // Unix seconds
	first    int64 // first airing, Unix seconds; meaningful when firstRun != noRun
	replayOf int64 // historic start of a re-dated slot, Unix seconds, or noTime
	ep       int32
	run      uint16 // index into Schedule.runs
	firstRun uint16 // run of the first airing (for its zone), or noRun
}

const (
	noRun  = math.MaxUint16
	noTime = math.MinInt64
)

// maxRuns keeps run indexes within an entry's uint16.
const maxRuns = noRun - 1

// MaxSlots is the most slots a schedule may hold. It is far above any real
// broadcast history (Backstage has 3,750) and stops a mistyped rule such as
// "* * * * *" over decades from filling memory.
const MaxSlots = 5_000_000

// maxSlots is MaxSlots, lowered by tests that check the limit cheaply.
var maxSlots = MaxSlots

// New expands every run of p into slots and checks the result. Runs may
// come in any order; a replay may replay a replay. It fails, wrapping
// ErrInvalid, on a bad field (a *FieldError), on two overlapping slots on
// one channel (an *OverlapError), on a replay of an unknown run or a
// circle of replays, on a show's image or a channel's icon that
// CheckImageURL refuses, and when no run has any slot.
//
// Before it expands anything, New works out how many slots each run can
// have from its rule, dates and episodes, and refuses a plan that could
// hold more than MaxSlots (or the plan's own MaxSlots, when lower); so a
// refused plan costs next to nothing,
// however many slots it asks for, and a good one is stored in a single
// allocation.
func New(p Plan) (*Schedule, error) { return NewContext(context.Background(), p) }

// NewContext is New, except that it gives up once ctx is done: it looks
// at ctx between runs and every few thousand slots, so it stops within
// milliseconds, and then returns an error wrapping ctx.Err().
func NewContext(ctx context.Context, p Plan) (*Schedule, error) {
	if len(p.Runs) == 0 {
		return nil, invalid("no runs")
	}
	if len(p.Runs) > maxRuns {
		return nil, invalid("%d runs, more than the %d a schedule can hold", len(p.Runs), maxRuns)
	}
	if p.Location == nil {
		p.Location = p.Runs[0].Location
	}
	if !p.Revised.IsZero() && !inRange(DateOf(p.Revised.UTC())) {
		return nil, &FieldError{Field: "revised", Value: p.Revised.Format(time.RFC3339),
			Err: fmt.Errorf("want a time in the years %d to %d", MinYear, MaxYear)}
	}
	byName := make(map[string]int, len(p.Runs))
	rules := make([]*cron.SpecSchedule, len(p.Runs))
	for i, r := range p.Runs {
		rule, err := r.validate()
		if err != nil {
			return nil, err
		}
		if _, dup := byName[r.Name]; dup {
			return nil, r.fieldErr("name", r.Name, "two runs have this name")
		}
		if u := r.Show.Image; u != "" {
			if err := CheckImageURL(u); err != nil {
				return nil, invalid("show %s: image %s: %v", quote.Value(r.Show.ID), quote.Value(u), err)
			}
		}
		if u := r.Channel.Icon; u != "" {
			if err := CheckImageURL(u); err != nil {
				return nil, invalid("channel %s: icon %s: %v", quote.Value(r.Channel.ID), quote.Value(u), err)
			}
		}
		byName[r.Name] = i
		rules[i] = rule
	}
	order, src, err := replayOrder(p.Runs, byName)
	if err != nil {
		return nil, err
	}

	sizes := make([]size, len(p.Runs))
	for _, i := range order {
		if err := ctx.Err(); err != nil {
			return nil, stopped(err)
		}
		var from size
		if src[i] >= 0 {
			from = sizes[src[i]]
		}
		if sizes[i], err = sizeRun(p.Runs[i], rules[i], from); err != nil {
			return nil, err
		}
	}
	limit := maxSlots
	if p.MaxSlots > 0 {
		limit = min(limit, p.MaxSlots)
	}
	total := 0
	for i, r := range p.Runs {
		if sizes[i].slots > limit {
			return nil, r.fieldErr("slot", r.Rule, "the run would have up to %d slots, more than the %d slots a schedule may hold", sizes[i].slots, limit)
		}
		if total += sizes[i].slots; total > limit {
			return nil, r.fieldErr("slot", r.Rule, "with this run the schedule would have up to %d slots, more than the %d slots it may hold", total, limit)
		}
	}

	entries := make([]entry, 0, total)
	spans := make([][2]int, len(p.Runs)) // each run's entries, from and to
	for _, i := range order {
		r := p.Runs[i]
		next := newEpisodes(r)
		if j := src[i]; j >= 0 {
			if next, err = replayed(r, uint16(j), entries[spans[j][0]:spans[j][1]:spans[j][1]]); err != nil {
				return nil, err
			}
		}
		from := len(entries)
		if entries, err = expandRun(ctx, r, uint16(i), rules[i], next, entries); err != nil {
			return nil, err
		}
		spans[i] = [2]int{from, len(entries)}
	}
	if len(entries) == 0 {
		return nil, invalid("no run has any slot")
	}
	s := &Schedule{plan: p, entries: entries}
	if err := s.index(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// stopped wraps the error of a context that is done, for NewContext.
func stopped(err error) error { return fmt.Errorf("schedule: build stopped: %w", err) }

// replayOrder returns the indexes of runs in an order in which every
// replay comes after the run it replays, and for each run the index of
// that run (-1 for a run of new episodes). It fails on a replay of an
// unknown run and on a circle of replays. Runs come in plan order where
// they can, so errors are found in the order they were before.
func replayOrder(runs []*Run, byName map[string]int) (order, src []int, err error) {
	const (
		unseen = iota
		onPath // its replays are being placed: meeting it again is a circle
		placed
	)
	state := make([]int, len(runs))
	src = make([]int, len(runs))
	var path []string // the names on the way to the run being placed, for the error
	var place func(i int) error
	place = func(i int) error {
		r := runs[i]
		switch state[i] {
		case placed:
			return nil
		case onPath:
			return r.fieldErr("replay.run", r.Replays, "replays go round in a circle: %s", quote.Clip(fmt.Sprint(append(path[slices.Index(path, r.Name):], r.Name))))
		}
		src[i] = -1
		if r.IsReplay() {
			j, ok := byName[r.Replays]
			if !ok {
				return r.fieldErr("replay.run", r.Replays, "no run has this name")
			}
			state[i], src[i] = onPath, j
			path = append(path, r.Name)
			if err := place(j); err != nil {
				return err
			}
			path = path[:len(path)-1]
		}
		state[i] = placed
		order = append(order, i)
		return nil
	}
	for i := range runs {
		if err := place(i); err != nil {
			return nil, nil, err
		}
	}
	return order, src, nil
}

// index derives everything else from the plan and the entries: the sort
// order, the overlap check, the episode index, per-run stats, channels
// and shows. It looks at ctx between these steps.
func (s *Schedule) index(ctx context.Context) error {
	runs := s.plan.Runs
	for _, r := range runs {
		s.maxLen = max(s.maxLen, r.Length)
		if !slices.Contains(s.channels, r.Channel) {
			s.channels = append(s.channels, r.Channel)
		}
		if !slices.Contains(s.shows, r.Show) {
			s.shows = append(s.shows, r.Show)
		}
	}
	// Slots that start together sort by channel id, then run name.
	rank := make([]int, len(runs))
	order := make([]int, len(runs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(runs[a].Channel.ID, runs[b].Channel.ID), cmp.Compare(runs[a].Name, runs[b].Name))
	})
	for k, i := range order {
		rank[i] = k
	}
	slices.SortFunc(s.entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(rank[a.run], rank[b.run]))
	})
	if err := ctx.Err(); err != nil {
		return stopped(err)
	}

	latest := make(map[*Channel]int, len(s.channels)) // entry with the latest end so far
	for i := range s.entries {
		e := &s.entries[i]
		ch := runs[e.run].Channel
		if j, ok := latest[ch]; ok {
			prev := &s.entries[j]
			prevEnd := time.Unix(prev.start, 0).Add(runs[prev.run].Length)
			if time.Unix(e.start, 0).Before(prevEnd) {
				return &OverlapError{A: s.slot(prev), B: s.slot(e)}
			}
			if !time.Unix(e.start, 0).Add(runs[e.run].Length).After(prevEnd) {
				continue
			}
		}
		latest[ch] = i
	}
	if err := ctx.Err(); err != nil {
		return stopped(err)
	}
	s.byEp = make([]int32, len(s.entries))
	for i := range s.byEp {
		s.byEp[i] = int32(i)
	}
	// Stable keeps the airings of one episode in start order.
	slices.SortStableFunc(s.byEp, func(a, b int32) int {
		return cmp.Compare(s.entries[a].ep, s.entries[b].ep)
	})
	if err := ctx.Err(); err != nil {
		return stopped(err)
	}
	first := make([]int, len(runs))
	last := make([]int, len(runs))
	count := make([]int, len(runs))
	for i := range s.entries {
		r := s.entries[i].run
		if count[r] == 0 {
			first[r] = i
		}
		last[r] = i
		count[r]++
	}
	s.stats = make([]Stats, len(runs))
	for i, r := range runs {
		s.stats[i] = Stats{Run: r, Slots: count[i]}
		if count[i] > 0 {
			s.stats[i].First, s.stats[i].Last = s.slot(&s.entries[first[i]]), s.slot(&s.entries[last[i]])
		}
	}
	return nil
}

// episodeSource yields the episodes a run shows, one per call: the number,
// its first airing (the start in Unix seconds and the run, or noRun when
// this is it) and whether there is one.
type episodeSource func() (ep int, first int64, firstRun uint16, ok bool)

func newEpisodes(r *Run) episodeSource {
	n := 0
	return func() (int, int64, uint16, bool) {
		if r.Count > 0 && n == r.Count {
			return 0, 0, noRun, false
		}
		n++
		return r.FirstEpisode + n - 1, 0, noRun, true
	}
}

// replayed yields the episodes of run src (index si, expanded to entries)
// that r replays.
func replayed(r *Run, si uint16, src []entry) (episodeSource, error) {
	i := slices.IndexFunc(src, func(e entry) bool { return int(e.ep) == r.ReplayFrom })
	if i < 0 {
		return nil, r.fieldErr("replay.from", fmt.Sprint(r.ReplayFrom), "run %s never airs this episode", quote.Value(r.Replays))
	}
	if r.ReplayTo != 0 && !slices.ContainsFunc(src[i:], func(e entry) bool { return int(e.ep) == r.ReplayTo }) {
		return nil, r.fieldErr("replay.to", fmt.Sprint(r.ReplayTo), "run %s never airs this episode after episode %d", quote.Value(r.Replays), r.ReplayFrom)
	}
	done := false
	return func() (int, int64, uint16, bool) {
		if done || i == len(src) {
			return 0, 0, noRun, false
		}
		e := &src[i]
		i++
		done = int(e.ep) == r.ReplayTo
		if e.firstRun == noRun {
			return int(e.ep), e.start, si, true // src's airing is the first
		}
		return int(e.ep), e.first, e.firstRun, true
	}, nil
}

// expandRun appends the entries of run r (index ri) to out: on each day
// from its first to its last (or the end of MaxYear, which a run with
// episodes left may not pass) that rule matches, bar its exceptions, the
// times of day rule matches, until its episodes run out. A time the
// clocks skip that day does not air (its episode moves on), and one they
// repeat airs once, at the first (see wallTime). It walks the months and
// the matching days rather than asking cron for one match after another,
// which steps through every second, minute and hour in between: so the
// cost is a few operations a slot, whatever the rule.
func expandRun(ctx context.Context, r *Run, ri uint16, rule *cron.SpecSchedule, next episodeSource, out []entry) ([]entry, error) {
	skip := make(map[Date]bool, len(r.Exceptions))
	for _, d := range r.Exceptions {
		skip[d] = true
	}
	times := perDay(rule)
	first, last := r.First, r.lastDay()
	for y, m := first.Year, first.Month; ; {
		if err := ctx.Err(); err != nil {
			return nil, stopped(err)
		}
		days := monthDays(rule, y, m) & daysBetween(y, m, first, last)
		for ; days != 0; days &= days - 1 {
			d := Date{y, m, bits.TrailingZeros32(days)}
			if skip[d] {
				continue
			}
			for i, sec := range times {
				if i%4096 == 4095 {
					if err := ctx.Err(); err != nil {
						return nil, stopped(err)
					}
				}
				t, ok := wallTime(d, sec, r.Location)
				if !ok {
					continue
				}
				// sizeRun has counted the slots already; these checks only
				// keep a miscount from wrapping a number or filling memory.
				if len(out) == maxSlots {
					return nil, r.fieldErr("slot", r.Rule, "the schedule would have more than %d slots", maxSlots)
				}
				ep, firstAt, firstRun, ok := next()
				if !ok {
					return out, nil
				}
				if ep > MaxEpisode {
					return nil, r.fieldErr("episodes.first", fmt.Sprint(r.FirstEpisode), "the run would number episodes past %d", MaxEpisode)
				}
				if firstRun != noRun && t.Unix() < firstAt {
					return nil, r.fieldErr("first", r.First.String(), "it would air episode %d on %s, before its first airing on %s",
						ep, t.Format("2006-01-02 15:04"), time.Unix(firstAt, 0).In(r.Location).Format("2006-01-02 15:04"))
				}
				out = append(out, entry{start: t.Unix(), first: firstAt, replayOf: noTime, ep: int32(ep), run: ri, firstRun: firstRun})
			}
		}
		if y == last.Year && m == last.Month {
			break
		}
		if m++; m > time.December {
			y, m = y+1, time.January
		}
	}
	if _, _, _, more := next(); more && r.Last.IsZero() {
		return nil, r.pastMaxYear()
	}
	return out, nil
}
