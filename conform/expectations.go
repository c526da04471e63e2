package conform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Expectation names scenarios known to fail on a given server, and why.
//
// An expectations file is a JSON array of objects with exactly two keys:
//
//	[
//	  {"scenario": "users_register.feature:42", "reason": "batch of 501 accepted (ticket IM-12)"},
//	  {"scenario": "groups.feature:Create a group with an unknown owner", "reason": "answers 899003"}
//	]
//
// "scenario" is FILE:LINE or FILE:NAME. FILE is the feature file's path in
// the features folder ("features/" in front is allowed). LINE is the line
// of a Scenario (all its Examples rows) or of one Examples row; NAME is a
// scenario's name as written (all rows of an outline) or as run (one row,
// placeholders filled in). "reason" is required. Every entry must name at
// least one scenario, and no scenario may be named twice.
type Expectation struct {
	Scenario string `json:"scenario"`
	Reason   string `json:"reason"`

	// Entry is the entry's place in the file, 1-based, and Line its line.
	Entry, Line int `json:"-"`
}

// Where names the entry for error messages: "entry 2 (line 5)".
func (e Expectation) Where() string { return fmt.Sprintf("entry %d (line %d)", e.Entry, e.Line) }

// LoadExpectations reads and parses an expectations file.
func LoadExpectations(path string) ([]Expectation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read expectations: %w", err)
	}
	exps, err := ParseExpectations(data)
	if err != nil {
		return nil, fmt.Errorf("expectations %s: %w", path, err)
	}
	return exps, nil
}

// ParseExpectations parses the JSON of an expectations file (see
// Expectation). Errors name the entry and line at fault.
func ParseExpectations(data []byte) ([]Expectation, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New(`the file is empty: write a JSON array such as [{"scenario":"users.feature:12","reason":"why"}], or [] for none`)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(data, dec.InputOffset(), err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf(`line %d: the file must be a JSON array of {"scenario","reason"} objects`, lineAt(data, dec.InputOffset()))
	}
	var out []Expectation
	for dec.More() {
		start := skipSpace(data, dec.InputOffset())
		e := Expectation{Entry: len(out) + 1, Line: lineAt(data, start)}
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Where(), jsonError(data, dec.InputOffset(), err))
		}
		e.Scenario = strings.TrimSpace(e.Scenario)
		e.Reason = strings.TrimSpace(e.Reason)
		switch {
		case e.Scenario == "":
			return nil, fmt.Errorf(`%s: "scenario" is missing: name it as FILE:LINE or FILE:NAME, e.g. "users.feature:12"`, e.Where())
		case !strings.Contains(e.Scenario, ".feature:"):
			return nil, fmt.Errorf(`%s: scenario %q is not FILE:LINE or FILE:NAME, e.g. "users.feature:12"`, e.Where(), e.Scenario)
		case e.Reason == "":
			return nil, fmt.Errorf(`%s: "reason" is missing: say why %s is expected to fail`, e.Where(), e.Scenario)
		}
		out = append(out, e)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(data, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: unexpected data after the array", lineAt(data, dec.InputOffset()))
	}
	return out, nil
}

// jsonError adds the line to a JSON error.
func jsonError(data []byte, offset int64, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		offset = syn.Offset
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("line %d: %q must be a %s, not a %s", lineAt(data, typ.Offset), typ.Field, typ.Type, typ.Value)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("line %d: the JSON ends too early: %w", lineAt(data, int64(len(data))), err)
	}
	return fmt.Errorf("line %d: %w", lineAt(data, offset), err)
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// matchExpectations resolves every expectation against the scenarios of
// the features (all of them, whatever the tag filter) and returns, per
// scenario ID, the expectation that covers it.
func matchExpectations(exps []Expectation, all []Scenario) (map[string]Expectation, error) {
	out := map[string]Expectation{}
	for _, e := range exps {
		n := 0
		for _, s := range all {
			if !e.matches(s) {
				continue
			}
			if prev, dup := out[s.ID]; dup {
				return nil, fmt.Errorf("%s: %s is already named by %s: keep one", e.Where(), s.ID, prev.Where())
			}
			out[s.ID] = e
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no scenario %q in the features (name one as FILE:LINE or FILE:NAME; `jmcheck conform --format pretty` shows both)", e.Where(), e.Scenario)
		}
	}
	return out, nil
}

// matches reports whether the expectation names the scenario.
func (e Expectation) matches(s Scenario) bool {
	i := strings.Index(e.Scenario, ".feature:")
	if i < 0 {
		return false
	}
	file, sel := e.Scenario[:i+len(".feature")], strings.TrimSpace(e.Scenario[i+len(".feature:"):])
	file = strings.TrimPrefix(strings.TrimPrefix(file, "./"), "features/")
	if file != s.File {
		return false
	}
	if line, err := strconv.Atoi(sel); err == nil {
		return line == s.Line || line == s.ScenarioLine
	}
	return sel == s.Name || sel == s.Template
}
