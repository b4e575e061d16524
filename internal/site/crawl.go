package site

import (
	"bufio"
	"encoding/xml"
	"io"
	"strings"
)

// robots returns robots.txt: every path may be crawled, and, with a
// public URL, where the sitemap is. Crawlers read it only at the top of a
// host, so it counts only for a site published there.
func (s *Site) robots() string {
	var b strings.Builder
	b.WriteString("# backstage: every page may be crawled.\nUser-agent: *\nDisallow:\n")
	if s.cfg.PublicURL != "" {
		b.WriteString("\nSitemap: " + s.root + sitemapXML.Path + "\n")
	}
	return b.String()
}

// sitemap writes sitemap.xml: the absolute URL of every page of the site,
// the index first, as the sitemaps protocol wants them (it refuses
// relative ones, hence no sitemap without a public URL). The protocol
// allows maxSitemapURLs in one file; a site of more pages lists its
// first ones.
func (s *Site) sitemap(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	bw.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	n := 0
	for f := range s.Files() {
		if f.Kind != Page || f.page == notFoundPage {
			continue
		}
		if n++; n > maxSitemapURLs {
			break
		}
		u := s.root + f.Path
		if f.page == indexPage {
			u = s.root
		}
		bw.WriteString("<url><loc>")
		xml.EscapeText(bw, []byte(u))
		bw.WriteString("</loc></url>\n")
	}
	bw.WriteString("</urlset>\n")
	return bw.Flush()
}
