package schedule

import (
	"context"
	"slices"
	"testing"
	"time"
)

// clockStarts returns the instants at which rule matches from day first
// through day last in loc, worked out another way than expandRun: over
// each stretch of time with one UTC offset (time.Time.ZoneBounds), the
// wall-clock readings the stretch covers that rule matches, each reading
// at its first instant. It is slow, and plainly right.
func clockStarts(t *testing.T, spec string, loc *time.Location, first, last Date) []int64 {
	t.Helper()
	rule, err := parseRule(spec)
	if err != nil {
		t.Fatal(err)
	}
	dayMatches := func(d time.Time) bool {
		dom, dow := rule.Dom&(1<<d.Day()) != 0, rule.Dow&(1<<d.Weekday()) != 0
		if rule.Dom&starBit != 0 || rule.Dow&starBit != 0 {
			return dom && dow && rule.Month&(1<<d.Month()) != 0
		}
		return (dom || dow) && rule.Month&(1<<d.Month()) != 0
	}
	lo := time.Date(first.Year, first.Month, first.Day, 0, 0, 0, 0, time.UTC)
	hi := time.Date(last.Year, last.Month, last.Day+1, 0, 0, 0, 0, time.UTC)
	at := map[int64]int64{} // wall reading, as if UTC → first instant
	for s := lo.Add(-48 * time.Hour).In(loc); s.Before(hi.Add(48 * time.Hour)); {
		start, end := s.ZoneBounds()
		if start.IsZero() || start.Before(s) {
			start = s // the stretch began before the days asked about
		}
		if end.IsZero() {
			end = hi.Add(48 * time.Hour)
		}
		_, off := s.Zone()
		shift := time.Duration(off) * time.Second
		from, to := start.UTC().Add(shift), end.UTC().Add(shift) // the readings of [start, end)
		for d := from.Truncate(24 * time.Hour); d.Before(to); d = d.Add(24 * time.Hour) {
			if !dayMatches(d) {
				continue
			}
			for h := range 24 {
				for m := range 60 {
					if rule.Hour&(1<<h) == 0 || rule.Minute&(1<<m) == 0 {
						continue
					}
					w := d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
					if w.Before(from) || !w.Before(to) || w.Before(lo) || !w.Before(hi) {
						continue
					}
					inst := w.Add(-shift).Unix()
					if prev, ok := at[w.Unix()]; !ok || inst < prev {
						at[w.Unix()] = inst
					}
				}
			}
		}
		s = end.In(loc)
	}
	var out []int64
	for _, w := range slices.Sorted(func(yield func(int64) bool) {
		for w := range at {
			if !yield(w) {
				return
			}
		}
	}) {
		out = append(out, at[w])
	}
	return out
}

// TestExpandByTheClock: the slots expandRun makes are the readings of a
// clock in the run's zone that the rule matches, each at the first
// instant the clock shows it: in zones whose clocks change by an hour,
// half an hour or a whole day, at midnight or at 2 a.m., and in the years
// of local mean time (offsets with seconds). (cron's Next, which
// expandRun used to call, differs on some of these days: it misses
// midnights and 18:30s on days whose clocks change at midnight, finds a
// Sunday for a Friday rule, and loops for ever on some.)
func TestExpandByTheClock(t *testing.T) {
	zones := []string{"UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo",
		"Pacific/Apia", "Asia/Tehran", "Africa/Casablanca", "Europe/Amsterdam", "Pacific/Kwajalein"}
	specs := []string{"30 18 * * 1-5", "*/20 0-3 * * *", "30 2 * * *", "0 0 * * *", "59 23 * * 0",
		"15,45 1 1,15 * 5", "0 12 29 2 *", "0 0 31 * *", "30 * * 3,10 *"}
	spans := [][2]string{{"1908-12-01", "1911-01-31"}, {"1935-03-01", "1937-06-30"}, {"1993-01-01", "1994-12-31"}, {"2011-01-01", "2012-12-31"}}
	for _, zone := range zones {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range specs {
			rule, err := parseRule(spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, span := range spans {
				first, _ := ParseDate(span[0])
				last, _ := ParseDate(span[1])
				want := clockStarts(t, spec, loc, first, last)
				r := &Run{Name: "r", Show: &Show{ID: "s", Title: "S"}, Channel: &Channel{ID: "c"}, Rule: spec, Location: loc,
					First: first, Last: last, Length: time.Second, FirstEpisode: 1}
				got, err := expandRun(context.Background(), r, 0, rule, newEpisodes(r), nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Errorf("%s %q %s: %d slots, the clock shows %d", zone, spec, span, len(got), len(want))
				}
				for i := range min(len(got), len(want)) {
					if got[i].start != want[i] {
						t.Errorf("%s %q %s: slot %d at %v, the clock's is %v", zone, spec, span, i,
							time.Unix(got[i].start, 0).In(loc), time.Unix(want[i], 0).In(loc))
						break
					}
				}
				if n := countSlots(rule, first, last); n < len(got) {
					t.Errorf("%s %q %s: countSlots %d, fewer than the %d slots", zone, spec, span, n, len(got))
				}
			}
		}
	}
}
