package server

import (
	"compress/flate"
	"errors"
	"html/template"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// view is one schedule and everything the server derives from it once:
// the version its cached feeds are keyed by, its span of dates, the
// history picture. A new schedule from the Timeline gets a new view.
type view struct {
	sched   *schedule.Schedule
	version uint64
	loc     *time.Location // display zone
	modtime time.Time      // Last-Modified of its feeds

	first, last schedule.Date // local dates of the first start and the latest end, in the schedule's zone
	lastEp      int

	history  template.HTML // the inline SVG picture of the whole history
	histZ    *deflated     // history, compressed once, when first asked for
	histOnce sync.Once
	legend   []legendItem
	facts    []runFacts
	shows    []showFacts
}

// historyDeflated returns the history picture with its compressed
// form, compressing it on the first call.
func (v *view) historyDeflated() *deflated {
	v.histOnce.Do(func() { v.histZ = deflate([]byte(v.history), flate.DefaultCompression) })
	return v.histZ
}

// viewCache holds the current view; views are built under mu, read
// without it.
type viewCache struct {
	cur     atomic.Pointer[view]
	mu      sync.Mutex
	version uint64
}

var errNoSchedule = errors.New("server: no schedule: set Server.Schedule or Server.Timeline")

// current returns the view of the schedule to answer from now, building
// it when the schedule is new.
func (s *Server) current() (*view, error) {
	sched := s.Schedule
	if s.Timeline != nil {
		var err error
		if sched, err = s.Timeline(s.now()); err != nil {
			return nil, err
		}
	}
	if sched == nil {
		return nil, errNoSchedule
	}
	if v := s.views.cur.Load(); v != nil && v.sched == sched {
		return v, nil
	}
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	old := s.views.cur.Load()
	if old != nil && old.sched == sched {
		return old, nil
	}
	s.views.version++
	v := s.newView(sched, s.views.version)
	s.views.cur.Store(v)
	if old != nil {
		// Feeds of the schedule before are not asked for again (unless
		// the Timeline goes back to it, when they are rendered anew).
		s.cache.dropOther(v.version)
	}
	return v, nil
}

func (s *Server) newView(sched *schedule.Schedule, version uint64) *view {
	v := &view{sched: sched, version: version, loc: s.Location, modtime: sched.Revised()}
	if v.loc == nil {
		v.loc = sched.Location()
	}
	if s.Timeline != nil {
		// A timeline's schedules may share a revision date while their
		// bytes differ; a Last-Modified no earlier than the moment this
		// one was first served keeps If-Modified-Since from matching an
		// older copy.
		if t := s.now().Truncate(time.Second); t.After(v.modtime) {
			v.modtime = t
		}
	}
	v.first, v.last = span(sched)
	v.lastEp = sched.LastEpisode()
	v.history, v.legend = historySVG(sched)
	v.facts = runFactsOf(sched)
	v.shows = showFactsOf(sched)
	return v
}

// span returns the local dates, in s's zone, of the first start and of
// the latest end of its slots; zero Dates when it has none. (Schedule.Stats
// would give the ends of each run, but schedules a transformation makes
// need not carry them.)
func span(s *schedule.Schedule) (first, last schedule.Date) {
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

// maxAge is how long clients may keep a feed of v: the calendar refresh
// interval, and for a timeline no later than the next midnight in the
// schedule's zone, when a daily window rolls on.
func (s *Server) maxAge(v *view, refresh time.Duration) time.Duration {
	if s.Timeline == nil {
		return refresh
	}
	now := s.now().In(v.sched.Location())
	midnight := schedule.DateOf(now).AddDays(1).In(v.sched.Location())
	return min(refresh, midnight.Sub(now).Truncate(time.Second))
}

// DailyTimeline returns a Server.Timeline that calls build at most once
// per calendar day in loc and hands out the schedule it built for the
// rest of that day, so that the server renders each feed once a day. An
// error is returned, not kept: the next request tries again.
func DailyTimeline(loc *time.Location, build func(now time.Time) (*schedule.Schedule, error)) func(time.Time) (*schedule.Schedule, error) {
	var (
		mu    sync.Mutex
		day   schedule.Date
		sched *schedule.Schedule
	)
	return func(now time.Time) (*schedule.Schedule, error) {
		d := schedule.DateOf(now.In(loc))
		mu.Lock()
		defer mu.Unlock()
		if sched != nil && d == day {
			return sched, nil
		}
		s, err := build(now)
		if err != nil {
			return nil, err
		}
		day, sched = d, s
		return s, nil
	}
}
