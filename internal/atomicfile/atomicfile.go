// Package atomicfile writes files so that a reader sees the old bytes or
// the new ones, never half of either: the new bytes go to a temporary
// file beside the target, which is synced and renamed over it only once
// everything is written. An interrupted write (an error, a signal, a full
// disk, kill -9) leaves the old file as it was.
//
// Targets that are not regular files are treated as a shell redirection
// would treat them: a character device or a named pipe (/dev/stdout, a
// FIFO) is written into directly, since renaming over it would replace
// the device with a file; a symbolic link, or a chain of them, has the
// file at its end replaced (or made), and stays a link; a directory and
// a loop of links are refused.
//
// Temporary files are named ".NAME.tmp-PID-RANDOM", so that a later
// write of the same target recognises those that a killed process left
// behind (their PID no longer runs) and removes them.
package atomicfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/backstage-epg/backstage/internal/userfile"
)

// ErrIsDir is returned by Create for a path that names a directory.
var ErrIsDir = errors.New("is a directory; want a file name")

// File is a file being written for Create's path. Write to it, then call
// Commit to put it in place; Cleanup, deferred, removes the temporary file
// of a write that did not get that far.
type File struct {
	f      *os.File
	dev    *userfile.File // f, when it is a device or a pipe written into
	target string         // the file Commit replaces: path, or the end of its links
	temp   string         // "" when writing straight into a device or pipe
	noSync bool           // see Options.NoSync
	done   bool
}

// Create is CreateContext with a context that is never done.
func Create(path string) (*File, error) {
	return CreateContext(context.Background(), path)
}

// CreateContext starts writing path. It fails with an error wrapping
// ErrIsDir for a directory, and with the operating system's error
// (wrapped in an *fs.PathError) when the folder cannot be written or the
// device opened. Opening a named pipe waits for a reader at its other
// end, and writing it for the reader to take what was written: both give
// up once ctx is done (see package userfile).
func CreateContext(ctx context.Context, path string) (*File, error) {
	return create(ctx, path, "")
}

// create is CreateContext, making the temporary file in tempDir when it
// is set. Otherwise the temporary file goes beside the target, and so do
// those a killed writer left: it removes them first. (A writer that
// gives a tempDir owns that folder and clears it itself.)
func create(ctx context.Context, path, tempDir string) (*File, error) {
	target, err := resolve(path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(target); err == nil {
		switch {
		case fi.IsDir():
			return nil, &fs.PathError{Op: "create", Path: path, Err: ErrIsDir}
		case !fi.Mode().IsRegular():
			// A device or a pipe: write into it, as > would.
			f, err := userfile.Open(ctx, target, os.O_WRONLY, 0)
			if err != nil {
				return nil, err
			}
			return &File{f: f.File, dev: f, target: target}, nil
		}
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return nil, &fs.PathError{Op: "create", Path: path, Err: ErrIsDir}
	}
	if tempDir == "" {
		removeStale(dir, base)
	} else {
		dir = tempDir
	}
	f, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return nil, err
	}
	return &File{f: f, target: target, temp: f.Name()}, nil
}

// maxLinks is how many symbolic links resolve follows before it takes
// them for a loop, as Linux does.
const maxLinks = 40

// errLinks is the error for a loop of symbolic links, or a chain too
// long to tell from one.
var errLinks = errors.New("too many levels of symbolic links")

// resolve returns the file path leads to through symbolic links: path
// itself when it is not a link, the end of its chain when that exists,
// and otherwise the file the chain's last link names, which a shell's >
// would create. It fails on a loop of links, where > fails too, rather
// than replace a link of the loop with a file.
func resolve(path string) (string, error) {
	p := path
	for range maxLinks {
		if end, err := filepath.EvalSymlinks(p); err == nil {
			return end, nil
		}
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil // not there yet, or not to be read: making it will say which
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return "", &fs.PathError{Op: "create", Path: path, Err: errLinks}
}

// tempPrefix is the start of the name of every temporary file this
// process makes for base.
func tempPrefix(base string) string {
	return "." + base + ".tmp-" + strconv.Itoa(os.Getpid()) + "-"
}

// removeStale removes the temporary files for base in dir, named
// ".BASE.tmp-PID-RANDOM", whose PID no longer runs.
func removeStale(dir, base string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscaper.Replace(base)+".tmp-*-*"))
	for _, m := range matches {
		name := filepath.Base(m)
		i := strings.LastIndex(name, ".tmp-")
		if i < 0 {
			continue
		}
		rest := name[i+len(".tmp-"):]
		pid, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, '-'), 0)])
		if err != nil || pid <= 0 || running(pid) {
			continue
		}
		os.Remove(m)
	}
}

// globEscaper makes a file name match itself alone in filepath.Glob.
var globEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)

// Write writes p to the file.
func (f *File) Write(p []byte) (int, error) { return f.f.Write(p) }

// Commit puts the written file in place: it makes the temporary file
// readable by others (0644, as a feed is meant to be read), syncs it,
// closes it and renames it over the target. For a device or a pipe it
// only closes it. After Commit, Cleanup does nothing.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: commit of a file already committed or cleaned up")
	}
	f.done = true
	if f.dev != nil {
		return f.dev.Close()
	}
	err := f.f.Chmod(0o644)
	if err == nil && !f.noSync {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.temp, f.target)
	}
	if err != nil {
		os.Remove(f.temp)
		return fmt.Errorf("write %s: %w", f.target, err)
	}
	return nil
}

// Cleanup closes and removes the temporary file unless Commit has put it
// in place. It is safe to call more than once, and meant to be deferred.
func (f *File) Cleanup() {
	if f.done {
		return
	}
	f.done = true
	if f.dev != nil {
		f.dev.Close()
		return
	}
	f.f.Close()
	os.Remove(f.temp)
}

// Options change how WriteFile writes.
type Options struct {
	// TempDir is the folder the temporary file is made in, instead of
	// beside the target. It must be on the target's file system, which a
	// rename cannot leave. A writer of thousands of files gives them a
	// small folder of its own: creating a file with a random name in a
	// folder of thousands costs about twice as much as in a small one.
	TempDir string

	// NoSync leaves out the sync before the rename. The rename is still
	// atomic for every other process, and a killed writer still leaves
	// the old file; only a crash of the whole machine may then lose the
	// new bytes. A writer of many files can sync them all at once at the
	// end instead (syscall.Syncfs), which is far quicker.
	NoSync bool
}

// WriteFile is WriteFileContext with a context that is never done.
func WriteFile(path string, data []byte, o Options) (changed bool, err error) {
	return WriteFileContext(context.Background(), path, data, o)
}

// WriteFileContext writes data to path atomically unless path is a
// regular file that already holds exactly data, in which case it leaves
// the file (and its modification time) alone. It reports whether it
// wrote. The zero Options write as CreateContext does, and a named pipe
// is given up on once ctx is done.
func WriteFileContext(ctx context.Context, path string, data []byte, o Options) (changed bool, err error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == int64(len(data)) {
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
			return false, nil
		}
	}
	f, err := create(ctx, path, o.TempDir)
	if err != nil {
		return false, err
	}
	defer f.Cleanup()
	f.noSync = o.NoSync
	if _, err := f.Write(data); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, f.Commit()
}
