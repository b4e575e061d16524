//go:build linux

package apps

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// TestIPTVOrg feeds the guide and the playlist to the tools of iptv-org,
// the largest public EPG project, which gathers guides with epg-grabber
// and a site configuration per source, and reads playlists with
// iptv-playlist-parser.
//
// epg-grabber grabs the week of 23 February 2004 from serve, once with a
// configuration that reads the day answers (api/v1/days/D.json) and once
// with one that reads the guide (xmltv.xml?from=D&to=D) through
// epg-parser; tv_validate_file accepts each guide it writes, which holds
// the same programmes as serve's own guide for that week. The playlist,
// as serve answers it and as publish writes it with a public URL, reads
// with the channel's tvg-id, logo, name and stream, and names its guide
// by an absolute URL.
func TestIPTVOrg(t *testing.T) {
	testkit.SkipUnlessFull(t, "iptv-org's tools run on serve's answers and a published site, about 5 s")
	node := testkit.Tool(t, "node")
	validate := testkit.Tool(t, "tv_validate_file")
	grabber := filepath.Join(nodeModule(t, "epg-grabber"), "dist", "cli.js")
	epgParser := nodeModule(t, "epg-parser")
	playlistParser := nodeModule(t, "iptv-playlist-parser")
	bin := testkit.Binary(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	stream := base + "/stream/{id}.ts"
	if got, _ := testkit.StartServe(t, exec.Command(bin, "serve", "--addr", addr, "--quiet",
		"--public-url", base, "--stream-url", stream), io.Discard); got != base {
		t.Fatalf("serve listens on %s, want %s", got, base)
	}
	week, err := parseXMLTV(get(t, http.DefaultClient, base+"/xmltv.xml?from=2004-02-23&to=2004-02-29"))
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		config string
		fields func(programme) programme // what the configuration passes on
	}{
		{"days.config.js", func(p programme) programme {
			return programme{Start: p.Start, End: p.End, Title: p.Title, Episode: p.Episode, EpisodeName: p.EpisodeName, Series: p.Series}
		}},
		{"guide.config.js", func(p programme) programme { p.Icon = ""; return p }},
	} {
		t.Run(c.config, func(t *testing.T) {
			t.Parallel()
			config, err := filepath.Abs(filepath.Join("testdata", "iptv-org", c.config))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "guide.xml")
			cmd := exec.Command(node, grabber, "--config", config, "--output", out, "--days", "7", "--timeout", "10000")
			cmd.Env = append(os.Environ(), "CURR_DATE=2004-02-23", "BACKSTAGE_BASE="+base, "EPG_PARSER="+epgParser)
			if log, err := runBounded(cmd, 60*time.Second); err != nil {
				t.Fatalf("%v\n%s", err, log)
			} else if strings.Contains(string(log), "Error:") {
				t.Errorf("epg-grabber reports errors:\n%s", log)
			}
			if out, err := exec.Command(validate, "--dtd-file", "/usr/share/xmltv/xmltv.dtd", out).CombinedOutput(); err != nil {
				t.Errorf("tv_validate_file rejects epg-grabber's guide: %v\n%s", err, out)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			g, err := parseXMLTV(b)
			if err != nil {
				t.Fatalf("epg-grabber's guide: %v", err)
			}
			if g.ChannelID != week.ChannelID || g.ChannelName != week.ChannelName {
				t.Errorf("epg-grabber's channel is %q %q, serve's %q %q", g.ChannelID, g.ChannelName, week.ChannelID, week.ChannelName)
			}
			slices.SortFunc(g.Programmes, func(a, b programme) int { return strings.Compare(a.Start, b.Start) })
			var want []programme
			for _, p := range week.Programmes {
				want = append(want, c.fields(p))
			}
			comparePrograms(t, "epg-grabber", g.Programmes, want)
			t.Logf("epg-grabber grabbed %d programmes from %s to %s", len(g.Programmes), g.Programmes[0].Start, g.Programmes[len(g.Programmes)-1].Start)
		})
	}

	t.Run("iptv-playlist-parser", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		served := filepath.Join(dir, "served.m3u")
		write(t, served, string(get(t, http.DefaultClient, base+"/channels.m3u")))
		site := filepath.Join(dir, "site")
		const public = "https://tv.example.org/backstage"
		if out, err := exec.Command(bin, "publish", site, "--replay", "--quiet", "--public-url", public,
			"--stream-url", "http://192.168.1.10:8409/iptv/channel/{id}.ts").CombinedOutput(); err != nil {
			t.Fatalf("publish: %v\n%s", err, out)
		}
		published := filepath.Join(site, "channels.m3u")
		script, err := filepath.Abs(filepath.Join("testdata", "iptv-org", "playlist.js"))
		if err != nil {
			t.Fatal(err)
		}
		out, err := runBounded(exec.Command(node, script, playlistParser, served, published), 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]struct {
			Header struct{ Attrs map[string]string }
			Items  []struct {
				Name string
				URL  string
				Tvg  struct{ ID, Name, Logo string }
			}
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		for file, want := range map[string][3]string{
			served:    {base, base + "/stream/etv.co.za.ts"},
			published: {public, "http://192.168.1.10:8409/iptv/channel/etv.co.za.ts"},
		} {
			p := got[file]
			root, streamURL := want[0], want[1]
			for _, attr := range []string{"x-tvg-url", "url-tvg"} {
				if g := p.Header.Attrs[attr]; g != root+"/xmltv.xml.gz" {
					t.Errorf("%s: %s is %q, want %q", filepath.Base(file), attr, g, root+"/xmltv.xml.gz")
				}
			}
			if len(p.Items) != 1 {
				t.Fatalf("%s: %d entries, want 1", filepath.Base(file), len(p.Items))
			}
			it := p.Items[0]
			if it.Name != "e.tv" || it.Tvg.ID != "etv.co.za" || it.Tvg.Name != "e.tv" || it.Tvg.Logo != root+"/assets/channel-icon.png" || it.URL != streamURL {
				t.Errorf("%s: iptv-playlist-parser reads %+v; want e.tv, tvg-id etv.co.za, logo %s/assets/channel-icon.png, stream %s",
					filepath.Base(file), it, root, streamURL)
			}
			t.Logf("%s: guide %s; %q, tvg-id %s, logo %s, stream %s", filepath.Base(file), p.Header.Attrs["x-tvg-url"], it.Name, it.Tvg.ID, it.Tvg.Logo, it.URL)
		}
	})
}
