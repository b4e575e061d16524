// Package server serves a schedule over HTTP: the iCalendar and XMLTV
// feeds that calendar apps and media centres subscribe to, an M3U
// playlist that pairs the guide with a stream, a small JSON API and a web
// page that answers "what aired on…" and "when did episode N air?".
//
// A Server is configured through its exported fields and used as an
// http.Handler (Handler) or run with Serve, which also shuts down
// gracefully when its context ends:
//
//	srv := &server.Server{Schedule: s, StreamURL: "http://tv.local/etv.ts"}
//	ln, err := net.Listen("tcp", "127.0.0.1:8080")
//	if err != nil { ... }
//	err = srv.Serve(ctx, ln)
//
// # Routes
//
//	GET /calendar.ics        iCalendar: run, from, to, year, compact=1, all_day=1
//	GET /xmltv.xml           XMLTV: run, from, to, year, mark_new=1, season_by_year=1
//	GET /xmltv.xml.gz        the same, gzipped (application/gzip)
//	GET /channels.m3u        M3U playlist of the channels, with Server.StreamURL
//	GET /api/v1/aired        ?date=YYYY-MM-DD (or today) or ?at=RFC 3339
//	GET /api/v1/episodes/{n} every airing of episode n
//	GET /api/v1/slots        ?from=&to= (at most 366 days) or ?year=, and run
//	GET /api/v1/runs         the runs, what they expanded to, their assumptions
//	GET /assets/{name}       the page's stylesheet and icon, and the default schedule's artwork
//	GET /healthz             "ok"
//	GET /                    the web page: ?date=YYYY-MM-DD, ?episode=N
//	GET /{path}              every other path of the site (package site): the days', episodes' and
//	                         years' pages, episodes/N.ics, the JSON answers and api/v1/openapi.json,
//	                         robots.txt and sitemap.xml, 404.html
//
// Every GET route answers HEAD too. JSON bodies use the shapes of package
// api, the ones "backstage ... --json" prints. A bad or unknown query
// parameter is a 400 whose JSON body names the parameter and the form it
// wants; an unknown path is a 404, a wrong method a 405.
//
// # Feeds
//
// A feed is rendered once per schedule and set of parameters, then kept
// in a bounded cache and served with http.ServeContent: a strong ETag
// (a hash of the bytes), Last-Modified, 304 for a matching If-None-Match
// or If-Modified-Since, HEAD and Range. Parameters are normalised first,
// so URLs that ask for the same feed (year=2003 and
// from=2003-01-01&to=2003-12-31; the parameters in any order; a range
// wider than the schedule and none) share one rendering. Concurrent first
// requests for a feed wait for one rendering. A client that accepts gzip
// gets .ics and .xml compressed, from a copy compressed once, with its own
// ETag; /xmltv.xml.gz is always that copy, because Jellyfin recognises a
// gzipped guide by its URL only.
//
// # Time
//
// Schedule is served as it is. Timeline, when set, is asked for the
// schedule at the current time instead (Now, by default time.Now): that is
// how a replay window re-dated around today is served. The server keys
// what it derives from a schedule (the history picture, rendered feeds) by
// the *schedule.Schedule it gets, so a Timeline should hand out the same
// one until its answer changes; DailyTimeline does that for a schedule
// that changes once a day.
package server
