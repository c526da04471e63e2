package conform

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/cucumber/godog"
)

// Scenario is one runnable scenario of the features: a Scenario, or one
// Examples row of a Scenario Outline (what Gherkin calls a pickle).
type Scenario struct {
	// ID is "FILE:LINE": the line of the Scenario keyword, or of the
	// Examples row for an outline. It is stable while the file is.
	ID string
	// File is the feature file's path inside the features folder.
	File string
	// Line is the line ID names; ScenarioLine is the Scenario keyword's.
	Line, ScenarioLine int
	// Feature is the feature's name; Name the scenario's, with an outline's
	// placeholders filled in; Template the name as written.
	Feature, Name, Template string
	// Tags are the scenario's tags with their "@", inherited ones included.
	Tags []string
	// Steps are the step texts, background steps included.
	Steps []string
	// StepLines are the lines of Steps in File (an outline's steps: the
	// line of the step as the outline writes it).
	StepLines []int

	pickleID string
}

// HasTag reports whether the scenario carries tag (with its "@").
func (s Scenario) HasTag(tag string) bool {
	for _, t := range s.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Title is the scenario's ID and name, as a person reads it in a report.
func (s Scenario) Title() string { return s.ID + " " + s.Name }

// LoadScenarios parses every *.feature file of fsys (walked from its root)
// and returns the scenarios the godog tag expression selects ("" selects
// all), in file order. It uses godog's own parser and tag filter, so the
// list is exactly what a run with the same expression executes.
func LoadScenarios(fsys fs.FS, tags string) ([]Scenario, error) {
	tags = strings.TrimSpace(tags) // godog's filter panics on a blank one
	if err := CheckTags(tags); err != nil {
		return nil, err
	}
	suite := godog.TestSuite{Options: &godog.Options{FS: fsys, Paths: []string{"."}, Tags: tags, Strict: true}}
	feats, err := suite.RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("read the features: %w", err)
	}
	var out []Scenario
	for _, ft := range feats {
		if ft == nil || ft.GherkinDocument == nil || ft.Feature == nil {
			continue
		}
		for _, p := range ft.Pickles {
			if len(p.AstNodeIds) == 0 {
				continue
			}
			sc := ft.FindScenario(p.AstNodeIds[0])
			if sc == nil || sc.Location == nil {
				continue
			}
			s := Scenario{
				File:         p.Uri,
				ScenarioLine: int(sc.Location.Line),
				Line:         int(sc.Location.Line),
				Feature:      ft.Feature.Name,
				Name:         p.Name,
				Template:     sc.Name,
				pickleID:     p.Id,
			}
			if len(p.AstNodeIds) > 1 {
				if _, row := ft.FindExample(p.AstNodeIds[1]); row != nil && row.Location != nil {
					s.Line = int(row.Location.Line)
				}
			}
			s.ID = s.File + ":" + strconv.Itoa(s.Line)
			for _, t := range p.Tags {
				s.Tags = append(s.Tags, t.Name)
			}
			for _, st := range p.Steps {
				s.Steps = append(s.Steps, st.Text)
				line := 0
				if len(st.AstNodeIds) > 0 {
					if g := ft.FindStep(st.AstNodeIds[0]); g != nil && g.Location != nil {
						line = int(g.Location.Line)
					}
				}
				s.StepLines = append(s.StepLines, line)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// CheckTags checks a godog tag expression and says how to fix a bad one.
// godog's syntax: "@a" selects, "~@a" excludes, "&&" joins terms, and a
// comma separates alternatives ("@a && ~@b,@c"). godog itself panics on an
// empty term, and silently selects nothing for Cucumber's "not @a" syntax.
func CheckTags(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	const syntax = `godog's tag syntax: "@a" selects, "~@a" excludes, "&&" means and, a comma means or, e.g. "@spec:3 && ~@overload,@spec:1"`
	for _, alt := range strings.Split(expr, ",") {
		for _, term := range strings.Split(alt, "&&") {
			t := strings.TrimSpace(term)
			t = strings.TrimPrefix(t, "~")
			name := strings.ReplaceAll(t, "@", "")
			if name == "" {
				return fmt.Errorf("tag expression %q has an empty term: %s", expr, syntax)
			}
			if strings.IndexFunc(t, unicode.IsSpace) >= 0 {
				return fmt.Errorf("tag expression %q: %q is not one tag (%s)", expr, strings.TrimSpace(term), syntax)
			}
		}
	}
	return nil
}

// errNoScenario says a tag filter selected nothing; the caller makes it a
// usage error.
var errNoScenario = errors.New("no scenario selected")

// noScenarioError explains an empty selection with the tags that exist.
func noScenarioError(tags string, paths []Path, all []Scenario) error {
	if len(all) == 0 {
		if len(paths) > 0 {
			return fmt.Errorf("%w: %s hold no scenario", errNoScenario, joinPaths(paths))
		}
		return fmt.Errorf("%w: the features hold no scenario (is the features folder right?)", errNoScenario)
	}
	seen := map[string]bool{}
	var plain []string
	for _, s := range all {
		for _, t := range s.Tags {
			if !seen[t] && !strings.HasPrefix(t, "@endpoint:") && !strings.HasPrefix(t, "@code:") {
				plain = append(plain, t)
			}
			seen[t] = true
		}
	}
	sort.Strings(plain)
	hint := "see 'jmcheck conform --coverage' for the @endpoint: and @code: tags"
	if len(plain) > 0 {
		hint = "tags in use: " + strings.Join(plain, " ") + "; " + hint
	}
	where := ""
	if len(paths) > 0 {
		where = " of " + joinPaths(paths)
	}
	return fmt.Errorf("%w: --tags %q matches none of the %d scenarios%s (%s)", errNoScenario, tags, len(all), where, hint)
}

func joinPaths(paths []Path) string {
	s := make([]string, len(paths))
	for i, p := range paths {
		s[i] = p.String()
	}
	return strings.Join(s, " ")
}
