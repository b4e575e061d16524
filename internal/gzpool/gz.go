// Package gzpool gzips at one level with compressors that are reused.
// Each compressor holds about a megabyte of tables, more than most of the
// files it compresses; made anew for every page a server answers, it
// costs more than the page. The server, the site, the publisher and the
// exports all compress through it, so the same file gives the same bytes
// in each.
package gzpool

import (
	"bytes"
	"compress/gzip"
	"io"
	"sync"
)

// Level is the compression level of everything gzipped: compress/gzip's
// default. A feed is compressed once per export (and once per schedule by
// a server that caches it) but downloaded and unpacked by every
// subscriber, so a smaller file is worth a little more time;
// feeds' BenchmarkXMLTVGzip compares the levels on the full history.
const Level = gzip.DefaultCompression

var writers = sync.Pool{New: func() any {
	zw, err := gzip.NewWriterLevel(nil, Level)
	if err != nil {
		panic(err) // the level is the program's own
	}
	return zw
}}

// NewWriter returns a compressor writing to w, with an empty header (no
// name, no time). Give it back with Release once closed.
func NewWriter(w io.Writer) *gzip.Writer {
	zw := writers.Get().(*gzip.Writer)
	zw.Reset(w)
	return zw
}

// Release returns zw for reuse; the caller must not use it again.
func Release(zw *gzip.Writer) {
	zw.Reset(nil) // let go of the writer it wrote to
	writers.Put(zw)
}

// Bytes returns b gzipped.
func Bytes(b []byte) []byte {
	var z bytes.Buffer
	z.Grow(len(b)/4 + 64)
	zw := NewWriter(&z)
	zw.Write(b) // a bytes.Buffer does not fail, nor then does zw
	zw.Close()
	Release(zw)
	return z.Bytes()
}
