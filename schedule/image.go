package schedule

import (
	"errors"
	"net/url"
	"strings"
)

// CheckImageURL reports whether u can be a Show's Image or a Channel's
// Icon: an absolute http or https URL with a host, such as
// "https://example.org/logo.png", or a reference relative to the address
// the feeds are published at, such as "assets/channel-icon.png". Feeds
// resolve a relative one against that address when they know it and leave
// the picture out when they do not (see the feeds package). It refuses
// other schemes, "//host/…" references, user information, and spaces,
// quotes, angle brackets, backslashes and control characters, which no
// URL needs and which M3U and XML attributes would have to carry. Its
// errors do not repeat u.
func CheckImageURL(u string) error {
	if u == "" {
		return errors.New("empty: want an http(s) URL or a path such as assets/logo.png")
	}
	if strings.ContainsFunc(u, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(`"'<>\`+"`", r)
	}) {
		return errors.New("has a space, quote, angle bracket, backslash or control character: write it %-escaped")
	}
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case p.Scheme == "" && strings.HasPrefix(u, "//"):
		return errors.New("starts with //: write the scheme, https://")
	case p.Scheme == "":
		return nil // relative to the published site
	case p.Scheme != "http" && p.Scheme != "https":
		return errors.New("want an http:// or https:// URL, or a path relative to the published site")
	case p.Host == "":
		return errors.New("has no host")
	case p.User != nil:
		return errors.New("has user information: pictures must be public")
	}
	return nil
}
