package spec

import (
	"fmt"
	"strings"
	"testing"
)

func TestLoadCompilesEverySchema(t *testing.T) {
	t.Parallel()
	l, err := get()
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got, want := len(l.schemas), 10; got != want {
		t.Errorf("compiled %d schemas, want %d", got, want)
	}
}

func TestEndpointsAndCodes(t *testing.T) {
	t.Parallel()
	eps := Endpoints()
	if got, want := len(eps), 13; got != want {
		t.Fatalf("Endpoints() has %d entries, want %d", got, want)
	}
	seen := map[string]bool{}
	for _, e := range eps {
		if seen[e.Key()] {
			t.Errorf("endpoint %s listed twice", e.Key())
		}
		seen[e.Key()] = true
		if e.Section == "" || e.Status == 0 || e.Title == "" {
			t.Errorf("endpoint %s lacks a section, status or title", e.Key())
		}
		if (e.Status == 204) != (e.Schema == "") {
			t.Errorf("endpoint %s: status %d with schema %q", e.Key(), e.Status, e.Schema)
		}
		for _, c := range e.Codes {
			if _, ok := c.Info(); !ok {
				t.Errorf("endpoint %s names code %d, which §2 lacks", e.Key(), c)
			}
		}
	}
	codes := Codes()
	if got, want := len(codes), 15; got != want {
		t.Fatalf("Codes() has %d entries, want %d", got, want)
	}
	wantStatus := map[Code]int{899000: 500, 899001: 403, 899002: 403, 899003: 400, 899004: 403, 899005: 403,
		899006: 403, 899007: 401, 899008: 401, 899009: 400, 899010: 400, 899011: 400, 899012: 403, 899013: 403, 899030: 503}
	for _, c := range codes {
		if got, want := c.Status, wantStatus[c.Code]; got != want {
			t.Errorf("code %d: status %d, want %d", c.Code, got, want)
		}
	}
	for _, c := range CommonCodes() {
		if _, ok := c.Info(); !ok {
			t.Errorf("common code %d is not in §2", c)
		}
	}
	// Every code of §2 is reachable from some endpoint or is common.
	reach := map[Code]bool{}
	for _, c := range CommonCodes() {
		reach[c] = true
	}
	for _, e := range eps {
		for _, c := range e.Codes {
			reach[c] = true
		}
	}
	for _, c := range codes {
		if !reach[c.Code] {
			t.Errorf("code %d has no endpoint", c.Code)
		}
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path, want string
	}{
		{"ListWithSlash", "GET", "/v1/users/?start=0&count=1", "GET /v1/users/"},
		{"ListWithoutSlash", "GET", "/v1/users?start=0&count=1", "GET /v1/users/"},
		{"Register", "POST", "/v1/users", "POST /v1/users/"},
		{"User", "GET", "/v1/users/alice", "GET /v1/users/{username}"},
		{"UserTrailingSlash", "PUT", "/v1/users/alice/", "PUT /v1/users/{username}"},
		{"UserPercentEncoded", "GET", "/v1/users/a%40b.c", "GET /v1/users/{username}"},
		{"UserGroups", "GET", "/v1/users/alice/groups", "GET /v1/users/{username}/groups/"},
		{"Group", "DELETE", "/v1/groups/12", "DELETE /v1/groups/{gid}"},
		{"Members", "POST", "/v1/groups/12/members/", "POST /v1/groups/{gid}/members"},
		{"MemberList", "GET", "/v1/groups/12/members", "GET /v1/groups/{gid}/members/"},
		{"Messages", "POST", "/v1/messages/", "POST /v1/messages"},
		{"WrongMethod", "PATCH", "/v1/users/alice", ""},
		{"UnknownPath", "GET", "/v1/nothing", ""},
		{"TooDeep", "GET", "/v1/users/alice/groups/1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Match(tt.method, tt.path)
			got := ""
			if r.Known() {
				got = r.String()
			}
			if got != tt.want {
				t.Errorf("Match(%s, %s) = %q, want %q", tt.method, tt.path, got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	const user = "GET /v1/users/{username}"
	tests := []struct {
		name   string
		key    string
		status int
		body   string
		want   string // substring of the error; "" for valid
	}{
		{"UserOK", user, 200, `{"username":"alice","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05","star":3,"gender":1,"nickname":""}`, ""},
		{"UserWithoutCtime", user, 200, `{"username":"alice","mtime":"2015-01-02 03:04:05"}`, "ctime"},
		{"UserNullField", user, 200, `{"username":"alice","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05","nickname":null}`, "nickname"},
		{"UserPasswordEchoed", user, 200, `{"username":"alice","password":"x","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05"}`, "password"},
		{"UserFeb30", user, 200, `{"username":"alice","ctime":"2015-02-30 03:04:05","mtime":"2015-01-02 03:04:05"}`, "ctime"},
		{"UserDateOnly", user, 200, `{"username":"alice","ctime":"2015-02-03","mtime":"2015-01-02 03:04:05"}`, "ctime"},
		{"UserGender3", user, 200, `{"username":"alice","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05","gender":3}`, "gender"},
		{"UserStarFraction", user, 200, `{"username":"alice","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05","star":1.0}`, "star"},
		{"WrongSuccessStatus", "GET /v1/users/", 204, ``, "documented success status 200"},
		{"ListOK", "GET /v1/users/", 200, `{"total":2,"start":0,"count":2,"users":["alice","bobby"]}`, ""},
		{"ListMissingCount", "GET /v1/users/", 200, `{"total":2,"start":0,"users":[]}`, "count"},
		{"NoContentOK", "PUT /v1/users/{username}", 204, ``, ""},
		{"NoContentWithBody", "PUT /v1/users/{username}", 204, `{}`, "no body"},
		{"RegisterOK", "POST /v1/users/", 201, `[{"username":"alice"},{"username":"bobby","error":{"code":899001,"message":"exists"}},{"username":null,"error":{"code":899003,"message":"bad"}},{"error":{"code":899003,"message":"bad"}}]`, ""},
		{"RegisterPasswordEchoed", "POST /v1/users/", 201, `[{"username":"alice","password":"secret"}]`, "password"},
		{"RegisterItemCodeOutOfPlace", "POST /v1/users/", 201, `[{"username":"alice","error":{"code":899002,"message":"x"}}]`, "error"},
		{"GroupOK", "GET /v1/groups/{gid}", 200, `{"gid":7,"owner_username":"alice","group_name":"g","members_username":[],"group_desc":""}`, ""},
		{"GroupDescNull", "GET /v1/groups/{gid}", 200, `{"gid":7,"owner_username":"alice","group_name":"g","members_username":[],"group_desc":null}`, "group_desc"},
		{"GroupGidZero", "POST /v1/groups/", 201, `{"gid":0,"owner_username":"alice","group_name":"g","members_username":[],"group_desc":""}`, "gid"},
		{"MembersOK", "GET /v1/groups/{gid}/members/", 200, `[{"username":"alice","flag":1,"ctime":"2015-01-02 03:04:05"},{"username":"bobby","flag":0,"ctime":"2015-01-02 03:04:05"}]`, ""},
		{"MembersOwnerFlag0", "GET /v1/groups/{gid}/members/", 200, `[{"username":"alice","flag":0,"ctime":"2015-01-02 03:04:05"}]`, "flag"},
		{"MembersTwoOwners", "GET /v1/groups/{gid}/members/", 200, `[{"username":"alice","flag":1,"ctime":"2015-01-02 03:04:05"},{"username":"bobby","flag":1,"ctime":"2015-01-02 03:04:05"}]`, "flag"},
		{"MembersEmpty", "GET /v1/groups/{gid}/members/", 200, `[]`, "minItems"},
		{"GidsRepeated", "GET /v1/users/{username}/groups/", 200, `[1,1]`, "are equal"},
		{"MessageOK", "POST /v1/messages", 200, `{"msg_id":12}`, ""},
		{"MessageIdString", "POST /v1/messages", 200, `{"msg_id":"12"}`, "msg_id"},
		{"ErrorOK", user, 403, `{"error":{"code":899002,"message":"user not exist"}}`, ""},
		{"ErrorWrongStatus", user, 400, `{"error":{"code":899002,"message":"user not exist"}}`, "goes with HTTP 403"},
		{"ErrorExtraKey", user, 403, `{"error":{"code":899002,"message":"m","status":403}}`, "status"},
		{"ErrorEmptyMessage", user, 403, `{"error":{"code":899002,"message":""}}`, "message"},
		{"ErrorUnknownCode", user, 403, `{"error":{"code":123,"message":"m"}}`, "not in spec/PROFILE.md §2"},
		{"ErrorNotJSON", user, 500, `Internal Server Error`, "not valid JSON"},
		{"NotFoundEmpty", user, 404, ``, ""},
		{"NotFoundHTML", user, 404, `<html>`, "is JSON"},
		{"Redirect", user, 301, ``, "neither"},
		{"UnknownKey", "GET /v1/nothing", 200, `{}`, "no endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, ok := ParseRoute(tt.key)
			var err error
			if ok {
				err = Validate(r, tt.status, []byte(tt.body))
			} else {
				err = fmt.Errorf("spec: no endpoint %q", tt.key)
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate = %v, want valid", err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate = nil, want an error about %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Validate = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in string
		ok bool
	}{
		{"2000-02-29 00:00:00", true},
		{"1990-02-29 00:00:00", false},
		{"1990-02-30 12:00:00", false},
		{"1990-13-01 12:00:00", false},
		{"1990-01-01 24:00:00", false},
		{"1990-01-01T12:00:00", false},
		{"1990-01-01 12:00:00+08:00", false},
	}
	for _, tt := range tests {
		_, err := ParseTime(tt.in)
		if got := err == nil; got != tt.ok {
			t.Errorf("ParseTime(%q) ok = %v, want %v (err %v)", tt.in, got, tt.ok, err)
		}
	}
}

func FuzzValidate(f *testing.F) {
	f.Add(200, []byte(`{"username":"alice","ctime":"2015-01-02 03:04:05","mtime":"2015-01-02 03:04:05"}`))
	f.Add(403, []byte(`{"error":{"code":899002,"message":"x"}}`))
	f.Add(404, []byte(`{`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		for _, r := range Routes() {
			_ = Validate(r, status, body) // must not panic
		}
	})
}
