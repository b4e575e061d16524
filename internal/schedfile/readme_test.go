package schedfile_test

import (
	"os"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/internal/schedfile"
)

// TestReadmeExample keeps the README's schedule file example working.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README has no yaml example")
	}
	s, err := schedfile.Parse("README.md", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	// 1875 weekdays less the example pre-emption: 1874 originals, replayed.
	if got := s.Len(); got != 2*1874 {
		t.Errorf("the example has %d slots, want %d", got, 2*1874)
	}
}
