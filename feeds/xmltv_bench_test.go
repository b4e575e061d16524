package feeds

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

// xmltvCounter counts the bytes written to it.
type xmltvCounter int64

func (c *xmltvCounter) Write(p []byte) (int, error) {
	*c += xmltvCounter(len(p))
	return len(p), nil
}

// BenchmarkXMLTVFullHistory encodes the default Backstage schedule: 3750
// programmes.
func BenchmarkXMLTVFullHistory(b *testing.B) {
	s := xmltvDefault(b)
	var n xmltvCounter
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
// levels and reports the compressed size; GzipLevel is chosen from it.
func BenchmarkXMLTVGzip(b *testing.B) {
	s := xmltvDefault(b)
	for _, level := range []struct {
		name  string
		level int
	}{
		{"BestSpeed", gzip.BestSpeed},
		{"DefaultCompression", gzip.DefaultCompression},
		{"BestCompression", gzip.BestCompression},
	} {
		b.Run(level.name, func(b *testing.B) {
			var n xmltvCounter
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

// xmltvSynthetic builds a schedule of channels channels with perChannel
// half-hour slots each, in three zones (one with daylight saving): the
// first half of the channels show new episodes of ten shows, the second
// half replay them, so half the programmes are repeats.
func xmltvSynthetic(t testing.TB, channels, perChannel int) *schedule.Schedule {
	t.Helper()
	var zones []*time.Location
	for _, name := range []string{"Africa/Johannesburg", "Europe/London", "America/New_York"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, loc)
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
	s, err := schedule.New(schedule.Plan{Name: "synthetic", Source: "test", Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestXMLTVMillion streams a million programmes on 100 channels to
// io.Discard and measures the time and the peak resident memory that
// encoding adds. It takes a while and much memory to build the schedule,
// so it runs only with BACKSTAGE_XMLTV_MILLION=1 (and on Linux, for
// /proc/self):
//
//	BACKSTAGE_XMLTV_MILLION=1 go test ./feeds -run XMLTVMillion -v
func TestXMLTVMillion(t *testing.T) {
	if os.Getenv("BACKSTAGE_XMLTV_MILLION") != "1" {
		t.Skip("set BACKSTAGE_XMLTV_MILLION=1 to run")
	}
	s := xmltvSynthetic(t, 100, 10_000)
	if s.Len() != 1_000_000 {
		t.Fatalf("synthetic schedule has %d slots, want 1000000", s.Len())
	}
	runtime.GC()
	debug.FreeOSMemory()
	// Writing 5 to clear_refs resets the peak (VmHWM) to the current
	// resident size, so the peak read afterwards is the encoder's.
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak resident size: %v", err)
	}
	base := xmltvProcStatus(t, "VmRSS")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	var n xmltvCounter
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
	peak := xmltvProcStatus(t, "VmHWM")

	t.Logf("1M programmes on 100 channels: %v, %d MB written", took.Round(time.Millisecond), n>>20)
	t.Logf("resident: %d MB before encoding (the schedule), peak %d MB while encoding: +%d MB",
		base>>20, peak>>20, (peak-base)>>20)
	t.Logf("encoder heap: %d allocations, %d KB in all", after.Mallocs-before.Mallocs, (after.TotalAlloc-before.TotalAlloc)>>10)
	if took > 10*time.Second {
		t.Errorf("took %v, budget 10s", took)
	}
	if peak-base > 64<<20 {
		t.Errorf("encoding added %d MB to the peak resident size, budget 64 MB", (peak-base)>>20)
	}
}

// xmltvProcStatus returns a size field of /proc/self/status in bytes.
func xmltvProcStatus(t *testing.T, field string) int64 {
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
