package grabber

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/schedule"
)

// Reach is how far a grab reaches: the last day it can hold is Reach days
// after today, the limit of a replay window.
const Reach = schedule.MaxDays

// Args is a parsed command line, in the terms of XMLTV's grabber
// interface (XMLTV::Options). Days is 0 when --days was not given, which
// means as many days as the grabber has: from the offset to Reach.
type Args struct {
	Help, Version, Capabilities, Description, PreferredMethod bool

	Configure  bool
	ConfigFile string // "" for DefaultConfigFile

	Offset, Days int
	Output       string // "" or "-" for standard output
	Quiet, Debug bool
}

// options are the options of the baseline, manualconfig and
// preferredmethod capabilities, and whether each takes a value.
var options = map[string]bool{
	"help": false, "h": false, "version": false, "capabilities": false, "description": false,
	"preferredmethod": false, "configure": false, "config-file": true,
	"days": true, "offset": true, "output": true, "quiet": false, "debug": false,
}

// ParseArgs reads a command line (without the program's name). Options
// are written --name or -name, with a value as the next word or after
// "=": --days 2, --days=2. Unknown options, positional arguments, a
// missing value and numbers out of range are errors: --days from 1 to
// Reach+1, --offset from 0 to Reach, together ending at most Reach days
// after today. A repeated option takes its last value, as Getopt::Long
// does.
func ParseArgs(args []string) (Args, error) {
	var a Args
	var days, offset *string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			if i+1 < len(args) {
				return a, fmt.Errorf("unexpected argument %s: %s takes options only", quote.Value(args[i+1]), Name)
			}
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			return a, fmt.Errorf("unexpected argument %s: %s takes options only", quote.Value(arg), Name)
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(arg[1:], "-"), "=")
		takesValue, known := options[name]
		switch {
		case !known:
			return a, fmt.Errorf("unknown option %s", quoteOption(arg))
		case takesValue && !hasValue:
			if i+1 == len(args) {
				return a, fmt.Errorf("option --%s needs a value", name)
			}
			i++
			value = args[i]
		case !takesValue && hasValue:
			return a, fmt.Errorf("option --%s takes no value", name)
		}
		switch name {
		case "help", "h":
			a.Help = true
		case "version":
			a.Version = true
		case "capabilities":
			a.Capabilities = true
		case "description":
			a.Description = true
		case "preferredmethod":
			a.PreferredMethod = true
		case "configure":
			a.Configure = true
		case "config-file":
			if value == "" {
				return a, errors.New("option --config-file: empty; want a file name")
			}
			a.ConfigFile = value
		case "days":
			days = &value
		case "offset":
			offset = &value
		case "output":
			if value == "" {
				return a, errors.New("option --output: empty; want a file name")
			}
			a.Output = value
		case "quiet":
			a.Quiet = true
		case "debug":
			a.Debug = true
		}
	}
	var err error
	if offset != nil {
		if a.Offset, err = number("offset", *offset, 0, Reach); err != nil {
			return a, err
		}
	}
	if days != nil {
		if a.Days, err = number("days", *days, 1, Reach+1); err != nil {
			return a, err
		}
		if last := a.Offset + a.Days - 1; last > Reach {
			return a, fmt.Errorf("--offset %d --days %d ends %d days after today: the guide reaches %d at most, so ask for at most %d days",
				a.Offset, a.Days, last, Reach, Reach+1-a.Offset)
		}
	}
	return a, nil
}

// quoteOption writes arg for a message: as it is when it is plain text,
// quoted when it holds anything odd.
func quoteOption(arg string) string {
	if arg == "" || len(arg) > quote.Max || strings.ContainsFunc(arg, func(r rune) bool { return r <= ' ' || r > '~' || r == '"' }) {
		return quote.Value(arg)
	}
	return arg
}

// number reads the value of --name as a whole number from lo to hi.
func number(name, value string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < lo || n > hi {
		if err == nil || errors.Is(err, strconv.ErrRange) {
			// A number, but for its sign: said as a number. (ErrRange
			// comes before the parse sees what follows the digits, so
			// the value is still quoted if it needs it.)
			value = strings.TrimPrefix(value, "+")
		}
		value = quoteOption(value)
		return 0, fmt.Errorf("--%s %s: want a whole number of days from %d to %d", name, value, lo, hi)
	}
	return n, nil
}
