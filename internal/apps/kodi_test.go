//go:build linux

package apps

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// TestKodi loads the replay feeds into Kodi 20 with the IPTV Simple PVR
// add-on, as a user of a media centre does, and reads back through
// Kodi's JSON-RPC API what Kodi made of them:
//
//   - from a published replay site behind nginx, given only the
//     playlist (channels.m3u), whose header names the guide;
//   - from "backstage serve --replay", given the playlist and the guide;
//   - from the grabber's guide, which marks the days with no airing.
//
// In each, Kodi lists one channel, e.tv, numbered and with the icon the
// playlist names, which it fetches over HTTP; and its broadcasts are
// exactly the guide's programmes, field by field (which the guide's
// programmes are is checked against the site's JSON day answers). For
// the published site and serve, the feed then moves on a day, and Kodi,
// started again on its own guide database, refreshes from the new feed:
// the broadcasts of the days both feeds hold must be unchanged, and none
// may appear twice. A screenshot of Kodi's TV guide goes to the folder
// BACKSTAGE_SCREENSHOTS names.
//
// Kodi runs under Xvfb in a network namespace of the test's own (see
// netns), with the feed servers and the test's HTTP client; every
// process it starts is killed when the test ends, or two minutes after
// its namespace was made (lifetime), so each check stops by itself.
func TestKodi(t *testing.T) {
	testkit.SkipUnlessApps(t, "starts Kodi under Xvfb seven times, about 90 s")
	kodiBin := kodiBinary(t)
	python := testkit.Tool(t, "/usr/bin/python3")
	testkit.Tool(t, "Xvfb")
	testkit.Tool(t, "import") // imagemagick, for the screenshot
	bin := testkit.Binary(t)
	loc := testkit.Location(t, "Africa/Johannesburg")

	// The feed moves on from a Sunday to a Monday: the day a replay
	// whose weeks were placed by the clock re-dated its whole week. Kodi
	// keeps the real clock, so the feed is as on the coming Sunday (its
	// window at most a fortnight ahead, which Kodi's guide is set to
	// reach).
	day := time.Now().In(loc)
	for day.Weekday() != time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	now := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, loc)
	next := now.AddDate(0, 0, 1)

	t.Run("published site behind nginx", func(t *testing.T) {
		ns := newNetns(t)
		site := filepath.Join(t.TempDir(), "site")
		const base = "http://127.0.0.1"
		publish := func(at time.Time) {
			t.Helper()
			out, err := exec.Command(bin, "publish", site, "--replay", "--now", at.Format(time.RFC3339), "--quiet",
				"--public-url", base, "--stream-url", base+"/stream/{id}.ts").CombinedOutput()
			if err != nil {
				t.Fatalf("publish: %v\n%s", err, out)
			}
		}
		publish(now)
		accessLog := startNginx(t, ns, site, base)
		// Only the playlist: IPTV Simple finds the guide by the URL in
		// its header.
		p := kodiProfile{dir: t.TempDir(), m3u: base + "/channels.m3u"}
		checkKodiMovesOn(t, kodiRun{ns: ns, display: startXvfb(t, ns), bin: kodiBin, python: python, base: base, profile: p, log: accessLog,
			guide: base + "/xmltv.xml", guideFetched: "/xmltv.xml.gz", loc: loc, screenshot: "kodi-guide-published.png"},
			func() { publish(next) })
	})

	t.Run("serve --replay", func(t *testing.T) {
		ns := newNetns(t)
		const base = "http://127.0.0.1:8000"
		var logs testkit.SyncBuffer
		serve := func(at time.Time) func() {
			t.Helper()
			cmd := ns.command(bin, "serve", "--replay", "--now", at.Format(time.RFC3339), "--addr", "127.0.0.1:8000",
				"--public-url", base, "--stream-url", base+"/stream/{id}.ts")
			got, stop := testkit.StartServe(t, cmd, &logs)
			if got != base {
				t.Fatalf("serve listens on %s, want %s", got, base)
			}
			return stop
		}
		stop := serve(now)
		// The playlist and the guide, as most users set IPTV Simple up.
		p := kodiProfile{dir: t.TempDir(), m3u: base + "/channels.m3u", epg: base + "/xmltv.xml"}
		checkKodiMovesOn(t, kodiRun{ns: ns, display: startXvfb(t, ns), bin: kodiBin, python: python, base: base, profile: p, log: logs.String,
			guide: base + "/xmltv.xml", guideFetched: "/xmltv.xml", loc: loc, screenshot: "kodi-guide-serve.png"},
			func() { stop(); serve(next) })
	})

	t.Run("grabber's guide", func(t *testing.T) {
		grab := testkit.Command(t, "tv_grab_za_backstage")
		ns := newNetns(t)
		dir := t.TempDir()
		site := filepath.Join(dir, "site")
		const base = "http://127.0.0.1"
		if out, err := exec.Command(bin, "publish", site, "--replay", "--quiet", "--public-url", base,
			"--stream-url", base+"/stream/{id}.ts").CombinedOutput(); err != nil {
			t.Fatalf("publish: %v\n%s", err, out)
		}
		conf := filepath.Join(dir, "grab.conf")
		if out, err := exec.Command(grab, "--configure", "--config-file", conf).CombinedOutput(); err != nil {
			t.Fatalf("tv_grab_za_backstage --configure: %v\n%s", err, out)
		}
		if out, err := exec.Command(grab, "--config-file", conf, "--days", "8", "--quiet",
			"--output", filepath.Join(site, "grab.xml")).CombinedOutput(); err != nil {
			t.Fatalf("tv_grab_za_backstage: %v\n%s", err, out)
		}
		accessLog := startNginx(t, ns, site, base)
		p := kodiProfile{dir: t.TempDir(), m3u: base + "/channels.m3u", epg: base + "/grab.xml"}
		r := kodiRun{ns: ns, display: startXvfb(t, ns), bin: kodiBin, python: python, base: base, profile: p, log: accessLog,
			guide: base + "/grab.xml", guideFetched: "/grab.xml", loc: loc}
		g := r.fetchGuide(t)
		empty := 0
		for _, p := range g.Programmes {
			if p.Episode == 0 {
				empty++
			}
		}
		if empty == 0 {
			t.Fatal("the grabber's eight days mark no day without an airing")
		}
		k := r.start(t, false)
		k.checkChannel(t, r, g)
		k.checkBroadcasts(t, g)
		t.Logf("Kodi shows the %d \"No airing\" days the grabber marks", empty)
		k.quit(t)
	})
}

// kodiBinary returns the path of Debian's kodi.bin, which runs Kodi
// itself (the kodi script around it picks a windowing system of its
// own), after checking that the IPTV Simple add-on is installed.
func kodiBinary(t *testing.T) string {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/*/kodi/kodi.bin")
	if len(bins) == 0 {
		testkit.Missing(t, "Kodi (Debian's kodi)", errors.New("no /usr/lib/*/kodi/kodi.bin"))
	}
	if addon, _ := filepath.Glob("/usr/lib/*/kodi/addons/pvr.iptvsimple/pvr.iptvsimple.so*"); len(addon) == 0 {
		testkit.Missing(t, "IPTV Simple (Debian's kodi-pvr-iptvsimple)", errors.New("no pvr.iptvsimple add-on"))
	}
	return bins[0]
}

// startNginx serves site at base (port 80 of the namespace's loopback)
// with the README's snippet, and returns a function that reads its
// access log.
func startNginx(t *testing.T, ns *netns, site, base string) func() string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "nginx")
	accessLog := filepath.Join(dir, "access.log")
	cmd := testkit.Nginx{Listen: "127.0.0.1:80", Root: site, Dir: dir, HTTP: "access_log " + accessLog + ";"}.Command(t)
	testkit.Start(t, ns.command(cmd.Path, cmd.Args[1:]...), new(testkit.SyncBuffer), func() error {
		resp, err := ns.client.Get(base + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	return func() string {
		b, _ := os.ReadFile(accessLog)
		return string(b)
	}
}

// kodiRun is what a check gives Kodi and where it looks.
type kodiRun struct {
	ns      *netns
	display string // the namespace's X server
	bin     string // kodi.bin
	python  string // to write Kodi's add-on database
	base    string // the feed server's address
	profile kodiProfile
	log     func() string // the feed server's access log so far

	guide        string // the guide to compare Kodi with, as the site has it
	guideFetched string // the path of the guide Kodi fetches, in the access log
	loc          *time.Location
	screenshot   string // the name of the TV guide's screenshot; "" for none
}

// fetchGuide returns the guide Kodi is given, as the site has it now,
// after checking it against the site's JSON answers.
func (r kodiRun) fetchGuide(t *testing.T) guide {
	t.Helper()
	g, err := parseXMLTV(get(t, r.ns.client, r.guide))
	if err != nil {
		t.Fatalf("%s: %v", r.guide, err)
	}
	checkGuideAgainstJSON(t, r.ns.client, r.base, g, r.loc)
	return g
}

// checkKodiMovesOn loads the feed into a new Kodi and checks its channel
// and broadcasts, takes the screenshot, then calls move, which makes the
// feed as a day later, and checks what Kodi holds once it has refreshed.
func checkKodiMovesOn(t *testing.T, r kodiRun, move func()) {
	t.Helper()
	before := r.fetchGuide(t)
	k := r.start(t, false)
	k.checkChannel(t, r, before)
	first := k.checkBroadcasts(t, before)
	k.checkIcon(t, r)
	if r.screenshot != "" {
		k.screenshotGuide(t, before, filepath.Join(testkit.ScreenshotDir(t), r.screenshot))
	}
	k.quit(t)

	// A day later. Kodi asks its add-ons for their guides again once its
	// update interval (two hours by default, fifteen minutes at least)
	// has passed since the last; the add-on's own refresh, at its
	// shortest (every few seconds), stands for that here. Kodi keeps
	// what it had in its guide database and merges the new guide in.
	move()
	after := r.fetchGuide(t)
	fetched := strings.Count(r.log(), r.guideFetched)
	k = r.start(t, true)
	deadline := time.Now().Add(30 * time.Second)
	// Each refresh fetches the guide twice (the add-on's reload, then
	// Kodi's update asking for its days): five fetches mean that the
	// first refresh's update is merged.
	for strings.Count(r.log(), r.guideFetched) < fetched+5 {
		if time.Now().After(deadline) {
			t.Fatalf("Kodi fetched the moved guide %d times in 30 s, want 5", strings.Count(r.log(), r.guideFetched)-fetched)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Kodi lists a broadcast merged past the end of its database only
	// once it saves the database, which it does when it quits: read it
	// back in a Kodi started again, without the refresh, as a user who
	// switches on the next day sees it.
	k.quit(t)
	k = r.start(t, false)
	got := k.broadcasts(t, len(after.Programmes))
	k.quit(t)
	checkMovedOn(t, before, after, first, got)
}

// checkMovedOn checks what Kodi holds after the feed moved on: every
// programme of the new guide; besides them only programmes of the old
// guide before the new one's first (Kodi keeps past days until they age
// out); the broadcasts of the days both guides hold as they were; and no
// broadcast twice.
func checkMovedOn(t *testing.T, before, after guide, first, got []programme) {
	t.Helper()
	old := index(before.Programmes)
	for _, p := range after.Programmes {
		if o, ok := old[p.key()]; ok && !reflect.DeepEqual(o, p) {
			t.Errorf("the guide changed the programme at %s when it moved on a day: %s", p.Start, diff(o, p))
		}
	}
	seen := map[string]bool{}
	for i, b := range got {
		if seen[b.key()] {
			t.Errorf("Kodi holds two broadcasts starting at %s", b.Start)
		}
		seen[b.key()] = true
		if i > 0 && b.Start < got[i-1].End {
			t.Errorf("Kodi's broadcasts at %s and %s overlap", got[i-1].Start, b.Start)
		}
	}
	was := index(first)
	newFirst := after.Programmes[0].Start
	kept := 0
	for _, b := range got {
		if w, ok := was[b.key()]; ok && !reflect.DeepEqual(w, b) {
			t.Errorf("Kodi's broadcast at %s changed when the feed moved on: %s", b.Start, diff(w, b))
		}
		if _, ok := index(after.Programmes)[b.key()]; !ok {
			if _, ok := old[b.key()]; !ok || b.Start >= newFirst {
				t.Errorf("Kodi holds a broadcast at %s that neither guide has: %+v", b.Start, b)
			}
			kept++
		}
	}
	comparePrograms(t, "Kodi after the move", without(got, after), kodiView(after.Programmes))
	shared := 0
	for _, b := range got {
		if _, ok := was[b.key()]; ok {
			shared++
		}
	}
	t.Logf("after the move: Kodi holds %d broadcasts (%d of the new guide, %d kept from before its first day); %d were there the day before",
		len(got), len(got)-kept, kept, shared)
}

// without returns got less the broadcasts before g's first programme.
func without(got []programme, g guide) []programme {
	var out []programme
	for _, p := range got {
		if p.Start >= g.Programmes[0].Start {
			out = append(out, p)
		}
	}
	return out
}

// diff says which fields of a programme differ between was and now.
func diff(was, now programme) string {
	var out []string
	a, b := reflect.ValueOf(was), reflect.ValueOf(now)
	for i := range a.NumField() {
		if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			out = append(out, fmt.Sprintf("%s %s, now %s", a.Type().Field(i).Name,
				clip(fmt.Sprint(a.Field(i).Interface())), clip(fmt.Sprint(b.Field(i).Interface()))))
		}
	}
	return strings.Join(out, "; ")
}

// clip quotes s, cut to its first 60 characters.
func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return strconv.Quote(string(r[:60])) + "…"
	}
	return strconv.Quote(s)
}

// index returns ps by key.
func index(ps []programme) map[string]programme {
	m := make(map[string]programme, len(ps))
	for _, p := range ps {
		m[p.key()] = p
	}
	return m
}

// comparePrograms reports how got differs from want, programme by
// programme.
func comparePrograms(t *testing.T, what string, got, want []programme) {
	t.Helper()
	g, w := index(got), index(want)
	errs := 0
	report := func(format string, args ...any) {
		if errs++; errs <= 10 {
			t.Errorf(format, args...)
		}
	}
	for _, p := range want {
		b, ok := g[p.key()]
		switch {
		case !ok:
			report("%s: no broadcast at %s (%s, episode %d)", what, p.Start, p.Title, p.Episode)
		case !reflect.DeepEqual(b, p):
			report("%s: the broadcast at %s differs from the guide's programme: %s", what, p.Start, diff(p, b))
		}
	}
	for _, b := range got {
		if _, ok := w[b.key()]; !ok {
			report("%s: a broadcast at %s that the guide does not have: %+v", what, b.Start, b)
		}
	}
	if len(got) != len(want) {
		report("%s: %d broadcasts, want %d", what, len(got), len(want))
	}
	if errs > 10 {
		t.Errorf("%s: %d differences in all", what, errs)
	}
}

// kodiProfile is a Kodi profile folder (KODI_DATA) made for the test.
type kodiProfile struct {
	dir      string
	m3u, epg string // the playlist's and guide's URLs; no guide: the playlist's url-tvg
}

// The Kodi settings the test writes: the web server on port 8080 without
// a password (in the namespace only), the guide reaching 16 days ahead
// (the default 3 hides most of a week) and 2 back, times in SAST on a
// 24-hour clock. Kodi rejects a guisettings.xml without the resolutions
// and viewstates elements, writes its defaults over it and starts no web
// server.
const kodiSettings = `<settings version="2">
    <setting id="services.webserver">true</setting>
    <setting id="services.webserverport">8080</setting>
    <setting id="services.webserverauthentication">false</setting>
    <setting id="services.zeroconf">false</setting>
    <setting id="services.upnp">false</setting>
    <setting id="services.airplay">false</setting>
    <setting id="services.esenabled">false</setting>
    <setting id="services.wsdiscovery">false</setting>
    <setting id="epg.pastdaystodisplay">2</setting>
    <setting id="epg.futuredaystodisplay">16</setting>
    <setting id="locale.country">UK (24h)</setting>
    <setting id="locale.timezone">Africa/Johannesburg</setting>
    <resolutions />
    <viewstates />
</settings>
`

// The add-ons Kodi finds installed but did not install itself start
// disabled, behind a dialog asking to enable them that keeps the web
// server from starting: the add-on database (schema version 33, Kodi
// 20's) says they are enabled system add-ons.
const kodiAddons = `CREATE TABLE version (idVersion integer, iCompressCount integer);
INSERT INTO version VALUES (33, 0);
CREATE TABLE addons (id INTEGER PRIMARY KEY, metadata BLOB, addonID TEXT NOT NULL, version TEXT NOT NULL, name TEXT NOT NULL, summary TEXT NOT NULL, news TEXT NOT NULL, description TEXT NOT NULL);
CREATE TABLE repo (id integer primary key, addonID text, checksum text, lastcheck text, version text, nextcheck TEXT);
CREATE TABLE addonlinkrepo (idRepo integer, idAddon integer);
CREATE TABLE update_rules (id integer primary key, addonID TEXT, updateRule INTEGER);
CREATE TABLE package (id integer primary key, addonID text, filename text, hash text);
CREATE TABLE installed (id INTEGER PRIMARY KEY, addonID TEXT UNIQUE, enabled BOOLEAN, installDate TEXT, lastUpdated TEXT, lastUsed TEXT, origin TEXT NOT NULL DEFAULT '', disabledReason INTEGER NOT NULL DEFAULT 0);
CREATE INDEX idxAddons ON addons(addonID);
CREATE UNIQUE INDEX ix_addonlinkrepo_1 ON addonlinkrepo (idAddon, idRepo);
CREATE UNIQUE INDEX ix_addonlinkrepo_2 ON addonlinkrepo (idRepo, idAddon);
CREATE UNIQUE INDEX idxUpdate_rules ON update_rules(addonID, updateRule);
CREATE UNIQUE INDEX idxPackage ON package(filename);
INSERT INTO installed (addonID, enabled, installDate, origin) VALUES
 ('pvr.iptvsimple', 1, '2026-01-01 00:00:00', 'b6a50484-93a0-4afb-a01c-8d17e059feda'),
 ('inputstream.adaptive', 1, '2026-01-01 00:00:00', 'b6a50484-93a0-4afb-a01c-8d17e059feda'),
 ('inputstream.ffmpegdirect', 1, '2026-01-01 00:00:00', 'b6a50484-93a0-4afb-a01c-8d17e059feda'),
 ('inputstream.rtmp', 1, '2026-01-01 00:00:00', 'b6a50484-93a0-4afb-a01c-8d17e059feda');
`

// write makes the profile, or updates its add-on settings: with refresh,
// IPTV Simple reloads the playlist and the guide every few seconds.
func (p kodiProfile) write(t *testing.T, python string, refresh bool) {
	t.Helper()
	userdata := filepath.Join(p.dir, "userdata")
	addonData := filepath.Join(userdata, "addon_data", "pvr.iptvsimple")
	db := filepath.Join(userdata, "Database", "Addons33.db")
	if _, err := os.Stat(db); err != nil {
		for _, d := range []string{addonData, filepath.Dir(db)} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		write(t, filepath.Join(userdata, "guisettings.xml"), kodiSettings)
		// No sound card: ALSA's retries would cost seconds.
		write(t, filepath.Join(p.dir, ".asoundrc"), "pcm.!default { type null }\nctl.!default { type null }\n")
		cmd := exec.Command(python, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.stdin.read()); c.commit()", db)
		cmd.Stdin = strings.NewReader(kodiAddons)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("writing Kodi's add-on database: %v\n%s", err, out)
		}
	}
	mode := "0"
	if refresh {
		mode = "1"
	}
	var b strings.Builder
	b.WriteString("<settings version=\"2\">\n")
	for _, s := range [][2]string{
		{"m3uPathType", "1"}, {"m3uUrl", p.m3u}, {"m3uCache", "false"},
		{"epgPathType", "1"}, {"epgUrl", p.epg}, {"epgCache", "false"},
		{"m3uRefreshMode", mode}, {"m3uRefreshIntervalMins", "0"},
	} {
		fmt.Fprintf(&b, "    <setting id=%q>%s</setting>\n", s[0], xmlEscape(s[1]))
	}
	b.WriteString("</settings>\n")
	write(t, filepath.Join(addonData, "settings.xml"), b.String())
}

// xmlEscape escapes s for XML character data.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// write writes a file of the test's, stopping the test if it cannot.
func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// kodi is a running Kodi.
type kodi struct {
	r       kodiRun
	display string
	pid     int
	exited  <-chan struct{}
	logs    *testkit.SyncBuffer
	rpc     string
}

// start writes the profile and starts Kodi in the namespace, on its X
// display, and waits until its JSON-RPC API answers.
func (r kodiRun) start(t *testing.T, refresh bool) *kodi {
	t.Helper()
	r.profile.write(t, r.python, refresh)
	if r.display == "" {
		t.Fatal("no X display for Kodi")
	}
	k := &kodi{r: r, display: r.display, logs: new(testkit.SyncBuffer), rpc: "http://127.0.0.1:8080/jsonrpc"}
	cmd := r.ns.command(r.bin, "--windowing=x11", "--standalone")
	cmd.Env = append(os.Environ(), "HOME="+r.profile.dir, "KODI_DATA="+r.profile.dir, "DISPLAY="+k.display)
	started := time.Now()
	k.exited = testkit.Start(t, cmd, k.logs, func() error {
		var pong string
		return k.call("JSONRPC.Ping", nil, &pong)
	})
	k.pid = cmd.Process.Pid
	t.Logf("Kodi answers JSON-RPC %.1f s after it starts", time.Since(started).Seconds())
	return k
}

// startXvfb starts an X server in the namespace on a display number of
// its own choosing (the sockets' folder is shared by the whole machine),
// and returns the display, such as ":3".
func startXvfb(t *testing.T, ns *netns) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := ns.command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x720x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	number := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		number <- strings.TrimSpace(line)
	}()
	var display string
	testkit.Start(t, cmd, new(testkit.SyncBuffer), func() error {
		select {
		case display = <-number:
			if _, err := strconv.Atoi(display); err != nil {
				return fmt.Errorf("Xvfb says display %q", display)
			}
			return nil
		default:
			return errors.New("no display yet")
		}
	})
	w.Close()
	return ":" + display
}

// call calls a JSON-RPC method and decodes its result into result.
func (k *kodi) call(method string, params, result any) error {
	req := map[string]any{"jsonrpc": "2.0", "id": 1, "method": method}
	if params != nil {
		req["params"] = params
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	resp, err := k.r.ns.client.Post(k.rpc, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Result json.RawMessage
		Error  *struct {
			Code    int
			Message string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return fmt.Errorf("%s: %s: %v", method, resp.Status, err)
	}
	if answer.Error != nil {
		return fmt.Errorf("%s: error %d: %s", method, answer.Error.Code, answer.Error.Message)
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(answer.Result, result)
}

// kodiChannel is a channel as PVR.GetChannels gives it.
type kodiChannel struct {
	ChannelID     int    `json:"channelid"`
	Label         string `json:"label"`
	Icon          string `json:"icon"`
	ChannelNumber int    `json:"channelnumber"`
}

// channel waits until Kodi lists its TV channels and returns them.
func (k *kodi) channels(t *testing.T) []kodiChannel {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var r struct{ Channels []kodiChannel }
		err := k.call("PVR.GetChannels", map[string]any{"channelgroupid": "alltv",
			"properties": []string{"icon", "channelnumber"}}, &r)
		if err == nil && len(r.Channels) > 0 {
			return r.Channels
		}
		if time.Now().After(deadline) {
			t.Fatalf("Kodi lists no channel after 30 s (%v)\n%s", err, k.logTail())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkChannel checks Kodi's one channel against the playlist and the
// guide: its name, number and icon, and the playlist's tvg-id naming the
// guide's channel, the match IPTV Simple makes first.
func (k *kodi) checkChannel(t *testing.T, r kodiRun, g guide) {
	t.Helper()
	m3u := string(get(t, r.ns.client, r.profile.m3u))
	attr := func(name string) string {
		m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(m3u)
		if m == nil {
			t.Fatalf("the playlist has no %s:\n%s", name, m3u)
		}
		return m[1]
	}
	if id := attr("tvg-id"); id != g.ChannelID {
		t.Errorf("the playlist's tvg-id is %q, the guide's channel %q", id, g.ChannelID)
	}
	if guideURL := attr("url-tvg"); !strings.HasPrefix(guideURL, r.base+"/") {
		t.Errorf("the playlist names its guide %q, want an absolute URL under %s", guideURL, r.base)
	}
	chs := k.channels(t)
	if len(chs) != 1 {
		t.Fatalf("Kodi lists %d channels, want 1: %+v", len(chs), chs)
	}
	ch := chs[0]
	want := kodiChannel{ChannelID: ch.ChannelID, Label: g.ChannelName, Icon: attr("tvg-logo"), ChannelNumber: 1}
	if ch != want {
		t.Errorf("Kodi's channel:\n got %+v\nwant %+v", ch, want)
	}
	if !strings.HasPrefix(ch.Icon, r.base+"/") {
		t.Errorf("the channel's icon is %q, want one under %s", ch.Icon, r.base)
	}
	t.Logf("Kodi's channel: %q, number %d, icon %s", ch.Label, ch.ChannelNumber, ch.Icon)
}

// kodiBroadcast is a broadcast as PVR.GetBroadcasts gives it.
type kodiBroadcast struct {
	Title       string   `json:"title"`
	Plot        string   `json:"plot"`
	StartTime   string   `json:"starttime"`
	EndTime     string   `json:"endtime"`
	Genre       []string `json:"genre"`
	EpisodeName string   `json:"episodename"`
	EpisodeNum  int      `json:"episodenum"`
	FirstAired  string   `json:"firstaired"`
	Cast        string   `json:"cast"`
	Writer      string   `json:"writer"`
	IsSeries    bool     `json:"isseries"`
	Thumbnail   string   `json:"thumbnail"`
}

var broadcastProperties = []string{"title", "plot", "starttime", "endtime", "genre", "episodename", "episodenum",
	"firstaired", "cast", "writer", "isseries", "thumbnail"}

// broadcasts waits until Kodi lists at least want broadcasts on its
// channel, and then until the list stops changing, at most 30 s in all,
// and returns them in order.
func (k *kodi) broadcasts(t *testing.T, want int) []programme {
	t.Helper()
	id := k.channels(t)[0].ChannelID
	deadline := time.Now().Add(30 * time.Second)
	var last []programme
	for {
		var r struct{ Broadcasts []kodiBroadcast }
		err := k.call("PVR.GetBroadcasts", map[string]any{"channelid": id, "properties": broadcastProperties}, &r)
		if err == nil {
			got := make([]programme, len(r.Broadcasts))
			for i, b := range r.Broadcasts {
				got[i] = b.programme()
			}
			slices.SortFunc(got, func(a, b programme) int { return strings.Compare(a.Start, b.Start) })
			if len(got) >= want && reflect.DeepEqual(got, last) {
				return got
			}
			last = got
		}
		if time.Now().After(deadline) {
			t.Logf("Kodi lists %d broadcasts after 30 s, want %d (%v)", len(last), want, err)
			return last
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// programme returns b in the terms of a guide's programme.
func (b kodiBroadcast) programme() programme {
	p := programme{Start: b.StartTime, End: b.EndTime, Title: b.Title, EpisodeName: b.EpisodeName, Genres: b.Genre,
		Series: b.IsSeries, FirstAired: b.FirstAired, Plot: b.Plot, Cast: b.Cast, Writer: b.Writer, Icon: b.Thumbnail}
	if b.EpisodeNum > 0 {
		p.Episode = b.EpisodeNum
	}
	if len(p.Genres) == 0 {
		p.Genres = nil
	}
	return p
}

// kodiView returns the programmes as Kodi shows them: a programme with
// no category has the genre Kodi (in British English) calls
// "Other / Unknown".
func kodiView(ps []programme) []programme {
	out := slices.Clone(ps)
	for i := range out {
		if len(out[i].Genres) == 0 {
			out[i].Genres = []string{"Other / Unknown"}
		}
	}
	return out
}

// checkBroadcasts checks that Kodi's broadcasts are g's programmes and
// returns them.
func (k *kodi) checkBroadcasts(t *testing.T, g guide) []programme {
	t.Helper()
	got := k.broadcasts(t, len(g.Programmes))
	want := kodiView(g.Programmes)
	comparePrograms(t, "Kodi", got, want)
	if len(got) > 0 {
		t.Logf("Kodi holds %d broadcasts, the guide's %d programmes: %s %q episode %d %q to %s; genres %q",
			len(got), len(want), got[0].Start, got[0].Title, got[0].Episode, got[0].EpisodeName, got[len(got)-1].Start, got[0].Genres)
	}
	return got
}

// checkIcon opens Kodi's TV guide, which shows the channel's icon, and
// checks that Kodi fetched it from the feed server and keeps it in its
// texture cache.
func (k *kodi) checkIcon(t *testing.T, r kodiRun) {
	t.Helper()
	if err := k.call("GUI.ActivateWindow", map[string]any{"window": "tvguide"}, nil); err != nil {
		t.Fatal(err)
	}
	ch := k.channels(t)[0]
	deadline := time.Now().Add(20 * time.Second)
	for {
		var tex struct {
			Textures []struct {
				URL string `json:"url"`
			}
		}
		err := k.call("Textures.GetTextures", map[string]any{"properties": []string{"url"},
			"filter": map[string]any{"field": "url", "operator": "contains", "value": filepath.Base(ch.Icon)}}, &tex)
		if err == nil && len(tex.Textures) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Kodi cached no texture of %s within 20 s (%v)", ch.Icon, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	path := strings.TrimPrefix(ch.Icon, r.base)
	if !regexp.MustCompile(`GET `+regexp.QuoteMeta(path)+`( HTTP/1\.1" (200|206) | status=(200|206) )`).MatchString(r.log()) &&
		!regexp.MustCompile(`method=GET path=`+regexp.QuoteMeta(path)+` status=(200|206) `).MatchString(r.log()) {
		t.Errorf("the feed server's log shows no GET of %s:\n%s", path, r.log())
	}
}

// screenshotGuide moves Kodi's TV guide, open at the present, to the
// guide's next airing of the show and saves a screenshot of the screen.
// The guide's cursor moves by the actions a remote sends: 12 hours at a
// time, then an hour or a programme at a time, until it is on an
// airing. The screenshot is for people to look at; where the cursor ends
// up is logged, not asserted.
func (k *kodi) screenshotGuide(t *testing.T, g guide, file string) {
	t.Helper()
	var next programme
	nowText := time.Now().UTC().Format(kodiTime)
	for _, p := range g.Programmes {
		if p.Episode > 0 && p.End > nowText {
			next = p
			break
		}
	}
	action := func(name string) {
		if err := k.call("Input.ExecuteAction", map[string]any{"action": name}, nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
	}
	labels := func() map[string]string {
		var l map[string]string
		k.call("XBMC.GetInfoLabels", map[string]any{"labels": []string{"ListItem.Title", "ListItem.EpisodeName",
			"ListItem.StartTime", "ListItem.Date", "ListItem.Genre"}}, &l)
		return l
	}
	time.Sleep(time.Second) // the guide window loads its timeline
	if next.Start != "" {
		start, _ := time.Parse(kodiTime, next.Start)
		for range int(time.Until(start).Hours() / 12) {
			action("skipnext")
		}
		for range 40 {
			if labels()["ListItem.Title"] == next.Title {
				// On to the next programme and back, so that the
				// timeline scrolls the airing into the middle.
				action("right")
				action("left")
				break
			}
			action("right")
		}
		time.Sleep(time.Second) // the info panel follows the cursor
	}
	l := labels()
	t.Logf("Kodi's TV guide, on %q %q at %s %s", l["ListItem.Title"], l["ListItem.EpisodeName"], l["ListItem.Date"], l["ListItem.StartTime"])
	cmd := k.r.ns.command("import", "-display", k.display, "-window", "root", file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("screenshot: %v\n%s", err, out)
		return
	}
	t.Logf("screenshot of Kodi's TV guide: %s", file)
}

// quit asks Kodi to quit, which saves its guide database, and waits for
// it to exit.
func (k *kodi) quit(t *testing.T) {
	t.Helper()
	started := time.Now()
	k.call("Application.Quit", nil, nil)
	select {
	case <-k.exited:
		t.Logf("Kodi quit in %.1f s", time.Since(started).Seconds())
	case <-time.After(30 * time.Second):
		t.Errorf("Kodi did not quit within 30 s\n%s", k.logTail())
	}
}

// logTail returns the end of Kodi's own log, for failure messages.
func (k *kodi) logTail() string {
	b, _ := os.ReadFile(filepath.Join(k.r.profile.dir, "temp", "kodi.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
