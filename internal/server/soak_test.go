package server

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak runs the real server under mixed clients for a while: clients
// that ask for a new feed every time (a different window of days, so that
// each is rendered and cached anew), clients polling with their ETag,
// clients of the JSON API and of the pages, and slow readers of the whole
// guide. It reports the server's peak memory against its cache bound, the
// answers with a 5xx status (there must be none) and the 99th percentile
// of the answers' times. It is opt-in, loopback only, and stops by itself:
//
//	BACKSTAGE_SOAK=1 go test -run TestSoak -v ./internal/server/
//
// BACKSTAGE_SOAK_SECONDS (default 60) sets how long it runs.
func TestSoak(t *testing.T) {
	if os.Getenv("BACKSTAGE_SOAK") != "1" {
		t.Skip("set BACKSTAGE_SOAK=1 to run the soak test")
	}
	secs := 60
	if s := os.Getenv("BACKSTAGE_SOAK_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 5 || n > 600 {
			t.Fatalf("BACKSTAGE_SOAK_SECONDS=%q: want 5 to 600", s)
		}
		secs = n
	}
	const cacheMB = 256
	bin := buildBinary(t)
	base, _, serve := startServe(t, bin, io.Discard, "--quiet", "--cache-size", fmt.Sprintf("%dMiB", cacheMB))
	defer serve.Stop()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}, Timeout: time.Minute}
	var (
		mu        sync.Mutex
		times     []time.Duration
		requests  atomic.Int64
		fiveHuns  atomic.Int64
		failures  atomic.Int64
		peakRSSKB atomic.Int64
	)
	get := func(url string, header ...string) {
		req, _ := http.NewRequest("GET", url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			failures.Add(1)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(start)
		requests.Add(1)
		if resp.StatusCode >= 500 {
			fiveHuns.Add(1)
		}
		mu.Lock()
		times = append(times, d)
		mu.Unlock()
	}
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	var wg sync.WaitGroup
	worker := func(n int, do func(r *rand.Rand)) {
		for i := range n {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(i), uint64(n)))
				for time.Now().Before(deadline) {
					do(r)
				}
			})
		}
	}
	// Cache busters: a random window of days, a new feed almost every
	// time.
	worker(8, func(r *rand.Rand) {
		from := time.Date(2000, 5, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(5800))
		to := from.AddDate(0, 0, 30+r.IntN(400))
		feed := []string{"calendar.ics", "xmltv.xml", "xmltv.xml.gz"}[r.IntN(3)]
		get(fmt.Sprintf("%s/%s?from=%s&to=%s", base, feed, from.Format(time.DateOnly), to.Format(time.DateOnly)), "Accept-Encoding", "gzip")
	})
	// Pollers with their ETag, the most common client of a feed server.
	etag := func(path string) string {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.Header.Get("Etag")
	}
	calTag, guideTag := etag("/calendar.ics"), etag("/xmltv.xml.gz")
	worker(8, func(r *rand.Rand) {
		if r.IntN(2) == 0 {
			get(base+"/calendar.ics", "If-None-Match", calTag)
		} else {
			get(base+"/xmltv.xml.gz", "If-None-Match", guideTag)
		}
	})
	// Readers of the API and the pages.
	worker(4, func(r *rand.Rand) {
		day := time.Date(2000, 5, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(5800)).Format(time.DateOnly)
		switch r.IntN(3) {
		case 0:
			get(base + "/api/v1/aired?date=" + day)
		case 1:
			get(base + "/days/" + day + ".html")
		default:
			get(base+"/", "Accept-Encoding", "gzip")
		}
	})
	// Slow readers of the whole guide, at about 200 KB/s.
	for range 4 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				start := time.Now()
				resp, err := client.Get(base + "/xmltv.xml")
				if err != nil {
					failures.Add(1)
					continue
				}
				buf := make([]byte, 20<<10)
				for time.Now().Before(deadline) {
					if _, err := resp.Body.Read(buf); err != nil {
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				resp.Body.Close()
				requests.Add(1)
				if resp.StatusCode >= 500 {
					fiveHuns.Add(1)
				}
				_ = start
			}
		})
	}
	// The server's peak memory: its resident pages, sampled, and their
	// peak as the kernel keeps it.
	rssRE := regexp.MustCompile(`VmRSS:\s+(\d+) kB`)
	wg.Go(func() {
		for time.Now().Before(deadline) {
			if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", serve.Pid())); err == nil {
				if m := rssRE.FindSubmatch(b); m != nil {
					kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
					if kb > peakRSSKB.Load() {
						peakRSSKB.Store(kb)
					}
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	wg.Wait()

	slices.Sort(times)
	p99 := time.Duration(0)
	if len(times) > 0 {
		p99 = times[len(times)*99/100]
	}
	peak := float64(peakRSSKB.Load()) / 1024
	hwm := 0.0
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", serve.Pid())); err == nil {
		if m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b); m != nil {
			kb, _ := strconv.ParseFloat(string(m[1]), 64)
			hwm = kb / 1024
		}
	}
	t.Logf("%d s: %d answers (%d failed to connect or read), %d with a 5xx status; p99 %v; peak memory (RSS, sampled) %.0f MB against a cache of %d MB (%.2f×); peak RSS %.0f MB",
		secs, requests.Load(), failures.Load(), fiveHuns.Load(), p99.Round(time.Millisecond), peak, cacheMB, peak/cacheMB, hwm)
	if n := fiveHuns.Load(); n > 0 {
		t.Errorf("%d answers with a 5xx status, want none", n)
	}
	if peak > 1.5*cacheMB {
		t.Errorf("peak memory %.0f MB, over 1.5 times the %d MB cache", peak, cacheMB)
	}
}
