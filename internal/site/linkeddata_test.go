package site

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// nodeModules returns the folder of the npm packages CI installs from
// .ci/package-lock.json, and node; the test is skipped where they are
// missing, except in CI.
func nodeModules(t *testing.T, pkg string) (node, modules string) {
	t.Helper()
	node = testkit.Tool(t, "node")
	modules, err := filepath.Abs("../../.ci/node_modules")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(modules, pkg)); err != nil {
		testkit.Missing(t, pkg+" (cd .ci && npm ci)", err)
	}
	return node, modules
}

// TestLinkedDataValidates runs the linked data of every kind of page, of
// the history and of a replay window, with and without a public URL,
// through a structured-data validator (schema.org's vocabulary and
// Google's rules for rich results) and a JSON-LD processor, which must
// expand each block to schema.org's terms alone (see
// testdata/linkeddata_check.mjs). Both come from npm, pinned in
// .ci/package-lock.json.
func TestLinkedDataValidates(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node; skipped with -short")
	}
	node, modules := nodeModules(t, "@adobe/structured-data-validator")
	script, err := filepath.Abs("testdata/linkeddata_check.mjs")
	if err != nil {
		t.Fatal(err)
	}
	today := schedule.Date{Year: 2026, Month: 11, Day: 26}
	args := []string{script, modules}
	for _, public := range []string{"", "https://tv.example.org/backstage"} {
		for _, c := range []struct {
			name  string
			st    *Site
			paths []string
		}{
			{"history", newSite(t, func(c *Config) { c.PublicURL, c.Date = public, today }),
				[]string{"index.html", "days/2003-06-16.html", "days/2008-03-04.html", "days/2012-02-20.html", "episodes/1.html", "episodes/816.html", "years/2003.html", "404.html"}},
			{"replay", replaySite(t, thursday, func(c *Config) { c.PublicURL = public }),
				[]string{"index.html", "days/2026-11-26.html", "days/2026-11-28.html", "episodes/819.html"}},
		} {
			func() {
				dir := t.TempDir()
				var files []string
				write := func(path string, b []byte) {
					file := filepath.Join(dir, strings.ReplaceAll(path, "/", "__"))
					if err := os.WriteFile(file, b, 0o644); err != nil {
						t.Fatal(err)
					}
					files = append(files, file)
				}
				for _, p := range c.paths {
					write(p, render(t, c.st, p))
				}
				// The server's pages for one question stand at the top of
				// the host.
				var b bytes.Buffer
				if ok, err := c.st.DayElsewhere(&b, schedule.Date{Year: 2030, Month: 1, Day: 1}); !ok || err != nil {
					t.Fatalf("DayElsewhere: %v, %v", ok, err)
				}
				write("elsewhere-day.html", b.Bytes())
				b.Reset()
				if err := c.st.ErrorPage(&b, "Sorry."); err != nil {
					t.Fatal(err)
				}
				write("error.html", b.Bytes())
				base := "https://site.invalid/"
				if public != "" {
					base = public + "/"
				}
				args = append(append(args, "--base", base), files...)
			}()
		}
	}
	out, err := exec.Command(node, args...).CombinedOutput()
	if err != nil {
		t.Errorf("the linked data does not validate: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}
