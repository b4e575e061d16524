package publish

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/backstage-epg/backstage/internal/quote"
)

// ErrForeign is wrapped by a *ForeignError.
var ErrForeign = errors.New("not publish's to write")

// ForeignError reports an entry at one of publish's paths that publish
// did not make and does not replace: a symbolic link (to a file or a
// folder, or dangling), a named pipe, a device, a socket, a file where a
// folder belongs or a folder where a file belongs. Publish never writes
// through such an entry, opens it, follows it or removes it.
type ForeignError struct {
	Path string // as the user named the folder, then the path in it
	What string // "a symbolic link", "a named pipe", …
	Want string // "a file" or "a folder"
}

// Error says what is where, and what to do.
func (e *ForeignError) Error() string {
	return quote.Clip(e.Path) + " is " + e.What + ", where publish writes " + e.Want +
		" of its own: it neither writes through nor replaces it; remove it, or publish into another folder"
}

// Unwrap returns ErrForeign.
func (e *ForeignError) Unwrap() error { return ErrForeign }

// describe names the kind of an entry that is not what publish wants.
func describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a folder"
	case m.IsRegular():
		return "a file"
	}
	return "not a file or a folder"
}

// split returns the folder a slash-separated path is in ("" at the top)
// and its last name.
func split(path string) (dir, name string) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

// joinDir joins a folder named by the user and a slash-separated path
// in it, for messages.
func joinDir(dir, path string) string {
	return filepath.Join(dir, filepath.FromSlash(path))
}
