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

	"github.com/backstage-epg/backstage/schedule"
)

// icalZones are the zones the synthetic schedules cycle through: with and
// without daylight saving, and UTC.
var icalZones = []string{"Africa/Johannesburg", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC"}

// icalSyntheticRuns returns one run per channel, every half hour from
// 1 January 2020 in zones taken in turn from icalZones.
func icalSyntheticRuns(t testing.TB, channels, perChannel int) []*schedule.Run {
	t.Helper()
	show := &schedule.Show{ID: "synthetic", Title: "Synthetic", Genres: []string{"Test"},
		Synopsis: "A made-up show that airs every half hour on a hundred channels, to see how the encoders scale."}
	runs := make([]*schedule.Run, channels)
	for i := range runs {
		id := fmt.Sprintf("ch%03d.example", i)
		runs[i] = &schedule.Run{
			Name: fmt.Sprintf("run%03d", i), Show: show, Channel: &schedule.Channel{ID: id, Name: strings.ToUpper(id)},
			Rule: "0,30 * * * *", Location: icalLoc(t, icalZones[i%len(icalZones)]),
			First: schedule.Date{Year: 2020, Month: 1, Day: 1}, Length: 30 * time.Minute,
			FirstEpisode: 1, Count: perChannel,
		}
	}
	return runs
}

// icalSyntheticSlots yields slots like those of runs, without holding
// them: perChannel half hours on each channel from 1 January 2020 00:00
// UTC, in order of start. (The schedule's runs start at local midnight
// and skip the half hours clocks jump over; the shape is the same.)
func icalSyntheticSlots(runs []*schedule.Run, perChannel int) iter.Seq[schedule.Slot] {
	return func(yield func(schedule.Slot) bool) {
		base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for k := range perChannel {
			for _, r := range runs {
				// Half hours are the same instants in every zone here.
				st := base.Add(time.Duration(k) * 30 * time.Minute).In(r.Location)
				if !yield(schedule.Slot{Run: r, Episode: k + 1, Start: st, End: st.Add(r.Length)}) {
					return
				}
			}
		}
	}
}

func icalProcStatus(t testing.TB, field string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// icalResetPeak sets the peak resident size (VmHWM) to the current one
// by writing 5 to /proc/self/clear_refs, and returns the current one.
func icalResetPeak(t testing.TB) int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak resident size: %v", err)
	}
	return icalProcStatus(t, "VmRSS")
}

// TestICalMillion exports a million airings on 100 channels in five
// zones to a counting writer and reports the time and the peak resident
// memory. It takes a while and, for the schedule, much memory, so it
// runs only with BACKSTAGE_ICAL_MILLION=1 (and on Linux, for /proc):
//
//	BACKSTAGE_ICAL_MILLION=1 go test ./feeds -run ICalMillion -v
//
// It measures twice. First the encoder alone, fed slots made on the fly:
// the process's whole peak is then the encoder's. Then through the
// public API, from a schedule.Schedule of a million slots, which on its
// own holds about 150 MB: there it reports what encoding adds.
func TestICalMillion(t *testing.T) {
	if os.Getenv("BACKSTAGE_ICAL_MILLION") != "1" {
		t.Skip("set BACKSTAGE_ICAL_MILLION=1 to run")
	}
	const channels, per = 100, 10_000
	runs := icalSyntheticRuns(t, channels, per)
	measure := func(name string, encode func(e *ICalEncoder) error) {
		base := icalResetPeak(t)
		var n icalCountWriter
		start := time.Now()
		e := NewICalEncoder(&n)
		if err := encode(e); err != nil {
			t.Fatal(err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		peak := icalProcStatus(t, "VmHWM")
		t.Logf("%s: %v, %d MB written; resident %d MB before, peak %d MB (+%d MB)",
			name, took.Round(time.Millisecond), n>>20, base>>20, peak>>20, (peak-base)>>20)
		if took > 10*time.Second {
			t.Errorf("%s: took %v, budget 10s", name, took)
		}
		if peak-base > 64<<20 {
			t.Errorf("%s: encoding added %d MB to the peak resident size, budget 64 MB", name, (peak-base)>>20)
		}
	}

	measure("1M airings streamed", func(e *ICalEncoder) error {
		return e.encode(icalSource{name: "synthetic", loc: time.UTC}, icalSyntheticSlots(runs, per))
	})
	if peak := icalProcStatus(t, "VmHWM"); peak > 64<<20 {
		t.Errorf("streaming 1M airings: the process peaked at %d MB, budget 64 MB", peak>>20)
	}

	s, err := schedule.New(schedule.Plan{Name: "synthetic", Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != channels*per {
		t.Fatalf("synthetic schedule has %d slots, want %d", s.Len(), channels*per)
	}
	measure("1M airings from a Schedule", func(e *ICalEncoder) error { return e.Encode(s, schedule.Query{}) })
	runtime.KeepAlive(s)

}

// BenchmarkICalMillion streams a million airings on 100 channels in five
// zones, made on the fly, through the encoder to a counting writer. It
// runs only when asked for (-bench ICalMillion): one op takes seconds.
func BenchmarkICalMillion(b *testing.B) {
	const channels, per = 100, 10_000
	runs := icalSyntheticRuns(b, channels, per)
	b.ReportAllocs()
	var n icalCountWriter
	for b.Loop() {
		e := NewICalEncoder(&n)
		if err := e.encode(icalSource{name: "synthetic", loc: time.UTC}, icalSyntheticSlots(runs, per)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/float64(b.N)/(1<<20), "MB/export")
}
