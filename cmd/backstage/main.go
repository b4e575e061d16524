// Command backstage answers what aired when on e.tv's Backstage and
// publishes it as iCalendar and XMLTV feeds; see "backstage help".
package main

import (
	"context"
	"os"
	"syscall"
	_ "time/tzdata" // zone data built in, for machines without zoneinfo

	"github.com/backstage-epg/backstage/internal/cli"
	"github.com/backstage-epg/backstage/internal/process"
)

func main() {
	ctx, stop := process.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
