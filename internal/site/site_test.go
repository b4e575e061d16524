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

// TestPagesGolden compares a day page, a day with nothing between the
// runs, an episode page (with and without a public URL), a year, the
// index on 16 June, the 404 page, a day outside the history and a row of
// the history picture, and the index, a day and an episode of a replay
// window with golden files.
func TestPagesGolden(t *testing.T) {
	st := newSite(t, func(c *Config) { c.Date = schedule.Date{Year: 2026, Month: 6, Day: 16} })
	testkit.Golden(t, "testdata/day-2003-06-16.html", render(t, st, "days/2003-06-16.html"))
	testkit.Golden(t, "testdata/day-2008-03-04.html", render(t, st, "days/2008-03-04.html"))
	testkit.Golden(t, "testdata/episode-816.html", render(t, st, "episodes/816.html"))
	testkit.Golden(t, "testdata/year-2003.html", render(t, st, "years/2003.html"))
	testkit.Golden(t, "testdata/index.html", render(t, st, "index.html"))
	testkit.Golden(t, "testdata/404.html", render(t, st, "404.html"))
	testkit.Golden(t, "testdata/history-2003.svg", render(t, st, "history/2003.svg"))
	var b bytes.Buffer
	if ok, err := st.DayElsewhere(&b, schedule.Date{Year: 2026, Month: 6, Day: 16}); !ok || err != nil {
		t.Fatalf("DayElsewhere(today) = %v, %v", ok, err)
	}
	testkit.Golden(t, "testdata/day-today.html", b.Bytes())
	public := newSite(t, func(c *Config) { c.PublicURL = "https://tv.example.org/backstage" })
	testkit.Golden(t, "testdata/episode-816-public.html", render(t, public, "episodes/816.html"))
	rs := replaySite(t, thursday)
	testkit.Golden(t, "testdata/replay-index.html", render(t, rs, "index.html"))
	testkit.Golden(t, "testdata/replay-day-2026-11-28.html", render(t, rs, "days/2026-11-28.html"))
	testkit.Golden(t, "testdata/replay-episode-819.html", render(t, rs, "episodes/819.html"))
}

// TestIndexLight: the index is at most 150 KB of HTML, whatever the device:
// the history picture is pictures of their own, loaded where shown.
func TestIndexLight(t *testing.T) {
	for name, st := range map[string]*Site{
		"history":    newSite(t, func(c *Config) { c.Date = schedule.Date{Year: 2026, Month: 11, Day: 26} }),
		"public URL": newSite(t, func(c *Config) { c.PublicURL = "https://tv.example.org/backstage" }),
		"replay":     replaySite(t, thursday),
	} {
		if n := len(render(t, st, "index.html")); n > 150e3 {
			t.Errorf("%s: the index is %d bytes, want at most 150 KB", name, n)
		}
	}
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
	for dir, want := range map[string]int{"days": days, "api/v1/days": days, "episodes": 2 * 1875, "api/v1/episodes": 1875, "calendar": 2 + 2 + 16, "years": 17, "history": 1 + 17} {
		if count[dir] != want {
			t.Errorf("%s/: %d files, want %d", dir, count[dir], want)
		}
	}
	for _, p := range []string{"index.html", "calendar.ics", "calendar/compact.ics", "calendar/all-day.ics", "calendar/original.ics",
		"calendar/rebroadcast.ics", "calendar/2000.ics", "calendar/2016.ics", "xmltv.xml", "xmltv.xml.gz", "channels.m3u",
		"api/v1/runs.json", "api/v1/days/2008-03-04.json", "api/v1/episodes/1000.json", "days/2007-12-25.html", "assets/style.css",
		"years/2000.html", "years/2008.html", "years/2016.html", "favicon.ico", "404.html", "robots.txt", "api/v1/openapi.json",
		"episodes/816.ics", "history/2003.svg", "history/2008.svg", "history/months.svg"} {
		if !seen[p] {
			t.Errorf("the site lacks %s", p)
		}
	}
	for _, p := range []string{"calendar/2008.ics", "days/2000-04-30.html", "days/2016-03-12.html", "episodes/1876.html", "episodes/0816.html",
		"api/v1/days/2003-02-30.json", "days/2003-6-16.html", "assets/page.html", "../etc/passwd", "calendar/../calendar.ics", "days/", "x",
		"years/1999.html", "years/2017.html", "years/03.html", "years/2003", "years/+003.html", "api/v1/years/2003.html", "api/v1/years/2003.json",
		"days/2003-06-16.json", "api/v1/days/2003-06-16.html", "episodes/816.json", "api/v1/episodes/816.html", "api/v1/index.html",
		"assets/", "assets/favicon.ico", "calendar/", "calendar/2003.html", "xmltv.xml.gz.gz", "/index.html", "index.html/",
		"sitemap.xml", "history/1999.svg", "history/2017.svg", "history/03.svg", "history/2003.png", "history/.svg", "history/", "episodes/0816.ics",
		"episodes/1876.ics", "api/v1/openapi.yaml", "api/v1/openapi.html", "404"} {
		if _, ok := st.Lookup(p); ok {
			t.Errorf("Lookup(%q) finds a file", p)
		}
	}
	if _, ok := newSite(t, func(c *Config) { c.StreamURL = "" }).Lookup("channels.m3u"); ok {
		t.Error("a playlist without a stream URL")
	}
	if _, ok := newSite(t, func(c *Config) { c.PublicURL = "https://tv.example.org/b" }).Lookup("sitemap.xml"); !ok {
		t.Error("a site with a public URL has no sitemap")
	}
	// A replay window has its days' pages and no year's, nor a history
	// picture.
	rs := replaySite(t, thursday)
	for f := range rs.Files() {
		if strings.HasPrefix(f.Path, "years/") || strings.HasPrefix(f.Path, "history/") {
			t.Errorf("a replay site has %s", f.Path)
		}
	}
	for _, p := range []string{"history/2026.svg", "history/months.svg"} {
		if _, ok := rs.Lookup(p); ok {
			t.Errorf("a replay site finds %s", p)
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

// TestSiteSize: the whole site stays under 80 MB: its pages (a day's is
// about 5 KB, with its linked data), a calendar of each episode's
// airings, and the feeds. The history picture on every page, or the
// whole cast in each day's linked data, would break it.
func TestSiteSize(t *testing.T) {
	testkit.SkipUnlessFull(t, "renders all 27,000 files; the publish test weighs the published site on every run")
	st := newSite(t)
	var total int
	for f := range st.Files() {
		b, err := st.Bytes(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		total += len(b)
	}
	t.Logf("the default site: %.1f MB", float64(total)/1e6)
	if total > 80e6 {
		t.Errorf("the site is %d bytes, want under 80 MB", total)
	}
}

// TestLinksResolve follows every link of every page to a file of the
// site: what a static host serves is all a link can reach. A link to a
// part of a page (#m06) must find an element with that id there. Links
// with a query (the forms' fallbacks) and webcal links are checked by
// the server's tests; the one-click links to Google Calendar and Outlook
// leave the site on purpose, and carry the calendar's address. Every URL
// of the pages' linked data (JSON-LD) resolves to a file too.
func TestLinksResolve(t *testing.T) {
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
				// Every page of the site would take long (the publisher's
				// tests check them all); the index, the years, a replay
				// window's days, and a sample of days (the gap's among
				// them) and episodes, cover every kind of link.
				if f.Path != "index.html" && f.Path != "404.html" && !strings.HasPrefix(f.Path, "years/") && !st.cfg.Replay && !strings.HasSuffix(f.Path, "-16.html") &&
					!strings.HasPrefix(f.Path, "days/2008-03-") && !strings.HasPrefix(f.Path, "episodes/81") {
					continue
				}
				pages++
				for _, l := range testkit.PageLinks(t, page(f.Path)) {
					if strings.HasPrefix(l.URL, "webcal:") || (!l.LinkedData && strings.HasPrefix(l.URL, "#")) {
						continue
					}
					if oneClickHost(l.URL) {
						if !strings.Contains(l.URL, url.QueryEscape(strings.TrimPrefix(strings.TrimPrefix(public, "https://"), "http://"))) || public == "" {
							t.Errorf("%s (public %q): a one-click link that does not carry the calendar's address: %q", f.Path, public, l.URL)
						}
						continue
					}
					link, frag, _ := strings.Cut(l.URL, "#")
					from := f.Path
					if f.page == notFoundPage && public == "" {
						from = "any/depth/404.html" // its links start from the top of the host
					}
					target := resolve(t, public, from, link)
					if link == "" {
						target = f.Path
					}
					if target == "" {
						t.Errorf("%s (public %q): link %q leaves the site", f.Path, public, l.URL)
						continue
					}
					g, ok := st.Lookup(target)
					if !ok {
						t.Errorf("%s (public %q): link %q goes to %q, which the site lacks", f.Path, public, l.URL, target)
						continue
					}
					if frag != "" && !l.LinkedData && !bytes.Contains(page(g.Path), []byte(` id="`+frag+`"`)) {
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

// oneClickHost reports whether u is a link to a calendar service that
// subscribes the reader to one of the site's calendars.
func oneClickHost(u string) bool {
	return strings.HasPrefix(u, "https://calendar.google.com/") || strings.HasPrefix(u, "https://outlook.live.com/")
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
			`<h1 id="day-title">Monday 16 June 2003</h1>`, `value="2003-06-16"`, `<html lang="en" data-root="../">`,
			`href="../days/2003-06-15.html" rel="prev"`, `href="../days/2003-06-17.html" rel="next"`,
			`<a href="../episodes/816.html">Episode 816</a>`, "18:30–19:00 SAST", `<a href="../">Backstage on e.tv</a>`,
		}, []string{`role="alert"`, "<svg", "Subscribe"}},
		{"days/2009-01-05.html", []string{"16:40–17:10 SAST", "e.tv, rebroadcast", `<a href="../days/2000-05-01.html">repeat: first aired Monday 1 May 2000, 18:30</a>`}, nil},
		{"days/2008-03-04.html", []string{"Backstage did not air on Tuesday 4 March 2008."}, []string{"The schedule runs from"}},
		{"days/2000-05-01.html", []string{`rel="next"`}, []string{`rel="prev"`}},
		{"days/2016-03-11.html", []string{`rel="prev"`}, []string{`rel="next"`}},
		{"episodes/1.html", []string{`<h1 id="episode-title">Episode 1 <span class="of">of Backstage</span></h1>`, "Mon 1 May 2000", "Mon 5 Jan 2009", `value="1"`,
			`<li id="airing-20000501-1830">`, `<span class="note first">first airing</span>`, `<a href="#airing-20000501-1830">repeat: first aired Monday 1 May 2000, 18:30</a>`,
			"Episode 1 of Backstage first aired on e.tv on Monday 1 May 2000, 18:30 SAST, in the original run, and once more on Monday 5 January 2009, 16:40 (rebroadcast).",
			`<a href="../episodes/2.html" rel="next">Episode 2 →</a>`, `<a href="../episodes/1.ics">episodes/<wbr />1.ics</a>`,
			`<h2 id="about-show">About Backstage</h2>`, `<img class="art" src="../assets/show-backstage.png"`, "<dt>Starring</dt><dd>Duncan Lawson, Katlego Danke, Paul du Toit, Shashi Naidoo, Pam Andrews</dd>",
		}, []string{`id="day-title"`, `rel="prev"`, "calendar.google.com"}},
		{"episodes/816.html", []string{"Mon 20 Feb 2012", `<a href="../episodes/815.html" rel="prev">← Episode 815</a>`}, nil},
		{"index.html", []string{`<img src="history/2003.svg?v=`, `<html lang="en" data-root="">`, `action="./"`}, []string{`id="day-title"`}},
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
		"The full history, 3750 airings (1.7 MB)", "(5.0 KB)", "up to 132.9 KB", "The full history is over the 1 MB",
		"Kodi", "Jellyfin", "Plex", "TVHeadend", "Google Calendar", "Apple Calendar", "Thunderbird", "khal", "backstage publish",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("index lacks %q", w)
		}
	}
	body = string(render(t, newSite(t, func(c *Config) { c.PublicURL = "https://tv.example.org/b/"; c.StreamURL = "" }), "index.html"))
	for _, w := range []string{`href="webcal://tv.example.org/b/calendar.ics"`, `href="https://tv.example.org/b/xmltv.xml.gz"`,
		`href="https://tv.example.org/b/years/2003.html"`, "give <code>--stream-url URL</code>",
		`>webcal://tv.example.org/<wbr />b/<wbr />calendar/<wbr />compact.ics</a>`,
		`<a href="https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Ftv.example.org%2Fb%2Fcalendar%2Fcompact.ics">Google Calendar</a>`,
		`<a href="https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Ftv.example.org%2Fb%2Fcalendar%2Fcompact.ics&amp;name=Backstage&#43;on&#43;e.tv&#43;%28compact%29">Outlook</a>`} {
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
	for _, w := range []string{"Source: Backstage (South African TV series)", "Mfundi Vundla", "<strong class=\"assumed\">Assumption:</strong>", `<div><dt>First day</dt><dd>2000-05-01</dd><dd class="basis">Sourced.</dd></div>`} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func templateEscape(s string) string {
	return strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// historyCells counts the cells of each colour in year y's row of the
// history picture, and checks the row's rectangles do not overlap.
func historyCells(t *testing.T, st *Site, y int) map[string]int {
	t.Helper()
	row := string(render(t, st, "history/"+strconv.Itoa(y)+".svg"))
	if !strings.HasPrefix(row, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `) {
		t.Fatalf("history/%d.svg: not an SVG picture: %.80q", y, row)
	}
	fills := map[string]string{}
	for class, fill := range classFill {
		fills[fill] = class
	}
	rect := regexp.MustCompile(`<rect x="(\d+)" width="(\d+)" height="20" fill="(#[0-9a-f]{6})"/>`)
	count := map[string]int{}
	end := 0
	for _, m := range rect.FindAllStringSubmatch(row, -1) {
		x, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		if x < end || w%histCellW != 0 {
			t.Errorf("history/%d.svg: a rectangle at %d, %d wide, after one ending at %d", y, x, w, end)
		}
		end = x + w
		count[fills[m[3]]] += w / histCellW
	}
	return count
}

func TestHistoryRows(t *testing.T) {
	st := newSite(t)
	total := map[string]int{}
	for y := 2000; y <= 2016; y++ {
		for c, n := range historyCells(t, st, y) {
			total[c] += n
		}
	}
	weekdays, inRange := 0, 0
	for d := (schedule.Date{Year: 2000, Month: 1, Day: 1}); d.Year <= 2016; d = d.AddDays(1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			weekdays++
			if !d.Before(schedule.Date{Year: 2000, Month: 5, Day: 1}) && !d.After(schedule.Date{Year: 2016, Month: 3, Day: 11}) {
				inRange++
			}
		}
	}
	// Days before the first airing and after the last have no page, and
	// are told apart from the days in between when nothing aired.
	if total["r0"] != 1875 || total["r1"] != 1875 || total["n"] != inRange-3750 || total["o"] != weekdays-inRange {
		t.Errorf("got %v, want 1875 original, 1875 rebroadcast, %d nothing, %d outside", total, inRange-3750, weekdays-inRange)
	}
	if c := historyCells(t, st, 2008); c["r0"]+c["r1"] != 0 {
		t.Errorf("2008, in the gap, has cells of a run: %v", c)
	}
	pic := st.history()
	want := []legendItem{{"r0", "original", "1875 weekdays"}, {"r1", "rebroadcast", "1875 weekdays"},
		{"n", "nothing aired", strconv.Itoa(inRange-3750) + " weekdays from the first airing to the last"},
		{"o", "before the first airing or after the last", strconv.Itoa(weekdays-inRange) + " weekdays"}}
	if fmt.Sprint(pic.legend) != fmt.Sprint(want) {
		t.Errorf("got legend %v, want %v", pic.legend, want)
	}
	// The index has a row for each year, its picture beside its year's
	// link, and the months above them.
	index := string(render(t, st, "index.html"))
	row := regexp.MustCompile(`<li><a class="year" href="years/(\d{4}).html">\d{4}</a><img src="history/(\d{4}).svg\?v=[\w-]+" alt="(\d{4}): ([^"]+)" width="810" height="20" loading="lazy" /></li>`)
	rows := row.FindAllStringSubmatch(index, -1)
	if len(rows) != 17 || rows[0][1] != "2000" || rows[16][1] != "2016" {
		t.Fatalf("got %d rows, want 2000 to 2016", len(rows))
	}
	for _, r := range rows {
		if r[1] != r[2] || r[1] != r[3] {
			t.Errorf("a row mixes years: %q", r[0])
		}
	}
	if rows[3][4] != "261 airings: 261 of the original run." {
		t.Errorf("2003's row says %q", rows[3][4])
	}
	if !strings.Contains(index, `<img class="monthscale" src="history/months.svg?v=`) {
		t.Error("the index lacks the months above the rows")
	}
	months := string(render(t, st, "history/months.svg"))
	if strings.Count(months, "<text ") != 12 || !strings.Contains(months, `<text x="0" y="11">Jan</text>`) {
		t.Errorf("history/months.svg: %q", months)
	}
}

// TestHistoryColours: the rows are pictures the stylesheet cannot reach,
// so their colours are written in them; they must be the legend's.
func TestHistoryColours(t *testing.T) {
	css, err := assetFS.ReadFile("assets/style.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--(\w+): (#[0-9a-f]{6});`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	for class, fill := range classFill {
		if vars[class] != fill {
			t.Errorf("class %s: the rows draw %s, the stylesheet's --%s is %q", class, fill, class, vars[class])
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
	text := string(render(t, st, "years/2003.html"))
	for _, w := range []string{
		`title="5 airings, episode 1 (r0), episode 1 (r1), episode 1 (r2) and 2 more">16</a>`,
		`title="5 airings, episode 2 (r0), episode 2 (r1), episode 2 (r2) and 2 more">17</a>`,
		`<td class="m">`,
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the year lacks %q", w)
		}
	}
	if c := historyCells(t, st, 2003); c["m"] != 2 {
		t.Errorf("2003's row has %d cells of more than one run, want 2", c["m"])
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
			if strings.HasSuffix(name, ".html") {
				eps = append(eps, name)
			}
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
	pic := st.history()
	if c := historyCells(t, st, 2003); c["r0"] != 2 || c["m"] != 1 || c["o"] != 362 {
		t.Errorf("2003's row: %v, want 2 days of r0, 1 of more than one run, 362 outside", c)
	}
	if row := string(render(t, st, "history/2003.svg")); !strings.Contains(row, `viewBox="0 0 1134 20"`) {
		t.Errorf("a row of seven days a week: %.100q", row)
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
