package steps

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"jmcheck/client"
	"jmcheck/target"
)

const validUser = `{"username":"%s","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05"}`

// fake is a scripted server: handle answers each request; every request is
// recorded.
type fake struct {
	mu     sync.Mutex
	reqs   []string // "METHOD path auth"
	handle func(w http.ResponseWriter, r *http.Request)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization"))
	f.mu.Unlock()
	f.handle(w, r)
}

func (f *fake) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reqs...)
}

func jsonReply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// mustFake starts a fake and a Suite aimed at it, with a scenario state.
func mustFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) (*Suite, *scenario, *fake) {
	t.Helper()
	f := &fake{handle: handle}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	tg := target.Target{BaseURL: srv.URL, AppKey: "key1", Secret: "topsecret", AppKey2: "key2", Secret2: "othersecret"}
	s := mustSuite(t, Config{
		Target: tg,
		RunID:  "jtest",
		Client: client.New(client.Config{Target: tg, Transport: srv.Client().Transport, MaxBusyWait: 20 * time.Millisecond}),
	})
	st := s.newScenario()
	st.start(&godog.Scenario{Name: "test", Tags: []*messages.PickleTag{{Name: "@spec:3"}}})
	return s, st, f
}

func TestNew(t *testing.T) {
	t.Parallel()
	tg := target.Target{BaseURL: "http://127.0.0.1:1", AppKey: "k", Secret: "s"}
	tests := []struct {
		name string
		cfg  Config
		want string // substring of the error; "" for success
	}{
		{"OK", Config{Target: tg, RunID: "jabc123"}, ""},
		{"GeneratedRunID", Config{Target: tg}, ""},
		{"RunIDWithDot", Config{Target: tg, RunID: "a.b"}, "run id"},
		{"RunIDLeadingUnderscore", Config{Target: tg, RunID: "_ab"}, "run id"},
		{"NoTarget", Config{}, "no target"},
		{"GroupLimitTooSmall", Config{Target: target.Target{BaseURL: "http://127.0.0.1:1", GroupLimit: 3}}, "must be 4 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(tt.cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("New = %v, want success", err)
			case tt.want == "":
				if !target.ValidRunID(s.RunID()) {
					t.Errorf("RunID %q does not fit", s.RunID())
				}
			case err == nil || !strings.Contains(err.Error(), tt.want):
				t.Errorf("New = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	s, st, _ := mustFake(t, nil)
	if _, err := st.defineUser("alice"); err != nil {
		t.Fatal(err)
	}
	st.groups["team"] = &group{gid: 42}
	st.vars["first"] = "17"
	alice := st.users["alice"]
	if !strings.HasPrefix(alice, "jtest.") || !strings.HasSuffix(alice, ".alice") {
		t.Fatalf("alice is %q, want the run id, the scenario number and the alias", alice)
	}
	tests := []struct {
		name, in, want, err string
	}{
		{"User", "/v1/users/{alice}", "/v1/users/" + alice, ""},
		{"Lower", "{lower:alice}", strings.ToLower(alice), ""},
		{"Upper", "{upper:alice}", strings.ToUpper(alice), ""},
		{"Gid", `{"target_id":"{gid:team}"}`, `{"target_id":"42"}`, ""},
		{"GroupName", "{name:team}", st.prefix() + "group-team", ""},
		{"Var", "{var:first}", "17", ""},
		{"Repeat", "{repeat:é:3}", "ééé", ""},
		{"RepeatMultiRune", "{repeat:中:2}a", "中中a", ""},
		{"Limit", "{limit}", "500", ""},
		{"JSONObjectUntouched", `{"a":{"b":1},"c":{}}`, `{"a":{"b":1},"c":{}}`, ""},
		{"UnknownAlias", "{bob}", "", "unknown user alias"},
		{"UnknownGroup", "{gid:club}", "", "unknown group alias"},
		{"UnknownVar", "{var:x}", "", "nothing remembered"},
	}
	for _, tt := range tests {
		got, err := st.expand(tt.in)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: expand(%q) error = %v, want %q", tt.name, tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: expand(%q) = %v", tt.name, tt.in, err)
		case got != tt.want:
			t.Errorf("%s: expand(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	// Two scenarios never share a name for the same alias.
	st2 := s.newScenario()
	st2.start(&godog.Scenario{Name: "other"})
	other, _ := st2.defineUser("alice")
	if other == alice {
		t.Errorf("two scenarios both named alice %q", alice)
	}
	if _, err := st.defineUser("alice"); err == nil {
		t.Errorf("defining alice twice in one scenario succeeded")
	}
	if _, err := st.defineUser("no-dash"); err == nil {
		t.Errorf("an alias with a dash was accepted")
	}
}

func TestDefineSizedUser(t *testing.T) {
	t.Parallel()
	_, st, f := mustFake(t, func(w http.ResponseWriter, r *http.Request) {
		jsonReply(w, 403, `{"error":{"code":899002,"message":"no such user"}}`)
	})
	for _, n := range []int{3, 4, 9, 12, 20, 128, 129} {
		alias := fmt.Sprintf("u%d", n)
		name, err := st.defineSizedUser(context.Background(), alias, n)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if len(name) != n {
			t.Errorf("%d bytes: got %q (%d bytes)", n, name, len(name))
		}
	}
	// Only short random names are probed, and only when a server could take them.
	for _, r := range f.requests() {
		if !strings.HasPrefix(r, "GET /v1/users/") {
			t.Errorf("unexpected probe %s", r)
		}
	}
	// A name checked free is the run's own, though it lacks the prefix;
	// one never checked (too short to exist) is not.
	if name := st.users["u4"]; !st.suite.ledger.Ours(name) {
		t.Errorf("the probed-free name %q is not claimed for cleanup", name)
	}
	if name := st.users["u3"]; st.suite.ledger.Ours(name) {
		t.Errorf("the unprobed 3-byte name %q is claimed", name)
	}
}

func TestJSONDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, want, got string
		subset          bool
		diff            string // substring; "" for equal
	}{
		{"KeyOrder", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, false, ""},
		{"Whitespace", `{ "a" : 1 }`, `{"a":1}`, false, ""},
		{"NumberSpelling", `{"a":1}`, `{"a":1.0}`, false, ""},
		{"NumberExponent", `[100]`, `[1e2]`, false, ""},
		{"Unicode", `"é"`, `"\u00e9"`, false, ""},
		{"ExtraKey", `{"a":1}`, `{"a":1,"b":2}`, false, `unexpected keys "b"`},
		{"ExtraKeySubset", `{"a":1}`, `{"a":1,"b":2}`, true, ""},
		{"NestedSubset", `{"a":{"x":1}}`, `{"a":{"x":1,"y":2}}`, true, ""},
		{"MissingKey", `{"a":1,"b":2}`, `{"a":1}`, true, `key "b" is missing`},
		{"ArrayOrder", `[1,2]`, `[2,1]`, false, "at $[0]"},
		{"ArrayLength", `[1]`, `[1,1]`, true, "want 1 items"},
		{"NullIsNotAbsent", `{"a":null}`, `{}`, false, `key "a" is missing`},
		{"NullVsString", `{"a":""}`, `{"a":null}`, false, "want \"\""},
		{"StringVsNumber", `{"a":"1"}`, `{"a":1}`, false, "at $.a"},
		{"BoolVsNumber", `[true]`, `[1]`, false, "at $[0]"},
		{"NotJSON", `[]`, `<html>`, false, "not JSON"},
	}
	for _, tt := range tests {
		d, err := jsonDiff([]byte(tt.want), []byte(tt.got), tt.subset)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		switch {
		case tt.diff == "" && d != "":
			t.Errorf("%s: diff = %q, want equal", tt.name, d)
		case tt.diff != "" && !strings.Contains(d, tt.diff):
			t.Errorf("%s: diff = %q, want it to mention %q", tt.name, d, tt.diff)
		}
	}
	if _, err := jsonDiff([]byte(`{`), []byte(`{}`), false); err == nil {
		t.Errorf("invalid expected JSON gave no error")
	}
}

// TestAutomaticChecks: every answer a step receives is judged against
// the profile and the schemas, whatever the scenario asserts afterwards.
func TestAutomaticChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		path   string
		reply  func(w http.ResponseWriter)
		want   string // substring of the step error; "" for none
	}{
		{"ValidUser", "GET", "/v1/users/alice", func(w http.ResponseWriter) { jsonReply(w, 200, fmt.Sprintf(validUser, "alice")) }, ""},
		{"UserWithoutCtime", "GET", "/v1/users/alice", func(w http.ResponseWriter) {
			jsonReply(w, 200, `{"username":"alice","mtime":"2015-01-02 03:04:05"}`)
		}, "ctime"},
		{"UnsetFieldNull", "GET", "/v1/users/alice", func(w http.ResponseWriter) {
			jsonReply(w, 200, `{"username":"alice","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05","avatar":null}`)
		}, "avatar"},
		{"TextPlain", "GET", "/v1/users/alice", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, fmt.Sprintf(validUser, "alice"))
		}, "Content-Type"},
		{"InvalidJSON", "GET", "/v1/users/alice", func(w http.ResponseWriter) { jsonReply(w, 200, `{"username":`) }, "not valid JSON"},
		{"ErrorExtraKey", "GET", "/v1/users/alice", func(w http.ResponseWriter) {
			jsonReply(w, 403, `{"error":{"code":899002,"message":"no","status":403}}`)
		}, "status"},
		{"ErrorCodeWithWrongStatus", "GET", "/v1/users/alice", func(w http.ResponseWriter) {
			jsonReply(w, 400, `{"error":{"code":899002,"message":"no"}}`)
		}, "goes with HTTP 403"},
		{"PlainTextError", "GET", "/v1/nothing", func(w http.ResponseWriter) {
			w.WriteHeader(500)
			io.WriteString(w, "Internal Server Error")
		}, "not valid JSON"},
		{"EmptyNotFound", "GET", "/v1/nothing", func(w http.ResponseWriter) { w.WriteHeader(404) }, ""},
		{"MethodNotAllowedWithoutAllow", "PATCH", "/v1/users/alice", func(w http.ResponseWriter) { w.WriteHeader(405) }, "Allow"},
		{"BusyWithoutRetryAfter", "GET", "/v1/users/alice", func(w http.ResponseWriter) {
			jsonReply(w, 503, `{"error":{"code":899030,"message":"busy"}}`)
		}, "Retry-After"},
		{"BusyWithFractionalRetryAfter", "GET", "/v1/users/alice", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0.5")
			jsonReply(w, 503, `{"error":{"code":899030,"message":"busy"}}`)
		}, "whole number"},
		{"ListAs204", "GET", "/v1/users/?start=0&count=1", func(w http.ResponseWriter) { w.WriteHeader(204) }, "documented success status 200"},
		{"RegisterEchoesPassword", "POST", "/v1/users/", func(w http.ResponseWriter) {
			jsonReply(w, 201, `[{"username":"alice","password":"pw"}]`)
		}, "password"},
		{"HeadWithoutBody", "HEAD", "/v1/users/alice", func(w http.ResponseWriter) { w.WriteHeader(401) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, st, _ := mustFake(t, func(w http.ResponseWriter, r *http.Request) { tt.reply(w) })
			_, err := st.do(context.Background(), request{method: tt.method, path: tt.path, noRetry: true})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("do = %v, want no complaint", err)
			case tt.want != "" && err == nil:
				t.Errorf("do = nil, want a complaint about %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("do = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestFailureExplainsItself: a failed step shows the request with the
// Authorization redacted, the answer, and the section of spec/PROFILE.md.
func TestFailureExplainsItself(t *testing.T) {
	t.Parallel()
	_, st, _ := mustFake(t, func(w http.ResponseWriter, r *http.Request) {
		jsonReply(w, 400, `{"error":{"code":899003,"message":"bad"}}`)
	})
	body := `{"nickname":"` + strings.Repeat("n", 3000) + `"}`
	_, err := st.do(context.Background(), request{method: "PUT", path: "/v1/users/alice", body: []byte(body), hasBody: true})
	if err != nil {
		t.Fatalf("do: %v", err)
	}
	err = st.statusIs(204)
	if err == nil {
		t.Fatal("status(204) passed on a 400")
	}
	msg := err.Error()
	secret := base64.StdEncoding.EncodeToString([]byte("key1:topsecret"))
	for _, want := range []string{
		"want HTTP 204, got 400",
		"rule: spec/PROFILE.md §3",
		"PUT /v1/users/{username} (update a user)",
		"request:  PUT http://",
		"Authorization: Basic [REDACTED]",
		"Content-Type: application/json",
		"bytes in all", // the long body is truncated
		"response: HTTP 400 Bad Request",
		`{"error":{"code":899003,"message":"bad"}}`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, secret) || strings.Contains(msg, "topsecret") {
		t.Errorf("failure message leaks the secret:\n%s", msg)
	}
	if len(msg) > 4000 {
		t.Errorf("failure message is %d bytes; bodies should be truncated", len(msg))
	}
}

func TestRetriesOnlyLoadShedding(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	_, st, _ := mustFake(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n <= 2 || r.Header.Get("X-Fault-Inject") == "busy" {
			w.Header().Set("Retry-After", "1")
			jsonReply(w, 503, `{"error":{"code":899030,"message":"busy"}}`)
			return
		}
		jsonReply(w, 200, fmt.Sprintf(validUser, "alice"))
	})
	ex, err := st.do(context.Background(), request{method: "GET", path: "/v1/users/alice"})
	if err != nil {
		t.Fatalf("do: %v", err)
	}
	if ex.Status != 200 || ex.Attempts != 3 {
		t.Errorf("got HTTP %d after %d attempts, want 200 after 3", ex.Status, ex.Attempts)
	}
	ex, err = st.do(context.Background(), request{method: "GET", path: "/v1/users/alice", headers: http.Header{"X-Fault-Inject": {"busy"}}})
	if err != nil {
		t.Fatalf("do: %v", err)
	}
	if ex.Status != 503 || ex.Attempts != 1 {
		t.Errorf("a fault-injected busy answer was retried: HTTP %d after %d attempts", ex.Status, ex.Attempts)
	}
}

func TestAuthVariants(t *testing.T) {
	t.Parallel()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		auth string
		app  int
		want string // the Authorization header; "<absent>" when not sent
	}{
		{"", 1, "Basic " + b64("key1:topsecret")},
		{"", 2, "Basic " + b64("key2:othersecret")},
		{authSecondApp, 1, "Basic " + b64("key2:othersecret")},
		{authNone, 1, "<absent>"},
		{authEmpty, 1, ""},
		{authBearer, 1, "Bearer " + b64("key1:topsecret")},
		{authBadBase64, 1, "Basic !!not*base64!!"},
		{authNoColon, 1, "Basic " + b64("key1topsecret")},
		{authWrongSecret, 1, "Basic " + b64("key1:topsecret-wrong")},
	}
	for _, tt := range tests {
		var got string
		_, st, _ := mustFake(t, func(w http.ResponseWriter, r *http.Request) {
			got = "<absent>"
			if v, ok := r.Header["Authorization"]; ok {
				got = v[0]
			}
			w.WriteHeader(404)
		})
		if _, err := st.do(context.Background(), request{method: "GET", path: "/x", auth: tt.auth, app: tt.app}); err != nil {
			t.Fatalf("%q: %v", tt.auth, err)
		}
		if got != tt.want {
			t.Errorf("auth %q app %d sent %q, want %q", tt.auth, tt.app, got, tt.want)
		}
	}
}

// TestLedgerHearsOfEverything: every username a register request names is
// recorded before it leaves, per app, and what the answers created and
// deleted is recorded as such (package ledger deletes it; its tests cover
// how).
func TestLedgerHearsOfEverything(t *testing.T) {
	t.Parallel()
	s, st, _ := mustFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && strings.HasPrefix(r.URL.Path, "/v1/users"):
			jsonReply(w, 201, `[{"username":"jtest.a1"},{"username":"jtest.b2","error":{"code":899004,"message":"pw"}}]`)
		case r.Method == "POST" && strings.HasPrefix(r.URL.Path, "/v1/groups"):
			jsonReply(w, 201, `{"gid":7,"owner_username":"jtest.a1","group_name":"g","members_username":[],"group_desc":""}`)
		case r.Method == "DELETE":
			w.WriteHeader(204)
		default:
			w.WriteHeader(500)
		}
	})
	ctx := context.Background()
	for _, r := range []request{
		{method: "POST", path: "/v1/users/", hasBody: true, body: []byte(`[{"username":"jtest.a1","password":"pass-word"},{"username":"jtest.b2","password":"x"}]`)},
		{method: "POST", path: "/v1/users", app: 2, hasBody: true, body: []byte(`[{"username":"jtest.c3","password":"pass-word"}]`)},
		{method: "POST", path: "/v1/groups/", hasBody: true, body: []byte(`{"owner_username":"jtest.a1","group_name":"g"}`)},
		{method: "DELETE", path: "/v1/users/jtest.a1"},
	} {
		if _, err := st.send(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	for _, u := range s.Ledger().Users() {
		got[fmt.Sprintf("%d/%s", u.App, u.Name)] = u.State.String()
	}
	want := map[string]string{"1/jtest.a1": "deleted", "1/jtest.b2": "refused", "2/jtest.c3": "sent"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("user %s is %q in the ledger, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if g := s.Ledger().Groups(); len(g) != 1 || g[0].GID != 7 || g[0].App != 1 || g[0].State.String() != "created" {
		t.Errorf("groups = %+v, want gid 7 of app 1, created", g)
	}
}

// runFeature runs one feature through godog against a Suite and returns
// godog's status and output.
func runFeature(t *testing.T, s *Suite, feature string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	status := godog.TestSuite{
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{
			Format:          "pretty",
			NoColors:        true,
			Strict:          true,
			Output:          &out,
			FeatureContents: []godog.Feature{{Name: "test.feature", Contents: []byte(feature)}},
		},
	}.Run()
	return status, out.String()
}

// TestCapabilitySkip: a scenario that needs an undeclared capability is
// reported skipped, with the reason, and never as passed.
func TestCapabilitySkip(t *testing.T) {
	t.Parallel()
	const feature = `Feature: faults
  @fault-injection @spec:6 @endpoint:GET:/v1/users/{username} @code:899000
  Scenario: internal
    Given the target offers the "fault-injection" capability
    And a fresh username "alice"
    And the next request has header "X-Fault-Inject" set to "internal"
    When I send "GET" to "/v1/users/{alice}"
    Then the request fails with status 500 and code 899000
`
	handler := func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Fault-Inject") == "internal" {
			jsonReply(w, 500, `{"error":{"code":899000,"message":"injected"}}`)
			return
		}
		w.WriteHeader(404)
	}
	t.Run("Undeclared", func(t *testing.T) {
		t.Parallel()
		s, _, f := mustFake(t, handler)
		status, out := runFeature(t, s, feature)
		if status != 0 {
			t.Errorf("status %d: a skip must not fail the run\n%s", status, out)
		}
		// godog v0.16.0 gives every step the skipped status, and the run
		// does not fail; its summary line has no bucket for skipped
		// scenarios (it would say "1 passed"), so runners read the steps.
		if !strings.Contains(out, "5 steps (5 skipped)") {
			t.Errorf("the steps are not reported skipped:\n%s", out)
		}
		if n := len(f.requests()); n != 0 {
			t.Errorf("a skipped scenario sent %d requests", n)
		}
	})
	t.Run("Declared", func(t *testing.T) {
		t.Parallel()
		s, _, _ := mustFake(t, handler)
		s.caps["fault-injection"] = true
		status, out := runFeature(t, s, feature)
		if status != 0 || !strings.Contains(out, "1 scenarios (1 passed)") {
			t.Errorf("status %d, want the scenario to pass:\n%s", status, out)
		}
	})
	t.Run("TagWithoutStep", func(t *testing.T) {
		t.Parallel()
		s, _, _ := mustFake(t, handler)
		status, out := runFeature(t, s, strings.Replace(feature, "@fault-injection ", "", 1))
		if status == 0 {
			t.Errorf("a scenario using a capability without its tag passed:\n%s", out)
		}
	})
}

// TestBrokenFakeFailsScenario: a server that omits ctime fails a scenario
// that asserts nothing about ctime, through the automatic schema check.
func TestBrokenFakeFailsScenario(t *testing.T) {
	t.Parallel()
	const feature = `Feature: users
  @spec:3 @endpoint:GET:/v1/users/{username}
  Scenario: get
    Given a fresh username "alice"
    When I send "GET" to "/v1/users/{alice}"
    Then the response status is 200
`
	for _, tt := range []struct {
		name   string
		body   string
		passes bool
	}{
		{"Conformant", `{"username":"abcd","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05"}`, true},
		{"WithoutCtime", `{"username":"abcd","mtime":"2015-01-02 03:04:05"}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := mustFake(t, func(w http.ResponseWriter, r *http.Request) { jsonReply(w, 200, tt.body) })
			status, out := runFeature(t, s, feature)
			if (status == 0) != tt.passes {
				t.Errorf("status %d, want passes=%v:\n%s", status, tt.passes, out)
			}
			if !tt.passes && !strings.Contains(out, "ctime") {
				t.Errorf("the failure does not name ctime:\n%s", out)
			}
		})
	}
}

func TestTiling(t *testing.T) {
	t.Parallel()
	own := []string{"a", "b", "c"}
	tests := []struct {
		name       string
		kind       string
		items      []string
		stable     bool
		hard, soft bool
	}{
		{"Tiled", "user", []string{"x", "a", "y", "b", "c", "z"}, true, false, false},
		{"UserRepeatedIsHardEvenIfTotalMoved", "user", []string{"a", "b", "b", "c"}, false, true, false},
		{"OwnOutOfOrder", "user", []string{"b", "a", "c"}, true, true, false},
		{"OwnMissingIsSoft", "user", []string{"a", "c"}, true, false, true},
		{"GroupRepeatedWhileTotalMovedIsSoft", "group", []string{"1", "2", "2", "3"}, false, false, true},
		{"GroupRepeatedWhileStableIsHard", "group", []string{"1", "2", "2", "3"}, true, true, false},
		{"GroupsDescending", "group", []string{"3", "2", "1"}, true, true, false},
	}
	for _, tt := range tests {
		o := own
		if tt.kind == "group" {
			o = []string{"1", "2", "3"}
		}
		hard, soft := tiling(tt.kind, tt.items, o, tt.stable)
		if (hard != nil) != tt.hard || (soft != nil) != tt.soft {
			t.Errorf("%s: hard=%v soft=%v, want hard=%v soft=%v", tt.name, hard, soft, tt.hard, tt.soft)
		}
	}
}

func TestAssertionBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	_, st, _ := mustFake(t, nil)
	if err := st.statusIs(200); !errors.Is(err, errNoRequest) {
		t.Errorf("statusIs before any request = %v, want errNoRequest", err)
	}
	if err := st.jsonDoesNotExist("a"); !errors.Is(err, errNoRequest) {
		t.Errorf("jsonDoesNotExist before any request = %v, want errNoRequest", err)
	}
}

// TestBurstKeepsNoLargeBodies: a burst whose every answer is a 256 KiB
// failure keeps, of the answers a failure message may show, no more than
// the message shows; the last answer, which later steps read, stays whole;
// and the failure still says how large the answer was.
func TestBurstKeepsNoLargeBodies(t *testing.T) {
	t.Parallel()
	body := `{"error":{"code":899000,"message":"` + strings.Repeat("x", 256<<10) + `"}}`
	_, st, _ := mustFake(t, func(w http.ResponseWriter, r *http.Request) { jsonReply(w, 500, body) })
	if err := st.bursts(context.Background(), 2, 20, "/v1/users/alice"); err != nil {
		t.Fatal(err)
	}
	kept := 0
	for i, a := range st.burst {
		switch {
		case a.ex == nil:
		case a.ex == st.last:
			if len(a.ex.Body) != len(body) {
				t.Errorf("the last answer holds %d bytes, want the whole %d", len(a.ex.Body), len(body))
			}
		default:
			kept++
			if len(a.ex.Body) > 4096 {
				t.Errorf("answer %d of the burst keeps %d bytes of its body", i+1, len(a.ex.Body))
			}
		}
	}
	if kept < 2*keptExchanges {
		t.Errorf("%d answers kept for a failure message, want at least the first %d of each burst", kept, keptExchanges)
	}
	err := st.burstAnswersOK()
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("(%d bytes in all)", len(body))) || !strings.Contains(err.Error(), "answer 1 of the burst") {
		t.Errorf("burstAnswersOK = %v, want answer 1 failed with its size", err)
	}
}

// TestScenarioEndDropsAnswers: godog keeps a finished scenario's state
// until the run ends; the scenario's After hook drops the answers it kept,
// so that a target answering 4 MiB to each of hundreds of scenarios does
// not make the run hold them all. The hook leaves the scenario's verdict
// alone.
func TestScenarioEndDropsAnswers(t *testing.T) {
	t.Parallel()
	_, st, _ := mustFake(t, func(w http.ResponseWriter, r *http.Request) {
		jsonReply(w, 200, `{"username":"`+strings.Repeat("a", 1<<20)+`"}`)
	})
	st.do(context.Background(), request{method: "GET", path: "/v1/users/alice"}) // the answer breaks the profile: no matter
	if st.last == nil || len(st.last.Body) < 1<<20 {
		t.Fatal("no answer kept")
	}
	st.bodies["b"], st.vars["v"] = st.last.Body, "x"
	st.burst = []burstAnswer{{status: 200, ex: st.last}}
	failed := errors.New("the scenario failed")
	if _, err := st.after(context.Background(), nil, failed); err != nil {
		t.Errorf("after = %v, want nil (godog would add it to the scenario's error)", err)
	}
	if st.last != nil || st.burst != nil || len(st.bodies) != 0 || len(st.vars) != 0 {
		t.Errorf("after the scenario: last %v, %d burst answers, %d bodies, %d vars kept", st.last != nil, len(st.burst), len(st.bodies), len(st.vars))
	}
}
