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

func replay(t testing.TB, s *schedule.Schedule, o schedule.ReplayOptions) *schedule.Schedule {
	t.Helper()
	r, err := s.Replay(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func now(s string) time.Time {
	jnb, _ := time.LoadLocation("Africa/Johannesburg")
	t, err := time.ParseInLocation("2006-01-02 15:04", s, jnb)
	if err != nil {
		panic(err)
	}
	return t
}

// days lists a replayed schedule as "present date: run episode (historic date)".
func days(s *schedule.Schedule) string {
	var b strings.Builder
	for sl := range s.Slots(schedule.Query{}) {
		fmt.Fprintf(&b, "%s %s: %s %d (%s)\n", sl.Start.Format("Mon"), sl.Start.Format("2006-01-02 15:04"),
			sl.Run.Name, sl.Episode, sl.ReplayOf.Format("2006-01-02"))
	}
	return b.String()
}

func TestReplayRule(t *testing.T) {
	s := testkit.Default(t)
	tests := []struct {
		name string
		opt  schedule.ReplayOptions
		want string
	}{
		{
			// Monday 4 May 2026 replays Monday 1 May 2000, 1357 weeks
			// before; Saturday 5 December 2026 is 31 weeks and 5 days on.
			name: "default: 1357 weeks on",
			opt:  schedule.ReplayOptions{Now: now("2026-12-05 12:00"), PastDays: 1, Days: 3},
			want: "Fri 2026-12-04 18:30: original 155 (2000-12-01)\n" +
				"Mon 2026-12-07 18:30: original 156 (2000-12-04)\n" +
				"Tue 2026-12-08 18:30: original 157 (2000-12-05)\n",
		},
		{
			name: "episode 1 on Monday 2026-12-07, asked on the Saturday before",
			opt:  schedule.ReplayOptions{Start: date("2026-12-07"), Now: now("2026-12-05 12:00"), PastDays: 1, Days: 7},
			want: "Mon 2026-12-07 18:30: original 1 (2000-05-01)\n" +
				"Tue 2026-12-08 18:30: original 2 (2000-05-02)\n" +
				"Wed 2026-12-09 18:30: original 3 (2000-05-03)\n" +
				"Thu 2026-12-10 18:30: original 4 (2000-05-04)\n" +
				"Fri 2026-12-11 18:30: original 5 (2000-05-05)\n",
		},
		{
			name: "the same, asked on that Monday: the days both hold agree",
			opt:  schedule.ReplayOptions{Start: date("2026-12-07"), Now: now("2026-12-07 12:00"), PastDays: 1, Days: 7},
			want: "Mon 2026-12-07 18:30: original 1 (2000-05-01)\n" +
				"Tue 2026-12-08 18:30: original 2 (2000-05-02)\n" +
				"Wed 2026-12-09 18:30: original 3 (2000-05-03)\n" +
				"Thu 2026-12-10 18:30: original 4 (2000-05-04)\n" +
				"Fri 2026-12-11 18:30: original 5 (2000-05-05)\n" +
				"Mon 2026-12-14 18:30: original 6 (2000-05-08)\n",
		},
		{
			name: "a start mid-week: nothing before it, in the window or the history",
			opt:  schedule.ReplayOptions{From: date("2003-06-18"), Start: date("2026-12-09"), Now: now("2026-12-07 12:00"), PastDays: 1, Days: 3},
			want: "Wed 2026-12-09 18:30: original 818 (2003-06-18)\n" +
				"Thu 2026-12-10 18:30: original 819 (2003-06-19)\n",
		},
		{
			name: "a start on a weekend: the weekdays after it",
			opt:  schedule.ReplayOptions{From: date("2003-06-21"), Start: date("2026-12-05"), Now: now("2026-12-05 12:00"), PastDays: 1, Days: 3},
			want: "Mon 2026-12-07 18:30: original 821 (2003-06-23)\n" +
				"Tue 2026-12-08 18:30: original 822 (2003-06-24)\n",
		},
		{
			name: "across New Year, present and historic",
			opt:  schedule.ReplayOptions{From: date("2003-12-29"), Start: date("2026-12-28"), Now: now("2026-12-31 09:00"), PastDays: 0, Days: 2},
			want: "Thu 2026-12-31 18:30: original 959 (2004-01-01)\n" +
				"Fri 2027-01-01 18:30: original 960 (2004-01-02)\n",
		},
		{
			name: "into the gap: nothing airs",
			opt:  schedule.ReplayOptions{From: date("2007-07-02"), Start: date("2026-11-23"), Now: now("2026-11-26 12:00"), PastDays: 0, Days: 7},
			want: "Thu 2026-11-26 18:30: original 1874 (2007-07-05)\n" +
				"Fri 2026-11-27 18:30: original 1875 (2007-07-06)\n",
		},
		{
			name: "in the gap, skipping gaps: the rebroadcast's first week",
			opt:  schedule.ReplayOptions{From: date("2008-03-03"), Start: date("2026-11-23"), Now: now("2026-11-23 12:00"), PastDays: 0, Days: 1, SkipGaps: true},
			want: "Mon 2026-11-23 16:40: rebroadcast 1 (2009-01-05)\n" +
				"Tue 2026-11-24 16:40: rebroadcast 2 (2009-01-06)\n",
		},
		{
			name: "the gap skipped: last original week then first rerun week",
			opt:  schedule.ReplayOptions{From: date("2007-07-02"), Start: date("2026-11-23"), Now: now("2026-11-26 12:00"), PastDays: 0, Days: 4, SkipGaps: true},
			want: "Thu 2026-11-26 18:30: original 1874 (2007-07-05)\n" +
				"Fri 2026-11-27 18:30: original 1875 (2007-07-06)\n" +
				"Mon 2026-11-30 16:40: rebroadcast 1 (2009-01-05)\n",
		},
		{
			name: "past the end: the guide ends",
			opt:  schedule.ReplayOptions{From: date("2016-03-07"), Start: date("2026-11-23"), Now: now("2026-11-26 12:00"), PastDays: 0, Days: 7},
			want: "Thu 2026-11-26 16:40: rebroadcast 1874 (2016-03-10)\n" +
				"Fri 2026-11-27 16:40: rebroadcast 1875 (2016-03-11)\n",
		},
		{
			name: "past the end with loop: back to From, not to its week's Monday",
			opt:  schedule.ReplayOptions{From: date("2016-03-09"), Start: date("2026-11-25"), Now: now("2026-11-26 12:00"), PastDays: 1, Days: 7, Loop: true},
			want: "Wed 2026-11-25 16:40: rebroadcast 1873 (2016-03-09)\n" +
				"Thu 2026-11-26 16:40: rebroadcast 1874 (2016-03-10)\n" +
				"Fri 2026-11-27 16:40: rebroadcast 1875 (2016-03-11)\n" +
				"Wed 2026-12-02 16:40: rebroadcast 1873 (2016-03-09)\n" +
				"Thu 2026-12-03 16:40: rebroadcast 1874 (2016-03-10)\n",
		},
		{
			name: "before the start: nothing",
			opt:  schedule.ReplayOptions{Start: date("2026-11-23"), Now: now("2026-11-24 12:00"), PastDays: 14, Days: 1},
			want: "Mon 2026-11-23 18:30: original 1 (2000-05-01)\n" +
				"Tue 2026-11-24 18:30: original 2 (2000-05-02)\n" +
				"Wed 2026-11-25 18:30: original 3 (2000-05-03)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := replay(t, s, tt.opt)
			if got := days(r); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestReplayLivesOn lives with a replay for 90 days, the clock fixed
// at a different hour each day, as a media centre that grabs daily does:
// every real date keeps the airings it was first given (start, run,
// episode and the airing it replays), and the channel moves on.
func TestReplayLivesOn(t *testing.T) {
	s := testkit.Default(t)
	for _, base := range []schedule.ReplayOptions{
		{},
		{Start: date("2026-12-07")},
		{From: date("2007-05-02"), Start: date("2026-11-04"), SkipGaps: true},
		{From: date("2016-01-04"), Start: date("2026-11-02"), Loop: true},
		{From: date("2015-12-30"), Start: date("2026-12-02"), Loop: true, SkipGaps: true},
	} {
		seen := map[schedule.Date]string{}
		episodes := map[int]bool{}
		for d := range 90 {
			o := base
			o.Now = now("2026-11-20 00:00").AddDate(0, 0, d).Add(time.Duration(d*37%(24*60)) * time.Minute)
			o.PastDays, o.Days = d%3, 7+d%5
			r := replay(t, s, o)
			first, last, ok := r.ReplayWindow()
			if !ok {
				t.Fatal("a replay without a window")
			}
			for day := first; !day.After(last); day = day.AddDays(1) {
				var b strings.Builder
				for _, sl := range r.On(day) {
					fmt.Fprintf(&b, "%s %s %d %s; ", sl.Start.Format(time.RFC3339), sl.Run.Name, sl.Episode, sl.ReplayOf.Format(time.RFC3339))
					episodes[sl.Episode] = true
				}
				if h, ok := r.ReplayDay(day); ok {
					fmt.Fprintf(&b, "replays %s", h)
				}
				if was, ok := seen[day]; ok && was != b.String() {
					t.Fatalf("%+v: %s was %q, now %q", o, day, was, b.String())
				}
				seen[day] = b.String()
			}
		}
		if base.From.IsZero() && len(episodes) < 40 {
			t.Errorf("%+v: %d distinct episodes in 90 days, want the channel to move on", base, len(episodes))
		}
	}
}

// TestReplayDay checks the mapping on its own, inside and outside a
// window: the day a real day replays, and none before the start, in a
// gap or after the end.
func TestReplayDay(t *testing.T) {
	s := testkit.Default(t)
	r := replay(t, s, schedule.ReplayOptions{From: date("2003-06-18"), Start: date("2026-12-09"), Now: now("2026-12-05 12:00"), Days: 1})
	for _, c := range []struct{ day, want string }{
		{"2026-12-08", ""}, // before the start
		{"2026-12-09", "2003-06-18"},
		{"2026-12-13", "2003-06-22"},
		{"2027-12-08", "2004-06-16"},
		{"2031-01-01", "2007-07-11"}, // in the gap, when nothing aired
		{"2032-06-30", "2009-01-07"},
		{"2039-09-02", "2016-03-11"}, // the last airing
		{"2039-09-05", ""},           // after the end
	} {
		got, ok := r.ReplayDay(date(c.day))
		if got.String() != c.want || ok != (c.want != "") {
			t.Errorf("ReplayDay(%s) = %s, %v; want %q", c.day, got, ok, c.want)
		}
	}
	if _, ok := s.ReplayDay(date("2026-12-09")); ok {
		t.Error("the history answers ReplayDay")
	}
}

// TestReplayInvariants checks, over many days and options, that a window
// holds exactly the airings it should, each on its weekday at its local
// time, within the window and without overlaps.
func TestReplayInvariants(t *testing.T) {
	s := testkit.Default(t)
	for _, from := range []string{"2000-05-01", "2003-06-16", "2003-06-22", "2007-06-25", "2008-01-01", "2016-03-09"} {
		for _, opt := range []schedule.ReplayOptions{{PastDays: 1, Days: 7}, {PastDays: 0, Days: 1}, {PastDays: 14, Days: 31, Loop: true}, {PastDays: 3, Days: 10, SkipGaps: true, Loop: true}} {
			for d := 0; d < 9; d++ {
				opt.From = date(from)
				// The channel began airing From some weeks before the window.
				opt.Start = opt.From.AddDays(opt.From.Days(date("2026-12-20")) / 7 * 7)
				opt.Now = now("2026-12-27 20:00").AddDate(0, 0, d)
				r := replay(t, s, opt)
				wFrom, wTo := opt.Window(s.Location())
				var prev schedule.Slot
				for sl := range r.Slots(schedule.Query{}) {
					h := sl.ReplayOf
					switch {
					case sl.Start.Weekday() != h.Weekday():
						t.Fatalf("%+v: %v replays %v, another weekday", opt, sl.Start, h)
					case sl.Start.Format("15:04") != h.Format("15:04"):
						t.Fatalf("%+v: %v replays %v, another time", opt, sl.Start, h)
					case int(sl.Start.Sub(h).Hours())%(7*24) != 0:
						t.Fatalf("%+v: %v is not whole weeks after %v", opt, sl.Start, h)
					case !sl.End.After(wFrom) || !sl.Start.Before(wTo):
						t.Fatalf("%+v: %v is outside the window %v–%v", opt, sl.Start, wFrom, wTo)
					case prev.Run != nil && sl.Start.Before(prev.End):
						t.Fatalf("%+v: %v overlaps %v", opt, sl.Start, prev.Start)
					case sl.FirstAired.IsZero() || sl.FirstAired.After(h):
						t.Fatalf("%+v: first aired %v, want the first airing of episode %d", opt, sl.FirstAired, sl.Episode)
					}
					hist := s.At(h)
					if len(hist) != 1 || hist[0].Episode != sl.Episode || hist[0].Run != sl.Run {
						t.Fatalf("%+v: %v replays %v, which is not episode %d of %s", opt, sl.Start, h, sl.Episode, sl.Run.Name)
					}
					prev = sl
				}
				// Without loops or skips, the window holds exactly the
				// historic airings of the shifted days.
				if !opt.Loop && !opt.SkipGaps && r.Len() > 0 {
					shift := r.First().Start.Sub(r.First().ReplayOf)
					want := s.Count(schedule.Query{From: wFrom.Add(-shift), To: wTo.Add(-shift)})
					if r.Len() != want {
						t.Fatalf("%+v: %d airings, want %d", opt, r.Len(), want)
					}
				}
			}
		}
	}
}

func TestReplayKeepsIdentity(t *testing.T) {
	s := testkit.Default(t)
	r := replay(t, s, schedule.ReplayOptions{From: date("2012-11-02"), Start: date("2026-11-27"), Now: now("2026-11-27 12:00"), Days: 1})
	got := r.On(date("2026-11-27"))
	if len(got) != 1 {
		t.Fatalf("got %d airings, want 1", len(got))
	}
	sl := got[0]
	if sl.Episode != 1000 || sl.Run.Name != "rebroadcast" {
		t.Errorf("got %s %d, want rebroadcast 1000", sl.Run.Name, sl.Episode)
	}
	if want := now("2004-02-27 18:30"); !sl.FirstAired.Equal(want) {
		t.Errorf("first aired %v, want %v", sl.FirstAired, want)
	}
	if want := now("2012-11-02 16:40"); !sl.ReplayOf.Equal(want) || !sl.Previous().Equal(want) {
		t.Errorf("replay of %v, want the rebroadcast slot %v", sl.ReplayOf, want)
	}
	if want := now("2026-11-27 00:00"); !r.Revised().Equal(want) {
		t.Errorf("revised %v, want the start of today %v", r.Revised(), want)
	}
	if r.Name() != s.Name() || len(r.Runs()) != 2 {
		t.Errorf("replay lost the plan: %q, %d runs", r.Name(), len(r.Runs()))
	}
}

func TestReplayBadOptions(t *testing.T) {
	s := testkit.Default(t)
	today := now("2026-12-05 12:00")
	tests := []struct {
		opt   schedule.ReplayOptions
		field string
		want  string
	}{
		{schedule.ReplayOptions{Now: today, Days: 0}, "days", "days \"0\": want a whole number from 1 to 31"},
		{schedule.ReplayOptions{Now: today, Days: 1000}, "days", "days \"1000\": want a whole number from 1 to 31"},
		{schedule.ReplayOptions{Now: today, Days: 7, PastDays: -1}, "past-days", "past-days \"-1\": want a whole number from 0 to 14"},
		{schedule.ReplayOptions{Now: today, Days: 7, PastDays: 15}, "past-days", "past-days \"15\": want a whole number from 0 to 14"},
		{schedule.ReplayOptions{Days: 7}, "now", "now: no present time given"},
		{schedule.ReplayOptions{Now: now("9999-12-30 12:00"), Days: 7, Loop: true}, "now", "its window, 9999-12-30 to 10000-01-06, leaves the years 1900 to 2200"},
		{schedule.ReplayOptions{Now: time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC), Days: 7}, "now", "leaves the years 1900 to 2200"},
		// The years are the schedule's: 2200-12-31 23:59 at UTC-12 is
		// 2201-01-01 in Johannesburg.
		{schedule.ReplayOptions{Now: time.Date(2200, 12, 31, 23, 59, 0, 0, time.FixedZone("", -12*3600)), Days: 1}, "now", "its window, 2201-01-01 to 2201-01-02, leaves"},
		{schedule.ReplayOptions{Now: now("2200-12-31 12:00"), Days: 1}, "now", "its window, 2200-12-31 to 2201-01-01, leaves"},
		{schedule.ReplayOptions{From: date("1999-01-04"), Now: today, Days: 7}, "replay-from", "replay-from \"1999-01-04\": before the first airing, 2000-05-01"},
		{schedule.ReplayOptions{From: date("2016-03-12"), Now: today, Days: 7}, "replay-from", "replay-from \"2016-03-12\": after the last airing, 2016-03-11"},
		{schedule.ReplayOptions{Start: date("2026-12-09"), Now: today, Days: 7}, "replay-start",
			"replay-start \"2026-12-09\": a Wednesday, and the day it replays, 2000-05-01, a Monday: the replay moves whole weeks, so want a Monday such as 2026-12-07 or 2026-12-14"},
		{schedule.ReplayOptions{From: date("2003-06-16"), Start: date("2002-03-04"), Now: today, Days: 7}, "replay-start", "replay-start \"2002-03-04\": before 2003-06-16, the day it replays"},
		{schedule.ReplayOptions{From: date("2003-06-16"), Start: date("2027-03-01"), Now: today, Days: 7}, "replay-start", "replay-start \"2027-03-01\": more than 31 days after today (2026-12-05)"},
		{schedule.ReplayOptions{From: date("2003-06-16"), Now: today, Days: 7}, "replay-from", "replay-from \"2003-06-16\": by default it airs again 1357 weeks later, on 2029-06-18, more than 31 days after today (2026-12-05): give a start as well"},
	}
	for _, tt := range tests {
		_, err := s.Replay(tt.opt)
		var ie *schedule.InputError
		if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, schedule.ErrInput) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Replay(%+v) = %v, want an input error about %s saying %q", tt.opt, err, tt.field, tt.want)
		}
	}
	// A start up to MaxDays ahead is a channel that begins soon: the
	// window shows nothing before it.
	r := replay(t, s, schedule.ReplayOptions{Start: date("2027-01-04"), Now: today, Days: 31})
	if got := r.First().Start.Format("2006-01-02 15:04"); got != "2027-01-04 18:30" || r.First().Episode != 1 {
		t.Errorf("a start 30 days \"ahead\": first airing %s episode %d, want 2027-01-04 18:30 episode 1", got, r.First().Episode)
	}
}

func ExampleSchedule_Replay() {
	s, _ := schedule.New(backstagePlan())
	jnb := s.Location()
	r, _ := s.Replay(schedule.ReplayOptions{
		From:  schedule.Date{Year: 2003, Month: 6, Day: 16},  // a Monday in the history
		Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, // the Monday the replay began
		Now:   time.Date(2026, 11, 26, 20, 0, 0, 0, jnb),     // a Thursday
		Days:  1,
	})
	for slot := range r.Slots(schedule.Query{}) {
		fmt.Println(slot.Start.Format("Mon 2006-01-02 15:04"), "episode", slot.Episode,
			"replays", slot.ReplayOf.Format("Mon 2006-01-02"))
	}
	// Output:
	// Thu 2026-11-26 18:30 episode 819 replays Thu 2003-06-19
	// Fri 2026-11-27 18:30 episode 820 replays Fri 2003-06-20
}

func BenchmarkReplayWindow(b *testing.B) {
	s := testkit.Default(b)
	o := schedule.ReplayOptions{From: date("2003-06-16"), Start: date("2026-11-23"), Now: now("2026-11-26 20:00"), PastDays: 0, Days: 7}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Replay(o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReplayWindowSkipGaps(b *testing.B) {
	s := testkit.Default(b)
	o := schedule.ReplayOptions{From: date("2007-06-25"), Start: date("2026-11-02"), Now: now("2026-11-26 20:00"), PastDays: 1, Days: 7, SkipGaps: true, Loop: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Replay(o); err != nil {
			b.Fatal(err)
		}
	}
}
