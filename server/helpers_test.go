package server

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The apps every fixture configures.
const (
	appKey1, secret1 = "app1key", "app1secret"
	appKey2, secret2 = "app2key", "app2secret"
)

func basic(key, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"+secret))
}

// fakeClock is a store clock that tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a Server on a fresh :memory: store with two apps.
type fixture struct {
	t     testing.TB
	s     *Server
	clock *fakeClock
}

// newFixture opens a server; mods adjust the Config first.
func newFixture(t testing.TB, mods ...func(*Config)) *fixture {
	t.Helper()
	cfg := Config{DB: ":memory:", Apps: map[string]string{appKey1: secret1, appKey2: secret2}}
	for _, m := range mods {
		m(&cfg)
	}
	clock := &fakeClock{t: time.Date(2015, 3, 20, 14, 0, 13, 0, time.UTC)}
	s, err := open(cfg, clock.Now)
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return &fixture{t: t, s: s, clock: clock}
}

// on returns the fixture reporting to t, for use inside fuzz targets and
// goroutines of another test.
func (f *fixture) on(t testing.TB) *fixture {
	c := *f
	c.t = t
	return &c
}

// result is an answered request.
type result struct {
	status int
	header http.Header
	body   string
}

// code returns the error code of an error body, 0 when there is none.
func (r result) code() int { return int(gjson.Get(r.body, "error.code").Int()) }

func (r result) get(path string) gjson.Result { return gjson.Get(r.body, path) }

func (r result) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// do sends one request as app 1. headers are name, value pairs; they
// replace the defaults (an empty value deletes the header).
func (f *fixture) do(method, path, body string, headers ...string) result {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", basic(appKey1, secret1))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	res := rec.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatalf("read response: %v", err)
	}
	return result{status: res.StatusCode, header: res.Header, body: string(b)}
}

// as2 returns the header pair that makes do act as app 2.
func as2() []string { return []string{"Authorization", basic(appKey2, secret2)} }

// mustRegister registers users with password "password" and fails the
// test unless each is created.
func (f *fixture) mustRegister(names ...string) {
	f.t.Helper()
	items := make([]string, len(names))
	for i, n := range names {
		items[i] = fmt.Sprintf(`{"username":%q,"password":"password"}`, n)
	}
	r := f.do("POST", "/v1/users", "["+strings.Join(items, ",")+"]")
	if r.status != 201 {
		f.t.Fatalf("register %v: got %s, want 201", names, r)
	}
	for i, item := range r.get("@this").Array() {
		if item.Get("error").Exists() {
			f.t.Fatalf("register %s: got %s", names[i], item.Raw)
		}
	}
}

// mustGroup creates a group and returns its gid.
func (f *fixture) mustGroup(owner string, members ...string) int64 {
	f.t.Helper()
	quoted := make([]string, len(members))
	for i, m := range members {
		quoted[i] = fmt.Sprintf("%q", m)
	}
	body := fmt.Sprintf(`{"owner_username":%q,"group_name":"g","members_username":[%s]}`, owner, strings.Join(quoted, ","))
	r := f.do("POST", "/v1/groups", body)
	if r.status != 201 {
		f.t.Fatalf("create group of %s: got %s, want 201", owner, r)
	}
	return r.get("gid").Int()
}

// wantStatusCode fails unless r has status and, when code is non-zero, an
// exact error body with that code.
func wantStatusCode(t testing.TB, r result, status, code int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status: got %s, want %d", r, status)
	}
	if code == 0 {
		return
	}
	wantErrorBody(t, r, code)
}

// wantErrorBody checks the error body of spec/PROFILE.md §1: exactly
// {"error":{"code":N,"message":"non-empty"}} as application/json.
func wantErrorBody(t testing.TB, r result, code int) {
	t.Helper()
	if got := r.code(); got != code {
		t.Fatalf("error code: got %s, want %d", r, code)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	top := r.get("@this").Map()
	obj := r.get("error").Map()
	if len(top) != 1 || len(obj) != 2 || obj["message"].String() == "" || obj["message"].Type != gjson.String || obj["code"].Type != gjson.Number {
		t.Errorf("error body: got %s, want exactly {\"error\":{\"code\":N,\"message\":\"...\"}}", r.body)
	}
}

// userNames returns n distinct valid usernames with prefix.
func userNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

// registerBody is a batch of the names with password "password".
func registerBody(names []string) string {
	items := make([]string, len(names))
	for i, n := range names {
		items[i] = fmt.Sprintf(`{"username":%q,"password":"password"}`, n)
	}
	return "[" + strings.Join(items, ",") + "]"
}
