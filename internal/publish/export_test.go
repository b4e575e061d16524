package publish

import (
	"encoding/hex"
	"path/filepath"
)

// Manifest returns what the manifest in dir names: each path, with the
// hex of its hash ("" for a path named before it was written).
func Manifest(dir string) (map[string]string, error) {
	t, err := openTree(filepath.Clean(dir))
	if err != nil {
		return nil, err
	}
	defer t.Close()
	m, err := readManifest(t)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m.recs))
	for _, r := range m.recs {
		out[r.path] = ""
		if r.known {
			out[r.path] = hex.EncodeToString(r.hash[:])
		}
	}
	return out, nil
}
