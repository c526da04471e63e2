package conform_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"jmcheck/conform"
	"jmcheck/spec"
)

func TestCoverageOfTestFeatures(t *testing.T) {
	endpoints := []spec.Endpoint{
		{Method: "POST", Path: "/v1/users/", Section: "3", Title: "batch register", Codes: []spec.Code{899001, 899004}},
		{Method: "GET", Path: "/v1/users/{username}", Section: "3", Title: "get a user"},
		{Method: "GET", Path: "/v1/users/", Section: "3", Title: "list users"},
		{Method: "DELETE", Path: "/v1/groups/{gid}", Section: "4", Title: "delete a group"},
	}
	codes := []spec.CodeInfo{{Code: 899000, Status: 500, Section: "2"}, {Code: 899001, Status: 403, Section: "3"}, {Code: 899013, Status: 403, Section: "3"}}
	m, err := conform.Coverage(os.DirFS("testdata/features"), endpoints, codes)
	if err != nil {
		t.Fatal(err)
	}
	cells := []struct {
		endpoint string
		code     spec.Code
		want     int
	}{
		{"POST /v1/users/", 899001, 1},
		{"POST /v1/users/", 899000, 0},
		{"GET /v1/users/{username}", 899001, 0},
	}
	for _, c := range cells {
		if got := m.Cell(c.endpoint, c.code); got != c.want {
			t.Errorf("Cell(%s, %d) = %d, want %d", c.endpoint, c.code, got, c.want)
		}
	}
	totals := []struct {
		endpoint string
		want     int
	}{{"POST /v1/users/", 1}, {"GET /v1/users/{username}", 1}, {"GET /v1/users/", 1}, {"DELETE /v1/groups/{gid}", 0}}
	for _, c := range totals {
		if got := m.EndpointTotal(c.endpoint); got != c.want {
			t.Errorf("EndpointTotal(%s) = %d, want %d", c.endpoint, got, c.want)
		}
	}
	if got, want := m.CodeTotal(899000), 1; got != want {
		t.Errorf("CodeTotal(899000) = %d, want %d", got, want)
	}
	gaps := strings.Join(m.Gaps(), "\n")
	for _, want := range []string{
		"endpoint DELETE /v1/groups/{gid} (spec/PROFILE.md §4, delete a group) has no scenario",
		"code 899013 (HTTP 403, spec/PROFILE.md §3) has no scenario",
		"scenario capabilities.feature:10 needs fault injection has no @endpoint: tag",
	} {
		if !strings.Contains(gaps, want) {
			t.Errorf("gaps lack %q:\n%s", want, gaps)
		}
	}
	if strings.Contains(gaps, "GET /v1/users/ ") {
		t.Errorf("gaps name a covered endpoint:\n%s", gaps)
	}
	if adv := strings.Join(m.Advice(), "\n"); !strings.Contains(adv, "POST /v1/users/: no scenario asserts 899004 on it") {
		t.Errorf("advice = %q", adv)
	}
	var out bytes.Buffer
	if err := m.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"endpoint", "000", "001", "013", "POST /v1/users/", "scenarios per code", "Gaps ("} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCoverageUnknownTags(t *testing.T) {
	fsys := featureDir(t, "Feature: f\n  @endpoint:GET:/v1/user @code:899999 @code:abc\n  Scenario: s\n    Given a step that passes\n  @endpoint:none\n  Scenario: n\n    Given a step that passes\n  @endpoint:GET:/v1/users\n  Scenario: slash\n    Given a step that passes\n")
	endpoints := []spec.Endpoint{{Method: "GET", Path: "/v1/users/", Section: "3", Title: "list users"}}
	m, err := conform.Coverage(fsys, endpoints, []spec.CodeInfo{{Code: 899003, Status: 400, Section: "2"}})
	if err != nil {
		t.Fatal(err)
	}
	gaps := strings.Join(m.Gaps(), "\n")
	for _, want := range []string{
		"tag @endpoint:GET:/v1/user on bad.feature:3 names no endpoint of spec/",
		"tag @code:899999 on bad.feature:3 names no error code",
		"tag @code:abc on bad.feature:3 names no error code",
		"scenario bad.feature:3 s has no @endpoint: tag",
	} {
		if !strings.Contains(gaps, want) {
			t.Errorf("gaps lack %q:\n%s", want, gaps)
		}
	}
	if strings.Contains(gaps, "bad.feature:6") {
		t.Errorf("an @endpoint:none scenario is a gap:\n%s", gaps)
	}
	if got := m.EndpointTotal("GET /v1/users/"); got != 1 {
		t.Errorf("a tag without the trailing slash counted %d times, want 1", got)
	}
}

// TestCoverageOfTheSuite fails while an endpoint or an error code of spec/
// has no scenario in the real features, or a tag names nothing in spec/.
func TestCoverageOfTheSuite(t *testing.T) {
	endpoints, codes := spec.Endpoints(), spec.Codes()
	if len(endpoints) == 0 || len(codes) == 0 {
		t.Fatalf("spec/ lists %d endpoints and %d codes: it failed to load", len(endpoints), len(codes))
	}
	m, err := conform.Coverage(conform.EmbeddedFeatures(), endpoints, codes)
	if err != nil {
		t.Fatal(err)
	}
	if gaps := m.Gaps(); len(gaps) > 0 {
		t.Errorf("the features miss %d things (see `jmcheck conform --coverage`):\n  %s", len(gaps), strings.Join(gaps, "\n  "))
	}
}
