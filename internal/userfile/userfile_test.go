//go:build unix

package userfile_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/userfile"
)

// TestOpenStops: opening a named pipe that no process opens at the other
// end, for reading or for writing, gives up once the context is done;
// and reading one whose writer sends nothing does too.
func TestOpenStops(t *testing.T) {
	mkfifo := func(t *testing.T) string {
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		return fifo
	}
	for name, flag := range map[string]int{"read": os.O_RDONLY, "write": os.O_WRONLY} {
		t.Run(name, func(t *testing.T) {
			fifo := mkfifo(t)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			f, err := userfile.Open(ctx, fifo, flag, 0)
			if err == nil {
				f.Close()
			}
			if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
				t.Errorf("got %v after %v, want the context's error soon", err, time.Since(start))
			}
		})
	}
	t.Run("read with nothing sent", func(t *testing.T) {
		// A writer that opens the pipe and sends nothing.
		fifo := mkfifo(t)
		w, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		ctx, cancel := context.WithCancel(context.Background())
		f, err := userfile.Open(ctx, fifo, os.O_RDONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		time.AfterFunc(100*time.Millisecond, cancel)
		if _, err := io.ReadAll(f); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("got %v, want the read ended by the deadline", err)
		}
	})
}

// TestOpenFile: a regular file is opened, read and closed as usual.
func TestOpenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("hello"), 0o644)
	f, err := userfile.Open(context.Background(), path, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	if err != nil || string(b) != "hello" {
		t.Errorf("got %q, %v", b, err)
	}
	if err := f.Close(); err != nil {
		t.Error(err)
	}
	if _, err := userfile.Open(context.Background(), path+"x", os.O_RDONLY, 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: got %v", err)
	}
}
