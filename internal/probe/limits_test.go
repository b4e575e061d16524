//go:build unix

package probe_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// Schedules at the limits a schedule file may reach.
var (
	// largest is a schedule of the most slots a file may give (100,000),
	// hourly, in a zone whose clocks change.
	largest = "timezone: Europe/London\nshows: [{id: s, title: S}]\nchannels: [{id: c}]\nruns:\n" +
		"  - {name: a, show: s, channel: c, slot: \"0 * * * *\", length: 1m, first: 1990-01-01, episodes: {count: 99000}}\n"
	// slowRule is the rule cron's Next walked slowest, a slot at midnight
	// every day, for 270 years (98,616 slots) in a zone with daylight
	// saving: 3.5 s to expand 300 years before slots were found day by day.
	slowRule = "timezone: America/New_York\nshows: [{id: s, title: S}]\nchannels: [{id: c}]\nruns:\n" +
		"  - {name: a, show: s, channel: c, slot: \"0 0 * * *\", length: 1m, first: 1930-01-01, last: 2199-12-31}\n"
)

// A boundCase is a command line that must succeed within bounds of time
// and peak memory, printing want, in a folder holding files.
type boundCase struct {
	name    string
	args    []string
	files   map[string]string
	maxTime time.Duration
	maxRSS  int64
	want    string
}

var boundCases = []boundCase{
	{name: "aired one day of 99,000 hourly slots", args: []string{"--schedule", "s.yaml", "aired", "2005-06-16"}, files: map[string]string{"s.yaml": largest},
		maxTime: 2 * time.Second, maxRSS: 150 << 20, want: "2005-06-16"},
	{name: "aired one day, 270 years of midnights in New York", args: []string{"--schedule", "s.yaml", "aired", "2150-06-16"}, files: map[string]string{"s.yaml": slowRule},
		maxTime: 2 * time.Second, maxRSS: 150 << 20, want: "2150-06-16"},
	{name: "slots --json of 99,000 airings, streamed", args: []string{"--schedule", "s.yaml", "slots", "--json"}, files: map[string]string{"s.yaml": largest},
		maxTime: 20 * time.Second, maxRSS: 100 << 20, want: `"episode": 99000`},
	{name: "runs of a schedule whose names hold escapes", args: []string{"--schedule", "s.yaml", "runs"}, files: map[string]string{"s.yaml": schedule(
		`{name: "a\e[2J\0\u202E", show: s, channel: c, slot: "0 12 * * *", length: 1m, first: 2000-01-01, last: 2000-01-02, assumptions: {length: "\e[31mred"}}`)},
		maxTime: 2 * time.Second, maxRSS: 100 << 20, want: `"a\x1b[2J\x00\u202e"`},
}

// TestProbeBounds runs each bound case and checks its exit, output, time
// and peak memory.
func TestProbeBounds(t *testing.T) {
	bin := testkit.Binary(t)
	var b strings.Builder
	for _, c := range boundCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(bin, c.args...)
			cmd.Dir = dir
			var stdout ends
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			// The child's peak counts the probe's own memory when it
			// starts it (see peakRSS): give back what the last case took.
			debug.FreeOSMemory()
			start := time.Now()
			err := cmd.Run()
			took, rss := time.Since(start), peakRSS(cmd.ProcessState)
			fmt.Fprintf(&b, "%-52.52s %9s %6.1f MB\n", c.name, took.Round(time.Millisecond), float64(rss)/(1<<20))
			if err != nil {
				t.Fatalf("%v; stderr %.300q", err, stderr.String())
			}
			if !strings.Contains(stdout.String(), c.want) {
				t.Errorf("got stdout %.300q, want it to hold %q", stdout.String(), c.want)
			}
			if stdout.raw {
				t.Errorf("stdout holds a raw control character: %.300q", stdout.String())
			}
			if took > c.maxTime {
				t.Errorf("took %v, want at most %v", took, c.maxTime)
			}
			if rss > c.maxRSS {
				t.Errorf("peak resident memory %.1f MB, want at most %d MB", float64(rss)/(1<<20), c.maxRSS>>20)
			}
		})
	}
	t.Logf("%-52s %9s %9s\n%s", "CASE", "TIME", "PEAK RSS", b.String())
}

// ends keeps the first and the last 64 KB written to it, and notes a
// raw control character anywhere.
type ends struct {
	head, tail []byte
	raw        bool
}

func (e *ends) Write(p []byte) (int, error) {
	const keep = 64 << 10
	e.raw = e.raw || bytes.ContainsAny(p, "\x1b\x00\u202e")
	if n := min(keep-len(e.head), len(p)); n > 0 {
		e.head = append(e.head, p[:n]...)
	}
	e.tail = append(e.tail, p...)
	if len(e.tail) > 2*keep {
		e.tail = append(e.tail[:0], e.tail[len(e.tail)-keep:]...)
	}
	return len(p), nil
}

// String returns the head and the tail (which may overlap).
func (e *ends) String() string { return string(e.head) + "\n…\n" + string(e.tail) }

// A signalCase is a command that waits (on a named pipe, mostly) and is
// sent a signal: it must end within maxStop, with the shell's status for
// the signal and one line on stderr saying so, and leave nothing behind.
type signalCase struct {
	name    string
	grabber bool // tv_grab_za_backstage rather than backstage
	args    []string
	files   map[string]string
	// setup makes what the case waits on in dir; it returns what to
	// undo after the case.
	setup func(t *testing.T, dir string) func()
	sig   syscall.Signal
	// stdout is where the command's output goes: "" for one read as it
	// comes, "slow" for one read 32 KB every 10 ms, "stuck" for a pipe
	// never read.
	stdout string
}

// slow is a reader of a command's output that takes its time.
type slow struct{}

func (slow) Write(p []byte) (int, error) {
	time.Sleep(10 * time.Millisecond)
	return len(p), nil
}

// fifo makes a named pipe called name in the case's folder.
func fifo(name string) func(t *testing.T, dir string) func() {
	return func(t *testing.T, dir string) func() {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
		return func() {}
	}
}

// heldFIFO makes a named pipe that the probe holds open at both ends
// (O_RDWR), so that the command's open succeeds and its reads or writes
// wait: nothing is sent, and what is written is not read.
func heldFIFO(name string) func(t *testing.T, dir string) func() {
	return func(t *testing.T, dir string) func() {
		path := filepath.Join(dir, name)
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		return func() { f.Close() }
	}
}

// maxStop is how soon a command must end after the signal.
const maxStop = time.Second

var signalCases = []signalCase{
	{name: "export -o a pipe nobody reads", args: []string{"export", "ics", "-o", "out.ics"}, setup: fifo("out.ics"), sig: syscall.SIGTERM},
	{name: "export -o a pipe opened, never read", args: []string{"export", "xmltv", "-o", "out.xml"}, setup: heldFIFO("out.xml"), sig: syscall.SIGINT},
	{name: "--schedule a pipe nobody writes", args: []string{"--schedule", "s.yaml", "runs"}, setup: fifo("s.yaml"), sig: syscall.SIGINT},
	{name: "--schedule a pipe opened, never written", args: []string{"--schedule", "s.yaml", "aired", "today"}, setup: heldFIFO("s.yaml"), sig: syscall.SIGTERM},
	{name: "publish --schedule a pipe", args: []string{"--schedule", "s.yaml", "publish", "site"}, setup: fifo("s.yaml"), sig: syscall.SIGTERM},
	{name: "publish a site of 99,000 slots", args: []string{"--schedule", "s.yaml", "publish", "site"}, files: map[string]string{"s.yaml": largest}, sig: syscall.SIGTERM},
	{name: "slots --json of 99,000 airings, read slowly", args: []string{"--schedule", "s.yaml", "slots", "--json"}, files: map[string]string{"s.yaml": largest}, sig: syscall.SIGTERM, stdout: "slow"},
	{name: "slots of 99,000 airings, into a stuck pipe", args: []string{"--schedule", "s.yaml", "slots"}, files: map[string]string{"s.yaml": largest}, sig: syscall.SIGINT, stdout: "stuck"},
	{name: "export to a stuck pipe", args: []string{"export", "xmltv"}, sig: syscall.SIGTERM, stdout: "stuck"},
	{name: "grabber --config-file a pipe", grabber: true, args: []string{"--config-file", "g.conf"}, setup: fifo("g.conf"), sig: syscall.SIGTERM},
	{name: "grabber --output a pipe nobody reads", grabber: true, args: []string{"--config-file", "g.conf", "--output", "out.xml"}, files: map[string]string{"g.conf": "mode=replay\n"}, setup: fifo("out.xml"), sig: syscall.SIGINT},
	{name: "grabber schedule= a pipe", grabber: true, args: []string{"--config-file", "g.conf"}, files: map[string]string{"g.conf": "schedule=s.yaml\n"}, setup: fifo("s.yaml"), sig: syscall.SIGTERM},
}

// TestProbeSignals runs each signal case: the command is given half a
// second to reach the point where it waits, then the signal.
func TestProbeSignals(t *testing.T) {
	bins := map[bool]string{false: testkit.Binary(t), true: testkit.Command(t, "tv_grab_za_backstage")}
	var (
		mu sync.Mutex
		b  strings.Builder // the table of cases, logged once they are all done
	)
	t.Cleanup(func() { t.Logf("%-45s %4s %9s\n%s", "CASE", "EXIT", "STOPPED IN", b.String()) })
	row := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&b, format, args...)
	}
	for _, c := range signalCases {
		t.Run(c.name, func(t *testing.T) {
			// Each case waits half a second before its signal: they wait
			// side by side.
			t.Parallel()
			dir := t.TempDir()
			for name, content := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if c.setup != nil {
				defer c.setup(t, dir)()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bins[c.grabber], c.args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TV_GRAB_ZA_BACKSTAGE_NOW=2026-06-16T12:00:00Z")
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			switch c.stdout {
			case "slow":
				cmd.Stdout = slow{}
			case "stuck":
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				defer w.Close()
				cmd.Stdout = w
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				t.Fatalf("ended (%v; stderr %.300q) before the signal", err, stderr.String())
			case <-time.After(500 * time.Millisecond):
			}
			sent := time.Now()
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				row("%-45.45s %4s %9s\n", c.name, "-", "never")
				t.Fatalf("still running 10 s after %v; killed", c.sig)
			}
			took := time.Since(sent)
			code := -1
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			row("%-45.45s %4d %9s\n", c.name, code, took.Round(time.Millisecond))
			name := "backstage"
			if c.grabber {
				name = "tv_grab_za_backstage"
			}
			sigName := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[c.sig]
			if want := 128 + int(c.sig); code != want {
				t.Errorf("got exit %d, want %d; stderr %.300q", code, want, stderr.String())
			}
			if line := stderr.String(); strings.Count(line, "\n") != 1 || !strings.HasPrefix(line, name+": stopped by "+sigName) {
				t.Errorf("got stderr %.300q, want one line: %s: stopped by %s", line, name, sigName)
			}
			if took > maxStop {
				t.Errorf("took %v after the signal, want at most %v", took, maxStop)
			}
			// Nothing half-made is left: no temporary file beside an
			// output, no staging folder in a site.
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && (strings.Contains(d.Name(), ".tmp-") || d.Name() == ".backstage-staging") {
					t.Errorf("left behind: %s", p)
				}
				return nil
			})
		})
	}
}
