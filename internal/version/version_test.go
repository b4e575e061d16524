package version_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestStamp: one -X flag at build time sets the version both commands
// print, as the package comment tells a release to do.
func TestStamp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both commands; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build with")
	}
	dir := t.TempDir()
	for _, c := range []struct{ cmd, arg, want string }{
		{"backstage", "--version", "backstage 9.8.7\n"},
		{"tv_grab_za_backstage", "--version", "This is tv_grab_za_backstage version 9.8.7\n"},
	} {
		bin := filepath.Join(dir, c.cmd)
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		build := exec.Command(goBin, "build", "-ldflags", "-X github.com/backstage-epg/backstage/internal/version.Number=9.8.7",
			"-o", bin, "github.com/backstage-epg/backstage/cmd/"+c.cmd)
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		out, err := exec.Command(bin, c.arg).Output()
		if err != nil || string(out) != c.want {
			t.Errorf("%s %s = %q, %v; want %q", c.cmd, c.arg, out, err, strings.TrimSpace(c.want))
		}
	}
}
