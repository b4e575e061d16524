// Command tv_grab_za_backstage is an XMLTV grabber for Backstage on e.tv:
// TVHeadend, MythTV and tv_find_grabbers find it on the PATH and run it
// as they run XMLTV's own grabbers; see "tv_grab_za_backstage --help".
package main

import (
	"context"
	"os"
	"syscall"
	"time"
	_ "time/tzdata" // zone data built in, for machines without zoneinfo

	"github.com/backstage-epg/backstage/internal/grabber"
	"github.com/backstage-epg/backstage/internal/process"
)

func main() {
	ctx, stop := process.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := grabber.Main(ctx, os.Args[1:], grabber.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Now: time.Now, Interactive: process.Terminal(os.Stdin),
	})
	stop()
	os.Exit(code)
}
