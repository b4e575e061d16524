package publish_test

import (
	"context"
	"testing"

	"github.com/backstage-epg/backstage/internal/publish"
)

// BenchmarkPublish: a full publish of the default schedule into an empty
// folder.
func BenchmarkPublish(b *testing.B) {
	st := defaultSite(b)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		if _, err := publish.Publish(context.Background(), st, dir, publish.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRepublish: publishing the same site again, when nothing
// changed and nothing is written.
func BenchmarkRepublish(b *testing.B) {
	st := defaultSite(b)
	dir := b.TempDir()
	if _, err := publish.Publish(context.Background(), st, dir, publish.Options{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := publish.Publish(context.Background(), st, dir, publish.Options{})
		if err != nil || res.Written != 0 {
			b.Fatalf("%v, %v", res, err)
		}
	}
}
