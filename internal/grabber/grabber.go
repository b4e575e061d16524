// Package grabber implements tv_grab_za_backstage, an XMLTV grabber for
// the Backstage schedule: the command-line interface that XMLTV's own
// grabbers share (XMLTV::Options, checked by tv_validate_grabber and
// listed by tv_find_grabbers), through which TVHeadend, MythTV and other
// media centres find and run a guide source. cmd/tv_grab_za_backstage
// only calls Main.
//
// The options are those of the baseline, manualconfig and
// preferredmethod capabilities: --description, --version,
// --capabilities, --preferredmethod (allatonce), --configure,
// --config-file FILE (default ~/.xmltv/tv_grab_za_backstage.conf),
// --days N, --offset N, --output FILE, --quiet, --debug and --help.
//
// A grab writes the XMLTV guide that feeds.Write makes, the same path as
// "backstage export xmltv", for the programmes that start on the local
// days Offset to Offset+Days-1 after today, in the schedule's zone. By
// default the history is replayed in the present (schedule.Replay),
// schedule.DefaultReplayWeeks weeks on, each airing keeping its weekday
// and time; the configuration may set the replay's own start. The
// mapping is the configuration's, never the clock's, so daily grabs agree
// on every programme they share. Days with no airing, such as weekends, carry one
// "No airing today" programme (feeds.Options.MarkEmptyDays), so every
// grab of two days has a programme, which tv_validate_grabber requires.
//
// # Time zones
//
// Days are counted in the schedule's zone (Africa/Johannesburg for the
// built-in schedule), whatever the machine's zone, so that a grab does
// not depend on where it runs. For tests, the environment variable
// TV_GRAB_ZA_BACKSTAGE_NOW (an RFC 3339 time) stands in for the clock.
package grabber

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/output"
	"github.com/backstage-epg/backstage/internal/process"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/internal/version"
	"github.com/backstage-epg/backstage/schedule"
)

// The grabber's answers to --description, --version, --capabilities and
// --preferredmethod.
const (
	Name            = "tv_grab_za_backstage"
	Description     = "South Africa (Backstage on e.tv, replayed)"
	PreferredMethod = "allatonce"
)

// Capabilities are the XMLTV capabilities the grabber has. apiconfig is
// left out: it exists to choose channels through a program, and the guide
// has one channel to choose.
var Capabilities = []string{"baseline", "manualconfig", "preferredmethod"}

// NowEnv is the environment variable that, set to an RFC 3339 time,
// replaces the clock: for tests, which must not depend on the day they
// run. It is not an option, so that the command line stays XMLTV's.
const NowEnv = "TV_GRAB_ZA_BACKSTAGE_NOW"

// Env is what the grabber may touch of the outside world. Tests swap each
// part for their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string // os.Getenv: HOME and NowEnv
	Now            func() time.Time

	// Interactive says whether a person can answer on Stdin (see
	// process.Terminal). --configure asks its questions only then, and
	// otherwise writes the configuration it would offer as defaults.
	Interactive bool
}

// usageError marks an error as the user's: bad options, a bad or missing
// configuration, a bad schedule file, an output that cannot be written.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Main runs the grabber with the command-line args (without the program
// name) and returns its exit status: 0 on success, 2 for a usage error
// and 1 for any other failure, each with one line on env.Stderr. It
// writes nothing to --output unless the whole guide is written; stopped
// through ctx, it leaves --output as it was. A grab that fails once a
// signal stopped ctx (see process.NotifyContext) exits as backstage
// does: 130 for SIGINT, 143 for SIGTERM.
func Main(ctx context.Context, args []string, env Env) (code int) {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(env.Stderr, "%s: internal error: %v\n", Name, p)
			code = 1
		}
	}()
	env.Stdout = process.Writer(ctx, env.Stdout)
	err := run(ctx, args, env)
	if err == nil {
		return 0
	}
	fmt.Fprintf(env.Stderr, "%s: %s\n", Name, strings.Join(strings.Fields(err.Error()), " "))
	if sig, ok := process.Stopped(ctx); ok {
		return sig.ExitCode()
	}
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, env Env) error {
	a, err := ParseArgs(args)
	if err != nil {
		return usageError{fmt.Errorf("%w (see %s --help)", err, Name)}
	}
	// In XMLTV::Options's order: the questions about the grabber first.
	switch {
	case a.Help:
		_, err := io.WriteString(env.Stdout, usage)
		return err
	case a.Capabilities:
		_, err := io.WriteString(env.Stdout, strings.Join(Capabilities, "\n")+"\n")
		return err
	case a.PreferredMethod:
		_, err := io.WriteString(env.Stdout, PreferredMethod+"\n")
		return err
	case a.Version:
		_, err := fmt.Fprintf(env.Stdout, "This is %s version %s\n", Name, version.Number)
		return err
	case a.Description:
		_, err := io.WriteString(env.Stdout, Description+"\n")
		return err
	}
	path := a.ConfigFile
	if path == "" {
		if path, err = DefaultConfigFile(env.Getenv); err != nil {
			return usageError{err}
		}
	}
	if a.Configure {
		return configure(ctx, env, path, a.Quiet)
	}
	return grab(ctx, env, a, path)
}

// DefaultConfigFile returns ~/.xmltv/tv_grab_za_backstage.conf, the home
// folder being $HOME (or %USERPROFILE%), as XMLTV grabbers have it.
func DefaultConfigFile(getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return "", errors.New("no home folder (HOME is not set): give --config-file FILE")
	}
	return filepath.Join(home, ".xmltv", Name+".conf"), nil
}

// clock returns the present: NowEnv's time when it is set, else env.Now.
func clock(env Env) (time.Time, error) {
	v := env.Getenv(NowEnv)
	if v == "" {
		return env.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s=%s: want an RFC 3339 time such as 2026-11-27T12:00:00+02:00", NowEnv, quote.Value(v))
	}
	return t, nil
}

// grab writes the guide that a (and the configuration at path) ask for.
func grab(ctx context.Context, env Env, a Args, path string) error {
	started := time.Now()
	debugf := func(format string, args ...any) {
		if a.Debug && !a.Quiet {
			fmt.Fprintf(env.Stderr, "%s: "+format+"\n", append([]any{Name}, args...)...)
		}
	}
	now, err := clock(env)
	if err != nil {
		return usageError{err}
	}
	c, err := LoadConfig(ctx, path)
	if errors.Is(err, ErrNoConfig) {
		again := ""
		if a.ConfigFile != "" {
			again = " --config-file " + quote.Clip(a.ConfigFile)
		}
		return usageError{fmt.Errorf("configuration file %s does not exist: run %s --configure%s first", quote.Clip(path), Name, again)}
	}
	if err != nil && ctx.Err() != nil {
		return interrupted(ctx, a.Output, false) // a named pipe never written
	}
	if err != nil {
		return usageError{fmt.Errorf("%w (fix it, or run %s --configure)", err, Name)}
	}
	debugf("configuration %s", path)
	s, err := c.LoadSchedule(ctx, filepath.Dir(path))
	var fe *schedfile.Error
	switch {
	case errors.As(err, &fe):
		return usageError{fmt.Errorf("schedule file named in %s: %w", quote.Clip(path), err)}
	case err != nil && ctx.Err() != nil:
		return interrupted(ctx, a.Output, false)
	case err != nil:
		return err
	}
	r := Request{Now: now, Offset: a.Offset, Days: a.Days}
	g, o, err := c.Guide(s, r)
	var ie *schedule.InputError
	switch {
	case errors.As(err, &ie) && (ie.Field == schedule.FieldReplayFrom || ie.Field == schedule.FieldReplayStart):
		// The configuration's keys are named as the fields are.
		return usageError{fmt.Errorf("%w (fix it, or run %s --configure)", &ConfigError{File: path, Err: ie}, Name)}
	case errors.As(err, &ie) && ie.Field == schedule.FieldNow && env.Getenv(NowEnv) != "":
		return usageError{fmt.Errorf("%s=%s: %w", NowEnv, quote.Value(env.Getenv(NowEnv)), ie.Err)}
	case err != nil:
		return usageError{err}
	}
	debugf("schedule %q, %d airings, zone %s; today is %s", s.Name(), s.Len(), s.Location(), today(s, now))
	if c.History {
		debugf("history mode: airings on the dates they aired")
	} else if ro, ok := g.ReplayOptions(); ok {
		debugf("replay mode: the replay began on %s, airing %s (loop %s, skip gaps %s)", ro.Start, ro.From, yesNoText(c.Loop), yesNoText(c.SkipGaps))
	}
	q, err := g.Query(o.Window)
	if err != nil {
		return err
	}
	n := g.Count(q)
	_, err = output.Write(ctx, a.Output, env.Stdout, func(w io.Writer) error {
		return feeds.Write(ctx, w, g, o)
	})
	var ce *output.CreateError
	switch {
	case errors.As(err, &ce):
		return usageError{fmt.Errorf("--output %s: cannot write there: %v", quote.Clip(a.Output), ce.Err)}
	case err != nil && ctx.Err() != nil:
		return interrupted(ctx, a.Output, true)
	case err != nil:
		return err
	}
	if !a.Quiet {
		airings := "airings"
		if n == 1 {
			airings = "airing"
		}
		fmt.Fprintf(env.Stderr, "%s: %d %s from %s to %s\n", Name, n, airings, o.Window.From, o.Window.To)
	}
	debugf("done in %s", time.Since(started).Round(time.Millisecond))
	return nil
}

// interrupted is the error of a grab stopped through ctx: what stopped
// it (the signal, when one did), and what it left of the guide at path,
// --output, whose writing had begun or not.
func interrupted(ctx context.Context, path string, writing bool) error {
	why := "interrupted"
	if sig, ok := process.Stopped(ctx); ok {
		why = sig.Error()
	}
	left := "nothing written"
	switch {
	case !output.IsStdout(path):
		left = quote.Clip(path) + " left as it was"
	case writing:
		left = "standard output may hold part of a guide"
	}
	return fmt.Errorf("%s: %s", why, left)
}

const usage = `tv_grab_za_backstage: an XMLTV grabber for Backstage on e.tv (South Africa),
replayed in the present from its 2000-2016 schedule.

Usage:
  tv_grab_za_backstage --help
  tv_grab_za_backstage --version
  tv_grab_za_backstage --capabilities
  tv_grab_za_backstage --description
  tv_grab_za_backstage --preferredmethod

  tv_grab_za_backstage [--config-file FILE]
                       [--days N] [--offset N]
                       [--output FILE] [--quiet] [--debug]

  tv_grab_za_backstage --configure [--config-file FILE]

Options:
  --config-file FILE  the configuration (default ~/.xmltv/tv_grab_za_backstage.conf)
  --configure         write the configuration: asks at a terminal, else
                      writes the defaults (a replay from the first airing)
  --days N            the guide of N days (1 to 32; default: up to 31 days
                      after today)
  --offset N          starting N days after today (0 to 31; default 0, today)
  --output FILE       write the guide to FILE (atomically; gzipped if it
                      ends in .gz) instead of standard output
  --quiet             print nothing but errors on standard error
  --debug             print what the grab does on standard error

A day is a local day in the schedule's zone (Africa/Johannesburg); a guide
holds the programmes that start on its days. TV_GRAB_ZA_BACKSTAGE_NOW, an
RFC 3339 time, replaces the clock, for tests.
`
