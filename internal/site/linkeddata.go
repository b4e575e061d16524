package site

import (
	"encoding/json"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/schedule"
)

// Every page says in schema.org's words, as JSON-LD, what it shows, so
// that a search engine or an assistant can answer "what aired on e.tv on
// 27 February 2004" from it: the site (WebSite), the page (WebPage, with
// its place in the site as a BreadcrumbList), each show (TVSeries), each
// channel (BroadcastService), and an episode (TVEpisode, partOfSeries
// its show) with a BroadcastEvent for each airing, publishedOn its
// channel, starting and ending at instants with their offset, never live,
// and each named as a first airing or a repeat. A day's page has the
// episodes it aired, each with that day's broadcasts. URLs are the
// page's own links: relative to the page without a public URL (a JSON-LD
// processor resolves them against the page's address), absolute under
// it.

// ldNode is a node of the graph. encoding/json writes a map's keys in
// order, so a page's linked data is the same bytes each time.
type ldNode map[string]any

// ldRef refers to the node with id.
func ldRef(id string) ldNode { return ldNode{"@id": id} }

// seriesInfo is what the linked data says of a show that takes a pass
// over the history to learn: how many episodes it has, and the days of
// its first and last new episode. It is worked out once per site.
type seriesInfo struct {
	episodes    int
	first, last schedule.Date
}

// seriesInfos works out each show's seriesInfo from the history (a replay
// window's too: a series is what was made, not what airs this week).
func (s *Site) seriesInfos() map[*schedule.Show]seriesInfo {
	hist := s.cfg.Schedule.History()
	zone := hist.Location()
	eps := map[*schedule.Show]map[int]bool{}
	out := map[*schedule.Show]seriesInfo{}
	for sl := range hist.Slots(schedule.Query{}) {
		sh := sl.Run.Show
		if eps[sh] == nil {
			eps[sh] = map[int]bool{}
		}
		eps[sh][sl.Episode] = true
		if sl.IsRepeat() {
			continue
		}
		d := schedule.DateOf(sl.Start.In(zone))
		in := out[sh]
		if in.first.IsZero() || d.Before(in.first) {
			in.first = d
		}
		if d.After(in.last) {
			in.last = d
		}
		out[sh] = in
	}
	for sh, e := range eps {
		in := out[sh]
		in.episodes = len(e)
		out[sh] = in
	}
	return out
}

// linkedData returns the JSON-LD of page d, the site's file f (the zero
// File for a page made for one request).
func (s *Site) linkedData(d *pageData, f File) template.JS {
	home := d.Home
	sched := s.cfg.Schedule
	siteID := home + "#site"
	var graph []any
	page := ldNode{"@type": "WebPage", "name": d.PageTitle, "isPartOf": ldRef(siteID), "inLanguage": "en"}
	if f.Path != "" && f.page != notFoundPage {
		u := d.Root + f.Path
		if f.page == indexPage {
			u = home
		}
		page["@id"], page["url"] = u, u
	}
	graph = append(graph, page)

	// The index describes the site, its shows and its channels in full;
	// the other pages refer to them by their @id, naming them.
	var about []any
	for _, sh := range sched.Shows() {
		if f.page == indexPage {
			graph = append(graph, s.seriesNode(sh, d))
		}
		about = append(about, ldNode{"@type": "TVSeries", "@id": seriesID(home, sh), "name": sh.Title})
	}
	if f.page == indexPage {
		graph = append(graph, ldNode{"@type": "WebSite", "@id": siteID, "url": home, "name": d.Title, "inLanguage": "en"})
		for _, ch := range sched.Channels() {
			graph = append(graph, s.channelNode(ch, d))
		}
		if s.cfg.Replay {
			graph = append(graph, s.replayChannelNode(home))
		}
	}
	crumbs := []any{ldCrumb(1, d.Title, home)}
	switch {
	case d.Episode != nil && f.page == episodePage:
		ep := s.episodeNode(f.episode, sched.Episode(f.episode), d, true)
		graph = append(graph, ep)
		about = []any{ldRef(ep["@id"].(string))}
		crumbs = append(crumbs, ldCrumb(2, "Episode "+strconv.Itoa(f.episode), page["url"].(string)))
	case d.Day != nil && f.page == dayPage:
		var eps []any
		seen := map[int]bool{}
		for _, sl := range sched.On(f.date) {
			if seen[sl.Episode] {
				continue
			}
			seen[sl.Episode] = true
			var day []schedule.Slot
			for _, o := range sched.On(f.date) {
				if o.Episode == sl.Episode {
					day = append(day, o)
				}
			}
			ep := s.episodeNode(sl.Episode, day, d, false)
			graph = append(graph, ep)
			eps = append(eps, ldRef(ep["@id"].(string)))
		}
		if len(eps) > 0 {
			about = eps
		}
		if !s.cfg.Replay {
			crumbs = append(crumbs, ldCrumb(2, strconv.Itoa(f.date.Year), d.Root+"years/"+strconv.Itoa(f.date.Year)+".html"))
		}
		crumbs = append(crumbs, ldCrumb(len(crumbs)+1, d.Day.Label, page["url"].(string)))
	case d.Year != nil && f.page == yearPage:
		crumbs = append(crumbs, ldCrumb(2, strconv.Itoa(d.Year.Year), page["url"].(string)))
	}
	if len(about) > 0 {
		page["about"] = about
	}
	// A breadcrumb trail's steps must be absolute URLs, for search
	// engines, the only readers of one: a site without a public URL has
	// none.
	if len(crumbs) > 1 && s.root != "" {
		page["breadcrumb"] = ldNode{"@type": "BreadcrumbList", "itemListElement": crumbs}
	}
	b, err := json.Marshal(ldNode{"@context": "https://schema.org", "@graph": graph})
	if err != nil {
		return "{}" // every value is the program's own; cannot happen
	}
	// json.Marshal escapes <, > and & as \u003c and so on, so nothing in
	// it can end the <script> element it goes in.
	return template.JS(b)
}

// ldCrumb is a step of a page's breadcrumb trail.
func ldCrumb(pos int, name, u string) ldNode {
	return ldNode{"@type": "ListItem", "position": pos, "name": name, "item": u}
}

func seriesID(home string, sh *schedule.Show) string { return home + "#series-" + sh.ID }

func channelID(home string, ch *schedule.Channel) string { return home + "#channel-" + ch.ID }

// seriesNode describes show sh as a TVSeries: what the schedule says of
// it, its cast and crew, and its span of new episodes.
func (s *Site) seriesNode(sh *schedule.Show, d *pageData) ldNode {
	n := ldNode{"@type": "TVSeries", "@id": seriesID(d.Home, sh), "name": sh.Title, "url": d.Home}
	if sh.Synopsis != "" {
		n["description"] = strings.TrimSpace(sh.Synopsis)
	}
	if len(sh.Genres) > 0 {
		n["genre"] = sh.Genres
	}
	if sh.Language != "" {
		n["inLanguage"] = sh.Language
	}
	if sh.Country != "" {
		n["countryOfOrigin"] = ldNode{"@type": "Country", "name": sh.Country}
	}
	if img := s.imageURL(sh, d.Root); img != "" {
		n["image"] = img
	}
	c := sh.Credits
	for _, p := range []struct {
		prop  string
		names []string
	}{
		{"creator", c.Creators}, {"director", c.Directors}, {"author", c.Writers}, {"actor", c.Actors},
		{"producer", c.Producers}, {"musicBy", c.Composers}, {"contributor", append(append([]string(nil), c.Developers...), c.Presenters...)},
	} {
		var people []any
		for _, name := range p.names {
			if name = strings.TrimSpace(name); name != "" {
				people = append(people, ldNode{"@type": "Person", "name": name})
			}
		}
		if len(people) > 0 {
			n[p.prop] = people
		}
	}
	if info, ok := s.series()[sh]; ok {
		n["numberOfEpisodes"] = info.episodes
		if !info.first.IsZero() {
			n["startDate"], n["endDate"] = info.first.String(), info.last.String()
		}
	}
	return n
}

// imageURL is the address of sh's picture from a page at root: the
// site's own asset, an absolute URL as the schedule gives it, or a
// relative one resolved against the public URL; "" for none.
func (s *Site) imageURL(sh *schedule.Show, root string) string {
	if p := s.showArtwork(sh, root); p != nil {
		return p.Src
	}
	if u := feeds.ResolveURL(s.root, sh.Image); u != "" {
		return u
	}
	if strings.HasPrefix(sh.Image, "http://") || strings.HasPrefix(sh.Image, "https://") {
		return sh.Image
	}
	return ""
}

// channelName is ch's name, or its id when it has none.
func channelName(ch *schedule.Channel) string {
	if ch.Name == "" {
		return ch.ID
	}
	return ch.Name
}

// channelNode describes ch as a BroadcastService.
func (s *Site) channelNode(ch *schedule.Channel, d *pageData) ldNode {
	name := channelName(ch)
	n := ldNode{"@type": "BroadcastService", "@id": channelID(d.Home, ch), "name": name, "broadcastDisplayName": name,
		"broadcastTimezone": s.cfg.Schedule.Location().String()}
	if icon, ok := strings.CutPrefix(ch.Icon, "assets/"); ok && assets["assets/"+icon] != nil {
		n["logo"] = d.Root + ch.Icon
	} else if u := feeds.ResolveURL(s.root, ch.Icon); u != "" {
		n["logo"] = u
	}
	return n
}

// replayChannelNode describes the retro channel of a replay window: a
// BroadcastService of its own, for what airs on it is not what e.tv
// broadcast on those days.
func (s *Site) replayChannelNode(home string) ldNode {
	return ldNode{"@type": "BroadcastService", "@id": home + "#replay", "name": s.cfg.Schedule.Name() + ", replayed",
		"description": s.replayLede(), "broadcastTimezone": s.cfg.Schedule.Location().String()}
}

// episodeNode describes episode n as a TVEpisode with a BroadcastEvent for
// each of slots; with all, slots are all its airings, and in replay mode
// the history's airings are added too.
func (s *Site) episodeNode(n int, slots []schedule.Slot, d *pageData, all bool) ldNode {
	home, root := d.Home, d.Root
	page := ""
	if _, ok := s.Lookup("episodes/" + strconv.Itoa(n) + ".html"); ok {
		page = root + "episodes/" + strconv.Itoa(n) + ".html"
	}
	ep := ldNode{"@type": "TVEpisode", "episodeNumber": n, "name": "Episode " + strconv.Itoa(n)}
	if page != "" {
		ep["@id"], ep["url"] = page+"#episode", page
	} else {
		ep["@id"] = home + "#episode-" + strconv.Itoa(n)
	}
	if len(slots) == 0 {
		return ep
	}
	first := slots[0]
	if t := first.OwnTitle(); t != "" {
		ep["name"] = t
	}
	ep["partOfSeries"] = ldNode{"@type": "TVSeries", "@id": seriesID(home, first.Run.Show), "name": first.Run.Show.Title, "url": home}
	var events []any
	if all && s.cfg.Replay {
		// What e.tv broadcast, then what this channel airs.
		for _, sl := range s.cfg.Schedule.History().Episode(n) {
			events = append(events, s.broadcastNode(sl, home, root, page, true))
		}
	}
	for _, sl := range slots {
		events = append(events, s.broadcastNode(sl, home, root, page, false))
	}
	if !first.IsRepeat() && first.ReplayOf.IsZero() && all {
		ep["datePublished"] = first.Start.In(s.loc).Format(time.RFC3339)
	}
	ep["publication"] = events
	return ep
}

// broadcastNode describes airing sl as a BroadcastEvent, its @id the
// anchor of its row on the episode's page (or, for an airing the site
// has no row for, one of the page's own). A historic airing of a replay
// window's episode is e.tv's; a re-dated one the retro channel's.
func (s *Site) broadcastNode(sl schedule.Slot, home, root, page string, historic bool) ldNode {
	start, end := sl.Start.In(s.loc), sl.End.In(s.loc)
	id := airingID(start)
	if historic {
		id = "aired-" + strings.TrimPrefix(id, "airing-")
	}
	base := page
	if base == "" {
		base = home
	}
	n := ldNode{"@type": "BroadcastEvent", "@id": base + "#" + id,
		"startDate": start.Format(time.RFC3339), "endDate": end.Format(time.RFC3339), "isLiveBroadcast": false,
		"publishedOn": ldNode{"@type": "BroadcastService", "@id": channelID(home, sl.Run.Channel), "name": channelName(sl.Run.Channel)}}
	what := "episode " + strconv.Itoa(sl.Episode)
	switch {
	case !sl.ReplayOf.IsZero():
		n["publishedOn"] = ldNode{"@type": "BroadcastService", "@id": home + "#replay", "name": s.cfg.Schedule.Name() + ", replayed"}
		n["name"] = "Replay of " + what
		n["description"] = "A replay of the airing on " + sl.Run.Channel.Name + " of " + s.when(sl.ReplayOf) + "."
	case sl.IsRepeat():
		n["name"] = "Repeat of " + what
		n["description"] = "A repeat, in the " + sl.Run.Name + " run: " + what + " first aired on " + s.when(sl.FirstAired) + "."
	default:
		n["name"] = "First airing of " + what
		n["description"] = "The first airing of " + what + ", in the " + sl.Run.Name + " run."
	}
	if !historic {
		if day := s.dayLink(schedule.DateOf(sl.Start.In(s.cfg.Schedule.Location())), root); day != "" {
			n["url"] = day
		}
	}
	return n
}
