package feeds_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/schedule"
)

// ExampleWrite writes one week of the default schedule as a calendar,
// then shows that a window is checked before anything is written.
func ExampleWrite() {
	s, err := schedfile.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	var b bytes.Buffer
	week := schedule.Window{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, To: schedule.Date{Year: 2003, Month: 6, Day: 22}}
	if err := feeds.Write(context.Background(), &b, s, feeds.Options{Format: feeds.ICal, Window: week}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Count(b.String(), "BEGIN:VEVENT"), "airings")

	b.Reset()
	err = feeds.Write(context.Background(), &b, s, feeds.Options{Format: feeds.XMLTV, Window: schedule.Window{Run: "encore"}})
	fmt.Println(err)
	fmt.Println(errors.Is(err, schedule.ErrInput), b.Len(), "bytes written")
	// Output:
	// 5 airings
	// run "encore": no run has this name: want one of original, rebroadcast
	// true 0 bytes written
}
