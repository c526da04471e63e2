package features

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"jmcheck/spec"
)

// pickle is what these tests need of a compiled scenario.
type pickle struct {
	name, uri string
	tags      []string
	steps     []string
}

func mustPickles(t *testing.T) []pickle {
	t.Helper()
	feats, err := godog.TestSuite{Options: &godog.Options{FS: FS, Paths: []string{"."}}}.RetrieveFeatures()
	if err != nil {
		t.Fatalf("parse the features: %v", err)
	}
	var out []pickle
	for _, f := range feats {
		for _, p := range f.Pickles {
			pk := pickle{name: p.Name, uri: p.Uri}
			for _, tg := range p.Tags {
				pk.tags = append(pk.tags, tg.Name)
			}
			for _, s := range p.Steps {
				pk.steps = append(pk.steps, s.Text)
			}
			out = append(out, pk)
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d scenarios parsed from the embedded features", len(out))
	}
	return out
}

func withPrefix(tags []string, prefix string) []string {
	var out []string
	for _, t := range tags {
		if v, ok := strings.CutPrefix(t, prefix); ok {
			out = append(out, v)
		}
	}
	return out
}

func TestEveryScenarioIsTagged(t *testing.T) {
	t.Parallel()
	endpoints := map[string]bool{"none": true}
	for _, e := range spec.Endpoints() {
		endpoints[e.Method+":"+e.Path] = true
	}
	sections := map[string]bool{"1": true, "2": true, "3": true, "4": true, "5": true, "6": true, "7": true, "7a": true, "8": true}
	caps := []string{"fault-injection", "overload", "two-apps", "group-limit"}
	for _, p := range mustPickles(t) {
		where := p.uri + ": " + p.name
		eps := withPrefix(p.tags, spec.TagEndpointPrefix)
		if len(eps) == 0 {
			t.Errorf("%s: no @endpoint: tag", where)
		}
		for _, e := range eps {
			if !endpoints[e] {
				t.Errorf("%s: @endpoint:%s is not an endpoint of package spec", where, e)
			}
		}
		secs := withPrefix(p.tags, spec.TagSpecPrefix)
		if len(secs) == 0 {
			t.Errorf("%s: no @spec: tag", where)
		}
		for _, s := range secs {
			if !sections[s] {
				t.Errorf("%s: @spec:%s is not a section of spec/PROFILE.md", where, s)
			}
		}
		for _, c := range withPrefix(p.tags, spec.TagCodePrefix) {
			n, err := strconv.Atoi(c)
			if _, ok := spec.Code(n).Info(); err != nil || !ok {
				t.Errorf("%s: @code:%s is not a code of spec/PROFILE.md §2", where, c)
			}
		}
		for _, c := range caps {
			tagged := slices.Contains(p.tags, "@"+c)
			marked := slices.Contains(p.steps, `the target offers the "`+c+`" capability`)
			if tagged != marked {
				t.Errorf("%s: tag @%s and the step 'the target offers the %q capability' go together (tag %v, step %v)", where, c, c, tagged, marked)
			}
		}
	}
}

func TestCoverage(t *testing.T) {
	t.Parallel()
	pickles := mustPickles(t)
	happy := map[string]bool{}
	codes := map[int]bool{}
	pairs := map[string]bool{}
	for _, p := range pickles {
		cs := withPrefix(p.tags, spec.TagCodePrefix)
		for _, e := range withPrefix(p.tags, spec.TagEndpointPrefix) {
			if len(cs) == 0 && !slices.Contains(p.tags, "@impl-defined") {
				happy[e] = true
			}
			for _, c := range cs {
				pairs[e+" "+c] = true
			}
		}
		for _, c := range cs {
			n, _ := strconv.Atoi(c)
			codes[n] = true
		}
	}
	for _, e := range spec.Endpoints() {
		key := e.Method + ":" + e.Path
		if !happy[key] {
			t.Errorf("endpoint %s has no happy-path scenario", e.Key())
		}
		for _, c := range e.Codes {
			if !pairs[key+" "+c.String()] {
				t.Errorf("endpoint %s has no scenario for its code %d", e.Key(), c)
			}
		}
	}
	for _, c := range spec.Codes() {
		if !codes[int(c.Code)] {
			t.Errorf("code %d (%s) has no scenario", c.Code, c.Trigger)
		}
	}
}

// Scenario names are how reports and expectation files name a scenario,
// so no two may share one (Outline names carry their example's values).
func TestScenarioNamesAreUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, p := range mustPickles(t) {
		if prev, ok := seen[p.name]; ok {
			t.Errorf("%s: scenario name %q is also used in %s", p.uri, p.name, prev)
		}
		seen[p.name] = p.uri
	}
}
