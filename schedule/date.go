package schedule

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/internal/quote"
)

// Date is a calendar day with no time of day and no zone: the unit a
// viewer means by "what aired on 16 June 2003". Combine it with a
// location to get an instant.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses a date written as YYYY-MM-DD. It rejects dates that do
// not exist, such as 2003-02-30, with an *InputError for the field "date"
// that keeps time's reason: "day out of range" for 2003-02-30, a wrong
// form for 16/06/2003.
func ParseDate(s string) (Date, error) {
	return parseDate("date", s)
}

// parseDate is ParseDate for the value of field.
func parseDate(field, s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err == nil {
		return DateOf(t), nil
	}
	why := "not a date"
	var pe *time.ParseError
	if errors.As(err, &pe) && pe.Message != "" {
		why = strings.TrimPrefix(pe.Message, ": ")
	}
	if s == "" {
		why = "empty"
	}
	return Date{}, &InputError{Field: field, Value: s, Err: fmt.Errorf("%s (want YYYY-MM-DD)", quote.Clip(why))}
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// In returns the instant the day starts (00:00) in loc. If midnight does
// not exist that day because of a daylight-saving jump, Go's time.Date
// normalises it to the first instant that does.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the date n days after d (before it, for negative n).
func (d Date) AddDays(n int) Date {
	// Noon UTC keeps the arithmetic clear of any zone's transitions.
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// IsZero reports whether d is the zero Date, which stands for "not set".
func (d Date) IsZero() bool { return d == Date{} }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare returns -1, 0 or +1 as d is before, the same as, or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp.Compare(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp.Compare(d.Month, e.Month)
	default:
		return cmp.Compare(d.Day, e.Day)
	}
}

// Days returns the number of days from d to e: 0 for the same day,
// negative when e is before d.
func (d Date) Days(e Date) int {
	a := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	b := time.Date(e.Year, e.Month, e.Day, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Round(time.Hour) / (24 * time.Hour))
}

// String formats d as YYYY-MM-DD; the zero Date formats as "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler using ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
