package server

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/gzpool"
	"github.com/backstage-epg/backstage/internal/site"
)

// A feed too large to keep (a schedule of a million airings makes an XMLTV
// guide of a gigabyte) is not rendered into memory and cached: it is
// streamed to the client as it is made, through gzip when the client
// takes it, so that one request cannot take the server's memory. Its
// ETag is not a hash of its bytes, which are not all known before they
// are sent, but of what makes them (the view's inputs and the file), so
// that clients still revalidate with 304s.

// streamShare is the part of the cache a single feed may take before it
// is streamed instead: an entry larger than this would push out most of
// what the cache holds.
const streamShare = 4

// streamSlots bounds how many feeds are streamed at once: each takes a
// core while it renders, for as long as its client reads.
var streamSlots = make(chan struct{}, 4)

// tooBig reports whether feed f of v is estimated to be larger than the
// cache should hold: its airings times the bytes an airing took in the
// last rendering of its format (or a kilobyte, before there was one).
// The answer is kept for the view, so that a feed is not streamed for one
// request and cached for the next; for a bounded number of feeds, so
// that a client asking for window after window cannot grow the memo.
func (s *Server) tooBig(v *view, f site.File) bool {
	if f.Kind != site.Feed {
		return false
	}
	f = v.site.FeedFile(f.Feed, false) // xmltv.xml.gz is made from xmltv.xml
	v.bigMu.Lock()
	big, ok := v.big[f]
	v.bigMu.Unlock()
	if ok {
		return big
	}
	big = s.estimateTooBig(v, f)
	v.bigMu.Lock()
	defer v.bigMu.Unlock()
	if prev, ok := v.big[f]; ok {
		return prev // another request's estimate came first, and stands
	}
	if v.big == nil {
		v.big = map[site.File]bool{}
	}
	if len(v.big) < maxMemos {
		v.big[f] = big
	}
	return big
}

// markTooBig records that feed f of v outgrew the cache's share as it was
// rendered, whatever was estimated before.
func (s *Server) markTooBig(v *view, f site.File) {
	f = v.site.FeedFile(f.Feed, false)
	v.bigMu.Lock()
	defer v.bigMu.Unlock()
	if _, ok := v.big[f]; ok || len(v.big) < maxMemos {
		if v.big == nil {
			v.big = map[site.File]bool{}
		}
		v.big[f] = true
	}
}

// maxMemos bounds the per-view tables of answers worked out per feed or
// query (view.big, view.feedFiles).
const maxMemos = 1024

// estimateTooBig guesses whether feed f of v is too big to keep. A
// compact calendar is not guessed at (one event a run, or, for a run
// without a rule, one an airing): its rendering stops if it outgrows the
// cache's share (errTooBig).
func (s *Server) estimateTooBig(v *view, f site.File) bool {
	if f.Feed.Compact {
		return false
	}
	q, err := v.sched.Query(f.Feed.Window)
	if err != nil {
		return false
	}
	per := s.perSlot[f.Feed.Format].Load()
	if per == 0 {
		per = 1 << 10
	}
	return int64(v.sched.Count(q))*per > s.cache.maxBytes/streamShare
}

// stream answers r with feed f of v, rendered as it is sent; the other
// headers are set.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, v *view, f site.File, gz bool) error {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%+v|%v", v.site.Digest(), f, gz))
	etag := `W/"s-` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	h := w.Header()
	h.Set("Etag", etag)
	if !v.modtime.IsZero() {
		h.Set("Last-Modified", v.modtime.UTC().Format(http.TimeFormat))
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag[2:]) {
		delete(h, "Content-Type")
		delete(h, "Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	select {
	case streamSlots <- struct{}{}:
		defer func() { <-streamSlots }()
	case <-r.Context().Done():
		return r.Context().Err()
	}
	var out io.Writer = w
	var zw *gzip.Writer
	if gz || f.Gzip {
		zw = gzpool.NewWriter(w)
		defer gzpool.Release(zw)
		out = zw
	}
	o := f.Feed
	if err := feeds.Write(r.Context(), out, v.sched, o); err != nil {
		// The status is sent; all that is left is to cut the answer short.
		s.log.Error("streaming a feed", "path", r.URL.Path, "error", err)
		panic(http.ErrAbortHandler)
	}
	if zw != nil {
		return zw.Close()
	}
	return nil
}

// etagMatches reports whether an If-None-Match value names etag, by the
// weak comparison RFC 9110 asks of it, or is "*".
func etagMatches(header, etag string) bool {
	for item := range strings.SplitSeq(header, ",") {
		item = strings.TrimPrefix(strings.Trim(item, " \t"), "W/")
		if item == etag || item == "*" {
			return true
		}
	}
	return false
}
