// Package feeds turns schedule slots into the files that guide software
// reads: an XMLTV guide for media centres (Kodi, Jellyfin, Plex,
// TVHeadend, Channels DVR) and an iCalendar stream for calendar apps.
//
// Each format has an encoder over an io.Writer, used the way
// xml.Encoder is: create it, set its options, call Encode once with a
// schedule and a query that selects the slots, then Close to flush and
// learn of any write error. Encoders stream the feed through a buffer
// rather than build it whole in memory.
//
//	s, err := schedule.New(plan)
//	if err != nil { ... }
//	e := feeds.NewXMLTVEncoder(w)
//	e.Generator = "backstage/v0.1.0"
//	if err := e.Encode(s, s.Dates(from, to)); err != nil { ... }
//	if err := e.Close(); err != nil { ... }
//
// Encode checks its input (a nil schedule, a window that ends before it
// starts, an unknown run) before it writes a byte, so a caller that
// writes to a temporary file can discard it on error and leave nothing
// partial behind. A gzipped guide wraps w in a gzip.Writer at GzipLevel.
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
