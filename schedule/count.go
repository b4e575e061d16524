package schedule

import (
	"math/bits"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"
)

// starBit is the bit cron sets in a field written "*" or "?".
const starBit = 1 << 63

// countSlots returns the number of times rule matches on the days first
// through last: the days its month, day-of-month and day-of-week fields
// match (as cron reads them), times the times of day its other fields
// allow. It is exact in a zone without clock changes and an upper bound
// in one with them, since expandRun airs each wall-clock time once. It
// costs a few operations per month, however many slots it counts.
func countSlots(rule *cron.SpecSchedule, first, last Date) int {
	perDay := bits.OnesCount64(rule.Second&^starBit) * bits.OnesCount64(rule.Minute&^starBit) * bits.OnesCount64(rule.Hour&^starBit)
	if perDay == 0 || last.Before(first) {
		return 0
	}
	// Day-of-month and day-of-week must both match when either is "*",
	// and either may match otherwise: cron's dayMatches.
	both := rule.Dom&starBit != 0 || rule.Dow&starBit != 0
	matches := func(day int, wd int) bool {
		dom, dow := rule.Dom&(1<<day) != 0, rule.Dow&(1<<wd) != 0
		if both {
			return dom && dow
		}
		return dom || dow
	}
	// inMonth[n-28][w] counts the matching days of a whole month of n
	// days whose first day falls on weekday w.
	var inMonth [4][7]int
	for n := 28; n <= 31; n++ {
		for w := range 7 {
			for d := 1; d <= n; d++ {
				if matches(d, (w+d-1)%7) {
					inMonth[n-28][w]++
				}
			}
		}
	}
	days := 0
	y, m := first.Year, first.Month
	w := int(Date{y, m, 1}.Weekday())
	for {
		n := daysIn(y, m)
		if rule.Month&(1<<m) != 0 {
			lo, hi := 1, n
			if y == first.Year && m == first.Month {
				lo = first.Day
			}
			if y == last.Year && m == last.Month {
				hi = last.Day
			}
			if lo == 1 && hi == n {
				days += inMonth[n-28][w]
			} else {
				for d := lo; d <= hi; d++ {
					if matches(d, (w+d-1)%7) {
						days++
					}
				}
			}
		}
		if y == last.Year && m == last.Month {
			return days * perDay
		}
		w = (w + n) % 7
		if m++; m > time.December {
			y, m = y+1, time.January
		}
	}
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// size is what a run can hold at most, worked out before it is expanded.
type size struct {
	slots  int
	lo, hi int // the episodes it can show: lo to hi, none when hi < lo
}

// sizeRun returns the most slots run r can have, and the episodes it can
// show, from its rule, its dates and its episode supply: the size of the
// run it replays, src, for a replay. Within a run, episodes are numbered
// one after another (new ones count up; a replay shows a stretch of
// another run's), so a range of numbers says how many there are. It
// fails when r would go on past the end of MaxYear or number an episode
// past MaxEpisode, which no run may do.
func sizeRun(r *Run, rule *cron.SpecSchedule, src size) (size, error) {
	n := countSlots(rule, r.First, r.lastDay())
	if r.IsReplay() {
		lo, hi := max(r.ReplayFrom, src.lo), src.hi
		if r.ReplayTo != 0 {
			hi = min(hi, r.ReplayTo)
		}
		n = min(n, max(hi-lo+1, 0))
		return size{slots: n, lo: r.ReplayFrom, hi: r.ReplayFrom + n - 1}, nil
	}
	if r.Count > 0 {
		if r.Last.IsZero() && r.Count > n {
			return size{}, r.pastMaxYear()
		}
		n = min(n, r.Count)
	}
	if n-1 > MaxEpisode-r.FirstEpisode {
		return size{}, r.fieldErr("episodes.first", strconv.Itoa(r.FirstEpisode), "with up to %d slots the run would number episodes past %d", n, MaxEpisode)
	}
	return size{slots: n, lo: r.FirstEpisode, hi: r.FirstEpisode + n - 1}, nil
}

// pastMaxYear is the error for a run with no last date that would air
// past the end of MaxYear.
func (r *Run) pastMaxYear() error {
	return r.fieldErr("last", "", "the run would go on past %d-12-31, the last day a schedule may reach: give it a last date", MaxYear)
}
