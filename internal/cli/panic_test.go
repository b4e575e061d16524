package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/cli"
)

// TestPanicStack: a panic inside a command exits 1 with a line that says
// it is an internal error, then the stack, to report.
func TestPanicStack(t *testing.T) {
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), []string{"aired", "today"}, cli.Env{
		Stdout: &out, Stderr: &errOut,
		Now: func() time.Time { panic("clock broke") },
	})
	stderr := errOut.String()
	if code != 1 || !strings.HasPrefix(stderr, "backstage: internal error: clock broke\n") {
		t.Errorf("got exit %d, stderr %.200q; want 1 and the internal error first", code, stderr)
	}
	// The stack names the function that panicked.
	if !strings.Contains(stderr, "goroutine ") || !strings.Contains(stderr, "cli_test.TestPanicStack.func1") {
		t.Errorf("stderr has no stack:\n%s", stderr)
	}
}
