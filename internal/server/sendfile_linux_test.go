package server

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{1})
	r.Read(b)
	return b
}

// TestSendFile: the head and the file arrive whole and in order, for
// bodies smaller and larger than the socket's buffers, and the file
// cannot be changed once made.
func TestSendFile(t *testing.T) {
	for _, n := range []int{1, fileMin, 3 << 20} {
		body := randomBytes(n)
		f := newBodyFile(body)
		if f == nil {
			t.Fatal("newBodyFile: nil on Linux")
		}
		if _, err := f.WriteAt([]byte("x"), 0); err == nil {
			t.Error("a body file took a write after it was sealed")
		}
		server, client := tcpPair(t)
		head := []byte("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n")
		done := make(chan []byte)
		go func() {
			got, _ := io.ReadAll(io.LimitReader(client, int64(len(head)+n)))
			done <- got
		}()
		server.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := newFileSender(server).send(head, f, n); err != nil {
			t.Fatalf("%d bytes: send: %v", n, err)
		}
		if got := <-done; !bytes.Equal(got, append(head, body...)) {
			t.Errorf("%d bytes: the client read %d bytes that differ", n, len(got))
		}
		f.Close()
	}
}

// TestSendFileDeadline: a client that reads nothing does not hold the
// sender past the write deadline.
func TestSendFileDeadline(t *testing.T) {
	body := randomBytes(32 << 20) // more than any socket buffer
	f := newBodyFile(body)
	defer f.Close()
	server, _ := tcpPair(t)
	server.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	if err := newFileSender(server).send([]byte("head"), f, len(body)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("send = %v; want the deadline's error", err)
	}
}

// TestSendFileNotSocket: a connection that is not a socket gets no
// fileSender, for the caller to write from memory.
func TestSendFileNotSocket(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if s := newFileSender(a); s != nil {
		t.Error("a fileSender for a pipe")
	}
}

// TestFastPathSendsFiles: bodies of fileMin bytes or more that the
// fast path serves have a file copy, counted twice in the cache, and the
// answers sent from it are net/http's.
func TestFastPathSendsFiles(t *testing.T) {
	s := newServer(t)
	fast, plain, _ := serveBoth(t, s)
	for _, raw := range []string{
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n",
		"GET /calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /xmltv.xml.gz HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		got, gotBody, _, _ := exchange(t, fast, raw)
		want, wantBody, _, _ := exchange(t, plain, raw)
		sameResponse(t, raw, got, want, gotBody, wantBody)
	}
	files, bytes := 0, int64(0)
	s.cache.mu.RLock()
	for k, e := range s.cache.m {
		if e.feed == nil {
			continue
		}
		bytes += e.size
		switch n := len(e.feed.body); {
		case e.feed.file != nil:
			files++
			if e.size != 2*int64(n) {
				t.Errorf("%s: size %d for a body of %d with its file", k.file.Path, e.size, n)
			}
		case n >= fileMin:
			t.Errorf("%s: %d bytes and no file", k.file.Path, n)
		}
	}
	s.cache.mu.RUnlock()
	if files < 3 || s.cache.openFiles.Load() > maxFiles {
		t.Errorf("%d bodies with files, %d open; want at least 3 and at most %d", files, s.cache.openFiles.Load(), maxFiles)
	}
	if bytes != s.cache.bytes {
		t.Errorf("entries add up to %d bytes, the cache counts %d", bytes, s.cache.bytes)
	}
}
