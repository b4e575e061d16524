package cli

import (
	"context"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

// Interrupted is the cause that NotifyContext gives its context when a
// signal arrives. A command that fails once its context is cancelled so
// makes Main return 128 plus the signal's number, the status a shell
// reports for a process the signal ended: 130 for SIGINT (Ctrl-C), 143
// for SIGTERM.
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
// (see context.Cause) is an Interrupted naming the signal that arrived,
// which Main turns into the conventional exit status, and that only the
// first signal is caught: a second one ends the program at once, as it
// would without NotifyContext, for when stopping cleanly takes too long.
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
