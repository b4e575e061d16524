package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backstage-epg/backstage/internal/site"
)

// rendered is one file as it is served: its bytes and the headers that
// describe them, computed once.
type rendered struct {
	body    []byte
	etag    []string // a strong ETag, the quoted hash of body
	modtime time.Time
	lastMod []string                       // modtime as a Last-Modified value; nil for none
	headers [2]atomic.Pointer[http.Header] // sent as it is, and gzip-encoded; see header
}

// newRendered wraps body with its ETag.
func newRendered(body []byte, modtime time.Time) *rendered {
	sum := sha256.Sum256(body)
	f := &rendered{body: body, etag: []string{`"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}, modtime: modtime}
	if !modtime.IsZero() && !modtime.Equal(time.Unix(0, 0)) {
		f.lastMod = []string{modtime.UTC().Format(http.TimeFormat)}
	}
	return f
}

// serve answers r with f through http.ServeContent, after the headers
// in hdr (see header). ServeContent formats Last-Modified anew for every
// request it is given a modification time for; so the time, formatted
// once, is in hdr, and passed on only to requests with a condition on
// dates, which need it.
func (f *rendered) serve(w http.ResponseWriter, r *http.Request, hdr http.Header) {
	h := w.Header()
	for k, v := range hdr {
		h[k] = v
	}
	modtime := time.Time{}
	if f.lastMod != nil && (r.Header["If-Modified-Since"] != nil || r.Header["If-Unmodified-Since"] != nil || r.Header["If-Range"] != nil) {
		modtime = f.modtime
	}
	if r.Header["If-Match"] != nil || r.Header["If-Unmodified-Since"] != nil {
		// ServeContent may answer these 412 with no body, which must
		// then not promise one.
		delete(h, "Content-Length")
	}
	if rg := r.Header["Range"]; rg != nil {
		// ServeContent answers "bytes=-0", a suffix of no bytes, with a
		// 206 whose Content-Range is impossible; RFC 9110 calls it
		// unsatisfiable. Such ranges are dropped, and a request left with
		// none is answered 416, as nginx does.
		kept, dropped := dropEmptySuffixes(rg[0])
		if dropped {
			if kept == "" {
				h["Content-Range"] = []string{"bytes */" + strconv.Itoa(len(f.body))}
				delete(h, "Content-Encoding")
				http.Error(w, "416 range not satisfiable: a suffix of no bytes", http.StatusRequestedRangeNotSatisfiable)
				return
			}
			r = r.Clone(r.Context())
			r.Header.Set("Range", kept)
		}
	}
	body := &bodyReader{body: f.body}
	body.Reset(f.body)
	http.ServeContent(bodyWriter{w, body}, r, "", modtime, body)
}

// bodyReader is a rendered body as ServeContent reads it.
type bodyReader struct {
	bytes.Reader
	body []byte
}

// bodyWriter is the ResponseWriter ServeContent is given. ServeContent
// copies the body (or the range of it asked for) with io.CopyN, whose
// LimitedReader hides the bytes from net/http, which then reads and
// writes them 32 KB at a time, a system call each; ReadFrom finds them
// again and sends them in one Write, as a handler that writes its bytes
// itself does.
type bodyWriter struct {
	http.ResponseWriter
	r *bodyReader
}

func (w bodyWriter) ReadFrom(src io.Reader) (int64, error) {
	if lr, ok := src.(*io.LimitedReader); ok && lr.R == io.Reader(w.r) {
		off := w.r.Size() - int64(w.r.Len())
		n, err := w.ResponseWriter.Write(w.r.body[off : off+min(lr.N, int64(w.r.Len()))])
		w.r.Seek(int64(n), io.SeekCurrent)
		lr.N -= int64(n)
		return int64(n), err
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
}

// header returns the headers of f's answers as file, sent gzip-encoded
// (gz) or not, made on first use and shared by every answer after it,
// which copies them: the type, encoding and policy headers setHeaders
// gives file, f's validators and its length. ServeContent leaves out the
// length of an encoded body, which would then go chunked; the whole of
// it is known here. The Cache-Control of a timeline's feeds, which
// shortens as midnight comes closer, is left for each answer to set.
//
// gz tells a rendering's files apart: a rendering is one file sent as
// it is, or a file gzipped, sent gzip-encoded and, for a feed with a
// gzipped sibling (xmltv.xml.gz), as that sibling, which takes no
// encoding.
func (f *rendered) header(s *Server, v *view, file site.File, compressible, gz bool) http.Header {
	i := 0
	if gz {
		i = 1
	}
	if h := f.headers[i].Load(); h != nil {
		return *h
	}
	h := http.Header{}
	s.setHeaders(h, v, file, compressible, gz)
	if s.perRequestCacheControl(file) {
		delete(h, "Cache-Control")
	}
	h["Etag"] = f.etag
	if f.lastMod != nil {
		h["Last-Modified"] = f.lastMod
	}
	h["Content-Length"] = []string{strconv.Itoa(len(f.body))}
	f.headers[i].CompareAndSwap(nil, &h)
	return *f.headers[i].Load()
}

// dropEmptySuffixes returns a Range header value without its zero-length
// suffix ranges ("-0"), and whether it had any.
func dropEmptySuffixes(v string) (string, bool) {
	unit, specs, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(unit) != "bytes" {
		return v, false
	}
	var kept []string
	dropped := false
	for spec := range strings.SplitSeq(specs, ",") {
		if t := strings.TrimSpace(spec); strings.HasPrefix(t, "-") && strings.Trim(t[1:], "0") == "" && len(t) > 1 {
			dropped = true
			continue
		}
		kept = append(kept, spec)
	}
	if !dropped {
		return v, false
	}
	if len(kept) == 0 {
		return "", true
	}
	return unit + "=" + strings.Join(kept, ","), true
}

// fileKey names one rendering: the view it was made from, the file, and
// whether it is the file's gzipped copy.
type fileKey struct {
	version uint64
	file    site.File
	gzip    bool
}

// cacheEntry is a rendering, done or in progress. ready is closed when
// feed or err is set; until then other requests for it wait.
type cacheEntry struct {
	ready    chan struct{}
	feed     *rendered
	err      error
	size     int64
	lastUsed atomic.Int64 // the cache's clock at the last hit, for eviction
}

// feedCache keeps rendered feeds, at most maxEntries of them and
// maxBytes in all, evicting the least recently used. Concurrent gets of
// a key that is not there yet render it once: the first caller renders,
// the others wait for it (a singleflight, as golang.org/x/sync has, in a
// few lines). Hits take a read lock only.
type feedCache struct {
	mu         sync.RWMutex
	m          map[fileKey]*cacheEntry
	bytes      int64
	maxBytes   int64
	maxEntries int
	clock      atomic.Int64

	renders atomic.Int64 // renderings started, for tests
}

func newFeedCache(maxBytes int64, maxEntries int) *feedCache {
	return &feedCache{m: make(map[fileKey]*cacheEntry), maxBytes: maxBytes, maxEntries: maxEntries}
}

// get returns the feed for key, rendering it with render when it is not
// cached. A failed rendering is not kept. A panic in render is passed on
// to the caller that rendered, after the others have been told.
func (c *feedCache) get(key fileKey, render func() (*rendered, error)) (*rendered, error) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok {
		c.mu.Lock()
		if e, ok = c.m[key]; !ok {
			e = &cacheEntry{ready: make(chan struct{})}
			c.m[key] = e
		}
		c.mu.Unlock()
		if !ok {
			return c.fill(key, e, render)
		}
	}
	e.lastUsed.Store(c.clock.Add(1))
	<-e.ready
	return e.feed, e.err
}

// ready returns the finished rendering for key, if the cache has one,
// counting the use; it makes no closure, so a hit costs no allocation.
func (c *feedCache) ready(key fileKey) *rendered {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok {
		return nil
	}
	// The feed may be read only once ready is closed: fill writes it
	// under the lock this reader no longer holds.
	select {
	case <-e.ready:
	default:
		return nil
	}
	if e.feed == nil {
		return nil // failed, and about to go
	}
	e.lastUsed.Store(c.clock.Add(1))
	return e.feed
}

// fill renders the feed of e and publishes it.
func (c *feedCache) fill(key fileKey, e *cacheEntry, render func() (*rendered, error)) (f *rendered, err error) {
	c.renders.Add(1)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("server: rendering %s: panic: %v", key.file.Path, p)
			defer panic(p)
		}
		c.mu.Lock()
		e.feed, e.err = f, err
		if err != nil {
			if c.m[key] == e {
				delete(c.m, key)
			}
		} else {
			e.size = int64(len(f.body))
			c.bytes += e.size
			e.lastUsed.Store(c.clock.Add(1))
			c.evict(e)
		}
		c.mu.Unlock()
		close(e.ready)
	}()
	return render()
}

// evict drops the least recently used finished entries, other than keep,
// until the cache is within its bounds. The scan is linear, but runs only
// after a rendering, which costs far more.
func (c *feedCache) evict(keep *cacheEntry) {
	for c.bytes > c.maxBytes || len(c.m) > c.maxEntries {
		var oldest fileKey
		var victim *cacheEntry
		for k, e := range c.m {
			if e == keep || e.feed == nil {
				continue // in progress, or failed and about to go
			}
			if victim == nil || e.lastUsed.Load() < victim.lastUsed.Load() {
				oldest, victim = k, e
			}
		}
		if victim == nil {
			return
		}
		delete(c.m, oldest)
		c.bytes -= victim.size
	}
}

// dropOther removes the finished entries of versions other than version.
func (c *feedCache) dropOther(version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if k.version != version && e.feed != nil {
			delete(c.m, k)
			c.bytes -= e.size
		}
	}
}

// stats returns the number of entries and bytes held, for tests.
func (c *feedCache) stats() (entries int, bytes int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m), c.bytes
}
