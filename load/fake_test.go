package load

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jmcheck/target"
)

// fakeAPI is a small in-memory server of the API, conformant by default,
// with switches that make it misbehave on purpose: each profile's checks
// must catch it.
type fakeAPI struct {
	mu      sync.Mutex
	users   []string
	exists  map[string]bool
	groups  map[int64]*fakeGroup
	order   []int64
	nextGID int64
	msgID   int64

	// Misbehaviour.
	oversizeCode int           // code for a batch over 500 (0: 899013)
	dropItem     bool          // a 201 batch misses its last item
	forget       bool          // a 201 reports users it does not store
	pageShift    int           // list pages after the first start this far from start (broken tiling)
	reverse      bool          // group pages come in descending order
	failEvery    int64         // every Nth API request answers 500 899000
	maxInflight  int64         // shed past this many in flight (0: never)
	noRetryAfter bool          // shed without Retry-After
	sleep        time.Duration // added to every request
	resetEvery   int64         // every Nth request: the connection is closed, no answer
	missingCode  int           // code for an unknown user (0: 899002)
	echoAuth     bool          // attack answers are 500s that echo the Authorization header
	dupKeys      bool          // GET user repeats the username key
	deep         int           // GET user answers JSON nested this deep (0: never)
	extraListed  []string      // names the user list shows besides the real users
	lateCommit   time.Duration // registers of the attack commit after this long (past the client's timeout)
	redirectTo   string        // every attack request is answered 307 to this base URL
	dieAfter     int64         // after this many attack requests, no answer ever again (0: never)
	deleteSleep  time.Duration // DELETEs of the attack are applied, then answered after this long

	inflight atomic.Int64
	requests atomic.Int64
	attacks  atomic.Int64
}

type fakeGroup struct {
	owner, name, desc string
	members           []string
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{exists: map[string]bool{}, groups: map[int64]*fakeGroup{}}
}

const fakeKey, fakeSecret = "fakekey", "fakesecret"

// start serves the fake and returns a target for it.
func (f *fakeAPI) start(t testing.TB) target.Target {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return target.Target{BaseURL: srv.URL, AppKey: fakeKey, Secret: fakeSecret}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status, code int) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": "fake error " + strconv.Itoa(code)}})
}

// userCount returns how many users are registered.
func (f *fakeAPI) userCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.users)
}

func (f *fakeAPI) groupCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.groups)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != target.BasicAuth(fakeKey, fakeSecret) {
		writeErr(w, 401, 899008)
		return
	}
	n := f.requests.Add(1)
	attack := r.Header.Get("User-Agent") == "jmcheck-load" // the misbehaviour hits the attack, not seeding or cleanup
	if f.dieAfter > 0 && f.attacks.Load() >= f.dieAfter {
		if hj, ok := w.(http.Hijacker); ok { // gone: the connection closes without an answer
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
			}
		}
		return
	}
	if attack {
		f.attacks.Add(1)
	}
	if attack && f.redirectTo != "" {
		http.Redirect(w, r, f.redirectTo+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		return
	}
	if attack && f.echoAuth {
		w.Header().Set("WWW-Authenticate", r.Header.Get("Authorization"))
		writeJSON(w, 500, map[string]any{"error": map[string]any{"code": 899000, "message": "you sent " + r.Header.Get("Authorization") + " and " + fakeSecret}})
		return
	}
	if attack && f.lateCommit > 0 && r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/users") {
		time.Sleep(f.lateCommit) // the client has given up; the server goes on
	}
	if attack && f.maxInflight > 0 {
		if f.inflight.Add(1) > f.maxInflight {
			f.inflight.Add(-1)
			if !f.noRetryAfter {
				w.Header().Set("Retry-After", "1")
			}
			writeErr(w, 503, 899030)
			return
		}
		defer f.inflight.Add(-1)
	}
	if attack && f.sleep > 0 {
		time.Sleep(f.sleep)
	}
	if attack && f.resetEvery > 0 && n%f.resetEvery == 0 {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
	}
	if attack && f.failEvery > 0 && n%f.failEvery == 0 {
		writeErr(w, 500, 899000)
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case path == "/v1/users" && r.Method == http.MethodPost:
		f.register(w, r)
	case path == "/v1/users" && r.Method == http.MethodGet:
		start, count, ok := listArgs(r)
		if !ok {
			writeErr(w, 400, 899003)
			return
		}
		s := min(max(start+f.shift(start), 0), len(f.users))
		e := min(s+count, len(f.users))
		page := append([]string{}, f.users[s:e]...)
		total := len(f.users)
		if len(f.extraListed) > 0 && start == 0 {
			page = append(page, f.extraListed...)
			total += len(f.extraListed)
			if len(page) > count {
				page = page[len(page)-count:]
			}
		}
		writeJSON(w, 200, map[string]any{"total": total, "start": start, "count": len(page), "users": page})
	case len(seg) == 3 && seg[1] == "users":
		name := seg[2]
		if !f.exists[name] {
			code := f.missingCode
			if code == 0 {
				code = 899002
			}
			writeErr(w, 403, code)
			return
		}
		switch r.Method {
		case http.MethodGet:
			switch {
			case attack && f.dupKeys:
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"username":%q,"username":"someone-else","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`, name)
			case attack && f.deep > 0:
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, strings.Repeat("[", f.deep)+strings.Repeat("]", f.deep))
			default:
				writeJSON(w, 200, map[string]any{"username": name, "ctime": "2015-06-01 10:00:00", "mtime": "2015-06-01 10:00:00"})
			}
		case http.MethodPut:
			w.WriteHeader(204)
		case http.MethodDelete:
			for _, g := range f.groups {
				if g.owner == name {
					writeErr(w, 400, 899010)
					return
				}
			}
			delete(f.exists, name)
			for i, u := range f.users {
				if u == name {
					f.users = append(f.users[:i], f.users[i+1:]...)
					break
				}
			}
			if attack && f.deleteSleep > 0 {
				f.mu.Unlock() // applied; the answer comes after the client gave up
				time.Sleep(f.deleteSleep)
				f.mu.Lock()
			}
			w.WriteHeader(204)
		}
	case len(seg) == 4 && seg[1] == "users" && seg[3] == "groups":
		gids := []int64{}
		for _, gid := range f.order {
			g := f.groups[gid]
			if g.owner == seg[2] || contains(g.members, seg[2]) {
				gids = append(gids, gid)
			}
		}
		writeJSON(w, 200, gids)
	case path == "/v1/groups" && r.Method == http.MethodPost:
		var body struct {
			Owner   string   `json:"owner_username"`
			Name    string   `json:"group_name"`
			Members []string `json:"members_username"`
			Desc    string   `json:"group_desc"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeErr(w, 400, 899003)
			return
		}
		if !f.exists[body.Owner] {
			writeErr(w, 403, 899002)
			return
		}
		f.nextGID++
		gid := f.nextGID
		f.groups[gid] = &fakeGroup{owner: body.Owner, name: body.Name, desc: body.Desc}
		f.order = append(f.order, gid)
		writeJSON(w, 201, map[string]any{"gid": gid, "owner_username": body.Owner, "group_name": body.Name, "members_username": []string{}, "group_desc": body.Desc})
	case path == "/v1/groups" && r.Method == http.MethodGet:
		start, count, ok := listArgs(r)
		if !ok {
			writeErr(w, 400, 899003)
			return
		}
		s := min(max(start+f.shift(start), 0), len(f.order))
		e := min(s+count, len(f.order))
		page := append([]int64{}, f.order[s:e]...)
		if f.reverse {
			for i, j := 0, len(page)-1; i < j; i, j = i+1, j-1 {
				page[i], page[j] = page[j], page[i]
			}
		}
		writeJSON(w, 200, map[string]any{"total": len(f.order), "start": start, "count": len(page), "groups": page})
	case len(seg) >= 3 && seg[1] == "groups":
		gid, err := strconv.ParseInt(seg[2], 10, 64)
		g := f.groups[gid]
		if err != nil || g == nil {
			writeErr(w, 403, 899006)
			return
		}
		switch {
		case len(seg) == 3 && r.Method == http.MethodGet:
			writeJSON(w, 200, map[string]any{"gid": gid, "owner_username": g.owner, "group_name": g.name, "members_username": append([]string{}, g.members...), "group_desc": g.desc})
		case len(seg) == 3 && r.Method == http.MethodDelete:
			delete(f.groups, gid)
			for i, o := range f.order {
				if o == gid {
					f.order = append(f.order[:i], f.order[i+1:]...)
					break
				}
			}
			w.WriteHeader(204)
		case len(seg) == 4 && r.Method == http.MethodPost:
			var body struct{ Add, Remove []string }
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				writeErr(w, 400, 899003)
				return
			}
			for _, a := range body.Add {
				if contains(g.members, a) || a == g.owner {
					writeErr(w, 400, 899011)
					return
				}
				g.members = append(g.members, a)
			}
			for _, d := range body.Remove {
				for i, m := range g.members {
					if m == d {
						g.members = append(g.members[:i], g.members[i+1:]...)
						break
					}
				}
			}
			w.WriteHeader(204)
		case len(seg) == 4 && r.Method == http.MethodGet:
			list := []map[string]any{{"username": g.owner, "flag": 1, "ctime": "2015-06-01 10:00:00"}}
			for _, m := range g.members {
				list = append(list, map[string]any{"username": m, "flag": 0, "ctime": "2015-06-01 10:00:00"})
			}
			writeJSON(w, 200, list)
		default:
			writeErr(w, 405, 899003)
		}
	case path == "/v1/messages" && r.Method == http.MethodPost:
		f.msgID++
		writeJSON(w, 200, map[string]any{"msg_id": f.msgID})
	default:
		writeErr(w, 404, 899003)
	}
}

func (f *fakeAPI) shift(start int) int {
	if start == 0 {
		return 0
	}
	return f.pageShift
}

func (f *fakeAPI) register(w http.ResponseWriter, r *http.Request) {
	var items []struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&items); err != nil || len(items) == 0 {
		writeErr(w, 400, 899003)
		return
	}
	if len(items) > 500 {
		code := f.oversizeCode
		if code == 0 {
			code = 899013
		}
		writeErr(w, 403, code)
		return
	}
	out := []map[string]any{}
	for _, it := range items {
		if f.exists[it.Username] {
			out = append(out, map[string]any{"username": it.Username, "error": map[string]any{"code": 899001, "message": "exists"}})
			continue
		}
		if !f.forget {
			f.exists[it.Username] = true
			f.users = append(f.users, it.Username)
		}
		out = append(out, map[string]any{"username": it.Username})
	}
	if f.dropItem && len(out) > 1 {
		out = out[:len(out)-1]
	}
	writeJSON(w, 201, out)
}

func listArgs(r *http.Request) (start, count int, ok bool) {
	s, err1 := strconv.Atoi(r.URL.Query().Get("start"))
	c, err2 := strconv.Atoi(r.URL.Query().Get("count"))
	if err1 != nil || err2 != nil || s < 0 || c < 1 || c > 500 {
		return 0, 0, false
	}
	return s, c, true
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
