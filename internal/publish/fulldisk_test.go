//go:build linux

package publish_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/backstage-epg/backstage/internal/publish"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/testkit"
)

// fullDiskEnv, set, names the small file system TestFullDisk runs in.
const fullDiskEnv = "BACKSTAGE_TEST_FULL_DISK"

// TestFullDisk publishes into a file system that fills up: an 8 MB
// tmpfs, mounted in a mount namespace of the test's own (unshare -m, as
// root), so that nothing of the machine's is touched. A publish that a
// full disk stops leaves every file it wrote named in the manifest and
// no temporary file; a publish of a site that dropped files, into a
// folder with no room left, removes them first and gets through; and
// once there is room, a publish completes the site.
func TestFullDisk(t *testing.T) {
	if dir := os.Getenv(fullDiskEnv); dir != "" {
		fullDisk(t, dir)
		return
	}
	unshare := testkit.Tool(t, "unshare")
	if os.Geteuid() != 0 {
		testkit.Missing(t, "root, to mount a tmpfs in a namespace of its own", errors.New("not root"))
	}
	dir := t.TempDir()
	cmd := exec.Command(unshare, "-m", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs -o size=8m backstage-test "$1" && exec "$2" -test.run='^TestFullDisk$' -test.count=1 -test.v`,
		"sh", dir, os.Args[0])
	cmd.Env = append(os.Environ(), fullDiskEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(string(out), "=== RUN") {
		// unshare or mount refused: no namespace of the test's own here.
		testkit.Missing(t, "a mount namespace with a tmpfs (unshare -m, mount)", fmt.Errorf("%v: %s", err, out))
	}
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestFullDisk") {
		t.Fatalf("the test in the namespace did not pass:\n%s", out)
	}
	t.Logf("%s", out)
}

// fullDisk is TestFullDisk inside its namespace; dir is the tmpfs.
func fullDisk(t *testing.T, dir string) {
	site1 := filepath.Join(dir, "site")
	ballast := filepath.Join(dir, "ballast")
	a := smallSite(t) // the rerun to 30 September 2003
	b := smallSite(t, func(c *site.Config) { c.Schedule = smallSchedule(t, "2003-07-11"); c.StreamURL = "" })

	// A site that dropped a month of days, into a folder with no room
	// left: what it dropped goes first, and makes room for what changed.
	pub(t, a, site1)
	fill(t, ballast, 0)
	res, err := publish.Publish(context.Background(), b, site1, publish.Options{})
	if err != nil {
		t.Fatalf("into a full folder, a site that dropped files: %v", err)
	}
	t.Logf("into a full folder: %s", res)
	checkNamed(t, site1)
	if res.Removed == 0 {
		t.Errorf("got %+v, want files removed", res)
	}

	// A site that grows, into a folder with little room: the publish fails,
	// having named every file it wrote, and left no temporary file.
	must(t, os.Remove(ballast))
	grown := smallSite(t, func(c *site.Config) {
		c.Schedule = smallSchedule(t, "2003-08-29")
		c.Location = testkit.Location(t, "Europe/London")
	})
	fill(t, ballast, 400<<10)
	_, err = publish.Publish(context.Background(), grown, site1, publish.Options{})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("a growing site into a full folder: got %v, want ENOSPC", err)
	}
	t.Logf("a growing site into a full folder: %v", err)
	checkNamed(t, site1)
	// Again, with no more room: no worse.
	if _, err := publish.Publish(context.Background(), grown, site1, publish.Options{}); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("again: got %v, want ENOSPC", err)
	}
	checkNamed(t, site1)

	// Room again: the next publish completes the site, and counts as
	// removed only files that were there.
	must(t, os.Remove(ballast))
	res = pub(t, grown, site1)
	t.Logf("with room again: %s", res)
	checkNamed(t, site1)
	want := 1 // _headers
	for f := range grown.Files() {
		want++
		if _, err := os.Stat(filepath.Join(site1, f.Path)); err != nil {
			t.Errorf("%s: %v", f.Path, err)
		}
	}
	if res.Files < want {
		t.Errorf("got %+v, want at least %d files", res, want)
	}
	again := pub(t, grown, site1)
	if again.Written != 0 || again.Removed != 0 {
		t.Errorf("a publish after that: %+v, want nothing to do", again)
	}
}

// fill writes path until the file system is full, then gives back
// leave bytes.
func fill(t *testing.T, path string, leave int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			fi, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			must(t, f.Truncate(max(fi.Size()-leave, 0)))
			return
		}
	}
}

// checkNamed checks that the manifest in dir names every file there,
// and that no temporary file is left.
func checkNamed(t *testing.T, dir string) {
	t.Helper()
	m, err := publish.Manifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for p := range files(t, dir) {
		switch {
		case p == publish.ManifestName:
		case strings.HasPrefix(p, publish.StagingName+"/"):
			t.Errorf("a temporary file is left: %s", p)
		default:
			if _, ok := m[p]; !ok {
				t.Errorf("%s is in the folder, and the manifest does not name it", p)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, publish.StagingName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the staging folder is left: %v", err)
	}
}
