package publish_test

import (
	"testing"

	"github.com/backstage-epg/backstage/internal/site"
	"github.com/backstage-epg/backstage/internal/testkit"
)

func defaultSite(t testing.TB) *site.Site {
	t.Helper()
	st, err := site.New(site.Config{Schedule: testkit.Default(t), Generator: "backstage/test"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
