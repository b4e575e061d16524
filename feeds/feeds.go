package feeds

import (
	"errors"
	"fmt"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// checkQuery reports what both encoders refuse before they write a byte:
// a nil schedule, a window that ends before it starts and a q.Run that
// names no run of s. Its errors start "feeds: " and format ("ical",
// "xmltv").
func checkQuery(format string, s *schedule.Schedule, q schedule.Query) error {
	if s == nil {
		return errors.New("feeds: " + format + ": no schedule")
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return fmt.Errorf("feeds: %s: window ends (%s) before it starts (%s)",
			format, q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	if q.Run != "" && s.Run(q.Run) == nil {
		return fmt.Errorf("feeds: %s: no run is called %q", format, q.Run)
	}
	return nil
}

// appendDigits appends n (0 <= n < 10^width, width at most 4) in exactly
// width digits, with leading zeros: the fields of iCalendar and XMLTV
// dates and times.
func appendDigits(b []byte, n, width int) []byte {
	var d [4]byte
	for i := width - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:width]...)
}
