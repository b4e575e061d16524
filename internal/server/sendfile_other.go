//go:build !linux

package server

import (
	"net"
	"os"
)

// newBodyFile returns nil: sendFile is for Linux alone.
func newBodyFile([]byte) *os.File { return nil }

// sendFile reports false: bodies are written from memory.
func sendFile(net.Conn, []byte, *os.File, int) (bool, error) { return false, nil }
