package feeds

import (
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"
)

// icalZone is a time zone a calendar names in TZID parameters, and the
// span of instants it writes in that zone.
type icalZone struct {
	loc      *time.Location
	tzid     string
	param    []byte // ";TZID=...", ready to append
	from, to time.Time
	fixed    bool // one UTC offset over the whole span; set by vtimezone
}

// icalTZID returns the TZID for loc: its IANA name.
func icalTZID(loc *time.Location) string {
	if name := loc.String(); name != "" {
		return name
	}
	return "Unnamed" // time.FixedZone("", ...) has no name
}

func newICalZone(loc *time.Location) *icalZone {
	tzid := icalTZID(loc)
	return &icalZone{loc: loc, tzid: tzid, param: appendICalParam([]byte(";TZID="), tzid)}
}

// cover widens z's span to take in [from, to].
func (z *icalZone) cover(from, to time.Time) {
	if z.from.IsZero() || from.Before(z.from) {
		z.from = from
	}
	if z.to.IsZero() || to.After(z.to) {
		z.to = to
	}
}

// appendTime appends t as a DATE-TIME value with its parameters:
// ";TZID=Africa/Johannesburg:20000501T183000". A local time the zone
// shows twice, when the clocks go back, is written in UTC instead: RFC
// 5545 reads it as the first of the two instants, but ical.js and
// python3-icalendar read it as the second. A nil zone writes UTC.
func (z *icalZone) appendTime(b []byte, t time.Time) []byte {
	if z == nil {
		return appendICalUTC(append(b, ':'), t)
	}
	f := icalFieldsOf(t.In(z.loc))
	if !z.fixed {
		if _, ok := icalLocal(f, z.loc); !ok {
			return appendICalUTC(append(b, ':'), t)
		}
	}
	b = append(b, z.param...)
	return appendICalDateTime(append(b, ':'), f)
}

// icalLocal returns the instant local time f stands for in loc. It
// reports false when there is no such instant (the clocks go forward
// over f) or there are two (they go back over it): consumers do not
// agree on what such a time means.
func icalLocal(f icalFields, loc *time.Location) (time.Time, bool) {
	t := time.Date(f.year, f.month, f.day, f.hour, f.min, f.sec, 0, loc)
	if icalFieldsOf(t) != f {
		return t, false
	}
	_, cur := t.Zone()
	start, end := t.ZoneBounds()
	if !start.IsZero() {
		// An earlier instant in the period before, with a larger offset?
		if _, prev := start.Add(-time.Second).Zone(); prev > cur {
			if u := t.Add(-time.Duration(prev-cur) * time.Second); u.Before(start) && icalFieldsOf(u) == f {
				return t, false
			}
		}
	}
	if !end.IsZero() {
		// A later one in the period after, with a smaller offset?
		if _, next := end.Zone(); next < cur {
			if u := t.Add(time.Duration(cur-next) * time.Second); !u.Before(end) && icalFieldsOf(u) == f {
				return t, false
			}
		}
	}
	return t, true
}

// vtimezone returns the VTIMEZONE for z, built from Go's zone data: one
// STANDARD or DAYLIGHT block for the period of the zone in effect at the
// start of the span and for each one that begins during it, each with
// the local time it began as DTSTART and no recurrence rule.
//
// golang-ical's AddTimezone alone gives a VTIMEZONE with a TZID and no
// blocks, which RFC 5545 does not allow and parsers reject or read as
// UTC. Explicit blocks need no rule inferred from Go's data and stay
// right for a zone whose rules changed over the span; ical.js reads only
// the first value of an RDATE in a VTIMEZONE, so the blocks do not
// gather their onsets into RDATE lists either.
func (z *icalZone) vtimezone() *ics.VTimezone {
	vtz := ics.NewTimezone(z.tzid)
	start, end := z.from.In(z.loc).ZoneBounds()
	z.fixed = end.IsZero() || end.After(z.to)
	for {
		z.observance(vtz, start)
		if end.IsZero() || end.After(z.to) {
			return vtz
		}
		start, end = end.ZoneBounds()
	}
}

// observance adds the block for the period of z that begins at start;
// a zero start is a period that has always been in effect.
func (z *icalZone) observance(vtz *ics.VTimezone, start time.Time) {
	t, onset := start, "16010101T000000"
	if start.IsZero() {
		t = z.from.In(z.loc)
	}
	name, to := t.Zone()
	from := to
	if !start.IsZero() {
		_, from = start.Add(-time.Second).Zone()
		onset = string(appendICalDateTime(nil, icalFieldsOf(start.In(time.FixedZone("", from)))))
	}
	var c *ics.ComponentBase
	if t.IsDST() {
		d := &ics.Daylight{}
		vtz.Components = append(vtz.Components, d)
		c = &d.ComponentBase
	} else {
		c = &vtz.AddStandard().ComponentBase
	}
	c.SetProperty(ics.ComponentPropertyDtStart, onset)
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), icalOffset(from))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), icalOffset(to))
	if name != "" {
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzname), icalClean(name))
	}
}

// icalOffset formats a UTC offset in seconds as a UTC-OFFSET: +0200,
// -0500, or +013440 when there are seconds.
func icalOffset(secs int) string {
	sign := '+'
	if secs < 0 {
		sign, secs = '-', -secs
	}
	if secs%60 != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, secs/3600, secs/60%60, secs%60)
	}
	return fmt.Sprintf("%c%02d%02d", sign, secs/3600, secs/60%60)
}
