package feeds

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// XMLTVGenerator is the generator-info-name an XMLTVEncoder writes when
// its Generator field is empty.
const XMLTVGenerator = "backstage"

// XMLTVEncoder writes schedule slots as an XMLTV guide
// (https://github.com/XMLTV/xmltv/blob/master/xmltv.dtd): the channels,
// then one programme per slot, sorted by channel id and then by start.
//
// The output starts with the XML declaration and the DOCTYPE, as media
// centres expect, and is valid against xmltv.dtd: elements come in the
// DTD's order, text is stripped of control characters and newlines (the
// DTD allows none) and escaped, and an element whose text would be empty
// is left out.
//
// Each programme carries the show's title, the episode's title as
// sub-title ("Episode N" when it has none), a description, the credits,
// the date of the episode's first airing, the genres as categories, the
// language, the length, the country and two episode numbers: xmltv_ns,
// zero-based with no season (episode 123 is ".122.") and onscreen
// ("E123"). An airing of an episode that aired before also says so in
// <previously-shown> and in its description.
//
// # Series, not movies
//
// Media centres tell a series from a film in different ways, and treat a
// film as one recording with no "record series". Jellyfin takes any
// programme with an episode number as a series (and one whose category
// is "Movie" as a film); Kodi's IPTV Simple client reads the numbers and
// colours the guide by the first category its genre table knows; Plex
// is widely reported to take a programme for a film unless it has the
// category "Series", some reports adding a season number. So after the
// show's own genres, in the schedule's order, each programme gets the
// category "Series" (unless a genre says so already): last, so that Kodi
// colours Backstage by its genre (its IPTV Simple client's shipped table
// maps "Drama" to soap/melodrama, and "Series" to show/game show).
//
// No source gives Backstage seasons, and none are invented by default.
// SeasonByYear supplies one for the apps that want it.
//
// Creators and developers have no XMLTV role, so the description names
// them in a sentence of its own. Channels and programmes carry an <icon>
// when the schedule gives a picture and BaseURL, if it is needed, is set.
type XMLTVEncoder struct {
	// MarkNew adds <new/> to first airings. The DTD means <new/> for a
	// show that is new as a whole, but Plex, TVHeadend and Kodi read it as
	// "a new episode" when recording new episodes only, so it is off by
	// default.
	MarkNew bool

	// Generator is the generator-info-name, such as "backstage/v0.1.0";
	// empty means XMLTVGenerator.
	Generator string

	// MarkEmptyDays adds, on each local day of the window (in the
	// schedule's zone) on which no slot of a channel starts, one programme
	// on that channel called XMLTVEmptyDayTitle, from the day's start (or
	// the end of a slot still on air then) to the next day's. A guide of
	// a show that airs on weekdays only then still says something about
	// its weekends, and every channel has a programme on every day, as
	// XMLTV's tv_validate_grabber wants. It needs a window with both ends
	// set; an open window gets no markers.
	MarkEmptyDays bool

	// SeasonByYear invents a season number for media centres that will
	// not offer series recording without one: the year the episode first
	// aired, in both episode numbers (episode 123, first aired in 2000,
	// is "1999.122." and "S2000E123"). The guide says in a comment that
	// the seasons are invented. It is off by default.
	SeasonByYear bool

	// BaseURL is the absolute URL the site is published at, against which
	// relative picture URLs are resolved (see ResolveURL); "" when it is
	// not known. A channel's icon becomes its <icon>, a show's image each
	// programme's; XMLTV wants absolute URLs, so a picture that cannot be
	// made absolute is left out.
	BaseURL string

	w       io.Writer
	buf     []byte
	err     error // the first write error; sticky
	encoded bool
}

// xmltvFlushAt is how much output the encoder gathers before it writes
// to the underlying writer.
const xmltvFlushAt = 32 << 10

// NewXMLTVEncoder returns an encoder that writes to w. It buffers its
// output; Encode flushes at the end of the document, and Close reports
// any write error.
func NewXMLTVEncoder(w io.Writer) *XMLTVEncoder {
	return &XMLTVEncoder{w: w, buf: make([]byte, 0, xmltvFlushAt+4<<10)}
}

// Encode writes one complete XMLTV document (<tv>) holding the slots q
// selects: every slot on air at some moment in [q.From, q.To) (starting
// in it, with q.ByStart), of run q.Run when set. It lists every channel
// of s, even one with no slot in the window, so that a media centre's
// channel mapping does not change from one export to the next. A window
// with no slots gives a valid document with channels and no programmes
// (but for the markers of MarkEmptyDays).
//
// Encode checks its input before writing anything: it fails on a nil
// schedule, a window that ends before it starts, an unknown q.Run, a
// channel with no id, and a second call (an XMLTV file holds one
// document). After a write error it stops and returns that error. A
// schedule's times lie in the years schedule.MinYear to MaxYear, which
// XMLTV can write; a time it could not would stop Encode with an error
// at that programme.
func (e *XMLTVEncoder) Encode(s *schedule.Schedule, q schedule.Query) error {
	if e.err != nil {
		return e.err
	}
	if e.encoded {
		return errors.New("feeds: xmltv: Encode called twice; an XMLTV file holds one document")
	}
	if err := checkQuery("xmltv", s, q); err != nil {
		return err
	}
	g, err := newXMLTVGuide(s, e.BaseURL)
	if err != nil {
		return err
	}
	e.encoded = true

	e.header(s)
	for _, ch := range g.channels {
		e.buf = append(e.buf, ch.element...)
	}
	// Schedule.Slots is sorted by start across channels; one pass per
	// channel keeps the output sorted by channel, then start, without
	// holding more than one programme in memory.
	empty := emptyDays{s: s}
	if e.MarkEmptyDays {
		empty.from, empty.to = q.From, q.To
	}
	for _, ch := range g.channels {
		var last *schedule.Run
		var r *xmltvRun
		marks := empty.markers(ch) // in order of start, merged with the slots
		for sl := range s.Slots(q) {
			if !ch.airs(sl.Run.Channel) {
				continue
			}
			for len(marks) > 0 && marks[0][0].Before(sl.Start) {
				if err := e.emptyDay(g, ch, marks[0]); err != nil {
					return err
				}
				marks = marks[1:]
			}
			if sl.Run != last {
				last, r = sl.Run, g.run(sl.Run)
			}
			if err := e.programme(r, sl); err != nil {
				return err
			}
			if len(e.buf) >= xmltvFlushAt {
				if e.flush(); e.err != nil {
					return e.err
				}
			}
		}
		for _, m := range marks {
			if err := e.emptyDay(g, ch, m); err != nil {
				return err
			}
		}
	}
	e.buf = append(e.buf, "</tv>\n"...)
	e.flush()
	return e.err
}

// Close writes anything still buffered and returns the first error met
// while writing. It does not close the underlying writer.
func (e *XMLTVEncoder) Close() error {
	e.flush()
	return e.err
}

func (e *XMLTVEncoder) flush() {
	if len(e.buf) == 0 || e.err != nil {
		e.buf = e.buf[:0]
		return
	}
	if _, err := e.w.Write(e.buf); err != nil {
		e.err = fmt.Errorf("feeds: xmltv: write: %w", err)
	}
	e.buf = e.buf[:0]
}

func (e *XMLTVEncoder) header(s *schedule.Schedule) {
	b := append(e.buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n<tv"...)
	// The DTD asks for the date the listings were produced; the
	// schedule's revision date is that, and keeps the output byte-stable.
	if t := s.Revised(); !t.IsZero() {
		if d, ok := appendXMLTVTime(append(b, " date=\""...), t); ok {
			b = append(d, '"')
		}
	}
	b = appendXMLTVAttr(b, "source-info-name", s.Source())
	gen := e.Generator
	if xmltvClean(gen) == "" {
		gen = XMLTVGenerator
	}
	b = appendXMLTVAttr(b, "generator-info-name", gen)
	b = append(b, ">\n"...)
	if e.SeasonByYear {
		b = append(b, "  <!-- Season numbers are invented, not sourced: season N is the year the episode first aired. -->\n"...)
	}
	e.buf = b
}

// programme appends one <programme> element. The fixed parts come from r,
// rendered once per Encode; only the times, the episode's number and
// title, the date and the repeat details are written per slot, with no
// allocation.
func (e *XMLTVEncoder) programme(r *xmltvRun, sl schedule.Slot) error {
	sh := r.show
	b := append(e.buf, "  <programme start=\""...)
	b, ok1 := appendXMLTVTime(b, sl.Start)
	b = append(b, "\" stop=\""...)
	b, ok2 := appendXMLTVTime(b, sl.End)
	if !ok1 || !ok2 {
		return fmt.Errorf("feeds: xmltv: run %q episode %d: %s is outside the years 0000-9999 that XMLTV times can hold",
			sl.Run.Name, sl.Episode, sl.Start.Format(time.RFC3339))
	}
	b = append(b, r.head...) // `" channel="…">` and the title

	if t, ok := sh.episodeTitles[sl.Episode]; ok {
		b = append(b, sh.subTitleOpen...)
		b = append(b, t...)
	} else {
		b = append(b, "    <sub-title lang=\"en\">Episode "...)
		b = strconv.AppendInt(b, int64(sl.Episode), 10)
	}
	b = append(b, "</sub-title>\n"...)

	first := sl.FirstAired // the episode's first airing; zero when this is it
	b = r.appendDesc(b, first)
	b = append(b, sh.credits...)

	b = append(b, "    <date>"...)
	day := first
	if day.IsZero() {
		day = sl.Start
	}
	b = day.AppendFormat(b, "20060102")
	b = append(b, "</date>\n"...)

	b = append(b, sh.categoriesLanguage...)
	b = appendXMLTVLength(b, sl.End.Sub(sl.Start))
	b = append(b, sh.icon...)
	b = append(b, sh.country...)

	if sl.Episode >= 1 {
		season := 0
		if e.SeasonByYear {
			season = firstAiredYear(sl)
		}
		b = append(b, "    <episode-num system=\"xmltv_ns\">"...)
		if season > 0 {
			b = strconv.AppendInt(b, int64(season-1), 10)
		}
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(sl.Episode-1), 10)
		b = append(b, ".</episode-num>\n    <episode-num system=\"onscreen\">"...)
		if season > 0 {
			b = strconv.AppendInt(append(b, 'S'), int64(season), 10)
		}
		b = strconv.AppendInt(append(b, 'E'), int64(sl.Episode), 10)
		b = append(b, "</episode-num>\n"...)
	}

	if prev := sl.Previous(); !prev.IsZero() {
		b = append(b, "    <previously-shown start=\""...)
		var ok bool
		if b, ok = appendXMLTVTime(b, prev); !ok {
			return fmt.Errorf("feeds: xmltv: run %q episode %d: first shown %s, outside the years 0000-9999 that XMLTV times can hold",
				sl.Run.Name, sl.Episode, prev.Format(time.RFC3339))
		}
		b = append(b, "\" channel=\""...)
		// A re-dated slot repeats an airing of its own run; any other
		// repeat points at the first airing, on the run it came from.
		if !sl.ReplayOf.IsZero() {
			b = append(b, r.channel...)
		} else {
			b = append(b, r.originChannel...)
		}
		b = append(b, "\"/>\n"...)
	} else if e.MarkNew {
		b = append(b, "    <new/>\n"...)
	}
	e.buf = append(b, "  </programme>\n"...)
	return nil
}

// firstAiredYear returns the year, in its own zone, of the first airing
// of sl's episode: sl's FirstAired, or for a first airing the historic
// start it re-dates (ReplayOf), or its own start.
func firstAiredYear(sl schedule.Slot) int {
	t := sl.FirstAired
	if t.IsZero() {
		t = sl.ReplayOf
	}
	if t.IsZero() {
		t = sl.Start
	}
	return t.Year()
}

// appendXMLTVTime appends t as XMLTV writes times, "YYYYMMDDhhmmss +hhmm",
// with the offset t has in its own location. A zone offset with seconds
// (local mean time before standard zones) cannot be written as ±hhmm, so
// such a time is written in UTC. It reports false for a year outside
// 0000-9999.
func appendXMLTVTime(b []byte, t time.Time) ([]byte, bool) {
	_, off := t.Zone()
	if off%60 != 0 {
		t, off = t.UTC(), 0
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	return t.AppendFormat(b, "20060102150405 -0700"), true
}

// appendXMLTVLength appends a <length> element, in minutes when the
// duration is a whole number of them and in seconds otherwise.
func appendXMLTVLength(b []byte, d time.Duration) []byte {
	if d <= 0 {
		return b
	}
	if d%time.Minute == 0 {
		b = append(b, "    <length units=\"minutes\">"...)
		b = strconv.AppendInt(b, int64(d/time.Minute), 10)
	} else {
		b = append(b, "    <length units=\"seconds\">"...)
		b = strconv.AppendInt(b, int64((d+time.Second-1)/time.Second), 10)
	}
	return append(b, "</length>\n"...)
}

// xmltvChannel is one <channel>: the channels of a schedule that share an
// id are written as one.
type xmltvChannel struct {
	id       string
	ptrs     []*schedule.Channel
	element  []byte
	emptyDay []byte // see emptyDay; nil until the channel's first empty day
}

func (c *xmltvChannel) airs(ch *schedule.Channel) bool {
	if len(c.ptrs) == 1 {
		return c.ptrs[0] == ch
	}
	return slices.Contains(c.ptrs, ch)
}

// xmltvGuide holds what one Encode renders once: the channels, and the
// fixed XML of each run and show it meets.
type xmltvGuide struct {
	s        *schedule.Schedule
	base     string // the BaseURL pictures are resolved against
	channels []*xmltvChannel
	runs     map[*schedule.Run]*xmltvRun
	shows    map[*schedule.Show]*xmltvShow
}

func newXMLTVGuide(s *schedule.Schedule, base string) (*xmltvGuide, error) {
	g := &xmltvGuide{
		s:     s,
		base:  base,
		runs:  make(map[*schedule.Run]*xmltvRun),
		shows: make(map[*schedule.Show]*xmltvShow),
	}
	byID := make(map[string]*xmltvChannel)
	for _, ch := range s.Channels() {
		if ch == nil || xmltvClean(ch.ID) == "" {
			return nil, errors.New("feeds: xmltv: a channel has no id")
		}
		c := byID[ch.ID]
		if c == nil {
			c = &xmltvChannel{id: ch.ID}
			byID[ch.ID] = c
			g.channels = append(g.channels, c)
		}
		c.ptrs = append(c.ptrs, ch)
	}
	// The DTD suggests channels sorted by id, which also makes diffs of
	// two guides easier to read.
	slices.SortFunc(g.channels, func(a, b *xmltvChannel) int { return cmp.Compare(a.id, b.id) })
	for _, c := range g.channels {
		c.element = g.channelElement(c)
	}
	return g, nil
}

// channelElement renders a <channel>. The display name's language is that
// of the first show airing on the channel, since the schedule gives
// channels none of their own.
func (g *xmltvGuide) channelElement(c *xmltvChannel) []byte {
	name, lang, icon := "", "", ""
	for _, ch := range c.ptrs {
		if name == "" {
			name = xmltvClean(ch.Name)
		}
		if icon == "" {
			icon = ResolveURL(g.base, ch.Icon)
		}
	}
	if name == "" {
		name = c.id
	}
	for _, r := range g.s.Runs() {
		if c.airs(r.Channel) && r.Show != nil && xmltvClean(r.Show.Language) != "" {
			lang = r.Show.Language
			break
		}
	}
	b := appendXMLTVAttr([]byte("  <channel"), "id", c.id)
	b = append(b, ">\n    <display-name"...)
	b = appendXMLTVAttr(b, "lang", lang)
	b = append(b, '>')
	b = appendXMLTVText(b, name)
	b = append(b, "</display-name>\n"...)
	b = appendXMLTVIcon(b, icon)
	return append(b, "  </channel>\n"...)
}

// appendXMLTVIcon appends `    <icon src="…"/>` and a newline, or nothing
// when src is empty.
func appendXMLTVIcon(b []byte, src string) []byte {
	if xmltvClean(src) == "" {
		return b
	}
	b = appendXMLTVAttr(append(b, "    <icon"...), "src", src)
	return append(b, "/>\n"...)
}

// run returns the pre-rendered parts of r, rendering them on first use.
func (g *xmltvGuide) run(r *schedule.Run) *xmltvRun {
	if x := g.runs[r]; x != nil {
		return x
	}
	x := g.newRun(r)
	g.runs[r] = x
	return x
}
