package schedule_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// TestCountSlots checks the count New refuses plans by against the slots
// New makes: equal in UTC, and never fewer where clocks change.
func TestCountSlots(t *testing.T) {
	lon := testkit.Location(t, "Europe/London")
	for _, c := range []struct {
		spec, first, last string
	}{
		{"30 18 * * 1-5", "2000-05-01", "2007-07-06"},
		{"* * * * *", "2003-06-16", "2003-06-17"},
		{"*/7 3-5 * 1,6 *", "2001-12-30", "2003-06-02"},
		{"0 12 1,15 * 1", "2003-01-01", "2004-12-31"}, // day of month or Monday
		{"0 12 1-7 * 5", "2003-02-11", "2003-03-20"},  // from and to in the middle of months
		{"0 0 29 2 *", "1996-01-01", "2012-12-31"},    // leap days
		{"0 0 31 * *", "1999-11-30", "2001-01-31"},
		{"15 9 ? * SUN", "2000-01-01", "2000-01-01"}, // a Saturday: none
		{"0 0 * * 0,6", "2000-01-01", "2000-01-02"},
		{"0 0 1 1 *", "1900-01-01", "2200-12-31"},
		{"0 0 30 2 *", "2000-01-01", "2000-12-31"}, // never
	} {
		t.Run(c.spec+" "+c.first, func(t *testing.T) {
			first, last := date(c.first), date(c.last)
			got := schedule.CountSlots(c.spec, first, last)
			want := 0
			if s, err := build1(c.spec, time.UTC, first, last); err == nil {
				want = s.Len()
			}
			if got != want {
				t.Errorf("CountSlots(%q, %s, %s) = %d, want %d, the slots New makes in UTC", c.spec, c.first, c.last, got, want)
			}
			if s, err := build1(c.spec, lon, first, last); err == nil && got < s.Len() {
				t.Errorf("CountSlots(%q, %s, %s) = %d, fewer than the %d slots New makes in London", c.spec, c.first, c.last, got, s.Len())
			}
		})
	}
}

// build1 builds a plan of one run of new episodes.
func build1(spec string, loc *time.Location, first, last schedule.Date) (*schedule.Schedule, error) {
	p := newPlan()
	return schedule.New(schedule.Plan{Runs: []*schedule.Run{{
		Name: "r", Show: p.show, Channel: p.channel, Rule: spec, Location: loc,
		First: first, Last: last, Length: time.Second, FirstEpisode: 1,
	}}})
}

// TestRefusedCheaply checks that plans New refuses for their size are
// refused before their slots are made: each would take hundreds of
// megabytes and seconds to expand, and must be refused with a few
// kilobytes. (The allocation bound is loose; a test asserts no time.)
func TestRefusedCheaply(t *testing.T) {
	show := &schedule.Show{ID: "s", Title: "S"}
	ch := func(id string) *schedule.Channel { return &schedule.Channel{ID: id} }
	run := func(name, channel, first, last string) *schedule.Run {
		r := &schedule.Run{Name: name, Show: show, Channel: ch(channel), Rule: "* * * * *", Location: time.UTC,
			Length: time.Minute, FirstEpisode: 1}
		if first != "" {
			r.First = date(first)
		}
		if last != "" {
			r.Last = date(last)
		}
		return r
	}
	replay := func(name, channel, of string) *schedule.Run {
		r := run(name, channel, "2020-01-01", "")
		r.Replays, r.ReplayFrom = of, 1
		return r
	}
	counted := func(r *schedule.Run, n int) *schedule.Run { r.Count = n; return r }
	yearZero := run("a", "c", "", "")
	yearZero.First, yearZero.Last = schedule.Date{Year: 0, Month: 1, Day: 1}, schedule.Date{Year: 0, Month: 12, Day: 31}
	wrap := run("a", "c", "2000-01-01", "2030-12-31")
	wrap.FirstEpisode = schedule.MaxEpisode - 1
	for _, c := range []struct {
		name string
		runs []*schedule.Run
		want string
	}{
		{"every minute 2000 to 2030", []*schedule.Run{run("a", "c", "2000-01-01", "2030-12-31")}, "up to 16305120 slots"},
		{"three replays chained on 4.9M episodes", []*schedule.Run{
			replay("r3", "f", "r2"), replay("r2", "e", "r1"), replay("r1", "d", "a"), counted(run("a", "c", "2000-01-01", ""), 4_900_000),
		}, `run "r2"`},
		{"last 0000-12-31 in UTC", []*schedule.Run{yearZero}, "years 1900 to 2200"},
		{"count past 2200", []*schedule.Run{counted(run("a", "c", "2200-06-01", ""), 4_000_000)}, "past 2200-12-31"},
		{"episodes wrap", []*schedule.Run{wrap}, "past 2147483647"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := schedule.New(schedule.Plan{Runs: c.runs})
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("refused with %d bytes allocated: %v", alloc, err)
			if alloc > 1<<20 {
				t.Errorf("allocated %d bytes to refuse it, want at most 1 MiB", alloc)
			}
		})
	}
}

// countingCtx is a context whose Err counts its calls and reports
// Canceled from call number doneAt on (never, when doneAt is 0).
type countingCtx struct {
	context.Context
	calls, doneAt int
}

func (c *countingCtx) Err() error {
	c.calls++
	if c.doneAt > 0 && c.calls >= c.doneAt {
		return context.Canceled
	}
	return nil
}

// TestNewContext checks that building looks at its context every few
// thousand slots, and stops at the first look once it is done.
func TestNewContext(t *testing.T) {
	p := newPlan()
	plan := func() schedule.Plan {
		// 20,160 slots: every minute for 14 days.
		return schedule.Plan{Runs: []*schedule.Run{p.run("r", "* * * * *", time.UTC, "2003-01-01", "2003-01-14", time.Minute)}}
	}
	full := &countingCtx{Context: context.Background()}
	s, err := schedule.NewContext(full, plan())
	if err != nil {
		t.Fatal(err)
	}
	if min := s.Len() / 4096; full.calls < min {
		t.Errorf("building %d slots looked at the context %d times, want at least %d (every 4096 slots)", s.Len(), full.calls, min)
	}
	for _, doneAt := range []int{1, 2, full.calls / 2, full.calls} {
		ctx := &countingCtx{Context: context.Background(), doneAt: doneAt}
		s, err := schedule.NewContext(ctx, plan())
		if !errors.Is(err, context.Canceled) || s != nil {
			t.Errorf("done at look %d: got a schedule %t, error %v; want none and an error wrapping context.Canceled", doneAt, s != nil, err)
		}
		if ctx.calls != doneAt {
			t.Errorf("done at look %d: looked %d times, want it to stop at the first look once done", doneAt, ctx.calls)
		}
	}
}
