package feeds

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// icalOpts is one way of exporting a calendar. With base set, the
// calendar is published there: it carries URL, IMAGE and a SOURCE of
// base/calendar.ics.
type icalOpts struct {
	name            string
	compact, allDay bool
	base            string
}

var icalVariants = []icalOpts{{name: "expanded"}, {name: "compact", compact: true}, {name: "all-day", allDay: true}, {name: "compact all-day", compact: true, allDay: true}}

func icalEncode(t testing.TB, s *schedule.Schedule, q schedule.Query, o icalOpts) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := NewICalEncoder(&buf)
	e.Compact, e.AllDay = o.compact, o.allDay
	if o.base != "" {
		e.BaseURL, e.FeedURL = o.base, o.base+"/calendar.ics"
	}
	if err := e.Encode(s, q); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// icalDSTSchedule has runs in zones with daylight saving and odd slot
// rules: daily at 01:30 in London across both clock changes (no slot on
// the day 01:30 does not exist, the first of the two 01:30s on the day it
// happens twice), twice a day on two weekdays in New York, on the 1st and
// 15th of each month in Tokyo (a replay), and weekly in UTC (a replay of
// that replay).
func icalDSTSchedule(t testing.TB) *schedule.Schedule {
	t.Helper()
	show := &schedule.Show{ID: "owls", Title: "Night Owls", Synopsis: "A late show.", Genres: []string{"Talk"}}
	ch := func(id string) *schedule.Channel { return &schedule.Channel{ID: id, Name: strings.ToUpper(id)} }
	d := func(y int, m time.Month, day int) schedule.Date { return schedule.Date{Year: y, Month: m, Day: day} }
	runs := []*schedule.Run{
		{Name: "london", Show: show, Channel: ch("lon"), Rule: "30 1 * * *", Location: testkit.Location(t, "Europe/London"),
			First: d(2007, 3, 20), Last: d(2007, 11, 5), Length: 45 * time.Minute, FirstEpisode: 1},
		{Name: "new-york", Show: show, Channel: ch("nyc"), Rule: "0 9,21 * * 1,3", Location: testkit.Location(t, "America/New_York"),
			First: d(2007, 3, 1), Last: d(2007, 11, 30), Length: time.Hour, FirstEpisode: 1000,
			Exceptions: []schedule.Date{d(2007, 7, 4)}},
		{Name: "tokyo", Show: show, Channel: ch("tyo"), Rule: "0 9 1,15 * *", Location: testkit.Location(t, "Asia/Tokyo"),
			First: d(2007, 4, 1), Last: d(2007, 12, 31), Length: time.Hour, Replays: "london", ReplayFrom: 1},
		{Name: "utc", Show: show, Channel: ch("utc"), Rule: "15 12 * * 0", Location: time.UTC,
			First: d(2007, 6, 1), Length: 30 * time.Minute, Replays: "tokyo", ReplayFrom: 2, ReplayTo: 12},
	}
	s, err := schedule.New(schedule.Plan{Name: "DST test", Location: runs[0].Location,
		Revised: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// icalMorningEnd is a run twice a day, at 09:00 and 21:00 in New York,
// whose last airing is a morning one: its compact rule ends with that
// day, and so needs an EXDATE for the evening after the last airing.
func icalMorningEnd(t testing.TB) *schedule.Schedule {
	t.Helper()
	s, err := schedule.New(schedule.Plan{Name: "Morning end", Runs: []*schedule.Run{{
		Name: "twice", Show: &schedule.Show{ID: "news", Title: "News"}, Channel: &schedule.Channel{ID: "ny.example"},
		Rule: "0 9,21 * * *", Location: testkit.Location(t, "America/New_York"),
		First: schedule.Date{Year: 2007, Month: 3, Day: 1}, Length: time.Hour, FirstEpisode: 1, Count: 19,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// icalWant returns the airings the calendar should hold, as
// icalTestAirings reports them: instants in UTC, or local dates.
func icalWant(slots func(func(schedule.Slot) bool), allDay bool) (starts, ends []string) {
	type pair struct{ s, e string }
	var all []pair
	for sl := range slots {
		if allDay {
			st := sl.Start.In(sl.Run.Location)
			all = append(all, pair{st.Format(time.DateOnly), st.AddDate(0, 0, 1).Format(time.DateOnly)})
		} else {
			all = append(all, pair{sl.Start.UTC().Format(time.RFC3339), sl.End.UTC().Format(time.RFC3339)})
		}
	}
	slices.SortFunc(all, func(a, b pair) int { return cmp.Or(strings.Compare(a.s, b.s), strings.Compare(a.e, b.e)) })
	for _, p := range all {
		starts = append(starts, p.s)
		ends = append(ends, p.e)
	}
	return starts, ends
}

func icalDiff(t testing.TB, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d airings, want %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("%s: airing %d: got %s, want %s", what, i, got[i], want[i])
			return
		}
	}
}

// icalWindows are the queries the airings tests export for a schedule.
func icalWindows(s *schedule.Schedule) map[string]schedule.Query {
	ws := map[string]schedule.Query{"all": {}}
	for _, r := range s.Runs() {
		ws["run "+r.Name] = schedule.Query{Run: r.Name}
	}
	first, last := s.First().Start, s.Last().Start
	mid := first.Add(last.Sub(first) / 3)
	ws["middle third"] = schedule.Query{From: mid, To: mid.Add(last.Sub(first) / 3)}
	// Starting inside a slot takes it in: it is on air at From.
	ws["from inside a slot"] = schedule.Query{From: first.Add(time.Minute), To: mid}
	return ws
}

// TestICalAirings reads each kind of calendar back, expanding recurring
// events, and checks it holds exactly the schedule's airings.
func TestICalAirings(t *testing.T) {
	t.Parallel()
	for _, sc := range []struct {
		name string
		s    *schedule.Schedule
	}{{"default", testkit.Default(t)}, {"small", smallSchedule(t)}, {"dst", icalDSTSchedule(t)}, {"morning end", icalMorningEnd(t)}} {
		for wname, q := range icalWindows(sc.s) {
			for _, o := range icalVariants {
				t.Run(sc.name+"/"+wname+"/"+o.name, func(t *testing.T) {
					data := icalEncode(t, sc.s, q, o)
					gotS, gotE := icalTestAirings(t, data)
					wantS, wantE := icalWant(sc.s.Slots(q), o.allDay)
					icalDiff(t, "starts", gotS, wantS)
					icalDiff(t, "ends", gotE, wantE)
				})
			}
		}
	}
}

// TestICalCompactRules checks the rules the compact calendar derives for
// the default schedule: a weekday rule per run, ending with the local day
// of its last airing, with no exceptions.
func TestICalCompactRules(t *testing.T) {
	data := icalEncode(t, testkit.Default(t), schedule.Query{}, icalOpts{compact: true})
	cal := icalParse(t, data).sub("VCALENDAR")[0]
	var got []string
	for _, ev := range cal.sub("VEVENT") {
		start, _ := ev.prop("DTSTART")
		rule, _ := ev.prop("RRULE")
		got = append(got, start.params["TZID"]+" "+start.value+" "+rule.value)
		if len(ev.all("EXDATE"))+len(ev.all("RDATE")) > 0 {
			t.Errorf("event %s has EXDATE or RDATE; the default schedule has no exceptions", start.value)
		}
	}
	want := []string{
		"Africa/Johannesburg 20000501T183000 FREQ=WEEKLY;UNTIL=20070706T215959Z;BYDAY=MO,TU,WE,TH,FR",
		"Africa/Johannesburg 20090105T164000 FREQ=WEEKLY;UNTIL=20160311T215959Z;BYDAY=MO,TU,WE,TH,FR",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestICalUntilEndOfDay checks that every timed rule of a compact
// calendar runs until at least the last second of its last airing's
// local day, in UTC: recurrence libraries that compare UNTIL with local
// wall-clock times would otherwise drop that airing east of UTC.
func TestICalUntilEndOfDay(t *testing.T) {
	def := testkit.Default(t)
	for _, sc := range []struct {
		name string
		s    *schedule.Schedule
		q    schedule.Query
	}{
		{"default", def, schedule.Query{}},
		{"default, a window", def, def.Dates(schedule.Date{Year: 2007, Month: 6, Day: 1}, schedule.Date{Year: 2009, Month: 1, Day: 31})},
		{"small", smallSchedule(t), schedule.Query{}},
		{"dst", icalDSTSchedule(t), schedule.Query{}},
		{"morning end", icalMorningEnd(t), schedule.Query{}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			cal := icalParse(t, icalEncode(t, sc.s, sc.q, icalOpts{compact: true})).sub("VCALENDAR")[0]
			zones := icalTestZones(t, cal)
			rules := 0
			for _, ev := range cal.sub("VEVENT") {
				rp, ok := ev.prop("RRULE")
				if !ok {
					continue
				}
				rules++
				sp, _ := ev.prop("DTSTART")
				start := icalTestValues(t, sp, zones)[0]
				loc := time.UTC
				if id := sp.params["TZID"]; id != "" {
					loc = testkit.Location(t, id)
				}
				var last time.Time
				for _, v := range icalTestExpand(t, ev, start, zones) {
					if v.at.After(last) {
						last = v.at
					}
				}
				want := schedule.DateOf(last.In(loc)).AddDays(1).In(loc).Add(-time.Second)
				_, until, _ := strings.Cut(rp.value, "UNTIL=")
				until, _, _ = strings.Cut(until, ";")
				u, err := time.Parse("20060102T150405Z", until)
				if err != nil {
					t.Fatalf("RRULE %s: UNTIL: %v", rp.value, err)
				}
				if u.Before(want) {
					t.Errorf("RRULE %s: UNTIL %s is before the end of the last airing's local day (%s in %s), %s",
						rp.value, u.Format(time.RFC3339), last.In(loc).Format(time.DateTime), loc, want.UTC().Format(time.RFC3339))
				}
			}
			if rules == 0 {
				t.Fatal("the compact calendar has no recurring event")
			}
		})
	}
}

// TestICalRecur checks rule derivation on its own: the rule chosen and
// what it needs besides.
func TestICalRecur(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	lon := testkit.Location(t, "Europe/London")
	at := func(loc *time.Location, y int, m time.Month, d, h, mi int) time.Time {
		return time.Date(y, m, d, h, mi, 0, 0, loc)
	}
	weekdays := func(loc *time.Location, from time.Time, n int, skip ...int) []time.Time {
		var out []time.Time
		for d := from; len(out) < n; d = d.AddDate(0, 0, 1) {
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && !slices.Contains(skip, d.Day()) {
				out = append(out, d)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		starts  []time.Time
		loc     *time.Location
		allDay  bool
		rule    string
		exdates int
		extra   int
	}{
		{"one airing: no rule", []time.Time{at(jnb, 2000, 5, 1, 18, 30)}, jnb, false, "-", 0, 0},
		{"weekdays", weekdays(jnb, at(jnb, 2000, 5, 1, 18, 30), 20), jnb, false,
			"FREQ=WEEKLY;UNTIL=20000526T215959Z;BYDAY=MO,TU,WE,TH,FR", 0, 0},
		{"weekdays with a pre-emption", weekdays(jnb, at(jnb, 2000, 5, 1, 18, 30), 20, 3), jnb, false,
			"FREQ=WEEKLY;UNTIL=20000529T215959Z;BYDAY=MO,TU,WE,TH,FR", 1, 0},
		{"weekdays as dates", weekdays(jnb, at(jnb, 2000, 5, 1, 18, 30), 20), jnb, true,
			"FREQ=WEEKLY;UNTIL=20000526;BYDAY=MO,TU,WE,TH,FR", 0, 0},
		{"two a day on one date", []time.Time{at(jnb, 2000, 5, 1, 9, 0), at(jnb, 2000, 5, 1, 21, 0)}, jnb, true, "-", 0, 0},
		{"twice a day", func() []time.Time {
			var out []time.Time
			for d := 1; d <= 7; d++ {
				out = append(out, at(jnb, 2000, 5, d, 9, 0), at(jnb, 2000, 5, d, 21, 0))
			}
			return out
		}(), jnb, false, "FREQ=DAILY;UNTIL=20000507T215959Z;BYHOUR=9,21", 0, 0},
		// UNTIL is the end of the last day, so the evening instance of
		// that day, which did not air, needs an EXDATE.
		{"twice a day, ending in the morning", func() []time.Time {
			var out []time.Time
			for d := 1; d <= 7; d++ {
				out = append(out, at(jnb, 2000, 5, d, 9, 0), at(jnb, 2000, 5, d, 21, 0))
			}
			return out[:len(out)-1]
		}(), jnb, false, "FREQ=DAILY;UNTIL=20000507T215959Z;BYHOUR=9,21", 1, 0},
		{"twice on two weekdays", []time.Time{at(jnb, 2000, 5, 1, 9, 0), at(jnb, 2000, 5, 1, 21, 0), at(jnb, 2000, 5, 2, 9, 0), at(jnb, 2000, 5, 2, 21, 0)}, jnb, false,
			"FREQ=WEEKLY;UNTIL=20000502T215959Z;BYDAY=MO,TU;BYHOUR=9,21", 0, 0},
		{"monthly", []time.Time{at(jnb, 2000, 1, 1, 9, 0), at(jnb, 2000, 1, 15, 9, 0), at(jnb, 2000, 2, 1, 9, 0), at(jnb, 2000, 2, 15, 9, 0), at(jnb, 2000, 3, 1, 9, 0)}, jnb, false,
			"FREQ=MONTHLY;UNTIL=20000301T215959Z;BYMONTHDAY=1,15", 0, 0},
		{"no pattern", []time.Time{at(jnb, 2000, 1, 1, 9, 0), at(jnb, 2000, 1, 9, 10, 0), at(jnb, 2000, 3, 2, 11, 0)}, jnb, false, "-", 0, 0},
		{"weekdays and a Saturday", append(weekdays(jnb, at(jnb, 2000, 5, 1, 18, 30), 20), at(jnb, 2000, 5, 27, 18, 30)), jnb, false,
			"FREQ=WEEKLY;UNTIL=20000527T215959Z;BYDAY=MO,TU,WE,TH,FR,SA", 3, 0},
		{"weekdays and a Saturday at noon", append(weekdays(jnb, at(jnb, 2000, 5, 1, 18, 30), 20), at(jnb, 2000, 5, 27, 12, 0)), jnb, false,
			"FREQ=WEEKLY;UNTIL=20000526T215959Z;BYDAY=MO,TU,WE,TH,FR", 0, 1},
		{"weekdays and a Saturday at noon, as dates", append(weekdays(jnb, at(jnb, 2000, 5, 1, 18, 30), 20), at(jnb, 2000, 5, 27, 12, 0)), jnb, true,
			"FREQ=WEEKLY;UNTIL=20000527;BYDAY=MO,TU,WE,TH,FR,SA", 3, 0},
		// 01:30 does not exist in London on Sunday 25 March 2007: a daily
		// rule would have an instance there, which consumers place
		// differently, so it is not used. Over one week a rule for the
		// other six days needs no such instance.
		{"daily across a gap", icalDaily(lon, 17, 31, 25), lon, false, "-", 0, 0},
		{"six days across a gap", icalDaily(lon, 20, 30, 25), lon, false,
			"FREQ=WEEKLY;UNTIL=20070330T225959Z;BYDAY=MO,TU,WE,TH,FR,SA", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			starts := make([]int64, len(tc.starts))
			for i, t := range tc.starts {
				starts[i] = t.Unix()
			}
			rec, ok := icalRecur(starts, tc.loc, tc.allDay)
			if tc.rule == "-" {
				if ok {
					t.Fatalf("got rule %q, want none", rec.rule)
				}
				return
			}
			if !ok {
				t.Fatal("got no recurrence")
			}
			if string(rec.rule) != tc.rule || len(rec.exdates) != tc.exdates || len(rec.extra) != tc.extra {
				t.Errorf("got rule %q with %d EXDATE, %d extra events; want %q with %d, %d",
					rec.rule, len(rec.exdates), len(rec.extra), tc.rule, tc.exdates, tc.extra)
			}
		})
	}
}

func TestICalGolden(t *testing.T) {
	s := smallSchedule(t)
	for _, tc := range []struct {
		file string
		o    icalOpts
	}{
		{"ical_small.ics", icalOpts{}},
		{"ical_small_compact.ics", icalOpts{compact: true}},
		{"ical_small_allday.ics", icalOpts{allDay: true}},
		{"ical_small_compact_public.ics", icalOpts{compact: true, base: testBaseURL}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			testkit.Golden(t, filepath.Join("testdata", tc.file), icalEncode(t, s, schedule.Query{}, tc.o))
		})
	}
}

// TestICalWellFormed checks every kind of calendar for what RFC 5545 and
// calendar apps need of the file as a whole.
func TestICalWellFormed(t *testing.T) {
	t.Parallel()
	def := testkit.Default(t)
	year := def.Dates(schedule.Date{Year: 2003, Month: 1, Day: 1}, schedule.Date{Year: 2003, Month: 12, Day: 31})
	for _, sc := range []struct {
		name string
		s    *schedule.Schedule
		q    schedule.Query
	}{
		{"default", def, schedule.Query{}},
		{"default 2003", def, year},
		{"small", smallSchedule(t), schedule.Query{}},
		{"dst", icalDSTSchedule(t), schedule.Query{}},
		{"text", icalTextSchedule(t, icalLongText), schedule.Query{}},
	} {
		for _, o := range icalVariants {
			if sc.name == "small" {
				o.base = testBaseURL
			}
			t.Run(sc.name+"/"+o.name, func(t *testing.T) {
				data := icalEncode(t, sc.s, sc.q, o)
				icalCheckLines(t, data)
				icalCheckCalendar(t, data, o)
				if again := icalEncode(t, sc.s, sc.q, o); !bytes.Equal(again, data) {
					t.Error("a second export of the same schedule differs")
				}
			})
		}
	}
}

// icalCheckCalendar checks one VCALENDAR's structure: its required
// properties, unique UIDs, a VTIMEZONE for each TZID and none for UTC,
// and the fixed properties of each event.
func icalCheckCalendar(t testing.TB, data []byte, o icalOpts) {
	t.Helper()
	cals := icalParse(t, data).sub("VCALENDAR")
	if len(cals) != 1 {
		t.Fatalf("got %d VCALENDARs, want 1", len(cals))
	}
	cal := cals[0]
	for _, name := range []string{"VERSION", "PRODID", "NAME", "X-WR-CALNAME", "DESCRIPTION", "X-WR-CALDESC", "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "X-WR-TIMEZONE"} {
		if _, ok := cal.prop(name); !ok {
			t.Errorf("calendar has no %s", name)
		}
	}
	if p, _ := cal.prop("REFRESH-INTERVAL"); p.params["VALUE"] != "DURATION" {
		t.Errorf("REFRESH-INTERVAL has VALUE=%s, want DURATION", p.params["VALUE"])
	}
	if p, _ := cal.prop("COLOR"); p.value != ICalColor {
		t.Errorf("COLOR:%s, want %s", p.value, ICalColor)
	}
	for _, name := range []string{"URL", "SOURCE", "IMAGE"} {
		for _, p := range cal.all(name) {
			if p.params["VALUE"] != "URI" || !strings.HasPrefix(p.value, "https://") {
				t.Errorf("%s;VALUE=%s:%s, want an absolute URI", name, p.params["VALUE"], p.value)
			}
		}
	}
	// METHOD:PUBLISH stays, and no organizer is invented for it (see
	// ICalEncoder's doc comment for why).
	if p, _ := cal.prop("METHOD"); p.value != "PUBLISH" {
		t.Errorf("METHOD:%s, want PUBLISH", p.value)
	}
	for _, ev := range cal.sub("VEVENT") {
		for _, name := range []string{"ORGANIZER", "ATTENDEE"} {
			if _, ok := ev.prop(name); ok {
				t.Errorf("an event has an %s; a published feed has none", name)
			}
		}
	}
	zones := map[string]bool{}
	for _, vtz := range cal.sub("VTIMEZONE") {
		id, _ := vtz.prop("TZID")
		if zones[id.value] {
			t.Errorf("two VTIMEZONEs for %s", id.value)
		}
		zones[id.value] = true
		if len(vtz.comps) == 0 {
			t.Errorf("VTIMEZONE %s has no STANDARD or DAYLIGHT block", id.value)
		}
	}
	// An empty calendar carries its X-WR-TIMEZONE's VTIMEZONE as the one
	// component RFC 5545 asks for; otherwise every VTIMEZONE is used.
	empty := len(cal.sub("VEVENT")) == 0
	if calZone, _ := cal.prop("X-WR-TIMEZONE"); empty {
		if len(zones) != 1 || !zones[calZone.value] {
			t.Errorf("empty calendar: VTIMEZONEs %v, want just X-WR-TIMEZONE's %s", zones, calZone.value)
		}
		return
	}
	if o.allDay && len(zones) > 0 {
		t.Errorf("all-day calendar has VTIMEZONEs")
	}
	used := map[string]bool{}
	uids := map[string]bool{}
	for _, ev := range cal.sub("VEVENT") {
		uid, ok := ev.prop("UID")
		if !ok || uids[uid.value] {
			t.Errorf("UID %q missing or not unique", uid.value)
		}
		uids[uid.value] = true
		for _, name := range []string{"DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION"} {
			if len(ev.all(name)) != 1 {
				t.Errorf("event %s has %d %s", uid.value, len(ev.all(name)), name)
			}
		}
		if p, _ := ev.prop("TRANSP"); p.value != "TRANSPARENT" {
			t.Errorf("event %s: TRANSP:%s", uid.value, p.value)
		}
		for _, p := range ev.props {
			if id, ok := p.params["TZID"]; ok {
				used[id] = true
				if !zones[id] {
					t.Errorf("event %s: %s has TZID=%s and there is no VTIMEZONE for it", uid.value, p.name, id)
				}
			}
			if o.allDay && (p.name == "DTSTART" || p.name == "DTEND") && p.params["VALUE"] != "DATE" {
				t.Errorf("all-day event %s: %s is not a DATE", uid.value, p.name)
			}
		}
	}
	for id := range zones {
		if !used[id] {
			t.Errorf("VTIMEZONE %s is not used", id)
		}
	}
}

// icalLongText is text that needs every kind of care: non-ASCII letters
// of 2, 3 and 4 bytes in UTF-8 at every offset from a fold, characters
// TEXT escapes, CRLF and lone CRs, control characters and a byte that is
// not UTF-8.
var icalLongText = strings.Repeat("Ubuntu ngumuntu ngabantu — “ñandú” 日本語のテキスト 😀🎭; a,b\\c ", 12) +
	"line\r\nbreak\rcr\x00nul\x1besc\x7fdel\xffbad\ttab"

// icalCut returns the first n bytes of s, or all of it.
func icalCut(s string, n int) string { return s[:min(n, len(s))] }

// icalDaily returns 01:30 in loc on each day of March 2007 from first to
// last but skip.
func icalDaily(loc *time.Location, first, last, skip int) []time.Time {
	var out []time.Time
	for d := first; d <= last; d++ {
		if d != skip {
			out = append(out, time.Date(2007, 3, d, 1, 30, 0, 0, loc))
		}
	}
	return out
}

func icalTextSchedule(t testing.TB, text string) *schedule.Schedule {
	t.Helper()
	show := &schedule.Show{ID: "x", Title: "Tëst, show; " + icalCut(text, 40), Synopsis: text,
		Genres:        []string{"Drama, comedy", "Sci-fi; horror", icalCut(text, 30), "", "\x01"},
		EpisodeTitles: map[int]string{1: text, 2: "\r\n"}}
	run := &schedule.Run{Name: "run, one", Show: show, Channel: &schedule.Channel{ID: "ch;1", Name: icalCut(text, 50)},
		Rule: "0 20 * * *", Location: testkit.Location(t, "Africa/Johannesburg"), First: schedule.Date{Year: 2020, Month: 1, Day: 1},
		Length: time.Hour, FirstEpisode: 1, Count: 3}
	s, err := schedule.New(schedule.Plan{Name: text, Source: text, Runs: []*schedule.Run{run}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestICalText checks that text comes back as it went in, cleaned: read
// through unfolding and unescaping, SUMMARY, DESCRIPTION, LOCATION and
// CATEGORIES hold the schedule's text less its control characters.
func TestICalText(t *testing.T) {
	s := icalTextSchedule(t, icalLongText)
	for _, o := range []icalOpts{{}, {compact: true}} {
		data := icalEncode(t, s, schedule.Query{}, o)
		icalCheckLines(t, data)
		cal := icalParse(t, data).sub("VCALENDAR")[0]
		show := s.Shows()[0]
		ev := cal.sub("VEVENT")[0]
		get := func(name string) string {
			p, _ := ev.prop(name)
			return icalUnescape(p.value)
		}
		clean := icalClean(icalLongText)
		if strings.ContainsAny(clean, "\r\x00\x1b\x7f") || !utf8.ValidString(clean) || !strings.Contains(clean, "line\nbreak\ncr") {
			t.Fatalf("icalClean left %q", clean[len(clean)-40:])
		}
		if name, _ := cal.prop("NAME"); icalUnescape(name.value) != clean {
			t.Errorf("NAME: got %q, want %q", icalUnescape(name.value), clean)
		}
		if got, want := get("LOCATION"), icalClean(icalLongText[:50]); got != want { // cut inside a character: U+FFFD
			t.Errorf("LOCATION: got %q, want %q", got, want)
		}
		cats, _ := ev.prop("CATEGORIES")
		if got, want := icalSplitList(cats.value), []string{"Drama, comedy", "Sci-fi; horror", icalClean(icalLongText[:30])}; !slices.Equal(got, want) {
			t.Errorf("CATEGORIES: got %q, want %q", got, want)
		}
		if o.compact {
			if got, want := get("SUMMARY"), icalClean(show.Title); got != want {
				t.Errorf("SUMMARY: got %q, want %q", got, want)
			}
			if got := get("DESCRIPTION"); !strings.HasSuffix(got, "\n\n"+strings.TrimSpace(clean)) {
				t.Errorf("DESCRIPTION does not end with the synopsis: %q", got)
			}
			continue
		}
		if got, want := get("SUMMARY"), icalClean(show.Title+" — "+icalLongText); got != want {
			t.Errorf("SUMMARY: got %q, want %q", got, want)
		}
		want := "Episode 1."
		if ex := icalExcerpt(clean, icalSynopsisMax); ex != "" {
			want += "\n\n" + ex
		}
		if got := get("DESCRIPTION"); got != want {
			t.Errorf("DESCRIPTION: got %q, want %q", got, want)
		}
	}
}

// TestICalExcerpt: an airing's description ends where a sentence of the
// synopsis does, never in the middle of one.
func TestICalExcerpt(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"A short synopsis", "A short synopsis"},
		{"  Short, with spaces.  ", "Short, with spaces."},
		{"One sentence. Two sentences. " + strings.Repeat("Three ", 30), "One sentence. Two sentences."},
		{"Is it? It is! " + strings.Repeat("x", 200), "Is it? It is!"},
		{`He said "Go." Then ` + strings.Repeat("y ", 80), `He said "Go."`},
		{"Backstage on e.tv is 3.5 hours of " + strings.Repeat("z ", 80) + ".", ""},
		{strings.Repeat("word ", 40) + ". Next.", ""},
		{"Ends here.— " + strings.Repeat("a ", 80), ""},
	} {
		got := icalExcerpt(c.in, 60)
		if got != c.want {
			t.Errorf("icalExcerpt(%.30q…, 60) = %q, want %q", c.in, got, c.want)
		}
		if len(got) > 60 && got != strings.TrimSpace(c.in) {
			t.Errorf("icalExcerpt(%.30q…) is %d bytes, over 60", c.in, len(got))
		}
	}
}

// TestICalClean checks what each of the three ways iCalendar text is
// written keeps: TEXT keeps tabs and line breaks, a parameter value
// neither, and all three drop the rest of the control characters and the
// noncharacters U+FFFE and U+FFFF, as XMLTV text does (TestXMLTVText).
func TestICalClean(t *testing.T) {
	for _, tc := range []struct {
		in, clean, text, param string
	}{
		{"plain", "plain", "plain", "plain"},
		{"a\x00b\x07c\x1bd\x7fe", "abcde", "abcde", "abcde"},
		{"a\u0080b\u009fc", "abc", "abc", "abc"},
		{"a\ufffeb\uffffc", "abc", "abc", "abc"},
		{"tab\there", "tab\there", "tab\there", "tabhere"},
		{"one\r\ntwo\rthree\nfour", "one\ntwo\nthree\nfour", `one\ntwo\nthree\nfour`, "onetwothreefour"},
		{`say "a;b,c"`, `say "a;b,c"`, `say "a\;b\,c"`, `"say a;b,c"`},
		{"caf\xe9", "caf\ufffd", "caf\ufffd", "caf\ufffd"},
	} {
		if got := icalClean(tc.in); got != tc.clean {
			t.Errorf("icalClean(%q) = %q, want %q", tc.in, got, tc.clean)
		}
		if got := string(appendICalText(nil, tc.in)); got != tc.text {
			t.Errorf("appendICalText(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := string(appendICalParam(nil, tc.in)); got != tc.param {
			t.Errorf("appendICalParam(%q) = %q, want %q", tc.in, got, tc.param)
		}
	}
}

// TestICalImageType checks the FMTTYPE an IMAGE gets from its URL's
// extension, whatever its case and query, and that an unknown or missing
// extension gets none rather than a guess.
func TestICalImageType(t *testing.T) {
	for u, want := range map[string]string{
		"https://tv.example.org/assets/show.png":         "image/png",
		"https://tv.example.org/assets/show.JPG?v=2":     "image/jpeg",
		"https://tv.example.org/show.jpeg#top":           "image/jpeg",
		"https://tv.example.org/show.gif":                "image/gif",
		"https://tv.example.org/show.webp":               "image/webp",
		"https://tv.example.org/show.svg":                "",
		"https://tv.example.org/show?format=.png":        "",
		"https://tv.example.org/picture":                 "",
		"https://tv.example.org/%zz.png":                 "",
		"https://tv.example.org/assets.png/show-picture": "",
	} {
		if got := icalImageType(u); got != want {
			t.Errorf("icalImageType(%q) = %q, want %q", u, got, want)
		}
	}
}

// FuzzICalText checks that no text, however broken, gives a line that
// is too long, is not UTF-8, holds a control character or loses its
// place: the episode title comes back from SUMMARY cleaned.
func FuzzICalText(f *testing.F) {
	for _, s := range []string{"", "Episode", icalLongText, "\r", "\\", "a\r\nb", "\xff\xfe", "😀", strings.Repeat("é", 80), strings.Repeat(`\,`, 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		show := &schedule.Show{ID: "x", Title: text, Synopsis: text, Genres: []string{text},
			EpisodeTitles: map[int]string{1: "T" + text}}
		run := &schedule.Run{Name: text, Show: show, Channel: &schedule.Channel{ID: text, Name: text},
			Rule: "0 20 * * *", Location: time.UTC, First: schedule.Date{Year: 2020, Month: 1, Day: 1},
			Length: time.Hour, FirstEpisode: 1, Count: 1}
		s, err := schedule.New(schedule.Plan{Name: text, Source: text, Runs: []*schedule.Run{run}})
		if err != nil {
			t.Skip(err)
		}
		data := icalEncode(t, s, schedule.Query{}, icalOpts{})
		icalCheckLines(t, data)
		ev := icalParse(t, data).sub("VCALENDAR")[0].sub("VEVENT")[0]
		p, _ := ev.prop("SUMMARY")
		want := icalClean(text + " — T" + text)
		if text == "" {
			want = icalClean("T" + text)
		}
		if got := icalUnescape(p.value); got != want {
			t.Errorf("SUMMARY: got %q, want %q", got, want)
		}
	})
}

// TestICalSummary checks the SUMMARY and DESCRIPTION of first airings,
// repeats and titled episodes.
func TestICalSummary(t *testing.T) {
	data := icalEncode(t, smallSchedule(t), schedule.Query{}, icalOpts{})
	evs := icalParse(t, data).sub("VCALENDAR")[0].sub("VEVENT")
	got := map[string][2]string{}
	for _, ev := range evs {
		uid, _ := ev.prop("UID")
		sum, _ := ev.prop("SUMMARY")
		desc, _ := ev.prop("DESCRIPTION")
		d := icalUnescape(desc.value)
		d, _, _ = strings.Cut(d, "\n\n")
		got[uid.value] = [2]string{icalUnescape(sum.value), d}
	}
	for uid, want := range map[string][2]string{
		"20061225T163000Z-original@etv.co.za":    {"Backstage — Pilot: First Day", "Episode 1."},
		"20061226T163000Z-original@etv.co.za":    {"Backstage — Episode 2", "Students & lecturers at a performing-arts college chase fame — \"and each other\" <sometimes>."},
		"20070102T144000Z-rebroadcast@etv.co.za": {"Backstage — Episode 2 (repeat)", "First aired Tuesday 26 December 2006, 18:30 SAST."},
		"20070105T234500Z-late@late.example.uk":  {"Backstage — Episode 2 (repeat)", "First aired Tuesday 26 December 2006, 18:30 SAST."},
	} {
		if got[uid] != want {
			t.Errorf("%s: got %q, want %q", uid, got[uid], want)
		}
	}
}

// TestICalReplayOf checks slots re-dated by a replay timeline: their UIDs
// differ from the historic airings' and their descriptions say when they
// originally aired.
func TestICalReplayOf(t *testing.T) {
	s := smallSchedule(t)
	var slots []schedule.Slot
	for sl := range s.Slots(schedule.Query{}) {
		hist := sl
		sl.ReplayOf = sl.Start
		sl.Start, sl.End = sl.Start.AddDate(20, 0, 0), sl.End.AddDate(20, 0, 0)
		slots = append(slots, hist, sl) // historic and re-dated, side by side
	}
	var buf bytes.Buffer
	e := NewICalEncoder(&buf)
	err := e.encode(icalSource{name: "replay", loc: s.Location()}, func(yield func(schedule.Slot) bool) {
		for _, sl := range slots {
			if !yield(sl) {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	icalCheckLines(t, data)
	icalCheckCalendar(t, data, icalOpts{})
	evs := icalParse(t, data).sub("VCALENDAR")[0].sub("VEVENT")
	if len(evs) != 2*s.Len() {
		t.Fatalf("got %d events, want %d", len(evs), 2*s.Len())
	}
	uid, _ := evs[1].prop("UID")
	desc, _ := evs[1].prop("DESCRIPTION")
	if want := "20261225T163000Z-original-replay-20061225T163000Z@etv.co.za"; uid.value != want {
		t.Errorf("re-dated UID: got %s, want %s", uid.value, want)
	}
	if want := "Originally aired Monday 25 December 2006, 18:30 SAST.\nEpisode 1."; !strings.HasPrefix(icalUnescape(desc.value), want) {
		t.Errorf("re-dated DESCRIPTION: got %q, want it to start %q", icalUnescape(desc.value), want)
	}
	// A re-dated repeat says both when it originally aired and when the
	// episode first aired.
	for _, ev := range evs {
		uid, _ := ev.prop("UID")
		if uid.value == "20270102T144000Z-rebroadcast-replay-20070102T144000Z@etv.co.za" {
			desc, _ := ev.prop("DESCRIPTION")
			want := "Originally aired Tuesday 2 January 2007, 16:40 SAST.\nFirst aired Tuesday 26 December 2006, 18:30 SAST.\n\n"
			if !strings.HasPrefix(icalUnescape(desc.value), want) {
				t.Errorf("re-dated repeat: got %q, want it to start %q", icalUnescape(desc.value), want)
			}
			return
		}
	}
	t.Error("no re-dated repeat found")
}

// TestICalAmbiguous checks airings at a local time that happens twice
// (London, 28 October 2007, 01:30): both are written in UTC, since RFC
// 5545 reads such a local time as the first and ical.js and
// python3-icalendar as the second.
func TestICalAmbiguous(t *testing.T) {
	lon := testkit.Location(t, "Europe/London")
	run := &schedule.Run{Name: "night", Show: &schedule.Show{Title: "Night"}, Channel: &schedule.Channel{ID: "n"}, Location: lon, Length: 15 * time.Minute}
	first := time.Date(2007, 10, 28, 0, 30, 0, 0, time.UTC).In(lon) // 01:30 BST
	second := first.Add(time.Hour)                                  // 01:30 GMT
	var buf bytes.Buffer
	err := NewICalEncoder(&buf).encode(icalSource{name: "x", loc: lon}, func(yield func(schedule.Slot) bool) {
		for i, st := range []time.Time{first, second} {
			if !yield(schedule.Slot{Run: run, Episode: i + 1, Start: st, End: st.Add(15 * time.Minute)}) {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range icalParse(t, buf.Bytes()).sub("VCALENDAR")[0].sub("VEVENT") {
		for _, name := range []string{"UID", "DTSTART", "DTEND"} {
			p, _ := ev.prop(name)
			got = append(got, fmt.Sprintf("%s%s:%s", name, map[bool]string{true: ";TZID=" + p.params["TZID"]}[p.params["TZID"] != ""], p.value))
		}
	}
	want := []string{
		"UID:20071028T003000Z-night@n", "DTSTART:20071028T003000Z", "DTEND:20071028T004500Z",
		"UID:20071028T013000Z-night@n", "DTSTART:20071028T013000Z", "DTEND:20071028T014500Z",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	starts, _ := icalTestAirings(t, buf.Bytes())
	icalDiff(t, "starts", starts, []string{"2007-10-28T00:30:00Z", "2007-10-28T01:30:00Z"})
}

// TestICalVTimezone checks generated VTIMEZONEs against Go's zone data:
// every quarter hour over the span, the offset the blocks give is Go's.
func TestICalVTimezone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone     string
		from, to time.Time
		blocks   []string // STANDARD or DAYLIGHT, in order; nil to skip
	}{
		// South Africa: one period since 1944, one STANDARD block.
		{"Africa/Johannesburg", time.Date(2000, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 3, 12, 0, 0, 0, 0, time.UTC), []string{"STANDARD"}},
		// London: GMT in the winter of 1999/2000, then 16 summers.
		{"Europe/London", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
			append([]string{"STANDARD"}, slices.Repeat([]string{"DAYLIGHT", "STANDARD"}, 16)...)},
		// A change of rules: Russia kept summer time all year from 2011 and
		// went back to standard time in 2014.
		{"Europe/Moscow", time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), nil},
		{"America/New_York", time.Date(2006, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC), nil},
		{"Australia/Lord_Howe", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), nil},
		{"UTC", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), []string{"STANDARD"}},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc := testkit.Location(t, tc.zone)
			z := newICalZone(loc)
			z.cover(tc.from, tc.to)
			var buf bytes.Buffer
			vtz := z.vtimezone()
			vtz.SerializeTo(&buf, &ics.SerializationConfiguration{MaxLength: 75, NewLine: "\r\n"})
			data := []byte("BEGIN:VCALENDAR\r\n" + buf.String() + "END:VCALENDAR\r\n")
			icalCheckLines(t, data)
			cal := icalParse(t, data).sub("VCALENDAR")[0]
			var blocks []string
			for _, c := range cal.sub("VTIMEZONE")[0].comps {
				blocks = append(blocks, c.name)
			}
			if tc.blocks != nil && !slices.Equal(blocks, tc.blocks) {
				t.Errorf("got blocks %v, want %v", blocks, tc.blocks)
			}
			if z.fixed != (len(blocks) == 1) {
				t.Errorf("fixed is %v with %d blocks", z.fixed, len(blocks))
			}
			zone := icalTestZones(t, cal)[tc.zone]
			for u := tc.from; !u.After(tc.to); u = u.Add(15 * time.Minute) {
				_, want := u.In(loc).Zone()
				if got := zone.offsetAt(u); got != want {
					t.Fatalf("at %s: VTIMEZONE gives offset %d, Go %d", u, got, want)
				}
			}
		})
	}
}

// TestICalGolangICalDefects shows each golang-ical v0.3.4 defect the
// encoder works around, and that the encoder's output does not have it.
// Should an upgrade fix one, its "library" check fails: the workaround
// may then go.
func TestICalGolangICalDefects(t *testing.T) {
	out := icalEncode(t, smallSchedule(t), schedule.Query{}, icalOpts{})
	lib := func(build func(cal *ics.Calendar)) string {
		cal := ics.NewCalendar()
		build(cal)
		return cal.Serialize()
	}
	jnb := testkit.Location(t, "Africa/Johannesburg")
	at := time.Date(2000, 5, 1, 18, 30, 0, 0, jnb)

	t.Run("LF line endings", func(t *testing.T) {
		if s := lib(func(*ics.Calendar) {}); strings.Contains(s, "\r\n") {
			t.Errorf("library: now writes CRLF by default")
		}
		icalCheckLines(t, out) // every line ends with CRLF
	})
	t.Run("SetStartAt with WithTZID writes UTC", func(t *testing.T) {
		s := lib(func(cal *ics.Calendar) { cal.AddEvent("x").SetStartAt(at, ics.WithTZID("Africa/Johannesburg")) })
		if !strings.Contains(s, "DTSTART;TZID=Africa/Johannesburg:20000501T163000Z") {
			t.Errorf("library: SetStartAt now writes %q", s)
		}
		for _, l := range icalUnfold(t, out) {
			if strings.Contains(l, "TZID=") && strings.HasSuffix(l, "Z") {
				t.Errorf("output: %s", l)
			}
		}
	})
	t.Run("AddTimezone gives an empty VTIMEZONE", func(t *testing.T) {
		s := lib(func(cal *ics.Calendar) { cal.AddTimezone("Africa/Johannesburg") })
		if strings.Contains(s, "BEGIN:STANDARD") {
			t.Errorf("library: AddTimezone now fills in the zone")
		}
		cal := icalParse(t, out).sub("VCALENDAR")[0]
		for _, vtz := range cal.sub("VTIMEZONE") {
			if len(vtz.comps) == 0 {
				t.Errorf("output: empty VTIMEZONE")
			}
		}
	})
	t.Run("AddCategory with a list gives one category", func(t *testing.T) {
		s := lib(func(cal *ics.Calendar) { cal.AddEvent("x").AddCategory("Soap opera,Drama") })
		if !strings.Contains(s, `CATEGORIES:Soap opera\,Drama`) {
			t.Errorf("library: AddCategory now writes %q", s)
		}
		if !bytes.Contains(out, []byte("\r\nCATEGORIES:Soap opera,Drama\r\n")) {
			t.Errorf("output: no CATEGORIES with two values")
		}
	})
	t.Run("CR in text is not escaped", func(t *testing.T) {
		s := lib(func(cal *ics.Calendar) { cal.AddEvent("x").SetDescription("a\r\nb") })
		if !strings.Contains(s, "DESCRIPTION:a\r\\nb") {
			t.Errorf("library: now writes %q", s)
		}
		data := icalEncode(t, icalTextSchedule(t, "a\r\nb\rc"), schedule.Query{}, icalOpts{})
		icalCheckLines(t, data)
		if !bytes.Contains(data, []byte(`a\nb\nc`)) {
			t.Errorf("output: CRLF and CR not written as \\n")
		}
	})
	t.Run("RemovePropertyByValue removes every other property", func(t *testing.T) {
		ev := ics.NewEvent("x")
		ev.SetSummary("keep")
		ev.SetDescription("drop")
		ev.RemovePropertyByValue(ics.ComponentPropertyDescription, "drop")
		if len(ev.Properties) != 0 {
			t.Errorf("library: RemovePropertyByValue now keeps %d properties", len(ev.Properties))
		}
		// The encoder builds each component once and never removes a
		// property; nothing of its output can be lost this way.
	})
}

// TestICalSize checks the feeds Google Calendar is meant to get, one run
// or one year of the default schedule, stay under 1 MB, and logs the
// sizes of the others.
func TestICalSize(t *testing.T) {
	s := testkit.Default(t)
	const limit = 1_000_000 // bytes; Google is said to drop events past "1 MB"
	check := func(name string, q schedule.Query, o icalOpts, capped bool) {
		n := len(icalEncode(t, s, q, o))
		t.Logf("%-32s %8d bytes, %5d airings", name, n, s.Count(q))
		if capped && n >= limit {
			t.Errorf("%s: %d bytes, want under %d", name, n, limit)
		}
	}
	check("full history", schedule.Query{}, icalOpts{}, false)
	check("full history, all-day", schedule.Query{}, icalOpts{allDay: true}, false)
	check("full history, compact", schedule.Query{}, icalOpts{compact: true}, true)
	for _, r := range s.Runs() {
		check("run "+r.Name, schedule.Query{Run: r.Name}, icalOpts{}, true)
		check("run "+r.Name+", all-day", schedule.Query{Run: r.Name}, icalOpts{allDay: true}, true)
	}
	first, last := s.First().Start.Year(), s.Last().Start.Year()
	for y := first; y <= last; y++ {
		q := s.Dates(schedule.Date{Year: y, Month: 1, Day: 1}, schedule.Date{Year: y, Month: 12, Day: 31})
		if s.Count(q) == 0 {
			continue
		}
		check(fmt.Sprint("year ", y), q, icalOpts{}, true)
	}
}

func TestICalErrors(t *testing.T) {
	s := smallSchedule(t)
	jnb := s.Location()
	for _, tc := range []struct {
		name string
		s    *schedule.Schedule
		q    schedule.Query
		want string
	}{
		{"no schedule", nil, schedule.Query{}, "feeds: ical: no schedule"},
		{"window backwards", s, schedule.Query{From: time.Date(2007, 1, 2, 0, 0, 0, 0, jnb), To: time.Date(2007, 1, 1, 0, 0, 0, 0, jnb)},
			"feeds: ical: window ends (2007-01-01T00:00:00+02:00) before it starts (2007-01-02T00:00:00+02:00)"},
		{"unknown run", s, schedule.Query{Run: "nope"}, `feeds: ical: no run is called "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := NewICalEncoder(&buf).Encode(tc.s, tc.q)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
	t.Run("write error", func(t *testing.T) {
		for _, n := range []int{0, 100, 40 << 10, 200 << 10} {
			e := NewICalEncoder(&failWriter{n: n})
			err := e.Encode(testkit.Default(t), schedule.Query{})
			if !errors.Is(err, errWrite) || !strings.HasPrefix(err.Error(), "feeds: ical: write: ") {
				t.Errorf("after %d bytes: Encode returned %v, want feeds: ical: write: ... %v", n, err, errWrite)
			}
			if err := e.Close(); !errors.Is(err, errWrite) {
				t.Errorf("after %d bytes: Close returned %v", n, err)
			}
			if err := e.Encode(s, schedule.Query{}); !errors.Is(err, errWrite) {
				t.Errorf("after %d bytes: a second Encode returned %v", n, err)
			}
		}
	})
	t.Run("empty window", func(t *testing.T) {
		q := schedule.Query{From: time.Date(1990, 1, 1, 0, 0, 0, 0, jnb), To: time.Date(1990, 1, 2, 0, 0, 0, 0, jnb)}
		for _, o := range icalVariants {
			data := icalEncode(t, s, q, o)
			icalCheckLines(t, data)
			icalCheckCalendar(t, data, o)
			if bytes.Contains(data, []byte("BEGIN:VEVENT")) {
				t.Errorf("%s: empty window has events", o.name)
			}
		}
	})
	t.Run("two calendars", func(t *testing.T) {
		var buf bytes.Buffer
		e := NewICalEncoder(&buf)
		e.Encode(s, schedule.Query{Run: "original"})
		e.Encode(s, schedule.Query{Run: "late"})
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if n := len(icalParse(t, buf.Bytes()).sub("VCALENDAR")); n != 2 {
			t.Errorf("got %d calendars, want 2", n)
		}
	})
}

func TestICalOptions(t *testing.T) {
	s := smallSchedule(t)
	var buf bytes.Buffer
	e := NewICalEncoder(&buf)
	e.Name = "My, calendar"
	e.RefreshInterval = 90 * time.Minute
	if got := e.Refresh(); got != 90*time.Minute {
		t.Errorf("Refresh() = %v", got)
	}
	if err := e.Encode(s, schedule.Query{Run: "late"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\r\nNAME:My\\, calendar\r\n", "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H30M\r\n", "\r\nX-PUBLISHED-TTL:PT1H30M\r\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no %q in output", want)
		}
	}
	buf.Reset()
	e = NewICalEncoder(&buf)
	e.Encode(s, schedule.Query{Run: "late"})
	if want := "\r\nNAME:Backstage test (late)\r\n"; !strings.Contains(buf.String(), want) {
		t.Errorf("no %q in output", want)
	}
	for d, want := range map[time.Duration]string{time.Second: "PT1S", 24 * time.Hour: "P1D", 36 * time.Hour: "P1DT12H", 0: "PT0S", 61 * time.Second: "PT1M1S"} {
		if got := string(appendICalDuration(nil, d)); got != want {
			t.Errorf("duration %v: got %s, want %s", d, got, want)
		}
	}
}

func ExampleNewICalEncoder() {
	jnb, _ := time.LoadLocation("Africa/Johannesburg")
	show := &schedule.Show{ID: "backstage", Title: "Backstage", Genres: []string{"Soap opera"},
		Synopsis: "Students at a performing-arts college in Johannesburg."}
	s, err := schedule.New(schedule.Plan{
		Name: "Backstage on e.tv", Revised: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC),
		Runs: []*schedule.Run{{
			Name: "original", Show: show, Channel: &schedule.Channel{ID: "etv.co.za", Name: "e.tv"},
			Rule: "30 18 * * 1-5", Location: jnb, Length: 30 * time.Minute,
			First: schedule.Date{Year: 2000, Month: 5, Day: 1}, Count: 1875, FirstEpisode: 1,
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	var out bytes.Buffer
	e := NewICalEncoder(&out)
	if err := e.Encode(s, s.Day(schedule.Date{Year: 2000, Month: 5, Day: 2})); err != nil {
		fmt.Println(err)
		return
	}
	if err := e.Close(); err != nil {
		fmt.Println(err)
		return
	}
	// Lines end with CRLF; print them with LF.
	io.Copy(os.Stdout, strings.NewReader(strings.ReplaceAll(out.String(), "\r\n", "\n")))
	// Output:
	// BEGIN:VCALENDAR
	// VERSION:2.0
	// PRODID:-//backstage-epg//backstage//EN
	// CALSCALE:GREGORIAN
	// METHOD:PUBLISH
	// NAME:Backstage on e.tv
	// X-WR-CALNAME:Backstage on e.tv
	// DESCRIPTION:1 airing\, on Tuesday 2 May 2000.\n\nStudents at a
	//   performing-arts college in Johannesburg.
	// X-WR-CALDESC:1 airing\, on Tuesday 2 May 2000.\n\nStudents at a
	//   performing-arts college in Johannesburg.
	// X-WR-TIMEZONE:Africa/Johannesburg
	// REFRESH-INTERVAL;VALUE=DURATION:P1D
	// X-PUBLISHED-TTL:P1D
	// COLOR:firebrick
	// X-APPLE-CALENDAR-COLOR:#B22222
	// BEGIN:VTIMEZONE
	// TZID:Africa/Johannesburg
	// BEGIN:STANDARD
	// DTSTART:19440319T020000
	// TZOFFSETFROM:+0300
	// TZOFFSETTO:+0200
	// TZNAME:SAST
	// END:STANDARD
	// END:VTIMEZONE
	// BEGIN:VEVENT
	// UID:20000502T163000Z-original@etv.co.za
	// DTSTAMP:20261126T000000Z
	// DTSTART;TZID=Africa/Johannesburg:20000502T183000
	// DTEND;TZID=Africa/Johannesburg:20000502T190000
	// SUMMARY:Backstage — Episode 2
	// DESCRIPTION:Students at a performing-arts college in Johannesburg.
	// LOCATION:e.tv
	// CATEGORIES:Soap opera
	// TRANSP:TRANSPARENT
	// END:VEVENT
	// END:VCALENDAR
}

func BenchmarkICalFullHistory(b *testing.B) {
	icalBench(b, testkit.Default(b), schedule.Query{}, icalOpts{})
}

func BenchmarkICalOneYear(b *testing.B) {
	s := testkit.Default(b)
	icalBench(b, s, s.Dates(schedule.Date{Year: 2003, Month: 1, Day: 1}, schedule.Date{Year: 2003, Month: 12, Day: 31}), icalOpts{})
}

func BenchmarkICalCompact(b *testing.B) {
	icalBench(b, testkit.Default(b), schedule.Query{}, icalOpts{compact: true})
}

func BenchmarkICalAllDay(b *testing.B) {
	icalBench(b, testkit.Default(b), schedule.Query{}, icalOpts{allDay: true})
}

// BenchmarkICalGolangICal writes the full history as the encoder would
// with golang-ical alone: each event built as an ics.VEvent and
// serialized by it. It is the measure behind the encoder's own event
// writer.
func BenchmarkICalGolangICal(b *testing.B) {
	s := testkit.Default(b)
	stamp := s.Revised()
	cfg := &ics.SerializationConfiguration{MaxLength: 75, PropertyMaxLength: 75, NewLine: "\r\n"}
	b.ReportAllocs()
	for b.Loop() {
		w := bufio.NewWriterSize(io.Discard, 32<<10)
		for sl := range s.Slots(schedule.Query{}) {
			ev := ics.NewEvent(sl.Start.UTC().Format("20060102T150405Z") + "-" + sl.Run.Name + "@" + sl.Run.Channel.ID)
			ev.SetDtStampTime(stamp)
			tz := ics.WithTZID(sl.Run.Location.String())
			ev.SetProperty(ics.ComponentPropertyDtStart, sl.Start.Format("20060102T150405"), tz)
			ev.SetProperty(ics.ComponentPropertyDtEnd, sl.End.Format("20060102T150405"), tz)
			ev.SetSummary(sl.Run.Show.Title + " — " + sl.Title())
			desc := icalExcerpt(sl.Run.Show.Synopsis, icalSynopsisMax)
			if sl.IsRepeat() {
				desc = "First aired " + sl.FirstAired.Format("Monday 2 January 2006, 15:04 MST") + ".\n\n" + desc
			}
			ev.SetDescription(desc)
			ev.SetLocation(sl.Run.Channel.Name)
			for _, g := range sl.Run.Show.Genres {
				ev.AddCategory(g)
			}
			ev.SetTimeTransparency(ics.TransparencyTransparent)
			if err := ev.SerializeTo(w, cfg); err != nil {
				b.Fatal(err)
			}
		}
		w.Flush()
	}
}

func icalBench(b *testing.B, s *schedule.Schedule, q schedule.Query, o icalOpts) {
	b.ReportAllocs()
	var n countWriter
	for b.Loop() {
		e := NewICalEncoder(&n)
		e.Compact, e.AllDay = o.compact, o.allDay
		if err := e.Encode(s, q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/float64(b.N), "bytes/export")
	b.ReportMetric(float64(s.Count(q)), "airings")
}

// TestICalEmptyWindow: a window with no airing still makes a calendar
// with a component, as RFC 5545's grammar requires: the zone's VTIMEZONE.
func TestICalEmptyWindow(t *testing.T) {
	s := testkit.Default(t)
	gap := s.Dates(schedule.Date{Year: 2008, Month: 1, Day: 1}, schedule.Date{Year: 2008, Month: 12, Day: 31})
	for _, o := range []icalOpts{{}, {allDay: true}, {compact: true}} {
		data := icalEncode(t, s, gap, o)
		icalCheckLines(t, data)
		if bytes.Contains(data, []byte("BEGIN:VEVENT")) {
			t.Errorf("%+v: events in an empty window", o)
		}
		if !bytes.Contains(data, []byte("BEGIN:VTIMEZONE\r\nTZID:Africa/Johannesburg\r\n")) {
			t.Errorf("%+v: no VTIMEZONE in an empty calendar:\n%s", o, data)
		}
	}
}

// TestICalCompactMemory: the compact calendar keeps a start per airing,
// not the airing: on the whole history it allocates under 400 bytes per
// airing (it was over 600 when it held each run's slots, which for a
// schedule of a million airings held over 100 MB at once).
func TestICalCompactMemory(t *testing.T) {
	s := testkit.Default(t)
	encode := func() {
		e := NewICalEncoder(io.Discard)
		e.Compact = true
		if err := e.Encode(s, schedule.Query{}); err != nil {
			t.Fatal(err)
		}
	}
	encode() // the zone's first use
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	encode()
	runtime.ReadMemStats(&after)
	airings := s.Count(schedule.Query{})
	if per := (after.TotalAlloc - before.TotalAlloc) / uint64(airings); per >= 400 {
		t.Errorf("%d bytes allocated per airing, want under 400", per)
	}
}

// TestReplayCalendarHeader: a replay calendar describes the replay, not
// the window, so that its header, which some subscribers fold into every
// event (vdirsyncer's http storage), stays the same as the window moves
// on. Only DTSTAMP, when the window was made, may change.
func TestReplayCalendarHeader(t *testing.T) {
	s := testkit.Default(t)
	header := func(day int) string {
		r, err := s.Replay(schedule.ReplayOptions{Now: time.Date(2026, 12, 5+day, 12, 0, 0, 0, s.Location()), PastDays: 1, Days: 7})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := Write(context.Background(), &b, r, Options{Format: ICal}); err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(b.String(), "BEGIN:VEVENT")
		return head
	}
	first := header(0)
	if !strings.Contains(first, "DESCRIPTION:A replay: from Monday 4 May 2026 on\\, each day airs what aired\r\n  1357 weeks before") {
		t.Errorf("the replay calendar's description does not say what the replay is:\n%s", first)
	}
	for day := 1; day < 10; day++ {
		if got := header(day); got != first {
			t.Fatalf("day %d: the calendar's header changed:\n%s\nwas\n%s", day, got, first)
		}
	}
}
