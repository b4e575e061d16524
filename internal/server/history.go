package server

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// legendItem is one colour of the history picture.
type legendItem struct {
	Class string // CSS class of its cells
	Label string
	Days  int // how many cells have it
}

// The history picture's geometry, in SVG user units: a label column, then
// one cell per day of a row's year (weekdays only, unless some run airs
// at weekends), a week's cells side by side.
const (
	histLabel   = 40 // width of the year labels
	histTop     = 14 // height of the month labels
	histCellW   = 3
	histCellH   = 12
	histPitch   = 16 // from one row to the next
	histWeeks   = 54 // a year touches at most 54 Monday-to-Sunday weeks
	histRunCols = 8  // runs beyond this many share the last colour
)

// historySVG draws every day of the schedule's years, one row per year,
// each day a cell coloured by the run (or runs) that aired on it and
// linked to that day on the page, with a title that says what aired. It
// is built once per schedule: about 4,400 cells for the default.
func historySVG(s *schedule.Schedule) (template.HTML, []legendItem) {
	zone := s.Location()
	if s.Len() == 0 {
		return "", nil
	}
	first, last := span(s)
	y0, y1 := first.Year, last.Year
	start := schedule.Date{Year: y0, Month: time.January, Day: 1}
	days := start.Days(schedule.Date{Year: y1, Month: time.December, Day: 31}) + 1

	// What aired each day: the slots, in order, by day since start.
	aired := make([][]schedule.Slot, days)
	weekends := false
	for sl := range s.Slots(schedule.Query{}) {
		d := schedule.DateOf(sl.Start.In(zone))
		aired[start.Days(d)] = append(aired[start.Days(d)], sl)
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekends = true
		}
	}
	perWeek := 5
	if weekends {
		perWeek = 7
	}

	runIndex := make(map[*schedule.Run]int, len(s.Runs()))
	for i, r := range s.Runs() {
		runIndex[r] = min(i, histRunCols-1)
	}
	counts := map[string]int{}
	class := func(slots []schedule.Slot) string {
		if len(slots) == 0 {
			return "n"
		}
		c := runIndex[slots[0].Run]
		for _, sl := range slots[1:] {
			if runIndex[sl.Run] != c {
				return "m"
			}
		}
		return "r" + strconv.Itoa(c)
	}

	width := histLabel + histWeeks*perWeek*histCellW + 2
	height := histTop + (y1-y0+1)*histPitch
	var b strings.Builder
	b.Grow(days * 110)
	summary := historySummary(s)
	fmt.Fprintf(&b, `<svg class="history" role="group" viewBox="0 0 %d %d" width="%d" height="%d" aria-labelledby="history-title" aria-describedby="history-desc">`, width, height, width, height)
	b.WriteString("\n<title id=\"history-title\">Every day from ")
	fmt.Fprintf(&b, "%d to %d, one row per year: what aired</title>\n", y0, y1)
	b.WriteString(`<desc id="history-desc">`)
	template.HTMLEscape(&b, []byte(summary))
	b.WriteString("</desc>\n")
	// Month initials above the rows, at the week of each month's first day.
	for m := time.January; m <= time.December; m++ {
		doy := time.Date(2001, m, 1, 12, 0, 0, 0, time.UTC).YearDay() - 1
		x := histLabel + doy/7*perWeek*histCellW
		fmt.Fprintf(&b, `<text class="month" x="%d" y="%d" aria-hidden="true">%s</text>`, x, histTop-4, m.String()[:3])
	}
	b.WriteByte('\n')
	for y := y0; y <= y1; y++ {
		jan1 := schedule.Date{Year: y, Month: time.January, Day: 1}
		monday := jan1.AddDays(-((int(jan1.Weekday()) + 6) % 7))
		top := histTop + (y-y0)*histPitch
		fmt.Fprintf(&b, `<text class="year" x="0" y="%d">%d</text><g transform="translate(%d %d)">`, top+histCellH-1, y, histLabel, top)
		b.WriteByte('\n')
		for d := jan1; d.Year == y; d = d.AddDays(1) {
			wd := (int(d.Weekday()) + 6) % 7 // Monday 0
			if wd >= perWeek {
				continue
			}
			slots := aired[start.Days(d)]
			c := class(slots)
			counts[c]++
			x := (monday.Days(d)/7*perWeek + wd) * histCellW
			ds := d.String()
			b.WriteString(`<a href="?date=`)
			b.WriteString(ds)
			b.WriteString(`"><title>`)
			b.WriteString(d.Weekday().String()[:3])
			b.WriteByte(' ')
			b.WriteString(ds)
			b.WriteString(": ")
			if len(slots) == 0 {
				b.WriteString("nothing aired")
			}
			for i, sl := range slots {
				if i > 0 {
					b.WriteString(", ")
				}
				template.HTMLEscape(&b, []byte(fmt.Sprintf("episode %d (%s)", sl.Episode, sl.Run.Name)))
			}
			b.WriteString(`</title><rect x="`)
			b.WriteString(strconv.Itoa(x))
			b.WriteString(`" width="3" height="12" class="`)
			b.WriteString(c)
			b.WriteString("\"/></a>\n")
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>")

	var legend []legendItem
	for i, r := range s.Runs() {
		c := "r" + strconv.Itoa(min(i, histRunCols-1))
		label := r.Name
		if i >= histRunCols-1 && len(s.Runs()) > histRunCols {
			label = "other runs"
		}
		if counts[c] > 0 && (len(legend) == 0 || legend[len(legend)-1].Class != c) {
			legend = append(legend, legendItem{Class: c, Label: label, Days: counts[c]})
		}
	}
	if counts["m"] > 0 {
		legend = append(legend, legendItem{Class: "m", Label: "more than one run", Days: counts["m"]})
	}
	legend = append(legend, legendItem{Class: "n", Label: "nothing aired", Days: counts["n"]})
	return template.HTML(b.String()), legend
}

// historySummary says in words what the picture shows: each run's span.
func historySummary(s *schedule.Schedule) string {
	var parts []string
	for _, st := range s.Stats() {
		if st.Slots == 0 {
			continue
		}
		zone := s.Location()
		parts = append(parts, fmt.Sprintf("%s: %d airings from %s to %s", st.Run.Name, st.Slots,
			st.First.Start.In(zone).Format("2 January 2006"), st.Last.Start.In(zone).Format("2 January 2006")))
	}
	return strings.Join(parts, "; ") + ". Days when nothing aired are grey. Each day links to what aired on it."
}
