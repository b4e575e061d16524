package cli_test

import (
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/internal/version"
)

// TestVersionFlag: --version prints the version, wherever it stands
// before a command would.
func TestVersionFlag(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-version"}, {"--tz", "UTC", "--version"}} {
		code, stdout, stderr := run(t, args...)
		if code != 0 || stdout != "backstage "+version.Number+"\n" || stderr != "" {
			t.Errorf("backstage %s: exit %d, stdout %q, stderr %q; want 0 and the version", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}

// TestYear: --year Y is --from Y-01-01 --to Y-12-31, as ?year= is on the
// server, and goes with neither.
func TestYear(t *testing.T) {
	_, byYear, _ := run(t, "export", "ics", "--year", "2003")
	_, byDates, _ := run(t, "export", "ics", "--from", "2003-01-01", "--to", "2003-12-31")
	if byYear == "" || byYear != byDates {
		t.Errorf("export ics --year 2003 differs from --from 2003-01-01 --to 2003-12-31")
	}
	if n := strings.Count(byYear, "BEGIN:VEVENT"); n != 261 {
		t.Errorf("--year \"2003\": %d events, want 261", n)
	}
	if _, out, _ := run(t, "slots", "--year", "2009", "--run", "rebroadcast"); strings.Count(out, "rebroadcast") != 259 {
		t.Errorf("slots --year 2009 --run \"rebroadcast\": %d rows, want 259", strings.Count(out, "rebroadcast"))
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "ics", "--year", "2003", "--from", "2003-02-01"}, `--year "2003": goes with neither from nor to: want year, or from and to`},
		{[]string{"slots", "--to", "2003-02-01", "--year", "2003"}, `--year "2003": goes with neither from nor to: want year, or from and to`},
		{[]string{"export", "ics", "--year", "03"}, `--year "03": want a four-digit year such as 2003`},
		{[]string{"export", "ics", "--year", "+003"}, `--year "+003"`},
		{[]string{"export", "ics", "--year", "0000"}, `--year "0000"`},
		{[]string{"export", "ics", "--year="}, "--year \"\": empty"},
	} {
		code, _, stderr := run(t, c.args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("backstage %s: exit %d, stderr %q; want 2 and one line with %q", strings.Join(c.args, " "), code, stderr, c.want)
		}
	}
}

// TestNothingAired: a day with no airing says what is around it.
func TestNothingAired(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"aired", "2026-11-30"}, "Nothing aired on Mon 2026-11-30 (Africa/Johannesburg): the airings ended with Fri 2016-03-11 16:40 (rebroadcast, episode 1875). With --replay, the history airs again, 1357 weeks (26 years) later.\n"},
		{[]string{"aired", "1999-12-31"}, "Nothing aired on Fri 1999-12-31 (Africa/Johannesburg): the first airing was Mon 2000-05-01 18:30 (original, episode 1).\n"},
		{[]string{"aired", "2008-03-04"}, "Nothing aired on Tue 2008-03-04 (Africa/Johannesburg): it falls between the original run, which ended with Fri 2007-07-06 18:30 (original, episode 1875), and the rebroadcast run, which began with Mon 2009-01-05 16:40 (rebroadcast, episode 1).\n"},
		{[]string{"aired", "2003-06-21"}, "Nothing aired on Sat 2003-06-21 (Africa/Johannesburg). Next: Mon 2003-06-23 18:30 (original, episode 821).\n"},
		{[]string{"aired", "2003-06-21", "--tz", "UTC"}, "Next: Mon 2003-06-23 16:30 (original, episode 821).\n"},
	} {
		code, stdout, stderr := run(t, c.args...)
		if code != 0 || !strings.HasSuffix(stdout, c.want) || stderr != "" {
			t.Errorf("backstage %s: exit %d, %q, stderr %q; want 0 and %q", strings.Join(c.args, " "), code, stdout, stderr, c.want)
		}
	}
	// "today", long after the airings ended, points to replay mode.
	want := "Nothing aired on Thu 2026-11-26 (Africa/Johannesburg): the airings ended with Fri 2016-03-11 16:40 (rebroadcast, episode 1875). With --replay, the history airs again, 1357 weeks (26 years) later.\n"
	if code, stdout, stderr := runAt(t, thursday, "aired", "today"); code != 0 || stdout != want || stderr != "" {
		t.Errorf("aired today on %v: exit %d, %q, stderr %q; want 0 and %q", thursday, code, stdout, stderr, want)
	}
}

// TestEpisodeOutsideWindow: in replay mode, an episode outside the window
// is said to be so, with when it aired in the history.
func TestEpisodeOutsideWindow(t *testing.T) {
	code, stdout, stderr := runAt(t, thursday, "episode", "1000", "--replay", "--replay-from", "2003-06-16", "--replay-start", "2026-11-23")
	want := "Episode 1000 does not air in this replay window, Wed 2026-11-25 to Thu 2026-12-03, which has episodes 818 to 824. " +
		"It first aired Fri 2004-02-27 18:30 (original); its last airing was Fri 2012-11-02 16:40 (rebroadcast).\n"
	if code != 0 || stdout != want || stderr != "" {
		t.Errorf("got exit %d, %q, stderr %q; want 0 and %q", code, stdout, stderr, want)
	}
	if _, stdout, _ := runAt(t, thursday, "episode", "819", "--replay", "--replay-from", "2003-06-16", "--replay-start", "2026-11-23"); !strings.Contains(stdout, "Thu  2026-11-26  18:30–19:00 SAST") {
		t.Errorf("an episode in the window: got %q, want its airing this Thursday", stdout)
	}
	for _, c := range []struct{ day, want string }{
		{"2026-11-28", "Nothing airs on Sat 2026-11-28 (Africa/Johannesburg) in this replay. Next: Mon 2026-11-30 18:30 (original, episode 821).\n"},
		{"2027-01-05", "Tue 2027-01-05 (Africa/Johannesburg) is outside this replay window, Wed 2026-11-25 to Thu 2026-12-03; it replays Tue 2003-07-29 (see backstage aired 2003-07-29).\n"},
		{"2026-11-20", "Fri 2026-11-20 (Africa/Johannesburg) is outside this replay window, Wed 2026-11-25 to Thu 2026-12-03.\n"},
	} {
		if _, stdout, _ := runAt(t, thursday, "aired", c.day, "--replay", "--replay-from", "2003-06-16", "--replay-start", "2026-11-23"); stdout != c.want {
			t.Errorf("aired %s --replay: got %q, want %q", c.day, stdout, c.want)
		}
	}
}

// TestRunsZone: with --tz the airings' times carry their zone, and the
// slot rule's own zone is named as such.
func TestRunsZone(t *testing.T) {
	_, stdout, _ := run(t, "runs", "--tz", "Europe/London")
	for _, w := range []string{"SLOT ZONE", "Africa/Johannesburg", "Mon 2000-05-01 17:30 BST", "Mon 2009-01-05 14:40 GMT"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("runs --tz Europe/London lacks %q:\n%s", w, stdout)
		}
	}
}
