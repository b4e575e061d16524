// Package quote writes values that users gave into error messages: quoted
// as %q quotes them, but cut short, so that a 30 KB argument or a
// megabyte-long line of a schedule file gives a message of one readable
// line rather than an echo of the input. The CLI, schedule files and the
// schedule package's errors (which the server answers with) all quote
// through it.
package quote

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Max is the most characters of a value that Value and Clip keep.
const Max = 100

// Value returns s quoted with Go syntax, as %q and strconv.Quote do. A
// value of more than Max characters is cut to its first Max, and "…"
// after the closing quote says that it went on: "aaa"…
func Value(s string) string {
	if p, cut := prefix(s, Max); cut {
		return strconv.Quote(p) + ellipsis
	}
	return strconv.Quote(s)
}

// Clip returns s unquoted, for a value a message or a table names in its
// own words (a file name, a path, a run's name), or, when it has more
// than Max characters, its first Max followed by "…". A value that holds
// a control character, a byte that is not UTF-8 or a mark that reorders
// text (U+202E and the other bidirectional controls), which would break
// the line, act on a terminal or disguise what follows, is quoted as
// Value quotes it instead.
func Clip(s string) string {
	if strings.ContainsFunc(s, unsafe) {
		return Value(s)
	}
	return Cut(s, Max)
}

// Line returns s as it is, for text a table or a sentence shows whole
// (a run's name, a note from a schedule file), or quoted as
// strconv.Quote quotes it when it holds what Clip quotes: a control
// character, a byte that is not UTF-8 or a bidirectional control. Unlike
// Clip and Value it never cuts s short.
func Line(s string) string {
	if strings.ContainsFunc(s, unsafe) {
		return strconv.Quote(s)
	}
	return s
}

// unsafe reports whether r may not reach a terminal as it is.
func unsafe(r rune) bool {
	switch {
	case unicode.IsControl(r), r == utf8.RuneError:
		return true
	case r == '\u061c', r == '\u200e', r == '\u200f', r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true // bidirectional controls
	}
	return false
}

// Cut returns s, or, when it has more than n characters, its first n
// followed by "…". A byte that is not valid UTF-8 counts as a character.
func Cut(s string, n int) string {
	if p, cut := prefix(s, n); cut {
		return p + ellipsis
	}
	return s
}

const ellipsis = "…"

// prefix returns the first n characters of s, and whether s has more.
func prefix(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false // n bytes are at most n characters
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k], true
		}
		i++
	}
	return s, false
}
