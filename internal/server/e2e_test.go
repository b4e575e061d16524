package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// buildBinary builds cmd/backstage, once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("stops the server with SIGINT")
	}
	return testkit.Command(t, "backstage")
}

var listening = regexp.MustCompile(`^Listening on (http://127\.0\.0\.1:\d+)/$`)

// startServe runs "backstage serve --addr 127.0.0.1:0" with args and
// returns the base URL it prints, all it prints (so far and to come) and
// the process, to stop.
func startServe(t *testing.T, bin string, stderr io.Writer, args ...string) (base string, stdout *syncBuffer, proc *serveProcess) {
	t.Helper()
	return startCommand(t, append([]string{bin, "serve", "--addr", "127.0.0.1:0"}, args...), stderr)
}

// startCommand is startServe for a command line of its own, such as
// serve run by a program that starts it with limits.
func startCommand(t *testing.T, argv []string, stderr io.Writer) (base string, stdout *syncBuffer, proc *serveProcess) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	stdout = new(syncBuffer)
	found := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			stdout.Write([]byte(sc.Text() + "\n"))
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		done <- cmd.Wait()
	}()
	select {
	case base = <-found:
	case err := <-done:
		t.Fatalf("serve exited before listening: %v; printed %q", err, stdout.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve printed no address within 30 s")
	}
	return base, stdout, &serveProcess{cmd: cmd, done: done}
}

// serveProcess is a running "backstage serve".
type serveProcess struct {
	cmd  *exec.Cmd
	done chan error
}

// Pid returns the process's id.
func (p *serveProcess) Pid() int { return p.cmd.Process.Pid }

// Stop interrupts the process and returns its exit error.
func (p *serveProcess) Stop() error {
	p.cmd.Process.Signal(os.Interrupt)
	return p.Wait(15 * time.Second)
}

// Wait returns the process's exit error once it exits, killing it if it
// has not within d.
func (p *serveProcess) Wait(d time.Duration) error {
	select {
	case err := <-p.done:
		return err
	case <-time.After(d):
		p.cmd.Process.Kill()
		return fmt.Errorf("serve did not exit within %v", d)
	}
}

// TestBinary runs the real program on port 0, fetches a few URLs and
// stops it with SIGINT.
func TestBinary(t *testing.T) {
	bin := buildBinary(t)
	var logs syncBuffer
	base, _, serve := startServe(t, bin, &logs, "--stream-url", "http://tv.local/1.ts")
	for _, c := range []struct {
		path   string
		header []string
		status int
		want   string
	}{
		{"/healthz", nil, 200, "ok"},
		{"/?date=2003-06-16", nil, 200, "Episode 816"},
		{"/calendar.ics?year=2003", nil, 200, "BEGIN:VCALENDAR"},
		{"/xmltv.xml.gz", nil, 200, "\x1f\x8b"},
		{"/api/v1/aired?date=2003-06-16", nil, 200, `"episode":816`},
		{"/channels.m3u", nil, 200, "http://tv.local/1.ts"},
		{"/api/v1/slots?from=2003-01-01&to=2005-01-01", nil, 400, "want at most 366"},
		{"/nope", nil, 404, "there is no page at"},
		{"/api/v1/nope", nil, 404, "no such path"},
	} {
		req, _ := http.NewRequest("GET", base+c.path, nil)
		// Go's transport asks for gzip and unpacks it itself unless the
		// request sets Accept-Encoding, so the page arrives plain here.
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(body), c.want) {
			t.Errorf("GET %s: got %d %.200q, want %d and %q", c.path, resp.StatusCode, body, c.status, c.want)
		}
	}
	if err := serve.Stop(); err != nil {
		t.Errorf("serve after SIGINT: %v, want exit 0", err)
	}
	if !strings.Contains(logs.String(), "msg=request method=GET path=/healthz status=200") {
		t.Errorf("access log lacks the first request:\n%s", logs.String())
	}
}

// TestBinaryPrints checks what serve tells the user to paste where.
func TestBinaryPrints(t *testing.T) {
	bin := buildBinary(t)
	_, stdout, serve := startServe(t, bin, io.Discard, "--public-url", "https://tv.example.org/b/", "--quiet")
	if err := serve.Stop(); err != nil {
		t.Errorf("serve after SIGINT: %v", err)
	}
	for _, w := range []string{
		"  Web page                      https://tv.example.org/b/\n",
		"  Calendar, the full history    webcal://tv.example.org/b/calendar.ics\n",
		"  Calendar for Google           https://tv.example.org/b/calendar.ics?compact=1\n",
		"  XMLTV guide                   https://tv.example.org/b/xmltv.xml.gz\n",
		"(start with --stream-url URL for one)",
		"Press Ctrl-C to stop.",
	} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("serve printed\n%s\nwant it to contain %q", stdout.String(), w)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestShutdownLetsDownloadsFinish starts a slow download of the whole
// guide, stops the server with SIGTERM in the middle of it, and checks
// that the download completes and the server then exits 0.
func TestShutdownLetsDownloadsFinish(t *testing.T) {
	base, _, serve := startServe(t, buildBinary(t), io.Discard, "--quiet", "--shutdown-timeout", "20s")
	resp := startDownload(t, base+"/xmltv.xml")
	want, _ := strconv.Atoi(resp.Header.Get("Content-Length"))
	buf := make([]byte, 64<<10)
	got, _ := io.ReadFull(resp.Body, buf)
	if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Read the rest slowly: most of the 6 MB is still to come when the
	// server is told to stop.
	time.Sleep(300 * time.Millisecond)
	for {
		time.Sleep(5 * time.Millisecond)
		n, err := resp.Body.Read(buf)
		got += n
		if err != nil {
			break
		}
	}
	if got != want {
		t.Errorf("the download got %d of %d bytes", got, want)
	}
	if err := serve.Wait(20 * time.Second); err != nil {
		t.Errorf("serve after SIGTERM and a finished download: %v, want exit 0", err)
	}
}

// startDownload asks for url uncompressed, on a connection of its own,
// and returns the answer for the test to read, which the test closes.
func startDownload(t *testing.T, url string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestShutdownCutShort: a download still going when --shutdown-timeout
// runs out is cut off, and serve, stopped before it could finish
// cleanly, exits as any command a signal stops does: 143 for SIGTERM,
// saying so in one line.
func TestShutdownCutShort(t *testing.T) {
	var stderr syncBuffer
	base, _, serve := startServe(t, buildBinary(t), &stderr, "--quiet", "--shutdown-timeout", "200ms")
	resp := startDownload(t, base+"/xmltv.xml")
	io.ReadFull(resp.Body, make([]byte, 64<<10)) // and no more: the rest waits
	if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := serve.Wait(20 * time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Errorf("serve after SIGTERM and a download cut short: %v, want exit 143", err)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "backstage: stopped by SIGTERM: ") || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr %q, want one line: stopped by SIGTERM", got)
	}
}

// TestServeOutlivesDescriptorExhaustion runs serve allowed 64 file
// descriptors and opens 150 idle connections to it: accepting fails with
// "too many open files", and serve, rather than exit, keeps answering on
// the connections it has, waits, and once the idle ones are gone accepts
// and answers new ones.
func TestServeOutlivesDescriptorExhaustion(t *testing.T) {
	prlimit := testkit.Tool(t, "prlimit")
	var logs syncBuffer
	base, _, serve := startCommand(t, []string{prlimit, "--nofile=64:64", buildBinary(t), "serve", "--addr", "127.0.0.1:0"}, &logs)
	addr := strings.TrimPrefix(base, "http://")
	get := func(c net.Conn, r *bufio.Reader, path string) int {
		t.Helper()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// A client served before the descriptors run out.
	first := dial()
	defer first.Close()
	firstR := bufio.NewReader(first)
	if code := get(first, firstR, "/healthz"); code != 200 {
		t.Fatalf("before: /healthz %d", code)
	}
	idle := make([]net.Conn, 150)
	for i := range idle {
		idle[i] = dial() // the kernel completes the handshake, accepted or not
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "too many open files"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve never ran out of descriptors; its log:\n%s", logs.String())
		}
	}
	if code := get(first, firstR, "/calendar/2003.ics"); code != 200 {
		t.Errorf("out of descriptors: /calendar/2003.ics on a connection served before: %d, want 200", code)
	}
	select {
	case err := <-serve.done:
		t.Fatalf("serve exited out of descriptors: %v; its log:\n%s", err, logs.String())
	default:
	}
	for _, c := range idle {
		c.Close()
	}
	// New clients are answered again once the idle connections are gone
	// (accepted, found closed and dropped).
	c := dial()
	defer c.Close()
	if code := get(c, bufio.NewReader(c), "/healthz"); code != 200 {
		t.Errorf("after: /healthz on a new connection: %d, want 200", code)
	}
	if err := serve.Stop(); err != nil {
		t.Errorf("serve after SIGINT: %v, want exit 0", err)
	}
}
