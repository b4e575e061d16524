package feeds

import (
	"bufio"
	"fmt"
	"io"
	"iter"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/backstage-epg/backstage/schedule"
)

// ICalRefreshInterval is how often an ICalEncoder asks subscribers to
// reload the calendar when its RefreshInterval is zero.
const ICalRefreshInterval = 24 * time.Hour

// ICalProductID is the PRODID of every calendar an ICalEncoder writes.
const ICalProductID = "-//backstage-epg//backstage//EN"

// ICalColor is the colour every calendar suggests for itself: a CSS3
// colour name as RFC 7986's COLOR wants (the red of the artwork's stage
// curtains), also written as X-APPLE-CALENDAR-COLOR, the #RRGGBB form
// Apple's apps and some Android sync apps read instead.
const ICalColor = "firebrick"

// icalAppleColor is ICalColor as #RRGGBB.
const icalAppleColor = "#B22222"

// icalSynopsisMax is how many bytes of a show's synopsis, in whole
// sentences, each airing repeats in its DESCRIPTION (see icalExcerpt);
// the calendar's own description carries the whole text. With the whole
// synopsis in every airing, one run of the default schedule would
// outgrow what Google Calendar takes from a subscribed feed (it is
// reported to drop events past about 1 MB).
const icalSynopsisMax = 120

// ICalEncoder writes schedule slots as an RFC 5545 iCalendar stream: a
// VCALENDAR with one VEVENT per airing (or per run, with Compact), to
// subscribe to in Google Calendar, Apple Calendar, Outlook, Thunderbird
// or khal.
//
// Each airing's event carries a UID built from its start, run and
// channel, so it stays the same when the calendar is generated again and
// differs between airings; a DTSTAMP taken from the schedule's Revised
// time (the Unix epoch when that is zero), so the same schedule always
// gives the same bytes; DTSTART and DTEND as local times in the run's
// zone; a SUMMARY such as "Backstage — Episode 123", with "(repeat)" for
// an episode shown before; a DESCRIPTION that says when a repeat first
// aired (or, for a slot re-dated by a replay timeline, when it
// originally aired), the episode's number when the SUMMARY has its title
// instead, and the opening sentences of the show's synopsis (the
// calendar's own description has all of it, once); the channel as
// LOCATION; the show's genres as CATEGORIES; and TRANSP:TRANSPARENT, so
// that watching television does not show as busy time.
//
// # Time zones
//
// Times are written as local times with the run's IANA zone as TZID, and
// the calendar holds a VTIMEZONE for each zone, generated from Go's zone
// data for the span the calendar covers. A run in time.UTC is written in
// UTC, and so is a start or end at a local time that happens twice when
// the clocks go back: RFC 5545 reads such a time as the first of the
// two, ical.js and python3-icalendar as the second. All-day events are
// dates and need no zone.
//
// # Calendar metadata
//
// Besides NAME, DESCRIPTION and REFRESH-INTERVAL and their X-WR- and
// X-PUBLISHED- forms, the calendar carries RFC 7986's COLOR (ICalColor,
// with X-APPLE-CALENDAR-COLOR beside it), and when BaseURL is set its URL
// (the site's web page) and an IMAGE for each show with a picture, and
// SOURCE when FeedURL is set. IMAGE, URL and SOURCE are written with
// VALUE=URI, as RFC 7986 wants for a URI, so they are not escaped as
// text. Apps that know none of these ignore them.
//
// # METHOD
//
// The calendar says METHOD:PUBLISH, and its events name no ORGANIZER.
// RFC 5546 (iTIP) wants an ORGANIZER in every event of a PUBLISH, so
// libical with its iTIP restrictions turned on refuses the feed. But a
// subscribed feed is not an iTIP message, and the apps that subscribe
// read it as a plain calendar: Google Calendar's own public feeds carry
// METHOD:PUBLISH with no ORGANIZER, and Outlook has been reported to
// import a file without METHOD:PUBLISH badly or not at all. So METHOD
// stays, and no organizer is invented: it would be a mail address that
// nobody answers, shown beside every airing.
//
// The calendar's properties and VTIMEZONEs are built with
// github.com/arran4/golang-ical; the events are written by the encoder's
// own line writer, which escapes TEXT values and folds lines at 75 octets
// without splitting a UTF-8 character.
type ICalEncoder struct {
	// Compact writes one recurring event per run (an RRULE derived from
	// its airings, with an EXDATE for each instance that did not air)
	// instead of one per airing. It expands to the same airings, but its
	// event carries no episode titles or numbers. An airing the rule
	// cannot give (nor any rule, for a run whose airings resist one, or
	// with AllDay have two on one day) is written as an event of its own.
	Compact bool

	// AllDay writes all-day events (VALUE=DATE) on each airing's local
	// date, for viewers far from the channel's zone, with the local start
	// time in the SUMMARY.
	AllDay bool

	// Name is the calendar's name (NAME and X-WR-CALNAME); empty means
	// the schedule's name, followed by the run's when the query picks one.
	Name string

	// RefreshInterval is how often subscribers should reload the
	// calendar (REFRESH-INTERVAL and X-PUBLISHED-TTL); zero or less means
	// ICalRefreshInterval.
	RefreshInterval time.Duration

	// BaseURL is the absolute URL the site is published at, or "" when it
	// is not known. With it, the calendar's URL (RFC 7986) points at the
	// site's web page, and a relative show image becomes an absolute one
	// (see ResolveURL) for the calendar's IMAGE.
	BaseURL string

	// FeedURL is the calendar's own absolute address, written as its
	// SOURCE (RFC 7986), where subscribers can reload it; "" leaves SOURCE
	// out. Write sets it from Options.FeedURL.
	FeedURL string

	w   icalWriter
	err error // the first write error, wrapped; sticky
}

// NewICalEncoder returns an encoder that writes to w. It buffers its
// output; Encode flushes at the end of each calendar, and Close reports
// any write error.
func NewICalEncoder(w io.Writer) *ICalEncoder {
	return &ICalEncoder{w: icalWriter{w: bufio.NewWriterSize(w, 32<<10), line: make([]byte, 0, 512)}}
}

// Refresh returns the refresh interval the encoder announces:
// RefreshInterval, or ICalRefreshInterval when that is zero or less.
func (e *ICalEncoder) Refresh() time.Duration {
	if e.RefreshInterval <= 0 {
		return ICalRefreshInterval
	}
	return e.RefreshInterval
}

// Encode writes one complete VCALENDAR holding the slots q selects: every
// slot on air at some moment in [q.From, q.To) (starting in it, with
// q.ByStart), of run q.Run when set.
// With Compact, each run's recurring event starts at its first airing in
// the window and its rule runs to the end of its last airing's local day.
// A window with no slots gives a valid calendar with no events. Calling
// Encode again writes a further calendar (RFC 5545 allows several in one
// stream).
//
// Encode fails before writing anything on a nil schedule, a window that
// ends before it starts and an unknown q.Run. It streams the events
// through a buffer without holding them (Compact keeps each airing's
// start, eight bytes, and reads the slots again for the events it writes
// apart) and stops at the first write error, which it returns.
func (e *ICalEncoder) Encode(s *schedule.Schedule, q schedule.Query) error {
	if e.err != nil {
		return e.err
	}
	if err := checkQuery("ical", s, q); err != nil {
		return err
	}
	name := e.Name
	if name == "" {
		name = s.Name()
		if q.Run != "" {
			name += " (" + q.Run + ")"
		}
	}
	src := icalSource{
		name: name, source: s.Source(), loc: s.Location(),
		revised: s.Revised(), shows: s.Shows(),
	}
	src.replay, src.isReplay = s.ReplayOptions()
	return e.encode(src, s.Slots(q))
}

// Close writes anything still buffered and returns the first error met
// while writing. It does not close the underlying writer.
func (e *ICalEncoder) Close() error {
	if e.err == nil {
		if err := e.w.w.Flush(); err != nil {
			return e.fail(err)
		}
	}
	return e.err
}

// fail records err, the first write error, and returns it wrapped.
func (e *ICalEncoder) fail(err error) error {
	if e.err == nil {
		e.err = fmt.Errorf("feeds: ical: write: %w", err)
	}
	return e.err
}

// icalSource is what a calendar says about the schedule as a whole.
type icalSource struct {
	name, source string
	loc          *time.Location
	revised      time.Time
	shows        []*schedule.Show

	replay   schedule.ReplayOptions // the replay the schedule is a window of,
	isReplay bool                   // when it is one
}

// icalCalendar is the state of one Encode call.
type icalCalendar struct {
	runs    map[*schedule.Run]*icalRun
	order   []*icalRun // in order of first airing
	zones   map[string]*icalZone
	dtstamp string // the whole DTSTAMP line

	count       int
	first, last time.Time // first and last start
}

// icalRun is what every event of one run shares, worked out once.
type icalRun struct {
	run      *schedule.Run
	zone     *icalZone // nil for UTC
	uid      []byte    // "-original" (percent-encoded run name)
	host     []byte    // "@etv.co.za" (percent-encoded channel id)
	summary  []byte    // "Backstage — ", escaped
	location string    // the whole LOCATION line
	genres   string    // the whole CATEGORIES line; "" for none
	synopsis []byte    // the synopsis's opening sentences, escaped

	// With Compact: the run's airings in the window, kept as their
	// starts alone (Unix seconds, as the schedule keeps them) so that a
	// schedule of a million airings needs 8 MB rather than a hundred.
	starts      []int64
	first, last schedule.Slot
}

func (c *icalCalendar) run(r *schedule.Run) *icalRun {
	if ir := c.runs[r]; ir != nil {
		return ir
	}
	ir := &icalRun{
		run:  r,
		uid:  appendICalID([]byte("-"), r.Name),
		host: appendICalID([]byte("@"), r.Channel.ID),
	}
	if r.Location != time.UTC {
		tzid := icalTZID(r.Location)
		if ir.zone = c.zones[tzid]; ir.zone == nil {
			ir.zone = newICalZone(r.Location)
			c.zones[tzid] = ir.zone
		}
	}
	if t := r.Show.Title; t != "" {
		ir.summary = append(appendICalText(nil, t), " — "...)
	}
	channel := r.Channel.Name
	if channel == "" {
		channel = r.Channel.ID
	}
	ir.location = string(appendICalText([]byte("LOCATION:"), channel))
	if genres := slices.DeleteFunc(slices.Clone(r.Show.Genres), func(g string) bool {
		return strings.TrimSpace(icalClean(g)) == ""
	}); len(genres) > 0 {
		b := []byte("CATEGORIES:")
		for i, g := range genres {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendICalText(b, g)
		}
		ir.genres = string(b)
	}
	ir.synopsis = appendICalText(nil, icalExcerpt(icalClean(r.Show.Synopsis), icalSynopsisMax))
	c.runs[r] = ir
	c.order = append(c.order, ir)
	return ir
}

// icalExcerpt returns s if it is at most max bytes long, and otherwise
// the most of its leading whole sentences that fit in max bytes; "" when
// even the first sentence is longer. An event's description then ends
// where a sentence does, never in the middle of one.
func icalExcerpt(s string, max int) string {
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	end := 0
	for i := 0; i < len(s) && i < max; i++ {
		switch s[i] {
		case '.', '!', '?':
		default:
			continue
		}
		j := i + 1
		for _, closer := range []string{`"`, "'", ")", "”", "’"} {
			if strings.HasPrefix(s[j:], closer) {
				j += len(closer) // a closing quote or bracket belongs to the sentence
				break
			}
		}
		// A sentence ends before a space: not "e.tv", not "3.5".
		if j <= max && (j == len(s) || s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
			end = j
		}
	}
	return s[:end]
}

// encode writes one calendar for the slots of src. It reads slots twice:
// once for the zones, the span and the count the header needs, once to
// write the events.
func (e *ICalEncoder) encode(src icalSource, slots iter.Seq[schedule.Slot]) error {
	c := &icalCalendar{runs: map[*schedule.Run]*icalRun{}, zones: map[string]*icalZone{}}
	var last *schedule.Run
	var r *icalRun
	for sl := range slots {
		if sl.Run != last {
			last, r = sl.Run, c.run(sl.Run)
		}
		if r.zone != nil {
			r.zone.cover(sl.Start, sl.End)
		}
		if c.count == 0 || sl.Start.Before(c.first) {
			c.first = sl.Start
		}
		if c.count == 0 || sl.Start.After(c.last) {
			c.last = sl.Start
		}
		c.count++
		if e.Compact {
			if len(r.starts) == 0 {
				r.first = sl
			}
			r.last = sl
			r.starts = append(r.starts, sl.Start.Unix())
		}
	}
	stamp := time.Unix(0, 0)
	if !src.revised.IsZero() {
		stamp = src.revised
	}
	c.dtstamp = string(appendICalUTC([]byte("DTSTAMP:"), stamp))
	if c.count == 0 && src.loc != nil && src.loc != time.UTC {
		// RFC 5545 wants at least one component in a calendar; an empty
		// window (a replay of the gap, say) gets its zone's VTIMEZONE,
		// which X-WR-TIMEZONE names anyway.
		z := newICalZone(src.loc)
		z.cover(stamp, stamp)
		c.zones[z.tzid] = z
	}

	if err := e.header(c, src); err != nil {
		return err
	}
	if e.Compact {
		for _, r := range c.order {
			e.series(c, r, slots)
			r.starts = nil
			if e.w.err != nil {
				return e.fail(e.w.err)
			}
		}
	} else {
		last = nil
		for sl := range slots {
			if sl.Run != last {
				last, r = sl.Run, c.run(sl.Run)
			}
			e.event(c, r, sl)
			if e.w.err != nil {
				return e.fail(e.w.err)
			}
		}
	}
	e.w.writeLine("END:VCALENDAR")
	if err := e.w.w.Flush(); err != nil {
		return e.fail(err)
	}
	return nil
}

// header writes BEGIN:VCALENDAR, the calendar's properties and its
// VTIMEZONEs. They are built as a golang-ical Calendar; its parts are
// serialized one by one rather than with Calendar.SerializeTo, which
// would write END:VCALENDAR before the events could be streamed.
func (e *ICalEncoder) header(c *icalCalendar, src icalSource) error {
	cal := ics.NewCalendarFor("backstage-epg")
	cal.SetProductId(ICalProductID)
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(icalClean(src.name))
	desc := icalClean(e.describe(c, src))
	cal.SetDescription(desc)
	cal.SetXWRCalDesc(desc)
	if src.loc != nil {
		cal.SetXWRTimezone(icalTZID(src.loc))
	}
	ttl := string(appendICalDuration(nil, e.Refresh()))
	cal.SetRefreshInterval(ttl) // golang-ical's property name carries ;VALUE=DURATION
	cal.SetXPublishedTTL(ttl)
	cal.SetColor(ICalColor)
	cal.CalendarProperties = append(cal.CalendarProperties, icalProperty("X-APPLE-CALENDAR-COLOR", icalAppleColor, false))
	if page := ResolveURL(e.BaseURL, "./"); page != "" {
		cal.CalendarProperties = append(cal.CalendarProperties, icalProperty("URL", page, true))
	}
	if e.FeedURL != "" {
		cal.CalendarProperties = append(cal.CalendarProperties, icalProperty("SOURCE", e.FeedURL, true))
	}
	seen := map[string]bool{}
	for _, sh := range src.shows {
		if img := ResolveURL(e.BaseURL, sh.Image); img != "" && !seen[img] {
			seen[img] = true
			p := icalProperty("IMAGE", img, true)
			if t := icalImageType(img); t != "" {
				p.ICalParameters["FMTTYPE"] = []string{t}
			}
			cal.CalendarProperties = append(cal.CalendarProperties, p)
		}
	}
	if !e.AllDay || c.count == 0 {
		tzids := make([]string, 0, len(c.zones))
		for tzid := range c.zones {
			tzids = append(tzids, tzid)
		}
		slices.Sort(tzids)
		for _, tzid := range tzids {
			cal.AddVTimezone(c.zones[tzid].vtimezone())
		}
	}

	// RFC 5545 wants CRLF; golang-ical's default is the platform's.
	cfg := &ics.SerializationConfiguration{MaxLength: icalLineMax, PropertyMaxLength: icalLineMax, NewLine: "\r\n"}
	e.w.writeLine("BEGIN:VCALENDAR")
	for _, p := range cal.CalendarProperties {
		if err := p.SerializeTo(e.w.w, cfg); err != nil {
			return e.fail(err)
		}
	}
	for _, comp := range cal.Components {
		if err := comp.SerializeTo(e.w.w, cfg); err != nil {
			return e.fail(err)
		}
	}
	if e.w.err != nil {
		return e.fail(e.w.err)
	}
	return nil
}

// icalProperty returns a calendar property. A URI value is marked
// VALUE=URI, which also keeps golang-ical from escaping it as text.
func icalProperty(name, value string, uri bool) ics.CalendarProperty {
	p := ics.CalendarProperty{BaseProperty: ics.BaseProperty{IANAToken: name, Value: value, ICalParameters: map[string][]string{}}}
	if uri {
		p.ICalParameters["VALUE"] = []string{"URI"}
	}
	return p
}

// icalImageType returns the media type an IMAGE's URL names by its
// extension, for FMTTYPE, or "" when it names none of the usual ones.
func icalImageType(u string) string {
	if p, err := url.Parse(u); err == nil {
		switch strings.ToLower(path.Ext(p.Path)) {
		case ".png":
			return "image/png"
		case ".jpg", ".jpeg":
			return "image/jpeg"
		case ".gif":
			return "image/gif"
		case ".webp":
			return "image/webp"
		}
	}
	return ""
}

// describe returns the calendar's description: how many airings from
// when to when (for a replay window, the replay, which does not change
// as the window moves on), the show's synopsis when there is one show,
// and the source.
func (e *ICalEncoder) describe(c *icalCalendar, src icalSource) string {
	var b strings.Builder
	loc := src.loc
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case src.isReplay:
		// Stable from day to day: a subscriber's app (vdirsyncer's http
		// storage, for one) may fold the calendar's own properties into
		// each event, and would see every event change daily.
		o := src.replay
		fmt.Fprintf(&b, "A replay: from %s on, each day airs what aired %d weeks before, on the same weekday, from %s on",
			o.Start.In(loc).Format("Monday 2 January 2006"), o.From.Days(o.Start)/7, o.From.In(loc).Format("Monday 2 January 2006"))
		switch {
		case o.SkipGaps && o.Loop:
			b.WriteString(", leaving out the weeks with no airing and starting again when it ends")
		case o.SkipGaps:
			b.WriteString(", leaving out the weeks with no airing")
		case o.Loop:
			b.WriteString(", starting again when it ends")
		}
		b.WriteString(". The calendar holds the days around today and moves on daily.")
	case c.count == 0:
		b.WriteString("No airings in this window.")
	case c.count == 1:
		fmt.Fprintf(&b, "1 airing, on %s.", c.first.In(loc).Format("Monday 2 January 2006"))
	default:
		fmt.Fprintf(&b, "%d airings, from %s to %s.", c.count,
			c.first.In(loc).Format("Monday 2 January 2006"), c.last.In(loc).Format("Monday 2 January 2006"))
	}
	switch {
	case e.Compact:
		b.WriteString(" One recurring event per run, without episode titles.")
	case e.AllDay:
		b.WriteString(" All-day events on each airing's local date; the title gives the local start time.")
	}
	if len(src.shows) == 1 {
		if syn := strings.TrimSpace(src.shows[0].Synopsis); syn != "" {
			b.WriteString("\n\n")
			b.WriteString(syn)
		}
	}
	if src.source != "" {
		b.WriteString("\n\nSource: ")
		b.WriteString(src.source)
	}
	return b.String()
}

// appendUID appends the UID of airing sl: its start, the run, for a
// re-dated airing the historic start (so it never takes over the historic
// airing's UID), suffix, and the channel as the host part.
func (r *icalRun) appendUID(b []byte, sl schedule.Slot, suffix string) []byte {
	b = append(appendICalUTC(b, sl.Start), r.uid...)
	if !sl.ReplayOf.IsZero() {
		b = appendICalUTC(append(b, "-replay-"...), sl.ReplayOf)
	}
	return append(append(b, suffix...), r.host...)
}

// begin opens a VEVENT for airing sl: its UID (with suffix), DTSTAMP,
// DTSTART and DTEND. It returns the start in the run's zone.
func (e *ICalEncoder) begin(c *icalCalendar, r *icalRun, sl schedule.Slot, suffix string) time.Time {
	w := &e.w
	w.writeLine("BEGIN:VEVENT")
	w.line = r.appendUID(append(w.line, "UID:"...), sl, suffix)
	w.end()
	w.writeLine(c.dtstamp)
	start := sl.Start.In(r.run.Location)
	e.times(r, start, sl.End)
	return start
}

// event writes the VEVENT of one airing.
func (e *ICalEncoder) event(c *icalCalendar, r *icalRun, sl schedule.Slot) {
	w := &e.w
	start := e.begin(c, r, sl, "")

	title := r.run.Show.EpisodeTitles[sl.Episode]
	w.line = append(append(w.line, "SUMMARY:"...), r.summary...)
	if title != "" {
		w.line = appendICalText(w.line, title)
	} else {
		// The common case, written without Title's string allocation: a
		// million-event export stays free of per-event garbage.
		w.line = strconv.AppendInt(append(w.line, "Episode "...), int64(sl.Episode), 10)
	}
	w.line = e.appendMarks(w.line, sl.IsRepeat(), start)
	w.end()

	w.line = append(w.line, "DESCRIPTION:"...)
	n := len(w.line)
	if !sl.ReplayOf.IsZero() {
		w.line = appendICalHuman(append(w.line, "Originally aired "...), sl.ReplayOf)
		w.line = append(w.line, '.')
	}
	if sl.IsRepeat() && !sl.FirstAired.Equal(sl.ReplayOf) {
		if len(w.line) > n {
			w.line = append(w.line, `\n`...)
		}
		w.line = appendICalHuman(append(w.line, "First aired "...), sl.FirstAired)
		w.line = append(w.line, '.')
	}
	if title != "" {
		// The SUMMARY has the title instead of the number.
		if len(w.line) > n {
			w.line = append(w.line, `\n`...)
		}
		w.line = strconv.AppendInt(append(w.line, "Episode "...), int64(sl.Episode), 10)
		w.line = append(w.line, '.')
	}
	if len(r.synopsis) > 0 {
		if len(w.line) > n {
			w.line = append(w.line, `\n\n`...)
		}
		w.line = append(w.line, r.synopsis...)
	}
	if len(w.line) > n {
		w.end()
	} else {
		w.line = w.line[:0]
	}
	e.trailer(r)
}

// times writes DTSTART and DTEND: local times with TZID, or, with
// AllDay, the local date of start and the day after.
func (e *ICalEncoder) times(r *icalRun, start, end time.Time) {
	w := &e.w
	if e.AllDay {
		f := icalFieldsOf(start)
		w.line = appendICalDate(append(w.line, "DTSTART;VALUE=DATE:"...), f)
		w.end()
		next := schedule.Date{Year: f.year, Month: f.month, Day: f.day}.AddDays(1)
		w.line = appendICalDate(append(w.line, "DTEND;VALUE=DATE:"...), icalFields{year: next.Year, month: next.Month, day: next.Day})
		w.end()
		return
	}
	w.line = r.zone.appendTime(append(w.line, "DTSTART"...), start)
	w.end()
	w.line = r.zone.appendTime(append(w.line, "DTEND"...), end)
	w.end()
}

// appendMarks appends what follows the title in a SUMMARY, in
// parentheses: "repeat" for an episode shown before, and the local start
// time for an all-day event.
func (e *ICalEncoder) appendMarks(b []byte, repeat bool, start time.Time) []byte {
	if !repeat && !e.AllDay {
		return b
	}
	b = append(b, " ("...)
	if repeat {
		b = append(b, "repeat"...)
		if e.AllDay {
			b = append(b, `\, `...)
		}
	}
	if e.AllDay {
		b = start.AppendFormat(b, "15:04 ")
		if name, _ := start.Zone(); name != "" {
			b = appendICalText(b, name)
		} else {
			b = start.AppendFormat(b, "-07:00")
		}
	}
	return append(b, ')')
}

// trailer writes the lines every event of r ends with.
func (e *ICalEncoder) trailer(r *icalRun) {
	e.w.writeLine(r.location)
	if r.genres != "" {
		e.w.writeLine(r.genres)
	}
	e.w.writeLine("TRANSP:TRANSPARENT")
	e.w.writeLine("END:VEVENT")
}

// series writes a run's airings for a compact calendar: one recurring
// event, and an event of its own for each airing the rule misses, or
// for every airing when no rule is worth it.
func (e *ICalEncoder) series(c *icalCalendar, r *icalRun, slots iter.Seq[schedule.Slot]) {
	rec, ok := icalRecur(r.starts, r.run.Location, e.AllDay)
	if !ok {
		e.runEvents(c, r, slots, nil)
		return
	}
	first, last := r.first, r.last
	w := &e.w
	start := e.begin(c, r, first, "-series")
	w.line = append(append(w.line, "RRULE:"...), rec.rule...)
	w.end()
	if len(rec.exdates) > 0 {
		w.line = append(w.line, "EXDATE"...)
		switch {
		case e.AllDay:
			w.line = append(w.line, ";VALUE=DATE"...)
		case r.zone != nil:
			w.line = append(w.line, r.zone.param...)
		}
		for i, f := range rec.exdates {
			w.line = append(w.line, ":,"[min(i, 1)])
			if e.AllDay {
				w.line = appendICalDate(w.line, f)
			} else {
				w.line = appendICalDateTime(w.line, f)
				if r.zone == nil {
					w.line = append(w.line, 'Z')
				}
			}
		}
		w.end()
	}

	w.line = append(w.line, "SUMMARY:"...)
	if len(r.summary) > 0 {
		w.line = append(w.line, r.summary[:len(r.summary)-len(" — ")]...)
	} else {
		w.line = append(w.line, "Episodes"...)
	}
	w.line = e.appendMarks(w.line, first.IsRepeat(), start)
	w.end()

	n := len(r.starts) - len(rec.extra)
	w.line = strconv.AppendInt(append(w.line, "DESCRIPTION:"...), int64(n), 10)
	w.line = append(w.line, " airings"...)
	if len(rec.extra) > 0 {
		w.line = strconv.AppendInt(append(w.line, " (and "...), int64(len(rec.extra)), 10)
		w.line = append(w.line, " listed apart)"...)
	}
	w.line = strconv.AppendInt(append(w.line, `\, episodes `...), int64(first.Episode), 10)
	if last.Episode != first.Episode {
		w.line = strconv.AppendInt(append(w.line, " to "...), int64(last.Episode), 10)
	}
	w.line = appendICalHuman(append(w.line, `\, from `...), start)
	w.line = appendICalHuman(append(w.line, " to "...), last.Start.In(r.run.Location))
	w.line = append(w.line, '.')
	if first.IsRepeat() {
		w.line = appendICalHuman(append(w.line, `\nRepeats: these episodes first aired from `...), first.FirstAired)
		w.line = append(w.line, '.')
	}
	if syn := strings.TrimSpace(r.run.Show.Synopsis); syn != "" {
		w.line = appendICalText(append(w.line, `\n\n`...), syn)
	}
	w.end()
	e.trailer(r)

	if len(rec.extra) > 0 {
		e.runEvents(c, r, slots, rec.extra)
	}
}

// runEvents writes an event of its own for each airing of r among slots
// whose index in r.starts is in only (sorted), or for each airing of r
// when only is nil. It reads the slots again rather than keeping them.
func (e *ICalEncoder) runEvents(c *icalCalendar, r *icalRun, slots iter.Seq[schedule.Slot], only []int) {
	i := 0
	for sl := range slots {
		if sl.Run != r.run {
			continue
		}
		switch {
		case only == nil:
			e.event(c, r, sl)
		case i == only[0]:
			e.event(c, r, sl)
			if only = only[1:]; len(only) == 0 {
				return
			}
		}
		if i++; i == len(r.starts) {
			return
		}
	}
}
