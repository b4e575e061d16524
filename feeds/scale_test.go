package feeds

import (
	"bufio"
	"fmt"
	"iter"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// syntheticZones are the zones the synthetic runs cycle through: with
// daylight saving in each hemisphere's sense, without it, and UTC (which
// the iCalendar encoder writes without a VTIMEZONE).
var syntheticZones = []string{"Africa/Johannesburg", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC"}

// syntheticRuns returns the runs of a large made-up schedule: one run a
// channel, a slot every half hour, in zones taken in turn from
// syntheticZones. The first half of the runs show perChannel new
// episodes of one of ten shows each from 3 January 2000; the second half
// replay them, run i+channels/2 replaying run i in its zone from 4
// January 2010, so half the slots are repeats. The schedule of the runs
// holds channels*perChannel slots for an even number of channels.
func syntheticRuns(t testing.TB, channels, perChannel int) []*schedule.Run {
	t.Helper()
	zones := make([]*time.Location, len(syntheticZones))
	for i, name := range syntheticZones {
		zones[i] = testkit.Location(t, name)
	}
	var shows []*schedule.Show
	for i := range 10 {
		shows = append(shows, &schedule.Show{
			ID: fmt.Sprint("show", i), Title: fmt.Sprint("Show ", i),
			Synopsis: strings.Repeat(fmt.Sprintf("Show %d is about people & places. ", i), 8),
			Genres:   []string{"Soap opera", "Drama"}, Country: "ZA", Language: "en",
			Credits: schedule.Credits{
				Creators: []string{"A Creator"}, Actors: []string{"One Actor", "Two Actor", "Three Actor"},
				Writers: []string{"A Writer"}, Producers: []string{"A Producer"},
			},
		})
	}
	var runs []*schedule.Run
	for i := range channels {
		r := &schedule.Run{
			Name:     fmt.Sprint("run", i),
			Show:     shows[i%len(shows)],
			Channel:  &schedule.Channel{ID: fmt.Sprintf("ch%03d.example.za", i), Name: fmt.Sprint("Channel ", i)},
			Rule:     "*/30 * * * *",
			Location: zones[i%len(zones)],
			First:    schedule.Date{Year: 2000, Month: 1, Day: 3},
			Length:   30 * time.Minute,
		}
		if i < channels/2 {
			r.FirstEpisode, r.Count = 1, perChannel
		} else {
			r.Replays, r.ReplayFrom, r.Location = fmt.Sprint("run", i-channels/2), 1, runs[i-channels/2].Location
			r.First = schedule.Date{Year: 2010, Month: 1, Day: 4}
		}
		runs = append(runs, r)
	}
	return runs
}

// syntheticSchedule returns the schedule of runs and fails the test
// unless it holds want slots.
func syntheticSchedule(t testing.TB, runs []*schedule.Run, want int) *schedule.Schedule {
	t.Helper()
	s, err := schedule.New(schedule.Plan{Name: "synthetic", Source: "test", Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != want {
		t.Fatalf("synthetic schedule has %d slots, want %d", s.Len(), want)
	}
	return s
}

// syntheticSlots yields slots like those of the schedule of runs (from
// syntheticRuns with the same perChannel) without holding them, in order
// of start: perChannel half hours on each channel from its run's first
// day at 00:00 UTC, the originals' and then the replays', each replay
// saying when its episode first aired. (The schedule's runs start at
// local midnight and skip the half hours clocks jump over; the shape is
// the same.)
func syntheticSlots(runs []*schedule.Run, perChannel int) iter.Seq[schedule.Slot] {
	halfHour := func(d schedule.Date, k int) time.Time {
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * 30 * time.Minute)
	}
	return func(yield func(schedule.Slot) bool) {
		originals, replays := runs[:len(runs)/2], runs[len(runs)/2:]
		for _, group := range [][]*schedule.Run{originals, replays} {
			for k := range perChannel {
				for i, r := range group {
					// Half hours are the same instants in every zone here.
					st := halfHour(r.First, k).In(r.Location)
					sl := schedule.Slot{Run: r, Episode: k + 1, Start: st, End: st.Add(r.Length)}
					if r.Replays != "" {
						sl.FirstAired = halfHour(originals[i].First, k).In(r.Location)
					}
					if !yield(sl) {
						return
					}
				}
			}
		}
	}
}

// resetPeakRSS sets the peak resident size (VmHWM) to the current one by
// writing 5 to /proc/self/clear_refs, after a garbage collection that
// returns what it can to the system, and returns the current resident
// size in bytes. It skips the test where /proc cannot do this (outside
// Linux).
func resetPeakRSS(t testing.TB) int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak resident size: %v", err)
	}
	return procStatus(t, "VmRSS")
}

// peakRSS returns the peak resident size (VmHWM) in bytes: the most the
// process has held since it started or since resetPeakRSS.
func peakRSS(t testing.TB) int64 {
	t.Helper()
	return procStatus(t, "VmHWM")
}

// procStatus returns a size field of /proc/self/status in bytes.
func procStatus(t testing.TB, field string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", field, err)
		}
		return kb << 10
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}
