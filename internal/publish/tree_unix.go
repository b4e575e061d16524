//go:build unix

package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// tree is the folder a publish writes, held open. Every path below it is
// reached from the folder's descriptor one name at a time (openat(2)
// with O_NOFOLLOW), so that no symbolic link in it is ever followed,
// whoever put it there and whenever, and nothing outside it is reached:
// a link, a named pipe, a device or a socket where publish wants a file
// or a folder is refused with a *ForeignError, never opened or replaced.
// Paths are slash-separated and relative to the folder.
type tree struct {
	dir  string // as the caller named it, for messages
	mu   sync.Mutex
	dirs map[string]int // folders opened so far, by path; "" is the folder itself
}

// openTree opens dir, which must be a folder. dir itself may be a
// symbolic link to one: it is the caller's to name.
func openTree(dir string) (*tree, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, syscall.ENOTDIR) {
			return nil, fmt.Errorf("%s: %w", dir, ErrNotFolder)
		}
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return &tree{dir: dir, dirs: map[string]int{"": fd}}, nil
}

// Close closes every folder the tree opened.
func (t *tree) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, fd := range t.dirs {
		unix.Close(fd)
	}
	t.dirs = nil
}

// lock takes an exclusive lock on the folder for the length of a
// publish, failing with ErrBusy when another publish holds it.
func (t *tree) lock() error {
	err := unix.Flock(t.dirs[""], unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return ErrBusy
	}
	return err
}

// folder returns the descriptor of the folder at path, making it and
// its parents when create is set. It fails with a *ForeignError when a
// part of path is not a folder, and with an error wrapping
// fs.ErrNotExist when one is missing and create is not set.
func (t *tree) folder(path string, create bool) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.folderLocked(path, create)
}

func (t *tree) folderLocked(path string, create bool) (int, error) {
	if fd, ok := t.dirs[path]; ok {
		return fd, nil
	}
	if t.dirs == nil {
		return -1, errors.New("publish: folder closed")
	}
	up, name := split(path)
	parent, err := t.folderLocked(up, create)
	if err != nil {
		return -1, err
	}
	const flags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fd, err := unix.Openat(parent, name, flags, 0)
	if errors.Is(err, unix.ENOENT) && create {
		if err = unix.Mkdirat(parent, name, 0o755); err == nil || errors.Is(err, unix.EEXIST) {
			fd, err = unix.Openat(parent, name, flags, 0)
		}
	}
	switch {
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.ENOTDIR):
		return -1, t.foreign(parent, name, path, "a folder")
	case err != nil:
		return -1, t.pathErr("open", path, err)
	}
	t.dirs[path] = fd
	return fd, nil
}

// at returns the descriptor of the folder path is in, and its last name.
func (t *tree) at(path string, create bool) (int, string, error) {
	up, name := split(path)
	fd, err := t.folder(up, create)
	return fd, name, err
}

// foreign returns the *ForeignError for name in the folder parent,
// where publish wants want ("a file" or "a folder").
func (t *tree) foreign(parent int, name, path, want string) error {
	var st unix.Stat_t
	what := "not " + want
	if unix.Fstatat(parent, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
		what = describe(fileMode(uint32(st.Mode)))
	}
	return &ForeignError{Path: t.full(path), What: what, Want: want}
}

// stat is what publish needs of an entry: its type, size and time.
type stat struct {
	mode  fs.FileMode
	size  int64
	mtime int64 // Unix nanoseconds
}

// lstat returns the entry at path without following a link. It fails
// with an error wrapping fs.ErrNotExist when there is none.
func (t *tree) lstat(path string) (stat, error) {
	parent, name, err := t.at(path, false)
	if err != nil {
		return stat{}, err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(parent, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return stat{}, t.pathErr("lstat", path, err)
	}
	return stat{mode: fileMode(uint32(st.Mode)), size: st.Size, mtime: st.Mtim.Nano()}, nil
}

// open opens the regular file at path for reading. Anything else there
// is a *ForeignError; a named pipe is found so before it is opened, and
// opened without waiting (O_NONBLOCK) should one appear in between.
func (t *tree) open(path string) (*os.File, error) {
	parent, name, err := t.at(path, false)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(parent, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, t.pathErr("lstat", path, err)
	}
	if !fileMode(uint32(st.Mode)).IsRegular() {
		return nil, t.foreign(parent, name, path, "a file")
	}
	fd, err := unix.Openat(parent, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, t.foreign(parent, name, path, "a file")
		}
		return nil, t.pathErr("open", path, err)
	}
	return checkRegular(fd, t.full(path))
}

// appendTo opens the regular file at path for appending, making it
// when it is missing.
func (t *tree) appendTo(path string) (*os.File, error) {
	parent, name, err := t.at(path, true)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Openat(parent, name, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o644)
	if err != nil {
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.ENXIO) {
			return nil, t.foreign(parent, name, path, "a file")
		}
		return nil, t.pathErr("open", path, err)
	}
	return checkRegular(fd, t.full(path))
}

// create makes a new file at path, which must not exist, readable by
// all (0644, as a site's files are meant to be read), open to write and
// read back.
func (t *tree) create(path string) (*os.File, error) {
	parent, name, err := t.at(path, true)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Openat(parent, name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, t.pathErr("create", path, err)
	}
	if err := unix.Fchmod(fd, 0o644); err != nil {
		unix.Close(fd)
		return nil, t.pathErr("chmod", path, err)
	}
	return os.NewFile(uintptr(fd), t.full(path)), nil
}

// rename moves the file at from to to, making to's folders. Whatever
// entry to names is replaced, not written through: callers check first
// that it is a regular file or nothing.
func (t *tree) rename(from, to string) error {
	fromDir, fromName, err := t.at(from, false)
	if err != nil {
		return err
	}
	toDir, toName, err := t.at(to, true)
	if err != nil {
		return err
	}
	if err := unix.Renameat(fromDir, fromName, toDir, toName); err != nil {
		return t.pathErr("rename", to, err)
	}
	return nil
}

// remove removes the regular file at path. It reports whether there was
// one: nothing, or anything else, at path (or a part of path that is not
// a folder) is left alone.
func (t *tree) remove(path string) (bool, error) {
	parent, name, err := t.at(path, false)
	var fe *ForeignError
	if errors.Is(err, fs.ErrNotExist) || errors.As(err, &fe) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(parent, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil || !fileMode(uint32(st.Mode)).IsRegular() {
		return false, nil
	}
	if err := unix.Unlinkat(parent, name, 0); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return false, nil
		}
		return false, t.pathErr("remove", path, err)
	}
	return true, nil
}

// rmdir removes the folder at path if it is an empty folder, and
// reports whether it did; a link, a file or a folder with anything in it
// stays.
func (t *tree) rmdir(path string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	up, name := split(path)
	parent, ok := t.dirs[up]
	if !ok || path == "" {
		return false
	}
	if unix.Unlinkat(parent, name, unix.AT_REMOVEDIR) != nil {
		return false
	}
	if fd, ok := t.dirs[path]; ok {
		unix.Close(fd)
		delete(t.dirs, path)
	}
	return true
}

// clear empties the folder at path, making it (0700) when it is
// missing: everything in it goes, links as links. A path that is not a
// folder is a *ForeignError.
func (t *tree) clear(path string) error {
	fd, err := t.folder(path, false)
	if errors.Is(err, fs.ErrNotExist) {
		parent, name, err := t.at(path, false)
		if err != nil {
			return err
		}
		if err := unix.Mkdirat(parent, name, 0o700); err != nil {
			return t.pathErr("mkdir", path, err)
		}
		return nil
	}
	if err != nil {
		return err
	}
	return t.empty(fd, path)
}

// drop removes the folder at path and everything in it, as clear does.
func (t *tree) drop(path string) {
	if fd, err := t.folder(path, false); err == nil && t.empty(fd, path) == nil {
		t.rmdir(path)
	}
}

// empty removes everything in the open folder fd, at path.
func (t *tree) empty(fd int, path string) error {
	d, err := unix.Dup(fd)
	if err != nil {
		return t.pathErr("open", path, err)
	}
	f := os.NewFile(uintptr(d), t.full(path))
	defer f.Close()
	if _, err := f.Seek(0, 0); err != nil {
		return err
	}
	names, err := f.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, name := range names {
		err := unix.Unlinkat(fd, name, 0)
		if errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EPERM) {
			sub, oerr := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if oerr != nil {
				return t.pathErr("open", path+"/"+name, oerr)
			}
			err = t.empty(sub, path+"/"+name)
			unix.Close(sub)
			if err == nil {
				err = unix.Unlinkat(fd, name, unix.AT_REMOVEDIR)
			}
		}
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return t.pathErr("remove", path+"/"+name, err)
		}
	}
	return nil
}

// full returns path as a user reads it: under the folder's own name.
func (t *tree) full(path string) string {
	if path == "" {
		return t.dir
	}
	return joinDir(t.dir, path)
}

func (t *tree) pathErr(op, path string, err error) error {
	return &fs.PathError{Op: op, Path: t.full(path), Err: err}
}

// checkRegular makes an *os.File of fd if it is a regular file, and
// closes it otherwise.
func checkRegular(fd int, name string) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if m := fileMode(uint32(st.Mode)); !m.IsRegular() {
		unix.Close(fd)
		return nil, &ForeignError{Path: name, What: describe(m), Want: "a file"}
	}
	return os.NewFile(uintptr(fd), name), nil
}

// fileMode turns the type bits of st_mode into an fs.FileMode.
func fileMode(m uint32) fs.FileMode {
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFLNK:
		return fs.ModeSymlink
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		return fs.ModeDevice
	}
	return 0
}
