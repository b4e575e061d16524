// Package userfile opens the files a user names — a schedule file, a
// configuration, an output file — so that a command told to stop is not
// held by one. Such a name may be a named pipe, whose opening waits for
// a process at the other end, or a pipe or terminal whose reads and
// writes wait for one; a command that waits there must still stop
// within a moment of Ctrl-C or SIGTERM. Regular files never wait, and are
// opened as os.OpenFile opens them.
package userfile

import (
	"context"
	"io/fs"
	"os"
	"time"
)

// File is a file opened by Open. Its reads and writes that wait (on a
// pipe, a terminal) end once the context it was opened with is done,
// with an error wrapping os.ErrDeadlineExceeded.
type File struct {
	*os.File
	stop func() bool
}

// Open opens name as os.OpenFile does, except that it gives up once ctx
// is done, with an *fs.PathError wrapping ctx.Err(): the open goes on in
// a goroutine of its own, and a file it opens after that is closed. The
// open of a named pipe, which waits for the other end, is the one that
// needs this.
func Open(ctx context.Context, name string, flag int, perm fs.FileMode) (*File, error) {
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(name, flag, perm)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			return nil, o.err
		}
		return Watch(ctx, o.f), nil
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, &fs.PathError{Op: "open", Path: name, Err: ctx.Err()}
	}
}

// Watch makes f a File whose waiting reads and writes end once ctx is
// done. (They end through a deadline, which files that do not wait, such
// as regular files, ignore.)
func Watch(ctx context.Context, f *os.File) *File {
	return &File{File: f, stop: context.AfterFunc(ctx, func() { f.SetDeadline(time.Now()) })}
}

// Close stops watching the context and closes the file.
func (f *File) Close() error {
	f.stop()
	return f.File.Close()
}
