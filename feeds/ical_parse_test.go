package feeds

// A small iCalendar reader for the tests: it unfolds and splits content
// lines, reads VTIMEZONE blocks to turn local times into instants, and
// expands the RRULEs the compact calendars use. It is written apart from
// the encoder (it resolves local times through the calendar's own
// VTIMEZONE blocks, not through Go's zone data, and walks rules day by
// day), so that the two do not share their mistakes.

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

type icalTestProp struct {
	name   string
	params map[string]string
	value  string
}

type icalTestComp struct {
	name  string
	props []icalTestProp
	comps []*icalTestComp
}

func (c *icalTestComp) prop(name string) (icalTestProp, bool) {
	for _, p := range c.props {
		if p.name == name {
			return p, true
		}
	}
	return icalTestProp{}, false
}

func (c *icalTestComp) all(name string) []icalTestProp {
	var out []icalTestProp
	for _, p := range c.props {
		if p.name == name {
			out = append(out, p)
		}
	}
	return out
}

func (c *icalTestComp) sub(name string) []*icalTestComp {
	var out []*icalTestComp
	for _, s := range c.comps {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

// icalUnfold splits data into logical lines. It fails the test on a line
// that does not end with CRLF.
func icalUnfold(t testing.TB, data []byte) []string {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatalf("calendar does not end with CRLF")
	}
	var lines []string
	var cur strings.Builder
	for i, l := range strings.Split(string(data[:len(data)-2]), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("bare CR or LF in line %q", l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if i == 0 {
				t.Fatalf("calendar starts with a continuation line")
			}
			cur.WriteString(l[1:])
			continue
		}
		if i > 0 {
			lines = append(lines, cur.String())
		}
		cur.Reset()
		cur.WriteString(l)
	}
	return append(lines, cur.String())
}

// icalParse reads data into a tree whose root holds the VCALENDARs.
func icalParse(t testing.TB, data []byte) *icalTestComp {
	t.Helper()
	root := &icalTestComp{name: "ROOT"}
	stack := []*icalTestComp{root}
	for _, l := range icalUnfold(t, data) {
		p := icalParseLine(t, l)
		top := stack[len(stack)-1]
		switch p.name {
		case "BEGIN":
			c := &icalTestComp{name: p.value}
			top.comps = append(top.comps, c)
			stack = append(stack, c)
		case "END":
			if top.name != p.value || len(stack) == 1 {
				t.Fatalf("END:%s closes %s", p.value, top.name)
			}
			stack = stack[:len(stack)-1]
		default:
			top.props = append(top.props, p)
		}
	}
	if len(stack) != 1 {
		t.Fatalf("%s is not closed", stack[len(stack)-1].name)
	}
	return root
}

func icalParseLine(t testing.TB, l string) icalTestProp {
	t.Helper()
	p := icalTestProp{params: map[string]string{}}
	i := strings.IndexAny(l, ";:")
	if i <= 0 {
		t.Fatalf("not a content line: %q", l)
	}
	p.name = l[:i]
	for l[i] == ';' {
		l = l[i+1:]
		eq := strings.IndexByte(l, '=')
		if eq < 0 {
			t.Fatalf("parameter without value in %q", l)
		}
		k := l[:eq]
		l = l[eq+1:]
		var v string
		if strings.HasPrefix(l, `"`) {
			end := strings.IndexByte(l[1:], '"')
			v, l = l[1:end+1], l[end+2:]
		} else {
			end := strings.IndexAny(l, ";:")
			v, l = l[:end], l[end:]
		}
		p.params[k] = v
		i = 0
	}
	if l[i] != ':' {
		t.Fatalf("no value in %q", l)
	}
	p.value = l[i+1:]
	return p
}

// icalUnescape reads a TEXT value.
func icalUnescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, `;`, `\,`, `,`, `\n`, "\n", `\N`, "\n").Replace(s)
}

// icalSplitList splits a TEXT list at commas that are not escaped.
func icalSplitList(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ',':
			out = append(out, icalUnescape(s[start:i]))
			start = i + 1
		}
	}
	return append(out, icalUnescape(s[start:]))
}

// icalTestZone is a VTIMEZONE read back: its observances in order of onset.
type icalTestZone []icalTestObservance

type icalTestObservance struct {
	onset    time.Time // in UTC
	from, to int       // offsets in seconds
}

func icalTestOffset(t testing.TB, s string) int {
	t.Helper()
	sign := 1
	switch s[0] {
	case '-':
		sign = -1
	case '+':
	default:
		t.Fatalf("bad UTC offset %q", s)
	}
	s += "00"
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	sec, _ := strconv.Atoi(s[5:7])
	return sign * (h*3600 + m*60 + sec)
}

func icalTestZones(t testing.TB, cal *icalTestComp) map[string]icalTestZone {
	t.Helper()
	zones := map[string]icalTestZone{}
	for _, vtz := range cal.sub("VTIMEZONE") {
		id, _ := vtz.prop("TZID")
		var z icalTestZone
		for _, o := range vtz.comps {
			if o.name != "STANDARD" && o.name != "DAYLIGHT" {
				t.Fatalf("%s in VTIMEZONE", o.name)
			}
			if _, ok := o.prop("RRULE"); ok {
				t.Fatalf("this reader does not expand RRULE in VTIMEZONE")
			}
			start, _ := o.prop("DTSTART")
			from, _ := o.prop("TZOFFSETFROM")
			to, _ := o.prop("TZOFFSETTO")
			f, tt := icalTestOffset(t, from.value), icalTestOffset(t, to.value)
			local, err := time.Parse("20060102T150405", start.value)
			if err != nil {
				t.Fatal(err)
			}
			z = append(z, icalTestObservance{onset: local.Add(-time.Duration(f) * time.Second), from: f, to: tt})
		}
		slices.SortFunc(z, func(a, b icalTestObservance) int { return a.onset.Compare(b.onset) })
		zones[icalUnescape(id.value)] = z
	}
	return zones
}

// offsetAt returns the UTC offset z gives at instant u.
func (z icalTestZone) offsetAt(u time.Time) int {
	off := z[0].from
	for _, o := range z {
		if o.onset.After(u) {
			break
		}
		off = o.to
	}
	return off
}

// resolve turns a local time into an instant as RFC 5545 reads it: the
// first of two candidates when the clocks go back, and the offset before
// the gap when they go forward over it.
func (z icalTestZone) resolve(local time.Time) time.Time {
	var best time.Time
	offs := []int{z[0].from}
	for _, o := range z {
		offs = append(offs, o.to)
	}
	for _, off := range offs {
		u := local.Add(-time.Duration(off) * time.Second)
		if z.offsetAt(u) == off && (best.IsZero() || u.Before(best)) {
			best = u
		}
	}
	if best.IsZero() { // in a gap: read with the offset before it
		for _, o := range z {
			if gap := o.onset.Add(time.Duration(o.from) * time.Second); !local.Before(gap) && local.Before(gap.Add(time.Duration(o.to-o.from)*time.Second)) {
				return local.Add(-time.Duration(o.from) * time.Second)
			}
		}
	}
	return best
}

// icalTestValue is one DATE or DATE-TIME value: an instant, or a date.
type icalTestValue struct {
	at     time.Time // UTC; the zero Time for a date
	date   string    // YYYY-MM-DD for a date
	local  time.Time // wall clock (in UTC's fields) for rule expansion
	zoneID string
}

func (v icalTestValue) String() string {
	if v.date != "" {
		return v.date
	}
	return v.at.UTC().Format(time.RFC3339)
}

// icalTestValues reads the values of a DTSTART, DTEND, RDATE or EXDATE.
func icalTestValues(t testing.TB, p icalTestProp, zones map[string]icalTestZone) []icalTestValue {
	t.Helper()
	var out []icalTestValue
	for _, s := range strings.Split(p.value, ",") {
		if p.params["VALUE"] == "DATE" {
			d, err := time.Parse("20060102", s)
			if err != nil {
				t.Fatalf("%s: %v", p.name, err)
			}
			out = append(out, icalTestValue{date: d.Format(time.DateOnly), local: d})
			continue
		}
		if strings.HasSuffix(s, "Z") {
			if _, ok := p.params["TZID"]; ok {
				t.Fatalf("%s has a TZID and a UTC time %s", p.name, s)
			}
			u, err := time.Parse("20060102T150405Z", s)
			if err != nil {
				t.Fatalf("%s: %v", p.name, err)
			}
			out = append(out, icalTestValue{at: u, local: u})
			continue
		}
		id, ok := p.params["TZID"]
		if !ok {
			t.Fatalf("%s:%s is a floating time", p.name, s)
		}
		z, ok := zones[id]
		if !ok {
			t.Fatalf("%s: TZID %s has no VTIMEZONE", p.name, id)
		}
		local, err := time.Parse("20060102T150405", s)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		out = append(out, icalTestValue{at: z.resolve(local), local: local, zoneID: id})
	}
	return out
}

// icalTestAirings returns the start and end of every airing in the
// calendar, expanding recurring events, sorted by start.
func icalTestAirings(t testing.TB, data []byte) (starts, ends []string) {
	t.Helper()
	root := icalParse(t, data)
	type pair struct{ start, end icalTestValue }
	var all []pair
	for _, cal := range root.sub("VCALENDAR") {
		zones := icalTestZones(t, cal)
		for _, ev := range cal.sub("VEVENT") {
			sp, _ := ev.prop("DTSTART")
			ep, _ := ev.prop("DTEND")
			start := icalTestValues(t, sp, zones)[0]
			end := icalTestValues(t, ep, zones)[0]
			for _, s := range icalTestExpand(t, ev, start, zones) {
				var e icalTestValue
				if s.date != "" {
					d, _ := time.Parse(time.DateOnly, s.date)
					s0, _ := time.Parse(time.DateOnly, start.date)
					e0, _ := time.Parse(time.DateOnly, end.date)
					e = icalTestValue{date: d.Add(e0.Sub(s0)).Format(time.DateOnly)}
				} else {
					e = icalTestValue{at: s.at.Add(end.at.Sub(start.at))}
				}
				all = append(all, pair{s, e})
			}
		}
	}
	slices.SortFunc(all, func(a, b pair) int {
		return cmp.Or(strings.Compare(a.start.String(), b.start.String()), strings.Compare(a.end.String(), b.end.String()))
	})
	for _, p := range all {
		starts = append(starts, p.start.String())
		ends = append(ends, p.end.String())
	}
	return starts, ends
}

// icalTestExpand returns the instances of ev: DTSTART alone, or its
// RRULE's instances plus RDATEs less EXDATEs.
func icalTestExpand(t testing.TB, ev *icalTestComp, start icalTestValue, zones map[string]icalTestZone) []icalTestValue {
	t.Helper()
	set := map[string]icalTestValue{start.String(): start}
	if rp, ok := ev.prop("RRULE"); ok {
		for _, v := range icalTestRule(t, rp.value, start, zones) {
			set[v.String()] = v
		}
	}
	for _, p := range ev.all("RDATE") {
		for _, v := range icalTestValues(t, p, zones) {
			set[v.String()] = v
		}
	}
	for _, p := range ev.all("EXDATE") {
		for _, v := range icalTestValues(t, p, zones) {
			if _, ok := set[v.String()]; !ok {
				t.Errorf("EXDATE %s excludes nothing", v)
			}
			delete(set, v.String())
		}
	}
	out := make([]icalTestValue, 0, len(set))
	for _, v := range set {
		out = append(out, v)
	}
	return out
}

// icalTestRule expands the subset of RRULE the encoder writes: FREQ
// DAILY, WEEKLY or MONTHLY with INTERVAL 1, UNTIL, and BYMONTH,
// BYMONTHDAY, BYDAY (plain weekdays), BYHOUR, BYMINUTE and BYSECOND. It
// walks the days from DTSTART and keeps those every part allows.
func icalTestRule(t testing.TB, rule string, start icalTestValue, zones map[string]icalTestZone) []icalTestValue {
	t.Helper()
	parts := map[string][]string{}
	for _, kv := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(kv, "=")
		parts[k] = strings.Split(v, ",")
	}
	ints := func(k string, def int) map[int]bool {
		m := map[int]bool{}
		vs, ok := parts[k]
		if !ok {
			m[def] = true
		}
		for _, v := range vs {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("RRULE %s: %v", k, err)
			}
			m[n] = true
		}
		return m
	}
	for k := range parts {
		if !slices.Contains([]string{"FREQ", "UNTIL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND"}, k) {
			t.Fatalf("RRULE part %s is not expected", k)
		}
	}
	freq := parts["FREQ"][0]
	if len(parts["UNTIL"]) != 1 {
		t.Fatalf("RRULE %s has no UNTIL", rule)
	}
	until := parts["UNTIL"][0]
	var untilAt time.Time
	var untilDate string
	if start.date != "" {
		d, err := time.Parse("20060102", until)
		if err != nil {
			t.Fatalf("UNTIL with a DATE DTSTART: %v", err)
		}
		untilDate = d.Format(time.DateOnly)
	} else {
		u, err := time.Parse("20060102T150405Z", until)
		if err != nil {
			t.Fatalf("UNTIL must be UTC: %v", err)
		}
		untilAt = u
	}
	l := start.local
	months := ints("BYMONTH", int(l.Month()))
	if _, ok := parts["BYMONTH"]; !ok {
		months = nil
	}
	mdays := ints("BYMONTHDAY", l.Day())
	days := map[time.Weekday]bool{}
	names := map[string]time.Weekday{"SU": 0, "MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6}
	for _, d := range parts["BYDAY"] {
		wd, ok := names[d]
		if !ok {
			t.Fatalf("BYDAY %s", d)
		}
		days[wd] = true
	}
	if len(days) == 0 {
		days[l.Weekday()] = true
	}
	sorted := func(m map[int]bool) []int { return slices.Sorted(maps.Keys(m)) }
	hours, mins, secs := sorted(ints("BYHOUR", l.Hour())), sorted(ints("BYMINUTE", l.Minute())), sorted(ints("BYSECOND", l.Second()))
	var out []icalTestValue
	for d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC); ; d = d.AddDate(0, 0, 1) {
		if start.date != "" && d.Format(time.DateOnly) > untilDate ||
			start.date == "" && d.After(untilAt.Add(48*time.Hour)) {
			break
		}
		if months != nil && !months[int(d.Month())] {
			continue
		}
		switch freq {
		case "DAILY":
		case "WEEKLY":
			if !days[d.Weekday()] {
				continue
			}
		case "MONTHLY":
			if !mdays[d.Day()] {
				continue
			}
		default:
			t.Fatalf("FREQ=%s", freq)
		}
		if start.date != "" {
			out = append(out, icalTestValue{date: d.Format(time.DateOnly), local: d})
			continue
		}
		for _, h := range hours {
			for _, m := range mins {
				for _, s := range secs {
					local := d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
					v := icalTestValue{local: local, at: local, zoneID: start.zoneID}
					if start.zoneID != "" {
						v.at = zones[start.zoneID].resolve(local)
					}
					if !v.at.Before(start.at) && !v.at.After(untilAt) {
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

// icalCheckLines checks what every line of a calendar must be: ended by
// CRLF, at most 75 octets, valid UTF-8 (so a fold never splits a
// character), free of control characters.
func icalCheckLines(t testing.TB, data []byte) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatalf("calendar does not end with CRLF")
	}
	for i, l := range bytes.Split(data[:len(data)-2], []byte("\r\n")) {
		if err := icalLineError(l); err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
	}
}

func icalLineError(l []byte) error {
	switch {
	case len(l) > 75:
		return fmt.Errorf("%d octets, more than 75", len(l))
	case !utf8.Valid(l):
		return fmt.Errorf("not valid UTF-8 (a fold split a character?)")
	case len(l) == 0:
		return fmt.Errorf("empty line")
	}
	for _, r := range string(l) {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return fmt.Errorf("control character %U", r)
		}
	}
	return nil
}
