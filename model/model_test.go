package model

import (
	"strings"
	"testing"
)

type exchange struct {
	method, path, body string
	status             int
	answer             string
}

// run steps a fresh model through exchanges; it returns the first
// divergence and the index of the exchange that gave it (-1: none).
func run(t *testing.T, xs []exchange) (*State, *Divergence, int) {
	t.Helper()
	s := New(Config{Limit: 3})
	for i, x := range xs {
		next, d := s.Step(Request{Method: x.method, Path: x.path, Body: []byte(x.body)}, Answer{Status: x.status, Body: []byte(x.answer)})
		if d != nil {
			return s, d, i
		}
		s = next
	}
	return s, nil, -1
}

const (
	reg    = `[{"username":"abcd1","password":"pass-word-1"}]`
	regOK  = `[{"username":"abcd1"}]`
	regDup = `[{"username":"abcd1","error":{"code":899001,"message":"user exists"}}]`
	user   = `{"username":"abcd1","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`
	nouser = `{"error":{"code":899002,"message":"No such user"}}`
)

func TestConformantSequencesPass(t *testing.T) {
	_, d, i := run(t, []exchange{
		{"GET", "/v1/users/abcd1", "", 403, nouser},
		{"POST", "/v1/users/", reg, 201, regOK},
		{"GET", "/v1/users/abcd1", "", 200, user},
		{"POST", "/v1/users/", reg, 201, regDup},
		{"PUT", "/v1/users/abcd1", `{"nickname":"Nick","star":9223372036854775807}`, 204, ""},
		{"GET", "/v1/users/abcd1", "", 200, `{"username":"abcd1","nickname":"Nick","star":9223372036854775807,"ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:01"}`},
		{"DELETE", "/v1/users/abcd1", "", 204, ""},
		{"GET", "/v1/users/abcd1", "", 403, nouser},
		{"POST", "/v1/users/", reg, 201, regOK},
		{"GET", "/v1/users/abcd1", "", 200, `{"username":"abcd1","ctime":"2015-06-01 10:00:02","mtime":"2015-06-01 10:00:02"}`},
	})
	if d != nil {
		t.Fatalf("exchange %d: %v", i+1, d)
	}
}

func TestDivergences(t *testing.T) {
	for name, c := range map[string]struct {
		xs   []exchange
		kind CheckKind
		want string // in the divergence's text
	}{
		"a user that does not exist answered": {[]exchange{
			{"GET", "/v1/users/abcd1", "", 200, user},
		}, CheckStatus, "403 899002"},
		"two registrations of one name both succeed": {[]exchange{
			{"POST", "/v1/users/", reg, 201, regOK},
			{"POST", "/v1/users/", reg, 201, regOK},
		}, CheckValue, "899001"},
		"a profile survives delete and re-register": {[]exchange{
			{"POST", "/v1/users/", reg, 201, regOK},
			{"PUT", "/v1/users/abcd1", `{"nickname":"Nick"}`, 204, ""},
			{"DELETE", "/v1/users/abcd1", "", 204, ""},
			{"POST", "/v1/users/", reg, 201, regOK},
			{"GET", "/v1/users/abcd1", "", 200, `{"username":"abcd1","nickname":"Nick","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`},
		}, CheckAbsent, "nickname"},
		"a nickname stored cut": {[]exchange{
			{"POST", "/v1/users/", reg, 201, regOK},
			{"PUT", "/v1/users/abcd1", `{"nickname":"` + strings.Repeat("n", 40) + `"}`, 204, ""},
			{"GET", "/v1/users/abcd1", "", 200, `{"username":"abcd1","nickname":"` + strings.Repeat("n", 32) + `","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`},
		}, CheckValue, "nickname"},
		"a star past 32 bits refused": {[]exchange{
			{"POST", "/v1/users/", reg, 201, regOK},
			{"PUT", "/v1/users/abcd1", `{"star":2147483648}`, 500, `{"error":{"code":899000,"message":"oops"}}`},
		}, CheckStatus, "204"},
		"a 65-byte nickname accepted": {[]exchange{
			{"POST", "/v1/users/", reg, 201, regOK},
			{"PUT", "/v1/users/abcd1", `{"nickname":"` + strings.Repeat("é", 33) + `"}`, 204, ""},
		}, CheckStatus, "400 899003"},
	} {
		t.Run(name, func(t *testing.T) {
			_, d, i := run(t, c.xs)
			if d == nil {
				t.Fatal("no divergence")
			}
			if i != len(c.xs)-1 || d.Check.Kind != c.kind || !strings.Contains(d.Error()+d.Check.Path, c.want) {
				t.Errorf("exchange %d: %s check %v: %v; want the last one, a %s check naming %q", i+1, d.Check.Kind, d.Check.Path, d, c.kind, c.want)
			}
		})
	}
}

// TestCaseFoldIsLearned: the first answer that shows the target's case
// choice decides it, and later answers are held to it.
func TestCaseFoldIsLearned(t *testing.T) {
	s, d, i := run(t, []exchange{
		{"POST", "/v1/users/", reg, 201, regOK},
		{"GET", "/v1/users/ABCD1", "", 403, nouser}, // case-sensitive, then
	})
	if d != nil {
		t.Fatalf("exchange %d: %v", i+1, d)
	}
	if s.Fold() != FoldSensitive {
		t.Fatalf("fold %v after a case variant was not found; want case-sensitive", s.Fold())
	}
	_, d = s.Step(Request{Method: "GET", Path: "/v1/users/ABCD1"}, Answer{Status: 200, Body: []byte(user)})
	if d == nil {
		t.Error("a case-sensitive target answered a case variant later: no divergence")
	}
}

// TestNoAnswerMayOrMayNotHaveTakenEffect: Steps of a request without an
// answer gives the state before and the state after.
func TestNoAnswerMayOrMayNotHaveTakenEffect(t *testing.T) {
	s := New(Config{Limit: 3})
	states := s.Steps(Request{Method: "POST", Path: "/v1/users/", Body: []byte(reg)}, Answer{None: true})
	exists := 0
	for _, st := range states {
		if _, ok := st.User("abcd1"); ok {
			exists++
		}
	}
	if len(states) < 2 || exists == 0 || exists == len(states) {
		t.Errorf("%d states, %d with the user; want both outcomes", len(states), exists)
	}
}

// TestEffective: a request without an answer leads to more than the state
// before exactly when Effective says it may change the state.
func TestEffective(t *testing.T) {
	s := New(Config{}).WithUsers("alice", "bobby", "carol").WithGroup(Group{GID: 7, Owner: "alice", Name: "team"})
	reqs := []Request{
		{Method: "POST", Path: "/v1/users/", Body: []byte(`[{"username":"dave1","password":"pass-word-1"}]`)},
		{Method: "GET", Path: "/v1/users/?start=0&count=10"},
		{Method: "GET", Path: "/v1/users/alice"},
		{Method: "PUT", Path: "/v1/users/alice", Body: []byte(`{"nickname":"x"}`)},
		{Method: "DELETE", Path: "/v1/users/carol"},
		{Method: "GET", Path: "/v1/users/alice/groups/"},
		{Method: "POST", Path: "/v1/groups/", Body: []byte(`{"owner_username":"alice","group_name":"two"}`)},
		{Method: "GET", Path: "/v1/groups/?start=0&count=10"},
		{Method: "GET", Path: "/v1/groups/7"},
		{Method: "DELETE", Path: "/v1/groups/7"},
		{Method: "POST", Path: "/v1/groups/7/members", Body: []byte(`{"add":["bobby"]}`)},
		{Method: "GET", Path: "/v1/groups/7/members/"},
		{Method: "POST", Path: "/v1/messages", Body: []byte(`{"version":1,"target_type":"single","target_id":"bobby","from_type":"user","from_id":"alice","msg_type":"text","msg_body":{"text":"hi"},"create_time":1500000000}`)},
	}
	for _, r := range reqs {
		changed := len(s.Steps(r, Answer{None: true})) > 1
		if changed != Effective(r) {
			t.Errorf("%s %s: without an answer it leads to other states: %v; Effective says %v", r.Method, r.Path, changed, Effective(r))
		}
	}
}
