package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/cli"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/internal/version"
)

// now is the fixed clock of the tests: Monday 2003-06-16 12:00 SAST.
var now = time.Date(2003, 6, 16, 10, 0, 0, 0, time.UTC)

// run calls cli.Main in-process and returns its exit code and output.
func run(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runAt(t, now, args...)
}

func runAt(t testing.TB, at time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), args, cli.Env{
		Stdout: &out, Stderr: &errOut,
		Now: func() time.Time { return at },
	})
	return code, out.String(), errOut.String()
}

const small = "testdata/two-channels.yaml"

func TestCommands(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		golden string   // compare stdout with this file in testdata
		want   []string // or look for these in stdout
		not    []string // and not these
	}{
		{name: "aired date", args: []string{"aired", "2003-06-16"}, golden: "aired-2003-06-16.txt"},
		{name: "aired date json", args: []string{"aired", "2003-06-16", "--json"}, golden: "aired-2003-06-16.json"},
		{name: "aired datetime", args: []string{"aired", "2003-06-16T18:45"}, want: []string{"Mon  2003-06-16  18:30–19:00 SAST", "original  816"}},
		{name: "aired datetime at the start", args: []string{"aired", "2003-06-16T18:30"}, want: []string{"816"}},
		{name: "aired datetime at the end", args: []string{"aired", "2003-06-16T19:00"}, want: []string{"Nothing was on air at Mon 2003-06-16 19:00 SAST. Next: Tue 2003-06-17 18:30 (original, episode 817)."}},
		{name: "aired datetime in --tz", args: []string{"aired", "2003-06-17T04:45", "--tz", "Pacific/Auckland"}, want: []string{"Tue  2003-06-17  04:30–05:00 NZST  e.tv     original  816"}},
		{name: "aired datetime in --tz, a miss", args: []string{"aired", "2003-06-16T04:45", "--tz", "Pacific/Auckland"},
			want: []string{"Nothing was on air at Mon 2003-06-16 04:45 NZST. Next: Tue 2003-06-17 04:30 (original, episode 816)."}},
		{name: "aired datetime after the history", args: []string{"aired", "2020-01-01T12:00"},
			want: []string{"Nothing was on air at Wed 2020-01-01 12:00 SAST: the airings ended with Fri 2016-03-11 16:40 (rebroadcast, episode 1875)."}},
		{name: "aired RFC 3339 UTC", args: []string{"aired", "2003-06-16T16:59:59Z"}, want: []string{"816"}},
		{name: "aired RFC 3339 offset", args: []string{"aired", "2003-06-16T18:45:00+02:00"}, want: []string{"816"}},
		{name: "aired RFC 3339 after the end", args: []string{"aired", "2003-06-16T17:00:00Z"}, want: []string{"Nothing was on air at"}},
		{name: "aired today", args: []string{"aired", "today"}, want: []string{"2003-06-16", "816"}},
		{name: "aired a rebroadcast", args: []string{"aired", "2009-01-05"}, want: []string{"16:40–17:10 SAST", "rebroadcast  1", "first aired Mon 2000-05-01 18:30"}},
		{name: "aired on a weekend", args: []string{"aired", "2003-06-21"}, want: []string{"Nothing aired on Sat 2003-06-21 (Africa/Johannesburg)."}},
		{name: "aired between the runs", args: []string{"aired", "2008-06-16"}, want: []string{"Nothing aired on Mon 2008-06-16"}},
		{name: "aired before the first", args: []string{"aired", "1999-01-01", "--json"}, golden: "empty.json"},
		{name: "aired at a moment json", args: []string{"aired", "2003-06-16T12:00", "--json"}, golden: "empty.json"},
		{name: "aired on a leap day", args: []string{"aired", "2008-02-29"}, want: []string{"Nothing aired on Fri 2008-02-29"}},
		{name: "aired tz", args: []string{"aired", "2003-06-16", "--tz", "Europe/London"}, want: []string{"Mon  2003-06-16  17:30–18:00 BST"}},
		{name: "aired tz UTC", args: []string{"aired", "2003-06-16", "--tz=UTC"}, want: []string{"16:30–17:00 UTC"}},
		{name: "aired tz far east", args: []string{"aired", "2003-06-16", "--tz", "Pacific/Kiritimati"}, want: []string{"Tue  2003-06-17  06:30–07:00 +14"}},
		{name: "episode", args: []string{"episode", "1000"}, golden: "episode-1000.txt"},
		{name: "episode json", args: []string{"episode", "1000", "--json"}, golden: "episode-1000.json"},
		{name: "episode first", args: []string{"episode", "1"}, want: []string{"Mon  2000-05-01  18:30–19:00 SAST", "Mon  2009-01-05  16:40–17:10 SAST"}},
		{name: "episode last", args: []string{"episode", "1875"}, want: []string{"Fri  2007-07-06  18:30", "Fri  2016-03-11  16:40"}},
		{name: "episode after --", args: []string{"episode", "--", "7"}, want: []string{"original     7"}},
		{name: "slots", args: []string{"slots", "--from", "2009-01-01", "--to", "2009-01-31", "--run", "rebroadcast"}, golden: "slots-2009-01.txt"},
		{name: "slots json", args: []string{"slots", "--from=2007-07-05", "--to=2009-01-06", "--json", "--tz", "UTC"}, golden: "slots-gap.json"},
		{name: "slots one day", args: []string{"slots", "--from", "2003-06-16", "--to", "2003-06-16"}, want: []string{"816"}, not: []string{"815", "817"}},
		{name: "slots run", args: []string{"slots", "--from", "2000-05-01", "--to", "2000-05-01", "--run", "original"}, want: []string{"original  1"}},
		{name: "slots other run", args: []string{"slots", "--from", "2000-05-01", "--to", "2000-05-01", "--run", "rebroadcast"}, want: []string{"No airings in that range."}},
		{name: "slots from only", args: []string{"slots", "--from", "2016-03-10"}, want: []string{"1874", "1875"}, not: []string{"1873"}},
		{name: "slots to only", args: []string{"slots", "--to", "2000-05-02"}, want: []string{"original  1", "original  2"}, not: []string{"original  3"}},
		{name: "slots empty range", args: []string{"slots", "--from", "2008-01-01", "--to", "2008-12-31", "--json"}, golden: "empty.json"},
		{name: "runs", args: []string{"runs"}, golden: "runs.txt"},
		{name: "runs json", args: []string{"runs", "--json"}, golden: "runs.json"},
		{name: "schedule", args: []string{"schedule"}, want: []string{"name: original", "name: rebroadcast", "ASSUMPTION"}},
		{name: "version", args: []string{"version"}, want: []string{"backstage " + version.Number + "\n"}},
		{name: "help", args: []string{"help"}, want: []string{"Usage: backstage COMMAND", "aired", "episode", "slots", "runs"}},
		{name: "help flag", args: []string{"--help"}, want: []string{"Usage: backstage COMMAND"}},
		{name: "help command", args: []string{"help", "episode"}, want: []string{"Usage: backstage episode N", "backstage episode 1000"}},
		{name: "custom schedule", args: []string{"--schedule", small, "slots"}, golden: "two-channels-slots.txt"},
		{name: "custom schedule json", args: []string{"--schedule", small, "aired", "2020-04-08", "--json"}, golden: "two-channels-2020-04-08.json"},
		{name: "custom runs", args: []string{"runs", "--schedule", small}, golden: "two-channels-runs.txt"},
		{name: "custom at a moment", args: []string{"--schedule", small, "aired", "2020-03-30T19:15"}, want: []string{"One      main   5", "Two      other  6", "19:00–19:30 BST"}},
		{name: "custom tz", args: []string{"--schedule", small, "aired", "2020-03-30", "--tz", "Africa/Johannesburg"}, want: []string{"20:00–20:30 SAST"}},
		{name: "custom episode title", args: []string{"--schedule", small, "episode", "1"}, want: []string{`"Pilot"`, `"Pilot"; first aired Mon 2020-03-23 19:00`}},
		{name: "custom episode never aired", args: []string{"--schedule", small, "episode", "10", "--json"}, want: []string{`"run": "other"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("backstage %s: got exit %d, stderr %q; want 0 and nothing", strings.Join(c.args, " "), code, stderr)
			}
			if c.golden != "" {
				testkit.Golden(t, filepath.Join("testdata", c.golden), []byte(stdout))
			}
			for _, w := range c.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("backstage %s: got\n%s\nwant it to contain %q", strings.Join(c.args, " "), stdout, w)
				}
			}
			for _, w := range c.not {
				if strings.Contains(stdout, w) {
					t.Errorf("backstage %s: got\n%s\nwant it not to contain %q", strings.Join(c.args, " "), stdout, w)
				}
			}
			if c.golden == "" && c.want == nil {
				t.Error("the case checks nothing")
			}
			for i, line := range strings.Split(stdout, "\n") {
				if strings.TrimRight(line, " \t") != line {
					t.Errorf("line %d ends in blanks: %q", i+1, line)
				}
			}
		})
	}
}

// TestToday checks that "today" is the day in the schedule's zone, not UTC.
func TestToday(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2003, 6, 15, 21, 59, 0, 0, time.UTC), "Nothing aired on Sun 2003-06-15"},
		{time.Date(2003, 6, 15, 22, 0, 0, 0, time.UTC), "2003-06-16  18:30–19:00 SAST"},
		{time.Date(2003, 6, 16, 21, 59, 0, 0, time.UTC), "2003-06-16  18:30–19:00 SAST"},
		{time.Date(2003, 6, 16, 22, 0, 0, 0, time.UTC), "2003-06-17  18:30–19:00 SAST"},
	} {
		t.Run(c.now.Format(time.RFC3339), func(t *testing.T) {
			code, stdout, stderr := runAt(t, c.now, "aired", "today")
			if code != 0 || !strings.Contains(stdout, c.want) {
				t.Errorf("aired today at %v: got exit %d, %q, stderr %q; want 0 and %q", c.now, code, stdout, stderr, c.want)
			}
		})
	}
}

// TestFlagPlaces checks that flags may stand before or after the
// positional arguments, and global flags before or after the command.
func TestFlagPlaces(t *testing.T) {
	for _, group := range [][][]string{
		{
			{"--schedule", small, "aired", "2020-03-30", "--json"},
			{"aired", "2020-03-30", "--json", "--schedule", small},
			{"aired", "--json", "2020-03-30", "--schedule=" + small},
			{"--schedule=" + small, "aired", "--json", "2020-03-30"},
			{"--json", "--schedule", small, "aired", "2020-03-30"},
			{"-schedule", small, "aired", "-json", "2020-03-30"},
		},
		{
			{"--tz", "UTC", "episode", "816"},
			{"episode", "816", "--tz", "UTC"},
			{"episode", "--tz", "UTC", "816"},
			{"episode", "--tz=UTC", "--", "816"},
		},
		{
			{"slots", "--from", "2009-01-05", "--to", "2009-01-09", "--run", "rebroadcast"},
			{"--tz", "Africa/Johannesburg", "slots", "--run=rebroadcast", "--to=2009-01-09", "--from=2009-01-05"},
		},
	} {
		var first string
		for i, args := range group {
			code, stdout, stderr := run(t, args...)
			if code != 0 || stderr != "" || stdout == "" {
				t.Errorf("backstage %s: got exit %d, stderr %q, stdout %q; want 0, nothing and output", strings.Join(args, " "), code, stderr, stdout)
				continue
			}
			if i == 0 {
				first = stdout
			} else if stdout != first {
				t.Errorf("backstage %s: got\n%s\nwant the same as backstage %s:\n%s", strings.Join(args, " "), stdout, strings.Join(group[0], " "), first)
			}
		}
	}
}

// commandNames reads the commands from the general usage, so that new
// commands are covered without a change here.
func commandNames(t *testing.T) []string {
	t.Helper()
	_, stdout, _ := run(t, "help")
	_, list, ok := strings.Cut(stdout, "Commands:\n")
	if !ok {
		t.Fatalf("help: no Commands: section in\n%s", stdout)
	}
	var names []string
	for line := range strings.Lines(list) {
		if !strings.HasPrefix(line, "  ") {
			break
		}
		names = append(names, strings.Fields(line)[0])
	}
	if len(names) < 6 {
		t.Fatalf("help lists %q, want at least the 6 commands", names)
	}
	return names
}

func TestHelp(t *testing.T) {
	// version and schedule read no schedule, so they take neither flag.
	noSchedule := map[string]bool{"version": true, "schedule": true}
	for _, name := range commandNames(t) {
		cases := [][]string{{name, "--help"}, {name, "-h"}, {"help", name}}
		if !noSchedule[name] {
			cases = append(cases, []string{"--tz", "UTC", name, "--help"})
		}
		for _, args := range cases {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, stdout, stderr := run(t, args...)
				if code != 0 || stderr != "" {
					t.Errorf("got exit %d, stderr %q; want 0 and nothing", code, stderr)
				}
				if !strings.HasPrefix(stdout, "Usage: backstage "+name) {
					t.Errorf("got\n%s\nwant it to start with Usage: backstage %s", stdout, name)
				}
				if !strings.Contains(stdout, "\nExamples:\n  backstage ") {
					t.Errorf("got\n%s\nwant an example", stdout)
				}
				hasGlobals := strings.Contains(stdout, "--schedule FILE") && strings.Contains(stdout, "--tz ZONE")
				if hasGlobals == noSchedule[name] {
					t.Errorf("got\n%s\nwant --schedule FILE and --tz ZONE listed: %v", stdout, !noSchedule[name])
				}
				for i, line := range strings.Split(stdout, "\n") {
					if strings.TrimRight(line, " ") != line {
						t.Errorf("line %d ends in blanks: %q", i+1, line)
					}
					// Flags are written as the README writes them: --days N.
					if f := strings.TrimSpace(line); strings.HasPrefix(f, "-") && !strings.HasPrefix(f, "--") && !strings.HasPrefix(f, "-o ") {
						t.Errorf("line %d: %q, want flags written --name", i+1, line)
					}
				}
			})
		}
	}
}

// TestHelpExamplesRun runs every example of every query command's help
// and checks that it works.
func TestHelpExamplesRun(t *testing.T) {
	for _, name := range []string{"aired", "episode", "slots", "runs", "version"} {
		_, stdout, _ := run(t, name, "--help")
		_, examples, _ := strings.Cut(stdout, "Examples:\n")
		for line := range strings.Lines(examples) {
			cmd, _, _ := strings.Cut(line, "#")
			args := strings.Fields(cmd)
			if len(args) == 0 || args[0] != "backstage" {
				continue
			}
			t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
				if code, _, stderr := run(t, args[1:]...); code != 0 {
					t.Errorf("got exit %d, %q; want 0", code, stderr)
				}
			})
		}
	}
}

// airing is api.Airing as a map, so that the test sees the keys
// actually written.
type airing = map[string]any

func TestJSON(t *testing.T) {
	for _, c := range []struct {
		args    []string
		n       int
		repeats int
	}{
		{[]string{"aired", "2003-06-16", "--json"}, 1, 0},
		{[]string{"aired", "2009-01-05", "--json"}, 1, 1},
		{[]string{"aired", "2003-06-21", "--json"}, 0, 0},
		{[]string{"aired", "2003-06-16T18:45", "--json"}, 1, 0},
		{[]string{"episode", "1", "--json", "--tz", "America/New_York"}, 2, 1},
		{[]string{"slots", "--from", "2007-07-02", "--to", "2009-01-09", "--json"}, 10, 5},
		{[]string{"slots", "--from", "2020-03-30", "--to", "2020-04-07", "--json", "--schedule", small}, 12, 2},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != 0 {
				t.Fatalf("got exit %d, %q", code, stderr)
			}
			var got []airing
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("not a JSON array of objects: %v\n%s", err, stdout)
			}
			if got == nil {
				t.Fatalf("got %q, want an array, [] when empty", stdout)
			}
			if len(got) != c.n {
				t.Errorf("got %d airings, want %d", len(got), c.n)
			}
			keys := []string{"show", "title", "channel", "channel_name", "run", "episode", "start", "end"}
			repeats := 0
			var last time.Time
			for i, a := range got {
				want := keys
				if _, ok := a["first_aired"]; ok {
					want = append(slices.Clone(keys), "first_aired")
					repeats++
				}
				var have []string
				for k := range a {
					have = append(have, k)
				}
				slices.Sort(have)
				slices.Sort(want)
				if !slices.Equal(have, want) {
					t.Errorf("airing %d: got keys %q, want %q", i, have, want)
				}
				for _, k := range []string{"show", "title", "channel", "channel_name", "run", "start", "end"} {
					if s, ok := a[k].(string); !ok || s == "" {
						t.Errorf("airing %d: got %s %#v, want a non-empty string", i, k, a[k])
					}
				}
				if ep, ok := a["episode"].(float64); !ok || ep < 1 || ep != float64(int(ep)) {
					t.Errorf("airing %d: got episode %#v, want a positive integer", i, a["episode"])
				}
				start := parseRFC3339(t, a["start"])
				end := parseRFC3339(t, a["end"])
				if !end.After(start) {
					t.Errorf("airing %d: end %v not after start %v", i, end, start)
				}
				if start.Before(last) {
					t.Errorf("airing %d: starts %v, before the one above (%v)", i, start, last)
				}
				last = start
				if f, ok := a["first_aired"]; ok {
					if first := parseRFC3339(t, f); !first.Before(start) {
						t.Errorf("airing %d: first aired %v, not before %v", i, first, start)
					}
				}
				if title := a["title"]; a["run"] != "main" && a["run"] != "repeat" && title != fmt.Sprintf("Episode %v", a["episode"]) {
					t.Errorf("airing %d: got title %v, want Episode %v", i, title, a["episode"])
				}
			}
			if repeats != c.repeats {
				t.Errorf("got %d airings with first_aired, want %d", repeats, c.repeats)
			}
		})
	}
}

func parseRFC3339(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Errorf("time %#v: not RFC 3339: %v", v, err)
	}
	return tm
}

// badArgs are command lines with a mistake in them. Each must exit 2 with
// one line on stderr that contains want (the bad value), and print nothing
// on stdout.
var badArgs = []struct {
	args []string
	want string
}{
	{[]string{"aired", "2003-02-30"}, `"2003-02-30"`},
	{[]string{"aired", "2003-13-01"}, `"2003-13-01"`},
	{[]string{"aired", "2003-6-16"}, `"2003-6-16"`},
	{[]string{"aired", "16/06/2003"}, `"16/06/2003"`},
	{[]string{"aired", "2003-06-16T25:00"}, `"2003-06-16T25:00"`},
	{[]string{"aired", "2003-06-16 18:45"}, `"2003-06-16 18:45"`},
	{[]string{"aired", "yesterday"}, `"yesterday"`},
	{[]string{"aired", ""}, `""`},
	{[]string{"episode", "0"}, `"0"`},
	{[]string{"episode", "-5"}, `"-5"`},
	{[]string{"episode", "x"}, `"x"`},
	{[]string{"episode", "1.5"}, `"1.5"`},
	{[]string{"episode", "99999"}, "99999"},
	{[]string{"episode", "1876"}, "1876"},
	{[]string{"episode", "99999999999999999999"}, "99999999999999999999"},
	{[]string{"--schedule", small, "episode", "11"}, "11"},
	{[]string{"slots", "--run", "encore"}, `"encore"`},
	{[]string{"slots", "--from", "2009-02-30"}, `"2009-02-30"`},
	{[]string{"slots", "--to", "soon"}, `"soon"`},
	{[]string{"slots", "--from", "2009-01-10", "--to", "2009-01-06"}, "2009-01-10"},
	{[]string{"aired", "2003-06-16", "--tz", "Mars/Olympus_Mons"}, `"Mars/Olympus_Mons"`},
	{[]string{"--tz", "Local", "runs"}, `"Local"`},
	{[]string{"--schedule", "testdata/missing.yaml", "runs"}, "testdata/missing.yaml"},
	{[]string{"--schedule", "testdata", "runs"}, "testdata"},
	{[]string{"--schedule", "testdata/invalid.yaml", "runs"}, `testdata/invalid.yaml:12: unknown key "lenght"`},
	{[]string{"aired", "2003-06-16", "--frob"}, "frob"},
	{[]string{"--frob", "aired", "2003-06-16"}, "frob"},
	{[]string{"runs", "--from", "2003-06-16"}, "from"},
	{[]string{"runs", "--json=maybe"}, "maybe"},
	{[]string{"aired", "2003-06-16", "--tz"}, "tz"},
	{[]string{"frob"}, `"frob"`},
	{[]string{"Aired", "2003-06-16"}, `"Aired"`},
	{[]string{"help", "frob"}, `"frob"`},
	{[]string{}, "no command"},
	{[]string{"--tz", "UTC"}, "no command"},
	{[]string{"aired"}, "missing"},
	{[]string{"episode"}, "missing"},
	{[]string{"aired", "2003-06-16", "2003-06-17"}, `"2003-06-17"`},
	{[]string{"runs", "original"}, `"original"`},
	{[]string{"slots", "2009-01-01"}, `"2009-01-01"`},
	{[]string{"version", "now"}, `"now"`},
	// Empty values are slips, not a way of saying "not set".
	{[]string{"--schedule", "", "runs"}, `--schedule "": empty: want a schedule file`},
	{[]string{"--schedule=", "runs"}, `--schedule "": empty`},
	{[]string{"aired", "2003-06-16", "--tz", ""}, `--tz "": empty`},
	{[]string{"slots", "--from="}, `--from "": empty: want a date`},
	{[]string{"slots", "--to="}, `--to "": empty: want a date`},
	{[]string{"slots", "--run="}, `--run "": empty: want a run's name`},
	{[]string{"aired", "today", "--replay", "--replay-from="}, `--replay-from "": empty`},
	{[]string{"aired", "today", "--now="}, `--now "": empty`},
	{[]string{"episode", "+5"}, `episode "+5": want a whole number from 1 to 1875`},
	{[]string{"episode", " 5"}, `episode " 5"`},
	{[]string{"export", "ics", "--replay", "--loop", "--now", "9999-12-30T12:00:00Z"}, `--now "9999-12-30T12:00:00Z": its window, 9999-12-29 to 10000-01-06, leaves the years 1900 to 2200`},
}

func TestBadArgs(t *testing.T) {
	for _, c := range badArgs {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != 2 {
				t.Errorf("got exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("got stdout %q, want nothing", stdout)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.HasPrefix(stderr, "backstage: ") {
				t.Errorf("got stderr %q, want one line starting backstage: ", stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("got stderr %q, want it to name %s", stderr, c.want)
			}
		})
	}
}

// failWriter fails every write, as a closed pipe does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestFailure checks that a failure that is not the user's exits 1.
func TestFailure(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"aired", "2003-06-16"}, {"runs", "--json"}, {"schedule"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			code := cli.Main(context.Background(), args, cli.Env{Stdout: failWriter{}, Stderr: &stderr})
			if code != 1 || !strings.Contains(stderr.String(), "broken pipe") {
				t.Errorf("got exit %d, stderr %q; want 1 and the write error", code, stderr.String())
			}
		})
	}
}

func FuzzArgs(f *testing.F) {
	for _, c := range badArgs {
		f.Add(strings.Join(c.args, " "))
	}
	for _, s := range []string{
		"aired 2003-06-16", "aired 2003-06-16T18:45 --json", "episode 1000 --tz Europe/London",
		"slots --from 2009-01-01 --to 2009-01-31 --run rebroadcast", "runs --json", "version", "help aired",
		"--schedule\x00" + small + "\x00aired\x002020-03-30", "aired\x002003-06-16T18:45:00+02:00", "episode -- -1",
		"aired --tz= today", "-- aired", "- aired", "--=x runs", "-h", "help -h", "slots --from=2009-01-01 --json=true",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var args []string
		if s != "" {
			args = strings.Split(strings.ReplaceAll(s, " ", "\x00"), "\x00")
		}
		for _, a := range args {
			switch {
			case strings.Contains(a, "/dev"), strings.Contains(a, "/proc"), strings.Contains(a, "/sys"):
				// Reading a device could block or never end; that says
				// nothing about argument parsing.
				t.Skip()
			case a == "serve", a == "export":
				// These listen on ports and write files.
				t.Skip()
			}
		}
		code, _, stderr := run(t, args...)
		if code < 0 || code > 2 {
			t.Errorf("backstage %q: exit %d, want 0, 1 or 2", args, code)
		}
		if strings.Contains(stderr, "internal error") {
			t.Errorf("backstage %q: %s", args, stderr)
		}
		if code != 0 && (strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "backstage: ")) {
			t.Errorf("backstage %q: exit %d with stderr %q, want one line", args, code, stderr)
		}
		if code == 0 && stderr != "" {
			t.Errorf("backstage %q: exit 0 with stderr %q", args, stderr)
		}
	})
}

// TestGoldenFilesUsed fails when a golden file is left over from a case
// that no longer exists.
func TestGoldenFilesUsed(t *testing.T) {
	src, err := os.ReadFile("cli_test.go")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !bytes.Contains(src, []byte(`"`+filepath.Base(f)+`"`)) && !bytes.Contains(src, []byte(`"testdata/`+filepath.Base(f)+`"`)) {
			t.Errorf("%s is not used by any test", f)
		}
	}
}

func ExampleMain() {
	cli.Main(context.Background(), []string{"aired", "2003-06-16"}, cli.Env{Stdout: os.Stdout, Stderr: os.Stdout})
	cli.Main(context.Background(), []string{"episode", "1", "--tz", "UTC"}, cli.Env{Stdout: os.Stdout, Stderr: os.Stdout})
	code := cli.Main(context.Background(), []string{"aired", "2003-02-30"}, cli.Env{Stdout: os.Stdout, Stderr: os.Stdout})
	fmt.Println("exit status", code)
	// Output:
	// DAY  DATE        TIME              CHANNEL  RUN       EPISODE  NOTES
	// Mon  2003-06-16  18:30–19:00 SAST  e.tv     original  816
	// DAY  DATE        TIME             CHANNEL  RUN          EPISODE  NOTES
	// Mon  2000-05-01  16:30–17:00 UTC  e.tv     original     1
	// Mon  2009-01-05  14:40–15:10 UTC  e.tv     rebroadcast  1        first aired Mon 2000-05-01 16:30
	// backstage: date "2003-02-30": day out of range (want YYYY-MM-DD)
	// exit status 2
}

// TestLongValues gives every kind of value 30,000 characters long: the
// message quotes at most the first 100 of it, in one short line.
func TestLongValues(t *testing.T) {
	long := strings.Repeat("x", 30000)
	digits := strings.Repeat("9", 30000)
	path := filepath.Join(t.TempDir(), long[:200], long[:200]) // too long a name for most systems
	for _, args := range [][]string{
		{"aired", long},
		{"episode", long},
		{"episode", digits},
		{"--tz", long, "runs"},
		{"--schedule", long, "runs"},
		{"--schedule", path, "runs"},
		{"slots", "--from", long},
		{"slots", "--to", long},
		{"slots", "--run", long},
		{"aired", "today", "--replay", "--replay-from", long},
		{"aired", "today", "--now", long},
		{"export", long},
		{"export", "ics", "-o", path},
		{"serve", "--addr", long},
		{"serve", "--addr", "127.0.0.1:" + digits},
		{long},
		{"help", long},
		{"runs", long},
		{"runs", "--" + long},
		{"runs", "--json=" + long},
		{"serve", "--public-url", long},
		{"serve", "--stream-url", long},
	} {
		name := strings.Join(args, " ")
		t.Run(name[:min(len(name), 40)], func(t *testing.T) {
			code, stdout, stderr := run(t, args...)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 {
				t.Errorf("got exit %d, stdout %.40q, stderr %.200q; want 2, nothing, one line", code, stdout, stderr)
			}
			if len(stderr) > 600 {
				t.Errorf("got %d bytes of stderr: %.300q…; want at most 600", len(stderr), stderr)
			}
		})
	}
}

// TestNamesQuoted: names and notes from a schedule file reach the
// terminal quoted, as errors quote them, when they hold a control
// character (an escape that clears the screen, a NUL) or a mark that
// reorders text (U+202E): in every table and sentence of runs, aired,
// episode and slots.
func TestNamesQuoted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hostile.yaml")
	file := `timezone: UTC
shows: [{id: s, title: "Show\e[2J", episode_titles: {1: "Pilot\e]0;pwned\a"}}]
channels: [{id: c.example, name: "Chan\0nel\u202Elen"}]
runs:
  - {name: "first\e[2J", show: s, channel: c.example, slot: "0 12 * * *", first: 2020-01-01, last: 2020-01-02, length: 30m,
     episodes: {first: 1}, assumptions: {length: "a note\e[31m in red"}}
  - {name: "second\u202Ednoces", show: s, channel: c.example, slot: "0 12 * * *", first: 2020-01-10, length: 30m,
     replay: {run: "first\e[2J"}}
`
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want []string // quoted as errors quote them
	}{
		{[]string{"runs"}, []string{`"first\x1b[2J"`, `"Chan\x00nel\u202elen"`, `"a note\x1b[31m in red"`, `"second\u202ednoces"`}},
		{[]string{"aired", "2020-01-01"}, []string{`"first\x1b[2J"`, `"Chan\x00nel\u202elen"`, `"Pilot\x1b]0;pwned\a"`}},
		{[]string{"aired", "2020-01-05"}, []string{`"first\x1b[2J"`, `"second\u202ednoces"`}}, // between the runs
		{[]string{"aired", "2020-01-11T12:10"}, []string{`"second\u202ednoces"`}},
		{[]string{"episode", "1"}, []string{`"first\x1b[2J"`, `"second\u202ednoces"`}},
		{[]string{"slots"}, []string{`"first\x1b[2J"`, `"second\u202ednoces"`}},
	} {
		code, stdout, stderr := run(t, append([]string{"--schedule", path}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d, %s", c.args, code, stderr)
		}
		if i := strings.IndexFunc(stdout, func(r rune) bool { return r == 0x1b || r == 0 || r == 0x7 || r == '\u202e' }); i >= 0 {
			t.Errorf("%v: printed %q raw:\n%q", c.args, stdout[i:min(i+4, len(stdout))], stdout)
		}
		for _, w := range c.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: got\n%s\nwant it to show %s", c.args, stdout, w)
			}
		}
	}
}
