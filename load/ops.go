package load

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/target"
)

// op is one kind of request a profile sends: how to build it, what answer
// it expects, and what it changes in the run's state.
type op struct {
	name     string
	route    Route
	header   http.Header                  // static headers, the op index included
	build    func(t *vegeta.Target) bool  // false: cannot be sent now (nothing to delete)
	expect   expectation                  // what counts as a pass
	after    func(x *Exchange, v Verdict) // state changes from the answer; may be nil
	fallback int                          // op sent instead when build says no
	weight   int
}

// runState is what the targeter and the checks share during an attack.
// Both run on vegeta's workers, concurrently.
type runState struct {
	profile string
	opts    Options
	t       target.Target
	base    string
	auth    string
	namer   *Namer
	ledger  *Ledger
	ops     []*op
	cum     []int // cumulative weights, for the weighted pick
	wsum    int

	// Seeded data.
	pool       []string     // users the mix reads and writes, never deletes
	slots      []*groupSlot // groups the mix reads and toggles members of
	deletable  stack[uint64]
	gids       stack[int64]
	userTotal  atomic.Int64
	groupTotal atomic.Int64

	// Paginate profiles.
	sharded   bool // other shards seed and clean up the same lists
	settled   string
	tracker   *sweepTracker
	seedFirst uint64        // first user counter of the seeded users
	gidIndex  map[int64]int // our gids in ascending order
	pages     atomic.Uint64

	registers atomic.Uint64 // register requests, for the oversize share
	missing   atomic.Uint64

	sent, substituted []atomic.Uint64 // per op
	batchItems        atomic.Uint64   // register items checked
	batchCreated      atomic.Uint64
}

// groupSlot is a seeded group of the mix. Its toggle user is added and
// removed by the members operation, one request at a time.
type groupSlot struct {
	gid    int64
	owner  string
	toggle string
	in     atomic.Bool // toggle is a member
	busy   atomic.Bool // a members request is in flight
	broken atomic.Bool // its membership is unknown: leave it alone
}

type stack[T any] struct {
	mu    sync.Mutex
	items []T
	limit int
}

func (s *stack[T]) push(v T) {
	s.mu.Lock()
	if s.limit == 0 || len(s.items) < s.limit {
		s.items = append(s.items, v)
	}
	s.mu.Unlock()
}

func (s *stack[T]) pop() (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero T
	if len(s.items) == 0 {
		return zero, false
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, true
}

func newRunState(profile string, opts Options, t target.Target, nm *Namer, l *Ledger) *runState {
	return &runState{
		profile: profile, opts: opts, t: t,
		base: strings.TrimRight(t.BaseURL, "/"), auth: t.Auth(),
		namer: nm, ledger: l,
		deletable: stack[uint64]{limit: 100_000},
		gids:      stack[int64]{limit: 100_000},
	}
}

// bstr views bytes as a string without copying; the string must not
// outlive the bytes (a check's body lives until the check returns).
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// check implements checker.
func (r *runState) check(x *Exchange) Verdict {
	if x.Op < 0 || x.Op >= len(r.ops) {
		return Verdict{Op: 0, Status: x.Status, Reason: ReasonStatus, Detail: "status: a request jmcheck did not build"}
	}
	o := r.ops[x.Op]
	v := judge(x, &o.expect)
	if o.after != nil {
		o.after(x, v)
	}
	return v
}

// targeter returns the vegeta Targeter that picks and builds requests.
func (r *runState) targeter() vegeta.Targeter {
	return func(t *vegeta.Target) error {
		i := r.pick()
		for tries := 0; tries < 4 && i >= 0; tries++ {
			o := r.ops[i]
			if o.build(t) {
				r.sent[i].Add(1)
				return nil
			}
			r.substituted[i].Add(1)
			i = o.fallback
		}
		return fmt.Errorf("no request can be built for %s", r.profile)
	}
}

func (r *runState) pick() int {
	if r.profile == ProfileRegisterBatch && len(r.ops) == 2 {
		// Oversize batches at an exact share: request k is oversize when
		// the running total of the ratio crosses a whole number.
		k := float64(r.registers.Add(1) - 1)
		if math.Floor((k+1)*r.opts.OversizeRatio) > math.Floor(k*r.opts.OversizeRatio) {
			return 1
		}
		return 0
	}
	if len(r.ops) == 1 || r.wsum == 0 {
		return 0
	}
	n := rand.IntN(r.wsum)
	for i, c := range r.cum {
		if n < c {
			return i
		}
	}
	return len(r.cum) - 1
}

// addOp appends an op and fixes its headers.
func (r *runState) addOp(o *op) int {
	idx := len(r.ops)
	o.header = http.Header{"Authorization": {r.auth}, opHeader: {strconv.Itoa(idx)}}
	if o.route == RouteRegister || o.route == RoutePutUser || o.route == RouteCreateGroup || o.route == RouteEditMembers || o.route == RouteSendMessage {
		o.header["Content-Type"] = []string{"application/json"}
	}
	if o.fallback == 0 && idx != 0 {
		o.fallback = -1
	}
	r.ops = append(r.ops, o)
	return idx
}

// finishOps computes the weights; call after the last addOp.
func (r *runState) finishOps() {
	r.cum = make([]int, len(r.ops))
	r.wsum = 0
	for i, o := range r.ops {
		r.wsum += o.weight
		r.cum[i] = r.wsum
	}
	r.sent = make([]atomic.Uint64, len(r.ops))
	r.substituted = make([]atomic.Uint64, len(r.ops))
}

// tagged returns the op's headers with a per-request tag.
func (r *runState) tagged(idx int, tag uint64) http.Header {
	o := r.ops[idx]
	h := make(http.Header, len(o.header))
	for k, v := range o.header {
		h[k] = v
	}
	h[opHeader] = []string{strconv.Itoa(idx) + "." + strconv.FormatUint(tag, 10)}
	return h
}

func (r *runState) poolUser() string { return r.pool[rand.IntN(len(r.pool))] }

// ---- register ----

// addRegister adds the register op: n new users per request; oversize
// requests carry 501 and must be refused whole.
func (r *runState) addRegister(name string, n int, oversize bool, weight int) int {
	idx := len(r.ops)
	o := &op{name: name, route: RouteRegister, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		first := r.namer.NextUsers(n)
		r.ledger.Attempt(first, n)
		t.Method, t.URL = http.MethodPost, r.base+"/v1/users/"
		t.Body = registerBody(make([]byte, 0, n*56+2), r.namer, first, n)
		t.Header = r.tagged(idx, first)
		return true
	}
	if oversize {
		o.expect = expectation{errors: []answer{{403, codeBatchTooLarge}}, shed: r.opts.AllowShed}
	} else {
		o.expect = expectation{status: 201, body: func(x *Exchange) (string, bool) { return r.checkBatch(x, n) }, shed: r.opts.AllowShed}
	}
	o.after = func(x *Exchange, v Verdict) {
		switch {
		case x.Err != nil || x.Status >= 500 && !v.Expected:
			// Outcome unknown: the users may exist; cleanup tries them.
		case x.Status == 201:
			if oversize {
				r.checkBatch(x, n) // records what a wrong 201 created, for cleanup
			}
		case x.Status >= 400:
			r.ledger.Rejected(x.Tag, n)
		}
	}
	return r.addOp(o)
}

// checkBatch checks a 201 of a batch register: the same number of items
// in the same order, each {"username": the name sent} with no error, and
// records each created user.
func (r *runState) checkBatch(x *Exchange, n int) (string, bool) {
	s := bstr(x.Body)
	if !gjson.Valid(s) {
		r.ledger.Rejected(x.Tag, 0)
		return "batch: the 201 body is not JSON", false
	}
	arr := gjson.Parse(s)
	if !arr.IsArray() {
		return "batch: the 201 body is not an array", false
	}
	var (
		buf     [160]byte
		i       int
		fail    string
		created uint64
	)
	arr.ForEach(func(_, item gjson.Result) bool {
		if i >= n {
			i++
			return true
		}
		c := x.Tag + uint64(i)
		want := r.namer.AppendUser(buf[:0], c)
		u := item.Get("username")
		e := item.Get("error")
		switch {
		case !item.IsObject():
			if fail == "" {
				fail = fmt.Sprintf("batch: item %d is not an object", i)
			}
		case e.Exists():
			r.ledger.Rejected(c, 1)
			if fail == "" {
				fail = fmt.Sprintf("batch: item %d (%s) failed with %s", i, string(want), e.Get("code").Raw)
			}
		case u.Type != gjson.String || u.Str != string(want):
			if fail == "" {
				fail = fmt.Sprintf("batch: item %d has username %s, want %q", i, u.Raw, string(want))
			}
		default:
			r.ledger.Created(c)
			created++
			if r.profile == ProfileMixed || r.profile == ProfileOverload {
				r.deletable.push(c)
			}
		}
		i++
		return true
	})
	r.batchItems.Add(uint64(min(i, n)))
	r.batchCreated.Add(created)
	if i != n && fail == "" {
		fail = fmt.Sprintf("batch: the 201 has %d items for %d sent (an item is missing or extra)", i, n)
	}
	return fail, fail == ""
}

// ---- users ----

func (r *runState) addGetUser(weight int) int {
	idx := len(r.ops)
	o := &op{name: "get-user", route: RouteGetUser, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		t.Method, t.URL, t.Header = http.MethodGet, r.base+"/v1/users/"+r.poolUser(), r.ops[idx].header
		return true
	}
	o.expect = expectation{status: 200, body: checkUser, shed: r.opts.AllowShed}
	return r.addOp(o)
}

// checkUser checks a user object: the username asked for, the timestamps,
// never a password (SPEC.md §3).
func checkUser(x *Exchange) (string, bool) {
	s := bstr(x.Body)
	if !gjson.Valid(s) {
		return "user: not JSON", false
	}
	obj := gjson.Parse(s)
	if !obj.IsObject() {
		return "user: not an object", false
	}
	want := x.Path[strings.LastIndexByte(x.Path, '/')+1:]
	var name, ctime, mtime gjson.Result
	password := false
	obj.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "username":
			name = v
		case "ctime":
			ctime = v
		case "mtime":
			mtime = v
		case "password":
			password = true
		}
		return true
	})
	switch {
	case name.Type != gjson.String || name.Str != want:
		return "user: username " + name.Raw + ", want " + strconv.Quote(want), false
	case password:
		return "user: the answer carries a password", false
	case ctime.Type != gjson.String || !isTimestamp(ctime.Str):
		return "user: ctime " + ctime.Raw + " is not YYYY-MM-DD HH:MM:SS", false
	case mtime.Type != gjson.String || !isTimestamp(mtime.Str):
		return "user: mtime " + mtime.Raw + " is not YYYY-MM-DD HH:MM:SS", false
	case mtime.Str < ctime.Str:
		return "user: mtime before ctime", false
	}
	return "", true
}

func (r *runState) addPutUser(weight int) int {
	idx := len(r.ops)
	var n atomic.Uint64
	o := &op{name: "put-user", route: RoutePutUser, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		t.Method, t.URL, t.Header = http.MethodPut, r.base+"/v1/users/"+r.poolUser(), r.ops[idx].header
		t.Body = []byte(`{"nickname":"load ` + strconv.FormatUint(n.Add(1), 10) + `","star":1}`)
		return true
	}
	o.expect = expectation{status: 204, shed: r.opts.AllowShed}
	return r.addOp(o)
}

func (r *runState) addDeleteUser(weight, fallback int) int {
	idx := len(r.ops)
	o := &op{name: "delete-user", route: RouteDeleteUser, weight: weight, fallback: fallback}
	o.build = func(t *vegeta.Target) bool {
		c, ok := r.deletable.pop()
		if !ok {
			return false
		}
		t.Method, t.URL, t.Header = http.MethodDelete, r.base+"/v1/users/"+r.namer.User(c), r.tagged(idx, c)
		return true
	}
	o.expect = expectation{status: 204, shed: r.opts.AllowShed}
	o.after = func(x *Exchange, v Verdict) {
		switch {
		case x.Status == 204:
			r.ledger.Deleted(x.Tag)
		case v.Expected:
			r.deletable.push(x.Tag) // shed: still there, try again later
		}
	}
	return r.addOp(o)
}

func (r *runState) addGetMissing(weight int) int {
	idx := len(r.ops)
	o := &op{name: "get-missing", route: RouteGetUser, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		t.Method, t.URL, t.Header = http.MethodGet, r.base+"/v1/users/"+r.namer.Missing(r.missing.Add(1)), r.ops[idx].header
		return true
	}
	o.expect = expectation{errors: []answer{{403, codeNoSuchUser}}, shed: r.opts.AllowShed}
	return r.addOp(o)
}

func (r *runState) addUserGroups(weight int) int {
	idx := len(r.ops)
	o := &op{name: "user-groups", route: RouteUserGroups, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		t.Method, t.URL, t.Header = http.MethodGet, r.base+"/v1/users/"+r.poolUser()+"/groups/", r.ops[idx].header
		return true
	}
	o.expect = expectation{status: 200, body: checkGidArray, shed: r.opts.AllowShed}
	return r.addOp(o)
}

func checkGidArray(x *Exchange) (string, bool) {
	s := bstr(x.Body)
	if !gjson.Valid(s) {
		return "gids: not JSON", false
	}
	arr := gjson.Parse(s)
	if !arr.IsArray() {
		return "gids: not an array", false
	}
	fail := ""
	last := int64(0)
	arr.ForEach(func(_, v gjson.Result) bool {
		if !isInt(v) || v.Int() <= 0 {
			fail = "gids: " + v.Raw + " is not a positive integer"
			return false
		}
		if v.Int() <= last {
			fail = "gids: not ascending"
			return false
		}
		last = v.Int()
		return true
	})
	return fail, fail == ""
}

func isInt(v gjson.Result) bool {
	return v.Type == gjson.Number && !strings.ContainsAny(v.Raw, ".eE")
}

// ---- lists ----

// listQuery reads start and count from a query jmcheck wrote.
func listQuery(q string) (start, count int) {
	start, count = -1, -1
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		switch k {
		case "start":
			start = n
		case "count":
			count = n
		}
	}
	return start, count
}

// addListUsers adds a user-list op: at random starts for the mix, or in
// the paginate profile's order with its sweep checks.
func (r *runState) addListUsers(name string, weight int, paginate bool) int {
	idx := len(r.ops)
	o := &op{name: name, route: RouteListUsers, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		start, count, tag := r.pageStart(&r.userTotal, paginate)
		t.Method, t.URL = http.MethodGet, r.base+"/v1/users/?start="+strconv.Itoa(start)+"&count="+strconv.Itoa(count)
		t.Header = r.ops[idx].header
		if paginate && r.opts.Order == OrderSequential {
			t.Header = r.tagged(idx, tag)
		}
		return true
	}
	o.expect = expectation{status: 200, body: func(x *Exchange) (string, bool) { return r.checkPage(x, "users", paginate) }, shed: r.opts.AllowShed}
	return r.addOp(o)
}

func (r *runState) addListGroups(name string, weight int, paginate bool) int {
	idx := len(r.ops)
	o := &op{name: name, route: RouteListGroups, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		start, count, tag := r.pageStart(&r.groupTotal, paginate)
		t.Method, t.URL = http.MethodGet, r.base+"/v1/groups/?start="+strconv.Itoa(start)+"&count="+strconv.Itoa(count)
		t.Header = r.ops[idx].header
		if paginate && r.opts.Order == OrderSequential {
			t.Header = r.tagged(idx, tag)
		}
		return true
	}
	o.expect = expectation{status: 200, body: func(x *Exchange) (string, bool) { return r.checkPage(x, "groups", paginate) }, shed: r.opts.AllowShed}
	return r.addOp(o)
}

// pageStart picks the next page: for the paginate profiles by --order,
// for the mix a random start and count.
func (r *runState) pageStart(total *atomic.Int64, paginate bool) (start, count int, tag uint64) {
	n := int(total.Load())
	if !paginate {
		return rand.IntN(max(n, 1)), 1 + rand.IntN(500), 0
	}
	count = r.opts.Count
	switch r.opts.Order {
	case OrderRandom:
		return rand.IntN(max(n, 1)), count, 0
	case OrderDeep:
		lo := n - max(n/10, 1)
		return max(lo, 0) + rand.IntN(max(n/10, 1)), count, 0
	}
	k := r.pages.Add(1) - 1
	pages := uint64(max(1, (n+count-1)/count))
	return int(k%pages) * count, count, k
}

// checkPage checks a list page (SPEC.md §3, §4): total, start and count
// are integers, start echoes the request, count is the number of items,
// at most the count asked for and exactly what is left from start; users
// are strings, groups ascending positive gids. A paginate profile also
// tracks its own items across pages.
func (r *runState) checkPage(x *Exchange, field string, track bool) (string, bool) {
	wantStart, wantCount := listQuery(x.Query)
	s := bstr(x.Body)
	if !gjson.Valid(s) {
		return "page: not JSON", false
	}
	res := gjson.GetMany(s, "total", "start", "count", field)
	total, start, count, items := res[0], res[1], res[2], res[3]
	switch {
	case !isInt(total) || total.Int() < 0:
		return "page: total " + total.Raw + " is not an integer ≥ 0", false
	case !isInt(start) || int(start.Int()) != wantStart:
		return "page: start " + start.Raw + ", want " + strconv.Itoa(wantStart), false
	case !isInt(count):
		return "page: count " + count.Raw + " is not an integer", false
	case !items.IsArray():
		return "page: " + field + " is not an array", false
	}
	var (
		ours = make([]int, 0, 64)
		fail string
		n    int
		last int64
	)
	items.ForEach(func(_, v gjson.Result) bool {
		n++
		if field == "users" {
			if v.Type != gjson.String {
				if fail == "" {
					fail = "page: user " + v.Raw + " is not a string"
				}
				ours = append(ours, -1)
				return true
			}
			i := -1
			if c, ok := r.namer.UserIndex(v.Str); ok && c >= r.seedFirst && r.tracker != nil && c-r.seedFirst < uint64(r.tracker.n) {
				i = int(c - r.seedFirst)
			}
			ours = append(ours, i)
			return true
		}
		if !isInt(v) || v.Int() <= 0 {
			if fail == "" {
				fail = "page: gid " + v.Raw + " is not a positive integer"
			}
			ours = append(ours, -1)
			return true
		}
		if v.Int() <= last && fail == "" {
			fail = "page: gids not ascending at " + v.Raw
		}
		last = v.Int()
		i, ok := r.gidIndex[v.Int()]
		if !ok {
			i = -1
		}
		ours = append(ours, i)
		return true
	})
	if fail != "" {
		return fail, false
	}
	t := int(total.Int())
	want := min(wantCount, max(0, t-wantStart))
	switch {
	case int(count.Int()) != n:
		return fmt.Sprintf("page: count %d but %d %s", count.Int(), n, field), false
	case n > wantCount:
		return fmt.Sprintf("page: %d %s for count=%d", n, field, wantCount), false
	case n != want:
		return fmt.Sprintf("page: %d %s at start %d of total %d, want %d", n, field, wantStart, t, want), false
	}
	if track && r.tracker != nil {
		if d := r.tracker.page(x.Tag, wantStart, t, ours); d != "" {
			return d, false
		}
	}
	return "", true
}

// ---- groups ----

func (r *runState) slot() (*groupSlot, uint64) {
	i := rand.IntN(len(r.slots))
	return r.slots[i], uint64(i)
}

func (r *runState) addCreateGroup(weight int) int {
	idx := len(r.ops)
	o := &op{name: "create-group", route: RouteCreateGroup, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		t.Method, t.URL, t.Header = http.MethodPost, r.base+"/v1/groups/", r.ops[idx].header
		t.Body = groupBody(r.poolUser(), r.namer.Group(r.namer.NextGroup()), nil)
		return true
	}
	o.expect = expectation{status: 201, body: checkCreatedGroup, shed: r.opts.AllowShed}
	o.after = func(x *Exchange, v Verdict) {
		if x.Status != 201 || !gjson.ValidBytes(x.Body) {
			return
		}
		if gid := gjson.GetBytes(x.Body, "gid"); isInt(gid) && gid.Int() > 0 {
			r.ledger.GroupCreated(gid.Int())
			r.gids.push(gid.Int())
		}
	}
	return r.addOp(o)
}

// checkCreatedGroup checks a group create's 201 against the request: the
// four fields echoed (members as given, a missing desc as "") and a gid.
func checkCreatedGroup(x *Exchange) (string, bool) {
	s := bstr(x.Body)
	if !gjson.Valid(s) {
		return "group: not JSON", false
	}
	got := gjson.GetMany(s, "gid", "owner_username", "group_name", "members_username", "group_desc")
	req := gjson.GetManyBytes(x.ReqBody, "owner_username", "group_name", "group_desc")
	switch {
	case !isInt(got[0]) || got[0].Int() <= 0:
		return "group: gid " + got[0].Raw + " is not a positive integer", false
	case got[1].Str != req[0].Str:
		return "group: owner_username " + got[1].Raw + ", want " + req[0].Raw, false
	case got[2].Str != req[1].Str:
		return "group: group_name " + got[2].Raw + ", want " + req[1].Raw, false
	case !got[3].IsArray() || len(got[3].Array()) != 0:
		return "group: members_username " + got[3].Raw + ", want []", false
	case got[4].Type != gjson.String || got[4].Str != req[2].Str:
		return "group: group_desc " + got[4].Raw + ", want " + req[2].Raw, false
	}
	return "", true
}

func (r *runState) addGetGroup(weight int) int {
	idx := len(r.ops)
	o := &op{name: "get-group", route: RouteGetGroup, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		g, i := r.slot()
		t.Method, t.URL, t.Header = http.MethodGet, r.base+"/v1/groups/"+strconv.FormatInt(g.gid, 10), r.tagged(idx, i)
		return true
	}
	o.expect = expectation{status: 200, body: r.checkGroup, shed: r.opts.AllowShed}
	return r.addOp(o)
}

func (r *runState) checkGroup(x *Exchange) (string, bool) {
	g := r.slots[x.Tag%uint64(len(r.slots))]
	s := bstr(x.Body)
	if !gjson.Valid(s) {
		return "group: not JSON", false
	}
	got := gjson.GetMany(s, "gid", "owner_username", "group_name", "members_username", "group_desc")
	switch {
	case !isInt(got[0]) || got[0].Int() != g.gid:
		return "group: gid " + got[0].Raw + ", want " + strconv.FormatInt(g.gid, 10), false
	case got[1].Str != g.owner:
		return "group: owner_username " + got[1].Raw + ", want " + strconv.Quote(g.owner), false
	case got[2].Type != gjson.String:
		return "group: group_name is not a string", false
	case !got[3].IsArray():
		return "group: members_username is not an array", false
	case got[4].Type != gjson.String:
		return "group: group_desc is not a string", false
	}
	return "", true
}

func (r *runState) addDeleteGroup(weight, fallback int) int {
	idx := len(r.ops)
	o := &op{name: "delete-group", route: RouteDeleteGroup, weight: weight, fallback: fallback}
	o.build = func(t *vegeta.Target) bool {
		gid, ok := r.gids.pop()
		if !ok {
			return false
		}
		t.Method, t.URL, t.Header = http.MethodDelete, r.base+"/v1/groups/"+strconv.FormatInt(gid, 10), r.tagged(idx, uint64(gid))
		return true
	}
	o.expect = expectation{status: 204, shed: r.opts.AllowShed}
	o.after = func(x *Exchange, v Verdict) {
		switch {
		case x.Status == 204:
			r.ledger.GroupDeleted(int64(x.Tag))
		case v.Expected:
			r.gids.push(int64(x.Tag))
		}
	}
	return r.addOp(o)
}

func (r *runState) addMembers(weight, fallback int) int {
	idx := len(r.ops)
	o := &op{name: "members", route: RouteEditMembers, weight: weight, fallback: fallback}
	o.build = func(t *vegeta.Target) bool {
		for try := 0; try < 4; try++ {
			g, i := r.slot()
			if g.broken.Load() || !g.busy.CompareAndSwap(false, true) {
				continue
			}
			verb := "add"
			if g.in.Load() {
				verb = "remove"
			}
			t.Method, t.URL = http.MethodPost, r.base+"/v1/groups/"+strconv.FormatInt(g.gid, 10)+"/members"
			t.Body = []byte(`{"` + verb + `":[` + strconv.Quote(g.toggle) + `]}`)
			t.Header = r.tagged(idx, i)
			return true
		}
		return false
	}
	o.expect = expectation{status: 204, shed: r.opts.AllowShed}
	o.after = func(x *Exchange, v Verdict) {
		g := r.slots[x.Tag%uint64(len(r.slots))]
		switch {
		case x.Status == 204:
			g.in.Store(!g.in.Load())
		case v.Expected:
		default:
			g.broken.Store(true) // the membership is now unknown
		}
		g.busy.Store(false)
	}
	return r.addOp(o)
}

func (r *runState) addListMembers(weight int) int {
	idx := len(r.ops)
	o := &op{name: "list-members", route: RouteListMembers, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		g, i := r.slot()
		t.Method, t.URL, t.Header = http.MethodGet, r.base+"/v1/groups/"+strconv.FormatInt(g.gid, 10)+"/members/", r.tagged(idx, i)
		return true
	}
	o.expect = expectation{status: 200, body: r.checkMembers, shed: r.opts.AllowShed}
	return r.addOp(o)
}

// checkMembers checks a member list: the owner first with flag 1, then
// members with flag 0, each with a ctime (SPEC.md §4).
func (r *runState) checkMembers(x *Exchange) (string, bool) {
	g := r.slots[x.Tag%uint64(len(r.slots))]
	s := bstr(x.Body)
	if !gjson.Valid(s) {
		return "members: not JSON", false
	}
	arr := gjson.Parse(s)
	if !arr.IsArray() {
		return "members: not an array", false
	}
	fail, i := "", 0
	arr.ForEach(func(_, m gjson.Result) bool {
		f := gjson.GetMany(m.Raw, "username", "flag", "ctime")
		wantFlag := int64(0)
		if i == 0 {
			wantFlag = 1
			if f[0].Str != g.owner {
				fail = "members: first is " + f[0].Raw + ", want the owner " + strconv.Quote(g.owner)
				return false
			}
		}
		switch {
		case f[0].Type != gjson.String:
			fail = "members: username " + f[0].Raw + " is not a string"
		case !isInt(f[1]) || f[1].Int() != wantFlag:
			fail = fmt.Sprintf("members: %s has flag %s, want %d", f[0].Raw, f[1].Raw, wantFlag)
		case f[2].Type != gjson.String || !isTimestamp(f[2].Str):
			fail = "members: ctime " + f[2].Raw + " is not YYYY-MM-DD HH:MM:SS"
		}
		i++
		return fail == ""
	})
	if fail == "" && i == 0 {
		fail = "members: empty, want the owner first"
	}
	return fail, fail == ""
}

// ---- messages ----

func (r *runState) addMessage(weight int) int {
	idx := len(r.ops)
	o := &op{name: "message", route: RouteSendMessage, weight: weight}
	o.build = func(t *vegeta.Target) bool {
		from, to := r.poolUser(), r.poolUser()
		t.Method, t.URL, t.Header = http.MethodPost, r.base+"/v1/messages", r.ops[idx].header
		t.Body = []byte(`{"version":1,"target_type":"single","target_id":` + strconv.Quote(to) +
			`,"from_type":"user","from_id":` + strconv.Quote(from) +
			`,"create_time":` + strconv.FormatInt(time.Now().Unix(), 10) +
			`,"msg_type":"text","msg_body":{"text":"jmcheck load"}}`)
		return true
	}
	o.expect = expectation{status: 200, body: checkMessage, shed: r.opts.AllowShed}
	return r.addOp(o)
}

func checkMessage(x *Exchange) (string, bool) {
	s := bstr(x.Body)
	if !gjson.Valid(s) {
		return "message: not JSON", false
	}
	id := gjson.Get(s, "msg_id")
	if !isInt(id) || id.Int() <= 0 {
		return "message: msg_id " + id.Raw + " is not a positive integer", false
	}
	return "", true
}

// ---- setup ----

// setup seeds what the profile needs and builds its operations.
func (r *runState) setup(ctx context.Context, a *admin, planned float64) error {
	switch r.profile {
	case ProfileRegisterBatch:
		ratio := r.opts.OversizeRatio
		r.addRegister("register", r.opts.Batch, false, 1)
		if ratio > 0 {
			r.addRegister("register-oversize", 501, true, 0)
		}
		r.finishOps()
		return nil

	case ProfilePaginateUsers:
		first, err := a.seedUsers(ctx, r.namer, r.ledger, r.opts.Seed, "seeding users")
		if err != nil {
			return err
		}
		total, err := r.sweepTotal(ctx, a, "/v1/users/")
		if err != nil {
			return fmt.Errorf("after seeding: %w", err)
		}
		r.seedFirst = first
		r.userTotal.Store(int64(total))
		nm := r.namer
		r.tracker = newSweepTracker("user", r.opts.Seed, func(i int) string { return nm.User(first + uint64(i)) }, total, r.opts.Count, r.opts.Order == OrderSequential)
		r.tracker.appendOnly = true // SPEC.md §3: registration order, so new users go last
		r.addListUsers("list-users", 1, true)
		r.finishOps()
		return nil

	case ProfilePaginateGroups:
		owners := min(10, r.opts.Seed)
		first, err := a.seedUsers(ctx, r.namer, r.ledger, owners, "seeding group owners")
		if err != nil {
			return err
		}
		names := make([]string, owners)
		for i := range names {
			names[i] = r.namer.User(first + uint64(i))
		}
		gids, err := a.seedGroups(ctx, r.namer, r.ledger, names, r.opts.Seed)
		if err != nil {
			return err
		}
		slices.Sort(gids)
		r.gidIndex = make(map[int64]int, len(gids))
		for i, g := range gids {
			r.gidIndex[g] = i
		}
		total, err := r.sweepTotal(ctx, a, "/v1/groups/")
		if err != nil {
			return fmt.Errorf("after seeding: %w", err)
		}
		r.groupTotal.Store(int64(total))
		r.tracker = newSweepTracker("group", len(gids), func(i int) string { return "gid " + strconv.FormatInt(gids[i], 10) }, total, r.opts.Count, r.opts.Order == OrderSequential)
		r.addListGroups("list-groups", 1, true)
		r.finishOps()
		return nil
	}

	// mixed and overload: a pool of users, groups among them, and users to delete.
	mix := r.opts.Mix
	first, err := a.seedUsers(ctx, r.namer, r.ledger, r.opts.Seed, "seeding users")
	if err != nil {
		return err
	}
	r.pool = make([]string, r.opts.Seed)
	for i := range r.pool {
		r.pool[i] = r.namer.User(first + uint64(i))
	}
	needGroups := mix["get-group"]+mix["members"]+mix["list-members"] > 0
	if needGroups {
		n := max(2, r.opts.Seed/10)
		gids, err := a.seedGroups(ctx, r.namer, r.ledger, r.pool, n)
		if err != nil {
			return err
		}
		for i, gid := range gids {
			r.slots = append(r.slots, &groupSlot{gid: gid, owner: r.pool[i%len(r.pool)], toggle: r.pool[(i+1)%len(r.pool)]})
		}
	}
	if w := mix["delete-user"]; w > 0 {
		wsum := 0
		for _, v := range mix {
			wsum += v
		}
		n := 50
		if planned > 0 {
			n = int(planned*float64(w)/float64(wsum)*1.1) + 10
		}
		n = min(n, 5000)
		dfirst, err := a.seedUsers(ctx, r.namer, r.ledger, n, "seeding users to delete")
		if err != nil {
			return err
		}
		for i := n - 1; i >= 0; i-- {
			r.deletable.push(dfirst + uint64(i))
		}
	}
	for _, path := range []string{"/v1/users/", "/v1/groups/"} {
		if (path == "/v1/users/" && mix["list-users"] == 0) || (path == "/v1/groups/" && mix["list-groups"] == 0) {
			continue
		}
		total, err := a.listTotal(ctx, path)
		if err != nil {
			return fmt.Errorf("after seeding: %w", err)
		}
		if path == "/v1/users/" {
			r.userTotal.Store(int64(total))
		} else {
			r.groupTotal.Store(int64(total))
		}
	}
	getUser := -1
	getGroup := -1
	// get-user and get-group come first: they stand in when a delete has
	// nothing to delete yet, or every group is busy.
	getUser = r.addGetUser(mix["get-user"])
	if needGroups {
		getGroup = r.addGetGroup(mix["get-group"])
	} else {
		getGroup = getUser
	}
	for _, m := range MixOps() {
		w := mix[m.Name]
		if w == 0 {
			continue
		}
		switch m.Name {
		case "register":
			r.addRegister("register", r.opts.Batch, false, w)
		case "put-user":
			r.addPutUser(w)
		case "delete-user":
			r.addDeleteUser(w, getUser)
		case "list-users":
			r.addListUsers("list-users", w, false)
		case "user-groups":
			r.addUserGroups(w)
		case "create-group":
			r.addCreateGroup(w)
		case "delete-group":
			r.addDeleteGroup(w, getGroup)
		case "members":
			r.addMembers(w, getGroup)
		case "list-members":
			r.addListMembers(w)
		case "list-groups":
			r.addListGroups("list-groups", w, false)
		case "message":
			r.addMessage(w)
		case "get-missing":
			r.addGetMissing(w)
		}
	}
	r.finishOps()
	return nil
}

// Settling of a sharded paginate run: the list total must hold still for
// settleQuiet, polled every settlePoll, before the sweeps are planned; the
// wait ends after settleLimit whatever the list does. Variables, so that
// tests can shorten them.
var (
	settleQuiet = 2 * time.Second
	settlePoll  = 100 * time.Millisecond
	settleLimit = time.Minute
)

// sweepTotal reads the total of the list a paginate profile sweeps. A
// shard first waits until the total holds still: the other shards seed
// the same list at about the same time, and sweeps planned on a list that
// still grows would cover only the part seeded so far, and find nothing
// to judge while it grows (groups: a new gid may sort anywhere).
func (r *runState) sweepTotal(ctx context.Context, a *admin, path string) (int, error) {
	total, err := a.listTotal(ctx, path)
	if err != nil || !r.sharded {
		return total, err
	}
	began := time.Now()
	still := began
	for time.Since(still) < settleQuiet {
		if time.Since(began) >= settleLimit {
			r.settled = fmt.Sprintf("sharded: the list total did not hold still within %s (last %d): the sweeps cover the list as it was then; start the shards together", settleLimit, total)
			return total, nil
		}
		if err := sleep(ctx, settlePoll); err != nil {
			return total, err
		}
		t, err := a.listTotal(ctx, path)
		if err != nil {
			return total, err
		}
		if t != total {
			total, still = t, time.Now()
		}
	}
	r.settled = fmt.Sprintf("sharded: waited %s for the other shards' seeding; the list total held still at %d for %s", time.Since(began).Round(time.Millisecond), total, settleQuiet)
	return total, nil
}

// notes describes what the profile's checks covered, for the summary.
func (r *runState) notes() []string {
	var out []string
	if r.settled != "" {
		out = append(out, r.settled)
	}
	var parts []string
	for i, o := range r.ops {
		s := fmt.Sprintf("%s %d", o.name, r.sent[i].Load())
		if n := r.substituted[i].Load(); n > 0 {
			s += fmt.Sprintf(" (%d more stood in for by %s: nothing to act on yet)", n, r.opName(o.fallback))
		}
		parts = append(parts, s)
	}
	if len(parts) > 0 {
		out = append(out, "sent: "+strings.Join(parts, ", "))
	}
	if n := r.batchItems.Load(); n > 0 {
		out = append(out, fmt.Sprintf("register items checked: %d, created: %d", n, r.batchCreated.Load()))
	}
	if r.tracker != nil {
		out = append(out, r.tracker.notes()...)
	}
	broken := 0
	for _, g := range r.slots {
		if g.broken.Load() {
			broken++
		}
	}
	if broken > 0 {
		out = append(out, fmt.Sprintf("%d groups left out of member toggling after an unexpected answer", broken))
	}
	return out
}

func (r *runState) opName(i int) string {
	if i < 0 || i >= len(r.ops) {
		return "nothing"
	}
	return r.ops[i].name
}
