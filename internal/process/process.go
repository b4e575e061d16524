// Package process is what both command-line programs, backstage and
// tv_grab_za_backstage, need from the process they run in: a context
// that the first SIGINT or SIGTERM stops, with the exit status a shell
// reports for that signal, and whether a standard stream is a terminal a
// person sits at. It is a package of its own so that the grabber, a
// small program, shares this with backstage without linking its server.
package process

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Interrupted is the cause that NotifyContext gives its context when a
// signal arrives. A command that fails once its context is cancelled so
// exits with 128 plus the signal's number, the status a shell reports
// for a process the signal ended: 130 for SIGINT (Ctrl-C), 143 for
// SIGTERM.
type Interrupted struct {
	Signal os.Signal
}

// Error names the signal: "stopped by SIGINT".
func (e Interrupted) Error() string { return "stopped by " + signalName(e.Signal) }

// ExitCode returns 128 plus the signal's number, or 1 for a signal that
// has no number.
func (e Interrupted) ExitCode() int {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	if n, ok := s.(syscall.Signal); ok {
		return "signal " + strconv.Itoa(int(n))
	}
	return s.String()
}

// NotifyContext is signal.NotifyContext, except that the context's cause
// (see context.Cause and Stopped) is an Interrupted naming the signal
// that arrived, and that only the first signal is caught: a second one
// ends the program at once, as it would without NotifyContext, for when
// stopping cleanly takes too long.
func NotifyContext(parent context.Context, signals ...os.Signal) (ctx context.Context, stop context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, signals...)
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			cancel(Interrupted{Signal: s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}

// Stopped returns the signal that stopped ctx, if a signal did (through
// NotifyContext, or a cancel with an Interrupted cause).
func Stopped(ctx context.Context) (Interrupted, bool) {
	var sig Interrupted
	ok := errors.As(context.Cause(ctx), &sig)
	return sig, ok
}

// Terminal reports whether f looks like a terminal a person types at or
// reads: a character device other than the null device. (A pipe, a file
// or /dev/null, as cron, a service manager and tv_validate_grabber give,
// is not.) It is a heuristic without a dependency; what it decides (a
// progress line, questions) is harmless when it guesses wrong.
func Terminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// Writer returns w, or, when w is a pipe or a terminal (an *os.File that
// is not a regular file), a writer that gives up on a write still waiting
// a moment (stopGrace) after ctx is done, with ctx's error, and on every
// write after it. A write to a pipe whose reader has stopped reading (a
// pager paused, a consumer stuck) waits in the kernel, where no signal
// handler can end it; the write goes on in a goroutine of its own, and
// the command returns without it. A write that is not stuck goes
// through, signal or not.
func Writer(ctx context.Context, w io.Writer) io.Writer {
	f, ok := w.(*os.File)
	if !ok {
		return w
	}
	if fi, err := f.Stat(); err != nil || fi.Mode().IsRegular() {
		return w
	}
	return &stopWriter{ctx: ctx, w: w}
}

// stopGrace is how long a write may still take once the context is done.
const stopGrace = 200 * time.Millisecond

type stopWriter struct {
	ctx   context.Context
	w     io.Writer
	start sync.Once
	reqs  chan []byte
	done  chan written
	stuck error // set once a write has been given up on
}

type written struct {
	n   int
	err error
}

func (s *stopWriter) Write(p []byte) (int, error) {
	if s.stuck != nil {
		return 0, s.stuck
	}
	s.start.Do(func() {
		s.reqs, s.done = make(chan []byte), make(chan written)
		go func() {
			for b := range s.reqs {
				n, err := s.w.Write(b)
				s.done <- written{n, err}
			}
		}()
	})
	// The goroutine may still be writing p after Write returns, when it
	// gives up: it writes a copy, which the caller cannot reuse under it.
	s.reqs <- slices.Clone(p) // the goroutine waits for it: each Write waits for the last
	select {
	case r := <-s.done:
		return r.n, r.err
	case <-s.ctx.Done():
	}
	select {
	case r := <-s.done:
		return r.n, r.err
	case <-time.After(stopGrace):
		s.stuck = s.ctx.Err()
		return 0, s.stuck
	}
}
