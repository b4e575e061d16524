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

// InputError reports a value a user gave that cannot be used: Field says
// what the value was for, named as the user names it ("from", "year",
// "run", "episode", "replay-start"), and Err why it cannot be used. Its
// message is "FIELD VALUE: why", so that a program names the field its
// own way by adding only a prefix: a command line "--", an HTTP answer
// nothing. It wraps ErrInput and Err.
type InputError struct {
	Field string
	Value string
	Err   error
}

// Error returns `FIELD "VALUE": why`, the value quoted as quote.Value
// quotes it (it is the user's, and may hold anything), or "FIELD: why"
// for an empty value.
func (e *InputError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Field, quote.Value(e.Value), e.Err)
}

// Unwrap returns ErrInput and the cause.
func (e *InputError) Unwrap() []error { return []error{ErrInput, e.Err} }

// Year returns the window of the local days of year y, January 1 to
// December 31: what --year and ?year= ask for.
func Year(y int) Window {
	return Window{From: Date{Year: y, Month: time.January, Day: 1}, To: Date{Year: y, Month: time.December, Day: 31}}
}

// ParseYear reads a year as --year and ?year= take it: exactly four ASCII
// digits, 0001 to 9999, so that "+003" and "03" are refused rather than
// read as the year 3. Its error is an *InputError for the field "year".
func ParseYear(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || len(s) != 4 || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, &InputError{Field: "year", Value: s, Err: errors.New("want a four-digit year such as 2003")}
	}
	return n, nil
}

// ParseWindow reads a window as a user asks for one, by the fields from
// and to (YYYY-MM-DD), year (YYYY, the days of that year; it goes with
// neither from nor to) and run (a run's name), and checks it against s.
// value returns a field's value and whether it was given at all: a field
// given empty is refused. Its errors are *InputErrors naming the field at
// fault, so a command line and a server answer alike.
func (s *Schedule) ParseWindow(value func(field string) (string, bool)) (Window, error) {
	var w Window
	given := func(field string) (string, bool, error) {
		v, ok := value(field)
		if ok && v == "" {
			return "", false, &InputError{Field: field, Err: errors.New("empty: want a value")}
		}
		return v, ok, nil
	}
	y, isYear, err := given("year")
	if err != nil {
		return w, err
	}
	for _, f := range []string{"from", "to"} {
		v, ok, err := given(f)
		if err != nil {
			return w, err
		}
		if ok && isYear {
			return w, &InputError{Field: "year", Value: y, Err: fmt.Errorf("goes with neither from nor to: want year, or from and to")}
		}
		if !ok {
			continue
		}
		d, err := parseDate(f, v)
		if err != nil {
			return w, err
		}
		if f == "from" {
			w.From = d
		} else {
			w.To = d
		}
	}
	if isYear {
		n, err := ParseYear(y)
		if err != nil {
			return w, err
		}
		w = Year(n)
	}
	run, ok := value("run")
	if ok && run == "" {
		return w, &InputError{Field: "run", Err: fmt.Errorf("empty: want one of %s", quote.Clip(strings.Join(s.RunNames(), ", ")))}
	}
	w.Run = run
	_, err = s.Query(w)
	return w, err
}

// Query checks w against s and returns the Query it stands for. It fails
// with an *InputError for "to" when w ends before it starts, for "run"
// when w.Run names no run of s, and for "episode" when w.Episode is
// negative. An episode that never aired selects nothing.
func (s *Schedule) Query(w Window) (Query, error) {
	if !w.From.IsZero() && !w.To.IsZero() && w.To.Before(w.From) {
		return Query{}, &InputError{Field: "to", Value: w.To.String(), Err: fmt.Errorf("before from %s: want to on or after from", w.From)}
	}
	if w.Run != "" && s.Run(w.Run) == nil {
		return Query{}, &InputError{Field: "run", Value: w.Run, Err: fmt.Errorf("no run has this name: want one of %s", quote.Clip(strings.Join(s.RunNames(), ", ")))}
	}
	if w.Episode < 0 {
		return Query{}, &InputError{Field: "episode", Value: strconv.Itoa(w.Episode), Err: fmt.Errorf("want a whole number from 1 to %d", s.LastEpisode())}
	}
	q := s.Dates(w.From, w.To)
	q.Run, q.ByStart, q.Episode = w.Run, w.ByStart, w.Episode
	return q, nil
}

// ErrNoEpisode is wrapped by the error of an episode number beyond the
// last episode: the question is well formed, but nothing answers it.
var ErrNoEpisode = errors.New("never aired")

// ParseEpisode reads an episode number written in decimal digits, from 1
// to last: "1000", but not "+1000", "1e3" or " 7". Its errors are
// *InputErrors for the field "episode"; for a number past last, one
// wrapping ErrNoEpisode.
func ParseEpisode(v string, last int) (int, error) {
	bad := &InputError{Field: "episode", Value: v, Err: fmt.Errorf("want a whole number from 1 to %d", last)}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, bad
		}
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 1:
		return 0, bad
	case n > last:
		return 0, &InputError{Field: "episode", Value: strconv.Itoa(n), Err: fmt.Errorf("%w: episodes run from 1 to %d", ErrNoEpisode, last)}
	}
	return n, nil
}
