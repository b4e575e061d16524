package output_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/internal/atomicfile"
	"github.com/backstage-epg/backstage/internal/output"
	"github.com/backstage-epg/backstage/internal/testkit"
)

// TestWriteFailure checks that a write that fails halfway leaves the
// old file untouched and no temporary file behind.
func TestWriteFailure(t *testing.T) {
	for _, name := range []string{"feed.ics", "guide.xml.gz"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			boom := errors.New("boom")
			_, err := output.Write(context.Background(), path, io.Discard, func(w io.Writer) error {
				if _, err := w.Write([]byte("half a feed")); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v, want the write's error", err)
			}
			if data, _ := os.ReadFile(path); string(data) != "old" {
				t.Errorf("old file now holds %q", data)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("folder holds %d entries, want 1", len(entries))
			}
		})
	}
}

// TestWrite: standard output for "" and "-", a file otherwise, gzipped
// for .gz; each returns the bytes it wrote.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	feed := strings.Repeat("BEGIN:VEVENT\r\nEND:VEVENT\r\n", 100)
	write := func(w io.Writer) error { _, err := io.WriteString(w, feed); return err }
	for _, path := range []string{"", "-"} {
		var stdout bytes.Buffer
		n, err := output.Write(context.Background(), path, &stdout, write)
		if err != nil || stdout.String() != feed || n != int64(len(feed)) {
			t.Errorf("%q: %d bytes, %v; stdout holds %d bytes; want %d, all on stdout", path, n, err, stdout.Len(), len(feed))
		}
	}
	for _, name := range []string{"feed.ics", "feed.ics.gz"} {
		path := filepath.Join(dir, name)
		var stdout bytes.Buffer
		n, err := output.Write(context.Background(), path, &stdout, write)
		b, rerr := os.ReadFile(path)
		if err != nil || rerr != nil || stdout.Len() != 0 || n != int64(len(b)) {
			t.Errorf("%s: %d bytes, %v, %v; the file holds %d; stdout %d", name, n, err, rerr, len(b), stdout.Len())
			continue
		}
		if strings.HasSuffix(name, ".gz") {
			b = testkit.Gunzip(t, b)
		}
		if string(b) != feed {
			t.Errorf("%s holds %.40q, want the feed", name, b)
		}
	}
}

// TestCreateError: a path that cannot be made is a *CreateError, which
// says why, and for a folder wraps atomicfile.ErrIsDir; write is not
// called.
func TestCreateError(t *testing.T) {
	dir := t.TempDir()
	called := false
	write := func(io.Writer) error { called = true; return nil }
	for _, c := range []struct {
		path string
		want string
		dir  bool
	}{
		{filepath.Join(dir, "missing", "feed.ics"), "cannot write there: no such file or directory", false},
		{dir, "cannot write there: is a directory", true},
	} {
		_, err := output.Write(context.Background(), c.path, io.Discard, write)
		var ce *output.CreateError
		if !errors.As(err, &ce) || ce.Path != c.path || !strings.Contains(err.Error(), c.want) || errors.Is(err, atomicfile.ErrIsDir) != c.dir {
			t.Errorf("%s: %v; want a *CreateError saying %q", c.path, err, c.want)
		}
	}
	if called {
		t.Error("write was called for a file that could not be made")
	}
}
