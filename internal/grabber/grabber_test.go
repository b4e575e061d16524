package grabber_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/grabber"
	"github.com/backstage-epg/backstage/internal/process"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/internal/version"
	"github.com/backstage-epg/backstage/schedule"
)

// The days of the week of Monday 2026-11-23, at 20:00 in Johannesburg.
var week = func() []time.Time {
	var days []time.Time
	for d := 23; d <= 29; d++ {
		days = append(days, time.Date(2026, 11, d, 18, 0, 0, 0, time.UTC))
	}
	return days
}()

// thursday is the present of most tests: Thursday 2026-11-26 20:00 SAST.
var thursday = week[3]

// machine is a home folder for the grabber, with a fixed clock.
type machine struct {
	t    *testing.T
	home string
	now  time.Time
	env  map[string]string // more environment, beside HOME
}

func newMachine(t *testing.T, now time.Time) *machine {
	return &machine{t: t, home: t.TempDir(), now: now, env: map[string]string{}}
}

// run runs the grabber as Main does, with stdin (at a terminal when
// interactive) and ctx.
func (m *machine) runCtx(ctx context.Context, stdin string, interactive bool, args ...string) (code int, stdout, stderr string) {
	m.t.Helper()
	var out, errOut bytes.Buffer
	code = grabber.Main(ctx, args, grabber.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string {
			if k == "HOME" {
				return m.home
			}
			return m.env[k]
		},
		Now:         func() time.Time { return m.now },
		Interactive: interactive,
	})
	return code, out.String(), errOut.String()
}

func (m *machine) run(args ...string) (code int, stdout, stderr string) {
	m.t.Helper()
	return m.runCtx(context.Background(), "", false, args...)
}

// configFile is where the grabber keeps its configuration on m.
func (m *machine) configFile() string {
	return filepath.Join(m.home, ".xmltv", "tv_grab_za_backstage.conf")
}

// configure writes the default configuration, then the given lines.
func (m *machine) configure(lines ...string) {
	m.t.Helper()
	if code, _, stderr := m.run("--configure", "--quiet"); code != 0 {
		m.t.Fatalf("--configure: exit %d: %s", code, stderr)
	}
	if len(lines) == 0 {
		return
	}
	if err := os.WriteFile(m.configFile(), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		m.t.Fatal(err)
	}
}

// grab runs a grab that must succeed and returns the guide.
func (m *machine) grab(args ...string) string {
	m.t.Helper()
	code, stdout, stderr := m.run(append([]string{"--quiet"}, args...)...)
	if code != 0 || stderr != "" {
		m.t.Fatalf("%q: exit %d: %s", args, code, stderr)
	}
	return stdout
}

var programmeElement = regexp.MustCompile(`(?s)  <programme start="(\d{8})(\d{4})\d\d [^"]*".*?<title[^>]*>([^<]*)</title>.*?</programme>\n`)

// programmes returns the programmes of a guide, each as its element.
func programmes(guide string) []string {
	return programmeElement.FindAllString(guide, -1)
}

// summary lists a guide's programmes as "YYYYMMDD HHMM title".
func summary(guide string) []string {
	var out []string
	for _, m := range programmeElement.FindAllStringSubmatch(guide, -1) {
		out = append(out, m[1]+" "+m[2]+" "+m[3])
	}
	return out
}

// TestAnswers checks the answers that need no configuration, as
// tv_find_grabbers and tv_validate_grabber ask them.
func TestAnswers(t *testing.T) {
	m := newMachine(t, thursday)
	for _, c := range []struct {
		arg, want string
	}{
		{"--capabilities", "baseline\nmanualconfig\npreferredmethod\n"},
		{"--preferredmethod", "allatonce\n"},
		{"--description", "South Africa (Backstage on e.tv, replayed)\n"},
		{"--version", "This is tv_grab_za_backstage version " + version.Number + "\n"},
	} {
		code, stdout, stderr := m.run(c.arg)
		if code != 0 || stdout != c.want || stderr != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0 and %q", c.arg, code, stdout, stderr, c.want)
		}
	}
	code, stdout, _ := m.run("--help")
	for _, w := range []string{"tv_grab_za_backstage --configure [--config-file FILE]", "[--days N] [--offset N]", "[--output FILE] [--quiet] [--debug]"} {
		if code != 0 || !strings.Contains(stdout, w) {
			t.Errorf("--help: exit %d, lacks %q:\n%s", code, w, stdout)
		}
	}
}

// TestConfigureWithoutTerminal: with no one to ask, --configure writes
// the defaults, prints nothing on standard output, and a grab then works.
func TestConfigureWithoutTerminal(t *testing.T) {
	m := newMachine(t, thursday)
	code, stdout, stderr := m.run("--configure")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "configuration written to "+m.configFile()) {
		t.Fatalf("--configure: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	got, err := os.ReadFile(m.configFile())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := grabber.DefaultConfig.MarshalText()
	if !bytes.Equal(got, want) {
		t.Errorf("configuration:\n%s\nwant the defaults:\n%s", got, want)
	}
	if c, err := grabber.LoadConfig(context.Background(), m.configFile()); err != nil || c != grabber.DefaultConfig {
		t.Errorf("read back as %+v, %v", c, err)
	}
	if n := len(programmes(m.grab("--days", "1"))); n != 1 {
		t.Errorf("today's guide has %d programmes, want 1", n)
	}

	// Another file, in folders that do not exist yet; --quiet says nothing.
	other := filepath.Join(m.home, "a", "b", "grabber.conf")
	if code, stdout, stderr := m.run("--configure", "--config-file", other, "--quiet"); code != 0 || stdout+stderr != "" {
		t.Errorf("--configure --config-file --quiet: exit %d, output %q", code, stdout+stderr)
	}
	if _, err := grabber.LoadConfig(context.Background(), other); err != nil {
		t.Error(err)
	}

	// A broken file is kept: nobody is there to say it may go.
	if err := os.WriteFile(other, []byte("loop=perhaps\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = m.run("--configure", "--config-file", other)
	if data, _ := os.ReadFile(other); code != 2 || string(data) != "loop=perhaps\n" || !strings.Contains(stderr, `grabber.conf:1: loop "perhaps": want yes or no`) {
		t.Errorf("--configure over a broken file: exit %d, %s; file now %q", code, stderr, data)
	}
}

// TestConfigureAsks answers the questions as a person at a terminal
// would: Enter for the value offered, a wrong answer asked again.
func TestConfigureAsks(t *testing.T) {
	m := newMachine(t, thursday)
	dir := t.TempDir()
	sched := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(sched, schedfile.DefaultFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	answers := strings.Join([]string{
		"", // replay
		sched,
		"2003-02-30", // not a date: asked again
		"1999-06-14", // before the first airing: asked again
		"2003-06-16",
		"2026-11-25", // a Wednesday, where 2003-06-16 is a Monday: asked again
		"2027-03-01", // too far ahead to show: asked again
		"2026-11-23",
		"y",     // loop
		"maybe", // asked again
		"no",    // skip gaps
		"yes",   // mark new
		"",      // mark empty days: yes
	}, "\n") + "\n"
	code, stdout, stderr := m.runCtx(context.Background(), answers, true, "--configure")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	for _, w := range []string{"[replay]", "[first]", "day out of range", "before the first airing, 2000-05-01", "[default]",
		"a Wednesday, and the day it replays, 2003-06-16, a Monday", "more than 31 days after today", "want yes or no", "[built-in]"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("the questions lack %q:\n%s", w, stderr)
		}
	}
	c, err := grabber.LoadConfig(context.Background(), m.configFile())
	want := grabber.Config{ReplayFrom: date(t, "2003-06-16"), ReplayStart: date(t, "2026-11-23"), Loop: true, Schedule: sched, MarkNew: true, MarkEmptyDays: true}
	if err != nil || c != want {
		t.Errorf("configured %+v, %v; want %+v", c, err, want)
	}

	// Again: the file's values are offered, and input that ends early
	// keeps the rest.
	code, _, stderr = m.runCtx(context.Background(), "history\n", true, "--configure")
	c, err = grabber.LoadConfig(context.Background(), m.configFile())
	want.History = true
	if code != 0 || err != nil || c != want || !strings.Contains(stderr, "[replay]") || !strings.Contains(stderr, "["+sched+"]") {
		t.Errorf("reconfigured: exit %d, %+v, %v; want %+v\n%s", code, c, err, want, stderr)
	}
}

// TestBadInput: one line on standard error, exit status 2, and nothing
// written to --output, which keeps what it held.
func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		name   string
		config []string // nil: no configuration file
		env    map[string]string
		args   []string
		want   string
	}{
		{name: "unknown option", args: []string{"--ahdmegkeja"}, want: "unknown option --ahdmegkeja (see tv_grab_za_backstage --help)"},
		{name: "--days 0", args: []string{"--days", "0"}, want: "--days 0: want a whole number of days from 1 to 32"},
		{name: "negative --offset", args: []string{"--offset", "-1"}, want: "--offset -1: want a whole number of days from 0 to 31"},
		{name: "huge --days", args: []string{"--days", "1000000"}, want: "--days 1000000: want a whole number of days from 1 to 32"},
		{name: "past the reach", args: []string{"--offset", "30", "--days", "5"}, want: "ask for at most 2 days"},
		{name: "positional argument", args: []string{"today"}, want: `unexpected argument "today"`},
		{name: "no configuration", args: []string{}, want: "does not exist: run tv_grab_za_backstage --configure first"},
		{name: "no configuration there", config: []string{}, args: []string{"--config-file", "/nonexistent/x.conf"},
			want: "configuration file /nonexistent/x.conf does not exist: run tv_grab_za_backstage --configure --config-file /nonexistent/x.conf first"},
		{name: "configuration is a folder", config: []string{}, args: []string{"--config-file", "/"}, want: "/: is a folder; want a configuration file (fix it, or run tv_grab_za_backstage --configure)"},
		{name: "bad configuration", config: []string{"mode=replay", "replay-from=16/06/2003"},
			want: `tv_grab_za_backstage.conf:2: date "16/06/2003": not a date (want YYYY-MM-DD) (fix it, or run tv_grab_za_backstage --configure)`},
		{name: "replay start on another weekday", config: []string{"replay-from=2003-06-16", "replay-start=2026-11-25"},
			want: "tv_grab_za_backstage.conf: replay-start \"2026-11-25\": a Wednesday, and the day it replays, 2003-06-16, a Monday: the replay moves whole weeks, so want a Monday such as 2026-11-23 or 2026-11-30 (fix it, or run tv_grab_za_backstage --configure)"},
		{name: "replay from outside the history", config: []string{"replay-from=2020-01-06", "replay-start=2026-11-23"},
			want: "tv_grab_za_backstage.conf: replay-from \"2020-01-06\": after the last airing, 2016-03-11 (fix it"},
		{name: "a clock past the years", config: []string{}, env: map[string]string{grabber.NowEnv: "2200-12-31T23:59:59Z"},
			want: `TV_GRAB_ZA_BACKSTAGE_NOW="2200-12-31T23:59:59Z": its window, 2201-01-01 to`},
		{name: "missing schedule file", config: []string{"schedule=gone.yaml"}, want: "gone.yaml: open: no such file or directory"},
		{name: "bad schedule file", config: []string{"schedule=bad.yaml"}, want: "bad.yaml:1: "},
		{name: "bad clock", config: []string{}, env: map[string]string{grabber.NowEnv: "tomorrow"}, want: `TV_GRAB_ZA_BACKSTAGE_NOW="tomorrow": want an RFC 3339 time`},
		{name: "output folder missing", config: []string{}, args: []string{"--output", "/nonexistent/guide.xml"}, want: "--output /nonexistent/guide.xml: cannot write there"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t, thursday)
			for k, v := range c.env {
				m.env[k] = v
			}
			if c.config != nil {
				m.configure(c.config...)
				if err := os.WriteFile(filepath.Join(m.home, ".xmltv", "bad.yaml"), []byte("name: [unclosed\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(m.home, "guide.xml")
			if err := os.WriteFile(out, []byte("yesterday's guide"), 0o644); err != nil {
				t.Fatal(err)
			}
			args := c.args
			if !slices.Contains(args, "--output") {
				args = append(args, "--output", out)
			}
			code, stdout, stderr := m.run(args...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "tv_grab_za_backstage: ") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, and one line holding %q", code, stdout, stderr, c.want)
			}
			if data, _ := os.ReadFile(out); string(data) != "yesterday's guide" {
				t.Errorf("--output now holds %q", data)
			}
			if left, _ := filepath.Glob(filepath.Join(m.home, ".guide.xml.tmp-*")); len(left) > 0 {
				t.Errorf("temporary files left behind: %q", left)
			}
		})
	}
}

// TestInterrupted: a grab stopped through its context (SIGINT, SIGTERM)
// leaves --output as it was.
func TestInterrupted(t *testing.T) {
	m := newMachine(t, thursday)
	m.configure()
	out := filepath.Join(m.home, "guide.xml")
	if err := os.WriteFile(out, []byte("yesterday's guide"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, stderr := m.runCtx(ctx, "", false, "--output", out, "--quiet")
	if data, _ := os.ReadFile(out); code != 1 || string(data) != "yesterday's guide" || stderr != "tv_grab_za_backstage: interrupted: "+out+" left as it was\n" {
		t.Errorf("exit %d, stderr %q, --output holds %q", code, stderr, data)
	}

	// Stopped by a signal, it exits as a shell reports that signal.
	for _, c := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{{syscall.SIGINT, "SIGINT", 130}, {syscall.SIGTERM, "SIGTERM", 143}} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(process.Interrupted{Signal: c.sig})
		code, _, stderr := m.runCtx(ctx, "", false, "--output", out, "--quiet")
		want := "tv_grab_za_backstage: stopped by " + c.name + ": " + out + " left as it was\n"
		if data, _ := os.ReadFile(out); code != c.code || string(data) != "yesterday's guide" || stderr != want {
			t.Errorf("%s: exit %d, stderr %q, --output holds %q; want %d, %q and the old guide", c.name, code, stderr, data, c.code, want)
		}
	}
}

// TestInterruptedLoading: a grab stopped while it builds its schedule
// file stops there, and says what stopped it.
func TestInterruptedLoading(t *testing.T) {
	m := newMachine(t, thursday)
	sched := filepath.Join(m.home, "mine.yaml")
	if err := os.WriteFile(sched, schedfile.DefaultFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	m.configure("schedule=" + sched)
	for _, c := range []struct {
		cause  error
		code   int
		stderr string
	}{
		{nil, 1, "tv_grab_za_backstage: interrupted: nothing written\n"},
		{process.Interrupted{Signal: syscall.SIGTERM}, 143, "tv_grab_za_backstage: stopped by SIGTERM: nothing written\n"},
	} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(c.cause)
		code, stdout, stderr := m.runCtx(ctx, "", false, "--days", "1")
		if code != c.code || stdout != "" || stderr != c.stderr {
			t.Errorf("cause %v: exit %d, stdout %q, stderr %q; want %d, nothing and %q", c.cause, code, stdout, stderr, c.code, c.stderr)
		}
	}
}

// TestQuiet: --quiet prints nothing on standard error, the default one
// line, --debug more.
func TestQuiet(t *testing.T) {
	m := newMachine(t, thursday)
	m.configure()
	out := filepath.Join(m.home, "guide.xml")
	for _, c := range []struct {
		args  []string
		lines int
	}{
		{[]string{"--quiet"}, 0},
		{[]string{"--quiet", "--debug"}, 0},
		{[]string{"--quiet", "--output", out}, 0},
		{nil, 1},
		{[]string{"--debug"}, 5},
	} {
		code, stdout, stderr := m.run(append([]string{"--offset", "1", "--days", "2"}, c.args...)...)
		if code != 0 || strings.Count(stderr, "\n") != c.lines {
			t.Errorf("%q: exit %d, %d lines on standard error, want %d:\n%s", c.args, code, strings.Count(stderr, "\n"), c.lines, stderr)
		}
		if slices.Contains(c.args, "--output") != (stdout == "") {
			t.Errorf("%q: %d bytes on standard output", c.args, len(stdout))
		}
	}
	if data, err := os.ReadFile(out); err != nil || len(programmes(string(data))) != 2 {
		t.Errorf("--output: %d programmes, %v; want 2", len(programmes(string(data))), err)
	}
	// A name ending in .gz is gzipped, as backstage export's -o is.
	gz := filepath.Join(m.home, "guide.xml.gz")
	if code, stdout, stderr := m.run("--offset", "1", "--days", "2", "--quiet", "--output", gz); code != 0 || stdout+stderr != "" {
		t.Fatalf("--output %s: exit %d, %q", gz, code, stdout+stderr)
	}
	if data, err := os.ReadFile(gz); err != nil || len(programmes(string(testkit.Gunzip(t, data)))) != 2 {
		t.Errorf("--output %s: %v; want 2 programmes, gzipped", gz, err)
	}
}

func date(t *testing.T, s string) schedule.Date {
	t.Helper()
	d, err := schedule.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLongValues gives values thousands of characters long: the one
// line on standard error quotes at most the first 100 of each, as
// backstage's messages do.
func TestLongValues(t *testing.T) {
	long := strings.Repeat("x", 30000)
	m := newMachine(t, thursday)
	m.configure()
	file := filepath.Join(m.home, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// A path of many components, each short enough for the system, that
	// cannot be made: a file stands where a folder would.
	deep := file + strings.Repeat("/"+long[:200], 15)
	bad := filepath.Join(m.home, long[:200]+".conf")
	if err := os.WriteFile(bad, []byte("colour=blue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{long},
		{"--", long},
		{"--" + long},
		{"--days", long},
		{"--offset", "1" + strings.Repeat("0", 30000)},
		{"--config-file", deep},
		{"--config-file", bad},
		{"--configure", "--config-file", deep},
		{"--output", deep},
	} {
		name := strings.Join(args, " ")
		t.Run(name[:min(len(name), 40)], func(t *testing.T) {
			code, stdout, stderr := m.run(args...)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stdout %.40q, stderr %.200q; want 2, nothing, one line", code, stdout, stderr)
			}
			if len(stderr) > 600 {
				t.Errorf("%d bytes of stderr: %.300q…; want at most 600", len(stderr), stderr)
			}
		})
	}
}

// TestConfigureCannotWrite: a configuration that cannot be written is a
// usage error naming the file once, with the system's reason.
func TestConfigureCannotWrite(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc, where no folder can be made, even by root")
	}
	m := newMachine(t, thursday)
	path := "/proc/self/no-such-folder/" + strings.Repeat("x", 200) + "/grabber.conf"
	code, stdout, stderr := m.run("--configure", "--config-file", path)
	want := "tv_grab_za_backstage: --config-file " + quote.Clip(path) + ": cannot write there: no such file or directory\n"
	if code != 2 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, %q", code, stdout, stderr, want)
	}
}
