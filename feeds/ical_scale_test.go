package feeds

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

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
// own holds about 44 MB: there it reports what encoding adds.
func TestICalMillion(t *testing.T) {
	if os.Getenv("BACKSTAGE_ICAL_MILLION") != "1" {
		t.Skip("set BACKSTAGE_ICAL_MILLION=1 to run")
	}
	const channels, per = 100, 10_000
	runs := syntheticRuns(t, channels, per)
	measure := func(name string, encode func(e *ICalEncoder) error) {
		base := resetPeakRSS(t)
		var n countWriter
		start := time.Now()
		e := NewICalEncoder(&n)
		if err := encode(e); err != nil {
			t.Fatal(err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		peak := peakRSS(t)
		t.Logf("%s: %v, %d MB written; resident %d MB before, peak %d MB (+%d MB)",
			name, took.Round(time.Millisecond), n>>20, base>>20, peak>>20, (peak-base)>>20)
		// The time budget (10 s) is reported, not asserted: a loaded machine
		// must not fail the test. Memory is deterministic enough to assert.
		if peak > 64<<20 {
			t.Errorf("%s: the process peaked at %d MB resident, budget 64 MB", name, peak>>20)
		}
	}

	measure("1M airings streamed", func(e *ICalEncoder) error {
		return e.encode(icalSource{name: "synthetic", loc: time.UTC}, syntheticSlots(runs, per))
	})
	if peak := peakRSS(t); peak > 64<<20 {
		t.Errorf("streaming 1M airings: the process peaked at %d MB, budget 64 MB", peak>>20)
	}

	s := syntheticSchedule(t, runs, channels*per)
	measure("1M airings from a Schedule", func(e *ICalEncoder) error { return e.Encode(s, schedule.Query{}) })
	runtime.KeepAlive(s)
}

// BenchmarkICalMillion streams a million airings on 100 channels in five
// zones, made on the fly, through the encoder to a counting writer. It
// runs only when asked for (-bench ICalMillion): one op takes seconds.
func BenchmarkICalMillion(b *testing.B) {
	const channels, per = 100, 10_000
	runs := syntheticRuns(b, channels, per)
	b.ReportAllocs()
	var n countWriter
	for b.Loop() {
		e := NewICalEncoder(&n)
		if err := e.encode(icalSource{name: "synthetic", loc: time.UTC}, syntheticSlots(runs, per)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/float64(b.N)/(1<<20), "MB/export")
}
