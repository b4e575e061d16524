package site

import (
	"bytes"
	"context"
	"encoding/binary"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/api"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/schedule"
)

// contains checks that page has each of want and none of not.
func contains(t *testing.T, name string, page []byte, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !bytes.Contains(page, []byte(w)) {
			t.Errorf("%s lacks %q", name, w)
		}
	}
	for _, w := range not {
		if bytes.Contains(page, []byte(w)) {
			t.Errorf("%s has %q", name, w)
		}
	}
}

// TestYearPages: a year's page has its twelve months as calendars, each
// day with an airing linked to its page, and the years either side.
func TestYearPages(t *testing.T) {
	st := newSite(t)
	y2003 := render(t, st, "years/2003.html")
	if n := bytes.Count(y2003, []byte(`<table class="cal" id="m`)); n != 12 {
		t.Errorf("years/2003.html has %d months, want 12", n)
	}
	// 261 weekdays of 2003 aired, each a link; weekends are not links.
	if n := bytes.Count(y2003, []byte(`<td class="r0"><a href="../days/2003-`)); n != 261 {
		t.Errorf("years/2003.html links %d days that aired, want 261", n)
	}
	// Each day that aired shows its episode.
	if n := bytes.Count(y2003, []byte(`<span class="ep"><span class="vh"> episode</span> `)); n != 261 {
		t.Errorf("years/2003.html shows %d episodes, want 261", n)
	}
	contains(t, "years/2003.html", y2003, []string{
		"<title>2003 · Backstage on e.tv</title>", `<h1 id="year-title">2003</h1>`, "261 airings: 261 of the original run.",
		`<a href="2002.html" rel="prev">← 2002</a>`, `<a href="2004.html" rel="next">2004 →</a>`,
		`<caption>June 2003</caption>`, `<td class="r0"><a href="../days/2003-06-16.html">16<span class="ep"><span class="vh"> episode</span> 816</span></a></td>`, `<td>14</td>`,
		`<span class="swatch r0"></span>original`,
	}, []string{`<a href="../days/2003-06-14.html">`, "rebroadcast", "before the first airing", " title="})

	y2000 := render(t, st, "years/2000.html")
	contains(t, "years/2000.html", y2000, []string{`<td class="o">30</td>`, `<td class="r0"><a href="../days/2000-05-01.html">1<span class="ep"><span class="vh"> episode</span> 1</span></a></td>`,
		"before the first airing or after the last", `<span></span>`}, []string{`rel="prev"`})
	y2008 := render(t, st, "years/2008.html")
	contains(t, "years/2008.html", y2008, []string{"Nothing aired in 2008."}, []string{`<a href="../days/`})
	y2016 := render(t, st, "years/2016.html")
	contains(t, "years/2016.html", y2016, []string{"51 airings: 51 of the rebroadcast run."}, []string{`rel="next"`})

	public := newSite(t, func(c *Config) { c.PublicURL = "https://tv.example.org/b" })
	contains(t, "years/2003.html with a public URL", render(t, public, "years/2003.html"), []string{
		`<a href="https://tv.example.org/b/years/2002.html" rel="prev">`, `<a href="https://tv.example.org/b/days/2003-06-16.html">16<span class="ep">`,
	}, nil)
}

// TestDayMonth: a day's page has its month as a calendar, the day marked
// and not linked, its neighbours linked in the same folder; the month is
// there to move by, so its days show no episodes.
func TestDayMonth(t *testing.T) {
	st := newSite(t)
	day := render(t, st, "days/2003-06-16.html")
	contains(t, "days/2003-06-16.html", day, []string{
		`<caption><a href="../years/2003.html#m06">June 2003</a></caption>`,
		`<td class="r0 sel" aria-current="page">16</td>`, `<td class="r0"><a href="2003-06-17.html">17</a></td>`,
		`<td colspan="6"></td>`, `<th scope="col">Mon</th>`,
		`<a href="../days/2003-06-15.html" rel="prev">← Sun 15 Jun 2003</a>`,
	}, []string{`<a href="2003-06-16.html">`, `<a href="../days/2003-06-16.html">`, `class="ep"`})
	if n := bytes.Count(day, []byte(`<table class="cal"`)); n != 1 {
		t.Errorf("the day's page has %d calendars, want 1", n)
	}
	weekend := render(t, st, "days/2003-06-14.html")
	contains(t, "days/2003-06-14.html", weekend, []string{`<td class="sel" aria-current="page">14</td>`}, nil)
	public := newSite(t, func(c *Config) { c.PublicURL = "https://tv.example.org/b" })
	contains(t, "days/2003-06-16.html with a public URL", render(t, public, "days/2003-06-16.html"), []string{
		`<a href="https://tv.example.org/b/days/2003-06-17.html">17</a>`, `<a href="https://tv.example.org/b/years/2003.html#m06">`,
	}, nil)
}

// TestQuietDays: a day with nothing says, naming the show, that it did
// not air, and what is around the day; a day between the runs says so;
// and a day with an airing links the airings either side too.
func TestQuietDays(t *testing.T) {
	st := newSite(t)
	contains(t, "days/2008-03-04.html", render(t, st, "days/2008-03-04.html"), []string{
		"Backstage did not air on Tuesday 4 March 2008. It falls between the original run, which ended on Friday 6 July 2007, and the rebroadcast run, which began on Monday 5 January 2009.",
		`The airing before: <a href="../days/2007-07-06.html">Friday 6 July 2007, 18:30: episode 1875 (original)</a>`,
		`The next airing: <a href="../days/2009-01-05.html">Monday 5 January 2009, 16:40: episode 1 (rebroadcast)</a>`,
	}, nil)
	contains(t, "days/2003-06-14.html", render(t, st, "days/2003-06-14.html"), []string{
		"Backstage did not air on Saturday 14 June 2003.</p>",
		`The airing before: <a href="../days/2003-06-13.html">Friday 13 June 2003, 18:30: episode 815 (original)</a>`,
		`The next airing: <a href="../days/2003-06-16.html">Monday 16 June 2003, 18:30: episode 816 (original)</a>`,
	}, []string{"falls between"})
	contains(t, "days/2003-06-16.html", render(t, st, "days/2003-06-16.html"), []string{
		`<p class="summary">On Monday 16 June 2003, e.tv aired episode 816 of Backstage from 18:30 to 19:00 SAST: its first airing, in the original run.</p>`,
		`The airing before: <a href="../days/2003-06-13.html">Friday 13 June 2003, 18:30: episode 815 (original)</a>`,
		`The next airing: <a href="../days/2003-06-17.html">Tuesday 17 June 2003, 18:30: episode 817 (original)</a>`,
	}, []string{"did not air"})
	contains(t, "days/2012-02-20.html", render(t, st, "days/2012-02-20.html"), []string{
		"On Monday 20 February 2012, e.tv aired episode 816 of Backstage again, from 16:40 to 17:10 SAST, in the rebroadcast run; it first aired on Monday 16 June 2003, 18:30.",
	}, nil)
}

// TestOnThisDay: the index lists what aired on the present's month and
// day in each year of the history, linked where the site has pages.
func TestOnThisDay(t *testing.T) {
	at := func(y int, m time.Month, d int) func(*Config) {
		return func(c *Config) { c.Date = schedule.Date{Year: y, Month: m, Day: d} }
	}
	index := render(t, newSite(t, at(2026, 11, 26)), "index.html")
	contains(t, "index on 26 November", index, []string{
		`<h2 id="on-this-day">On this day, 26 November</h2>`,
		`<li><a href="days/2001-11-26.html">Monday 26 November 2001</a>: <a href="episodes/411.html">episode 411</a> (original, 18:30)</li>`,
		`<li><a href="days/2015-11-26.html">Thursday 26 November 2015</a>: <a href="episodes/1799.html">episode 1799</a> (rebroadcast, 16:40)</li>`,
	}, []string{"26 November 2000", "26 November 2006", "26 November 2008"})
	if n := bytes.Count(index, []byte(`<li><a href="days/`)); n != 10 {
		t.Errorf("on this day lists %d years, want the 10 whose 26 November was a weekday of a run", n)
	}
	// 29 February: only 2012 and 2016 had one on a weekday of a run.
	leap := render(t, newSite(t, at(2028, 2, 29)), "index.html")
	if n := bytes.Count(leap, []byte(`<li><a href="days/`)); n != 2 || !bytes.Contains(leap, []byte("Wednesday 29 February 2012")) || !bytes.Contains(leap, []byte("Monday 29 February 2016")) {
		t.Errorf("on 29 February: %d years, want 2012 and 2016", n)
	}
	if bytes.Contains(render(t, newSite(t), "index.html"), []byte("on-this-day")) {
		t.Error("an index without a Date has an on-this-day section")
	}
	// A replay window has no pages for the history's days.
	replay := render(t, replaySite(t, thursday), "index.html")
	contains(t, "replay index", replay, []string{"<li>Monday 26 November 2001: episode 411 (original, 18:30)</li>"}, []string{`href="days/2001-11-26.html"`})
}

// TestReplayPages: in replay mode the index is a channel's guide, each
// airing says once which airing it replays, and the forms take the
// history's episodes.
func TestReplayPages(t *testing.T) {
	st := replaySite(t, thursday)
	index := render(t, st, "index.html")
	contains(t, "replay index", index, []string{
		"This week replays the week of Monday 16 June 2003; next week, the week of Monday 23 June 2003.",
		`<h2 id="today-h">Today, Thursday 26 November 2026</h2>`,
		`<h2 id="week-h">This week's guide</h2>`, "<p>Wednesday 25 November to Thursday 3 December 2026.</p>",
		`<li class="today">`, `<h3><a href="days/2026-11-28.html">Sat 28 Nov</a></h3>`,
		`data-start="2026-11-26T18:30:00&#43;02:00" data-end="2026-11-26T19:00:00&#43;02:00"`,
		"This week's guide, 7 airings", `max="1875"`, "A number from 1 to 1875. This week&#39;s guide has episodes 818 to 824.",
		`data-have="818-824" data-missing="is not on this week&#39;s guide, which has episodes 818 to 824."`,
	}, []string{`<svg class="history"`, `class="yeargrid"`, "The full history", "The whole history", "first aired", "originally aired", "One year:"})
	// Each airing of the window once in the guide, and today's once more.
	if n, want := bytes.Count(index, []byte("replays the airing of")), st.Schedule().Len()+1; n != want {
		t.Errorf("%d airings say what they replay, want %d", n, want)
	}
	// A replayed repeat names the airing it replays and, once, the first.
	rerun := replaySite(t, thursday, func(c *Config) {
		w, err := c.Schedule.History().Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2012, Month: 10, Day: 29}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: thursday, Days: 7, PastDays: 1})
		if err != nil {
			t.Fatal(err)
		}
		c.Schedule = w
	})
	day := render(t, rerun, "days/2026-11-26.html")
	contains(t, "a replayed rerun", day, []string{
		"replays the airing of Thursday 1 November 2012, 16:40 (first aired Thursday 26 February 2004, 18:30)",
		`<nav class="side strip" aria-labelledby="strip-h">`, `<li class="today"><a href="2026-11-26.html" aria-current="page">Thu 26 Nov</a></li>`,
	}, []string{`<table class="cal"`})
	list := day[bytes.Index(day, []byte(`<ul class="airings">`)):]
	list = list[:bytes.Index(list, []byte("</ul>"))]
	if n := bytes.Count(list, []byte("first aired")); n != 1 {
		t.Errorf("the rerun's airing says first aired %d times, want once", n)
	}
	contains(t, "a replayed rerun", day, []string{
		"On Thursday 26 November 2026, this channel airs episode 999 of Backstage from 16:40 to 17:10 SAST, as e.tv aired it on Thursday 1 November 2012, 16:40 (it first aired on Thursday 26 February 2004, 18:30).",
	}, nil)
}

// TestEpisodeElsewhere: outside a replay window, an episode's answer is
// a page that says when it aired in the history.
func TestEpisodeElsewhere(t *testing.T) {
	st := replaySite(t, thursday)
	var b bytes.Buffer
	ok, err := st.EpisodeElsewhere(&b, 1000)
	if !ok || err != nil {
		t.Fatalf("EpisodeElsewhere(1000) = %v, %v; want a page", ok, err)
	}
	contains(t, "episode 1000's page", b.Bytes(), []string{
		`<h1 id="episode-title">Episode 1000 <span class="of">of Backstage</span></h1>`,
		"Episode 1000 is not on this week&#39;s guide, which has episodes 818 to 824. It first aired on Friday 27 February 2004, 18:30 (original); its last airing was on Friday 2 November 2012, 16:40 (rebroadcast).",
		`value="1000"`, `href="/assets/style.css`,
	}, []string{"this episode", "api/v1/episodes/1000.json"})
	for _, c := range []struct {
		st *Site
		n  int
	}{{st, 819}, {st, 5000}, {newSite(t), 1000}} {
		b.Reset()
		if ok, err := c.st.EpisodeElsewhere(&b, c.n); ok || err != nil || b.Len() > 0 {
			t.Errorf("EpisodeElsewhere(%d) = %v, %v and %d bytes; want nothing", c.n, ok, err, b.Len())
		}
	}
}

// TestIndexForAFan: the history's index has the show's artwork, what the
// show is about, the history as a picture and as years of months, and
// the forms' hints true whatever the browser shows.
func TestIndexForAFan(t *testing.T) {
	index := render(t, newSite(t), "index.html")
	contains(t, "index", index, []string{
		`<img class="art" src="assets/show-backstage.png" alt="Backstage: a gold star in a spotlight on a stage between red curtains" width="640" height="360" />`,
		`<h2 id="about-0">About Backstage</h2>`, "Backstage follows the students of Vulindlela College",
		"one cell per weekday (no run aired at weekends)", "(390 weekdays from the first airing to the last)",
		`<ol class="yeargrid">`, `<a class="year" href="years/2003.html">2003</a>`,
		`<a class="r0" href="years/2003.html#m06">J<span class="vh">une 2003: 21 airings</span></a>`,
		`<a class="o" href="years/2016.html#m04">A<span class="vh">pril 2016: after the last airing</span></a>`,
		`<li><a class="year" href="years/2003.html">2003</a><img src="history/2003.svg?v=`,
		"Pick a day from Monday 1 May 2000 to Friday 11 March 2016.",
	}, []string{"written YYYY-MM-DD", "data-have"})
	// A picture the pages may not load (the CSP allows the site's own) is
	// not shown.
	file := bytes.Replace(schedfile.DefaultFile(), []byte("image: assets/show-backstage.png"), []byte("image: https://tv.example.org/art.png"), 1)
	other, err := schedfile.Parse("test", file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(render(t, newSite(t, func(c *Config) { c.Schedule = other }), "index.html"), []byte(`<img class="art"`)) {
		t.Error("the index shows a picture from another host")
	}
}

// TestPeopleWording: an error page says what it is given, with no
// prefix of its own, and the days' labels read as people write them.
func TestPeopleWording(t *testing.T) {
	var b bytes.Buffer
	if err := newSite(t).ErrorPage(&b, "Nothing aired on Saturday 1 January 2000."); err != nil {
		t.Fatal(err)
	}
	contains(t, "error page", b.Bytes(), []string{`<p class="error" role="alert">Nothing aired on Saturday 1 January 2000.</p>`}, nil)
	for _, c := range []struct {
		a, b schedule.Date
		want string
	}{
		{schedule.Date{Year: 2026, Month: 11, Day: 29}, schedule.Date{Year: 2026, Month: 12, Day: 7}, "Sunday 29 November to Monday 7 December 2026"},
		{schedule.Date{Year: 2026, Month: 12, Day: 28}, schedule.Date{Year: 2027, Month: 1, Day: 4}, "Monday 28 December 2026 to Monday 4 January 2027"},
		{schedule.Date{Year: 2003, Month: 6, Day: 16}, schedule.Date{Year: 2003, Month: 6, Day: 16}, "Monday 16 June 2003"},
	} {
		if got := spanLabel(c.a, c.b); got != c.want {
			t.Errorf("spanLabel(%s, %s) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestRanges(t *testing.T) {
	for _, c := range []struct {
		ns   []int
		want string
	}{{nil, ""}, {[]int{7}, "7"}, {[]int{1, 2, 3, 5, 7, 8}, "1-3 5 7-8"}, {[]int{815, 816, 817}, "815-817"}} {
		if got := ranges(c.ns); got != c.want {
			t.Errorf("ranges(%v) = %q, want %q", c.ns, got, c.want)
		}
	}
}

// TestDigest: the digest tells apart what makes different files: the
// present's date (the index's "on this day") and a replay window cut
// from another week of the history on the same day.
func TestDigest(t *testing.T) {
	a := newSite(t, func(c *Config) { c.Date = schedule.Date{Year: 2026, Month: 11, Day: 26} })
	same := newSite(t, func(c *Config) { c.Date = schedule.Date{Year: 2026, Month: 11, Day: 26} })
	next := newSite(t, func(c *Config) { c.Date = schedule.Date{Year: 2026, Month: 11, Day: 27} })
	if a.Digest() != same.Digest() || a.Digest() == next.Digest() {
		t.Error("the digest does not follow Config.Date alone")
	}
	r1 := replaySite(t, thursday)
	r2 := replaySite(t, thursday, func(c *Config) {
		w, err := c.Schedule.History().Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2004, Month: 6, Day: 14}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: thursday, Days: 7, PastDays: 1})
		if err != nil {
			t.Fatal(err)
		}
		c.Schedule = w
	})
	if r1.Digest() == r2.Digest() {
		t.Error("two replay windows of one day from different weeks have one digest")
	}
	// Once worked out, the digest costs nothing: the server asks for it
	// with every feed it streams, and it reads every airing.
	if n := testing.AllocsPerRun(10, func() { a.Digest() }); n != 0 {
		t.Errorf("Digest allocates %v times when asked again, want 0", n)
	}
}

// TestSameIndexAllDay: the index is the same bytes at any time of a day,
// so serve and a publish of that day agree.
func TestSameIndexAllDay(t *testing.T) {
	base := replaySite(t, thursday)
	morning := replaySite(t, thursday.Add(-17*time.Hour))
	a, b := render(t, base, "index.html"), render(t, morning, "index.html")
	if !bytes.Equal(a, b) {
		t.Error("the replay index differs between the morning and the evening of one day")
	}
	f, _ := base.Lookup("index.html")
	c, err := base.Bytes(context.Background(), f)
	if err != nil || !bytes.Equal(a, c) {
		t.Error("rendering the index twice differs")
	}
}

// TestFavicon: /favicon.ico is an ICO file of one image, the channel
// icon's PNG, that Go's PNG decoder reads back at the size the directory
// entry gives.
func TestFavicon(t *testing.T) {
	st := newSite(t)
	f, ok := st.Lookup("favicon.ico")
	if !ok || f.Type != TypeICO || f.Compressible() {
		t.Fatalf("Lookup(favicon.ico) = %+v, %v", f, ok)
	}
	b, err := st.Bytes(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 22 || !bytes.Equal(b[:6], []byte{0, 0, 1, 0, 1, 0}) {
		t.Fatalf("header % x: want an icon of one image", b[:min(len(b), 6)])
	}
	size := binary.LittleEndian.Uint32(b[14:])
	offset := binary.LittleEndian.Uint32(b[18:])
	if int(offset)+int(size) != len(b) {
		t.Fatalf("image at %d, %d bytes, in a file of %d", offset, size, len(b))
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b[offset:]))
	if err != nil {
		t.Fatal(err)
	}
	// The entry's width and height bytes: 0 means 256.
	w, h := int(b[6]), int(b[7])
	if w == 0 {
		w = 256
	}
	if h == 0 {
		h = 256
	}
	if cfg.Width != w || cfg.Height != h {
		t.Errorf("entry says %dx%d, image is %dx%d", w, h, cfg.Width, cfg.Height)
	}
}

// TestM3UText: names from a schedule file reach the playlist without
// what would break an entry or show as boxes.
func TestM3UText(t *testing.T) {
	for _, c := range []struct{ in, text, attr string }{
		{"e.tv", "e.tv", "e.tv"},
		{"a\nb\r\nc\td", "a b  c d", "a b  c d"},
		{"nul\x00here\uFFFE\uFFFF", "nulhere", "nulhere"},
		{"bad \xff utf-8 \x7f\u0085", "bad  utf-8  ", "bad  utf-8  "},
		{`say "hi"`, `say "hi"`, "say 'hi'"},
		{"Émission · 日本", "Émission · 日本", "Émission · 日本"},
	} {
		if got := m3uText(c.in); got != c.text {
			t.Errorf("m3uText(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := m3uAttr(c.in); got != c.attr {
			t.Errorf("m3uAttr(%q) = %q, want %q", c.in, got, c.attr)
		}
	}
}

// TestJSONAnswers: the site's JSON answers are the API's, a day when
// nothing aired answers [] (not null), and each ends in a newline.
func TestJSONAnswers(t *testing.T) {
	st := newSite(t)
	jnb := st.Schedule().Location()
	for _, c := range []struct {
		path string
		v    any
	}{
		{"api/v1/days/2008-03-04.json", []api.Airing{}},
		{"api/v1/days/2003-06-14.json", []api.Airing{}},
		{"api/v1/days/2003-06-16.json", api.Airings(st.Schedule().On(schedule.Date{Year: 2003, Month: 6, Day: 16}), jnb)},
		{"api/v1/episodes/816.json", api.Airings(st.Schedule().Episode(816), jnb)},
		{"api/v1/runs.json", api.Runs(st.Schedule().Stats(), jnb)},
	} {
		want, err := MarshalJSON(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(t, st, c.path); !bytes.Equal(got, want) {
			t.Errorf("%s = %.80s, want %.80s", c.path, got, want)
		}
	}
	if got := string(render(t, st, "api/v1/days/2008-03-04.json")); got != "[]\n" {
		t.Errorf("a day between the runs answers %q, want []", got)
	}
	if got := render(t, st, "api/v1/episodes/816.json"); bytes.Count(got, []byte(`"episode":816`)) != 2 {
		t.Errorf("episode 816's answer %s, want its two airings", got)
	}
}

// TestTodayNothingAirs: on a day of a replay window when nothing airs,
// the index says so and names the next airing, linked to its day.
func TestTodayNothingAirs(t *testing.T) {
	saturday := thursday.Add(48 * time.Hour)
	index := render(t, replaySite(t, saturday), "index.html")
	contains(t, "the index on a Saturday", index, []string{
		`<h2 id="today-h">Today, Saturday 28 November 2026</h2>`,
		`<p class="none">Nothing airs today. Next: <a href="days/2026-11-30.html">Monday 30 November 2026, 18:30: episode 821 (original)</a>.</p>`,
	}, nil)
}

// TestFeedsOwnAddress: with a public URL, each calendar names as its
// own address (SOURCE) the path the site publishes it at, which a
// calendar app refreshes from: a run's calendar by its slug ("Late Show"
// is calendar/late-show.ics, not calendar/Late%20Show.ics, which the site
// does not have), a year that is the whole window by its own path.
func TestFeedsOwnAddress(t *testing.T) {
	const public = "https://tv.example.org/b"
	late, err := schedfile.Parse("late.yaml", []byte(`timezone: UTC
shows: [{id: s, title: Show}]
channels: [{id: c.example, name: C}]
runs:
  - {name: Late Show, show: s, channel: c.example, slot: "0 23 * * *", first: 2003-06-16, last: 2003-06-20, length: 30m, episodes: {first: 1}}
`))
	if err != nil {
		t.Fatal(err)
	}
	lateSite, err := New(Config{Schedule: late, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := lateSite.Lookup("calendar/late-show.ics"); !ok {
		t.Fatal("no calendar/late-show.ics")
	}
	for _, st := range []*Site{
		newSite(t, func(c *Config) { c.PublicURL = public }),
		replaySite(t, thursday, func(c *Config) { c.PublicURL = public }),
		lateSite,
	} {
		for f := range st.Files() {
			if f.Kind != Feed || f.Feed.Format != feeds.ICal {
				continue
			}
			want := "SOURCE;VALUE=URI:" + public + "/" + f.Path + "\r\n"
			if body := render(t, st, f.Path); !bytes.Contains(body, []byte(want)) {
				t.Errorf("%s does not name itself as its address", f.Path)
			}
		}
	}
	// A feed the site has no file for names the query the server answers.
	q := newSite(t, func(c *Config) { c.PublicURL = public }).FeedFile(feeds.Options{Format: feeds.ICal, Window: schedule.Year(2008)}, false)
	if got, want := q.Feed.FeedURL(), public+"/calendar.ics?from=2008-01-01&to=2008-12-31"; q.Path != "" || got != want {
		t.Errorf("the gap year: path %q, FeedURL %q; want none and %q", q.Path, got, want)
	}
}

// TestRunFacts: the facts of a run say what its schedule file gives:
// how many new episodes at most, the days off, how far a replay goes,
// a run with no airings, and an assumption about a detail the table
// does not list.
func TestRunFacts(t *testing.T) {
	s, err := schedfile.Parse("facts.yaml", []byte(`timezone: UTC
shows: [{id: s, title: Show}]
channels: [{id: c.example, name: C}]
runs:
  - {name: new, show: s, channel: c.example, slot: "0 20 * * *", first: 2003-06-16, last: 2003-06-30, length: 30m,
     episodes: {first: 1, count: 5}, exceptions: [2003-06-17, 2003-06-18], assumptions: {timezone: the source gives no zone}}
  - {name: again, show: s, channel: c.example, slot: "0 21 * * *", first: 2003-07-01, last: 2003-07-31, length: 30m, replay: {run: new, from: 2, to: 3}}
  - {name: never, show: s, channel: c.example, slot: "0 20 30 2 *", first: 2003-01-01, last: 2003-12-31, length: 30m, episodes: {first: 1}}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range runFactsOf(s) {
		got[r.Name+" summary"] = r.Summary
		for _, f := range r.Facts {
			got[r.Name+" "+f.Field] = f.Value + "|" + f.Assumed
		}
	}
	for k, want := range map[string]string{
		"new Episodes":                "new, numbered from 1, 5 at most|",
		"new Days off (pre-emptions)": "2 days|",
		"new timezone":                "|the source gives no zone",
		"again Replays":               "the new run, episode 2 to 3|",
		"again summary":               "2 airings of Show on C, from Tuesday 1 July 2003 to Wednesday 2 July 2003.",
		"never summary":               "No airings.",
		"never Last day":              "2003-12-31|",
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q", k, got[k], want)
		}
	}
}

// TestEmptyWindow: a replay window in the gap between the runs has no
// airings, and still makes a site: every file renders, the index says
// there is nothing to ask about, and the window's days have pages that
// say nothing airs; there are no episodes.
func TestEmptyWindow(t *testing.T) {
	st := replaySite(t, thursday, func(c *Config) {
		w, err := c.Schedule.History().Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2008, Month: 3, Day: 3}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: thursday, Days: 7, PastDays: 1})
		if err != nil {
			t.Fatal(err)
		}
		c.Schedule = w
	})
	if n := st.Schedule().Len(); n != 0 {
		t.Fatalf("the window has %d airings, want none", n)
	}
	for f := range st.Files() {
		if strings.HasPrefix(f.Path, "episodes/") || strings.HasPrefix(f.Path, "years/") {
			t.Errorf("an empty site has %s", f.Path)
		}
		if _, err := st.Bytes(context.Background(), f); err != nil {
			t.Errorf("%s: %v", f.Path, err)
		}
	}
	index := render(t, st, "index.html")
	checkMarkup(t, index)
	contains(t, "an empty index", index, []string{"Nothing airs today.", "This week&#39;s guide has no episodes."}, []string{`<svg class="history"`})
	day := render(t, st, "days/2026-11-26.html")
	checkMarkup(t, day)
	contains(t, "an empty window's day", day, []string{"Backstage does not air on Thursday 26 November 2026."}, nil)
	// Every link reaches a file: the footer offers no day's or episode's
	// answer when there is none.
	for _, m := range regexp.MustCompile(`(?:href|src)="([^"#]+)"`).FindAllSubmatch(index, -1) {
		link := xmlUnescape(string(m[1]))
		if strings.HasPrefix(link, "webcal:") {
			continue
		}
		if target := resolve(t, "", "index.html", link); target == "" {
			t.Errorf("link %q leaves the site", link)
		} else if _, ok := st.Lookup(target); !ok {
			t.Errorf("link %q goes to %q, which the site lacks", link, target)
		}
	}
}

// TestReplayWindowDays: the pages of a replay window hold every day of
// the window, the last included even when nothing airs on it; a day
// before today says what aired, today and later what airs; the facts
// say which numbers are the history's and which the window's; and every
// page carries the window's starts, so that the script's "Next" is the
// channel's next airing on any page.
func TestReplayWindowDays(t *testing.T) {
	monday := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	st := replaySite(t, monday) // the window: Sunday 29 November to Monday 7 December
	if st.First() != (schedule.Date{Year: 2026, Month: 11, Day: 29}) || st.Last() != (schedule.Date{Year: 2026, Month: 12, Day: 7}) {
		t.Errorf("the site spans %s to %s, want the window's days, 2026-11-29 to 2026-12-07", st.First(), st.Last())
	}
	index := render(t, st, "index.html")
	contains(t, "the index", index, []string{
		"<p>Sunday 29 November to Monday 7 December 2026.</p>",
		`<h3><a href="days/2026-11-29.html">Sun 29 Nov</a></h3>` + "\n" + `<p class="none">Nothing aired.</p>`,
		`<h3><a href="days/2026-12-06.html">Sun 6 Dec</a></h3>` + "\n" + `<p class="none">Nothing airs.</p>`,
		"1875 airings of Backstage on e.tv, from Monday 1 May 2000 to Friday 6 July 2007. This week&#39;s guide replays 6 of them, from Monday 30 November 2026 to Monday 7 December 2026.",
		`data-starts="2026-11-30T18:30:00&#43;02:00 2026-12-01T18:30:00&#43;02:00`,
	}, nil)
	contains(t, "a past day", render(t, st, "days/2026-11-29.html"), []string{"Backstage did not air on Sunday 29 November 2026."}, nil)
	contains(t, "a day ahead", render(t, st, "days/2026-12-05.html"), []string{"Backstage does not air on Saturday 5 December 2026."}, nil)
	contains(t, "the window's last day", render(t, st, "days/2026-12-07.html"), []string{"Episode 826"}, nil)
	contains(t, "an episode page", render(t, st, "episodes/826.html"), []string{`data-starts="2026-11-30T18:30:00&#43;02:00`}, nil)
}

// TestRunCalendarsApart: runs whose names make the same slug, or a
// fixed name of the calendar folder, each get a calendar of their own,
// which the index links and which names itself as its SOURCE.
func TestRunCalendarsApart(t *testing.T) {
	const public = "https://tv.example.org/b"
	s, err := schedfile.Parse("runs.yaml", []byte(`timezone: UTC
shows: [{id: s, title: Show}]
channels: [{id: c.example, name: C}]
runs:
  - {name: run-2, show: s, channel: c.example, slot: "0 20 * * *", first: 2003-06-16, last: 2003-06-17, length: 30m, episodes: {first: 1}}
  - {name: "!!!", show: s, channel: c.example, slot: "0 21 * * *", first: 2003-06-16, last: 2003-06-17, length: 30m, episodes: {first: 10}}
  - {name: compact, show: s, channel: c.example, slot: "0 22 * * *", first: 2003-06-16, last: 2003-06-17, length: 30m, episodes: {first: 20}}
  - {name: Émission du soir, show: s, channel: c.example, slot: "0 23 * * *", first: 2003-06-16, last: 2003-06-17, length: 30m, episodes: {first: 30}}
`))
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(Config{Schedule: s, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	index := render(t, st, "index.html")
	paths := map[string]bool{}
	for i, r := range s.Runs() {
		path := "calendar/" + st.slugs[i] + ".ics"
		if paths[path] {
			t.Fatalf("two runs share %s", path)
		}
		paths[path] = true
		f, ok := st.Lookup(path)
		if !ok || f.Feed.Window.Run != r.Name {
			t.Errorf("run %q: %s is %+v, %v; want its calendar", r.Name, path, f.Feed, ok)
			continue
		}
		body := string(render(t, st, path))
		if !strings.Contains(body, "SOURCE;VALUE=URI:"+public+"/"+path+"\r\n") {
			t.Errorf("%s does not name itself as its SOURCE", path)
		}
		if n := strings.Count(body, "BEGIN:VEVENT"); n != 2 {
			t.Errorf("%s holds %d events, want its run's 2", path, n)
		}
		if !bytes.Contains(index, []byte(`href="`+public+"/"+path+`"`)) {
			t.Errorf("the index does not link %s", path)
		}
	}
	if f, _ := st.Lookup("calendar/compact.ics"); !f.Feed.Compact {
		t.Error("calendar/compact.ics is not the compact calendar")
	}
}
