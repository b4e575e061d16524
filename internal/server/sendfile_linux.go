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

// sendFile writes head and then the first size bytes of f to c: the head
// with MSG_MORE, so that it leaves in the body's first segment, and the
// body with sendfile(2), which hands the kernel the file's pages instead
// of copying them in from user space, as nginx does with sendfile on. It
// honours c's write deadline. It returns false, having written nothing,
// when c is not a socket it can do this on.
func sendFile(c net.Conn, head []byte, f *os.File, size int) (bool, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false, nil
	}
	sock, err := sc.SyscallConn()
	if err != nil {
		return false, nil
	}
	file, err := f.SyscallConn()
	if err != nil {
		return false, nil
	}
	var (
		off  int64
		serr error
	)
	err = sock.Write(func(s uintptr) bool {
		for len(head) > 0 {
			n, err := unix.SendmsgN(int(s), head, nil, nil, unix.MSG_MORE)
			if err == unix.EAGAIN {
				return false // wait until the socket takes more
			}
			if err != nil {
				serr = err
				return true
			}
			head = head[n:]
		}
		for off < int64(size) {
			var n int
			var err error
			cerr := file.Control(func(fd uintptr) {
				n, err = unix.Sendfile(int(s), int(fd), &off, size-int(off))
			})
			switch {
			case cerr != nil:
				serr = cerr
				return true
			case err == unix.EAGAIN:
				return false
			case err != nil:
				serr = err
				return true
			case n == 0:
				serr = io.ErrUnexpectedEOF // the file is shorter than size
				return true
			}
		}
		return true
	})
	if err == nil {
		err = serr
	}
	return true, err
}
