package feeds

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/backstage-epg/backstage/schedule"
)

// CheckBaseURL reports whether u can be an Options.BaseURL: an absolute
// http or https URL with a host, and no user information, query or
// fragment, such as "https://tv.example.org/backstage", with none of the
// characters schedule.CheckImageURL refuses.
func CheckBaseURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || schedule.CheckImageURL(u) != nil || !p.IsAbs() || p.Host == "" ||
		p.RawQuery != "" || p.ForceQuery || p.Fragment != "" {
		return fmt.Errorf("public URL %q: want an absolute http:// or https:// URL such as https://tv.example.org/backstage, without a query", u)
	}
	return nil
}

// ResolveURL returns the absolute URL of ref, a picture URL from a
// schedule (see schedule.CheckImageURL) or a path of the site: ref itself
// when it is an absolute URL, and otherwise ref resolved against base, the
// address the site is published at, read as a folder, so that
// "assets/logo.png" against "https://tv.example.org/backstage" is
// "https://tv.example.org/backstage/assets/logo.png". It returns "" when
// ref is empty, when ref is relative and base is "", and when either does
// not parse: guides want absolute URLs, and a picture they cannot load is
// worse than none.
func ResolveURL(base, ref string) string {
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if r.IsAbs() {
		return r.String()
	}
	if base == "" {
		return ""
	}
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return ""
	}
	if !strings.HasSuffix(b.Path, "/") {
		b.Path += "/"
		b.RawPath = ""
	}
	return b.ResolveReference(r).String()
}
