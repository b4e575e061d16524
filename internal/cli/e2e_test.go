package cli_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// TestBinary builds the real command and runs it as a user would.
func TestBinary(t *testing.T) {
	bin := testkit.Binary(t)

	for _, c := range []struct {
		name string
		args []string
		env  []string // added to the environment
		code int
		out  []string // in stdout
		err  string   // in stderr
	}{
		{name: "aired", args: []string{"aired", "2003-06-16"}, out: []string{"2003-06-16  18:30–19:00 SAST", "original  816"}},
		{name: "usage error", args: []string{"episode", "0"}, code: 2, err: `backstage: episode "0"`},
		{name: "no command", code: 2, err: "no command given"},
		{name: "help", args: []string{"aired", "--help"}, out: []string{"Usage: backstage aired", "Examples:"}},
		{
			// With no zone database to be found the binary still knows
			// the zones, from the copy time/tzdata embeds. (Go falls back
			// to the system's database before the embedded one, so on a
			// machine that has one this shows only that ZONEINFO and TZ do
			// not get in the way.)
			name: "embedded tzdata", args: []string{"aired", "2003-06-16", "--tz", "Europe/London"},
			env: []string{"ZONEINFO=/nonexistent", "TZ="},
			out: []string{"17:30–18:00 BST", "816"},
		},
		{
			name: "embedded tzdata, schedule zone", args: []string{"--tz", "America/Los_Angeles", "episode", "1"},
			env: []string{"ZONEINFO=/nonexistent", "TZ=Asia/Tokyo"},
			out: []string{"Mon  2000-05-01  09:30–10:00 PDT", "Mon  2009-01-05  06:40–07:10 PST"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			cmd.Env = append(os.Environ(), c.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.code {
				t.Errorf("backstage %s: got exit %d, want %d; stderr %q", strings.Join(c.args, " "), code, c.code, stderr.String())
			}
			for _, w := range c.out {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("backstage %s: got stdout\n%s\nwant it to contain %q", strings.Join(c.args, " "), stdout.String(), w)
				}
			}
			if c.err == "" && stderr.Len() > 0 || !strings.Contains(stderr.String(), c.err) {
				t.Errorf("backstage %s: got stderr %q, want %q", strings.Join(c.args, " "), stderr.String(), c.err)
			}
			if c.err != "" && strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("backstage %s: got stderr %q, want one line", strings.Join(c.args, " "), stderr.String())
			}
		})
	}
}
