package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/schedule"
)

//go:embed assets
var assetFS embed.FS

// pageTemplate is the web page, whichever question it answers.
var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"kb": func(n int) string { return strconv.Itoa((n+1023)/1024) + " KB" },
}).ParseFS(assetFS, "assets/page.html"))

// asset is an embedded file as the site has it.
type asset struct {
	body    []byte
	ctype   string
	version string // a short hash of body, for links that may be cached long
}

// assetNames are the files under assets/ that the site publishes, with
// their types.
var assetNames = []string{"style.css", "app.js", "icon.svg", "channel-icon.png", "show-backstage.png"}

var assetTypes = map[string]string{".css": TypeCSS, ".js": TypeJS, ".svg": TypeSVG, ".png": TypePNG}

// assets maps the paths of the embedded assets to their bytes.
var assets = func() map[string]*asset {
	m := map[string]*asset{}
	for _, name := range assetNames {
		b, err := assetFS.ReadFile("assets/" + name)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		ext := name[strings.LastIndexByte(name, '.'):]
		m["assets/"+name] = &asset{body: b, ctype: assetTypes[ext], version: base64.RawURLEncoding.EncodeToString(sum[:9])}
	}
	return m
}()

func assetFile(name string) File {
	return File{Path: "assets/" + name, Type: assets["assets/"+name].ctype, Kind: Asset}
}

// pageData is what the page template shows.
type pageData struct {
	Root     string // what links start with: "", "../" or the public URL
	Home     string // the link to the index page
	Title    string
	Source   string
	Zone     string // the display zone's name
	MinDate  string
	MaxDate  string
	LastEp   int
	DateIn   string // the date field's value
	EpIn     string // the episode field's value
	Error    string
	Replay   bool
	Years    string
	Style    string // the stylesheet's version
	Script   string // the script's version
	Index    bool   // the index page: history, subscribe links and facts
	Day      *dayView
	Episode  *episodeView
	History  template.HTML
	Legend   []legendItem
	Sub      subscribe
	Shows    []showFacts
	Runs     []runFacts
	JSONDate string
	JSONEp   int
}

// dayView is the answer to "what aired on …".
type dayView struct {
	Label      string // "Monday 16 June 2003"
	Prev, Next string // links to the days before and after, "" at the ends
	Airings    []airingRow
	Outside    bool // the day is outside the schedule
}

// episodeView is the answer to "when did episode N air?".
type episodeView struct {
	N       int
	Title   string
	Airings []airingRow
}

// airingRow is one airing as the page lists it.
type airingRow struct {
	Date, DateLabel string
	DayLink         string
	EpisodeLink     string
	Time            string // "18:30–19:00 SAST"
	Channel, Run    string
	Episode         int
	Title           string // the episode's own title, if it has one
	Repeat          string // "first aired Monday 1 May 2000", for repeats
	RepeatLink      string
	Replays         string // the historic airing it re-dates, for a replay
}

// subscribe holds the feed links the index page advertises.
type subscribe struct {
	Calendar      string
	Compact       string
	AllDay        string
	Webcal        template.URL // html/template allows only http(s) and mailto on its own
	WebcalCompact template.URL
	Runs          []link
	Years         []link
	XMLTV         string
	XMLTVGzip     string
	M3U           string // empty without a stream URL
	Absolute      bool   // the links are absolute (a public URL is known)

	// Sizes of the calendars in bytes, for the advice on Google Calendar,
	// which drops events from subscribed calendars over about 1 MB.
	FullSize, CompactSize, YearMax int
	FullTooBig                     bool
}

type link struct {
	Text string
	URL  string
}

// googleLimit is about where Google Calendar is reported to start
// dropping the events of a subscribed calendar.
const googleLimit = 1 << 20

// pageData fills in the page of f; errMsg, when set, is shown as the
// answer to a question that could not be answered.
func (s *Site) pageData(f File, errMsg string) *pageData {
	sched := s.cfg.Schedule
	root := s.root
	if root == "" && strings.Contains(f.Path, "/") {
		root = "../"
	}
	home := root
	if home == "" {
		home = "./"
	}
	d := &pageData{
		Root:    root,
		Home:    home,
		Title:   sched.Name(),
		Source:  sched.Source(),
		Zone:    s.loc.String(),
		MinDate: s.first.String(),
		MaxDate: s.last.String(),
		LastEp:  s.lastEp,
		Error:   errMsg,
		Replay:  s.cfg.Replay,
		Style:   assets["assets/style.css"].version,
		Script:  assets["assets/app.js"].version,
	}
	switch {
	case s.first.IsZero():
	case s.first.Year == s.last.Year:
		d.Years = strconv.Itoa(s.first.Year)
	default:
		d.Years = fmt.Sprintf("%d–%d", s.first.Year, s.last.Year)
	}
	d.JSONDate = s.first.String()
	if len(s.episodes) > 0 {
		d.JSONEp = s.episodes[0]
	}
	switch f.page {
	case indexPage:
		d.Index = true
		pic := s.history()
		d.History, d.Legend = pic.svg, pic.legend
		d.Shows, d.Runs = s.shows, s.facts
		d.Sub = s.subscribe(root)
		if t := s.cfg.Today; !t.IsZero() && !t.Before(s.first) && !t.After(s.last) {
			d.DateIn = t.String()
			d.Day = s.dayView(t, root)
		}
	case dayPage:
		d.DateIn = f.date.String()
		d.Day = s.dayView(f.date, root)
		d.JSONDate = f.date.String()
	case episodePage:
		d.EpIn = strconv.Itoa(f.episode)
		d.Episode = s.episodeView(f.episode, root)
		d.JSONEp = f.episode
	}
	return d
}

// renderPage executes the page template.
func (s *Site) renderPage(w io.Writer, d *pageData) error {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// ErrorPage writes a short page saying msg, with the questions' forms:
// the answer to a question that could not be answered, or to a path the
// site does not have. Such a path may stand at any depth, so the page's
// links start from the top of the host ("/"), or from the public URL when
// there is one.
func (s *Site) ErrorPage(w io.Writer, msg string) error {
	d := s.pageData(File{}, msg)
	if s.root == "" {
		d.Root, d.Home = "/", "/"
	}
	return s.renderPage(w, d)
}

// subscribe lists the feed links, relative to root.
func (s *Site) subscribe(root string) subscribe {
	sub := subscribe{
		Calendar:  root + "calendar.ics",
		Compact:   root + "calendar/compact.ics",
		AllDay:    root + "calendar/all-day.ics",
		XMLTV:     root + "xmltv.xml",
		XMLTVGzip: root + "xmltv.xml.gz",
		Absolute:  s.root != "",
	}
	if sub.Absolute {
		// The scheme is ours and the rest an http URL the template would
		// accept, so the webcal links are safe as they are.
		sub.Webcal, sub.WebcalCompact = template.URL(webcal(sub.Calendar)), template.URL(webcal(sub.Compact))
	}
	for i, r := range s.cfg.Schedule.Runs() {
		sub.Runs = append(sub.Runs, link{Text: r.Name, URL: root + "calendar/" + s.slugs[i] + ".ics"})
	}
	for _, y := range s.years {
		sub.Years = append(sub.Years, link{Text: strconv.Itoa(y), URL: root + "calendar/" + strconv.Itoa(y) + ".ics"})
	}
	if s.cfg.StreamURL != "" {
		sub.M3U = root + "channels.m3u"
	}
	sz := s.sizes()
	sub.FullSize, sub.CompactSize, sub.YearMax = sz.full, sz.compact, sz.yearMax
	sub.FullTooBig = sz.full > googleLimit
	return sub
}

// webcal returns u with its scheme replaced by webcal, the scheme that
// makes a browser hand a calendar URL to the calendar app.
func webcal(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		return "webcal://" + rest
	}
	return u
}

// dayView lists what aired on day.
func (s *Site) dayView(day schedule.Date, root string) *dayView {
	dv := &dayView{Label: day.In(time.UTC).Format("Monday 2 January 2006")}
	if prev := day.AddDays(-1); !prev.Before(s.first) {
		dv.Prev = prev.String()
	}
	if next := day.AddDays(1); !next.After(s.last) {
		dv.Next = next.String()
	}
	dv.Outside = day.Before(s.first) || day.After(s.last)
	for _, sl := range s.cfg.Schedule.On(day) {
		dv.Airings = append(dv.Airings, s.airingRow(sl, root))
	}
	return dv
}

// episodeView lists the airings of episode n.
func (s *Site) episodeView(n int, root string) *episodeView {
	ev := &episodeView{N: n}
	slots := s.cfg.Schedule.Episode(n)
	for _, sl := range slots {
		ev.Airings = append(ev.Airings, s.airingRow(sl, root))
	}
	if len(slots) > 0 {
		ev.Title = slots[0].OwnTitle()
	}
	return ev
}

// airingRow describes sl for the page, its times in the display zone and
// its links relative to root. A day outside the site has no page, so no
// link.
func (s *Site) airingRow(sl schedule.Slot, root string) airingRow {
	start, end := sl.Start.In(s.loc), sl.End.In(s.loc)
	a := airingRow{
		Date:        schedule.DateOf(start).String(),
		DateLabel:   start.Format("Mon 2 Jan 2006"),
		Time:        start.Format("15:04") + "–" + end.Format("15:04") + " " + start.Format("MST"),
		Channel:     sl.Run.Channel.Name,
		Run:         sl.Run.Name,
		Episode:     sl.Episode,
		Title:       sl.OwnTitle(),
		EpisodeLink: root + "episodes/" + strconv.Itoa(sl.Episode) + ".html",
	}
	a.DayLink = s.dayLink(schedule.DateOf(sl.Start.In(s.cfg.Schedule.Location())), root)
	if sl.IsRepeat() {
		fa := sl.FirstAired.In(s.loc)
		a.Repeat = "first aired " + fa.Format("Monday 2 January 2006, 15:04")
		a.RepeatLink = s.dayLink(schedule.DateOf(sl.FirstAired.In(s.cfg.Schedule.Location())), root)
	}
	if !sl.ReplayOf.IsZero() {
		ro := sl.ReplayOf.In(s.loc)
		a.Replays = "originally aired " + ro.Format("Monday 2 January 2006, 15:04")
	}
	return a
}

// dayLink is the link to the page of day d, or "" when the site has none.
func (s *Site) dayLink(d schedule.Date, root string) string {
	if s.first.IsZero() || d.Before(s.first) || d.After(s.last) {
		return ""
	}
	return root + "days/" + d.String() + ".html"
}

// showFacts is what the schedule file says about a show.
type showFacts struct {
	Title, Synopsis string
	Facts           []fact
}

// runFacts is what the schedule file says about a run, each detail
// marked as sourced or assumed.
type runFacts struct {
	Name    string
	Summary string
	Facts   []fact
}

type fact struct {
	Field, Value string
	Assumed      string // the assumption's note; empty for a detail as given
}

// showFactsOf lists what s says about its shows.
func showFactsOf(s *schedule.Schedule) []showFacts {
	var out []showFacts
	for _, sh := range s.Shows() {
		f := showFacts{Title: sh.Title, Synopsis: sh.Synopsis}
		add := func(field string, values ...string) {
			var vs []string
			for _, v := range values {
				if v != "" {
					vs = append(vs, v)
				}
			}
			if len(vs) > 0 {
				f.Facts = append(f.Facts, fact{Field: field, Value: strings.Join(vs, ", ")})
			}
		}
		add("Genres", sh.Genres...)
		add("Country", sh.Country)
		add("Language", sh.Language)
		c := sh.Credits
		add("Created by", c.Creators...)
		add("Developed by", c.Developers...)
		add("Directed by", c.Directors...)
		add("Written by", c.Writers...)
		add("Starring", c.Actors...)
		add("Produced by", c.Producers...)
		add("Music", c.Composers...)
		add("Presented by", c.Presenters...)
		out = append(out, f)
	}
	return out
}

// runFactsOf lists each run's details, marking those its Assumptions name.
func runFactsOf(s *schedule.Schedule) []runFacts {
	zone := s.Location()
	var out []runFacts
	stats := map[*schedule.Run]schedule.Stats{}
	for _, st := range s.Stats() {
		stats[st.Run] = st
	}
	for _, r := range s.Runs() {
		used := map[string]bool{}
		rf := runFacts{Name: r.Name}
		if st, ok := stats[r]; ok && st.Slots > 0 {
			rf.Summary = fmt.Sprintf("%d airings of %s on %s, from %s to %s.", st.Slots, r.Show.Title, r.Channel.Name,
				st.First.Start.In(zone).Format("Monday 2 January 2006"), st.Last.Start.In(zone).Format("Monday 2 January 2006"))
		} else if ok {
			rf.Summary = "No airings."
		}
		add := func(field, label, value string) {
			used[field] = true
			rf.Facts = append(rf.Facts, fact{Field: label, Value: value, Assumed: r.Assumed(field)})
		}
		add("channel", "Channel", r.Channel.Name)
		add("slot", "Slot", fmt.Sprintf("%s (cron: minute hour day month weekday), %s", r.Rule, r.Location))
		add("first", "First day", r.First.String())
		last := "not given"
		if !r.Last.IsZero() {
			last = r.Last.String()
		}
		add("last", "Last day", last)
		add("length", "Length", fmt.Sprintf("%d minutes", int(r.Length/time.Minute)))
		if r.IsReplay() {
			to := "its last"
			if r.ReplayTo != 0 {
				to = strconv.Itoa(r.ReplayTo)
			}
			add("replay", "Replays", fmt.Sprintf("the %s run, episode %d to %s", r.Replays, r.ReplayFrom, to))
		} else {
			count := "until the last day"
			if r.Count > 0 {
				count = fmt.Sprintf("%d at most", r.Count)
			}
			add("episodes", "Episodes", fmt.Sprintf("new, numbered from %d, %s", r.FirstEpisode, count))
		}
		exc := "none"
		if n := len(r.Exceptions); n > 0 {
			exc = fmt.Sprintf("%d days", n)
		}
		add("exceptions", "Days off (pre-emptions)", exc)
		for _, a := range r.Assumptions {
			if !used[a.Field] {
				rf.Facts = append(rf.Facts, fact{Field: a.Field, Value: "", Assumed: a.Note})
			}
		}
		out = append(out, rf)
	}
	return out
}

// m3u writes the playlist of s's channels, each at stream (with {id}
// replaced), with root's xmltv.xml.gz as the XMLTV URL and each channel's
// icon, made absolute against root, as its tvg-logo (none when root is
// relative: players want an absolute one).
func m3u(s *schedule.Schedule, stream, root string) []byte {
	var b bytes.Buffer
	guide := root + "xmltv.xml.gz"
	b.WriteString(`#EXTM3U url-tvg="` + m3uAttr(guide) + `" x-tvg-url="` + m3uAttr(guide) + "\"\n")
	for i, ch := range s.Channels() {
		name := ch.Name
		if name == "" {
			name = ch.ID
		}
		logo := ""
		if u := feeds.ResolveURL(root, ch.Icon); u != "" {
			logo = `" tvg-logo="` + m3uAttr(u)
		}
		b.WriteString(`#EXTINF:-1 tvg-id="` + m3uAttr(ch.ID) + `" tvg-name="` + m3uAttr(name) + logo +
			`" tvg-chno="` + strconv.Itoa(i+1) + `" group-title="` + m3uAttr(s.Name()) + `",` + m3uText(name) + "\n")
		b.WriteString(strings.ReplaceAll(stream, "{id}", url.PathEscape(ch.ID)) + "\n")
	}
	return b.Bytes()
}

// m3uAttr makes s safe inside a double-quoted M3U attribute: no quotes,
// no line breaks.
func m3uAttr(s string) string {
	return strings.NewReplacer(`"`, "'", "\n", " ", "\r", " ").Replace(s)
}

// m3uText makes s safe as an entry's title: no line breaks.
func m3uText(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}
