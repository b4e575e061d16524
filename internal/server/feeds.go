package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/gzpool"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/schedule"
)

// feedKind is one of the feeds the server renders.
type feedKind uint8

const (
	kindICal feedKind = iota
	kindXMLTV
	kindXMLTVGzip // the XMLTV guide's gzipped copy, at its own URL
)

func (k feedKind) String() string {
	return [...]string{"calendar.ics", "xmltv.xml", "xmltv.xml.gz"}[k]
}

// Header values shared by every response that sends them; net/http
// never changes a header slice in place.
var (
	gzipEnc   = []string{"gzip"}
	varyAE    = []string{"Accept-Encoding"}
	plainType = []string{site.TypePlain}
)

// format returns the feeds.Format of the feed.
func (k feedKind) format() feeds.Format {
	if k == kindICal {
		return feeds.ICal
	}
	return feeds.XMLTV
}

// feedParamNames lists the parameters each feed takes.
var feedParamNames = map[feedKind][]string{
	kindICal:      {"run", "from", "to", "year", "compact", "all_day"},
	kindXMLTV:     {"run", "from", "to", "year", "mark_new", "season_by_year"},
	kindXMLTVGzip: {"run", "from", "to", "year", "mark_new", "season_by_year"},
}

// query holds the parameters of a request, each given once.
type query map[string]string

// parseQuery reads raw, refusing parameters not in allowed, parameters
// given twice, semicolons and bad escapes.
func parseQuery(raw string, allowed []string) (query, error) {
	if raw == "" {
		return nil, nil // reads of a nil map work, and cost no allocation
	}
	if strings.Contains(raw, ";") {
		// Some servers once split on ";" as on "&"; Go refuses it, and so
		// does this one, naming the character rather than an escape.
		return nil, badRequest("query %s: a semicolon: separate parameters with & (write a ; in a value as %%3B)", quote.Value(raw))
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return nil, badRequest("query %s: bad %%-escape", quote.Value(raw))
	}
	q := make(query, len(values))
	for k, vs := range values {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return nil, badRequest("unknown parameter %s: this path takes none", quote.Value(k))
			}
			return nil, badRequest("unknown parameter %s: want %s", quote.Value(k), strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return nil, badRequest("parameter %s given twice: want it once", quote.Value(k))
		}
		q[k] = vs[0]
	}
	return q, nil
}

// flag reads a boolean parameter: 1 or true, 0 or false.
func (q query) flag(name string) (bool, error) {
	v, ok := q[name]
	if !ok {
		return false, nil
	}
	switch v {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, badRequest("%s %s: want 1 (or true) to turn it on, 0 (or false) to leave it off", name, quote.Value(v))
}

// window reads from, to, year and run as a window of v's schedule, and
// checks it, as the command line reads its flags.
func (q query) window(v *view) (schedule.Window, error) {
	return v.sched.ParseWindow(func(field string) (string, bool) {
		value, ok := q[field]
		return value, ok
	})
}

// feedOptions checks the query of a feed request.
func (s *Server) feedOptions(kind feedKind, raw string, v *view) (feeds.Options, error) {
	o := feeds.Options{Format: kind.format(), Generator: s.Generator, BaseURL: s.PublicURL}
	q, err := parseQuery(raw, feedParamNames[kind])
	if err != nil {
		return o, err
	}
	if o.Window, err = q.window(v); err != nil {
		return o, err
	}
	if o.Compact, err = q.flag("compact"); err != nil {
		return o, err
	}
	if o.AllDay, err = q.flag("all_day"); err != nil {
		return o, err
	}
	if o.MarkNew, err = q.flag("mark_new"); err != nil {
		return o, err
	}
	if o.SeasonByYear, err = q.flag("season_by_year"); err != nil {
		return o, err
	}
	return o, nil
}

// renderSlots bounds how many feeds render at once, so that a burst of
// requests for new variants cannot take every core.
var renderSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// render renders file f of v, uncompressed. A feed that grows past its
// share of the cache as it is made is abandoned with errTooBig, and
// streamed from then on: the size of a compact calendar, say, is not
// known before it is made.
func (s *Server) render(f site.File, v *view) (*rendered, error) {
	renderSlots <- struct{}{}
	defer func() { <-renderSlots }()
	var buf bytes.Buffer
	var w io.Writer = &buf
	if f.Kind == site.Feed && !f.Gzip {
		limit := s.cache.maxBytes / streamShare
		w = &cappedWriter{w: &buf, left: limit}
		// Growing a buffer to a whole guide doubles its way there,
		// clearing each new array; sizing it from the last render's bytes
		// per airing saves most of that. A compact calendar's size does
		// not go with its airings.
		q, err := v.sched.Query(f.Feed.Window)
		if err != nil {
			return nil, err
		}
		n := v.sched.Count(q)
		hint := &s.perSlot[f.Feed.Format]
		if !f.Feed.Compact {
			per := hint.Load()
			if per == 0 {
				per = 1 << 10 // a first guess: both formats take a few hundred bytes to 2 KB an airing
			}
			buf.Grow(int(min(int64(n)*per+4<<10, limit)))
			defer func() {
				if n > 0 && buf.Len() > 0 {
					hint.Store(int64(buf.Len()/n + 16))
				}
			}()
		}
	}
	if err := v.site.Render(context.Background(), w, f); err != nil {
		if errors.Is(err, errTooBig) {
			buf.Reset() // not to be taken for a size per airing
			s.markTooBig(v, f)
		}
		return nil, err
	}
	return newRendered(buf.Bytes(), v.modtime), nil
}

// errTooBig is render's error for a feed larger than the cache should
// hold.
var errTooBig = errors.New("server: the feed is too large to keep; it is streamed")

// cappedWriter passes writes on until left bytes have gone, then fails
// with errTooBig.
type cappedWriter struct {
	w    io.Writer
	left int64
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		return 0, errTooBig
	}
	c.left -= int64(len(p))
	return c.w.Write(p)
}

// gzipped compresses f once, at gzpool.Level.
func gzipped(f *rendered) (*rendered, error) {
	renderSlots <- struct{}{}
	defer func() { <-renderSlots }()
	return newRendered(gzpool.Bytes(f.body), f.modtime), nil
}

// cached reports whether renderings of f are kept: feeds and the index
// page, which take long to make, and the assets and playlist, which are
// few. Day and episode pages and answers, thousands of small files that a
// crawler could ask for in turn, are made for each request instead of
// pushing the feeds out of the cache.
func cached(f site.File) bool {
	return f.Kind != site.JSON && (f.Kind != site.Page || f.Path == "index.html")
}

// ready returns the rendering of f from v, gzipped or not, if the cache
// holds it.
func (s *Server) ready(v *view, f site.File, gz bool) *rendered {
	if f.Kind == site.Feed && f.Gzip {
		f, gz = v.site.FeedFile(f.Feed, false), true // see body
	}
	return s.cache.ready(fileKey{version: v.version, file: f, gzip: gz})
}

// body returns the rendering of f from v, gzipped or not, from the cache
// or made now.
func (s *Server) body(v *view, f site.File, gz bool) (*rendered, error) {
	if f.Kind == site.Feed && f.Gzip {
		// xmltv.xml.gz is xmltv.xml gzipped: one rendering, one
		// compression, shared with the gzipped answers to xmltv.xml.
		return s.body(v, v.site.FeedFile(f.Feed, false), true)
	}
	key := fileKey{version: v.version, file: f, gzip: gz}
	if b := s.cache.ready(key); b != nil {
		return b, nil
	}
	if !cached(f) {
		b, err := s.render(f, v)
		if err != nil || !gz {
			return b, err
		}
		return gzipped(b)
	}
	if !gz {
		return s.cache.get(key, func() (*rendered, error) { return s.render(f, v) })
	}
	gkey := key
	key.gzip = false
	return s.cache.get(gkey, func() (*rendered, error) {
		b, err := s.cache.get(key, func() (*rendered, error) { return s.render(f, v) })
		if err != nil {
			return nil, err
		}
		return gzipped(b)
	})
}

// feedHandler serves one of the feeds at its query-string URL: the same
// bytes as the site's file for the same feed, when there is one.
func (s *Server) feedHandler(kind feedKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v *view) error {
		key := feedQuery{kind, r.URL.RawQuery}
		if f, ok := v.feedFiles.Load(key); ok {
			return s.serveFile(w, r, v, *f.(*site.File))
		}
		o, err := s.feedOptions(kind, r.URL.RawQuery, v)
		if err != nil {
			return err
		}
		f := v.site.FeedFile(o, kind == kindXMLTVGzip)
		if len(key.query) <= maxMemoQuery && v.feedFilesN.Add(1) <= maxMemos {
			v.feedFiles.Store(key, &f)
		}
		return s.serveFile(w, r, v, f)
	}
}

// feedQuery is a request of a feed route: which feed, and its query
// string as sent.
type feedQuery struct {
	kind  feedKind
	query string
}

// maxMemoQuery is the longest query string whose file is remembered
// (see view.feedFiles): longer ones are no client's daily poll.
const maxMemoQuery = 200

// serveFile answers r with file f of v: gzipped for a client that takes
// it, with the headers its kind wants.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, v *view, f site.File) error {
	compressible := f.Compressible()
	gz := compressible && acceptsGzip(r.Header["Accept-Encoding"])
	b := s.ready(v, f, gz) // a rendering kept is not too big to keep
	var err error
	if b == nil && !s.tooBig(v, f) {
		b, err = s.body(v, f, gz)
	}
	if b == nil && (err == nil || errors.Is(err, errTooBig)) {
		s.setHeaders(w.Header(), v, f, compressible, gz)
		return s.stream(w, r, v, f, gz)
	}
	if err != nil {
		return err
	}
	hdr := b.header(s, v, f, compressible, gz)
	if s.perRequestCacheControl(f) {
		w.Header()["Cache-Control"] = s.cacheControl(v)
	}
	b.serve(w, r, hdr)
	return nil
}

// setHeaders sets the headers of file f's answers: the site's, which a
// static host is told too, and the encoding's; the validators and the
// length are the body's. A timeline's feeds may be kept until its
// midnight, which a static host cannot be told (see cacheControl).
func (s *Server) setHeaders(h http.Header, v *view, f site.File, compressible, gz bool) {
	for _, kv := range v.site.Headers(f) {
		h[kv.Name] = headerValue(kv.Value)
	}
	if compressible {
		h["Vary"] = varyAE
		if gz {
			h["Content-Encoding"] = gzipEnc
		}
	}
	if s.perRequestCacheControl(f) {
		h["Cache-Control"] = s.cacheControl(v)
	}
}

// perRequestCacheControl reports whether the Cache-Control of file f is
// worked out for each answer: a timeline's feeds may be kept until its
// midnight, which comes closer with each request (see cacheControl).
func (s *Server) perRequestCacheControl(f site.File) bool {
	return s.Timeline != nil && f.Kind != site.Page && f.Kind != site.Asset
}

// headerValues holds a header value slice per content type, so that
// setting one costs no allocation (net/http never changes them).
var headerValues sync.Map

func headerValue(v string) []string {
	if hv, ok := headerValues.Load(v); ok {
		return hv.([]string)
	}
	hv, _ := headerValues.LoadOrStore(v, []string{v})
	return hv.([]string)
}

// cacheControl returns the Cache-Control of v's feeds.
func (s *Server) cacheControl(v *view) []string {
	age := s.maxAge(v, feeds.ICalRefreshInterval)
	if age == feeds.ICalRefreshInterval {
		return staticCacheControl
	}
	return []string{"public, max-age=" + strconv.Itoa(int(age/time.Second))}
}

var staticCacheControl = []string{"public, max-age=" + strconv.Itoa(int(feeds.ICalRefreshInterval/time.Second))}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip:
// its first coding named gzip (or x-gzip) has no q-value, or one above
// zero.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.Trim(coding, " \t")
			if !strings.EqualFold(coding, "gzip") && !strings.EqualFold(coding, "x-gzip") {
				continue
			}
			accepted := true
			for param := range strings.SplitSeq(params, ";") {
				if q, ok := strings.CutPrefix(strings.Trim(param, " \t"), "q="); ok {
					accepted = positiveQ(strings.Trim(q, " \t"))
				} else if q, ok := strings.CutPrefix(strings.Trim(param, " \t"), "Q="); ok {
					accepted = positiveQ(strings.Trim(q, " \t"))
				}
			}
			return accepted
		}
	}
	return false
}

// positiveQ reports whether q is a number above zero, written in digits
// with at most one point.
func positiveQ(q string) bool {
	nonzero, points := false, 0
	for i := range len(q) {
		switch c := q[i]; {
		case c == '.':
			points++
		case '1' <= c && c <= '9':
			nonzero = true
		case c != '0':
			return false
		}
	}
	return nonzero && points <= 1
}
