package op

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/tidwall/gjson"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/ledger"
	"jmcheck/load/check"
	"jmcheck/spec"
)

// Password is the password of every user the load generator registers.
const Password = "jmcheck-load"

// bstr views bytes as a string without copying; the string must not
// outlive the bytes (a check's body lives until the check returns).
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// RegisterBody writes a batch register body for users [first, first+n).
func RegisterBody(b []byte, nm *Namer, first uint64, n int) []byte {
	b = append(b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"username":"`...)
		b = nm.AppendUser(b, first+uint64(i))
		b = append(b, `","password":"`+Password+`"}`...)
	}
	return append(b, ']')
}

// Batch counts the items of the register answers an attack checked.
type Batch struct {
	Items, Created atomic.Uint64
}

// Register is the register op: n new users per request; an oversize one
// carries 501 and must be refused whole (403 899013). onCreated, when not
// nil, hears of every user a 201 reported created.
func Register(e *Env, name string, n int, oversize bool, weight int, b *Batch, onCreated func(c uint64)) *Op {
	idx := e.Next()
	o := &Op{Name: name, Route: spec.RouteRegister, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		first := e.Namer.NextUsers(n)
		e.Ledger.NoteRange(first, n, ledger.Sent)
		t.Method, t.URL = http.MethodPost, e.URL("/v1/users/")
		t.Body = RegisterBody(make([]byte, 0, n*56+2), e.Namer, first, n)
		t.Header = e.Tagged(idx, first)
		return true
	}
	check1 := func(x *check.Exchange) (string, bool) { return checkBatch(e, x, n, b, onCreated) }
	if oversize {
		o.Expect = check.Expectation{Errors: []check.Answer{{Status: 403, Code: spec.CodeBatchTooLarge}}}
	} else {
		o.Expect = check.Expectation{Status: 201, Body: check1}
	}
	o.After = func(x *check.Exchange, v check.Verdict) {
		switch {
		case x.Err != nil:
			// No answer: the users may exist, even later (a late commit).
			e.Ledger.NoteRange(x.Tag, n, ledger.Unanswered)
		case x.Status >= 500 && !v.Expected:
			// Outcome unknown: the users may exist; cleanup tries them.
		case x.Status == 201:
			if oversize && spec.CheckJSON(x.Body) == nil {
				check1(x) // records what a wrong 201 created, for cleanup
			}
		case x.Status >= 400:
			e.Ledger.NoteRange(x.Tag, n, ledger.Refused)
		}
	}
	e.Add(o)
	return o
}

// checkBatch checks a 201 of a batch register: the same number of items
// in the same order, each {"username": the name sent} with no error, and
// records each created user.
func checkBatch(e *Env, x *check.Exchange, n int, b *Batch, onCreated func(c uint64)) (string, bool) {
	arr := gjson.Parse(bstr(x.Body))
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
		want := e.Namer.AppendUser(buf[:0], c)
		u := item.Get("username")
		er := item.Get("error")
		switch {
		case !item.IsObject():
			if fail == "" {
				fail = fmt.Sprintf("batch: item %d is not an object", i)
			}
		case er.Exists():
			e.Ledger.NoteIndex(c, ledger.Refused)
			if fail == "" {
				fail = fmt.Sprintf("batch: item %d (%s) failed with %s", i, string(want), er.Get("code").Raw)
			}
		case u.Type != gjson.String || u.Str != string(want):
			if fail == "" {
				fail = fmt.Sprintf("batch: item %d has username %s, want %q", i, u.Raw, string(want))
			}
		default:
			e.Ledger.NoteIndex(c, ledger.Created)
			created++
			if onCreated != nil {
				onCreated(c)
			}
		}
		i++
		return true
	})
	if b != nil {
		b.Items.Add(uint64(min(i, n)))
		b.Created.Add(created)
	}
	if i != n && fail == "" {
		fail = fmt.Sprintf("batch: the 201 has %d items for %d sent (an item is missing or extra)", i, n)
	}
	return fail, fail == ""
}

// GetUser is GET of a pool user: 200, the right username, timestamps.
func GetUser(e *Env, pool Pool, weight int) *Op {
	idx := e.Next()
	o := &Op{Name: "get-user", Route: spec.RouteGetUser, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		t.Method, t.URL, t.Header = http.MethodGet, e.URL("/v1/users/"+pool.Pick()), e.Header(idx)
		return true
	}
	o.Expect = check.Expectation{Status: 200, Body: CheckUser}
	e.Add(o)
	return o
}

// CheckUser checks a user object: the username asked for, the timestamps,
// never a password (spec/PROFILE.md §3). It reads a body check.Judge has
// found to be one bounded JSON value.
func CheckUser(x *check.Exchange) (string, bool) {
	obj := gjson.Parse(bstr(x.Body))
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
	case ctime.Type != gjson.String || !spec.IsTime(ctime.Str):
		return "user: ctime " + ctime.Raw + " is not YYYY-MM-DD HH:MM:SS", false
	case mtime.Type != gjson.String || !spec.IsTime(mtime.Str):
		return "user: mtime " + mtime.Raw + " is not YYYY-MM-DD HH:MM:SS", false
	case mtime.Str < ctime.Str:
		return "user: mtime before ctime", false
	}
	return "", true
}

// PutUser is PUT of a pool user's nickname and star: 204.
func PutUser(e *Env, pool Pool, weight int) *Op {
	idx := e.Next()
	var n atomic.Uint64
	o := &Op{Name: "put-user", Route: spec.RoutePutUser, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		t.Method, t.URL, t.Header = http.MethodPut, e.URL("/v1/users/"+pool.Pick()), e.Header(idx)
		t.Body = []byte(`{"nickname":"load ` + strconv.FormatUint(n.Add(1), 10) + `","star":1}`)
		return true
	}
	o.Expect = check.Expectation{Status: 204}
	e.Add(o)
	return o
}

// DeleteUser is DELETE of a user this run registered: 204. The ledger
// hears of the delete before it is sent: a user the run tried to delete
// is never "lost", whatever became of the request.
func DeleteUser(e *Env, deletable *Stack[uint64], weight, fallback int) *Op {
	idx := e.Next()
	o := &Op{Name: "delete-user", Route: spec.RouteDeleteUser, Weight: weight, Fallback: fallback}
	o.Build = func(t *vegeta.Target) bool {
		c, ok := deletable.Pop()
		if !ok {
			return false
		}
		e.Ledger.NoteIndex(c, ledger.Deleting)
		t.Method, t.URL, t.Header = http.MethodDelete, e.URL("/v1/users/"+e.Namer.User(c)), e.Tagged(idx, c)
		return true
	}
	o.Expect = check.Expectation{Status: 204}
	o.After = func(x *check.Exchange, v check.Verdict) {
		switch {
		case x.Status == 204:
			e.Ledger.NoteIndex(x.Tag, ledger.Deleted)
		case v.Expected:
			deletable.Push(x.Tag) // shed: still there, try again later
		}
	}
	e.Add(o)
	return o
}

// GetMissing is GET of a user that does not exist: 403 899002 expected.
func GetMissing(e *Env, weight int) *Op {
	idx := e.Next()
	var missing atomic.Uint64
	o := &Op{Name: "get-missing", Route: spec.RouteGetUser, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		t.Method, t.URL, t.Header = http.MethodGet, e.URL("/v1/users/"+e.Namer.Missing(missing.Add(1))), e.Header(idx)
		return true
	}
	o.Expect = check.Expectation{Errors: []check.Answer{{Status: 403, Code: spec.CodeNoSuchUser}}}
	e.Add(o)
	return o
}

// UserGroups is GET of a pool user's groups: ascending gids.
func UserGroups(e *Env, pool Pool, weight int) *Op {
	idx := e.Next()
	o := &Op{Name: "user-groups", Route: spec.RouteUserGroups, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		t.Method, t.URL, t.Header = http.MethodGet, e.URL("/v1/users/"+pool.Pick()+"/groups/"), e.Header(idx)
		return true
	}
	o.Expect = check.Expectation{Status: 200, Body: checkGidArray}
	e.Add(o)
	return o
}

func checkGidArray(x *check.Exchange) (string, bool) {
	arr := gjson.Parse(bstr(x.Body))
	if !arr.IsArray() {
		return "gids: not an array", false
	}
	fail := ""
	last := int64(0)
	arr.ForEach(func(_, v gjson.Result) bool {
		if !spec.IsPositiveInteger(v) {
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
