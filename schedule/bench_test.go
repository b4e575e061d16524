package schedule_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

func BenchmarkBuildDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := schedfile.Parse("default", schedfile.DefaultFile()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOn(b *testing.B) {
	s := testkit.Default(b)
	d := date("2003-06-16")
	b.ReportAllocs()
	for b.Loop() {
		if len(s.On(d)) != 1 {
			b.Fatal("want one slot")
		}
	}
}

func BenchmarkAt(b *testing.B) {
	s := testkit.Default(b)
	t := time.Date(2003, 6, 16, 18, 45, 0, 0, s.Location())
	b.ReportAllocs()
	for b.Loop() {
		if len(s.At(t)) != 1 {
			b.Fatal("want one slot")
		}
	}
}

func BenchmarkEpisode(b *testing.B) {
	s := testkit.Default(b)
	b.ReportAllocs()
	for b.Loop() {
		if len(s.Episode(1000)) != 2 {
			b.Fatal("want two airings")
		}
	}
}

// largePlan is 100 channels × 30 years of weekday slots: about 780,000.
func largePlan(tb testing.TB) schedule.Plan {
	loc := testkit.Location(tb, "Africa/Johannesburg")
	show := &schedule.Show{ID: "s", Title: "Show"}
	var runs []*schedule.Run
	for c := range 100 {
		runs = append(runs, &schedule.Run{
			Name: fmt.Sprintf("run%d", c), Show: show,
			Channel: &schedule.Channel{ID: fmt.Sprintf("ch%d.example", c), Name: fmt.Sprintf("Channel %d", c)},
			Rule:    fmt.Sprintf("%d %d * * 1-5", c%60, 6+c%12), Location: loc,
			First: date("1990-01-01"), Last: date("2019-12-31"), Length: 30 * time.Minute, FirstEpisode: 1,
		})
	}
	return schedule.Plan{Location: loc, Runs: runs}
}

func BenchmarkBuildLarge(b *testing.B) {
	if testing.Short() {
		b.Skip("builds 780k slots")
	}
	p := largePlan(b)
	b.ReportAllocs()
	var s *schedule.Schedule
	for b.Loop() {
		var err error
		if s, err = schedule.New(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Len()), "slots")
	// What a built schedule keeps per slot, measured once outside the loop.
	s = nil
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, _ = schedule.New(p)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(s.Len()), "retained-B/slot")
	runtime.KeepAlive(s)
}

// BenchmarkLargeDay iterates one day of the large schedule; its cost is
// that of a binary search plus the day's 100 slots, not of the 780k.
func BenchmarkLargeDay(b *testing.B) {
	if testing.Short() {
		b.Skip("builds 780k slots")
	}
	s, err := schedule.New(largePlan(b))
	if err != nil {
		b.Fatal(err)
	}
	q := s.Day(date("2005-06-15"))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for range s.Slots(q) {
			n++
		}
		if n != 100 {
			b.Fatalf("got %d slots, want 100", n)
		}
	}
}
