package quote

import (
	"strings"
	"testing"
)

func TestValue(t *testing.T) {
	long := strings.Repeat("a", 30000)
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"2003-02-30", `"2003-02-30"`},
		{strings.Repeat("a", Max), `"` + strings.Repeat("a", Max) + `"`},
		{strings.Repeat("a", Max+1), `"` + strings.Repeat("a", Max) + `"…`},
		{long, `"` + strings.Repeat("a", Max) + `"…`},
		{strings.Repeat("é", Max+5), `"` + strings.Repeat("é", Max) + `"…`}, // characters, not bytes
		{"a\x00\nb", `"a\x00\nb"`},
		{strings.Repeat("\xff", Max+1), `"` + strings.Repeat(`\xff`, Max) + `"…`},
		{"…" + strings.Repeat("a", Max), `"…` + strings.Repeat("a", Max-1) + `"…`},
	} {
		if got := Value(c.in); got != c.want {
			t.Errorf("Value(%.20q… of %d bytes) = %.40s… (%d bytes), want %.40s… (%d bytes)", c.in, len(c.in), got, len(got), c.want, len(c.want))
		}
	}
}

func TestCut(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"ééé", 3, "ééé"},
		{"éééé", 3, "ééé…"},
		{"", 0, ""},
		{"a", 0, "…"},
	} {
		if got := Cut(c.in, c.n); got != c.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
	if got := Clip(strings.Repeat("x", 150)); got != strings.Repeat("x", Max)+"…" {
		t.Errorf("Clip: got %d bytes, want %d x and …", len(got), Max)
	}
}

// TestClip: a value is named as it is unless it would break the line or
// reach a terminal as a control sequence; then it is quoted.
func TestClip(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"schedule.yaml", "schedule.yaml"},
		{"my schedule — ünïcode.yaml", "my schedule — ünïcode.yaml"},
		{"a\nb.yaml", `"a\nb.yaml"`},
		{"--\x1b[31mx", `"--\x1b[31mx"`},
		{"bad\xffbyte", `"bad\xffbyte"`},
		{"\u0085next line", `"\u0085next line"`},
		{"evil\u202egnp.exe", `"evil\u202egnp.exe"`},
		{"\u2067isolate", `"\u2067isolate"`},
		{"nul\x00", `"nul\x00"`},
		{"क्\u200dष", "क्\u200dष"}, // a joiner, which scripts need, is not a control
	} {
		if got := Clip(c.in); got != c.want {
			t.Errorf("Clip(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzValue(f *testing.F) {
	for _, s := range []string{"", "2003-02-30", strings.Repeat("é", 120), "\xff\xfe", strings.Repeat("a", 101)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Value(s)
		if len(got) > 10*Max+2+len("…") { // at most \UXXXXXXXX for each of Max characters
			t.Errorf("Value of %d bytes is %d bytes long", len(s), len(got))
		}
		if strings.ContainsAny(got, "\n\r") {
			t.Errorf("Value(%q) = %q holds a line break", s, got)
		}
	})
}

// TestLine: text is shown whole, and quoted whole when it holds what
// Clip quotes.
func TestLine(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, c := range []struct{ in, want string }{
		{long, long},
		{"original", "original"},
		{"\x1b[2J" + long, `"\x1b[2J` + long + `"`},
		{"a\u202eb", `"a\u202eb"`},
	} {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%.20q) = %.20q, want %.20q", c.in, got, c.want)
		}
	}
}
