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
			// 2026-11-26 is a Thursday; 2000-05-01 (a Monday) lands on this week's Monday.
			name: "default: the first airing's week is this week",
			opt:  schedule.ReplayOptions{Now: now("2026-11-26 12:00"), PastDays: 1, Days: 2},
			want: "Wed 2026-11-25 18:30: original 3 (2000-05-03)\n" +
				"Thu 2026-11-26 18:30: original 4 (2000-05-04)\n" +
				"Fri 2026-11-27 18:30: original 5 (2000-05-05)\n",
		},
		{
			name: "replay-from later in the week than today",
			opt:  schedule.ReplayOptions{From: date("2003-06-20"), Now: now("2026-11-23 08:00"), PastDays: 0, Days: 4},
			want: "Mon 2026-11-23 18:30: original 816 (2003-06-16)\n" +
				"Tue 2026-11-24 18:30: original 817 (2003-06-17)\n" +
				"Wed 2026-11-25 18:30: original 818 (2003-06-18)\n" +
				"Thu 2026-11-26 18:30: original 819 (2003-06-19)\n" +
				"Fri 2026-11-27 18:30: original 820 (2003-06-20)\n",
		},
		{
			name: "on a Sunday the week is the one ending today",
			opt:  schedule.ReplayOptions{From: date("2003-06-16"), Now: now("2026-11-29 23:59"), PastDays: 2, Days: 1},
			want: "Fri 2026-11-27 18:30: original 820 (2003-06-20)\n" +
				"Mon 2026-11-30 18:30: original 821 (2003-06-23)\n",
		},
		{
			name: "replay-from on a weekend",
			opt:  schedule.ReplayOptions{From: date("2003-06-21"), Now: now("2026-11-26 12:00"), PastDays: 0, Days: 1},
			want: "Thu 2026-11-26 18:30: original 819 (2003-06-19)\n" +
				"Fri 2026-11-27 18:30: original 820 (2003-06-20)\n",
		},
		{
			name: "across New Year, present and historic",
			opt:  schedule.ReplayOptions{From: date("2003-12-29"), Now: now("2026-12-31 09:00"), PastDays: 0, Days: 2},
			want: "Thu 2026-12-31 18:30: original 959 (2004-01-01)\n" +
				"Fri 2027-01-01 18:30: original 960 (2004-01-02)\n",
		},
		{
			name: "in the gap: nothing airs",
			opt:  schedule.ReplayOptions{From: date("2008-03-03"), Now: now("2026-11-26 12:00"), PastDays: 3, Days: 7},
			want: "",
		},
		{
			name: "in the gap, skipping gaps: the rebroadcast's first week",
			opt:  schedule.ReplayOptions{From: date("2008-03-03"), Now: now("2026-11-23 12:00"), PastDays: 0, Days: 1, SkipGaps: true},
			want: "Mon 2026-11-23 16:40: rebroadcast 1 (2009-01-05)\n" +
				"Tue 2026-11-24 16:40: rebroadcast 2 (2009-01-06)\n",
		},
		{
			name: "the gap skipped: last original week then first rerun week",
			opt:  schedule.ReplayOptions{From: date("2007-07-02"), Now: now("2026-11-26 12:00"), PastDays: 0, Days: 4, SkipGaps: true},
			want: "Thu 2026-11-26 18:30: original 1874 (2007-07-05)\n" +
				"Fri 2026-11-27 18:30: original 1875 (2007-07-06)\n" +
				"Mon 2026-11-30 16:40: rebroadcast 1 (2009-01-05)\n",
		},
		{
			name: "past the end: the guide ends",
			opt:  schedule.ReplayOptions{From: date("2016-03-07"), Now: now("2026-11-26 12:00"), PastDays: 0, Days: 7},
			want: "Thu 2026-11-26 16:40: rebroadcast 1874 (2016-03-10)\n" +
				"Fri 2026-11-27 16:40: rebroadcast 1875 (2016-03-11)\n",
		},
		{
			name: "past the end with loop: back to replay-from's week",
			opt:  schedule.ReplayOptions{From: date("2016-03-07"), Now: now("2026-11-26 12:00"), PastDays: 0, Days: 4, Loop: true},
			want: "Thu 2026-11-26 16:40: rebroadcast 1874 (2016-03-10)\n" +
				"Fri 2026-11-27 16:40: rebroadcast 1875 (2016-03-11)\n" +
				"Mon 2026-11-30 16:40: rebroadcast 1871 (2016-03-07)\n",
		},
		{
			name: "before the first airing",
			opt:  schedule.ReplayOptions{Now: now("2026-11-24 12:00"), PastDays: 14, Days: 1},
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

// TestReplayInvariants checks, over many days and options, that a window
// holds exactly the airings it should, each on its weekday at its local
// time, within the window and without overlaps.
func TestReplayInvariants(t *testing.T) {
	s := testkit.Default(t)
	for _, from := range []string{"2000-05-01", "2003-06-16", "2003-06-22", "2007-06-25", "2008-01-01", "2016-03-09"} {
		for _, opt := range []schedule.ReplayOptions{{PastDays: 1, Days: 7}, {PastDays: 0, Days: 1}, {PastDays: 14, Days: 31, Loop: true}, {PastDays: 3, Days: 10, SkipGaps: true, Loop: true}} {
			for d := 0; d < 9; d++ {
				opt.From = date(from)
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
	r := replay(t, s, schedule.ReplayOptions{From: date("2012-11-02"), Now: now("2026-11-27 12:00"), Days: 1})
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
	tests := []struct {
		opt  schedule.ReplayOptions
		want string
	}{
		{schedule.ReplayOptions{Now: now("2026-11-26 12:00"), Days: 0}, "days 0: want 1 to 31"},
		{schedule.ReplayOptions{Now: now("2026-11-26 12:00"), Days: 1000}, "days 1000: want 1 to 31"},
		{schedule.ReplayOptions{Now: now("2026-11-26 12:00"), Days: 7, PastDays: -1}, "past days -1: want 0 to 14"},
		{schedule.ReplayOptions{Now: now("2026-11-26 12:00"), Days: 7, PastDays: 15}, "past days 15: want 0 to 14"},
		{schedule.ReplayOptions{Days: 7}, "no present time"},
		{schedule.ReplayOptions{Now: now("9999-12-30 12:00"), Days: 7, Loop: true}, "the present in the year 9999: want 1900 to 2200"},
		{schedule.ReplayOptions{Now: time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC), Days: 7}, "the present in the year 1: want 1900 to 2200"},
	}
	for _, tt := range tests {
		_, err := s.Replay(tt.opt)
		if !errors.Is(err, schedule.ErrReplay) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Replay(%+v) = %v, want ErrReplay saying %q", tt.opt, err, tt.want)
		}
	}
}

func ExampleSchedule_Replay() {
	s, _ := schedule.New(backstagePlan())
	jnb := s.Location()
	r, _ := s.Replay(schedule.ReplayOptions{
		From: schedule.Date{Year: 2003, Month: 6, Day: 16}, // a Monday
		Now:  time.Date(2026, 11, 26, 20, 0, 0, 0, jnb),    // a Thursday
		Days: 1,
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
	o := schedule.ReplayOptions{From: date("2003-06-16"), Now: now("2026-11-26 20:00"), PastDays: 0, Days: 7}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Replay(o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReplayWindowSkipGaps(b *testing.B) {
	s := testkit.Default(b)
	o := schedule.ReplayOptions{From: date("2007-06-25"), Now: now("2026-11-26 20:00"), PastDays: 1, Days: 7, SkipGaps: true, Loop: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Replay(o); err != nil {
			b.Fatal(err)
		}
	}
}
