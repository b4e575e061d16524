package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/chromedp/cdproto/emulation"
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

// TestBrowser drives a real, headless Chromium: it opens the page, picks a
// day with the date picker, submits the form and checks that the day's
// episode appears; it also opens an episode, and clicks a day in the
// history picture. Screenshots go to the test's temporary directory. The
// page has no script; the browser runs none of its own here either.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	bin := chromium(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- newServer(t).Serve(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	base := "http://" + ln.Addr().String() + "/"

	dir := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1280, 1600),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	bctx, cancelTimeout := context.WithTimeout(bctx, 90*time.Second)
	defer cancelTimeout()

	// No script runs in the page: the browser is told to run none, so
	// this shows the page works with JavaScript off. (chromedp's own
	// probes run through the DevTools protocol, not the page.)
	if _, err := chromedp.Call(bctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx,
		chromedp.Navigate(base),
		chromedp.WaitVisible(chromedp.ID("date")),
		chromedp.SetValue(chromedp.ID("date"), "2003-06-16"),
	); err != nil {
		t.Fatal(err)
	}
	// A click that navigates is waited for with RunResponse: a query
	// made while the old page is going away can fail.
	follow(t, bctx, chromedp.Click(chromedp.CSS("#date ~ button")))
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.ID("day-title"))); err != nil {
		t.Fatal(err)
	}
	url := run(t, bctx, chromedp.Location())
	day := run(t, bctx, chromedp.Text(chromedp.CSS(".answer")))
	title := run(t, bctx, chromedp.Title())
	screenshot(t, bctx, filepath.Join(dir, "day.jpg"))
	if !strings.HasSuffix(url, "/days/2003-06-16.html") {
		t.Errorf("the form went to %s, want the day's page, /days/2003-06-16.html", url)
	}
	if !strings.Contains(day, "Monday 16 June 2003") || !strings.Contains(day, "816") {
		t.Errorf("got the day %q, want Monday 16 June 2003 and episode 816", day)
	}
	if !strings.HasPrefix(title, "Monday 16 June 2003") {
		t.Errorf("got title %q", title)
	}

	follow(t, bctx, chromedp.Click(chromedp.CSS(`a[href="../episodes/816.html"]`)))
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.ID("episode-title"))); err != nil {
		t.Fatal(err)
	}
	if episode := run(t, bctx, chromedp.Text(chromedp.CSS(".answer"))); !strings.Contains(episode, "Episode 816") || !strings.Contains(episode, "20 Feb 2012") {
		t.Errorf("got episode %q, want its airings, 2012's rerun among them", episode)
	}

	// A cell of the history picture: the first day after the gap, on a
	// phone-sized screen.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base)); err != nil {
		t.Fatal(err)
	}
	follow(t, bctx, chromedp.Click(chromedp.CSS(`svg.history a[href="days/2009-01-05.html"] rect`)))
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.ID("day-title"))); err != nil {
		t.Fatal(err)
	}
	if next := run(t, bctx, chromedp.Text(chromedp.CSS(".answer"))); !strings.Contains(next, "Monday 5 January 2009") || !strings.Contains(next, "rebroadcast") {
		t.Errorf("clicking 2009-01-05 in the picture gave %q", next)
	}
	screenshot(t, bctx, filepath.Join(dir, "phone.jpg"))
}

// follow runs a click that loads a page and waits for the page; it fails
// the test unless the page came with status 200.
func follow(t *testing.T, ctx context.Context, click chromedp.Action[chromedp.Void]) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, click)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 {
		t.Fatalf("%s: got status %d", resp.URL, resp.Status)
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

// screenshot saves a picture of the whole page to path.
func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	if err := os.WriteFile(path, run(t, ctx, chromedp.FullScreenshot(80)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
