package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/internal/quote"
)

// ErrInput is wrapped by every error about a value a user asked with —
// a date, a window, a run name, an episode number, replay options — as
// opposed to a bad schedule (ErrInvalid). Programs answer it as a usage
// error: exit status 2 on a command line, 400 over HTTP.
var ErrInput = errors.New("bad input")

// Window selects airings by local day, run and episode: those on air at
// some moment of the days From through To (inclusive) in the schedule's
// zone, of the run called Run, of episode Episode. A zero From or To, an
// empty Run or an Episode of 0 leaves that part open.
type Window struct {
	From, To Date
	Run      string
	Episode  int

	// ByStart selects the airings that start on the days From through To
	// instead: an airing that crosses midnight then belongs only to the
	// day it starts, so the windows of consecutive days share no airing
	// and together hold the same airings as one window over them all (as
	// an XMLTV grabber's --offset and --days need).
	ByStart bool
}

// Year returns the window of the local days of year y, January 1 to
// December 31: what --year and ?year= ask for.
func Year(y int) Window {
	return Window{From: Date{Year: y, Month: time.January, Day: 1}, To: Date{Year: y, Month: time.December, Day: 31}}
}

// ParseYear reads a year as --year and ?year= take it: exactly four ASCII
// digits, 0001 to 9999, so that "+003" and "03" are refused rather than
// read as the year 3. Its error is a *YearError.
func ParseYear(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || len(s) != 4 || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, &YearError{Value: s}
	}
	return n, nil
}

// YearError reports a value that is not a four-digit year.
type YearError struct {
	Value string
}

// Error quotes the value: `year "+003": want a four-digit year such as 2003`.
func (e *YearError) Error() string {
	return fmt.Sprintf("year %s: want a four-digit year such as 2003", quote.Value(e.Value))
}

// Unwrap returns ErrInput.
func (e *YearError) Unwrap() error { return ErrInput }

// Query checks w against s and returns the Query it stands for. It fails
// with a *RangeError when w ends before it starts, a *RunError when
// w.Run names no run of s and an *EpisodeError for a negative w.Episode;
// all wrap ErrInput. An episode that never aired selects nothing.
func (s *Schedule) Query(w Window) (Query, error) {
	if !w.From.IsZero() && !w.To.IsZero() && w.To.Before(w.From) {
		return Query{}, &RangeError{From: w.From, To: w.To}
	}
	if w.Run != "" && s.Run(w.Run) == nil {
		return Query{}, &RunError{Name: w.Run, Known: s.RunNames()}
	}
	if w.Episode < 0 {
		return Query{}, &EpisodeError{Value: strconv.Itoa(w.Episode), Last: s.LastEpisode(), Err: ErrInput}
	}
	q := s.Dates(w.From, w.To)
	q.Run, q.ByStart, q.Episode = w.Run, w.ByStart, w.Episode
	return q, nil
}

// RangeError reports a window whose last day comes before its first.
type RangeError struct {
	From, To Date
}

// Error names both days.
func (e *RangeError) Error() string {
	return fmt.Sprintf("from %s is after to %s: want from on or before to", e.From, e.To)
}

// Unwrap returns ErrInput.
func (e *RangeError) Unwrap() error { return ErrInput }

// RunError reports a run name that the schedule does not have.
type RunError struct {
	Name  string
	Known []string // the names it has, in plan order
}

// Error names the run asked for and the runs there are.
func (e *RunError) Error() string {
	return fmt.Sprintf("no run is called %s: want one of %s", quote.Value(e.Name), quote.Clip(strings.Join(e.Known, ", ")))
}

// Unwrap returns ErrInput.
func (e *RunError) Unwrap() error { return ErrInput }

// ErrNoEpisode is wrapped by an EpisodeError for a number beyond the
// last episode: the question is well formed, but nothing answers it.
var ErrNoEpisode = errors.New("no such episode")

// EpisodeError reports an episode number that is not a whole number from
// 1 to Last, or that is beyond Last (then it wraps ErrNoEpisode).
type EpisodeError struct {
	Value string
	Last  int
	Err   error
}

// Error names the value and the numbers there are.
func (e *EpisodeError) Error() string {
	if errors.Is(e.Err, ErrNoEpisode) {
		return fmt.Sprintf("episode %s never aired: episodes run from 1 to %d", e.Value, e.Last)
	}
	return fmt.Sprintf("episode %s: want a whole number from 1 to %d", quote.Value(e.Value), e.Last)
}

// Unwrap returns ErrInput and the cause.
func (e *EpisodeError) Unwrap() []error { return []error{ErrInput, e.Err} }

// ParseEpisode reads an episode number written in decimal digits, from 1
// to last: "1000", but not "+1000", "1e3" or " 7". Numbers past last
// give an *EpisodeError wrapping ErrNoEpisode; anything else that is not
// such a number (one too large for an int among them), one wrapping
// strconv's error or ErrInput.
func ParseEpisode(v string, last int) (int, error) {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, &EpisodeError{Value: v, Last: last, Err: ErrInput}
		}
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		return 0, &EpisodeError{Value: v, Last: last, Err: err}
	case n < 1:
		return 0, &EpisodeError{Value: v, Last: last, Err: ErrInput}
	case n > last:
		return 0, &EpisodeError{Value: strconv.Itoa(n), Last: last, Err: ErrNoEpisode}
	}
	return n, nil
}
