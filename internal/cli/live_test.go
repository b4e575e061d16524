package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/cli"
	"github.com/backstage-epg/backstage/internal/grabber"
	"github.com/backstage-epg/backstage/internal/testkit"
)

// A replay lives on for 90 days with the clock fixed at a different hour
// of each day, as a media centre that grabs daily, a calendar that
// refreshes and a site published from cron live with it. Each day asks
// every way in for its window: the CLI's slots, a --days 7 grab, the
// replay calendar and a publish (its day answers and its calendar). Every
// real date must keep the airings it was first given, on every surface
// (start, run, episode, the airing it replays, the calendar's UID), and
// the channel must move on.

// liveAiring is one airing as every surface can say it.
type liveAiring struct {
	start, replayOf time.Time
	episode         int
}

func (a liveAiring) String() string {
	return fmt.Sprintf("%s ep %d replays %s", a.start.UTC().Format(time.RFC3339), a.episode, a.replayOf.UTC().Format(time.RFC3339))
}

// liveBook records what each surface said of each real date, and fails
// the test when a date is ever said otherwise.
type liveBook struct {
	t        *testing.T
	jnb      *time.Location
	said     map[string]string // date → its airings, as first said
	who      map[string]string // date → which surface first said it, on which day
	episodes map[int]bool
}

// record checks airings that surface, on day, said of the dates first
// through last; a date with no airing is said to have none.
func (b *liveBook) record(surface string, day int, first, last time.Time, airings []liveAiring) {
	b.t.Helper()
	byDate := map[string][]string{}
	for _, a := range airings {
		d := a.start.In(b.jnb).Format(time.DateOnly)
		byDate[d] = append(byDate[d], a.String())
		b.episodes[a.episode] = true
	}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		date := d.Format(time.DateOnly)
		got := byDate[date]
		slices.Sort(got)
		text := strings.Join(got, "; ")
		if was, ok := b.said[date]; ok && was != text {
			b.t.Fatalf("day %d, %s says %s has %q; %s said %q", day, surface, date, text, b.who[date], was)
		}
		if _, ok := b.said[date]; !ok {
			b.said[date], b.who[date] = text, fmt.Sprintf("%s on day %d", surface, day)
		}
	}
}

func TestReplayLivesOn90Days(t *testing.T) {
	if testing.Short() {
		t.Skip("lives through 90 days of publishes; skipped with -short")
	}
	jnb := testkit.Location(t, "Africa/Johannesburg")
	book := &liveBook{t: t, jnb: jnb, said: map[string]string{}, who: map[string]string{}, episodes: map[int]bool{}}
	uids := map[string]string{} // UID → the airing it named
	home, site := t.TempDir(), filepath.Join(t.TempDir(), "site")
	config := filepath.Join(home, "grab.conf")
	if err := os.WriteFile(config, []byte("mode=replay\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	day0 := time.Date(2026, 12, 5, 0, 0, 0, 0, jnb)
	for day := range 90 {
		now := day0.AddDate(0, 0, day).Add(time.Duration(day*97%1440) * time.Minute)
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, jnb)
		nowFlag := now.Format(time.RFC3339)

		// The CLI: the window's airings, as JSON.
		out := runOK(t, now, "slots", "--replay", "--json")
		book.record("slots --replay", day, today.AddDate(0, 0, -1), today.AddDate(0, 0, 7), jsonAirings(t, out))

		// The grabber, as cron runs it daily.
		var grab, stderr bytes.Buffer
		code := grabber.Main(context.Background(), []string{"--config-file", config, "--days", "7", "--quiet"}, grabber.Env{
			Stdout: &grab, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: func() time.Time { return now },
		})
		if code != 0 {
			t.Fatalf("day %d: grab: exit %d: %s", day, code, &stderr)
		}
		book.record("a --days 7 grab", day, today, today.AddDate(0, 0, 6), xmltvAirings(t, grab.Bytes()))

		// The replay calendar, and each UID's airing.
		ics := runOK(t, now, "export", "ics", "--replay", "--now", nowFlag)
		book.record("export ics --replay", day, today.AddDate(0, 0, -1), today.AddDate(0, 0, 7), icsAirings(t, ics, uids))

		// A publish into the same folder, day after day; every third
		// day in a default run, whose windows still overlap (a publish
		// writes most of a replay site anew each day).
		if day%3 != 0 && !testkit.Full() {
			continue
		}
		runOK(t, now, "publish", site, "--replay", "--quiet", "--now", nowFlag)
		var published []liveAiring
		for d := today.AddDate(0, 0, -1); !d.After(today.AddDate(0, 0, 7)); d = d.AddDate(0, 0, 1) {
			data, err := os.ReadFile(filepath.Join(site, "api", "v1", "days", d.Format(time.DateOnly)+".json"))
			if err != nil {
				t.Fatalf("day %d: the published site lacks %s: %v", day, d.Format(time.DateOnly), err)
			}
			published = append(published, jsonAirings(t, data)...)
		}
		book.record("a publish", day, today.AddDate(0, 0, -1), today.AddDate(0, 0, 7), published)
		cal, err := os.ReadFile(filepath.Join(site, "calendar.ics"))
		if err != nil {
			t.Fatal(err)
		}
		book.record("the published calendar", day, today.AddDate(0, 0, -1), today.AddDate(0, 0, 7), icsAirings(t, cal, uids))
	}
	if n := len(book.episodes); n < 40 {
		t.Errorf("90 days aired %d distinct episodes, want the channel to move on (at least 40)", n)
	}
	t.Logf("90 days, %d dates, %d distinct episodes, %d UIDs", len(book.said), len(book.episodes), len(uids))
}

// TestDailyGrabsMerge: a week of daily grabs of seven days each, merged
// with XMLTV's tv_merge, is the grab of all their days at once: the
// grabs agree on every programme they share and duplicate none.
func TestDailyGrabsMerge(t *testing.T) {
	testkit.SkipUnlessFull(t, "six tv_merge runs take ~9 s")
	tvMerge := testkit.Tool(t, "tv_merge")
	jnb := testkit.Location(t, "Africa/Johannesburg")
	dir := t.TempDir()
	config := filepath.Join(dir, "grab.conf")
	if err := os.WriteFile(config, []byte("mode=replay\nreplay-start=2026-11-30\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	grab := func(now time.Time, out string, args ...string) {
		t.Helper()
		var stderr bytes.Buffer
		code := grabber.Main(context.Background(), append([]string{"--config-file", config, "--quiet", "--output", out}, args...), grabber.Env{
			Stdout: &stderr, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: func() time.Time { return now },
		})
		if code != 0 {
			t.Fatalf("grab on %v: exit %d: %s", now, code, &stderr)
		}
	}
	day0 := time.Date(2026, 12, 3, 21, 0, 0, 0, jnb) // a Thursday evening; the week runs over New Year's week
	merged := filepath.Join(dir, "merged.xml")
	for i := range 7 {
		daily := filepath.Join(dir, fmt.Sprintf("day%d.xml", i))
		grab(day0.AddDate(0, 0, i), daily, "--days", "7")
		if i == 0 {
			if err := os.Rename(daily, merged); err != nil {
				t.Fatal(err)
			}
			continue
		}
		next := merged + ".new"
		if out, err := exec.Command(tvMerge, "-i", merged, "-m", daily, "-o", next).CombinedOutput(); err != nil {
			t.Fatalf("tv_merge: %v\n%s", err, out)
		}
		if err := os.Rename(next, merged); err != nil {
			t.Fatal(err)
		}
	}
	whole := filepath.Join(dir, "whole.xml")
	grab(day0, whole, "--days", "13")
	read := func(path string) []string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range parseProgrammes(t, data) {
			out = append(out, p.Start+" "+p.Title+" "+p.SubTitle+" "+p.Previously.Start)
		}
		slices.Sort(out)
		return out
	}
	got, want := read(merged), read(whole)
	if !slices.Equal(got, want) || len(want) != 13 {
		t.Errorf("tv_merge of a week of daily grabs holds %d programmes:\n%s\nthe grab of those 13 days %d:\n%s",
			len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
}

func runOK(t *testing.T, now time.Time, args ...string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := cli.Main(context.Background(), args, cli.Env{Stdout: &out, Stderr: &errOut, Now: func() time.Time { return now }}); code != 0 {
		t.Fatalf("backstage %s: exit %d: %s", strings.Join(args, " "), code, &errOut)
	}
	return out.Bytes()
}

func jsonAirings(t *testing.T, data []byte) []liveAiring {
	t.Helper()
	var as []struct {
		Start    time.Time `json:"start"`
		ReplayOf time.Time `json:"replay_of"`
		Episode  int       `json:"episode"`
	}
	if err := json.Unmarshal(data, &as); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	out := make([]liveAiring, len(as))
	for i, a := range as {
		out[i] = liveAiring{start: a.Start, replayOf: a.ReplayOf, episode: a.Episode}
	}
	return out
}

type xmltvProgramme struct {
	Start    string `xml:"start,attr"`
	Title    string `xml:"title"`
	SubTitle string `xml:"sub-title"`
	Episodes []struct {
		System string `xml:"system,attr"`
		Text   string `xml:",chardata"`
	} `xml:"episode-num"`
	Previously struct {
		Start string `xml:"start,attr"`
	} `xml:"previously-shown"`
}

func parseProgrammes(t *testing.T, data []byte) []xmltvProgramme {
	t.Helper()
	var tv struct {
		Programmes []xmltvProgramme `xml:"programme"`
	}
	if err := xml.Unmarshal(data, &tv); err != nil {
		t.Fatal(err)
	}
	return tv.Programmes
}

// xmltvAirings reads a guide's programmes of the show: the "No airing"
// programmes of empty days are not airings.
func xmltvAirings(t *testing.T, data []byte) []liveAiring {
	t.Helper()
	const layout = "20060102150405 -0700"
	var out []liveAiring
	for _, p := range parseProgrammes(t, data) {
		if p.Title != "Backstage" {
			continue
		}
		start, err := time.Parse(layout, p.Start)
		if err != nil {
			t.Fatal(err)
		}
		replayOf, err := time.Parse(layout, p.Previously.Start)
		if err != nil {
			t.Fatalf("programme at %s: previously-shown %q: %v", p.Start, p.Previously.Start, err)
		}
		a := liveAiring{start: start, replayOf: replayOf}
		for _, e := range p.Episodes {
			if e.System == "onscreen" {
				fmt.Sscanf(e.Text, "E%d", &a.episode)
			}
		}
		out = append(out, a)
	}
	return out
}

var (
	uidForm     = regexp.MustCompile(`^(\d{8}T\d{6}Z)-[^@]*-replay-(\d{8}T\d{6}Z)@`)
	episodeForm = regexp.MustCompile(`Episode (\d+)`)
)

// icsAirings reads a calendar's events, each from its UID (its start and
// the airing it replays) and SUMMARY (its episode), and checks that a UID
// seen before names the same airing: uids maps each UID to it.
func icsAirings(t *testing.T, data []byte, uids map[string]string) []liveAiring {
	t.Helper()
	unfolded := strings.ReplaceAll(string(data), "\r\n ", "")
	var out []liveAiring
	for _, ev := range strings.Split(unfolded, "BEGIN:VEVENT\r\n")[1:] {
		var uid, summary string
		for _, line := range strings.Split(ev, "\r\n") {
			if v, ok := strings.CutPrefix(line, "UID:"); ok {
				uid = v
			}
			if v, ok := strings.CutPrefix(line, "SUMMARY:"); ok {
				summary = v
			}
		}
		m, e := uidForm.FindStringSubmatch(uid), episodeForm.FindStringSubmatch(summary)
		if m == nil || e == nil {
			t.Fatalf("an event with UID %q and SUMMARY %q", uid, summary)
		}
		start, _ := time.Parse("20060102T150405Z", m[1])
		replayOf, _ := time.Parse("20060102T150405Z", m[2])
		a := liveAiring{start: start, replayOf: replayOf}
		fmt.Sscanf(e[1], "%d", &a.episode)
		if was, ok := uids[uid]; ok && was != a.String() {
			t.Fatalf("UID %s named %s, now %s", uid, was, a)
		}
		uids[uid] = a.String()
		out = append(out, a)
	}
	return out
}

// TestSubscriptionLivesOn subscribes to a published replay calendar as
// khal users do, with vdirsyncer's http storage syncing it into a folder
// that khal reads, and refreshes it daily for a month, publishing anew
// each day: an airing never changes episode or time, never appears twice,
// and an event vdirsyncer has stays the same file (vdirsyncer names
// events by a hash of their text, the calendar's own properties folded
// in, so a calendar whose header changed daily would have every event
// deleted and made again each day).
func TestSubscriptionLivesOn(t *testing.T) {
	testkit.SkipUnlessFull(t, "a month of vdirsyncer and khal runs takes ~40 s")
	vdirsyncer, khal := testkit.Tool(t, "vdirsyncer"), testkit.Tool(t, "khal")
	jnb := testkit.Location(t, "Africa/Johannesburg")
	dir := t.TempDir()
	site, cal := filepath.Join(dir, "site"), filepath.Join(dir, "cal")
	if err := os.MkdirAll(cal, 0o755); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(site)))
	defer srv.Close()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	vconf := write("vdirsyncer.conf", fmt.Sprintf(`[general]
status_path = "%[1]s/status/"

[pair backstage]
a = "web"
b = "local"
collections = null
conflict_resolution = "a wins"

[storage web]
type = "http"
url = "%[2]s/calendar.ics"

[storage local]
type = "filesystem"
path = "%[3]s/"
fileext = ".ics"
`, dir, srv.URL, cal))
	kconf := write("khal.conf", fmt.Sprintf(`[calendars]
[[backstage]]
path = %s/
type = calendar
[locale]
timeformat = %%H:%%M
dateformat = %%Y-%%m-%%d
longdateformat = %%Y-%%m-%%d
datetimeformat = %%Y-%%m-%%d %%H:%%M
longdatetimeformat = %%Y-%%m-%%d %%H:%%M
local_timezone = Africa/Johannesburg
default_timezone = Africa/Johannesburg
`, cal))
	env := append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	tool := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	seen := map[string]string{}  // "date time" → the title khal showed
	files := map[string]string{} // "date time" → the file vdirsyncer keeps it in
	day0 := time.Date(2026, 12, 5, 7, 0, 0, 0, jnb)
	for day := range 30 {
		now := day0.AddDate(0, 0, day)
		runOK(t, now, "publish", site, "--replay", "--quiet", "--now", now.Format(time.RFC3339))
		if day == 0 {
			tool(vdirsyncer, "-c", vconf, "discover")
		}
		tool(vdirsyncer, "-c", vconf, "sync")
		// The window: yesterday to a week on.
		from := now.AddDate(0, 0, -1).Format(time.DateOnly)
		list := tool(khal, "-c", kconf, "list", "--format", "{start} {end} {title} {uid}", "--day-format", "", from, "9d")
		times := map[string]bool{}
		for line := range strings.Lines(list) {
			f := strings.Fields(line)
			if len(f) < 6 {
				continue
			}
			at, title, uid := f[0]+" "+f[1], strings.Join(f[4:len(f)-1], " "), f[len(f)-1]
			if times[at] {
				t.Errorf("day %d: two events at %s", day, at)
			}
			times[at] = true
			if was, ok := seen[at]; ok && was != title {
				t.Errorf("day %d: the event at %s was %q, now %q", day, at, was, title)
			}
			if was, ok := files[at]; ok && was != uid {
				t.Errorf("day %d: the event at %s was made again (%s, now %s)", day, at, was, uid)
			}
			seen[at], files[at] = title, uid
		}
		if len(times) == 0 {
			t.Fatalf("day %d: khal lists nothing:\n%s", day, list)
		}
	}
	t.Logf("a month of daily refreshes: %d airings, each listed the same way every day", len(seen))
}
