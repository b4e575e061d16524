//go:build linux

package server

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"

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
//
// The socket is non-blocking and the file in memory, so the calls return
// at once; they are made as raw system calls, which do not tell the Go
// scheduler, because its bookkeeping for a call that might block (and
// its monitor handing the P to another thread when one takes over 20 us)
// cost more under load than the calls themselves.
func (s *fileSender) write(fd uintptr) bool {
	for len(s.head) > 0 {
		n, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&s.head[0])), uintptr(len(s.head)), unix.MSG_MORE, 0, 0)
		if errno == unix.EAGAIN {
			return false
		}
		if errno != 0 {
			s.err = errno
			return true
		}
		s.head = s.head[n:]
	}
	for s.off < s.size {
		n, _, errno := unix.RawSyscall6(unix.SYS_SENDFILE, fd, uintptr(s.fd), uintptr(unsafe.Pointer(&s.off)), uintptr(s.size-s.off), 0, 0)
		switch {
		case errno == unix.EAGAIN:
			return false
		case errno != 0:
			s.err = errno
			return true
		case n == 0:
			s.err = io.ErrUnexpectedEOF // the file is shorter than size
			return true
		}
	}
	return true
}
