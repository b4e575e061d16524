// Package api defines the JSON shapes backstage prints with --json and
// serves over HTTP, so the command line and the server cannot drift apart.
package api

import (
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// Airing is one slot as JSON. Times are RFC 3339 in the display zone.
// FirstAired is set on repeats only, ReplayOf on re-dated (replay-mode)
// airings only; both are left out, not null, elsewhere.
type Airing struct {
	Show        string `json:"show"`
	Title       string `json:"title"`
	Channel     string `json:"channel"`
	ChannelName string `json:"channel_name"`
	Run         string `json:"run"`
	Episode     int    `json:"episode"`
	Start       string `json:"start"`
	End         string `json:"end"`
	FirstAired  string `json:"first_aired,omitempty"`
	ReplayOf    string `json:"replay_of,omitempty"`
}

// NewAiring returns s as an Airing with its times shown in loc.
func NewAiring(s schedule.Slot, loc *time.Location) Airing {
	a := Airing{
		Show:        s.Run.Show.Title,
		Title:       s.Title(),
		Channel:     s.Run.Channel.ID,
		ChannelName: s.Run.Channel.Name,
		Run:         s.Run.Name,
		Episode:     s.Episode,
		Start:       s.Start.In(loc).Format(time.RFC3339),
		End:         s.End.In(loc).Format(time.RFC3339),
	}
	if s.IsRepeat() {
		a.FirstAired = s.FirstAired.In(loc).Format(time.RFC3339)
	}
	if !s.ReplayOf.IsZero() {
		a.ReplayOf = s.ReplayOf.In(loc).Format(time.RFC3339)
	}
	return a
}

// Airings converts slots; it never returns nil, so an empty answer
// encodes as [] rather than null.
func Airings(slots []schedule.Slot, loc *time.Location) []Airing {
	out := make([]Airing, len(slots))
	for i, s := range slots {
		out[i] = NewAiring(s, loc)
	}
	return out
}

// Run describes one run and what it expanded to.
type Run struct {
	Name        string            `json:"name"`
	Show        string            `json:"show"`
	Channel     string            `json:"channel"`
	ChannelName string            `json:"channel_name"`
	Slot        string            `json:"slot"`
	Timezone    string            `json:"timezone"`
	First       string            `json:"first"`
	Last        string            `json:"last,omitempty"`
	Minutes     int               `json:"minutes"`
	Replays     string            `json:"replays,omitempty"`
	Slots       int               `json:"slots"`
	Episodes    [2]int            `json:"episodes"` // first and last episode shown
	FirstAiring *Airing           `json:"first_airing,omitempty"`
	LastAiring  *Airing           `json:"last_airing,omitempty"`
	Assumptions map[string]string `json:"assumptions,omitempty"` // field → what was assumed
}

// NewRun describes st with times shown in loc.
func NewRun(st schedule.Stats, loc *time.Location) Run {
	r := st.Run
	out := Run{
		Name: r.Name, Show: r.Show.Title, Channel: r.Channel.ID, ChannelName: r.Channel.Name,
		Slot: r.Rule, Timezone: r.Location.String(), First: r.First.String(), Last: r.Last.String(),
		Minutes: int(r.Length / time.Minute), Replays: r.Replays, Slots: st.Slots,
	}
	if st.Slots > 0 {
		first, last := NewAiring(st.First, loc), NewAiring(st.Last, loc)
		out.FirstAiring, out.LastAiring = &first, &last
		out.Episodes = [2]int{st.First.Episode, st.Last.Episode}
	}
	if len(r.Assumptions) > 0 {
		out.Assumptions = make(map[string]string, len(r.Assumptions))
		for _, a := range r.Assumptions {
			out.Assumptions[a.Field] = a.Note
		}
	}
	return out
}

// Runs describes every run of stats, in their order, with times shown in
// loc.
func Runs(stats []schedule.Stats, loc *time.Location) []Run {
	out := make([]Run, len(stats))
	for i, st := range stats {
		out[i] = NewRun(st, loc)
	}
	return out
}
