package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// thursday is the present of the replay tests: Thursday 2026-11-26 20:00 SAST.
var thursday = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

func TestReplay(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // substrings of stdout, in order
	}{
		{"aired today, the default replay: 1357 weeks on", []string{"aired", "today", "--replay"},
			[]string{"Thu  2026-11-26  18:30–19:00 SAST", "original  149", "replays its first airing, Thu 2000-11-23 18:30"}},
		{"aired today from 2003-06-16", []string{"aired", "today", "--replay", "--replay-from", "2003-06-16", "--replay-start", "2026-11-23"},
			[]string{"2026-11-26", "819", "Thu 2003-06-19 18:30"}},
		{"--now wins over the clock", []string{"aired", "today", "--replay", "--now", "2026-11-23T12:00:00+02:00"},
			[]string{"Mon  2026-11-23", "original  146", "Mon 2000-11-20 18:30"}},
		{"episode 1 on Monday 2026-12-07, asked the Saturday before", []string{"aired", "2026-12-07", "--replay", "--replay-start", "2026-12-07", "--now", "2026-12-05T12:00:00+02:00"},
			[]string{"Mon  2026-12-07", "original  1 ", "Mon 2000-05-01 18:30"}},
		{"the same, asked on the day", []string{"aired", "2026-12-07", "--replay", "--replay-start", "2026-12-07", "--now", "2026-12-07T12:00:00+02:00"},
			[]string{"Mon  2026-12-07", "original  1 ", "Mon 2000-05-01 18:30"}},
		{"a rebroadcast airing replayed", []string{"aired", "today", "--replay", "--replay-from", "2012-10-29", "--replay-start", "2026-11-23"},
			[]string{"rebroadcast", "replays the airing of Thu 2012-11-01 16:40; first aired Thu 2004-02-26 18:30"}},
		{"slots of the window", []string{"slots", "--replay", "--replay-from", "2007-07-02", "--replay-start", "2026-11-23", "--skip-gaps", "--days", "4", "--past-days", "0"},
			[]string{"2026-11-26", "1874", "2026-11-27", "1875", "2026-11-30", "rebroadcast  1 "}},
		{"nothing in the gap", []string{"aired", "today", "--replay", "--replay-from", "2008-01-01", "--replay-start", "2026-11-24"},
			[]string{"Nothing airs on Thu 2026-11-26 (Africa/Johannesburg) in this replay, and nothing after it in this window."}},
		{"a past day of the window", []string{"aired", "2026-11-22", "--replay", "--past-days", "4"},
			[]string{"Nothing aired on Sun 2026-11-22 (Africa/Johannesburg) in this replay. Next: Mon 2026-11-23 18:30 (original, episode 146)."}},
		{"runs says what the replay airs", []string{"runs", "--replay", "--replay-start", "2026-11-30"},
			[]string{"Replay (set by --replay-start):", "began            Mon 2026-11-30, airing Mon 2000-05-01",
				"this week        Mon 2026-11-23 to Sun 2026-11-29: nothing: before the replay began or after it ended",
				"next week        Mon 2026-11-30 to Sun 2026-12-06: the week of Mon 2000-05-01",
				"window           Wed 2026-11-25 to Thu 2026-12-03, 4 airings"}},
		{"runs, the default replay", []string{"runs", "--replay"},
			[]string{"Replay (the default, 1357 weeks on):", "began            Mon 2026-05-04, airing Mon 2000-05-01",
				"this week        Mon 2026-11-23 to Sun 2026-11-29: the week of Mon 2000-11-20",
				"next week        Mon 2026-11-30 to Sun 2026-12-06: the week of Mon 2000-11-27"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runAt(t, thursday, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			rest := stdout
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, stdout)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestReplayJSON(t *testing.T) {
	code, stdout, stderr := runAt(t, thursday, "aired", "today", "--replay", "--replay-from", "2012-10-29", "--replay-start", "2026-11-23", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d airings, want 1", len(got))
	}
	want := map[string]any{
		"episode": 999.0, "run": "rebroadcast",
		"start":       "2026-11-26T16:40:00+02:00",
		"first_aired": "2004-02-26T18:30:00+02:00",
		"replay_of":   "2012-11-01T16:40:00+02:00",
	}
	for k, v := range want {
		if got[0][k] != v {
			t.Errorf("%s = %v, want %v", k, got[0][k], v)
		}
	}
}

func TestReplayExport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tonight.xml")
	args := []string{"export", "xmltv", "--replay", "--replay-from", "2003-06-16", "--replay-start", "2026-11-23", "--days", "14", "--now", "2026-11-26T20:00:00+02:00", "-o", path}
	if code, _, stderr := run(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	guide := string(readMaybeGzip(t, path))
	// Wednesday 25 November to the end of Thursday 10 December: 12 weekdays.
	if n := strings.Count(guide, "<programme "); n != 12 {
		t.Errorf("%d programmes, want 12", n)
	}
	if !strings.Contains(guide, `start="20261126183000 +0200"`) || !strings.Contains(guide, `<previously-shown start="20030619183000 +0200"`) {
		t.Errorf("guide lacks the re-dated Thursday airing and its previously-shown")
	}
	// The same --now gives the same bytes.
	again := filepath.Join(dir, "again.xml")
	if code, _, _ := run(t, append(args[:len(args)-1], again)...); code != 0 || string(readMaybeGzip(t, again)) != guide {
		t.Errorf("a second export with the same --now differs")
	}
}

func TestReplayBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"aired", "today", "--replay", "--days", "0"}, "--days \"0\": want a whole number from 1 to 31"},
		{[]string{"aired", "today", "--replay", "--days", "1000"}, `--days "1000"`},
		{[]string{"aired", "today", "--replay", "--days", "-1"}, `--days "-1"`},
		{[]string{"aired", "today", "--replay", "--past-days", "15"}, `--past-days "15"`},
		{[]string{"aired", "today", "--replay", "--now", "tomorrow"}, `--now "tomorrow": want an RFC 3339 time`},
		{[]string{"aired", "today", "--replay", "--replay-from", "2003-02-30"}, `--replay-from: date "2003-02-30": day out of range`},
		{[]string{"aired", "today", "--days", "3"}, "--days works only with --replay"},
		{[]string{"export", "xmltv", "--loop"}, "--loop works only with --replay"},
		{[]string{"aired", "today", "--replay-start", "2026-11-30"}, "--replay-start works only with --replay"},
		{[]string{"aired", "today", "--replay", "--replay-start", "30/11/2026"}, `--replay-start: date "30/11/2026": `},
		{[]string{"aired", "today", "--replay", "--replay-start", "2026-12-02"},
			"--replay-start \"2026-12-02\": a Wednesday, and the day it replays, 2000-05-01, a Monday: the replay moves whole weeks, so want a Monday such as 2026-11-30 or 2026-12-07"},
		{[]string{"aired", "today", "--replay", "--replay-start", "2062-11-27"}, "--replay-start \"2062-11-27\": more than 31 days after today (2026-11-26): no guide reaches it yet"},
		{[]string{"aired", "today", "--replay", "--replay-from", "1999-12-31"}, "--replay-from \"1999-12-31\": before the first airing, 2000-05-01"},
		{[]string{"aired", "today", "--replay", "--replay-from", "2003-06-16"}, "--replay-from \"2003-06-16\": by default it airs again 1357 weeks later, on 2029-06-18, more than 31 days after today (2026-11-26): give a start as well"},
		{[]string{"aired", "today", "--replay", "--replay-from", "2003-06-16", "--replay-start", "2001-06-18"}, "--replay-start \"2001-06-18\": before 2003-06-16, the day it replays: want a later day"},
		{[]string{"aired", "today", "--replay", "--now", "2200-12-31T23:59:00-12:00"}, `--now "2200-12-31T23:59:00-12:00": its window, 2200-12-31 to 2201-01-08, leaves the years 1900 to 2200`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runAt(t, thursday, tt.args...)
			if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and one line with %q", code, stderr, tt.want)
			}
		})
	}
}
