package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/publish"
	"github.com/backstage-epg/backstage/internal/testkit"
)

// BenchmarkServeVsMinimal measures, with wrk on loopback, what serving
// through Server costs beside the least net/http can do with the same
// cached bytes: for each of the requests a feed server lives on, it runs
// wrk in turn against
//
//   - serve: Server.Serve, with its access log formatted (and dropped),
//   - minimal: an http.Server with the same timeouts whose handler looks
//     the path up in a map and writes what serve sent, headers and body,
//     or its 304 for a matching If-None-Match,
//   - nginx, when it is installed: the site published into a folder and
//     served with the README's snippet, for the record,
//
// three rounds of BACKSTAGE_WRK_SECONDS (default 2) each, and reports
// each one's median rate and serve's share of minimal's. It is a
// benchmark, run only when asked for:
//
//	go test -run '^$' -bench ServeVsMinimal ./internal/server
//
// A Go benchmark rather than a script, so that the minimal handler is
// given the very bytes serve renders, and nginx the very files publish
// writes from the same site.
func BenchmarkServeVsMinimal(b *testing.B) {
	wrk := testkit.Tool(b, "wrk")
	secs := 2
	if v := os.Getenv("BACKSTAGE_WRK_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 60 {
			b.Fatalf("BACKSTAGE_WRK_SECONDS=%q: want 1 to 60", v)
		}
		secs = n
	}
	const rounds = 3

	s := newServer(b, func(s *Server) { s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) })
	serve := "http://" + serveOn(b, s)

	// The minimal handler, with the bytes serve sends.
	files := map[string]minimalFile{}
	for _, path := range []string{"/calendar.ics", "/xmltv.xml.gz"} {
		for _, gz := range []bool{false, true} {
			resp, body := fetch(b, serve+path, gz, "")
			hdr := resp.Header.Clone()
			delete(hdr, "Date")
			notModified, _ := fetch(b, serve+path, gz, "If-None-Match: "+hdr.Get("Etag"))
			h304 := notModified.Header.Clone()
			delete(h304, "Date")
			files[minimalKey(path, gz)] = minimalFile{body, hdr.Get("Etag"), hdr, h304}
		}
	}
	hs := s.HTTPServer()
	hs.Handler = minimalHandler(files)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go hs.Serve(ln)
	b.Cleanup(func() { hs.Close() })
	quiet := "http://" + serveOn(b, newServer(b))
	hosts := []struct{ name, base string }{{"minimal", "http://" + ln.Addr().String()}, {"serve", serve}, {"serve-quiet", quiet}}
	if base, ok := startNginx(b, s); ok {
		hosts = append(hosts, struct{ name, base string }{"nginx", base})
	}

	for _, c := range []struct {
		name, path string
		header     func(base string) string
	}{
		{"304 calendar.ics", "/calendar.ics", func(base string) string {
			resp, _ := fetch(b, base+"/calendar.ics", false, "")
			return "If-None-Match: " + resp.Header.Get("Etag")
		}},
		{"calendar.ics gzip", "/calendar.ics", func(string) string { return "Accept-Encoding: gzip" }},
		{"xmltv.xml.gz", "/xmltv.xml.gz", func(string) string { return "" }},
		{"calendar.ics", "/calendar.ics", func(string) string { return "" }},
	} {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			rates := make([][]float64, len(hosts))
			p99s := make([][]float64, len(hosts))
			cpus := make([][]float64, len(hosts))
			for b.Loop() {
				for round := range rounds {
					// Each round in another order, so that a load that
					// comes and goes on the machine falls on each in turn.
					for j := range hosts {
						i := (j + round) % len(hosts)
						header := c.header(hosts[i].base)
						cpu := processCPU(b)
						rate, p99, n := runWrk(b, wrk, secs, hosts[i].base+c.path, header)
						rates[i] = append(rates[i], rate)
						p99s[i] = append(p99s[i], p99)
						cpus[i] = append(cpus[i], float64(processCPU(b)-cpu)/float64(time.Microsecond)/float64(n))
					}
				}
			}
			for i, h := range hosts {
				b.ReportMetric(median(rates[i]), h.name+"-req/s")
				b.ReportMetric(median(p99s[i]), h.name+"-p99-ms")
				if h.name != "nginx" {
					b.ReportMetric(median(cpus[i]), h.name+"-cpu-us/req")
				}
			}
			b.ReportMetric(median(rates[1])/median(rates[0]), "serve/minimal")
			b.ReportMetric(median(rates[2])/median(rates[0]), "quiet/minimal")
		})
	}
}

// minimalFile is what the minimal handler sends for a path: the body and
// the headers serve sends with it, and those of its 304.
type minimalFile struct {
	body         []byte
	etag         string
	header, h304 http.Header
}

func minimalKey(path string, gz bool) string { return path + "|" + strconv.FormatBool(gz) }

// minimalHandler answers from files with the least a handler can do to
// send what serve sends: no routing, no conditions but If-None-Match, no
// ranges, no log.
func minimalHandler(files map[string]minimalFile) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[minimalKey(r.URL.Path, strings.Contains(r.Header.Get("Accept-Encoding"), "gzip"))]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		if r.Header.Get("If-None-Match") == f.etag {
			for k, v := range f.h304 {
				h[k] = v
			}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		for k, v := range f.header {
			h[k] = v
		}
		w.Write(f.body)
	})
}

// fetch gets url, gzipped or not, with one more header line, and returns
// the response (a 200 or a 304) and its body as sent.
func fetch(b testing.TB, url string, gz bool, header string) (*http.Response, []byte) {
	b.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", "identity")
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	if k, v, ok := strings.Cut(header, ": "); ok {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 && resp.StatusCode != 304 {
		b.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
	}
	return resp, body
}

// startNginx publishes s's site into a folder and serves it with nginx,
// configured with the README's snippet, as Debian's nginx.conf would (a
// worker per core, sendfile, an access log), until the benchmark ends.
// It reports false when nginx is not installed.
func startNginx(b *testing.B, s *Server) (string, bool) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		b.Logf("nginx not installed, left out: %v", err)
		return "", false
	}
	v, err := s.current()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	os.Chmod(dir, 0o755) // nginx's workers may run as another user
	root := filepath.Join(dir, "site")
	if _, err := publish.Publish(context.Background(), v.site, root, publish.Options{}); err != nil {
		b.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```nginx\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		b.Fatal("the README has no nginx block")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	snippet := strings.Replace(string(m[1]), "listen 8080;", "listen "+addr+";", 1)
	snippet = strings.Replace(snippet, "/srv/backstage", root, 1)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n"
	}
	conf := fmt.Sprintf("%sdaemon off;\nworker_processes auto;\nerror_log %[2]s/error.log;\npid %[2]s/nginx.pid;\nevents { worker_connections 768; }\nhttp {\naccess_log %[2]s/access.log;\nsendfile on;\ntcp_nopush on;\nclient_body_temp_path %[2]s/tmp;\n%[3]s\n}\n",
		user, dir, snippet)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(nginx, "-e", filepath.Join(dir, "error.log"), "-p", dir, "-c", confPath)
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its workers go with it
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	base := "http://" + addr
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			return base, true
		}
		if time.Now().After(deadline) {
			b.Fatalf("nginx did not answer: %v\n%s", err, logs.String())
		}
	}
}

// processCPU returns the CPU time this process has used, in user and
// kernel mode. The servers but nginx run in it, one at a time under wrk,
// so what it uses during a run over the requests wrk made is what a
// request costs the server: a figure that other work on the machine
// sways far less than the rate.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var (
	wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkN    = regexp.MustCompile(`(\d+) requests in`)
	wrkP99  = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)\b`)
	wrkErrs = regexp.MustCompile(`(Non-2xx or 3xx responses: \d+|Socket errors: [^\n]+)`)
)

// runWrk runs wrk on url with two threads and 32 connections for secs
// seconds and returns the request rate, the 99th percentile latency in
// milliseconds and the number of requests. Errors and non-2xx/3xx
// answers fail the benchmark.
func runWrk(b *testing.B, wrk string, secs int, url, header string) (rate, p99 float64, n int) {
	b.Helper()
	args := []string{"-t2", "-c32", fmt.Sprintf("-d%ds", secs), "--latency", "--timeout", "5s"}
	if header != "" {
		args = append(args, "-H", header)
	}
	out, err := exec.Command(wrk, append(args, url)...).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	m, l, c := wrkRate.FindSubmatch(out), wrkP99.FindSubmatch(out), wrkN.FindSubmatch(out)
	if m == nil || l == nil || c == nil {
		b.Fatalf("cannot read wrk's output:\n%s", out)
	}
	if e := wrkErrs.Find(out); e != nil {
		b.Errorf("%s: %s", url, e)
	}
	rate, _ = strconv.ParseFloat(string(m[1]), 64)
	p99, _ = strconv.ParseFloat(string(l[1]), 64)
	p99 *= map[string]float64{"us": 1e-3, "ms": 1, "s": 1e3}[string(l[2])]
	n, _ = strconv.Atoi(string(c[1]))
	return rate, p99, max(n, 1)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Sorted(slices.Values(xs))
	return xs[len(xs)/2]
}
