package steps

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"jmcheck/features"
	"jmcheck/target"
)

func mustSuite(tb testing.TB, cfg Config) *Suite {
	tb.Helper()
	if cfg.Target.BaseURL == "" {
		cfg.Target = target.Target{BaseURL: "http://127.0.0.1:1", AppKey: "k1", Secret: "s1"}
	}
	s, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

func patterns(tb testing.TB) []*regexp.Regexp {
	tb.Helper()
	var out []*regexp.Regexp
	for _, d := range mustSuite(tb, Config{}).Definitions() {
		out = append(out, regexp.MustCompile(d.Pattern()))
	}
	return out
}

func TestPatternsAreAnchored(t *testing.T) {
	t.Parallel()
	for _, re := range patterns(t) {
		if s := re.String(); !strings.HasPrefix(s, "^") || !strings.HasSuffix(s, "$") {
			t.Errorf("pattern %q is not anchored with ^...$", s)
		}
	}
}

// Every step of every feature matches exactly one pattern: none undefined,
// none ambiguous (godog's strict mode fails on both).
func TestEveryFeatureStepMatchesExactlyOnePattern(t *testing.T) {
	t.Parallel()
	res := patterns(t)
	feats, err := godog.TestSuite{Options: &godog.Options{FS: features.FS, Paths: []string{"."}}}.RetrieveFeatures()
	if err != nil {
		t.Fatalf("parse features: %v", err)
	}
	used := make([]bool, len(res))
	seen := map[string]bool{}
	for _, f := range feats {
		for _, p := range f.Pickles {
			for _, st := range p.Steps {
				if seen[st.Text] {
					continue
				}
				seen[st.Text] = true
				var hits []string
				for i, re := range res {
					if re.MatchString(st.Text) {
						hits = append(hits, re.String())
						used[i] = true
					}
				}
				switch len(hits) {
				case 0:
					t.Errorf("%s: step %q matches no pattern", p.Uri, st.Text)
				case 1:
				default:
					t.Errorf("%s: step %q matches %d patterns: %s", p.Uri, st.Text, len(hits), strings.Join(hits, " | "))
				}
			}
		}
	}
	for i, u := range used {
		if !u {
			t.Logf("pattern %s is not used by the features (fine for QA's own features)", res[i])
		}
	}
}
