package cli

import (
	"net"
	"strings"
	"testing"
)

// TestPrintURLs: serve names what to paste where, and in replay mode the
// calendar is this week's guide, not the full history.
func TestPrintURLs(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	for _, c := range []struct {
		replay    bool
		want, not string
	}{
		{false, "Calendar, the full history    webcal://127.0.0.1:8080/calendar.ics", "this week"},
		{true, "Calendar, this week's guide   webcal://127.0.0.1:8080/calendar.ics", "full history"},
	} {
		var b strings.Builder
		printURLs(&b, addr, &serveFlags{}, c.replay)
		if out := b.String(); !strings.Contains(out, c.want) || strings.Contains(out, c.not) {
			t.Errorf("replay %v: got\n%s\nwant %q and not %q", c.replay, out, c.want, c.not)
		}
	}
}
