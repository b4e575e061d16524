package schedule_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// TestDateErrorKeepsTheCause checks that ParseDate says why a value is
// not a date, as time.ParseError does, and that callers can tell it is
// the user's.
func TestDateErrorKeepsTheCause(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2003-02-30", `date "2003-02-30": day out of range (want YYYY-MM-DD)`},
		{"2003-13-01", `date "2003-13-01": month out of range (want YYYY-MM-DD)`},
		{"16/06/2003", `date "16/06/2003": not a date (want YYYY-MM-DD)`},
		{"", `date "": empty (want YYYY-MM-DD)`},
	} {
		_, err := schedule.ParseDate(c.in)
		var de *schedule.DateError
		var pe *time.ParseError
		if err == nil || err.Error() != c.want || !errors.As(err, &de) || de.Value != c.in || !errors.As(err, &pe) || !errors.Is(err, schedule.ErrInput) {
			t.Errorf("ParseDate(%q) = %v; want %q, a *DateError wrapping *time.ParseError and ErrInput", c.in, err, c.want)
		}
	}
}

func TestQuery(t *testing.T) {
	s := testkit.Default(t)
	q, err := s.Query(schedule.Window{From: date("2003-06-16"), To: date("2003-06-20"), Run: "original"})
	if err != nil || s.Count(q) != 5 {
		t.Errorf("a week of the original run: %d airings, %v; want 5, nil", s.Count(q), err)
	}
	if q, err := s.Query(schedule.Window{}); err != nil || s.Count(q) != 3750 {
		t.Errorf("the open window: %d airings, %v; want 3750, nil", s.Count(q), err)
	}
	_, err = s.Query(schedule.Window{From: date("2003-06-20"), To: date("2003-06-16")})
	var re *schedule.RangeError
	if !errors.As(err, &re) || !errors.Is(err, schedule.ErrInput) || !strings.Contains(err.Error(), "2003-06-20 is after to 2003-06-16") {
		t.Errorf("backwards window: %v; want a *RangeError naming both days", err)
	}
	_, err = s.Query(schedule.Window{Run: "encore"})
	var ru *schedule.RunError
	if !errors.As(err, &ru) || ru.Name != "encore" || !errors.Is(err, schedule.ErrInput) || !strings.Contains(err.Error(), "original, rebroadcast") {
		t.Errorf("unknown run: %v; want a *RunError listing the runs", err)
	}
	_, err = s.Query(schedule.Window{Episode: -3})
	var ee *schedule.EpisodeError
	if !errors.As(err, &ee) || !errors.Is(err, schedule.ErrInput) {
		t.Errorf("a negative episode: %v; want an *EpisodeError", err)
	}
}

func TestParseEpisode(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		none bool // beyond the last: ErrNoEpisode
	}{
		{"1", 1, false}, {"1875", 1875, false}, {"0001", 1, false},
		{"1876", 0, true},
		{"0", 0, false}, {"-5", 0, false}, {"+5", 0, false}, {" 5", 0, false}, {"1e3", 0, false},
		{"", 0, false}, {"99999999999999999999", 0, false}, {"５", 0, false},
	} {
		n, err := schedule.ParseEpisode(c.in, 1875)
		if c.n != 0 {
			if n != c.n || err != nil {
				t.Errorf("ParseEpisode(%q) = %d, %v; want %d", c.in, n, err, c.n)
			}
			continue
		}
		var ee *schedule.EpisodeError
		if err == nil || !errors.As(err, &ee) || !errors.Is(err, schedule.ErrInput) || errors.Is(err, schedule.ErrNoEpisode) != c.none {
			t.Errorf("ParseEpisode(%q) = %d, %v; want an *EpisodeError (no such episode: %v)", c.in, n, err, c.none)
		}
	}
}

func TestReplayOptionsCheck(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		o     schedule.ReplayOptions
		field string
	}{
		{schedule.ReplayOptions{Now: now, Days: 7}, ""},
		{schedule.ReplayOptions{Days: 7}, "Now"},
		{schedule.ReplayOptions{Now: now, Days: 0}, "Days"},
		{schedule.ReplayOptions{Now: now, Days: 32}, "Days"},
		{schedule.ReplayOptions{Now: now, Days: 7, PastDays: -1}, "PastDays"},
		{schedule.ReplayOptions{Now: now, Days: 7, PastDays: 15}, "PastDays"},
	} {
		err := c.o.Check()
		var re *schedule.ReplayError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("Check(%+v) = %v, want nil", c.o, err)
		case c.field != "" && (!errors.As(err, &re) || re.Field != c.field || !errors.Is(err, schedule.ErrReplay) || !errors.Is(err, schedule.ErrInput)):
			t.Errorf("Check(%+v) = %v, want a *ReplayError about %s", c.o, err, c.field)
		}
	}
}

func TestOwnTitle(t *testing.T) {
	show := &schedule.Show{Title: "S", EpisodeTitles: map[int]string{1: "Pilot", 2: ""}}
	for _, c := range []struct {
		n          int
		own, title string
	}{{1, "Pilot", "Pilot"}, {2, "", "Episode 2"}, {3, "", "Episode 3"}} {
		sl := schedule.Slot{Run: &schedule.Run{Show: show}, Episode: c.n}
		if sl.OwnTitle() != c.own || sl.Title() != c.title {
			t.Errorf("episode %d: OwnTitle %q, Title %q; want %q, %q", c.n, sl.OwnTitle(), sl.Title(), c.own, c.title)
		}
	}
}

// TestWindowByStart checks that a window by start puts an airing that
// crosses midnight on the day it starts only, across a year's end, and
// that the windows of single days add up to the window over them all.
func TestWindowByStart(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	p := newPlan()
	s := build(t,
		p.run("late", "30 23 * * 3,5", jnb, "2003-12-01", "2004-01-31", time.Hour),
		p.run("early", "0 6 * * 1-5", jnb, "2003-12-01", "2004-01-31", 30*time.Minute),
	)
	on := func(w schedule.Window) string {
		t.Helper()
		q, err := s.Query(w)
		if err != nil {
			t.Fatal(err)
		}
		var got []schedule.Slot
		for sl := range s.Slots(q) {
			got = append(got, sl)
		}
		if n := s.Count(q); n != len(got) {
			t.Errorf("%+v: Count %d, Slots %d", w, n, len(got))
		}
		return summary(got)
	}
	for _, c := range []struct {
		from, to string
		byStart  bool
		want     string
	}{
		// Wednesday 2003-12-31 23:30 to Thursday 00:30, across New Year.
		{"2003-12-31", "2003-12-31", false, "early:23@2003-12-31T06:00 late:9@2003-12-31T23:30"},
		{"2003-12-31", "2003-12-31", true, "early:23@2003-12-31T06:00 late:9@2003-12-31T23:30"},
		{"2004-01-01", "2004-01-01", false, "late:9@2003-12-31T23:30 early:24@2004-01-01T06:00"},
		{"2004-01-01", "2004-01-01", true, "early:24@2004-01-01T06:00"},
		{"2004-01-01", "2004-01-02", true, "early:24@2004-01-01T06:00 early:25@2004-01-02T06:00 late:10@2004-01-02T23:30"},
		{"2004-01-03", "2004-01-04", true, ""}, // a weekend: Friday's late slot ends Saturday 00:30
		{"2004-01-03", "2004-01-04", false, "late:10@2004-01-02T23:30"},
	} {
		w := schedule.Window{From: date(c.from), To: date(c.to), ByStart: c.byStart}
		if got := on(w); got != c.want {
			t.Errorf("%s to %s, by start %t:\ngot  %q\nwant %q", c.from, c.to, c.byStart, got, c.want)
		}
	}

	// Additive: day by day, by start, gives every airing once.
	var days []string
	for d := date("2003-11-30"); !d.After(date("2004-02-01")); d = d.AddDays(1) {
		if got := on(schedule.Window{From: d, To: d, ByStart: true}); got != "" {
			days = append(days, got)
		}
	}
	all := on(schedule.Window{From: date("2003-11-30"), To: date("2004-02-01"), ByStart: true})
	if got := strings.Join(days, " "); got != all || all != summary(slices.Collect(s.Slots(schedule.Query{}))) {
		t.Errorf("day by day by start:\n%s\nwant every airing once:\n%s", got, all)
	}
}

// TestLongValuesQuoted checks that errors quote at most the first 100
// characters of a value, however long: the server answers with them.
func TestLongValuesQuoted(t *testing.T) {
	long := strings.Repeat("x", 30000)
	_, dateErr := schedule.ParseDate(long)
	_, epErr := schedule.ParseEpisode(long, 10)
	_, extraErr := schedule.ParseDate("2003-06-16" + long)
	s := testkit.Default(t)
	_, runErr := s.Query(schedule.Window{Run: long})
	p := testkit.Location(t, "UTC")
	_, fieldErr := schedule.New(schedule.Plan{Runs: []*schedule.Run{{
		Name: long, Show: &schedule.Show{}, Channel: &schedule.Channel{}, Location: p, Rule: long,
	}}})
	// A show's id and image, and a channel's id and icon, named in the
	// error for a picture CheckImageURL refuses.
	picture := func(show schedule.Show, ch schedule.Channel) error {
		show.Title = "S"
		_, err := schedule.New(schedule.Plan{Runs: []*schedule.Run{{
			Name: "r", Show: &show, Channel: &ch, Rule: "0 12 * * *", Location: p,
			First: date("2000-01-01"), Length: time.Hour, FirstEpisode: 1, Count: 1,
		}}})
		return err
	}
	imageErr := picture(schedule.Show{ID: long, Image: "ftp://" + long}, schedule.Channel{ID: "c"})
	iconErr := picture(schedule.Show{ID: "s"}, schedule.Channel{ID: long, Icon: long + " "})
	for _, err := range []error{dateErr, epErr, extraErr, runErr, fieldErr, imageErr, iconErr} {
		if err == nil {
			t.Fatal("got no error")
		}
		msg := err.Error()
		if len(msg) > 500 || !strings.Contains(msg, long[:90]+"") || strings.Contains(msg, long[:101]) {
			t.Errorf("got %d bytes: %.300s…; want the value cut to 100 characters", len(msg), msg)
		}
	}
}

// TestParseYear: exactly four ASCII digits make a year; a sign, fewer
// digits or a year 0 do not, and the error says which value it was.
func TestParseYear(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"2003", 2003}, {"0001", 1}, {"9999", 9999},
		{"+003", 0}, {"-003", 0}, {"03", 0}, {"20003", 0}, {"0000", 0}, {"", 0}, {"２００３", 0}, {"2003 ", 0},
	} {
		got, err := schedule.ParseYear(c.in)
		var ye *schedule.YearError
		switch {
		case c.want != 0 && (err != nil || got != c.want):
			t.Errorf("ParseYear(%q) = %d, %v; want %d", c.in, got, err, c.want)
		case c.want == 0 && (!errors.As(err, &ye) || !errors.Is(err, schedule.ErrInput) || ye.Value != c.in):
			t.Errorf("ParseYear(%q) = %d, %v; want a *YearError wrapping ErrInput", c.in, got, err)
		}
	}
	if w := schedule.Year(2008); w.From.String() != "2008-01-01" || w.To.String() != "2008-12-31" || w.Run != "" {
		t.Errorf("Year(2008) = %+v", w)
	}
}
