package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"jmcheck/client"
	"jmcheck/target"
)

// api is a small in-memory IM API for cleanup: users by name, groups by
// gid with an owner, per app; every request is recorded.
type api struct {
	mu     sync.Mutex
	users  map[string]bool // "app/name"
	groups map[string]group
	log    []string       // "METHOD path app"
	broken map[string]int // path -> status to answer instead
}

type group struct {
	owner, name string
	app         string
}

func newAPI() *api {
	return &api{users: map[string]bool{}, groups: map[string]group{}, broken: map[string]int{}}
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	app := "1"
	if r.Header.Get("Authorization") == target.BasicAuth("key2", "othersecret") {
		app = "2"
	}
	a.log = append(a.log, r.Method+" "+r.URL.Path+" "+app)
	reply := func(status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
	if st, ok := a.broken[r.URL.Path]; ok {
		reply(st, `{"error":{"code":899000,"message":"broken"}}`)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 3 && parts[1] == "groups" && r.Method == "GET":
		g, ok := a.groups[app+"/"+parts[2]]
		if !ok {
			reply(403, `{"error":{"code":899006,"message":"no group"}}`)
			return
		}
		b, _ := json.Marshal(map[string]any{"gid": json.Number(parts[2]), "owner_username": g.owner, "group_name": g.name, "members_username": []string{}, "group_desc": ""})
		reply(200, string(b))
	case len(parts) == 3 && parts[1] == "groups" && r.Method == "DELETE":
		if _, ok := a.groups[app+"/"+parts[2]]; !ok {
			reply(403, `{"error":{"code":899006,"message":"no group"}}`)
			return
		}
		delete(a.groups, app+"/"+parts[2])
		w.WriteHeader(204)
	case len(parts) == 4 && parts[1] == "users" && parts[3] == "groups":
		var gids []int
		for k, g := range a.groups {
			if g.app == app && g.owner == parts[2] {
				n, _ := strconv.Atoi(strings.TrimPrefix(k, app+"/"))
				gids = append(gids, n)
			}
		}
		b, _ := json.Marshal(gids)
		reply(200, string(b))
	case len(parts) == 3 && parts[1] == "users" && r.Method == "DELETE":
		name := parts[2]
		if !a.users[app+"/"+name] {
			reply(403, `{"error":{"code":899002,"message":"no user"}}`)
			return
		}
		for _, g := range a.groups {
			if g.app == app && g.owner == name {
				reply(400, `{"error":{"code":899010,"message":"owns a group"}}`)
				return
			}
		}
		delete(a.users, app+"/"+name)
		w.WriteHeader(204)
	default:
		reply(404, `{"error":{"code":899003,"message":"what"}}`)
	}
}

func (a *api) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.log...)
}

func (a *api) has(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, g := a.groups[key]
	return a.users[key] || g
}

func start(t *testing.T, a *api) *client.Client {
	t.Helper()
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	tg := target.Target{BaseURL: srv.URL, AppKey: "key1", Secret: "topsecret", AppKey2: "key2", Secret2: "othersecret"}
	return client.New(client.Config{Target: tg, Transport: srv.Client().Transport})
}

// TestCleanupDeletesGroupsBeforeUsers: every app with its own credentials;
// what is already gone counts as gone; what cannot go is reported with
// what its code means.
func TestCleanupDeletesGroupsBeforeUsers(t *testing.T) {
	t.Parallel()
	a := newAPI()
	a.users["1/run1.a"], a.users["2/run1.c"], a.users["2/run1.owner"], a.users["1/run1.stuck"] = true, true, true, true
	a.groups["1/7"] = group{owner: "run1.a", name: "run1.g", app: "1"}
	a.groups["2/9"] = group{owner: "run1.owner", name: "x", app: "2"} // not recorded: a create cut short
	a.broken["/v1/users/run1.stuck"] = 500
	c := start(t, a)
	l := New("run1", nil)
	l.Note(1, "run1.a", Created)
	l.Note(1, "run1.b", Sent) // never created: a 403 899002
	l.Note(2, "run1.c", Created)
	l.Note(2, "run1.owner", Created)
	l.Note(1, "run1.stuck", Created)
	l.NoteGroup(1, 7, Created)
	l.NoteGroup(1, 8, Created) // already gone
	rep := l.Cleanup(context.Background(), c, Options{})
	// run1.owner's DELETE answers 899010: its group goes first, then it.
	if rep.Groups != 2 || rep.Users != 3 || rep.Gone != 2 || rep.Left != 1 || len(rep.Failed) != 1 {
		t.Fatalf("report = %+v, want 2 groups and 3 users deleted, 2 gone, 1 left", rep)
	}
	f := rep.Failed[0]
	if f.ID != "run1.stuck" || f.App != 1 || !strings.Contains(f.Reason, "HTTP 500 899000 (internal error") {
		t.Errorf("failure = %+v, want run1.stuck of app 1 with what its code means", f)
	}
	if a.has("2/9") || a.has("2/run1.owner") {
		t.Error("the run user that owned a group, or its group, was left")
	}
	lastGroup, firstUser := -1, 1<<30
	for i, r := range a.requests() {
		if strings.HasPrefix(r, "DELETE /v1/groups/7 ") { // the recorded group
			lastGroup = i
		}
		if strings.HasPrefix(r, "DELETE /v1/users/") && !strings.Contains(r, "owner") && i < firstUser {
			firstUser = i
		}
	}
	if lastGroup > firstUser {
		t.Errorf("a recorded group was deleted after a user: %q", a.requests())
	}
	if again := l.Cleanup(context.Background(), c, Options{}); again.Left != 1 {
		t.Errorf("a second cleanup: %+v, want only the one failure retried", again)
	}
}

// TestCleanupNeverDeletesAForeignGroup: a create answered with another
// group's gid must not make the run delete that group.
func TestCleanupNeverDeletesAForeignGroup(t *testing.T) {
	t.Parallel()
	a := newAPI()
	a.users["1/victim"] = true
	a.groups["1/42"] = group{owner: "victim", name: "their group", app: "1"}
	c := start(t, a)
	l := New("run2", nil)
	l.NoteGroup(1, 42, Created) // what the hostile 201 said
	rep := l.Cleanup(context.Background(), c, Options{})
	if !a.has("1/42") {
		t.Fatal("the foreign group was deleted")
	}
	if len(rep.NotOurs) != 1 || !strings.Contains(rep.NotOurs[0], "not this run's") || !rep.OK() {
		t.Errorf("report = %+v, want the group reported as not the run's, and nothing of the run's left", rep)
	}
	for _, r := range a.requests() {
		if strings.HasPrefix(r, "DELETE") {
			t.Errorf("cleanup sent %s", r)
		}
	}
}

// TestCleanupDeletesTheGroupsARunUserOwns: a group create interrupted by
// a signal leaves a group the run never recorded; its owner, a run user,
// goes only after it.
func TestCleanupDeletesTheGroupsARunUserOwns(t *testing.T) {
	t.Parallel()
	a := newAPI()
	a.users["1/run3.owner"] = true
	a.groups["1/5"] = group{owner: "run3.owner", name: "run3.g", app: "1"}
	c := start(t, a)
	l := New("run3", nil)
	l.Note(1, "run3.owner", Created)
	l.OwnerNamed(1, "run3.owner")
	rep := l.Cleanup(context.Background(), c, Options{})
	if !rep.OK() || rep.Users != 1 || rep.Groups != 1 || a.has("1/5") || a.has("1/run3.owner") {
		t.Errorf("report = %+v; group left %v, user left %v; want both deleted", rep, a.has("1/5"), a.has("1/run3.owner"))
	}
}

// TestCleanupNeverTouchesNamesThatAreNotTheRuns: a name without the run's
// prefix is deleted only when the run claimed it.
func TestCleanupNeverTouchesNamesThatAreNotTheRuns(t *testing.T) {
	t.Parallel()
	a := newAPI()
	a.users["1/alice"], a.users["1/abcd"], a.users["1/RUN4.UPPER"] = true, true, true
	c := start(t, a)
	l := New("run4", nil)
	l.Note(1, "alice", Created)
	l.Note(1, "abcd", Created)
	l.Claim("abcd") // checked free before the run took it
	l.Note(1, "RUN4.UPPER", Created)
	l.Note(1, "bob", Deleting) // a delete of a name the run never sent: ignored
	rep := l.Cleanup(context.Background(), c, Options{})
	if !a.has("1/alice") {
		t.Error("alice, not the run's, was deleted")
	}
	if a.has("1/abcd") || a.has("1/RUN4.UPPER") {
		t.Error("the run's claimed or upper-cased name was left")
	}
	if rep.Left != 1 || !strings.Contains(rep.String(), "alice") || strings.Contains(rep.String(), "bob") {
		t.Errorf("report: %s", rep)
	}
}

// TestCleanupStopsOnAnUnusableTarget: one short attempt that says what it
// could not delete.
func TestCleanupStopsOnAnUnusableTarget(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := client.New(client.Config{Target: target.Target{BaseURL: url, AppKey: "k", Secret: "s"}, Timeout: time.Second, FailAfter: 2, FailSpan: time.Millisecond})
	l := New("run5", nil)
	for i := range 50 {
		l.Note(1, "run5.u"+strconv.Itoa(i), Created)
	}
	began := time.Now()
	rep := l.Cleanup(context.Background(), c, Options{Workers: 1})
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("cleanup took %s against a dead target", d)
	}
	if rep.Left != 50 || !strings.Contains(rep.Error, "unusable") || len(rep.Failed) != 50 {
		t.Errorf("report = left %d, error %q, %d failures; want all 50 left, listed, and why", rep.Left, rep.Error, len(rep.Failed))
	}
}

// TestCleanupReportsLateCommitsItCouldNotRuleOut: a user whose
// registration got no answer, absent at the first delete, may still be
// committed. When the cleanup's time runs out before the wait for a late
// commit is over, or the delete after the wait fails, the report names
// it as left: it is never counted as gone in silence.
func TestCleanupReportsLateCommitsItCouldNotRuleOut(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		limit    time.Duration // of the cleanup's context
		lateWait time.Duration
		secondIs int // status of the delete after the wait
		reason   string
	}{
		{"CutShort", 300 * time.Millisecond, time.Minute, 0, "cut short before the wait for a late commit"},
		{"LateDeleteFails", time.Minute, 50 * time.Millisecond, 500, "DELETE after a wait for a late commit answered HTTP 500"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI()
			var deletes int
			var mu sync.Mutex
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				if r.Method == http.MethodDelete {
					deletes++
					if deletes == 2 && tt.secondIs != 0 {
						mu.Unlock()
						w.WriteHeader(tt.secondIs)
						return
					}
				}
				mu.Unlock()
				a.ServeHTTP(w, r)
			}))
			defer srv.Close()
			c := client.New(client.Config{Target: target.Target{BaseURL: srv.URL, AppKey: "key1", Secret: "topsecret"}, Transport: srv.Client().Transport})
			l := New("run7", nil)
			l.Note(1, "run7.u1", Unanswered)
			ctx, cancel := context.WithTimeout(context.Background(), tt.limit)
			defer cancel()
			rep := l.Cleanup(ctx, c, Options{LateWait: tt.lateWait})
			if rep.OK() || rep.Left != 1 || rep.Gone != 0 || rep.Unanswered != 1 || len(rep.Failed) != 1 || rep.Failed[0].ID != "run7.u1" || !strings.Contains(rep.Failed[0].Reason, tt.reason) {
				t.Errorf("report = %+v; want run7.u1 left and named (%q)", rep, tt.reason)
			}
			if got := l.Users(Unanswered); len(got) != 1 {
				t.Errorf("the ledger holds %v unanswered, want run7.u1 still recorded", got)
			}
		})
	}
	t.Run("Absent", func(t *testing.T) {
		t.Parallel()
		l := New("run8", nil)
		l.Note(1, "run8.u1", Unanswered)
		a := newAPI()
		rep := l.Cleanup(context.Background(), start(t, a), Options{LateWait: 50 * time.Millisecond})
		if !rep.OK() || rep.Gone != 1 || rep.Left != 0 || len(l.Users(Deleted)) != 1 {
			t.Errorf("report = %+v; want run8.u1 gone after the second look", rep)
		}
		if n := strings.Count(strings.Join(a.requests(), "\n"), "DELETE /v1/users/run8.u1"); n != 2 {
			t.Errorf("%d deletes of run8.u1, want 2 (before and after the wait)", n)
		}
	})
}

// TestCountedUsers: names a Space makes are kept in bitsets; a name of the
// space's form the run never issued is not indexed.
func TestCountedUsers(t *testing.T) {
	t.Parallel()
	sp := &space{prefix: "run6-0-", issued: 10}
	l := New("run6-0-", sp)
	l.NoteRange(0, 10, Sent)
	l.NoteIndex(3, Created)
	l.NoteIndex(3, Deleting)
	l.NoteIndex(4, Created)
	l.NoteIndex(5, Refused)
	l.Note(1, "run6-0-u999999999999", Created) // never issued: a plain name, no bit set
	c := l.Counts()
	if c[Sent] != 7 || c[Created] != 2 || c[Deleting] != 1 || c[Refused] != 1 {
		t.Errorf("counts = %v", c)
	}
	if got := l.Indices(Created); len(got) != 1 || got[0] != 4 {
		t.Errorf("created counters = %v, want [4]", got)
	}
	if s := l.StateOf(3); s != Deleting {
		t.Errorf("user 3 is %s, want deleting: it was deleted, or tried to be", s)
	}
}

type space struct {
	prefix string
	issued uint64
}

func (s *space) Name(i uint64) string { return s.prefix + "u" + strconv.FormatUint(i, 10) }
func (s *space) Index(name string) (uint64, bool) {
	n, err := strconv.ParseUint(strings.TrimPrefix(name, s.prefix+"u"), 10, 64)
	return n, err == nil && strings.HasPrefix(name, s.prefix+"u")
}
func (s *space) Issued() uint64 { return s.issued }
