//go:build linux

package server

import (
	"io"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// newBodyFile returns an anonymous in-memory file (memfd_create(2))
// holding body, for sendFile, or nil when the kernel will not make one.
// The file is sealed: nothing can change its bytes once they are written.
func newBodyFile(body []byte) *os.File {
	fd, err := unix.MemfdCreate("backstage-body", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil
	}
	f := os.NewFile(uintptr(fd), "memfd:backstage-body")
	if _, err := f.Write(body); err != nil {
		f.Close()
		return nil
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE|unix.F_SEAL_SEAL); err != nil {
		f.Close()
		return nil
	}
	return f
}

// fileSender writes responses whose bodies are in files to one
// connection: the head with MSG_MORE, so that it leaves in the body's
// first segment, and the body with sendfile(2), which hands the kernel
// the file's pages instead of copying them in from user space, as nginx
// does with sendfile on. It is made once per connection, so that a
// response costs no allocation.
type fileSender struct {
	raw  syscall.RawConn
	step func(uintptr) bool // s.write, bound once

	// The response being sent.
	head      []byte
	fd        int
	off, size int64
	err       error
}

// newFileSender returns a fileSender for c, or nil when c is not a socket
// it can work on.
func newFileSender(c net.Conn) *fileSender {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	s := &fileSender{raw: raw}
	s.step = s.write
	return s
}

// send writes head and then the first size bytes of f. It honours the
// connection's write deadline. The caller keeps f open.
func (s *fileSender) send(head []byte, f *os.File, size int) error {
	s.head, s.fd, s.off, s.size, s.err = head, int(f.Fd()), 0, int64(size), nil
	err := s.raw.Write(s.step)
	s.head = nil
	if err == nil {
		err = s.err
	}
	return err
}

// write does what it can of the response on socket fd without blocking,
// and reports whether it is done: false asks RawConn.Write to wait until
// the socket takes more.
func (s *fileSender) write(fd uintptr) bool {
	for len(s.head) > 0 {
		n, err := unix.SendmsgN(int(fd), s.head, nil, nil, unix.MSG_MORE)
		if err == unix.EAGAIN {
			return false
		}
		if err != nil {
			s.err = err
			return true
		}
		s.head = s.head[n:]
	}
	for s.off < s.size {
		n, err := unix.Sendfile(int(fd), s.fd, &s.off, int(s.size-s.off))
		switch {
		case err == unix.EAGAIN:
			return false
		case err != nil:
			s.err = err
			return true
		case n == 0:
			s.err = io.ErrUnexpectedEOF // the file is shorter than size
			return true
		}
	}
	return true
}
