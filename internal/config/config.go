// Package config reads schedule files: YAML documents that describe shows,
// channels and runs, and turns them into a schedule.Schedule. It also holds
// the embedded default, the Backstage schedule.
//
// YAML (through go.yaml.in/yaml/v3, the YAML organisation's maintained
// line) was chosen over TOML because schedule files are mostly lists of
// runs with nested parts, which YAML writes with less punctuation, because
// comments beside each value carry the "sourced or assumed" notes, and
// because the decoder reports unknown keys with their line numbers.
package config

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backstage-epg/backstage/schedule"
)

//go:embed backstage.yaml
var defaultFile []byte

// DefaultName is the name under which the embedded default is reported.
const DefaultName = "default schedule (Backstage on e.tv)"

// DefaultFile returns the YAML text of the embedded default schedule: a
// starting point for a schedule file of one's own.
func DefaultFile() []byte { return defaultFile }

// Default returns the embedded Backstage schedule. It is built once.
var Default = sync.OnceValues(func() (*schedule.Schedule, error) {
	return Parse(DefaultName, defaultFile)
})

// MaxFileSize is the largest schedule file Load reads. Real ones are a few
// kilobytes; the limit keeps a wrong path (a device, a log) from being
// read without end.
const MaxFileSize = 4 << 20

// Load reads and builds the schedule file at path.
func Load(path string) (*schedule.Schedule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("schedule file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("schedule file %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("schedule file %s: larger than %d bytes; is it a schedule file?", path, MaxFileSize)
	}
	return Parse(path, data)
}

// at records where in the file a value was written.
type at[T any] struct {
	V    T
	Line int
}

// UnmarshalYAML records the value's line, then decodes it as usual.
func (a *at[T]) UnmarshalYAML(n *yaml.Node) error {
	a.Line = n.Line
	err := n.Decode(&a.V)
	var te *yaml.TypeError
	if err == nil || errors.As(err, &te) {
		return err // the decoder's own errors carry their line
	}
	// An error of the value's own UnmarshalText (a date such as
	// 2003-02-30) would otherwise reach the user without a line.
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
}

type file struct {
	Name     string        `yaml:"name"`
	Source   string        `yaml:"source"`
	Timezone at[string]    `yaml:"timezone"`
	Revised  at[time.Time] `yaml:"revised"`
	Shows    []showFile    `yaml:"shows"`
	Channels []channelFile `yaml:"channels"`
	Runs     []runFile     `yaml:"runs"`
}

type showFile struct {
	ID            at[string]       `yaml:"id"`
	Title         string           `yaml:"title"`
	Synopsis      string           `yaml:"synopsis"`
	Genres        []string         `yaml:"genres"`
	Country       string           `yaml:"country"`
	Language      string           `yaml:"language"`
	Credits       schedule.Credits `yaml:"credits"` // keys: the field names in lower case
	EpisodeTitles map[int]string   `yaml:"episode_titles"`
}

type channelFile struct {
	ID   at[string] `yaml:"id"`
	Name string     `yaml:"name"`
}

type runFile struct {
	Name       at[string]          `yaml:"name"`
	Show       at[string]          `yaml:"show"`
	Channel    at[string]          `yaml:"channel"`
	Slot       at[string]          `yaml:"slot"`
	Timezone   at[string]          `yaml:"timezone"`
	First      at[schedule.Date]   `yaml:"first"`
	Last       at[schedule.Date]   `yaml:"last"`
	Length     at[time.Duration]   `yaml:"length"`
	Episodes   *episodesFile       `yaml:"episodes"`
	Replay     *replayFile         `yaml:"replay"`
	Exceptions at[[]schedule.Date] `yaml:"exceptions"`
	// Assumptions maps a field name to what was assumed about it.
	Assumptions at[map[string]string] `yaml:"assumptions"`
	line        int                   // where the run starts; set by runLines, not the decoder
}

type episodesFile struct {
	First at[int] `yaml:"first"`
	Count at[int] `yaml:"count"`
}

type replayFile struct {
	Run  at[string] `yaml:"run"`
	From at[int]    `yaml:"from"`
	To   at[int]    `yaml:"to"`
}

// lines maps the field names schedule.FieldError uses to the lines they
// were written on, falling back to the run's own line.
func (r *runFile) lines() map[string]int {
	m := map[string]int{
		"name": r.Name.Line, "show": r.Show.Line, "channel": r.Channel.Line,
		"slot": r.Slot.Line, "timezone": r.Timezone.Line, "first": r.First.Line,
		"last": r.Last.Line, "length": r.Length.Line, "exceptions": r.Exceptions.Line,
	}
	if e := r.Episodes; e != nil {
		m["episodes.first"], m["episodes.count"] = e.First.Line, e.Count.Line
	}
	if p := r.Replay; p != nil {
		m["replay.run"], m["replay.from"], m["replay.to"] = p.Run.Line, p.From.Line, p.To.Line
	}
	for k, v := range m {
		if v == 0 {
			m[k] = r.line
		}
	}
	return m
}

// runLines returns the line each run starts on, in file order, or nil.
// They are read from the node tree in a pass of their own: an
// UnmarshalYAML method on runFile would see the run's node, but yaml.v3's
// Node.Decode starts a fresh decoder without KnownFields, so unknown keys
// inside runs would pass unnoticed.
func runLines(data []byte) []int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	deref := func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			return n.Alias
		}
		return n
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if v := deref(root.Content[i+1]); root.Content[i].Value == "runs" && v.Kind == yaml.SequenceNode {
			lines := make([]int, len(v.Content))
			for j, r := range v.Content {
				lines[j] = deref(r).Line
			}
			return lines
		}
	}
	return nil
}

// Parse builds the schedule described by data; name (usually the file's
// path) prefixes every error, with the line where the YAML decoder or the
// field gives one.
func Parse(name string, data []byte) (s *schedule.Schedule, err error) {
	defer func() {
		// The YAML library is not ours; a panic in it on odd input must
		// still come out as an error about the file.
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("%s: cannot read schedule: %v", name, p)
		}
	}()
	var f file
	if err := strict(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i, line := range runLines(data) {
		if i < len(f.Runs) {
			f.Runs[i].line = line
		}
	}
	p, lines, err := f.plan()
	if err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	s, err = schedule.New(p)
	if err != nil {
		var fe *schedule.FieldError
		if errors.As(err, &fe) {
			return nil, fmt.Errorf("%s:%d: run %q: %s %q: %w", name, lines[fe.Run][fe.Field], fe.Run, fe.Field, fe.Value, fe.Err)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

var notFound = regexp.MustCompile(`field (\S+) not found in type \S+`)

// strict decodes data into f, refusing unknown keys, and makes the
// decoder's multi-line error report one readable line.
func strict(data []byte, f *file) error {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	err := dec.Decode(f)
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: the file is empty", schedule.ErrInvalid)
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			msgs[i] = notFound.ReplaceAllString(m, "unknown key \"$1\"")
		}
		return fmt.Errorf("%w: %s", schedule.ErrInvalid, strings.Join(msgs, "; "))
	}
	return fmt.Errorf("%w: %s", schedule.ErrInvalid, strings.TrimPrefix(err.Error(), "yaml: "))
}

// plan resolves names into a schedule.Plan. The errors it returns start
// with the line number (":12: ...") so Parse can put the file name first.
func (f *file) plan() (schedule.Plan, map[string]map[string]int, error) {
	var p schedule.Plan
	bad := func(line int, format string, args ...any) error {
		return fmt.Errorf("%d: %w: "+format, append([]any{line, schedule.ErrInvalid}, args...)...)
	}
	zone := func(v at[string]) (*time.Location, error) {
		loc, err := time.LoadLocation(v.V)
		if err != nil || v.V == "" || v.V == "Local" {
			return nil, bad(v.Line, "timezone %q: want an IANA zone name such as Africa/Johannesburg", v.V)
		}
		return loc, nil
	}
	if len(f.Runs) == 0 {
		return p, nil, fmt.Errorf(" %w: the schedule has no runs", schedule.ErrInvalid)
	}
	p.Name, p.Source, p.Revised = f.Name, f.Source, f.Revised.V
	if f.Timezone.V != "" {
		loc, err := zone(f.Timezone)
		if err != nil {
			return p, nil, err
		}
		p.Location = loc
	}
	shows := map[string]*schedule.Show{}
	for _, s := range f.Shows {
		if s.ID.V == "" || shows[s.ID.V] != nil {
			return p, nil, bad(s.ID.Line, "show id %q: want a unique, non-empty id", s.ID.V)
		}
		if strings.TrimSpace(s.Title) == "" {
			return p, nil, bad(s.ID.Line, "show %q has no title", s.ID.V)
		}
		shows[s.ID.V] = &schedule.Show{
			ID: s.ID.V, Title: s.Title, Synopsis: strings.TrimSpace(s.Synopsis), Genres: s.Genres,
			Country: s.Country, Language: s.Language, EpisodeTitles: s.EpisodeTitles, Credits: s.Credits,
		}
	}
	channels := map[string]*schedule.Channel{}
	for _, c := range f.Channels {
		if c.ID.V == "" || channels[c.ID.V] != nil {
			return p, nil, bad(c.ID.Line, "channel id %q: want a unique, non-empty id", c.ID.V)
		}
		name := c.Name
		if name == "" {
			name = c.ID.V
		}
		channels[c.ID.V] = &schedule.Channel{ID: c.ID.V, Name: name}
	}
	lines := map[string]map[string]int{}
	for i := range f.Runs {
		rf := &f.Runs[i]
		if rf.Name.V == "" {
			return p, nil, bad(rf.line, "a run has no name")
		}
		known := rf.lines()
		r := &schedule.Run{
			Name: rf.Name.V, Show: shows[rf.Show.V], Channel: channels[rf.Channel.V],
			Rule: rf.Slot.V, Location: p.Location, First: rf.First.V, Last: rf.Last.V,
			Length: rf.Length.V, Exceptions: rf.Exceptions.V,
		}
		if r.Show == nil {
			return p, nil, bad(known["show"], "run %q: show %q: no show has this id", r.Name, rf.Show.V)
		}
		if r.Channel == nil {
			return p, nil, bad(known["channel"], "run %q: channel %q: no channel has this id", r.Name, rf.Channel.V)
		}
		if rf.Timezone.V != "" {
			loc, err := zone(rf.Timezone)
			if err != nil {
				return p, nil, err
			}
			r.Location = loc
		}
		if r.Location == nil {
			return p, nil, bad(rf.line, "run %q has no timezone, and neither has the schedule", r.Name)
		}
		switch {
		case rf.Episodes != nil && rf.Replay != nil:
			return p, nil, bad(rf.line, "run %q: give either episodes or replay, not both", r.Name)
		case rf.Replay != nil:
			r.Replays, r.ReplayFrom, r.ReplayTo = rf.Replay.Run.V, rf.Replay.From.V, rf.Replay.To.V
			if rf.Replay.From.Line == 0 {
				r.ReplayFrom = 1
			}
		case rf.Episodes != nil:
			r.FirstEpisode, r.Count = rf.Episodes.First.V, rf.Episodes.Count.V
			if rf.Episodes.First.Line == 0 {
				r.FirstEpisode = 1
			}
		default:
			r.FirstEpisode = 1
		}
		keys := make([]string, 0, len(rf.Assumptions.V))
		for k := range rf.Assumptions.V {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !assumable[k] {
				return p, nil, bad(rf.Assumptions.Line, "run %q: assumptions: unknown field %q", r.Name, k)
			}
			r.Assumptions = append(r.Assumptions, schedule.Assumption{Field: k, Note: rf.Assumptions.V[k]})
		}
		lines[r.Name] = known
		p.Runs = append(p.Runs, r)
	}
	return p, lines, nil
}

// assumable lists the run fields an assumption may be about.
var assumable = map[string]bool{
	"show": true, "channel": true, "slot": true, "timezone": true, "first": true, "last": true,
	"length": true, "episodes": true, "replay": true, "exceptions": true,
}
