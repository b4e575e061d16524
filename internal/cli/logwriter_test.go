package cli

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the logWriter's two writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogWriter: every line arrives, whole and in order, within the
// interval; a full buffer is written at once; Close writes the rest.
func TestLogWriter(t *testing.T) {
	var out lockedBuffer
	l := newLogWriter(&out, 20*time.Millisecond)
	fmt.Fprintf(l, "first\n")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "first\n") {
		if time.Now().After(deadline) {
			t.Fatal("a line did not arrive within the interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 5000 {
				fmt.Fprintf(l, "g%d line %05d %s\n", g, i, strings.Repeat("x", 40))
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1+4*5000 {
		t.Fatalf("got %d lines, want %d", len(lines), 1+4*5000)
	}
	next := map[string]int{}
	for _, line := range lines[1:] {
		var g string
		var i int
		if _, err := fmt.Sscanf(line, "%s line %d", &g, &i); err != nil || len(line) != len("g0 line 00000 ")+40 {
			t.Fatalf("a broken line: %q", line)
		}
		if i != next[g] {
			t.Fatalf("%s: line %d after %d, want them in order", g, i, next[g]-1)
		}
		next[g]++
	}
}

func TestSizeFlag(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"64MB", 64e6}, {"256MiB", 256 << 20}, {"1GB", 1e9}, {"1gib", 1 << 30}, {"2000000", 2e6}, {"1MB", 1e6},
		{"", -1}, {"0", -1}, {"-5MB", -1}, {"12XB", -1}, {"100KB", -1}, {"99999999999GB", -1}, {"1.5GB", -1}, {"MB", -1},
	} {
		var n int64
		err := sizeFlag{&n}.Set(c.in)
		if (err == nil) != (c.want >= 0) || (err == nil && n != c.want) {
			t.Errorf("Set(%q) = %d, %v; want %d", c.in, n, err, c.want)
		}
	}
}
