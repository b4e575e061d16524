// Package version holds the version that backstage and
// tv_grab_za_backstage report, in one place, so that a release stamps
// both at once:
//
//	go build -ldflags "-X github.com/backstage-epg/backstage/internal/version.Number=1.2.3" ./cmd/...
package version

// Number is the version of both commands, also written into the
// generator fields of the feeds they make.
var Number = "0.1.0"
