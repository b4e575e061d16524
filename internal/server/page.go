package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/schedule"
)

//go:embed assets
var assetFS embed.FS

// pageTemplate is the web page.
var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"kb": func(n int) string { return strconv.Itoa((n+1023)/1024) + " KB" },
}).ParseFS(assetFS, "assets/page.html"))

// asset is an embedded file as it is served.
type asset struct {
	body  []byte
	ctype []string
	etag  []string
}

// assets maps the names under /assets/ to the embedded files; nothing
// else is served from there.
var assets = func() map[string]*asset {
	m := map[string]*asset{}
	for _, name := range []string{"style.css", "icon.svg", "channel-icon.png", "show-backstage.png"} {
		b, err := assetFS.ReadFile("assets/" + name)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		m[name] = &asset{
			body:  b,
			ctype: []string{mime.TypeByExtension(path.Ext(name))},
			etag:  []string{`"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`},
		}
	}
	m["style.css"].ctype = []string{"text/css; charset=utf-8"}
	m["icon.svg"].ctype = []string{"image/svg+xml"}
	return m
}()

// assetVersion changes with the stylesheet, so the page can link it for
// a year of caching.
var assetVersion = strings.Trim(assets["style.css"].etag[0], `"`)

func handleAsset(w http.ResponseWriter, r *http.Request) {
	a := assets[r.PathValue("name")]
	if a == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such asset: %s", r.URL.Path))
		return
	}
	h := w.Header()
	h["Content-Type"] = a.ctype
	h["Etag"] = a.etag
	h["X-Content-Type-Options"] = nosniff
	h.Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// Security headers of the page: it loads its stylesheet and icon from
// this server and nothing else, runs no script and submits forms only
// here.
var (
	pageCSP        = []string{"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"}
	htmlType       = []string{"text/html; charset=utf-8"}
	referrerPolicy = []string{"strict-origin-when-cross-origin"}
	noStore        = []string{"no-cache"}
)

// pageData is what the page template shows.
type pageData struct {
	Title    string
	Source   string
	Shows    []showFacts
	Error    string
	Zone     string // the display zone's name
	MinDate  string
	MaxDate  string
	LastEp   int
	DateIn   string // the date field's value
	EpIn     string // the episode field's value
	Day      *dayView
	Episode  *episodeView
	History  template.HTML
	Legend   []legendItem
	Years    string
	Sub      subscribe
	Runs     []runFacts
	AssetVer string
}

// dayView is the answer to "what aired on …".
type dayView struct {
	Label      string // "Monday 16 June 2003"
	Prev, Next string // YYYY-MM-DD
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
	Time            string // "18:30–19:00 SAST"
	Channel, Run    string
	Episode         int
	Title           string // set when it is not "Episode N"
	Repeat          string // "first aired Monday 1 May 2000", for repeats
	RepeatDate      string
	Replays         string // the historic airing it re-dates, for a replay
}

// subscribe holds the feed URLs the page advertises.
type subscribe struct {
	Base       string
	Calendar   string
	Webcal     template.URL // html/template allows only http(s) and mailto on its own
	Compact    string
	WebcalComp template.URL
	Years      []yearLink
	XMLTV      string
	XMLTVGzip  string
	M3U        string // empty without a stream URL
	Loopback   bool   // the links name this machine only

	// Sizes of the calendars in bytes (0 if unknown), for the advice on
	// Google Calendar, which drops events from subscribed calendars over
	// about 1 MB.
	FullSize, CompactSize, YearMax int
	FullTooBig                     bool
}

type yearLink struct {
	Year int
	URL  string
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

// pageError is a problem with the page's parameters, shown on the page.
type pageError struct {
	status int
	msg    string
}

// handlePage serves the web page: the forms, the answer to ?date= or
// ?episode=, the history picture, the feed URLs and the facts.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request, v *view) error {
	d := s.pageData(v, r)
	status := http.StatusOK
	var perr *pageError
	if perr = s.fillAnswers(v, r, d); perr != nil {
		status = perr.status
		d.Error = perr.msg
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); bufPool.Put(buf) }()
	if err := pageTemplate.Execute(buf, d); err != nil {
		return err
	}
	// The history picture is most of the page and the same every time:
	// the template leaves a marker where it goes, and it is put in
	// here, already compressed when the client takes gzip.
	page := buf.Bytes()
	i := bytes.Index(page, historyMarker)
	if i < 0 {
		return errors.New("server: page template has no history marker")
	}
	prefix, suffix := page[:i], page[i+len(historyMarker):]
	h := w.Header()
	h["Content-Type"] = htmlType
	h["Content-Security-Policy"] = pageCSP
	h["X-Content-Type-Options"] = nosniff
	h["Referrer-Policy"] = referrerPolicy
	h["Cache-Control"] = noStore
	h["Vary"] = varyAE
	hist := v.historyDeflated()
	if acceptsGzip(r.Header["Accept-Encoding"]) {
		zbuf := bufPool.Get().(*bytes.Buffer)
		defer func() { zbuf.Reset(); bufPool.Put(zbuf) }()
		gzipSpliced(zbuf, prefix, hist, suffix)
		h["Content-Encoding"] = gzipEnc
		h.Set("Content-Length", strconv.Itoa(zbuf.Len()))
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			w.Write(zbuf.Bytes())
		}
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(prefix)+len(hist.raw)+len(suffix)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(prefix)
		w.Write(hist.raw)
		w.Write(suffix)
	}
	return nil
}

// historyMarker stands in the executed template where the history
// picture goes.
const historyMarkerText = "<!--history picture-->"

var historyMarker = []byte(historyMarkerText)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// pageData fills in what the page shows whatever was asked.
func (s *Server) pageData(v *view, r *http.Request) *pageData {
	sched := v.sched
	d := &pageData{
		Title:    sched.Name(),
		Source:   sched.Source(),
		Shows:    v.shows,
		Zone:     v.loc.String(),
		MinDate:  v.first.String(),
		MaxDate:  v.last.String(),
		LastEp:   v.lastEp,
		History:  historyMarkerText,
		Legend:   v.legend,
		Runs:     v.facts,
		AssetVer: assetVersion,
	}
	switch {
	case v.first.IsZero():
	case v.first.Year == v.last.Year:
		d.Years = strconv.Itoa(v.first.Year)
	default:
		d.Years = fmt.Sprintf("%d–%d", v.first.Year, v.last.Year)
	}
	base := s.baseURL(r)
	sub := subscribe{
		Base:      base,
		Calendar:  base + "/calendar.ics",
		Compact:   base + "/calendar.ics?compact=1",
		XMLTV:     base + "/xmltv.xml",
		XMLTVGzip: base + "/xmltv.xml.gz",
	}
	// The scheme is ours and the rest an http URL the template would
	// accept, so the webcal links are safe as they are.
	sub.Webcal, sub.WebcalComp = template.URL(webcal(sub.Calendar)), template.URL(webcal(sub.Compact))
	for y := v.first.Year; y <= v.last.Year && y > 0; y++ {
		sub.Years = append(sub.Years, yearLink{Year: y, URL: base + "/calendar.ics?year=" + strconv.Itoa(y)})
	}
	if s.StreamURL != "" {
		sub.M3U = base + "/channels.m3u"
	}
	if u, err := url.Parse(base); err == nil {
		host := u.Hostname()
		ip := net.ParseIP(host)
		sub.Loopback = host == "localhost" || (ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified()))
	}
	s.calendarSizes(v, &sub)
	d.Sub = sub
	return d
}

// googleLimit is about where Google Calendar is reported to start
// dropping the events of a subscribed calendar.
const googleLimit = 1 << 20

// calendarSizes fills in the sizes of the full, compact and per-year
// calendars, rendering them (once per schedule) if need be.
func (s *Server) calendarSizes(v *view, sub *subscribe) {
	size := func(o feeds.Options) int {
		o.Format, o.Generator = feeds.ICal, s.Generator
		f, err := s.feed(o, v, false)
		if err != nil {
			return 0
		}
		return len(f.body)
	}
	sub.FullSize = size(feeds.Options{})
	sub.CompactSize = size(feeds.Options{Compact: true})
	sub.FullTooBig = sub.FullSize > googleLimit
	for y := v.first.Year; y <= v.last.Year && y > 0; y++ {
		// Clamped as a request for ?year=y is.
		w := v.clamp(schedule.Window{From: schedule.Date{Year: y, Month: time.January, Day: 1}, To: schedule.Date{Year: y, Month: time.December, Day: 31}})
		sub.YearMax = max(sub.YearMax, size(feeds.Options{Window: w}))
	}
}

// fillAnswers reads the page's parameters, date and episode, and fills
// in the answers. A bad value gives a pageError.
func (s *Server) fillAnswers(v *view, r *http.Request, d *pageData) *pageError {
	q, err := parseQuery(r.URL.RawQuery, []string{"date", "episode"})
	if err != nil {
		code, msg := status(err)
		return &pageError{code, msg}
	}
	dateIn, hasDate := q["date"]
	epIn, hasEp := q["episode"]
	d.DateIn, d.EpIn = dateIn, epIn
	if hasDate && dateIn != "" {
		day, err := s.parseDay(v, dateIn)
		if err != nil {
			code, msg := status(err)
			return &pageError{code, msg}
		}
		d.DateIn = day.String()
		d.Day = s.dayView(v, day)
	} else if !hasEp || epIn == "" {
		// With nothing asked, show today if the schedule reaches it (as a
		// replay window around today does).
		today := schedule.DateOf(s.now().In(v.sched.Location()))
		if !today.Before(v.first) && !today.After(v.last) {
			d.DateIn = today.String()
			d.Day = s.dayView(v, today)
		}
	}
	if hasEp && epIn != "" {
		n, err := schedule.ParseEpisode(strings.TrimSpace(epIn), v.lastEp)
		if err != nil {
			code, msg := status(err)
			return &pageError{code, msg}
		}
		ev := &episodeView{N: n}
		slots := v.sched.Episode(n)
		for _, sl := range slots {
			ev.Airings = append(ev.Airings, s.airingRow(v, sl))
		}
		if len(slots) > 0 {
			ev.Title = slots[0].OwnTitle()
		}
		d.Episode = ev
	}
	return nil
}

// dayView lists what aired on day.
func (s *Server) dayView(v *view, day schedule.Date) *dayView {
	dv := &dayView{
		Label: day.In(time.UTC).Format("Monday 2 January 2006"),
		Prev:  day.AddDays(-1).String(),
		Next:  day.AddDays(1).String(),
	}
	dv.Outside = day.Before(v.first) || day.After(v.last)
	for _, sl := range v.sched.On(day) {
		dv.Airings = append(dv.Airings, s.airingRow(v, sl))
	}
	return dv
}

// airingRow describes sl for the page, its times in the display zone.
func (s *Server) airingRow(v *view, sl schedule.Slot) airingRow {
	start, end := sl.Start.In(v.loc), sl.End.In(v.loc)
	a := airingRow{
		Date:      schedule.DateOf(start).String(),
		DateLabel: start.Format("Mon 2 Jan 2006"),
		Time:      start.Format("15:04") + "–" + end.Format("15:04") + " " + start.Format("MST"),
		Channel:   sl.Run.Channel.Name,
		Run:       sl.Run.Name,
		Episode:   sl.Episode,
	}
	a.Title = sl.OwnTitle()
	if sl.IsRepeat() {
		fa := sl.FirstAired.In(v.loc)
		a.Repeat = "first aired " + fa.Format("Monday 2 January 2006, 15:04")
		a.RepeatDate = schedule.DateOf(fa).String()
	}
	if !sl.ReplayOf.IsZero() {
		ro := sl.ReplayOf.In(v.loc)
		a.Replays = "originally aired " + ro.Format("Monday 2 January 2006, 15:04")
	}
	return a
}
