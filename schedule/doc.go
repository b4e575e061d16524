// Package schedule models broadcast runs of a show and answers what aired
// when: the slots on a day, the slot on air at an instant, every airing of
// an episode, and the slots in a window, streamed as an iterator.
//
// A Run is a slot rule written as a cron spec (parsed by
// github.com/robfig/cron/v3), a zone, a first and an optional last date, a
// slot length, and where its episodes come from: new episodes numbered
// upwards, or a replay of another run. New expands the runs of a Plan into
// a Schedule, checking that no two slots on one channel overlap. The
// package does no I/O; schedule files are read elsewhere.
//
//	jnb, _ := time.LoadLocation("Africa/Johannesburg")
//	show := &schedule.Show{ID: "backstage", Title: "Backstage"}
//	etv := &schedule.Channel{ID: "etv.co.za", Name: "e.tv"}
//	s, err := schedule.New(schedule.Plan{Runs: []*schedule.Run{{
//		Name: "original", Show: show, Channel: etv,
//		Rule: "30 18 * * 1-5", Location: jnb, Length: 30 * time.Minute,
//		First: schedule.Date{Year: 2000, Month: 5, Day: 1},
//		Last:  schedule.Date{Year: 2007, Month: 7, Day: 6},
//		FirstEpisode: 1,
//	}}})
//	for _, slot := range s.On(schedule.Date{Year: 2003, Month: 6, Day: 16}) {
//		fmt.Println(slot.Episode, slot.Start) // 816 2003-06-16 18:30:00 +0200 SAST
//	}
//
// # Time zones
//
// Each run reads its rule in its own Location, and every Slot's Start and
// End are in that zone, so a slot prints at the local time it aired. Dates
// (the Date type: a day with no zone) are read in the schedule's Location
// when a query needs instants: Schedule.On(d) covers d's local midnight to
// the next, and a slot crossing midnight belongs to both days (to the day
// it starts only, in a Window or Query with ByStart). Compare
// instants with Equal, Before and After, never ==.
//
// A slot is a reading of a clock in the run's zone: on each day whose
// month, day of month and day of week the rule matches, each time of day
// it matches, at the first instant the clock shows it. So a time that does
// not exist on a day (inside a spring-forward jump, or a day a zone
// skipped) has no slot that day, and its episode moves to the next slot;
// a time that happens twice (when clocks fall back) has one slot, at its
// first occurrence. The rule is parsed by cron, but slots are not found
// with cron's Next, which steps through every second between matches and
// misses some days whose clocks change at midnight.
//
// # Edges
//
// Expansion is bounded by each run's dates and episode supply: a run of new
// episodes needs a last date or a count, and a replay ends when the
// episodes it replays run out. Queries that find nothing return nil
// slices, never errors.
//
// A run's dates, and so its slots, fall in the years MinYear to MaxYear
// (1900 to 2200): a run that would go on past them, or number episodes
// past MaxEpisode, is refused rather than cut short or wrapped. New
// counts the slots each run can have from its rule before it makes any,
// so a plan that could hold more than MaxSlots is refused at once, and
// NewContext stops a long build when its context is done.
//
// # Replays in the present
//
// Schedule.Replay airs the history again as a channel, later by whole
// weeks, and cuts the window of days around the present that a guide
// shows, for media centres that only show a guide around today. The
// mapping from real days to historic ones is fixed by ReplayOptions'
// From and Start (by default DefaultReplayWeeks weeks on), never by the
// clock, so guides made on different days agree on every day both hold;
// see ReplayOptions.
package schedule
