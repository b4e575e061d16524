package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

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

// notText reports whether r is left out of the text of every feed:
// control characters, which neither format can carry as they are (XML
// 1.0 forbids most, and a CR ends an iCalendar line), and the
// noncharacters U+FFFE and U+FFFF, which are not meant as text. Each
// format decides apart what becomes of tabs and line breaks.
func notText(r rune) bool {
	return unicode.IsControl(r) || r == 0xfffe || r == 0xffff
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

// Format is a kind of feed.
type Format uint8

// The formats Write knows.
const (
	ICal  Format = iota + 1 // RFC 5545 iCalendar, for calendar apps
	XMLTV                   // an XMLTV guide, for media centres
)

// ParseFormat reads a format's name as String writes it: "ics" or
// "xmltv".
func ParseFormat(name string) (Format, error) {
	switch name {
	case "ics":
		return ICal, nil
	case "xmltv":
		return XMLTV, nil
	}
	return 0, fmt.Errorf("format %q: want ics or xmltv", name)
}

// String returns "ics" or "xmltv".
func (f Format) String() string {
	switch f {
	case ICal:
		return "ics"
	case XMLTV:
		return "xmltv"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// Options describes one feed: its format, the airings it holds and how
// it writes them. It is comparable, so it can key a cache of rendered
// feeds. The zero value of every field but Format is the default.
type Options struct {
	Format Format
	Window schedule.Window // which airings: all, by default

	Compact bool // ICal: one recurring event per run (see ICalEncoder.Compact)
	AllDay  bool // ICal: all-day events (see ICalEncoder.AllDay)
	MarkNew bool // XMLTV: <new/> on first airings (see XMLTVEncoder.MarkNew)

	// MarkEmptyDays (XMLTV) marks the days of the window on which a
	// channel has no airing (see XMLTVEncoder.MarkEmptyDays). It needs a
	// window with both ends.
	MarkEmptyDays bool

	// SeasonByYear is for XMLTV: invented seasons, the year each episode
	// first aired (see XMLTVEncoder.SeasonByYear).
	SeasonByYear bool

	// Generator names the program in an XMLTV guide's
	// generator-info-name; empty means XMLTVGenerator.
	Generator string

	// BaseURL is the absolute URL the site is published at, such as
	// "https://tv.example.org/backstage" (see CheckBaseURL), or "" when
	// it is not known. Relative picture URLs of the schedule are resolved
	// against it (see ResolveURL); without it, feeds leave them out.
	BaseURL string

	// Path is the feed's own address relative to BaseURL, written as a
	// calendar's SOURCE: the path a site publishes it at, which only the
	// site knows (its run calendars' names, its years). Empty means
	// FeedPath's query-string form, which the server answers for any feed.
	Path string

	// Name is a calendar's name (ICal's NAME and X-WR-CALNAME), the
	// words a calendar app lists it by; empty means CalendarName's.
	Name string
}

// CalendarName returns the name of the calendar o describes, for a
// schedule called schedName: o.Name when set, and otherwise schedName
// followed by what the options pick out of it, so that two
// subscriptions of one schedule read differently in a calendar app:
// "Backstage on e.tv" for everything, "Backstage on e.tv (2003)",
// "Backstage on e.tv (original)", "Backstage on e.tv (episode 816)",
// "Backstage on e.tv (compact)", "Backstage on e.tv (all-day)", and
// these together ("Backstage on e.tv (original, 2003, all-day)").
func (o Options) CalendarName(schedName string) string {
	if o.Name != "" {
		return o.Name
	}
	var parts []string
	w := o.Window
	if w.Episode > 0 {
		parts = append(parts, "episode "+strconv.Itoa(w.Episode))
	}
	if w.Run != "" {
		parts = append(parts, w.Run)
	}
	switch from, to := w.From, w.To; {
	case from.IsZero() && to.IsZero():
	case from.Year == to.Year && from.Month == time.January && from.Day == 1 && to.Month == time.December && to.Day == 31:
		parts = append(parts, strconv.Itoa(from.Year))
	case to.IsZero():
		parts = append(parts, "from "+from.String())
	case from.IsZero():
		parts = append(parts, "to "+to.String())
	case from == to:
		parts = append(parts, from.String())
	default:
		parts = append(parts, from.String()+" to "+to.String())
	}
	if o.Compact {
		parts = append(parts, "compact")
	}
	if o.AllDay {
		parts = append(parts, "all-day")
	}
	if len(parts) == 0 {
		return schedName
	}
	return schedName + " (" + strings.Join(parts, ", ") + ")"
}

// Check reports options that do not go together: an unknown format, a
// setting of one format asked of the other, or a BaseURL that
// CheckBaseURL refuses. Its errors name the setting as a command-line
// flag would ("--compact").
func (o Options) Check() error {
	if o.BaseURL != "" {
		if err := CheckBaseURL(o.BaseURL); err != nil {
			return fmt.Errorf("--public-url: %w", err)
		}
	}
	switch o.Format {
	case ICal:
		if o.MarkNew {
			return errors.New("--mark-new is for xmltv")
		}
		if o.MarkEmptyDays {
			return errors.New("--mark-empty-days is for xmltv")
		}
		if o.SeasonByYear {
			return errors.New("--season-by-year is for xmltv")
		}
	case XMLTV:
		if o.Compact || o.AllDay {
			return errors.New("--compact and --all-day are for ics")
		}
		if o.MarkEmptyDays && (o.Window.From.IsZero() || o.Window.To.IsZero()) {
			return errors.New("--mark-empty-days needs a window with a first and a last day")
		}
	default:
		return fmt.Errorf("feeds: unknown format %v", o.Format)
	}
	return nil
}

// Write writes to w the feed of s that o describes. It checks o, and o's
// window against s (a *schedule.InputError for "to" or "run", which
// wrap schedule.ErrInput), before it writes a byte, so a caller writing
// to a temporary file can drop it on error. The encoders buffer their
// output; Write flushes it before it returns.
//
// Write stops soon after ctx is done (at the encoders' next flush, every
// few tens of kilobytes) and returns an error wrapping ctx.Err().
func Write(ctx context.Context, w io.Writer, s *schedule.Schedule, o Options) error {
	if err := o.Check(); err != nil {
		return err
	}
	if s == nil {
		return errors.New("feeds: " + o.Format.String() + ": no schedule")
	}
	q, err := s.Query(o.Window)
	if err != nil {
		return err
	}
	var e interface {
		Encode(*schedule.Schedule, schedule.Query) error
		Close() error
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if ctx.Done() != nil {
		w = ctxWriter{ctx, w}
	}
	switch o.Format {
	case ICal:
		ie := NewICalEncoder(w)
		ie.Compact, ie.AllDay = o.Compact, o.AllDay
		ie.BaseURL, ie.FeedURL = o.BaseURL, o.FeedURL()
		ie.Name = o.CalendarName(s.Name())
		e = ie
	case XMLTV:
		xe := NewXMLTVEncoder(w)
		xe.MarkNew, xe.Generator, xe.BaseURL = o.MarkNew, o.Generator, o.BaseURL
		xe.SeasonByYear, xe.MarkEmptyDays = o.SeasonByYear, o.MarkEmptyDays
		e = xe
	}
	if err := e.Encode(s, q); err != nil {
		return err
	}
	return e.Close()
}

// FeedPath returns the address, relative to the site's, at which the
// server answers the feed o describes: its Path when it has one, and
// otherwise the query-string form, its parameters in the order url.Values
// encodes them: "calendar.ics" for the whole history,
// "calendar.ics?from=2003-02-01&to=2003-02-28",
// "calendar.ics?compact=1&run=original", "xmltv.xml?mark_new=1". A feed
// of one episode has no query-string form (the site publishes it at a
// path of its own): without a Path, its FeedPath is "".
func (o Options) FeedPath() string {
	if o.Path != "" {
		return o.Path
	}
	if o.Window.Episode > 0 {
		return ""
	}
	switch o.Format {
	case ICal:
		return "calendar.ics" + feedQuery(o.Window, map[string]bool{"compact": o.Compact, "all_day": o.AllDay})
	case XMLTV:
		return "xmltv.xml" + feedQuery(o.Window, map[string]bool{"mark_new": o.MarkNew, "season_by_year": o.SeasonByYear})
	}
	return ""
}

// FeedURL returns FeedPath resolved against BaseURL: the feed's own
// absolute address, or "" when BaseURL or FeedPath is "".
func (o Options) FeedURL() string {
	if o.BaseURL == "" || o.FeedPath() == "" {
		return ""
	}
	return ResolveURL(o.BaseURL, o.FeedPath())
}

// feedQuery returns "?" and the window's from, to and run and the flags
// that are set, as url.Values encodes them, or "" when there are none.
func feedQuery(w schedule.Window, flags map[string]bool) string {
	v := url.Values{}
	if !w.From.IsZero() {
		v.Set("from", w.From.String())
	}
	if !w.To.IsZero() {
		v.Set("to", w.To.String())
	}
	if w.Run != "" {
		v.Set("run", w.Run)
	}
	for k, on := range flags {
		if on {
			v.Set(k, "1")
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// ctxWriter fails every write once its context is done, which stops an
// encoder at its next flush: their first write error is sticky.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
