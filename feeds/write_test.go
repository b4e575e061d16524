package feeds_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/backstage-epg/backstage/feeds"
	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

func TestParseFormat(t *testing.T) {
	for _, name := range []string{"ics", "xmltv"} {
		f, err := feeds.ParseFormat(name)
		if err != nil || f.String() != name {
			t.Errorf("ParseFormat(%q) = %v, %v; want the format that prints as %q", name, f, err, name)
		}
	}
	for _, name := range []string{"", "ical", "ICS", "xml"} {
		if _, err := feeds.ParseFormat(name); err == nil {
			t.Errorf("ParseFormat(%q): no error", name)
		}
	}
}

// TestWriteRefuses checks that Write refuses what does not go together,
// and writes nothing when it does.
func TestWriteRefuses(t *testing.T) {
	s := testkit.Default(t)
	d := func(v string) schedule.Date {
		dd, err := schedule.ParseDate(v)
		if err != nil {
			t.Fatal(err)
		}
		return dd
	}
	for _, c := range []struct {
		name  string
		s     *schedule.Schedule
		o     feeds.Options
		want  string
		input bool // the error wraps schedule.ErrInput
	}{
		{"no format", s, feeds.Options{}, "unknown format", false},
		{"mark-new on a calendar", s, feeds.Options{Format: feeds.ICal, MarkNew: true}, "mark-new", false},
		{"compact guide", s, feeds.Options{Format: feeds.XMLTV, Compact: true}, "compact", false},
		{"all-day guide", s, feeds.Options{Format: feeds.XMLTV, AllDay: true}, "all-day", false},
		{"relative public URL", s, feeds.Options{Format: feeds.XMLTV, BaseURL: "tv.example.org/backstage"}, "--public-url", false},
		{"public URL with a query", s, feeds.Options{Format: feeds.ICal, BaseURL: "https://tv.example.org/?x=1"}, "--public-url", false},
		{"no schedule", nil, feeds.Options{Format: feeds.ICal}, "no schedule", false},
		{"window backwards", s, feeds.Options{Format: feeds.ICal, Window: schedule.Window{From: d("2004-01-01"), To: d("2003-01-01")}}, "after", true},
		{"unknown run", s, feeds.Options{Format: feeds.XMLTV, Window: schedule.Window{Run: "encore"}}, `"encore"`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			err := feeds.Write(context.Background(), &b, c.s, c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
			if errors.Is(err, schedule.ErrInput) != c.input {
				t.Errorf("errors.Is(%v, ErrInput) = %v, want %v", err, !c.input, c.input)
			}
			if b.Len() > 0 {
				t.Errorf("wrote %d bytes before failing", b.Len())
			}
		})
	}
}

// TestWriteIsTheEncoders checks that Write gives the encoders' bytes.
func TestWriteIsTheEncoders(t *testing.T) {
	s := testkit.Default(t)
	w := schedule.Window{From: schedule.Date{Year: 2009, Month: 1, Day: 1}, To: schedule.Date{Year: 2009, Month: 1, Day: 31}, Run: "rebroadcast"}
	q, err := s.Query(w)
	if err != nil {
		t.Fatal(err)
	}
	var want, got bytes.Buffer
	ie := feeds.NewICalEncoder(&want)
	ie.AllDay = true
	if err := ie.Encode(s, q); err != nil || ie.Close() != nil {
		t.Fatal(err)
	}
	if err := feeds.Write(context.Background(), &got, s, feeds.Options{Format: feeds.ICal, Window: w, AllDay: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Error("Write's calendar differs from the encoder's")
	}
	want.Reset()
	got.Reset()
	xe := feeds.NewXMLTVEncoder(&want)
	xe.MarkNew, xe.Generator, xe.BaseURL = true, "test/1", "https://tv.example.org"
	if err := xe.Encode(s, q); err != nil || xe.Close() != nil {
		t.Fatal(err)
	}
	if err := feeds.Write(context.Background(), &got, s, feeds.Options{Format: feeds.XMLTV, Window: w, MarkNew: true, Generator: "test/1", BaseURL: "https://tv.example.org"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Error("Write's guide differs from the encoder's")
	}
}

// cancelAfter cancels its context after its first write.
type cancelAfter struct {
	cancel context.CancelFunc
	n      int
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.n += len(p)
	c.cancel()
	return len(p), nil
}

// TestWriteStopsWhenCancelled: a feed stops at the encoder's next flush
// once the context is done, with the context's error.
func TestWriteStopsWhenCancelled(t *testing.T) {
	s := testkit.Default(t)
	for _, f := range []feeds.Format{feeds.ICal, feeds.XMLTV} {
		ctx, cancel := context.WithCancel(context.Background())
		w := &cancelAfter{cancel: cancel}
		err := feeds.Write(ctx, w, s, feeds.Options{Format: f})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%v: got %v, want context.Canceled", f, err)
		}
		if w.n > 1<<20 {
			t.Errorf("%v: wrote %d bytes after the cancel, want at most a flush's worth", f, w.n)
		}
		var b bytes.Buffer
		if err := feeds.Write(ctx, &b, s, feeds.Options{Format: f}); !errors.Is(err, context.Canceled) || b.Len() > 0 {
			t.Errorf("%v, already cancelled: got %v and %d bytes, want context.Canceled and none", f, err, b.Len())
		}
	}
}
