package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backstage-epg/backstage/internal/site"
)

// The fast path answers the requests that are most of a feed server's
// traffic — GET or HEAD of a cached file of the site (the feeds, the
// index, the assets), with or without gzip, and the 304s of clients that
// poll with the ETag they have — straight from the connection, with
// response heads made once per file and one writev per response (or, for
// a body of 32 KB or more, the head and a sendfile; see fileSender). Under
// load that is several times what net/http's general machinery allows
// (see BenchmarkFastPath and TestSpeedAgainstNginx in internal/publish).
//
// Everything else goes to net/http, unchanged: at the first request the
// fast path does not take, it hands the connection over, with the bytes
// it has read, and net/http serves it from then on. The fast path takes
// only requests it understands fully: HTTP/1.1, GET or HEAD, an
// origin-form path of plain characters with no query, every header line
// well formed, and no body, Range, date condition, Expect or Upgrade.
// Anything unusual is net/http's to judge, with its own limits.

// The fast path's read timeouts: net/http's, in variables that tests can
// shorten before a fastPath is made.
var (
	fastReadHeaderTimeout = readHeaderTimeout
	fastIdleTimeout       = idleTimeout
)

// fastSendBuffer is the socket send buffer the fast path asks for (the
// kernel doubles it).
const fastSendBuffer = 256 << 10

// fastHeaderMax is the largest request head the fast path reads; a
// longer one goes to net/http, which allows MaxHeaderBytes.
const fastHeaderMax = 8 << 10

// fastPath serves connections accepted from ln, handing those it gives up
// on to net/http through handoff.
type fastPath struct {
	s       *Server
	ln      net.Listener
	handoff *handoff

	mu      sync.Mutex
	conns   map[*fastConn]struct{}
	closing atomic.Bool
	wg      sync.WaitGroup
	served  atomic.Int64 // requests answered here, for tests

	headerTimeout, idleTimeout time.Duration
	dateSec                    atomic.Int64
	dateLine                   atomic.Pointer[[]byte] // "Date: …\r\n" for dateSec
}

// handoff is the listener net/http serves: it yields the connections the
// fast path hands over.
type handoff struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

// Accept returns the next connection handed over.
func (h *handoff) Accept() (net.Conn, error) {
	select {
	case c := <-h.conns:
		return c, nil
	case <-h.done:
		return nil, net.ErrClosed
	}
}

// Close makes Accept return net.ErrClosed.
func (h *handoff) Close() error {
	h.once.Do(func() { close(h.done) })
	return nil
}

// Addr returns the address of the real listener.
func (h *handoff) Addr() net.Addr { return h.addr }

func newFastPath(s *Server, ln net.Listener) *fastPath {
	return &fastPath{
		s: s, ln: ln,
		handoff: &handoff{addr: ln.Addr(), conns: make(chan net.Conn), done: make(chan struct{})},
		conns:   map[*fastConn]struct{}{},

		headerTimeout: fastReadHeaderTimeout, idleTimeout: fastIdleTimeout,
	}
}

// serve accepts connections until the listener is closed.
func (f *fastPath) serve() error {
	var delay time.Duration
	for {
		c, err := f.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors, say: wait a little, as
				// net/http does.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		if tc, ok := c.(*net.TCPConn); ok {
			// A send buffer that takes a gzipped calendar in one write:
			// with the kernel's starting size, a 60 KB answer is written
			// in parts, each after a wait for the client to drain the
			// last, which under load doubles the slowest answers' times.
			tc.SetWriteBuffer(fastSendBuffer)
		}
		fc := &fastConn{f: f, c: c}
		f.mu.Lock()
		if f.closing.Load() {
			f.mu.Unlock()
			c.Close()
			continue
		}
		f.conns[fc] = struct{}{}
		f.wg.Add(1)
		f.mu.Unlock()
		go fc.serve()
	}
}

// shutdown stops accepting, closes the connections that wait for a
// request, and waits until those answering one are done or ctx ends.
func (f *fastPath) shutdown(ctx context.Context) {
	f.ln.Close()
	f.mu.Lock()
	f.closing.Store(true)
	for c := range f.conns {
		if c.idle.Load() {
			c.c.Close()
		}
	}
	f.mu.Unlock()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		f.mu.Lock()
		for c := range f.conns {
			c.c.Close()
		}
		f.mu.Unlock()
	}
	f.handoff.Close()
}

// date returns the Date header line for now, formatted once a second.
func (f *fastPath) date(now time.Time) []byte {
	sec := now.Unix()
	if f.dateSec.Load() == sec {
		if p := f.dateLine.Load(); p != nil {
			return *p
		}
	}
	b := now.UTC().AppendFormat([]byte("Date: "), http.TimeFormat)
	b = append(b, "\r\n"...)
	f.dateLine.Store(&b)
	f.dateSec.Store(sec)
	return b
}

// fastConn is one connection the fast path serves.
type fastConn struct {
	f    *fastPath
	c    net.Conn
	idle atomic.Bool // waiting for the first byte of a request
	buf  []byte      // bytes read and not yet consumed
	out  []byte      // the response head being written
	vec  net.Buffers // the head and the body, for one writev
	vecs [2][]byte   // vec's array: WriteTo consumes vec, not this

	rdeadline, wdeadline time.Time // as last set

	files    *fileSender // nil until a body with a file is sent
	noSender bool        // c cannot send files
}

func (fc *fastConn) serve() {
	f := fc.f
	handed := false
	defer func() {
		if !handed {
			fc.c.Close()
		}
		f.mu.Lock()
		delete(f.conns, fc)
		f.mu.Unlock()
		f.wg.Done()
	}()
	fc.buf = make([]byte, 0, 4<<10)
	fc.out = make([]byte, 0, 1<<10)
	for {
		req, n, verdict := fc.read()
		switch verdict {
		case verdictClose:
			return
		case verdictBad:
			fc.c.SetWriteDeadline(time.Now().Add(time.Second))
			io.WriteString(fc.c, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request: both Content-Length and Transfer-Encoding\n")
			return
		case verdictHandOver:
			handed = fc.handOver()
			return
		}
		keep, ok := fc.answer(&req)
		if !ok {
			handed = fc.handOver()
			return
		}
		fc.buf = fc.buf[:copy(fc.buf, fc.buf[n:])]
		if !keep {
			return
		}
	}
}

type verdict uint8

const (
	verdictServe verdict = iota
	verdictHandOver
	verdictBad   // answered 400 and closed
	verdictClose // the client went away, or a timeout passed
)

// read reads until buf holds a whole request head, and parses it.
//
// Deadlines cost a timer update each, so they are moved only when they
// must: the idle deadline, while waiting for a request, at most once a
// second (it may then come up to a second early); the header deadline
// only for a head that does not arrive whole in one read, as a request's
// almost always does.
func (fc *fastConn) read() (fastRequest, int, verdict) {
	partial := false
	for {
		if len(fc.buf) > 0 {
			req, n, v := parseFastRequest(fc.buf)
			if v != verdictServe || n > 0 {
				return req, n, v
			}
			if len(fc.buf) >= fastHeaderMax {
				return req, 0, verdictHandOver
			}
			if !partial {
				partial = true
				fc.setReadDeadline(time.Now().Add(fc.f.headerTimeout), true)
			}
		} else {
			fc.idle.Store(true)
			if fc.f.closing.Load() {
				return fastRequest{}, 0, verdictClose
			}
			fc.setReadDeadline(time.Now().Add(fc.f.idleTimeout), false)
		}
		if cap(fc.buf)-len(fc.buf) < 512 {
			fc.buf = append(fc.buf, make([]byte, 4<<10)...)[:len(fc.buf)]
		}
		m, err := fc.c.Read(fc.buf[len(fc.buf):cap(fc.buf)])
		fc.idle.Store(false)
		fc.buf = fc.buf[:len(fc.buf)+m]
		if err != nil && m == 0 {
			return fastRequest{}, 0, verdictClose
		}
	}
}

// setReadDeadline moves the read deadline to t, unless it is within a
// second of where it is and exact is false.
func (fc *fastConn) setReadDeadline(t time.Time, exact bool) {
	if !exact && !fc.rdeadline.IsZero() && t.Sub(fc.rdeadline) < time.Second {
		return
	}
	fc.rdeadline = t
	fc.c.SetReadDeadline(t)
}

// handOver gives the connection, and the bytes read from it, to net/http.
func (fc *fastConn) handOver() bool {
	fc.c.SetReadDeadline(time.Time{})
	c := &prefixConn{Conn: fc.c, prefix: append([]byte(nil), fc.buf...)}
	select {
	case fc.f.handoff.conns <- c:
		return true
	case <-fc.f.handoff.done:
		return false
	}
}

// prefixConn is a connection whose first bytes were already read.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(b []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(b, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// fastRequest is what the fast path reads of a request. The byte slices
// point into the connection's buffer, valid until the next read.
type fastRequest struct {
	head        bool   // HEAD rather than GET
	path        []byte // without the leading slash
	ifNoneMatch []byte
	gzip        bool // Accept-Encoding takes gzip
	close       bool // Connection: close
}

// parseFastRequest parses the request head at the start of b. It returns
// the request and the length of its head; a length of 0 with
// verdictServe means the head is not complete yet. Anything the fast path
// does not take whole gives verdictHandOver; a request carrying both
// Content-Length and Transfer-Encoding, a smuggling attempt or a broken
// proxy, gives verdictBad.
func parseFastRequest(b []byte) (fastRequest, int, verdict) {
	var req fastRequest
	end := bytes.Index(b, crlfcrlf)
	if end < 0 {
		if i := bytes.IndexByte(b, '\n'); i >= 0 && (i == 0 || b[i-1] != '\r') {
			return req, 0, verdictHandOver // a bare LF: net/http's to judge
		}
		return req, 0, verdictServe
	}
	n := end + 4
	lineEnd := bytes.Index(b, crlf)
	line := b[:lineEnd]
	switch {
	case bytes.HasPrefix(line, getSP):
		line = line[len(getSP):]
	case bytes.HasPrefix(line, headSP):
		req.head = true
		line = line[len(headSP):]
	default:
		return req, 0, verdictHandOver
	}
	if !bytes.HasSuffix(line, spHTTP11) {
		return req, 0, verdictHandOver
	}
	target := line[:len(line)-len(spHTTP11)]
	if len(target) == 0 || target[0] != '/' || !plainPath(target) {
		return req, 0, verdictHandOver
	}
	req.path = target[1:]

	var hosts, lengths, encodings int
	body := false
	rest := b[lineEnd+2 : end+2]
	for len(rest) > 0 {
		i := bytes.Index(rest, crlf)
		h := rest[:i]
		rest = rest[i+2:]
		colon := bytes.IndexByte(h, ':')
		if colon <= 0 || !token(h[:colon]) {
			return req, 0, verdictHandOver // obs-fold, a bad name, no colon
		}
		name, value := h[:colon], bytes.Trim(h[colon+1:], " \t")
		if !fieldValue(value) {
			return req, 0, verdictHandOver
		}
		switch {
		case equalFoldString(name, "host"):
			hosts++
		case equalFoldString(name, "if-none-match"):
			if req.ifNoneMatch != nil {
				return req, 0, verdictHandOver
			}
			req.ifNoneMatch = value
		case equalFoldString(name, "accept-encoding"):
			req.gzip = req.gzip || acceptsGzipValue(value)
		case equalFoldString(name, "connection"):
			switch {
			case equalFoldString(value, "close"):
				req.close = true
			case equalFoldString(value, "keep-alive"):
			default:
				return req, 0, verdictHandOver
			}
		case equalFoldString(name, "content-length"):
			lengths++
			body = body || string(value) != "0"
		case equalFoldString(name, "transfer-encoding"):
			encodings++
		case equalFoldString(name, "range"), equalFoldString(name, "if-range"), equalFoldString(name, "if-modified-since"),
			equalFoldString(name, "if-unmodified-since"), equalFoldString(name, "if-match"), equalFoldString(name, "expect"),
			equalFoldString(name, "upgrade"):
			return req, 0, verdictHandOver
		}
	}
	switch {
	case lengths > 0 && encodings > 0:
		return req, n, verdictBad
	case encodings > 0 || body || hosts != 1 || n > fastHeaderMax:
		return req, 0, verdictHandOver
	}
	return req, n, verdictServe
}

var (
	crlf     = []byte("\r\n")
	crlfcrlf = []byte("\r\n\r\n")
	getSP    = []byte("GET ")
	headSP   = []byte("HEAD ")
	spHTTP11 = []byte(" HTTP/1.1")
)

// plainPath reports whether p is a path the fast path can take as it is:
// letters, digits and -._~/ only, no // or dot segments (which net/http
// cleans and redirects), and no query.
func plainPath(p []byte) bool {
	for i, c := range p {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '~':
		case c == '/':
			if i > 0 && p[i-1] == '/' {
				return false
			}
		case c == '.':
			if p[i-1] == '/' {
				return false // a dot segment, or a dotfile
			}
		default:
			return false
		}
	}
	return true
}

// token reports whether b is an RFC 9110 token, as header names are.
func token(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return len(b) > 0
}

// fieldValue reports whether b holds visible ASCII, spaces and tabs only.
func fieldValue(b []byte) bool {
	for _, c := range b {
		if (c < ' ' && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

// answer writes the response to req if the fast path has the file, and
// reports whether the connection stays open, and whether it answered.
func (fc *fastConn) answer(req *fastRequest) (keep, ok bool) {
	f := fc.f
	s := f.s
	start := time.Now()
	v, err := s.current()
	if err != nil {
		return false, false
	}
	file, ok := s.fastFile(v, req.path)
	if !ok {
		return false, false
	}
	compressible := file.Compressible()
	gz := compressible && req.gzip
	b, err := s.body(v, file, gz)
	if err != nil {
		return false, false
	}
	heads := b.heads(s, v, file, compressible, gz)
	status, sent := http.StatusOK, 0
	out := fc.out[:0]
	if req.ifNoneMatch != nil && etagMatches(req.ifNoneMatch, b.etag[0]) {
		status = http.StatusNotModified
		out = append(out, heads.notModified...)
	} else {
		out = append(out, heads.ok...)
	}
	if heads.untilMidnight {
		out = append(out, "Cache-Control: "...)
		out = append(out, s.cacheControl(v)[0]...)
		out = append(out, "\r\n"...)
	}
	out = append(out, f.date(start)...)
	if req.close {
		out = append(out, "Connection: close\r\n"...)
	}
	out = append(out, "\r\n"...)
	fc.out = out
	if t := start.Add(writeTimeout); t.Sub(fc.wdeadline) >= time.Second {
		fc.wdeadline = t
		fc.c.SetWriteDeadline(t)
	}
	f.served.Add(1)
	var werr error
	if status == http.StatusOK && !req.head {
		sent = len(b.body)
		if fs := fc.fileSender(b); fs != nil {
			werr = fs.send(out, b.file, len(b.body))
			runtime.KeepAlive(b) // which closes the file once unreachable
		} else {
			fc.vecs = [2][]byte{out, b.body}
			fc.vec = fc.vecs[:]
			_, werr = fc.vec.WriteTo(fc.c)
		}
	} else {
		_, werr = fc.c.Write(out)
	}
	if !s.log.Enabled(context.Background(), slog.LevelInfo) {
		return werr == nil && !req.close, true
	}
	method := "GET"
	if req.head {
		method = "HEAD"
	}
	s.logRequest(context.Background(), method, "/"+string(req.path), status, int64(sent), start)
	return werr == nil && !req.close, true
}

// fileSender returns the connection's fileSender when b's body has a
// file to send from and the connection can send it; nil otherwise.
func (fc *fastConn) fileSender(b *rendered) *fileSender {
	if b.file == nil || fc.noSender {
		return nil
	}
	if fc.files == nil {
		if fc.files = newFileSender(fc.c); fc.files == nil {
			fc.noSender = true
		}
	}
	return fc.files
}

// etagMatches reports whether an If-None-Match value names etag, by the
// weak comparison RFC 9110 asks of it, or is "*".
func etagMatches(header []byte, etag string) bool {
	for len(header) > 0 {
		var item []byte
		if i := bytes.IndexByte(header, ','); i >= 0 {
			item, header = header[:i], header[i+1:]
		} else {
			item, header = header, nil
		}
		item = bytes.Trim(item, " \t")
		item = bytes.TrimPrefix(item, []byte("W/"))
		if string(item) == etag || string(item) == "*" {
			return true
		}
	}
	return false
}

// fastHeads are the heads of a rendered file's responses, less the Date
// (and, for a timeline's feeds, the Cache-Control) that change with the
// time.
type fastHeads struct {
	ok, notModified []byte
	untilMidnight   bool // the Cache-Control is added per request
}

// heads returns the response heads of f as file is served, made on first
// use from the headers serveFile sets (setHeaders) and those ServeContent
// adds, so that the two paths cannot drift apart.
func (f *rendered) heads(s *Server, v *view, file site.File, compressible, gz bool) *fastHeads {
	key := fastHeadsKey{file.Path, gz}
	if h, ok := f.fast.Load(key); ok {
		return h.(*fastHeads)
	}
	hdr := http.Header{}
	s.setHeaders(hdr, v, file, compressible, gz)
	hdr["Etag"] = f.etag
	var perRequest map[string]bool
	if s.Timeline != nil && file.Kind != site.Page && file.Kind != site.Asset {
		// A replay window's feeds may be kept until its midnight, which
		// comes closer with each request (see cacheControl).
		perRequest = map[string]bool{"Cache-Control": true}
	}
	var ok, notModified bytes.Buffer
	ok.WriteString("HTTP/1.1 200 OK\r\n")
	hdr200 := hdr.Clone()
	hdr200.Set("Accept-Ranges", "bytes")
	hdr200.Set("Content-Length", strconv.Itoa(len(f.body)))
	if f.lastMod != nil {
		hdr200["Last-Modified"] = f.lastMod
	}
	hdr200.WriteSubset(&ok, perRequest)
	// A 304 carries what ServeContent's does: no body's type, length or
	// encoding, and no Last-Modified beside the ETag.
	delete(hdr, "Content-Type")
	delete(hdr, "Content-Encoding")
	notModified.WriteString("HTTP/1.1 304 Not Modified\r\n")
	hdr.WriteSubset(&notModified, perRequest)
	h := &fastHeads{ok: ok.Bytes(), notModified: notModified.Bytes(), untilMidnight: perRequest != nil}
	f.fast.Store(key, h)
	return h
}

// fastHeadsKey names the heads of one file in a rendering: one rendering
// can be two files (xmltv.xml gzipped is xmltv.xml.gz), sent with other
// types and encodings.
type fastHeadsKey struct {
	path string
	gz   bool
}

// fastFile returns the file of view v at path if the fast path serves
// it: one the server keeps rendered (see cached), and not one too large
// to keep, which net/http streams (see tooBig). The answers are kept per
// view, so that a path is looked up in the site once.
func (s *Server) fastFile(v *view, path []byte) (site.File, bool) {
	v.fastMu.RLock()
	e, ok := v.fast[string(path)] // no allocation: the compiler sees the conversion is only a key
	v.fastMu.RUnlock()
	if ok {
		return e.file, e.ok
	}
	if len(path) > 200 {
		return site.File{}, false // not one of the site's few cached paths
	}
	f, ok := v.site.Lookup(string(path))
	ok = ok && cached(f) && !s.tooBig(v, f)
	v.fastMu.Lock()
	if v.fast == nil {
		v.fast = map[string]fastLookup{}
	}
	if len(v.fast) < maxMemos {
		// A bounded number of paths, so that a client asking for new
		// ones cannot grow the table.
		v.fast[string(path)] = fastLookup{f, ok}
	}
	v.fastMu.Unlock()
	return f, ok
}

// fastLookup is a path's answer in view.fast.
type fastLookup struct {
	file site.File
	ok   bool
}
