package schedule_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

func date(s string) schedule.Date {
	d, err := schedule.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestFacts checks the default schedule against the sourced facts and the
// documented assumptions.
func TestFacts(t *testing.T) {
	s := testkit.Default(t)
	jnb := testkit.Location(t, "Africa/Johannesburg")
	at := func(v string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", v, jnb)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	stats := map[string]schedule.Stats{}
	for _, st := range s.Stats() {
		stats[st.Run.Name] = st
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"original slots", stats["original"].Slots, 1875},
		{"rebroadcast slots", stats["rebroadcast"].Slots, 1875},
		{"episode 1 first airs", stats["original"].First.Start, at("2000-05-01 18:30")},
		{"original's first episode", stats["original"].First.Episode, 1},
		{"episode 1875 first airs", stats["original"].Last.Start, at("2007-07-06 18:30")},
		{"original's last episode", stats["original"].Last.Episode, 1875},
		{"rebroadcast starts", stats["rebroadcast"].First.Start, at("2009-01-05 16:40")},
		{"rebroadcast's first episode", stats["rebroadcast"].First.Episode, 1},
		{"rebroadcast ends", stats["rebroadcast"].Last.Start, at("2016-03-11 16:40")},
		{"rebroadcast's last episode", stats["rebroadcast"].Last.Episode, 1875},
		{"offset", stats["original"].First.Start.Format("-07:00"), "+02:00"},
		{"channel", s.Channels()[0].ID + " " + s.Channels()[0].Name, "etv.co.za e.tv"},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	gapFrom, gapTo := date("2007-07-07").In(jnb), date("2009-01-05").In(jnb)
	for sl := range s.Slots(schedule.Query{}) {
		if wd := sl.Start.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("slot on a %s: %v", wd, sl.Start)
		}
		if d := sl.End.Sub(sl.Start); d != 30*time.Minute {
			t.Errorf("slot at %v lasts %v, want 30m", sl.Start, d)
		}
		if !sl.Start.Before(gapFrom) && sl.Start.Before(gapTo) {
			t.Errorf("slot in the 2007-2009 gap: %v", sl.Start)
		}
		if sl.Start.Location().String() != jnb.String() {
			t.Errorf("slot at %v is in %v, want the run's zone", sl.Start, sl.Start.Location())
		}
	}
}

// TestOracle checks the episode on every date of both runs against plain
// weekday counting, independent of cron and of the engine.
func TestOracle(t *testing.T) {
	s := testkit.Default(t)
	weekdays := func(from, to schedule.Date) int { // weekdays in [from, to)
		n := 0
		for d := from; d.Before(to); d = d.AddDays(1) {
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				n++
			}
		}
		return n
	}
	runs := []struct {
		first, last schedule.Date
		hour, min   int
		run         string
	}{
		{date("2000-05-01"), date("2007-07-06"), 18, 30, "original"},
		{date("2009-01-05"), date("2016-03-11"), 16, 40, "rebroadcast"},
	}
	for _, r := range runs {
		ep := 0
		for d := r.first.AddDays(-3); !d.After(r.last.AddDays(3)); d = d.AddDays(1) {
			on := s.On(d)
			var got []schedule.Slot
			for _, sl := range on {
				if sl.Run.Name == r.run {
					got = append(got, sl)
				}
			}
			weekday := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
			if d.Before(r.first) || d.After(r.last) || !weekday {
				if len(got) != 0 {
					t.Fatalf("%s %s: got %d slots, want none", r.run, d, len(got))
				}
				continue
			}
			ep = weekdays(r.first, d) + 1
			if len(got) != 1 || got[0].Episode != ep || got[0].Start.Hour() != r.hour || got[0].Start.Minute() != r.min {
				t.Fatalf("%s %s: got %v, want episode %d at %02d:%02d", r.run, d, got, ep, r.hour, r.min)
			}
			if r.run == "rebroadcast" {
				first := s.Episode(ep)[0]
				if !got[0].FirstAired.Equal(first.Start) || first.Run.Name != "original" {
					t.Fatalf("%s %s: first aired %v, want %v", r.run, d, got[0].FirstAired, first.Start)
				}
			}
		}
		if ep != 1875 {
			t.Errorf("%s: oracle counted %d episodes, want 1875", r.run, ep)
		}
	}
}

func TestQueries(t *testing.T) {
	s := testkit.Default(t)
	jnb := s.Location()
	tests := []struct {
		name string
		got  []schedule.Slot
		want string // "run:episode@start" joined by spaces
	}{
		{"a weekday", s.On(date("2003-06-16")), "original:816@2003-06-16T18:30"},
		{"a Saturday", s.On(date("2003-06-21")), ""},
		{"first day", s.On(date("2000-05-01")), "original:1@2000-05-01T18:30"},
		{"last original day", s.On(date("2007-07-06")), "original:1875@2007-07-06T18:30"},
		{"in the gap", s.On(date("2008-06-16")), ""},
		{"rerun premiere", s.On(date("2009-01-05")), "rebroadcast:1@2009-01-05T16:40"},
		{"New Year's Eve 2003", s.On(date("2003-12-31")), "original:958@2003-12-31T18:30"},
		{"New Year's Day 2004", s.On(date("2004-01-01")), "original:959@2004-01-01T18:30"},
		{"before everything", s.On(date("1999-12-31")), ""},
		{"after everything", s.On(date("2030-01-01")), ""},
		{"on air", s.At(time.Date(2003, 6, 16, 18, 45, 0, 0, jnb)), "original:816@2003-06-16T18:30"},
		{"at the start", s.At(time.Date(2003, 6, 16, 18, 30, 0, 0, jnb)), "original:816@2003-06-16T18:30"},
		{"at the end", s.At(time.Date(2003, 6, 16, 19, 0, 0, 0, jnb)), ""},
		{"between slots", s.At(time.Date(2003, 6, 16, 12, 0, 0, 0, jnb)), ""},
		{"UTC instant", s.At(time.Date(2003, 6, 16, 16, 45, 0, 0, time.UTC)), "original:816@2003-06-16T18:30"},
		{"episode 1000", s.Episode(1000), "original:1000@2004-02-27T18:30 rebroadcast:1000@2012-11-02T16:40"},
		{"episode 1", s.Episode(1), "original:1@2000-05-01T18:30 rebroadcast:1@2009-01-05T16:40"},
		{"no episode 0", s.Episode(0), ""},
		{"no episode 1876", s.Episode(1876), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(tt.got); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := s.LastEpisode(); got != 1875 {
		t.Errorf("LastEpisode() = %d, want 1875", got)
	}
}

func summary(slots []schedule.Slot) string {
	var parts []string
	for _, s := range slots {
		parts = append(parts, fmt.Sprintf("%s:%d@%s", s.Run.Name, s.Episode, s.Start.Format("2006-01-02T15:04")))
	}
	return strings.Join(parts, " ")
}

func TestSlotsWindow(t *testing.T) {
	s := testkit.Default(t)
	tests := []struct {
		name     string
		from, to string
		run      string
		episode  int
		want     int
	}{
		{"January 2009 reruns", "2009-01-01", "2009-01-31", "rebroadcast", 0, 20},
		{"January 2009, any run", "2009-01-01", "2009-01-31", "", 0, 20},
		{"the whole gap", "2007-07-07", "2009-01-04", "", 0, 0},
		{"across the gap", "2007-07-02", "2009-01-09", "", 0, 10},
		{"a year", "2003-01-01", "2003-12-31", "original", 0, 261},
		{"across New Year", "2003-12-29", "2004-01-02", "", 0, 5},
		{"everything", "", "", "", 0, 3750},
		{"one run", "", "", "original", 0, 1875},
		{"one episode", "", "", "", 816, 2},
		{"one episode, one run", "", "", "rebroadcast", 816, 1},
		{"one episode, a year", "2012-01-01", "2012-12-31", "", 816, 1},
		{"one episode, a year it did not air", "2005-01-01", "2005-12-31", "", 816, 0},
		{"an episode that never aired", "", "", "", 1876, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var from, to schedule.Date
			if tt.from != "" {
				from, to = date(tt.from), date(tt.to)
			}
			q, err := s.Query(schedule.Window{From: from, To: to, Run: tt.run, Episode: tt.episode})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			var prev time.Time
			for sl := range s.Slots(q) {
				if sl.Start.Before(prev) {
					t.Fatalf("slots out of order: %v after %v", sl.Start, prev)
				}
				prev = sl.Start
				if tt.episode != 0 && sl.Episode != tt.episode {
					t.Errorf("episode %d among the airings of episode %d", sl.Episode, tt.episode)
				}
				n++
			}
			if n != tt.want || s.Count(q) != tt.want {
				t.Errorf("got %d slots (Count %d), want %d", n, s.Count(q), tt.want)
			}
		})
	}
	// Stopping early must be honoured.
	n := 0
	for range s.Slots(schedule.Query{}) {
		n++
		if n == 3 {
			break
		}
	}
}

// plan is a small builder for engine tests: one show on one channel.
type plan struct {
	show    *schedule.Show
	channel *schedule.Channel
}

func newPlan() plan {
	return plan{
		show:    &schedule.Show{ID: "s", Title: "Show"},
		channel: &schedule.Channel{ID: "ch.example", Name: "Ch"},
	}
}

func (p plan) run(name, rule string, loc *time.Location, first, last string, length time.Duration) *schedule.Run {
	r := &schedule.Run{Name: name, Show: p.show, Channel: p.channel, Rule: rule, Location: loc,
		First: date(first), Length: length, FirstEpisode: 1}
	if last != "" {
		r.Last = date(last)
	}
	return r
}

func build(t *testing.T, runs ...*schedule.Run) *schedule.Schedule {
	t.Helper()
	s, err := schedule.New(schedule.Plan{Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExceptions(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	p := newPlan()
	r := p.run("r", "30 18 * * 1-5", jnb, "2003-12-29", "2004-01-09", 30*time.Minute)
	// New Year's Day and a Monday pre-empted: their episodes move on.
	r.Exceptions = []schedule.Date{date("2004-01-01"), date("2004-01-05")}
	s := build(t, r)
	want := "r:1@2003-12-29T18:30 r:2@2003-12-30T18:30 r:3@2003-12-31T18:30 r:4@2004-01-02T18:30 " +
		"r:5@2004-01-06T18:30 r:6@2004-01-07T18:30 r:7@2004-01-08T18:30 r:8@2004-01-09T18:30"
	var all []schedule.Slot
	for sl := range s.Slots(schedule.Query{}) {
		all = append(all, sl)
	}
	if got := summary(all); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestReplayEnds(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	p := newPlan()
	orig := p.run("o", "0 20 * * *", jnb, "2010-01-01", "2010-01-10", time.Hour)
	tests := []struct {
		name     string
		last     string
		from, to int
		want     string
	}{
		{"runs out of episodes", "", 1, 0, "1-10 on 2011-01-01..2011-01-10"},
		{"stops at its last date", "2011-01-04", 1, 0, "1-4 on 2011-01-01..2011-01-04"},
		{"episode range", "", 3, 5, "3-5 on 2011-01-01..2011-01-03"},
		{"range and a last date", "2011-01-02", 3, 9, "3-4 on 2011-01-01..2011-01-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re := p.run("re", "0 9 * * *", jnb, "2011-01-01", tt.last, time.Hour)
			re.Replays, re.ReplayFrom, re.ReplayTo = "o", tt.from, tt.to
			s := build(t, orig, re)
			st := s.Stats()[1]
			got := fmt.Sprintf("%d-%d on %s..%s", st.First.Episode, st.Last.Episode,
				schedule.DateOf(st.First.Start), schedule.DateOf(st.Last.Start))
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if want := time.Date(2010, 1, st.First.Episode, 20, 0, 0, 0, jnb); !st.First.FirstAired.Equal(want) {
				t.Errorf("first aired %v, want %v", st.First.FirstAired, want)
			}
		})
	}
}

func TestReplayOfReplay(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	p := newPlan()
	a := p.run("a", "0 20 * * *", jnb, "2010-01-01", "2010-01-03", time.Hour)
	b := p.run("b", "0 9 * * *", jnb, "2011-01-01", "", time.Hour)
	b.Replays, b.ReplayFrom = "a", 1
	c := p.run("c", "0 12 * * *", jnb, "2012-01-01", "", time.Hour)
	c.Replays, c.ReplayFrom = "b", 2
	// Given in reverse: the engine orders replays after their sources.
	s := build(t, c, b, a)
	got := s.Episode(2)
	if len(got) != 3 {
		t.Fatalf("episode 2 airs %d times, want 3", len(got))
	}
	for _, sl := range got[1:] {
		if !sl.FirstAired.Equal(got[0].Start) {
			t.Errorf("%s: first aired %v, want the original airing %v", sl.Run.Name, sl.FirstAired, got[0].Start)
		}
	}
}

// TestDaylightSaving pins cron's rules in a zone with daylight saving:
// a wall-clock time inside the spring-forward gap does not exist, so that
// day has no slot and its episode moves on; a time in the repeated hour
// airs once, at its first occurrence.
func TestDaylightSaving(t *testing.T) {
	lon := testkit.Location(t, "Europe/London")
	p := newPlan()
	// 2021-03-28: 01:00 GMT jumps to 02:00 BST. 2021-10-31: 02:00 BST falls back to 01:00 GMT.
	spring := build(t, p.run("r", "30 1 * * *", lon, "2021-03-27", "2021-03-29", 15*time.Minute))
	if got, want := summary(spring.Episode(2)), "r:2@2021-03-29T01:30"; got != want {
		t.Errorf("spring forward: episode 2 got %q, want %q (no 01:30 on 2021-03-28)", got, want)
	}
	if got := spring.On(date("2021-03-28")); len(got) != 0 {
		t.Errorf("spring forward: got %v on the gap day, want none", summary(got))
	}
	autumn := build(t, p.run("r", "30 1 * * *", lon, "2021-10-30", "2021-11-01", 15*time.Minute))
	day := autumn.On(date("2021-10-31"))
	if len(day) != 1 {
		t.Fatalf("fall back: got %d slots on 2021-10-31, want 1", len(day))
	}
	if got := day[0].Start.Format(time.RFC3339); got != "2021-10-31T01:30:00+01:00" {
		t.Errorf("fall back: slot at %s, want the first 01:30 (BST, +01:00)", got)
	}
	// Slots keep their wall-clock time across the change.
	for _, sl := range autumn.Episode(3) {
		if got := sl.Start.Format("15:04 -0700"); got != "01:30 +0000" {
			t.Errorf("after fall back: %s, want 01:30 +0000", got)
		}
	}
	// A rule with several times in the repeated hour airs each once, at its
	// first occurrence: 01:00, 01:20 and 01:40 BST, not again in GMT.
	several := build(t, p.run("r", "*/20 1 * * *", lon, "2021-10-31", "2021-10-31", 15*time.Minute))
	var got []string
	for _, sl := range several.On(date("2021-10-31")) {
		got = append(got, sl.Start.Format("15:04 MST"))
	}
	if want := "01:00 BST, 01:20 BST, 01:40 BST"; strings.Join(got, ", ") != want {
		t.Errorf("fall back, three times in the repeated hour: got %s, want %s", strings.Join(got, ", "), want)
	}
}

func TestCrossingMidnight(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	p := newPlan()
	s := build(t, p.run("late", "30 23 31 12 *", jnb, "2003-01-01", "2004-12-31", time.Hour))
	tests := []struct {
		day  string
		want string
	}{
		{"2003-12-31", "late:1@2003-12-31T23:30"},
		{"2004-01-01", "late:1@2003-12-31T23:30"}, // belongs to both days, across a year
		{"2004-01-02", ""},
		{"2004-12-31", "late:2@2004-12-31T23:30"},
		{"2005-01-01", "late:2@2004-12-31T23:30"},
	}
	for _, tt := range tests {
		if got := summary(s.On(date(tt.day))); got != tt.want {
			t.Errorf("On(%s) = %q, want %q", tt.day, got, tt.want)
		}
	}
	if got := summary(s.At(time.Date(2004, 1, 1, 0, 15, 0, 0, jnb))); got != "late:1@2003-12-31T23:30" {
		t.Errorf("At(00:15 on New Year's Day) = %q", got)
	}
}

func TestErrors(t *testing.T) {
	jnb := testkit.Location(t, "Africa/Johannesburg")
	p := newPlan()
	ok := func() *schedule.Run {
		return p.run("r", "30 18 * * 1-5", jnb, "2003-01-01", "2003-12-31", 30*time.Minute)
	}
	tests := []struct {
		name   string
		change func(r *schedule.Run) []*schedule.Run
		field  string // FieldError field, or "" for other errors
		msg    string
	}{
		{"bad cron", func(r *schedule.Run) []*schedule.Run { r.Rule = "30 18 * *"; return nil }, "slot", "not a cron spec"},
		{"zone prefix", func(r *schedule.Run) []*schedule.Run { r.Rule = "CRON_TZ=UTC"; return nil }, "slot", "zone prefix"},
		{"TZ prefix", func(r *schedule.Run) []*schedule.Run { r.Rule = "TZ=UTC 30 18 * * *"; return nil }, "slot", "zone prefix"},
		{"descriptor", func(r *schedule.Run) []*schedule.Run { r.Rule = "@every 1h"; return nil }, "slot", "five fields"},
		{"too many slots", func(r *schedule.Run) []*schedule.Run { r.Rule = "* * * * *"; r.Last = date("2030-12-31"); return nil }, "slot", "up to 14726880 slots, more than the 1000 slots"},
		{"replay before the first airing", func(r *schedule.Run) []*schedule.Run {
			re := p.run("re", "0 9 * * *", jnb, "2002-12-01", "", time.Minute)
			re.Replays, re.ReplayFrom = "r", 1
			return []*schedule.Run{re}
		}, "first", "before its first airing on 2003-01-01 18:30"},
		{"empty rule", func(r *schedule.Run) []*schedule.Run { r.Rule = " "; return nil }, "slot", "empty"},
		{"last before first", func(r *schedule.Run) []*schedule.Run { r.Last = date("2002-01-01"); return nil }, "last", "before the first date"},
		{"zero length", func(r *schedule.Run) []*schedule.Run { r.Length = 0; return nil }, "length", "positive"},
		{"negative length", func(r *schedule.Run) []*schedule.Run { r.Length = -time.Minute; return nil }, "length", "positive"},
		{"no zone", func(r *schedule.Run) []*schedule.Run { r.Location = nil; return nil }, "timezone", "missing"},
		{"never ends", func(r *schedule.Run) []*schedule.Run { r.Last = schedule.Date{}; return nil }, "last", "needs a last date"},
		{"unknown replay", func(r *schedule.Run) []*schedule.Run { r.Replays = "nope"; r.ReplayFrom = 1; return nil }, "replay.run", "no run has this name"},
		{"self replay", func(r *schedule.Run) []*schedule.Run { r.Replays = "r"; r.ReplayFrom = 1; return nil }, "replay.run", "circle"},
		{"episode never aired", func(r *schedule.Run) []*schedule.Run {
			re := p.run("re", "0 9 * * *", jnb, "2004-01-01", "", time.Minute)
			re.Replays, re.ReplayFrom = "r", 9999
			return []*schedule.Run{re}
		}, "replay.from", "never airs"},
		{"duplicate name", func(r *schedule.Run) []*schedule.Run { return []*schedule.Run{ok()} }, "name", "two runs"},
		{"overlap", func(r *schedule.Run) []*schedule.Run {
			return []*schedule.Run{p.run("other", "45 18 * * 3", jnb, "2003-06-01", "2003-06-30", time.Hour)}
		}, "", "overlapping slots on channel ch.example: run \"r\" episode 111 2003-06-04 18:30–19:00 +02:00 and run \"other\" episode 1 2003-06-04 18:45–19:45 +02:00"},
		{"no slots", func(r *schedule.Run) []*schedule.Run { r.Rule = "0 0 30 2 *"; return nil }, "", "no run has any slot"},
		{"first before 1900", func(r *schedule.Run) []*schedule.Run { r.First = date("1899-12-31"); return nil }, "first", "years 1900 to 2200"},
		{"last after 2200", func(r *schedule.Run) []*schedule.Run { r.Last = date("2201-01-01"); return nil }, "last", "years 1900 to 2200"},
		{"exception in year 0", func(r *schedule.Run) []*schedule.Run { r.Exceptions = []schedule.Date{{Month: 1, Day: 1}}; return nil }, "exceptions", "years 1900 to 2200"},
		{"count past 2200", func(r *schedule.Run) []*schedule.Run {
			r.First, r.Last, r.Count = date("2200-12-01"), schedule.Date{}, 100
			return nil
		}, "last", "past 2200-12-31"},
		{"replay past 2200", func(r *schedule.Run) []*schedule.Run {
			r.First, r.Last = date("2199-01-01"), date("2200-12-31")
			re := p.run("re", "0 9 * * 0", jnb, "2200-01-01", "", time.Minute)
			re.Replays, re.ReplayFrom = "r", 1
			return []*schedule.Run{re}
		}, "last", "past 2200-12-31"},
		{"first episode too large", func(r *schedule.Run) []*schedule.Run { r.FirstEpisode = schedule.MaxEpisode + 1; return nil }, "episodes.first", "from 1 to 2147483647"},
		{"episodes wrap", func(r *schedule.Run) []*schedule.Run { r.FirstEpisode = schedule.MaxEpisode - 1; return nil }, "episodes.first", "past 2147483647"},
		{"count wraps", func(r *schedule.Run) []*schedule.Run { r.FirstEpisode, r.Count = schedule.MaxEpisode-1, 3; return nil }, "episodes.count", "past 2147483647"},
		{"replay from too large", func(r *schedule.Run) []*schedule.Run {
			re := p.run("re", "0 9 * * *", jnb, "2004-01-01", "", time.Minute)
			re.Replays, re.ReplayFrom = "r", schedule.MaxEpisode+1
			return []*schedule.Run{re}
		}, "replay.from", "from 1 to 2147483647"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "too many slots" {
				defer schedule.SetMaxSlots(1000)()
			}
			r := ok()
			runs := append([]*schedule.Run{r}, tt.change(r)...)
			_, err := schedule.New(schedule.Plan{Runs: runs})
			if err == nil {
				t.Fatal("got no error")
			}
			if !errors.Is(err, schedule.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			var fe *schedule.FieldError
			if got := errors.As(err, &fe); got != (tt.field != "") || (got && fe.Field != tt.field) {
				t.Errorf("error %v: want a FieldError for %q", err, tt.field)
			}
		})
	}
	if _, err := schedule.New(schedule.Plan{}); !errors.Is(err, schedule.ErrInvalid) {
		t.Errorf("empty plan: got %v, want ErrInvalid", err)
	}
	revised := schedule.Plan{Runs: []*schedule.Run{ok()}, Revised: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)}
	var fe *schedule.FieldError
	if _, err := schedule.New(revised); !errors.As(err, &fe) || fe.Field != "revised" || fe.Run != "" ||
		err.Error() != `schedule: revised "0000-01-01T00:00:00Z": want a time in the years 1900 to 2200` {
		t.Errorf("revised in year 0: got %v, want a FieldError for revised", err)
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"2003-06-16", "2003-06-16", true},
		{"2004-02-29", "2004-02-29", true},
		{"2003-02-29", "", false},
		{"2003-13-01", "", false},
		{"2003-6-16", "", false},
		{"16/06/2003", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		d, err := schedule.ParseDate(tt.in)
		if (err == nil) != tt.ok || d.String() != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %q ok=%v", tt.in, d, err, tt.want, tt.ok)
		}
	}
	d := date("2003-12-31")
	if got := d.AddDays(1).String(); got != "2004-01-01" {
		t.Errorf("AddDays across New Year = %s", got)
	}
	if got := date("2007-07-06").Days(date("2009-01-05")); got != 549 {
		t.Errorf("Days across the gap = %d, want 549", got)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2003-06-16", "2003-02-29", "0000-01-01", "9999-12-31", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := schedule.ParseDate(s)
		if err != nil {
			return
		}
		if got := d.String(); got != s {
			t.Errorf("ParseDate(%q) round-trips to %q", s, got)
		}
	})
}

// FuzzRule checks that no slot rule panics or loops forever, that every
// slot a rule gives lies within the run's dates, and that the count New
// sizes runs by is the number of slots (Johannesburg has no clock
// changes, so it is exact).
func FuzzRule(f *testing.F) {
	for _, s := range []string{"30 18 * * 1-5", "CRON_TZ=", "TZ=X", "@daily", "@every 1h", "0 0 30 2 *", "* * * * *", "61 25 * * *", "30 18 * * 1-5 extra"} {
		f.Add(s)
	}
	jnb := testkit.Location(f, "Africa/Johannesburg")
	f.Fuzz(func(t *testing.T, rule string) {
		p := newPlan()
		r := p.run("r", rule, jnb, "2003-01-01", "2003-01-03", time.Minute)
		s, err := schedule.New(schedule.Plan{Runs: []*schedule.Run{r}})
		if err != nil {
			return
		}
		if n := schedule.CountSlots(rule, r.First, r.Last); n != s.Len() {
			t.Errorf("rule %q: counted %d slots, New made %d", rule, n, s.Len())
		}
		from, to := date("2003-01-01").In(jnb), date("2003-01-04").In(jnb)
		for sl := range s.Slots(schedule.Query{}) {
			if sl.Start.Before(from) || !sl.Start.Before(to) {
				t.Fatalf("rule %q: slot at %v outside the run", rule, sl.Start)
			}
		}
	})
}

// TestWindowTouchesOnlyItsSlots checks that a query reads the slots near
// its window, found by binary search, and never scans the rest.
func TestWindowTouchesOnlyItsSlots(t *testing.T) {
	p := largePlan(t)
	for _, r := range p.Runs {
		r.First, r.Last = date("2005-01-01"), date("2006-12-31") // 100 channels, two years: ~52,000 slots
	}
	s, err := schedule.New(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2005-01-03", "2005-06-15", "2006-12-29", "2005-06-18"} {
		q := s.Day(date(d))
		n := s.Count(q)
		// The day's slots, plus at most one slot per channel that started
		// up to a slot's length before midnight.
		if got := s.Touched(q); got > n+100 {
			t.Errorf("%s: read %d stored slots for %d airings", d, got, n)
		}
		// By start, it reads exactly the day's starts.
		q.ByStart = true
		if got, n := s.Touched(q), s.Count(q); got != n {
			t.Errorf("%s by start: read %d stored slots for %d airings", d, got, n)
		}
	}
}

// TestPrevNext: the airings either side of a moment, at the ends of the
// history and across the gap between the runs.
func TestPrevNext(t *testing.T) {
	s := testkit.Default(t)
	jnb := s.Location()
	at := func(v string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", v, jnb)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, c := range []struct {
		at         string
		prev, next string // "run episode", or "" for none
	}{
		{"1999-01-01 00:00", "", "original 1"},
		{"2000-05-01 18:30", "", "original 1"},
		{"2000-05-01 18:31", "original 1", "original 2"},
		{"2003-06-14 12:00", "original 815", "original 816"},
		{"2008-03-04 00:00", "original 1875", "rebroadcast 1"},
		{"2016-03-11 16:40", "rebroadcast 1874", "rebroadcast 1875"},
		{"2026-11-30 00:00", "rebroadcast 1875", ""},
	} {
		name := func(sl schedule.Slot, ok bool) string {
			if !ok {
				return ""
			}
			return fmt.Sprintf("%s %d", sl.Run.Name, sl.Episode)
		}
		if got := name(s.Prev(at(c.at))); got != c.prev {
			t.Errorf("Prev(%s) = %q, want %q", c.at, got, c.prev)
		}
		if got := name(s.Next(at(c.at))); got != c.next {
			t.Errorf("Next(%s) = %q, want %q", c.at, got, c.next)
		}
	}
	if _, ok := s.Next(at("2003-06-16 18:30").Add(time.Nanosecond)); !ok {
		t.Error("Next just after a start finds nothing")
	} else if sl, _ := s.Next(at("2003-06-16 18:30").Add(time.Nanosecond)); sl.Episode != 817 {
		t.Errorf("Next a nanosecond after episode 816's start = %d, want 817", sl.Episode)
	}
}

// TestHistory: a replay window knows the history it was cut from, and a
// history is its own.
func TestHistory(t *testing.T) {
	s := testkit.Default(t)
	if s.History() != s {
		t.Error("a history's History is not itself")
	}
	r, err := s.Replay(schedule.ReplayOptions{Now: time.Date(2026, 11, 30, 12, 0, 0, 0, s.Location()), Days: 7})
	if err != nil {
		t.Fatal(err)
	}
	if r.History() != s {
		t.Error("a replay's History is not the schedule it was re-dated from")
	}
	rr, err := r.Replay(schedule.ReplayOptions{Start: schedule.DateOf(r.First().Start), Now: time.Date(2026, 11, 30, 12, 0, 0, 0, s.Location()), Days: 7})
	if err != nil {
		t.Fatal(err)
	}
	if rr.History() != s {
		t.Error("a replay of a replay does not lead back to the history")
	}
}
