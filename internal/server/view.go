package server

import (
	"errors"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/schedule"
)

// view is one schedule and everything the server derives from it once:
// the version its cached files are keyed by, and its site. A new schedule
// from the Timeline, or a new day (the index's "on this day" changes
// daily), gets a new view.
type view struct {
	sched   *schedule.Schedule
	site    *site.Site
	date    schedule.Date // today, for the index's "on this day"
	version uint64
	loc     *time.Location // display zone
	modtime time.Time      // Last-Modified of its files

	bigMu sync.Mutex
	big   map[site.File]bool // whether a feed is streamed, for at most maxMemos feeds; see tooBig

	// feedFiles remembers the file each feed query that was answered
	// asks for (a feedQuery → *site.File), for at most maxMemos queries,
	// so that a client polling the same URL is answered without reading
	// and checking its parameters again.
	feedFiles  sync.Map
	feedFilesN atomic.Int32
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
// it when the schedule, or the day it answers for, is new.
func (s *Server) current() (*view, error) {
	sched := s.Schedule
	now := s.now()
	if s.Timeline != nil {
		var err error
		if sched, err = s.Timeline(now); err != nil {
			return nil, err
		}
	}
	if sched == nil {
		return nil, errNoSchedule
	}
	date := schedule.DateOf(now.In(sched.Location()))
	if v := s.views.cur.Load(); v != nil && v.sched == sched && v.date == date {
		return v, nil
	}
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	old := s.views.cur.Load()
	if old != nil && old.sched == sched && old.date == date {
		return old, nil
	}
	s.views.version++
	v, err := s.newView(sched, s.views.version, now)
	if err != nil {
		return nil, err
	}
	s.views.cur.Store(v)
	if old != nil {
		// Files of the view before are not asked for again (unless the
		// Timeline goes back to its schedule, when they are rendered anew).
		s.cache.dropOther(v.version)
	}
	if s.warming.Load() {
		go s.warm(v)
	}
	return v, nil
}

// warm renders, in the background, the files most clients ask for first
// — the whole calendar and guide, plain and gzipped, the compact
// calendar and the index — so that the first subscriber after a start,
// or after a replay window rolls on, is answered from the cache. Serve
// turns it on; a Handler on its own renders on demand.
func (s *Server) warm(v *view) {
	defer func() {
		// A rendering that panics fails only the requests that wait on
		// it; here, with no request to answer, it must not end the
		// process.
		if p := recover(); p != nil {
			s.log.Error("panic warming the cache", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	for _, f := range []struct {
		path string
		gz   bool
	}{
		{"xmltv.xml.gz", false}, {"calendar.ics", true}, {"calendar.ics", false}, {"xmltv.xml", false},
		{"calendar/compact.ics", false}, {"index.html", true}, {"index.html", false},
	} {
		if s.views.cur.Load() != v {
			return // a newer view has taken over
		}
		if file, ok := v.site.Lookup(f.path); ok && !s.tooBig(v, file) {
			s.body(v, file, f.gz)
		}
	}
}

func (s *Server) newView(sched *schedule.Schedule, version uint64, now time.Time) (*view, error) {
	v := &view{sched: sched, version: version, loc: s.Location, modtime: sched.Revised()}
	if v.loc == nil {
		v.loc = sched.Location()
	}
	if s.Timeline != nil {
		// A timeline's schedules may share a revision date while their
		// bytes differ; a Last-Modified no earlier than the moment this
		// one was first served keeps If-Modified-Since from matching an
		// older copy.
		if t := now.Truncate(time.Second); t.After(v.modtime) {
			v.modtime = t
		}
	}
	v.date = schedule.DateOf(now.In(sched.Location()))
	var err error
	v.site, err = site.New(site.Config{
		Schedule:  sched,
		Location:  v.loc,
		Date:      v.date,
		Replay:    s.Timeline != nil,
		PublicURL: s.PublicURL,
		StreamURL: s.StreamURL,
		Generator: s.Generator,
	})
	return v, err
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
