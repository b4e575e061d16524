package grabber

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/schedule"
)

func TestParseConfig(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       Config
	}{
		{"empty file: the defaults", "", DefaultConfig},
		{"comments and blank lines", "# a comment\n\n   \n  # another\n", DefaultConfig},
		{"every key", "mode=replay\nreplay-from=2003-06-16\nreplay-start=2026-11-23\nloop=yes\nskip-gaps=true\nschedule=/etc/my.yaml\nmark-new=1\nmark-empty-days=no\n",
			Config{ReplayFrom: schedule.Date{Year: 2003, Month: 6, Day: 16}, ReplayStart: schedule.Date{Year: 2026, Month: 11, Day: 23}, Loop: true, SkipGaps: true, Schedule: "/etc/my.yaml", MarkNew: true}},
		{"history", "mode=history\n", Config{History: true, MarkEmptyDays: true}},
		{"trailing comment and space, CRLF", "loop=yes   # replay for ever\r\nreplay-from=\r\n", Config{Loop: true, MarkEmptyDays: true}},
		{"empty values are the defaults", "replay-from=\nreplay-start=\nschedule=\n", DefaultConfig},
		{"space after = belongs to the value", "schedule= my.yaml\n", Config{Schedule: " my.yaml", MarkEmptyDays: true}},
	} {
		got, err := ParseConfig("test.conf", strings.NewReader(c.text))
		if err != nil || got != c.want {
			t.Errorf("%s: ParseConfig = %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func TestParseConfigRefuses(t *testing.T) {
	for _, c := range []struct {
		text, want string
	}{
		{"mode=replay\nmode=history\n", `test.conf:2: mode given twice (first on line 1)`},
		{"colour=blue\n", `test.conf:1: unknown key "colour": want one of mode, replay-from, replay-start, loop, skip-gaps, schedule, mark-new, mark-empty-days`},
		{"channel=etv.co.za\n", `test.conf:1: unknown key "channel"`},
		{"channel!etv.co.za\n", `test.conf:1: "channel!etv.co.za": tv_grab_za_backstage takes no unselected (!) values`},
		{"\n\nloop = yes\n", `test.conf:3: "loop = yes": want key=value`},
		{"  loop=yes\n", `test.conf:1: "  loop=yes": want key=value`},
		{"just words\n", `test.conf:1: "just words": want key=value`},
		{"=yes\n", `test.conf:1: "=yes": want key=value`},
		{"loop=perhaps\n", `test.conf:1: loop "perhaps": want yes or no`},
		{"mode=live\n", `test.conf:1: mode "live": want replay or history`},
		{"replay-from=2003-02-30\n", `test.conf:1: date "2003-02-30": day out of range (want YYYY-MM-DD)`},
		{"replay-start=07/12/2026\n", `test.conf:1: date "07/12/2026": `},
		{strings.Repeat("#", MaxConfigSize+1), "test.conf: larger than 65536 bytes"},
	} {
		_, err := ParseConfig("test.conf", strings.NewReader(c.text))
		var ce *ConfigError
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || !errors.As(err, &ce) || ce.File != "test.conf" {
			t.Errorf("ParseConfig(%.40q) = %v; want a *ConfigError starting %q", c.text, err, c.want)
		}
	}
}

// TestConfigRoundTrip checks that what --configure writes reads back as
// the same configuration.
func TestConfigRoundTrip(t *testing.T) {
	for _, c := range []Config{
		DefaultConfig,
		{History: true},
		{ReplayFrom: schedule.Date{Year: 2007, Month: 7, Day: 2}, ReplayStart: schedule.Date{Year: 2033, Month: 7, Day: 4}, Loop: true, SkipGaps: true, Schedule: "/srv/tv/backstage schedule.yaml", MarkNew: true},
	} {
		data, err := c.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseConfig("x", strings.NewReader(string(data)))
		if err != nil || got != c {
			t.Errorf("%+v read back as %+v, %v", c, got, err)
		}
	}
	for _, bad := range []string{"a#b.yaml", "a\nb.yaml", "trailing.yaml "} {
		if _, err := (Config{Schedule: bad}).MarshalText(); err == nil {
			t.Errorf("schedule %q: written, but would not read back", bad)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadConfig(context.Background(), filepath.Join(dir, "none.conf")); !errors.Is(err, ErrNoConfig) {
		t.Errorf("a missing file: %v, want ErrNoConfig", err)
	}
	if _, err := LoadConfig(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("a folder: %v, want an error saying so", err)
	}
	path := filepath.Join(dir, "locked.conf")
	if err := os.WriteFile(path, []byte("loop=yes\n"), 0); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open(path); err == nil {
		f.Close()
		t.Log("running as root: the unreadable file can be read")
	} else if _, err := LoadConfig(context.Background(), path); err == nil || !strings.Contains(err.Error(), "cannot read it: permission denied") {
		t.Errorf("an unreadable file: %v", err)
	}
}

// FuzzParseConfig checks that any text either parses or fails with a
// one-line *ConfigError, and that what parses writes back (when the
// format can hold it) as the same configuration.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"", "mode=history\n", "loop=yes # c\r\n", "channel!x", "a=b\na=c", "replay-from=2003-06-16\nschedule=x.yaml\n",
		"mark-new=perhaps", "=", "\x00=\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseConfig("f.conf", strings.NewReader(s))
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("%q: %q is not a one-line *ConfigError", s, err)
			}
			return
		}
		data, err := c.MarshalText()
		if err != nil {
			return // a schedule name the format cannot write back
		}
		if back, err := ParseConfig("f.conf", strings.NewReader(string(data))); err != nil || back != c {
			t.Errorf("%q: %+v written and read back as %+v, %v", s, c, back, err)
		}
	})
}
