package server

import (
	"bytes"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/feeds"
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

// Content types, as header values.
var (
	icalType  = []string{"text/calendar; charset=utf-8"}
	xmlType   = []string{"application/xml; charset=utf-8"}
	gzipType  = []string{"application/gzip"}
	gzipEnc   = []string{"gzip"}
	varyAE    = []string{"Accept-Encoding"}
	m3uType   = []string{"audio/x-mpegurl; charset=utf-8"}
	plainType = []string{"text/plain; charset=utf-8"}
)

// feedParams are a feed's query parameters, checked and normalised.
type feedParams struct {
	run                      string
	from, to                 schedule.Date // zero: open
	compact, allDay, markNew bool
}

// key returns the parameters as a canonical string: the same for every
// URL that asks for the same feed.
func (p feedParams) key() string {
	var b strings.Builder
	b.WriteString(p.run)
	b.WriteByte('|')
	if !p.from.IsZero() {
		b.WriteString(p.from.String())
	}
	b.WriteByte('|')
	if !p.to.IsZero() {
		b.WriteString(p.to.String())
	}
	b.WriteByte('|')
	for _, f := range []bool{p.compact, p.allDay, p.markNew} {
		if f {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// feedParamNames lists the parameters each feed takes.
var feedParamNames = map[feedKind][]string{
	kindICal:      {"run", "from", "to", "year", "compact", "all_day"},
	kindXMLTV:     {"run", "from", "to", "year", "mark_new"},
	kindXMLTVGzip: {"run", "from", "to", "year", "mark_new"},
}

// query holds the parameters of a request, each given once.
type query map[string]string

// parseQuery reads raw, refusing parameters not in allowed, parameters
// given twice and bad escapes.
func parseQuery(raw string, allowed []string) (query, error) {
	if raw == "" {
		return nil, nil // reads of a nil map work, and cost no allocation
	}
	q := query{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, badRequest("query %q: bad %%-escape", raw)
		}
		known := false
		for _, a := range allowed {
			known = known || a == k
		}
		if !known {
			if len(allowed) == 0 {
				return nil, badRequest("unknown parameter %q: this path takes none", k)
			}
			return nil, badRequest("unknown parameter %q: want %s", k, strings.Join(allowed, ", "))
		}
		if _, dup := q[k]; dup {
			return nil, badRequest("parameter %q given twice: want it once", k)
		}
		q[k] = v
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
	return false, badRequest("%s %q: want 1 (or true) to turn it on, 0 (or false) to leave it off", name, v)
}

// date reads a date parameter; absent gives the zero Date.
func (q query) date(name string) (schedule.Date, error) {
	v, ok := q[name]
	if !ok {
		return schedule.Date{}, nil
	}
	d, err := schedule.ParseDate(v)
	if err != nil {
		return d, badRequest("%s %q: want YYYY-MM-DD, a real calendar date", name, v)
	}
	return d, nil
}

// dates reads from, to and year: year Y stands for from Y-01-01 to
// Y-12-31 and goes with neither.
func (q query) dates() (from, to schedule.Date, err error) {
	if y, ok := q["year"]; ok {
		if _, f := q["from"]; f {
			return from, to, badRequest("year and from given together: want year, or from and to")
		}
		if _, t := q["to"]; t {
			return from, to, badRequest("year and to given together: want year, or from and to")
		}
		n, err := strconv.Atoi(y)
		if err != nil || n < 1 || n > 9999 || len(y) != 4 {
			return from, to, badRequest("year %q: want a four-digit year such as 2003", y)
		}
		return schedule.Date{Year: n, Month: time.January, Day: 1}, schedule.Date{Year: n, Month: time.December, Day: 31}, nil
	}
	if from, err = q.date("from"); err != nil {
		return
	}
	if to, err = q.date("to"); err != nil {
		return
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return from, to, badRequest("from %s is after to %s: want from on or before to", from, to)
	}
	return from, to, nil
}

// run reads the run parameter, which must name a run of v.
func (q query) run(v *view) (string, error) {
	name, ok := q["run"]
	if !ok {
		return "", nil
	}
	if v.sched.Run(name) == nil {
		return "", badRequest("run %q: no such run; want one of %s", name, strings.Join(v.sched.RunNames(), ", "))
	}
	return name, nil
}

// parseFeedParams checks and normalises the query of a feed request. A
// range reaching past the schedule's first or last day is the same as an
// open one, and is keyed as one.
func parseFeedParams(kind feedKind, raw string, v *view) (feedParams, error) {
	var p feedParams
	q, err := parseQuery(raw, feedParamNames[kind])
	if err != nil {
		return p, err
	}
	if p.run, err = q.run(v); err != nil {
		return p, err
	}
	if p.from, p.to, err = q.dates(); err != nil {
		return p, err
	}
	p.clamp(v)
	if p.compact, err = q.flag("compact"); err != nil {
		return p, err
	}
	if p.allDay, err = q.flag("all_day"); err != nil {
		return p, err
	}
	if p.markNew, err = q.flag("mark_new"); err != nil {
		return p, err
	}
	return p, nil
}

// clamp opens the ends of p's range that reach past v's first or last
// day: the feed is the same, so it is keyed the same.
func (p *feedParams) clamp(v *view) {
	if !p.from.IsZero() && !p.from.After(v.first) {
		p.from = schedule.Date{}
	}
	if !p.to.IsZero() && !p.to.Before(v.last) {
		p.to = schedule.Date{}
	}
}

// encoder is what the feeds' encoders have in common.
type encoder interface {
	Encode(s *schedule.Schedule, q schedule.Query) error
	Close() error
}

// renderSlots bounds how many feeds render at once, so that a burst of
// requests for new variants cannot take every core.
var renderSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// render encodes the feed p of v, uncompressed.
func (s *Server) render(kind feedKind, p feedParams, v *view) (*rendered, error) {
	renderSlots <- struct{}{}
	defer func() { <-renderSlots }()
	q := v.sched.Dates(p.from, p.to)
	q.Run = p.run
	// Growing a buffer to a 6 MB guide doubles its way there, clearing
	// each new array; sizing it from the last render's bytes per airing
	// saves most of that.
	n := v.sched.Count(q)
	var buf bytes.Buffer
	hint := s.perSlot[kind].Load()
	if hint == 0 {
		hint = 1 << 10 // a first guess: both formats take a few hundred bytes to 2 KB an airing
	}
	buf.Grow(n*int(hint) + 4<<10)
	defer func() {
		if n > 0 {
			s.perSlot[kind].Store(int64(buf.Len()/n + 16))
		}
	}()
	var e encoder
	switch kind {
	case kindICal:
		ie := feeds.NewICalEncoder(&buf)
		ie.Compact, ie.AllDay = p.compact, p.allDay
		e = ie
	default:
		xe := feeds.NewXMLTVEncoder(&buf)
		xe.MarkNew, xe.Generator = p.markNew, s.Generator
		e = xe
	}
	if err := e.Encode(v.sched, q); err != nil {
		return nil, err
	}
	if err := e.Close(); err != nil {
		return nil, err
	}
	return newRendered(buf.Bytes(), v.modtime), nil
}

// gzipped compresses f once, at feeds.GzipLevel.
func gzipped(f *rendered) (*rendered, error) {
	renderSlots <- struct{}{}
	defer func() { <-renderSlots }()
	body, err := compress(f.body, feeds.GzipLevel)
	if err != nil {
		return nil, err
	}
	return newRendered(body, f.modtime), nil
}

// feed returns the rendering of feed kind with parameters p from v,
// gzipped or not, from the cache or made now.
func (s *Server) feed(kind feedKind, p feedParams, v *view, gz bool) (*rendered, error) {
	if kind == kindXMLTVGzip {
		kind, gz = kindXMLTV, true
	}
	key := feedKey{version: v.version, kind: kind, params: p.key()}
	if !gz {
		return s.cache.get(key, func() (*rendered, error) { return s.render(kind, p, v) })
	}
	gkey := key
	gkey.gzip = true
	return s.cache.get(gkey, func() (*rendered, error) {
		f, err := s.cache.get(key, func() (*rendered, error) { return s.render(kind, p, v) })
		if err != nil {
			return nil, err
		}
		return gzipped(f)
	})
}

// refresh is the refresh interval the calendars announce.
var refresh = feeds.NewICalEncoder(nil).Refresh()

// feedHandler serves one of the feeds.
func (s *Server) feedHandler(kind feedKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.current()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p, err := parseFeedParams(kind, r.URL.RawQuery, v)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		gz := kind == kindXMLTVGzip || acceptsGzip(r.Header["Accept-Encoding"])
		f, err := s.feed(kind, p, v, gz)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h := w.Header()
		switch {
		case kind == kindXMLTVGzip:
			h["Content-Type"] = gzipType
		case kind == kindICal:
			h["Content-Type"] = icalType
		default:
			h["Content-Type"] = xmlType
		}
		if kind != kindXMLTVGzip {
			h["Vary"] = varyAE
			if gz {
				h["Content-Encoding"] = gzipEnc
			}
		}
		h["Cache-Control"] = s.cacheControl(v)
		h["X-Content-Type-Options"] = nosniff
		f.serve(w, r)
	}
}

// cacheControl returns the Cache-Control of v's feeds.
func (s *Server) cacheControl(v *view) []string {
	age := s.maxAge(v, refresh)
	if age == refresh {
		return staticCacheControl
	}
	return []string{"public, max-age=" + strconv.Itoa(int(age/time.Second))}
}

var staticCacheControl = []string{"public, max-age=" + strconv.Itoa(int(refresh/time.Second))}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip:
// it names gzip (or x-gzip) with a q-value above zero.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			if !strings.EqualFold(coding, "gzip") && !strings.EqualFold(coding, "x-gzip") {
				continue
			}
			qv := 1.0
			for param := range strings.SplitSeq(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(k, "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil {
						f = 0
					}
					qv = f
				}
			}
			return qv > 0
		}
	}
	return false
}
