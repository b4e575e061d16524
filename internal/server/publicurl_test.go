package server

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestFeedsPublicURL checks what the feeds link to with and without a
// PublicURL: pictures and the calendar's own address only with one, and
// every picture they name served by the server itself.
func TestFeedsPublicURL(t *testing.T) {
	const public = "https://tv.example.org/backstage"
	published := newServer(t, func(s *Server) { s.PublicURL = public + "/" }).Handler()
	plain := newServer(t).Handler()
	for _, tc := range []struct {
		target    string
		want, not []string
	}{
		{"/xmltv.xml?year=2003", []string{
			`<icon src="` + public + `/assets/channel-icon.png"/>`,
			`<icon src="` + public + `/assets/show-backstage.png"/>`,
			`<category lang="en">Series</category>`,
		}, []string{"invented"}},
		{"/xmltv.xml?year=2003&season_by_year=1", []string{`<episode-num system="onscreen">S2003E`, "invented"}, nil},
		{"/calendar.ics?year=2003", []string{
			"\r\nSOURCE;VALUE=URI:" + public + "/calendar/2003.ics\r\n",
			"\r\nURL;VALUE=URI:" + public + "/\r\n",
			"\r\nIMAGE;FMTTYPE=image/png;VALUE=URI:" + public + "/assets/show-backstage.png\r\n",
			"\r\nCOLOR:firebrick\r\n",
		}, nil},
		{"/calendar.ics?compact=1", []string{"\r\nSOURCE;VALUE=URI:" + public + "/calendar/compact.ics\r\n"}, nil},
		{"/calendar.ics?run=original", []string{"\r\nSOURCE;VALUE=URI:" + public + "/calendar/original.ics\r\n"}, nil},
		{"/calendar.ics?from=2003-02-01&to=2003-02-28", []string{"\r\nSOURCE;VALUE=URI:" + public + "/calendar.ics?from=2003-02-01&to=2003-02-28\r\n"}, nil},
	} {
		t.Run(tc.target, func(t *testing.T) {
			_, body := do(t, published, "GET", tc.target)
			text := strings.ReplaceAll(string(body), "\r\n ", "") // unfold
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("published: lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(text, w) {
					t.Errorf("published: has %q", w)
				}
			}
			// Every picture the feed names is served here.
			for _, m := range regexp.MustCompile(`(?:src="|IMAGE;[^:]*:)(https://[^"\r]+)`).FindAllStringSubmatch(text, -1) {
				u, err := url.Parse(m[1])
				if err != nil {
					t.Fatal(err)
				}
				path := strings.TrimPrefix(u.Path, "/backstage")
				if resp, _ := do(t, published, "GET", path); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
					t.Errorf("%s (as %s): %d %s, want a PNG", m[1], path, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
			}
			_, body = do(t, plain, "GET", tc.target)
			for _, w := range []string{"<icon", "SOURCE", "IMAGE", "URL;"} {
				if strings.Contains(string(body), w) {
					t.Errorf("without a public URL: has %q", w)
				}
			}
		})
	}
}
