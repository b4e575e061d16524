package cli_test

import (
	"strings"
	"testing"
)

// TestServeUsage checks the arguments serve refuses before it listens.
func TestServeUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"serve", "--addr", "8080"}, `--addr "8080": want HOST:PORT`},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, `--addr "127.0.0.1:99999": want a port from 0 to 65535`},
		{[]string{"serve", "--addr", "127.0.0.1:-1"}, `--addr "127.0.0.1:-1": want a port from 0 to 65535`},
		{[]string{"serve", "--addr", ":no-such-service"}, `--addr ":no-such-service": want a port from 0 to 65535`},
		{[]string{"serve", "--public-url", "tv.example.org"}, `--public-url: public URL "tv.example.org": want an absolute http:// or https:// URL`},
		{[]string{"serve", "--stream-url", "channel1.ts"}, `--stream-url: stream URL "channel1.ts": want an absolute URL`},
		{[]string{"serve", "extra"}, `serve: unexpected argument "extra"`},
		{[]string{"serve", "--days", "3"}, "--days works only with --replay"},
		{[]string{"serve", "--replay", "--days", "0"}, `--days "0": want a whole number from 1 to 31`},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != 2 || !strings.Contains(stderr, c.err) || stdout != "" {
				t.Errorf("got exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, c.err)
			}
		})
	}
}

func TestServeLimits(t *testing.T) {
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"serve", "--cache-size", "lots"}, `--cache-size "lots": want a size such as 64MB`},
		{[]string{"serve", "--cache-size", "10KB"}, "want at least 1MB"},
		{[]string{"serve", "--shutdown-timeout", "0s"}, "--shutdown-timeout 0s: want a positive duration"},
		{[]string{"serve", "--shutdown-timeout", "soon"}, `--shutdown-timeout "soon"`},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != 2 || !strings.Contains(stderr, c.err) || stdout != "" {
				t.Errorf("got exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, c.err)
			}
		})
	}
}
