package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// ledger records every user and group the run may have created, per app,
// so that Cleanup can delete them. Every username in every register request
// is recorded, whatever the answer: a server that wrongly created a user
// while reporting failure is cleaned up too, and deleting a user that was
// never created costs one 403 899002.
type ledger struct {
	mu     sync.Mutex
	users  map[entry]bool
	groups map[gidEntry]bool
	order  []entry // users in first-seen order, for a stable report
}

type entry struct {
	app  int
	name string
}

type gidEntry struct {
	app int
	gid int64
}

func newLedger() *ledger {
	return &ledger{users: map[entry]bool{}, groups: map[gidEntry]bool{}}
}

func appOf(r request) int {
	if r.app == 2 || r.auth == authSecondApp {
		return 2
	}
	return 1
}

// noteRequest records the usernames of a register request before it is
// sent, so a run interrupted mid-request still knows them.
func (l *ledger) noteRequest(r request) {
	if r.method != http.MethodPost || !r.hasBody || !isPath(r.path, "POST /v1/users/") {
		return
	}
	if !gjson.ValidBytes(r.body) {
		return
	}
	app := appOf(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	gjson.ParseBytes(r.body).ForEach(func(_, item gjson.Result) bool {
		if u := item.Get("username"); u.Type == gjson.String && u.Str != "" {
			e := entry{app, u.Str}
			if !l.users[e] {
				l.users[e] = true
				l.order = append(l.order, e)
			}
		}
		return true
	})
}

// noteResponse records the gid of a created group.
func (l *ledger) noteResponse(r request, ex *exchange) {
	if ex == nil || ex.status != http.StatusCreated || r.method != http.MethodPost || !isPath(r.path, "POST /v1/groups/") {
		return
	}
	gid := gjson.GetBytes(ex.body, "gid")
	if !gjson.ValidBytes(ex.body) || gid.Type != gjson.Number || gid.Int() <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.groups[gidEntry{appOf(r), gid.Int()}] = true
}

func isPath(path, key string) bool {
	e, ok := spec.Match(strings.SplitN(key, " ", 2)[0], path)
	return ok && e.Key() == key
}

// CleanupReport says what Cleanup did. Failed lists what it could not
// delete; each entry says why.
type CleanupReport struct {
	GroupsDeleted int
	UsersDeleted  int
	AlreadyGone   int // recorded, but already deleted or never created
	Failed        []CleanupFailure
}

// CleanupFailure is one user or group Cleanup could not delete.
type CleanupFailure struct {
	Kind   string // "user" or "group"
	App    int    // 1 or 2
	ID     string // username or gid
	Reason string
}

// OK reports whether everything recorded is gone.
func (r CleanupReport) OK() bool { return len(r.Failed) == 0 }

// String summarizes the report in one line, then one line per failure.
func (r CleanupReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cleanup: deleted %d groups and %d users, %d already gone", r.GroupsDeleted, r.UsersDeleted, r.AlreadyGone)
	if len(r.Failed) > 0 {
		fmt.Fprintf(&b, "; could not delete %d:", len(r.Failed))
		for _, f := range r.Failed {
			fmt.Fprintf(&b, "\n  %s %s (app %d): %s", f.Kind, f.ID, f.App, f.Reason)
		}
	}
	return b.String()
}

const cleanupWorkers = 8

// Cleanup deletes every group and then every user the run recorded, in each
// app, and reports what it could not delete. A group's owner can only go
// once the group is gone (SPEC.md §3, 899010), hence groups first. Already
// deleted things (403 899006 for a group, 403 899002 for a user) count as
// gone, as does a name the server calls malformed (400 899003: it cannot
// exist). Call it once after the run, also after failures or an interrupt,
// with a context that is still live.
func (s *Suite) Cleanup(ctx context.Context) CleanupReport {
	s.ledger.mu.Lock()
	groups := make([]gidEntry, 0, len(s.ledger.groups))
	for g := range s.ledger.groups {
		groups = append(groups, g)
	}
	users := append([]entry(nil), s.ledger.order...)
	s.ledger.mu.Unlock()
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].app != groups[j].app {
			return groups[i].app < groups[j].app
		}
		return groups[i].gid < groups[j].gid
	})

	var rep CleanupReport
	var mu sync.Mutex
	result := func(kind string, app int, id string, ex *exchange, err error, goneCodes ...int64) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			rep.Failed = append(rep.Failed, CleanupFailure{kind, app, id, err.Error()})
		case ex.status == http.StatusNoContent:
			if kind == "group" {
				rep.GroupsDeleted++
			} else {
				rep.UsersDeleted++
			}
		case ex.status >= 400 && ex.status < 500 && containsCode(goneCodes, ex.code()):
			rep.AlreadyGone++
		default:
			rep.Failed = append(rep.Failed, CleanupFailure{kind, app, id, fmt.Sprintf("DELETE answered HTTP %d %s", ex.status, snippet(ex.body))})
		}
	}
	parallel(len(groups), func(i int) {
		g := groups[i]
		id := strconv.FormatInt(g.gid, 10)
		ex, err := s.send(ctx, request{method: http.MethodDelete, path: "/v1/groups/" + id, app: g.app})
		result("group", g.app, id, ex, err, 899006)
	})
	parallel(len(users), func(i int) {
		u := users[i]
		ex, err := s.send(ctx, request{method: http.MethodDelete, path: userPath(u.name), app: u.app})
		result("user", u.app, u.name, ex, err, 899002, 899003)
	})
	sort.Slice(rep.Failed, func(i, j int) bool {
		a, b := rep.Failed[i], rep.Failed[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.App != b.App {
			return a.App < b.App
		}
		return a.ID < b.ID
	})
	s.ledger.mu.Lock()
	s.ledger.users = map[entry]bool{}
	s.ledger.order = nil
	s.ledger.groups = map[gidEntry]bool{}
	for _, f := range rep.Failed { // keep what is left, so a second Cleanup can retry
		switch f.Kind {
		case "group":
			gid, _ := strconv.ParseInt(f.ID, 10, 64)
			s.ledger.groups[gidEntry{f.App, gid}] = true
		case "user":
			e := entry{f.App, f.ID}
			s.ledger.users[e] = true
			s.ledger.order = append(s.ledger.order, e)
		}
	}
	s.ledger.mu.Unlock()
	// Idle keep-alive connections (and ones dialed but never used, which a
	// server counts as new for seconds) would delay a graceful shutdown.
	s.client.CloseIdleConnections()
	return rep
}

// Recorded returns how many users and groups the ledger holds now.
func (s *Suite) Recorded() (users, groups int) {
	s.ledger.mu.Lock()
	defer s.ledger.mu.Unlock()
	return len(s.ledger.order), len(s.ledger.groups)
}

func containsCode(codes []int64, c int64) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

// parallel runs f(0..n-1) on a few workers and waits for all.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(cleanupWorkers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func snippet(b []byte) string {
	const max = 200
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
