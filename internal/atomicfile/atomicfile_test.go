package atomicfile_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/atomicfile"
)

// write writes data to path through Create and Commit.
func write(t *testing.T, path, data string) error {
	t.Helper()
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Cleanup()
	if _, err := io.WriteString(f, data); err != nil {
		return err
	}
	return f.Commit()
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entries returns the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestRegularFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.ics")
	if err := write(t, path, "one"); err != nil {
		t.Fatal(err)
	}
	if err := write(t, path, "two"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "two" {
		t.Errorf("got %q, want two", got)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want the file alone", got)
	}
}

// TestFailureKeepsTheOldFile: a write that stops halfway leaves the old
// file and no temporary file.
func TestFailureKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.ics")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(f, "half a fe")
	f.Cleanup()
	f.Cleanup() // twice is fine
	if got := read(t, path); got != "old" {
		t.Errorf("got %q, want old", got)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want the old file alone", got)
	}
	if err := f.Commit(); err == nil {
		t.Error("Commit after Cleanup: no error")
	}
}

// TestFIFO: a named pipe is written into, not replaced by a file.
func TestFIFO(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(path)
		got <- string(b)
	}()
	if err := write(t, path, "through the pipe"); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "through the pipe" {
			t.Errorf("reader got %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reader got nothing")
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("after the write: %v, %v; want the pipe still there", fi.Mode(), err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want the pipe alone", got)
	}
}

// TestCharDevice: a character device (one like /dev/null, made in a
// temporary folder) is written into and stays a device.
func TestCharDevice(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "null")
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("mknod needs root: %v", err)
	}
	if err := write(t, path, "into the void"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("after the write: %v, %v; want a character device", fi.Mode(), err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want the device alone", got)
	}
}

// TestSymlink: the file a link points to is replaced and the link stays.
func TestSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real", "feed.ics")
	os.Mkdir(filepath.Dir(target), 0o755)
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.ics")
	if err := os.Symlink("real/feed.ics", link); err != nil {
		t.Fatal(err)
	}
	if err := write(t, link, "new"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is now %v, %v; want a link", fi.Mode(), err)
	}
	if got := read(t, target); got != "new" {
		t.Errorf("the target holds %q, want new", got)
	}
	// A link to a file not there yet makes that file.
	dangling := filepath.Join(dir, "later.ics")
	os.Symlink("real/later.ics", dangling)
	if err := write(t, dangling, "made"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "real", "later.ics")); got != "made" {
		t.Errorf("the dangling link's file holds %q", got)
	}
	// Through a chain of links to a file not there yet, that file is
	// made and every link stays.
	first, middle := filepath.Join(dir, "first.ics"), filepath.Join(dir, "middle.ics")
	os.Symlink("middle.ics", first)
	os.Symlink("real/end.ics", middle)
	if err := write(t, first, "end"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{first, middle} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is now %v, %v; want a link", filepath.Base(l), fi.Mode(), err)
		}
	}
	if got, err := os.ReadFile(filepath.Join(dir, "real", "end.ics")); string(got) != "end" {
		t.Errorf("the end of the chain holds %q, %v; want end", got, err)
	}
	// A loop of links is refused, as > refuses it, and stays a loop.
	loop := filepath.Join(dir, "loop.ics")
	os.Symlink("loop.ics", loop)
	if err := write(t, loop, "x"); err == nil {
		t.Error("a loop of links: no error")
	}
	if fi, err := os.Lstat(loop); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the loop is now %v, %v; want a link", fi.Mode(), err)
	}
}

func TestDirectory(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{dir, dir + "/"} {
		if _, err := atomicfile.Create(path); !errors.Is(err, atomicfile.ErrIsDir) {
			t.Errorf("Create(%q) = %v, want ErrIsDir", path, err)
		}
	}
	// A name that ends in a slash is a folder's, there or not, and so is
	// a link to a folder.
	link := filepath.Join(dir, "link")
	os.Symlink(".", link)
	for _, path := range []string{filepath.Join(dir, "missing") + "/", link} {
		if _, err := atomicfile.Create(path); !errors.Is(err, atomicfile.ErrIsDir) {
			t.Errorf("Create(%q) = %v, want ErrIsDir", path, err)
		}
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want the link alone", got)
	}
}

// TestCommitFailure: a Commit whose rename fails (here because a folder
// took the target's place) says so and leaves no temporary file.
func TestCommitFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.ics")
	f, err := atomicfile.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Cleanup()
	io.WriteString(f, "new")
	os.Mkdir(path, 0o755)
	os.WriteFile(filepath.Join(path, "x"), nil, 0o644)
	if err := f.Commit(); err == nil || !strings.Contains(err.Error(), "write "+path+": ") {
		t.Errorf("Commit over a folder: %v, want an error naming %s", err, path)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want the folder alone", got)
	}
}

// TestStaleTemporaryFiles: a temporary file left by a killed process is
// removed by the next write to the same target; one of a live process,
// or for another target, is left alone.
func TestStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	live := strconv.Itoa(os.Getppid())
	stale := filepath.Join(dir, ".feed.ics.tmp-"+dead+"-123")
	alive := filepath.Join(dir, ".feed.ics.tmp-"+live+"-456")
	other := filepath.Join(dir, ".other.ics.tmp-"+dead+"-789")
	for _, p := range []string{stale, alive, other} {
		os.WriteFile(p, []byte("x"), 0o600)
	}
	if err := write(t, filepath.Join(dir, "feed.ics"), "new"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the dead process's temporary file is still there")
	}
	for _, p := range []string{alive, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
}

// deadPID returns the id of a process that has ended.
func deadPID(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	return strconv.Itoa(cmd.Process.Pid)
}

// TestStaleTemporaryFilesOddName: for a target whose name holds glob
// characters, the stale files of that name are removed, and not those of
// other names that the characters would match as a pattern.
func TestStaleTemporaryFilesOddName(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	own := filepath.Join(dir, ".feed[1]*.ics.tmp-"+dead+"-1")
	other := filepath.Join(dir, ".feed1x.ics.tmp-"+dead+"-2")
	for _, p := range []string{own, other} {
		os.WriteFile(p, []byte("x"), 0o600)
	}
	if err := write(t, filepath.Join(dir, "feed[1]*.ics"), "new"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(own); !os.IsNotExist(err) {
		t.Errorf("the target's own stale file is still there")
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another target's file was removed: %v", err)
	}
}

// TestWriteFileTemporaryFiles: WriteFile, like Create, removes the
// temporary files a killed writer left beside the target; with a TempDir
// it makes its own there instead.
func TestWriteFileTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	stale := filepath.Join(dir, ".manifest.json.tmp-"+deadPID(t)+"-1")
	os.WriteFile(stale, []byte("x"), 0o600)
	if _, err := atomicfile.WriteFile(path, []byte("{}\n"), atomicfile.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want the file alone", got)
	}

	staging := filepath.Join(t.TempDir(), "staging")
	o := atomicfile.Options{TempDir: staging, NoSync: true}
	if _, err := atomicfile.WriteFile(path, []byte("{1}\n"), o); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("with a TempDir not there: %v, want ErrNotExist", err)
	}
	os.Mkdir(staging, 0o700)
	if changed, err := atomicfile.WriteFile(path, []byte("{1}\n"), o); !changed || err != nil {
		t.Fatalf("with a TempDir: changed %v, %v; want true, nil", changed, err)
	}
	if got := read(t, path); got != "{1}\n" {
		t.Errorf("got %q", got)
	}
	if got := entries(t, staging); len(got) != 0 {
		t.Errorf("TempDir holds %q, want nothing", got)
	}
}

// TestWriteFileUnchanged: the same bytes are not written again, so the
// modification time stays.
func TestWriteFileUnchanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "day.json")
	if changed, err := atomicfile.WriteFile(path, []byte("[]\n"), atomicfile.Options{}); !changed || err != nil {
		t.Fatalf("first write: %v, %v", changed, err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(path, old, old)
	if changed, err := atomicfile.WriteFile(path, []byte("[]\n"), atomicfile.Options{}); changed || err != nil {
		t.Errorf("same bytes: changed %v, %v; want false, nil", changed, err)
	}
	if fi, _ := os.Stat(path); !fi.ModTime().Equal(old) {
		t.Errorf("modification time moved to %v", fi.ModTime())
	}
	if changed, err := atomicfile.WriteFile(path, []byte("[1]\n"), atomicfile.Options{}); !changed || err != nil {
		t.Errorf("new bytes: changed %v, %v; want true, nil", changed, err)
	}
	if got := read(t, path); got != "[1]\n" {
		t.Errorf("got %q", got)
	}
}
