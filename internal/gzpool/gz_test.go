package gzpool_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/gzpool"
)

// TestBytes: the same input gives the same bytes as a fresh compressor
// at feeds.GzipLevel, however often the pooled ones are reused, and they
// unpack to the input.
func TestBytes(t *testing.T) {
	for i, in := range []string{"", "x", strings.Repeat("BEGIN:VEVENT\r\nEND:VEVENT\r\n", 5000), "x"} {
		var want bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&want, feeds.GzipLevel)
		zw.Write([]byte(in))
		zw.Close()
		got := gzpool.Bytes([]byte(in))
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%d: %d bytes, a fresh compressor gives %d", i, len(got), want.Len())
		}
		zr, err := gzip.NewReader(bytes.NewReader(got))
		if err != nil {
			t.Fatal(err)
		}
		if out, _ := io.ReadAll(zr); string(out) != in {
			t.Errorf("%d: unpacks to other bytes", i)
		}
		if zr.Header.Name != "" || !zr.Header.ModTime.IsZero() {
			t.Errorf("%d: header %+v, want an empty one", i, zr.Header)
		}
	}
}

// BenchmarkBytes: a small page, compressed with a reused compressor.
func BenchmarkBytes(b *testing.B) {
	page := []byte(strings.Repeat("<li>Monday 16 June 2003, 18:30: episode 816</li>\n", 100))
	b.ReportAllocs()
	for b.Loop() {
		gzpool.Bytes(page)
	}
}
