package feeds

import (
	"compress/gzip"
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// BenchmarkXMLTVFullHistory encodes the default Backstage schedule: 3750
// programmes.
func BenchmarkXMLTVFullHistory(b *testing.B) {
	s := testkit.Default(b)
	var n countWriter
	xmltvEncodeTo(b, &n, s, schedule.Query{}, false)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		e := NewXMLTVEncoder(io.Discard)
		if err := e.Encode(s, schedule.Query{}); err != nil {
			b.Fatal(err)
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "B/guide")
}

// BenchmarkXMLTVGzip encodes the default schedule through gzip at three
// levels and reports the compressed size; the level gzip output is made
// at (internal/gzpool's) is chosen from it.
func BenchmarkXMLTVGzip(b *testing.B) {
	s := testkit.Default(b)
	for _, level := range []struct {
		name  string
		level int
	}{
		{"BestSpeed", gzip.BestSpeed},
		{"DefaultCompression", gzip.DefaultCompression},
		{"BestCompression", gzip.BestCompression},
	} {
		b.Run(level.name, func(b *testing.B) {
			var n countWriter
			zw, err := gzip.NewWriterLevel(&n, level.level)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				n = 0
				zw.Reset(&n)
				e := NewXMLTVEncoder(zw)
				if err := e.Encode(s, schedule.Query{}); err != nil {
					b.Fatal(err)
				}
				if err := e.Close(); err != nil {
					b.Fatal(err)
				}
				if err := zw.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "gz-B/guide")
		})
	}
}

// TestXMLTVMillion streams a million programmes on 100 channels to a
// counting writer and measures the time and the peak resident memory that
// encoding adds. It takes a while and much memory to build the schedule,
// so it runs only with BACKSTAGE_XMLTV_MILLION=1 (and on Linux, for
// /proc/self):
//
//	BACKSTAGE_XMLTV_MILLION=1 go test ./feeds -run XMLTVMillion -v
func TestXMLTVMillion(t *testing.T) {
	if os.Getenv("BACKSTAGE_XMLTV_MILLION") != "1" {
		t.Skip("set BACKSTAGE_XMLTV_MILLION=1 to run")
	}
	s := syntheticSchedule(t, syntheticRuns(t, 100, 10_000), 1_000_000)
	// The peak read after encoding is then the encoder's.
	base := resetPeakRSS(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	var n countWriter
	start := time.Now()
	e := NewXMLTVEncoder(&n)
	if err := e.Encode(s, schedule.Query{}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	peak := peakRSS(t)

	t.Logf("1M programmes on 100 channels: %v, %d MB written", took.Round(time.Millisecond), n>>20)
	t.Logf("resident: %d MB before encoding (the schedule), peak %d MB while encoding: +%d MB",
		base>>20, peak>>20, (peak-base)>>20)
	t.Logf("encoder heap: %d allocations, %d KB in all", after.Mallocs-before.Mallocs, (after.TotalAlloc-before.TotalAlloc)>>10)
	// The time budget (10 s) is reported, not asserted: a loaded machine
	// must not fail the test. Memory is deterministic enough to assert.
	if peak > 64<<20 {
		t.Errorf("the process peaked at %d MB resident, budget 64 MB", peak>>20)
	}
}

// BenchmarkXMLTVEmptyDays encodes the default schedule's whole history
// with MarkEmptyDays: its weekends and the years between the runs are
// about 3,000 days with no airing, each with a marker.
func BenchmarkXMLTVEmptyDays(b *testing.B) {
	s := testkit.Default(b)
	q := s.Dates(schedule.Date{Year: 2000, Month: time.May, Day: 1}, schedule.Date{Year: 2016, Month: time.March, Day: 11})
	b.ReportAllocs()
	for b.Loop() {
		e := NewXMLTVEncoder(io.Discard)
		e.MarkEmptyDays = true
		if err := e.Encode(s, q); err != nil {
			b.Fatal(err)
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
