package server

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium returns the path of the Chromium to drive: skipped where it is
// missing, except in CI (CI=true), which installs it.
func chromium(t *testing.T) string {
	t.Helper()
	names := []string{"/usr/bin/chromium", "chromium", "chromium-browser"}
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	testkit.Missing(t, "chromium", fmt.Errorf("none of %s found", strings.Join(names, ", ")))
	return ""
}

// headless returns an allocator of a headless Chromium at bin, with a
// profile of its own and a desktop's window, which the test ends. The
// flags keep it off the network (this machine has none) and quiet.
func headless(t *testing.T, bin string, more ...chromedp.ExecAllocatorOption) context.Context {
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(int(desktop[0]), int(desktop[1])),
	}, more...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	return actx
}

// The two screens the pages are tried on: a 390-pixel phone and a
// 1366-pixel laptop.
var (
	phone   = [2]int64{390, 844}
	desktop = [2]int64{1366, 900}
)

// TestBrowser drives a real, headless Chromium with JavaScript off, on a
// phone's screen and a desktop's: the questions' forms, a day and its
// month, a year's calendars, a day between the runs, an episode, and
// replay mode's today and week. It saves a screenshot of each page at
// each width (see screenshotDir), and checks what a phone needs: nothing
// wider than the screen, the history as years of months that can be
// tapped, and the day's own cell marked.
func TestBrowser(t *testing.T) {
	testkit.SkipUnlessFull(t, "Chromium opens every kind of page at two widths, about 30 s")
	bin := chromium(t)
	history := "http://" + serveOn(t, newServer(t)) + "/"
	base := testkit.Default(t)
	replay := "http://" + serveOn(t, newServer(t, func(s *Server) {
		s.Schedule = nil
		s.Timeline = DailyTimeline(base.Location(), func(now time.Time) (*schedule.Schedule, error) {
			return base.Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: now, Days: 7, PastDays: 1})
		})
	})) + "/"

	shots := testkit.ScreenshotDir(t)
	actx := headless(t, bin, chromedp.Flag("hide-scrollbars", true))
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	bctx, cancelTimeout := context.WithTimeout(bctx, 2*time.Minute)
	defer cancelTimeout()

	// No script runs in the page: the browser is told to run none, so
	// this shows the pages work with JavaScript off. (chromedp's own
	// probes run through the DevTools protocol, not the page.)
	if _, err := chromedp.Call(bctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: bctx, dir: shots}

	for _, screen := range []struct {
		name string
		size [2]int64
	}{{"desktop", desktop}, {"phone", phone}} {
		t.Run(screen.name, func(t *testing.T) {
			b.t = t
			b.size(screen.size)
			w := screen.name

			// The index: the history as a picture on a desktop, as years of
			// months on a phone.
			b.open(history)
			b.shot(w + "-index")
			picture, tiles := b.visible(".rows img"), b.visible("ol.yeargrid")
			if (w == "desktop") != picture || (w == "phone") != tiles {
				t.Errorf("%s: history picture shown %v, years of months shown %v", w, picture, tiles)
			}
			if w == "phone" {
				b.tappable(`ol.yeargrid .months a`)
			} else {
				b.tappable(`.rows a.year`)
			}
			if text := b.text("#on-this-day + p + ul"); !strings.Contains(text, "Thursday 26 November 2009") {
				t.Errorf("%s: on this day lacks 26 November 2009: %q", w, text)
			}
			if !b.visible("img.art") {
				t.Errorf("%s: the show's artwork is not shown", w)
			}
			if !b.visible(".feeds dd.years a") {
				t.Errorf("%s: the one-year calendars are not shown", w)
			}

			// A day, asked with the date field.
			if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.ID("date"), "2003-06-16")); err != nil {
				t.Fatal(err)
			}
			b.follow(chromedp.Click(chromedp.CSS("#date ~ button")))
			if url := b.location(); !strings.HasSuffix(url, "/days/2003-06-16.html") {
				t.Errorf("%s: the form went to %s, want /days/2003-06-16.html", w, url)
			}
			if day := b.text(".answer"); !strings.Contains(day, "Monday 16 June 2003") || !strings.Contains(day, "Episode 816") ||
				!strings.Contains(day, "On Monday 16 June 2003, e.tv aired episode 816 of Backstage from 18:30 to 19:00 SAST") {
				t.Errorf("%s: got the day %q, want Monday 16 June 2003 and episode 816, in a sentence", w, day)
			}
			if cur := b.text(`table.cal td[aria-current="page"]`); cur != "16" {
				t.Errorf("%s: the month's current day is %q, want 16", w, cur)
			}
			b.tappable(`table.cal td.r0 a`)
			b.shot(w + "-day")

			// Its episode, then back to the month on the year's page.
			b.follow(chromedp.Click(chromedp.CSS(`a[href="../episodes/816.html"]`)))
			if ep := b.text(".answer"); !strings.Contains(ep, "Episode 816") || !strings.Contains(ep, "20 Feb 2012") ||
				!strings.Contains(strings.ToLower(ep), "first airing") || !strings.Contains(ep, "Add it to your calendar") || !strings.Contains(ep, "Starring") {
				t.Errorf("%s: got episode %q, want its airings, 2012's rerun among them, its calendar and its cast", w, ep)
			}
			if !b.visible(".episode img.art") {
				t.Errorf("%s: the episode's page shows no artwork", w)
			}
			b.tappable(`.episode .daynav a[rel="next"]`)
			b.shot(w + "-episode")
			b.open(history + "days/2003-06-16.html")
			b.follow(chromedp.Click(chromedp.CSS(`table.cal caption a`)))
			if url := b.location(); !strings.HasSuffix(url, "/years/2003.html#m06") {
				t.Errorf("%s: the month's caption went to %s", w, url)
			}
			if cell := b.text(`#m06 td a[href="../days/2003-06-16.html"]`); cell != "16 episode 816" && cell != "16\nepisode 816" && !strings.HasSuffix(cell, "816") {
				t.Errorf("%s: 16 June 2003 on the year's page reads %q, want its episode, 816", w, cell)
			}
			b.tappable(`#m06 td a`)
			b.shot(w + "-year")

			// A day between the runs links the airings either side.
			b.open(history + "days/2008-03-04.html")
			if gap := b.text(".answer"); !strings.Contains(gap, "Backstage did not air on Tuesday 4 March 2008") || !strings.Contains(gap, "falls between the original run") || !strings.Contains(gap, "The next airing") {
				t.Errorf("%s: the gap's day says %q", w, gap)
			}
			b.shot(w + "-gap")
			b.follow(chromedp.Click(chromedp.CSS(`.around li:last-child a`)))
			if next := b.text(".answer"); !strings.Contains(next, "Monday 5 January 2009") || !strings.Contains(next, "rebroadcast") {
				t.Errorf("%s: the next airing after the gap is %q", w, next)
			}

			// On a phone, a year's month is a tap from the index, and its
			// days a tap each.
			if w == "phone" {
				b.open(history)
				b.tappable(`ol.yeargrid .months a`)
				b.follow(chromedp.Click(chromedp.CSS(`ol.yeargrid a[href="years/2009.html#m01"]`)))
				b.follow(chromedp.Click(chromedp.CSS(`#m01 a[href="../days/2009-01-05.html"]`)))
				if day := b.text(".answer"); !strings.Contains(day, "Monday 5 January 2009") {
					t.Errorf("the phone's path from the years to a day ended at %q", day)
				}
			}

			// Replay mode: today, this week's guide, and no history
			// picture.
			b.open(replay)
			b.shot(w + "-replay")
			if today := b.text("section.today"); !strings.Contains(today, "Today, Thursday 26 November 2026") ||
				!strings.Contains(today, "Episode 819") || strings.Count(today, "replays the airing of Thursday 19 June 2003, 18:30") != 1 {
				t.Errorf("%s: replay's today says %q", w, today)
			}
			if guide := b.text("section.week"); !strings.Contains(guide, "Mon 30 Nov") || !strings.Contains(guide, "Episode 821") {
				t.Errorf("%s: replay's week says %q", w, guide)
			}
			if b.visible(".rows") || b.visible("ol.yeargrid") {
				t.Errorf("%s: replay mode shows the history picture", w)
			}
			b.follow(chromedp.Click(chromedp.CSS(`section.week a[href="days/2026-11-28.html"]`)))
			if sat := b.text(".answer"); !strings.Contains(sat, "Backstage does not air on Saturday 28 November 2026") || !strings.Contains(sat, "Monday 30 November 2026, 18:30: episode 821") {
				t.Errorf("%s: a Saturday of the window says %q", w, sat)
			}
			b.shot(w + "-replay-day")

			// An episode outside the window, asked of the server.
			if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.ID("episode"), "1000")); err != nil {
				t.Fatal(err)
			}
			b.follow(chromedp.Click(chromedp.CSS("#episode ~ button")))
			if ep := b.text(".answer"); !strings.Contains(ep, "is not on this week's guide") || !strings.Contains(ep, "It first aired on Friday 27 February 2004, 18:30") {
				t.Errorf("%s: episode 1000 outside the window: %q", w, ep)
			}
			b.shot(w + "-replay-episode-elsewhere")
		})
	}

	// The history picture's rows are loaded only where they are shown: a
	// phone, which shows the years as month tiles, fetches none of them,
	// and the same page widened to a desktop's fetches them. A tab of its
	// own, with the browser's cache emptied, so that no picture is
	// already at hand.
	t.Run("lazy", func(t *testing.T) {
		tab, cancel := chromedp.NewContext(bctx)
		defer cancel()
		if _, err := chromedp.Call(tab, network.ClearBrowserCache, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		lb := &browser{t: t, ctx: tab, dir: shots}
		lb.size(phone)
		lb.open(history)
		if n := lb.loaded("/history/"); n != 0 {
			t.Errorf("a phone loaded %d of the history picture's rows", n)
		}
		lb.size(desktop)
		if _, err := chromedp.Run(tab, chromedp.Evaluate[*cdpruntime.RemoteObject](`document.querySelector(".rows").scrollIntoView()`)); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for lb.loaded("/history/") < 18 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if n := lb.loaded("/history/"); n != 18 {
			t.Errorf("a desktop loaded %d of the history picture's 17 rows and its months, want 18", n)
		}
	})

	// A site under a public URL: its one-click subscribe links, and its
	// addresses, which break only after a slash.
	t.Run("public", func(t *testing.T) {
		public := serveSelf(t)
		tab, cancel := chromedp.NewContext(bctx)
		defer cancel()
		pb := &browser{t: t, ctx: tab, dir: shots}
		for _, screen := range []struct {
			name string
			size [2]int64
		}{{"desktop", desktop}, {"phone", phone}} {
			pb.size(screen.size)
			pb.open(public + "episodes/816.html")
			if sub := pb.text(".oneclick"); !strings.Contains(sub, "Google Calendar") || !strings.Contains(sub, "Outlook") || !strings.Contains(sub, "webcal") {
				t.Errorf("%s: the episode's one-click links: %q", screen.name, sub)
			}
			pb.tappable(".oneclick a")
			pb.shot(screen.name + "-episode-public")
			pb.open(public)
			pb.shot(screen.name + "-index-public")
			pb.open(public + "404.html")
			pb.shot(screen.name + "-404")
			pb.open(public + "?date=today")
			if today := pb.text(".answer"); !strings.Contains(today, "Nothing aired on Thursday 26 November 2026") || !strings.Contains(today, "episode 1875") {
				t.Errorf("%s: today, after the history: %q", screen.name, today)
			}
			pb.shot(screen.name + "-today")
		}
	})

	// With script, on a tab of its own: replay mode's "On now" and "Next"
	// by the browser's clock, and an episode outside the window answered
	// under the form, as on a static host. The server's clock is the
	// real one here, so that the window is around the browser's today.
	t.Run("script", func(t *testing.T) {
		live := "http://" + serveOn(t, newServer(t, func(s *Server) {
			s.Schedule, s.Now = nil, nil
			s.Timeline = DailyTimeline(base.Location(), func(now time.Time) (*schedule.Schedule, error) {
				return base.Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: now, Days: 7, PastDays: 1, Loop: true})
			})
		})) + "/"
		tab, cancel := chromedp.NewContext(bctx)
		defer cancel()
		sb := &browser{t: t, ctx: tab, dir: shots}
		sb.size(desktop)
		sb.open(live)
		if badge := sb.text("strong.badge"); !strings.EqualFold(badge, "On now") && !strings.EqualFold(badge, "Next") {
			t.Errorf("replay's index marks %q, want On now or Next", badge)
		}
		sb.shot("desktop-replay-script")
		if err := chromedp.Do(tab, chromedp.SetValue(chromedp.ID("episode"), "1"), chromedp.Click(chromedp.CSS("#episode ~ button"))); err != nil {
			t.Fatal(err)
		}
		if said := sb.text("form .said"); !strings.HasPrefix(said, "Episode 1 is not on this week's guide, which has episodes ") {
			t.Errorf("the script answered episode 1 with %q", said)
		}
		if url := sb.location(); url != live {
			t.Errorf("the script left the page for %s", url)
		}
	})
	t.Logf("screenshots in %s", shots)
}

// browser is the page a test drives, and where its screenshots go.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string
	w   int64
}

// size sets the viewport, as a phone or a desktop would have it.
func (b *browser) size(s [2]int64) {
	b.t.Helper()
	b.w = s[0]
	opts := []chromedp.EmulateViewportOption{}
	if s[0] < 500 {
		opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
	}
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(s[0], s[1], opts...)); err != nil {
		b.t.Fatal(err)
	}
}

// open loads url and checks that the page is no wider than the screen.
func (b *browser) open(url string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(url))
	if err != nil {
		b.t.Fatal(err)
	}
	if resp.Status != 200 {
		b.t.Fatalf("%s: got status %d", url, resp.Status)
	}
	b.fits()
}

// follow runs a click that loads a page and waits for it; it fails the
// test unless the page came with status 200. A click that moves within
// the page (to #m01, say) loads nothing and is just run. A query made
// while the old page is going away can fail: RunResponse waits.
func (b *browser) follow(click chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, click)
	if err != nil {
		b.t.Fatal(err)
	}
	if resp != nil && resp.Status != 200 {
		b.t.Fatalf("%s: got status %d", resp.URL, resp.Status)
	}
	b.fits()
}

// fits checks that nothing on the page is wider than the screen, which
// would cut it off or make the phone's page slide sideways.
func (b *browser) fits() {
	b.t.Helper()
	m, err := chromedp.Call(b.ctx, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		b.t.Fatal(err)
	}
	if w := m.CSSContentSize.Width; w > float64(b.w)+0.5 {
		b.t.Errorf("%s: the page is %.0f px wide on a %d px screen", b.location(), w, b.w)
	}
	clipped, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](clippedJS))
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range clipped {
		b.t.Errorf("%s at %d px: %s", b.location(), b.w, c)
	}
}

// clippedJS finds text a reader cannot read whole: a box of the page
// that scrolls sideways (a table cut mid-word), and a name, a number or
// a piece of an address in a link or code broken across two lines
// ("compact.ic" / "s"). Addresses may break after a slash, each piece a
// text node of its own.
const clippedJS = `(() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".vh, .skip")) continue;
    const cs = getComputedStyle(el);
    if (cs.display === "none" || el.clientWidth === 0) continue;
    if (["auto", "scroll", "hidden", "clip"].includes(cs.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      out.push("cut, or to scroll sideways: <" + el.tagName.toLowerCase() + " class=" + el.className + ">");
    }
  }
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode()); ) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || /\s/.test(text) || !el.closest("a, code") || el.closest(".vh, .skip, [hidden]")) continue;
    const r = document.createRange();
    r.selectNodeContents(n);
    const lines = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
    if (lines.size > 1) out.push("broken across lines: " + text);
  }
  return out;
})()`

// loaded returns how many of the resources the page has loaded have
// part in their address.
func (b *browser) loaded(part string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`performance.getEntriesByType("resource").filter((e) => e.name.includes(%q)).length`, part)))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// location returns the page's URL.
func (b *browser) location() string {
	b.t.Helper()
	return run(b.t, b.ctx, chromedp.Location())
}

// text returns the text of the first element sel selects.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Errorf("%s: %s: %v", b.location(), sel, err)
	}
	return strings.TrimSpace(s)
}

// box returns the box of the first element sel selects, and whether it is
// laid out (nil and false for an element not shown).
func (b *browser) box(sel string) (*dom.BoxModel, bool) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	// The page has loaded: an element that is not there now will not be.
	if nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel), chromedp.AtLeast(0))); err != nil || len(nodes) == 0 {
		return nil, false
	}
	m, err := chromedp.Run(ctx, chromedp.Dimensions(chromedp.CSS(sel)))
	return m, err == nil && m != nil && m.Width > 0 && m.Height > 0
}

// visible reports whether the first element sel selects is shown.
func (b *browser) visible(sel string) bool {
	b.t.Helper()
	_, ok := b.box(sel)
	return ok
}

// tappable checks that the first element sel selects is at least 24 by
// 24 CSS pixels, the least target size WCAG 2.2 asks for.
func (b *browser) tappable(sel string) {
	b.t.Helper()
	m, ok := b.box(sel)
	if !ok {
		b.t.Errorf("%s: %s is not shown", b.location(), sel)
		return
	}
	if m.Width < 24 || m.Height < 24 {
		b.t.Errorf("%s: %s is %d by %d px, want at least 24 by 24 to tap", b.location(), sel, m.Width, m.Height)
	}
}

// shot saves a PNG of the whole page as name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png := run(b.t, b.ctx, chromedp.FullScreenshot(100))
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// run runs a browser action that returns a value, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
