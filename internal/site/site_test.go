package site

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// newSite lays out the default schedule's site, as serve would without
// flags but for a stream URL.
func newSite(t testing.TB, edit ...func(*Config)) *Site {
	t.Helper()
	cfg := Config{Schedule: testkit.Default(t), Generator: "backstage/test", StreamURL: "http://tv.local/{id}.ts"}
	for _, e := range edit {
		e(&cfg)
	}
	st, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// replaySite lays out the site of a replay window, as serve --replay
// --replay-from 2003-06-16 would at now: the week of 16 June 2003 is
// now's week, and the window runs from the day before now to seven days
// after it.
func replaySite(t testing.TB, now time.Time, edit ...func(*Config)) *Site {
	t.Helper()
	base := testkit.Default(t)
	w, err := base.Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: now, Days: 7, PastDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	today := schedule.DateOf(now.In(base.Location()))
	return newSite(t, append([]func(*Config){func(c *Config) {
		c.Schedule, c.Replay, c.Date = w, true, today
		if first, last := Span(w); !today.Before(first) && !today.After(last) {
		}
	}}, edit...)...)
}

// thursday is the present of the replay tests: Thursday 26 November 2026,
// 20:00 in Johannesburg.
var thursday = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

func render(t testing.TB, st *Site, path string) []byte {
	t.Helper()
	f, ok := st.Lookup(path)
	if !ok {
		t.Fatalf("Lookup(%q): no such file", path)
	}
	b, err := st.Bytes(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var historyElement = regexp.MustCompile(`(?s)<svg class="history".*?</svg>`)

// TestPagesGolden compares a day page, a day with nothing between the
// runs, an episode page, the index on 16 June (its history picture,
// tested on its own, left out) and the index and a day of a replay
// window with golden files.
func TestPagesGolden(t *testing.T) {
	st := newSite(t, func(c *Config) { c.Date = schedule.Date{Year: 2026, Month: 6, Day: 16} })
	testkit.Golden(t, "testdata/day-2003-06-16.html", render(t, st, "days/2003-06-16.html"))
	testkit.Golden(t, "testdata/day-2008-03-04.html", render(t, st, "days/2008-03-04.html"))
	testkit.Golden(t, "testdata/episode-816.html", render(t, st, "episodes/816.html"))
	index := historyElement.ReplaceAll(render(t, st, "index.html"), []byte(`<svg class="history">…</svg>`))
	testkit.Golden(t, "testdata/index.html", index)
	rs := replaySite(t, thursday)
	testkit.Golden(t, "testdata/replay-index.html", render(t, rs, "index.html"))
	testkit.Golden(t, "testdata/replay-day-2026-11-28.html", render(t, rs, "days/2026-11-28.html"))
}

// TestFilesAndLookup checks that Lookup answers for exactly the paths
// Files yields, each once, and that the site is what the contract says.
func TestFilesAndLookup(t *testing.T) {
	st := newSite(t)
	seen := map[string]bool{}
	count := map[string]int{}
	for f := range st.Files() {
		if seen[f.Path] {
			t.Errorf("%s yielded twice", f.Path)
		}
		seen[f.Path] = true
		g, ok := st.Lookup(f.Path)
		if !ok || g != f {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", f.Path, g, ok, f)
		}
		if f.Type == "" {
			t.Errorf("%s has no type", f.Path)
		}
		dir, _, _ := cutLast(f.Path)
		count[dir]++
	}
	days := schedule.Date{Year: 2000, Month: 5, Day: 1}.Days(schedule.Date{Year: 2016, Month: 3, Day: 11}) + 1
	for dir, want := range map[string]int{"days": days, "api/v1/days": days, "episodes": 1875, "api/v1/episodes": 1875, "calendar": 2 + 2 + 16, "years": 17} {
		if count[dir] != want {
			t.Errorf("%s/: %d files, want %d", dir, count[dir], want)
		}
	}
	for _, p := range []string{"index.html", "calendar.ics", "calendar/compact.ics", "calendar/all-day.ics", "calendar/original.ics",
		"calendar/rebroadcast.ics", "calendar/2000.ics", "calendar/2016.ics", "xmltv.xml", "xmltv.xml.gz", "channels.m3u",
		"api/v1/runs.json", "api/v1/days/2008-03-04.json", "api/v1/episodes/1000.json", "days/2007-12-25.html", "assets/style.css",
		"years/2000.html", "years/2008.html", "years/2016.html", "favicon.ico"} {
		if !seen[p] {
			t.Errorf("the site lacks %s", p)
		}
	}
	for _, p := range []string{"calendar/2008.ics", "days/2000-04-30.html", "days/2016-03-12.html", "episodes/1876.html", "episodes/0816.html",
		"api/v1/days/2003-02-30.json", "days/2003-6-16.html", "assets/page.html", "../etc/passwd", "calendar/../calendar.ics", "days/", "x",
		"years/1999.html", "years/2017.html", "years/03.html", "years/2003", "years/+003.html", "api/v1/years/2003.html", "api/v1/years/2003.json",
		"days/2003-06-16.json", "api/v1/days/2003-06-16.html", "episodes/816.json", "api/v1/episodes/816.html", "api/v1/index.html",
		"assets/", "assets/favicon.ico", "calendar/", "calendar/2003.html", "xmltv.xml.gz.gz", "/index.html", "index.html/"} {
		if _, ok := st.Lookup(p); ok {
			t.Errorf("Lookup(%q) finds a file", p)
		}
	}
	if _, ok := newSite(t, func(c *Config) { c.StreamURL = "" }).Lookup("channels.m3u"); ok {
		t.Error("a playlist without a stream URL")
	}
	// A replay window has its days' pages and no year's.
	rs := replaySite(t, thursday)
	for f := range rs.Files() {
		if strings.HasPrefix(f.Path, "years/") {
			t.Errorf("a replay site has %s", f.Path)
		}
	}
	// Every file of a replay site and of one with a public URL is found
	// where Files puts it, and every feed by what it holds: the first
	// path of that feed (a window of one year is the whole calendar).
	for _, s := range []*Site{rs, newSite(t, func(c *Config) { c.PublicURL = "https://tv.example.org/b" })} {
		first := map[string]File{}
		for f := range s.Files() {
			if g, ok := s.Lookup(f.Path); !ok || g != f {
				t.Errorf("Lookup(%q) = %+v, %v; want %+v", f.Path, g, ok, f)
			}
			if f.Kind != Feed {
				continue
			}
			o := f.Feed
			o.Generator, o.BaseURL = "", ""
			key := fmt.Sprint(o, f.Gzip)
			if _, ok := first[key]; !ok {
				first[key] = f
			}
			if g := s.FeedFile(o, f.Gzip); g != first[key] {
				t.Errorf("FeedFile(%+v, %v) = %q, want %q", o, f.Gzip, g.Path, first[key].Path)
			}
		}
	}
	if _, ok := rs.Lookup("years/2026.html"); ok {
		t.Error("a replay site finds years/2026.html")
	}
}

// TestSiteSize: the whole site stays well under 60 MB, the history
// picture appearing once.
func TestSiteSize(t *testing.T) {
	st := newSite(t)
	var total, pictures int
	for f := range st.Files() {
		b, err := st.Bytes(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		total += len(b)
		pictures += bytes.Count(b, []byte(`<svg class="history"`))
	}
	t.Logf("the default site: %.1f MB", float64(total)/1e6)
	if total > 45e6 {
		t.Errorf("the site is %d bytes, want under 45 MB (the .gz siblings must fit under 60 MB with it)", total)
	}
	if pictures != 1 {
		t.Errorf("the history picture appears %d times, want once", pictures)
	}
}

// TestLinksResolve follows every link of every page to a file of the
// site: what a static host serves is all a link can reach. A link to a
// part of a page (#m06) must find an element with that id there. Links
// with a query (the forms' fallbacks) and webcal links are checked by
// the server's tests.
func TestLinksResolve(t *testing.T) {
	href := regexp.MustCompile(`(?:href|src)="([^"]*)"`)
	for _, public := range []string{"", "https://tv.example.org/backstage"} {
		for _, st := range []*Site{
			newSite(t, func(c *Config) { c.PublicURL, c.Date = public, schedule.Date{Year: 2026, Month: 6, Day: 16} }),
			replaySite(t, thursday, func(c *Config) { c.PublicURL = public }),
		} {
			pages := 0
			bodies := map[string][]byte{}
			page := func(path string) []byte {
				if b, ok := bodies[path]; ok {
					return b
				}
				f, _ := st.Lookup(path)
				b, err := st.Bytes(context.Background(), f)
				if err != nil {
					t.Fatal(err)
				}
				bodies[path] = b
				return b
			}
			for f := range st.Files() {
				if f.Kind != Page {
					continue
				}
				// Every page of the site would take long; the index, the
				// years, a replay window's days, and a sample of days
				// (the gap's among them) and episodes, cover every kind
				// of link.
				if f.Path != "index.html" && !strings.HasPrefix(f.Path, "years/") && !st.cfg.Replay && !strings.HasSuffix(f.Path, "-16.html") &&
					!strings.HasPrefix(f.Path, "days/2008-03-") && !strings.HasPrefix(f.Path, "episodes/81") {
					continue
				}
				pages++
				for _, m := range href.FindAllSubmatch(page(f.Path), -1) {
					link := xmlUnescape(string(m[1]))
					if strings.HasPrefix(link, "#") || strings.HasPrefix(link, "webcal:") {
						continue
					}
					link, frag, _ := strings.Cut(link, "#")
					target := resolve(t, public, f.Path, link)
					if target == "" {
						t.Errorf("%s (public %q): link %q leaves the site", f.Path, public, link)
						continue
					}
					g, ok := st.Lookup(target)
					if !ok {
						t.Errorf("%s (public %q): link %q goes to %q, which the site lacks", f.Path, public, link, target)
						continue
					}
					if frag != "" && !bytes.Contains(page(g.Path), []byte(` id="`+frag+`"`)) {
						t.Errorf("%s (public %q): link %q#%s: %s has no element with that id", f.Path, public, link, frag, g.Path)
					}
				}
			}
			if pages < 8 || (!st.cfg.Replay && pages < 50) {
				t.Errorf("checked %d pages", pages)
			}
		}
	}
}

// resolve returns the site path link leads to from the page at from, or
// "" when it leads off the site.
func resolve(t *testing.T, public, from, link string) string {
	base := "https://site.invalid/" + from
	prefix := "https://site.invalid/"
	if public != "" {
		base = public + "/" + from
		prefix = public + "/"
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	l, err := u.Parse(link)
	if err != nil {
		t.Fatalf("%s: link %q: %v", from, link, err)
	}
	l.RawQuery = ""
	s := l.String()
	if !strings.HasPrefix(s, prefix) {
		return ""
	}
	p := strings.TrimPrefix(s, prefix)
	if p == "" {
		return "index.html" // what a web server answers for a folder
	}
	if p != path.Clean(p) {
		return ""
	}
	return p
}

func xmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// TestPagesWellFormed checks the markup of every kind of page.
func TestPagesWellFormed(t *testing.T) {
	st := newSite(t, func(c *Config) { c.Date = schedule.Date{Year: 2026, Month: 2, Day: 29} })
	for _, p := range []string{"index.html", "days/2003-06-16.html", "days/2008-03-04.html", "days/2000-05-01.html", "days/2016-03-11.html",
		"episodes/1.html", "years/2000.html", "years/2008.html"} {
		t.Run(p, func(t *testing.T) { checkMarkup(t, render(t, st, p)) })
	}
	var b bytes.Buffer
	if err := st.ErrorPage(&b, "something <odd>"); err != nil {
		t.Fatal(err)
	}
	checkMarkup(t, b.Bytes())
	rs := replaySite(t, thursday)
	for _, p := range []string{"index.html", "days/2026-11-26.html", "days/2026-11-28.html", "episodes/819.html"} {
		t.Run("replay "+p, func(t *testing.T) { checkMarkup(t, render(t, rs, p)) })
	}
	b.Reset()
	if ok, err := rs.EpisodeElsewhere(&b, 1000); !ok || err != nil {
		t.Fatalf("EpisodeElsewhere(1000) = %v, %v", ok, err)
	}
	checkMarkup(t, b.Bytes())
}

func checkMarkup(t *testing.T, page []byte) {
	t.Helper()
	if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>\n<html lang=\"en\"")) {
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

func TestPages(t *testing.T) {
	st := newSite(t)
	for _, c := range []struct {
		path string
		want []string
		not  []string
	}{
		{"days/2003-06-16.html", []string{
			`<h3 id="day-title">Monday 16 June 2003</h3>`, `value="2003-06-16"`, `<html lang="en" data-root="../">`,
			`href="../days/2003-06-15.html" rel="prev"`, `href="../days/2003-06-17.html" rel="next"`,
			`<a href="../episodes/816.html">Episode 816</a>`, "18:30–19:00 SAST", `<a href="../">Backstage on e.tv</a>`,
		}, []string{`role="alert"`, "<svg", "Subscribe"}},
		{"days/2009-01-05.html", []string{"16:40–17:10 SAST", "e.tv, rebroadcast", `<a href="../days/2000-05-01.html">first aired Monday 1 May 2000, 18:30</a>`}, nil},
		{"days/2008-03-04.html", []string{"Nothing aired on this day."}, []string{"The schedule runs from"}},
		{"days/2000-05-01.html", []string{`rel="next"`}, []string{`rel="prev"`}},
		{"days/2016-03-11.html", []string{`rel="prev"`}, []string{`rel="next"`}},
		{"episodes/1.html", []string{`<h3 id="episode-title">Episode 1</h3>`, "Mon 1 May 2000", "Mon 5 Jan 2009", `value="1"`}, []string{`id="day-title"`}},
		{"episodes/816.html", []string{"Mon 20 Feb 2012"}, nil},
		{"index.html", []string{"<svg", `<a href="days/2003-06-16.html"><title>Mon 2003-06-16: episode 816 (original)</title>`, `<html lang="en" data-root="">`, `action="./"`}, []string{`id="day-title"`}},
	} {
		t.Run(c.path, func(t *testing.T) {
			body := string(render(t, st, c.path))
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range c.not {
				if strings.Contains(body, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}

// TestToday: the index answers for today when the schedule reaches it.
func TestToday(t *testing.T) {
	st := newSite(t, func(c *Config) { c.Date = schedule.Date{Year: 2003, Month: 6, Day: 16} })
	if body := render(t, st, "index.html"); !bytes.Contains(body, []byte(`<h3 id="day-title">Monday 16 June 2003</h3>`)) {
		t.Error("the index does not answer for today")
	}
}

func TestSubscribe(t *testing.T) {
	body := string(render(t, newSite(t), "index.html"))
	for _, w := range []string{
		`href="calendar.ics"`, `href="calendar/compact.ics"`, `href="calendar/2003.ics"`, `href="calendar/original.ics"`, `href="calendar/all-day.ics"`,
		`href="xmltv.xml.gz"`, `href="channels.m3u"`, `data-webcal="calendar.ics"`,
		"The full history, 3750 airings (1716 KB)", "(5 KB)", "up to 131 KB", "The full history is over the 1 MB",
		"Kodi", "Jellyfin", "Plex", "TVHeadend", "Google Calendar", "Apple Calendar", "Thunderbird", "khal", "backstage publish",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("index lacks %q", w)
		}
	}
	body = string(render(t, newSite(t, func(c *Config) { c.PublicURL = "https://tv.example.org/b/"; c.StreamURL = "" }), "index.html"))
	for _, w := range []string{`href="webcal://tv.example.org/b/calendar.ics"`, `href="https://tv.example.org/b/xmltv.xml.gz"`,
		`href="https://tv.example.org/b/days/2003-06-16.html"`, "give <code>--stream-url URL</code>"} {
		if !strings.Contains(body, w) {
			t.Errorf("index with a public URL lacks %q", w)
		}
	}
	if strings.Contains(body, "data-webcal") || strings.Contains(body, "backstage publish") {
		t.Error("an index with a public URL makes webcal links by script, or advises on publishing")
	}
}

// TestFacts checks that the index says which details are assumptions,
// from the runs' own notes.
func TestFacts(t *testing.T) {
	st := newSite(t)
	page := string(render(t, st, "index.html"))
	for _, r := range st.Schedule().Runs() {
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
	pic := newSite(t).historySVG()
	text := string(pic.svg)
	rows := regexp.MustCompile(`<text class="year" x="0" y="\d+">(\d+)</text>`).FindAllStringSubmatch(text, -1)
	if len(rows) != 17 || rows[0][1] != "2000" || rows[16][1] != "2016" {
		t.Fatalf("got %d rows, want 2000 to 2016", len(rows))
	}
	cell := regexp.MustCompile(`(?:<a href="days/(\d{4})-\d\d-\d\d.html">|<g>)<title>(\w{3} (\d{4})-\d\d-\d\d)[^<]*</title><rect x="\d+" width="3" height="12" class="(\w+)"/></(?:a|g)>`)
	cells := cell.FindAllStringSubmatch(text, -1)
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
	linked := 0
	for _, c := range cells {
		count[c[4]]++
		if c[3] == "2008" && c[4] != "n" {
			t.Errorf("a day of 2008, in the gap, is coloured %s", c[4])
		}
		if c[1] != "" {
			linked++
		}
	}
	// Days before the first airing and after the last have no page, and
	// are told apart from the days in between when nothing aired.
	inRange := 0
	for d := (schedule.Date{Year: 2000, Month: 5, Day: 1}); !d.After(schedule.Date{Year: 2016, Month: 3, Day: 11}); d = d.AddDays(1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			inRange++
		}
	}
	if count["r0"] != 1875 || count["r1"] != 1875 || count["n"] != inRange-3750 || count["o"] != weekdays-inRange {
		t.Errorf("got %v, want 1875 original, 1875 rebroadcast, %d nothing, %d outside", count, inRange-3750, weekdays-inRange)
	}
	if linked != inRange {
		t.Errorf("%d cells link to a day, want the %d weekdays from the first airing to the last", linked, inRange)
	}
	want := []legendItem{{"r0", "original", "1875 weekdays"}, {"r1", "rebroadcast", "1875 weekdays"},
		{"n", "nothing aired", strconv.Itoa(inRange-3750) + " weekdays from the first airing to the last"},
		{"o", "before the first airing or after the last", strconv.Itoa(weekdays-inRange) + " weekdays"}}
	if len(pic.legend) != len(want) {
		t.Fatalf("got legend %v, want %v", pic.legend, want)
	}
	for i := range want {
		if pic.legend[i] != want[i] {
			t.Errorf("got legend %v, want %v", pic.legend, want)
		}
	}
	for _, w := range []string{`aria-labelledby="history-title"`, `<title id="history-title">`, `<desc id="history-desc">original: 1875 airings from 1 May 2000 to 6 July 2007`,
		`<a href="days/2003-06-16.html"><title>Mon 2003-06-16: episode 816 (original)</title>`, `<title>Tue 2008-03-04: nothing aired</title>`} {
		if !strings.Contains(text, w) {
			t.Errorf("picture lacks %q", w)
		}
	}
}

func TestRunSlugs(t *testing.T) {
	runs := func(names ...string) []*schedule.Run {
		var rs []*schedule.Run
		for _, n := range names {
			rs = append(rs, &schedule.Run{Name: n})
		}
		return rs
	}
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"original", "rebroadcast"}, "original rebroadcast"},
		{[]string{"Original Run"}, "original-run"},
		{[]string{"Late Show", "late show"}, "late-show-b0c6b447 late-show-b6c54a8f"},
		{[]string{"run-2", "!!!"}, "run-2 run-e84c538e"},
		{[]string{"compact-run-2", "compact"}, "compact-run-2 compact-b6b54201"},
		{[]string{"2003", "compact", "all-day", "/../x", "ça", "..."}, "2003-77459b9b compact-b6b54201 all-day-c7ca8cfb x a run-ab5df625"},
		{[]string{"Привет", "Ελληνικά", "日本"}, "run-dd679c0b run-25d77ab9 run-cf2abf0c"},
		{[]string{strings.Repeat("a", 300)}, strings.Repeat("a", 60) + "-9835fa6b"},
	} {
		slugs := runSlugs(runs(c.names...))
		if got := strings.Join(slugs, " "); got != c.want {
			t.Errorf("slugs of %q: %q, want %q", c.names, got, c.want)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(slugs)))) != len(c.names) {
			t.Errorf("slugs of %q are not all different: %q", c.names, slugs)
		}
		// The same names in the other order: the same slugs.
		rev := slices.Clone(c.names)
		slices.Reverse(rev)
		back := runSlugs(runs(rev...))
		slices.Reverse(back)
		if !slices.Equal(back, slugs) {
			t.Errorf("slugs of %q depend on the order: %q, reversed %q", c.names, slugs, back)
		}
	}
	// Two runs of one name (the loader refuses them; the site copes).
	if s := runSlugs(runs("x", "x")); s[0] == s[1] {
		t.Errorf("two runs called x share %q", s[0])
	}
}

// TestFeedFile: a feed asked for by its options is the site's file when
// the site has it, so a server's query URL and the file share one
// rendering.
func TestFeedFile(t *testing.T) {
	st := newSite(t)
	y := func(n int) schedule.Window {
		return schedule.Window{From: schedule.Date{Year: n, Month: 1, Day: 1}, To: schedule.Date{Year: n, Month: 12, Day: 31}}
	}
	for _, c := range []struct {
		o    feeds.Options
		gz   bool
		path string
	}{
		{feeds.Options{Format: feeds.ICal}, false, "calendar.ics"},
		{feeds.Options{Format: feeds.ICal, Window: y(2003)}, false, "calendar/2003.ics"},
		{feeds.Options{Format: feeds.ICal, Window: y(2000)}, false, "calendar/2000.ics"},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Window{From: schedule.Date{Year: 1999, Month: 1, Day: 1}}}, false, "calendar.ics"},
		{feeds.Options{Format: feeds.ICal, Window: schedule.Window{Run: "original"}}, false, "calendar/original.ics"},
		{feeds.Options{Format: feeds.ICal, Compact: true}, false, "calendar/compact.ics"},
		{feeds.Options{Format: feeds.XMLTV}, true, "xmltv.xml.gz"},
		{feeds.Options{Format: feeds.XMLTV, MarkNew: true}, false, ""},
		{feeds.Options{Format: feeds.ICal, Window: y(2008)}, false, ""},
	} {
		if f := st.FeedFile(c.o, c.gz); f.Path != c.path || f.Kind != Feed {
			t.Errorf("FeedFile(%+v, %v) = %q, want %q", c.o, c.gz, f.Path, c.path)
		}
	}
}

// TestHistoryBusyDay: a day's title in the picture names at most three
// airings and says how many more, so that a schedule of many channels
// does not make a picture of megabytes.
func TestHistoryBusyDay(t *testing.T) {
	var runs strings.Builder
	for i := range 5 {
		fmt.Fprintf(&runs, "  - {name: r%d, show: s, channel: c.example, slot: \"%d 20 * * *\", first: 2003-06-16, last: 2003-06-17, length: 10m, episodes: {first: 1}}\n", i, i*10)
	}
	s, err := schedfile.Parse("busy.yaml", []byte("timezone: UTC\nshows: [{id: s, title: Show}]\nchannels: [{id: c.example, name: C}]\nruns:\n"+runs.String()))
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(Config{Schedule: s})
	if err != nil {
		t.Fatal(err)
	}
	text := string(st.historySVG().svg)
	for _, w := range []string{
		"<title>Mon 2003-06-16: 5 airings, episode 1 (r0), episode 1 (r1), episode 1 (r2) and 2 more</title>",
		"<title>Tue 2003-06-17: 5 airings, episode 2 (r0), episode 2 (r1), episode 2 (r2) and 2 more</title>",
		`class="m"`,
	} {
		if !strings.Contains(text, w) {
			t.Errorf("picture lacks %q", w)
		}
	}
}

// TestHighEpisodeNumbers: a schedule file may number its episodes from
// near schedule.MaxEpisode; the site has a page for each that aired and
// none for the numbers below. Laying out the site takes as long as the
// airings, not the numbers: asking for every number up to the highest
// took over a minute for these two airings.
func TestHighEpisodeNumbers(t *testing.T) {
	first := schedule.MaxEpisode - 1
	s, err := schedfile.Parse("high.yaml", []byte(fmt.Sprintf("timezone: UTC\nshows: [{id: s, title: Show}]\nchannels: [{id: c.example, name: C}]\nruns:\n"+
		"  - {name: r, show: s, channel: c.example, slot: \"0 20 * * *\", first: 2003-12-31, last: 2004-01-01, length: 10m, episodes: {first: %d}}\n", first)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(Config{Schedule: s})
	if err != nil {
		t.Fatal(err)
	}
	var eps, years []string
	for f := range st.Files() {
		switch dir, name, _ := cutLast(f.Path); dir {
		case "episodes":
			eps = append(eps, name)
		case "calendar":
			if isYear(strings.TrimSuffix(name, ".ics")) {
				years = append(years, name)
			}
		}
	}
	want := []string{strconv.Itoa(first) + ".html", strconv.Itoa(first+1) + ".html"}
	if fmt.Sprint(eps) != fmt.Sprint(want) {
		t.Errorf("episode pages %v, want %v", eps, want)
	}
	if fmt.Sprint(years) != "[2003.ics 2004.ics]" {
		t.Errorf("year calendars %v, want 2003 and 2004", years)
	}
	for _, p := range []string{"episodes/1.html", "api/v1/episodes/" + strconv.Itoa(first-1) + ".json"} {
		if _, ok := st.Lookup(p); ok {
			t.Errorf("Lookup(%q) finds a file", p)
		}
	}
}

// TestHistoryWeekends: when some run airs at a weekend the picture has a
// cell for every day, says so, and names in the legend the days of more
// than one run; a day of three airings names all three.
func TestHistoryWeekends(t *testing.T) {
	var runs strings.Builder
	for i, days := range []string{"first: 2003-06-14, last: 2003-06-16", "first: 2003-06-15, last: 2003-06-15", "first: 2003-06-15, last: 2003-06-15"} {
		fmt.Fprintf(&runs, "  - {name: r%d, show: s, channel: c.example, slot: \"%d 20 * * *\", %s, length: 10m, episodes: {first: 1}}\n", i, i*10, days)
	}
	s, err := schedfile.Parse("weekend.yaml", []byte("timezone: UTC\nshows: [{id: s, title: Show}]\nchannels: [{id: c.example, name: C}]\nruns:\n"+runs.String()))
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(Config{Schedule: s})
	if err != nil {
		t.Fatal(err)
	}
	pic := st.historySVG()
	for _, w := range []string{
		`<title>Sat 2003-06-14: episode 1 (r0)</title>`,
		`<title>Sun 2003-06-15: episode 2 (r0), episode 1 (r1), episode 1 (r2)</title>`,
		`<title>Sun 2003-06-01: nothing aired</title>`,
	} {
		if !strings.Contains(string(pic.svg), w) {
			t.Errorf("picture lacks %q", w)
		}
	}
	if !strings.HasPrefix(pic.note, "One row per year, one cell per day,") {
		t.Errorf("note %q, want one cell per day", pic.note)
	}
	want := []legendItem{{"r0", "r0", "2 days"}, {"m", "more than one run", "1 day"},
		{"n", "nothing aired", "0 days from the first airing to the last"}, {"o", "before the first airing or after the last", "362 days"}}
	if fmt.Sprint(pic.legend) != fmt.Sprint(want) {
		t.Errorf("legend %v, want %v", pic.legend, want)
	}
}

// TestNewRefuses: a site needs a schedule, and a public URL that links
// can be made under: absolute, without a query or a fragment.
func TestNewRefuses(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without a schedule: no error")
	}
	s := testkit.Default(t)
	for _, u := range []string{"tv.example.org/b", "/b", "https://tv.example.org/b?x=1", "https://tv.example.org/b#top", "ftp://tv.example.org/b", "https://tv.example.org/a b"} {
		if _, err := New(Config{Schedule: s, PublicURL: u}); err == nil {
			t.Errorf("New with public URL %q: no error", u)
		}
	}
	for _, u := range []string{"https://tv.example.org/b", "https://tv.example.org/b/", "http://192.168.1.10:8080"} {
		if _, err := New(Config{Schedule: s, PublicURL: u}); err != nil {
			t.Errorf("New with public URL %q: %v", u, err)
		}
	}
}
func TestCheckURLs(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "https://tv.example.org/backstage/"} {
		if err := feeds.CheckBaseURL(u); err != nil {
			t.Errorf("feeds.CheckBaseURL(%q): %v", u, err)
		}
	}
	for _, u := range []string{"", "tv.example.org", "ftp://x", "https://x/?a=1", "https://u:p@x/", "http://"} {
		if err := feeds.CheckBaseURL(u); err == nil {
			t.Errorf("feeds.CheckBaseURL(%q): no error", u)
		}
	}
	for _, u := range []string{"http://192.168.1.10:8409/iptv/channel/1.ts", "udp://@239.0.0.1:1234", "http://tv/{id}.m3u8"} {
		if err := CheckStreamURL(u); err != nil {
			t.Errorf("CheckStreamURL(%q): %v", u, err)
		}
	}
	for _, u := range []string{"", "/local/file.ts", "stream", "http://x/\n#EXTINF"} {
		if err := CheckStreamURL(u); err == nil {
			t.Errorf("CheckStreamURL(%q): no error", u)
		}
	}
}
