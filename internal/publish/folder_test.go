//go:build unix

package publish_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/publish"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/testkit"
)

// snapshot returns every entry under dir, without following links: for a
// file its bytes, for a link its target, for anything else its type.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "link to " + target
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		default:
			out[rel] = d.Type().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// publishWithin publishes st into dir, failing the test if it takes more
// than ten seconds (a publish that opens a named pipe waits for ever).
func publishWithin(t *testing.T, st *site.Site, dir string) (publish.Result, error) {
	t.Helper()
	type result struct {
		res publish.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := publish.Publish(context.Background(), st, dir, publish.Options{})
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("publish still running after 10 s")
		return publish.Result{}, nil
	}
}

// TestForeignEntries: whatever stands at one of publish's paths that is
// not a regular file or a real folder — a link to a file, a dangling
// link, a link to a folder, a named pipe, a device, a socket, a folder
// where a file belongs, its own manifest or staging folder as a link —
// is refused with an error naming it, before anything is written
// through it: the folder outside is as it was, and so is the entry.
func TestForeignEntries(t *testing.T) {
	st := smallSite(t)
	for _, c := range []struct {
		name, path string
		fresh      bool // into a folder publish has not written before
		make       func(t *testing.T, path, outside string)
		what       string
	}{
		{"link to a file", "calendar.ics", false, linkTo("target.ics"), "a symbolic link"},
		{"link to a file, fresh folder", "calendar.ics", true, linkTo("target.ics"), "a symbolic link"},
		{"dangling link", "index.html", true, linkTo("missing.html"), "a symbolic link"},
		{"link to a folder", "calendar", true, linkTo("dir"), "a symbolic link"},
		{"link to a folder, below", "api/v1", false, linkTo("dir"), "a symbolic link"},
		{"linked manifest", publish.ManifestName, false, linkTo("target.ics"), "a symbolic link"},
		{"linked staging folder", publish.StagingName, true, linkTo("dir"), "a symbolic link"},
		{"named pipe", "index.html", false, func(t *testing.T, p, _ string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "a named pipe"},
		{"named pipe as manifest", publish.ManifestName, true, func(t *testing.T, p, _ string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "a named pipe"},
		{"device", "calendar.ics", false, func(t *testing.T, p, _ string) {
			// The numbers of /dev/null, made inside the test's folder.
			if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
				testkit.Missing(t, "mknod (root)", err)
			}
		}, "a device"},
		{"socket", "calendar/compact.ics", true, func(t *testing.T, p, _ string) {
			l, err := net.Listen("unix", p)
			if err != nil {
				t.Skipf("no unix socket at %s: %v", p, err)
			}
			l.(*net.UnixListener).SetUnlinkOnClose(false)
			t.Cleanup(func() { l.Close() })
		}, "a socket"},
		{"folder where a file belongs", "xmltv.xml", false, func(t *testing.T, p, _ string) {
			if err := os.MkdirAll(filepath.Join(p, "mine"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "a folder"},
		{"file where a folder belongs", "days", true, func(t *testing.T, p, _ string) {
			if err := os.WriteFile(p, []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "a file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			dir, outside := filepath.Join(base, "site"), filepath.Join(base, "outside")
			os.MkdirAll(filepath.Join(outside, "dir"), 0o755)
			os.WriteFile(filepath.Join(outside, "target.ics"), []byte("the user's own"), 0o644)
			os.WriteFile(filepath.Join(outside, "dir", "keep"), []byte("the user's own"), 0o644)
			if !c.fresh {
				pub(t, st, dir)
			} else {
				os.Mkdir(dir, 0o755)
			}
			path := filepath.Join(dir, filepath.FromSlash(c.path))
			if err := os.RemoveAll(path); err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Dir(path), 0o755)
			c.make(t, path, outside)
			before, entry := snapshot(t, outside), snapshot(t, path)

			// A new site, whose every page differs, so that publish would
			// write every path.
			next := smallSite(t, func(cfg *site.Config) { cfg.Location = testkit.Location(t, "Europe/London") })
			_, err := publishWithin(t, next, dir)
			var fe *publish.ForeignError
			if !errors.As(err, &fe) || fe.Path != path || fe.What != c.what {
				t.Fatalf("got %v, want a *ForeignError: %s is %s", err, path, c.what)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, path+" is "+c.what) || strings.Count(msg, path) != 1 {
				t.Errorf("got %q, want one line naming %s once", msg, path)
			}
			if got := snapshot(t, outside); !equal(got, before) {
				t.Errorf("outside the folder: %v, was %v", got, before)
			}
			if got := snapshot(t, path); !equal(got, entry) {
				t.Errorf("the entry %s: %v, was %v", c.path, got, entry)
			}
			if _, err := os.Lstat(filepath.Join(dir, publish.StagingName)); c.path != publish.StagingName && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the staging folder is left: %v", err)
			}
		})
	}
}

// linkTo makes a symbolic link to name in the folder outside.
func linkTo(name string) func(t *testing.T, path, outside string) {
	return func(t *testing.T, path, outside string) {
		if err := os.Symlink(filepath.Join(outside, name), path); err != nil {
			t.Fatal(err)
		}
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestRemovalStaysInside: a manifest's path that now reaches through a
// link to a folder (lnk/x, with lnk pointing outside) removes nothing
// outside and leaves the link; a path that is now a link, a pipe or a
// folder is left as it is; and only files that existed are counted as
// removed.
func TestRemovalStaysInside(t *testing.T) {
	base := t.TempDir()
	dir, outside := filepath.Join(base, "site"), filepath.Join(base, "outside")
	os.MkdirAll(outside, 0o755)
	pub(t, smallSite(t), dir)
	for _, name := range []string{"x", "y.html"} {
		os.WriteFile(filepath.Join(outside, name), []byte("the user's own"), 0o644)
	}
	must(t, os.Symlink(outside, filepath.Join(dir, "lnk")))
	must(t, os.Symlink(filepath.Join(outside, "y.html"), filepath.Join(dir, "old.html")))
	must(t, syscall.Mkfifo(filepath.Join(dir, "pipe.html"), 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, "folder.html", "mine"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "gone.html"), []byte("an old page"), 0o644))
	// A manifest of the form every publish has read, naming the site's
	// files as they are, the entries above, a file that is there and 100
	// that are not.
	m, err := publish.Manifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`{"version":1,"files":{`)
	for p, h := range m {
		if h != "" && !strings.HasSuffix(p, ".json") {
			b.WriteString(`"` + p + `":{},`) // what it was made from is no longer known
		}
	}
	for _, p := range []string{"lnk/x", "old.html", "pipe.html", "folder.html", "gone.html"} {
		b.WriteString(`"` + p + `":{},`)
	}
	for i := range 100 {
		b.WriteString(`"never/` + strings.Repeat("n", i+1) + `.html":{},`)
	}
	b.WriteString(`"_headers":{}}}` + "\n")
	must(t, os.WriteFile(filepath.Join(dir, publish.ManifestName), []byte(b.String()), 0o644))
	before := snapshot(t, outside)

	res, err := publishWithin(t, smallSite(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, outside); !equal(got, before) {
		t.Errorf("outside the folder: %v, was %v", got, before)
	}
	for name, want := range map[string]fs.FileMode{"lnk": fs.ModeSymlink, "old.html": fs.ModeSymlink, "pipe.html": fs.ModeNamedPipe, "folder.html": fs.ModeDir} {
		if fi, err := os.Lstat(filepath.Join(dir, name)); err != nil || fi.Mode().Type() != want {
			t.Errorf("%s: %v, %v; want it left as it was, a %v", name, fi, err, want)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "gone.html")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("gone.html, which the manifest names, is still there: %v", err)
	}
	if res.Removed != 1 {
		t.Errorf("got %+v, want 1 removed: gone.html, the one file that existed", res)
	}
	m, err = publish.Manifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"lnk/x", "old.html", "pipe.html", "folder.html", "gone.html", "never/n.html"} {
		if _, ok := m[p]; ok {
			t.Errorf("the manifest still names %s", p)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailedPublishNamesItsSiblings: a .gz sibling written for a file
// that grew to 1 KB, in a publish that then fails, is named by the
// manifest, so that the next publish of a site without the file removes
// it (nginx's gzip_static would otherwise serve its stale bytes for ever).
func TestFailedPublishNamesItsSiblings(t *testing.T) {
	dir := t.TempDir()
	pub(t, smallSite(t), dir) // channels.m3u under 1 KB: no sibling
	long := "http://tv.local/" + strings.Repeat("x", 1100) + "/{id}.ts"
	grown := smallSite(t, func(c *site.Config) { c.StreamURL = long })
	// A folder where index.html belongs, a file made after the playlist,
	// fails the publish.
	index := filepath.Join(dir, "index.html")
	must(t, os.Remove(index))
	must(t, os.MkdirAll(filepath.Join(index, "mine"), 0o755))
	if _, err := publish.Publish(context.Background(), grown, dir, publish.Options{Workers: 1}); err == nil {
		t.Fatal("publish over a folder at index.html: no error")
	}
	if _, err := os.Stat(filepath.Join(dir, "channels.m3u.gz")); err != nil {
		t.Fatalf("the failed publish did not get as far as the sibling: %v", err)
	}
	m, err := publish.Manifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m["channels.m3u.gz"]; !ok {
		t.Error("the failed publish wrote channels.m3u.gz, which its manifest does not name")
	}
	must(t, os.RemoveAll(index))
	pub(t, smallSite(t, func(c *site.Config) { c.StreamURL = "" }), dir)
	for _, p := range []string{"channels.m3u", "channels.m3u.gz"} {
		if _, err := os.Lstat(filepath.Join(dir, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is left: %v", p, err)
		}
	}
}
