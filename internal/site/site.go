// Package site lays out everything backstage publishes for one schedule
// as one space of paths — the feeds, the JSON answers, the web pages and
// their assets — and renders any of them. The static publisher writes
// every path to a folder for any web host; the server answers the same
// paths with the same bytes, so a user moves from one to the other by
// changing a host name.
//
// # Paths
//
//	index.html                 the web page: questions, history picture (or, in replay mode, today
//	                           and this week's guide), on this day, subscribe links, facts
//	years/YYYY.html            a year's months as calendars, for every year of the history (not in
//	                           replay mode)
//	days/YYYY-MM-DD.html       what aired on a day, for every day from the first airing's to the last's
//	episodes/N.html            episode N: its airings, the show, and how to add it to a calendar,
//	                           for every episode that aired
//	episodes/N.ics             the airings of episode N as iCalendar
//	404.html                   the page a static host sends for a path the site does not have
//	history/YYYY.svg           a year's row of the index's history picture, and history/months.svg
//	                           the months above the rows (not in replay mode)
//	calendar.ics               the whole history as iCalendar
//	calendar/compact.ics       one recurring event per run
//	calendar/all-day.ics       all-day events
//	calendar/RUN.ics           one run (RUN is the run's name, made safe for a path)
//	calendar/YYYY.ics          one year, for every year with an airing
//	xmltv.xml, xmltv.xml.gz    the XMLTV guide, and the same gzipped
//	channels.m3u               the channels with a stream URL, when one is set
//	api/v1/days/YYYY-MM-DD.json, api/v1/episodes/N.json, api/v1/runs.json
//	api/v1/openapi.json        an OpenAPI 3.1 description of the JSON answers, the server's too
//	robots.txt, sitemap.xml    for crawlers; the sitemap, whose URLs must be absolute, only with
//	                           Config.PublicURL
//	assets/…                   the stylesheet, script, icon and artwork the pages use
//
// Links between pages are relative, or absolute under Config.PublicURL
// when it is set, so the site works wherever it is put. Every page
// carries schema.org linked data (JSON-LD) saying what it shows: the
// series, an episode and its broadcasts, a day's broadcasts.
package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/api"
	"github.com/backstage-epg/backstage/internal/gzpool"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/schedule"
)

// Config is what a site is made from.
type Config struct {
	Schedule *schedule.Schedule

	// Location is the zone pages and JSON answers show times in; nil
	// means the schedule's own. Feeds keep each run's zone.
	Location *time.Location

	// Date is the local date of the present in the schedule's zone: the
	// day the index answers for when the site's days hold it (as a replay
	// window around today does), and the one its "on this day" section
	// looks up in each year of the history, so the index changes daily.
	// The zero Date for neither.
	Date schedule.Date

	// Replay says that the schedule is a replay window re-dated to the
	// present, which changes the pages' wording and how long copies of
	// the site may be kept.
	Replay bool

	// PublicURL is the absolute URL the site is published at, such as
	// "https://tv.example.org/backstage"; links are absolute under it.
	// Empty: links are relative, and the pages make webcal:// links with
	// a few lines of script.
	PublicURL string

	// StreamURL is where channels.m3u points each channel ("{id}" is
	// replaced by the channel's XMLTV id); empty: no playlist.
	StreamURL string

	// Generator names the program in the XMLTV guide, such as
	// "backstage/0.1.0".
	Generator string
}

// Kind says what a File holds.
type Kind uint8

// The kinds of files.
const (
	Feed     Kind = iota + 1 // an iCalendar or XMLTV feed: File.Feed says which
	JSON                     // a JSON answer, as the API gives it, or the API's description
	Page                     // a web page
	Asset                    // a stylesheet, script or picture the pages use
	Playlist                 // the M3U playlist
	Meta                     // robots.txt or sitemap.xml, for crawlers
)

// File is one file of a site: its path and what it holds. It is
// comparable, so it can key a cache of rendered files.
type File struct {
	Path string // slash-separated, without a leading slash: "calendar/2003.ics"
	Type string // its Content-Type
	Kind Kind

	// Feed describes a Feed file; Gzip says the file is that feed
	// gzipped (xmltv.xml.gz).
	Feed feeds.Options
	Gzip bool

	page    pageKind
	date    schedule.Date // a day's page or answer; a year's page (its January 1)
	episode int           // an episode's page or answer
}

// Compressible reports whether gzip makes f smaller: not for the gzipped
// guide, nor for pictures, whose bytes are compressed already.
func (f File) Compressible() bool {
	switch f.Type {
	case TypeGzip, TypePNG, TypeICO:
		return false
	}
	return true
}

type pageKind uint8

const (
	noPage pageKind = iota
	indexPage
	yearPage
	dayPage
	episodePage
	runsAnswer
	notFoundPage
	historyRow    // a year's row of the history picture (its date's year)
	historyMonths // the months above the rows
	openAPIAnswer
	robotsFile
	sitemapFile
)

// Content types, as the server sends them and the publisher's _headers
// file declares them.
const (
	TypeICal  = "text/calendar; charset=utf-8"
	TypeXML   = "application/xml; charset=utf-8"
	TypeGzip  = "application/gzip"
	TypeJSON  = "application/json"
	TypeHTML  = "text/html; charset=utf-8"
	TypeM3U   = "audio/x-mpegurl; charset=utf-8"
	TypeCSS   = "text/css; charset=utf-8"
	TypeJS    = "text/javascript; charset=utf-8"
	TypeSVG   = "image/svg+xml"
	TypePNG   = "image/png"
	TypeICO   = "image/x-icon"
	TypePlain = "text/plain; charset=utf-8"
)

// maxSitemapURLs is the most URLs one sitemap file may list, as the
// sitemaps protocol has it; a site with more pages lists the first ones.
const maxSitemapURLs = 50000

// Site is the space of paths of one schedule. It is immutable once made
// and safe for concurrent use.
type Site struct {
	cfg  Config
	loc  *time.Location
	root string // what links from the top of the site start with: "" or PublicURL + "/"

	first, last schedule.Date // local dates of the first start and the latest end
	years       []int         // years with an airing, in order
	episodes    []int         // episodes that aired, in order
	slugs       []string      // per run, in plan order: its part of calendar/RUN.ics

	// The feeds (the three calendars, one a run, one a year, and the
	// guide twice), listed once: Lookup and FeedFile, which the server
	// calls for every request, find them by path and by what they hold
	// rather than by making the list again.
	feeds   []File
	feedAt  map[string]File
	feedFor map[feedKey]File

	base pageData // what every page shows alike; see pageBase

	digest  func() string                        // worked out on first use
	history func() historyPicture                // built on first use
	sizes   func() calendarSizes                 // worked out on first use
	stats   func() []dayStat                     // see dayStats; worked out on first use
	series  func() map[*schedule.Show]seriesInfo // see seriesInfos; worked out on first use
}

// New lays out the site of cfg.Schedule.
func New(cfg Config) (*Site, error) {
	s := cfg.Schedule
	if s == nil {
		return nil, errors.New("site: no schedule")
	}
	if cfg.PublicURL != "" {
		// The check the command line makes of --public-url: links made
		// under the URL must work, so it takes no query or fragment.
		if err := feeds.CheckBaseURL(cfg.PublicURL); err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
	}
	if cfg.StreamURL != "" {
		if err := CheckStreamURL(cfg.StreamURL); err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
	}
	st := &Site{cfg: cfg, loc: cfg.Location}
	if st.loc == nil {
		st.loc = s.Location()
	}
	if cfg.PublicURL != "" {
		st.cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
		st.root = st.cfg.PublicURL + "/"
	}
	st.first, st.last = Span(s)
	st.years = yearsOf(s, st.first, st.last)
	st.episodes = episodesOf(s)
	st.slugs = runSlugs(s.Runs())
	st.feeds = st.feedFiles()
	st.feedAt = make(map[string]File, len(st.feeds))
	st.feedFor = make(map[feedKey]File, len(st.feeds))
	for _, f := range st.feeds {
		st.feedAt[f.Path] = f
		// A year that is the whole history is calendar.ics's feed: the
		// first path, as Files has it first, names it.
		if k := keyOf(f.Feed, f.Gzip); st.feedFor[k].Path == "" {
			st.feedFor[k] = f
		}
	}
	st.base = st.pageBase()
	st.digest = sync.OnceValue(st.makeDigest)
	st.history = sync.OnceValue(st.drawHistory)
	st.sizes = sync.OnceValue(st.calendarSizes)
	st.stats = sync.OnceValue(st.dayStats)
	st.series = sync.OnceValue(st.seriesInfos)
	return st, nil
}

// Schedule returns the schedule the site shows.
func (s *Site) Schedule() *schedule.Schedule { return s.cfg.Schedule }

// Config returns what the site was made from.
func (s *Site) Config() Config { return s.cfg }

// First and Last return the local dates of the first airing's start and
// of the latest end: the days the site has pages for.
func (s *Site) First() schedule.Date { return s.first }

// Last: see First.
func (s *Site) Last() schedule.Date { return s.last }

// LastEpisode returns the highest episode number that aired.
func (s *Site) LastEpisode() int { return s.cfg.Schedule.LastEpisode() }

// Span returns the local dates, in s's zone, of the first start and of the
// latest end of its slots; zero Dates when it has none.
func Span(s *schedule.Schedule) (first, last schedule.Date) {
	if first, last, ok := s.ReplayWindow(); ok {
		return first, last
	}
	if s.Len() == 0 {
		return first, last
	}
	zone := s.Location()
	var longest time.Duration
	for _, r := range s.Runs() {
		longest = max(longest, r.Length)
	}
	// Any slot still on air after the last start began at most the
	// longest slot before it.
	latest := s.Last().End
	for sl := range s.Slots(schedule.Query{From: s.Last().Start.Add(-longest)}) {
		if sl.End.After(latest) {
			latest = sl.End
		}
	}
	// A slot ending at midnight does not touch the next day.
	return schedule.DateOf(s.First().Start.In(zone)), schedule.DateOf(latest.Add(-time.Nanosecond).In(zone))
}

// yearsOf returns the years, from first's to last's, in which a slot of
// s starts (in s's zone): a binary search a year, not a pass over every
// slot.
func yearsOf(s *schedule.Schedule, first, last schedule.Date) []int {
	var years []int
	if first.IsZero() {
		return nil
	}
	zone := s.Location()
	for y := first.Year; y <= last.Year; y++ {
		from, to := schedule.Date{Year: y, Month: time.January, Day: 1}, schedule.Date{Year: y + 1, Month: time.January, Day: 1}
		if sl, ok := s.Next(from.In(zone)); ok && sl.Start.Before(to.In(zone)) {
			years = append(years, y)
		}
	}
	return years
}

// episodesOf returns the numbers of the episodes s airs, in order: one
// pass over the slots. Numbers with no airing (a gap in a schedule file's
// numbering) are left out. Asking s.Episode of every number up to the
// last would take as long as the highest number, which a schedule file
// may set near MaxEpisode for two airings.
func episodesOf(s *schedule.Schedule) []int {
	var eps []int
	for sl := range s.Slots(schedule.Query{}) {
		eps = append(eps, sl.Episode)
	}
	slices.Sort(eps)
	// A copy, so that the site does not keep a slice as long as the
	// schedule when episodes air more than once.
	return slices.Clone(slices.Compact(eps))
}

var unsafePath = regexp.MustCompile(`[^a-z0-9._-]+`)

// maxSlug bounds the part of a slug taken from a run's name, so that a
// long name still makes a file name every file system takes.
const maxSlug = 60

// runSlugs names each run's calendar, calendar/SLUG.ics: the run's name
// in lower case, with runs of anything but ASCII letters, digits, dots,
// underscores and hyphens made a hyphen, and cut to maxSlug bytes. A name
// whose slug would be empty, cut, a fixed name of the calendar folder
// (compact, all-day, a year) or shared with another run gets a hash of
// the name itself added, so that slugs are unique, never a fixed path,
// and depend on the names alone, not on the runs' order.
func runSlugs(runs []*schedule.Run) []string {
	base := make([]string, len(runs))
	count := map[string]int{}
	for i, r := range runs {
		base[i] = strings.Trim(unsafePath.ReplaceAllString(strings.ToLower(r.Name), "-"), "-.")
		count[base[i]]++
	}
	slugs := make([]string, len(runs))
	taken := map[string]bool{}
	for i, b := range base {
		if b != "" && len(b) <= maxSlug && b != "compact" && b != "all-day" && !isYear(b) && count[b] == 1 {
			slugs[i] = b
			taken[b] = true
		}
	}
	for i, r := range runs {
		if slugs[i] != "" {
			continue
		}
		b := strings.TrimRight(base[i][:min(len(base[i]), maxSlug)], "-.")
		if b == "" {
			b = "run"
		}
		sum := sha256.Sum256([]byte(r.Name))
		hash := hex.EncodeToString(sum[:])
		n := 8
		for taken[b+"-"+hash[:n]] && n < len(hash) {
			n += 8 // two runs of one name share a hash: taken in order
		}
		slugs[i] = b + "-" + hash[:n]
		taken[slugs[i]] = true
	}
	return slugs
}

func isYear(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// clamp opens the ends of w that reach past the site's first or last day:
// the feed is the same, so it is named the same.
func (s *Site) clamp(w schedule.Window) schedule.Window {
	if !w.From.IsZero() && !w.From.After(s.first) {
		w.From = schedule.Date{}
	}
	if !w.To.IsZero() && !w.To.Before(s.last) {
		w.To = schedule.Date{}
	}
	return w
}

// feedKey is what tells the site's feeds apart: their options, but for
// the path they are published at.
type feedKey struct {
	o  feeds.Options
	gz bool
}

func keyOf(o feeds.Options, gz bool) feedKey {
	o.Path, o.Name = "", "" // a feed of the same airings is the same feed, whatever its name
	return feedKey{o, gz}
}

// feedFile returns the file at path of feed o, gzipped with gz, its window
// clamped and its generator and links the site's. A calendar of the site
// is named for the window it stands for, before the clamp:
// calendar/2000.ics is "(2000)" though the history starts in May. Any
// other is named for its clamped window, so that the URLs that ask for
// the same airings get the same bytes.
func (s *Site) feedFile(path string, o feeds.Options, gz bool) File {
	if o.Format == feeds.ICal && path != "" {
		o.Name = o.CalendarName(s.cfg.Schedule.Name())
	}
	o.Window = s.clamp(o.Window)
	o.Generator, o.BaseURL = s.cfg.Generator, s.cfg.PublicURL
	if !gz {
		o.Path = path // for the calendar's SOURCE; the gzipped guide is the plain one's bytes
	}
	f := File{Path: path, Kind: Feed, Feed: o, Gzip: gz, Type: TypeICal}
	if o.Format == feeds.XMLTV {
		f.Type = TypeXML
		if gz {
			f.Type = TypeGzip
		}
	}
	return f
}

// FeedFile returns the file of feed o, its window clamped: one of the
// site's paths when o is a feed the site has (calendar/2003.ics for the
// calendar of 2003; o.Path, when it names one of the paths of such a
// feed), and a file with no path otherwise.
func (s *Site) FeedFile(o feeds.Options, gz bool) File {
	f := s.feedFile("", o, gz)
	k := keyOf(f.Feed, gz)
	if g, ok := s.feedAt[o.Path]; ok && keyOf(g.Feed, g.Gzip) == k {
		return g
	}
	if g, ok := s.feedFor[k]; ok {
		return g
	}
	return f
}

// feedFiles lists the site's feeds, in the order Files yields them.
func (s *Site) feedFiles() []File {
	ical := func(path string, o feeds.Options) File {
		o.Format = feeds.ICal
		return s.feedFile(path, o, false)
	}
	fs := []File{
		ical("calendar.ics", feeds.Options{}),
		ical("calendar/compact.ics", feeds.Options{Compact: true}),
		ical("calendar/all-day.ics", feeds.Options{AllDay: true}),
	}
	for i, r := range s.cfg.Schedule.Runs() {
		fs = append(fs, ical("calendar/"+s.slugs[i]+".ics", feeds.Options{Window: schedule.Window{Run: r.Name}}))
	}
	for _, y := range s.years {
		fs = append(fs, ical("calendar/"+strconv.Itoa(y)+".ics", feeds.Options{Window: yearWindow(y)}))
	}
	for _, n := range s.episodes {
		fs = append(fs, ical(episodeCalendar(n), feeds.Options{Window: schedule.Window{Episode: n}}))
	}
	guide := feeds.Options{Format: feeds.XMLTV}
	return append(fs, s.feedFile("xmltv.xml", guide, false), s.feedFile("xmltv.xml.gz", guide, true))
}

// yearWindow is the window of year y.
func yearWindow(y int) schedule.Window {
	return schedule.Window{From: schedule.Date{Year: y, Month: time.January, Day: 1}, To: schedule.Date{Year: y, Month: time.December, Day: 31}}
}

// Files yields every file of the site, feeds first, each once.
func (s *Site) Files() iter.Seq[File] {
	return func(yield func(File) bool) {
		for _, f := range s.feeds {
			if !yield(f) {
				return
			}
		}
		if s.cfg.StreamURL != "" && !yield(playlistFile) {
			return
		}
		if !yield(runsFile) {
			return
		}
		for d := range s.days() {
			if !yield(dayFile(d, true)) {
				return
			}
		}
		for _, n := range s.episodes {
			if !yield(episodeFile(n, true)) {
				return
			}
		}
		if !yield(openAPIFile) {
			return
		}
		if !yield(indexFile) || !yield(notFoundFile) {
			return
		}
		for y := range s.yearPages() {
			if !yield(yearFile(y)) {
				return
			}
		}
		for d := range s.days() {
			if !yield(dayFile(d, false)) {
				return
			}
		}
		for _, n := range s.episodes {
			if !yield(episodeFile(n, false)) {
				return
			}
		}
		for _, name := range assetNames {
			if !yield(assetFile(name)) {
				return
			}
		}
		if !yield(faviconFile) {
			return
		}
		if !s.first.IsZero() && !s.cfg.Replay {
			if !yield(historyMonthsFile) {
				return
			}
			for y := range s.yearPages() {
				if !yield(historyFile(y)) {
					return
				}
			}
		}
		if !yield(robotsTxt) {
			return
		}
		if s.cfg.PublicURL != "" {
			yield(sitemapXML)
		}
	}
}

// days yields the site's days, first to last.
func (s *Site) days() iter.Seq[schedule.Date] {
	return func(yield func(schedule.Date) bool) {
		if s.first.IsZero() {
			return
		}
		for d := s.first; !d.After(s.last); d = d.AddDays(1) {
			if !yield(d) {
				return
			}
		}
	}
}

// yearPages yields the years that have a page: every year from the
// first airing's to the last's, outside replay mode, whose window has
// the present's year alone and a guide of its own.
func (s *Site) yearPages() iter.Seq[int] {
	return func(yield func(int) bool) {
		if s.first.IsZero() || s.cfg.Replay {
			return
		}
		for y := s.first.Year; y <= s.last.Year; y++ {
			if !yield(y) {
				return
			}
		}
	}
}

// The files at fixed paths.
var (
	indexFile         = File{Path: "index.html", Type: TypeHTML, Kind: Page, page: indexPage}
	notFoundFile      = File{Path: "404.html", Type: TypeHTML, Kind: Page, page: notFoundPage}
	runsFile          = File{Path: "api/v1/runs.json", Type: TypeJSON, Kind: JSON, page: runsAnswer}
	openAPIFile       = File{Path: "api/v1/openapi.json", Type: TypeJSON, Kind: JSON, page: openAPIAnswer}
	playlistFile      = File{Path: "channels.m3u", Type: TypeM3U, Kind: Playlist}
	historyMonthsFile = File{Path: "history/months.svg", Type: TypeSVG, Kind: Asset, page: historyMonths}
	robotsTxt         = File{Path: "robots.txt", Type: TypePlain, Kind: Meta, page: robotsFile}
	sitemapXML        = File{Path: "sitemap.xml", Type: TypeXML, Kind: Meta, page: sitemapFile}
)

// historyFile returns year y's row of the history picture.
func historyFile(y int) File {
	return File{Path: "history/" + strconv.Itoa(y) + ".svg", Type: TypeSVG, Kind: Asset, page: historyRow, date: schedule.Date{Year: y, Month: time.January, Day: 1}}
}

// episodeCalendar is the path of episode n's calendar.
func episodeCalendar(n int) string { return "episodes/" + strconv.Itoa(n) + ".ics" }

// yearFile returns the page of year y.
func yearFile(y int) File {
	return File{Path: "years/" + strconv.Itoa(y) + ".html", Type: TypeHTML, Kind: Page, page: yearPage, date: schedule.Date{Year: y, Month: time.January, Day: 1}}
}

// dayFile returns the page of day d, or with json its JSON answer.
func dayFile(d schedule.Date, json bool) File {
	if json {
		return File{Path: "api/v1/days/" + d.String() + ".json", Type: TypeJSON, Kind: JSON, page: dayPage, date: d}
	}
	return File{Path: "days/" + d.String() + ".html", Type: TypeHTML, Kind: Page, page: dayPage, date: d}
}

// episodeFile returns the page of episode n, or with json its JSON answer.
func episodeFile(n int, json bool) File {
	if json {
		return File{Path: "api/v1/episodes/" + strconv.Itoa(n) + ".json", Type: TypeJSON, Kind: JSON, page: episodePage, episode: n}
	}
	return File{Path: "episodes/" + strconv.Itoa(n) + ".html", Type: TypeHTML, Kind: Page, page: episodePage, episode: n}
}

// Lookup returns the file at path (without a leading slash; "" is the
// index), and whether the site has it. It answers for exactly the paths
// Files yields.
func (s *Site) Lookup(path string) (File, bool) {
	switch path {
	case "", indexFile.Path:
		return indexFile, true
	case notFoundFile.Path:
		return notFoundFile, true
	case runsFile.Path:
		return runsFile, true
	case openAPIFile.Path:
		return openAPIFile, true
	case playlistFile.Path:
		return playlistFile, s.cfg.StreamURL != ""
	case faviconFile.Path:
		return faviconFile, true
	case robotsTxt.Path:
		return robotsTxt, true
	case sitemapXML.Path:
		return sitemapXML, s.cfg.PublicURL != ""
	case historyMonthsFile.Path:
		return historyMonthsFile, !s.first.IsZero() && !s.cfg.Replay
	}
	if f, ok := s.feedAt[path]; ok {
		return f, true
	}
	dir, name, _ := cutLast(path)
	if dir == "assets" && slices.Contains(assetNames, name) {
		return assetFile(name), true
	}
	if v, ok := strings.CutSuffix(name, ".svg"); ok && dir == "history" && !s.first.IsZero() {
		if y, ok := s.yearOf(v); ok {
			return historyFile(y), true
		}
		return File{}, false
	}
	json := strings.HasPrefix(dir, "api/v1/")
	ext := ".html"
	if json {
		ext = ".json"
	}
	v, ok := strings.CutSuffix(name, ext)
	if !ok || s.first.IsZero() {
		return File{}, false
	}
	switch dir {
	case "days", "api/v1/days":
		d, err := schedule.ParseDate(v)
		if err == nil && len(v) == len(time.DateOnly) && !d.Before(s.first) && !d.After(s.last) {
			return dayFile(d, json), true
		}
	case "episodes", "api/v1/episodes":
		n, err := schedule.ParseEpisode(v, s.LastEpisode())
		if _, aired := slices.BinarySearch(s.episodes, n); err == nil && aired && strconv.Itoa(n) == v {
			return episodeFile(n, json), true
		}
	case "years":
		if y, ok := s.yearOf(v); ok {
			return yearFile(y), true
		}
	}
	return File{}, false
}

// yearOf reads v, the name of a year's page or picture without its
// extension, as a year that has them.
func (s *Site) yearOf(v string) (int, bool) {
	y, err := strconv.Atoi(v)
	return y, err == nil && isYear(v) && !s.cfg.Replay && y >= s.first.Year && y <= s.last.Year
}

// cutLast splits path at its last slash.
func cutLast(path string) (dir, name string, ok bool) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return "", path, false
	}
	return path[:i], path[i+1:], true
}

// Render writes the bytes of f to w. Feeds stop soon after ctx is done.
// On an error, w may hold the start of the file: render into a buffer
// (or call Bytes) to send nothing but whole files.
func (s *Site) Render(ctx context.Context, w io.Writer, f File) error {
	switch f.Kind {
	case Feed:
		if !f.Gzip {
			return feeds.Write(ctx, w, s.cfg.Schedule, f.Feed)
		}
		zw := gzpool.NewWriter(w)
		defer gzpool.Release(zw)
		if err := feeds.Write(ctx, zw, s.cfg.Schedule, f.Feed); err != nil {
			return err
		}
		return zw.Close()
	case JSON:
		return s.renderJSON(w, f)
	case Page:
		return s.renderPage(w, s.pageData(f, ""))
	case Asset:
		switch f.page {
		case historyRow:
			return s.historyRowSVG(w, f.date.Year)
		case historyMonths:
			return s.historyMonthsSVG(w)
		}
		_, err := w.Write(assets[f.Path].body)
		return err
	case Playlist:
		_, err := w.Write(m3u(s.cfg.Schedule, s.cfg.StreamURL, s.root))
		return err
	case Meta:
		if f.page == sitemapFile {
			return s.sitemap(w)
		}
		_, err := io.WriteString(w, s.robots())
		return err
	}
	return fmt.Errorf("site: no way to render %q", f.Path)
}

// Bytes returns the bytes of f.
func (s *Site) Bytes(ctx context.Context, f File) ([]byte, error) {
	var b bytes.Buffer
	if err := s.Render(ctx, &b, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (s *Site) renderJSON(w io.Writer, f File) error {
	sched := s.cfg.Schedule
	var v any
	switch f.page {
	case runsAnswer:
		v = api.Runs(sched.Stats(), s.loc)
	case dayPage:
		v = api.Airings(sched.On(f.date), s.loc)
	case episodePage:
		v = api.Airings(sched.Episode(f.episode), s.loc)
	case openAPIAnswer:
		_, err := w.Write(s.openAPI())
		return err
	}
	b, err := MarshalJSON(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// MarshalJSON encodes v as every JSON answer is written, on the site and
// by the server's query routes alike: compact, with a final newline.
func MarshalJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// calendarSizes are the sizes of the calendars the index page advises on,
// in bytes.
type calendarSizes struct {
	full, compact, yearMax int
}

// calendarSizes works out the sizes by rendering each calendar into a
// counter, holding none of them.
func (s *Site) calendarSizes() calendarSizes {
	size := func(o feeds.Options) int {
		var c counter
		if err := s.Render(context.Background(), &c, s.FeedFile(o, false)); err != nil {
			return 0
		}
		return int(c)
	}
	sz := calendarSizes{
		full:    size(feeds.Options{Format: feeds.ICal}),
		compact: size(feeds.Options{Format: feeds.ICal, Compact: true}),
	}
	for _, y := range s.years {
		sz.yearMax = max(sz.yearMax, size(feeds.Options{Format: feeds.ICal, Window: yearWindow(y)}))
	}
	return sz
}

// counter counts the bytes written to it.
type counter int64

func (c *counter) Write(p []byte) (int, error) {
	*c += counter(len(p))
	return len(p), nil
}

// PageCSP is the Content-Security-Policy of the pages: they load their
// stylesheet, script and pictures from the site and nothing else, and
// submit forms only to it.
const PageCSP = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// CheckStreamURL reports whether u can be a Config.StreamURL: an absolute
// URL with a scheme (http, https, rtsp, udp …) and no line breaks, which
// would break the playlist.
func CheckStreamURL(u string) error {
	p, err := url.Parse(strings.ReplaceAll(u, "{id}", "id"))
	if err != nil || p.Scheme == "" || (p.Host == "" && p.Opaque == "") || strings.ContainsAny(u, "\r\n") {
		return fmt.Errorf("stream URL %s: want an absolute URL such as http://192.168.1.10:8409/iptv/channel/1.ts", quote.Value(u))
	}
	return nil
}

// ReferrerPolicy is the Referrer-Policy of the pages: other sites learn
// only which site a visitor came from, not which page.
const ReferrerPolicy = "strict-origin-when-cross-origin"

// Header is one header of a file's answers.
type Header struct{ Name, Value string }

// Headers returns the headers every answer of f carries, whoever sends
// it: serve with each answer, and a static host told by publish's
// _headers. They are its Content-Type, X-Content-Type-Options, how long
// a copy may be kept (CacheSeconds) and, for a page, its
// Content-Security-Policy and Referrer-Policy. A page with no path, made
// for one request (an error's, say), is never to be kept. The headers of
// the transport — length, validators, encoding — are the sender's.
func (s *Site) Headers(f File) []Header {
	cache := CacheControl(s.CacheSeconds(f))
	if f.Kind == Page && f.Path == "" {
		cache = "no-store"
	}
	h := []Header{{"Content-Type", f.Type}, {"X-Content-Type-Options", "nosniff"}, {"Cache-Control", cache}}
	if f.Kind == Page {
		h = append(h, Header{"Content-Security-Policy", PageCSP}, Header{"Referrer-Policy", ReferrerPolicy})
	}
	return h
}

// CacheControl returns the Cache-Control value for keeping a copy for
// seconds: "no-cache" (keep it, but ask first) for none.
func CacheControl(seconds int) string {
	if seconds <= 0 {
		return "no-cache"
	}
	return "public, max-age=" + strconv.Itoa(seconds)
}

// CacheSeconds returns how long a copy of f may be kept before asking
// again: feeds and answers for a day (an hour in replay mode, whose
// window moves daily), pages for no time without asking, assets a day.
func (s *Site) CacheSeconds(f File) int {
	switch f.Kind {
	case Page:
		return 0
	case Asset:
		return 86400
	}
	if s.cfg.Replay {
		return 3600
	}
	return int(feeds.ICalRefreshInterval / time.Second)
}

// Digest returns a hash of everything the site's files are made from
// besides the program itself: the schedule (its name, source, zone,
// revision, every field of every run, show and channel, and every
// airing, so that two replay windows of one day from different weeks of
// the history differ) and the Config. Two sites of one program with the
// same digest have the same files, which lets a publisher skip making
// them again. It is worked out once per site: it reads every airing, and
// the server asks for it with every feed it streams.
func (s *Site) Digest() string { return s.digest() }

func (s *Site) makeDigest() string {
	sched := s.cfg.Schedule
	type run struct {
		*schedule.Run
		Zone string
	}
	runs := make([]run, len(sched.Runs()))
	for i, r := range sched.Runs() {
		runs[i] = run{r, r.Location.String()}
	}
	loc := s.loc.String()
	b, err := json.Marshal(struct {
		Name, Source, Zone, Display string
		Revised                     time.Time
		Runs                        []run
		Date                        schedule.Date
		Replay                      bool
		PublicURL, StreamURL, Gen   string
	}{sched.Name(), sched.Source(), sched.Location().String(), loc, sched.Revised(), runs,
		s.cfg.Date, s.cfg.Replay, s.cfg.PublicURL, s.cfg.StreamURL, s.cfg.Generator})
	if err != nil {
		return "" // no digest: nothing is skipped
	}
	h := sha256.New()
	h.Write(b)
	// The airings themselves: a replay window is cut from the history by
	// options the runs do not record. Their run, episode and instants.
	runIndex := make(map[*schedule.Run]int, len(sched.Runs()))
	for i, r := range sched.Runs() {
		runIndex[r] = i
	}
	var buf []byte
	for sl := range sched.Slots(schedule.Query{}) {
		buf = buf[:0]
		for _, n := range []int64{int64(runIndex[sl.Run]), int64(sl.Episode), sl.Start.Unix(), unix(sl.FirstAired), unix(sl.ReplayOf)} {
			buf = strconv.AppendInt(buf, n, 10)
			buf = append(buf, ' ')
		}
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// unix returns t in Unix seconds, or 0 for the zero Time.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
