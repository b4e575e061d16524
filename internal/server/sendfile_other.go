//go:build !linux

package server

import (
	"net"
	"os"
)

// newBodyFile returns nil: sendFile is for Linux alone.
func newBodyFile([]byte) *os.File { return nil }

// fileSender is not made: bodies are written from memory.
type fileSender struct{}

func newFileSender(net.Conn) *fileSender { return nil }

func (*fileSender) send([]byte, *os.File, int) error { return nil }
