// Package apps holds no code, only tests: it proves the feeds in the
// applications people load them into, driven for real, rather than in
// validators and parsers alone. A parser is not an app: a replay whose
// guide rewrote its own future passed every parser and would have shown
// in a media centre within a week.
//
//   - Kodi 20 with the IPTV Simple PVR add-on (TestKodi): from a
//     published replay site behind nginx, from "backstage serve --replay"
//     and from the grabber's guide, Kodi lists the channel with its icon
//     and, field by field, exactly the guide's programmes; when the feed
//     moves on a day, the days both guides hold keep their broadcasts and
//     none appears twice. A screenshot of Kodi's TV guide is kept.
//   - GNOME's calendar stack (TestEvolutionWebcal): evolution-data-server's
//     webcal backend, which GNOME Calendar subscribes through, reads a
//     year's calendar from serve and from a published site, and the
//     compact calendar expands to the same airings.
//   - MagicMirror's calendar parser, node-ical (TestNodeICal): every
//     calendar a site publishes expands to the airings of its full
//     calendar over the same days.
//   - iptv-org's tools (TestIPTVOrg): epg-grabber, with a site
//     configuration of the kind iptv-org keeps for every guide source,
//     grabs the day answers and the guide into an XMLTV guide that
//     tv_validate_file accepts, with the same programmes; epg-parser reads
//     the guide and iptv-playlist-parser the playlist.
//
// The applications come from Debian's packages and the npm lockfile in
// .ci, which CI installs; outside CI a missing one skips its test, in
// CI (CI=true) it fails it. Kodi and evolution-data-server take seconds
// to start, so their tests run only in CI or with BACKSTAGE_APPS=1:
//
//	BACKSTAGE_APPS=1 go test -v -run 'TestKodi|TestEvolutionWebcal' ./internal/apps
//
// Kodi's web server, which answers its JSON-RPC API, listens on every
// interface with no setting to narrow it, so TestKodi runs Kodi, the
// feed servers and its own HTTP client in a network namespace of its
// own, never on the machine's network; that needs root.
package apps
