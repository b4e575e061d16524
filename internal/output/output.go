// Package output writes what a command makes to standard output or to
// the file its command line names, the same way for backstage export and
// the XMLTV grabber: through internal/atomicfile, so that a reader never
// sees half a feed and a failed or interrupted write leaves the old file
// as it was, with a device, pipe or symbolic link written as a shell
// redirection would write it; gzipped when the name ends in .gz.
package output

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/backstage-epg/backstage/internal/atomicfile"
	"github.com/backstage-epg/backstage/internal/gzpool"
)

// IsStdout reports whether path, as a command line gives it, stands for
// standard output: "" (not given) or "-".
func IsStdout(path string) bool { return path == "" || path == "-" }

// Write runs write against stdout (buffered) when IsStdout(path), and
// otherwise against the file at path. It returns the bytes written to
// stdout or the file (gzipped, for .gz). It fails with a *CreateError
// when the file cannot be made at all, which commands answer as a usage
// error; with write's error, or a *fs.PathError, when writing fails. A
// named pipe at path, which waits for a reader, is given up on once ctx
// is done, with an error wrapping ctx.Err().
func Write(ctx context.Context, path string, stdout io.Writer, write func(io.Writer) error) (int64, error) {
	if IsStdout(path) {
		cw := &countWriter{w: stdout}
		bw := bufio.NewWriterSize(cw, 64<<10)
		if err := write(bw); err != nil {
			return cw.n, err
		}
		err := bw.Flush()
		return cw.n, err
	}
	f, err := atomicfile.CreateContext(ctx, path)
	if ctx.Err() != nil && err != nil {
		return 0, fmt.Errorf("open %s: %w", path, ctx.Err())
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return 0, &CreateError{Path: path, Err: err}
	}
	defer f.Cleanup()
	cw := &countWriter{w: f}
	var w io.Writer = cw
	var zw *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		zw = gzpool.NewWriter(cw)
		defer gzpool.Release(zw)
		zw.Name = strings.TrimSuffix(filepath.Base(path), ".gz")
		w = zw
	}
	if err := write(w); err != nil {
		return 0, err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return 0, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return cw.n, f.Commit()
}

// CreateError reports a file that cannot be made: its folder is missing
// or cannot be written, or the path is a folder (Err wraps
// atomicfile.ErrIsDir).
type CreateError struct {
	Path string
	Err  error // the operating system's reason, without the path
}

// Error says that nothing can be written at Path, and why.
func (e *CreateError) Error() string {
	return fmt.Sprintf("%s: cannot write there: %v", e.Path, e.Err)
}

// Unwrap returns the reason.
func (e *CreateError) Unwrap() error { return e.Err }

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
