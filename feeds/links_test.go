package feeds

import (
	"net/url"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/schedule"
)

func TestResolveURL(t *testing.T) {
	for _, tc := range []struct {
		base, ref, want string
	}{
		{"https://tv.example.org/backstage", "assets/logo.png", "https://tv.example.org/backstage/assets/logo.png"},
		{"https://tv.example.org/backstage/", "assets/logo.png", "https://tv.example.org/backstage/assets/logo.png"},
		{"https://tv.example.org", "assets/logo.png", "https://tv.example.org/assets/logo.png"},
		{"http://192.168.1.10:8080", "assets/logo.png", "http://192.168.1.10:8080/assets/logo.png"},
		{"https://tv.example.org/backstage", "/art/logo.png", "https://tv.example.org/art/logo.png"},
		{"https://tv.example.org/a/b", "../logo.png?v=2", "https://tv.example.org/a/logo.png?v=2"},
		{"https://tv.example.org/back%20stage", "assets/a%20b.png", "https://tv.example.org/back%20stage/assets/a%20b.png"},
		{"https://tv.example.org/backstage", "https://img.example/x.png", "https://img.example/x.png"},
		{"", "https://img.example/x.png", "https://img.example/x.png"},
		{"", "assets/logo.png", ""},
		{"https://tv.example.org", "", ""},
		{"not a url", "assets/logo.png", ""},
		{"https://tv.example.org", "%zz", ""},
	} {
		if got := ResolveURL(tc.base, tc.ref); got != tc.want {
			t.Errorf("ResolveURL(%q, %q) = %q, want %q", tc.base, tc.ref, got, tc.want)
		}
	}
}

func TestCheckBaseURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://tv.example.org/backstage":  true,
		"http://127.0.0.1:8080":             true,
		"https://tv.example.org/backstage/": true,
		"":                                  false,
		"tv.example.org":                    false,
		"ftp://tv.example.org":              false,
		"https://":                          false,
		"https://tv.example.org/?a=1":       false,
		"https://tv.example.org/?":          false,
		"https://tv.example.org/#top":       false,
		"https://me@tv.example.org/":        false,
	} {
		if err := CheckBaseURL(u); (err == nil) != ok {
			t.Errorf("CheckBaseURL(%q) = %v, want ok %v", u, err, ok)
		}
	}
}

// FuzzResolveURL checks that a picture URL a schedule may hold, resolved
// against a public URL, is absolute http(s) and needs no escaping in an
// M3U attribute.
func FuzzResolveURL(f *testing.F) {
	for _, s := range []string{"assets/logo.png", "/a.png", "../../a.png", "https://x.example/a.png", "a%20b.png", "?q=1", "#f", "a&b.png"} {
		f.Add("https://tv.example.org/backstage", s)
	}
	f.Fuzz(func(t *testing.T, base, ref string) {
		if CheckBaseURL(base) != nil || schedule.CheckImageURL(ref) != nil {
			return
		}
		got := ResolveURL(base, ref)
		if got == "" {
			t.Fatalf("ResolveURL(%q, %q) is empty", base, ref)
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("ResolveURL(%q, %q) = %q, not an absolute http(s) URL", base, ref, got)
		}
		if strings.ContainsAny(got, " \"<>\n\r\t") {
			t.Fatalf("ResolveURL(%q, %q) = %q", base, ref, got)
		}
	})
}
