// Package feeds turns schedule slots into the files that guide software
// reads: an XMLTV guide for media centres (Kodi, Jellyfin, Plex,
// TVHeadend, Channels DVR) and an iCalendar stream for calendar apps.
//
// Write is the one way in: Options name the format, the window of days
// and run, and the format's settings, and Write checks them against the
// schedule before it streams the feed to an io.Writer. The command line's
// export, the server, the static publisher and the XMLTV grabber all call
// it, so a feed is made one way whoever asks for it.
//
//	s, err := schedule.New(plan)
//	if err != nil { ... }
//	err = feeds.Write(ctx, w, s, feeds.Options{
//		Format: feeds.XMLTV,
//		Window: schedule.Window{From: from, To: to},
//	})
//
// Under Write, each format has an encoder over an io.Writer, used the way
// xml.Encoder is: create it, set its options, call Encode with a schedule
// and a query, then Close to flush and learn of any write error. Encoders
// stream the feed through a buffer rather than build it whole in memory.
//
// Write and Encode check their input (a nil schedule, a window that ends
// before it starts, an unknown run) before they write a byte, so a caller
// that writes to a temporary file can discard it on error and leave
// nothing partial behind. To gzip a feed, wrap w in a gzip.Writer.
//
// # Published feeds
//
// Options.BaseURL is the absolute URL the site is published at, when it
// is known. A schedule may give its shows and channels pictures by a path
// relative to the site (the default schedule's artwork is served under
// assets/); with BaseURL, ResolveURL makes them absolute for XMLTV's
// <icon> and the calendar's IMAGE, and without it they are left out,
// since guides want absolute URLs. A calendar also names the site (URL)
// and its own address (SOURCE, where subscribers can reload it): the
// path in Options.Path, which the site that publishes the feed chooses,
// or else the query-string form serve answers for any feed (FeedPath).
//
// # Time zones
//
// Slots keep the zone of their run, and both encoders write each time in
// that zone, so a guide holding runs in several zones needs no conversion
// and shows every airing at the wall-clock time it was announced at.
//
// XMLTV writes times as "YYYYMMDDhhmmss +hhmm" with the numeric offset in
// force at that instant: a Johannesburg slot is always +0200, a London
// one +0000 in winter and +0100 in summer. Named zones and "+02:00" are
// never written, as Jellyfin and TVHeadend misread them. A zone whose
// offset has seconds (local mean time, before about 1900) cannot be
// written that way, so such times are written in UTC. The <date> of a
// programme and the "first shown" sentence of a repeat use the zone of
// the episode's first airing.
//
// iCalendar writes local times with the zone's IANA name and includes
// the zone's rules, built from Go's zone database, so calendar apps
// convert to the reader's own zone themselves.
//
// The zone database comes from the system unless the program embeds one:
// commands import time/tzdata; this package does not.
package feeds
