package schedfile_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

func TestDefault(t *testing.T) {
	s, err := schedfile.Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	again, err := schedfile.Default()
	if err != nil || again != s {
		t.Errorf("Default again: got %p, %v; want the same schedule %p, nil", again, err, s)
	}
	if s.Revised().IsZero() || s.Name() == "" || s.Source() == "" {
		t.Errorf("name, source, revised: got %q, %q, %v; want all set", s.Name(), s.Source(), s.Revised())
	}
	if got, want := s.Location().String(), "Africa/Johannesburg"; got != want {
		t.Errorf("Location: got %q, want %q", got, want)
	}

	runs := s.Runs()
	var names []string
	for _, r := range runs {
		names = append(names, r.Name)
	}
	if got, want := strings.Join(names, ","), "original,rebroadcast"; got != want {
		t.Fatalf("run names: got %q, want %q", got, want)
	}

	chans := s.Channels()
	if len(chans) != 1 || chans[0].ID != "etv.co.za" || chans[0].Name != "e.tv" {
		t.Errorf("channels: got %+v, want one, etv.co.za named e.tv", chans)
	}
	shows := s.Shows()
	if len(shows) != 1 {
		t.Fatalf("shows: got %d, want 1", len(shows))
	}
	show := shows[0]
	for _, c := range []struct{ field, got, want string }{
		{"title", show.Title, "Backstage"},
		{"country", show.Country, "ZA"},
		{"language", show.Language, "en"},
		{"creators", strings.Join(show.Credits.Creators, ","), "Mfundi Vundla"},
		{"developers", strings.Join(show.Credits.Developers, ","), "Deon Opperman"},
		{"writers", strings.Join(show.Credits.Writers, ","), "Collin Oliphant"},
		{"actors", strings.Join(show.Credits.Actors, ","), "Duncan Lawson,Katlego Danke,Paul du Toit,Shashi Naidoo,Pam Andrews"},
		{"producers", strings.Join(show.Credits.Producers, ","), "Mfundi Vundla,Grey Hofmeyr"},
		{"composers", strings.Join(show.Credits.Composers, ","), "Dusk to Dawn"},
		{"episode 7 title", show.EpisodeTitle(7), "Episode 7"},
	} {
		if c.got != c.want {
			t.Errorf("show %s: got %q, want %q", c.field, c.got, c.want)
		}
	}
	if !strings.Contains(show.Synopsis, "Vulindlela College") || !strings.Contains(show.Synopsis, "Johannesburg") {
		t.Errorf("synopsis does not name the setting: %q", show.Synopsis)
	}

	sast := time.FixedZone("SAST", 2*60*60)
	for _, c := range []struct {
		run                 string
		slots               int
		rule                string
		first, last         time.Time
		firstEp, lastEp     int
		replays             string
		assumptions         []string
		firstDate, lastDate string
	}{
		{
			run: "original", slots: 1875, rule: "30 18 * * 1-5",
			first: time.Date(2000, 5, 1, 18, 30, 0, 0, sast), last: time.Date(2007, 7, 6, 18, 30, 0, 0, sast),
			firstEp: 1, lastEp: 1875,
			assumptions: []string{"episodes", "exceptions", "length"},
			firstDate:   "2000-05-01", lastDate: "2007-07-06",
		},
		{
			run: "rebroadcast", slots: 1875, rule: "40 16 * * 1-5",
			first: time.Date(2009, 1, 5, 16, 40, 0, 0, sast), last: time.Date(2016, 3, 11, 16, 40, 0, 0, sast),
			firstEp: 1, lastEp: 1875, replays: "original",
			assumptions: []string{"exceptions", "last", "length", "replay", "slot"},
			firstDate:   "2009-01-05", lastDate: "",
		},
	} {
		t.Run(c.run, func(t *testing.T) {
			var st schedule.Stats
			for _, x := range s.Stats() {
				if x.Run.Name == c.run {
					st = x
				}
			}
			r := st.Run
			if r == nil {
				t.Fatalf("no stats for run %q", c.run)
			}
			if st.Slots != c.slots {
				t.Errorf("slots: got %d, want %d", st.Slots, c.slots)
			}
			if r.Rule != c.rule {
				t.Errorf("rule: got %q, want %q", r.Rule, c.rule)
			}
			if r.Length != 30*time.Minute {
				t.Errorf("length: got %v, want 30m", r.Length)
			}
			if r.Channel.ID != "etv.co.za" || r.Show.ID != "backstage" {
				t.Errorf("channel, show: got %q, %q; want etv.co.za, backstage", r.Channel.ID, r.Show.ID)
			}
			if r.First.String() != c.firstDate || r.Last.String() != c.lastDate {
				t.Errorf("first, last: got %q, %q; want %q, %q", r.First, r.Last, c.firstDate, c.lastDate)
			}
			if r.Replays != c.replays {
				t.Errorf("replays: got %q, want %q", r.Replays, c.replays)
			}
			if !st.First.Start.Equal(c.first) || st.First.Episode != c.firstEp {
				t.Errorf("first airing: got episode %d at %v, want episode %d at %v", st.First.Episode, st.First.Start, c.firstEp, c.first)
			}
			if !st.Last.Start.Equal(c.last) || st.Last.Episode != c.lastEp {
				t.Errorf("last airing: got episode %d at %v, want episode %d at %v", st.Last.Episode, st.Last.Start, c.lastEp, c.last)
			}
			var got []string
			for _, a := range r.Assumptions {
				if strings.TrimSpace(a.Note) == "" {
					t.Errorf("assumption %q has no note", a.Field)
				}
				got = append(got, a.Field)
			}
			if strings.Join(got, ",") != strings.Join(c.assumptions, ",") {
				t.Errorf("assumptions: got %q, want %q", got, c.assumptions)
			}
		})
	}
}

// TestDefaultFileMarksAssumptions checks that the embedded file itself
// labels each assumed value in a comment, for the people who copy it.
func TestDefaultFileMarksAssumptions(t *testing.T) {
	text := strings.Join(strings.Fields(string(schedfile.DefaultFile())), " ")
	for _, want := range []string{
		"length: 30m # ASSUMPTION", // both runs
		"episodes: first: 1 # ASSUMPTION",
		"# ASSUMPTION: no pre-emptions",
		`slot: "40 16 * * 1-5" # 16:40 is sourced; ASSUMPTION`,
		"# last: none given # ASSUMPTION",
		"run: original # ASSUMPTION",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the default file does not mark %q", want)
		}
	}
	if n := strings.Count(text, "length: 30m # ASSUMPTION"); n != 2 {
		t.Errorf("got %d lengths marked ASSUMPTION, want 2", n)
	}
}

// header is the start of every file in the tables below: 8 lines, so the
// first run starts on line 9.
const header = `timezone: Africa/Johannesburg
shows:
  - id: s
    title: S
channels:
  - id: c.example
    name: C
runs:
`

// runA is a good run of 23 weekday slots, lines 9 to 17.
const runA = `  - name: a
    show: s
    channel: c.example
    slot: "30 18 * * 1-5"
    first: 2000-05-01
    last: 2000-05-31
    length: 30m
    episodes:
      first: 1
`

// badFiles are schedule files that Parse must reject. Each error must
// name the file, the line when line is set, and every string in want
// (the bad value, and the field where it helps).
var badFiles = []struct {
	name string
	yaml string
	line int
	want []string
}{
	{"empty file", "", 0, []string{"empty"}},
	{"only comments", "# a schedule\n", 0, []string{"empty"}},
	{"no runs", "name: x\n", 0, []string{"no runs"}},
	{"empty runs", header[:len(header)-1] + " []\n", 0, []string{"no runs"}},
	{"malformed YAML", header + "  - name: [a\n", 0, []string{"did not find expected"}},
	{"tab indentation", "runs:\n\t- name: x\n", 2, nil},
	{"not a mapping", "- a\n- b\n", 1, []string{"!!seq"}},
	{"unknown top-level key", "nmae: x\n" + header + runA, 1, []string{`"nmae"`}},
	{"unknown show key", strings.Replace(header, "    title: S\n", "    title: S\n    contry: ZA\n", 1) + runA, 5, []string{`"contry"`}},
	{"unknown credits key", strings.Replace(header, "    title: S\n", "    title: S\n    credits:\n      actor: [X]\n", 1) + runA, 6, []string{`"actor"`}},
	{"unknown channel key", strings.Replace(header, "    name: C\n", "    nmae: C\n", 1) + runA, 7, []string{`"nmae"`}},
	{"unknown run key", header + runA + "    lenght: 30m\n", 18, []string{`"lenght"`}},
	{"unknown episodes key", header + runA + "      cuont: 5\n", 18, []string{`"cuont"`}},
	{"unknown replay key", header + runA + strings.Replace(replayB, "      from: 1\n", "      form: 1\n", 1), 26, []string{`"form"`}},
	{"unknown assumption", header + runA + "    assumptions:\n      colour: blue\n", 19, []string{`"colour"`}},
	{"duplicate key", header + runA + "    length: 25m\n", 18, []string{`"length"`}},
	{"unknown key with a space", header + runA + "    my key: 1\n", 18, []string{`unknown key "my key"`}},
	{"unknown key in a merged mapping", "base: &base {lenght: 30m}\n" + header + runA + "    <<: *base\n", 1, []string{`unknown key "base"; line 1: unknown key "lenght"`}},
	{"unknown keys in file order", "nmae: x\n" + header + runA + "    lenght: 30m\n", 1, []string{`unknown key "nmae"; line 19: unknown key "lenght"`}},
	{"bad cron spec", header + strings.Replace(runA, "30 18 * * 1-5", "61 18 * * 1-5", 1), 12, []string{`"61 18 * * 1-5"`, "slot"}},
	{"four-field cron spec", header + strings.Replace(runA, "30 18 * * 1-5", "30 18 * *", 1), 12, []string{`"30 18 * *"`, "slot"}},
	{"empty cron spec", header + strings.Replace(runA, `"30 18 * * 1-5"`, `""`, 1), 12, []string{"slot"}},
	{"missing cron spec", header + strings.Replace(runA, "    slot: \"30 18 * * 1-5\"\n", "", 1), 9, []string{"slot"}},
	{"CRON_TZ= without fields", header + strings.Replace(runA, "30 18 * * 1-5", "CRON_TZ=UTC", 1), 12, []string{`"CRON_TZ=UTC"`}},
	{"CRON_TZ= alone", header + strings.Replace(runA, "30 18 * * 1-5", "CRON_TZ=", 1), 12, []string{`"CRON_TZ="`}},
	{"TZ= with fields", header + strings.Replace(runA, "30 18 * * 1-5", "TZ=Europe/London 30 18 * * 1-5", 1), 12, []string{`"TZ=Europe/London 30 18 * * 1-5"`}},
	{"unknown top-level zone", strings.Replace(header, "Africa/Johannesburg", "Africa/Jozi", 1) + runA, 1, []string{`"Africa/Jozi"`, "timezone"}},
	{"unknown run zone", header + runA + "    timezone: Mars/Olympus_Mons\n", 18, []string{`"Mars/Olympus_Mons"`, "timezone"}},
	{"Local zone", header + runA + "    timezone: Local\n", 18, []string{`"Local"`, "timezone"}},
	{"no zone at all", strings.TrimPrefix(header, "timezone: Africa/Johannesburg\n") + runA, 8, []string{`"a"`, "timezone"}},
	{"last before first", header + strings.Replace(runA, "last: 2000-05-31", "last: 2000-04-30", 1), 14, []string{`"2000-04-30"`, "last"}},
	{"zero length", header + strings.Replace(runA, "length: 30m", "length: 0s", 1), 15, []string{`"0s"`, "length"}},
	{"bare zero length", header + strings.Replace(runA, "length: 30m", "length: 0", 1), 15, []string{"`0`", "Duration"}},
	{"negative length", header + strings.Replace(runA, "length: 30m", "length: -30m", 1), 15, []string{`"-30m`, "length"}},
	{"length not a duration", header + strings.Replace(runA, "length: 30m", "length: half an hour", 1), 15, []string{"half an"}},
	{"malformed date", header + strings.Replace(runA, "first: 2000-05-01", "first: 2003-02-30", 1), 13, []string{`"2003-02-30"`}},
	{"date in another format", header + strings.Replace(runA, "last: 2000-05-31", "last: 31/05/2000", 1), 14, []string{`"31/05/2000"`}},
	{"malformed revised time", "revised: yesterday\n" + header + runA, 1, []string{`"yesterday"`}},
	{"malformed exception", header + runA + "    exceptions: [2000-05-32]\n", 18, []string{`"2000-05-32"`}},
	{"missing first", header + strings.Replace(runA, "    first: 2000-05-01\n", "", 1), 9, []string{"first", "missing"}},
	{"new episodes with no end", header + strings.Replace(runA, "    last: 2000-05-31\n", "", 1), 9, []string{"last"}},
	{"episode 0", header + strings.Replace(runA, "      first: 1", "      first: 0", 1), 17, []string{`"0"`, "episodes.first"}},
	{"negative count", header + runA + "      count: -3\n", 18, []string{`"-3"`, "episodes.count"}},
	{"episodes and replay", header + runA + "    replay:\n      run: a\n", 9, []string{"either"}},
	{"unknown show", header + strings.Replace(runA, "show: s", "show: t", 1), 10, []string{`"t"`, "show"}},
	{"unknown channel", header + strings.Replace(runA, "channel: c.example", "channel: sabc1.co.za", 1), 11, []string{`"sabc1.co.za"`, "channel"}},
	{"duplicate show", strings.Replace(header, "channels:", "  - id: s\n    title: T\nchannels:", 1) + runA, 5, []string{`"s"`}},
	{"show without title", strings.Replace(header, "    title: S\n", "", 1) + runA, 3, []string{`"s"`, "title"}},
	{"show image not http", strings.Replace(header, "    title: S\n", "    title: S\n    image: ftp://example.org/s.png\n", 1) + runA, 5, []string{`"s"`, "image", `"ftp://example.org/s.png"`}},
	{"channel icon with a space", strings.Replace(header, "    name: C\n", "    name: C\n    icon: assets/my logo.png\n", 1) + runA, 8, []string{`"c.example"`, "icon", `"assets/my logo.png"`}},
	{"empty channel icon", strings.Replace(header, "    name: C\n", "    name: C\n    icon: \"\"\n", 1) + runA, 8, []string{"icon", "empty"}},
	{"duplicate channel", strings.Replace(header, "runs:", "  - id: c.example\nruns:", 1) + runA, 8, []string{`"c.example"`}},
	{"duplicate run name", header + runA + strings.Replace(runA, "30 18", "30 20", 1), 18, []string{`"a"`, "name"}},
	{"run without a name", header + strings.Replace(runA, "  - name: a\n    show: s\n", "  - show: s\n", 1), 9, []string{"name"}},
	{"replay of an unknown run", header + runA + strings.Replace(replayB, "run: a", "run: z", 1), 25, []string{`"z"`, "replay.run"}},
	{"replay of itself", header + runA + strings.Replace(replayB, "run: a", "run: b", 1), 25, []string{`"b"`, "circle"}},
	{"replay circle", header + runA + strings.Replace(replayB, "run: a", "run: c", 1) + strings.Replace(strings.Replace(strings.Replace(replayB, "name: b", "name: c", 1), "30 20", "30 21", 1), "run: a", "run: b", 1), 25, []string{`"c"`, "circle", "[b c b]"}},
	{"replay from an episode never aired", header + runA + strings.Replace(replayB, "from: 1", "from: 24", 1), 26, []string{`"24"`, "replay.from"}},
	{"replay to before from", header + runA + strings.Replace(replayB, "from: 1", "from: 5\n      to: 3", 1), 27, []string{`"3"`, "replay.to"}},
	{"replay to an episode never aired", header + runA + strings.Replace(replayB, "from: 1", "from: 5\n      to: 99", 1), 27, []string{`"99"`, "replay.to"}},
	{"replay from 0", header + runA + strings.Replace(replayB, "from: 1", "from: 0", 1), 26, []string{`"0"`, "replay.from"}},
	{"overlapping slots", header + runA + strings.Replace(strings.Replace(runA, "name: a", "name: b", 1), "30 18", "45 18", 1), 0,
		[]string{"overlapping", "c.example", `run "a" episode 1 2000-05-01 18:30`, `run "b" episode 1 2000-05-01 18:45`}},
	{"no slot at all", header + strings.Replace(runA, "30 18 * * 1-5", "0 0 30 2 *", 1), 0, []string{"no run has any slot"}},
	// Dates outside the years 1900 to 2200. In UTC the day after
	// 0000-12-31 starts at Go's zero Time, which reads as "no end".
	{"last in year 0", header + strings.Replace(strings.Replace(runA, "first: 2000-05-01", "first: 0000-01-01", 1), "last: 2000-05-31", "last: 0000-12-31", 1), 13, []string{`"0000-01-01"`, "first", "1900 to 2200"}},
	{"last in year 0 in UTC", strings.Replace(header, "Africa/Johannesburg", "UTC", 1) + strings.Replace(runA, "last: 2000-05-31", "last: 0000-12-31", 1), 14, []string{`"0000-12-31"`, "last", "1900 to 2200"}},
	{"first before 1900", header + strings.Replace(runA, "first: 2000-05-01", "first: 1899-12-31", 1), 13, []string{`"1899-12-31"`, "first"}},
	{"last after 2200", header + strings.Replace(runA, "last: 2000-05-31", "last: 9999-12-31", 1), 14, []string{`"9999-12-31"`, "last"}},
	{"exception after 2200", header + runA + "    exceptions: [2000-05-02, 2201-01-01]\n", 18, []string{`"2201-01-01"`, "exceptions"}},
	{"slots past 2200", header + strings.Replace(strings.Replace(runA, "first: 2000-05-01", "first: 2200-12-25", 1), "    last: 2000-05-31\n", "", 1) + "      count: 20\n", 9, []string{"2200-12-31", "last"}},
	{"revised in year 0", "revised: 0000-01-01T00:00:00Z\n" + header + runA, 1, []string{`"0000-01-01T00:00:00Z"`, "revised", "1900 to 2200"}},
	// Episode numbers that would wrap the 32 bits a schedule keeps them in.
	{"first episode too large", header + strings.Replace(runA, "      first: 1", "      first: 2147483648", 1), 17, []string{`"2147483648"`, "episodes.first"}},
	{"episodes wrap", header + strings.Replace(runA, "      first: 1", "      first: 2147483646", 1), 17, []string{`"2147483646"`, "episodes.first", "past 2147483647"}},
	{"count wraps", header + strings.Replace(runA, "      first: 1", "      first: 2147483640\n      count: 10", 1), 18, []string{`"10"`, "episodes.count", "past 2147483647"}},
	{"too many keys", "shows: []\nchannels: []\nruns: []\n" + keys("", "k", 101), 1, []string{"a mapping of 104 keys: want at most 100"}},
	{"too many keys in a run", header + runA + "    assumptions:\n" + keys("      ", "k", 101), 19, []string{"a mapping of 101 keys"}},
	{"episode title twice", strings.Replace(header, "    title: S\n", "    title: S\n    episode_titles:\n      1: Pilot\n      2: Two\n      1: Again\n", 1) + runA, 8, []string{"episode 1 given twice, first on line 6"}},
	{"episode title not a number", strings.Replace(header, "    title: S\n", "    title: S\n    episode_titles: {one: Pilot}\n", 1) + runA, 5, []string{"`one`", "int"}},
	{"replay to too large", header + runA + strings.Replace(replayB, "from: 1", "from: 1\n      to: 4294967297", 1), 27, []string{`"4294967297"`, "replay.to"}},
	// Values repeated in every airing, and the number of airings.
	{"a title of 500,000 characters", strings.Replace(header, "title: S", "title: "+strings.Repeat("x", 500_000), 1) + runA, 3, []string{`show "s": title is 500000 characters long: want at most 200`}},
	{"a long synopsis", strings.Replace(header, "title: S", "title: S\n    synopsis: "+strings.Repeat("é", 4001), 1) + runA, 3, []string{"synopsis is 4001 characters long: want at most 4000"}},
	{"a long actor", strings.Replace(header, "title: S", "title: S\n    credits: {actors: [A, "+strings.Repeat("b", 201)+"]}", 1) + runA, 3, []string{`actors: "bbbb`, "is 201 characters long"}},
	{"many genres", strings.Replace(header, "title: S", "title: S\n    genres: ["+strings.Repeat("g, ", 100)+"g]", 1) + runA, 3, []string{"genres: 101 of them: want at most 100"}},
	{"a show's text in all", strings.Replace(header, "title: S", "title: S\n    synopsis: "+strings.Repeat("s", 4000)+"\n    credits: {actors: ["+strings.Repeat(strings.Repeat("a", 199)+", ", 21)+"a]}", 1) + runA, 3, []string{"repeated in every airing, are 8181 characters in all: want at most 8000"}},
	{"a long episode title", strings.Replace(header, "title: S", "title: S\n    episode_titles: {3: "+strings.Repeat("t", 201)+", 2: "+strings.Repeat("t", 202)+"}", 1) + runA, 3, []string{"episode_titles: episode 2 is 202 characters long"}},
	{"a long channel name", strings.Replace(header, "name: C", "name: "+strings.Repeat("c", 201), 1) + runA, 6, []string{`channel "c.example": name is 201 characters long`}},
	{"a long source", "source: " + strings.Repeat("s", 4001) + "\n" + header + runA, 0, []string{"source is 4001 characters long"}},
	{"a long assumption", header + runA + "    assumptions: {length: " + strings.Repeat("n", 4001) + "}\n", 18, []string{`run "a": assumptions: length is 4001 characters long`}},
	{"hourly over 300 years", strings.Replace(header, "Africa/Johannesburg", "UTC", 1) + strings.Replace(strings.Replace(strings.Replace(runA, "30 18 * * 1-5", "0 * * * *", 1), "2000-05-01", "1900-01-01", 1), "2000-05-31", "2199-12-31", 1), 12, []string{"up to 2629752 slots, more than the 100000 slots a schedule may hold"}},
}

// keys returns a YAML mapping of n keys, PREFIX0: 0 to PREFIXn-1: n-1,
// one a line, each line indented by indent.
func keys(indent, prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s%s%d: %d\n", indent, prefix, i, i)
	}
	return b.String()
}

// replayB replays run a, lines 18 to 26 when it follows runA: its
// replay.run is on line 25 and replay.from on 26.
const replayB = `  - name: b
    show: s
    channel: c.example
    slot: "30 20 * * 1-5"
    first: 2000-06-01
    length: 30m
    replay:
      run: a
      from: 1
`

func TestParseErrors(t *testing.T) {
	for _, c := range badFiles {
		t.Run(c.name, func(t *testing.T) {
			s, err := schedfile.Parse("bad.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatalf("Parse: got a schedule of %d slots, want an error; file:\n%s", s.Len(), c.yaml)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "bad.yaml:") {
				t.Errorf("got %q, want it to start with the file name bad.yaml:", msg)
			}
			if c.line > 0 && !mentionsLine(msg, c.line) {
				t.Errorf("got %q, want line %d", msg, c.line)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("got %q, want it to contain %s", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("got %q, want one line", msg)
			}
			if !errors.Is(err, schedule.ErrInvalid) {
				t.Errorf("got %q, want an error wrapping schedule.ErrInvalid", msg)
			}
			var fe *schedfile.Error
			if !errors.As(err, &fe) || fe.File != "bad.yaml" || (c.line > 0 && fe.Line != c.line) {
				t.Errorf("got %#v, want a *schedfile.Error for bad.yaml at line %d", err, c.line)
			}
			// One format: the position once, at the start, and no
			// "invalid schedule" or "schedule:" inside.
			for _, bad := range []string{"invalid schedule", "schedule:", ": line "} {
				if strings.Contains(msg, bad) {
					t.Errorf("got %q, want no %q in it", msg, bad)
				}
			}
		})
	}
}

// mentionsLine reports whether msg points at line n in the one form
// every error takes: "file:12: ...".
func mentionsLine(msg string, n int) bool {
	return strings.HasPrefix(msg, fmt.Sprintf("bad.yaml:%d: ", n))
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte(header+runA), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := schedfile.Load(good)
	if err != nil {
		t.Fatalf("Load(%s): %v", good, err)
	}
	if s.Len() != 23 {
		t.Errorf("Load(%s): got %d slots, want 23", good, s.Len())
	}

	missing := filepath.Join(dir, "missing.yaml")
	if _, err := schedfile.Load(missing); err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(%s): got %v, want an error naming the file and wrapping os.ErrNotExist", missing, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(header+runA+"    lenght: 30m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := schedfile.Load(bad); err == nil || !strings.HasPrefix(err.Error(), bad+":") {
		t.Errorf("Load(%s): got %v, want an error starting with the file name", bad, err)
	}
	// A file over the limit is refused unread, whatever it holds: here a
	// good schedule padded with a comment.
	big := filepath.Join(dir, "big.yaml")
	text := header + runA + "# " + strings.Repeat("x", schedfile.MaxFileSize) + "\n"
	if err := os.WriteFile(big, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := schedfile.Load(big); err == nil || err.Error() != big+": larger than 524288 bytes; is it a schedule file?" {
		t.Errorf("Load(%s): got %v, want it refused for its size", big, err)
	}
	// A file of exactly the limit is read.
	text = header + runA + "# "
	text += strings.Repeat("x", schedfile.MaxFileSize-len(text)-1) + "\n"
	if err := os.WriteFile(big, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := schedfile.Load(big); err != nil || s.Len() != 23 {
		t.Errorf("Load of %d bytes: got %v; want the schedule", len(text), err)
	}
	// A device with no end is read no further than the limit.
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := schedfile.Load("/dev/zero"); err == nil || !strings.Contains(err.Error(), "larger than 524288 bytes") {
			t.Errorf("Load(/dev/zero): got %v, want it refused for its size", err)
		}
	}
}

// TestZoneReadOnce: runs that name the schedule's zone, or one another's,
// share one *time.Location, read once, rather than each a copy of it.
func TestZoneReadOnce(t *testing.T) {
	runB := strings.Replace(strings.Replace(runA, "name: a", "name: b", 1), "30 18", "30 20", 1)
	text := header + runA + "    timezone: Africa/Johannesburg\n" + runB + "    timezone: Africa/Johannesburg\n"
	s, err := schedfile.Parse("zones.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Run("a").Location, s.Run("b").Location
	if a != s.Location() || b != s.Location() {
		t.Errorf("zones %p and %p, want both the schedule's %p", a, b, s.Location())
	}
}

// TestLongMappings reads files with a mapping of 20,000 keys: as episode
// titles they are a schedule, anywhere else they are refused. Either way
// the file is read in time linear in its size; yaml.v3 alone compares
// every key with every other, which took seconds for this file.
func TestLongMappings(t *testing.T) {
	const n = 20_000
	titles := strings.Replace(header, "    title: S\n", "    title: S\n    episode_titles:\n"+keys("      ", "", n), 1) + runA
	s, err := schedfile.Parse("titles.yaml", []byte(titles))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Shows()[0].EpisodeTitles; len(got) != n || got[n-1] != fmt.Sprint(n-1) {
		t.Errorf("got %d titles, the last %q; want %d, the last %q", len(got), got[n-1], n, fmt.Sprint(n-1))
	}
	junk := "shows: []\nchannels: []\nruns: []\n" + keys("", "k", n)
	if _, err := schedfile.Parse("junk.yaml", []byte(junk)); err == nil || err.Error() != "junk.yaml:1: a mapping of 20003 keys: want at most 100 (is this a schedule file?)" {
		t.Errorf("got %v, want the mapping refused", err)
	}
}

// TestParseContext checks that a build stopped by its context says so,
// and not that the file is wrong.
func TestParseContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := schedfile.ParseContext(ctx, "good.yaml", []byte(header+runA)); err != nil {
		t.Fatalf("ParseContext: %v", err)
	}
	cancel()
	s, err := schedfile.ParseContext(ctx, "good.yaml", []byte(header+runA))
	var fe *schedfile.Error
	if s != nil || !errors.Is(err, context.Canceled) || errors.As(err, &fe) || errors.Is(err, schedule.ErrInvalid) {
		t.Errorf("ParseContext after cancel: got %v, %v; want an error wrapping context.Canceled, not one about the file", s, err)
	}
	path := filepath.Join(t.TempDir(), "good.yaml")
	if err := os.WriteFile(path, []byte(header+runA), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := schedfile.LoadContext(ctx, path); !errors.Is(err, context.Canceled) || errors.As(err, &fe) {
		t.Errorf("LoadContext after cancel: got %v, want an error wrapping context.Canceled, not one about the file", err)
	}
}

// TestCustom loads schedule files unlike the default: a zone with daylight
// saving, two channels, exceptions, a replay with a last date.
func TestCustom(t *testing.T) {
	london := testkit.Location(t, "Europe/London")
	for _, c := range []struct {
		file  string
		slots map[string]int // run → slots
		check func(t *testing.T, s *schedule.Schedule)
	}{
		{
			file:  "london.yaml",
			slots: map[string]int{"spring": 7, "autumn": 2},
			check: func(t *testing.T, s *schedule.Schedule) {
				if got := s.Location().String(); got != "Europe/London" {
					t.Errorf("location: got %s, want Europe/London", got)
				}
				// 2021-03-28 01:30 does not exist in London: no slot that day.
				if got := s.On(schedule.Date{Year: 2021, Month: 3, Day: 28}); len(got) != 0 {
					t.Errorf("on the spring-forward day: got %d slots, want 0", len(got))
				}
				// 2021-10-31 01:30 happens twice: one slot, at the first (BST).
				got := s.On(schedule.Date{Year: 2021, Month: 10, Day: 31})
				want := time.Date(2021, 10, 31, 0, 30, 0, 0, time.UTC)
				if len(got) != 1 || !got[0].Start.Equal(want) {
					t.Errorf("on the fall-back day: got %v, want one slot at %v", got, want)
				}
				for sl := range s.Slots(schedule.Query{}) {
					if h, m, _ := sl.Start.In(london).Clock(); h != 1 || m != 30 {
						t.Errorf("slot at %v, want 01:30 London time", sl.Start)
					}
				}
			},
		},
		{
			file:  "two-channels.yaml",
			slots: map[string]int{"main": 9, "late": 3, "repeat": 4, "other": 10},
			check: func(t *testing.T, s *schedule.Schedule) {
				if got := len(s.Channels()); got != 2 {
					t.Errorf("channels: got %d, want 2", got)
				}
				if got := len(s.Shows()); got != 2 {
					t.Errorf("shows: got %d, want 2", got)
				}
				// Same time, other channel: not an overlap.
				at := time.Date(2020, 1, 6, 19, 10, 0, 0, time.UTC)
				if got := s.At(at); len(got) != 2 {
					t.Errorf("At(%v): got %d slots, want one per channel", at, len(got))
				}
				// The exception on 2020-01-08 moves episode 3 to the 9th.
				var eps []string
				for _, sl := range s.On(schedule.Date{Year: 2020, Month: 1, Day: 9}) {
					eps = append(eps, fmt.Sprint(sl.Run.Name, " ", sl.Episode))
				}
				if got, want := strings.Join(eps, ", "), "main 3, other 4"; got != want {
					t.Errorf("on 2020-01-09: got %q, want %q", got, want)
				}
				// The late run starts at 23:30 and crosses midnight.
				if got := len(s.On(schedule.Date{Year: 2020, Month: 2, Day: 4})); got != 1 {
					t.Errorf("slots on the day after the late run's first: got %d, want 1", got)
				}
				// The replay stops at its last date, with episode 4.
				var last schedule.Slot
				for _, st := range s.Stats() {
					if st.Run.Name == "repeat" {
						last = st.Last
					}
				}
				firstAired := time.Date(2020, 1, 10, 19, 0, 0, 0, time.UTC)
				if last.Episode != 4 || !last.FirstAired.Equal(firstAired) {
					t.Errorf("last repeat: got episode %d first aired %v, want episode 4 first aired %v", last.Episode, last.FirstAired, firstAired)
				}
				if got, want := s.Run("main").Show.Image, "https://img.example/main.png"; got != want {
					t.Errorf("main's image: got %q, want %q", got, want)
				}
				if got, want := s.Run("other").Channel.Icon, "assets/two.png"; got != want {
					t.Errorf("two.example's icon: got %q, want %q", got, want)
				}
				if got := s.Run("main").Channel.Icon + s.Run("other").Show.Image; got != "" {
					t.Errorf("pictures not given: got %q, want none", got)
				}
				if got := s.Run("main").Show.EpisodeTitle(1); got != "Pilot" {
					t.Errorf("title of episode 1: got %q, want Pilot", got)
				}
			},
		},
	} {
		t.Run(c.file, func(t *testing.T) {
			s, err := schedfile.Load(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range s.Stats() {
				if want, ok := c.slots[st.Run.Name]; !ok || st.Slots != want {
					t.Errorf("run %q: got %d slots, want %d", st.Run.Name, st.Slots, want)
				}
			}
			if len(s.Stats()) != len(c.slots) {
				t.Errorf("got %d runs, want %d", len(s.Stats()), len(c.slots))
			}
			c.check(t, s)
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(schedfile.DefaultFile())
	f.Add([]byte(header + runA))
	f.Add([]byte(header + runA + replayB))
	for _, c := range badFiles {
		f.Add([]byte(c.yaml))
	}
	for _, name := range []string{"london.yaml", "two-channels.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := schedfile.Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Errorf("error %q does not start with the file name", err)
			}
			return
		}
		if s.Len() == 0 {
			t.Errorf("Parse succeeded with an empty schedule")
		}
		if len(s.Runs()) == 0 || len(s.Channels()) == 0 {
			t.Errorf("Parse succeeded with %d runs and %d channels", len(s.Runs()), len(s.Channels()))
		}
	})
}

func ExampleParse() {
	s, err := schedfile.Parse("mine.yaml", []byte(`
timezone: Europe/London
shows:
  - id: quiz
    title: The Quiz
channels:
  - id: bbc1.bbc.co.uk
    name: BBC One
runs:
  - name: first
    show: quiz
    channel: bbc1.bbc.co.uk
    slot: "0 19 * * 0"    # Sundays at 19:00, London time
    first: 2024-03-17
    length: 45m
    episodes:
      count: 3
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for sl := range s.Slots(schedule.Query{}) {
		fmt.Println(sl.Episode, sl.Start.Format("Mon 2006-01-02 15:04 MST"))
	}

	_, err = schedfile.Parse("typo.yaml", []byte(`
timezone: Europe/London
shows: [{id: quiz, title: The Quiz}]
channels: [{id: bbc1.bbc.co.uk}]
runs:
  - name: first
    show: quiz
    channel: bbc1.bbc.co.uk
    slot: "0 19 * * 0"
    first: 2024-03-17
    lenght: 45m
`))
	fmt.Println(err)
	// Output:
	// 1 Sun 2024-03-17 19:00 GMT
	// 2 Sun 2024-03-24 19:00 GMT
	// 3 Sun 2024-03-31 19:00 BST
	// typo.yaml:11: unknown key "lenght"
}

// TestLongValuesQuoted checks that errors quote at most the first 100
// characters of a value and repeat at most five of the decoder's
// complaints, whatever the file holds.
func TestLongValuesQuoted(t *testing.T) {
	long := strings.Repeat("x", 30000)
	for _, c := range []struct{ name, yaml, want string }{
		{"long run name", header + strings.Replace(runA, "name: a", "name: "+long, 1) + "    timezone: " + long + "\n", `timezone "` + long[:100] + `"…`},
		// A plain YAML key may be at most 1024 characters.
		{"long unknown key", header + runA + "    " + long[:1000] + ": 1\n", `unknown key "` + long[:100] + `"…`},
		{"long channel", header + strings.Replace(runA, "channel: c.example", "channel: "+long, 1), `channel "` + long[:100] + `"…`},
		{"many unknown keys", header + runA + keys("    ", "k", 60), `unknown key "k3"; and 56 more`},
		{"long show image", strings.Replace(header, "    title: S\n", "    title: S\n    image: ftp://"+long+"\n", 1) + runA, `image "ftp://` + long[:94] + `"…`},
		{"long channel icon", strings.Replace(header, "    name: C\n", "    name: C\n    icon: "+long+"/a b.png\n", 1) + runA, `icon "` + long[:100] + `"…`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := schedfile.Parse(long+".yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("got no error")
			}
			if msg := err.Error(); len(msg) > 600 || !strings.Contains(msg, c.want) {
				t.Errorf("got %d bytes: %.400s; want at most 600, saying %.120s", len(msg), msg, c.want)
			}
		})
	}
}
