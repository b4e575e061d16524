package cli

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteOutputFailure checks that a write that fails halfway leaves the
// old file untouched and no temporary file behind.
func TestWriteOutputFailure(t *testing.T) {
	for _, name := range []string{"feed.ics", "guide.xml.gz"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			boom := errors.New("boom")
			err := writeOutput(path, io.Discard, func(w io.Writer) error {
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
