package schedule_test

import (
	"errors"
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
	for _, err := range []error{dateErr, epErr, extraErr, runErr, fieldErr} {
		if err == nil {
			t.Fatal("got no error")
		}
		msg := err.Error()
		if len(msg) > 500 || !strings.Contains(msg, long[:90]+"") || strings.Contains(msg, long[:101]) {
			t.Errorf("got %d bytes: %.300s…; want the value cut to 100 characters", len(msg), msg)
		}
	}
}
