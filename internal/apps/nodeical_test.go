//go:build linux

package apps

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// nodeModule returns the folder of an npm package that .ci installs from
// its lockfile (cd .ci && npm ci).
func nodeModule(t *testing.T, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", ".ci", "node_modules", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		testkit.Missing(t, name+" (cd .ci && npm ci)", err)
	}
	return dir
}

// instance is one airing as a calendar app reads it: start, end (UTC
// times, or dates for all-day events) and summary.
type instance [3]string

// nodeICalResult is what testdata/nodeical_expand.mjs prints for a file.
type nodeICalResult struct {
	Events    int
	Instances []instance
}

// TestNodeICal reads every calendar a site has — the full history, each
// run, each year, the compact and the all-day calendars, and each
// episode's where the site has them — with node-ical, the parser of
// MagicMirror's calendar module, recurring events expanded by node-ical
// itself, and checks that each expands to the airings of the site's full
// calendar over the same days: a year's calendar to the airings of that
// year, the runs' calendars between them to every airing, an episode's
// to that episode's airings. It does so for the history (rendered by the
// site package, as serve and publish render it) and for a replay window
// across New Year (as publish writes it).
func TestNodeICal(t *testing.T) {
	testkit.SkipUnlessFull(t, "node-ical reads every calendar of the history, about 3 s")
	node := testkit.Tool(t, "node")
	module := nodeModule(t, "node-ical")
	loc := testkit.Location(t, "Africa/Johannesburg")

	t.Run("history", func(t *testing.T) {
		t.Parallel()
		// The site's calendars as serve and publish send them (publish's
		// tests check that both send these bytes).
		def := testkit.Default(t)
		st, err := site.New(site.Config{Schedule: def})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for f := range st.Files() {
			if !strings.HasSuffix(f.Path, ".ics") {
				continue
			}
			b, err := st.Bytes(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, path, string(b))
		}
		got := checkCalendars(t, node, module, dir, loc)
		if n := len(got["calendar.ics"].Instances); n != def.Len() {
			t.Errorf("calendar.ics: node-ical reads %d airings, the schedule has %d", n, def.Len())
		}
		for _, r := range def.Runs() {
			path := "calendar/" + r.Name + ".ics"
			if n, want := len(got[path].Instances), def.Count(schedule.Query{Run: r.Name}); n != want {
				t.Errorf("%s: node-ical reads %d airings, the run has %d", path, n, want)
			}
		}
	})

	t.Run("replay across New Year", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "site")
		out, err := exec.Command(testkit.Binary(t), "publish", dir, "--replay", "--quiet",
			"--now", "2026-12-31T12:00:00+02:00", "--days", "14").CombinedOutput()
		if err != nil {
			t.Fatalf("publish: %v\n%s", err, out)
		}
		got := checkCalendars(t, node, module, dir, loc)
		for _, y := range []string{"2026", "2027"} {
			if len(got["calendar/"+y+".ics"].Instances) == 0 {
				t.Errorf("the replay window across New Year has no airing in calendar/%s.ics", y)
			}
		}
	})
}

// checkCalendars reads every .ics file under dir with node-ical and
// checks each against calendar.ics, the full calendar, as TestNodeICal
// says. It returns what node-ical read, by path.
func checkCalendars(t *testing.T, node, module, dir string, loc *time.Location) map[string]nodeICalResult {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".ics") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "nodeical_expand.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, append([]string{script, module}, files...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	started := time.Now()
	out, err := runBounded(cmd, 100*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var byFile map[string]nodeICalResult
	if err := json.Unmarshal(out, &byFile); err != nil {
		t.Fatalf("reading the script's output: %v", err)
	}
	got := map[string]nodeICalResult{}
	for file, r := range byFile {
		rel, _ := filepath.Rel(dir, file)
		got[filepath.ToSlash(rel)] = r
	}
	full := got["calendar.ics"].Instances
	if len(full) == 0 {
		t.Fatal("node-ical reads no airing in calendar.ics")
	}
	t.Logf("node-ical read %d calendars in %.1f s; calendar.ics: %d airings, %s to %s",
		len(got), time.Since(started).Seconds(), len(full), full[0][0], full[len(full)-1][0])

	day := func(in instance) string {
		s, err := time.Parse(time.RFC3339, in[0])
		if err != nil {
			t.Fatalf("%q: %v", in[0], err)
		}
		return s.In(loc).Format(time.DateOnly)
	}
	times := func(ins []instance) [][2]string {
		out := make([][2]string, len(ins))
		for i, in := range ins {
			out[i] = [2]string{in[0], in[1]}
		}
		return out
	}
	same := func(path string, ins []instance, want []instance) {
		if g, w := times(ins), times(want); !slices.Equal(g, w) {
			t.Errorf("%s: node-ical reads %d airings, the full calendar %d over the same days%s", path, len(g), len(w), firstDifference(g, w))
		}
	}
	var byYear, byRun []instance
	runs := 0
	episode := regexp.MustCompile(`^episodes/(\d+)\.ics$`)
	year := regexp.MustCompile(`^calendar/(\d{4})\.ics$`)
	for path, r := range got {
		ins := r.Instances
		switch m, y := episode.FindStringSubmatch(path), year.FindStringSubmatch(path); {
		case path == "calendar.ics":
		case path == "calendar/compact.ics":
			same(path, ins, full)
		case path == "calendar/all-day.ics":
			// One all-day event on the local day of each airing.
			var days, want []string
			for _, in := range ins {
				days = append(days, in[0])
			}
			for _, in := range full {
				want = append(want, day(in))
			}
			if !slices.Equal(days, want) {
				t.Errorf("%s: node-ical reads %d all-day events, the full calendar %d airings; days differ", path, len(days), len(want))
			}
		case y != nil:
			same(path, ins, slices.DeleteFunc(slices.Clone(full), func(in instance) bool { return !strings.HasPrefix(day(in), y[1]) }))
			byYear = append(byYear, ins...)
		case m != nil:
			n, _ := strconv.Atoi(m[1])
			same(path, ins, slices.DeleteFunc(slices.Clone(full), func(in instance) bool { return episodeOf(in[2]) != n }))
		case strings.HasPrefix(path, "calendar/"):
			// A run's calendar: the runs' calendars between them hold
			// every airing, each once.
			byRun = append(byRun, ins...)
			runs++
		default:
			t.Errorf("%s: a calendar the test does not know what to compare with", path)
		}
	}
	sortInstances := func(ins []instance) []instance {
		slices.SortFunc(ins, func(a, b instance) int { return strings.Compare(a[0], b[0]) })
		return ins
	}
	same("the year calendars together", sortInstances(byYear), full)
	if runs == 0 {
		t.Error("no run's calendar")
	}
	same("the run calendars together", sortInstances(byRun), full)
	return got
}

// episodeOf returns the episode number a summary such as "Backstage —
// Episode 12 (repeat)" names, or 0.
func episodeOf(summary string) int {
	m := regexp.MustCompile(`Episode (\d+)\b`).FindStringSubmatch(summary)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
