package feeds

import (
	"bufio"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Events are written by hand rather than built as golang-ical components:
// built and serialized with it, an event costs about nine times the time
// and thirty times the allocations (BenchmarkICalGolangICal against
// BenchmarkICalFullHistory), and a calendar app refreshes the full
// history's thousands of events.

// icalLineMax is the longest a content line may be, in octets, without
// its CRLF (RFC 5545 section 3.1).
const icalLineMax = 75

// icalWriter writes content lines: it folds each at 75 octets, never
// inside a UTF-8 sequence, and ends it with CRLF. Callers build a line's
// unfolded text in line and call end.
type icalWriter struct {
	w    *bufio.Writer
	line []byte
	err  error // the last write's error; bufio.Writer errors are sticky
}

// end writes the line built so far, folded, and starts a new one.
func (w *icalWriter) end() {
	b := w.line
	for first := true; ; first = false {
		max := icalLineMax
		if !first {
			w.w.WriteByte(' ')
			max-- // the fold's space counts
		}
		n := icalFoldAt(b, max)
		w.w.Write(b[:n])
		_, w.err = w.w.WriteString("\r\n")
		b = b[n:]
		if len(b) == 0 {
			break
		}
	}
	w.line = w.line[:0]
}

// writeLine writes s, a whole content line, folded.
func (w *icalWriter) writeLine(s string) {
	w.line = append(w.line[:0], s...)
	w.end()
}

// icalFoldAt returns how many bytes of b fit on a line of at most max
// octets without splitting a UTF-8 sequence.
func icalFoldAt(b []byte, max int) int {
	if len(b) <= max {
		return len(b)
	}
	n := max
	for n > max-utf8.UTFMax && !utf8.RuneStart(b[n]) {
		n--
	}
	if !utf8.RuneStart(b[n]) { // not UTF-8; cannot happen with cleaned text
		n = max
	}
	// Nor between a backslash and the character it escapes: unfolding
	// would rejoin them, but a careless reader might not.
	slashes := 0
	for slashes < n && b[n-1-slashes] == '\\' {
		slashes++
	}
	if slashes%2 == 1 {
		n--
	}
	return n
}

// icalDropped reports whether iCalendar text cleaning drops r: what
// notText refuses, but for tab and the line breaks, which TEXT can hold.
func icalDropped(r rune) bool {
	return r != '\t' && r != '\n' && r != '\r' && notText(r)
}

// icalClean returns s fit for an iCalendar TEXT value before escaping:
// CRLF and a lone CR become LF, other control characters (tab aside) are
// dropped and bytes that are not UTF-8 become U+FFFD. golang-ical escapes
// neither CR nor other controls (a CR would end the line early), so text
// handed to it must be cleaned first.
func icalClean(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			b.WriteByte('\n')
		case icalDropped(r):
		default:
			b.WriteRune(r) // writes U+FFFD for a byte that is not UTF-8
		}
	}
	return b.String()
}

// appendICalText appends s cleaned as icalClean does and escaped as an
// RFC 5545 TEXT value: backslash, semicolon and comma get a backslash,
// and a line break becomes \n.
func appendICalText(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '\\' || c == ';' || c == ',':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				if i < len(s) && s[i] == '\n' {
					i++
				}
				b = append(b, '\\', 'n')
			case c >= 0x20 && c != 0x7f || c == '\t':
				b = append(b, c)
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if !icalDropped(r) {
			b = utf8.AppendRune(b, r) // U+FFFD for a byte that is not UTF-8
		}
	}
	return b
}

// appendICalParam appends v as a parameter value: cleaned of control
// characters and double quotes (which a parameter value cannot hold) and
// quoted when it contains a colon, semicolon or comma.
func appendICalParam(b []byte, v string) []byte {
	quote := strings.ContainsAny(v, ":;,")
	if quote {
		b = append(b, '"')
	}
	for _, r := range v {
		if r != '"' && !notText(r) {
			b = utf8.AppendRune(b, r)
		}
	}
	if quote {
		b = append(b, '"')
	}
	return b
}

// appendICalID appends s with every byte outside A-Z, a-z, 0-9 and
// "-._~" percent-encoded, so that distinct run names and channel ids
// stay distinct inside a UID and need no TEXT escaping.
func appendICalID(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return b
}

// icalFields is a wall-clock reading: a local date and time of day.
type icalFields struct {
	year                int
	month               time.Month
	day, hour, min, sec int
}

func icalFieldsOf(t time.Time) icalFields {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return icalFields{y, mo, d, h, mi, s}
}

// appendICalDateTime appends f as a local DATE-TIME: 20000501T183000.
func appendICalDateTime(b []byte, f icalFields) []byte {
	b = appendICalDate(b, f)
	b = append(b, 'T')
	b = appendICalDigits(b, f.hour, 2)
	b = appendICalDigits(b, f.min, 2)
	return appendICalDigits(b, f.sec, 2)
}

// appendICalDate appends f's day as a DATE: 20000501.
func appendICalDate(b []byte, f icalFields) []byte {
	b = appendICalDigits(b, f.year, 4)
	b = appendICalDigits(b, int(f.month), 2)
	return appendICalDigits(b, f.day, 2)
}

// appendICalUTC appends t as a UTC DATE-TIME: 20000501T163000Z.
func appendICalUTC(b []byte, t time.Time) []byte {
	return append(appendICalDateTime(b, icalFieldsOf(t.UTC())), 'Z')
}

// appendICalDigits appends n zero-padded to width digits. Years outside
// 0-9999 cannot be written in iCalendar; they are clamped.
func appendICalDigits(b []byte, n, width int) []byte {
	return appendDigits(b, min(max(n, 0), 9999), width)
}

// appendICalDuration appends d as an RFC 5545 DURATION, rounded up to
// whole seconds: P1D, PT1H30M.
func appendICalDuration(b []byte, d time.Duration) []byte {
	secs := int64((d + time.Second - 1) / time.Second)
	b = append(b, 'P')
	if days := secs / 86400; days > 0 {
		b = strconv.AppendInt(b, days, 10)
		b = append(b, 'D')
		secs %= 86400
	}
	if secs == 0 {
		if b[len(b)-1] == 'P' {
			b = append(b, "T0S"...)
		}
		return b
	}
	b = append(b, 'T')
	for _, u := range []struct {
		n    int64
		unit byte
	}{{secs / 3600, 'H'}, {secs / 60 % 60, 'M'}, {secs % 60, 'S'}} {
		if u.n > 0 {
			b = strconv.AppendInt(b, u.n, 10)
			b = append(b, u.unit)
		}
	}
	return b
}

// appendICalHuman appends t as people read it, in t's own zone, escaped
// as TEXT: "Monday 1 May 2000\, 18:30 SAST".
func appendICalHuman(b []byte, t time.Time) []byte {
	b = t.AppendFormat(b, "Monday 2 January 2006")
	b = append(b, `\, `...)
	b = t.AppendFormat(b, "15:04 ")
	if name, _ := t.Zone(); name != "" {
		return appendICalText(b, name)
	}
	return t.AppendFormat(b, "-07:00")
}
