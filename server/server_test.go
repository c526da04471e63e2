package server

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"jmcheck/server/im"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"OK", Config{Apps: map[string]string{"k": "s"}}, ""},
		{"OKMutant", Config{Apps: map[string]string{"k": "s"}, Mutant: mutAuthAnySecret}, ""},
		{"NoApp", Config{}, "no app configured"},
		{"EmptySecret", Config{Apps: map[string]string{"k": ""}}, "must both be non-empty"},
		{"NegativeLimit", Config{Apps: map[string]string{"k": "s"}, GroupLimit: -1}, "group limit"},
		{"NegativeInflight", Config{Apps: map[string]string{"k": "s"}, MaxInflight: -1}, "in-flight"},
		{"UnknownMutant", Config{Apps: map[string]string{"k": "s"}, Mutant: "no-such-mutant"}, `unknown mutant "no-such-mutant"`},
		{"BadDB", Config{Apps: map[string]string{"k": "s"}, DB: "/nonexistent-dir/sub/im.db"}, "open store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Open: got %v, want nil", err)
				}
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				return
			}
			if err == nil {
				s.Close()
				t.Fatalf("Open: got nil, want error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Open: got %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b64 := func(s string) string { return "Basic " + basicB64(s) }
	tests := []struct {
		name       string
		header     string
		wantStatus int
		wantCode   int
	}{
		{"OK", basic(appKey1, secret1), 200, 0},
		{"OKSecondApp", basic(appKey2, secret2), 200, 0},
		{"OKSchemeLowerCase", "basic " + basicB64(appKey1+":"+secret1), 200, 0},
		{"ErrMissing", "", 401, 899007},
		{"ErrBlank", "   ", 401, 899007},
		{"ErrBearer", "Bearer " + basicB64(appKey1+":"+secret1), 401, 899007},
		{"ErrBasicNoCredentials", "Basic", 401, 899008},
		{"ErrUndecodable", "Basic !!!not-base64!!!", 401, 899008},
		{"ErrNoColon", b64(appKey1 + secret1), 401, 899008},
		{"ErrUnknownAppKey", basic("nosuchapp", secret1), 400, 899009},
		{"ErrWrongSecret", basic(appKey1, secret2), 401, 899008},
		{"ErrEmptySecret", basic(appKey1, ""), 401, 899008},
		{"ErrOtherAppsSecret", basic(appKey2, secret1), 401, 899008},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r result
			if tt.header == "" {
				r = f.do("GET", "/v1/users/?start=0&count=1", "", "Authorization", "")
			} else {
				r = f.do("GET", "/v1/users/?start=0&count=1", "", "Authorization", tt.header)
			}
			wantStatusCode(t, r, tt.wantStatus, tt.wantCode)
		})
	}
}

func basicB64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestRoutes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice", "bob1", "a@b.c")
	gid := f.mustGroup("alice", "bob1")
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantAllow  string
	}{
		{"UnknownRoot", "GET", "/", 404, ""},
		{"UnknownVersion", "GET", "/v2/users", 404, ""},
		{"UnknownResource", "GET", "/v1/apps", 404, ""},
		{"TooDeep", "GET", "/v1/users/alice/groups/1", 404, ""},
		{"EmptySegment", "GET", "/v1//users", 404, ""},
		{"UsersWrongMethod", "PATCH", "/v1/users", 405, "GET, POST"},
		{"UserWrongMethod", "POST", "/v1/users/alice", 405, "DELETE, GET, PUT"},
		{"UserGroupsWrongMethod", "DELETE", "/v1/users/alice/groups/", 405, "GET"},
		{"GroupsWrongMethod", "PUT", "/v1/groups/", 405, "GET, POST"},
		{"GroupWrongMethod", "POST", fmt.Sprintf("/v1/groups/%d", gid), 405, "DELETE, GET"},
		{"MembersWrongMethod", "DELETE", fmt.Sprintf("/v1/groups/%d/members", gid), 405, "GET, POST"},
		{"MessagesWrongMethod", "GET", "/v1/messages", 405, "POST"},
		{"Head", "HEAD", "/v1/users/alice", 405, "DELETE, GET, PUT"},
		{"Options", "OPTIONS", "/v1/users/", 405, "GET, POST"},
		{"UserNoSlash", "GET", "/v1/users/alice", 200, ""},
		{"UserSlash", "GET", "/v1/users/alice/", 200, ""},
		{"UsersNoSlash", "GET", "/v1/users?start=0&count=1", 200, ""},
		{"UsersSlash", "GET", "/v1/users/?start=0&count=1", 200, ""},
		{"UserGroupsNoSlash", "GET", "/v1/users/alice/groups", 200, ""},
		{"UserGroupsSlash", "GET", "/v1/users/alice/groups/", 200, ""},
		{"GroupNoSlash", "GET", fmt.Sprintf("/v1/groups/%d", gid), 200, ""},
		{"GroupSlash", "GET", fmt.Sprintf("/v1/groups/%d/", gid), 200, ""},
		{"GroupsNoSlash", "GET", "/v1/groups?start=0&count=1", 200, ""},
		{"GroupsSlash", "GET", "/v1/groups/?start=0&count=1", 200, ""},
		{"MembersNoSlash", "GET", fmt.Sprintf("/v1/groups/%d/members", gid), 200, ""},
		{"MembersSlash", "GET", fmt.Sprintf("/v1/groups/%d/members/", gid), 200, ""},
		{"PercentDecoded", "GET", "/v1/users/a%40b.c", 200, ""},
		{"PercentDecodedLetters", "GET", "/v1/users/%61lice", 200, ""},
		{"Metrics", "GET", "/metrics", 200, ""},
		{"MetricsWrongMethod", "POST", "/metrics", 405, "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(tt.method, tt.path, "")
			if r.status != tt.wantStatus {
				t.Fatalf("%s %s: got %s, want %d", tt.method, tt.path, r, tt.wantStatus)
			}
			if got := r.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow: got %q, want %q", got, tt.wantAllow)
			}
			if r.body != "" && !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") && tt.path != "/metrics" {
				t.Errorf("Content-Type: got %q for body %q, want application/json", r.header.Get("Content-Type"), r.body)
			}
		})
	}
	t.Run("PercentDecodedName", func(t *testing.T) {
		r := f.do("GET", "/v1/users/a%40b.c", "")
		if got := r.get("username").String(); got != "a@b.c" {
			t.Errorf("username: got %q, want a@b.c", got)
		}
	})
	t.Run("UnauthenticatedUnknownPath", func(t *testing.T) {
		r := f.do("GET", "/v1/nothing", "", "Authorization", "")
		if r.status != 404 && r.status != 401 {
			t.Errorf("got %s, want 401 or 404", r)
		}
	})
}

func TestContentTypeLeniency(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name        string
		contentType string
	}{
		{"JSON", "application/json"},
		{"JSONCharset", "application/json; charset=utf-8"},
		{"JSONMalformedParameter", "application/json;charset:utf-8"},
		{"UpperCase", "Application/JSON"},
		{"TextPlain", "text/plain"},
		{"FormType", "application/x-www-form-urlencoded"},
		{"None", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := fmt.Sprintf("ctype%02d", i)
			r := f.do("POST", "/v1/users/", registerBody([]string{name}), "Content-Type", tt.contentType)
			wantStatusCode(t, r, 201, 0)
			if got := r.get("0.error").Exists(); got {
				t.Errorf("item: got %s, want created", r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("response Content-Type: got %q, want application/json", ct)
			}
		})
	}
}

func TestBodyLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t.Run("ErrTooLarge", func(t *testing.T) {
		r := f.do("POST", "/v1/users/", `[{"username":"`+strings.Repeat("a", maxBody)+`","password":"xxxx"}]`)
		wantStatusCode(t, r, 400, 899003)
	})
	t.Run("FullBatchOfEscapedMaxNamesFits", func(t *testing.T) {
		// 501 items of 128-byte names and passwords written in \u escapes:
		// the cap must still let the server see the batch is too long.
		esc := strings.Repeat(`\u0061`, 128)
		item := `{"username":"` + esc + `","password":"` + esc + `"}`
		body := "[" + strings.TrimSuffix(strings.Repeat(item+",", 501), ",") + "]"
		r := f.do("POST", "/v1/users/", body)
		wantStatusCode(t, r, 403, 899013)
	})
	t.Run("Full500BatchOfMaxNames", func(t *testing.T) {
		names := make([]string, 500)
		for i := range names {
			names[i] = fmt.Sprintf("%03d", i) + strings.Repeat("m", maxUsername-3)
		}
		r := f.do("POST", "/v1/users/", registerBody(names))
		wantStatusCode(t, r, 201, 0)
		if got := len(r.get("#(error)#").Array()); got != 0 {
			t.Errorf("errors: got %d, want 0", got)
		}
	})
}

// panicStore panics on every call, to prove no panic reaches a client.
type panicStore struct{ im.Service }

func (panicStore) GetUser(context.Context, im.App, string) (im.User, error) {
	panic("boom")
}

func TestPanicAnswers500(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	real := f.s.store
	f.s.store = panicStore{real}
	defer func() { f.s.store = real }()
	r := f.do("GET", "/v1/users/alice", "")
	wantStatusCode(t, r, 500, 899000)
}

func TestFaultInjection(t *testing.T) {
	t.Parallel()
	on := newFixture(t, func(c *Config) { c.FaultInjection = true })
	off := newFixture(t)
	tests := []struct {
		name       string
		f          *fixture
		header     string
		auth       string
		body       string
		wantStatus int
		wantCode   int
	}{
		{"Internal", on, "internal", "", "", 500, 899000},
		{"Busy", on, "busy", "", "", 503, 899030},
		{"BusyCaseInsensitive", on, " BUSY ", "", "", 503, 899030},
		{"UnknownValueIgnored", on, "slow", "", "", 200, 0},
		{"AuthWinsOverFault", on, "internal", basic(appKey1, "wrong"), "", 401, 899008},
		{"FaultWinsOverSyntax", on, "internal", "", "not json", 500, 899000},
		{"OffIgnoresHeader", off, "internal", "", "", 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hdr := []string{"X-Fault-Inject", tt.header}
			if tt.auth != "" {
				hdr = append(hdr, "Authorization", tt.auth)
			}
			var r result
			if tt.body != "" {
				r = tt.f.do("POST", "/v1/users/", tt.body, hdr...)
			} else {
				r = tt.f.do("GET", "/v1/users/?start=0&count=1", "", hdr...)
			}
			wantStatusCode(t, r, tt.wantStatus, tt.wantCode)
			if tt.wantStatus == 503 && r.header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After: got %q, want 1", r.header.Get("Retry-After"))
			}
		})
	}
}

// blockingBody is a request body that blocks until released, to hold a
// request in flight.
type blockingBody struct{ release chan struct{} }

func (b blockingBody) Read(p []byte) (int, error) {
	<-b.release
	return 0, fmt.Errorf("released")
}

func TestLoadShedding(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.MaxInflight = 1 })
	body := blockingBody{release: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		req := httptest.NewRequest("POST", "/v1/users/", body)
		req.Header.Set("Authorization", basic(appKey1, secret1))
		f.s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(f.s.inflight) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the blocking request never got in flight")
		}
		time.Sleep(time.Millisecond)
	}
	t.Run("ShedBeforeAuth", func(t *testing.T) {
		r := f.do("GET", "/v1/users/?start=0&count=1", "", "Authorization", "")
		wantStatusCode(t, r, 503, 899030)
		if got := r.header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After: got %q, want 1", got)
		}
	})
	t.Run("MetricsNotShed", func(t *testing.T) {
		r := f.do("GET", "/metrics", "")
		wantStatusCode(t, r, 200, 0)
	})
	close(body.release)
	<-done
	t.Run("AdmittedAfterRelease", func(t *testing.T) {
		r := f.do("GET", "/v1/users/?start=0&count=1", "")
		wantStatusCode(t, r, 200, 0)
	})
}

// TestEveryErrorCode triggers each code of spec/PROFILE.md §2 at its status.
func TestEveryErrorCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.FaultInjection = true; c.GroupLimit = 3 })
	f.mustRegister("alice", "bob1", "carol", "dave")
	gid := f.mustGroup("alice", "bob1")
	tests := []struct {
		code       int
		status     int
		method     string
		path, body string
		headers    []string
	}{
		{899000, 500, "GET", "/v1/users/alice", "", []string{"X-Fault-Inject", "internal"}},
		{899001, 403, "POST", "/v1/users/", `[{"username":"alice","password":"password"}]`, nil},
		{899002, 403, "GET", "/v1/users/nobody", "", nil},
		{899003, 400, "POST", "/v1/groups/", `{"owner_username":`, nil},
		{899004, 403, "POST", "/v1/users/", `[{"username":"erin","password":"abc"}]`, nil},
		{899005, 403, "POST", "/v1/messages", `{"version":1,"target_type":"single","target_id":"nobody","from_type":"admin","from_id":"admin","create_time":0,"msg_type":"text","msg_body":{"text":"hi"}}`, nil},
		{899006, 403, "GET", "/v1/groups/99999", "", nil},
		{899007, 401, "GET", "/v1/users/alice", "", []string{"Authorization", ""}},
		{899008, 401, "GET", "/v1/users/alice", "", []string{"Authorization", basic(appKey1, "nope")}},
		{899009, 400, "GET", "/v1/users/alice", "", []string{"Authorization", basic("nope", "nope")}},
		{899010, 400, "DELETE", "/v1/users/alice", "", nil},
		{899011, 400, "POST", fmt.Sprintf("/v1/groups/%d/members", gid), `{"add":["bob1"]}`, nil},
		{899012, 403, "POST", fmt.Sprintf("/v1/groups/%d/members", gid), `{"add":["carol","dave"]}`, nil},
		{899013, 403, "POST", "/v1/users/", registerBody(userNames("big", 501)), nil},
		{899030, 503, "GET", "/v1/users/alice", "", []string{"X-Fault-Inject", "busy"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			r := f.do(tt.method, tt.path, tt.body, tt.headers...)
			if tt.method == "POST" && tt.path == "/v1/users/" && tt.status == 403 && tt.code != 899013 {
				// Register errors are per item inside a 201.
				wantStatusCode(t, r, 201, 0)
				if got := r.get("0.error.code").Int(); got != int64(tt.code) {
					t.Fatalf("item code: got %s, want %d", r, tt.code)
				}
				return
			}
			wantStatusCode(t, r, tt.status, tt.code)
		})
	}
	for code, c := range codes {
		if statusOf(code) != c.status {
			t.Errorf("statusOf(%d): got %d, want %d", code, statusOf(code), c.status)
		}
	}
}

// TestPrecedence checks spec/PROFILE.md §7a: when several errors apply, the
// first of the list wins.
func TestPrecedence(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.GroupLimit = 3 })
	f.mustRegister("alice", "bob1", "carol", "dave")
	gid := f.mustGroup("alice", "bob1")
	members := fmt.Sprintf("/v1/groups/%d/members", gid)
	tests := []struct {
		name             string
		method           string
		path, body       string
		headers          []string
		wantStatus, code int
	}{
		{"AuthBeforeSyntax", "POST", "/v1/users/", "not json", []string{"Authorization", basic(appKey1, "x")}, 401, 899008},
		{"SyntaxBeforePathUser", "PUT", "/v1/users/nobody", `{"nickname":7}`, nil, 400, 899003},
		{"SyntaxBeforePathGroup", "POST", "/v1/groups/99999/members", `{"add":"bob1"}`, nil, 400, 899003},
		{"BatchSizeBeforeItems", "POST", "/v1/users/", "[" + strings.TrimSuffix(strings.Repeat(`{"username":"alice"},`, 501), ",") + "]", nil, 403, 899013},
		{"PathGroupBeforeBodyUser", "POST", "/v1/groups/99999/members", `{"add":["nobody"]}`, nil, 403, 899006},
		{"RemoveOwnerBeforeUnknownAdd", "POST", members, `{"add":["nobody"],"remove":["alice"]}`, nil, 400, 899003},
		{"BodyUserBeforeState", "POST", members, `{"add":["bob1","nobody"]}`, nil, 403, 899002},
		{"StateBeforeLimit", "POST", members, `{"add":["bob1","carol","dave"]}`, nil, 400, 899011},
		{"CreateSyntaxBeforeUnknown", "POST", "/v1/groups/", `{"owner_username":"nobody","group_name":"g","members_username":["bob1","bob1"]}`, nil, 400, 899003},
		{"CreateUnknownBeforeLimit", "POST", "/v1/groups/", `{"owner_username":"alice","group_name":"g","members_username":["bob1","carol","nobody"]}`, nil, 403, 899002},
		{"DeleteUnknownUser", "DELETE", "/v1/users/nobody", "", nil, 403, 899002},
		{"MessageSyntaxBeforeUnknown", "POST", "/v1/messages", `{"version":1,"target_type":"single","target_id":"nobody","from_type":"user","from_id":"nobody","create_time":-1,"msg_type":"text","msg_body":{"text":"x"}}`, nil, 400, 899003},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(tt.method, tt.path, tt.body, tt.headers...)
			wantStatusCode(t, r, tt.wantStatus, tt.code)
		})
	}
	t.Run("FailedMembersUpdateIsAtomic", func(t *testing.T) {
		r := f.do("GET", members, "")
		if got := r.get("#.username").String(); got != `["alice","bob1"]` {
			t.Errorf("members after failed updates: got %s, want [alice bob1]", got)
		}
	})
}

func TestClientGoneIsNot500(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/v1/users/alice", nil).WithContext(ctx)
	req.Header.Set("Authorization", basic(appKey1, secret1))
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	if rec.Body.Len() != 0 {
		t.Errorf("body to a gone client: got %q, want none", rec.Body)
	}
	if got := testutil.ToFloat64(f.s.metrics.requests.WithLabelValues("/v1/users/{username}", "GET", "499", "none")); got != 1 {
		t.Errorf("499 requests: got %v, want 1", got)
	}
}
