package schedule

import (
	"math/bits"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"
)

// starBit is the bit cron sets in a field written "*" or "?".
const starBit = 1 << 63

// weekDays[j] has bit d set for the days d of a month (1 to 31) that fall
// j days of the week after the 1st.
var weekDays = func() (m [7]uint32) {
	for d := 1; d <= 31; d++ {
		m[(d-1)%7] |= 1 << d
	}
	return m
}()

// monthDays returns the days of month m of year y that rule matches by
// its month, day-of-month and day-of-week fields, as cron reads them: bit
// d for day d. Day-of-month and day-of-week must both match when either
// is "*", and either may match otherwise (cron's dayMatches).
func monthDays(rule *cron.SpecSchedule, y int, m time.Month) uint32 {
	if rule.Month&(1<<m) == 0 {
		return 0
	}
	n := daysIn(y, m)
	all := uint32(1)<<(n+1) - 2 // days 1 to n
	dom := uint32(rule.Dom) & all
	w := int(Date{y, m, 1}.Weekday())
	var dow uint32
	for wd := range 7 {
		if rule.Dow&(1<<wd) != 0 {
			dow |= weekDays[(wd-w+7)%7]
		}
	}
	dow &= all
	if rule.Dom&starBit != 0 || rule.Dow&starBit != 0 {
		return dom & dow
	}
	return dom | dow
}

// daysBetween returns the bits of monthDays for the days of month m of
// year y that fall from first through last.
func daysBetween(y int, m time.Month, first, last Date) uint32 {
	lo, hi := 1, 31
	if y == first.Year && m == first.Month {
		lo = first.Day
	}
	if y == last.Year && m == last.Month {
		hi = last.Day
	}
	return uint32(1)<<(hi+1) - uint32(1)<<lo
}

// perDay returns the times of day rule matches on a day it matches, in
// seconds after midnight, in order.
func perDay(rule *cron.SpecSchedule) []int {
	var out []int
	for hs := rule.Hour &^ starBit; hs != 0; hs &= hs - 1 {
		for ms := rule.Minute &^ starBit; ms != 0; ms &= ms - 1 {
			for ss := rule.Second &^ starBit; ss != 0; ss &= ss - 1 {
				out = append(out, bits.TrailingZeros64(hs)*3600+bits.TrailingZeros64(ms)*60+bits.TrailingZeros64(ss))
			}
		}
	}
	return out
}

// countSlots returns the number of times rule matches on the days first
// through last: the days its month, day-of-month and day-of-week fields
// match, times the times of day its other fields allow. It is exact in a
// zone without clock changes and an upper bound in one with them, since
// a time the clocks skip does not air and one they repeat airs once. It
// costs a few operations per month, however many slots it counts.
func countSlots(rule *cron.SpecSchedule, first, last Date) int {
	per := bits.OnesCount64(rule.Second&^starBit) * bits.OnesCount64(rule.Minute&^starBit) * bits.OnesCount64(rule.Hour&^starBit)
	if per == 0 || last.Before(first) {
		return 0
	}
	days := 0
	for y, m := first.Year, first.Month; ; {
		days += bits.OnesCount32(monthDays(rule, y, m) & daysBetween(y, m, first, last))
		if y == last.Year && m == last.Month {
			return days * per
		}
		if m++; m > time.December {
			y, m = y+1, time.January
		}
	}
}

// wallTime returns the first instant at which a clock in loc reads the
// time of day sec (seconds after midnight) on day d, and false when it
// never does, the clocks having skipped it.
func wallTime(d Date, sec int, loc *time.Location) (time.Time, bool) {
	h, m, s := sec/3600, sec/60%60, sec%60
	t := time.Date(d.Year, d.Month, d.Day, h, m, s, 0, loc)
	_, off := t.Zone()
	_, before := t.Add(-26 * time.Hour).Zone()
	_, after := t.Add(26 * time.Hour).Zone()
	if off == before && off == after && t.Hour() == h && t.Minute() == m && t.Second() == s {
		return t, true // no change of clocks near: the common case
	}
	// time.Date picks one reading of a repeated time, and moves a
	// skipped one: try the offsets in force around the day.
	wall := time.Date(d.Year, d.Month, d.Day, h, m, s, 0, time.UTC).Unix()
	var first time.Time
	for _, o := range [...]int{before, off, after} {
		c := time.Unix(wall-int64(o), 0).In(loc)
		if y, mo, dd := c.Date(); y != d.Year || mo != d.Month || dd != d.Day || c.Hour() != h || c.Minute() != m || c.Second() != s {
			continue
		}
		if first.IsZero() || c.Before(first) {
			first = c
		}
	}
	return first, !first.IsZero()
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
