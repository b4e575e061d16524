package feeds

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backstage-epg/backstage/schedule"
)

// The XMLTV encoder writes by hand rather than through xml.Encoder.
// Streaming every programme as a struct through xml.Encoder (the reference
// writer in xmltv_ref_test.go, BenchmarkXMLTVEncodingXML) costs tens of
// times the time and thousands of times the allocations of this writer
// (BenchmarkXMLTVFullHistory), most of it reflection and escaping of text
// that is the same in every programme of a show. Here the text of each
// show and run (title, synopsis, credits, genres, country, channel) is
// cleaned and escaped once per Encode (see appendXMLTVText) into byte
// fragments in the DTD's order; each programme then appends those
// fragments and the few parts that change per slot (times, episode number
// and title, date, repeat details), which are digits and fixed ASCII or
// pre-escaped, with no allocation. The tests keep the hand-written
// structure honest: they validate the output against xmltv.dtd, check the
// DTD's child order, and compare it token by token with the reference
// writer's.

// xmltvShow is the fixed XML of one show, in DTD order of use.
type xmltvShow struct {
	langAttr      []byte         // ` lang="en"`, or nothing when the show has no language
	subTitleOpen  []byte         // `    <sub-title lang="…">`, for a titled episode
	episodeTitles map[int][]byte // escaped titles of the episodes that have one

	// english says whether the show's own text is in English (or in no
	// stated language). The sentences the encoder writes itself are in
	// English; for any other language they go in a <desc lang="en"> of
	// their own, after the synopsis in the show's language.
	english  bool
	descOpen []byte // `    <desc lang="…">`
	synopsis []byte // escaped
	prose    []byte // escaped: "Created by …. Developed by …."
	descBase []byte // for English: synopsis and prose, joined by a space

	credits            []byte // the <credits> element, or nothing
	categoriesLanguage []byte // <category> per genre, then <language>
	icon               []byte // the <icon> element, or nothing
	country            []byte // the <country> element, or nothing
}

// xmltvRun is the fixed XML of one run.
type xmltvRun struct {
	show *xmltvShow

	// head closes the programme's start tag with the channel and carries
	// the title: `" channel="…">` "\n    <title lang="…">…</title>\n".
	head []byte

	channel       []byte // id of the run's channel, escaped for an attribute
	originChannel []byte // id of the channel the run's episodes first aired on, escaped for an attribute
	firstShown    []byte // "First shown on e.tv on ", escaped
}

func (g *xmltvGuide) show(sh *schedule.Show) *xmltvShow {
	if x := g.shows[sh]; x != nil {
		return x
	}
	x := newXMLTVShow(sh, g.base)
	g.shows[sh] = x
	return x
}

func newXMLTVShow(sh *schedule.Show, base string) *xmltvShow {
	lang := xmltvClean(sh.Language)
	x := &xmltvShow{
		langAttr: appendXMLTVAttr(nil, "lang", lang),
		english:  lang == "" || lang == "en" || strings.HasPrefix(lang, "en-") || strings.HasPrefix(lang, "en_"),
	}
	x.subTitleOpen = append(append([]byte("    <sub-title"), x.langAttr...), '>')
	x.descOpen = append(append([]byte("    <desc"), x.langAttr...), '>')
	for n, t := range sh.EpisodeTitles {
		if xmltvClean(t) != "" {
			if x.episodeTitles == nil {
				x.episodeTitles = make(map[int][]byte, len(sh.EpisodeTitles))
			}
			x.episodeTitles[n] = appendXMLTVText(nil, t)
		}
	}

	x.synopsis = appendXMLTVText(nil, sh.Synopsis)
	var prose []string
	if names := xmltvNames(sh.Credits.Creators); names != "" {
		prose = append(prose, "Created by "+names+".")
	}
	if names := xmltvNames(sh.Credits.Developers); names != "" {
		prose = append(prose, "Developed by "+names+".")
	}
	x.prose = appendXMLTVText(nil, strings.Join(prose, " "))
	x.descBase = x.synopsis
	if len(x.prose) > 0 {
		if len(x.descBase) > 0 {
			x.descBase = append(x.descBase[:len(x.descBase):len(x.descBase)], ' ')
		}
		x.descBase = append(x.descBase, x.prose...)
	}

	// Credits in the DTD's order: director, actor, writer, adapter,
	// producer, composer, editor, presenter, commentator, guest.
	c := sh.Credits
	var cr []byte
	for _, role := range []struct {
		tag   string
		names []string
	}{
		{"director", c.Directors},
		{"actor", c.Actors},
		{"writer", c.Writers},
		{"producer", c.Producers},
		{"composer", c.Composers},
		{"presenter", c.Presenters},
	} {
		for _, n := range role.names {
			cr = appendXMLTVElement(cr, "      ", role.tag, nil, n)
		}
	}
	if len(cr) > 0 {
		x.credits = append(append([]byte("    <credits>\n"), cr...), "    </credits>\n"...)
	}

	series := false
	for _, genre := range sh.Genres {
		x.categoriesLanguage = appendXMLTVElement(x.categoriesLanguage, "    ", "category", x.langAttr, genre)
		series = series || strings.EqualFold(xmltvClean(genre), "series")
	}
	if !series { // see "Series, not movies" in XMLTVEncoder's doc comment
		x.categoriesLanguage = appendXMLTVElement(x.categoriesLanguage, "    ", "category", []byte(` lang="en"`), "Series")
	}
	x.categoriesLanguage = appendXMLTVElement(x.categoriesLanguage, "    ", "language", nil, lang)
	x.icon = appendXMLTVIcon(nil, ResolveURL(base, sh.Image))
	x.country = appendXMLTVElement(nil, "    ", "country", nil, sh.Country)
	return x
}

func (g *xmltvGuide) newRun(r *schedule.Run) *xmltvRun {
	x := &xmltvRun{show: g.show(r.Show)}
	// The DTD requires a title: fall back on the show's id, then the run's
	// name, if the title is empty.
	title := r.Show.Title
	for _, t := range []string{r.Show.ID, r.Name, "Untitled"} {
		if xmltvClean(title) != "" {
			break
		}
		title = t
	}
	x.channel = appendXMLTVAttrValue(nil, r.Channel.ID)
	x.head = append([]byte(`" channel="`), x.channel...)
	x.head = append(x.head, "\">\n"...)
	x.head = appendXMLTVElement(x.head, "    ", "title", x.show.langAttr, title)

	// Episodes first aired on the run of new episodes at the root of a
	// chain of replays. schedule.New refuses circles; the bound is a guard.
	origin := r
	for range len(g.s.Runs()) {
		src := g.s.Run(origin.Replays)
		if !origin.IsReplay() || src == nil {
			break
		}
		origin = src
	}
	x.originChannel = appendXMLTVAttrValue(nil, origin.Channel.ID)
	if name := xmltvClean(origin.Channel.Name); name != "" {
		x.firstShown = appendXMLTVText(nil, "First shown on "+name+" on")
	} else {
		x.firstShown = []byte("First shown on")
	}
	x.firstShown = append(x.firstShown, ' ')
	return x
}

// appendDesc appends the programme's descriptions: the synopsis, the
// creators and developers, and for a repeat when the episode first aired
// (first is zero for a first airing).
func (r *xmltvRun) appendDesc(b []byte, first time.Time) []byte {
	sh := r.show
	repeat := !first.IsZero()
	if sh.english {
		if len(sh.descBase) == 0 && !repeat {
			return b
		}
		b = append(b, sh.descOpen...)
		b = append(b, sh.descBase...)
		if repeat {
			if len(sh.descBase) > 0 {
				b = append(b, ' ')
			}
			b = r.appendFirstShown(b, first)
		}
		return append(b, "</desc>\n"...)
	}
	if len(sh.synopsis) > 0 {
		b = append(b, sh.descOpen...)
		b = append(b, sh.synopsis...)
		b = append(b, "</desc>\n"...)
	}
	if len(sh.prose) > 0 || repeat {
		b = append(b, "    <desc lang=\"en\">"...)
		b = append(b, sh.prose...)
		if repeat {
			if len(sh.prose) > 0 {
				b = append(b, ' ')
			}
			b = r.appendFirstShown(b, first)
		}
		b = append(b, "</desc>\n"...)
	}
	return b
}

// appendFirstShown appends "First shown on e.tv on Monday 1 May 2000.",
// the date in the zone of that airing.
func (r *xmltvRun) appendFirstShown(b []byte, t time.Time) []byte {
	b = append(b, r.firstShown...)
	b = t.AppendFormat(b, "Monday 2 January 2006")
	return append(b, '.')
}

// xmltvNames joins names as English prose: "A", "A and B", "A, B and C".
func xmltvNames(names []string) string {
	var ok []string
	for _, n := range names {
		if n = xmltvClean(n); n != "" {
			ok = append(ok, n)
		}
	}
	switch len(ok) {
	case 0:
		return ""
	case 1:
		return ok[0]
	}
	return strings.Join(ok[:len(ok)-1], ", ") + " and " + ok[len(ok)-1]
}

// xmltvClean returns s fit for XMLTV text: control characters and bytes
// that are not UTF-8 are removed, and line breaks, tabs and runs of spaces
// become single spaces (the DTD allows no newlines in text), trimmed at
// both ends. encoding/xml would instead write such characters as U+FFFD
// or as character references.
func xmltvClean(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || (c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ')) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1: // not UTF-8
			continue
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' ||
			r == 0x85 || r == 0x2028 || r == 0x2029: // spaces and line breaks
			space = true
			continue
		case notText(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// appendXMLTVText appends s cleaned and escaped as element text: &, <
// and > become &amp;, &lt; and &gt;, and nothing else is escaped.
//
// encoding/xml's EscapeText would also write ' and " as the numeric
// references &#39; and &#34;. That is valid XML, but the XMLTV project's
// own Perl tools escape such a reference again when they write a guide
// back out (tv_cat turns "&#39;" into "&amp;#39;"), and JavaScript XMLTV
// parsers that decode only the named entities show "&#39;" to the
// viewer. So the guide holds no numeric references at all.
func appendXMLTVText(b []byte, s string) []byte {
	return appendXMLTVEscaped(b, xmltvClean(s), false)
}

// appendXMLTVAttrValue appends s cleaned and escaped for a double-quoted
// attribute value: as appendXMLTVText, and " as &quot;.
func appendXMLTVAttrValue(b []byte, s string) []byte {
	return appendXMLTVEscaped(b, xmltvClean(s), true)
}

// appendXMLTVEscaped appends s with &, < and > (and ", when attr is set)
// replaced by their named entities. s must be cleaned already.
func appendXMLTVEscaped(b []byte, s string, attr bool) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			if !attr {
				continue
			}
			esc = "&quot;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// appendXMLTVAttr appends ` name="value"`, or nothing when value is empty
// once cleaned.
func appendXMLTVAttr(b []byte, name, value string) []byte {
	if xmltvClean(value) == "" {
		return b
	}
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, `="`...)
	b = appendXMLTVAttrValue(b, value)
	return append(b, '"')
}

// appendXMLTVElement appends indent<name attrs>text</name> and a newline,
// or nothing when text is empty once cleaned: XMLTV forbids empty text.
func appendXMLTVElement(b []byte, indent, name string, attrs []byte, text string) []byte {
	if xmltvClean(text) == "" {
		return b
	}
	b = append(b, indent...)
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, attrs...)
	b = append(b, '>')
	b = appendXMLTVText(b, text)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, ">\n"...)
}
