//go:build !unix

package publish

import "os"

// lock checks that dir can be opened. Without flock(2) two publishes
// into one folder are not kept apart; each file is still replaced whole.
func lock(dir string) (func(), error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	return func() { d.Close() }, nil
}
