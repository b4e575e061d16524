package server

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"sync"
)

// deflated is a piece of a page compressed once, by itself, as raw
// DEFLATE blocks ending in a sync flush: byte-aligned and not final, so
// it can stand between other such pieces in one DEFLATE stream. Its
// blocks refer back only to its own bytes, which is what makes that
// valid (RFC 1951 allows distances back across block boundaries, and
// needs nothing else of a block's neighbours).
type deflated struct {
	raw []byte // the uncompressed piece
	z   []byte // its DEFLATE blocks
}

// deflate compresses raw at level into a deflated piece.
func deflate(raw []byte, level int) *deflated {
	var b bytes.Buffer
	fw, err := flate.NewWriter(&b, level)
	if err != nil {
		panic(err) // only for a bad level, a constant here
	}
	fw.Write(raw)
	fw.Flush()
	return &deflated{raw: raw, z: b.Bytes()}
}

// gzipHeader is a minimal gzip member header: no name, no time, OS
// unknown.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// flatePool holds BestSpeed compressors for the parts of a page that
// change with each request.
var flatePool = sync.Pool{New: func() any {
	fw, _ := flate.NewWriter(nil, flate.BestSpeed)
	return fw
}}

// gzipSpliced writes to dst one gzip member holding prefix, then mid's
// bytes, then suffix. Only prefix and suffix are compressed here; mid's
// blocks, compressed once, are copied in between.
func gzipSpliced(dst *bytes.Buffer, prefix []byte, mid *deflated, suffix []byte) {
	dst.Write(gzipHeader)
	fw := flatePool.Get().(*flate.Writer)
	fw.Reset(dst)
	fw.Write(prefix)
	fw.Flush()
	dst.Write(mid.z)
	fw.Reset(dst)
	fw.Write(suffix)
	fw.Close()
	flatePool.Put(fw)
	crc := crc32.Update(0, crc32.IEEETable, prefix)
	crc = crc32.Update(crc, crc32.IEEETable, mid.raw)
	crc = crc32.Update(crc, crc32.IEEETable, suffix)
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(len(prefix)+len(mid.raw)+len(suffix)))
	dst.Write(trailer[:])
}
