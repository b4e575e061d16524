package grabber

import (
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		want Args
	}{
		{nil, Args{}},
		{[]string{"--capabilities"}, Args{Capabilities: true}},
		{[]string{"-h"}, Args{Help: true}},
		{[]string{"-help"}, Args{Help: true}},
		{[]string{"--config-file", "x.conf", "--offset", "1", "--days", "2"}, Args{ConfigFile: "x.conf", Offset: 1, Days: 2}},
		{[]string{"--days=2", "--offset=1", "--quiet", "--output", "g.xml"}, Args{Days: 2, Offset: 1, Quiet: true, Output: "g.xml"}},
		{[]string{"-days", "7", "-debug"}, Args{Days: 7, Debug: true}},
		{[]string{"--days", "3", "--days", "4"}, Args{Days: 4}},                // the last wins, as in Getopt::Long
		{[]string{"--days", "+5"}, Args{Days: 5}},                              // Getopt::Long's integers take a sign
		{[]string{"--offset", "31", "--days", "1"}, Args{Offset: 31, Days: 1}}, // the farthest day
		{[]string{"--days", "32"}, Args{Days: 32}},
		{[]string{"--configure", "--config-file", "c"}, Args{Configure: true, ConfigFile: "c"}},
		{[]string{"--output", "-"}, Args{Output: "-"}},
		{[]string{"--"}, Args{}},
	} {
		got, err := ParseArgs(c.args)
		if err != nil || got != c.want {
			t.Errorf("ParseArgs(%q) = %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
}

func TestParseArgsRefuses(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--ahdmegkeja"}, "unknown option --ahdmegkeja"},
		{[]string{"--day", "2"}, "unknown option --day"}, // no abbreviations
		{[]string{"grab"}, `unexpected argument "grab": tv_grab_za_backstage takes options only`},
		{[]string{"--", "--days"}, `unexpected argument "--days"`},
		{[]string{"-"}, `unexpected argument "-"`},
		{[]string{"--days"}, "option --days needs a value"},
		{[]string{"--quiet=yes"}, "option --quiet takes no value"},
		{[]string{"--days", "0"}, "--days 0: want a whole number of days from 1 to 32"},
		{[]string{"--days", "-3"}, "--days -3: want a whole number of days from 1 to 32"},
		{[]string{"--days", "33"}, "--days 33: want a whole number of days from 1 to 32"},
		{[]string{"--days", "99999999999999999999"}, "--days 99999999999999999999: want a whole number"},
		{[]string{"--days", "two"}, "--days two: want a whole number"},
		{[]string{"--days", ""}, `--days "": want a whole number`},
		{[]string{"--days", "1.5"}, "--days 1.5: want a whole number"},
		{[]string{"--offset", "-1"}, "--offset -1: want a whole number of days from 0 to 31"},
		{[]string{"--offset", "32"}, "--offset 32: want a whole number of days from 0 to 31"},
		{[]string{"--offset", "10", "--days", "30"}, "--offset 10 --days 30 ends 39 days after today: the guide reaches 31 at most, so ask for at most 22 days"},
		{[]string{"--config-file="}, "option --config-file: empty"},
		{[]string{"--output", ""}, "option --output: empty"},
		{[]string{"--\x1b[31m"}, `unknown option "--\x1b[31m"`},
	} {
		_, err := ParseArgs(c.args)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("ParseArgs(%q) = %v; want an error starting %q", c.args, err, c.want)
		}
	}
}

// FuzzParseArgs checks that any command line either parses into values
// within the limits or fails with a one-line error.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{
		"--days\x002\x00--offset\x001", "--capabilities", "--days=0", "--offset\x00-1",
		"--config-file\x00x\x00--configure", "--\x00x", "-h", "--output=\x00", "--days\x0099999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseArgs(strings.Split(s, "\x00"))
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		if a.Offset < 0 || a.Offset > Reach || a.Days < 0 || a.Days > Reach+1 || a.Offset+a.Days-1 > Reach {
			t.Errorf("%q: offset %d, days %d out of reach", s, a.Offset, a.Days)
		}
	})
}
