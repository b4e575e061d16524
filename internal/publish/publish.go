// Package publish writes a site (package site) into a folder, as files
// any static web host serves: every path of the site, a .gz sibling of
// each text file of 1 KB or more (for nginx's gzip_static and Caddy's
// precompressed), and a _headers file with the types and cache lifetimes
// Netlify and Cloudflare Pages read.
//
// Publishing is incremental and safe. Each file is written to a temporary
// file and renamed into place; a file whose bytes have not changed is not
// written again, so its modification time stays and rsync, aws s3 sync or
// gsutil rsync upload only what changed. A manifest (.backstage-manifest.json)
// records what publish wrote, each file before it is written: files that
// an earlier publish wrote and the site no longer has are removed, and
// nothing else in the folder is ever touched. An interrupted or failed
// publish (a full disk, kill -9) leaves every file old or new, never
// partial, and the next one completes it or removes what it wrote.
//
// # What the folder holds
//
// The folder may hold anything, and other programs may change it. Below
// it, publish follows no symbolic link: it reaches each path one name at
// a time from the folder (on Unix, openat(2) with O_NOFOLLOW), so nothing
// it does writes, creates or removes anything outside the folder. At a
// path of the site it replaces a regular file, and refuses anything else
// with a *ForeignError naming the path: a symbolic link (to a file or a
// folder, or dangling), a named pipe, a device, a socket, or a folder
// where a file belongs. The same goes for its own manifest and staging
// folder. It removes only regular files its manifest names, reached
// through real folders, and only folders left empty.
//
// Memory does not grow with the size of a file: the bytes of a large
// feed go to a temporary file as they are made. It grows with the number
// of files, by the manifest's record of each.
package publish

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"iter"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backstage-epg/backstage/internal/gzpool"
	"github.com/backstage-epg/backstage/internal/site"
)

// ManifestName is the file in which publish records what it wrote.
const ManifestName = ".backstage-manifest.json"

// HeadersName is the file of headers for Netlify and Cloudflare Pages.
const HeadersName = "_headers"

// StagingName is the folder in which publish makes its temporary files
// before it renames each into place; it is gone when publish returns.
const StagingName = ".backstage-staging"

// gzipMin is the size from which a text file gets a .gz sibling: below
// it, the saving does not pay for the extra file.
const gzipMin = 1 << 10

// Result says what a publish did.
type Result struct {
	Files     int   // files of the published site, .gz siblings and _headers included
	Written   int   // files written because they were new or had changed
	Unchanged int   // files left alone, their bytes the same
	Removed   int   // files an earlier publish wrote that the site no longer has
	Bytes     int64 // the size of the site's files, in all
	Took      time.Duration
}

// String sums r up in one line.
func (r Result) String() string {
	return fmt.Sprintf("%d files (%d written, %d unchanged, %d removed), %s in %s",
		r.Files, r.Written, r.Unchanged, r.Removed, megabytes(r.Bytes), r.Took.Round(time.Millisecond))
}

func megabytes(n int64) string {
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}

// ErrNotFolder is wrapped by the error for a destination that exists and
// is not a folder.
var ErrNotFolder = errors.New("not a folder")

// ErrFolder is wrapped by the error for a destination folder that cannot
// be made or written.
var ErrFolder = errors.New("cannot write there")

// ErrBusy is returned when another publish is writing the same folder.
var ErrBusy = errors.New("another publish is writing this folder")

// Progress, when set on Options, is told how far a publish has got.
type Progress func(done, total int)

// Options are the settings of Publish beyond the site and the folder.
type Options struct {
	// Progress is called from time to time with the number of files
	// done; nil for none.
	Progress Progress
	// Workers is how many files are made at once; 0 means one per core.
	Workers int
}

// program is a hash of the running program, "" when it cannot be read.
var program = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})

// digest names what st's files are made from: the program and the site's
// inputs. A publish whose digest is the manifest's makes again only the
// files that are missing or were changed since; "" when it cannot tell.
func digest(st *site.Site) string {
	p, d := program(), st.Digest()
	if p == "" || d == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(p + d))
	return hex.EncodeToString(sum[:])
}

// job is one file to make: a file of the site, or _headers.
type job struct {
	path    string
	file    site.File
	body    []byte // set for files made up front (_headers)
	sibling bool   // a text file, which gets a .gz sibling if it is large enough
}

// publisher is one publish under way.
type publisher struct {
	ctx     context.Context
	t       *tree
	st      *site.Site
	old     *manifest
	journal *journal
	next    *writer
	fresh   bool // the manifest's digest is this site's
	temps   atomic.Int64

	mu      sync.Mutex
	res     Result
	changed bool     // the new manifest differs from the old
	emptied []string // files removed, whose folders may now be empty
}

// Publish writes st into dir, creating dir if it is missing. It stops
// soon after ctx is done, leaving every file old or new. An error about
// dir itself (a file, not writable) wraps ErrNotFolder or the operating
// system's error; an entry in dir that publish does not write through or
// replace is a *ForeignError; any other is a failure while writing.
func Publish(ctx context.Context, st *site.Site, dir string, opt Options) (Result, error) {
	start := time.Now()
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return Result{}, fmt.Errorf("%s: %w", dir, ErrNotFolder)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrFolder, err)
	}
	t, err := openTree(dir)
	if err != nil {
		return Result{}, err
	}
	defer t.Close()
	if err := t.lock(); err != nil {
		return Result{}, err
	}
	old, err := readManifest(t)
	if err != nil {
		return Result{}, err
	}
	p := &publisher{ctx: ctx, t: t, st: st, old: old}
	// What an earlier publish wrote that the site no longer has goes
	// first, so that a publish into a full folder makes room.
	if err := p.sweep(func(path string) bool { return !p.keeps(path) }); err != nil {
		return p.res, err
	}
	// The temporary files are made in a folder of their own, which a
	// publish killed half way leaves for the next to clear.
	if err := t.clear(StagingName); err != nil {
		return p.res, err
	}
	defer t.drop(StagingName)
	p.journal = &journal{t: t, m: old, temp: p.temp}
	defer p.journal.close()

	body, total, err := headers(ctx, st)
	if err != nil {
		return p.res, err
	}
	dg := digest(st)
	p.fresh = dg != "" && dg == old.digest
	if p.next, err = newWriter(t, p.temp(), dg); err != nil {
		return p.res, err
	}
	defer p.next.discard()
	jobs := func(yield func(job) bool) {
		if !yield(job{path: HeadersName, body: body}) {
			return
		}
		for f := range st.Files() {
			_, own := st.Lookup(f.Path + ".gz") // xmltv.xml.gz is a file of the site
			if !yield(job{path: f.Path, file: f, sibling: !own && f.Compressible()}) {
				return
			}
		}
	}
	if err := run(ctx, jobs, total, opt, p.make1); err != nil {
		return p.res, err
	}
	// What an earlier publish wrote and this one did not: the .gz
	// siblings of files now under gzipMin.
	if err := p.sweep(func(string) bool { return true }); err != nil {
		return p.res, err
	}
	for _, path := range p.emptied {
		p.removeEmptyParents(path)
	}
	if p.changed || old.old || dg != old.digest || !old.exists {
		if err := p.next.commit(); err != nil {
			return p.res, err
		}
	}
	p.res.Took = time.Since(start)
	return p.res, nil
}

// temp returns the path of a new temporary file in the staging folder.
func (p *publisher) temp() string {
	return StagingName + "/" + strconv.FormatInt(p.temps.Add(1), 10)
}

// keeps reports whether the site may have the file at path, which a
// manifest names: one of its files, _headers, or the .gz sibling of a
// text file (which it has if the file is large enough).
func (p *publisher) keeps(path string) bool {
	if path == HeadersName {
		return true
	}
	if _, ok := p.st.Lookup(path); ok {
		return true
	}
	base, ok := strings.CutSuffix(path, ".gz")
	if !ok {
		return false
	}
	f, ok := p.st.Lookup(base)
	return ok && f.Compressible()
}

// sweep removes the files of the old manifest that this publish has not
// recorded and gone says are gone, each only if it is still a regular
// file reached through folders (not links), and counts those it removed.
// Those it does not remove, being something else now, are no longer
// publish's: the new manifest leaves them out.
func (p *publisher) sweep(gone func(string) bool) error {
	for i, r := range p.old.recs {
		if p.old.seen[i] || !gone(r.path) {
			continue
		}
		p.old.seen[i] = true // dealt with
		p.changed = true
		removed, err := p.t.remove(r.path)
		if err != nil {
			return err
		}
		if removed {
			p.res.Removed++
			p.emptied = append(p.emptied, r.path)
		}
	}
	return nil
}

// removeEmptyParents removes the folders of path, deepest first, while
// they are empty; never the publish's folder itself.
func (p *publisher) removeEmptyParents(path string) {
	for dir, _ := split(path); dir != ""; dir, _ = split(dir) {
		if !p.t.rmdir(dir) {
			return // not empty, or not a folder publish may remove
		}
	}
}

// record notes path's file in the result and the new manifest.
func (p *publisher) record(path string, r record, wrote bool) {
	r.path = path
	p.mu.Lock()
	p.res.Files++
	p.res.Bytes += r.size
	if wrote {
		p.res.Written++
	} else {
		p.res.Unchanged++
	}
	if i, ok := p.old.find(path); ok {
		p.old.seen[i] = true
		if p.old.recs[i] != r {
			p.changed = true
		}
	} else {
		p.changed = true
	}
	p.mu.Unlock()
	p.next.add(r)
}

// untouched reports whether the file at path is still as r recorded
// it: a regular file of the same size and modification time.
func (p *publisher) untouched(path string, r record, ok bool) bool {
	if !ok || !r.known {
		return false
	}
	st, err := p.t.lstat(path)
	return err == nil && st.mode.IsRegular() && st.size == r.size && st.mtime == r.mtime
}

// run calls do for every job on Workers goroutines, stopping at the first
// error, and reports progress.
func run(ctx context.Context, jobs iter.Seq[job], total int, opt Options, do func(job) error) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ch := make(chan job)
	var wg sync.WaitGroup
	var done atomic.Int64
	for range workers {
		wg.Go(func() {
			for j := range ch {
				if ctx.Err() != nil {
					continue
				}
				if err := do(j); err != nil {
					if fe := (*ForeignError)(nil); !errors.As(err, &fe) {
						err = fmt.Errorf("%s: %w", j.path, err) // a foreign entry's error names its path
					}
					cancel(err)
					continue
				}
				if n := done.Add(1); opt.Progress != nil && n%64 == 0 {
					opt.Progress(int(n), total)
				}
			}
		})
	}
	for j := range jobs {
		select {
		case ch <- j:
			continue
		case <-ctx.Done():
		}
		break
	}
	close(ch)
	wg.Wait()
	if opt.Progress != nil {
		opt.Progress(int(done.Load()), total)
	}
	return context.Cause(ctx)
}

// make1 makes the file of j and its .gz sibling, if it has one, and
// records each.
func (p *publisher) make1(j job) error {
	gzPath := j.path + ".gz"
	prev, known := p.old.get(j.path)
	prevGz, knownGz := p.old.get(gzPath)
	if p.fresh && p.untouched(j.path, prev, known) {
		// The same inputs made this file, and it is as they left it; so
		// is its sibling, if it has one.
		switch {
		case !j.sibling || prev.size < gzipMin:
			p.record(j.path, prev, false)
			return nil
		case knownGz && prevGz.hasSrc && prevGz.source == prev.hash && p.untouched(gzPath, prevGz, true):
			p.record(j.path, prev, false)
			p.record(gzPath, prevGz, false)
			return nil
		}
	}
	body := p.newSpill()
	defer body.discard()
	if j.body != nil {
		if _, err := body.Write(j.body); err != nil {
			return err
		}
	} else if err := p.st.Render(p.ctx, body, j.file); err != nil {
		return err
	}
	sum := body.sum()
	r, wrote, err := p.put(j.path, body, sum, prev, known)
	if err != nil {
		return err
	}
	p.record(j.path, r, wrote)
	if !j.sibling || body.n < gzipMin {
		return nil
	}
	if knownGz && prevGz.hasSrc && prevGz.source == sum && p.untouched(gzPath, prevGz, true) {
		p.record(gzPath, prevGz, false) // the same bytes as last time, compressed then
		return nil
	}
	z := p.newSpill()
	defer z.discard()
	zw := gzpool.NewWriter(z)
	_, err = io.Copy(zw, body.reader())
	if err == nil {
		err = zw.Close()
	}
	gzpool.Release(zw)
	if err != nil {
		return err
	}
	r, wrote, err = p.put(gzPath, z, z.sum(), prevGz, knownGz)
	if err != nil {
		return err
	}
	r.source, r.hasSrc = sum, true
	p.record(gzPath, r, wrote)
	return nil
}

// put puts the bytes of body, whose hash is sum, at path, unless the file
// there is the one the manifest recorded (prev) with the same hash,
// untouched since, or holds the same bytes. A file the manifest does not
// name is first added to it. It returns the file's record and whether it
// wrote. What is at path must be a regular file or nothing: anything
// else is a *ForeignError, and is left as it is.
func (p *publisher) put(path string, body *spill, sum [32]byte, prev record, known bool) (record, bool, error) {
	st, err := p.t.lstat(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return record{}, false, err
	}
	if exists && !st.mode.IsRegular() {
		return record{}, false, &ForeignError{Path: p.t.full(path), What: describe(st.mode), Want: "a file"}
	}
	if exists && known && prev.known && prev.hash == sum && st.size == prev.size && st.mtime == prev.mtime {
		return prev, false, nil
	}
	r := record{hash: sum, known: true}
	if exists && st.size == body.n {
		same, err := p.holds(path, sum)
		if err != nil {
			return record{}, false, err
		}
		if same {
			r.size, r.mtime = st.size, st.mtime
			return r, false, nil
		}
	}
	if !known {
		if err := p.journal.add(path); err != nil {
			return record{}, false, err
		}
	}
	if err := body.commit(path); err != nil {
		return record{}, false, err
	}
	if st, err = p.t.lstat(path); err != nil {
		return record{}, false, err
	}
	r.size, r.mtime = st.size, st.mtime
	return r, true, nil
}

// holds reports whether the file at path has the hash sum.
func (p *publisher) holds(path string, sum [32]byte) (bool, error) {
	f, err := p.t.open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return [32]byte(h.Sum(nil)) == sum, nil
}

// spillMax is how many bytes of a file are kept in memory while it is
// made; beyond that, they go to a temporary file as they come, so that
// a feed of hundreds of megabytes is never held whole.
const spillMax = 1 << 20

// bufs holds the buffers of spills, for reuse.
var bufs = sync.Pool{New: func() any { return new([]byte) }}

// spill takes the bytes of one file as they are made, hashing them, in
// memory up to spillMax and in a temporary file beyond.
type spill struct {
	p    *publisher
	buf  *[]byte
	f    *os.File
	w    *bufio.Writer
	temp string // the temporary file's path while there is one
	h    hash.Hash
	n    int64
}

func (p *publisher) newSpill() *spill {
	b := bufs.Get().(*[]byte)
	*b = (*b)[:0]
	return &spill{p: p, buf: b, h: sha256.New()}
}

// Write takes b, failing once the publish is stopped.
func (s *spill) Write(b []byte) (int, error) {
	if err := s.p.ctx.Err(); err != nil {
		return 0, err
	}
	s.h.Write(b)
	s.n += int64(len(b))
	if s.f == nil && len(*s.buf)+len(b) <= spillMax {
		*s.buf = append(*s.buf, b...)
		return len(b), nil
	}
	if s.f == nil {
		if err := s.open(true); err != nil {
			return 0, err
		}
		if _, err := s.w.Write(*s.buf); err != nil {
			return 0, err
		}
		*s.buf = (*s.buf)[:0]
	}
	return s.w.Write(b)
}

// open makes the temporary file, buffered for the writes to come when
// more is set.
func (s *spill) open(more bool) error {
	s.temp = s.p.temp()
	f, err := s.p.t.create(s.temp)
	if err != nil {
		s.temp = ""
		return err
	}
	s.f = f
	if more {
		s.w = bufio.NewWriterSize(f, 64<<10)
	}
	return nil
}

// sum returns the hash of the bytes taken.
func (s *spill) sum() [32]byte { return [32]byte(s.h.Sum(nil)) }

// reader returns the bytes taken, to read again.
func (s *spill) reader() io.Reader {
	if s.w == nil {
		return bytes.NewReader(*s.buf)
	}
	if err := s.w.Flush(); err != nil {
		return iotest{err}
	}
	return io.NewSectionReader(s.f, 0, s.n)
}

// iotest is a reader that fails with err.
type iotest struct{ err error }

func (r iotest) Read([]byte) (int, error) { return 0, r.err }

// commit puts the bytes taken at path, through a temporary file renamed
// into place. The bytes can still be read, for a .gz sibling.
func (s *spill) commit(path string) error {
	if s.f == nil {
		if err := s.open(false); err != nil {
			return err
		}
		if _, err := s.f.Write(*s.buf); err != nil {
			return err
		}
	} else if err := s.w.Flush(); err != nil {
		return err
	}
	if err := s.p.t.rename(s.temp, path); err != nil {
		return err
	}
	s.temp = ""
	return nil
}

// discard removes the temporary file, if commit has not put it in place,
// and gives back the buffer.
func (s *spill) discard() {
	if s.f != nil {
		s.f.Close()
	}
	if s.temp != "" {
		s.p.t.remove(s.temp)
	}
	if s.buf != nil && cap(*s.buf) <= 2*spillMax {
		bufs.Put(s.buf)
	}
	s.buf = nil
}

// headers returns the _headers file for the files of st: for each
// group of paths (a file at the top, or a folder's files) the
// Content-Type and Cache-Control the server sends with them. A folder of
// several types (assets/, episodes/ with its pages and calendars) is
// given no Content-Type: the host knows its extensions. One that holds
// pages gets a page's headers for all its files, since a rule is a
// folder's prefix: its calendars are then asked after each time, with
// their ETag, and carry a policy that only a page reads.
// The groups are made from the site's own files, so that a path a site
// has not (a replay window's years/) gets no rule and a new kind of
// path cannot be missed.
//
// It also returns the number of files publish makes: the site's and
// _headers. It stops once ctx is done: a site can have a million files.
func headers(ctx context.Context, st *site.Site) ([]byte, int, error) {
	type rule struct {
		pattern string
		file    site.File // the first of the group
		ctype   string
	}
	var rules []rule
	at := map[string]int{} // a group's path, or its folder's with a slash
	add := func(group string, f site.File) {
		if i, ok := at[group]; ok {
			if rules[i].ctype != f.Type {
				rules[i].ctype = ""
			}
			if f.Kind == site.Page {
				rules[i].file = f
			}
			return
		}
		pattern := "/" + group
		if strings.HasSuffix(group, "/") {
			pattern += "*"
		}
		at[group] = len(rules)
		rules = append(rules, rule{pattern, f, f.Type})
	}
	if index, ok := st.Lookup(""); ok {
		add("", index) // what a host answers for the folder
	}
	n := 1
	for f := range st.Files() {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		group := f.Path
		if i := strings.IndexByte(group, '/'); i >= 0 {
			group = group[:i+1]
		}
		add(group, f)
		n++
	}
	var b strings.Builder
	b.WriteString("# Written by backstage publish: the headers Netlify and Cloudflare Pages\n# send with each file. The gzipped guide is application/gzip, not an\n# encoding of xmltv.xml, or media centres would unpack it twice.\n/*\n  X-Content-Type-Options: nosniff\n")
	for _, r := range rules {
		b.WriteString(r.pattern + "\n")
		for _, h := range st.Headers(r.file) {
			switch {
			case h.Name == "Content-Type" && r.ctype == "":
				// A folder of several types: the host knows its extensions.
			case h.Name == "X-Content-Type-Options":
				// Given every file by /* above.
			default:
				b.WriteString("  " + h.Name + ": " + h.Value + "\n")
			}
		}
	}
	return []byte(b.String()), n, nil
}
