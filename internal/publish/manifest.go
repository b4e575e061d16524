package publish

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/backstage-epg/backstage/internal/quote"
)

// The manifest (ManifestName) records the files publish wrote, one JSON
// object a line: first {"version":2,"digest":"…"} (see digest), then one
// line a file, {"path":…,"sha256":…,"size":…,"mtime":…}, with "source",
// the hash of the file it compresses, for a .gz sibling. A line with a
// path alone names a file publish is about to write: a publish appends
// it before it writes a file the manifest does not name, so that whatever
// stops it (an error, a full disk, kill -9) no file it made is unknown to
// the next publish, which removes it if the site no longer has it. A
// publish that ends well writes the manifest afresh, naming exactly the
// site's files.
//
// A manifest of version 1, one object with every file under "files", is
// read too, with any lines appended after it.

// record is one file the manifest names.
type record struct {
	path   string
	hash   [32]byte // of the file's bytes
	source [32]byte // of the file a .gz sibling compresses; see hasSource
	size   int64
	mtime  int64 // Unix nanoseconds
	known  bool  // hash, size and mtime are set; not for a file about to be written
	hasSrc bool
}

// manifest is a manifest as read, sorted by path for lookups.
type manifest struct {
	digest string
	recs   []record
	seen   []bool // set by a publish for each record it has dealt with
	exists bool   // the file is there, and can be appended to
	size   int64  // bytes in the file
	valid  int64  // bytes up to the end of its last whole line
	old    bool   // version 1, or lines cut short: written afresh even if nothing else changes
	needNL bool   // the file does not end with a newline: add one before appending
}

// find returns the index of path's record.
func (m *manifest) find(path string) (int, bool) {
	return slices.BinarySearchFunc(m.recs, path, func(r record, p string) int { return strings.Compare(r.path, p) })
}

// get returns path's record.
func (m *manifest) get(path string) (record, bool) {
	i, ok := m.find(path)
	if !ok {
		return record{}, false
	}
	return m.recs[i], true
}

// line is a manifest line as JSON has it.
type line struct {
	Version int    `json:"version,omitempty"`
	Digest  string `json:"digest,omitempty"`
	Path    string `json:"path,omitempty"`
	Hash    string `json:"sha256,omitempty"`
	Size    int64  `json:"size,omitempty"`
	MTime   int64  `json:"mtime,omitempty"`
	Source  string `json:"source,omitempty"`
	// Files is version 1's list of every file.
	Files map[string]line `json:"files,omitempty"`
}

// errManifest is the start of every error about a manifest's content.
func errManifest(err error) error {
	return fmt.Errorf("%s: not a manifest this publish can read (remove it to start afresh, and the files it names by hand): %w", ManifestName, err)
}

// readManifest reads the manifest in t, if there is one. A manifest that
// is not a regular file is a *ForeignError. The last line, if cut short
// (a write that a full disk stopped), is left out.
func readManifest(t *tree) (*manifest, error) {
	m := &manifest{}
	f, err := t.open(ManifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m.exists = true
	r := bufio.NewReaderSize(f, 64<<10)
	var buf []byte
	for n := 0; ; n++ {
		b, err := readLine(r, &buf)
		if err != nil && err != io.EOF {
			return nil, err
		}
		if len(b) == 0 && err == io.EOF {
			break
		}
		whole := len(b) > 0 && b[len(b)-1] == '\n'
		m.size += int64(len(b))
		if !whole && n > 0 {
			// Cut short (its write failed, so the file it names was not
			// written), or not a line publish wrote: left out, and cut
			// off before anything is appended.
			break
		}
		if n > 0 {
			if r, ok := parseLine(b); ok {
				// The form publish writes, read without encoding/json,
				// which takes several times as long and makes garbage of
				// every field.
				if err := m.addRecord(r); err != nil {
					return nil, err
				}
				m.valid = m.size
				continue
			}
		}
		var l line
		if jerr := json.Unmarshal(b, &l); jerr != nil {
			return nil, errManifest(jerr)
		}
		if n == 0 {
			if fi, err := f.Stat(); err == nil && l.Files == nil {
				m.recs = make([]record, 0, fi.Size()/minLine)
			}
			if err := m.header(l, whole); err != nil {
				return nil, err
			}
		} else if err := m.add(l.Path, l); err != nil {
			return nil, err
		}
		if whole {
			m.valid = m.size
		} else {
			m.valid, m.needNL = m.size, true // a whole manifest of version 1, without its newline
		}
		if err == io.EOF {
			break
		}
	}
	if m.size == 0 {
		return nil, errManifest(errors.New("empty"))
	}
	if m.valid < m.size || m.needNL {
		m.old = true
	}
	// One record a path: a file's own line wins over one naming it about
	// to be written, and a later line over an earlier.
	slices.SortStableFunc(m.recs, func(a, b record) int { return strings.Compare(a.path, b.path) })
	out := m.recs[:0]
	for _, r := range m.recs {
		switch {
		case len(out) == 0 || out[len(out)-1].path != r.path:
			out = append(out, r)
		case r.known || !out[len(out)-1].known:
			out[len(out)-1] = r
		}
	}
	m.recs = slices.Clip(out)
	m.seen = make([]bool, len(m.recs))
	return m, nil
}

// header reads the first line: version 2's header, or version 1's whole
// manifest.
func (m *manifest) header(l line, whole bool) error {
	m.digest = l.Digest
	switch l.Version {
	case 2:
		if l.Files != nil || l.Path != "" {
			return errManifest(errors.New(`a version 2 header with files`))
		}
	case 1:
		if l.Files == nil {
			return errManifest(errors.New(`no "files"`))
		}
		m.old = true
		for _, p := range slices.Sorted(mapsKeys(l.Files)) {
			if err := m.add(p, l.Files[p]); err != nil {
				return err
			}
		}
	default:
		return errManifest(fmt.Errorf("version %d", l.Version))
	}
	return nil
}

// add records a file's line.
func (m *manifest) add(path string, l line) error {
	r := record{path: path, size: l.Size, mtime: l.MTime}
	r.known = unhex(l.Hash, &r.hash)
	r.hasSrc = unhex(l.Source, &r.source)
	return m.addRecord(r)
}

// addRecord records a file. Its path must stay inside the folder.
func (m *manifest) addRecord(r record) error {
	if r.path == "" {
		return errManifest(errors.New("a line without a path"))
	}
	if !filepath.IsLocal(filepath.FromSlash(r.path)) || strings.ContainsAny(r.path, "\\\x00") {
		return fmt.Errorf("%s: path %s leaves the folder", ManifestName, quote.Value(r.path))
	}
	if r.path == ManifestName || r.path == StagingName || strings.HasPrefix(r.path, StagingName+"/") {
		return nil // publish's own; never a file of the site
	}
	m.recs = append(m.recs, r)
	return nil
}

// minLine is the length of the shortest line of a file publish wrote,
// for a first guess of how many records a manifest holds.
const minLine = 150

// parseLine reads a line in the form appendLine writes, with a path of
// plain characters; anything else is left to encoding/json.
func parseLine(b []byte) (record, bool) {
	var r record
	rest, ok := bytes.CutPrefix(b, []byte(`{"path":"`))
	if !ok {
		return r, false
	}
	i := bytes.IndexByte(rest, '"')
	if i <= 0 || bytes.ContainsFunc(rest[:i], func(c rune) bool { return c == '\\' || c < ' ' || c >= 0x7f }) {
		return r, false
	}
	path := rest[:i]
	rest = rest[i+1:]
	if bytes.Equal(rest, []byte("}\n")) {
		r.path = string(path)
		return r, true
	}
	field := func(name string) ([]byte, bool) {
		v, ok := bytes.CutPrefix(rest, []byte(`,"`+name+`":`))
		if !ok {
			return nil, false
		}
		j := bytes.IndexAny(v, ",}")
		if j < 0 {
			return nil, false
		}
		rest = v[j:]
		return v[:j], true
	}
	hash := func(v []byte, h *[32]byte) bool {
		if len(v) != 2+2*len(h) || v[0] != '"' || v[len(v)-1] != '"' {
			return false
		}
		_, err := hex.Decode(h[:], v[1:len(v)-1])
		return err == nil
	}
	num := func(v []byte, n *int64) bool {
		var err error
		*n, err = strconv.ParseInt(string(v), 10, 64)
		return err == nil
	}
	h, ok1 := field("sha256")
	size, ok2 := field("size")
	mtime, ok3 := field("mtime")
	if !ok1 || !ok2 || !ok3 || !hash(h, &r.hash) || !num(size, &r.size) || !num(mtime, &r.mtime) {
		return r, false
	}
	if src, ok := field("source"); ok {
		if !hash(src, &r.source) {
			return r, false
		}
		r.hasSrc = true
	}
	if !bytes.Equal(rest, []byte("}\n")) {
		return r, false
	}
	r.path, r.known = string(path), true
	return r, true
}

// unhex decodes a hash written in hex into h, reporting whether it was
// one.
func unhex(s string, h *[32]byte) bool {
	if len(s) != 2*len(h) {
		return false
	}
	_, err := hex.Decode(h[:], []byte(s))
	return err == nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// readLine returns the next line of r with its newline, the last one
// without; buf is reused for lines longer than r's buffer.
func readLine(r *bufio.Reader, buf *[]byte) ([]byte, error) {
	b, err := r.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return b, err
	}
	*buf = append((*buf)[:0], b...)
	for err == bufio.ErrBufferFull {
		b, err = r.ReadSlice('\n')
		*buf = append(*buf, b...)
	}
	return *buf, err
}

// appendLine writes r as a manifest line to b.
func appendLine(b []byte, r record) []byte {
	p, _ := json.Marshal(r.path) // a string: cannot fail
	b = append(b, `{"path":`...)
	b = append(b, p...)
	if r.known {
		b = append(b, `,"sha256":"`...)
		b = hex.AppendEncode(b, r.hash[:])
		b = append(b, `","size":`...)
		b = strconv.AppendInt(b, r.size, 10)
		b = append(b, `,"mtime":`...)
		b = strconv.AppendInt(b, r.mtime, 10)
		if r.hasSrc {
			b = append(b, `,"source":"`...)
			b = hex.AppendEncode(b, r.source[:])
			b = append(b, '"')
		}
	}
	return append(b, "}\n"...)
}

// headerLine is the first line of a manifest of version 2.
func headerLine(digest string) []byte {
	b, _ := json.Marshal(line{Version: 2, Digest: digest})
	return append(b, '\n')
}

// journal appends to the manifest the paths a publish is about to write
// that it does not name.
type journal struct {
	t    *tree
	m    *manifest
	mu   sync.Mutex
	f    *os.File // opened on the first path
	temp func() string
}

// add appends path to the manifest, and returns once the line is in the
// file (for every other process to read; a crash of the whole machine
// may still lose it, as it may lose the files written after it).
func (j *journal) add(path string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		if err := j.open(); err != nil {
			return err
		}
	}
	_, err := j.f.Write(appendLine(nil, record{path: path}))
	if err != nil {
		return fmt.Errorf("%s: %w", ManifestName, err)
	}
	return nil
}

// open opens the manifest for appending: a new one is put in place
// whole, with its header, and the end of an old one cut short is cut
// off, so that what is appended starts a line.
func (j *journal) open() error {
	if !j.m.exists {
		tmp := j.temp()
		f, err := j.t.create(tmp)
		if err != nil {
			return err
		}
		_, err = f.Write(headerLine(""))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = j.t.rename(tmp, ManifestName)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", ManifestName, err)
		}
		j.m.exists, j.m.size, j.m.valid = true, int64(len(headerLine(""))), int64(len(headerLine("")))
	}
	f, err := j.t.appendTo(ManifestName)
	if err != nil {
		return err
	}
	var err2 error
	switch {
	case j.m.valid < j.m.size:
		err2 = f.Truncate(j.m.valid)
	case j.m.needNL:
		_, err2 = f.Write([]byte("\n"))
	}
	if err2 != nil {
		f.Close()
		return fmt.Errorf("%s: %w", ManifestName, err2)
	}
	j.f = f
	return nil
}

// close closes the manifest if add opened it.
func (j *journal) close() {
	if j.f != nil {
		j.f.Close()
	}
}

// writer writes the manifest afresh, into a temporary file that commit
// puts in place.
type writer struct {
	t    *tree
	path string // the temporary file's
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	line []byte
	err  error
}

func newWriter(t *tree, tmp, digest string) (*writer, error) {
	f, err := t.create(tmp)
	if err != nil {
		return nil, err
	}
	w := &writer{t: t, path: tmp, f: f, w: bufio.NewWriterSize(f, 64<<10)}
	_, w.err = w.w.Write(headerLine(digest))
	return w, nil
}

// add writes r's line.
func (w *writer) add(r record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.line = appendLine(w.line[:0], r)
		_, w.err = w.w.Write(w.line)
	}
}

// commit puts the manifest in place of the old one.
func (w *writer) commit() error {
	err := w.err
	if err == nil {
		err = w.w.Flush()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = w.t.rename(w.path, ManifestName)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", ManifestName, err)
	}
	return nil
}

// discard drops the new manifest: the old one stays.
func (w *writer) discard() { w.f.Close() }
