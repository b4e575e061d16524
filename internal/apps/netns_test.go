//go:build linux

package apps

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// lifetime bounds a check in a namespace: "timeout" kills every process
// the namespace runs this long after the namespace was made, even if the
// test binary itself is killed before its cleanup runs, so a check stops
// by itself within it.
const lifetime = 2 * time.Minute

// netns is a network namespace of the test's own, which no process of
// the machine's network can reach: Kodi's web server binds every
// interface and has no setting to bind fewer, so it runs in here, with
// the feed servers it reads from and the test's HTTP client.
//
// Kodi starts its web server only when it sees a network interface that
// is up besides loopback, so the namespace also holds a veth pair, both
// ends inside it, with an address on one.
type netns struct {
	path   string    // /proc/PID/ns/net of the process holding it open
	end    time.Time // when lifetime is up
	client *http.Client
}

// newNetns makes a namespace that lasts until the test ends. It needs
// root (unshare, nsenter, ip); a missing tool skips the test, or fails
// it in CI.
func newNetns(t *testing.T) *netns {
	t.Helper()
	unshare := testkit.Tool(t, "unshare")
	testkit.Tool(t, "nsenter")
	testkit.Tool(t, "ip")
	timeout := testkit.Tool(t, "timeout")
	if os.Geteuid() != 0 {
		testkit.Missing(t, "root (to make a network namespace)", fmt.Errorf("running as uid %d", os.Geteuid()))
	}
	// The holder sets the namespace up, says so, and waits for its
	// standard input to close: when the test ends, or when the test
	// binary dies.
	setup := "set -e; ip link set lo up; ip link add bs0 type veth peer name bs1; " +
		"ip addr add 10.254.0.1/24 dev bs0; ip link set bs0 up; ip link set bs1 up; echo ready; exec cat >/dev/null"
	end := time.Now().Add(lifetime)
	cmd := exec.Command(timeout, "-s", "KILL", strconv.Itoa(int(lifetime/time.Second)), unshare, "--net", "--", "sh", "-c", setup)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr testkit.SyncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("the network namespace was not made (%v): %s", err, stderr.String())
	}
	// timeout runs unshare as its child, and unshare execs sh, which
	// execs cat: the child holds the namespace.
	child, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(string(trimSpace(child)))
	if err != nil {
		t.Fatalf("the namespace's holder: %q: %v", child, err)
	}
	n := &netns{path: fmt.Sprintf("/proc/%d/ns/net", pid), end: end}
	n.client = &http.Client{Transport: &http.Transport{DialContext: n.dialer(t)}, Timeout: 30 * time.Second}
	return n
}

// trimSpace returns b without the white space around it.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// command returns a command that runs name in the namespace, killed
// when the namespace's lifetime is up at the latest.
func (n *netns) command(name string, args ...string) *exec.Cmd {
	left := max(int(time.Until(n.end)/time.Second), 1)
	return exec.Command("nsenter", append([]string{"--net=" + n.path, "--",
		"timeout", "-s", "KILL", strconv.Itoa(left), name}, args...)...)
}

// dialRequest is one connection the dialer's thread is asked to open.
type dialRequest struct {
	ctx           context.Context
	network, addr string
	reply         chan dialResult
}

type dialResult struct {
	conn net.Conn
	err  error
}

// dialer returns a DialContext that opens connections inside the
// namespace. A socket belongs to the namespace of the thread that made
// it, so one goroutine, locked to its own thread, moves that thread into
// the namespace and makes every socket; the connections it returns work
// from any goroutine. The thread ends with the test (a locked goroutine
// that returns takes its thread with it), and no other goroutine ever
// runs on it.
func (n *netns) dialer(t *testing.T) func(ctx context.Context, network, addr string) (net.Conn, error) {
	t.Helper()
	requests := make(chan dialRequest)
	ready := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: see above
		f, err := os.Open(n.path)
		if err == nil {
			err = setns(f.Fd(), syscall.CLONE_NEWNET)
			f.Close()
		}
		ready <- err
		if err != nil {
			return
		}
		for {
			select {
			case r := <-requests:
				var d net.Dialer
				// Only IP literals are dialled, so there is no
				// resolver and no second goroutine racing to connect:
				// the socket is made on this thread.
				c, err := d.DialContext(r.ctx, r.network, r.addr)
				r.reply <- dialResult{c, err}
			case <-done:
				return
			}
		}
	}()
	if err := <-ready; err != nil {
		t.Fatalf("entering the network namespace: %v", err)
	}
	t.Cleanup(func() { close(done) })
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if net.ParseIP(host) == nil {
			return nil, fmt.Errorf("dial %s: only IP addresses are dialled in the namespace", addr)
		}
		r := dialRequest{ctx, network, addr, make(chan dialResult, 1)}
		select {
		case requests <- r:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-done:
			return nil, syscall.ECONNREFUSED
		}
		res := <-r.reply
		return res.conn, res.err
	}
}

// setns moves the calling thread into the namespace of the open file fd,
// of the kind nstype: setns(2), which the syscall package has neither a
// function nor, frozen before it, a number for.
func setns(fd uintptr, nstype int) error {
	nr, ok := map[string]uintptr{"amd64": 308, "arm64": 268}[runtime.GOARCH]
	if !ok {
		return fmt.Errorf("setns: no system call number known for %s", runtime.GOARCH)
	}
	if _, _, errno := syscall.Syscall(nr, fd, uintptr(nstype), 0); errno != 0 {
		return errno
	}
	return nil
}
