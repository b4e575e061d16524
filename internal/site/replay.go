package site

import "github.com/backstage-epg/backstage/schedule"

// In replay mode the site is a retro channel: the index shows what airs
// today (the page's script marks what is on now and next, from each
// airing's data-start and data-end) and this week's guide, the window's
// days, in place of the history picture.

// todayView is what airs on the present day of a replay window.
type todayView struct {
	Label   string // "Monday 30 November 2026"
	Airings []airingRow
	Next    *airingLink // when nothing airs today: the next airing in the window
}

// today returns the present day: Config.Date, or Config.Today when only
// that is set.
func (s *Site) today() schedule.Date {
	if !s.cfg.Date.IsZero() {
		return s.cfg.Date
	}
	return s.cfg.Today
}

// todayView lists today's airings; nil when the present is not known.
func (s *Site) todayView(root string) *todayView {
	day := s.today()
	if day.IsZero() {
		return nil
	}
	sched := s.cfg.Schedule
	tv := &todayView{Label: DayLabel(day)}
	for _, sl := range sched.On(day) {
		tv.Airings = append(tv.Airings, s.airingRow(sl, root))
	}
	if len(tv.Airings) == 0 {
		if next, ok := sched.Next(day.AddDays(1).In(sched.Location())); ok {
			tv.Next = s.airingLink(next, root)
		}
	}
	return tv
}

// weekView is the window of a replay: its days and what airs on them.
type weekView struct {
	Label   string // "Sunday 29 November to Monday 7 December 2026"
	Replays string // "the week of Monday 16 June 2003": the historic week this week replays
	Days    []weekDay
}

// weekDay is one day of the window.
type weekDay struct {
	Label   string // "Mon 30 Nov"
	Link    string
	Today   bool
	Current bool // the page's own day
	Airings []airingRow
}

// weekView lists the window's days, linked from a page at root; with
// airings, their airings too. sel is the page's own day, if any.
func (s *Site) weekView(root string, airings bool, sel schedule.Date) *weekView {
	if s.first.IsZero() {
		return nil
	}
	sched := s.cfg.Schedule
	wv := &weekView{Label: spanLabel(s.first, s.last)}
	today := s.today()
	days := root + "days/"
	if !sel.IsZero() && s.root == "" {
		days = "" // the day pages' own folder
	}
	for d := s.first; !d.After(s.last); d = d.AddDays(1) {
		wd := weekDay{Label: formatDate(d, "Mon 2 Jan"), Link: days + d.String() + ".html", Today: d == today, Current: d == sel}
		if airings {
			for _, sl := range sched.On(d) {
				wd.Airings = append(wd.Airings, s.airingRow(sl, root))
			}
		}
		wv.Days = append(wv.Days, wd)
	}
	if !today.IsZero() {
		// The historic week is the same for every airing of this week:
		// the first one names it.
		zone := sched.Location()
		monday := mondayOf(today)
		if sl, ok := sched.Next(monday.In(zone)); ok && sl.Start.Before(monday.AddDays(7).In(zone)) && !sl.ReplayOf.IsZero() {
			shift := schedule.DateOf(sl.Start.In(zone)).Days(schedule.DateOf(sl.ReplayOf.In(zone)))
			wv.Replays = "the week of " + DayLabel(monday.AddDays(shift))
		}
	}
	return wv
}
