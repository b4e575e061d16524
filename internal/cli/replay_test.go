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
		{"aired today, default replay-from", []string{"aired", "today", "--replay"},
			[]string{"Thu  2026-11-26  18:30–19:00 SAST", "original  4", "replays its first airing, Thu 2000-05-04 18:30"}},
		{"aired today from 2003-06-16", []string{"aired", "today", "--replay", "--replay-from", "2003-06-16"},
			[]string{"2026-11-26", "819", "Thu 2003-06-19 18:30"}},
		{"--now wins over the clock", []string{"aired", "today", "--replay", "--now", "2026-11-23T12:00:00+02:00"},
			[]string{"Mon  2026-11-23", "original  1", "Mon 2000-05-01 18:30"}},
		{"a rebroadcast airing replayed", []string{"aired", "today", "--replay", "--replay-from", "2012-11-02"},
			[]string{"rebroadcast", "replays the airing of Thu 2012-11-01 16:40; first aired Thu 2004-02-26 18:30"}},
		{"slots of the window", []string{"slots", "--replay", "--replay-from", "2007-07-02", "--skip-gaps", "--days", "4", "--past-days", "0"},
			[]string{"2026-11-26", "1874", "2026-11-27", "1875", "2026-11-30", "rebroadcast  1 "}},
		{"nothing in the gap", []string{"aired", "today", "--replay", "--replay-from", "2008-01-01"},
			[]string{"Nothing airs on Thu 2026-11-26 (Africa/Johannesburg) in this replay, and nothing after it in this window."}},
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
	code, stdout, stderr := runAt(t, thursday, "aired", "today", "--replay", "--replay-from", "2012-11-02", "--json")
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
	args := []string{"export", "xmltv", "--replay", "--replay-from", "2003-06-16", "--days", "14", "--now", "2026-11-26T20:00:00+02:00", "-o", path}
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
		{[]string{"aired", "today", "--replay", "--days", "0"}, "--days 0: want a whole number from 1 to 31"},
		{[]string{"aired", "today", "--replay", "--days", "1000"}, "--days 1000"},
		{[]string{"aired", "today", "--replay", "--days", "-1"}, "--days -1"},
		{[]string{"aired", "today", "--replay", "--past-days", "15"}, "--past-days 15"},
		{[]string{"aired", "today", "--replay", "--now", "tomorrow"}, `--now "tomorrow": want an RFC 3339 time`},
		{[]string{"aired", "today", "--replay", "--replay-from", "2003-02-30"}, `--replay-from: date "2003-02-30": day out of range`},
		{[]string{"aired", "today", "--days", "3"}, "--days works only with --replay"},
		{[]string{"export", "xmltv", "--loop"}, "--loop works only with --replay"},
		{[]string{"runs", "--replay"}, "unknown flag"},
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
