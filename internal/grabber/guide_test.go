package grabber_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/cli"
	"github.com/backstage-epg/backstage/internal/grabber"
	"github.com/backstage-epg/backstage/internal/testkit"
)

// TestWindows checks which days a grab holds: local days in the
// schedule's zone counted from today, across a weekend, a week's end and
// New Year, whatever the clock's own zone.
func TestWindows(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	la := testkit.Location(t, "America/Los_Angeles")
	for _, c := range []struct {
		name         string
		now          time.Time
		offset, days string
		want         []string
	}{
		{"tomorrow, a Friday", time.Date(2026, 11, 26, 20, 0, 0, 0, jnb), "1", "1",
			[]string{"20261127 1830 Backstage"}},
		{"a Friday asks for the weekend", time.Date(2026, 11, 27, 20, 0, 0, 0, jnb), "1", "2",
			[]string{"20261128 0000 No airing today", "20261129 0000 No airing today"}},
		{"a Saturday: Sunday and Monday, into a new week", time.Date(2026, 11, 28, 9, 0, 0, 0, jnb), "1", "2",
			[]string{"20261129 0000 No airing today", "20261130 1830 Backstage"}},
		{"today, just after midnight", time.Date(2026, 11, 30, 0, 0, 1, 0, jnb), "0", "1",
			[]string{"20261130 1830 Backstage"}},
		{"across New Year", time.Date(2026, 12, 30, 12, 0, 0, 0, jnb), "0", "4",
			[]string{"20261230 1830 Backstage", "20261231 1830 Backstage", "20270101 1830 Backstage", "20270102 0000 No airing today"}},
		// 15:00 on Thursday in Los Angeles is 01:00 on Friday in
		// Johannesburg: today is Friday.
		{"a clock in another zone", time.Date(2026, 11, 26, 15, 0, 0, 0, la), "0", "1",
			[]string{"20261127 1830 Backstage"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t, c.now)
			m.configure()
			if got := summary(m.grab("--offset", c.offset, "--days", c.days)); !slices.Equal(got, c.want) {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}

	// With no --days, the guide runs to the farthest day it can reach.
	m := newMachine(t, thursday)
	m.configure()
	got := summary(m.grab("--offset", "29"))
	if want := []string{"20261225 1830 Backstage", "20261226 0000 No airing today", "20261227 0000 No airing today"}; !slices.Equal(got, want) {
		t.Errorf("--offset 29: got %q, want %q", got, want)
	}
}

// TestAdditive checks, on every day of the week and for several
// configurations, what tv_validate_grabber checks: the grab of tomorrow
// and the day after has a programme, and equals the grab of tomorrow plus
// the grab of the day after.
func TestAdditive(t *testing.T) {
	for _, cfg := range [][]string{
		nil, // the defaults: a replay from the first airing
		{"replay-from=2007-07-02", "replay-start=2026-11-23", "skip-gaps=yes", "loop=yes"}, // the end of the original run, then the rebroadcast
		{"replay-from=2016-03-07", "replay-start=2026-11-23", "loop=yes"},                  // the last week, then the first again
		{"replay-from=2008-01-01", "replay-start=2026-11-24", "mark-new=yes"},              // in the gap: nothing but empty days
	} {
		for _, now := range week {
			t.Run(strings.Join(cfg, ",")+"/"+now.Weekday().String(), func(t *testing.T) {
				m := newMachine(t, now)
				m.configure(cfg...)
				both := programmes(m.grab("--offset", "1", "--days", "2"))
				one, two := programmes(m.grab("--offset", "1", "--days", "1")), programmes(m.grab("--offset", "2", "--days", "1"))
				if len(both) == 0 {
					t.Fatal("no programme tomorrow or the day after")
				}
				apart := append(one, two...)
				slices.Sort(apart)
				slices.Sort(both)
				if !slices.Equal(apart, both) {
					t.Errorf("day by day:\n%s\ntwo days at once:\n%s", strings.Join(apart, ""), strings.Join(both, ""))
				}
			})
		}
	}
}

// TestGolden keeps one window's guide: a week from Thursday 2026-11-26,
// replaying the week of 2003-06-16 with first airings marked new.
func TestGolden(t *testing.T) {
	m := newMachine(t, thursday)
	m.configure("replay-from=2003-06-16", "replay-start=2026-11-23", "mark-new=yes")
	testkit.Golden(t, filepath.Join("testdata", "replay-2003-06-16.xml"), []byte(m.grab("--days", "7")))
}

// TestSameAsExport checks that a grab is the guide "backstage export
// xmltv --replay" writes for the same days, but for the generator's name
// and the marked empty days. (The built-in schedule has no slot that
// crosses midnight, so the export's "on air" days and the grab's "starts
// on" days hold the same airings.)
func TestSameAsExport(t *testing.T) {
	m := newMachine(t, thursday)
	m.configure("replay-from=2012-10-29", "replay-start=2026-11-23", "mark-empty-days=no")
	grab := m.grab("--offset", "2", "--days", "10")

	var export strings.Builder
	code := cli.Main(context.Background(), []string{
		"export", "xmltv", "--replay", "--replay-from", "2012-10-29", "--replay-start", "2026-11-23", "--past-days", "0", "--days", "11",
		"--from", "2026-11-28", "--to", "2026-12-07",
	}, cli.Env{Stdout: &export, Stderr: &export, Now: func() time.Time { return thursday }})
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, export.String())
	}
	want := strings.Replace(export.String(), `generator-info-name="backstage/`, `generator-info-name="tv_grab_za_backstage/`, 1)
	if n := len(programmes(grab)); grab != want || n != 6 {
		t.Errorf("the grab (%d programmes) differs from the export:\n%s\nwant:\n%s", n, grab, want)
	}
}

// BenchmarkGrab measures a grab of a week, as a media centre runs it:
// the configuration read, the built-in schedule loaded (built once per
// process), the replay and the guide written, with the empty days marked.
func BenchmarkGrab(b *testing.B) {
	home := b.TempDir()
	env := grabber.Env{
		Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
		Getenv: func(k string) string {
			if k == "HOME" {
				return home
			}
			return ""
		},
		Now: func() time.Time { return thursday },
	}
	if code := grabber.Main(context.Background(), []string{"--configure", "--quiet"}, env); code != 0 {
		b.Fatalf("--configure: exit %d", code)
	}
	b.ReportAllocs()
	for b.Loop() {
		if code := grabber.Main(context.Background(), []string{"--days", "7", "--quiet"}, env); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// Example shows what tv_find_grabbers and tv_validate_grabber ask first.
func Example() {
	env := grabber.Env{Stdout: os.Stdout, Stderr: os.Stderr}
	grabber.Main(context.Background(), []string{"--description"}, env)
	grabber.Main(context.Background(), []string{"--capabilities"}, env)
	grabber.Main(context.Background(), []string{"--preferredmethod"}, env)
	// Output:
	// South Africa (Backstage on e.tv, replayed)
	// baseline
	// manualconfig
	// preferredmethod
	// allatonce
}
