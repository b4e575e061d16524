//go:build !unix

package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
)

// tree is the folder a publish writes, held open as an *os.Root, which
// keeps every path inside it. Before each step the parts of a path are
// checked with Lstat, so that a link, or anything else that is not a
// folder or a file where publish wants one, is refused with a
// *ForeignError. (Unix systems have a stricter tree, which reaches each
// name from its folder's descriptor and so cannot be raced.)
type tree struct {
	dir  string
	root *os.Root
}

func openTree(dir string) (*tree, error) {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotFolder)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &tree{dir: dir, root: r}, nil
}

func (t *tree) Close() { t.root.Close() }

// lock does nothing: without flock(2), two publishes into one folder
// are not kept apart, though each file is still replaced whole.
func (t *tree) lock() error { return nil }

// folder checks that every part of the folder path is a folder, making
// the missing ones when create is set.
func (t *tree) folder(p string, create bool) error {
	if p == "" {
		return nil
	}
	up, _ := split(p)
	if err := t.folder(up, create); err != nil {
		return err
	}
	fi, err := t.root.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) && create {
		if err = t.root.Mkdir(p, 0o755); err == nil || errors.Is(err, fs.ErrExist) {
			fi, err = t.root.Lstat(p)
		}
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &ForeignError{Path: t.full(p), What: describe(fi.Mode()), Want: "a folder"}
	}
	return nil
}

type stat struct {
	mode  fs.FileMode
	size  int64
	mtime int64
}

func (t *tree) lstat(p string) (stat, error) {
	up, _ := split(p)
	if err := t.folder(up, false); err != nil {
		return stat{}, err
	}
	fi, err := t.root.Lstat(p)
	if err != nil {
		return stat{}, err
	}
	return stat{mode: fi.Mode().Type(), size: fi.Size(), mtime: fi.ModTime().UnixNano()}, nil
}

// file checks that p is a regular file, or missing when missing is ok.
func (t *tree) file(p string, missing bool) error {
	st, err := t.lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist) && missing:
		return nil
	case err != nil:
		return err
	case !st.mode.IsRegular():
		return &ForeignError{Path: t.full(p), What: describe(st.mode), Want: "a file"}
	}
	return nil
}

func (t *tree) open(p string) (*os.File, error) {
	if err := t.file(p, false); err != nil {
		return nil, err
	}
	return t.root.Open(p)
}

func (t *tree) appendTo(p string) (*os.File, error) {
	if err := t.file(p, true); err != nil {
		return nil, err
	}
	return t.root.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
}

func (t *tree) create(p string) (*os.File, error) {
	up, _ := split(p)
	if err := t.folder(up, true); err != nil {
		return nil, err
	}
	return t.root.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
}

func (t *tree) rename(from, to string) error {
	up, _ := split(to)
	if err := t.folder(up, true); err != nil {
		return err
	}
	if err := t.file(to, true); err != nil {
		return err
	}
	return t.root.Rename(from, to)
}

func (t *tree) remove(p string) (bool, error) {
	if t.file(p, false) != nil {
		return false, nil
	}
	if err := t.root.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func (t *tree) rmdir(p string) bool {
	if p == "" || t.folder(p, false) != nil {
		return false
	}
	return t.root.Remove(p) == nil
}

func (t *tree) clear(p string) error {
	err := t.folder(p, false)
	if errors.Is(err, fs.ErrNotExist) {
		return t.root.Mkdir(p, 0o700)
	}
	if err != nil {
		return err
	}
	if err := t.root.RemoveAll(p); err != nil {
		return err
	}
	return t.root.Mkdir(p, 0o700)
}

func (t *tree) drop(p string) {
	if t.folder(p, false) == nil {
		t.root.RemoveAll(p)
	}
}

func (t *tree) full(p string) string {
	if p == "" {
		return t.dir
	}
	return joinDir(t.dir, path.Clean(p))
}
