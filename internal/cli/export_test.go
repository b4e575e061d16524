package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/backstage-epg/backstage/internal/testkit"
)

func TestExport(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		file   string // "" for standard output
		prefix string // the output must start with this
		count  string // and hold this many times
		n      int
	}{
		{"ics file", []string{"export", "ics", "--from", "2003-01-01", "--to", "2003-12-31"}, "2003.ics", "BEGIN:VCALENDAR\r\n", "BEGIN:VEVENT", 261},
		{"ics run", []string{"export", "--run", "original", "ics"}, "original.ics", "BEGIN:VCALENDAR\r\n", "BEGIN:VEVENT", 1875},
		{"ics compact", []string{"export", "ics", "--compact"}, "tiny.ics", "BEGIN:VCALENDAR\r\n", "RRULE:", 2},
		{"ics all-day", []string{"export", "ics", "--all-day", "--from", "2009-01-01", "--to", "2009-01-31"}, "days.ics", "BEGIN:VCALENDAR\r\n", "DTSTART;VALUE=DATE:", 20},
		{"ics gzip", []string{"export", "ics", "--from", "2009-01-05", "--to", "2009-01-05"}, "day.ics.gz", "BEGIN:VCALENDAR\r\n", "BEGIN:VEVENT", 1},
		{"ics stdout", []string{"export", "ics", "--from", "2009-01-05", "--to", "2009-01-09"}, "", "BEGIN:VCALENDAR\r\n", "BEGIN:VEVENT", 5},
		{"ics dash", []string{"export", "ics", "-o", "-", "--from", "2009-01-05", "--to", "2009-01-09"}, "", "BEGIN:VCALENDAR\r\n", "BEGIN:VEVENT", 5},
		{"xmltv file", []string{"export", "xmltv", "--from", "2009-01-01", "--to", "2009-03-31"}, "q1.xml", `<?xml version="1.0" encoding="UTF-8"?>`, "<programme ", 62},
		{"xmltv gzip", []string{"export", "xmltv"}, "guide.xml.gz", `<?xml version="1.0" encoding="UTF-8"?>`, "<programme ", 3750},
		{"xmltv mark-new", []string{"export", "xmltv", "--mark-new", "--from", "2009-01-01", "--to", "2009-01-31"}, "new.xml", `<?xml`, "<previously-shown", 20},
		{"xmltv no public URL", []string{"export", "xmltv", "--from", "2009-01-01", "--to", "2009-01-31"}, "noicons.xml", `<?xml`, "<icon ", 0},
		{"xmltv public URL", []string{"export", "xmltv", "--public-url", "https://tv.example.org/b", "--from", "2009-01-01", "--to", "2009-01-31"}, "icons.xml", `<?xml`,
			`<icon src="https://tv.example.org/b/assets/`, 1 + 20},
		{"xmltv seasons", []string{"export", "xmltv", "--season-by-year", "--from", "2009-01-01", "--to", "2009-01-31"}, "seasons.xml", `<?xml`, `"onscreen">S2000E`, 20},
		{"ics public URL", []string{"export", "ics", "--compact", "--public-url", "https://tv.example.org/b"}, "linked.ics", "BEGIN:VCALENDAR\r\n",
			"SOURCE;VALUE=URI:https://tv.example.org/b/calendar/compact.ics\r\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.file != "" {
				args = append(args, "-o", filepath.Join(dir, tt.file))
			}
			code, stdout, stderr := run(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := []byte(stdout)
			if tt.file != "" {
				if stdout != "" {
					t.Errorf("wrote %d bytes to stdout as well as the file", len(stdout))
				}
				path := filepath.Join(dir, tt.file)
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o644 {
					t.Errorf("file mode %v, want 0644", fi.Mode().Perm())
				}
				got = readMaybeGzip(t, path)
			}
			if !bytes.HasPrefix(got, []byte(tt.prefix)) {
				t.Errorf("output starts %q, want %q", got[:min(len(got), 60)], tt.prefix)
			}
			if n := bytes.Count(got, []byte(tt.count)); n != tt.n {
				t.Errorf("%q appears %d times, want %d", tt.count, n, tt.n)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func readMaybeGzip(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, ".gz") {
		return data
	}
	return testkit.Gunzip(t, data)
}

// TestExportBadInput checks that refused exports exit 2 with one line and
// leave an existing file as it was.
func TestExportBadInput(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "feed.ics")
	if err := os.WriteFile(old, []byte("old feed"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"export", "csv", "-o", old}, `"csv"`},
		{"no format", []string{"export", "-o", old}, "ics|xmltv"},
		{"unknown run", []string{"export", "ics", "--run", "nope", "-o", old}, `"nope"`},
		{"from after to", []string{"export", "ics", "--from", "2004-01-01", "--to", "2003-01-01", "-o", old}, `--to "2003-01-01": before from 2004-01-01: want to on or after from`},
		{"bad date", []string{"export", "xmltv", "--from", "2003-02-30", "-o", old}, `"2003-02-30"`},
		{"mark-new on ics", []string{"export", "ics", "--mark-new", "-o", old}, "--mark-new"},
		{"compact on xmltv", []string{"export", "xmltv", "--compact", "-o", old}, "--compact"},
		{"seasons on ics", []string{"export", "ics", "--season-by-year", "-o", old}, "--season-by-year"},
		{"relative public URL", []string{"export", "xmltv", "--public-url", "tv.example.org", "-o", old}, "--public-url"},
		{"empty public URL", []string{"export", "xmltv", "--public-url=", "-o", old}, "--public-url"},
		{"missing folder", []string{"export", "ics", "-o", filepath.Join(dir, "no", "such", "x.ics")}, "cannot write there"},
		{"a folder", []string{"export", "ics", "-o", dir}, "is a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q: want one line naming %q", stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if data, _ := os.ReadFile(old); string(data) != "old feed" {
				t.Errorf("the old file was changed to %q", data[:min(len(data), 40)])
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want just the old file", len(entries))
	}
}

// TestExportSpecialFiles: -o writes into a named pipe or a character
// device as shell redirection would, replaces the target of a symbolic
// link and keeps the link, and refuses a folder. All of them are made in
// a temporary folder.
func TestExportSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	args := []string{"export", "ics", "--from", "2003-06-16", "--to", "2003-06-16", "-o"}

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() { b, _ := os.ReadFile(fifo); got <- b }()
	if code, _, stderr := run(t, append(args, fifo)...); code != 0 {
		t.Fatalf("-o FIFO: exit %d, %s", code, stderr)
	}
	if b := <-got; !bytes.Contains(b, []byte("BEGIN:VCALENDAR")) {
		t.Errorf("the pipe's reader got %q", b[:min(len(b), 40)])
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe is now %v", fi.Mode())
	}

	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		if code, _, stderr := run(t, append(args, dev)...); code != 0 {
			t.Fatalf("-o device: exit %d, %s", code, stderr)
		}
		if fi, _ := os.Lstat(dev); fi.Mode()&os.ModeCharDevice == 0 {
			t.Errorf("the device is now %v", fi.Mode())
		}
	} else {
		t.Logf("mknod needs root (%v); the device case is left out", err)
	}

	real := filepath.Join(dir, "real.ics")
	os.WriteFile(real, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.ics")
	os.Symlink("real.ics", link)
	if code, _, stderr := run(t, append(args, link)...); code != 0 {
		t.Fatalf("-o link: exit %d, %s", code, stderr)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is now %v", fi.Mode())
	}
	if b, _ := os.ReadFile(real); !bytes.HasPrefix(b, []byte("BEGIN:VCALENDAR")) {
		t.Errorf("the link's target holds %q", b[:min(len(b), 40)])
	}

	code, _, stderr := run(t, append(args, dir)...)
	if code != 2 || !strings.Contains(stderr, "is a folder") {
		t.Errorf("-o folder: exit %d, %q; want 2 and is a folder", code, stderr)
	}
}

// TestExportSummary: an export to a file says on standard error what it
// wrote, unless --quiet; one to standard output says nothing more.
func TestExportSummary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "2003.ics")
	code, stdout, stderr := run(t, "export", "ics", "--year", "2003", "-o", path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "wrote " + path + ": 261 airings, " + strconv.FormatFloat(float64(fi.Size())/1e3, 'f', 1, 64) + " KB\n"
	if code != 0 || stdout != "" || stderr != want {
		t.Errorf("got exit %d, stdout %q, stderr %q; want 0, nothing and %q", code, stdout, stderr, want)
	}
	gz := filepath.Join(dir, "guide.xml.gz")
	if _, _, stderr := run(t, "export", "xmltv", "-o", gz); !strings.HasPrefix(stderr, "wrote "+gz+": 3,750 airings, ") {
		t.Errorf("gzipped guide: stderr %q", stderr)
	}
	if _, _, stderr := run(t, "export", "ics", "--from", "2009-01-05", "--to", "2009-01-05", "-o", filepath.Join(dir, "one.ics")); !strings.Contains(stderr, ": 1 airing, ") {
		t.Errorf("one airing: stderr %q", stderr)
	}
	for _, args := range [][]string{
		{"export", "ics", "--year", "2003", "-o", path, "--quiet"},
		{"export", "ics", "--year", "2003"},
		{"export", "ics", "--year", "2003", "-o", "-"},
	} {
		if code, _, stderr := run(t, args...); code != 0 || stderr != "" {
			t.Errorf("backstage %s: exit %d, stderr %q; want 0 and nothing", strings.Join(args, " "), code, stderr)
		}
	}
}
