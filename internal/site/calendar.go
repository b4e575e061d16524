package site

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// A calendar shows days as the history picture colours them: by the run
// that aired (r0 … r7, m for more than one), n for nothing, o for a day
// before the first airing or after the last, which has no page.

// dayStat is what aired on one day: its runs, how many airings started
// on it, and the episode of the first.
type dayStat struct {
	mix runMix
	n   int32
	ep  int32
}

// dayStats returns what aired on every day from the site's first to its
// last, by days since the first. It is worked out once per site, in one
// pass over the slots, keeping a few bytes a day rather than the day's
// slots; the calendars, the history picture and the year tiles all read
// it.
func (s *Site) dayStats() []dayStat {
	if s.first.IsZero() {
		return nil
	}
	sched := s.cfg.Schedule
	zone := sched.Location()
	cols := make(map[*schedule.Run]runMix, len(sched.Runs()))
	for i, r := range sched.Runs() {
		cols[r] = column(i)
	}
	days := make([]dayStat, s.first.Days(s.last)+1)
	for i := range days {
		days[i].mix = noRun
	}
	for sl := range sched.Slots(schedule.Query{}) {
		// Every slot starts on one of the site's days: they run from the
		// first start to the latest end.
		d := &days[s.first.Days(schedule.DateOf(sl.Start.In(zone)))]
		if d.n == 0 {
			d.ep = int32(min(sl.Episode, math.MaxInt32))
		}
		d.mix, d.n = d.mix.with(cols[sl.Run]), d.n+1
	}
	return days
}

// on returns what aired on day d, and false for a day outside the site's.
func (s *Site) on(d schedule.Date) (dayStat, bool) {
	if s.first.IsZero() || d.Before(s.first) || d.After(s.last) {
		return dayStat{mix: noRun}, false
	}
	return s.stats()[s.first.Days(d)], true
}

// classOn returns the class of day d: o outside the site's days.
func (s *Site) classOn(d schedule.Date) string {
	st, ok := s.on(d)
	if !ok {
		return "o"
	}
	return st.mix.class()
}

// runMix is what a span of time has aired so far, as its class names it:
// nothing, one run's column, or more than one.
type runMix int8

const (
	noRun    runMix = -1
	manyRuns runMix = histRunCols
)

// column returns the column of the i'th run of the plan: runs past the
// eighth share the last.
func column(i int) runMix { return runMix(min(i, histRunCols-1)) }

// with returns m with what o aired added.
func (m runMix) with(o runMix) runMix {
	switch {
	case m == noRun || m == o:
		return o
	case o == noRun:
		return m
	}
	return manyRuns
}

// class names m: n for nothing, r and the run's column for one run, m
// for more than one.
func (m runMix) class() string {
	switch m {
	case noRun:
		return "n"
	case manyRuns:
		return "m"
	}
	return runClassNames[m]
}

var runClassNames = [histRunCols]string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"}

// monday0 returns the column of d in a week that starts on Monday: 0 for
// Monday, 6 for Sunday.
func monday0(d schedule.Date) int { return (int(d.Weekday()) + 6) % 7 }

// mondayOf returns the Monday of d's week.
func mondayOf(d schedule.Date) schedule.Date { return d.AddDays(-monday0(d)) }

// monthCal is one month as a calendar: a table of weeks, Monday first.
type monthCal struct {
	ID          string // its anchor on a year's page ("m06"); "" elsewhere
	Caption     string // "June 2003"
	CaptionLink string // to the month on its year's page; "" on that page
	Weeks       []calWeek
}

// calWeek is a row of a monthCal: Blank columns before its first day
// (in the month's first week), then its days. The last week stops at the
// month's last day. Every day pages have these tables, so no byte is
// spent on cells that say nothing.
type calWeek struct {
	Blank int
	Days  []calCell
}

// calCell is one day of a monthCal. A day when nothing aired has no
// class: the stylesheet colours it as n. Only days with an airing link
// to their page (a day with nothing has one too, reached by the date
// field and the next and previous days, but nothing to show). A day of
// one airing shows its episode's number when it has at most four digits;
// a day of more, or of a longer number, names them in a tooltip instead.
type calCell struct {
	Day     int
	Class   string
	Link    string // its page; "" for a day with nothing, outside the site, or the page's own
	Current bool   // the page's own day
	Episode int    // the one airing's episode, when its number fits the cell
	Title   string // what aired, when Episode cannot say it
}

// maxCellEpisode is the highest episode number a calendar's cell shows:
// four digits fit its width.
const maxCellEpisode = 9999

// monthCal lays out month m of year y, each day with an airing linked to
// its page. On a day's page (sel set), links go to pages in the same
// folder and the caption to the month on its year's page; on a year's
// page, links start from root.
func (s *Site) monthCal(y int, m time.Month, root string, sel schedule.Date) *monthCal {
	first := schedule.Date{Year: y, Month: m, Day: 1}
	mc := &monthCal{Caption: m.String() + " " + strconv.Itoa(y)}
	days := root + "days/"
	if sel.IsZero() {
		mc.ID = fmt.Sprintf("m%02d", int(m))
	} else {
		if s.root == "" {
			days = "" // the day pages' own folder
		}
		mc.CaptionLink = fmt.Sprintf("%syears/%d.html#m%02d", root, y, int(m))
	}
	col := monday0(first)
	week := calWeek{Blank: col}
	var title strings.Builder
	for d := first; d.Month == m; d = d.AddDays(1) {
		c := calCell{Day: d.Day, Class: s.classOn(d), Current: d == sel}
		if c.Class != "o" && c.Class != "n" && !c.Current {
			c.Link = days + d.String() + ".html"
		}
		// A year's page says what aired on each day; a day's page, whose
		// month is there to move by, says it of its own day alone.
		switch st, _ := s.on(d); {
		case !sel.IsZero() || st.n == 0:
		case st.n == 1 && st.ep <= maxCellEpisode:
			c.Episode = int(st.ep)
		default:
			title.Reset()
			writeAired(&title, s.cfg.Schedule, d, int(st.n))
			c.Title = title.String()
		}
		if c.Class == "n" {
			c.Class = ""
		}
		if c.Current {
			c.Class = strings.TrimSpace(c.Class + " sel")
		}
		week.Days = append(week.Days, c)
		col++
		if col == 7 {
			mc.Weeks = append(mc.Weeks, week)
			week, col = calWeek{}, 0
		}
	}
	if len(week.Days) > 0 {
		mc.Weeks = append(mc.Weeks, week)
	}
	return mc
}

// yearView is a year's page: its twelve months as calendars.
type yearView struct {
	Year       int
	Prev, Next *link // the years before and after, when they have pages
	Summary    string
	Key        []legendItem // the colours of the runs that aired in the year, and of nothing
	Months     []*monthCal
}

// yearView lays out year y.
func (s *Site) yearView(y int, root string) *yearView {
	yv := &yearView{Year: y}
	if y > s.first.Year {
		yv.Prev = &link{Text: strconv.Itoa(y - 1), URL: strconv.Itoa(y-1) + ".html"}
	}
	if y < s.last.Year {
		yv.Next = &link{Text: strconv.Itoa(y + 1), URL: strconv.Itoa(y+1) + ".html"}
	}
	if s.root != "" {
		for _, l := range []*link{yv.Prev, yv.Next} {
			if l != nil {
				l.URL = root + "years/" + l.URL
			}
		}
	}
	for m := time.January; m <= time.December; m++ {
		yv.Months = append(yv.Months, s.monthCal(y, m, root, schedule.Date{}))
	}
	yv.Summary, yv.Key = s.yearSummary(y)
	yv.Key = append(yv.Key, legendItem{Class: "n", Label: "nothing aired"})
	if y == s.first.Year || y == s.last.Year {
		yv.Key = append(yv.Key, legendItem{Class: "o", Label: "before the first airing or after the last"})
	}
	return yv
}

// yearSummary says how many airings year y had, of which runs
// ("261 airings: 261 of the original run."), and gives the colours of
// those runs.
func (s *Site) yearSummary(y int) (string, []legendItem) {
	sched := s.cfg.Schedule
	q := sched.Dates(schedule.Date{Year: y, Month: time.January, Day: 1}, schedule.Date{Year: y, Month: time.December, Day: 31})
	q.ByStart = true
	count := map[*schedule.Run]int{}
	total := 0
	for sl := range sched.Slots(q) {
		count[sl.Run]++
		total++
	}
	var parts []string
	var key []legendItem
	for i, r := range sched.Runs() {
		if n := count[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d of the %s run", n, r.Name))
			c := column(i).class()
			if k := len(key); k == 0 || key[k-1].Class != c {
				key = append(key, legendItem{Class: c, Label: r.Name})
			}
		}
	}
	switch total {
	case 0:
		return "Nothing aired in " + strconv.Itoa(y) + ".", key
	case 1:
		return "1 airing: " + strings.Join(parts, ", ") + ".", key
	}
	return fmt.Sprintf("%d airings: %s.", total, strings.Join(parts, ", ")), key
}

// yearTile is a year on the index for small screens: a link to its page
// and one to each month, coloured by the runs that aired in it.
type yearTile struct {
	Year   int
	Link   string
	Months []monthTile
}

// monthTile is a month of a yearTile. Its visible text is the month's
// initial; Rest completes it for screen readers ("anuary 2003: 22
// airings").
type monthTile struct {
	Link, Class, Initial, Rest string
}

// yearTiles lays out a tile for each year that has a page.
func (s *Site) yearTiles(root string) []yearTile {
	var tiles []yearTile
	for y := range s.yearPages() {
		t := yearTile{Year: y, Link: fmt.Sprintf("%syears/%d.html", root, y)}
		for m := time.January; m <= time.December; m++ {
			from := schedule.Date{Year: y, Month: m, Day: 1}
			to := from.AddDays(32)
			to = schedule.Date{Year: to.Year, Month: to.Month, Day: 1}
			mix, n := noRun, 0
			for d := from; d.Before(to); d = d.AddDays(1) {
				st, _ := s.on(d)
				mix, n = mix.with(st.mix), n+int(st.n)
			}
			class := mix.class()
			if class == "n" && (to.AddDays(-1).Before(s.first) || from.After(s.last)) {
				class = "o"
			}
			name := m.String()
			what := fmt.Sprintf("%s %d: %d airings", name[1:], y, n)
			switch {
			case class == "o" && from.After(s.last):
				what = fmt.Sprintf("%s %d: after the last airing", name[1:], y)
			case class == "o":
				what = fmt.Sprintf("%s %d: before the first airing", name[1:], y)
			case n == 0:
				what = fmt.Sprintf("%s %d: nothing aired", name[1:], y)
			case n == 1:
				what = fmt.Sprintf("%s %d: 1 airing", name[1:], y)
			}
			t.Months = append(t.Months, monthTile{
				Link: fmt.Sprintf("%s#m%02d", t.Link, int(m)), Class: class, Initial: name[:1], Rest: what,
			})
		}
		tiles = append(tiles, t)
	}
	return tiles
}
