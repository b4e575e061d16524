package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/schedule"
)

// Server serves one schedule (or a timeline of them) as feeds, a JSON
// API and a web page. Set its fields before the first call of Handler or
// Serve and leave them alone afterwards. It is safe for concurrent use.
type Server struct {
	// Schedule is the schedule served when Timeline is nil.
	Schedule *schedule.Schedule

	// Timeline, when set, returns the schedule to answer from at the
	// instant now, in place of Schedule: a replay window around today,
	// say. It is called on every request, so it must be quick, and it
	// should return the same *schedule.Schedule until its answer changes
	// (see DailyTimeline): the server renders feeds and the history
	// picture anew for each schedule it sees. An error answers 500.
	Timeline func(now time.Time) (*schedule.Schedule, error)

	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Location is the zone the page and the JSON API show times in; nil
	// means the schedule's own. Feeds keep each run's zone.
	Location *time.Location

	// StreamURL is the stream /channels.m3u points each channel at (an
	// ErsatzTV or Tunarr channel, say); "{id}" in it is replaced by the
	// channel's XMLTV id. Empty: /channels.m3u answers 404 saying how to
	// set it.
	StreamURL string

	// PublicURL is the URL the server is reached at, such as
	// "https://tv.example.org/backstage": the pages, the playlist and the
	// feeds (as their feeds.Options.BaseURL, for pictures and their own
	// address) link absolutely under it. Empty: links are relative, and
	// feeds carry no pictures, as XMLTV wants absolute ones; a Host
	// header is never trusted for either.
	PublicURL string

	// Generator names the program in the XMLTV generator-info-name, such
	// as "backstage/0.1.0"; empty means feeds.XMLTVGenerator.
	Generator string

	// Logger receives the access log (one Info record per request) and
	// errors; nil means slog.Default().
	Logger *slog.Logger

	// MaxCacheBytes bounds the rendered feeds kept in memory; 0 means
	// DefaultMaxCacheBytes. The least recently used go first, and a feed
	// estimated at more than a quarter of it is streamed as it is made,
	// never held whole.
	MaxCacheBytes int64

	// ShutdownTimeout is how long Serve, once its context ends, lets the
	// answers under way finish before it cuts them off; 0 means
	// DefaultShutdownTimeout, as long as a slow client may take over a
	// whole guide.
	ShutdownTimeout time.Duration

	warming atomic.Bool // Serve renders each new view's main files at once; see warm
	once    sync.Once
	perSlot [feeds.XMLTV + 1]atomic.Int64 // bytes per airing of the last render of each format, to size the next
	handler http.Handler
	log     *slog.Logger
	cache   *feedCache
	views   viewCache
}

// DefaultMaxCacheBytes is the cache bound when Server.MaxCacheBytes is 0:
// room for every feed of the default schedule many times over.
const DefaultMaxCacheBytes = 256 << 20

// maxCacheEntries bounds the number of cached feeds whatever their size,
// so that a crawler asking for every date range cannot fill the map.
const maxCacheEntries = 512

// The timeouts of the http.Server that Serve runs. WriteTimeout is long
// enough for the whole guide of the default schedule to reach a client
// on a slow line.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 32 << 10
)

// DefaultShutdownTimeout is Server.ShutdownTimeout when it is 0: the
// write timeout, so that a download a client could finish at all is not
// cut off by a shutdown.
const DefaultShutdownTimeout = writeTimeout

func (s *Server) init() {
	s.once.Do(func() {
		s.log = s.Logger
		if s.log == nil {
			s.log = slog.Default()
		}
		maxBytes := s.MaxCacheBytes
		if maxBytes <= 0 {
			maxBytes = DefaultMaxCacheBytes
		}
		s.cache = newFeedCache(maxBytes, maxCacheEntries)
		s.handler = s.routes()
	})
}

// now returns the current time from the server's clock.
func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Handler returns the server's routes wrapped in its access log and panic
// recovery. It prepares the served schedule's history picture on its
// first call (for a Timeline, on the first request).
func (s *Server) Handler() http.Handler {
	s.init()
	return s.handler
}

// Check prepares the schedule the server would answer from now and
// reports why it cannot serve, if it cannot: no schedule, or an error
// from Timeline. Serve calls it before it accepts connections.
func (s *Server) Check() error {
	s.init()
	_, err := s.current()
	return err
}

// HTTPServer returns an http.Server for the handler with every timeout
// and the header size limit set, logging its errors to the server's
// Logger.
func (s *Server) HTTPServer() *http.Server {
	h := s.Handler()
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve accepts connections on ln until ctx ends, then shuts down
// gracefully: it stops accepting, lets requests in flight finish (for up
// to ShutdownTimeout), cuts off what is left and returns nil. It returns
// early with the error if the schedule cannot be served or serving fails.
//
// Serve is net/http's Server (see HTTPServer), so it keeps serving
// through what would stop a simpler loop: a request whose handling
// panics is answered 500 (see Handler) and the others go on, and when
// accepting fails for a while, as when the process runs out of file
// descriptors, it waits and tries again rather than return.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.Check(); err != nil {
		ln.Close()
		return err
	}
	hs := s.HTTPServer()
	s.warming.Store(true)
	if v := s.views.cur.Load(); v != nil {
		go s.warm(v) // Check above made the first view
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	grace := s.ShutdownTimeout
	if grace <= 0 {
		grace = DefaultShutdownTimeout
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		hs.Close() // the grace is over: cut off what is left
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("server: shut down: %w", err)
	}
	return nil
}

// routes builds the mux: the site's paths (see package site), which a
// static host has too, and the query-string routes only a server can
// answer. Nothing maps a URL to a file on disk.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /calendar.ics", s.handle(s.feedHandler(kindICal)))
	mux.HandleFunc("GET /xmltv.xml", s.handle(s.feedHandler(kindXMLTV)))
	mux.HandleFunc("GET /xmltv.xml.gz", s.handle(s.feedHandler(kindXMLTVGzip)))
	mux.HandleFunc("GET /channels.m3u", s.handle(s.handleM3U))
	mux.HandleFunc("GET /api/v1/aired", s.handle(s.handleAired))
	mux.HandleFunc("GET /api/v1/episodes/{n}", s.handle(s.handleEpisode))
	mux.HandleFunc("GET /api/v1/slots", s.handle(s.handleSlots))
	mux.HandleFunc("GET /api/v1/runs", s.handle(s.handleRuns))
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /{$}", s.handle(s.handlePage))
	mux.HandleFunc("GET /index.html", s.handle(s.handlePage))
	mux.HandleFunc("GET /", s.handle(s.handleFile))
	mux.Handle("/", s.notAllowed(mux))
	return s.logged(s.recovered(refuseBodies(mux)))
}

// refuseBodies answers a request that carries a body in chunks with 400
// and closes the connection: no route takes a body, and a request with
// both Content-Length and Transfer-Encoding (which net/http reads as
// chunked, dropping the length) is how requests are smuggled past a
// proxy that reads it the other way.
func refuseBodies(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 {
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusBadRequest, "a request with a body in chunks: no path here takes a body")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// notAllowed answers the requests with a method no route takes: a JSON
// 405 naming the allowed methods when the path has a route for GET, and a
// 404 otherwise.
func (s *Server) notAllowed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probe := r.Clone(r.Context())
		probe.Method = http.MethodGet
		_, p := mux.Handler(probe)
		if p == "GET /" {
			// The catch-all: a method not allowed only on a path the
			// site has.
			v, err := s.current()
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if _, ok := v.site.Lookup(strings.TrimPrefix(r.URL.Path, "/")); !ok || r.URL.Path == "/" {
				writeError(w, http.StatusNotFound, fmt.Sprintf("no such path: %s (the web page is at /, the API under /api/v1/)", quote.Clip(r.URL.Path)))
				return
			}
		}
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s: want GET or HEAD", quote.Clip(r.Method), quote.Clip(r.URL.Path)))
	})
}

// handlerFunc answers a request from view v, or returns the error that
// handle answers for it.
type handlerFunc func(w http.ResponseWriter, r *http.Request, v *view) error

// handle turns h into an http.HandlerFunc: it finds the view to answer
// from, and answers h's error, if any, as a page (failPage) for the
// paths people read and as JSON (fail) for the rest. It is the one path
// by which a handler's errors reach the client.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.current()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := h(w, r, v); err != nil {
			if isPage(r.URL.Path) {
				s.failPage(w, r, v, err)
			} else {
				s.fail(w, r, err)
			}
		}
	}
}

// httpError is an error answered with its status and its own message.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

// badRequest returns an error answered 400 with the formatted message.
func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// status maps an error to the HTTP status and the message the client
// sees: its own for errors about the request (an *httpError, or an error
// the schedule package marks as input: 400, or 404 for an episode that
// never aired), nothing internal for the rest.
func status(err error) (int, string) {
	var he *httpError
	var pe *pageErr
	switch {
	case errors.As(err, &he):
		return he.code, he.msg
	case errors.As(err, &pe):
		return pe.code, pe.msg
	case errors.Is(err, errNoSuchPath):
		return http.StatusNotFound, "no such path (the web page is at /, the API under /api/v1/)"
	case errors.Is(err, schedule.ErrNoEpisode):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, schedule.ErrInput):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "the request was cancelled or timed out"
	default:
		return http.StatusInternalServerError, "internal error"
	}
}

// fail answers with the JSON error for err, logging it when it is the
// server's fault.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := status(err)
	if code >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	writeError(w, code, msg)
}

// writeError writes {"error": msg} with status code.
func writeError(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	for _, k := range []string{"Content-Encoding", "Etag", "Last-Modified", "Cache-Control", "Vary"} {
		delete(h, k)
	}
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// writeJSON writes v as a JSON body with status 200, encoded as the
// site's answers are.
func writeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := site.MarshalJSON(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h["Content-Type"] = jsonType
	h["X-Content-Type-Options"] = nosniff
	writeBody(w, r, b)
	return nil
}

// writeBody writes b with its Content-Length, or only the length for
// HEAD.
func writeBody(w http.ResponseWriter, r *http.Request, b []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// Header values shared by every response that sends them; net/http
// never changes a header slice in place.
var (
	jsonType = []string{"application/json"}
	nosniff  = []string{"nosniff"}
)

// recovered turns a panic in h into a 500 that tells the client nothing
// about it, and an error in the log with the panic's stack. http.ErrAbortHandler passes through, as
// net/http means it to.
func (s *Server) recovered(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("panic", p),
				slog.String("stack", string(debug.Stack())))
			if lw, ok := w.(*logWriter); ok && lw.status != 0 {
				// Too late for a status; cut the response short instead.
				panic(http.ErrAbortHandler)
			}
			writeError(w, http.StatusInternalServerError, "internal error")
		}()
		h.ServeHTTP(w, r)
	})
}

// logWriter records the status and size of a response for the access log.
type logWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *logWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom passes the copy on to the underlying writer when it can take
// it (net/http's can, through a pooled buffer), so that wrapping a
// writer does not cost io.Copy's 32 KB buffer per response.
func (w *logWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
	}
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged writes one access-log record per request: method, path, status,
// bytes written and duration.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &logWriter{ResponseWriter: w}
		defer func() {
			status := lw.status
			if status == 0 {
				status = http.StatusOK
			}
			s.logRequest(r.Context(), r.Method, r.URL.Path, status, lw.bytes, start)
		}()
		h.ServeHTTP(lw, r)
	})
}

// logRequest writes the access-log record of a request. It makes the
// record itself, as slog's docs show for wrappers, rather than through
// Logger.LogAttrs: that would read the call stack for a source no one
// reads here, and the clock once more; together as much as a 304's
// handling.
func (s *Server) logRequest(ctx context.Context, method, path string, status int, bytes int64, start time.Time) {
	h := s.log.Handler()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	now := time.Now()
	rec := slog.NewRecord(now, slog.LevelInfo, "request", 0)
	rec.AddAttrs(
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int64("bytes", bytes),
		slog.Duration("duration", now.Sub(start)))
	h.Handle(ctx, rec)
}
