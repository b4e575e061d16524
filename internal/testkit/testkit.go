// Package testkit holds the helpers the module's tests share: golden
// files, external tools that CI installs, checks too costly for every
// run, the default schedule and time zones. It is for tests only; no
// other code imports it.
//
// It imports internal/schedfile and so schedule: tests in package
// schedule_test may use it, but a file of package schedule itself (such
// as export_test.go) must not, or the import would be a cycle.
//
// Importing it defines the -update flag, so a test binary that imports it
// accepts the flag that go test ./... -update hands to every package:
//
//	go test ./... -update
//
// rewrites every golden file under each package's testdata/.
package testkit

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/schedule"
)

// update is the -update flag. It is defined here once: a second
// definition in a test binary that imports testkit would panic.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Golden compares got with the file at path, or, with -update, writes got
// to it. A missing file stops the test; a different one fails it with
// the first line that differs.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		line, g, w := firstDiff(got, want)
		t.Errorf("output differs from %s at line %d (go test -update rewrites it; review the diff)\ngot:  %s\nwant: %s", path, line, g, w)
	}
}

// firstDiff returns the number of the first line at which got and want
// differ, and that line of each, quoted with its line break, or
// "end of output" where one has no such line.
func firstDiff(got, want []byte) (line int, g, w string) {
	gl, wl := bytes.SplitAfter(got, []byte("\n")), bytes.SplitAfter(want, []byte("\n"))
	quote := func(lines [][]byte, i int) string {
		if i >= len(lines) || (i == len(lines)-1 && len(lines[i]) == 0) {
			return "end of output"
		}
		return fmt.Sprintf("%q", lines[i])
	}
	i := 0
	for i < len(gl) && i < len(wl) && bytes.Equal(gl[i], wl[i]) {
		i++
	}
	return i + 1, quote(gl, i), quote(wl, i)
}

// Tool returns the path of the command name, looked up as exec.LookPath
// does. A missing command skips the test, or fails it in CI (see
// Missing).
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, err)
	}
	return path
}

// Missing ends a test that needs what, which is not installed (err says
// how it was looked for). In CI (CI=true), which installs everything the
// tests use, it fails the test, so that a broken install step cannot pass
// unnoticed; elsewhere it skips it.
func Missing(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is needed in CI and is missing: %v", what, err)
	}
	t.Skipf("%s not installed: %v", what, err)
}

// Binary returns the path of the backstage command, built the first time
// a test asks for it, for tests that run the real program.
func Binary(t testing.TB) string {
	t.Helper()
	return Command(t, "backstage")
}

// Command returns the path of the program cmd/name, built from the
// module's sources as they are now. Every package's tests share one
// build of each source tree: it is kept in a folder of the user's cache
// named for the checkout and a hash of its sources, so go test ./...
// builds it once, and a later run with the same sources not at all;
// builds of other sources go an hour after they were made. The program is alone in its folder with the other
// commands, so that the folder can be a PATH that finds nothing else.
// Command skips the test under -short.
func Command(t testing.TB, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	path, err := build(name)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// builds are the builds of one test process, by name, each done once.
var builds sync.Map // name → func() (string, error)

func build(name string) (string, error) {
	f, _ := builds.LoadOrStore(name, sync.OnceValues(func() (string, error) { return buildShared(name) }))
	return f.(func() (string, error))()
}

// buildShared builds cmd/name into the shared folder of the sources'
// hash, unless it is there: built to a temporary name and renamed, so
// that test processes building at once each find a whole program.
func buildShared(name string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	key, err := sourceHash(root)
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	// A folder for each checkout, so that two checkouts' tests never
	// take each other's builds for old ones.
	at := sha256.Sum256([]byte(root))
	parent := filepath.Join(cache, "backstage-test-bin", hex.EncodeToString(at[:])[:12])
	dir := filepath.Join(parent, key)
	path := filepath.Join(dir, name)
	if runtime.GOOS == "windows" {
		path += ".exe"
	}
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// go test puts its own GOROOT/bin first on the PATH, so this is the
	// go that runs the test.
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no go command to build with: %w", err)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	cmd := exec.Command(goBin, "build", "-o", tmp, "github.com/backstage-epg/backstage/cmd/"+name)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	// Builds of other sources are of no more use, once no test that
	// started before the sources changed can still be running one.
	if old, err := os.ReadDir(parent); err == nil {
		for _, e := range old {
			if info, err := e.Info(); err == nil && e.Name() != key && time.Since(info.ModTime()) > time.Hour {
				os.RemoveAll(filepath.Join(parent, e.Name()))
			}
		}
	}
	return path, nil
}

// moduleRoot returns the folder of the module's go.mod, from the test's
// working folder (its package's) upwards.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testkit: no go.mod above the test's folder")
		}
		dir = parent
	}
}

// sourceHash returns a hash of what a build of the module reads: every
// file under root but tests, test data and what is not the module's
// (hidden folders such as .git and .ci), with the Go version and target.
func sourceHash(root string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, "_test.go") || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(data))
		h.Write(data)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16], err
}

// Default returns the embedded Backstage schedule (schedfile.Default, 3750
// airings), and stops the test if it does not load.
func Default(t testing.TB) *schedule.Schedule {
	t.Helper()
	s, err := schedfile.Default()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Location returns the zone called name, and stops the test when the
// zone database lacks it.
func Location(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Full reports whether the tests run in full (CI=true or
// BACKSTAGE_FULL=1), where a check that a default run samples runs on
// every case.
func Full() bool {
	return os.Getenv("CI") == "true" || os.Getenv("BACKSTAGE_FULL") == "1"
}

// SkipUnlessFull skips a check that costs too much to run on every
// go test, unless the tests run in full: in CI (CI=true) or with
// BACKSTAGE_FULL=1. cost says what the check is and why it is costly, as
// in "tv_sort reads the full history"; the skip message adds how to run
// it.
func SkipUnlessFull(t testing.TB, cost string) {
	t.Helper()
	skipUnless(t, "BACKSTAGE_FULL", cost)
}

// SkipUnlessApps skips a check that drives a whole application (Kodi,
// evolution-data-server), which takes seconds to start and hundreds of
// megabytes to install, unless it runs in CI (CI=true) or with
// BACKSTAGE_APPS=1. cost says what the check takes, as SkipUnlessFull's
// does.
func SkipUnlessApps(t testing.TB, cost string) {
	t.Helper()
	skipUnless(t, "BACKSTAGE_APPS", cost)
}

// skipUnless skips the test unless CI=true or variable=1.
func skipUnless(t testing.TB, variable, cost string) {
	t.Helper()
	if os.Getenv("CI") != "true" && os.Getenv(variable) != "1" {
		t.Skipf("%s; runs when CI=true or %s=1", cost, variable)
	}
}

// Gunzip returns what b unpacks to, and stops the test if b is not
// gzip.
func Gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ScreenshotDir is where a test saves its screenshots: the folder
// BACKSTAGE_SCREENSHOTS names (made if missing), so that CI can keep them
// as artifacts, or else the test's temporary folder.
func ScreenshotDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("BACKSTAGE_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
