package conform

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// scenarioLineRE matches the scenario totals line of godog's console
// summary, "12 scenarios (10 passed, 2 failed)".
var scenarioLineRE = regexp.MustCompile(`^\d+ scenarios? \(`)

// snippetsHeader starts the block of Go snippets godog prints for
// undefined steps, the last thing it writes: of no use to a user of the
// binary, so totalsWriter drops it (the summary names each such step,
// with its file and line, instead).
const snippetsHeader = "You can implement step definitions for undefined steps"

// totalsWriter passes godog's console output through, except the scenario
// totals line and the snippets of undefined steps: godog counts a scenario
// whose steps were all skipped as passed, and a skipped scenario must never
// read as passed. That one line is replaced by the session's own count.
// Only lines that start with a digit or a Y (the snippets' header) are held
// back until their end, so progress dots still stream.
type totalsWriter struct {
	w      io.Writer
	totals func() string

	mu       sync.Mutex
	held     []byte // a line that starts with a digit, until its newline
	holding  bool
	midLine  bool // inside a line that is passed through
	snippets bool // inside godog's snippets, to the end
	closed   bool // after Close, writes are dropped
}

func (t *totalsWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if t.closed {
		// A run abandoned on a second interrupt returns while godog's
		// scenarios still report: what they write after it is dropped, so
		// that it never interleaves with (or races) the summary.
		return n, nil
	}
	for len(p) > 0 && !t.snippets {
		i := strings.IndexByte(string(p), '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i+1]
		}
		if !t.holding && !t.midLine {
			switch {
			case strings.Contains(string(chunk), snippetsHeader): // coloured: one write
				t.snippets = true
				return n, nil
			case p[0] >= '0' && p[0] <= '9' || p[0] == 'Y':
				t.holding = true
			default:
				t.midLine = true
			}
		}
		p = p[len(chunk):]
		if t.midLine {
			if _, err := t.w.Write(chunk); err != nil {
				return n - len(p), err
			}
			t.midLine = i < 0
			continue
		}
		t.held = append(t.held, chunk...)
		if i >= 0 {
			if err := t.flushHeld(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

func (t *totalsWriter) flushHeld() error {
	line := t.held
	t.held, t.holding = nil, false
	if strings.Contains(string(line), snippetsHeader) {
		t.snippets = true
		return nil
	}
	if scenarioLineRE.Match(line) {
		_, err := fmt.Fprintln(t.w, t.totals())
		return err
	}
	_, err := t.w.Write(line)
	return err
}

// Close writes a held partial line.
func (t *totalsWriter) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	if len(t.held) == 0 || t.snippets {
		return nil
	}
	_, err := t.w.Write(t.held)
	t.held, t.holding = nil, false
	return err
}

// Totals counts the scenarios the session saw, by status, in the words of
// godog's summary line: "12 scenarios (10 passed, 2 skipped)".
func (s *Session) Totals() string {
	s.mu.Lock()
	counts := map[Status]int{}
	for _, rec := range s.records {
		counts[rec.verdict().status]++
	}
	total := len(s.records)
	s.mu.Unlock()
	var parts []string
	for _, st := range []Status{StatusPassed, StatusFailed, StatusUndefined, StatusPending, StatusAmbiguous, StatusSkipped, StatusNotRun} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	return fmt.Sprintf("%d scenarios (%s)", total, strings.Join(parts, ", "))
}
