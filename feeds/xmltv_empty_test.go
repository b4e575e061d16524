package feeds

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// xmltvEmptyDays writes the guide of the days from through to, by start,
// with the empty days marked.
func xmltvEmptyDays(t testing.TB, s *schedule.Schedule, from, to schedule.Date) []byte {
	t.Helper()
	var b bytes.Buffer
	o := Options{Format: XMLTV, Generator: "backstage/test", MarkEmptyDays: true,
		Window: schedule.Window{From: from, To: to, ByStart: true}}
	if err := Write(context.Background(), &b, s, o); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestXMLTVEmptyDaysGolden(t *testing.T) {
	// Friday 2006-12-29 to Tuesday 2007-01-02: e.tv has nothing at the
	// weekend; the London channel's Friday 23:45 slot starts on Saturday
	// in the schedule's zone, so its Friday and its days after are empty.
	out := xmltvEmptyDays(t, smallSchedule(t), schedule.Date{Year: 2006, Month: 12, Day: 29}, schedule.Date{Year: 2007, Month: 1, Day: 2})
	testkit.Golden(t, filepath.Join("testdata", "xmltv_small_emptydays.xml"), out)
}

var xmltvProgrammeElement = regexp.MustCompile(`(?s)  <programme .*?</programme>\n`)

// TestXMLTVEmptyDays checks where the markers go: on the days with no
// start on their channel, after any slot still on air at midnight, never
// overlapping a slot, and the same whether the days are asked for one by
// one or together.
func TestXMLTVEmptyDays(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	show := &schedule.Show{ID: "s", Title: "Late & Early"}
	ch := &schedule.Channel{ID: "late.example", Name: "Late TV"}
	s, err := schedule.New(schedule.Plan{Runs: []*schedule.Run{
		{Name: "friday", Show: show, Channel: ch, Rule: "45 23 * * 5", Location: jnb, Length: 30 * time.Minute, FirstEpisode: 1,
			First: schedule.Date{Year: 2003, Month: 12, Day: 1}, Last: schedule.Date{Year: 2004, Month: 1, Day: 31}},
		{Name: "monday", Show: show, Channel: ch, Rule: "0 0 * * 1", Location: jnb, Length: 24 * time.Hour, FirstEpisode: 1,
			First: schedule.Date{Year: 2003, Month: 12, Day: 1}, Last: schedule.Date{Year: 2004, Month: 1, Day: 31}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	from, to := schedule.Date{Year: 2003, Month: 12, Day: 29}, schedule.Date{Year: 2004, Month: 1, Day: 4} // Monday to Sunday
	out := string(xmltvEmptyDays(t, s, from, to))
	var got []string
	for _, p := range xmltvProgrammeElement.FindAllString(out, -1) {
		start, _, _ := strings.Cut(strings.TrimPrefix(p, `  <programme start="`), `" stop`)
		title := "slot"
		if strings.Contains(p, XMLTVEmptyDayTitle) {
			title = "empty"
			if !strings.Contains(p, `<desc lang="en">No airing of Late &amp; Early on Late TV on this day.</desc>`) {
				t.Errorf("marker without its description:\n%s", p)
			}
		}
		got = append(got, start[:12]+" "+title)
	}
	want := []string{
		"200312290000 slot",  // Monday, all day
		"200312300000 empty", // Tuesday to Thursday
		"200312310000 empty",
		"200401010000 empty",
		"200401022345 slot",  // Friday 23:45 to Saturday 00:15
		"200401030015 empty", // Saturday, after Friday's slot
		"200401040000 empty", // Sunday
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("programmes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var days strings.Builder
	for d := from; !d.After(to); d = d.AddDays(1) {
		for _, p := range xmltvProgrammeElement.FindAllString(string(xmltvEmptyDays(t, s, d, d)), -1) {
			days.WriteString(p)
		}
	}
	if all := strings.Join(xmltvProgrammeElement.FindAllString(out, -1), ""); days.String() != all {
		t.Errorf("day by day:\n%s\nthe week at once:\n%s", days.String(), all)
	}
}

func TestXMLTVEmptyDaysOptions(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Format: ICal, MarkEmptyDays: true, Window: schedule.Window{From: schedule.Date{Year: 2003, Month: 1, Day: 1}, To: schedule.Date{Year: 2003, Month: 1, Day: 1}}}, "--mark-empty-days is for xmltv"},
		{Options{Format: XMLTV, MarkEmptyDays: true}, "--mark-empty-days needs a window with a first and a last day"},
		{Options{Format: XMLTV, MarkEmptyDays: true, Window: schedule.Window{From: schedule.Date{Year: 2003, Month: 1, Day: 1}}}, "--mark-empty-days needs a window with a first and a last day"},
	} {
		if err := c.o.Check(); err == nil || err.Error() != c.want {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
}
