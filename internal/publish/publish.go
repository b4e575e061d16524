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
// records what publish wrote: files that an earlier publish wrote and the
// site no longer has are removed, and nothing else in the folder is ever
// touched. An interrupted publish leaves every file old or new, never
// partial, and the next one completes it.
package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backstage-epg/backstage/internal/atomicfile"
	"github.com/backstage-epg/backstage/internal/gzpool"
	"github.com/backstage-epg/backstage/internal/quote"
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

// manifest is what publish records about the files it wrote, and what
// they were made from.
type manifest struct {
	Version int              `json:"version"`
	Digest  string           `json:"digest,omitempty"` // see digest
	Files   map[string]entry `json:"files"`
}

// program is a hash of the running program, "" when it cannot be read.
var program = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		return ""
	}
	return hash(b)
})

// digest names what st's files are made from: the program and the site's
// inputs. A publish whose digest is the manifest's makes again only the
// files that are missing or were changed since; "" when it cannot tell.
func digest(st *site.Site) string {
	p, d := program(), st.Digest()
	if p == "" || d == "" {
		return ""
	}
	return hash([]byte(p + d))
}

// entry is one file publish wrote: a hash of its bytes and what its stat
// said just after, so that a later publish can tell an untouched file
// without reading it. A .gz sibling also records the hash of the file it
// compresses.
type entry struct {
	Hash    string `json:"sha256"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime"` // Unix nanoseconds
	Source  string `json:"source,omitempty"`
}

// job is one file to make: a file of the site, or _headers.
type job struct {
	path    string
	file    site.File
	body    []byte // set for files made up front (_headers)
	sibling bool   // a text file, which gets a .gz sibling if it is large enough
}

// Publish writes st into dir, creating dir if it is missing. It stops
// soon after ctx is done, leaving every file old or new. An error about
// dir itself (a file, not writable) wraps ErrNotFolder or the operating
// system's error; any other is a failure while writing.
func Publish(ctx context.Context, st *site.Site, dir string, opt Options) (Result, error) {
	start := time.Now()
	var res Result
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return res, fmt.Errorf("%s: %w", dir, ErrNotFolder)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, fmt.Errorf("%w: %w", ErrFolder, err)
	}
	unlock, err := lock(dir)
	if err != nil {
		return res, err
	}
	defer unlock()
	old, err := readManifest(dir)
	if err != nil {
		return res, err
	}

	jobs := []job{{path: HeadersName}}
	paths := map[string]bool{HeadersName: true}
	for f := range st.Files() {
		jobs = append(jobs, job{path: f.Path, file: f})
		paths[f.Path] = true
	}
	jobs[0].body = headers(st, jobs[1:])
	folders := map[string]bool{}
	for i, j := range jobs {
		jobs[i].sibling = j.path != HeadersName && !paths[j.path+".gz"] && j.file.Compressible()
		folders[filepath.Dir(filepath.FromSlash(j.path))] = true
	}
	for f := range folders {
		if err := os.MkdirAll(filepath.Join(dir, f), 0o755); err != nil {
			return res, err
		}
	}
	// The temporary files are made in a folder of their own, which a
	// publish killed half way leaves for the next to clear.
	staging := filepath.Join(dir, StagingName)
	if err := os.RemoveAll(staging); err != nil {
		return res, err
	}
	if err := os.Mkdir(staging, 0o700); err != nil {
		return res, fmt.Errorf("%w: %w", ErrFolder, err)
	}
	defer os.RemoveAll(staging)

	// Record first every path this publish may write, with what was
	// known before, so that a publish killed half way still names every
	// file it wrote for the next one to clean up. A sibling may be
	// written for a file the manifest does not know, or knows to be large
	// enough; for one it knows to be small, it is not, and a publish
	// that changes nothing leaves the manifest as it was.
	intent := manifest{Version: 1, Files: maps.Clone(old.Files)}
	for _, j := range jobs {
		prev, known := old.Files[j.path]
		if !known {
			intent.Files[j.path] = entry{}
		}
		if _, ok := old.Files[j.path+".gz"]; j.sibling && !ok && (!known || prev.Size >= gzipMin) {
			intent.Files[j.path+".gz"] = entry{}
		}
	}
	if !maps.Equal(intent.Files, old.Files) {
		if err := writeManifest(dir, intent); err != nil {
			return res, err
		}
	}

	dg := digest(st)
	fresh := dg != "" && dg == old.Digest
	next := manifest{Version: 1, Digest: dg, Files: make(map[string]entry, len(paths))}
	var mu sync.Mutex
	record := func(path string, e entry, wrote bool) {
		mu.Lock()
		defer mu.Unlock()
		next.Files[path] = e
		res.Files++
		res.Bytes += e.Size
		if wrote {
			res.Written++
		} else {
			res.Unchanged++
		}
	}
	if err := run(ctx, jobs, opt, func(j job) error {
		if fresh && done(dir, j, old) {
			// The same inputs made this file, and it is as they left it.
			record(j.path, old.Files[j.path], false)
			if e, ok := old.Files[j.path+".gz"]; ok && j.sibling {
				record(j.path+".gz", e, false)
			}
			return nil
		}
		return make1(ctx, st, dir, staging, j, old, record)
	}); err != nil {
		return res, err
	}

	// What an earlier publish wrote and this one did not.
	var gone []string
	for p := range old.Files {
		if _, ok := next.Files[p]; !ok {
			gone = append(gone, p)
		}
	}
	sort.Strings(gone)
	for _, p := range gone {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, err
		}
		res.Removed++
		removeEmptyParents(dir, p)
	}
	if res.Written+res.Removed > 0 || dg != old.Digest || !maps.Equal(next.Files, old.Files) {
		if err := writeManifest(dir, next); err != nil {
			return res, err
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// run calls do for every job on Workers goroutines, stopping at the first
// error, and reports progress.
func run(ctx context.Context, jobs []job, opt Options, do func(job) error) error {
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
					cancel(fmt.Errorf("%s: %w", j.path, err))
					continue
				}
				if n := done.Add(1); opt.Progress != nil && n%64 == 0 {
					opt.Progress(int(n), len(jobs))
				}
			}
		})
	}
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
		}
	}
	close(ch)
	wg.Wait()
	if opt.Progress != nil {
		opt.Progress(int(done.Load()), len(jobs))
	}
	return context.Cause(ctx)
}

// make1 makes the file of j and its .gz sibling, if it has one, and
// records each.
func make1(ctx context.Context, st *site.Site, dir, staging string, j job, old manifest, record func(string, entry, bool)) error {
	body := j.body
	if body == nil {
		var err error
		if body, err = st.Bytes(ctx, j.file); err != nil {
			return err
		}
	}
	sum := hash(body)
	e, wrote, err := put(dir, staging, j.path, body, sum, old.Files[j.path])
	if err != nil {
		return err
	}
	record(j.path, e, wrote)
	if !j.sibling || len(body) < gzipMin {
		return nil
	}
	gzPath := j.path + ".gz"
	if prev, ok := old.Files[gzPath]; ok && prev.Source == sum && untouched(dir, gzPath, prev) {
		record(gzPath, prev, false) // the same bytes as last time, compressed then
		return nil
	}
	z := gzpool.Bytes(body)
	e, wrote, err = put(dir, staging, gzPath, z, hash(z), old.Files[gzPath])
	if err != nil {
		return err
	}
	e.Source = sum
	record(gzPath, e, wrote)
	return nil
}

// put writes body to path in dir, through a temporary file in staging,
// unless the file there is the one the manifest recorded with the same
// hash, untouched since, or holds the same bytes. It returns the file's
// manifest entry and whether it wrote.
func put(dir, staging, path string, body []byte, sum string, prev entry) (entry, bool, error) {
	if prev.Hash == sum && untouched(dir, path, prev) {
		return prev, false, nil
	}
	full := filepath.Join(dir, filepath.FromSlash(path))
	wrote, err := atomicfile.WriteFile(full, body, atomicfile.Options{TempDir: staging, NoSync: true})
	if err != nil {
		return entry{}, false, err
	}
	fi, err := os.Stat(full)
	if err != nil {
		return entry{}, false, err
	}
	return entry{Hash: sum, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}, wrote, nil
}

// done reports whether the manifest records j's file, and its .gz sibling
// if it has one, and both are untouched since.
func done(dir string, j job, old manifest) bool {
	e, ok := old.Files[j.path]
	if !ok || !untouched(dir, j.path, e) {
		return false
	}
	if !j.sibling || e.Size < gzipMin {
		return true
	}
	z, ok := old.Files[j.path+".gz"]
	return ok && z.Source == e.Hash && untouched(dir, j.path+".gz", z)
}

// untouched reports whether the file at path in dir is still as e
// recorded it: a regular file of the same size and modification time.
func untouched(dir, path string, e entry) bool {
	fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(path)))
	return err == nil && fi.Mode().IsRegular() && fi.Size() == e.Size && fi.ModTime().UnixNano() == e.ModTime && e.Hash != ""
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// removeEmptyParents removes the folders of path, deepest first, while
// they are empty; never dir itself.
func removeEmptyParents(dir, path string) {
	for p := filepath.Dir(filepath.FromSlash(path)); p != "." && p != string(filepath.Separator); p = filepath.Dir(p) {
		if os.Remove(filepath.Join(dir, p)) != nil {
			return // not empty, or not ours to remove
		}
	}
}

func readManifest(dir string) (manifest, error) {
	m := manifest{Files: map[string]entry{}}
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	err = json.Unmarshal(b, &m)
	if err == nil && m.Files == nil {
		err = errors.New(`no "files"`)
	}
	if err != nil {
		return m, fmt.Errorf("%s: not a manifest this publish can read (remove it to start afresh, and the files it names by hand): %w", ManifestName, err)
	}
	for p := range m.Files {
		// A manifest is ours, but a path in it must still stay inside dir.
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return m, fmt.Errorf("%s: path %s leaves the folder", ManifestName, quote.Value(p))
		}
	}
	return m, nil
}

func writeManifest(dir string, m manifest) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = atomicfile.WriteFile(filepath.Join(dir, ManifestName), append(b, '\n'), atomicfile.Options{})
	return err
}

// headers returns the _headers file for the files of st's jobs: for each
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
func headers(st *site.Site, jobs []job) []byte {
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
	for _, j := range jobs {
		group := j.path
		if i := strings.IndexByte(group, '/'); i >= 0 {
			group = group[:i+1]
		}
		add(group, j.file)
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
	return []byte(b.String())
}
