package publish_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/publish"
	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// defaultSite lays out the default schedule's site with a playlist.
// testDate is the present of the published sites: the index's "on this
// day" is 16 June.
var testDate = schedule.Date{Year: 2026, Month: time.June, Day: 16}

func defaultSite(t testing.TB, edit ...func(*site.Config)) *site.Site {
	t.Helper()
	cfg := site.Config{Schedule: testkit.Default(t), Generator: "backstage/test", StreamURL: "http://tv.local/{id}.ts", Date: testDate}
	for _, e := range edit {
		e(&cfg)
	}
	st, err := site.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// smallSchedule is the default schedule's two runs cut to a few weeks:
// the original's twenty episodes of June 2003, its rerun from July to
// lastRerun (all twenty by 1 August), a few hundred files, for the tests
// that publish again and again.
func smallSchedule(t testing.TB, lastRerun string) *schedule.Schedule {
	t.Helper()
	def := testkit.Default(t)
	orig, rerun := *def.Run("original"), *def.Run("rebroadcast")
	date := func(s string) schedule.Date {
		d, err := schedule.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	orig.First, orig.Last = date("2003-06-02"), date("2003-06-27")
	rerun.First, rerun.Last = date("2003-07-07"), date(lastRerun)
	s, err := schedule.New(schedule.Plan{Name: def.Name(), Source: def.Source(), Location: def.Location(), Revised: def.Revised(), Runs: []*schedule.Run{&orig, &rerun}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// smallSite lays out smallSchedule's site with a playlist.
func smallSite(t testing.TB, edit ...func(*site.Config)) *site.Site {
	t.Helper()
	return defaultSite(t, append([]func(*site.Config){func(c *site.Config) { c.Schedule = smallSchedule(t, "2003-07-25") }}, edit...)...)
}

// published is the default site, published once for the tests that read
// it, into a folder TestMain removes.
var published struct {
	once sync.Once
	dir  string
	st   *site.Site
	res  publish.Result
	err  error
}

func publishedDefault(t testing.TB) (string, *site.Site, publish.Result) {
	t.Helper()
	published.once.Do(func() {
		if published.dir, published.err = os.MkdirTemp("", "backstage-publish-test"); published.err != nil {
			return
		}
		published.st = defaultSite(t)
		published.res, published.err = publish.Publish(context.Background(), published.st, filepath.Join(published.dir, "site"), publish.Options{})
	})
	if published.err != nil {
		t.Fatal(published.err)
	}
	return filepath.Join(published.dir, "site"), published.st, published.res
}

func TestMain(m *testing.M) {
	code := m.Run()
	if published.dir != "" {
		os.RemoveAll(published.dir)
	}
	os.Exit(code)
}

// publishStopped publishes st into dir and stops it once the first file
// is done, as Ctrl-C would, checking that it says so.
func publishStopped(t *testing.T, st *site.Site, dir string) publish.Result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	res, err := publish.Publish(ctx, st, dir, publish.Options{Workers: 2, Progress: func(done, total int) {
		if n++; n == 1 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	return res
}

func pub(t testing.TB, st *site.Site, dir string) publish.Result {
	t.Helper()
	res, err := publish.Publish(context.Background(), st, dir, publish.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// files returns every file under dir with its modification time.
func files(t testing.TB, dir string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fi.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPublish checks that a publish writes every file of the site with
// its bytes, a .gz sibling beside each text file of 1 KB or more, the
// _headers file and the manifest, and nothing else.
func TestPublish(t *testing.T) {
	dir, st, res := publishedDefault(t)
	got := files(t, dir)
	want := map[string]bool{publish.HeadersName: true, publish.ManifestName: true}
	var total int64
	for f := range st.Files() {
		want[f.Path] = true
		body, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		total += int64(len(body))
		// Every file's bytes, for a sample of the pages and answers.
		if f.Kind == site.Feed || f.Kind == site.Asset || strings.Contains(f.Path, "2004-02-27") || strings.HasSuffix(f.Path, "/1000.html") {
			wantBody, err := st.Bytes(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, wantBody) {
				t.Errorf("%s: %d bytes that differ from the site's %d", f.Path, len(body), len(wantBody))
			}
		}
		z, err := os.ReadFile(filepath.Join(dir, f.Path+".gz"))
		switch {
		case f.Path == "xmltv.xml":
			// Its sibling is xmltv.xml.gz, a file of the site.
			if !bytes.Equal(testkit.Gunzip(t, z), body) {
				t.Errorf("xmltv.xml.gz does not unpack to xmltv.xml")
			}
		case len(body) >= 1024 && f.Compressible():
			if err != nil {
				t.Errorf("%s has no .gz sibling: %v", f.Path, err)
				continue
			}
			want[f.Path+".gz"] = true
			total += int64(len(z))
			if !bytes.Equal(testkit.Gunzip(t, z), body) {
				t.Errorf("%s.gz does not unpack to %s", f.Path, f.Path)
			}
		case err == nil:
			t.Errorf("%s (%d bytes) has a .gz sibling", f.Path, len(body))
		}
	}
	for p := range got {
		if !want[p] {
			t.Errorf("publish wrote %s, which is not part of the site", p)
		}
	}
	for p := range want {
		if _, ok := got[p]; !ok {
			t.Errorf("publish did not write %s", p)
		}
	}
	if res.Files != len(want)-1 || res.Written != res.Files || res.Unchanged != 0 || res.Removed != 0 {
		t.Errorf("got %+v, want %d files all written", res, len(want)-1)
	}
	if res.Bytes > 100e6 {
		t.Errorf("the site is %d bytes, want under 100 MB", res.Bytes)
	}
	t.Logf("%s", res)

	headers, _ := os.ReadFile(filepath.Join(dir, publish.HeadersName))
	for _, w := range []string{"/calendar/*\n  Content-Type: text/calendar; charset=utf-8\n  Cache-Control: public, max-age=86400\n",
		"/xmltv.xml.gz\n  Content-Type: application/gzip\n", "/days/*\n  Content-Type: text/html; charset=utf-8\n  Cache-Control: no-cache\n",
		"/years/*\n  Content-Type: text/html; charset=utf-8\n  Cache-Control: no-cache\n",
		"/channels.m3u\n  Content-Type: audio/x-mpegurl", "/api/*\n  Content-Type: application/json\n"} {
		if !bytes.Contains(headers, []byte(w)) {
			t.Errorf("_headers lacks %q", w)
		}
	}
	if bytes.Contains(headers, []byte("Content-Encoding")) {
		t.Error("_headers sets a Content-Encoding")
	}
}

// TestRepublish: a second publish with the same inputs writes nothing and
// leaves every modification time as it was; a changed site writes only
// what changed and removes what it dropped; a file publish did not write
// is never touched.
func TestRepublish(t *testing.T) {
	st := smallSite(t)
	dir := t.TempDir()
	pub(t, st, dir)
	foreign := filepath.Join(dir, "calendar", "mine.txt")
	if err := os.WriteFile(foreign, []byte("not publish's"), 0o600); err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(dir, "README")
	os.WriteFile(readme, []byte("mine too"), 0o600)
	before := files(t, dir)
	time.Sleep(10 * time.Millisecond) // a rewrite would show in the times

	res := pub(t, st, dir)
	if res.Written != 0 || res.Removed != 0 || res.Unchanged != res.Files {
		t.Errorf("second publish: %+v, want nothing written", res)
	}
	after := files(t, dir)
	for p, mt := range before {
		if !after[p].Equal(mt) {
			t.Errorf("%s was rewritten", p)
		}
	}

	// Without the playlist, and with a rerun that ends sooner.
	smaller, err := site.New(site.Config{Schedule: smallSchedule(t, "2003-07-11"), Generator: "backstage/test"})
	if err != nil {
		t.Fatal(err)
	}
	res = pub(t, smaller, dir)
	after = files(t, dir)
	for _, p := range []string{"channels.m3u", "days/2003-07-21.html", "days/2003-07-21.html.gz", "api/v1/days/2003-07-25.json"} {
		if _, ok := after[p]; ok {
			t.Errorf("%s is still there", p)
		}
	}
	for _, p := range []string{"calendar/original.ics", "calendar/rebroadcast.ics", "days/2003-06-16.html", "calendar/mine.txt", "README"} {
		if _, ok := after[p]; !ok {
			t.Errorf("%s was removed", p)
		}
	}
	if b, _ := os.ReadFile(foreign); string(b) != "not publish's" {
		t.Error("the foreign file was changed")
	}
	if res.Removed == 0 || res.Written == 0 || res.Unchanged == 0 {
		t.Errorf("smaller site: %+v, want some written, some unchanged, some removed", res)
	}
	// The answers for days the original run aired on do not change; the
	// index (which lists the runs) does.
	if !after["api/v1/days/2003-06-16.json"].Equal(before["api/v1/days/2003-06-16.json"]) {
		t.Error("an unchanged answer was rewritten")
	}
	if after["index.html"].Equal(before["index.html"]) {
		t.Error("the index was not rewritten")
	}
}

// TestRepublishRepairs: a file publish wrote and someone changed or
// removed is put back.
func TestRepublishRepairs(t *testing.T) {
	st := smallSite(t)
	dir := t.TempDir()
	pub(t, st, dir)
	changed := filepath.Join(dir, "days", "2003-06-16.html")
	want, _ := os.ReadFile(changed)
	os.WriteFile(changed, []byte("defaced"), 0o644)
	os.Remove(filepath.Join(dir, "calendar.ics.gz"))
	res := pub(t, st, dir)
	if got, _ := os.ReadFile(changed); !bytes.Equal(got, want) {
		t.Error("the changed page was not put back")
	}
	if _, err := os.Stat(filepath.Join(dir, "calendar.ics.gz")); err != nil {
		t.Errorf("the removed sibling was not put back: %v", err)
	}
	if res.Written != 2 {
		t.Errorf("got %+v, want 2 written", res)
	}
}

// TestInterrupted: a publish cancelled half way leaves every file whole,
// old or new, and names in the manifest what it wrote; the next publish
// finishes the job.
func TestInterrupted(t *testing.T) {
	old := smallSite(t)
	dir := t.TempDir()
	pub(t, old, dir)
	oldBytes := map[string][]byte{}
	for p := range files(t, dir) {
		oldBytes[p], _ = os.ReadFile(filepath.Join(dir, p))
	}
	// A new site: every page and feed changes (the zone they show).
	next := smallSite(t, func(c *site.Config) { c.Location = testkit.Location(t, "Europe/London"); c.StreamURL = "" })
	publishStopped(t, next, dir)
	for p := range files(t, dir) {
		if strings.Contains(p, ".tmp-") {
			t.Errorf("a temporary file is left: %s", p)
		}
	}
	// Every file is old or new, never partial (the pages are checked:
	// they are the files a cancelled publish stops among).
	changed := 0
	for p, ob := range oldBytes {
		f, ok := next.Lookup(p)
		if !ok || f.Kind != site.Page {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		nb, _ := next.Bytes(context.Background(), f)
		switch {
		case bytes.Equal(b, nb):
			changed++
		case !bytes.Equal(b, ob):
			t.Errorf("%s is neither the old nor the new file", p)
		}
	}
	t.Logf("%d pages new when the publish stopped", changed)
	res := pub(t, next, dir)
	if _, err := os.Lstat(filepath.Join(dir, "channels.m3u")); res.Written == 0 || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the rerun: %+v, the playlist %v; want it to finish the job, the playlist gone", res, err)
	}
	again := pub(t, next, dir)
	if again.Written != 0 {
		t.Errorf("a third publish wrote %d files", again.Written)
	}
}

// TestBadFolder: a folder that is a file, or that holds a manifest that
// is not ours, is refused before anything is written.
func TestBadFolder(t *testing.T) {
	st := smallSite(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "site")
	os.WriteFile(file, []byte("x"), 0o644)
	if _, err := publish.Publish(context.Background(), st, file, publish.Options{}); !errors.Is(err, publish.ErrNotFolder) {
		t.Errorf("a file: got %v, want ErrNotFolder", err)
	}
	if _, err := publish.Publish(context.Background(), st, filepath.Join(file, "below"), publish.Options{}); err == nil {
		t.Error("a folder below a file: no error")
	}
	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o755)
	os.WriteFile(filepath.Join(bad, publish.ManifestName), []byte(`{"version":1,"files":{"../../etc/passwd":{}}}`), 0o644)
	if _, err := publish.Publish(context.Background(), st, bad, publish.Options{}); err == nil || !strings.Contains(err.Error(), "leaves the folder") {
		t.Errorf("a manifest naming a path outside: got %v", err)
	}
	if entries, _ := os.ReadDir(bad); len(entries) != 1 {
		t.Errorf("the refused folder holds %d entries, want the manifest alone", len(entries))
	}
	// A manifest that is JSON but not one, or not JSON: refused, saying
	// why.
	for body, why := range map[string]string{`{"version":1,"files":null}`: `no "files"`, `{"files":`: "unexpected end of JSON input"} {
		os.WriteFile(filepath.Join(bad, publish.ManifestName), []byte(body), 0o644)
		if _, err := publish.Publish(context.Background(), st, bad, publish.Options{}); err == nil || !strings.HasSuffix(err.Error(), "by hand): "+why) {
			t.Errorf("a manifest %s: got %v, want it refused: %s", body, err, why)
		}
	}
}

// TestBusy: two publishes into one folder at once do not mix.
func TestBusy(t *testing.T) {
	st := smallSite(t)
	dir := t.TempDir()
	started := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := publish.Publish(context.Background(), st, dir, publish.Options{Progress: func(int, int) {
			select {
			case <-started:
			default:
				close(started)
				<-release
			}
		}})
		done <- err
	}()
	<-started
	if _, err := publish.Publish(context.Background(), st, dir, publish.Options{}); !errors.Is(err, publish.ErrBusy) {
		t.Errorf("a second publish at once: got %v, want ErrBusy", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestManifest: the manifest names exactly the files publish wrote.
func TestManifest(t *testing.T) {
	st := smallSite(t)
	dir := t.TempDir()
	pub(t, st, dir)
	m, err := publish.Manifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	on := files(t, dir)
	delete(on, publish.ManifestName)
	if len(m) != len(on) {
		t.Errorf("the manifest names %d files, the folder holds %d", len(m), len(on))
	}
	for p := range on {
		if m[p] == "" {
			t.Errorf("the manifest lacks %s", p)
		}
	}
}

// TestInterruptedNewPaths: a publish stopped half way has already named
// in the manifest every path it may write that the last publish did not,
// so that a later publish of a site without them removes them.
func TestInterruptedNewPaths(t *testing.T) {
	dir := t.TempDir()
	pub(t, smallSite(t), dir)
	before := files(t, dir)
	longer := smallSite(t, func(c *site.Config) { c.Schedule = smallSchedule(t, "2003-08-29") })
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	if _, err := publish.Publish(ctx, longer, dir, publish.Options{Workers: 2, Progress: func(done, total int) {
		if n++; n == 3 {
			cancel()
		}
	}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	m, err := publish.Manifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for p := range files(t, dir) {
		if _, ok := before[p]; ok {
			continue
		}
		added++
		if _, ok := m[p]; !ok {
			t.Errorf("the stopped publish wrote %s, which its manifest does not name", p)
		}
	}
	if added == 0 {
		t.Fatal("the stopped publish wrote no new path; stop it later")
	}
	// The site as it was: what the stopped publish added goes.
	pub(t, smallSite(t), dir)
	for p := range files(t, dir) {
		if _, ok := before[p]; !ok {
			t.Errorf("%s, written by the stopped publish, is left", p)
		}
	}
}

// TestStaleStaging: the staging folder a killed publish leaves is
// cleared by the next, which leaves none of its own.
func TestStaleStaging(t *testing.T) {
	st := smallSite(t)
	dir := t.TempDir()
	staging := filepath.Join(dir, publish.StagingName)
	if err := os.MkdirAll(filepath.Join(staging, "deep"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(staging, ".index.html.tmp-1-2"), []byte("half a page"), 0o600)
	os.WriteFile(filepath.Join(staging, "deep", "x"), []byte("x"), 0o600)
	pub(t, st, dir)
	if _, err := os.Stat(staging); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the staging folder is still there: %v", err)
	}
	for p := range files(t, dir) {
		if strings.Contains(p, ".tmp-") {
			t.Errorf("a temporary file is left: %s", p)
		}
	}
}

// TestFoldersLeft: a folder that a new site no longer has (years/, in
// replay mode) goes with its files, unless it holds a file publish did
// not write, which stays with the folder.
func TestFoldersLeft(t *testing.T) {
	w, err := smallSchedule(t, "2003-07-25").Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23},
		Now: time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC), Days: 7, PastDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	replay := smallSite(t, func(c *site.Config) { c.Schedule, c.Replay = w, true })
	for _, foreign := range []bool{false, true} {
		dir := t.TempDir()
		pub(t, smallSite(t), dir)
		mine := filepath.Join(dir, "years", "mine.txt")
		if foreign {
			os.WriteFile(mine, []byte("mine"), 0o644)
		}
		pub(t, replay, dir)
		entries, err := os.ReadDir(filepath.Join(dir, "years"))
		switch {
		case !foreign && !errors.Is(err, fs.ErrNotExist):
			t.Errorf("years/ is still there, with %d entries (%v)", len(entries), err)
		case foreign && (len(entries) != 1 || entries[0].Name() != "mine.txt"):
			t.Errorf("years/ holds %d entries, want mine.txt alone (%v)", len(entries), err)
		}
	}
}

// TestSiblingFollowsSize: a file that grows to 1 KB gets a .gz sibling,
// and loses it when it shrinks below again. The playlist's size follows
// the stream URL it repeats.
func TestSiblingFollowsSize(t *testing.T) {
	long := "http://tv.local/" + strings.Repeat("x", 1100) + "/{id}.ts"
	dir := t.TempDir()
	sibling := filepath.Join(dir, "channels.m3u.gz")
	for i, c := range []struct {
		stream string
		want   bool
	}{{"http://tv.local/{id}.ts", false}, {long, true}, {"http://tv.local/{id}.ts", false}} {
		res := pub(t, smallSite(t, func(c2 *site.Config) { c2.StreamURL = c.stream }), dir)
		_, err := os.Stat(sibling)
		if got := err == nil; got != c.want {
			t.Errorf("publish %d: channels.m3u.gz there: %v, want %v", i+1, got, c.want)
		}
		if i == 2 && res.Removed != 1 {
			t.Errorf("publish %d: %+v, want the sibling removed", i+1, res)
		}
	}
	m, err := publish.Manifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m["channels.m3u.gz"]; ok {
		t.Error("the manifest still names the removed sibling")
	}
}

// TestHeadersFile: for every file of a site, exactly one rule of
// _headers besides /* matches its path, with the Content-Type the server
// sends (the assets' left to the host, which knows their extensions),
// the Cache-Control of the file's kind, and for pages their
// Content-Security-Policy; /* says nosniff. Matching is Netlify's and
// Cloudflare Pages': a path, or a prefix ending in *.
func TestHeadersFile(t *testing.T) {
	replayWindow, err := smallSchedule(t, "2003-07-25").Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23},
		Now: time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC), Days: 7, PastDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*site.Site{
		"with a playlist":    smallSite(t),
		"without a playlist": smallSite(t, func(c *site.Config) { c.StreamURL = "" }),
		"replay":             smallSite(t, func(c *site.Config) { c.Schedule, c.Replay = replayWindow, true }),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			pub(t, st, dir)
			b, err := os.ReadFile(filepath.Join(dir, publish.HeadersName))
			if err != nil {
				t.Fatal(err)
			}
			rules := parseHeaders(t, b)
			if got := rules["/*"].Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("/*: X-Content-Type-Options %q, want nosniff", got)
			}
			paths := []string{"/"}
			for f := range st.Files() {
				paths = append(paths, "/"+f.Path)
			}
			used := map[string]bool{"/*": true}
			for _, p := range paths {
				f, _ := st.Lookup(strings.TrimPrefix(p, "/"))
				var match []string
				for pattern := range rules {
					if pattern != "/*" && (pattern == p || strings.HasSuffix(pattern, "*") && strings.HasPrefix(p, strings.TrimSuffix(pattern, "*"))) {
						match = append(match, pattern)
					}
				}
				if len(match) != 1 {
					t.Errorf("%s: rules %v, want one", p, match)
					continue
				}
				used[match[0]] = true
				h := rules[match[0]]
				// episodes/ holds pages and calendars: a page's headers,
				// and the host's types.
				mixed := strings.HasPrefix(p, "/episodes/")
				if ct := h.Get("Content-Type"); ct != f.Type && !(ct == "" && (f.Kind == site.Asset && strings.HasPrefix(p, "/assets/") || mixed)) {
					t.Errorf("%s: Content-Type %q, want %q", p, ct, f.Type)
				}
				want := site.CacheControl(st.CacheSeconds(f))
				if mixed {
					want = "no-cache"
				}
				if cc := h.Get("Cache-Control"); cc != want {
					t.Errorf("%s: Cache-Control %q, want %q", p, cc, want)
				}
				if csp := h.Get("Content-Security-Policy"); (f.Kind == site.Page || mixed) != (csp == site.PageCSP) {
					t.Errorf("%s, a %v: Content-Security-Policy %q", p, f.Kind, csp)
				}
			}
			for pattern := range rules {
				if !used[pattern] {
					t.Errorf("the rule %s matches no file of the site", pattern)
				}
			}
		})
	}
}

// parseHeaders reads a _headers file: each path pattern, unindented, and
// its headers, indented, below it.
func parseHeaders(t *testing.T, b []byte) map[string]http.Header {
	t.Helper()
	rules := map[string]http.Header{}
	var cur http.Header
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "/"):
			if _, dup := rules[line]; dup {
				t.Errorf("_headers: %s twice", line)
			}
			cur = http.Header{}
			rules[line] = cur
		case strings.HasPrefix(line, "  ") && cur != nil:
			k, v, ok := strings.Cut(strings.TrimSpace(line), ": ")
			if !ok {
				t.Fatalf("_headers: %q is not a header", line)
			}
			cur.Add(k, v)
		default:
			t.Fatalf("_headers: line %q", line)
		}
	}
	return rules
}

// TestManifestCutShort: a manifest whose last line a full disk cut short
// (the file it would have named was then not written) is read without
// that line, and the next publish appends after the last whole line and
// ends with a manifest naming exactly the site's files.
func TestManifestCutShort(t *testing.T) {
	dir := t.TempDir()
	pub(t, smallSite(t), dir)
	path := filepath.Join(dir, publish.ManifestName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"path":"days/2099-01-01.html"}` + "\n" + `{"path":"days/20`)
	f.Close()
	os.WriteFile(filepath.Join(dir, "days", "2099-01-01.html"), []byte("named before it was written"), 0o644)
	longer := smallSite(t, func(c *site.Config) { c.Schedule = smallSchedule(t, "2003-08-15") })
	// Stopped half way, having appended some lines: they follow the last
	// whole line.
	stopped := publishStopped(t, longer, dir)
	if _, err := publish.Manifest(dir); err != nil {
		t.Fatalf("after lines were appended: %v", err)
	}
	// The file the appended line named went first of all.
	if _, err := os.Lstat(filepath.Join(dir, "days", "2099-01-01.html")); stopped.Removed != 1 || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %+v (%v), want 1 removed: the file the appended line names", stopped, err)
	}
	pub(t, longer, dir)
	m, err := publish.Manifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	on := files(t, dir)
	delete(on, publish.ManifestName)
	if len(m) != len(on) {
		t.Errorf("the manifest names %d files, the folder holds %d", len(m), len(on))
	}
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), `{"version":2,`) || strings.Count(string(b), "\n") != len(m)+1 {
		t.Errorf("the manifest is not %d whole lines after its header", len(m))
	}
}
