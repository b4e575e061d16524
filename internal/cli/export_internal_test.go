package cli

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// TestProgressLine: the progress line of exports and publishes shows
// nothing in the first second, then the latest count on one line, at most
// ten times a second, and clears itself only if it showed something.
func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	if p := newProgress(Env{Stderr: &b}, false); p != nil {
		t.Error("a progress line on a writer that is not a terminal")
	}
	fresh := &progressLine{w: &b, start: time.Now()}
	fresh.show("exporting: %s", byteSize(10))
	fresh.clear()
	if b.Len() != 0 {
		t.Errorf("work under a second showed %q", b.String())
	}
	long := &progressLine{w: &b, start: time.Now().Add(-2 * time.Second)}
	long.show("exporting: %s", byteSize(2_500_000))
	long.show("exporting: %s", byteSize(2_600_000)) // too soon after the first
	long.clear()
	if want := "\r\033[Kexporting: 2.5 MB\r\033[K"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	var none *progressLine
	none.show("x")
	none.clear()
}

// TestProgressOnlyOnATerminal: the progress line is shown on a terminal
// unless quiet, and never on the null device, where cron and service
// managers send standard error.
func TestProgressOnlyOnATerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if p := newProgress(Env{Stderr: null}, false); p != nil {
		t.Errorf("a progress line on %s", os.DevNull)
	}
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer pty.Close()
	if p := newProgress(Env{Stderr: pty}, false); p == nil {
		t.Error("no progress line on a terminal")
	}
	if p := newProgress(Env{Stderr: pty}, true); p != nil {
		t.Error("a progress line on a terminal with --quiet")
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{1: "1 byte", 999: "999 bytes", 1000: "1.0 KB", 131_072: "131.1 KB", 6_492_425: "6.5 MB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{0: "0 airings", 1: "1 airing", 3750: "3,750 airings", 1234567: "1,234,567 airings"} {
		if got := count(n, "airing"); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}
