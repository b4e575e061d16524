package feeds

import (
	"fmt"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// XMLTVEmptyDayTitle is the title of the programme that an XMLTVEncoder
// with MarkEmptyDays writes on a day with no airing. It names no show, so
// that a media centre's "record every programme called Backstage" rule
// does not match it.
const XMLTVEmptyDayTitle = "No airing today"

// emptyDays finds the days of q on which no slot of a channel starts.
type emptyDays struct {
	s    *schedule.Schedule
	from time.Time // q.From and q.To: both set, or markers are off
	to   time.Time
}

// markers returns the programmes that stand for the days of the window
// on which no slot of channel c starts, in order: each from the day's
// start (or the end of a slot still on air then) to the next day's, cut
// to the window. A day whose every moment some slot fills gets none.
// Slots of every run count, whatever q.Run, so a marker never overlaps a
// slot of its channel.
func (d emptyDays) markers(c *xmltvChannel) [][2]time.Time {
	if d.from.IsZero() || d.to.IsZero() {
		return nil
	}
	loc := d.s.Location()
	var out [][2]time.Time
	for day := schedule.DateOf(d.from.In(loc)); day.In(loc).Before(d.to); day = day.AddDays(1) {
		start, end := day.In(loc), day.AddDays(1).In(loc)
		if start.Before(d.from) {
			start = d.from
		}
		if end.After(d.to) {
			end = d.to
		}
		busy := false
		for sl := range d.s.Slots(schedule.Query{From: start, To: end, ByStart: true}) {
			if busy = c.airs(sl.Run.Channel); busy {
				break
			}
		}
		if busy {
			continue
		}
		for _, sl := range d.s.At(start) {
			if c.airs(sl.Run.Channel) && sl.End.After(start) {
				start = sl.End
			}
		}
		if start.Before(end) {
			out = append(out, [2]time.Time{start, end})
		}
	}
	return out
}

// emptyDay appends the programme that says channel c has no airing from
// span[0] to span[1]. All but its times is the same on each of c's empty
// days, and is rendered on the first.
func (e *XMLTVEncoder) emptyDay(g *xmltvGuide, c *xmltvChannel, span [2]time.Time) error {
	b := append(e.buf, "  <programme start=\""...)
	b, ok1 := appendXMLTVTime(b, span[0])
	b = append(b, "\" stop=\""...)
	b, ok2 := appendXMLTVTime(b, span[1])
	if !ok1 || !ok2 {
		return fmt.Errorf("feeds: xmltv: channel %s: %s is outside the years 0000-9999 that XMLTV times can hold",
			c.id, span[0].Format(time.RFC3339))
	}
	if c.emptyDay == nil {
		c.emptyDay = g.emptyDayRest(c)
	}
	e.buf = append(b, c.emptyDay...)
	return nil
}

// emptyDayRest renders what follows the stop time in c's empty-day
// programmes: the channel, the title and a description naming the shows
// of the runs on c.
func (g *xmltvGuide) emptyDayRest(c *xmltvChannel) []byte {
	b := appendXMLTVAttr([]byte{'"'}, "channel", c.id)
	b = append(b, ">\n"...)
	b = appendXMLTVElement(b, "    ", "title", []byte(` lang="en"`), XMLTVEmptyDayTitle)
	b = appendXMLTVElement(b, "    ", "desc", []byte(` lang="en"`), g.emptyDayDesc(c))
	return append(b, "  </programme>\n"...)
}

// emptyDayDesc returns the description of c's empty days: "No airing of
// Backstage on e.tv on this day."
func (g *xmltvGuide) emptyDayDesc(c *xmltvChannel) string {
	var shows []string
	seen := map[*schedule.Show]bool{}
	for _, r := range g.s.Runs() {
		if r.Show != nil && c.airs(r.Channel) && !seen[r.Show] {
			seen[r.Show] = true
			shows = append(shows, r.Show.Title)
		}
	}
	name := xmltvClean(c.ptrs[0].Name)
	if name == "" {
		name = c.id
	}
	if what := xmltvNames(shows); what != "" {
		return "No airing of " + what + " on " + name + " on this day."
	}
	return "No airing on " + name + " on this day."
}
