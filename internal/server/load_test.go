package server

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLoad measures the real server under a real load generator, wrk, on
// loopback: 304s for the calendar, stored-gzip guides, the aired API, and
// the first request of feeds nobody asked for yet. It is opt-in
// (BACKSTAGE_LOADTEST=1; each wrk run lasts 5 s, BACKSTAGE_LOADTEST_SECONDS
// to change it) and reports its numbers with -v; like every test here it
// asserts no timings, but says which targets were missed.
//
//	BACKSTAGE_LOADTEST=1 go test -run TestLoad -v ./internal/server/
func TestLoad(t *testing.T) {
	if os.Getenv("BACKSTAGE_LOADTEST") != "1" {
		t.Skip("set BACKSTAGE_LOADTEST=1 to run the wrk load test")
	}
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		t.Skipf("wrk not installed: %v", err)
	}
	secs := 5
	if s := os.Getenv("BACKSTAGE_LOADTEST_SECONDS"); s != "" {
		if secs, err = strconv.Atoi(s); err != nil || secs < 1 || secs > 60 {
			t.Fatalf("BACKSTAGE_LOADTEST_SECONDS=%q: want 1 to 60", s)
		}
	}
	bin := buildBinary(t)
	for _, mode := range []struct {
		name string
		args []string
	}{
		{"access log to /dev/null", nil},
		{"--quiet", []string{"--quiet"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer devnull.Close()
			base, _, serve := startServe(t, bin, devnull, mode.args...)
			defer func() {
				if err := serve.Stop(); err != nil {
					t.Error(err)
				}
			}()

			// The first request of new variants, one at a time, before any load.
			for _, path := range []string{"/calendar.ics?year=2005", "/calendar.ics", "/calendar.ics?all_day=1&run=original", "/xmltv.xml.gz", "/xmltv.xml.gz?run=rebroadcast&mark_new=1"} {
				start := time.Now()
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(start)
				t.Logf("first request %-45s %6.1f ms (%d bytes)%s", path, float64(d)/1e6, n, missed(d <= 50*time.Millisecond, "target 50 ms"))
			}

			// The ETag of the plain copy, as wrk asks for it: without
			// Accept-Encoding (which Go's client would add on its own).
			etag := func(path string) string {
				req, _ := http.NewRequest("GET", base+path, nil)
				req.Header.Set("Accept-Encoding", "identity")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp.Header.Get("ETag")
			}
			for _, c := range []struct {
				name    string
				path    string
				header  string
				minRate float64
				maxP99  time.Duration
			}{
				{"304 /calendar.ics", "/calendar.ics", "If-None-Match: " + etag("/calendar.ics"), 40000, 10 * time.Millisecond},
				{"304 /xmltv.xml.gz", "/xmltv.xml.gz", "If-None-Match: " + etag("/xmltv.xml.gz"), 40000, 10 * time.Millisecond},
				{"200 /xmltv.xml.gz (118 KB, stored gzip)", "/xmltv.xml.gz", "", 6000, 0},
				{"200 /calendar.ics gzip (stored)", "/calendar.ics", "Accept-Encoding: gzip", 6000, 0},
				{"200 /api/v1/aired", "/api/v1/aired?date=2003-06-16", "", 20000, 0},
			} {
				args := []string{"-t2", "-c32", fmt.Sprintf("-d%ds", secs), "--latency", "--timeout", "5s"}
				if c.header != "" {
					args = append(args, "-H", c.header)
				}
				out, err := exec.Command(wrk, append(args, base+c.path)...).CombinedOutput()
				if err != nil {
					t.Fatalf("wrk: %v\n%s", err, out)
				}
				rate, p99, errs := parseWrk(t, string(out))
				ok := rate >= c.minRate && (c.maxP99 == 0 || p99 <= c.maxP99) && errs == ""
				t.Logf("%-42s %8.0f req/s  p99 %6.2f ms%s%s", c.name, rate, float64(p99)/1e6, errs,
					missed(ok, fmt.Sprintf("target %.0f req/s, p99 %v", c.minRate, c.maxP99)))
			}
		})
	}
}

func missed(ok bool, target string) string {
	if ok {
		return ""
	}
	return "  (below the " + target + ")"
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
