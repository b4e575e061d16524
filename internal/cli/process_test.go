//go:build unix

package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// bigSchedule writes a schedule file of n five-minute slots into dir: its
// guide is about 350 bytes an airing, long enough to write that a test
// can catch the export in the middle.
func bigSchedule(t *testing.T, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "big.yaml")
	text := fmt.Sprintf(`timezone: UTC
shows: [{id: s, title: S}]
channels: [{id: c.example}]
runs:
  - {name: a, show: s, channel: c.example, slot: "*/5 * * * *", first: 2000-01-01, length: 5m, episodes: {count: %d}}
`, n)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tempFiles returns the temporary files an export to path has left
// beside it.
func tempFiles(t *testing.T, path string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// startExport starts "backstage export xmltv -o out" on the schedule file
// sched and returns once the export has written part of its temporary
// file, so that it is caught in the middle. done receives its exit.
func startExport(t *testing.T, bin, sched, out string) (cmd *exec.Cmd, stderr *bytes.Buffer, done chan error) {
	t.Helper()
	cmd = exec.Command(bin, "--schedule", sched, "export", "xmltv", "-o", out)
	stderr = new(bytes.Buffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done = make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if tmp := tempFiles(t, out); len(tmp) == 1 {
			if fi, err := os.Stat(tmp[0]); err == nil && fi.Size() > 0 {
				return cmd, stderr, done
			}
		}
		select {
		case err := <-done:
			t.Fatalf("the export ended (%v; stderr %q) before it was seen writing", err, stderr)
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the export wrote nothing within 20 s")
		}
	}
}

// wait returns the exit status of the command done reports on, killing
// it if it has not ended within 20 s.
func wait(t *testing.T, cmd *exec.Cmd, done chan error) int {
	t.Helper()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode() // -1 when a signal ended it
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("still running 20 s after the signal")
		return 0
	}
}

// TestSignalStopsExport interrupts a long export of the real binary: it
// must stop soon, exit with the shell's status for the signal, leave the
// old file as it was and remove its temporary file.
func TestSignalStopsExport(t *testing.T) {
	bin := testkit.Binary(t)
	dir := t.TempDir()
	sched := bigSchedule(t, dir, 100_000)
	out := filepath.Join(dir, "guide.xml")
	for _, c := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{{"SIGINT", syscall.SIGINT, 130}, {"SIGTERM", syscall.SIGTERM, 143}} {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd, stderr, done := startExport(t, bin, sched, out)
			sent := time.Now()
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			code := wait(t, cmd, done)
			t.Logf("%s: exit %d %v after the signal", c.name, code, time.Since(sent).Round(time.Millisecond))
			if want := "backstage: stopped by " + c.name + "\n"; code != c.code || stderr.String() != want {
				t.Errorf("got exit %d, stderr %q; want %d, %q", code, stderr, c.code, want)
			}
			if b, err := os.ReadFile(out); err != nil || string(b) != "old" {
				t.Errorf("got %.20q, %v in %s; want the old content", b, err, out)
			}
			if tmp := tempFiles(t, out); len(tmp) > 0 {
				t.Errorf("left %v behind", tmp)
			}
		})
	}
}

// TestKilledExportCleanedUp kills an export with SIGKILL, which no
// program can catch: its temporary file stays, and the next export to
// the same file removes it.
func TestKilledExportCleanedUp(t *testing.T) {
	bin := testkit.Binary(t)
	dir := t.TempDir()
	sched := bigSchedule(t, dir, 100_000)
	out := filepath.Join(dir, "guide.xml")
	cmd, _, done := startExport(t, bin, sched, out)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if code := wait(t, cmd, done); code != -1 {
		t.Fatalf("got exit %d, want the process killed", code)
	}
	stale := tempFiles(t, out)
	if len(stale) != 1 {
		t.Fatalf("got temporary files %v after kill -9, want the one it was writing", stale)
	}
	if fi, err := os.Stat(stale[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("stale file %s: %v, %v; want mode 0600", stale[0], fi.Mode(), err)
	}
	again := exec.Command(bin, "export", "ics", "--from", "2003-06-16", "--to", "2003-06-16", "-o", out)
	if b, err := again.CombinedOutput(); err != nil {
		t.Fatalf("export again: %v\n%s", err, b)
	}
	if tmp := tempFiles(t, out); len(tmp) > 0 {
		t.Errorf("the next export left %v, want the stale file removed", tmp)
	}
	if b, err := os.ReadFile(out); err != nil || !bytes.HasPrefix(b, []byte("BEGIN:VCALENDAR")) {
		t.Errorf("%s: got %.20q, %v; want the new calendar", out, b, err)
	}
}
