package server

import (
	"testing"
	"time"

	"github.com/backstage-epg/backstage/internal/testkit"
	"github.com/backstage-epg/backstage/schedule"
)

// TestOpenAPI checks the API's description, which serve answers at
// /api/v1/openapi.json, against the OpenAPI 3.1 specification, and the
// live answers of a running serve, of the history and of a replay
// window, against the description: each file's answer and each query
// route's, with their errors (see testkit.CheckOpenAPI).
func TestOpenAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve and node; skipped with -short")
	}
	history := "http://" + serveOn(t, newServer(t)) + "/api/v1"
	base := testkit.Default(t)
	replay := "http://" + serveOn(t, newServer(t, func(s *Server) {
		s.Schedule = nil
		s.Timeline = DailyTimeline(base.Location(), func(now time.Time) (*schedule.Schedule, error) {
			return base.Replay(schedule.ReplayOptions{From: schedule.Date{Year: 2003, Month: 6, Day: 16}, Start: schedule.Date{Year: 2026, Month: 11, Day: 23}, Now: now, Days: 7, PastDays: 1})
		})
	})) + "/api/v1"
	doc := testkit.GetAnswer(t, history, "/openapi.json")
	if doc.Status != 200 || doc.Type != "application/json" {
		t.Fatalf("/api/v1/openapi.json: %d %s", doc.Status, doc.Type)
	}
	var answers []testkit.APIAnswer
	for _, p := range []string{
		"/days/2003-06-16.json", "/days/2008-03-04.json", "/days/2012-02-20.json", "/days/1999-01-01.json", "/days/2003-02-30.json",
		"/days/2003-06-16.json?x=1", "/episodes/816.json", "/episodes/1876.json", "/episodes/0816.json", "/runs.json", "/runs.json?pretty=1",
		"/aired?date=2003-06-16", "/aired?date=today", "/aired?date=2003-02-30", "/aired?at=2003-06-16T18:45:00%2B02:00", "/aired?at=noon",
		"/aired", "/aired?date=2003-06-16&at=2003-06-16T18:45:00Z", "/aired?day=2003-06-16",
		"/episodes/816", "/episodes/1876", "/episodes/abc", "/episodes/816?x=1",
		"/slots?from=2009-01-01&to=2009-01-31", "/slots?year=2003&run=original", "/slots?year=2003&run=encore", "/slots?from=2003-01-01", "/slots",
		"/runs", "/runs?x=1",
	} {
		answers = append(answers, testkit.GetAnswer(t, history, p))
	}
	for _, p := range []string{"/days/2026-11-26.json", "/days/2026-11-28.json", "/episodes/819.json", "/episodes/1000.json", "/episodes/819", "/runs.json", "/aired?date=today"} {
		answers = append(answers, testkit.GetAnswer(t, replay, p))
	}
	testkit.CheckOpenAPI(t, []byte(doc.Body), answers)
}
