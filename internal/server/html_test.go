package server

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// htmlValidateConfig: the recommended and accessibility rule sets of
// html-validate, less two rules that only pick a spelling (<br> vs <br/>,
// hidden vs hidden="").
const htmlValidateConfig = `{"extends": ["html-validate:recommended", "html-validate:a11y"],
 "rules": {"void-style": "off", "attribute-boolean-style": "off"}}`

// TestValidHTML runs every kind of page through html-validate (npm,
// pinned in .ci/package-lock.json): skipped where it is missing, except
// in CI.
func TestValidHTML(t *testing.T) {
	bin, err := filepath.Abs("../../.ci/node_modules/.bin/html-validate")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		testkit.Missing(t, "html-validate (cd .ci && npm ci)", err)
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "html-validate.json")
	if err := os.WriteFile(config, []byte(htmlValidateConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	historic := newServer(t).Handler()
	public := newServer(t, func(s *Server) { s.PublicURL = "https://tv.example.org/backstage" }).Handler()
	base := testkit.Default(t)
	replay := newServer(t, func(s *Server) {
		s.Schedule = nil
		s.Timeline = DailyTimeline(base.Location(), func(now time.Time) (*schedule.Schedule, error) {
			return base.Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: now, Days: 7, PastDays: 1, Loop: true})
		})
	}).Handler()
	// A day of the window, from the links of its index.
	_, index := do(t, replay, "GET", "/")
	m := regexp.MustCompile(`href="(days/\d{4}-\d\d-\d\d\.html)"`).FindSubmatch(index)
	if m == nil {
		t.Fatal("the replay index links to no day")
	}
	replayDay := "/" + string(m[1])
	var files []string
	pages := []struct {
		name   string
		replay bool
		target string
		status int
	}{
		{"index history", false, "/", 200},
		{"index replay", true, "/", 200},
		{"day", false, "/days/2003-06-16.html", 200},
		{"gap day", false, "/days/2008-06-16.html", 200},
		{"weekend day", false, "/days/2003-06-14.html", 200},
		{"episode", false, "/episodes/1000.html", 200},
		{"year", false, "/years/2003.html", 200},
		{"first year", false, "/years/2000.html", 200},
		{"replay day", true, replayDay, 200},
		{"replay episode elsewhere", true, "/?episode=1", 200},
		{"replay episode", true, "/episodes/819.html", 200},
		{"replay day elsewhere", true, "/?date=2026-12-10", 200},
		{"today, after the history", false, "/?date=today", 200},
		{"error page", false, "/?date=2003-02-30", 400},
		{"404", false, "/nope", 404},
		{"404.html", false, "/404.html", 200},
		{"public episode", false, "public:/episodes/816.html", 200},
		{"public index", false, "public:/", 200},
	}
	for _, p := range pages {
		h := historic
		if p.replay {
			h = replay
		}
		target, ok := strings.CutPrefix(p.target, "public:")
		if ok {
			h = public
		}
		resp, body := do(t, h, "GET", target)
		if resp.StatusCode != p.status {
			t.Fatalf("%s: got %d, want %d", p.target, resp.StatusCode, p.status)
		}
		file := filepath.Join(dir, strings.ReplaceAll(p.name, " ", "-")+".html")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	out, err := exec.Command(bin, append([]string{"--config", config}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("html-validate: %v\n%s", err, out)
	}
}
