package feeds

import (
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// xmltvDTD is where Debian's xmltv-util installs the XMLTV DTD.
const xmltvDTD = "/usr/share/xmltv/xmltv.dtd"

// TestXMLTVConsumers exports real guides and hands them to xmllint and
// to the XMLTV project's own tools: xmllint and tv_validate_file check
// each against the DTD, tv_sort reports overlapping programmes and
// tv_to_text must list every programme. In CI a missing tool fails the
// test.
//
// Every guide goes through the validators, the full history and its gzip
// form included. tv_sort and tv_to_text, which take seconds on the full
// history, read representative slices of it on every run (the first
// year, the gap between the runs with the end of one and the start of
// the other, the last year, the replay windows) and the full history
// only in full runs (testkit.SkipUnlessFull).
//
// Each tool on each guide is a parallel subtest. go test runs at most
// -parallel of them at once, GOMAXPROCS by default, so the tools run one
// to a core.
func TestXMLTVConsumers(t *testing.T) {
	t.Parallel()
	xmllint := testkit.Tool(t, "xmllint")
	validate := testkit.Tool(t, "tv_validate_file")
	sort := testkit.Tool(t, "tv_sort")
	toText := testkit.Tool(t, "tv_to_text")
	dtd, err := os.ReadFile(xmltvDTD)
	if err != nil {
		testkit.Missing(t, "the XMLTV DTD (xmltv-util)", err)
	}
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("runs the XMLTV tools on eight guides; skipped with -short")
	}

	s, small := testkit.Default(t), smallSchedule(t)
	d := func(y int, m time.Month, day int) schedule.Date { return schedule.Date{Year: y, Month: m, Day: day} }
	// A year's guide, as ?year= serves, opening with the first airing.
	firstYear := s.Dates(d(2000, 1, 1), d(2000, 12, 31))
	// The original run's last airings, 18 months without one and the
	// rebroadcast's first quarter.
	gap := s.Dates(d(2007, 6, 1), d(2009, 3, 31))
	// The last year, ending with the last airing.
	lastYear := s.Dates(d(2016, 1, 1), d(2016, 12, 31))
	full := xmltvEncode(t, s, schedule.Query{}, false)
	rep, newYear := replayWindows(t, s)
	emptyDays := xmltvEmptyDays(t, small, schedule.Date{Year: 2006, Month: 12, Day: 23}, schedule.Date{Year: 2007, Month: 1, Day: 14})

	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	xmltvEncodeTo(t, zw, s, schedule.Query{}, false)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	// The tools cannot read gzip: unpack first.
	zr, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped, full) {
		t.Error("the gzip form unpacks to different bytes from the plain guide")
	}

	// The checks, by tool. Each fails the test on a non-zero exit.
	checks := map[string]func(t *testing.T, path string, want int){
		"xmllint": func(t *testing.T, path string, _ int) {
			if _, stderr := xmltvTool(t, xmllint, "--noout", "--dtdvalid", xmltvDTD, path); stderr != "" {
				t.Errorf("xmllint: %s", xmltvFirstLines(stderr, 20))
			}
		},
		"tv_validate_file": func(t *testing.T, path string, _ int) {
			xmltvTool(t, validate, "--dtd-file", xmltvDTD, path) // exits 1 on any problem
		},
		"tv_sort": func(t *testing.T, path string, _ int) {
			// tv_sort exits 0 even when it finds overlapping programmes;
			// it reports them on stderr.
			out := filepath.Join(t.TempDir(), "sorted.xml")
			if _, stderr := xmltvTool(t, sort, "--output", out, path); stderr != "" {
				t.Errorf("tv_sort: %s", xmltvFirstLines(stderr, 20))
			}
		},
		"tv_to_text": func(t *testing.T, path string, want int) {
			text, _ := xmltvTool(t, toText, path)
			if got := len(xmltvTextProgramme.FindAllStringIndex(text, -1)); got != want {
				t.Errorf("tv_to_text lists %d programmes, want %d", got, want)
			}
		},
	}
	validators := []string{"xmllint", "tv_validate_file"}
	all := []string{"xmllint", "tv_validate_file", "tv_sort", "tv_to_text"}
	// The XMLTV tools are Perl, a second or so each even on a small
	// guide: a default run gives them the full history's validation, the
	// small guide with icons, and the one check each other shape needs;
	// a full run, every guide.
	sampled := map[string]string{
		"tv_validate_file": "the XMLTV tools read a sample of guides in a default run",
		"tv_sort":          "the XMLTV tools read a sample of guides in a default run",
		"tv_to_text":       "the XMLTV tools read a sample of guides in a default run",
	}
	// A guide whose shape needs one tool only in a default run: the
	// looping replay tv_sort's overlap check, the gap tv_validate_file's
	// xmltv_ns numbers.
	except := func(tool string) map[string]string {
		m := maps.Clone(sampled)
		delete(m, tool)
		return m
	}

	for _, tc := range []struct {
		name  string
		guide []byte
		want  int      // programmes
		tools []string // the checks to run
		// costly holds what each tool that takes seconds on this guide
		// takes (measured on a quiet 2-core machine): those run only in
		// full runs.
		costly map[string]string
	}{
		// First, so that in a full run its two slowest checks start
		// early rather than last.
		{"full history", full, s.Count(schedule.Query{}), all, map[string]string{
			"tv_sort":    "tv_sort on the full history takes ~8 s",
			"tv_to_text": "tv_to_text on the full history takes ~6 s",
		}},
		// The same bytes as the full history (checked above): the
		// validators suffice.
		{"gzip", unzipped, s.Count(schedule.Query{}), validators, sampled},
		// With a public URL, so that the tools read the <icon>s too.
		{"small", xmltvEncodeWith(t, small, schedule.Query{}, func(e *XMLTVEncoder) { e.MarkNew, e.BaseURL = true, testBaseURL }), small.Count(schedule.Query{}), all, nil},
		{"small, empty days marked", emptyDays, bytes.Count(emptyDays, []byte("<programme ")), all, sampled},
		{"replay", xmltvEncode(t, rep, schedule.Query{}, false), rep.Len(), all, sampled},
		{"replay across New Year, looping", xmltvEncode(t, newYear, schedule.Query{}, true), newYear.Len(), all, except("tv_sort")},
		{"2000", xmltvEncode(t, s, firstYear, false), s.Count(firstYear), all, sampled},
		// tv_validate_file checks xmltv_ns numbers, the invented seasons'
		// among them.
		{"June 2007 to March 2009, across the gap", xmltvEncodeWith(t, s, gap, func(e *XMLTVEncoder) { e.MarkNew, e.BaseURL, e.SeasonByYear = true, testBaseURL, true }), s.Count(gap), all, except("tv_validate_file")},
		{"2016", xmltvEncode(t, s, lastYear, false), s.Count(lastYear), all, sampled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A copy of the DTD beside the guide lets xmllint resolve the
			// DOCTYPE's "xmltv.dtd" without a warning.
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "xmltv.dtd"), dtd, 0o644); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "guide.xml")
			if err := os.WriteFile(path, tc.guide, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, tool := range tc.tools {
				t.Run(tool, func(t *testing.T) {
					if cost, ok := tc.costly[tool]; ok {
						testkit.SkipUnlessFull(t, cost)
					}
					t.Parallel()
					checks[tool](t, path, tc.want)
				})
			}
		})
	}
}

// xmltvTool runs the command name with args and returns what it printed,
// failing the test if it exits non-zero.
func xmltvTool(t *testing.T, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, xmltvFirstLines(e.String(), 20))
	}
	return o.String(), e.String()
}

// xmltvTextProgramme matches a programme line of tv_to_text, which starts
// with its times, "18:30--19:00\tBackstage // Episode 1\te.tv", and adds
// their offsets when the zone changes: "23:45 +0000--00:15 +0000\t…".
var xmltvTextProgramme = regexp.MustCompile(`(?m)^\d\d:\d\d( [+-]\d{4})?(--\d\d:\d\d( [+-]\d{4})?)?\t`)

// xmltvFirstLines returns at most n lines of s.
func xmltvFirstLines(s string, n int) string {
	lines := strings.SplitAfterN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…\n")
	}
	return strings.Join(lines, "")
}

// TestXMLTVRoundTrip passes a guide through tv_cat, which reads it with
// the XMLTV project's Perl library and writes it out again, and checks
// that every title, sub-title and description reads the same afterwards
// as before, and as the schedule wrote it. The small schedule's text has
// ' " & < > and non-ASCII letters in it. A guide with numeric character
// references (&#39;) fails: tv_cat escapes them a second time.
func TestXMLTVRoundTrip(t *testing.T) {
	cat := testkit.Tool(t, "tv_cat")
	s := smallSchedule(t)
	guide := xmltvEncode(t, s, schedule.Query{}, true)
	if i := bytes.Index(guide, []byte("&#")); i >= 0 {
		t.Errorf("the guide holds a numeric character reference: …%s…", guide[max(0, i-30):min(len(guide), i+30)])
	}
	path := filepath.Join(t.TempDir(), "guide.xml")
	if err := os.WriteFile(path, guide, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(cat, path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tv_cat: %v\n%s", err, stderr.Bytes())
	}

	texts := func(tv xtTV) []string {
		var all []string
		for _, c := range tv.Channels {
			all = append(all, c.Names...)
		}
		for _, p := range tv.Programmes {
			all = append(all, p.Title, p.SubTitle)
			for _, d := range p.Desc {
				all = append(all, d.Text)
			}
		}
		return all
	}
	before, after := texts(xmltvParse(t, guide)), texts(xmltvParse(t, out))
	if !slices.Equal(before, after) {
		for i := range min(len(before), len(after)) {
			if before[i] != after[i] {
				t.Errorf("text %d: before tv_cat %q, after %q", i, before[i], after[i])
			}
		}
		if len(before) != len(after) {
			t.Errorf("%d texts before tv_cat, %d after", len(before), len(after))
		}
	}
	// And the text is the schedule's own, not merely stable.
	for _, want := range []string{s.Shows()[0].Synopsis, s.Shows()[0].EpisodeTitles[3]} {
		found := false
		for _, got := range after {
			found = found || strings.Contains(got, want)
		}
		if !found {
			t.Errorf("no text after tv_cat holds %q", want)
		}
	}
}
