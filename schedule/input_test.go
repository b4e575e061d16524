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

// inputError reports whether err is an *InputError for field, wrapping
// ErrInput.
func inputError(err error, field string) bool {
	var ie *schedule.InputError
	return errors.As(err, &ie) && ie.Field == field && errors.Is(err, schedule.ErrInput)
}

// TestDateErrorKeepsTheCause checks that ParseDate says why a value is
// not a date, as time.ParseError does, and that callers can tell it is
// the user's.
func TestDateErrorKeepsTheCause(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2003-02-30", `date "2003-02-30": day out of range (want YYYY-MM-DD)`},
		{"2003-13-01", `date "2003-13-01": month out of range (want YYYY-MM-DD)`},
		{"16/06/2003", `date "16/06/2003": not a date (want YYYY-MM-DD)`},
		{"", `date: empty (want YYYY-MM-DD)`},
	} {
		_, err := schedule.ParseDate(c.in)
		var ie *schedule.InputError
		if err == nil || err.Error() != c.want || !inputError(err, "date") || !errors.As(err, &ie) || ie.Value != c.in {
			t.Errorf("ParseDate(%q) = %v; want %q, an *InputError for date", c.in, err, c.want)
		}
	}
}

// TestParseWindow reads windows as the command line and the server take
// them: each refusal names the field at fault and its value.
func TestParseWindow(t *testing.T) {
	s := testkit.Default(t)
	for _, c := range []struct {
		in   map[string]string
		want schedule.Window
		err  string // the error's message; "" for none
	}{
		{map[string]string{}, schedule.Window{}, ""},
		{map[string]string{"from": "2003-06-16", "to": "2003-06-20", "run": "original"}, schedule.Window{From: date("2003-06-16"), To: date("2003-06-20"), Run: "original"}, ""},
		{map[string]string{"year": "2003"}, schedule.Year(2003), ""},
		{map[string]string{"year": "2003", "run": "rebroadcast"}, schedule.Window{From: date("2003-01-01"), To: date("2003-12-31"), Run: "rebroadcast"}, ""},
		{map[string]string{"from": "2003-02-30"}, schedule.Window{}, "from \"2003-02-30\": day out of range (want YYYY-MM-DD)"},
		{map[string]string{"to": "June"}, schedule.Window{}, "to \"June\": not a date (want YYYY-MM-DD)"},
		{map[string]string{"from": ""}, schedule.Window{}, "from: empty: want a value"},
		{map[string]string{"year": "03"}, schedule.Window{}, "year \"03\": want a four-digit year such as 2003"},
		{map[string]string{"year": "2003", "to": "2003-01-01"}, schedule.Window{}, "year \"2003\": goes with neither from nor to: want year, or from and to"},
		{map[string]string{"from": "2003-06-20", "to": "2003-06-16"}, schedule.Window{}, "to \"2003-06-16\": before from 2003-06-20: want to on or after from"},
		{map[string]string{"run": "encore"}, schedule.Window{}, "run \"encore\": no run has this name: want one of original, rebroadcast"},
		{map[string]string{"run": ""}, schedule.Window{}, "run: empty: want one of original, rebroadcast"},
		{map[string]string{"run": "late show"}, schedule.Window{}, `run "late show": no run has this name`},
	} {
		w, err := s.ParseWindow(func(f string) (string, bool) { v, ok := c.in[f]; return v, ok })
		switch {
		case c.err == "" && (err != nil || w != c.want):
			t.Errorf("%v: %+v, %v; want %+v", c.in, w, err, c.want)
		case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err) || !errors.Is(err, schedule.ErrInput)):
			t.Errorf("%v: %v; want an input error %q", c.in, err, c.err)
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
	if !inputError(err, "to") || !strings.Contains(err.Error(), "to \"2003-06-16\": before from 2003-06-20") {
		t.Errorf("backwards window: %v; want an input error naming both days", err)
	}
	_, err = s.Query(schedule.Window{Run: "encore"})
	if !inputError(err, "run") || !strings.Contains(err.Error(), "original, rebroadcast") {
		t.Errorf("unknown run: %v; want an input error listing the runs", err)
	}
	_, err = s.Query(schedule.Window{Episode: -3})
	var ie *schedule.InputError
	if !errors.As(err, &ie) || ie.Field != "episode" || !errors.Is(err, schedule.ErrInput) {
		t.Errorf("a negative episode: %v; want an *InputError for episode", err)
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
		if !inputError(err, "episode") || errors.Is(err, schedule.ErrNoEpisode) != c.none {
			t.Errorf("ParseEpisode(%q) = %d, %v; want an input error for episode (no such episode: %v)", c.in, n, err, c.none)
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
		{schedule.ReplayOptions{Days: 7}, "now"},
		{schedule.ReplayOptions{Now: now, Days: 0}, "days"},
		{schedule.ReplayOptions{Now: now, Days: 32}, "days"},
		{schedule.ReplayOptions{Now: now, Days: 7, PastDays: -1}, "past-days"},
		{schedule.ReplayOptions{Now: now, Days: 7, PastDays: 15}, "past-days"},
	} {
		err := c.o.Check()
		switch {
		case c.field == "" && err != nil:
			t.Errorf("Check(%+v) = %v, want nil", c.o, err)
		case c.field != "" && !inputError(err, c.field):
			t.Errorf("Check(%+v) = %v, want an input error about %s", c.o, err, c.field)
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
		var ie *schedule.InputError
		switch {
		case c.want != 0 && (err != nil || got != c.want):
			t.Errorf("ParseYear(%q) = %d, %v; want %d", c.in, got, err, c.want)
		case c.want == 0 && (!inputError(err, "year") || !errors.As(err, &ie) || ie.Value != c.in):
			t.Errorf("ParseYear(%q) = %d, %v; want an input error for year", c.in, got, err)
		}
	}
	if w := schedule.Year(2008); w.From.String() != "2008-01-01" || w.To.String() != "2008-12-31" || w.Run != "" {
		t.Errorf("Year(2008) = %+v", w)
	}
}
