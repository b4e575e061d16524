package publish_test

import (
	"bytes"
	"encoding/xml"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/testkit"
)

// TestLinkCheck follows every link of every page of the published site,
// and every URL of their linked data (JSON-LD), to a file in the folder:
// what a static host serves is all a reader or a crawler can reach. A
// link to a part of a page must find an element with that id there. The
// one-click links to Google Calendar and Outlook leave the site on
// purpose, carrying a calendar's address, which must be in the folder.
// With a public URL (it publishes the site again) the sitemap's URLs and
// robots.txt's sitemap are checked too. It runs in full runs only: the
// site package's TestLinksResolve checks a sample of every kind of page
// on every run.
func TestLinkCheck(t *testing.T) {
	testkit.SkipUnlessFull(t, "reading every link of the 7,700 pages takes ~5 s, and publishing the site with a public URL ~20 s")
	root, _, _ := publishedDefault(t)
	start := time.Now()
	checkFolderLinks(t, root, "")
	t.Logf("checked in %v", time.Since(start))
	t.Run("public URL", func(t *testing.T) {
		const public = "https://tv.example.org/backstage"
		dir := filepath.Join(t.TempDir(), "site")
		pub(t, defaultSite(t, func(c *site.Config) { c.PublicURL = public }), dir)
		checkFolderLinks(t, dir, public)
		robots, err := os.ReadFile(filepath.Join(dir, "robots.txt"))
		if err != nil || !bytes.Contains(robots, []byte("\nSitemap: "+public+"/sitemap.xml\n")) {
			t.Errorf("robots.txt: %q, %v; want it to name the sitemap", robots, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "sitemap.xml"))
		if err != nil {
			t.Fatal(err)
		}
		var sm struct {
			URLs []struct {
				Loc string `xml:"loc"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal(b, &sm); err != nil {
			t.Fatalf("sitemap.xml: %v", err)
		}
		pages := 0
		for f := range defaultSite(t).Files() {
			if f.Kind == site.Page && f.Path != "404.html" {
				pages++
			}
		}
		if len(sm.URLs) != pages {
			t.Errorf("the sitemap lists %d URLs, the site has %d pages", len(sm.URLs), pages)
		}
		for _, u := range sm.URLs {
			target, ok := inFolder(public, "index.html", u.Loc)
			if !ok || !exists(dir, target) {
				t.Errorf("sitemap.xml: %s is not a page of the site", u.Loc)
			}
		}
	})
}

// checkFolderLinks checks the links of every page under root, a site
// published at public ("" for relative links).
func checkFolderLinks(t *testing.T, root, public string) {
	t.Helper()
	ids := map[string]map[string]bool{} // a page's element ids, read once
	idsOf := func(rel string) map[string]bool {
		if m, ok := ids[rel]; ok {
			return m
		}
		b, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		m := map[string]bool{}
		for _, part := range bytes.Split(b, []byte(` id="`))[1:] {
			if i := bytes.IndexByte(part, '"'); i > 0 {
				m[string(part[:i])] = true
			}
		}
		ids[rel] = m
		return m
	}
	type key struct{ dir, link string }
	resolved := map[key]string{} // "" for a link that leaves the site
	found := map[string]bool{}
	pages, links, data := 0, 0, 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		pages++
		from := rel
		if rel == "404.html" && public == "" {
			from = "any/depth/404.html" // a host sends it for a path at any depth: its links start at the top
		}
		for _, l := range testkit.PageLinks(t, body) {
			u := l.URL
			switch {
			case strings.HasPrefix(u, "webcal://"):
				u = "https://" + strings.TrimPrefix(u, "webcal://")
			case strings.HasPrefix(u, "https://calendar.google.com/"), strings.HasPrefix(u, "https://outlook.live.com/"):
				q, err := url.Parse(u)
				if err != nil {
					t.Errorf("%s: %q: %v", rel, u, err)
					continue
				}
				u = q.Query().Get("cid") + q.Query().Get("url")
				if strings.HasPrefix(u, "webcal://") {
					u = "https://" + strings.TrimPrefix(u, "webcal://")
				}
			case !l.LinkedData && strings.HasPrefix(u, "#") && !idsOf(rel)[u[1:]]:
				t.Errorf("%s: link %q: no element with that id", rel, u)
				continue
			}
			if l.LinkedData {
				data++
			} else {
				links++
			}
			k := key{path.Dir(from), u}
			target, seen := resolved[k]
			if !seen {
				var ok bool
				if target, ok = inFolder(public, from, u); !ok {
					target = "\x00"
				}
				resolved[k] = target
			}
			if target == "\x00" {
				t.Errorf("%s: %q leaves the site", rel, l.URL)
				continue
			}
			if target == "any/depth/404.html" {
				target = rel
			}
			if _, ok := found[target]; !ok {
				found[target] = exists(root, target)
			}
			if !found[target] {
				t.Errorf("%s: %q goes to %s, which the folder lacks", rel, l.URL, target)
				continue
			}
			if _, frag, _ := strings.Cut(u, "#"); frag != "" && !l.LinkedData && strings.HasSuffix(target, ".html") && !idsOf(target)[frag] {
				t.Errorf("%s: link %q: %s has no element with that id", rel, l.URL, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pages: %d links and %d URLs of linked data, each to a file of the site", pages, links, data)
	if pages < 7000 || data < pages {
		t.Errorf("checked %d pages and %d URLs of linked data", pages, data)
	}
}

// inFolder returns the path in the site that link, on the page at from,
// leads to: "index.html" for the site's top.
// It reports false for a link that leaves the site.
func inFolder(public, from, link string) (string, bool) {
	prefix := "https://site.invalid/"
	if public != "" {
		prefix = public + "/"
	}
	base, err := url.Parse(prefix + from)
	if err != nil {
		return "", false
	}
	l, err := base.Parse(link)
	if err != nil {
		return "", false
	}
	l.RawQuery, l.Fragment = "", ""
	s := l.String()
	if s+"/" == prefix {
		return "index.html", true
	}
	p, ok := strings.CutPrefix(s, prefix)
	if !ok || (p != "" && p != path.Clean(p)) {
		return "", false
	}
	if p == "" || strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	return p, true
}

// exists reports whether the site in root has a file at rel.
func exists(root, rel string) bool {
	fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	return err == nil && fi.Mode().IsRegular()
}
