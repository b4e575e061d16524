package schedule

import (
	"fmt"
	"time"

	"github.com/backstage-epg/backstage/internal/quote"
)

// Slot is one airing: an episode of a show on a channel, from Start to End.
// Start and End are in the run's location.
type Slot struct {
	Run     *Run
	Episode int
	Start   time.Time
	End     time.Time

	// FirstAired is the start of the episode's first airing when this slot
	// shows it again, and the zero Time when this slot is that first airing.
	FirstAired time.Time

	// ReplayOf is the start of the historic airing this slot re-dates, for
	// slots of a time-shifted timeline (see Schedule.Replay); zero otherwise.
	ReplayOf time.Time
}

// IsRepeat reports whether s shows an episode that aired before.
func (s Slot) IsRepeat() bool { return !s.FirstAired.IsZero() }

// Title returns the title of the slot's episode: its own, or "Episode N".
func (s Slot) Title() string { return s.Run.Show.EpisodeTitle(s.Episode) }

// OwnTitle returns the episode's own title, or "" when it has none and is
// known only by its number.
func (s Slot) OwnTitle() string { return s.Run.Show.OwnTitle(s.Episode) }

// Previous returns the start of the airing this slot repeats: the historic
// slot for a re-dated one, otherwise the episode's first airing; zero for a
// first airing.
func (s Slot) Previous() time.Time {
	if !s.ReplayOf.IsZero() {
		return s.ReplayOf
	}
	return s.FirstAired
}

// OverlapError reports two slots on one channel that overlap in time.
type OverlapError struct {
	A, B Slot
}

// Error names the channel and both slots: run, episode and times.
func (e *OverlapError) Error() string {
	f := func(s Slot) string {
		return fmt.Sprintf("run %s episode %d %s–%s", quote.Value(s.Run.Name), s.Episode,
			s.Start.Format("2006-01-02 15:04"), s.End.Format("15:04 -07:00"))
	}
	return fmt.Sprintf("schedule: overlapping slots on channel %s: %s and %s",
		quote.Clip(e.A.Run.Channel.ID), f(e.A), f(e.B))
}

// Unwrap returns ErrInvalid.
func (e *OverlapError) Unwrap() error { return ErrInvalid }
