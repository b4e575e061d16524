package site

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
	Count string // how many cells have it: "1875 weekdays"
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

// historyTemplate draws the picture from a historyData.
var historyTemplate = template.Must(template.ParseFS(assetFS, "assets/history.svg"))

// historyData is what the picture shows, laid out in SVG user units.
type historyData struct {
	Width, Height        int
	FirstYear, LastYear  int
	Summary              string
	MonthY               int
	Months               []historyMonth
	Years                []historyYear
	LabelW, CellW, CellH int
}

type historyMonth struct {
	X    int
	Name string // "Jan"
}

type historyYear struct {
	Year, Top, LabelY int
	Link              string // the year's page
	Cells             []historyCell
}

// historyCell is one day: where it stands in its row, what aired (as its
// tooltip), its colour's class and the link to its page ("" for a day
// outside the site, which has none).
type historyCell struct {
	X                  int
	Title, Class, Link string
}

// historyPicture is the drawn picture, its legend, and a sentence on how
// to read it.
type historyPicture struct {
	svg    template.HTML
	legend []legendItem
	note   string
}

// titleAirings is the most airings a day's title in the picture names;
// a busier day's says how many more.
const titleAirings = 3

// writeAired writes what aired on d, n airings, for its cell's title:
// "nothing aired", or the episodes and runs, at most titleAirings of them.
func writeAired(b *strings.Builder, s *schedule.Schedule, d schedule.Date, n int) {
	if n == 0 {
		b.WriteString("nothing aired")
		return
	}
	if n > titleAirings {
		fmt.Fprintf(b, "%d airings, ", n)
	}
	q := s.Day(d)
	q.ByStart = true
	i := 0
	for sl := range s.Slots(q) {
		if i == titleAirings {
			fmt.Fprintf(b, " and %d more", n-i)
			return
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "episode %d (%s)", sl.Episode, sl.Run.Name)
		i++
	}
}

// historySVG draws every day of the site's years, one row per year,
// each day a cell coloured by the run (or runs) that aired on it and
// linked to that day's page, with a title that says what aired; each
// year's label links to its page. Weekends are left out unless some run
// airs on one. Days before the first airing and after the last are drawn
// apart from the days in between when nothing aired. It is built once
// per site.
func (s *Site) historySVG() historyPicture {
	sched, root := s.cfg.Schedule, s.root
	if s.first.IsZero() {
		return historyPicture{}
	}
	y0, y1 := s.first.Year, s.last.Year
	weekends := false
	for i, st := range s.stats() {
		if st.n > 0 && monday0(s.first.AddDays(i)) >= 5 {
			weekends = true
			break
		}
	}
	perWeek, unit := 5, "weekday"
	if weekends {
		perWeek, unit = 7, "day"
	}
	counts := map[string]int{}

	data := historyData{
		Width:     histLabel + histWeeks*perWeek*histCellW + 2,
		Height:    histTop + (y1-y0+1)*histPitch,
		FirstYear: y0, LastYear: y1,
		Summary: historySummary(sched),
		MonthY:  histTop - 4,
		LabelW:  histLabel, CellW: histCellW, CellH: histCellH,
	}
	// Month initials above the rows, at the week of each month's first day.
	for m := time.January; m <= time.December; m++ {
		doy := time.Date(2001, m, 1, 12, 0, 0, 0, time.UTC).YearDay() - 1
		data.Months = append(data.Months, historyMonth{X: histLabel + doy/7*perWeek*histCellW, Name: m.String()[:3]})
	}
	var title strings.Builder
	for y := y0; y <= y1; y++ {
		jan1 := schedule.Date{Year: y, Month: time.January, Day: 1}
		monday := mondayOf(jan1)
		top := histTop + (y-y0)*histPitch
		row := historyYear{Year: y, Top: top, LabelY: top + histCellH - 1, Link: root + "years/" + strconv.Itoa(y) + ".html", Cells: make([]historyCell, 0, 262)}
		for d := jan1; d.Year == y; d = d.AddDays(1) {
			wd := monday0(d)
			if wd >= perWeek {
				continue
			}
			st, in := s.on(d)
			c := "o"
			if in {
				c = st.mix.class()
			}
			counts[c]++
			ds := d.String()
			title.Reset()
			title.WriteString(d.Weekday().String()[:3] + " " + ds + ": ")
			writeAired(&title, sched, d, int(st.n))
			cell := historyCell{X: (monday.Days(d)/7*perWeek + wd) * histCellW, Title: title.String(), Class: c}
			if in {
				cell.Link = root + "days/" + ds + ".html"
			}
			row.Cells = append(row.Cells, cell)
		}
		data.Years = append(data.Years, row)
	}
	var b strings.Builder
	b.Grow(schedule.Date{Year: y0, Month: time.January, Day: 1}.Days(schedule.Date{Year: y1, Month: time.December, Day: 31}) * 110)
	if err := historyTemplate.ExecuteTemplate(&b, "history", data); err != nil {
		panic(err) // the template and its data are the program's own
	}

	units := func(n int) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	var legend []legendItem
	for i, r := range sched.Runs() {
		c := column(i).class()
		label := r.Name
		if i >= histRunCols-1 && len(sched.Runs()) > histRunCols {
			label = "other runs"
		}
		if counts[c] > 0 && (len(legend) == 0 || legend[len(legend)-1].Class != c) {
			legend = append(legend, legendItem{Class: c, Label: label, Count: units(counts[c])})
		}
	}
	if counts["m"] > 0 {
		legend = append(legend, legendItem{Class: "m", Label: "more than one run", Count: units(counts["m"])})
	}
	legend = append(legend, legendItem{Class: "n", Label: "nothing aired", Count: units(counts["n"]) + " from the first airing to the last"})
	if counts["o"] > 0 {
		legend = append(legend, legendItem{Class: "o", Label: "before the first airing or after the last", Count: units(counts["o"])})
	}
	note := "One row per year, one cell per day, coloured by what aired."
	if !weekends {
		note = "One row per year, one cell per weekday (no run aired at weekends), coloured by what aired."
	}
	return historyPicture{svg: template.HTML(b.String()), legend: legend, note: note + " Select a day to see what aired, or a year for its calendar."}
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
	return strings.Join(parts, "; ") + ". Days when nothing aired are grey. Each day links to what aired on it, each year to its calendar."
}
