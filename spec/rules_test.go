package spec

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	t.Parallel()
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name, body, want string // want: substring of the error, "" for valid
	}{
		{"Object", `{"a":1,"b":[1,2,{"c":"}"}]}`, ""},
		{"Scalar", `  12 `, ""},
		{"AtDepthLimit", deep(MaxDepth), ""},
		{"PastDepthLimit", deep(MaxDepth + 1), "nested deeper than 64"},
		{"MillionsDeep", deep(7_000_000), "nested deeper than 64"},
		{"BracketsInStrings", `["` + strings.Repeat("[", 100) + `"]`, ""},
		{"Truncated", `{"username":"alice"`, "not valid JSON"},
		{"TwoValues", `{} {}`, "not valid JSON"},
		{"Empty", ``, "not valid JSON"},
		{"DuplicateKey", `{"username":"a","username":"b"}`, `repeats the key "username"`},
		{"DuplicateNested", `[{"a":1},{"b":{"x":1,"y":2,"x":3}}]`, `repeats the key "x"`},
		{"DuplicateEscaped", `{"a":1,"\u0061":2}`, `repeats the key`},
		{"SameKeyOtherObjects", `[{"a":1},{"a":2}]`, ""},
		{"ValueLooksLikeKey", `{"a":"a","b":"a"}`, ""},
		{"KeyAfterNestedObject", `{"a":{"b":1},"b":2}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckJSON([]byte(tt.body))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckJSON = %v, want valid", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckJSON = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestCheckJSONDoesNotAllocate(t *testing.T) {
	body := []byte(`[{"username":"alice"},{"username":"bob","error":{"code":899001,"message":"exists"}}]`)
	if n := testing.AllocsPerRun(100, func() { _ = CheckJSON(body) }); n > 0 {
		t.Errorf("CheckJSON allocates %.0f times per call on a valid body, want 0", n)
	}
}

// FuzzCheckJSON holds CheckJSON to encoding/json on bodies it can read:
// they agree on validity unless the body nests too deep or repeats a key,
// and CheckJSON never panics, whatever the bytes.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[1,{"a":"b"}]`, `{"a":1,"a":2}`, `"\u00e9"`, `[[[[`, `{"a":}`, `1e5`, `-0`, `{"\"":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := CheckJSON(b)
		var je *JSONError
		if err != nil && !asJSONError(err, &je) {
			t.Fatalf("CheckJSON returned a %T, want *JSONError", err)
		}
		std := json.Valid(b)
		switch {
		case err == nil && !std:
			t.Fatalf("CheckJSON accepted %q, which encoding/json rejects", b)
		case err != nil && std && je.Reason == "not valid JSON":
			t.Fatalf("CheckJSON calls %q invalid, which encoding/json accepts", b)
		}
	})
}

func asJSONError(err error, target **JSONError) bool {
	je, ok := err.(*JSONError)
	*target = je
	return ok
}

func TestIsInteger(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{"0": true, "12": true, "-3": true, "1.0": false, "1e2": false, "": false, "-": false, "+1": false, "1E2": false} {
		if got := IsInteger(raw); got != want {
			t.Errorf("IsInteger(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{"1": true, "120": true, " 2 ": true, "0": false, "": false, "+1": false, "0.5": false, "-1": false, "Wed, 21 Oct 2015 07:28:00 GMT": false, "9999999999": false} {
		if _, got := RetryAfter(v); got != want {
			t.Errorf("RetryAfter(%q) ok = %v, want %v", v, got, want)
		}
		if got := CheckRetryAfter(v) == nil; got != want {
			t.Errorf("CheckRetryAfter(%q) = %v, want ok %v", v, CheckRetryAfter(v), want)
		}
	}
}

func TestIsJSONMediaType(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bool{
		"application/json": true, "Application/JSON; charset=utf-8": true, "application/json;charset:utf-8": true,
		"application/jsonx": false, "text/plain": false, "": false, "application/problem+json": false,
	} {
		if got := IsJSONMediaType(ct); got != want {
			t.Errorf("IsJSONMediaType(%q) = %v, want %v", ct, got, want)
		}
	}
}

func TestIsTime(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"2015-06-01 10:00:00": true,
		"2016-02-29 23:59:59": true,
		"2015-02-29 10:00:00": false,
		"1990-02-30 00:00:00": false,
		"2000-02-29 00:00:00": true,
		"1900-02-29 00:00:00": false,
		"2015-13-01 00:00:00": false,
		"2015-06-01 24:00:00": false,
		"2015-06-01T10:00:00": false,
		"2015-06-01 10:00":    false,
		"2015-6-01 10:00:000": false,
		"":                    false,
	}
	for in, want := range cases {
		if got := IsTime(in); got != want {
			t.Errorf("IsTime(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestErrorBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body      string
		code      Code
		msgOK, ok bool
	}{
		{`{"error":{"code":899002,"message":"m"}}`, CodeNoSuchUser, true, true},
		{`{"error":{"code":899002,"message":""}}`, CodeNoSuchUser, false, true},
		{`{"error":{"code":899002.0,"message":"m"}}`, 0, false, false},
		{`{"error":{"code":"899002","message":"m"}}`, 0, false, false},
		{`{"error":{"code":899002,"message":"m"},"error":{"code":899003,"message":"m"}}`, 0, false, false},
		{strings.Repeat("[", 100000), 0, false, false},
		{``, 0, false, false},
	}
	for _, tt := range tests {
		code, msg, ok := ErrorBody([]byte(tt.body))
		if msgOK := msg == nil; code != tt.code || (ok && msgOK != tt.msgOK) || ok != tt.ok {
			t.Errorf("ErrorBody(%.40q) = %d, %v, %v; want %d, message ok %v, %v", tt.body, code, msg, ok, tt.code, tt.msgOK, tt.ok)
		}
	}
}

func TestRouteMatch(t *testing.T) {
	cases := map[string]struct {
		method, url string
		want        Route
	}{
		"Register":      {"POST", "http://h/v1/users/", RouteRegister},
		"RegisterSlash": {"POST", "http://h/v1/users", RouteRegister},
		"List":          {"GET", "http://h:8080/v1/users/?start=0&count=5", RouteListUsers},
		"GetUser":       {"GET", "http://h/v1/users/alice", RouteGetUser},
		"PutUser":       {"put", "/v1/users/alice/", RoutePutUser},
		"DeleteUser":    {"DELETE", "http://h/v1/users/a%40b.c", RouteDeleteUser},
		"UserGroups":    {"GET", "http://h/v1/users/alice/groups/", RouteUserGroups},
		"CreateGroup":   {"POST", "http://h/v1/groups/", RouteCreateGroup},
		"ListGroups":    {"GET", "http://h/v1/groups/?start=1&count=2", RouteListGroups},
		"GetGroup":      {"GET", "http://h/v1/groups/12", RouteGetGroup},
		"DeleteGroup":   {"DELETE", "http://h/v1/groups/12", RouteDeleteGroup},
		"Members":       {"POST", "http://h/v1/groups/12/members", RouteEditMembers},
		"ListMembers":   {"GET", "http://h/v1/groups/12/members/", RouteListMembers},
		"Message":       {"POST", "http://h/v1/messages", RouteSendMessage},
		"Prefixed":      {"GET", "https://h/api/v1/users/alice", RouteGetUser},
		"Unknown":       {"GET", "http://h/v2/users/", RouteOther},
		"WrongMethod":   {"PATCH", "http://h/v1/users/alice", RouteOther},
		"Root":          {"GET", "http://h", RouteOther},
		"EmptyParam":    {"GET", "http://h/v1/users//groups/", RouteOther},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Match(c.method, c.url); got != c.want {
				t.Errorf("Match(%s, %s) = %s, want %s", c.method, c.url, got, c.want)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { _ = Match("GET", "http://h/v1/groups/12/members/") }); n > 0 {
		t.Errorf("Match allocates %.0f times per call, want 0", n)
	}
}

func TestParseRouteRoundTrips(t *testing.T) {
	t.Parallel()
	for _, r := range Routes() {
		got, ok := ParseRoute(r.String())
		if !ok || got != r {
			t.Errorf("ParseRoute(%q) = %s, %v; want %s", r.String(), got, ok, r)
		}
		var back Route
		if err := back.UnmarshalText([]byte(r.String())); err != nil || back != r {
			t.Errorf("UnmarshalText(%q) = %s, %v", r.String(), back, err)
		}
		if e := r.Endpoint(); e.Route != r || e.Name != routeNames[r] {
			t.Errorf("route %s: endpoint %+v", r, e)
		}
	}
	if _, ok := ParseRoute("GET /v1/nothing"); ok {
		t.Error("ParseRoute accepted an unknown route")
	}
}

func TestCodeMeaning(t *testing.T) {
	t.Parallel()
	if got := CodeOwnsGroup.Meaning(); !strings.Contains(got, "899010") || !strings.Contains(got, "owns a group") {
		t.Errorf("CodeOwnsGroup.Meaning() = %q, want the code and what it means", got)
	}
	if CodeOwnsGroup.Status() != 400 || CodeBusy.Status() != 503 || Code(123).Known() {
		t.Error("code statuses disagree with §2")
	}
}

func TestCheckAnswer(t *testing.T) {
	t.Parallel()
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	js := h("Content-Type", "application/json")
	tests := []struct {
		name string
		a    Answer
		want string // substring of the error, "" for none
	}{
		{"UserOK", Answer{Method: "GET", Route: RouteGetUser, Status: 200, Header: js, Body: []byte(`{"username":"alice","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05"}`)}, ""},
		{"TextPlain", Answer{Method: "GET", Route: RouteGetUser, Status: 200, Header: h("Content-Type", "text/plain"), Body: []byte(`{"username":"alice","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05"}`)}, "Content-Type"},
		{"DuplicateKey", Answer{Method: "GET", Route: RouteGetUser, Status: 200, Header: js, Body: []byte(`{"username":"alice","username":"bob","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05"}`)}, "repeats the key"},
		{"TooDeep", Answer{Method: "GET", Route: RouteGetUser, Status: 200, Header: js, Body: []byte(strings.Repeat("[", 1000))}, "nested deeper"},
		{"Redirect", Answer{Method: "GET", Route: RouteGetUser, Status: 302, Header: h("Location", "http://elsewhere/")}, "neither"},
		{"RedirectUnknownPath", Answer{Method: "GET", Status: 307}, "redirects"},
		{"NoAllow", Answer{Method: "PATCH", Status: 405}, "Allow"},
		{"HeadNoAllow", Answer{Method: "HEAD", Status: 405}, "Allow"},
		{"HeadOK", Answer{Method: "HEAD", Status: 405, Header: h("Allow", "GET")}, ""},
		{"ShedNoRetryAfter", Answer{Method: "GET", Route: RouteGetUser, Status: 503, Header: js, Body: []byte(`{"error":{"code":899030,"message":"busy"}}`)}, "Retry-After"},
		{"Shed", Answer{Method: "GET", Route: RouteGetUser, Status: 503, Header: h("Content-Type", "application/json", "Retry-After", "1"), Body: []byte(`{"error":{"code":899030,"message":"busy"}}`)}, ""},
		{"WrongStatusForCode", Answer{Method: "GET", Status: 400, Header: js, Body: []byte(`{"error":{"code":899002,"message":"x"}}`)}, "goes with HTTP 403"},
		{"NotFoundEmpty", Answer{Method: "GET", Status: 404}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckAnswer(tt.a)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckAnswer = %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckAnswer = %v, want a problem about %q", err, tt.want)
			}
		})
	}
}
