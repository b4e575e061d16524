package schedule_test

import (
	"fmt"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// backstagePlan is the default schedule's two runs, written in Go.
func backstagePlan() schedule.Plan {
	jnb, _ := time.LoadLocation("Africa/Johannesburg")
	show := &schedule.Show{ID: "backstage", Title: "Backstage"}
	etv := &schedule.Channel{ID: "etv.co.za", Name: "e.tv"}
	return schedule.Plan{Location: jnb, Runs: []*schedule.Run{{
		Name: "original", Show: show, Channel: etv,
		Rule: "30 18 * * 1-5", Location: jnb, Length: 30 * time.Minute,
		First:        schedule.Date{Year: 2000, Month: 5, Day: 1},
		Last:         schedule.Date{Year: 2007, Month: 7, Day: 6},
		FirstEpisode: 1,
	}, {
		Name: "rebroadcast", Show: show, Channel: etv,
		Rule: "40 16 * * 1-5", Location: jnb, Length: 30 * time.Minute,
		First:   schedule.Date{Year: 2009, Month: 1, Day: 5},
		Replays: "original", ReplayFrom: 1,
	}}}
}

func ExampleNew() {
	s, err := schedule.New(backstagePlan())
	if err != nil {
		panic(err)
	}
	for _, st := range s.Stats() {
		fmt.Printf("%s: %d slots, %s to %s\n", st.Run.Name, st.Slots,
			st.First.Start.Format("2006-01-02 15:04"), st.Last.Start.Format("2006-01-02 15:04"))
	}
	// Output:
	// original: 1875 slots, 2000-05-01 18:30 to 2007-07-06 18:30
	// rebroadcast: 1875 slots, 2009-01-05 16:40 to 2016-03-11 16:40
}

func ExampleSchedule_On() {
	s, _ := schedule.New(backstagePlan())
	for _, slot := range s.On(schedule.Date{Year: 2003, Month: 6, Day: 16}) {
		fmt.Println(slot.Run.Name, slot.Episode, slot.Start.Format("Mon 2006-01-02 15:04 MST"))
	}
	fmt.Println(len(s.On(schedule.Date{Year: 2008, Month: 6, Day: 16})), "slots in the gap")
	// Output:
	// original 816 Mon 2003-06-16 18:30 SAST
	// 0 slots in the gap
}

func ExampleSchedule_At() {
	s, _ := schedule.New(backstagePlan())
	at := time.Date(2012, 11, 2, 14, 50, 0, 0, time.UTC) // 16:50 in Johannesburg
	for _, slot := range s.At(at) {
		fmt.Println(slot.Run.Name, slot.Episode, "first aired", slot.FirstAired.Format("2006-01-02"))
	}
	// Output:
	// rebroadcast 1000 first aired 2004-02-27
}

func ExampleSchedule_Episode() {
	s, _ := schedule.New(backstagePlan())
	for _, slot := range s.Episode(1875) {
		fmt.Println(slot.Run.Name, slot.Start.Format("2006-01-02 15:04"))
	}
	// Output:
	// original 2007-07-06 18:30
	// rebroadcast 2016-03-11 16:40
}

func ExampleSchedule_Slots() {
	s, _ := schedule.New(backstagePlan())
	q := s.Dates(schedule.Date{Year: 2009, Month: 1, Day: 1}, schedule.Date{Year: 2009, Month: 1, Day: 7})
	q.Run = "rebroadcast"
	for slot := range s.Slots(q) {
		fmt.Println(slot.Start.Format("Mon 02 Jan"), "episode", slot.Episode)
	}
	// Output:
	// Mon 05 Jan episode 1
	// Tue 06 Jan episode 2
	// Wed 07 Jan episode 3
}
