package cli_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// TestPublishCommand publishes a small schedule twice: the second time
// writes nothing, and each run prints its one line.
func TestPublishCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	summary := regexp.MustCompile(`^published .*site: (\d+) files \((\d+) written, (\d+) unchanged, (\d+) removed\), [\d.]+ MB in [\d.]+m?s\n$`)
	code, stdout, stderr := run(t, "--schedule", small, "publish", dir, "--stream-url", "http://tv.local/{id}.ts")
	m := summary.FindStringSubmatch(stdout)
	if code != 0 || stderr != "" || m == nil || m[1] != m[2] || m[3] != "0" {
		t.Fatalf("first publish: exit %d, stdout %q, stderr %q; want 0 and every file written", code, stdout, stderr)
	}
	for _, p := range []string{"index.html", "calendar.ics", "xmltv.xml.gz", "channels.m3u", "api/v1/runs.json", "_headers"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("no %s: %v", p, err)
		}
	}
	code, stdout, _ = run(t, "--schedule", small, "publish", dir, "--stream-url", "http://tv.local/{id}.ts")
	if m := summary.FindStringSubmatch(stdout); code != 0 || m == nil || m[2] != "0" || m[3] != m[1] {
		t.Errorf("second publish: exit %d, %q; want nothing written", code, stdout)
	}
	code, stdout, _ = run(t, "--schedule", small, "publish", dir, "--quiet")
	if code != 0 || stdout != "" {
		t.Errorf("--quiet: exit %d, %q; want 0 and nothing", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "channels.m3u")); err == nil {
		t.Error("without --stream-url, channels.m3u is still there")
	}
}

func TestPublishBadInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"publish", file}, "is a file; want a folder"},
		{[]string{"publish", filepath.Join(file, "below")}, "cannot write there"},
		{[]string{"publish"}, "missing argument"},
		{[]string{"publish", dir, "extra"}, `unexpected argument "extra"`},
		{[]string{"publish", dir, "--public-url", "tv.example.org"}, "--public-url"},
		{[]string{"publish", dir, "--stream-url", "1.ts"}, "--stream-url"},
		{[]string{"publish", dir, "--replay", "--days", "0"}, `--days "0"`},
		{[]string{"publish", dir, "--days", "3"}, "--days works only with --replay"},
		{[]string{"publish", dir, "--frob"}, "unknown flag"},
		{[]string{"publish", dir, "--schedule", "testdata/invalid.yaml"}, "invalid.yaml:12"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and one line with %q", code, stdout, stderr, c.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the refused publishes left %d entries in the folder, want the file alone", len(entries))
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		if code, _, stderr := run(t, "publish", filepath.Join(ro, "site")); code != 2 || !strings.Contains(stderr, "cannot write there") {
			t.Errorf("a folder that cannot be written: exit %d, %q; want 2", code, stderr)
		}
	}
}

// siteFiles returns the files under dir, path → bytes, less the manifest.
func siteFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	delete(out, ".backstage-manifest.json")
	return out
}

// checkWhole checks that every file under dir holds the bytes of the same
// file in want: a file is there whole or not at all.
func checkWhole(t *testing.T, dir string, want map[string][]byte) int {
	t.Helper()
	got := siteFiles(t, dir)
	for p, b := range got {
		w, ok := want[p]
		switch {
		case strings.HasPrefix(p, ".backstage-staging/"):
			// Temporary files, which the next publish clears.
		case !ok:
			t.Errorf("%s is not a file of the site", p)
		case !bytes.Equal(b, w):
			t.Errorf("%s holds %d bytes that are not the file's %d", p, len(b), len(w))
		}
	}
	return len(got)
}

// TestPublishInterrupted kills a publish with SIGKILL in the middle, and
// starves another of disk space (a file size limit, so that writing the
// guide, the largest file, fails): each leaves every file whole, and a publish
// afterwards finishes the site.
func TestPublishInterrupted(t *testing.T) {
	bin := testkit.Binary(t)
	dir := t.TempDir()
	// The default schedule cut to five months and their rerun: enough
	// files to kill a publish among them, and a guide larger than the
	// limit on file sizes below.
	yaml, err := exec.Command(bin, "schedule").Output()
	if err != nil {
		t.Fatal(err)
	}
	yaml = bytes.Replace(yaml, []byte("last: 2007-07-06"), []byte("last: 2000-09-29"), 1)
	yaml = bytes.Replace(yaml, []byte("first: 2009-01-05"), []byte("first: 2000-10-02"), 1)
	sched := filepath.Join(dir, "shorter.yaml")
	if err := os.WriteFile(sched, yaml, 0o644); err != nil {
		t.Fatal(err)
	}
	publish := func(args ...string) *exec.Cmd {
		return exec.Command(bin, append([]string{"--schedule", sched, "publish"}, args...)...)
	}
	ref := filepath.Join(dir, "ref")
	if out, err := publish(ref, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	want := siteFiles(t, ref)

	killed := filepath.Join(dir, "killed")
	cmd := publish(killed)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has written some of the site.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if n, _ := os.ReadDir(filepath.Join(killed, "days")); len(n) > 20 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	n := checkWhole(t, killed, want)
	t.Logf("%d files when it was killed", n)
	if out, err := publish(killed, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("publish after the kill: %v\n%s", err, out)
	}
	if got := siteFiles(t, killed); len(got) != len(want) || checkWhole(t, killed, want) != len(want) {
		t.Errorf("after the rerun: %d files, want %d", len(got), len(want))
	}

	prlimit := testkit.Tool(t, "prlimit")
	full := filepath.Join(dir, "full")
	var stderr bytes.Buffer
	cmd = exec.Command(prlimit, "--fsize=200000", bin, "--schedule", sched, "publish", full)
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "file too large") {
		t.Errorf("a publish out of room: %v, stderr %q; want exit 1 and one line", err, stderr.String())
	}
	checkWhole(t, full, want)
	if out, err := publish(full, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("publish with room again: %v\n%s", err, out)
	}
	if checkWhole(t, full, want) != len(want) {
		t.Error("the rerun did not finish the site")
	}
}
