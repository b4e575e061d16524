//go:build unix

package process_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/process"
)

func TestInterruptedExitCode(t *testing.T) {
	for sig, want := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143, syscall.SIGHUP: 129} {
		if got := (process.Interrupted{Signal: sig}).ExitCode(); got != want {
			t.Errorf("Interrupted{%v}.ExitCode() = %d, want %d", sig, got, want)
		}
	}
	var e process.Interrupted
	if !errors.As(error(process.Interrupted{Signal: syscall.SIGINT}), &e) || e.Error() != "stopped by SIGINT" {
		t.Errorf("got %q, want stopped by SIGINT", e.Error())
	}
}

func TestStopped(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	if _, ok := process.Stopped(ctx); ok {
		t.Error("a context not yet done: stopped by a signal")
	}
	cancel(nil)
	if _, ok := process.Stopped(ctx); ok {
		t.Error("a context cancelled for no signal: stopped by one")
	}
	ctx, cancel = context.WithCancelCause(context.Background())
	cancel(fmt.Errorf("wrapped: %w", process.Interrupted{Signal: syscall.SIGTERM}))
	if sig, ok := process.Stopped(ctx); !ok || sig.Signal != syscall.SIGTERM {
		t.Errorf("got %v, %v; want SIGTERM", sig, ok)
	}
}

// helperEnv, set in the environment, makes the test binary act as the
// program TestNotifyContext watches.
const helperEnv = "PROCESS_TEST_SIGNAL_HELPER"

// TestNotifyContext runs a process that sends itself SIGTERM twice: the
// first stops its context with the signal as the cause, the second ends
// it at once, as a second Ctrl-C must when stopping cleanly hangs.
func TestNotifyContext(t *testing.T) {
	if os.Getenv(helperEnv) == "1" {
		ctx, stop := process.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		<-ctx.Done()
		sig, ok := process.Stopped(ctx)
		fmt.Printf("%v %v %d\n", ok, sig, sig.ExitCode())
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		time.Sleep(20 * time.Second)
		fmt.Println("not ended by the second signal")
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNotifyContext$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, err := cmd.Output()
	if want := "true stopped by SIGTERM 143\n"; string(out) != want {
		t.Errorf("after the first signal: printed %q, want %q", out, want)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !strings.Contains(ee.String(), "signal: terminated") {
		t.Errorf("after the second signal: %v, want the process ended by SIGTERM", err)
	}
}

// TestTerminal: a file, a pipe and the null device are not terminals; a
// pseudo-terminal is.
func TestTerminal(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, f := range map[string]*os.File{"a file": file, "a pipe": w, os.DevNull: null} {
		if process.Terminal(f) {
			t.Errorf("%s: a terminal", name)
		}
	}
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to check the other way: %v", err)
	}
	defer pty.Close()
	if !process.Terminal(pty) {
		t.Error("a pseudo-terminal: not a terminal")
	}
}

// TestWriter: a write to a pipe nobody reads, which waits in the kernel,
// gives up once the context is done; a writer that is not a pipe or a
// terminal is returned as it is.
func TestWriter(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	pw := process.Writer(ctx, w)
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	var werr error
	for werr == nil && time.Since(start) < 10*time.Second {
		_, werr = pw.Write(make([]byte, 64<<10)) // the pipe's buffer fills, then the write waits
	}
	if !errors.Is(werr, context.Canceled) {
		t.Errorf("got %v after %v, want the context's error", werr, time.Since(start))
	}
	file, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if got := process.Writer(ctx, file); got != io.Writer(file) {
		t.Errorf("a regular file: got %T, want the file itself", got)
	}
}
