package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeTags are the rules axe-core runs: WCAG 2.0, 2.1 and 2.2, levels A
// and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeViolation is one rule a page breaks, as axe-core reports it.
type axeViolation struct {
	ID          string `json:"id"`
	Impact      string `json:"impact"`
	Description string `json:"description"`
	Nodes       []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// TestAccessibility runs axe-core (from npm, pinned in
// .ci/package-lock.json) in the CI's Chromium on every kind of page, of
// the history and of a replay window, with and without a public URL, at
// 390 and 1366 px, with the pages' own script running: none may break a
// rule of WCAG 2.2 at levels A and AA (target sizes, contrast, names,
// structure among them).
func TestAccessibility(t *testing.T) {
	testkit.SkipUnlessFull(t, "axe-core on 21 pages at two widths takes ~40 s")
	bin := chromium(t)
	axePath, err := filepath.Abs("../../.ci/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		testkit.Missing(t, "axe-core (cd .ci && npm ci)", err)
	}
	history := "http://" + serveOn(t, newServer(t)) + "/"
	public := serveSelf(t)
	base := testkit.Default(t)
	replay := "http://" + serveOn(t, newServer(t, func(s *Server) {
		s.Schedule = nil
		s.Timeline = DailyTimeline(base.Location(), func(now time.Time) (*schedule.Schedule, error) {
			return base.Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: now, Days: 7, PastDays: 1})
		})
	})) + "/"
	pages := []string{
		history, history + "days/2003-06-16.html", history + "days/2008-03-04.html", history + "days/2003-06-14.html",
		history + "days/2012-02-20.html", history + "episodes/816.html", history + "episodes/1.html", history + "years/2003.html",
		history + "years/2000.html", history + "404.html", history + "?date=today", history + "?date=2003-02-30", history + "nope",
		public, public + "episodes/816.html", public + "days/2003-06-16.html",
		replay, replay + "days/2026-11-26.html", replay + "days/2026-11-28.html", replay + "episodes/819.html", replay + "?episode=1000",
	}

	ctx, cancel := chromedp.NewContext(headless(t, bin))
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	defer cancelTimeout()
	// axe is put into each page by the test, past the pages' own
	// Content-Security-Policy, which allows the site's script alone.
	if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx}
	tags, _ := json.Marshal(axeTags)
	run := fmt.Sprintf(`axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, tags)
	checked := 0
	for _, screen := range []struct {
		name string
		size [2]int64
	}{{"desktop", desktop}, {"phone", phone}} {
		b.size(screen.size)
		for _, u := range pages {
			resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(u))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status >= 500 {
				t.Fatalf("%s: got %d", u, resp.Status)
			}
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[*cdpruntime.RemoteObject](string(axe))); err != nil {
				t.Fatalf("%s: loading axe: %v", u, err)
			}
			out, err := chromedp.Run(ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s: axe: %v", u, err)
			}
			var violations []axeViolation
			if err := json.Unmarshal([]byte(out), &violations); err != nil {
				t.Fatalf("%s: axe's answer %q: %v", u, out, err)
			}
			for _, v := range violations {
				var where []string
				for _, n := range v.Nodes {
					where = append(where, fmt.Sprint(n.Target)+": "+strings.ReplaceAll(n.Summary, "\n", " "))
				}
				t.Errorf("%s at %s: %s (%s, %s), %d elements:\n  %s", u, screen.name, v.ID, v.Description, v.Impact, len(v.Nodes), strings.Join(where, "\n  "))
			}
			checked++
		}
	}
	t.Logf("axe-core %s: %d pages, rules tagged %s", axeVersion(axe), checked, strings.Join(axeTags, ", "))
}

// serveSelf runs a server on a free port of 127.0.0.1 until the test
// ends, with that address as its public URL, so that its pages' absolute
// links (their stylesheet among them) reach it; it returns the address.
func serveSelf(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	s := newServer(t, func(s *Server) { s.PublicURL = base })
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return base + "/"
}

// axeVersion reads axe-core's version from the head of its source.
func axeVersion(src []byte) string {
	s := string(src[:min(len(src), 200)])
	if i := strings.Index(s, "axe v"); i >= 0 {
		return strings.Fields(s[i+4:])[0]
	}
	return "(version unknown)"
}
