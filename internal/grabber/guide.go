package grabber

import (
	"fmt"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/version"
	"github.com/backstage-epg/backstage/schedule"
)

// Request is what one grab asks for: the local days Offset to
// Offset+Days-1 after today (today is 0), in the schedule's zone, today
// being Now's date there. A Days of 0 means as many as there are: up to
// Reach days after today.
type Request struct {
	Now          time.Time
	Offset, Days int
}

// Dates returns the first and last local day r asks for, given the zone
// the schedule reads dates in.
func (r Request) Dates(loc *time.Location) (first, last schedule.Date) {
	today := schedule.DateOf(r.Now.In(loc))
	days := r.Days
	if days == 0 {
		days = Reach + 1 - r.Offset
	}
	return today.AddDays(r.Offset), today.AddDays(r.Offset + days - 1)
}

// Guide returns what a grab writes with feeds.Write: the schedule (the
// history, or in replay mode its window re-dated to the present) and the
// feed options, whose window holds the programmes that start on the days
// r asks for. Grabs of adjacent days therefore add up to the grab of them
// all. The generator is "tv_grab_za_backstage/VERSION".
func (c Config) Guide(s *schedule.Schedule, r Request) (*schedule.Schedule, feeds.Options, error) {
	if r.Offset < 0 || r.Days < 0 || r.Offset+max(r.Days, 1)-1 > Reach {
		return nil, feeds.Options{}, fmt.Errorf("grabber: offset %d, days %d: out of reach (%d days after today)", r.Offset, r.Days, Reach)
	}
	first, last := r.Dates(s.Location())
	o := feeds.Options{
		Format:        feeds.XMLTV,
		Window:        schedule.Window{From: first, To: last, ByStart: true},
		MarkNew:       c.MarkNew,
		MarkEmptyDays: c.MarkEmptyDays,
		Generator:     Name + "/" + version.Number,
	}
	if c.History {
		return s, o, nil
	}
	// The replay window runs from the start of today to the end of the
	// last day asked for: every slot starting in the grab's days is in it.
	rs, err := s.Replay(schedule.ReplayOptions{
		From: c.ReplayFrom, Start: c.ReplayStart, Now: r.Now, PastDays: 0, Days: max(1, today(s, r.Now).Days(last)),
		Loop: c.Loop, SkipGaps: c.SkipGaps,
	})
	if err != nil {
		return nil, feeds.Options{}, fmt.Errorf("grabber: %w", err)
	}
	return rs, o, nil
}

func today(s *schedule.Schedule, now time.Time) schedule.Date {
	return schedule.DateOf(now.In(s.Location()))
}
