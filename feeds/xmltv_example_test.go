package feeds_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/schedule"
)

func ExampleNewXMLTVEncoder() {
	jnb, _ := time.LoadLocation("Africa/Johannesburg")
	show := &schedule.Show{ID: "backstage", Title: "Backstage", Language: "en", Country: "ZA"}
	etv := &schedule.Channel{ID: "etv.co.za", Name: "e.tv"}
	s, err := schedule.New(schedule.Plan{
		Source: "example",
		Runs: []*schedule.Run{
			{Name: "original", Show: show, Channel: etv, Rule: "30 18 * * 1-5", Location: jnb,
				First: schedule.Date{Year: 2000, Month: 5, Day: 1}, Length: 30 * time.Minute,
				FirstEpisode: 1, Count: 1},
			{Name: "rebroadcast", Show: show, Channel: etv, Rule: "40 16 * * 1-5", Location: jnb,
				First: schedule.Date{Year: 2009, Month: 1, Day: 5}, Length: 30 * time.Minute,
				Replays: "original", ReplayFrom: 1},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	e := feeds.NewXMLTVEncoder(os.Stdout)
	e.Generator = "backstage/v0.1.0"
	if err := e.Encode(s, schedule.Query{}); err != nil {
		fmt.Println(err)
	}
	if err := e.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <!DOCTYPE tv SYSTEM "xmltv.dtd">
	// <tv source-info-name="example" generator-info-name="backstage/v0.1.0">
	//   <channel id="etv.co.za">
	//     <display-name lang="en">e.tv</display-name>
	//   </channel>
	//   <programme start="20000501183000 +0200" stop="20000501190000 +0200" channel="etv.co.za">
	//     <title lang="en">Backstage</title>
	//     <sub-title lang="en">Episode 1</sub-title>
	//     <date>20000501</date>
	//     <category lang="en">Series</category>
	//     <language>en</language>
	//     <length units="minutes">30</length>
	//     <country>ZA</country>
	//     <episode-num system="xmltv_ns">.0.</episode-num>
	//     <episode-num system="onscreen">E1</episode-num>
	//   </programme>
	//   <programme start="20090105164000 +0200" stop="20090105171000 +0200" channel="etv.co.za">
	//     <title lang="en">Backstage</title>
	//     <sub-title lang="en">Episode 1</sub-title>
	//     <desc lang="en">First shown on e.tv on Monday 1 May 2000.</desc>
	//     <date>20000501</date>
	//     <category lang="en">Series</category>
	//     <language>en</language>
	//     <length units="minutes">30</length>
	//     <country>ZA</country>
	//     <episode-num system="xmltv_ns">.0.</episode-num>
	//     <episode-num system="onscreen">E1</episode-num>
	//     <previously-shown start="20000501183000 +0200" channel="etv.co.za"/>
	//   </programme>
	// </tv>
}

// Example_xmltvWindow exports two days of the default Backstage schedule,
// the first of the rebroadcast, and prints each programme's times and
// the airing it repeats.
func Example_xmltvWindow() {
	s, err := schedfile.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	e := feeds.NewXMLTVEncoder(&buf)
	q := s.Dates(schedule.Date{Year: 2009, Month: 1, Day: 5}, schedule.Date{Year: 2009, Month: 1, Day: 6})
	if err := e.Encode(s, q); err != nil {
		fmt.Println(err)
	}
	if err := e.Close(); err != nil {
		fmt.Println(err)
	}
	for line := range strings.Lines(buf.String()) {
		if strings.Contains(line, "<programme ") || strings.Contains(line, "<previously-shown ") {
			fmt.Print(line)
		}
	}
	// Output:
	//   <programme start="20090105164000 +0200" stop="20090105171000 +0200" channel="etv.co.za">
	//     <previously-shown start="20000501183000 +0200" channel="etv.co.za"/>
	//   <programme start="20090106164000 +0200" stop="20090106171000 +0200" channel="etv.co.za">
	//     <previously-shown start="20000502183000 +0200" channel="etv.co.za"/>
}
