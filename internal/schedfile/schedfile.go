// Package schedfile reads schedule files: YAML documents that describe
// shows, channels and runs, and turns them into a schedule.Schedule. It
// also holds the embedded default, the Backstage schedule.
//
// YAML (through go.yaml.in/yaml/v3, the YAML organisation's maintained
// line) was chosen over TOML because schedule files are mostly lists of
// runs with nested parts, which YAML writes with less punctuation, because
// comments beside each value carry the "sourced or assumed" notes, and
// because the decoder reports unknown keys with their line numbers.
package schedfile

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/userfile"
	"github.com/backstage-epg/backstage/schedule"
)

//go:embed backstage.yaml
var defaultFile []byte

// defaultName is the name under which the embedded default is reported.
const defaultName = "default schedule (Backstage on e.tv)"

// DefaultFile returns the YAML text of the embedded default schedule: a
// starting point for a schedule file of one's own.
func DefaultFile() []byte { return defaultFile }

// Default returns the embedded Backstage schedule. It is built once.
var Default = sync.OnceValues(func() (*schedule.Schedule, error) {
	return Parse(defaultName, defaultFile)
})

// MaxFileSize is the largest schedule file Load reads. Real ones are a few
// kilobytes, and half a megabyte holds thousands of episode titles. The
// limit keeps a wrong path (a device, a log) from being read without end,
// and bounds the time and memory reading a file takes: the YAML decoder
// holds a node of a few hundred bytes for every item, and a file can be
// all items of a byte or two.
const MaxFileSize = 512 << 10

// Load reads and builds the schedule file at path. Every error it returns
// is an *Error naming path.
func Load(path string) (*schedule.Schedule, error) {
	return LoadContext(context.Background(), path)
}

// LoadContext is Load, except that it gives up once ctx is done, as
// ParseContext does, and so does opening or reading a named pipe, which
// waits for a writer: the error then wraps ctx.Err() and is not an
// *Error, since nothing is wrong with the file.
func LoadContext(ctx context.Context, path string) (*schedule.Schedule, error) {
	stopped := func() error { return fmt.Errorf("read %s: %w", quote.Clip(path), ctx.Err()) }
	f, err := userfile.Open(ctx, path, os.O_RDONLY, 0)
	if err != nil {
		if ctx.Err() != nil {
			return nil, stopped()
		}
		return nil, &Error{File: path, Err: pathErr(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, stopped()
		}
		return nil, &Error{File: path, Err: pathErr(err)}
	}
	if len(data) > MaxFileSize {
		return nil, &Error{File: path, Err: fmt.Errorf("larger than %d bytes; is it a schedule file?", MaxFileSize)}
	}
	return ParseContext(ctx, path, data)
}

// pathErr drops the *fs.PathError around err, whose path the *Error
// names already.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// Error is a problem with a schedule file: the file, the line it is on
// when one is known, and what is wrong. It is written "FILE:LINE: what",
// or "FILE: what" for the file as a whole, as compilers write theirs.
// Errors about the schedule it describes wrap schedule.ErrInvalid.
type Error struct {
	File string
	Line int // 1-based; 0 when no one line is at fault
	Err  error
}

// Error returns the one-line message, without the "schedule: " that the
// schedule package's own errors start with: the file name stands there.
func (e *Error) Error() string {
	msg := strings.TrimPrefix(e.Err.Error(), "schedule: ")
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", quote.Clip(e.File), e.Line, msg)
	}
	return quote.Clip(e.File) + ": " + msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

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
	return &Error{Line: n.Line, Err: err}
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
	EpisodeTitles episodeTitles    `yaml:"episode_titles"`
	Image         at[string]       `yaml:"image"` // see schedule.Show.Image
}

type channelFile struct {
	ID   at[string] `yaml:"id"`
	Name string     `yaml:"name"`
	Icon at[string] `yaml:"icon"` // see schedule.Channel.Icon
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

// maxKeys is the most keys a mapping of a schedule file may have, but
// for episode_titles: a run has about ten. yaml.v3 looks for duplicate
// keys by comparing every key of a mapping with every other, so a
// mapping of tens of thousands of keys takes seconds to decode, or to
// refuse.
const maxKeys = 100

// episodeTitles is a show's episode_titles: the one mapping that may be
// long (a soap can have thousands of titled episodes), so it is decoded
// key by key here, with duplicates found through a map rather than by
// yaml.v3's comparison of every pair.
type episodeTitles map[int]string

// UnmarshalYAML decodes a mapping of episode numbers to titles.
func (t *episodeTitles) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		var m map[int]string
		return n.Decode(&m) // the decoder's own error for what is not a mapping
	}
	*t = make(episodeTitles, len(n.Content)/2)
	lines := make(map[int]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		var ep int
		var title string
		if err := n.Content[i].Decode(&ep); err != nil {
			return err
		}
		if err := n.Content[i+1].Decode(&title); err != nil {
			return err
		}
		if first, dup := lines[ep]; dup {
			return &Error{Line: n.Content[i].Line, Err: fmt.Errorf("episode_titles: episode %d given twice, first on line %d", ep, first)}
		}
		(*t)[ep], lines[ep] = title, n.Content[i].Line
	}
	return nil
}

// runLines returns the line each run of the document root starts on, in
// file order, or nil.
func runLines(root *yaml.Node) []int {
	root = deref(root)
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

// deref returns the node an alias stands for, or n itself.
func deref(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// checkKeys refuses a mapping of more than maxKeys keys anywhere under
// n, but for the values of episode_titles keys. Aliases are not followed:
// what they point to is checked where it stands.
func checkKeys(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode && len(n.Content)/2 > maxKeys {
		return &Error{Line: n.Line, Err: invalid("a mapping of %d keys: want at most %d (is this a schedule file?)", len(n.Content)/2, maxKeys)}
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 1 && n.Content[i-1].Value == "episode_titles" {
			continue
		}
		if err := checkKeys(c); err != nil {
			return err
		}
	}
	return nil
}

// Parse builds the schedule described by data. Every error it returns is
// an *Error with name (usually the file's path) as its File, and the line
// at fault when there is one.
func Parse(name string, data []byte) (*schedule.Schedule, error) {
	return ParseContext(context.Background(), name, data)
}

// ParseContext is Parse, except that it gives up once ctx is done: it
// builds the schedule with schedule.NewContext, which stops within
// milliseconds, and then returns that error, which wraps ctx.Err() and is
// not an *Error, since nothing is wrong with the file. (Reading the YAML
// itself is not interrupted; it takes a fraction of a second for a file
// of MaxFileSize.)
func ParseContext(ctx context.Context, name string, data []byte) (s *schedule.Schedule, err error) {
	defer func() {
		// The YAML library is not ours; a panic in it on odd input must
		// still come out as an error about the file.
		if p := recover(); p != nil {
			s, err = nil, &Error{Err: fmt.Errorf("cannot read the file: %s", quote.Clip(fmt.Sprint(p)))}
		}
		var fe *Error
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return // stopped: nothing is wrong with the file
		} else if errors.As(err, &fe) {
			fe.File = name
			err = fe
		} else if err != nil {
			err = &Error{File: name, Err: err}
		}
	}()
	var f file
	lines, err := decode(data, &f)
	if err != nil {
		return nil, err
	}
	for i, line := range lines {
		if i < len(f.Runs) {
			f.Runs[i].line = line
		}
	}
	p, fields, err := f.plan()
	if err != nil {
		return nil, err
	}
	s, err = schedule.NewContext(ctx, p)
	if err != nil {
		var fe *schedule.FieldError
		if errors.As(err, &fe) {
			return nil, &Error{Line: fields[fe.Run][fe.Field], Err: err}
		}
		return nil, err
	}
	return s, nil
}

var (
	atLine       = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)
	unknownField = regexp.MustCompile(`field (.*) not found in type \S+`)
)

// maxMsgs is the most of the decoder's complaints an error repeats.
const maxMsgs = 5

// decode reads data into f and returns the line each run starts on. It
// reads the file as a tree of nodes first (in time linear in its size)
// and refuses a mapping of more than maxKeys keys before the decoder, with
// KnownFields, reads it into f and refuses unknown keys. Its error
// reports one line: an *Error at the line of the first complaint (and at
// most maxMsgs complaints), wrapping schedule.ErrInvalid.
func decode(data []byte, f *file) ([]int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, decodeError(err)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{Err: invalid("the file is empty")}
	}
	if err := checkKeys(&doc); err != nil {
		return nil, err
	}
	lines := runLines(doc.Content[0])
	// The decoder reads the file again. One tree at a time: collected now,
	// the first is not still held while the second grows (a file of
	// hundreds of thousands of list items makes a tree of tens of
	// megabytes).
	doc = yaml.Node{}
	if len(data) > 64<<10 {
		runtime.GC()
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(f)
	var fe *Error
	switch {
	case errors.As(err, &fe):
		fe.Err = invalid("%v", fe.Err)
		return nil, fe
	case err != nil:
		return nil, decodeError(err)
	}
	return lines, nil
}

// decodeError makes an error of the YAML library one line: an *Error at
// the line of its first complaint, with at most maxMsgs of them.
func decodeError(err error) error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	e := &Error{}
	if n := len(msgs); n > maxMsgs {
		msgs = append(msgs[:maxMsgs-1], fmt.Sprintf("and %d more", n-maxMsgs+1))
	}
	for i, m := range msgs {
		// KnownFields names the Go type a key is not a field of.
		m = unknownField.ReplaceAllStringFunc(m, func(s string) string {
			return "unknown key " + quote.Value(unknownField.FindStringSubmatch(s)[1])
		})
		m = quote.Cut(m, 2*quote.Max)
		if sub := atLine.FindStringSubmatch(m); sub != nil {
			m = m[len(sub[0]):]
			if i == 0 {
				e.Line, _ = strconv.Atoi(sub[1])
			} else {
				m = "line " + sub[1] + ": " + m
			}
		}
		msgs[i] = strings.TrimPrefix(m, "yaml: ")
	}
	e.Err = invalid("%s", strings.Join(msgs, "; "))
	return e
}

// invalid returns an error wrapping schedule.ErrInvalid with the
// formatted message.
func invalid(format string, args ...any) error {
	return &invalidError{fmt.Sprintf(format, args...)}
}

type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }
func (e *invalidError) Unwrap() error { return schedule.ErrInvalid }

// plan resolves names into a schedule.Plan, and says on which line each
// field of each run was written. Its errors are *Errors without a File.
func (f *file) plan() (schedule.Plan, map[string]map[string]int, error) {
	var p schedule.Plan
	bad := func(line int, format string, args ...any) error {
		return &Error{Line: line, Err: invalid(format, args...)}
	}
	// LoadLocation reads the zone's file on every call: each zone is read
	// once, and its runs share it.
	zones := map[string]*time.Location{}
	zone := func(v at[string]) (*time.Location, error) {
		if loc := zones[v.V]; loc != nil {
			return loc, nil
		}
		loc, err := time.LoadLocation(v.V)
		if err != nil || v.V == "" || v.V == "Local" {
			return nil, bad(v.Line, "timezone %s: want an IANA zone name such as Africa/Johannesburg", quote.Value(v.V))
		}
		zones[v.V] = loc
		return loc, nil
	}
	if len(f.Runs) == 0 {
		return p, nil, &Error{Err: invalid("the schedule has no runs")}
	}
	if err := checkLen("name", f.Name, maxName); err != nil {
		return p, nil, &Error{Err: err}
	}
	if err := checkLen("source", f.Source, maxText); err != nil {
		return p, nil, &Error{Err: err}
	}
	p.Name, p.Source, p.Revised = f.Name, f.Source, f.Revised.V
	p.MaxSlots = MaxSlots
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
			return p, nil, bad(s.ID.Line, "show id %s: want a unique, non-empty id", quote.Value(s.ID.V))
		}
		if strings.TrimSpace(s.Title) == "" {
			return p, nil, bad(s.ID.Line, "show %s has no title", quote.Value(s.ID.V))
		}
		if err := s.checkLens(); err != nil {
			return p, nil, bad(s.ID.Line, "show %s: %v", quote.Value(s.ID.V), err)
		}
		if s.Image.Line > 0 {
			if err := schedule.CheckImageURL(s.Image.V); err != nil {
				return p, nil, bad(s.Image.Line, "show %s: image %s: %v", quote.Value(s.ID.V), quote.Value(s.Image.V), err)
			}
		}
		shows[s.ID.V] = &schedule.Show{
			ID: s.ID.V, Title: s.Title, Synopsis: strings.TrimSpace(s.Synopsis), Genres: s.Genres,
			Country: s.Country, Language: s.Language, EpisodeTitles: s.EpisodeTitles, Credits: s.Credits,
			Image: s.Image.V,
		}
	}
	channels := map[string]*schedule.Channel{}
	for _, c := range f.Channels {
		if c.ID.V == "" || channels[c.ID.V] != nil {
			return p, nil, bad(c.ID.Line, "channel id %s: want a unique, non-empty id", quote.Value(c.ID.V))
		}
		if err := cmp.Or(checkLen("id", c.ID.V, maxName), checkLen("name", c.Name, maxName)); err != nil {
			return p, nil, bad(c.ID.Line, "channel %s: %v", quote.Value(c.ID.V), err)
		}
		name := c.Name
		if name == "" {
			name = c.ID.V
		}
		if c.Icon.Line > 0 {
			if err := schedule.CheckImageURL(c.Icon.V); err != nil {
				return p, nil, bad(c.Icon.Line, "channel %s: icon %s: %v", quote.Value(c.ID.V), quote.Value(c.Icon.V), err)
			}
		}
		channels[c.ID.V] = &schedule.Channel{ID: c.ID.V, Name: name, Icon: c.Icon.V}
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
			return p, nil, bad(known["show"], "run %s: show %s: no show has this id", quote.Value(r.Name), quote.Value(rf.Show.V))
		}
		if r.Channel == nil {
			return p, nil, bad(known["channel"], "run %s: channel %s: no channel has this id", quote.Value(r.Name), quote.Value(rf.Channel.V))
		}
		if rf.Timezone.V != "" {
			loc, err := zone(rf.Timezone)
			if err != nil {
				return p, nil, err
			}
			r.Location = loc
		}
		if r.Location == nil {
			return p, nil, bad(rf.line, "run %s has no timezone, and neither has the schedule", quote.Value(r.Name))
		}
		switch {
		case rf.Episodes != nil && rf.Replay != nil:
			return p, nil, bad(rf.line, "run %s: give either episodes or replay, not both", quote.Value(r.Name))
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
				return p, nil, bad(rf.Assumptions.Line, "run %s: assumptions: unknown field %s", quote.Value(r.Name), quote.Value(k))
			}
			if err := checkLen(k, rf.Assumptions.V[k], maxText); err != nil {
				return p, nil, bad(rf.Assumptions.Line, "run %s: assumptions: %v", quote.Value(r.Name), err)
			}
			r.Assumptions = append(r.Assumptions, schedule.Assumption{Field: k, Note: rf.Assumptions.V[k]})
		}
		lines[r.Name] = known
		p.Runs = append(p.Runs, r)
	}
	lines[""] = map[string]int{"revised": f.Revised.Line} // the plan's own fields
	return p, lines, nil
}

// MaxSlots is the most slots a schedule file may give a schedule, far
// below the schedule package's own limit: it is what every command can
// afford with any schedule it accepts: publishing holds the site's
// record of each episode and a record of each file it writes (a few an
// episode: about 600,000 at this limit, with the days of 1900 to 2200);
// answering what aired on a day builds every slot first.
const MaxSlots = 100_000

// The longest values a schedule file may hold, in characters. A show's
// title, synopsis, genres and credits are repeated in every one of its
// airings, in every feed and page, so a long one costs as much again as
// there are airings: a show's text (maxShowText in all) is bounded, and
// so is each name, one-line value and note.
const (
	maxName     = 200   // ids, names, titles, genres, credits, country and language
	maxText     = 4_000 // the synopsis, the schedule's source, an assumption's note
	maxItems    = 100   // genres, and the names of one kind of credit
	maxShowText = 8_000 // a show's title, synopsis, genres and credits, in all
)

// checkLen refuses a value of field longer than limit characters.
func checkLen(field, v string, limit int) error {
	if n := utf8.RuneCountInString(v); n > limit {
		return invalid("%s is %d characters long: want at most %d", field, n, limit)
	}
	return nil
}

// checkLens refuses a show whose values are too long, or too many: see
// maxName and the limits beside it.
func (s *showFile) checkLens() error {
	total := 0
	one := func(field, v string, limit int) error {
		total += utf8.RuneCountInString(v)
		return checkLen(field, v, limit)
	}
	list := func(field string, vs []string) error {
		if len(vs) > maxItems {
			return invalid("%s: %d of them: want at most %d", field, len(vs), maxItems)
		}
		for _, v := range vs {
			if err := one(field+": "+quote.Value(v), v, maxName); err != nil {
				return err
			}
		}
		return nil
	}
	c := s.Credits
	if err := cmp.Or(checkLen("id", s.ID.V, maxName), one("title", s.Title, maxName), one("synopsis", s.Synopsis, maxText),
		checkLen("country", s.Country, maxName), checkLen("language", s.Language, maxName), list("genres", s.Genres),
		list("creators", c.Creators), list("developers", c.Developers), list("directors", c.Directors), list("actors", c.Actors),
		list("writers", c.Writers), list("producers", c.Producers), list("composers", c.Composers), list("presenters", c.Presenters)); err != nil {
		return err
	}
	if total > maxShowText {
		return invalid("its title, synopsis, genres and credits, repeated in every airing, are %d characters in all: want at most %d", total, maxShowText)
	}
	long := 0 // the first episode whose title is too long
	for ep, title := range s.EpisodeTitles {
		if (long == 0 || ep < long) && checkLen("", title, maxName) != nil {
			long = ep
		}
	}
	if long != 0 {
		return checkLen(fmt.Sprintf("episode_titles: episode %d", long), s.EpisodeTitles[long], maxName)
	}
	return nil
}

// assumable lists the run fields an assumption may be about.
var assumable = map[string]bool{
	"show": true, "channel": true, "slot": true, "timezone": true, "first": true, "last": true,
	"length": true, "episodes": true, "replay": true, "exceptions": true,
}
