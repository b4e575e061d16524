package feeds

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// icalRecurrence is how a compact calendar writes a run's airings: one
// event recurring by rule (an RRULE value) from the first airing, less
// exdates, plus an event of its own for each airing in extra (indexes
// into the run's airings) that the rule does not give.
//
// A run's slot rule is a cron spec, which RRULE cannot always say (cron
// reads day-of-month and day-of-week as "either", RRULE as "both"), and
// pre-emptions and windows cut into it. So the rule is not translated
// from the spec: it is derived from the airings themselves. Each
// candidate rule (weekly by weekday or monthly by a few days of the
// month, each with or without the months seen, at the hours, minutes and
// seconds seen) is expanded over the airings' span and compared with
// them, and the one that costs fewest bytes wins, so long as it needs
// fewer EXDATEs than half the airings. The comparison is the verification: what
// is written expands to exactly the airings, by construction.
//
// Airings the rule misses get events of their own rather than RDATEs:
// Google Calendar and Outlook are reported to ignore RDATE, and ical.js
// leaves out DTSTART when an event has RDATEs and no RRULE.
type icalRecurrence struct {
	rule    []byte
	exdates []icalFields // wall-clock values the rule gives that are not airings
	extra   []int
}

// Rough sizes in bytes, to weigh candidates: an EXDATE value, a value
// of a BYDAY or BYMONTH list, and an event of its own. A BYMONTHDAY
// value is weighed as an EXDATE: over a short window a monthly rule can
// list every date aired, which is exact and shorter but no pattern.
const (
	icalCostExdate = 16
	icalCostList   = 3
	icalCostEvent  = 400
)

// icalMaxMonthDays is the most days of the month a monthly rule may list.
const icalMaxMonthDays = 7

// icalKeyed is one instance, as a sortable key (Unix seconds, or a day
// number for dates), with the wall-clock value written for it.
type icalKeyed struct {
	key int64
	f   icalFields
}

// icalObserved is what the airings have in common: the weekdays, days of
// the month, months, hours, minutes and seconds they fall on.
type icalObserved struct {
	weekdays              [7]bool
	mdays                 [32]bool
	months                [13]bool
	hours                 [24]bool
	minutes, seconds      [60]bool
	nWeekdays, nMdays     int
	nMonths               int
	nHours, nMin, nSecond int
}

func (o *icalObserved) add(f icalFields, wd time.Weekday) {
	mark := func(set []bool, i int, n *int) {
		if !set[i] {
			set[i] = true
			*n++
		}
	}
	mark(o.weekdays[:], int(wd), &o.nWeekdays)
	mark(o.mdays[:], f.day, &o.nMdays)
	mark(o.months[:], int(f.month), &o.nMonths)
	mark(o.hours[:], f.hour, &o.nHours)
	mark(o.minutes[:], f.min, &o.nMin)
	mark(o.seconds[:], f.sec, &o.nSecond)
}

// icalCandidate is one shape of rule: by weekday (FREQ=WEEKLY, or DAILY
// when every weekday is in) or by day of the month (FREQ=MONTHLY), and
// whether BYMONTH limits it.
type icalCandidate struct {
	monthly, byMonth bool
}

// icalRecur derives the recurrence for airings starting at starts (Unix
// seconds, sorted, as a compact calendar keeps them) in loc. With allDay the instances are the airings' local
// dates. It reports false when no rule is worth it, or, with allDay, two
// airings share a date (a recurrence set holds a date once): the airings
// are then best written as events of their own.
func icalRecur(starts []int64, loc *time.Location, allDay bool) (icalRecurrence, bool) {
	if len(starts) < 2 {
		return icalRecurrence{}, false
	}
	actual := make([]icalKeyed, len(starts))
	weekdays := make([]time.Weekday, len(starts))
	for i, u := range starts {
		lt := time.Unix(u, 0).In(loc)
		f := icalFieldsOf(lt)
		if allDay {
			f.hour, f.min, f.sec = 0, 0, 0
			actual[i] = icalKeyed{icalDayNumber(f), f}
			if i > 0 && actual[i].key == actual[i-1].key {
				return icalRecurrence{}, false
			}
		} else {
			actual[i] = icalKeyed{u, f}
		}
		weekdays[i] = lt.Weekday()
	}
	if _, ok := icalLocal(actual[0].f, loc); !ok && !allDay {
		return icalRecurrence{}, false // DTSTART itself would be written in UTC
	}

	// Rules are fitted to all the airings, and to those at the first
	// one's time of day, leaving the others to events of their own: a run
	// at 18:30 on weekdays with one special at noon is the weekday rule
	// and one event.
	var all, main icalObserved
	last := 0
	f0 := actual[0].f
	for i, a := range actual {
		all.add(a.f, weekdays[i])
		if a.f.hour == f0.hour && a.f.min == f0.min && a.f.sec == f0.sec {
			main.add(a.f, weekdays[i])
			last = i
		}
	}
	fits := []struct {
		obs  *icalObserved
		last int
	}{{&all, len(actual) - 1}}
	if main != all {
		fits = append(fits, struct {
			obs  *icalObserved
			last int
		}{&main, last})
	}

	// Every airing as an event of its own; a rule must cost less.
	var best icalRecurrence
	bestCost := len(starts) * icalCostEvent
	found := false
	for _, fit := range fits {
		obs := fit.obs
		for _, c := range []icalCandidate{{}, {byMonth: true}, {monthly: true}, {monthly: true, byMonth: true}} {
			if c.byMonth && obs.nMonths == 12 || c.monthly && obs.nMdays == 31 {
				continue // the same as the candidate without the limit
			}
			if c.monthly && obs.nMdays > icalMaxMonthDays {
				continue // not a monthly pattern, a list of dates
			}
			cost := icalCostEvent // the recurring event
			if c.monthly {
				cost += obs.nMdays * icalCostExdate
			} else if obs.nWeekdays < 7 {
				cost += obs.nWeekdays * icalCostList
			}
			if c.byMonth {
				cost += obs.nMonths * icalCostList
			}
			limit := len(actual) + min((bestCost-cost)/icalCostExdate, len(actual)/2)
			gen, ok := c.expand(actual[0], actual[fit.last], obs, loc, allDay, limit)
			if !ok {
				continue
			}
			var rec icalRecurrence
			i, j := 0, 0
			for i < len(gen) || j < len(actual) {
				switch {
				case j == len(actual) || i < len(gen) && gen[i].key < actual[j].key:
					rec.exdates = append(rec.exdates, gen[i].f)
					i++
				case i == len(gen) || actual[j].key < gen[i].key:
					rec.extra = append(rec.extra, j)
					j++
				default:
					i++
					j++
				}
			}
			// A rule with more exceptions than airings describes nothing.
			if len(rec.exdates) > len(actual)/2 {
				continue
			}
			if cost += len(rec.exdates)*icalCostExdate + len(rec.extra)*icalCostEvent; cost < bestCost {
				rec.rule = c.rule(obs, actual[fit.last].f, loc, allDay)
				best, bestCost, found = rec, cost, true
			}
		}
	}
	return best, found
}

// expand returns the instances of c from first up to the end of last's
// day, sorted by key: the rule's UNTIL is the end of that day (see rule),
// so instances after last on its day are the rule's too, and need
// EXDATEs. It gives up, reporting false, once there are more than limit,
// or at a wall-clock time that does not exist or exists twice because
// the clocks change: consumers differ on where such an instance lands.
func (c icalCandidate) expand(first, last icalKeyed, obs *icalObserved, loc *time.Location, allDay bool, limit int) ([]icalKeyed, bool) {
	var out []icalKeyed
	d := schedule.Date{Year: first.f.year, Month: first.f.month, Day: first.f.day}
	end := schedule.Date{Year: last.f.year, Month: last.f.month, Day: last.f.day}
	for ; !d.After(end); d = d.AddDays(1) {
		if c.byMonth && !obs.months[d.Month] ||
			c.monthly && !obs.mdays[d.Day] ||
			!c.monthly && !obs.weekdays[d.Weekday()] {
			continue
		}
		f := icalFields{year: d.Year, month: d.Month, day: d.Day}
		if allDay {
			out = append(out, icalKeyed{icalDayNumber(f), f})
		} else {
			for f.hour = range 24 {
				if !obs.hours[f.hour] {
					continue
				}
				for f.min = range 60 {
					if !obs.minutes[f.min] {
						continue
					}
					for f.sec = range 60 {
						if !obs.seconds[f.sec] {
							continue
						}
						t, ok := icalLocal(f, loc)
						if !ok {
							return nil, false
						}
						if k := t.Unix(); first.key <= k {
							out = append(out, icalKeyed{k, f})
						}
					}
				}
			}
		}
		if len(out) > limit {
			return nil, false
		}
	}
	slices.SortFunc(out, func(a, b icalKeyed) int { return cmp.Compare(a.key, b.key) })
	return out, true
}

// rule writes c as an RRULE value ending on lastDay, the local date of
// the last airing it gives. For dates UNTIL is that date. For times it is
// the last second of that day in loc, written in UTC as RFC 5545 wants
// when DTSTART has a TZID (see icalUntil). BYHOUR, BYMINUTE and BYSECOND
// are left out when they have one value, which DTSTART gives.
func (c icalCandidate) rule(obs *icalObserved, lastDay icalFields, loc *time.Location, allDay bool) []byte {
	var b []byte
	switch {
	case c.monthly:
		b = append(b, "FREQ=MONTHLY"...)
	case obs.nWeekdays == 7:
		b = append(b, "FREQ=DAILY"...)
	default:
		b = append(b, "FREQ=WEEKLY"...)
	}
	b = append(b, ";UNTIL="...)
	if allDay {
		b = appendICalDate(b, lastDay)
	} else {
		b = appendICalUTC(b, icalUntil(lastDay, loc))
	}
	list := func(name string, set []bool, label func(i int) []byte) {
		sep := byte('=')
		b = append(b, ';')
		b = append(b, name...)
		for i, in := range set {
			if in {
				b = append(b, sep)
				b = append(b, label(i)...)
				sep = ','
			}
		}
	}
	number := func(i int) []byte { return strconv.AppendInt(nil, int64(i), 10) }
	if c.byMonth {
		list("BYMONTH", obs.months[:], number)
	}
	if c.monthly {
		list("BYMONTHDAY", obs.mdays[:], number)
	} else if obs.nWeekdays < 7 {
		// Monday first, as people read a week.
		week := []bool{obs.weekdays[1], obs.weekdays[2], obs.weekdays[3], obs.weekdays[4], obs.weekdays[5], obs.weekdays[6], obs.weekdays[0]}
		list("BYDAY", week, func(i int) []byte { return []byte([]string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}[i]) })
	}
	if !allDay {
		if obs.nHours > 1 {
			list("BYHOUR", obs.hours[:], number)
		}
		if obs.nMin > 1 {
			list("BYMINUTE", obs.minutes[:], number)
		}
		if obs.nSecond > 1 {
			list("BYSECOND", obs.seconds[:], number)
		}
	}
	return b
}

// icalUntil returns the UNTIL of a timed rule whose last airing falls on
// the local date of day in loc: the last second of that day, the instant
// before the next day begins.
//
// UNTIL at the last airing's own start would be exact under RFC 5545,
// which compares instants. But widely used recurrence libraries compare
// UNTIL, a UTC time, with the local wall-clock time of each instance, and
// east of UTC they then drop the last airing of every run (3,748 of the
// default schedule's 3,750). At the end of the day the comparison comes
// out right either way, and under RFC 5545 the rule selects the same
// airings: any later instance the rule gives on that day is an EXDATE.
func icalUntil(day icalFields, loc *time.Location) time.Time {
	next := schedule.Date{Year: day.year, Month: day.month, Day: day.day}.AddDays(1)
	return next.In(loc).Add(-time.Second)
}

// icalDayNumber numbers the day of f: consecutive days, consecutive numbers.
func icalDayNumber(f icalFields) int64 {
	return time.Date(f.year, f.month, f.day, 12, 0, 0, 0, time.UTC).Unix() / 86400
}
