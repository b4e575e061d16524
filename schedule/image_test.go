package schedule_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/schedule"
)

func TestCheckImageURL(t *testing.T) {
	for _, tc := range []struct {
		u    string
		want string // part of the error; "" for none
	}{
		{"https://example.org/logo.png", ""},
		{"http://192.168.1.10:8080/assets/channel-icon.png", ""},
		{"assets/channel-icon.png", ""},
		{"/assets/channel-icon.png", ""},
		{"../art/a%20b.png?v=2", ""},
		{"", "empty"},
		{"assets/a b.png", "space"},
		{`assets/a"b.png`, "quote"},
		{"assets/a\nb.png", "control"},
		{`assets\a.png`, "backslash"},
		{"//example.org/a.png", "starts with //"},
		{"ftp://example.org/a.png", "http"},
		{"data:image/png;base64,AAAA", "http"},
		{"javascript:alert(1)", "http"},
		{"https:///a.png", "no host"},
		{"https://user:pw@example.org/a.png", "user information"},
		{"https://example.org/%zz", "not a URL"},
	} {
		t.Run(tc.u, func(t *testing.T) {
			err := schedule.CheckImageURL(tc.u)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckImageURL(%q) = %v, want nil", tc.u, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("CheckImageURL(%q) = %v, want an error saying %q", tc.u, err, tc.want)
			}
		})
	}
}

// TestNewChecksImages checks that New refuses a bad show image or channel
// icon, naming the show or channel.
func TestNewChecksImages(t *testing.T) {
	for _, tc := range []struct {
		name        string
		image, icon string
		want        string
	}{
		{"good", "https://example.org/a.png", "assets/b.png", ""},
		{"bad image", "ftp://example.org/a.png", "", `show "s": image "ftp://example.org/a.png"`},
		{"bad icon", "", "a b.png", `channel "ch.example": icon "a b.png"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := schedule.New(schedule.Plan{Runs: []*schedule.Run{{
				Name: "r", Show: &schedule.Show{ID: "s", Title: "S", Image: tc.image},
				Channel: &schedule.Channel{ID: "ch.example", Icon: tc.icon},
				Rule:    "0 12 * * *", Location: time.UTC, First: schedule.Date{Year: 2000, Month: 1, Day: 1},
				Length: time.Hour, FirstEpisode: 1, Count: 1,
			}}})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, schedule.ErrInvalid) {
				t.Errorf("New: %v, want an ErrInvalid saying %s", err, tc.want)
			}
		})
	}
}

// FuzzCheckImageURL checks that what CheckImageURL accepts parses as a URL
// and carries nothing an attribute would need to escape but &.
func FuzzCheckImageURL(f *testing.F) {
	for _, s := range []string{"https://example.org/a.png", "assets/a.png", "a b", "//x", "ftp://x", "https://u@x/", "%zz", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		if schedule.CheckImageURL(u) != nil {
			return
		}
		p, err := url.Parse(u)
		if err != nil {
			t.Fatalf("accepted %q, which does not parse: %v", u, err)
		}
		if p.Scheme != "" && p.Scheme != "http" && p.Scheme != "https" {
			t.Fatalf("accepted %q with scheme %q", u, p.Scheme)
		}
		if strings.ContainsAny(u, " \"'<>\\\n\r\t") {
			t.Fatalf("accepted %q", u)
		}
	})
}
