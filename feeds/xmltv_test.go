package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// xmltvEncode encodes the slots q selects and fails the test on error.
func xmltvEncode(t testing.TB, s *schedule.Schedule, q schedule.Query, markNew bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	xmltvEncodeTo(t, &buf, s, q, markNew)
	return buf.Bytes()
}

// xmltvEncodeWith encodes the slots q selects with the encoder's fields
// set by set, and fails the test on error.
func xmltvEncodeWith(t testing.TB, s *schedule.Schedule, q schedule.Query, set func(e *XMLTVEncoder)) []byte {
	t.Helper()
	var buf bytes.Buffer
	xmltvEncodeTo(t, &buf, s, q, false, set)
	return buf.Bytes()
}

// xmltvEncodeTo encodes the slots q selects to w and fails the test on
// error. Each of set, if any, sets fields of the encoder.
func xmltvEncodeTo(t testing.TB, w io.Writer, s *schedule.Schedule, q schedule.Query, markNew bool, set ...func(e *XMLTVEncoder)) {
	t.Helper()
	e := NewXMLTVEncoder(w)
	e.MarkNew = markNew
	e.Generator = "backstage/test"
	for _, f := range set {
		f(e)
	}
	if err := e.Encode(s, q); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

// The shape of a guide, for tests that read one back.
type (
	xtTV struct {
		XMLName    xml.Name      `xml:"tv"`
		Date       string        `xml:"date,attr"`
		Generator  string        `xml:"generator-info-name,attr"`
		Source     string        `xml:"source-info-name,attr"`
		Channels   []xtChannel   `xml:"channel"`
		Programmes []xtProgramme `xml:"programme"`
	}
	xtChannel struct {
		ID    string   `xml:"id,attr"`
		Names []string `xml:"display-name"`
		Icon  *xtIcon  `xml:"icon"`
	}
	xtIcon struct {
		Src string `xml:"src,attr"`
	}
	xtProgramme struct {
		Start    string `xml:"start,attr"`
		Stop     string `xml:"stop,attr"`
		Channel  string `xml:"channel,attr"`
		Title    string `xml:"title"`
		SubTitle string `xml:"sub-title"`
		Desc     []struct {
			Lang string `xml:"lang,attr"`
			Text string `xml:",chardata"`
		} `xml:"desc"`
		Date        string   `xml:"date"`
		Categories  []string `xml:"category"`
		Length      string   `xml:"length"`
		Icon        *xtIcon  `xml:"icon"`
		EpisodeNums []struct {
			System string `xml:"system,attr"`
			Value  string `xml:",chardata"`
		} `xml:"episode-num"`
		Previously *struct {
			Start   string `xml:"start,attr"`
			Channel string `xml:"channel,attr"`
		} `xml:"previously-shown"`
		New *struct{} `xml:"new"`
	}
)

func xmltvParse(t testing.TB, b []byte) xtTV {
	t.Helper()
	var tv xtTV
	if err := xml.Unmarshal(b, &tv); err != nil {
		t.Fatalf("output is not XML: %v", err)
	}
	return tv
}

func (p xtProgramme) episodeNum(system string) string {
	for _, n := range p.EpisodeNums {
		if n.System == system {
			return n.Value
		}
	}
	return ""
}

func TestXMLTVGolden(t *testing.T) {
	s := smallSchedule(t)
	for _, tc := range []struct {
		file    string
		markNew bool
		base    string
	}{
		{"xmltv_small.xml", false, ""},
		{"xmltv_small_marknew.xml", true, ""},
		{"xmltv_small_public.xml", false, testBaseURL},
	} {
		t.Run(tc.file, func(t *testing.T) {
			testkit.Golden(t, filepath.Join("testdata", tc.file), xmltvEncodeWith(t, s, schedule.Query{}, func(e *XMLTVEncoder) {
				e.MarkNew, e.BaseURL = tc.markNew, tc.base
			}))
		})
	}
}

func TestXMLTVStart(t *testing.T) {
	out := xmltvEncode(t, smallSchedule(t), schedule.Query{}, false)
	// Kodi takes a file that does not start with "<?xml" for an archive.
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n<tv "
	if !bytes.HasPrefix(out, []byte(want)) {
		t.Errorf("output starts %q, want %q", out[:min(len(out), len(want))], want)
	}
	tv := xmltvParse(t, out)
	if tv.Generator != "backstage/test" || tv.Source != "test data" || tv.Date != "20261126000000 +0000" {
		t.Errorf("tv attributes: generator %q, source %q, date %q", tv.Generator, tv.Source, tv.Date)
	}
}

func TestXMLTVTime(t *testing.T) {
	zone := func(name string) *time.Location { return testkit.Location(t, name) }
	jnb, lon := zone("Africa/Johannesburg"), zone("Europe/London")
	for _, tc := range []struct {
		name string
		t    time.Time
		want string
	}{
		{"Johannesburg", time.Date(2000, 5, 1, 18, 30, 0, 0, jnb), "20000501183000 +0200"},
		{"London winter", time.Date(2007, 1, 5, 23, 45, 0, 0, lon), "20070105234500 +0000"},
		{"London summer", time.Date(2007, 7, 6, 23, 45, 0, 0, lon), "20070706234500 +0100"},
		{"London after the spring jump", time.Date(2007, 3, 25, 2, 0, 0, 0, lon), "20070325020000 +0100"},
		{"London before the autumn fall", time.Date(2007, 10, 28, 0, 59, 59, 0, lon), "20071028005959 +0100"},
		{"New York", time.Date(2009, 1, 5, 16, 40, 0, 0, zone("America/New_York")), "20090105164000 -0500"},
		{"Kolkata half hour", time.Date(2009, 1, 5, 16, 40, 0, 0, zone("Asia/Kolkata")), "20090105164000 +0530"},
		{"Chatham 45 minutes", time.Date(2009, 1, 5, 16, 40, 0, 0, zone("Pacific/Chatham")), "20090105164000 +1345"},
		{"UTC", time.Date(2009, 1, 5, 14, 40, 0, 0, time.UTC), "20090105144000 +0000"},
		{"fixed zone", time.Date(2009, 1, 5, 14, 40, 7, 0, time.FixedZone("", -9*3600-30*60)), "20090105144007 -0930"},
		// Amsterdam's offset was +00:19:32 before 1937: no ±hhmm can say
		// it, so the time is written in UTC.
		{"offset with seconds", time.Date(1930, 6, 1, 12, 0, 0, 0, zone("Europe/Amsterdam")), "19300601104028 +0000"},
		{"year 1", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "00010101000000 +0000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := appendXMLTVTime(nil, tc.t)
			if !ok || string(got) != tc.want {
				t.Errorf("appendXMLTVTime(%v) = %q, %v; want %q, true", tc.t, got, ok, tc.want)
			}
		})
	}
	if got, ok := appendXMLTVTime(nil, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); ok {
		t.Errorf("year 10000: got %q, ok; want not ok", got)
	}
}

func TestXMLTVLength(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Minute, `    <length units="minutes">30</length>` + "\n"},
		{90 * time.Second, `    <length units="seconds">90</length>` + "\n"},
		{0, ""},
	} {
		if got := string(appendXMLTVLength(nil, tc.d)); got != tc.want {
			t.Errorf("appendXMLTVLength(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// xmltvOneRun builds a schedule of one run of new episodes in
// Johannesburg, weekdays at 18:30 from 2000-05-01, plus a replay of it
// from 2009-01-05 when replay is set.
func xmltvOneRun(t testing.TB, show *schedule.Show, first, count int, replay bool) *schedule.Schedule {
	t.Helper()
	jnb := testkit.Location(t, "Africa/Johannesburg")
	ch := &schedule.Channel{ID: "etv.co.za", Name: "e.tv"}
	runs := []*schedule.Run{{
		Name: "original", Show: show, Channel: ch, Rule: "30 18 * * 1-5", Location: jnb,
		First: schedule.Date{Year: 2000, Month: 5, Day: 1}, Length: 30 * time.Minute,
		FirstEpisode: first, Count: count,
	}}
	if replay {
		runs = append(runs, &schedule.Run{
			Name: "rebroadcast", Show: show, Channel: ch, Rule: "40 16 * * 1-5", Location: jnb,
			First: schedule.Date{Year: 2009, Month: 1, Day: 5}, Length: 30 * time.Minute,
			Replays: "original", ReplayFrom: first,
		})
	}
	s, err := schedule.New(schedule.Plan{Name: "test", Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestXMLTVEpisodeNum(t *testing.T) {
	show := &schedule.Show{ID: "backstage", Title: "Backstage", Language: "en"}
	for _, tc := range []struct {
		episode            int
		xmltvNS, onscreen  string
		subTitle, airsDate string
	}{
		{1, ".0.", "E1", "Episode 1", "20000501"},
		{2, ".1.", "E2", "Episode 2", "20000501"},
		{123, ".122.", "E123", "Episode 123", "20000501"},
		{1875, ".1874.", "E1875", "Episode 1875", "20000501"},
	} {
		t.Run(fmt.Sprint(tc.episode), func(t *testing.T) {
			tv := xmltvParse(t, xmltvEncode(t, xmltvOneRun(t, show, tc.episode, 1, false), schedule.Query{}, false))
			if len(tv.Programmes) != 1 {
				t.Fatalf("got %d programmes, want 1", len(tv.Programmes))
			}
			p := tv.Programmes[0]
			if got := p.episodeNum("xmltv_ns"); got != tc.xmltvNS {
				t.Errorf("xmltv_ns = %q, want %q", got, tc.xmltvNS)
			}
			if got := p.episodeNum("onscreen"); got != tc.onscreen {
				t.Errorf("onscreen = %q, want %q", got, tc.onscreen)
			}
			if p.SubTitle != tc.subTitle || p.Date != tc.airsDate {
				t.Errorf("sub-title %q, date %q; want %q, %q", p.SubTitle, p.Date, tc.subTitle, tc.airsDate)
			}
		})
	}
}

func TestXMLTVText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain", "Backstage", "Backstage"},
		// Only the three named entities text needs: no numeric references,
		// which the XMLTV tools escape again (see TestXMLTVRoundTrip).
		{"escapes", `Students & lecturers "chase" <fame> it's`, `Students &amp; lecturers "chase" &lt;fame&gt; it's`},
		{"entities stay text", "&amp; &#39; ]]>", "&amp;amp; &amp;#39; ]]&gt;"},
		{"NUL and bell", "a\x00b\x07c", "abc"},
		{"escape and DEL", "a\x1b[0mb\x7f", "a[0mb"},
		{"C1 control", "a\u0080b\u009fc", "abc"},
		{"newlines become spaces", "line one\nline two\r\nthree\tfour", "line one line two three four"},
		{"NEL and line separator", "a\u0085b\u2028c\u2029d", "a b c d"},
		{"runs of spaces", "  a   b  ", "a b"},
		{"not UTF-8", "caf\xe9 \xff", "caf"},
		{"noncharacters", "a\ufffeb\uffffc", "abc"},
		{"kept", "Vulindlela — café\u00a0e.tv 🎭 \ufffd", "Vulindlela — café\u00a0e.tv 🎭 \ufffd"},
		{"only controls", "\x01\x02\n\t ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(appendXMLTVText(nil, tc.in)); got != tc.want {
				t.Errorf("appendXMLTVText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestXMLTVAttrValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"etv.co.za", "etv.co.za"},
		{`a"b'c&d<e>f`, `a&quot;b'c&amp;d&lt;e&gt;f`},
		{"line\nbreak\t\x00", "line break"},
	} {
		if got := string(appendXMLTVAttrValue(nil, tc.in)); got != tc.want {
			t.Errorf("appendXMLTVAttrValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// xmltvEmptyOK lists the elements that may have no text: those made of
// other elements, and the DTD's EMPTY ones.
var xmltvEmptyOK = map[string]bool{"tv": true, "channel": true, "programme": true, "credits": true, "previously-shown": true, "new": true, "icon": true}

// xmltvWalk calls f for every element of doc with its parent's name, its
// own name and attributes, its text and its child elements' names.
func xmltvWalk(t *testing.T, doc []byte, f func(parent, name string, attrs []xml.Attr, text string, children []string)) {
	t.Helper()
	type open struct {
		name     string
		attrs    []xml.Attr
		text     strings.Builder
		children []string
	}
	var stack []*open
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if n := len(stack); n > 0 {
				stack[n-1].children = append(stack[n-1].children, tok.Name.Local)
			}
			stack = append(stack, &open{name: tok.Name.Local, attrs: slices.Clone(tok.Attr)})
		case xml.CharData:
			if n := len(stack); n > 0 {
				stack[n-1].text.Write(tok)
			}
		case xml.EndElement:
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1].name
			}
			f(parent, o.name, o.attrs, o.text.String(), o.children)
		}
	}
}

// xmltvDTDOrder gives, for each element with element children, the order
// xmltv.dtd requires them in.
var xmltvDTDOrder = map[string][]string{
	"tv":      {"channel", "programme"},
	"channel": {"display-name", "icon", "url"},
	"programme": {"title", "sub-title", "desc", "credits", "date", "category", "keyword", "language",
		"orig-language", "length", "icon", "url", "country", "episode-num", "video", "audio",
		"previously-shown", "premiere", "last-chance", "new", "subtitles", "rating", "star-rating",
		"review", "image"},
	"credits": {"director", "actor", "writer", "adapter", "producer", "composer", "editor",
		"presenter", "commentator", "guest"},
}

// xmltvAwkward is a show whose text is all edge cases: control
// characters, markup, blank genres and names, and no country.
var xmltvAwkward = &schedule.Show{
	ID:       "awkward",
	Title:    "Back\x00stage <&>",
	Synopsis: "\x01\x02\n",
	Genres:   []string{"", "  ", "Soap\nopera", "\x7f"},
	Language: "en",
	Credits: schedule.Credits{
		Creators:   []string{"", "\x00"},
		Directors:  []string{"\t"},
		Actors:     []string{"Duncan Lawson", ""},
		Presenters: []string{"Host\x1b"},
	},
	EpisodeTitles: map[int]string{1: "\n", 2: "Two\r\nLines"},
}

func TestXMLTVStructure(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		s    *schedule.Schedule
		base string
	}{
		{"small", smallSchedule(t), ""},
		{"small, public", smallSchedule(t), testBaseURL},
		{"awkward", xmltvOneRun(t, xmltvAwkward, 1, 3, true), testBaseURL},
		{"default", testkit.Default(t), testBaseURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			guide := xmltvEncodeWith(t, tc.s, schedule.Query{}, func(e *XMLTVEncoder) { e.MarkNew, e.BaseURL = true, tc.base })
			xmltvWalk(t, guide, func(parent, name string, attrs []xml.Attr, text string, children []string) {
				if name == "icon" {
					if len(attrs) != 1 || attrs[0].Name.Local != "src" || !strings.HasPrefix(attrs[0].Value, "https://") {
						t.Errorf("<icon> in <%s> has attributes %v, want an absolute https src", parent, attrs)
					}
				}
				if len(children) == 0 && !xmltvEmptyOK[name] && strings.TrimSpace(text) == "" {
					t.Errorf("<%s> in <%s> has no text", name, parent)
				}
				if strings.ContainsAny(strings.TrimSpace(text), "\n\r\t\ufffd") && len(children) == 0 {
					t.Errorf("<%s> text %q holds a line break, tab or U+FFFD", name, text)
				}
				for _, a := range attrs {
					if strings.TrimSpace(a.Value) == "" {
						t.Errorf("<%s %s> is empty", name, a.Name.Local)
					}
				}
				order, ok := xmltvDTDOrder[name]
				if !ok {
					if len(children) > 0 {
						t.Errorf("<%s> has children %v", name, children)
					}
					return
				}
				last := 0
				for _, c := range children {
					i := slices.Index(order, c)
					if i < 0 || i < last {
						t.Fatalf("<%s> children %v are not in the DTD's order %v", name, children, order)
					}
					last = i
				}
			})
		})
	}
}

func TestXMLTVAwkwardText(t *testing.T) {
	tv := xmltvParse(t, xmltvEncode(t, xmltvOneRun(t, xmltvAwkward, 1, 2, false), schedule.Query{}, false))
	if len(tv.Programmes) != 2 {
		t.Fatalf("got %d programmes, want 2", len(tv.Programmes))
	}
	for i, want := range []struct{ title, subTitle string }{
		{"Backstage <&>", "Episode 1"}, // a title of only a newline is no title
		{"Backstage <&>", "Two Lines"},
	} {
		p := tv.Programmes[i]
		if p.Title != want.title || p.SubTitle != want.subTitle {
			t.Errorf("programme %d: title %q, sub-title %q; want %q, %q", i, p.Title, p.SubTitle, want.title, want.subTitle)
		}
		if len(p.Desc) != 0 {
			t.Errorf("programme %d has a description %q, want none", i, p.Desc)
		}
	}
}

// TestXMLTVRepeats checks that previously-shown and the "first shown"
// sentence appear on repeats only, pointing at the first airing, and that
// <new/> appears with MarkNew on first airings only.
func TestXMLTVRepeats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		s       *schedule.Schedule
		markNew bool
	}{
		{"small", smallSchedule(t), false},
		{"small mark new", smallSchedule(t), true},
		{"default", testkit.Default(t), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tv := xmltvParse(t, xmltvEncode(t, tc.s, schedule.Query{}, tc.markNew))
			byStart := make(map[string]schedule.Slot)
			for sl := range tc.s.Slots(schedule.Query{}) {
				start, _ := appendXMLTVTime(nil, sl.Start)
				byStart[sl.Run.Channel.ID+" "+string(start)] = sl
			}
			for _, p := range tv.Programmes {
				sl, ok := byStart[p.Channel+" "+p.Start]
				if !ok {
					t.Fatalf("programme at %s on %s matches no slot", p.Start, p.Channel)
				}
				desc := ""
				for _, d := range p.Desc {
					desc += d.Text
				}
				if !sl.IsRepeat() {
					if p.Previously != nil || strings.Contains(desc, "First shown") {
						t.Errorf("first airing %s: previously-shown %v, desc %q", p.Start, p.Previously, desc)
					}
					if (p.New != nil) != tc.markNew {
						t.Errorf("first airing %s: <new/> present %v, want %v", p.Start, p.New != nil, tc.markNew)
					}
					continue
				}
				first, _ := appendXMLTVTime(nil, sl.FirstAired)
				if p.Previously == nil || p.Previously.Start != string(first) || p.Previously.Channel != "etv.co.za" {
					t.Errorf("repeat %s: previously-shown %+v, want start %s on etv.co.za", p.Start, p.Previously, first)
				}
				if p.New != nil {
					t.Errorf("repeat %s has <new/>", p.Start)
				}
				if want := sl.FirstAired.Format("Monday 2 January 2006."); !strings.Contains(desc, "First shown on e.tv on "+want) {
					t.Errorf("repeat %s: desc %q does not say it was first shown %s", p.Start, desc, want)
				}
				if want := sl.FirstAired.Format("20060102"); p.Date != want {
					t.Errorf("repeat %s: date %s, want the first airing's %s", p.Start, p.Date, want)
				}
			}
		})
	}
}

// TestXMLTVSeries checks that every programme is marked a series, after
// the show's own genres and in English, and only once.
func TestXMLTVSeries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		genres []string
		lang   string
		want   []string // the categories, as "lang:text"
	}{
		{"genres first", []string{"Soap opera", "Drama", "Youth"}, "en", []string{"en:Soap opera", "en:Drama", "en:Youth", "en:Series"}},
		{"no genres", nil, "en", []string{"en:Series"}},
		{"already a series", []string{"Drama", "series"}, "en", []string{"en:Drama", "en:series"}},
		{"another language", []string{"Sepie"}, "af", []string{"af:Sepie", "en:Series"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			show := &schedule.Show{ID: "s", Title: "S", Genres: tc.genres, Language: tc.lang}
			var got []string
			xmltvWalk(t, xmltvEncode(t, xmltvOneRun(t, show, 1, 1, false), schedule.Query{}, false), func(parent, name string, attrs []xml.Attr, text string, children []string) {
				if name == "category" {
					lang := ""
					for _, a := range attrs {
						if a.Name.Local == "lang" {
							lang = a.Value
						}
					}
					got = append(got, lang+":"+text)
				}
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("categories %q, want %q", got, tc.want)
			}
		})
	}
	// The default schedule: Kodi's shipped genre table knows "Drama" but
	// not "Soap opera", and maps "Series" to show/game show, so Drama must
	// come before Series.
	tv := xmltvParse(t, xmltvEncode(t, testkit.Default(t), schedule.Query{Run: "original"}, false))
	cats := tv.Programmes[0].Categories
	if d, s := slices.Index(cats, "Drama"), slices.Index(cats, "Series"); d < 0 || s != len(cats)-1 || d > s {
		t.Errorf("default schedule's categories %q: want Drama among them and Series last", cats)
	}
}

// TestXMLTVSeasonByYear checks the invented seasons: off by default, and
// when asked for, the year of each episode's first airing, in both
// episode numbers, with a comment saying they are invented.
func TestXMLTVSeasonByYear(t *testing.T) {
	s := testkit.Default(t)
	q := s.Dates(schedule.Date{Year: 2009, Month: 1, Day: 5}, schedule.Date{Year: 2009, Month: 1, Day: 5})
	plain := xmltvEncode(t, s, q, false)
	if bytes.Contains(plain, []byte("invented")) || bytes.Contains(plain, []byte(`"onscreen">S`)) {
		t.Error("a guide without SeasonByYear has seasons")
	}
	seasons := xmltvEncodeWith(t, s, q, func(e *XMLTVEncoder) { e.SeasonByYear = true })
	if !bytes.Contains(seasons, []byte("<!-- Season numbers are invented")) {
		t.Error("the guide does not say its seasons are invented")
	}
	// 5 January 2009: the rerun of episode 1, first aired in 2000.
	tv := xmltvParse(t, seasons)
	if len(tv.Programmes) != 1 {
		t.Fatalf("got %d programmes on 5 January 2009, want 1", len(tv.Programmes))
	}
	if p := tv.Programmes[0]; p.episodeNum("xmltv_ns") != "1999.0." || p.episodeNum("onscreen") != "S2000E1" {
		t.Errorf("rerun of episode 1: %q and %q, want 1999.0. and S2000E1", p.episodeNum("xmltv_ns"), p.episodeNum("onscreen"))
	}
	last := xmltvParse(t, xmltvEncodeWith(t, s, schedule.Query{Run: "original"}, func(e *XMLTVEncoder) { e.SeasonByYear = true }))
	if p := last.Programmes[len(last.Programmes)-1]; p.episodeNum("xmltv_ns") != "2006.1874." || p.episodeNum("onscreen") != "S2007E1875" {
		t.Errorf("last original: %q and %q, want 2006.1874. and S2007E1875", p.episodeNum("xmltv_ns"), p.episodeNum("onscreen"))
	}
}

// TestXMLTVReplayOf checks a slot re-dated by a time-shifted timeline: it
// points back at the airing it re-dates, on its own run's channel, and
// dates the episode by its first airing.
func TestXMLTVReplayOf(t *testing.T) {
	s := smallSchedule(t)
	var orig schedule.Slot
	for sl := range s.Slots(schedule.Query{}) {
		if sl.Run.Name == "late" {
			orig = sl // episode 1, first aired 2006-12-25 18:30 on etv.co.za
			break
		}
	}
	jnb := orig.FirstAired.Location()
	sl := orig
	sl.ReplayOf = orig.Start
	sl.Start = time.Date(2026, 11, 27, 23, 45, 0, 0, orig.Start.Location())
	sl.End = sl.Start.Add(30 * time.Minute)

	g, err := newXMLTVGuide(s, "")
	if err != nil {
		t.Fatal(err)
	}
	e := NewXMLTVEncoder(io.Discard)
	if err := e.programme(g.run(sl.Run), sl); err != nil {
		t.Fatal(err)
	}
	out := string(e.buf)
	for _, want := range []string{
		`<programme start="20261127234500 +0000" stop="20261128001500 +0000" channel="late.example.uk">`,
		`<previously-shown start="20061229234500 +0000" channel="late.example.uk"/>`,
		`First shown on e.tv on Monday 25 December 2006.`,
		`<date>20061225</date>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("re-dated slot: output lacks %s\n%s", want, out)
		}
	}
	if !orig.FirstAired.Equal(time.Date(2006, 12, 25, 18, 30, 0, 0, jnb)) {
		t.Errorf("fixture changed: first aired %v", orig.FirstAired)
	}
}

// TestXMLTVYears checks what lets Encode write times without checking
// the schedule first: every time a schedule can hold, from a start early
// on the first day of schedule.MinYear to the end of the longest slot
// (time.Duration's most) starting late on the last day of MaxYear, in
// any zone, is one XMLTV can write. A programme whose time XMLTV cannot
// write (which no schedule holds) is refused, with the run and episode,
// rather than written wrong.
func TestXMLTVYears(t *testing.T) {
	east, west := time.FixedZone("", 14*3600), time.FixedZone("", -12*3600)
	for _, at := range []time.Time{
		time.Date(schedule.MinYear, 1, 1, 0, 0, 0, 0, east),
		time.Date(schedule.MaxYear, 12, 31, 23, 59, 59, 0, west).Add(math.MaxInt64),
	} {
		if got, ok := appendXMLTVTime(nil, at); !ok {
			t.Errorf("%v: got %q, not ok; a schedule can hold it", at, got)
		}
	}

	s := smallSchedule(t)
	g, err := newXMLTVGuide(s, "")
	if err != nil {
		t.Fatal(err)
	}
	sl := s.First()
	sl.End = time.Date(10000, 1, 1, 0, 30, 0, 0, time.UTC)
	e := NewXMLTVEncoder(io.Discard)
	err = e.programme(g.run(sl.Run), sl)
	if want := `run "original" episode 1: `; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a programme ending in the year 10000: got %v, want an error naming %s", err, want)
	}
}

func TestXMLTVOtherLanguage(t *testing.T) {
	show := &schedule.Show{
		ID: "sewende", Title: "Sewende Laan", Synopsis: "'n Sepie oor die inwoners van Hillbrow.",
		Language: "af", Credits: schedule.Credits{Creators: []string{"Error Eybers"}},
		EpisodeTitles: map[int]string{1: "Die begin"},
	}
	tv := xmltvParse(t, xmltvEncode(t, xmltvOneRun(t, show, 1, 1, true), schedule.Query{}, false))
	if len(tv.Programmes) != 2 {
		t.Fatalf("got %d programmes, want 2", len(tv.Programmes))
	}
	type desc struct{ Lang, Text string }
	for i, want := range [][]desc{
		{{"af", "'n Sepie oor die inwoners van Hillbrow."}, {"en", "Created by Error Eybers."}},
		{{"af", "'n Sepie oor die inwoners van Hillbrow."}, {"en", "Created by Error Eybers. First shown on e.tv on Monday 1 May 2000."}},
	} {
		var got []desc
		for _, d := range tv.Programmes[i].Desc {
			got = append(got, desc{d.Lang, d.Text})
		}
		if !slices.Equal(got, want) {
			t.Errorf("programme %d: desc %q, want %q", i, got, want)
		}
	}
}

// TestXMLTVSorted checks that programmes come sorted by channel, then
// start, that every selected slot is there once, and that every channel
// is listed, whether or not it has programmes in the window.
func TestXMLTVSorted(t *testing.T) {
	small := smallSchedule(t)
	def := testkit.Default(t)
	for _, tc := range []struct {
		name string
		s    *schedule.Schedule
		q    schedule.Query
	}{
		{"small", small, schedule.Query{}},
		{"small, Johannesburg's 29 December", small, small.Day(schedule.Date{Year: 2006, Month: 12, Day: 29})},
		{"small, late run", small, schedule.Query{Run: "late"}},
		{"small, empty window", small, small.Dates(schedule.Date{Year: 2020, Month: 1, Day: 1}, schedule.Date{Year: 2020, Month: 1, Day: 2})},
		{"default, first quarter of 2009", def, def.Dates(schedule.Date{Year: 2009, Month: 1, Day: 1}, schedule.Date{Year: 2009, Month: 3, Day: 31})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tv := xmltvParse(t, xmltvEncode(t, tc.s, tc.q, false))
			var ids []string
			for _, c := range tv.Channels {
				ids = append(ids, c.ID)
			}
			var want []string
			for _, c := range tc.s.Channels() {
				want = append(want, c.ID)
			}
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Errorf("channels %v, want %v", ids, want)
			}
			if got, want := len(tv.Programmes), tc.s.Count(tc.q); got != want {
				t.Errorf("got %d programmes, want %d", got, want)
			}
			parse := func(s string) time.Time {
				v, err := time.Parse("20060102150405 -0700", s)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			for i := 1; i < len(tv.Programmes); i++ {
				a, b := tv.Programmes[i-1], tv.Programmes[i]
				if a.Channel > b.Channel || (a.Channel == b.Channel && !parse(a.Stop).After(parse(a.Start))) ||
					(a.Channel == b.Channel && parse(b.Start).Before(parse(a.Stop))) {
					t.Errorf("programme %d (%s %s-%s) and %d (%s %s-%s) are out of order or overlap",
						i-1, a.Channel, a.Start, a.Stop, i, b.Channel, b.Start, b.Stop)
				}
			}
		})
	}
}

func TestXMLTVErrors(t *testing.T) {
	s := smallSchedule(t)
	jan := time.Date(2007, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		s    *schedule.Schedule
		q    schedule.Query
		want string
	}{
		{"nil schedule", nil, schedule.Query{}, "feeds: xmltv: no schedule"},
		{"backwards window", s, schedule.Query{From: jan, To: jan.Add(-time.Hour)}, "feeds: xmltv: window ends (2006-12-31T23:00:00Z) before it starts (2007-01-01T00:00:00Z)"},
		{"unknown run", s, schedule.Query{Run: "nope"}, `feeds: xmltv: no run is called "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			e := NewXMLTVEncoder(&buf)
			err := e.Encode(tc.s, tc.q)
			if err == nil || err.Error() != tc.want {
				t.Errorf("Encode: %v, want %s", err, tc.want)
			}
			if err := e.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes on bad input, want none", buf.Len())
			}
		})
	}

	t.Run("twice", func(t *testing.T) {
		e := NewXMLTVEncoder(io.Discard)
		if err := e.Encode(s, schedule.Query{}); err != nil {
			t.Fatal(err)
		}
		if err := e.Encode(s, schedule.Query{}); err == nil {
			t.Error("second Encode succeeded, want an error")
		}
	})

	t.Run("write error", func(t *testing.T) {
		for _, n := range []int{0, 40 << 10} { // fails at the first flush, or a later one
			e := NewXMLTVEncoder(&failWriter{n: n})
			err := e.Encode(testkit.Default(t), schedule.Query{})
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Errorf("Encode after %d bytes: %v, want the write error", n, err)
			}
			if cerr := e.Close(); !errors.Is(cerr, err) && cerr.Error() != err.Error() {
				t.Errorf("Close: %v, want %v", cerr, err)
			}
		}
	})
}

// FuzzXMLTVText puts arbitrary text in every field of a show and checks
// that the guide is still well-formed XML with no empty text elements.
func FuzzXMLTVText(f *testing.F) {
	for _, seed := range []string{"Backstage", `<&>"'`, "a\x00b\x07c", "line\r\nbreak", "caf\xe9", "\ufffe", " ", "", "]]>", "&amp;"} {
		f.Add(seed)
	}
	jnb := testkit.Location(f, "Africa/Johannesburg")
	f.Fuzz(func(t *testing.T, text string) {
		show := &schedule.Show{
			ID: text, Title: text, Synopsis: text, Genres: []string{text}, Country: text, Language: text,
			Credits:       schedule.Credits{Creators: []string{text}, Actors: []string{text, text}, Presenters: []string{text}},
			EpisodeTitles: map[int]string{1: text},
		}
		ch := &schedule.Channel{ID: "ch.example", Name: text}
		s, err := schedule.New(schedule.Plan{Source: text, Runs: []*schedule.Run{
			{Name: "new", Show: show, Channel: ch, Rule: "0 12 * * *", Location: jnb,
				First: schedule.Date{Year: 2000, Month: 1, Day: 1}, Length: time.Hour, FirstEpisode: 1, Count: 2},
			{Name: "again", Show: show, Channel: ch, Rule: "0 14 * * *", Location: jnb,
				First: schedule.Date{Year: 2000, Month: 1, Day: 1}, Length: time.Hour, Replays: "new", ReplayFrom: 1},
		}})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		e := NewXMLTVEncoder(&buf)
		e.Generator, e.MarkNew = text, true
		if err := e.Encode(s, schedule.Query{}); err != nil {
			t.Fatal(err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(buf.Bytes(), []byte("&#")) {
			t.Errorf("the guide holds a numeric character reference")
		}
		tv := xmltvParse(t, buf.Bytes())
		if len(tv.Programmes) != 4 || tv.Generator == "" {
			t.Fatalf("got %d programmes, generator %q; want 4 and a generator", len(tv.Programmes), tv.Generator)
		}
		xmltvWalk(t, buf.Bytes(), func(parent, name string, attrs []xml.Attr, text string, children []string) {
			if len(children) == 0 && !xmltvEmptyOK[name] && strings.TrimSpace(text) == "" {
				t.Errorf("<%s> in <%s> has no text", name, parent)
			}
		})
	})
}
