package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"html/template"
	"image/png"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/schedule"
)

//go:embed assets
var assetFS embed.FS

// pageTemplate is the web page, whichever question it answers.
var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"kb":  func(n int) string { return ByteSize(int64(n)) },
	"wbr": wbr,
}).ParseFS(assetFS, "assets/page.html"))

// asset is an embedded file as the site has it.
type asset struct {
	body          []byte
	ctype         string
	version       string // a short hash of body, for links that may be cached long
	width, height int    // a PNG's size in pixels
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
		a := &asset{body: b, ctype: assetTypes[ext], version: base64.RawURLEncoding.EncodeToString(sum[:9])}
		if ext == ".png" {
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil {
				panic(fmt.Sprintf("assets/%s: %v", name, err))
			}
			a.width, a.height = cfg.Width, cfg.Height
		}
		m["assets/"+name] = a
	}
	return m
}()

// faviconFile is the icon browsers ask for at /favicon.ico whatever the
// page names: Safari, which shows no SVG icon, and any client that does
// not read the page at all. It is the channel icon's PNG in an ICO file.
var faviconFile = File{Path: "favicon.ico", Type: TypeICO, Kind: Asset}

func init() {
	icon := assets["assets/channel-icon.png"]
	assets[faviconFile.Path] = &asset{body: ico(icon.body, icon.width, icon.height), ctype: TypeICO}
}

// ico wraps one PNG image in an ICO file: the six-byte ICONDIR, one
// sixteen-byte ICONDIRENTRY, the PNG. Every browser and Windows since
// Vista read a PNG inside an icon; a size of 256 is written as 0.
func ico(image []byte, width, height int) []byte {
	b := make([]byte, 22, 22+len(image))
	binary.LittleEndian.PutUint16(b[2:], 1)   // type: icon
	binary.LittleEndian.PutUint16(b[4:], 1)   // one image
	b[6], b[7] = byte(width), byte(height)    // 256 wraps to 0, as the format wants
	binary.LittleEndian.PutUint16(b[10:], 1)  // colour planes
	binary.LittleEndian.PutUint16(b[12:], 32) // bits per pixel
	binary.LittleEndian.PutUint32(b[14:], uint32(len(image)))
	binary.LittleEndian.PutUint32(b[18:], 22) // where the image starts
	return append(b, image...)
}

func assetFile(name string) File {
	return File{Path: "assets/" + name, Type: assets["assets/"+name].ctype, Kind: Asset}
}

// pageData is what the page template shows.
type pageData struct {
	Root    string // what links start with: "", "../" or the public URL
	Home    string // the link to the index page
	Title   string // the schedule's name
	Source  string
	Zone    string // the display zone's name
	Years   string // "2000–2016"
	Style   string // the stylesheet's version
	Script  string // the script's version
	Error   string
	Heading string // the heading of a page that answers nothing: an error's, the 404 page's
	Replay  bool
	Lede    string // replay mode's index: what the channel is
	Starts  string // replay mode: the window's starts, RFC 3339, space-separated
	Ask     askForms
	Index   bool // the index page: history (or today and the week), on this day, subscribe links and facts
	Art     *picture
	Day     *dayView
	Episode *episodeView
	Year    *yearView
	Today   *todayView // replay mode's index
	Week    *weekView  // replay mode's index and day pages

	// The page's head: its title, a sentence for search engines, its
	// address under the public URL, whether it is to be left out of
	// search results (a page made for one question), and its linked data.
	PageTitle   string
	Description string
	Canonical   string
	NoIndex     bool
	LD          template.JS

	HistoryRows   []historyRowView
	HistoryMonths string
	HistoryWidth  int
	HistoryNote   string
	Legend        []legendItem
	YearTiles     []yearTile

	OnThisDay *onThisDay
	Browse    []link // on a page made for one question: the years, or the window's days, to go on from
	Sub       subscribe
	Shows     []showFacts
	Runs      []runFacts
	JSONDate  string
	JSONEp    int
}

// askForms is what the two questions' forms show and take.
type askForms struct {
	MinDate, MaxDate string // the date field's bounds: the site's first and last day
	DateHint         string
	DateIn           string // the date field's value
	EpMax            int    // the episode field's bound: the history's last episode
	EpHint           string
	EpIn             string // the episode field's value
	EpHave           string // the episodes with a page, as ranges ("815-821"), for the script; "" when all have one
	EpMissing        string // what the script says of another episode, after "Episode N "
}

// picture is an image the page shows.
type picture struct {
	Src, Alt      string
	Width, Height int
}

// dayView is the answer to "what aired on …".
type dayView struct {
	Label         string      // "Monday 16 June 2003"
	Top           bool        // the page's own answer, under its <h1>, not the index's
	Said          []string    // what aired, in sentences that name the show and the channel
	Prev, Next    *link       // the days before and after, nil at the ends
	Before, After *airingLink // the airings before the day and after it
	Airings       []airingRow
	Month         *monthCal // the month around the day (not in replay mode)
	Week          *weekView // the window's days (replay mode)
	Ahead         bool      // replay mode: the day is today or later, so what airs, not what aired
}

// airingLink names an airing and links to its day's page ("" for none).
type airingLink struct {
	Label, Link string
}

// episodeView is the answer to "when did episode N air?".
type episodeView struct {
	N          int
	Title      string // the episode's own title, if it has one
	Show       string // the show's title
	Said       string // when it first aired, and how often after, in a sentence
	Replay     bool   // the airings are a replay window's
	Prev, Next *link  // the episodes before and after that have pages
	Airings    []airingRow
	Aired      []airingRow // replay mode: its airings in the history, which the site has no pages for
	Note       string      // why there is no airing to list, for an episode outside a replay window
	Art        *picture
	About      *showFacts
	Cal        *episodeCal
}

// episodeCal is the calendar of an episode's airings, and the links that
// subscribe a calendar app to it in one click, which need an address the
// app can reach: a public URL.
type episodeCal struct {
	Link    string // episodes/N.ics, from the page
	Path    string // episodes/N.ics, from the top of the site
	Airings int
	Size    int // bytes
	Sub     oneClick
}

// oneClick holds the links that add a calendar to Google Calendar,
// Outlook and Apple's Calendar (webcal://) in one click; they are empty
// without a public URL.
type oneClick struct {
	Google, Outlook string
	Webcal          template.URL
	WebcalText      template.HTML
	Script          string // without a public URL: the calendar's link, for the page's script to make a webcal:// link of
}

// airingRow is one airing as the page lists it.
type airingRow struct {
	ID              string // its anchor on the episode's page
	Date, DateLabel string
	DayLink         string
	EpisodeLink     string
	Time            string // "18:30–19:00 SAST"
	Start, End      string // RFC 3339, in replay mode, for the script's "on now" and "next"
	Channel, Run    string
	Episode         int
	Title           string // the episode's own title, if it has one
	First           bool   // the episode's first airing
	Here            bool   // listed on its episode's own page, which need not name the episode
	Repeat          string // "first aired Monday 1 May 2000, 18:30", for repeats
	RepeatLink      string // the first airing: its day's page, or on the episode's page its row
	Replays         string // for a re-dated airing: the historic airing it replays (and the first, when that is another)
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
	M3U           string   // empty without a stream URL
	Absolute      bool     // the links are absolute (a public URL is known)
	OneClick      oneClick // for the calendar Google Calendar takes whole
	Airings       int      // how many airings the full calendar holds

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

// Labels of days and times as the pages write them.
const (
	dayFormat      = "Monday 2 January 2006"
	shortDayFormat = "Mon 2 Jan 2006"
	timeFormat     = "Monday 2 January 2006, 15:04"
)

// ByteSize writes a size as the pages and the command line say it: "812
// bytes", "115.1 KB", "1.7 MB", in powers of 1000, so that a calendar's
// size on the page is the one an export of it prints.
func ByteSize(n int64) string {
	switch {
	case n == 1:
		return "1 byte"
	case n < 1000:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1e6:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + " KB"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}

// DayLabel writes d as the pages do: "Monday 16 June 2003".
func DayLabel(d schedule.Date) string { return formatDate(d, dayFormat) }

// formatDate writes d with layout, a time.Format layout of a date alone.
func formatDate(d schedule.Date, layout string) string { return d.In(time.UTC).Format(layout) }

// when writes instant t as the pages do, in the display zone: "Monday
// 16 June 2003, 18:30".
func (s *Site) when(t time.Time) string { return t.In(s.loc).Format(timeFormat) }

// SpanLabel writes the site's days as the pages do: "Monday 1 May 2000
// to Friday 11 March 2016".
func (s *Site) SpanLabel() string { return spanLabel(s.first, s.last) }

// spanLabel writes the days from a to b: "Sunday 29 November to Monday
// 7 December 2026", with the year once when both share it.
func spanLabel(a, b schedule.Date) string {
	if a == b {
		return DayLabel(a)
	}
	if a.Year == b.Year {
		return formatDate(a, "Monday 2 January") + " to " + DayLabel(b)
	}
	return DayLabel(a) + " to " + DayLabel(b)
}

// pageBase fills in what every page of the site shows alike, once per
// site: the titles, the forms' bounds and hints, the assets' versions.
func (s *Site) pageBase() pageData {
	sched := s.cfg.Schedule
	d := pageData{
		Title:  sched.Name(),
		Source: sched.Source(),
		Zone:   s.loc.String(),
		Replay: s.cfg.Replay,
		Style:  assets["assets/style.css"].version,
		Script: assets["assets/app.js"].version,
		Ask:    s.askForms(),
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
	if s.cfg.Replay {
		// Every start of the window, so that the script's "Next" is the
		// channel's next airing, not the next of those a page lists.
		var starts []string
		for sl := range sched.Slots(schedule.Query{}) {
			starts = append(starts, sl.Start.In(s.loc).Format(time.RFC3339))
		}
		d.Starts = strings.Join(starts, " ")
	}
	return d
}

// pageData fills in the page of f; errMsg, when set, is shown as the
// answer to a question that could not be answered.
func (s *Site) pageData(f File, errMsg string) *pageData {
	root := s.root
	if root == "" && strings.Contains(f.Path, "/") {
		root = "../"
	}
	home := root
	if home == "" {
		home = "./"
	}
	d := s.base
	d.Root, d.Home, d.Error = root, home, errMsg
	d.PageTitle = d.Title
	if s.root != "" && f.Path != "" {
		d.Canonical = s.root + strings.TrimSuffix(f.Path, "index.html")
	}
	switch f.page {
	case indexPage:
		d.Index = true
		d.Art = s.artwork(root)
		d.Shows, d.Runs = showFactsOf(s.cfg.Schedule), runFactsOf(s.cfg.Schedule)
		d.Sub = s.subscribe(root)
		d.OnThisDay = s.onThisDay(root)
		if s.cfg.Replay {
			d.Lede = s.replayLede()
			d.Today = s.todayView(root)
			d.Week = s.weekView(root, true, schedule.Date{})
		} else {
			d.HistoryRows, d.HistoryMonths, d.HistoryWidth = s.historyRows(root)
			pic := s.history()
			d.Legend, d.HistoryNote = pic.legend, pic.note
			d.YearTiles = s.yearTiles(root)
			if t := s.today(); !t.IsZero() {
				d.Ask.DateIn = t.String()
				d.Day = s.dayView(t, root)
			}
		}
		d.Description = s.indexDescription()
	case yearPage:
		d.Year = s.yearView(f.date.Year, root)
		d.PageTitle = strconv.Itoa(f.date.Year) + " · " + d.Title
		d.Description = d.Title + ", " + strconv.Itoa(f.date.Year) + ": " + lowerFirst(d.Year.Summary)
	case dayPage:
		d.Ask.DateIn = f.date.String()
		d.Day = s.dayView(f.date, root)
		d.Day.Top = true
		d.JSONDate = f.date.String()
		d.PageTitle = d.Day.Label + " · " + d.Title
		d.Description = strings.Join(d.Day.Said, " ")
	case episodePage:
		d.Ask.EpIn = strconv.Itoa(f.episode)
		d.Episode = s.episodeView(f.episode, root)
		d.JSONEp = f.episode
		d.PageTitle = "Episode " + strconv.Itoa(f.episode) + " · " + d.Title
		d.Description = d.Episode.Said
	case notFoundPage:
		d = *s.hostPage("Sorry, there is no page at this address. Ask about a day or an episode here, or start again from the front page.")
		d.Heading, d.PageTitle = "Page not found", "Page not found · "+d.Title
	}
	d.LD = s.linkedData(&d, f)
	return &d
}

// indexDescription says in a sentence what the index shows, for search
// engines' results.
func (s *Site) indexDescription() string {
	sched := s.cfg.Schedule
	if s.cfg.Replay {
		return s.replayLede()
	}
	if s.first.IsZero() {
		return "What aired when on " + sched.Name() + ": nothing yet."
	}
	return fmt.Sprintf("Every airing of %s, %s: what aired on each day, when each episode aired, and calendars and TV guides to subscribe to.",
		sched.Name(), spanLabel(s.first, s.last))
}

// askForms fills in the forms: the days the site has pages for, and the
// episodes of the history (a replay window has some of them).
func (s *Site) askForms() askForms {
	hist := s.cfg.Schedule.History()
	a := askForms{MinDate: s.first.String(), MaxDate: s.last.String(), EpMax: max(hist.LastEpisode(), s.LastEpisode())}
	// The script checks an episode against the pages there are only when
	// some number up to the last has none.
	have := ""
	if n := len(s.episodes); n > 0 && (s.episodes[0] != 1 || s.episodes[n-1] != n || s.cfg.Replay) {
		have = ranges(s.episodes)
	}
	switch {
	case s.first.IsZero():
		a.DateHint = "There are no airings to ask about."
	case s.cfg.Replay:
		a.DateHint = "Pick a day of this week's guide, " + spanLabel(s.first, s.last) + "."
	default:
		a.DateHint = "Pick a day from " + spanLabel(s.first, s.last) + "."
	}
	a.EpHint = fmt.Sprintf("A number from 1 to %d.", a.EpMax)
	a.EpHave, a.EpMissing = have, "never aired."
	if s.cfg.Replay {
		has := "no episodes"
		if len(s.episodes) > 0 {
			lo, hi := s.episodes[0], s.episodes[len(s.episodes)-1]
			has = fmt.Sprintf("episodes %d to %d", lo, hi)
			if lo == hi {
				has = fmt.Sprintf("episode %d", lo)
			}
		}
		a.EpHint += " This week's guide has " + has + "."
		a.EpMissing = "is not on this week's guide, which has " + has + "."
	}
	return a
}

// ranges writes sorted numbers as ranges: "1-3 5 7-9".
func ranges(ns []int) string {
	var b strings.Builder
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(ns[i]))
		if j > i {
			b.WriteString("-" + strconv.Itoa(ns[j]))
		}
		i = j + 1
	}
	return b.String()
}

// renderPage executes the page template into w. A template that fails
// half way leaves the start of a page there: every caller renders into a
// buffer of its own (the server, so that it can still answer with an
// error; Bytes), so a second buffer here would only copy each page.
func (s *Site) renderPage(w io.Writer, d *pageData) error {
	return pageTemplate.Execute(w, d)
}

// ErrorPage writes a short page saying msg, with the questions' forms:
// the answer to a question that could not be answered, or to a path the
// site does not have. msg is for people: it says what happened in their
// words, not a program's. Such a path may stand at any depth, so the
// page's links start from the top of the host ("/"), or from the public
// URL when there is one.
func (s *Site) ErrorPage(w io.Writer, msg string) error {
	d := s.hostPage(msg)
	d.Heading, d.PageTitle = "Sorry", "Sorry · "+d.Title
	d.LD = s.linkedData(d, File{})
	return s.renderPage(w, d)
}

// hostPage fills in a page that is not one of the site's files, for a
// path at any depth: its links start from the top of the host, or from
// the public URL. It is made for one question, so search engines are
// asked to leave it out.
func (s *Site) hostPage(msg string) *pageData {
	d := s.pageData(File{}, msg)
	if s.root == "" {
		d.Root, d.Home = "/", "/"
	}
	d.Canonical, d.NoIndex = "", true
	for y := range s.yearPages() {
		d.Browse = append(d.Browse, link{Text: strconv.Itoa(y), URL: d.Root + "years/" + strconv.Itoa(y) + ".html"})
	}
	if s.cfg.Replay {
		for day := range s.days() {
			d.Browse = append(d.Browse, link{Text: formatDate(day, "Mon 2 Jan"), URL: d.Root + "days/" + day.String() + ".html"})
		}
	}
	return d
}

// EpisodeElsewhere writes the answer to "when does episode n air?" for
// an episode the site has no page for because it airs outside a replay
// window: a page that says so and when it aired in the history. It
// returns false, and writes nothing, when the site has a page for n, or
// the history never aired it either. Like ErrorPage's, its links start
// from the top of the host, or from the public URL.
func (s *Site) EpisodeElsewhere(w io.Writer, n int) (bool, error) {
	if _, ok := slices.BinarySearch(s.episodes, n); ok {
		return false, nil
	}
	hist := s.cfg.Schedule.History()
	slots := hist.Episode(n)
	if len(slots) == 0 {
		return false, nil
	}
	d := s.hostPage("")
	d.Ask.EpIn = strconv.Itoa(n)
	first, last := slots[0], slots[len(slots)-1]
	note := fmt.Sprintf("Episode %d %s It first aired on %s (%s)", n, d.Ask.EpMissing,
		s.when(first.Start), first.Run.Name)
	if len(slots) > 1 {
		note += fmt.Sprintf("; its last airing was on %s (%s)", s.when(last.Start), last.Run.Name)
	}
	d.Episode = &episodeView{N: n, Title: first.OwnTitle(), Show: first.Run.Show.Title, Note: note + ".", Replay: s.cfg.Replay,
		Art: s.showArtwork(first.Run.Show, d.Root), About: s.aboutShow(first.Run.Show)}
	d.PageTitle = "Episode " + strconv.Itoa(n) + " · " + d.Title
	d.LD = s.linkedData(d, File{})
	return true, s.renderPage(w, d)
}

// DayElsewhere writes the answer to "what aired on day d?" for a day the
// site has no page for: before the first airing or after the last (as
// "today" is, long after a history), or outside a replay window. It says
// so in words, with the airing nearest the day (linked to its day's
// page) and, for a replay window, what the channel airs that day. It
// returns false, and writes nothing, when the site has a page for d.
// Like ErrorPage's, its links start from the top of the host, or from
// the public URL.
func (s *Site) DayElsewhere(w io.Writer, d schedule.Date) (bool, error) {
	if !s.first.IsZero() && !d.Before(s.first) && !d.After(s.last) {
		return false, nil
	}
	p := s.hostPage("")
	p.Ask.DateIn = d.String()
	label := DayLabel(d)
	if d == s.cfg.Date {
		label = "Today, " + label
	}
	dv := &dayView{Label: label, Top: true}
	sched := s.cfg.Schedule
	zone := sched.Location()
	show := s.showName()
	switch {
	case s.first.IsZero():
		dv.Said = []string{"Nothing aired on " + DayLabel(d) + ": the schedule has no airings."}
	case s.cfg.Replay:
		said := DayLabel(d) + " is not in this week's guide, which runs from " + s.SpanLabel() + "."
		if h, ok := sched.ReplayDay(d); ok {
			said += " On that day the channel replays what e.tv aired on " + DayLabel(h) + "."
		}
		dv.Said = []string{said}
	case d.Before(s.first):
		first, _ := sched.Next(s.first.In(zone))
		dv.Said = []string{fmt.Sprintf("%s had not started on %s: its first airing was on %s.", show, DayLabel(d), s.when(first.Start))}
		dv.After = s.airingLink(first, p.Root)
	default:
		last := sched.Last()
		dv.Said = []string{fmt.Sprintf("Nothing aired on %s: %s's last airing was on %s, episode %d (%s). This site is its history; its replay mode (backstage serve --replay) airs it again as a retro channel.",
			DayLabel(d), show, s.when(last.Start), last.Episode, last.Run.Name)}
		dv.Before = s.airingLink(last, p.Root)
	}
	p.Day, p.JSONDate = dv, ""
	p.PageTitle = DayLabel(d) + " · " + p.Title
	p.LD = s.linkedData(p, File{})
	return true, s.renderPage(w, p)
}

// showName names what a schedule airs in a sentence: its one show's
// title, or, for a schedule of several, "nothing".
func (s *Site) showName() string {
	if sh := s.cfg.Schedule.Shows(); len(sh) == 1 && sh[0].Title != "" {
		return sh[0].Title
	}
	return s.cfg.Schedule.Name()
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
		Airings:   s.cfg.Schedule.Len(),
	}
	if sub.Absolute {
		// The scheme is ours and the rest an http URL the template would
		// accept, so the webcal links are safe as they are.
		sub.Webcal, sub.WebcalCompact = template.URL(webcal(sub.Calendar)), template.URL(webcal(sub.Compact))
	}
	// The calendar Google Calendar takes whole: the compact one, or in
	// replay mode the week's.
	if s.cfg.Replay {
		sub.OneClick = s.oneClick(sub.Calendar, s.feedAt["calendar.ics"].Feed.Name)
	} else {
		sub.OneClick = s.oneClick(sub.Compact, s.feedAt["calendar/compact.ics"].Feed.Name)
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

// oneClick makes the links that subscribe a calendar app to the calendar
// at u, called name: none unless u is absolute (a public URL is known),
// since the apps fetch the calendar themselves; then only the page's
// script can make a webcal:// link, from the page's own address.
func (s *Site) oneClick(u, name string) oneClick {
	if s.root == "" {
		return oneClick{Script: u}
	}
	wc := webcal(u)
	return oneClick{
		Google:     "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(wc),
		Outlook:    "https://outlook.live.com/calendar/0/addfromweb?url=" + url.QueryEscape(u) + "&name=" + url.QueryEscape(name),
		Webcal:     template.URL(wc), // our scheme, and an http URL the template would take
		WebcalText: wbr(wc),
	}
}

// webcal returns u with its scheme replaced by webcal, the scheme that
// makes a browser hand a calendar URL to the calendar app.
func webcal(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		return "webcal://" + rest
	}
	return u
}

// wbr writes v (a URL) as HTML text that may break after each slash of
// its path, and nowhere else: a narrow screen wraps
// "webcal://tv.example.org/calendar/" before "compact.ics", never inside it.
func wbr(v any) template.HTML {
	u := fmt.Sprint(v)
	var b strings.Builder
	scheme, rest, ok := strings.Cut(u, "://")
	if ok {
		b.WriteString(template.HTMLEscapeString(scheme + "://"))
	} else {
		rest = u
	}
	for i, part := range strings.SplitAfter(rest, "/") {
		if i > 0 && part != "" {
			b.WriteString("<wbr />")
		}
		b.WriteString(template.HTMLEscapeString(part))
	}
	return template.HTML(b.String())
}

// dayView lists what aired on day, one of the site's days, in sentences
// and as a list, with the airings either side; outside replay mode with
// the month around it, in replay mode with the window's days.
func (s *Site) dayView(day schedule.Date, root string) *dayView {
	dv := &dayView{Label: DayLabel(day), Ahead: s.cfg.Replay && !day.Before(s.today())}
	near := func(d schedule.Date) *link {
		return &link{Text: formatDate(d, shortDayFormat), URL: root + "days/" + d.String() + ".html"}
	}
	if prev := day.AddDays(-1); !prev.Before(s.first) {
		dv.Prev = near(prev)
	}
	if next := day.AddDays(1); !next.After(s.last) {
		dv.Next = near(next)
	}
	sched := s.cfg.Schedule
	zone := sched.Location()
	slots := sched.On(day)
	for _, sl := range slots {
		a := s.airingRow(sl, root)
		if a.Date == day.String() {
			a.DayLink = "" // this page
		}
		dv.Airings = append(dv.Airings, a)
	}
	// The airings either side: before the day's first start, and from
	// its end on.
	if prev, ok := sched.Prev(day.In(zone)); ok {
		dv.Before = s.airingLink(prev, root)
	}
	if next, ok := sched.Next(day.AddDays(1).In(zone)); ok {
		dv.After = s.airingLink(next, root)
	}
	dv.Said = s.daySaid(day, slots, dv.Ahead)
	if s.cfg.Replay {
		dv.Week = s.weekView(root, false, day)
	} else {
		dv.Month = s.monthCal(day.Year, day.Month, root, day)
	}
	return dv
}

// daySaid says in sentences what aired on day: the channel, the episode
// and the show, the time, and whether it was a first airing or a repeat
// (or, in replay mode, which historic airing it replays); when nothing
// did, that the show did not air, and, for a day between two runs, which.
func (s *Site) daySaid(day schedule.Date, slots []schedule.Slot, ahead bool) []string {
	label := DayLabel(day)
	if len(slots) == 0 {
		said := s.showName() + " did not air on " + label + "."
		if ahead {
			said = s.showName() + " does not air on " + label + "."
		}
		if between := s.between(day); between != "" {
			said += " " + between
		}
		return []string{said}
	}
	var out []string
	for i, sl := range slots {
		start, end := sl.Start.In(s.loc), sl.End.In(s.loc)
		what := "episode " + strconv.Itoa(sl.Episode)
		if t := sl.OwnTitle(); t != "" {
			what += ", “" + t + "”,"
		}
		if sl.Run.Show.Title != "" {
			what += " of " + sl.Run.Show.Title
		}
		channel := sl.Run.Channel.Name
		if channel == "" {
			channel = sl.Run.Channel.ID
		}
		verb := "aired"
		if !sl.ReplayOf.IsZero() {
			channel = "this channel"
			if ahead {
				verb = "airs"
			}
		}
		lead := "On " + label + ", " + channel
		if i > 0 {
			lead = "Then " + channel
		}
		times := fmt.Sprintf("from %s to %s %s", start.Format("15:04"), end.Format("15:04"), start.Format("MST"))
		var said string
		switch {
		case !sl.ReplayOf.IsZero():
			said = fmt.Sprintf("%s %s %s %s, as %s aired it on %s", lead, verb, what, times, sl.Run.Channel.Name, s.when(sl.ReplayOf))
			if sl.IsRepeat() && !sl.FirstAired.Equal(sl.ReplayOf) {
				said += " (it first aired on " + s.when(sl.FirstAired) + ")"
			}
		case sl.IsRepeat():
			said = fmt.Sprintf("%s %s %s again, %s, in the %s run; it first aired on %s", lead, verb, what, times, sl.Run.Name, s.when(sl.FirstAired))
		default:
			said = fmt.Sprintf("%s %s %s %s: its first airing, in the %s run", lead, verb, what, times, sl.Run.Name)
		}
		out = append(out, strings.TrimSuffix(said, ",")+".")
	}
	return out
}

// between says, for a day on which nothing aired between the last airing
// of one run and the first of another, that the day falls between them;
// "" otherwise.
func (s *Site) between(day schedule.Date) string {
	sched := s.cfg.Schedule
	zone := sched.Location()
	prev, hasPrev := sched.Prev(day.In(zone))
	next, hasNext := sched.Next(day.AddDays(1).In(zone))
	if hasPrev && hasNext && prev.Run != next.Run && s.edge(prev, false) && s.edge(next, true) {
		return fmt.Sprintf("It falls between the %s run, which ended on %s, and the %s run, which began on %s.",
			prev.Run.Name, prev.Start.In(s.loc).Format(dayFormat), next.Run.Name, next.Start.In(s.loc).Format(dayFormat))
	}
	return ""
}

// edge reports whether sl is the first (or, with first false, the last)
// airing of its run.
func (s *Site) edge(sl schedule.Slot, first bool) bool {
	for _, st := range s.cfg.Schedule.Stats() {
		if st.Run != sl.Run || st.Slots == 0 {
			continue
		}
		if first {
			return st.First.Start.Equal(sl.Start)
		}
		return st.Last.Start.Equal(sl.Start)
	}
	return false
}

// airingLink names sl, "Friday 6 July 2007, 18:30: episode 1875
// (original)", linked to its day's page.
func (s *Site) airingLink(sl schedule.Slot, root string) *airingLink {
	return &airingLink{
		Label: fmt.Sprintf("%s: episode %d (%s)", s.when(sl.Start), sl.Episode, sl.Run.Name),
		Link:  s.dayLink(schedule.DateOf(sl.Start.In(s.cfg.Schedule.Location())), root),
	}
}

// episodeView lists the airings of episode n, with the episode's show,
// the episodes either side, and its calendar.
func (s *Site) episodeView(n int, root string) *episodeView {
	ev := &episodeView{N: n, Replay: s.cfg.Replay}
	slots := s.cfg.Schedule.Episode(n)
	ids := map[string]int{}
	firstID := ""
	for _, sl := range slots {
		a := s.airingRow(sl, root)
		a.ID, a.Here = airingID(sl.Start.In(s.loc)), true
		if ids[a.ID]++; ids[a.ID] > 1 {
			a.ID += "-" + strconv.Itoa(ids[a.ID])
		}
		if a.First {
			firstID = a.ID
		} else if a.Repeat != "" && firstID != "" && sl.FirstAired.Equal(slots[0].Start) {
			a.RepeatLink = "#" + firstID // the first airing, listed above
		}
		ev.Airings = append(ev.Airings, a)
	}
	if i, ok := slices.BinarySearch(s.episodes, n); ok {
		if i > 0 {
			p := s.episodes[i-1]
			ev.Prev = &link{Text: "Episode " + strconv.Itoa(p), URL: root + "episodes/" + strconv.Itoa(p) + ".html"}
		}
		if i+1 < len(s.episodes) {
			p := s.episodes[i+1]
			ev.Next = &link{Text: "Episode " + strconv.Itoa(p), URL: root + "episodes/" + strconv.Itoa(p) + ".html"}
		}
	}
	if len(slots) == 0 {
		return ev
	}
	first := slots[0]
	ev.Title, ev.Show = first.OwnTitle(), first.Run.Show.Title
	ev.Art, ev.About = s.showArtwork(first.Run.Show, root), s.aboutShow(first.Run.Show)
	if s.cfg.Replay {
		for _, sl := range s.cfg.Schedule.History().Episode(n) {
			a := s.airingRow(sl, root)
			a.DayLink, a.RepeatLink, a.Here = "", "", true // the history's days have no pages here
			ev.Aired = append(ev.Aired, a)
		}
	}
	ev.Said = s.episodeSaid(n, slots)
	path := episodeCalendar(n)
	cal := &episodeCal{Link: root + path, Path: path, Airings: len(slots)}
	if f, ok := s.feedAt[path]; ok {
		var c counter
		if err := s.Render(context.Background(), &c, f); err == nil {
			cal.Size = int(c)
		}
		cal.Sub = s.oneClick(cal.Link, f.Feed.Name)
	}
	ev.Cal = cal
	return ev
}

// aboutShow is what the schedule says about show sh: its synopsis and
// its cast and crew; nil for a show the schedule does not list.
func (s *Site) aboutShow(sh *schedule.Show) *showFacts {
	facts := showFactsOf(s.cfg.Schedule)
	for i, x := range s.cfg.Schedule.Shows() {
		if x == sh {
			return &facts[i]
		}
	}
	return nil
}

// airingID is the anchor of an airing starting at t on its episode's
// page: "airing-20030616-1830".
func airingID(t time.Time) string { return "airing-" + t.Format("20060102-1504") }

// episodeSaid says when episode n first aired and how often after, in a
// sentence; in replay mode, when this channel airs it and which historic
// airing that replays.
func (s *Site) episodeSaid(n int, slots []schedule.Slot) string {
	first := slots[0]
	what := "Episode " + strconv.Itoa(n)
	if first.Run.Show.Title != "" {
		what += " of " + first.Run.Show.Title
	}
	if !first.ReplayOf.IsZero() {
		verb := "airs"
		if first.Start.Before(s.today().In(s.cfg.Schedule.Location())) {
			verb = "aired"
		}
		said := fmt.Sprintf("%s %s on this channel on %s, as %s aired it on %s", what, verb, s.when(first.Start), first.Run.Channel.Name, s.when(first.ReplayOf))
		if len(slots) > 1 {
			said += fmt.Sprintf(", and %d more times this week", len(slots)-1)
		}
		return said + "."
	}
	channel := first.Run.Channel.Name
	if channel == "" {
		channel = first.Run.Channel.ID
	}
	said := fmt.Sprintf("%s first aired on %s on %s %s, in the %s run", what, channel, s.when(first.Start), first.Start.In(s.loc).Format("MST"), first.Run.Name)
	switch rest := slots[1:]; len(rest) {
	case 0:
		said += ", and was not repeated"
	case 1:
		said += fmt.Sprintf(", and once more on %s (%s)", s.when(rest[0].Start), rest[0].Run.Name)
	default:
		said += fmt.Sprintf(", and %d more times, the last on %s (%s)", len(rest), s.when(rest[len(rest)-1].Start), rest[len(rest)-1].Run.Name)
	}
	return said + "."
}

// airingRow describes sl for the page, its times in the display zone and
// its links relative to root. A day outside the site has no page, so no
// link. A re-dated airing says once which historic airing it replays,
// and when the episode first aired only if that was another airing.
func (s *Site) airingRow(sl schedule.Slot, root string) airingRow {
	start, end := sl.Start.In(s.loc), sl.End.In(s.loc)
	a := airingRow{
		Date:        schedule.DateOf(start).String(),
		DateLabel:   start.Format(shortDayFormat),
		Time:        start.Format("15:04") + "–" + end.Format("15:04") + " " + start.Format("MST"),
		Channel:     sl.Run.Channel.Name,
		Run:         sl.Run.Name,
		Episode:     sl.Episode,
		Title:       sl.OwnTitle(),
		EpisodeLink: root + "episodes/" + strconv.Itoa(sl.Episode) + ".html",
	}
	a.DayLink = s.dayLink(schedule.DateOf(sl.Start.In(s.cfg.Schedule.Location())), root)
	switch {
	case !sl.ReplayOf.IsZero():
		a.Start, a.End = start.Format(time.RFC3339), end.Format(time.RFC3339)
		a.Replays = "replays the airing of " + s.when(sl.ReplayOf)
		if !sl.FirstAired.IsZero() && !sl.FirstAired.Equal(sl.ReplayOf) {
			a.Replays += " (first aired " + s.when(sl.FirstAired) + ")"
		}
	case sl.IsRepeat():
		a.Repeat = "repeat: first aired " + s.when(sl.FirstAired)
		a.RepeatLink = s.dayLink(schedule.DateOf(sl.FirstAired.In(s.cfg.Schedule.Location())), root)
	default:
		a.First = true
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

// artwork is the show's picture for the index, linked from a page at
// root: the first show's that is one of the site's own PNG assets (the
// pages load pictures from the site alone); nil when none is.
func (s *Site) artwork(root string) *picture {
	for _, sh := range s.cfg.Schedule.Shows() {
		if p := s.showArtwork(sh, root); p != nil {
			return p
		}
	}
	return nil
}

// showArtwork is sh's picture, when the schedule names one of the site's
// own PNG assets; nil otherwise.
func (s *Site) showArtwork(sh *schedule.Show, root string) *picture {
	name, ok := strings.CutPrefix(sh.Image, "assets/")
	a := assets["assets/"+name]
	if !ok || a == nil || a.width == 0 {
		return nil
	}
	alt := sh.Title
	if what := assetAlt[name]; what != "" {
		alt += ": " + what
	}
	return &picture{Src: root + "assets/" + name, Alt: alt, Width: a.width, Height: a.height}
}

// assetAlt describes what the site's own pictures show, for their alt
// text.
var assetAlt = map[string]string{
	"show-backstage.png": "a gold star in a spotlight on a stage between red curtains",
	"channel-icon.png":   "a television set",
}

// onThisDay lists what aired on the month and day of Config.Date in each
// year of the history; nil without a Date. Its links go to the pages the
// site has: in replay mode, the history's days have none.
func (s *Site) onThisDay(root string) *onThisDay {
	today := s.cfg.Date
	if today.IsZero() {
		return nil
	}
	hist := s.cfg.Schedule.History()
	first, last := Span(hist)
	if first.IsZero() {
		return nil
	}
	o := &onThisDay{Label: formatDate(today, "2 January")}
	for y := first.Year; y <= last.Year; y++ {
		d := schedule.DateOf(time.Date(y, today.Month, today.Day, 12, 0, 0, 0, time.UTC))
		if d.Month != today.Month { // 29 February, in a year without one
			continue
		}
		slots := hist.On(d)
		if len(slots) == 0 {
			continue
		}
		row := otdRow{Label: DayLabel(d), Link: ""}
		if !s.cfg.Replay {
			row.Link = s.dayLink(d, root)
		}
		for _, sl := range slots {
			a := otdAiring{Episode: sl.Episode, Run: sl.Run.Name, Time: sl.Start.In(s.loc).Format("15:04")}
			if _, ok := slices.BinarySearch(s.episodes, sl.Episode); ok {
				a.Link = root + "episodes/" + strconv.Itoa(sl.Episode) + ".html"
			}
			row.Airings = append(row.Airings, a)
		}
		o.Rows = append(o.Rows, row)
	}
	return o
}

// onThisDay is what aired on today's month and day in the history.
type onThisDay struct {
	Label string // "30 November"
	Rows  []otdRow
}

type otdRow struct {
	Label, Link string // "Thursday 30 November 2000", its page ("" for none)
	Airings     []otdAiring
}

type otdAiring struct {
	Episode   int
	Link      string // the episode's page, "" for none
	Run, Time string
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

// runFactsOf lists each run's details, marking those its Assumptions
// name. The summary is of the run as it aired; for a replay window, it
// says too how many of those airings the window replays, and when.
func runFactsOf(s *schedule.Schedule) []runFacts {
	zone := s.Location()
	var out []runFacts
	stats := func(s *schedule.Schedule) map[*schedule.Run]schedule.Stats {
		m := map[*schedule.Run]schedule.Stats{}
		for _, st := range s.Stats() {
			m[st.Run] = st
		}
		return m
	}
	hist, window := stats(s.History()), stats(s)
	_, replay := s.ReplayOptions()
	for _, r := range s.Runs() {
		used := map[string]bool{}
		rf := runFacts{Name: r.Name}
		if st, ok := hist[r]; ok && st.Slots > 0 {
			rf.Summary = fmt.Sprintf("%d airings of %s on %s, from %s to %s.", st.Slots, r.Show.Title, r.Channel.Name,
				st.First.Start.In(zone).Format(dayFormat), st.Last.Start.In(zone).Format(dayFormat))
		} else if ok {
			rf.Summary = "No airings."
		}
		if w := window[r]; replay && w.Slots > 0 {
			rf.Summary += fmt.Sprintf(" This week's guide replays %d of them, from %s to %s.", w.Slots,
				w.First.Start.In(zone).Format(dayFormat), w.Last.Start.In(zone).Format(dayFormat))
		} else if replay && rf.Summary != "No airings." {
			rf.Summary += " This week's guide replays none of them."
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
// icon, made absolute against root, as its tvg-logo. Players fetch both
// themselves, from wherever they run, so they want absolute URLs: when
// root is relative (no public URL) the playlist names no guide and no
// logos, rather than addresses a player would read against its own
// folder, and the guide's address is given to the player apart. The
// Host of a request is not used in their place: the playlist is one
// file, the same for serve and a static host, whoever asks.
func m3u(s *schedule.Schedule, stream, root string) []byte {
	var b bytes.Buffer
	b.WriteString("#EXTM3U")
	if root != "" {
		guide := root + "xmltv.xml.gz"
		b.WriteString(` url-tvg="` + m3uAttr(guide) + `" x-tvg-url="` + m3uAttr(guide) + `"`)
	}
	b.WriteString("\n")
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

// m3uAttr makes s safe inside a double-quoted M3U attribute: m3uText's
// cleaning, and ' for ".
func m3uAttr(s string) string {
	return strings.ReplaceAll(m3uText(s), `"`, "'")
}

// m3uText makes s safe as an entry's title: line breaks and tabs become
// spaces (a break would start a new entry), and control characters,
// bytes that are not UTF-8 and the noncharacters U+FFFE and U+FFFF, which
// players show as boxes or stop reading at, are dropped.
func m3uText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			return ' '
		case r == utf8.RuneError || r == 0xfffe || r == 0xffff || unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}
