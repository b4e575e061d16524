package grabber

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/internal/userfile"
	"github.com/backstage-epg/backstage/schedule"
)

// Config is what --configure writes and a grab reads: which guide to
// make. Its zero value is not the default; see DefaultConfig.
type Config struct {
	// History leaves the airings on the dates they aired instead of
	// replaying them in the present. The days of a grab still count from
	// today, so the built-in schedule (2000 to 2016) gives no airings: it
	// is for a schedule file of one's own.
	History bool

	// ReplayFrom, ReplayStart, Loop and SkipGaps are the replay's
	// mapping, the From, Start, Loop and SkipGaps of
	// schedule.ReplayOptions: the channel began on ReplayStart by airing
	// ReplayFrom. Zero Dates take that type's defaults (the first airing,
	// and schedule.DefaultReplayWeeks weeks after it), so every grab, on
	// any day, agrees on what airs when.
	ReplayFrom, ReplayStart schedule.Date
	Loop, SkipGaps          bool

	// Schedule is the path of a schedule file; "" for the built-in
	// Backstage schedule. A relative path is read from the folder of the
	// configuration file.
	Schedule string

	// MarkNew and MarkEmptyDays are those of feeds.Options.
	MarkNew, MarkEmptyDays bool
}

// DefaultConfig is the configuration --configure writes when nobody
// answers its questions: a replay of the built-in schedule from its
// first airing, empty days marked.
var DefaultConfig = Config{MarkEmptyDays: true}

// The configuration file is in the format of XMLTV's own grabbers
// (XMLTV::Configure): one key=value a line, with no space before the "=";
// blank lines and everything from a "#" on are ignored, as is space at
// the end of a line. Unlike XMLTV's loader, this one refuses what it does
// not know: an unknown key, a key given twice, a bad value.
const (
	keyMode          = "mode"            // replay or history
	keyReplayFrom    = "replay-from"     // YYYY-MM-DD, or empty for the first airing
	keyReplayStart   = "replay-start"    // YYYY-MM-DD, or empty for DefaultReplayWeeks after replay-from
	keyLoop          = "loop"            // yes or no
	keySkipGaps      = "skip-gaps"       // yes or no
	keySchedule      = "schedule"        // a schedule file, or empty for the built-in one
	keyMarkNew       = "mark-new"        // yes or no
	keyMarkEmptyDays = "mark-empty-days" // yes or no
)

// ConfigError is a problem with a configuration file: the file, the line
// when one is at fault, and what is wrong. It is written "FILE:LINE:
// what", as schedfile.Error is.
type ConfigError struct {
	File string
	Line int // 1-based; 0 for the file as a whole
	Err  error
}

// Error returns the one-line message, the file's name cut as
// schedfile.Error cuts it.
func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", quote.Clip(e.File), e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", quote.Clip(e.File), e.Err)
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// MaxConfigSize is the largest configuration file ParseConfig reads; a
// real one is a few hundred bytes.
const MaxConfigSize = 64 << 10

// ParseConfig reads a configuration file's text; name is what errors
// call the file. Keys left out take their DefaultConfig values. Every
// error it returns is a *ConfigError.
func ParseConfig(name string, r io.Reader) (Config, error) {
	c := DefaultConfig
	data, err := io.ReadAll(io.LimitReader(r, MaxConfigSize+1))
	if err != nil {
		return c, &ConfigError{File: name, Err: err}
	}
	if len(data) > MaxConfigSize {
		return c, &ConfigError{File: name, Err: fmt.Errorf("larger than %d bytes; is it a configuration file?", MaxConfigSize)}
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, MaxConfigSize+1)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		text = strings.TrimRight(text, " \t\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fail := func(format string, args ...any) (Config, error) {
			return c, &ConfigError{File: name, Line: line, Err: fmt.Errorf(format, args...)}
		}
		i := strings.IndexAny(text, "=!")
		if i <= 0 || strings.ContainsFunc(text[:i], func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return fail("%s: want key=value", quote.Value(text))
		}
		key, value := text[:i], text[i+1:]
		if text[i] == '!' {
			return fail("%s: %s takes no unselected (!) values; want %s=value", quote.Value(text), Name, key)
		}
		if first, ok := seen[key]; ok {
			return fail("%s given twice (first on line %d)", key, first)
		}
		seen[key] = line
		var err error
		switch key {
		case keyMode:
			switch value {
			case "replay":
				c.History = false
			case "history":
				c.History = true
			default:
				err = fmt.Errorf("mode %s: want replay or history", quote.Value(value))
			}
		case keyReplayFrom:
			c.ReplayFrom, err = optionalDate(value)
		case keyReplayStart:
			c.ReplayStart, err = optionalDate(value)
		case keyLoop:
			c.Loop, err = yesNo(key, value)
		case keySkipGaps:
			c.SkipGaps, err = yesNo(key, value)
		case keySchedule:
			c.Schedule = value
		case keyMarkNew:
			c.MarkNew, err = yesNo(key, value)
		case keyMarkEmptyDays:
			c.MarkEmptyDays, err = yesNo(key, value)
		default:
			err = fmt.Errorf("unknown key %s: want one of %s", quote.Value(key), strings.Join(configKeys, ", "))
		}
		if err != nil {
			return c, &ConfigError{File: name, Line: line, Err: err}
		}
	}
	return c, nil
}

var configKeys = []string{keyMode, keyReplayFrom, keyReplayStart, keyLoop, keySkipGaps, keySchedule, keyMarkNew, keyMarkEmptyDays}

// optionalDate reads a date written YYYY-MM-DD, or "" for the zero Date.
func optionalDate(v string) (schedule.Date, error) {
	if v == "" {
		return schedule.Date{}, nil
	}
	return schedule.ParseDate(v)
}

func yesNo(key, value string) (bool, error) {
	switch strings.ToLower(value) {
	case "yes", "true", "1":
		return true, nil
	case "no", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%s %s: want yes or no", key, quote.Value(value))
}

func yesNoText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// MarshalText writes c as a configuration file, each key with a comment
// that says what it does. ParseConfig reads it back as c. It fails for a
// schedule path that the format cannot hold (one with a "#" or a line
// break, or ending in a space).
func (c Config) MarshalText() ([]byte, error) {
	if strings.ContainsAny(c.Schedule, "#\r\n") || strings.TrimRight(c.Schedule, " \t") != c.Schedule {
		return nil, fmt.Errorf("schedule file %s: a configuration file cannot hold a name with # or a line break, or ending in a space", quote.Value(c.Schedule))
	}
	mode := "replay"
	if c.History {
		mode = "history"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `# Configuration of %s, written by --configure; edit it or run
# --configure again. One key=value a line; # starts a comment.

# replay: a channel that airs the history again, later by whole weeks, each
# airing keeping its weekday and time of day. history: the dates they aired.
%s=%s

# Replay: the historic date (YYYY-MM-DD) the replay began with; empty for the
# first airing.
%s=%s

# Replay: the date (YYYY-MM-DD) your channel began airing replay-from, on the
# same weekday; empty for %d weeks (26 years, to the weekday) after it. Every
# day after it airs the next day of the history.
%s=%s

# Replay: start again from replay-from after the last airing (yes or no).
%s=%s

# Replay: leave out the weeks with no airing, such as July 2007 to
# December 2008 (yes or no).
%s=%s

# A schedule file (see "backstage schedule"); empty for the built-in Backstage
# schedule. A relative name is read from this file's folder.
%s=%s

# Mark first airings <new/> for "new episodes only" recordings (yes or no).
%s=%s

# On days with no airing (weekends: Backstage aired on weekdays), add one
# programme called "No airing today" (yes or no). XMLTV's tv_validate_grabber
# needs it on Fridays, when it asks for the weekend.
%s=%s
`, Name,
		keyMode, mode,
		keyReplayFrom, c.ReplayFrom,
		schedule.DefaultReplayWeeks, keyReplayStart, c.ReplayStart,
		keyLoop, yesNoText(c.Loop),
		keySkipGaps, yesNoText(c.SkipGaps),
		keySchedule, c.Schedule,
		keyMarkNew, yesNoText(c.MarkNew),
		keyMarkEmptyDays, yesNoText(c.MarkEmptyDays))
	return b.Bytes(), nil
}

// ErrNoConfig is wrapped by the error LoadConfig returns for a
// configuration file that does not exist.
var ErrNoConfig = errors.New("no configuration file")

// LoadConfig reads the configuration file at path. A missing file gives
// a *ConfigError wrapping ErrNoConfig; any other problem, a *ConfigError.
// Once ctx is done, a named pipe that has not been opened or read to its
// end is given up on, with an error wrapping ctx.Err().
func LoadConfig(ctx context.Context, path string) (Config, error) {
	f, err := userfile.Open(ctx, path, os.O_RDONLY, 0)
	if ctx.Err() != nil && err != nil {
		return DefaultConfig, fmt.Errorf("read %s: %w", quote.Clip(path), ctx.Err())
	}
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultConfig, &ConfigError{File: path, Err: ErrNoConfig}
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return DefaultConfig, &ConfigError{File: path, Err: fmt.Errorf("cannot read it: %w", err)}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return DefaultConfig, &ConfigError{File: path, Err: errors.New("is a folder; want a configuration file")}
	}
	c, err := ParseConfig(path, f)
	if ctx.Err() != nil && err != nil {
		return DefaultConfig, fmt.Errorf("read %s: %w", quote.Clip(path), ctx.Err())
	}
	return c, err
}

// LoadSchedule returns the schedule c names: the built-in one, or the
// schedule file, a relative name read from dir (the configuration file's
// folder). Its errors are those of schedfile: a *schedfile.Error for a
// file at fault, or the build's own once ctx is done.
func (c Config) LoadSchedule(ctx context.Context, dir string) (*schedule.Schedule, error) {
	if c.Schedule == "" {
		return schedfile.Default()
	}
	path := c.Schedule
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return schedfile.LoadContext(ctx, path)
}
