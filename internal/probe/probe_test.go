//go:build unix

package probe_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/internal/testkit"
)

// The bounds every refusal must keep: generous for a run that takes
// milliseconds, and tight enough to catch a refusal that expands a
// schedule first (seconds and hundreds of megabytes).
const (
	maxTime = 5 * time.Second
	maxRSS  = 100 << 20 // bytes of peak resident memory
	maxLine = 600       // bytes of the one line on stderr
)

// A cliCase is one bad command line. It runs in an empty folder holding
// only files; it must exit with code (2 unless set), print nothing on
// stdout and one line on stderr that holds want, and leave the folder as
// it was.
type cliCase struct {
	name  string
	args  []string
	files map[string]string // name in the folder → content
	code  int
	want  string
	// setup, when set, makes in the folder what files cannot say: a
	// named pipe, a link.
	setup func(dir string) error
	// maxTime, when set, is a tighter bound than the default.
	maxTime time.Duration
}

// schedule returns a schedule file in UTC with one show and four
// channels (c, d, e, f) and the runs given, one a line.
func schedule(runs ...string) string {
	return "timezone: UTC\nshows: [{id: s, title: S}]\nchannels: [{id: c}, {id: d}, {id: e}, {id: f}]\nruns:\n  - " +
		strings.Join(runs, "\n  - ") + "\n"
}

// run is a run in flow style with the given slot rule and extra fields.
func run(name, channel, slot, rest string) string {
	return fmt.Sprintf("{name: %s, show: s, channel: %s, slot: %q, length: 1m, %s}", name, channel, slot, rest)
}

var (
	long     = strings.Repeat("x", 30000)
	tooLarge = schedule(run("a", "c", "0 12 * * *", "first: 2000-01-01, last: 2000-01-02")) + "# " + strings.Repeat("x", schedfile.MaxFileSize)
	junkKeys = func() string {
		var b strings.Builder
		b.WriteString(schedule(run("a", "c", "0 12 * * *", "first: 2000-01-01, last: 2000-01-02")))
		for i := range 20000 {
			fmt.Fprintf(&b, "k%d: %d\n", i, i)
		}
		return b.String()
	}()
	// dense is a file as large as may be read that is all one-letter
	// list items, the shape that costs the YAML decoder most memory per
	// byte.
	dense = func() string {
		head := "timezone: UTC\nshows: [{id: s, title: S, genres: ["
		tail := "a]}]\nbogus: 1\n"
		return head + strings.Repeat("a,", (schedfile.MaxFileSize-len(head)-len(tail))/2) + tail
	}()
)

var cliCases = []cliCase{
	// Commands and arguments.
	{name: "no command", args: nil, want: "no command given"},
	{name: "unknown command", args: []string{"frob"}, want: `unknown command "frob"`},
	{name: "unknown command, 30 KB", args: []string{long}, want: `unknown command "xxxxxxxxxx`},
	{name: "help on an unknown command", args: []string{"help", "frob"}, want: `"frob"`},
	{name: "extra argument", args: []string{"runs", "original"}, want: `unexpected argument "original"`},
	{name: "unknown flag", args: []string{"runs", "--frob"}, want: "unknown flag --frob"},
	{name: "unknown flag with an escape", args: []string{"runs", "--\x1b[31mx"}, want: `unknown flag "--\x1b[31mx"`},
	{name: "bad boolean", args: []string{"runs", "--json=maybe"}, want: `--json "maybe"`},
	{name: "flag without its value", args: []string{"aired", "2003-06-16", "--tz"}, want: "tz needs a value"},
	// Dates, moments and episode numbers.
	{name: "day out of range", args: []string{"aired", "2003-02-30"}, want: `"2003-02-30": day out of range`},
	{name: "date in another form", args: []string{"aired", "16/06/2003"}, want: `"16/06/2003"`},
	{name: "empty date", args: []string{"aired", ""}, want: `date ""`},
	{name: "date, 30 KB", args: []string{"aired", long}, want: `date "xxxxxxxxxx`},
	{name: "episode 0", args: []string{"episode", "0"}, want: `episode "0"`},
	{name: "episode -5", args: []string{"episode", "-5"}, want: `episode "-5"`},
	{name: "episode +5", args: []string{"episode", "+5"}, want: `episode "+5"`},
	{name: "episode 1e3", args: []string{"episode", "1e3"}, want: `episode "1e3"`},
	{name: "episode past int64", args: []string{"episode", "99999999999999999999"}, want: "99999999999999999999"},
	{name: "episode never aired", args: []string{"episode", "1876"}, want: `episode "1876": never aired`},
	{name: "--now not RFC 3339", args: []string{"aired", "today", "--now", "2026-13-01T00:00:00Z"}, want: `--now "2026-13-01T00:00:00Z"`},
	// Empty values.
	{name: "--schedule empty", args: []string{"--schedule", "", "runs"}, want: `--schedule "": empty`},
	{name: "--tz empty", args: []string{"--tz", "", "runs"}, want: `--tz "": empty`},
	{name: "--from empty", args: []string{"slots", "--from="}, want: `--from "": empty`},
	{name: "--run empty", args: []string{"slots", "--run="}, want: `--run "": empty`},
	// Zones, windows and runs.
	{name: "unknown zone", args: []string{"--tz", "Mars/Olympus_Mons", "runs"}, want: `"Mars/Olympus_Mons"`},
	{name: "Local zone", args: []string{"--tz", "Local", "runs"}, want: `"Local"`},
	{name: "window backwards", args: []string{"slots", "--from", "2009-01-10", "--to", "2009-01-06"}, want: `--to "2009-01-06": before from 2009-01-10`},
	{name: "unknown run", args: []string{"slots", "--run", "encore"}, want: `--run "encore": no run has this name`},
	// Replay mode.
	{name: "--days without --replay", args: []string{"aired", "today", "--days", "3"}, want: "--days works only with --replay"},
	{name: "--days 0", args: []string{"aired", "today", "--replay", "--days", "0"}, want: `--days "0"`},
	{name: "present in 9999", args: []string{"export", "ics", "--replay", "--loop", "--now", "9999-12-30T12:00:00Z", "-o", "out.ics"}, want: `--now "9999-12-30T12:00:00Z"`},
	// Exports.
	{name: "unknown format", args: []string{"export", "pdf", "-o", "out.pdf"}, want: `format "pdf"`},
	{name: "ics flag on xmltv", args: []string{"export", "xmltv", "--compact", "-o", "guide.xml"}, want: "--compact and --all-day are for ics"},
	{name: "-o a folder", args: []string{"export", "ics", "-o", "sub"}, files: map[string]string{"sub/keep": "x"}, want: `-o "sub": is a folder`},
	{name: "-o in a missing folder", args: []string{"export", "ics", "-o", "missing/out.ics"}, want: `-o "missing/out.ics": cannot write there`},
	{name: "-o over an old file, bad window", args: []string{"export", "ics", "--from", "2009-02-30", "-o", "out.ics"}, files: map[string]string{"out.ics": "old"}, want: `--from "2009-02-30": day out of range`},
	// Serve, refused before it listens.
	{name: "port past 65535", args: []string{"serve", "--addr", "127.0.0.1:99999"}, want: `--addr "127.0.0.1:99999": want a port from 0 to 65535`},
	{name: "address without a port", args: []string{"serve", "--addr", "8080"}, want: `--addr "8080": want HOST:PORT`},
	{name: "relative public URL", args: []string{"serve", "--public-url", "tv.example.org"}, want: `"tv.example.org"`},
	// Schedule files.
	{name: "missing schedule file", args: []string{"--schedule", "missing.yaml", "runs"}, want: "missing.yaml: open: no such file"},
	{name: "schedule is a folder", args: []string{"--schedule", "sub", "runs"}, files: map[string]string{"sub/keep": "x"}, want: "sub: read: is a directory"},
	{name: "schedule is /dev/zero", args: []string{"--schedule", "/dev/zero", "runs"}, want: "larger than 524288 bytes"},
	{name: "schedule over 512 KiB", args: []string{"--schedule", "big.yaml", "runs"}, files: map[string]string{"big.yaml": tooLarge}, want: "larger than 524288 bytes"},
	{name: "unknown key", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": schedule(run("a", "c", "0 12 * * *", "first: 2000-01-01, last: 2000-01-02, lenght: 5m"))}, want: `s.yaml:5: unknown key "lenght"`},
	{name: "20,000 unknown keys", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": junkKeys}, want: "a mapping of 20004 keys: want at most 100"},
	{name: "512 KiB of one-letter items", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": dense}, want: `s.yaml:3: unknown key "bogus"`},
	{name: "every minute 2000 to 2030", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": schedule(run("a", "c", "* * * * *", "first: 2000-01-01, last: 2030-12-31"))}, want: "up to 16305120 slots"},
	{name: "three replays chained on 4.9M episodes", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": schedule(
		run("r3", "f", "* * * * *", "first: 2020-01-01, replay: {run: r2}"),
		run("r2", "e", "* * * * *", "first: 2020-01-01, replay: {run: r1}"),
		run("r1", "d", "* * * * *", "first: 2020-01-01, replay: {run: a}"),
		run("a", "c", "* * * * *", "first: 2000-01-01, episodes: {count: 4900000}"),
	)}, want: "up to 4900000 slots, more than the 100000"},
	{name: "last 0000-12-31 in UTC", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": schedule(run("a", "c", "30 18 * * *", "first: 0000-01-01, last: 0000-12-31"))}, want: `first "0000-01-01": want a date in the years 1900 to 2200`},
	{name: "slots in the year 10000", args: []string{"--schedule", "s.yaml", "export", "ics", "-o", "out.ics"}, files: map[string]string{"s.yaml": schedule(run("a", "c", "0 12 * * *", "first: 9999-12-25, episodes: {count: 20}"))}, want: `first "9999-12-25"`},
	{name: "count past 2200", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": schedule(run("a", "c", "* * * * *", "first: 2200-06-01, episodes: {count: 4000000}"))}, want: "past 2200-12-31"},
	{name: "episode numbers wrap", args: []string{"--schedule", "s.yaml", "episode", "2147483647"}, files: map[string]string{"s.yaml": schedule(run("a", "c", "0 12 * * *", "first: 2000-01-01, last: 2000-01-10, episodes: {first: 2147483646}"))}, want: "past 2147483647"},
	{name: "replay circle", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": schedule(
		run("a", "c", "0 12 * * *", "first: 2000-01-01, replay: {run: b}"),
		run("b", "d", "0 12 * * *", "first: 2000-01-01, replay: {run: a}"),
	)}, want: "replays go round in a circle: [a b a]"},
	// What one command can afford: refused from the rules' count, at once.
	{name: "hourly for 300 years", args: []string{"--schedule", "s.yaml", "aired", "2003-06-16"}, files: map[string]string{"s.yaml": schedule(run("a", "c", "0 * * * *", "first: 1900-01-01, last: 2199-12-31"))},
		want: "up to 2629752 slots, more than the 100000", maxTime: time.Second},
	{name: "hourly for 300 years, published", args: []string{"--schedule", "s.yaml", "publish", "site"}, files: map[string]string{"s.yaml": schedule(run("a", "c", "0 * * * *", "first: 1900-01-01, last: 2199-12-31"))},
		want: "up to 2629752 slots, more than the 100000", maxTime: 2 * time.Second},
	{name: "4.99 million slots", args: []string{"--schedule", "s.yaml", "aired", "2003-06-16"}, files: map[string]string{"s.yaml": schedule(run("a", "c", "* * * * *", "first: 2000-01-01, episodes: {count: 4990000}"))},
		want: "more than the 100000 slots", maxTime: time.Second},
	{name: "a title of 500 KB, published", args: []string{"--schedule", "s.yaml", "publish", "site"}, files: map[string]string{"s.yaml": strings.Replace(
		schedule(run("a", "c", "0 12 * * *", "first: 2000-01-01, last: 2000-12-31")), "title: S", "title: "+strings.Repeat("x", 500_000), 1)},
		want: "title is 500000 characters long: want at most 200", maxTime: 2 * time.Second},
	// Publish refuses what it did not make at its own paths, before it
	// writes anything.
	{name: "publish, a named pipe as its manifest", args: []string{"publish", "site"}, setup: func(dir string) error {
		os.Mkdir(filepath.Join(dir, "site"), 0o755)
		return syscall.Mkfifo(filepath.Join(dir, "site", ".backstage-manifest.json"), 0o644)
	}, want: "site/.backstage-manifest.json is a named pipe, where publish writes a file of its own"},
	{name: "publish, its staging folder a link outside", args: []string{"publish", "site"}, files: map[string]string{"outside/keep": "x"}, setup: func(dir string) error {
		os.Mkdir(filepath.Join(dir, "site"), 0o755)
		return os.Symlink("../outside", filepath.Join(dir, "site", ".backstage-staging"))
	}, want: "site/.backstage-staging is a symbolic link, where publish writes a folder of its own"},
	{name: "overlapping slots", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": schedule(
		run("a", "c", "0 12 * * *", "first: 2000-01-01, last: 2000-01-10"),
		"{name: b, show: s, channel: c, slot: \"30 11 * * *\", length: 1h, first: 2000-01-05, last: 2000-01-05}",
	)}, want: "overlapping slots on channel c"},
}

// result is what a case measured, for the table TestProbe logs.
type result struct {
	name    string
	code    int
	elapsed time.Duration
	rss     int64
}

func TestProbe(t *testing.T) {
	bin := testkit.Binary(t)
	var results []result
	for _, c := range cliCases {
		t.Run(c.name, func(t *testing.T) {
			results = append(results, probeCLI(t, bin, c))
		})
	}
	if len(cliCases) < 40 {
		t.Errorf("the probe has %d command lines, want at least 40", len(cliCases))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-45s %4s %9s %8s\n", "CASE", "EXIT", "TIME", "PEAK RSS")
	var slowest result
	var biggest result
	for _, r := range results {
		fmt.Fprintf(&b, "%-45.45s %4d %9s %6.1f MB\n", r.name, r.code, r.elapsed.Round(time.Millisecond), float64(r.rss)/(1<<20))
		if r.elapsed > slowest.elapsed {
			slowest = r
		}
		if r.rss > biggest.rss {
			biggest = r
		}
	}
	fmt.Fprintf(&b, "slowest: %s (%v); most memory: %s (%.1f MB)", slowest.name, slowest.elapsed.Round(time.Millisecond), biggest.name, float64(biggest.rss)/(1<<20))
	t.Logf("%d command lines:\n%s", len(results), b.String())
}

// probeCLI runs one case and checks it, returning what it measured.
func probeCLI(t *testing.T, bin string, c cliCase) result {
	t.Helper()
	dir := t.TempDir()
	for name, content := range c.files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if c.setup != nil {
		if err := c.setup(dir); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*maxTime)
	defer cancel()
	// The child's peak counts the probe's own memory when it starts it
	// (see peakRSS): give back what earlier cases took.
	debug.FreeOSMemory()
	cmd := exec.CommandContext(ctx, bin, c.args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{name: c.name, elapsed: time.Since(start), rss: peakRSS(cmd.ProcessState)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	want := c.code
	if want == 0 {
		want = 2
	}
	if r.code != want {
		t.Errorf("got exit %d, want %d; stderr %.300q", r.code, want, stderr.String())
	}
	if stdout.Len() > 0 {
		t.Errorf("got %d bytes on stdout (%.100q), want none", stdout.Len(), stdout.String())
	}
	line := stderr.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") || !strings.HasPrefix(line, "backstage: ") {
		t.Errorf("got stderr %.300q, want one line starting backstage: ", line)
	}
	if !strings.Contains(line, c.want) {
		t.Errorf("got stderr %.300q, want it to say %q", line, c.want)
	}
	if len(line) > maxLine {
		t.Errorf("got %d bytes on stderr, want at most %d", len(line), maxLine)
	}
	if got := folder(t, dir); !maps.Equal(got, c.files) {
		t.Errorf("the folder holds %v after the run, want only %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(c.files)))
	}
	if r.rss > maxRSS {
		t.Errorf("peak resident memory %.1f MB, want at most %d MB", float64(r.rss)/(1<<20), maxRSS>>20)
	}
	if limit := cmp.Or(c.maxTime, maxTime); r.elapsed > limit {
		t.Errorf("took %v, want at most %v", r.elapsed, limit)
	}
	return r
}

// peakRSS returns the peak resident memory of a process that has ended,
// in bytes. Linux counts in it the test process's own peak at the time
// it started the child (os/exec starts it sharing the test's memory
// until it runs the binary), a few megabytes: small figures are upper
// bounds.
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) // bytes there; kilobytes elsewhere
	}
	return int64(ru.Maxrss) << 10
}

// folder returns the regular files under dir and their content, by
// name relative to dir.
func folder(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err // folders, and what a case's setup made: a pipe is not read
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
