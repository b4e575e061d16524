package feeds

import (
	"errors"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// The tests that take longest (the outside consumers, and those that
// read back the full history) call t.Parallel, so that they share the
// cores; go test runs at most -parallel (GOMAXPROCS) of them at once,
// after the quick ones, which run in order.

// countWriter counts the bytes written to it.
type countWriter int64

func (w *countWriter) Write(p []byte) (int, error) {
	*w += countWriter(len(p))
	return len(p), nil
}

// testBaseURL is the public URL the tests publish feeds at.
const testBaseURL = "https://tv.example.org/backstage"

// failWriter accepts n bytes and then fails every write with errWrite.
type failWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errWrite
	}
	return len(p), nil
}

// smallSchedule is a two-week, two-run, two-zone schedule for golden files:
// a weekday run in Johannesburg, a replay of it, an exception, a slot that
// crosses midnight on a channel in London (which has daylight saving) and
// text that needs escaping: ' " & < > and non-ASCII letters. Its show and
// e.tv have relative picture URLs, the London channel an absolute one.
func smallSchedule(t testing.TB) *schedule.Schedule {
	t.Helper()
	jnb, lon := testkit.Location(t, "Africa/Johannesburg"), testkit.Location(t, "Europe/London")
	show := &schedule.Show{
		ID:       "backstage",
		Title:    "Backstage",
		Synopsis: "Students & lecturers at a performing-arts college chase fame — \"and each other\" <sometimes>.",
		Genres:   []string{"Soap opera", "Drama"},
		Country:  "ZA",
		Language: "en",
		Credits: schedule.Credits{
			Creators:  []string{"Mfundi Vundla"},
			Actors:    []string{"Duncan Lawson", "Katlego Danke"},
			Writers:   []string{"Collin Oliphant"},
			Producers: []string{"Mfundi Vundla"},
			Composers: []string{"Dusk to Dawn"},
		},
		EpisodeTitles: map[int]string{1: "Pilot: First Day", 3: `Naomi's "Big" Break & <Encore> at the Café`},
		Image:         "assets/show-backstage.png",
	}
	etv := &schedule.Channel{ID: "etv.co.za", Name: "e.tv", Icon: "assets/channel-icon.png"}
	late := &schedule.Channel{ID: "late.example.uk", Name: "Late Night", Icon: "https://late.example.uk/logo.png?size=256&bg=dark"}
	orig := &schedule.Run{
		Name: "original", Show: show, Channel: etv, Rule: "30 18 * * 1-5", Location: jnb,
		First: schedule.Date{Year: 2006, Month: 12, Day: 25}, Last: schedule.Date{Year: 2007, Month: 1, Day: 5},
		Length: 30 * time.Minute, FirstEpisode: 1,
		Exceptions: []schedule.Date{{Year: 2007, Month: 1, Day: 1}},
	}
	re := &schedule.Run{
		Name: "rebroadcast", Show: show, Channel: etv, Rule: "40 16 * * 1-5", Location: jnb,
		First: schedule.Date{Year: 2007, Month: 1, Day: 1}, Length: 30 * time.Minute,
		Replays: "original", ReplayFrom: 1, ReplayTo: 3,
	}
	night := &schedule.Run{
		Name: "late", Show: show, Channel: late, Rule: "45 23 * * 5", Location: lon,
		First: schedule.Date{Year: 2006, Month: 12, Day: 29}, Last: schedule.Date{Year: 2007, Month: 1, Day: 5},
		Length: 30 * time.Minute, Replays: "original", ReplayFrom: 1,
	}
	s, err := schedule.New(schedule.Plan{
		Name: "Backstage test", Source: "test data", Location: jnb,
		Revised: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC),
		Runs:    []*schedule.Run{orig, re, night},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSmallSchedule(t *testing.T) {
	s := smallSchedule(t)
	// originals: Dec 25-29 (5), Jan 2-5 (4, Jan 1 excepted) = 9
	// rebroadcast: episodes 1-3 on Jan 1-3 = 3; late: Dec 29, Jan 5 = 2
	if got, want := s.Len(), 14; got != want {
		t.Fatalf("small schedule has %d slots, want %d", got, want)
	}
}

// replayWindows returns two replay-mode windows of s for the consumer
// tests: the week from 2003-06-16, and a month across New Year
// that straddles the end of the schedule, looping and skipping gaps.
func replayWindows(t testing.TB, s *schedule.Schedule) (week, newYear *schedule.Schedule) {
	t.Helper()
	jnb := s.Location()
	var err error
	week, err = s.Replay(schedule.ReplayOptions{
		From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23},
		Now: time.Date(2026, 11, 26, 20, 0, 0, 0, jnb), PastDays: 1, Days: 7,
	})
	if err != nil {
		t.Fatal(err)
	}
	newYear, err = s.Replay(schedule.ReplayOptions{
		From: schedule.Date{Year: 2016, Month: 2, Day: 29}, Start: schedule.Date{Year: 2026, Month: 12, Day: 14},
		Now: time.Date(2026, 12, 30, 20, 0, 0, 0, jnb), PastDays: 14, Days: 31, Loop: true, SkipGaps: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if week.Len() != 7 || newYear.Len() < 30 {
		t.Fatalf("replay windows hold %d and %d airings", week.Len(), newYear.Len())
	}
	return week, newYear
}
