package grabber_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// buildBinary builds cmd/tv_grab_za_backstage, once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("XMLTV's tools run grabbers through a POSIX shell")
	}
	return testkit.Command(t, "tv_grab_za_backstage")
}

// TestValidateGrabber runs XMLTV's tv_validate_grabber on the built
// grabber with the clock fixed on each day of a week: it configures the
// grabber with no input, checks the answers, refuses an unknown option,
// validates the guide of tomorrow and the day after against the DTD,
// runs it through tv_cat and tv_sort, checks --quiet and --output, and
// checks that the two days grabbed apart add up to the two together. A
// Friday asks for a weekend, when Backstage never aired. The DTD is
// given so that the validator does not fetch it.
func TestValidateGrabber(t *testing.T) {
	validate := testkit.Tool(t, "tv_validate_grabber")
	for _, tool := range []string{"tv_cat", "tv_sort"} { // run by the validator
		testkit.Tool(t, tool)
	}
	const dtd = "/usr/share/xmltv/xmltv.dtd"
	if _, err := os.Stat(dtd); err != nil {
		testkit.Missing(t, "the XMLTV DTD (xmltv-util)", err)
	}
	bin := buildBinary(t)
	// A default run asks on the Friday alone, the day that asks for a
	// weekend with nothing on; a full run on every day of the week, the
	// seven at once: each spends most of its time starting Perl, so
	// together they take little longer than the slowest (go test's
	// -parallel would hold them to one per processor).
	days := week
	if !testkit.Full() {
		days = []time.Time{week[4]}
		t.Log("the Friday only; every day of the week when CI=true or BACKSTAGE_FULL=1")
	}
	outs := make([][]byte, len(days))
	errs := make([]error, len(days))
	var wg sync.WaitGroup
	for i, now := range days {
		wg.Go(func() {
			home := t.TempDir()
			cmd := exec.Command(validate, "--dtd-file", dtd, bin)
			cmd.Dir = home
			cmd.Env = append(os.Environ(), "HOME="+home, "TV_GRAB_ZA_BACKSTAGE_NOW="+now.Format("2006-01-02T15:04:05Z07:00"))
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	for i, now := range days {
		t.Run(now.Weekday().String(), func(t *testing.T) {
			if errs[i] != nil || !bytes.Contains(outs[i], []byte("Validated ok.")) {
				t.Errorf("tv_validate_grabber at %s: %v\n%s", now.Format("Mon 2006-01-02 15:04 MST"), errs[i], outs[i])
			}
		})
	}
}

// TestFindGrabbers: tv_find_grabbers, which TVHeadend and MythTV's setup
// use, lists the grabber once it is on the PATH.
func TestFindGrabbers(t *testing.T) {
	find := testkit.Tool(t, "tv_find_grabbers")
	bin := buildBinary(t)
	for _, caps := range [][]string{nil, {"manualconfig", "preferredmethod"}} {
		cmd := exec.Command(find, caps...)
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin))
		out, err := cmd.Output()
		want := bin + "|South Africa (Backstage on e.tv, replayed)\n"
		if err != nil || string(out) != want {
			t.Errorf("tv_find_grabbers %s: %v, %q; want %q", strings.Join(caps, " "), err, out, want)
		}
	}
	// And not for a capability it lacks.
	cmd := exec.Command(find, "apiconfig")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin))
	if out, err := cmd.Output(); err != nil || len(out) != 0 {
		t.Errorf("tv_find_grabbers apiconfig: %v, %q; want nothing", err, out)
	}
}

// TestBinary runs the built grabber as a media centre does: zone data
// built in, one line for bad input, --output written whole.
func TestBinary(t *testing.T) {
	bin := buildBinary(t)
	home := t.TempDir()
	env := append(os.Environ(), "HOME="+home, "ZONEINFO=/nonexistent", "TZ=Asia/Tokyo",
		"TV_GRAB_ZA_BACKSTAGE_NOW=2026-11-27T08:00:00+09:00") // Friday 01:00 in Johannesburg
	run := func(args ...string) (int, string, string) {
		t.Helper()
		var o, e bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &o, &e
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, o.String(), e.String()
	}
	if code, _, stderr := run("--ahdmegkeja"); code != 2 || stderr != "tv_grab_za_backstage: unknown option --ahdmegkeja (see tv_grab_za_backstage --help)\n" {
		t.Errorf("unknown option: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(); code != 2 || !strings.Contains(stderr, "run tv_grab_za_backstage --configure first") {
		t.Errorf("no configuration: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run("--configure", "--quiet"); code != 0 || stderr != "" {
		t.Fatalf("--configure: exit %d, %q", code, stderr)
	}
	out := filepath.Join(home, "guide.xml")
	if code, stdout, stderr := run("--days", "1", "--output", out, "--quiet"); code != 0 || stdout+stderr != "" {
		t.Fatalf("grab: exit %d, %q", code, stdout+stderr)
	}
	data, err := os.ReadFile(out)
	if got := summary(string(data)); err != nil || len(got) != 1 || got[0] != "20261127 1830 Backstage" {
		t.Errorf("the guide of Friday: %q, %v", got, err)
	}
}
