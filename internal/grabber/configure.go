package grabber

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backstage-epg/backstage/internal/atomicfile"
	"github.com/backstage-epg/backstage/internal/quote"
	"github.com/backstage-epg/backstage/internal/schedfile"
	"github.com/backstage-epg/backstage/schedule"
)

// configure writes the configuration file at path. At a terminal it asks
// one plain question per setting, offering the file's current values (or
// the defaults) in brackets; otherwise it writes those values as they
// are, so that a program (tv_validate_grabber, an installer) can
// configure the grabber with no input. A file that exists but does not
// parse is kept unless a person answers the questions.
//
// Once ctx is done (Ctrl-C at a question), it stops and writes nothing.
func configure(ctx context.Context, env Env, path string, quiet bool) error {
	c, err := LoadConfig(ctx, path)
	switch {
	case ctx.Err() != nil:
		return err
	case err == nil, errors.Is(err, ErrNoConfig):
	case !env.Interactive:
		return usageError{fmt.Errorf("%w (fix or remove it; with no terminal to ask on, --configure keeps it)", err)}
	default:
		fmt.Fprintf(env.Stderr, "%v\nStarting from the defaults instead.\n", err)
		c = DefaultConfig
	}
	if env.Interactive {
		now, err := clock(env)
		if err != nil {
			return usageError{err}
		}
		c = ask(ctx, env, c, filepath.Dir(path), now)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s not written: %w", quote.Clip(path), err)
		}
	}
	data, err := c.MarshalText()
	if err != nil {
		return usageError{err}
	}
	err = os.MkdirAll(filepath.Dir(path), 0o755)
	if err == nil {
		_, err = atomicfile.WriteFileContext(ctx, path, data, atomicfile.Options{})
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%s not written: %w", quote.Clip(path), ctx.Err())
	}
	if err != nil {
		// The operating system's reason alone: its *fs.PathError would
		// name the (perhaps long) path a second time.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usageError{fmt.Errorf("--config-file %s: cannot write there: %w", quote.Clip(path), err)}
	}
	if !quiet {
		fmt.Fprintf(env.Stderr, "%s: configuration written to %s\n", Name, path)
	}
	return nil
}

// asker asks questions on a terminal. Once input ends, or its context
// is done, every further question takes its default.
type asker struct {
	ctx   context.Context
	lines chan answer // read from the terminal by a goroutine of their own
	out   io.Writer
	eof   bool
}

// answer is one line read, or why none was.
type answer struct {
	text string
	err  error
}

func newAsker(ctx context.Context, in io.Reader, out io.Writer) *asker {
	q := &asker{ctx: ctx, lines: make(chan answer), out: out}
	// A read of a terminal cannot be stopped; the goroutine waits in it
	// while ask, on Ctrl-C, goes on without it.
	go func() {
		r := bufio.NewReader(in)
		for {
			text, err := r.ReadString('\n')
			select {
			case q.lines <- answer{text, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return q
}

// ask asks for value after value, starting from c, and returns the
// answers. dir is where a relative schedule file name is read from.
func ask(ctx context.Context, env Env, c Config, dir string, now time.Time) Config {
	q := newAsker(ctx, env.Stdin, env.Stderr)
	fmt.Fprintf(q.out, "Configuring %s. Press Enter to keep the value in brackets.\n\n", Name)

	mode := "replay"
	if c.History {
		mode = "history"
	}
	c.History = q.ask("Guide: replay (the airings moved to the present, keeping weekday and time)\nor history (the dates they aired)?", mode, func(v string) (string, error) {
		if v != "replay" && v != "history" {
			return "", errors.New("want replay or history")
		}
		return v, nil
	}) == "history"
	sched := c.Schedule
	if sched == "" {
		sched = "built-in"
	}
	var loaded *schedule.Schedule
	sched = q.ask("Schedule file, or built-in for the Backstage schedule", sched, func(v string) (string, error) {
		if v == "built-in" {
			s, err := schedfile.Default()
			loaded = s
			return v, err
		}
		abs, err := filepath.Abs(filepath.Join(dir, v))
		if filepath.IsAbs(v) {
			abs, err = v, nil
		}
		if err != nil {
			return "", err
		}
		s, err := schedfile.LoadContext(ctx, abs)
		if err != nil {
			return "", err
		}
		if _, err := (Config{Schedule: abs}).MarshalText(); err != nil {
			return "", err
		}
		loaded = s
		return abs, nil
	})
	c.Schedule = ""
	if sched != "built-in" {
		c.Schedule = sched
	}
	if !c.History && loaded != nil {
		c.ReplayFrom, c.ReplayStart = askReplay(q, c, loaded, now)
		c.Loop = q.yesNo("After the last airing, start again from that day?", c.Loop)
		c.SkipGaps = q.yesNo("Leave out the weeks with no airing, such as July 2007 to December 2008?", c.SkipGaps)
	}
	c.MarkNew = q.yesNo(`Mark first airings <new/>, for "new episodes only" recordings?`, c.MarkNew)
	c.MarkEmptyDays = q.yesNo(`On days with no airing, such as weekends, show one programme "No airing today"?`, c.MarkEmptyDays)
	fmt.Fprintln(q.out)
	return c
}

// ask asks question, offering def, until check accepts the answer (an
// empty answer is def) or input ends; it returns what check returns.
func (q *asker) ask(question, def string, check func(string) (string, error)) string {
	for !q.eof {
		fmt.Fprintf(q.out, "%s [%s] ", question, def)
		var a answer
		select {
		case a = <-q.lines:
		case <-q.ctx.Done():
			a.err = q.ctx.Err()
		}
		line, err := a.text, a.err
		if err != nil {
			q.eof = true
			fmt.Fprintln(q.out)
		}
		v := strings.TrimSpace(line)
		if v == "" {
			if q.eof {
				break
			}
			v = def
		}
		got, cerr := check(v)
		if cerr == nil {
			return got
		}
		fmt.Fprintf(q.out, "  %v\n", cerr)
	}
	if got, err := check(def); err == nil {
		return got
	}
	return def
}

func (q *asker) yesNo(question string, def bool) bool {
	return q.ask(question, yesNoText(def), func(v string) (string, error) {
		switch v = strings.ToLower(v); v {
		case "y":
			v = "yes"
		case "n":
			v = "no"
		}
		b, err := yesNo("answer", v)
		if err != nil {
			return "", errors.New("want yes or no")
		}
		return yesNoText(b), nil
	}) == "yes"
}

// askReplay asks for the replay's mapping, offering c's: the historic day
// it began with and the day the channel aired it. Each answer is checked
// against s as a replay made now would check it.
func askReplay(q *asker, c Config, s *schedule.Schedule, now time.Time) (from, start schedule.Date) {
	try := func(from, start schedule.Date) error {
		_, err := s.Replay(schedule.ReplayOptions{From: from, Start: start, Now: now, Days: 1})
		var ie *schedule.InputError
		if errors.As(err, &ie) {
			return ie.Err
		}
		return err
	}
	first := schedule.DateOf(s.First().Start.In(s.Location()))
	def := "first"
	if !c.ReplayFrom.IsZero() {
		def = c.ReplayFrom.String()
	}
	answer := q.ask(fmt.Sprintf("Which historic day did your channel begin with? YYYY-MM-DD, or first for the first airing (%s)", first), def, func(v string) (string, error) {
		if v == "first" {
			return v, nil
		}
		d, err := schedule.ParseDate(v)
		if err == nil {
			err = try(d, d) // its range alone
		}
		return d.String(), err
	})
	if answer != "first" {
		from, _ = schedule.ParseDate(answer)
	}
	day := from
	if day.IsZero() {
		day = first
	}
	def = "default"
	if !c.ReplayStart.IsZero() {
		def = c.ReplayStart.String()
	}
	answer = q.ask(fmt.Sprintf("On which day did (or will) your channel air it? YYYY-MM-DD, a %s, or default for %s, %d weeks later",
		day.Weekday(), day.AddDays(7*schedule.DefaultReplayWeeks), schedule.DefaultReplayWeeks), def, func(v string) (string, error) {
		var d schedule.Date
		if v != "default" {
			var err error
			if d, err = schedule.ParseDate(v); err != nil {
				return "", err
			}
		}
		if err := try(from, d); err != nil {
			return "", err
		}
		return v, nil
	})
	if answer != "default" {
		start, _ = schedule.ParseDate(answer)
	}
	return from, start
}
