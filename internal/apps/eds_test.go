//go:build linux

package apps

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// edsResult is what testdata/eds_webcal.py prints for one calendar.
type edsResult struct {
	Events    int
	Instances [][6]string // start and end UTC, summary, start and end in their zone, the zone
}

// TestEvolutionWebcal subscribes evolution-data-server's webcal backend,
// which GNOME Calendar and Evolution subscribe through, to the 2004
// calendar as serve answers it (calendar.ics?year=2004) and as a
// published site holds it behind nginx (calendar/2004.ics), and to the
// compact calendar of each. It lists the year's airings (262 events),
// with Friday 27 February 2004, 18:30–19:00 SAST, as episode 1000; and
// libical expands the compact calendar's recurring events to the same
// airings.
func TestEvolutionWebcal(t *testing.T) {
	testkit.SkipUnlessApps(t, "starts evolution-data-server and publishes the whole history, about 20 s")
	python := testkit.Tool(t, "/usr/bin/python3")
	dbus := testkit.Tool(t, "dbus-run-session")
	probe := `import gi; gi.require_version("EDataServer", "1.2"); gi.require_version("ECal", "2.0"); from gi.repository import ECal, EDataServer`
	if out, err := exec.Command(python, "-c", probe).CombinedOutput(); err != nil {
		testkit.Missing(t, "evolution-data-server with gir1.2-ecal-2.0 and python3-gi", fmt.Errorf("%v: %s", err, out))
	}
	bin := testkit.Binary(t)
	loc := testkit.Location(t, "Africa/Johannesburg")

	serve, _ := testkit.StartServe(t, exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--quiet"), io.Discard)
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	if out, err := exec.Command(bin, "publish", site, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	static := "http://" + listen
	testkit.Start(t, testkit.Nginx{Listen: listen, Root: site, Dir: filepath.Join(dir, "nginx")}.Command(t),
		new(testkit.SyncBuffer), func() error {
			resp, err := http.Get(static + "/")
			if err == nil {
				resp.Body.Close()
			}
			return err
		})

	year := map[string]bool{
		serve + "/calendar.ics?year=2004": true,
		static + "/calendar/2004.ics":     true,
		serve + "/calendar.ics?compact=1": false,
		static + "/calendar/compact.ics":  false,
	}
	var urls []string
	for u := range year {
		urls = append(urls, u)
	}
	slices.Sort(urls)

	from := time.Date(2004, 1, 1, 0, 0, 0, 0, loc)
	to := from.AddDate(1, 0, 0)
	home := t.TempDir()
	cmd := exec.Command(dbus, append([]string{"--", python, filepath.Join("testdata", "eds_webcal.py"),
		strconv.FormatInt(from.Unix(), 10), strconv.FormatInt(to.Unix(), 10)}, urls...)...)
	// A registry of its own: the sources it makes stay in this folder.
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home+"/config", "XDG_DATA_HOME="+home+"/data",
		"XDG_CACHE_HOME="+home+"/cache", "XDG_RUNTIME_DIR="+home+"/run", "GSETTINGS_BACKEND=memory")
	os.Mkdir(home+"/run", 0o700)
	started := time.Now()
	out, err := runBounded(cmd, 100*time.Second)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("evolution-data-server read %d calendars in %.1f s", len(urls), time.Since(started).Seconds())
	var got map[string]edsResult
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("reading the script's output: %v\n%s", err, out)
	}

	def := testkit.Default(t)
	q := schedule.Query{From: from, To: to}
	var want [][2]string
	for s := range def.Slots(q) {
		want = append(want, [2]string{s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339)})
	}
	if len(want) != 262 {
		t.Errorf("the default schedule has %d airings in 2004, the issue says 262", len(want))
	}
	for _, u := range urls {
		r := got[u]
		var times [][2]string
		for _, in := range r.Instances {
			times = append(times, [2]string{in[0], in[1]})
		}
		if !slices.Equal(times, want) {
			t.Errorf("%s: evolution-data-server lists %d airings in 2004, want the schedule's %d%s", u, len(times), len(want), firstDifference(times, want))
		}
		if year[u] {
			if r.Events != len(want) {
				t.Errorf("%s: %d events, want %d", u, r.Events, len(want))
			}
			i := slices.IndexFunc(r.Instances, func(in [6]string) bool { return in[0] == "2004-02-27T16:30:00Z" })
			if i < 0 {
				t.Errorf("%s: no event at 2004-02-27 18:30 SAST", u)
				continue
			}
			in := r.Instances[i]
			if !strings.HasSuffix(in[2], "Episode 1000") || in[3] != "20040227T183000" || in[4] != "20040227T190000" || in[5] != "Africa/Johannesburg" {
				t.Errorf("%s: the event of 2004-02-27 is %q, %s to %s in %q; want episode 1000, 18:30 to 19:00 in Africa/Johannesburg", u, in[2], in[3], in[4], in[5])
			}
			t.Logf("%s: %d events; 2004-02-27 %s:%s–%s:%s %s: %q", u, r.Events, in[3][9:11], in[3][11:13], in[4][9:11], in[4][11:13], in[5], in[2])
		} else {
			t.Logf("%s: %d recurring events, %d airings in 2004", u, r.Events, len(times))
		}
	}
}

// runBounded runs cmd, killing it after d, and returns what it printed
// on standard output; an error carries its standard error.
func runBounded(cmd *exec.Cmd, d time.Duration) ([]byte, error) {
	var out, stderr testkit.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	timer := time.AfterFunc(d, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	if err != nil {
		err = fmt.Errorf("%s: %v\n%s", cmd, err, stderr.String())
	}
	return []byte(out.String()), err
}

// firstDifference says where got and want first differ, for a message.
func firstDifference(got, want [][2]string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("; first difference: %v, want %v", got[i], want[i])
		}
	}
	return ""
}
