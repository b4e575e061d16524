package feeds

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// Real consumers read the calendars back: python3-icalendar (Debian's
// package, run with /usr/bin/python3, with python3-dateutil to expand
// rules) and ical.js (npm, pinned in .ci/package-lock.json), each through
// a small script in testdata that prints every airing it finds. Outside
// CI a missing consumer skips its test; in CI it fails it. The tests and
// their feeds run in parallel, beside the XMLTV consumers: go test runs
// at most -parallel (GOMAXPROCS) of them at once.

// icalConsumerFeed is one calendar the consumer tests export.
type icalConsumerFeed struct {
	name   string
	s      *schedule.Schedule
	q      schedule.Query
	o      icalOpts
	events int // VEVENTs expected
}

func icalConsumerFeeds(t *testing.T) []icalConsumerFeed {
	def := testkit.Default(t)
	year := def.Dates(schedule.Date{Year: 2003, Month: 1, Day: 1}, schedule.Date{Year: 2003, Month: 12, Day: 31})
	cut := def.Dates(schedule.Date{Year: 2007, Month: 6, Day: 1}, schedule.Date{Year: 2009, Month: 1, Day: 31})
	dst := icalDSTSchedule(t)
	rep, newYear := replayWindows(t, def)
	return []icalConsumerFeed{
		{"replay", rep, schedule.Query{}, icalOpts{}, rep.Len()},
		{"replay across New Year, looping", newYear, schedule.Query{}, icalOpts{}, newYear.Len()},
		{"full history", def, schedule.Query{}, icalOpts{}, def.Len()},
		{"one year", def, year, icalOpts{}, def.Count(year)},
		{"compact", def, schedule.Query{}, icalOpts{compact: true}, 2},
		{"compact window", def, cut, icalOpts{compact: true}, 2},
		{"all-day", def, schedule.Query{}, icalOpts{allDay: true}, def.Len()},
		{"compact all-day", def, schedule.Query{}, icalOpts{compact: true, allDay: true}, 2},
		{"small", smallSchedule(t), schedule.Query{}, icalOpts{}, smallSchedule(t).Len()},
		// Published: URL, SOURCE and IMAGE too.
		{"small, published", smallSchedule(t), schedule.Query{}, icalOpts{base: testBaseURL}, smallSchedule(t).Len()},
		{"compact, published", def, schedule.Query{}, icalOpts{compact: true, base: testBaseURL}, 2},
		{"dst", dst, schedule.Query{}, icalOpts{}, dst.Len()},
		// The London run's 01:30 falls in a gap once and happens twice
		// once: its airings are events of their own.
		{"dst compact", dst, schedule.Query{}, icalOpts{compact: true}, 3 + dst.Count(schedule.Query{Run: "london"})},
		// The rule runs to the end of the last day, past its last airing
		// (a morning one), and excludes that evening with an EXDATE.
		{"compact, ending in the morning", icalMorningEnd(t), schedule.Query{}, icalOpts{compact: true}, 1},
	}
}

// icalConsumerResult is what the scripts print.
type icalConsumerResult struct {
	Events   int                  `json:"events"`
	Starts   []string             `json:"starts"`
	Ends     []string             `json:"ends"`
	Calendar icalConsumerCalendar `json:"calendar"`
}

// icalConsumerCalendar is what a consumer reads of the calendar's RFC
// 7986 properties (and Apple's colour).
type icalConsumerCalendar struct {
	Color      string   `json:"color"`
	AppleColor string   `json:"apple_color"`
	URL        string   `json:"url"`
	Source     string   `json:"source"`
	Images     []string `json:"images"`
}

// icalConsume exports each feed, runs the consumer on it and checks the
// airings it reports against the schedule's.
func icalConsume(t *testing.T, command func(file string) *exec.Cmd) {
	for _, f := range icalConsumerFeeds(t) {
		t.Run(f.name, func(t *testing.T) {
			if f.events > 1000 {
				// The other feeds have every shape these have.
				testkit.SkipUnlessFull(t, "the parsers take seconds on a feed of the whole history")
			}
			t.Parallel()
			file := filepath.Join(t.TempDir(), "feed.ics")
			if err := os.WriteFile(file, icalEncode(t, f.s, f.q, f.o), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := command(file)
			out, err := cmd.Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("%s: %v\n%s", cmd, err, stderr)
			}
			var got icalConsumerResult
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("reading %s's output: %v", cmd.Path, err)
			}
			if got.Events != f.events {
				t.Errorf("got %d events, want %d", got.Events, f.events)
			}
			wantS, wantE := icalWant(f.s.Slots(f.q), f.o.allDay)
			icalDiff(t, "starts", got.Starts, wantS)
			icalDiff(t, "ends", got.Ends, wantE)
			want := icalConsumerCalendar{Color: ICalColor, AppleColor: icalAppleColor, Images: []string{}}
			if f.o.base != "" {
				want.URL, want.Source = f.o.base+"/", f.o.base+"/calendar.ics"
				for _, sh := range f.s.Shows() {
					if u := ResolveURL(f.o.base, sh.Image); u != "" {
						want.Images = append(want.Images, u)
					}
				}
			}
			if got.Calendar.Images == nil {
				got.Calendar.Images = []string{}
			}
			if !reflect.DeepEqual(got.Calendar, want) {
				t.Errorf("calendar properties: got %+v, want %+v", got.Calendar, want)
			}
			if len(got.Starts) > 0 && len(wantS) > 0 {
				t.Logf("%d airings, first %s, last %s", len(got.Starts), got.Starts[0], got.Starts[len(got.Starts)-1])
			}
		})
	}
}

func TestICalPythonIcalendar(t *testing.T) {
	t.Parallel()
	py := testkit.Tool(t, "/usr/bin/python3")
	if out, err := exec.Command(py, "-c", "import icalendar, dateutil").CombinedOutput(); err != nil {
		testkit.Missing(t, "python3-icalendar (Debian package)", fmt.Errorf("%v: %s", err, out))
	}
	script, err := filepath.Abs(filepath.Join("testdata", "ical_check.py"))
	if err != nil {
		t.Fatal(err)
	}
	icalConsume(t, func(file string) *exec.Cmd { return exec.Command(py, script, file) })
}

func TestICalJS(t *testing.T) {
	t.Parallel()
	node := testkit.Tool(t, "node")
	module, err := filepath.Abs(filepath.Join("..", ".ci", "node_modules", "ical.js", "dist", "ical.js"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(module); err != nil {
		testkit.Missing(t, "ical.js (cd .ci && npm ci)", err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "icaljs_check.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	icalConsume(t, func(file string) *exec.Cmd { return exec.Command(node, script, module, file) })
}
