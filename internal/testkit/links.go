package testkit

import (
	"encoding/json"
	"html"
	"regexp"
	"testing"
)

// Link is a URL a page refers to: a link or a picture's address, or a
// URL of its linked data.
type Link struct {
	URL        string
	LinkedData bool // from the page's JSON-LD: an @id, url, item, image or logo
}

var (
	linkAttr   = regexp.MustCompile(`\s(?:href|src)="([^"]*)"`)
	jsonLDPart = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)
)

// linkedDataKeys are the JSON-LD keys whose values are URLs.
var linkedDataKeys = map[string]bool{"@id": true, "url": true, "item": true, "image": true, "logo": true, "sameAs": true}

// PageLinks returns every URL page refers to: its links' and pictures'
// addresses, unescaped, and every URL of its JSON-LD, which must parse.
func PageLinks(t testing.TB, page []byte) []Link {
	t.Helper()
	var out []Link
	for _, m := range linkAttr.FindAllSubmatch(page, -1) {
		out = append(out, Link{URL: html.UnescapeString(string(m[1]))})
	}
	for _, m := range jsonLDPart.FindAllSubmatch(page, -1) {
		var v any
		if err := json.Unmarshal(m[1], &v); err != nil {
			t.Errorf("JSON-LD that is not JSON: %v", err)
			continue
		}
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if u, ok := x.(string); ok && linkedDataKeys[k] {
						out = append(out, Link{URL: u, LinkedData: true})
						continue
					}
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(v)
	}
	return out
}
