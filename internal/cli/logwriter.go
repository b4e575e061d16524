package cli

import (
	"io"
	"sync"
	"time"
)

// logWriter buffers the access log and writes it out every interval, and
// when the buffer fills, rather than with one write(2) for each request:
// under load that write costs a feed server more than its answer. The
// writing happens outside the lock, from a second buffer, so requests
// logging meanwhile do not wait for the disk. A line waits at most
// interval; Close writes what is left.
type logWriter struct {
	mu    sync.Mutex
	buf   []byte
	spare []byte

	wmu  sync.Mutex // held while writing out; orders the writes
	w    io.Writer
	stop chan struct{}
	done chan struct{}
}

// logBufferSize is how much the log gathers before it is written out
// without waiting for the timer.
const logBufferSize = 64 << 10

func newLogWriter(w io.Writer, interval time.Duration) *logWriter {
	l := &logWriter{w: w, buf: make([]byte, 0, logBufferSize), spare: make([]byte, 0, logBufferSize),
		stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.flush()
			case <-l.stop:
				return
			}
		}
	}()
	return l
}

// Write adds p to the buffer, writing the buffer out first when p would
// not fit.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	full := len(l.buf)+len(p) > cap(l.buf) && len(l.buf) > 0
	l.mu.Unlock()
	if full {
		l.flush()
	}
	l.mu.Lock()
	l.buf = append(l.buf, p...)
	l.mu.Unlock()
	return len(p), nil
}

// flush writes out what is buffered.
func (l *logWriter) flush() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.Lock()
	out := l.buf
	l.buf, l.spare = l.spare[:0], nil
	l.mu.Unlock()
	var err error
	if len(out) > 0 {
		_, err = l.w.Write(out)
	}
	l.mu.Lock()
	l.spare = out[:0]
	l.mu.Unlock()
	return err
}

// Close stops the timer and writes out what is buffered.
func (l *logWriter) Close() error {
	close(l.stop)
	<-l.done
	return l.flush()
}
