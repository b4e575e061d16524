//go:build linux

package apps

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// kodiTime is how Kodi's JSON-RPC writes a broadcast's times: UTC,
// whatever its zone setting.
const kodiTime = "2006-01-02 15:04:05"

// programme is one programme of a guide, in the terms Kodi reports a
// broadcast in, so that a guide's programmes and Kodi's broadcasts
// compare as values.
type programme struct {
	Start, End  string // UTC, as kodiTime
	Title       string
	Episode     int // the episode number, 0 for none
	EpisodeName string
	Genres      []string
	Series      bool   // Kodi's isseries: the programme has an episode number
	FirstAired  string // YYYY-MM-DD, "" for none
	Plot        string
	Cast        string // the actors, comma-separated as Kodi joins them
	Writer      string
	Icon        string
}

// key is what identifies a programme on a channel: its start.
func (p programme) key() string { return p.Start }

// guide is a guide's channel and programmes, in order.
type guide struct {
	ChannelID, ChannelName, ChannelIcon string
	Programmes                          []programme
}

// xmltvDoc is the part of an XMLTV document the checks read.
type xmltvDoc struct {
	Channels []struct {
		ID    string   `xml:"id,attr"`
		Names []string `xml:"display-name"`
		Icon  struct {
			Src string `xml:"src,attr"`
		} `xml:"icon"`
	} `xml:"channel"`
	Programmes []struct {
		Start      string   `xml:"start,attr"`
		Stop       string   `xml:"stop,attr"`
		Channel    string   `xml:"channel,attr"`
		Title      string   `xml:"title"`
		SubTitle   string   `xml:"sub-title"`
		Desc       string   `xml:"desc"`
		Date       string   `xml:"date"`
		Categories []string `xml:"category"`
		Episodes   []struct {
			System string `xml:"system,attr"`
			Value  string `xml:",chardata"`
		} `xml:"episode-num"`
		Actors  []string `xml:"credits>actor"`
		Writers []string `xml:"credits>writer"`
		Icon    struct {
			Src string `xml:"src,attr"`
		} `xml:"icon"`
	} `xml:"programme"`
}

// parseXMLTV reads an XMLTV guide of one channel.
func parseXMLTV(b []byte) (guide, error) {
	var doc xmltvDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		return guide{}, err
	}
	if len(doc.Channels) != 1 {
		return guide{}, fmt.Errorf("%d channels, want 1", len(doc.Channels))
	}
	ch := doc.Channels[0]
	g := guide{ChannelID: ch.ID, ChannelIcon: ch.Icon.Src}
	if len(ch.Names) > 0 {
		g.ChannelName = ch.Names[0]
	}
	for _, x := range doc.Programmes {
		if x.Channel != ch.ID {
			return guide{}, fmt.Errorf("programme at %s on channel %q, not %q", x.Start, x.Channel, ch.ID)
		}
		start, err := xmltvTime(x.Start)
		if err != nil {
			return guide{}, err
		}
		end, err := xmltvTime(x.Stop)
		if err != nil {
			return guide{}, err
		}
		p := programme{Start: start, End: end, Title: x.Title, EpisodeName: x.SubTitle, Plot: x.Desc,
			Genres: x.Categories, Cast: strings.Join(x.Actors, ","), Writer: strings.Join(x.Writers, ","), Icon: x.Icon.Src}
		for _, e := range x.Episodes {
			// xmltv_ns counts from 0: ".122." is episode 123.
			if e.System == "xmltv_ns" {
				parts := strings.Split(e.Value, ".")
				if len(parts) == 3 {
					n, err := strconv.Atoi(strings.TrimSpace(strings.Split(parts[1], "/")[0]))
					if err != nil {
						return guide{}, fmt.Errorf("programme at %s: episode %q: %v", x.Start, e.Value, err)
					}
					p.Episode = n + 1
				}
			}
		}
		p.Series = p.Episode > 0
		if x.Date != "" {
			d, err := time.Parse("20060102", x.Date)
			if err != nil {
				return guide{}, fmt.Errorf("programme at %s: date %q: %v", x.Start, x.Date, err)
			}
			p.FirstAired = d.Format(time.DateOnly)
		}
		g.Programmes = append(g.Programmes, p)
	}
	return g, nil
}

// xmltvTime turns XMLTV's "20261207183000 +0200" into kodiTime in UTC.
func xmltvTime(s string) (string, error) {
	t, err := time.Parse("20060102150405 -0700", s)
	if err != nil {
		return "", err
	}
	return t.UTC().Format(kodiTime), nil
}

// get fetches url with client and returns the body of a 200 answer.
func get(t *testing.T, client *http.Client, url string) []byte {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return b
}

// airing is an airing object of the JSON answers (api/v1/days/D.json).
type airing struct {
	Show       string    `json:"show"`
	Title      string    `json:"title"`
	Episode    int       `json:"episode"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	FirstAired time.Time `json:"first_aired"`
}

// checkGuideAgainstJSON checks that the guide's programmes are the
// airings the site's JSON answers give for the same days (a day answer
// for each local day from the first airing's to the last's):
// the same starts, ends, show, episode and episode title, and first-aired
// date, and no other programme but "No airing" markers, which name no
// show and no episode.
func checkGuideAgainstJSON(t *testing.T, client *http.Client, base string, g guide, loc *time.Location) {
	t.Helper()
	if len(g.Programmes) == 0 {
		t.Fatal("the guide has no programmes")
	}
	byStart := map[string]programme{}
	var first, last time.Time
	for _, p := range g.Programmes {
		byStart[p.Start] = p
		if p.Episode > 0 {
			start, _ := time.Parse(kodiTime, p.Start)
			if first.IsZero() {
				first = start
			}
			last = start
		}
	}
	if first.IsZero() {
		t.Fatal("the guide has no programme with an episode")
	}
	seen := 0
	for day := first.In(loc); !day.After(last.In(loc)); day = day.AddDate(0, 0, 1) {
		var airings []airing
		if err := json.Unmarshal(get(t, client, base+"/api/v1/days/"+day.Format(time.DateOnly)+".json"), &airings); err != nil {
			t.Fatalf("api/v1/days/%s.json: %v", day.Format(time.DateOnly), err)
		}
		for _, a := range airings {
			p, ok := byStart[a.Start.UTC().Format(kodiTime)]
			type fields struct {
				Start, End, Title       string
				Episode                 int
				EpisodeName, FirstAired string
			}
			firstAired := a.FirstAired // only repeats carry it
			if firstAired.IsZero() {
				firstAired = a.Start
			}
			want := fields{a.Start.UTC().Format(kodiTime), a.End.UTC().Format(kodiTime), a.Show,
				a.Episode, a.Title, firstAired.In(loc).Format(time.DateOnly)}
			got := fields{p.Start, p.End, p.Title, p.Episode, p.EpisodeName, p.FirstAired}
			switch {
			case !ok:
				t.Errorf("the JSON's airing of episode %d at %s is not in the guide", a.Episode, a.Start)
			case got != want:
				t.Errorf("the guide's programme at %s:\n got %+v\nwant %+v (the JSON answer's)", p.Start, got, want)
			}
			seen++
		}
	}
	shows := 0
	for _, p := range g.Programmes {
		if p.Episode > 0 {
			shows++
		}
	}
	if shows != seen {
		t.Errorf("the guide has %d programmes with an episode, the JSON answers %d airings", shows, seen)
	}
}
