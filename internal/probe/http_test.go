//go:build unix

package probe_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// An httpCase is one bad request, sent as it is written over a fresh
// connection to the real server. It must be answered with status, as
// JSON ({"error": …} on one line) or as an HTML page (kind), quickly, with
// a message that holds want and does not echo a long input back whole.
type httpCase struct {
	name   string
	raw    string // the request; "Host: probe" is added after the first line unless it has one
	status int
	kind   string // "json", "html", "plain" or "" for any
	want   string
}

var (
	longParam = strings.Repeat("x", 30000)
	bigHeader = "X-Big: " + strings.Repeat("y", 40000) + "\r\n"
)

var httpCases = []httpCase{
	{"two-digit year", "GET /calendar.ics?year=03", 400, "json", `year "03"`},
	{"signed year", "GET /calendar.ics?year=%2B003", 400, "json", `year "+003"`},
	{"year twice", "GET /calendar.ics?year=2003&year=2004", 400, "json", "given twice"},
	{"year and from", "GET /calendar.ics?year=2003&from=2003-01-01", 400, "json", "goes with neither from nor to"},
	{"no such date", "GET /calendar.ics?from=2003-02-30", 400, "json", "day out of range"},
	{"not a date", "GET /calendar.ics?to=tomorrow", 400, "json", `"tomorrow"`},
	{"empty date", "GET /calendar.ics?from=", 400, "json", "empty"},
	{"window backwards", "GET /calendar.ics?from=2004-01-01&to=2003-01-01", 400, "json", "before from 2004-01-01"},
	{"no such run", "GET /calendar.ics?run=repeat", 400, "json", `"repeat"`},
	{"empty run", "GET /calendar.ics?run=", 400, "json", "run"},
	{"flag not 0 or 1", "GET /calendar.ics?compact=yes", 400, "json", `compact "yes"`},
	{"xmltv flag on a calendar", "GET /calendar.ics?mark_new=1", 400, "json", `unknown parameter "mark_new"`},
	{"bad escape", "GET /calendar.ics?from=%zz", 400, "json", "escape"},
	{"semicolon between parameters", "GET /calendar.ics?a=1;b=2", 400, "json", "a semicolon: separate parameters with &"},
	{"unknown parameter on a feed", "GET /calendar.ics?fbclid=x", 400, "json", `"fbclid"`},
	{"calendar flag on a guide", "GET /xmltv.xml?compact=1", 400, "json", `unknown parameter "compact"`},
	{"flag on the gzipped guide", "GET /xmltv.xml.gz?mark_new=on", 400, "json", `mark_new "on"`},
	{"parameter on the playlist", "GET /channels.m3u?x=1", 400, "json", `unknown parameter "x"`},
	{"parameter on a site file", "GET /calendar/2003.ics?year=2004", 400, "json", `unknown parameter "year"`},
	{"aired without a question", "GET /api/v1/aired", 400, "json", "missing parameter"},
	{"aired with two", "GET /api/v1/aired?date=2003-06-16&at=2003-06-16T18:45:00Z", 400, "json", "together"},
	{"aired, day first", "GET /api/v1/aired?date=16/06/2003", 400, "json", `"16/06/2003"`},
	{"aired, no zone", "GET /api/v1/aired?at=2003-06-16T18:45", 400, "json", "RFC 3339"},
	{"episode 0", "GET /api/v1/episodes/0", 400, "json", `episode "0"`},
	{"episode in words", "GET /api/v1/episodes/one", 400, "json", `episode "one"`},
	{"episode with a sign", "GET /api/v1/episodes/+5", 400, "json", `episode "+5"`},
	{"episode never aired", "GET /api/v1/episodes/1876", 404, "json", "never aired"},
	{"episode past int", "GET /api/v1/episodes/99999999999999999999", 400, "json", "whole number"},
	{"slots without from", "GET /api/v1/slots", 400, "json", "missing parameter from"},
	{"slots over a year", "GET /api/v1/slots?from=2003-01-01&to=2004-06-30", 400, "json", "at most 366"},
	{"runs with a parameter", "GET /api/v1/runs?all=1", 400, "json", `unknown parameter "all"`},
	{"a long value", "GET /calendar.ics?run=" + longParam, 400, "json", "xxxx"},
	{"a long unknown parameter", "GET /api/v1/aired?" + longParam + "=1", 400, "json", "xxxx"},
	{"no such page", "GET /nope", 404, "html", "there is no page at"},
	{"a long missing path", "GET /" + longParam[:5000], 404, "html", "there is no page at"},
	{"a dotfile", "GET /.git/config", 404, "html", "there is no page at"},
	{"no such API path", "GET /api/v1/nope", 404, "json", "no such path"},
	{"a year with no airing", "GET /calendar/2008.ics", 404, "json", "no such path"},
	{"a day outside the site", "GET /days/1999-01-01.html", 404, "html", "there is no page at"},
	{"a day written short", "GET /days/2003-6-16.html", 404, "html", "there is no page at"},
	{"a form's bad date", "GET /?date=2003-02-30", 400, "html", "no day “2003-02-30” on the calendar"},
	{"a form's five-digit year", "GET /?date=20030-06-16", 400, "html", "could not read"}, // a day outside the history is answered, not refused
	{"a form's episode 0", "GET /?episode=0", 400, "html", "whole number"},
	{"a form's two questions", "GET /?date=2003-06-16&episode=1", 400, "html", "one at a time"},
	{"POST", "POST /calendar.ics HTTP/1.1\r\nHost: probe\r\nContent-Length: 0\r\n\r\n", 405, "json", "not allowed"},
	{"DELETE", "DELETE / HTTP/1.1\r\nHost: probe\r\n\r\n", 405, "json", "not allowed"},
	{"PUT to no path", "PUT /nope HTTP/1.1\r\nHost: probe\r\nContent-Length: 0\r\n\r\n", 404, "json", "no such path"},
	{"both lengths", "GET /calendar.ics HTTP/1.1\r\nHost: probe\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "", ""},
	{"a chunked body", "GET /api/v1/runs?x HTTP/1.1\r\nHost: probe\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "", ""},
	{"a range of no bytes", "GET /calendar.ics HTTP/1.1\r\nHost: probe\r\nRange: bytes=-0\r\n\r\n", 416, "", "no bytes"},
	{"a range past the end", "GET /calendar/2003.ics HTTP/1.1\r\nHost: probe\r\nRange: bytes=99999999-\r\n\r\n", 416, "", ""},
	{"a header too large", "GET /calendar.ics HTTP/1.1\r\nHost: probe\r\n" + bigHeader + "\r\n", 431, "", ""},
	{"no Host", "GET /calendar.ics HTTP/1.1\r\n\r\n", 400, "", ""},
	{"a bad request line", "GARBAGE\r\n\r\n", 400, "", ""},
	{"a bad escape in the path", "GET /%zz HTTP/1.1\r\nHost: probe\r\n\r\n", 400, "", ""},
}

// TestProbeServer sends each bad request to the real server and checks
// its answer and the time it took; then the server's peak memory.
func TestProbeServer(t *testing.T) {
	bin := testkit.Binary(t)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--quiet")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(out)
	addr := ""
	for sc.Scan() {
		if m := regexp.MustCompile(`^Listening on http://(127\.0\.0\.1:\d+)/$`).FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	go io.Copy(io.Discard, out)
	if addr == "" {
		t.Fatal("serve printed no address")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-32s %6s %9s\n", "CASE", "STATUS", "TIME")
	for _, c := range httpCases {
		t.Run(c.name, func(t *testing.T) {
			status, elapsed := probeHTTP(t, addr, c)
			fmt.Fprintf(&b, "%-32.32s %6d %9s\n", c.name, status, elapsed.Round(time.Microsecond))
		})
	}
	if len(httpCases) < 40 {
		t.Errorf("the probe has %d requests, want at least 40", len(httpCases))
	}
	// The server answered them all; its peak memory, from its status.
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err == nil {
		if m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status); m != nil {
			kb, _ := strconv.Atoi(string(m[1]))
			fmt.Fprintf(&b, "server's peak RSS: %.1f MB", float64(kb)/1024)
			if int64(kb)<<10 > maxRSS {
				t.Errorf("the server's peak resident memory is %d kB, want at most %d MB", kb, maxRSS>>20)
			}
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	t.Logf("%d requests:\n%s", len(httpCases), b.String())
}

// probeHTTP sends one case and checks the answer.
func probeHTTP(t *testing.T, addr string, c httpCase) (int, time.Duration) {
	t.Helper()
	raw := c.raw
	if !strings.Contains(raw, "\r\n") {
		raw += " HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(maxTime))
	start := time.Now()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(raw, " ")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil && c.status == http.StatusRequestHeaderFieldsTooLarge && errors.Is(err, syscall.ECONNRESET) {
		// net/http answers 431 and closes without reading the rest of the
		// head, so the kernel may reset the connection before the answer
		// is read: refused all the same.
		return c.status, time.Since(start)
	}
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil && !(resp.StatusCode == http.StatusRequestHeaderFieldsTooLarge && errors.Is(err, syscall.ECONNRESET)) {
		t.Fatal(err)
	}
	if resp.StatusCode != c.status {
		t.Errorf("status %d, want %d; body %.200q", resp.StatusCode, c.status, body)
	}
	if elapsed > time.Second {
		t.Errorf("took %v, want under a second", elapsed)
	}
	ctype := resp.Header.Get("Content-Type")
	msg := string(body)
	switch c.kind {
	case "json":
		var e struct{ Error string }
		if ctype != "application/json" || json.Unmarshal(body, &e) != nil || e.Error == "" || strings.Count(msg, "\n") != 1 {
			t.Errorf("got %q, %.200q; want {\"error\": …} on one line", ctype, body)
		}
		msg = e.Error
	case "html":
		m := regexp.MustCompile(`<p class="error" role="alert">(.*)</p>`).FindStringSubmatch(msg)
		if !strings.HasPrefix(ctype, "text/html") || m == nil {
			t.Errorf("got %q and no error on the page", ctype)
			break
		}
		msg = m[1]
	}
	if !strings.Contains(msg, c.want) {
		t.Errorf("message %.300q, want it to contain %q", msg, c.want)
	}
	if len(msg) > maxLine {
		t.Errorf("a message of %d bytes: a long input is echoed back", len(msg))
	}
	return resp.StatusCode, elapsed
}
