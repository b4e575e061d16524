package publish_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// TestSpeedAgainstNginx compares "backstage serve" with nginx serving the
// same bytes: it publishes the default schedule, starts nginx with the
// README's snippet on the folder and serve on the same schedule, and runs
// wrk against both in turn for each request, printing the rates, the 99th
// percentiles and serve's share of nginx's. It is opt-in, loopback only,
// and stops by itself (about 2 × 4 × BACKSTAGE_SPEED_SECONDS, 5 by
// default, per round):
//
//	BACKSTAGE_SPEED=1 go test -run TestSpeedAgainstNginx -v ./internal/publish/
//
// BACKSTAGE_SPEED_ROUNDS (default 1) repeats the whole comparison. Like
// every test here it asserts no timing; it says which targets (0.9 of
// nginx's rate, at most 1.5 × its p99) were missed.
func TestSpeedAgainstNginx(t *testing.T) {
	if os.Getenv("BACKSTAGE_SPEED") != "1" {
		t.Skip("set BACKSTAGE_SPEED=1 to compare serve with nginx under wrk")
	}
	wrk := testkit.Tool(t, "wrk")
	secs := envInt(t, "BACKSTAGE_SPEED_SECONDS", 5, 1, 60)
	rounds := envInt(t, "BACKSTAGE_SPEED_ROUNDS", 1, 1, 10)
	bin := testkit.Binary(t)

	dir := t.TempDir()
	os.Chmod(dir, 0o755) // nginx's workers may run as another user
	site := filepath.Join(dir, "site")
	if out, err := exec.Command(bin, "publish", site, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}

	// nginx as the README has it, with Debian's own nginx.conf less what
	// does not concern static files: a worker per core, sendfile, and an
	// access log, as serve keeps one.
	prefix := filepath.Join(dir, "nginx")
	nginxBase := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	startHost(t, testkit.Nginx{
		Listen: strings.TrimPrefix(nginxBase, "http://"), Root: site, Dir: prefix,
		Main: "worker_processes auto;", Events: "worker_connections 768;",
		HTTP: "access_log " + prefix + "/access.log;\nsendfile on;\ntcp_nopush on;",
	}.Command(t), nginxBase)

	// serve, timed from its start to the first byte it serves.
	serveBase, firstByte, firstGuide := startServe(t, bin)
	t.Logf("serve: first byte %.1f ms after start; first request of the full guide %.1f ms", ms(firstByte), ms(firstGuide))

	etag := func(base, path string) string {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.Header.Get("ETag")
	}
	cases := []struct {
		name, path string
		header     func(base string) string
	}{
		{"304 /calendar.ics (If-None-Match)", "/calendar.ics", func(base string) string { return "If-None-Match: " + etag(base, "/calendar.ics") }},
		{"/calendar.ics, gzip", "/calendar.ics", func(string) string { return "Accept-Encoding: gzip" }},
		{"/xmltv.xml.gz", "/xmltv.xml.gz", func(string) string { return "" }},
		{"/calendar.ics whole (1.7 MB)", "/calendar.ics", func(string) string { return "" }},
	}
	measure := func(base, path, header string) (float64, time.Duration) {
		args := []string{"-t2", "-c32", fmt.Sprintf("-d%ds", secs), "--latency", "--timeout", "5s"}
		if header != "" {
			args = append(args, "-H", header)
		}
		out, err := exec.Command(wrk, append(args, base+path)...).CombinedOutput()
		if err != nil {
			t.Fatalf("wrk: %v\n%s", err, out)
		}
		rate, p99, errs := parseWrk(t, string(out))
		if errs != "" {
			t.Errorf("%s%s: %s", base, path, errs)
		}
		return rate, p99
	}
	for round := 1; round <= rounds; round++ {
		t.Logf("round %d: %-36s %12s %10s %12s %10s %7s %6s", round, "request", "serve req/s", "p99", "nginx req/s", "p99", "ratio", "p99×")
		for _, c := range cases {
			nRate, nP99 := measure(nginxBase, c.path, c.header(nginxBase))
			sRate, sP99 := measure(serveBase, c.path, c.header(serveBase))
			ratio, p99x := sRate/nRate, float64(sP99)/float64(nP99)
			verdict := ""
			if ratio < 0.9 || p99x > 1.5 {
				verdict = "  (missed: want ratio ≥ 0.9, p99 ≤ 1.5×)"
			}
			t.Logf("round %d: %-36s %12.0f %9.2fms %12.0f %9.2fms %7.2f %6.2f%s", round, c.name, sRate, ms(sP99), nRate, ms(nP99), ratio, p99x, verdict)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func envInt(t *testing.T, name string, def, lo, hi int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		t.Fatalf("%s=%q: want %d to %d", name, v, lo, hi)
	}
	return n
}

var listening = regexp.MustCompile(`^Listening on (http://127\.0\.0\.1:\d+)/$`)

// startServe starts "backstage serve" on a free port and returns
// its address, the time from the start to the first byte of the first
// answer (polling as fast as it can), and the time the first request of
// the full gzipped guide took after that.
func startServe(t *testing.T, bin string) (base string, firstByte, firstGuide time.Duration) {
	t.Helper()
	start := time.Now()
	// The access log goes to a file, as nginx's does.
	logs, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logs.Close() })
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Stderr = logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	m := listening.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		t.Fatalf("serve printed %q", line)
	}
	base = m[1]
	go io.Copy(io.Discard, out)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			firstByte = time.Since(start)
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal(err)
		}
	}
	t0 := time.Now()
	resp, err := http.Get(base + "/xmltv.xml.gz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return base, firstByte, time.Since(t0)
}

var (
	wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99  = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)\b`)
	wrkErrs = regexp.MustCompile(`(Non-2xx or 3xx responses: \d+|Socket errors: [^\n]+)`)
)

// parseWrk reads the request rate, the 99th percentile latency and any
// error lines from wrk's output.
func parseWrk(t *testing.T, out string) (rate float64, p99 time.Duration, errs string) {
	t.Helper()
	m := wrkRate.FindStringSubmatch(out)
	l := wrkP99.FindStringSubmatch(out)
	if m == nil || l == nil {
		t.Fatalf("cannot read wrk's output:\n%s", out)
	}
	rate, _ = strconv.ParseFloat(m[1], 64)
	v, _ := strconv.ParseFloat(l[1], 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[l[2]]
	p99 = time.Duration(v * float64(unit))
	for _, e := range wrkErrs.FindAllString(out, -1) {
		errs += "  " + strings.TrimSpace(e)
	}
	return rate, p99, errs
}
