package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/backstage-epg/backstage/internal/cli"
	"github.com/backstage-epg/backstage/internal/process"
)

// TestInterrupted runs commands whose context a signal has cancelled: the
// schedule file is not built, the old output stays, and the exit status
// is the one a shell reports for a process that signal ended.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "guide.xml")
	for _, c := range []struct {
		name   string
		cause  error // nil: the context is left alone
		args   []string
		code   int
		stderr string
	}{
		{"SIGTERM while loading", process.Interrupted{Signal: syscall.SIGTERM}, []string{"--schedule", small, "runs"}, 143, "backstage: stopped by SIGTERM\n"},
		{"SIGINT while loading", process.Interrupted{Signal: syscall.SIGINT}, []string{"--schedule", small, "runs"}, 130, "backstage: stopped by SIGINT\n"},
		{"SIGINT while exporting", process.Interrupted{Signal: syscall.SIGINT}, []string{"export", "xmltv", "-o", out}, 130, "backstage: stopped by SIGINT\n"},
		{"SIGTERM while exporting a file schedule", process.Interrupted{Signal: syscall.SIGTERM}, []string{"--schedule", small, "export", "ics", "-o", out}, 143, "backstage: stopped by SIGTERM\n"},
		// Cancelled for another reason: a failure, not a usage error.
		{"cancelled", context.Canceled, []string{"--schedule", small, "runs"}, 1, "backstage: read " + small + ": context canceled\n"},
		// A command that finishes all the same has succeeded.
		{"SIGTERM after the work", process.Interrupted{Signal: syscall.SIGTERM}, []string{"version"}, 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(c.cause)
			var stdout, stderr bytes.Buffer
			code := cli.Main(ctx, c.args, cli.Env{Stdout: &stdout, Stderr: &stderr})
			if code != c.code || stderr.String() != c.stderr {
				t.Errorf("got exit %d, stderr %q; want %d, %q", code, stderr.String(), c.code, c.stderr)
			}
			if c.code != 0 && stdout.Len() > 0 {
				t.Errorf("got stdout %q, want nothing", stdout.String())
			}
			if b, err := os.ReadFile(out); err != nil || string(b) != "old" {
				t.Errorf("%s: got %q, %v; want the old content left alone", out, b, err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("got %d files in the folder, want only %s", len(ents), out)
			}
		})
	}
}

// TestInterruptedOtherError checks that an error other than the stop
// itself is still told after a signal.
func TestInterruptedOtherError(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(process.Interrupted{Signal: syscall.SIGTERM})
	var stderr bytes.Buffer
	code := cli.Main(ctx, []string{"version"}, cli.Env{Stdout: failWriter{}, Stderr: &stderr})
	if want := "backstage: stopped by SIGTERM: broken pipe\n"; code != 143 || stderr.String() != want {
		t.Errorf("got exit %d, stderr %q; want 143, %q", code, stderr.String(), want)
	}
}
