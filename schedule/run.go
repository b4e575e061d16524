package schedule

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/backstage-epg/backstage/internal/quote"
)

// Show is a programme whose episodes air in runs.
type Show struct {
	ID       string   // short key, unique in a schedule
	Title    string   // e.g. "Backstage"
	Synopsis string   // a paragraph about the whole series
	Genres   []string // e.g. "Soap opera"
	Country  string   // ISO 3166 code, e.g. "ZA"
	Language string   // BCP 47 tag, e.g. "en"
	Credits  Credits

	// EpisodeTitles holds titles for the episodes that have one. An episode
	// without an entry is called "Episode N".
	EpisodeTitles map[int]string

	// Image is the URL of a landscape picture of the show, for guides and
	// calendars to show beside it: absolute, or relative to the address
	// the feeds are published at (see CheckImageURL); "" for none.
	Image string
}

// EpisodeTitle returns the title of episode n: its own (see OwnTitle), or
// "Episode n".
func (s *Show) EpisodeTitle(n int) string {
	if t := s.OwnTitle(n); t != "" {
		return t
	}
	return "Episode " + strconv.Itoa(n)
}

// OwnTitle returns the title EpisodeTitles gives episode n, or "" when it
// has none.
func (s *Show) OwnTitle(n int) string { return s.EpisodeTitles[n] }

// Credits names the people behind a show, role by role. The roles are the
// ones XMLTV knows, in its order, plus the two it lacks (creators and
// developers), which feeds mention in prose.
type Credits struct {
	Creators   []string
	Developers []string
	Directors  []string
	Actors     []string
	Writers    []string
	Producers  []string
	Composers  []string
	Presenters []string
}

// Channel is where a run airs.
type Channel struct {
	ID   string // XMLTV-style id, domain-like: "etv.co.za"
	Name string // display name: "e.tv"

	// Icon is the URL of the channel's square logo, for guides and
	// playlists: absolute, or relative to the address the feeds are
	// published at (see CheckImageURL); "" for none.
	Icon string
}

// Assumption records that one field of a run is a modelling choice rather
// than a sourced fact, and why it was chosen.
type Assumption struct {
	Field string // the field it concerns, as named in schedule files: "slot", "last", "episodes" …
	Note  string // what was assumed and why
}

// Run is one broadcast run of a show on a channel: a slot rule repeated
// from a first date to a last one, each slot carrying the next episode.
//
// Episodes come from one of two places. A run of new episodes numbers them
// from FirstEpisode upwards; it ends at Last or after Count episodes,
// whichever comes first, and must have at least one of the two. A replay
// (Replays set) shows the episodes of another run again, in that run's
// order, from episode ReplayFrom to ReplayTo (0: to that run's last); it
// ends when they run out or at Last, whichever comes first.
type Run struct {
	Name    string
	Show    *Show
	Channel *Channel

	// Rule is a standard five-field cron spec ("30 18 * * 1-5") read in
	// Location. A wall-clock time that does not exist on a day (inside a
	// daylight-saving jump) has no slot that day; a time that happens twice
	// has one slot, at its first occurrence (cron alone would match it twice).
	Rule     string
	Location *time.Location
	First    Date          // the first day slots may fall on
	Last     Date          // the last day slots may fall on; zero for none
	Length   time.Duration // how long each slot lasts

	FirstEpisode int // new episodes: the number of the first one
	Count        int // new episodes: how many at most; 0 for no limit

	Replays    string // the name of the run replayed; "" for new episodes
	ReplayFrom int    // replays: the first episode shown
	ReplayTo   int    // replays: the last episode shown; 0 for the replayed run's last

	// Exceptions are days with no airing (pre-emptions). The episode that
	// would have aired then moves to the next slot.
	Exceptions []Date

	Assumptions []Assumption
}

// IsReplay reports whether r shows another run's episodes again.
func (r *Run) IsReplay() bool { return r.Replays != "" }

// Assumed returns the note for field if the run marks it as an
// assumption, and "" otherwise.
func (r *Run) Assumed(field string) string {
	for _, a := range r.Assumptions {
		if a.Field == field {
			return a.Note
		}
	}
	return ""
}

// The years a run's dates, and so its slots, may fall in: wider than any
// broadcast history, and narrow enough that no date or time in a
// schedule reaches the ends of what feeds can write (iCalendar and XMLTV
// years have four digits) or of Go's time.Time (whose zero is 0001-01-01
// UTC and reads as "not set").
const (
	MinYear = 1900
	MaxYear = 2200
)

// MaxEpisode is the highest episode number a schedule can hold; it stores
// them in 32 bits.
const MaxEpisode = math.MaxInt32

// inRange reports whether d falls in the years MinYear to MaxYear.
func inRange(d Date) bool { return d.Year >= MinYear && d.Year <= MaxYear }

// lastDay is the last day a slot may fall on: the run's last day, or the
// end of MaxYear for a run that ends when its episodes run out.
func (r *Run) lastDay() Date {
	if r.Last.IsZero() {
		return Date{MaxYear, time.December, 31}
	}
	return r.Last
}

// FieldError reports a run whose field holds a bad value, or, with Run
// empty, a field of the Plan itself ("revised"). Loaders use Field to
// point at the line in a schedule file.
type FieldError struct {
	Run   string // run name; "" for a field of the Plan
	Field string // field name, as in schedule files: "slot", "timezone" …
	Value string // the offending value, as written
	Err   error
}

// Error names the run, the field and its value, then what is wrong.
func (e *FieldError) Error() string {
	if e.Run == "" {
		return fmt.Sprintf("schedule: %s %s: %v", e.Field, quote.Value(e.Value), e.Err)
	}
	return fmt.Sprintf("schedule: run %s: %s %s: %v", quote.Value(e.Run), e.Field, quote.Value(e.Value), e.Err)
}

// Unwrap returns ErrInvalid and what is wrong.
func (e *FieldError) Unwrap() []error { return []error{ErrInvalid, e.Err} }

// ErrInvalid is wrapped by every error that reports a bad schedule, as
// opposed to a failure to do anything with a good one.
var ErrInvalid = errors.New("invalid schedule")

// invalidError is a bad schedule's error that no field or slot explains.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return "schedule: " + e.msg }
func (e *invalidError) Unwrap() error { return ErrInvalid }

// invalid returns an error wrapping ErrInvalid with the message
// "schedule: " and the formatted text.
func invalid(format string, args ...any) error {
	return &invalidError{fmt.Sprintf(format, args...)}
}

func (r *Run) fieldErr(field, value string, format string, args ...any) error {
	return &FieldError{Run: r.Name, Field: field, Value: value, Err: fmt.Errorf(format, args...)}
}

// validate checks the fields that can be checked without other runs and
// returns the parsed slot rule.
func (r *Run) validate() (*cron.SpecSchedule, error) {
	if r.Name == "" {
		return nil, invalid("a run has no name")
	}
	if r.Show == nil {
		return nil, r.fieldErr("show", "", "missing")
	}
	if r.Channel == nil {
		return nil, r.fieldErr("channel", "", "missing")
	}
	if r.Location == nil {
		return nil, r.fieldErr("timezone", "", "missing")
	}
	rule, err := parseRule(r.Rule)
	if err != nil {
		return nil, r.fieldErr("slot", r.Rule, "%v", err)
	}
	if r.First.IsZero() {
		return nil, r.fieldErr("first", "", "missing")
	}
	if !inRange(r.First) {
		return nil, r.fieldErr("first", r.First.String(), "want a date in the years %d to %d", MinYear, MaxYear)
	}
	if !r.Last.IsZero() && !inRange(r.Last) {
		return nil, r.fieldErr("last", r.Last.String(), "want a date in the years %d to %d", MinYear, MaxYear)
	}
	if !r.Last.IsZero() && r.Last.Before(r.First) {
		return nil, r.fieldErr("last", r.Last.String(), "before the first date %s", r.First)
	}
	for _, d := range r.Exceptions {
		if !inRange(d) {
			return nil, r.fieldErr("exceptions", d.String(), "want dates in the years %d to %d", MinYear, MaxYear)
		}
	}
	if r.Length <= 0 {
		return nil, r.fieldErr("length", r.Length.String(), "want a positive duration such as 30m")
	}
	if r.IsReplay() {
		if r.ReplayFrom < 1 || r.ReplayFrom > MaxEpisode {
			return nil, r.fieldErr("replay.from", fmt.Sprint(r.ReplayFrom), "want an episode number from 1 to %d", MaxEpisode)
		}
		if r.ReplayTo != 0 && r.ReplayTo < r.ReplayFrom {
			return nil, r.fieldErr("replay.to", fmt.Sprint(r.ReplayTo), "before replay.from %d", r.ReplayFrom)
		}
		if r.ReplayTo > MaxEpisode {
			return nil, r.fieldErr("replay.to", fmt.Sprint(r.ReplayTo), "want an episode number up to %d", MaxEpisode)
		}
	} else {
		if r.FirstEpisode < 1 || r.FirstEpisode > MaxEpisode {
			return nil, r.fieldErr("episodes.first", fmt.Sprint(r.FirstEpisode), "want an episode number from 1 to %d", MaxEpisode)
		}
		if r.Count < 0 {
			return nil, r.fieldErr("episodes.count", fmt.Sprint(r.Count), "want 0 (no limit) or more")
		}
		if r.Count > MaxEpisode-r.FirstEpisode+1 {
			return nil, r.fieldErr("episodes.count", fmt.Sprint(r.Count), "from episode %d it would number episodes past %d", r.FirstEpisode, MaxEpisode)
		}
		if r.Last.IsZero() && r.Count == 0 {
			return nil, r.fieldErr("last", "", "a run of new episodes needs a last date or an episode count")
		}
	}
	return rule, nil
}

// parseRule parses a five-field cron spec. The zone is a field of its own,
// so CRON_TZ= and TZ= prefixes are refused; that also keeps clear of
// cron's panic on a prefix with no fields after it (robfig/cron issue 470).
func parseRule(spec string) (s *cron.SpecSchedule, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("empty: want a cron spec such as \"30 18 * * 1-5\"")
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, errors.New("a zone prefix is not allowed here: set the run's timezone instead")
	}
	if strings.HasPrefix(spec, "@") {
		// @every counts from an arbitrary instant, not the wall clock.
		return nil, errors.New("descriptors such as @daily are not slot rules: write the five fields, such as \"0 0 * * *\"")
	}
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("not a cron spec: %s", quote.Clip(fmt.Sprint(p)))
		}
	}()
	rule, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("not a cron spec (minute hour day-of-month month day-of-week): %s", quote.Clip(err.Error()))
	}
	s, ok := rule.(*cron.SpecSchedule)
	if !ok { // not reached: only descriptors make other kinds
		return nil, fmt.Errorf("not a cron spec: write the five fields")
	}
	return s, nil
}
