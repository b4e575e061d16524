package gzpool_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/internal/gzpool"
)

// TestBytes: the same input gives the same bytes as a fresh compressor
// at gzpool.Level, however often the pooled ones are reused, and they
// unpack to the input.
func TestBytes(t *testing.T) {
	for i, in := range []string{"", "x", strings.Repeat("BEGIN:VEVENT\r\nEND:VEVENT\r\n", 5000), "x"} {
		var want bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&want, gzpool.Level)
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

// TestNewWriterHeader: a compressor that a caller named before giving it
// back comes out of NewWriter with an empty header again, so no file is
// sent under another file's name.
func TestNewWriterHeader(t *testing.T) {
	for range 3 {
		var z bytes.Buffer
		zw := gzpool.NewWriter(&z)
		if zw.Name != "" || !zw.ModTime.IsZero() {
			t.Fatalf("NewWriter: header %+v, want an empty one", zw.Header)
		}
		zw.Name = "xmltv.xml"
		zw.Close()
		gzpool.Release(zw)
	}
}

// BenchmarkBytes: a small page, compressed with a reused compressor
// (pooled) and with one made for it (fresh), which is what the pool
// saves each page the server answers gzipped.
func BenchmarkBytes(b *testing.B) {
	page := []byte(strings.Repeat("<li>Monday 16 June 2003, 18:30: episode 816</li>\n", 100))
	b.Run("pooled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			gzpool.Bytes(page)
		}
	})
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzpool.Level)
			zw.Write(page)
			zw.Close()
		}
	})
}
