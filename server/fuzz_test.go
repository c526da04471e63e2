package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The fuzzers feed outside input to every request body decoder, the auth
// header, the list query and the router, and assert the server answers
// without a panic, without a 5xx, and with JSON whenever it sends a body.
// `go test` runs the seeds; `go test -fuzz FuzzX ./server` explores.

// fuzzFixture is one server shared by a fuzzer's runs, with users, a group
// and a second app to hit.
func fuzzFixture(f *testing.F) *fixture {
	fx := newFixture(f, func(c *Config) { c.GroupLimit = 5 })
	fx.mustRegister("alice", "bob1", "carol")
	fx.mustGroup("alice", "bob1")
	return fx
}

// wantSane fails on a 5xx, or a body that is not JSON.
func wantSane(t *testing.T, r result) {
	t.Helper()
	if r.status >= 500 {
		t.Fatalf("got %s, want no 5xx", r)
	}
	if r.body != "" && !json.Valid([]byte(r.body)) {
		t.Fatalf("body: got %q, want JSON", r.body)
	}
	if r.body != "" && !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("Content-Type: got %q, want application/json", r.header.Get("Content-Type"))
	}
	if r.status >= 400 && r.status != 404 && r.status != 405 {
		if c := r.code(); c < 899000 || c > 899030 {
			t.Fatalf("error body: got %s, want a §2 code", r)
		}
	}
}

func FuzzAuthHeader(f *testing.F) {
	fx := newFixture(f)
	for _, seed := range []string{
		basic(appKey1, secret1), basic(appKey1, "x"), basic("nope", "x"), "Basic", "Basic ", "Basic ====",
		"Bearer abc", "basic " + basicB64("app1key:app1secret"), "Basic " + basicB64("nocolon"),
		"Basic " + basicB64(":"), "Basic " + basicB64("app1key:app1secret:extra"), "\x00", "Basic\t" + basicB64("a:b"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := fx.on(t).do("GET", "/v1/users/?start=0&count=1", "", "Authorization", header)
		wantSane(t, r)
		switch r.status {
		case 200, 400, 401:
		default:
			t.Fatalf("got %s, want 200, 400 or 401", r)
		}
	})
}

func FuzzRegisterBody(f *testing.F) {
	fx := fuzzFixture(f)
	for _, seed := range []string{
		`[{"username":"dev_fang","password":"password"}]`, `[{"username":"alice","password":"password"}]`,
		`[]`, `{}`, `null`, `[null]`, `[1,"a",[],{}]`, `[{"username":"ab","password":"x"}]`,
		`[{"username":"\u0061bcd","password":"\u00e9\u00e9"}]`, `[{"username":"abcd","password":"pass"},{"username":"abcd","password":"pass"}]`,
		`[{"username":"abcd","password":"pass"}`, `[{"username":1e999}]`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := fx.on(t).do("POST", "/v1/users/", body)
		wantSane(t, r)
		if r.status == 201 && !r.get("@this").IsArray() {
			t.Fatalf("201 body: got %s, want an array", r.body)
		}
	})
}

func FuzzUpdateUserBody(f *testing.F) {
	fx := fuzzFixture(f)
	for _, seed := range []string{
		`{"nickname":"Hello"}`, `{"birthday":"1990-02-30"}`, `{"birthday":"2000-02-29 23:59:59"}`, `{"star":1.5}`,
		`{"gender":3}`, `{}`, `[]`, `{"username":"x"}`, `{"nickname":"a\nb"}`, `{"star":-0}`, `{"star":9223372036854775808}`,
		`{"avatar":null}`, `{"signature":"\ud800"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		wantSane(t, fx.on(t).do("PUT", "/v1/users/alice", body))
	})
}

func FuzzCreateGroupBody(f *testing.F) {
	fx := fuzzFixture(f)
	for _, seed := range []string{
		`{"owner_username":"alice","group_name":"g","members_username":["bob1"],"group_desc":"d"}`,
		`{"owner_username":"alice","group_name":"g"}`, `{"owner_username":"alice","group_name":""}`,
		`{"owner_username":"alice","group_name":"g","members_username":["alice"]}`, `{"owner_username":null}`,
		`{"owner_username":"alice","group_name":"g","members_username":["bob1","carol","x","y","z"]}`, `[]`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		wantSane(t, fx.on(t).do("POST", "/v1/groups/", body))
	})
}

func FuzzMembersBody(f *testing.F) {
	fx := fuzzFixture(f)
	for _, seed := range []string{
		`{"add":["carol"]}`, `{"remove":["bob1"]}`, `{"add":["carol"],"remove":["carol"]}`, `{"remove":["alice"]}`,
		`{"add":["nobody"]}`, `{"add":["bob1"]}`, `{}`, `{"add":[],"remove":[]}`, `{"add":"x"}`, `{"add":[1]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		wantSane(t, fx.on(t).do("POST", "/v1/groups/1/members", body))
	})
}

func FuzzMessageBody(f *testing.F) {
	fx := fuzzFixture(f)
	f.Add(message(f, nil))
	f.Add(message(f, map[string]any{"target_type": "group", "target_id": "1"}))
	f.Add(message(f, map[string]any{"msg_type": "voice", "msg_body": map[string]any{"media_id": "m", "media_crc": 1, "duration": 2, "format": "amr"}}))
	f.Add(message(f, map[string]any{"msg_type": "image", "msg_body": map[string]any{"media_id": "m", "media_crc": 1, "width": 3, "height": 4}}))
	f.Add(message(f, map[string]any{"msg_type": "custom", "msg_body": map[string]any{}}))
	f.Add(message(f, map[string]any{"version": 2}))
	f.Add(`{"version":1}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, body string) {
		wantSane(t, fx.on(t).do("POST", "/v1/messages", body))
	})
}

func FuzzListQuery(f *testing.F) {
	fx := fuzzFixture(f)
	for _, seed := range []string{"start=0&count=1", "start=99999999999999999999&count=1", "start=-1", "count=500&start=1&start=2", "%zz", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		for _, p := range []string{"/v1/users", "/v1/groups"} {
			u := &url.URL{Path: p, RawQuery: query}
			req := httptest.NewRequest("GET", "/", nil)
			req.URL = u
			req.Header.Set("Authorization", basic(appKey1, secret1))
			wantSane(t, serve(fx, req))
		}
	})
}

func FuzzPath(f *testing.F) {
	fx := fuzzFixture(f)
	for _, seed := range []string{"/v1/users/alice", "/v1/users/a%40b", "/v1/users/%zz", "/v1/groups/1/members/", "//", "/v1/users/alice/groups/x", "/v1/groups/%2F"} {
		f.Add(seed, "GET")
	}
	f.Add("/v1/users/alice", "DELETE")
	f.Fuzz(func(t *testing.T, path, method string) {
		u, err := url.ParseRequestURI(path)
		if err != nil || !validMethod(method) {
			return
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.Method, req.URL = method, u
		req.Header.Set("Authorization", basic(appKey1, secret1))
		wantSane(t, serve(fx, req))
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	return true
}

func serve(fx *fixture, req *http.Request) result {
	rec := httptest.NewRecorder()
	fx.s.Handler().ServeHTTP(rec, req)
	return result{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}
