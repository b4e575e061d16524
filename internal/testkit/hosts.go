package testkit

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// READMEBlock returns the README's first code block in language lang
// (the word after its opening fence, such as "nginx"): the snippet users
// copy, so that a test can run it as printed. The README is found in the
// module's root, the nearest folder above the test's that holds go.mod.
func READMEBlock(t testing.TB, lang string) string {
	t.Helper()
	dir, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```" + regexp.QuoteMeta(lang) + "\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatalf("the README has no %s block", lang)
	}
	return string(m[1])
}

// Nginx is nginx serving a folder with the README's nginx snippet, as a
// user would run it.
type Nginx struct {
	Listen string // what the snippet's "listen 8080;" becomes, such as "127.0.0.1:8080"
	Root   string // the folder served, in place of the snippet's /srv/backstage
	Dir    string // where its configuration, pid file, logs and temporary files go

	// Main, Events and HTTP are directives added to the configuration's
	// main, events and http blocks, such as "worker_processes auto;" or
	// an access_log (the default is one worker and no access log).
	Main, Events, HTTP string
}

// Command writes the configuration into n.Dir and returns the command
// that runs nginx with it in the foreground. As root, the workers run as
// root too, so that they can read the test's temporary folders.
func (n Nginx) Command(t testing.TB) *exec.Cmd {
	t.Helper()
	bin := Tool(t, "nginx")
	snippet := READMEBlock(t, "nginx")
	snippet = strings.Replace(snippet, "listen 8080;", "listen "+n.Listen+";", 1)
	snippet = strings.Replace(snippet, "/srv/backstage", n.Root, 1)
	if err := os.MkdirAll(filepath.Join(n.Dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	main := n.Main
	if main == "" {
		main = "worker_processes 1;"
	}
	if os.Geteuid() == 0 {
		main = "user root;\n" + main
	}
	httpBlock := n.HTTP
	if !strings.Contains(httpBlock, "access_log") {
		httpBlock = "access_log off;\n" + httpBlock
	}
	conf := fmt.Sprintf("%s\ndaemon off;\nerror_log %s/error.log;\npid %s/nginx.pid;\nevents {\n%s\n}\nhttp {\n%s\nclient_body_temp_path %s/tmp;\n%s\n}\n",
		main, n.Dir, n.Dir, n.Events, httpBlock, n.Dir, snippet)
	path := filepath.Join(n.Dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return exec.Command(bin, "-e", filepath.Join(n.Dir, "error.log"), "-p", n.Dir, "-c", path)
}

// Start runs cmd until the test ends and waits, up to 15 s, until ready
// returns nil. The command runs in a process group of its own, which the
// test's cleanup kills, so that children such as nginx's workers go with
// it. Its output goes to logs, which the failure message shows. The
// channel it returns is closed when the command exits.
func Start(t testing.TB, cmd *exec.Cmd, logs *SyncBuffer, ready func() error) <-chan struct{} {
	t.Helper()
	cmd.Stdout, cmd.Stderr = logs, logs
	inGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		signalGroup(cmd, syscall.SIGKILL)
		<-exited
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := ready()
		if err == nil {
			return exited
		}
		select {
		case <-exited:
			t.Fatalf("%s exited: %v\n%s", cmd, cmd.ProcessState, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not ready within 15 s: %v\n%s", cmd, err, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// listening is the line "backstage serve" prints once it listens.
var listening = regexp.MustCompile(`^Listening on (http://[0-9.]+:\d+)/$`)

// StartServe runs cmd, a "backstage serve" command line, until the test
// ends or Stop is called, and returns the base URL it prints once it
// listens. Its access log and errors go to stderr.
func StartServe(t testing.TB, cmd *exec.Cmd, stderr io.Writer) (base string, stop func()) {
	t.Helper()
	cmd.Stderr = stderr
	inGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	exited := make(chan struct{})
	var printed SyncBuffer
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			printed.Write([]byte(sc.Text() + "\n"))
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		cmd.Wait()
		close(exited)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			signalGroup(cmd, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				signalGroup(cmd, syscall.SIGKILL)
				<-exited
			}
		})
	}
	t.Cleanup(stop)
	select {
	case base = <-found:
	case <-exited:
		t.Fatalf("%s exited before listening: %v\n%s", cmd, cmd.ProcessState, printed.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s printed no address within 30 s:\n%s", cmd, printed.String())
	}
	return base, stop
}

// SyncBuffer is a bytes buffer that the goroutines copying a command's
// output and the test may use at once.
type SyncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

// Write appends p.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// String returns what was written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
