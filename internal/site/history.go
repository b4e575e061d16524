package site

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// The history picture on the index is one row per year, one cell per day
// (weekdays only, unless some run airs at a weekend), each cell coloured
// by what aired. Each row is a picture of its own (history/YYYY.svg), an
// <img> beside a link to the year's page, so that a phone, which shows
// the years as month tiles instead, loads none of them, and a desktop
// loads them once and keeps them. A cell of three pixels is too small
// to select, so the cells link nowhere: the year's link leads to its
// twelve months, and their days are large enough to tap.

// legendItem is one colour of the history picture.
type legendItem struct {
	Class string // CSS class of its cells
	Label string
	Count string // how many cells have it: "1875 weekdays"
}

// The history picture's geometry, in SVG user units: a week's cells side
// by side, a year touching at most 54 Monday-to-Sunday weeks.
const (
	histCellW   = 3
	histRowH    = 20 // a row's height; drawn at the page's width, about as tall as its year's link
	histMonthsH = 14 // the height of the months above the rows
	histWeeks   = 54
	histRunCols = 8 // runs beyond this many share the last colour
)

// classFill is the colour of each class of cell, as style.css has it for
// the legend's swatches (TestHistoryColours keeps the two alike): the
// rows are pictures, which the page's stylesheet does not reach.
var classFill = map[string]string{
	"r0": "#1d4ed8", "r1": "#c2410c", "r2": "#15803d", "r3": "#7e22ce",
	"r4": "#a16207", "r5": "#0e7490", "r6": "#be123c", "r7": "#4b5563",
	"m": "#111111", "n": "#dcdcd6", "o": "#f4f4f0",
}

// historyPicture is the history as the index shows it: a row of cells per
// year, the legend, a sentence on how to read it, and the version of the
// rows' pictures for their links.
type historyPicture struct {
	perWeek int // cells a week: 5, or 7 when some run airs at a weekend
	rows    map[int][]histSpan
	alts    map[int]string
	legend  []legendItem
	note    string
	version string
}

// histSpan is a stretch of cells of one colour in a row, side by side:
// Friday's cell is beside the next Monday's.
type histSpan struct {
	x, w  int
	class string
}

// historyRowView is a year's row as the page shows it.
type historyRowView struct {
	Year      int
	Link      string // the year's page
	Src, Alt  string
	Width     int
	MonthsSrc string // set on the first row: the months above the rows
}

// historyRows lays out the rows of the index at root.
func (s *Site) historyRows(root string) (rows []historyRowView, monthsSrc string, width int) {
	pic := s.history()
	width = histWeeks * pic.perWeek * histCellW
	for y := range s.yearPages() {
		rows = append(rows, historyRowView{
			Year: y, Link: fmt.Sprintf("%syears/%d.html", root, y),
			Src: fmt.Sprintf("%shistory/%d.svg?v=%s", root, y, pic.version), Alt: pic.alts[y], Width: width,
		})
	}
	return rows, root + historyMonthsFile.Path + "?v=" + pic.version, width
}

// historyRowSVG writes year y's row: its cells, one rectangle for each
// stretch of one colour.
func (s *Site) historyRowSVG(w io.Writer, y int) error {
	pic := s.history()
	width := histWeeks * pic.perWeek * histCellW
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d">`, width, histRowH, width, histRowH)
	for _, sp := range pic.rows[y] {
		fmt.Fprintf(&b, `<rect x="%d" width="%d" height="%d" fill="%s"/>`, sp.x, sp.w, histRowH, classFill[sp.class])
	}
	// A thin line of the page's colour where each month starts, so that
	// a stretch of one colour still reads as months.
	b.WriteString(`<path stroke="#fdfdfb" stroke-width="1" d="`)
	monday := mondayOf(schedule.Date{Year: y, Month: time.January, Day: 1})
	for m := time.February; m <= time.December; m++ {
		d := schedule.Date{Year: y, Month: m, Day: 1}
		for monday0(d) >= pic.perWeek {
			d = d.AddDays(1) // the month's first day with a cell
		}
		fmt.Fprintf(&b, "M%d 0v%d", (monday.Days(d)/7*pic.perWeek+monday0(d))*histCellW, histRowH)
	}
	b.WriteString(`"/></svg>` + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// historyMonthsSVG writes the months above the rows, each at the week of
// its first day.
func (s *Site) historyMonthsSVG(w io.Writer) error {
	pic := s.history()
	width := histWeeks * pic.perWeek * histCellW
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="system-ui, sans-serif" font-size="11" fill="#1a1a1a">`,
		width, histMonthsH, width, histMonthsH)
	for m := time.January; m <= time.December; m++ {
		doy := time.Date(2001, m, 1, 12, 0, 0, 0, time.UTC).YearDay() - 1
		fmt.Fprintf(&b, `<text x="%d" y="11">%s</text>`, doy/7*pic.perWeek*histCellW, m.String()[:3])
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// drawHistory lays out every day of the site's years, one row per
// year, each day a cell coloured by the run (or runs) that aired on it.
// Weekends are left out unless some run airs on one. Days before the
// first airing and after the last are drawn apart from the days in
// between when nothing aired. It is built once per site.
func (s *Site) drawHistory() historyPicture {
	pic := historyPicture{perWeek: 5, rows: map[int][]histSpan{}, alts: map[int]string{}}
	if s.first.IsZero() {
		return pic
	}
	weekends := false
	for i, st := range s.stats() {
		if st.n > 0 && monday0(s.first.AddDays(i)) >= 5 {
			weekends = true
			break
		}
	}
	unit := "weekday"
	if weekends {
		pic.perWeek, unit = 7, "day"
	}
	counts := map[string]int{}
	h := sha256.New()
	for y := s.first.Year; y <= s.last.Year; y++ {
		jan1 := schedule.Date{Year: y, Month: time.January, Day: 1}
		monday := mondayOf(jan1)
		var spans []histSpan
		for d := jan1; d.Year == y; d = d.AddDays(1) {
			wd := monday0(d)
			if wd >= pic.perWeek {
				continue
			}
			c := s.classOn(d)
			counts[c]++
			x := (monday.Days(d)/7*pic.perWeek + wd) * histCellW
			if n := len(spans); n > 0 && spans[n-1].class == c && spans[n-1].x+spans[n-1].w == x {
				spans[n-1].w += histCellW
				continue
			}
			spans = append(spans, histSpan{x: x, w: histCellW, class: c})
		}
		pic.rows[y] = spans
		summary, _ := s.yearSummary(y)
		pic.alts[y] = strconv.Itoa(y) + ": " + lowerFirst(summary)
		fmt.Fprintln(h, y, spans)
	}
	fmt.Fprintln(h, pic.perWeek)
	pic.version = base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])

	units := func(n int) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	sched := s.cfg.Schedule
	for i, r := range sched.Runs() {
		c := column(i).class()
		label := r.Name
		if i >= histRunCols-1 && len(sched.Runs()) > histRunCols {
			label = "other runs"
		}
		if counts[c] > 0 && (len(pic.legend) == 0 || pic.legend[len(pic.legend)-1].Class != c) {
			pic.legend = append(pic.legend, legendItem{Class: c, Label: label, Count: units(counts[c])})
		}
	}
	if counts["m"] > 0 {
		pic.legend = append(pic.legend, legendItem{Class: "m", Label: "more than one run", Count: units(counts["m"])})
	}
	pic.legend = append(pic.legend, legendItem{Class: "n", Label: "nothing aired", Count: units(counts["n"]) + " from the first airing to the last"})
	if counts["o"] > 0 {
		pic.legend = append(pic.legend, legendItem{Class: "o", Label: "before the first airing or after the last", Count: units(counts["o"])})
	}
	pic.note = "One row per year, one cell per day, coloured by what aired."
	if !weekends {
		pic.note = "One row per year, one cell per weekday (no run aired at weekends), coloured by what aired."
	}
	pic.note += " Select a year for its twelve months, and a day there for what aired on it."
	return pic
}

// lowerFirst returns s with its first letter in lower case: a sentence
// put after a colon.
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// titleAirings is the most airings a day's tooltip names; a busier day's
// says how many more.
const titleAirings = 3

// writeAired writes what aired on d, n airings, for a day's tooltip:
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
