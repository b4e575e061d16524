package server

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"runtime"
	"sync"
)

// parallelGzipMin is the body size from which compress splits the work.
// Below it one core is quick enough and the split costs more than it saves.
const parallelGzipMin = 1 << 20

// compress gzips body at level. A large body is cut into one piece per
// core and the pieces are deflated at once, the way pigz does it: each
// piece but the last ends in a sync flush rather than a final block, each
// piece after the first is primed with the 32 KB before it as its
// dictionary (which is exactly the window a decompressor holds at that
// point, so back-references stay valid and the size barely changes), and
// the raw streams are joined under one gzip header and trailer. The
// result is a single ordinary gzip member that any decoder reads. It
// halves the first request of the 6 MB guide on two cores.
func compress(body []byte, level int) ([]byte, error) {
	n := runtime.GOMAXPROCS(0)
	if len(body) < parallelGzipMin || n < 2 {
		n = 1
	}
	size := (len(body) + n - 1) / n
	parts := make([]bytes.Buffer, n)
	errs := make([]error, n)
	var crc uint32
	var wg sync.WaitGroup
	wg.Go(func() { crc = crc32.ChecksumIEEE(body) })
	for i := range n {
		lo, hi := min(i*size, len(body)), min((i+1)*size, len(body))
		wg.Go(func() {
			buf := &parts[i]
			buf.Grow((hi-lo)/8 + 64)
			var zw *flate.Writer
			var err error
			if lo == 0 {
				zw, err = flate.NewWriter(buf, level)
			} else {
				zw, err = flate.NewWriterDict(buf, level, body[max(0, lo-32<<10):lo])
			}
			if err == nil {
				_, err = zw.Write(body[lo:hi])
			}
			if err == nil {
				if hi == len(body) {
					err = zw.Close() // the final block
				} else {
					err = zw.Flush() // byte-aligned, not final
				}
			}
			errs[i] = err
		})
	}
	wg.Wait()
	out := make([]byte, 0, 18+sumLen(parts))
	// RFC 1952 header: magic, deflate, no flags, no mtime, no extra
	// flags, unknown OS — what compress/gzip writes for a zero Header.
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255)
	for i := range parts {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, parts[i].Bytes()...)
	}
	out = binary.LittleEndian.AppendUint32(out, crc)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return out, nil
}

func sumLen(parts []bytes.Buffer) int {
	n := 0
	for i := range parts {
		n += parts[i].Len()
	}
	return n
}
