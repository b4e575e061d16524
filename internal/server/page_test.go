package server

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

var historyElement = regexp.MustCompile(`(?s)<svg class="history".*?</svg>`)

// TestPageGolden compares the page of one day with a golden file, the
// history picture (tested on its own) left out.
func TestPageGolden(t *testing.T) {
	h := newServer(t).Handler()
	resp, body := do(t, h, "GET", "/?date=2003-06-16")
	if resp.StatusCode != 200 {
		t.Fatalf("got %d", resp.StatusCode)
	}
	testkit.Golden(t, "testdata/page-2003-06-16.html", historyElement.ReplaceAll(body, []byte(`<svg class="history">…</svg>`)))
}

// TestPageWellFormed checks the markup of several pages: well-formed (the
// template is written as XHTML-compatible HTML, so an XML parser can
// check it), ids unique, every field labelled, every reference to an id
// resolved, every link with a target.
func TestPageWellFormed(t *testing.T) {
	h := newServer(t).Handler()
	for _, target := range []string{"/", "/?date=2003-06-16", "/?episode=1", "/?date=2009-01-05&episode=5", "/?date=2003-02-30", "/?date=2020-01-01"} {
		t.Run(target, func(t *testing.T) {
			_, body := do(t, h, "GET", target)
			checkMarkup(t, body)
		})
	}
}

func checkMarkup(t *testing.T, page []byte) {
	t.Helper()
	if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>\n<html lang=\"en\">")) {
		t.Errorf("page does not start with the doctype and <html lang>")
	}
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	ids := map[string]bool{}
	labels := map[string]bool{}
	var inputs, refs []string
	links := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := map[string]string{}
		for _, a := range el.Attr {
			attr[a.Name.Local] = a.Value
		}
		if id, ok := attr["id"]; ok {
			if ids[id] {
				t.Errorf("id %q used twice", id)
			}
			ids[id] = true
		}
		for _, k := range []string{"aria-labelledby", "aria-describedby"} {
			refs = append(refs, strings.Fields(attr[k])...)
		}
		switch el.Name.Local {
		case "label":
			labels[attr["for"]] = true
		case "input":
			inputs = append(inputs, attr["id"])
		case "a":
			links++
			if attr["href"] == "" {
				t.Errorf("a link without href: %v", el.Attr)
			}
		case "img":
			if _, ok := attr["alt"]; !ok {
				t.Errorf("img without alt")
			}
		}
	}
	for _, id := range inputs {
		if !labels[id] {
			t.Errorf("input %q has no label", id)
		}
	}
	for _, id := range refs {
		if !ids[id] {
			t.Errorf("aria reference to missing id %q", id)
		}
	}
	if links == 0 {
		t.Error("no links")
	}
}

func TestPage(t *testing.T) {
	h := newServer(t).Handler()
	for _, c := range []struct {
		target string
		status int
		want   []string
		not    []string
	}{
		{"/?date=2003-06-16", 200, []string{
			`<h3 id="day-title">Monday 16 June 2003</h3>`, `value="2003-06-16"`,
			`href="?date=2003-06-15" rel="prev"`, `href="?date=2003-06-17" rel="next"`,
			`<a href="?episode=816">Episode 816</a>`, "18:30–19:00 SAST",
		}, []string{`role="alert"`}},
		{"/?date=2009-01-05", 200, []string{"16:40–17:10 SAST", "e.tv, rebroadcast", `<a href="?date=2000-05-01">first aired Monday 1 May 2000, 18:30</a>`}, nil},
		{"/?date=2008-03-04", 200, []string{"Nothing aired on this day."}, []string{"The schedule runs from"}},
		{"/?date=2020-01-01", 200, []string{"Nothing aired on this day. The schedule runs from 2000-05-01 to 2016-03-11."}, nil},
		{"/?episode=1", 200, []string{`<h3 id="episode-title">Episode 1</h3>`, "Mon 1 May 2000", "Mon 5 Jan 2009", `value="1"`}, []string{`id="day-title"`}},
		{"/?episode=+1", 200, []string{`<h3 id="episode-title">Episode 1</h3>`}, nil},
		{"/?date=2003-06-16&episode=816", 200, []string{`id="day-title"`, `id="episode-title"`, "Mon 20 Feb 2012"}, nil},
		{"/?date=", 200, []string{"<svg"}, []string{`id="day-title"`, `role="alert"`}},
		{"/?date=today", 200, []string{`value="2026-11-26"`, "Nothing aired on this day."}, nil},
		{"/?date=2003-02-30", 400, []string{`role="alert"`, `date &#34;2003-02-30&#34;: day out of range (want YYYY-MM-DD)`, `<form method="get" action=".">`, "<svg"}, nil},
		{"/?date=<script>", 400, []string{`date &#34;&lt;script&gt;&#34;`}, []string{"<script>"}},
		{"/?episode=0", 400, []string{`episode &#34;0&#34;: want a whole number from 1 to 1875`}, nil},
		{"/?episode=1876", 404, []string{"episode 1876 never aired"}, nil},
		{"/?year=2003", 400, []string{`unknown parameter &#34;year&#34;: want date, episode`}, nil},
	} {
		t.Run(c.target, func(t *testing.T) {
			resp, body := do(t, h, "GET", c.target)
			if resp.StatusCode != c.status {
				t.Errorf("got status %d, want %d", resp.StatusCode, c.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("got Content-Type %q", ct)
			}
			for _, w := range c.want {
				if !bytes.Contains(body, []byte(w)) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range c.not {
				if bytes.Contains(body, []byte(w)) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}

func TestPageSubscribe(t *testing.T) {
	_, body := do(t, newServer(t).Handler(), "GET", "/")
	for _, w := range []string{
		`href="webcal://example.com/calendar.ics"`, `href="http://example.com/calendar.ics"`,
		`href="http://example.com/calendar.ics?compact=1"`, `href="http://example.com/calendar.ics?year=2003"`,
		`href="http://example.com/xmltv.xml.gz"`, `href="http://example.com/channels.m3u"`,
		"The full history (1716 KB)", "(5 KB)", "up to 131 KB", "The full history is over the 1 MB",
		"Kodi", "Jellyfin", "Plex", "TVHeadend", "Google Calendar", "Apple Calendar", "Thunderbird", "khal",
	} {
		if !bytes.Contains(body, []byte(w)) {
			t.Errorf("page lacks %q", w)
		}
	}
	if bytes.Contains(body, []byte("--public-url")) {
		t.Error("a public host is told to set --public-url")
	}

	h := newServer(t, func(s *Server) { s.PublicURL = "https://tv.example.org/b/"; s.StreamURL = "" }).Handler()
	_, body = do(t, h, "GET", "/")
	for _, w := range []string{`href="webcal://tv.example.org/b/calendar.ics"`, `href="https://tv.example.org/b/xmltv.xml.gz"`, "start the server with <code>--stream-url URL</code>"} {
		if !bytes.Contains(body, []byte(w)) {
			t.Errorf("page lacks %q", w)
		}
	}
	r, body := do(t, newServer(t).Handler(), "GET", "http://127.0.0.1:8080/")
	if r.StatusCode != 200 || !bytes.Contains(body, []byte("--public-url")) {
		t.Error("a loopback host is not told about --public-url")
	}
}

// TestPageFacts checks that the page says which details are assumptions,
// from the runs' own notes.
func TestPageFacts(t *testing.T) {
	s := newServer(t)
	_, body := do(t, s.Handler(), "GET", "/")
	page := string(body)
	for _, r := range s.Schedule.Runs() {
		for _, a := range r.Assumptions {
			if !strings.Contains(page, templateEscape(a.Note)) {
				t.Errorf("page lacks the %s run's assumption about %s: %q", r.Name, a.Field, a.Note)
			}
		}
	}
	for _, w := range []string{"Source: Backstage (South African TV series)", "Mfundi Vundla", "<strong class=\"assumed\">Assumption:</strong>", "<td>2000-05-01</td><td>sourced</td>"} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func templateEscape(s string) string {
	return strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func TestHistorySVG(t *testing.T) {
	s := testkit.Default(t)
	svg, legend := historySVG(s)
	text := string(svg)
	rows := regexp.MustCompile(`<text class="year" x="0" y="\d+">(\d+)</text>`).FindAllStringSubmatch(text, -1)
	if len(rows) != 17 || rows[0][1] != "2000" || rows[16][1] != "2016" {
		t.Fatalf("got %d rows, want 2000 to 2016", len(rows))
	}
	cells := regexp.MustCompile(`<a href="\?date=(\d{4})-\d\d-\d\d"><title>[^<]*</title><rect x="\d+" width="3" height="12" class="(\w+)"/></a>`).FindAllStringSubmatch(text, -1)
	weekdays := 0
	for d := (schedule.Date{Year: 2000, Month: 1, Day: 1}); d.Year <= 2016; d = d.AddDays(1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			weekdays++
		}
	}
	if len(cells) != weekdays {
		t.Errorf("got %d cells, want one per weekday: %d", len(cells), weekdays)
	}
	count := map[string]int{}
	for _, c := range cells {
		count[c[2]]++
		if c[1] == "2008" && c[2] != "n" {
			t.Errorf("a day of 2008, in the gap, is coloured %s", c[2])
		}
	}
	if count["r0"] != 1875 || count["r1"] != 1875 || count["n"] != weekdays-3750 {
		t.Errorf("got %v, want 1875 original, 1875 rebroadcast, the rest nothing", count)
	}
	want := []legendItem{{"r0", "original", 1875}, {"r1", "rebroadcast", 1875}, {"n", "nothing aired", weekdays - 3750}}
	if len(legend) != len(want) {
		t.Fatalf("got legend %v, want %v", legend, want)
	}
	for i := range want {
		if legend[i] != want[i] {
			t.Errorf("got legend %v, want %v", legend, want)
		}
	}
	for _, w := range []string{`aria-labelledby="history-title"`, `<title id="history-title">`, `<desc id="history-desc">original: 1875 airings from 1 May 2000 to 6 July 2007`,
		`<a href="?date=2003-06-16"><title>Mon 2003-06-16: episode 816 (original)</title>`, `<title>Tue 2008-03-04: nothing aired</title>`} {
		if !strings.Contains(text, w) {
			t.Errorf("picture lacks %q", w)
		}
	}
}

func TestGzipSpliced(t *testing.T) {
	mid := deflate(bytes.Repeat([]byte("<rect x=\"1\"/>"), 5000), 6)
	for _, c := range [][2]string{{"", ""}, {"<p>before</p>", "<p>after</p>"}, {strings.Repeat("a", 100000), "z"}} {
		var b bytes.Buffer
		gzipSpliced(&b, []byte(c[0]), mid, []byte(c[1]))
		want := c[0] + string(mid.raw) + c[1]
		if got := gunzip(t, b.Bytes()); string(got) != want {
			t.Errorf("spliced gzip unpacks to %d bytes, want %d", len(got), len(want))
		}
	}
}
