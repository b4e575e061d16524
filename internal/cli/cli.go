// Package cli implements the backstage command: argument parsing, the
// query commands, exports and serve. cmd/backstage only calls Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/internal/process"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/schedule"
)

// Env is what a command may touch of the outside world. Tests swap each
// part for their own.
type Env struct {
	Stdout, Stderr io.Writer
	Now            func() time.Time
}

// usageError marks an error as the user's: bad arguments, values or
// schedule files. It maps to exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// Main runs the command line args (without the program name) and returns
// the exit status: 0 on success, 2 for a usage error (bad arguments, a bad
// schedule file, a value the schedule refuses: schedule.ErrInput), 1 for
// any other failure. Errors are one line on env.Stderr.
//
// Long work (building a schedule, writing a feed) stops soon after ctx is
// done. A command that fails once a signal stopped ctx (see
// process.NotifyContext) exits 128 plus the signal's number: 130 for
// SIGINT, 143 for SIGTERM; its -o file is left as it was.
func Main(ctx context.Context, args []string, env Env) (code int) {
	if env.Now == nil {
		env.Now = time.Now
	}
	defer func() {
		// Whatever goes wrong inside, the user gets a line that says so
		// first, then the stack, for the bug report.
		if p := recover(); p != nil {
			fmt.Fprintf(env.Stderr, "backstage: internal error: %v\n\n%s", p, debug.Stack())
			code = 1
		}
	}()
	env.Stdout = process.Writer(ctx, env.Stdout)
	err := run(ctx, args, env)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if sig, ok := process.Stopped(ctx); ok {
		// The command failed once a signal had stopped it: say so, and
		// what else went wrong, if anything did.
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(env.Stderr, "backstage: %v\n", sig)
		} else {
			fmt.Fprintf(env.Stderr, "backstage: %v: %s\n", sig, oneLine(err.Error()))
		}
		return sig.ExitCode()
	}
	fmt.Fprintf(env.Stderr, "backstage: %s\n", oneLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, schedule.ErrInput) || errors.Is(err, schedule.ErrInvalid) {
		return 2
	}
	return 1
}

// oneLine makes an error message one line of at most 5*quote.Max
// characters. Messages quote values through quote.Value, so this only
// cuts one that quotes a value some other way.
func oneLine(s string) string { return quote.Cut(strings.Join(strings.Fields(s), " "), 5*quote.Max) }

// command is one subcommand: its words, and a setup that registers the
// flags it takes and returns what runs it. Each command owns its flags;
// the groups several share (schedule, timeline, window) are types of
// their own in flags.go.
type command struct {
	name    string
	args    string // positional arguments, for the usage line
	summary string
	example string
	nargs   [2]int // least and most positional arguments

	// setup registers the command's flags on fs and returns the action
	// that runs it once they are parsed.
	setup func(fs *flag.FlagSet) action
}

// action runs a command with its positional arguments, its flags parsed.
type action func(ctx context.Context, env Env, args []string) error

// flagSet returns the command's flags and its action: the one place a
// command's flag set is built, for running it and for its usage.
func (c *command) flagSet() (*flag.FlagSet, action) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs, c.setup(fs)
}

var commands []*command

func init() {
	commands = []*command{
		airedCmd, episodeCmd, slotsCmd, runsCmd, exportCmd, publishCmd, scheduleCmd, serveCmd, versionCmd,
	}
}

// globalValueFlags are the flags that may stand before the command word
// and take a value as the next word, so that the command word can be
// found after them.
var globalValueFlags = map[string]bool{"schedule": true, "tz": true}

func run(ctx context.Context, args []string, env Env) error {
	name, rest := splitCommand(args)
	if name == "help" {
		topic, _ := splitCommand(rest)
		if topic == "" {
			mainUsage(env.Stdout)
			return nil
		}
		c := lookup(topic)
		if c == nil {
			return usagef("help: unknown command %s: want one of %s", quote.Value(topic), commandNames())
		}
		return c.usage(env.Stdout)
	}
	if name == "" {
		if containsAny(rest, "-h", "-help", "--help") {
			mainUsage(env.Stdout)
			return nil
		}
		if containsAny(rest, "-version", "--version") {
			return printVersion(env.Stdout)
		}
		// One line, like every usage error; "backstage help" has the rest.
		return usagef("no command given: want one of %s (see backstage help)", commandNames())
	}
	c := lookup(name)
	if c == nil {
		return usagef("unknown command %s: want one of %s", quote.Value(name), commandNames())
	}
	fs, act := c.flagSet()
	pos, err := parseInterleaved(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		if err := c.usage(env.Stdout); err != nil {
			return err
		}
		return flag.ErrHelp
	}
	if err != nil {
		return usagef("%s: %s (see backstage %s --help)", c.name, flagError(err), c.name)
	}
	if len(pos) < c.nargs[0] {
		return usagef("%s: missing argument: want %s (see backstage %s --help)", c.name, argsWanted(c), c.name)
	}
	if len(pos) > c.nargs[1] {
		return usagef("%s: unexpected argument %s: want %s (see backstage %s --help)", c.name, quote.Value(pos[c.nargs[1]]), argsWanted(c), c.name)
	}
	return act(ctx, env, pos)
}

var flagValueError = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-(\S+): (.*)$`)

// flagError rewrites an error of the flag package in the form the rest of
// the command's messages take: "--name "value": what is wrong".
func flagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "unknown flag " + quote.Clip("-"+name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return "flag " + quote.Clip(name) + " needs a value"
	}
	if m := flagValueError.FindStringSubmatch(msg); m != nil {
		why := strings.TrimPrefix(m[3], "parse error")
		if why == "" {
			why = "want true or false"
		}
		return fmt.Sprintf("--%s %s: %s", m[2], quote.Value(m[1]), quote.Clip(why))
	}
	return quote.Cut(msg, 2*quote.Max)
}

func argsWanted(c *command) string {
	if c.nargs[1] == 0 {
		return "no arguments"
	}
	return c.args
}

// splitCommand finds the command word: the first argument that is neither
// a flag nor the value of a global flag written as two words.
func splitCommand(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return a, append(append([]string{}, args[:i]...), args[i+1:]...)
		}
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && globalValueFlags[name] {
			i++
		}
	}
	return "", args
}

var negativeNumber = regexp.MustCompile(`^-[0-9]`)

// parseInterleaved parses flags wherever they stand among the positional
// arguments; Go's flag package alone stops at the first argument. It sorts
// the words into flags (with the values of flags that take one) and
// arguments, then parses the flags in one go. A negative number is an
// argument unless it is a flag's value (no flag is numeric), so that
// "episode -5" gets a message about episode numbers rather than about a
// flag called 5. After "--" every word is an argument.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case !strings.HasPrefix(a, "-") || a == "-" || negativeNumber.MatchString(a):
			pos = append(pos, a)
		default:
			flags = append(flags, a)
			if takesValue(fs, a) && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return pos, nil
}

// takesValue reports whether arg names a flag that takes its value from
// the next word.
func takesValue(fs *flag.FlagSet, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// containsAny reports whether args hold one of words, as
// "backstage --tz UTC --help" holds --help.
func containsAny(args []string, words ...string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return slices.Contains(words, a) })
}

func commandNames() string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `backstage models when the South African soap Backstage aired on e.tv and
publishes it as iCalendar and XMLTV feeds, a JSON API and a web page.

Usage: backstage COMMAND [ARGUMENTS] [FLAGS]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Flags of every command that reads the schedule:
  --schedule FILE  read the schedule from FILE instead of the embedded Backstage default
  --tz ZONE        show times in ZONE (an IANA name); default: the schedule's own

Flags may come before or after arguments. "backstage COMMAND --help" says more;
"backstage --version" prints the version.
`)
}

// usage writes the command's help: its usage line, summary, flags (as
// they are typed: --days N) and examples.
func (c *command) usage(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s\n\n%s\n", strings.TrimSpace("backstage "+c.name+" "+c.args), c.summary)
	fs, _ := c.flagSet()
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			b.WriteString("\nFlags:\n")
			first = false
		}
		arg, text := flag.UnquoteUsage(f)
		if arg == "value" {
			arg = "VALUE"
		}
		head := "  --" + f.Name
		if len(f.Name) == 1 {
			head = "  -" + f.Name // -o, as ls and cc have it
		}
		if arg != "" {
			head += " " + strings.ToUpper(arg)
		}
		if def := f.DefValue; def != "" && def != "false" {
			text += " (default " + def + ")"
		}
		fmt.Fprintf(&b, "%s\n      %s\n", head, text)
	})
	if c.example != "" {
		fmt.Fprintf(&b, "\nExamples:\n%s\n", c.example)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
