package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"runtime"
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
	lastMod []string // modtime as a Last-Modified value; nil for none
	fast    sync.Map // fastHeadsKey → *fastHeads, the fast path's response heads

	// file holds body too, in the kernel, for the fast path to send with
	// sendfile(2); nil for most bodies. See feedCache.files.
	file *os.File
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

// serve answers r with f through http.ServeContent, the caller having
// set the other headers. ServeContent formats Last-Modified anew for
// every request it is given a modification time for, a quarter of the
// cost of a 304; so the time, formatted once, is set here, and passed
// on only to requests with a condition on dates, which need it.
func (f *rendered) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Etag"] = f.etag
	modtime := time.Time{}
	if f.lastMod != nil {
		h["Last-Modified"] = f.lastMod
		if r.Header["If-Modified-Since"] != nil || r.Header["If-Unmodified-Since"] != nil || r.Header["If-Range"] != nil {
			modtime = f.modtime
		}
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
	if h["Content-Encoding"] != nil && r.Header["Range"] == nil {
		// ServeContent leaves out the length of an encoded body, which
		// would then go chunked; the whole of it is known here.
		h["Content-Length"] = []string{strconv.Itoa(len(f.body))}
	}
	http.ServeContent(w, r, "", modtime, bytes.NewReader(f.body))
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

	// files, when set, makes the cache keep a file copy of each body of
	// at least fileMin bytes, at most maxFiles of them at once (each is a
	// descriptor), for the fast path to send without copying it through
	// user space. A body's copy counts against maxBytes as the body does.
	files     atomic.Bool
	openFiles atomic.Int64
}

// fileMin is the smallest body given a file copy: below it, copying
// costs less than sendfile's extra system call. The gzipped calendar
// (59 KB) is over it; pages and answers, most of them under 32 KB and
// made per request, are not.
const fileMin = 32 << 10

// maxFiles bounds the descriptors file copies hold.
const maxFiles = 64

// attachFile gives f a file copy of its body when the cache keeps them,
// f is big enough and the bound allows. The copy is closed when f is no
// longer reachable, so a request still sending it keeps it open.
func (c *feedCache) attachFile(f *rendered) {
	if !c.files.Load() || len(f.body) < fileMin || 2*int64(len(f.body)) > c.maxBytes/streamShare {
		return // small enough to copy, or too big to keep twice
	}
	if c.openFiles.Add(1) > maxFiles {
		c.openFiles.Add(-1)
		return
	}
	file := newBodyFile(f.body)
	if file == nil {
		c.openFiles.Add(-1)
		return
	}
	f.file = file
	runtime.AddCleanup(f, func(file *os.File) {
		file.Close()
		c.openFiles.Add(-1)
	}, file)
}

// size is what f costs the cache: its body, and the body's file copy.
func (f *rendered) size() int64 {
	if f.file != nil {
		return 2 * int64(len(f.body))
	}
	return int64(len(f.body))
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
	if !ok || e.feed == nil {
		return nil
	}
	select {
	case <-e.ready:
	default:
		return nil
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
			e.size = f.size()
			c.bytes += e.size
			e.lastUsed.Store(c.clock.Add(1))
			c.evict(e)
		}
		c.mu.Unlock()
		close(e.ready)
	}()
	if f, err = render(); err == nil {
		c.attachFile(f)
	}
	return f, err
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
