package feeds_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

func TestParseFormat(t *testing.T) {
	for _, name := range []string{"ics", "xmltv"} {
		f, err := feeds.ParseFormat(name)
		if err != nil || f.String() != name {
			t.Errorf("ParseFormat(%q) = %v, %v; want the format that prints as %q", name, f, err, name)
		}
	}
	for _, name := range []string{"", "ical", "ICS", "xml"} {
		if _, err := feeds.ParseFormat(name); err == nil {
			t.Errorf("ParseFormat(%q): no error", name)
		}
	}
}

// TestWriteRefuses checks that Write refuses what does not go together,
// and writes nothing when it does.
func TestWriteRefuses(t *testing.T) {
	s := testkit.Default(t)
	d := func(v string) schedule.Date {
		dd, err := schedule.ParseDate(v)
		if err != nil {
			t.Fatal(err)
		}
		return dd
	}
	for _, c := range []struct {
		name  string
		s     *schedule.Schedule
		o     feeds.Options
		want  string
		input bool // the error wraps schedule.ErrInput
	}{
		{"no format", s, feeds.Options{}, "unknown format", false},
		{"mark-new on a calendar", s, feeds.Options{Format: feeds.ICal, MarkNew: true}, "mark-new", false},
		{"seasons on a calendar", s, feeds.Options{Format: feeds.ICal, SeasonByYear: true}, "season-by-year", false},
		{"compact guide", s, feeds.Options{Format: feeds.XMLTV, Compact: true}, "compact", false},
		{"all-day guide", s, feeds.Options{Format: feeds.XMLTV, AllDay: true}, "all-day", false},
		{"relative public URL", s, feeds.Options{Format: feeds.XMLTV, BaseURL: "tv.example.org/backstage"}, "--public-url", false},
		{"public URL with a query", s, feeds.Options{Format: feeds.ICal, BaseURL: "https://tv.example.org/?x=1"}, "--public-url", false},
		{"no schedule", nil, feeds.Options{Format: feeds.ICal}, "no schedule", false},
		{"window backwards", s, feeds.Options{Format: feeds.ICal, Window: schedule.Window{From: d("2004-01-01"), To: d("2003-01-01")}}, "after", true},
		{"unknown run", s, feeds.Options{Format: feeds.XMLTV, Window: schedule.Window{Run: "encore"}}, `"encore"`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			err := feeds.Write(context.Background(), &b, c.s, c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
			if errors.Is(err, schedule.ErrInput) != c.input {
				t.Errorf("errors.Is(%v, ErrInput) = %v, want %v", err, !c.input, c.input)
			}
			if b.Len() > 0 {
				t.Errorf("wrote %d bytes before failing", b.Len())
			}
		})
	}
}

// TestWriteIsTheEncoders checks that Write gives the encoders' bytes.
func TestWriteIsTheEncoders(t *testing.T) {
	s := testkit.Default(t)
	w := schedule.Window{From: schedule.Date{Year: 2009, Month: 1, Day: 1}, To: schedule.Date{Year: 2009, Month: 1, Day: 31}, Run: "rebroadcast"}
	q, err := s.Query(w)
	if err != nil {
		t.Fatal(err)
	}
	var want, got bytes.Buffer
	o := feeds.Options{Format: feeds.ICal, Window: w, AllDay: true}
	ie := feeds.NewICalEncoder(&want)
	ie.AllDay, ie.Name = true, o.CalendarName(s.Name())
	if err := ie.Encode(s, q); err != nil || ie.Close() != nil {
		t.Fatal(err)
	}
	if err := feeds.Write(context.Background(), &got, s, o); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Error("Write's calendar differs from the encoder's")
	}
	if name := "NAME:Backstage on e.tv (rebroadcast\\, 2009-01-01 to 2009-01-31\\, all-day)\r\n"; !strings.Contains(got.String(), name) {
		t.Errorf("Write's calendar is not named %q", name)
	}
	want.Reset()
	got.Reset()
	xe := feeds.NewXMLTVEncoder(&want)
	xe.MarkNew, xe.Generator, xe.BaseURL = true, "test/1", "https://tv.example.org"
	if err := xe.Encode(s, q); err != nil || xe.Close() != nil {
		t.Fatal(err)
	}
	if err := feeds.Write(context.Background(), &got, s, feeds.Options{Format: feeds.XMLTV, Window: w, MarkNew: true, Generator: "test/1", BaseURL: "https://tv.example.org"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Error("Write's guide differs from the encoder's")
	}
}

// TestFeedPath checks the address the server answers each feed at: its
// Path, or the query-string form. FeedPath used to spell out the static
// site's paths itself, and got two wrong: a run's calendar under its
// %-escaped name (the site names it by a slug: "Late Show" is
// calendar/late-show.ics) and a year with no airing (the site has no
// calendar/2008.ics), so those calendars' SOURCE led nowhere. Only the
// site knows its paths now, and passes them in Path.
func TestFeedPath(t *testing.T) {
	d := func(y int, m time.Month, day int) schedule.Date { return schedule.Date{Year: y, Month: m, Day: day} }
	for _, tc := range []struct {
		o    feeds.Options
		want string
	}{
		{feeds.Options{Format: feeds.ICal}, "calendar.ics"},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Window{Run: "original"}}, "calendar.ics?run=original"},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Year(2008)}, "calendar.ics?from=2008-01-01&to=2008-12-31"},
		{feeds.Options{Format: feeds.ICal, Compact: true}, "calendar.ics?compact=1"},
		{feeds.Options{Format: feeds.ICal, AllDay: true}, "calendar.ics?all_day=1"},
		{feeds.Options{Format: feeds.ICal, Compact: true, AllDay: true}, "calendar.ics?all_day=1&compact=1"},
		{feeds.Options{Format: feeds.ICal, Compact: true, Window: schedule.Window{Run: "original"}}, "calendar.ics?compact=1&run=original"},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Window{From: d(2003, 2, 1), To: d(2003, 2, 28)}}, "calendar.ics?from=2003-02-01&to=2003-02-28"},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Window{From: d(2003, 1, 1), To: d(2003, 12, 31), Run: "original"}}, "calendar.ics?from=2003-01-01&run=original&to=2003-12-31"},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Window{Run: "late night/2"}}, "calendar.ics?run=late+night%2F2"},
		{feeds.Options{Format: feeds.XMLTV}, "xmltv.xml"},
		{feeds.Options{Format: feeds.XMLTV, MarkNew: true}, "xmltv.xml?mark_new=1"},
		{feeds.Options{Format: feeds.XMLTV, MarkNew: true, SeasonByYear: true}, "xmltv.xml?mark_new=1&season_by_year=1"},
		{feeds.Options{Format: feeds.XMLTV, Window: schedule.Year(2009)}, "xmltv.xml?from=2009-01-01&to=2009-12-31"},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Year(2003), Path: "calendar/2003.ics"}, "calendar/2003.ics"},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Window{Episode: 816}}, ""},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Window{Episode: 816}, Path: "episodes/816.ics"}, "episodes/816.ics"},
	} {
		if got := tc.o.FeedPath(); got != tc.want {
			t.Errorf("%+v: FeedPath = %q, want %q", tc.o, got, tc.want)
		}
	}
	o := feeds.Options{Format: feeds.ICal, Window: schedule.Year(2003), Path: "calendar/2003.ics"}
	if got := o.FeedURL(); got != "" {
		t.Errorf("FeedURL without a BaseURL = %q, want none", got)
	}
	o.BaseURL = "https://tv.example.org/backstage"
	if got, want := o.FeedURL(), "https://tv.example.org/backstage/calendar/2003.ics"; got != want {
		t.Errorf("FeedURL = %q, want %q", got, want)
	}
	o = feeds.Options{Format: feeds.ICal, Window: schedule.Window{Episode: 816}, BaseURL: o.BaseURL}
	if got := o.FeedURL(); got != "" {
		t.Errorf("FeedURL of an episode's calendar without a Path = %q, want none (serve has no query for it)", got)
	}
}

// TestCalendarName: each calendar is named for what it holds, so that
// two subscriptions of one schedule read differently in a calendar app.
func TestCalendarName(t *testing.T) {
	d := func(y int, m time.Month, day int) schedule.Date { return schedule.Date{Year: y, Month: m, Day: day} }
	for _, tc := range []struct {
		o    feeds.Options
		want string
	}{
		{feeds.Options{}, "B"},
		{feeds.Options{Window: schedule.Year(2003)}, "B (2003)"},
		{feeds.Options{Window: schedule.Window{Run: "original"}}, "B (original)"},
		{feeds.Options{Compact: true}, "B (compact)"},
		{feeds.Options{AllDay: true}, "B (all-day)"},
		{feeds.Options{Window: schedule.Window{Episode: 816}}, "B (episode 816)"},
		{feeds.Options{Window: schedule.Window{From: d(2003, 2, 1), To: d(2003, 2, 28)}}, "B (2003-02-01 to 2003-02-28)"},
		{feeds.Options{Window: schedule.Window{From: d(2003, 2, 1), To: d(2003, 2, 1)}}, "B (2003-02-01)"},
		{feeds.Options{Window: schedule.Window{From: d(2003, 2, 1)}}, "B (from 2003-02-01)"},
		{feeds.Options{Window: schedule.Window{To: d(2003, 2, 1)}}, "B (to 2003-02-01)"},
		{feeds.Options{Window: schedule.Window{From: d(2003, 1, 1), To: d(2004, 12, 31)}}, "B (2003-01-01 to 2004-12-31)"},
		{feeds.Options{Window: schedule.Window{Run: "original", From: d(2003, 1, 1), To: d(2003, 12, 31)}, AllDay: true}, "B (original, 2003, all-day)"},
		{feeds.Options{Name: "Mine", Compact: true}, "Mine"},
	} {
		if got := tc.o.CalendarName("B"); got != tc.want {
			t.Errorf("%+v: CalendarName = %q, want %q", tc.o, got, tc.want)
		}
	}
}

// TestWriteCalendarLinks checks that Write gives a published calendar
// its own address as SOURCE, the site as URL and the show's picture as
// IMAGE, and an unpublished one none of them.
func TestWriteCalendarLinks(t *testing.T) {
	s := testkit.Default(t)
	o := feeds.Options{Format: feeds.ICal, Compact: true}
	var b bytes.Buffer
	if err := feeds.Write(context.Background(), &b, s, o); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"\r\nURL", "\r\nSOURCE", "\r\nIMAGE"} {
		if strings.Contains(b.String(), p) {
			t.Errorf("unpublished calendar has %s", p[2:])
		}
	}
	b.Reset()
	o.BaseURL = "https://tv.example.org/backstage/"
	o.Path = "calendar/compact.ics" // as the site publishes it
	if err := feeds.Write(context.Background(), &b, s, o); err != nil {
		t.Fatal(err)
	}
	unfolded := strings.ReplaceAll(b.String(), "\r\n ", "")
	for _, want := range []string{
		"\r\nCOLOR:firebrick\r\n",
		"\r\nURL;VALUE=URI:https://tv.example.org/backstage/\r\n",
		"\r\nSOURCE;VALUE=URI:https://tv.example.org/backstage/calendar/compact.ics\r\n",
		"\r\nIMAGE;FMTTYPE=image/png;VALUE=URI:https://tv.example.org/backstage/assets/show-backstage.png\r\n",
	} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("published calendar lacks %q", want)
		}
	}
}

// cancelAfter cancels its context after its first write.
type cancelAfter struct {
	cancel context.CancelFunc
	n      int
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.n += len(p)
	c.cancel()
	return len(p), nil
}

// TestWriteStopsWhenCancelled: a feed stops at the encoder's next flush
// once the context is done, with the context's error.
func TestWriteStopsWhenCancelled(t *testing.T) {
	s := testkit.Default(t)
	for _, f := range []feeds.Format{feeds.ICal, feeds.XMLTV} {
		ctx, cancel := context.WithCancel(context.Background())
		w := &cancelAfter{cancel: cancel}
		err := feeds.Write(ctx, w, s, feeds.Options{Format: f})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%v: got %v, want context.Canceled", f, err)
		}
		if w.n > 1<<20 {
			t.Errorf("%v: wrote %d bytes after the cancel, want at most a flush's worth", f, w.n)
		}
		var b bytes.Buffer
		if err := feeds.Write(ctx, &b, s, feeds.Options{Format: f}); !errors.Is(err, context.Canceled) || b.Len() > 0 {
			t.Errorf("%v, already cancelled: got %v and %d bytes, want context.Canceled and none", f, err, b.Len())
		}
	}
}

// TestWriteByStart checks that Write honours Window.ByStart: a slot that
// crosses midnight is in the guide of the day it starts only, so the
// guides of single days hold every airing of the week once.
func TestWriteByStart(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	s, err := schedule.New(schedule.Plan{Runs: []*schedule.Run{{
		Name: "late", Show: &schedule.Show{ID: "s", Title: "Late"}, Channel: &schedule.Channel{ID: "late.example", Name: "Late"},
		Rule: "45 23 * * *", Location: jnb, Length: 30 * time.Minute, FirstEpisode: 1,
		First: schedule.Date{Year: 2003, Month: 12, Day: 29}, Last: schedule.Date{Year: 2004, Month: 1, Day: 4},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	programmes := func(w schedule.Window) int {
		t.Helper()
		var b bytes.Buffer
		if err := feeds.Write(context.Background(), &b, s, feeds.Options{Format: feeds.XMLTV, Window: w}); err != nil {
			t.Fatal(err)
		}
		return strings.Count(b.String(), "<programme ")
	}
	first, last := schedule.Date{Year: 2003, Month: 12, Day: 29}, schedule.Date{Year: 2004, Month: 1, Day: 4}
	onAir, byStart := 0, 0
	for d := first; !d.After(last); d = d.AddDays(1) {
		onAir += programmes(schedule.Window{From: d, To: d})
		byStart += programmes(schedule.Window{From: d, To: d, ByStart: true})
	}
	if week := programmes(schedule.Window{From: first, To: last, ByStart: true}); byStart != 7 || week != 7 {
		t.Errorf("by start: %d programmes day by day, %d in the week; want 7 and 7", byStart, week)
	}
	if onAir != 13 { // each of the six midnights is crossed, the last slot ends after the window
		t.Errorf("on air: %d programmes day by day, want 13 (a crossing slot on both days)", onAir)
	}
}
