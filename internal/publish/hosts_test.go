package publish_test

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/publish"
	"github.com/backstage-epg/backstage/internal/server"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/testkit"
)

// freePort returns a port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startHost runs cmd until the test ends and waits for base to answer.
func startHost(t *testing.T, cmd *exec.Cmd, base string) {
	t.Helper()
	testkit.Start(t, cmd, new(testkit.SyncBuffer), func() error {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
}

// TestStaticHosts publishes the default schedule, serves the folder with
// nginx and with Caddy, configured with the README's snippets as printed,
// and checks what they send against what "backstage serve" sends.
func TestStaticHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs nginx and Caddy; skipped with -short")
	}
	root, st, _ := publishedDefault(t)
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// nginx's workers drop to another user, who must reach the site.
		os.Chmod(filepath.Dir(root), 0o755)
	}

	srv := &server.Server{Schedule: st.Schedule(), Generator: "backstage/test", StreamURL: "http://tv.local/{id}.ts",
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return testDate.In(st.Schedule().Location()).Add(12 * time.Hour) }}
	serve := httptest.NewServer(srv.Handler())
	t.Cleanup(serve.Close) // the hosts run as parallel subtests, after this function returns

	hosts := map[string]func(t *testing.T) string{
		"nginx": func(t *testing.T) string {
			listen := "127.0.0.1:" + strconv.Itoa(freePort(t))
			startHost(t, testkit.Nginx{Listen: listen, Root: root, Dir: filepath.Join(dir, "nginx")}.Command(t), "http://"+listen)
			return "http://" + listen
		},
		"caddy": func(t *testing.T) string {
			bin := testkit.Tool(t, "caddy")
			port := freePort(t)
			snippet := testkit.READMEBlock(t, "caddyfile")
			base := "http://127.0.0.1:" + strconv.Itoa(port)
			snippet = strings.Replace(snippet, "tv.example.org {", base+" {", 1)
			snippet = strings.Replace(snippet, "/srv/backstage", root, 1)
			conf := "{\n\tadmin off\n\tauto_https off\n}\n" + snippet
			path := filepath.Join(dir, "Caddyfile")
			if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "run", "--config", path, "--adapter", "caddyfile")
			cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
			startHost(t, cmd, base)
			return base
		},
	}
	paths := []string{"/calendar.ics", "/calendar/2004.ics", "/calendar/compact.ics", "/xmltv.xml.gz", "/xmltv.xml",
		"/api/v1/days/2004-02-27.json", "/days/2004-02-27.html", "/episodes/1000.html", "/episodes/1000.ics", "/history/2004.svg", "/robots.txt", "/api/v1/openapi.json", "/", "/channels.m3u", "/assets/style.css", "/assets/channel-icon.png", "/favicon.ico"}
	for name, start := range hosts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := start(t)
			for _, p := range paths {
				checkHosted(t, base, serve.URL, p)
			}
			checkNotFound(t, base, root)
			if testkit.Full() {
				// TestOpenAPI checks serve's answers on every run.
				checkAPI(t, base+"/api/v1")
			}
		})
	}
}

// checkAPI checks the JSON answers a static host gives for the published
// site, found and not, against the site's description of its API,
// api/v1/openapi.json, as served by the host too.
func checkAPI(t *testing.T, api string) {
	t.Helper()
	doc := testkit.GetAnswer(t, api, "/openapi.json")
	if doc.Status != 200 {
		t.Fatalf("/api/v1/openapi.json: got %d", doc.Status)
	}
	var answers []testkit.APIAnswer
	for _, p := range []string{"/days/2003-06-16.json", "/days/2008-03-04.json", "/days/2012-02-20.json", "/days/1999-01-01.json",
		"/episodes/816.json", "/episodes/1876.json", "/runs.json"} {
		answers = append(answers, testkit.GetAnswer(t, api, p))
	}
	testkit.CheckOpenAPI(t, []byte(doc.Body), answers)
}

// checkNotFound checks that the static host at base answers a day the
// site has no page for, and a path it has nothing at, with a 404 and the
// site's own 404.html, a page in words with the questions' forms, as
// serve answers them.
func checkNotFound(t *testing.T, base, root string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join(root, "404.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/days/1999-01-01.html", "/nope/deeper", "/api/v1/days/1999-01-01.json", "/" + publish.ManifestName} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 404 || !bytes.Equal(body, want) {
			t.Errorf("%s: got %d and %d bytes, want 404 and the site's 404.html (%d bytes)", p, resp.StatusCode, len(body), len(want))
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q, want text/html", p, ct)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != site.PageCSP {
			t.Errorf("%s: Content-Security-Policy %q, want the pages'", p, csp)
		}
	}
}

// checkHosted compares what the static host at base sends for path with
// what serve sends, and checks the validators and the encoding.
func checkHosted(t *testing.T, base, serve, path string) {
	t.Helper()
	get := func(base string, header ...string) (*http.Response, []byte) {
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Set, so that Go's transport neither asks for gzip itself nor
		// unpacks the answer.
		req.Header.Set("Accept-Encoding", "identity")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	want, wantBody := get(serve)
	got, body := get(base)
	if got.StatusCode != 200 {
		t.Fatalf("%s: got %d", path, got.StatusCode)
	}
	if !bytes.Equal(body, wantBody) {
		t.Errorf("%s: %d bytes that differ from serve's %d", path, len(body), len(wantBody))
	}
	if g, w := got.Header.Get("Content-Type"), want.Header.Get("Content-Type"); g != w {
		t.Errorf("%s: Content-Type %q, serve sends %q", path, g, w)
	}
	if g := got.Header.Get("Content-Encoding"); g != "" {
		t.Errorf("%s: Content-Encoding %q without Accept-Encoding: gzip", path, g)
	}
	etag := got.Header.Get("ETag")
	if etag == "" || strings.HasPrefix(etag, "W/") {
		t.Errorf("%s: ETag %q, want a strong one", path, etag)
	} else if again, _ := get(base, "If-None-Match", etag); again.StatusCode != 304 {
		t.Errorf("%s: revalidating with %s: got %d, want 304", path, etag, again.StatusCode)
	}
	if cc := got.Header.Get("Cache-Control"); cc == "" {
		t.Errorf("%s: no Cache-Control", path)
	}

	// With gzip: the .gz sibling, which unpacks to the same bytes; the
	// gzipped guide as it is.
	zresp, zbody := get(base, "Accept-Encoding", "gzip")
	enc := zresp.Header.Get("Content-Encoding")
	switch {
	case strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".png") || strings.HasSuffix(path, ".ico"):
		// Compressed already: no sibling, and sent as it is.
		if enc != "" || !bytes.Equal(zbody, body) {
			t.Errorf("%s with Accept-Encoding gzip: Content-Encoding %q; want the file as it is", path, enc)
		}
	case len(body) >= 1024:
		if enc != "gzip" {
			t.Errorf("%s with Accept-Encoding gzip: Content-Encoding %q, want gzip", path, enc)
			return
		}
		if !bytes.Equal(testkit.Gunzip(t, zbody), body) {
			t.Errorf("%s: the gzipped answer unpacks to other bytes", path)
		}
		if zetag := zresp.Header.Get("ETag"); zetag == "" || zetag == etag {
			t.Errorf("%s: gzipped ETag %q, want its own", path, zetag)
		}
		if v := zresp.Header.Get("Vary"); !strings.Contains(v, "Accept-Encoding") {
			t.Errorf("%s: gzipped answer with Vary %q", path, v)
		}
	}
	checkConsumers(t, path, body)
}

// checkConsumers runs the feed consumers CI has on a feed a host sent.
func checkConsumers(t *testing.T, path string, body []byte) {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	switch {
	case strings.HasSuffix(path, ".xml.gz"), strings.HasSuffix(path, ".xml"):
		if strings.HasSuffix(path, ".gz") {
			body = testkit.Gunzip(t, body)
		}
		file := write("guide.xml", body)
		xmllint := testkit.Tool(t, "xmllint")
		if out, err := exec.Command(xmllint, "--noout", "--dtdvalid", "/usr/share/xmltv/xmltv.dtd", file).CombinedOutput(); err != nil {
			t.Errorf("%s: xmllint: %v\n%s", path, err, out)
		}
	case strings.HasSuffix(path, ".ics"):
		file := write("feed.ics", body)
		python := testkit.Tool(t, "/usr/bin/python3") // Debian's, with python3-icalendar
		script := "import sys, icalendar\ncal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\nprint(len(cal.walk('VEVENT')))\n"
		out, err := exec.Command(python, "-c", script, file).CombinedOutput()
		if err != nil {
			if bytes.Contains(out, []byte("No module named")) {
				testkit.Missing(t, "python3 icalendar", err)
			}
			t.Errorf("%s: python icalendar: %v\n%s", path, err, out)
		} else if n, _ := strconv.Atoi(strings.TrimSpace(string(out))); n == 0 {
			t.Errorf("%s: python icalendar reads no events", path)
		}
		icaljs, err := filepath.Abs("../../.ci/node_modules/ical.js/dist/ical.js")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(icaljs); err != nil {
			testkit.Missing(t, "ical.js (cd .ci && npm ci)", err)
		}
		node := testkit.Tool(t, "node")
		js := `import(process.argv[1]).then(m => { const ICAL = m.default; const text = require("fs").readFileSync(process.argv[2], "utf8");
  const comp = new ICAL.Component(ICAL.parse(text)); console.log(comp.getAllSubcomponents("vevent").length); });`
		out, err = exec.Command(node, "-e", js, icaljs, file).CombinedOutput()
		if err != nil {
			t.Errorf("%s: ical.js: %v\n%s", path, err, out)
		} else if n, _ := strconv.Atoi(strings.TrimSpace(string(out))); n == 0 {
			t.Errorf("%s: ical.js reads no events: %s", path, out)
		}
	}
}
