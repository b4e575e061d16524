package testkit

import "testing"

func TestFirstDiff(t *testing.T) {
	for _, c := range []struct {
		got, want string
		line      int
		g, w      string
	}{
		{"a\nb\n", "a\nc\n", 2, `"b\n"`, `"c\n"`},
		{"a\n", "a\nb\n", 2, "end of output", `"b\n"`},
		{"a\nb\n", "a\n", 2, `"b\n"`, "end of output"},
		{"a", "a\n", 1, `"a"`, `"a\n"`},
		{"", "a\n", 1, "end of output", `"a\n"`},
	} {
		line, g, w := firstDiff([]byte(c.got), []byte(c.want))
		if line != c.line || g != c.g || w != c.w {
			t.Errorf("firstDiff(%q, %q): got %d, %s, %s; want %d, %s, %s", c.got, c.want, line, g, w, c.line, c.g, c.w)
		}
	}
}
