package site

import (
	"fmt"
	"math"

	"github.com/backstage-epg/backstage/schedule"
)

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

// today returns the present day, Config.Date, when the site's days hold
// it; the zero Date otherwise.
func (s *Site) today() schedule.Date {
	if d := s.cfg.Date; !d.IsZero() && !d.Before(s.first) && !d.After(s.last) {
		return d
	}
	return schedule.Date{}
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
	Label string // "Sunday 29 November to Monday 7 December 2026"
	Days  []weekDay
}

// replayLede is what the index of a replay says the channel is: the
// mapping, fixed by the replay's options, and which historic weeks this
// week and next replay.
func (s *Site) replayLede() string {
	sched := s.cfg.Schedule
	o, ok := sched.ReplayOptions()
	if !ok || o.Start.IsZero() {
		return "A retro channel: the history airs again, each airing on its own weekday at its own time."
	}
	days := o.From.Days(o.Start)
	lede := fmt.Sprintf("A retro channel: from %s it airs the history again, from %s on, %d weeks (about %d years) later, each airing on its own weekday at its own time",
		DayLabel(o.Start), DayLabel(o.From), days/7, int(math.Round(float64(days)/365.2425)))
	switch {
	case o.SkipGaps && o.Loop:
		lede += ", leaving out the weeks with no airing and starting again when it ends"
	case o.SkipGaps:
		lede += ", leaving out the weeks with no airing"
	case o.Loop:
		lede += ", starting again when it ends"
	}
	lede += "."
	today := s.today()
	if today.IsZero() {
		today = s.cfg.Date
	}
	if today.IsZero() {
		return lede
	}
	week := func(d schedule.Date) string {
		if h, ok := sched.ReplayWeek(d); ok {
			return "the week of " + DayLabel(h)
		}
		if d.Before(o.Start) {
			return "nothing yet"
		}
		return "nothing: the history has ended"
	}
	return fmt.Sprintf("%s This week replays %s; next week, %s.", lede, week(today), week(today.AddDays(7)))
}

// weekDay is one day of the window.
type weekDay struct {
	Label   string // "Mon 30 Nov"
	Link    string
	Today   bool
	Ahead   bool // today or later: what airs, not what aired
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
		wd := weekDay{Label: formatDate(d, "Mon 2 Jan"), Link: days + d.String() + ".html", Today: d == today, Ahead: !d.Before(today), Current: d == sel}
		if airings {
			for _, sl := range sched.On(d) {
				wd.Airings = append(wd.Airings, s.airingRow(sl, root))
			}
		}
		wv.Days = append(wv.Days, wd)
	}
	return wv
}
