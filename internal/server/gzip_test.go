package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// TestCompress checks that compress's output, split or not, is one gzip
// member that decodes to the input, for sizes around the piece
// boundaries, and is about as small as compress/gzip's.
func TestCompress(t *testing.T) {
	var guide bytes.Buffer
	e := feeds.NewXMLTVEncoder(&guide)
	if err := e.Encode(testkit.Default(t), schedule.Query{}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	full := guide.Bytes()
	random := make([]byte, 3<<20)
	for i := range random {
		random[i] = byte(i*7919 ^ i>>3)
	}
	inputs := map[string][]byte{
		"empty":              nil,
		"small":              []byte("<tv></tv>"),
		"just below the cut": full[:parallelGzipMin-1],
		"just above the cut": full[:parallelGzipMin+1],
		"odd length":         full[:len(full)-3],
		"the full guide":     full,
		"incompressible":     random,
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			got, err := compress(in, feeds.GzipLevel)
			if err != nil {
				t.Fatal(err)
			}
			br := bytes.NewReader(got)
			zr, err := gzip.NewReader(br)
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false) // one member, not several glued together
			out, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, in) {
				t.Fatalf("decodes to %d bytes that differ from the %d put in", len(out), len(in))
			}
			if br.Len() != 0 {
				t.Fatalf("%d bytes after the gzip member", br.Len())
			}
			var ref bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&ref, feeds.GzipLevel)
			zw.Write(in)
			zw.Close()
			if len(got) > ref.Len()+ref.Len()/50+64 {
				t.Errorf("%d bytes, compress/gzip makes %d: more than 2%% bigger", len(got), ref.Len())
			}
		})
	}
	// The system's gzip reads the split form too.
	if gz, err := exec.LookPath("gzip"); err == nil {
		got, _ := compress(full, feeds.GzipLevel)
		path := filepath.Join(t.TempDir(), "guide.xml.gz")
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(gz, "-t", path).CombinedOutput(); err != nil {
			t.Errorf("gzip -t: %v: %s", err, strings.TrimSpace(string(out)))
		}
	}
}

func BenchmarkCompress(b *testing.B) {
	var guide bytes.Buffer
	e := feeds.NewXMLTVEncoder(&guide)
	if err := e.Encode(testkit.Default(b), schedule.Query{}); err != nil {
		b.Fatal(err)
	}
	e.Close()
	b.ReportAllocs()
	b.SetBytes(int64(guide.Len()))
	for b.Loop() {
		if _, err := compress(guide.Bytes(), feeds.GzipLevel); err != nil {
			b.Fatal(err)
		}
	}
}
