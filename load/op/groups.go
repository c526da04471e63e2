package op

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/tidwall/gjson"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/ledger"
	"jmcheck/load/check"
	"jmcheck/spec"
)

// GroupDesc is the group_desc of every group the load generator creates.
const GroupDesc = "jmcheck load"

// GroupBody writes a group create body.
func GroupBody(owner, name string, members []string) []byte {
	b := []byte(`{"owner_username":`)
	b = strconv.AppendQuote(b, owner)
	b = append(b, `,"group_name":`...)
	b = strconv.AppendQuote(b, name)
	b = append(b, `,"members_username":[`...)
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, m)
	}
	return append(b, `],"group_desc":"`+GroupDesc+`"}`...)
}

// CreateGroup is POST of a group owned by a pool user: 201 echoing the
// fields and a new gid, which goes to gids for DeleteGroup.
func CreateGroup(e *Env, pool Pool, gids *Stack[int64], weight int) *Op {
	idx := e.Next()
	o := &Op{Name: "create-group", Route: spec.RouteCreateGroup, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		owner := pool.Pick()
		e.Ledger.OwnerNamed(1, owner)
		t.Method, t.URL, t.Header = http.MethodPost, e.URL("/v1/groups/"), e.Header(idx)
		t.Body = GroupBody(owner, e.Namer.Group(e.Namer.NextGroup()), nil)
		return true
	}
	o.Expect = check.Expectation{Status: 201, Body: checkCreatedGroup}
	o.After = func(x *check.Exchange, v check.Verdict) {
		if x.Status != 201 || spec.CheckJSON(x.Body) != nil {
			return
		}
		if gid := gjson.GetBytes(x.Body, "gid"); spec.IsPositiveInteger(gid) {
			e.Ledger.NoteGroup(1, gid.Int(), ledger.Created)
			gids.Push(gid.Int())
		}
	}
	e.Add(o)
	return o
}

// checkCreatedGroup checks a group create's 201 against the request: the
// four fields echoed (members as given, a missing desc as "") and a gid.
func checkCreatedGroup(x *check.Exchange) (string, bool) {
	got := gjson.GetMany(bstr(x.Body), "gid", "owner_username", "group_name", "members_username", "group_desc")
	req := gjson.GetManyBytes(x.ReqBody, "owner_username", "group_name", "group_desc")
	switch {
	case !spec.IsPositiveInteger(got[0]):
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

// GetGroup is GET of a seeded group: its gid and owner.
func GetGroup(e *Env, slots Slots, weight int) *Op {
	idx := e.Next()
	o := &Op{Name: "get-group", Route: spec.RouteGetGroup, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		g, i := slots.pick()
		t.Method, t.URL, t.Header = http.MethodGet, e.URL("/v1/groups/"+strconv.FormatInt(g.GID, 10)), e.Tagged(idx, i)
		return true
	}
	o.Expect = check.Expectation{Status: 200, Body: func(x *check.Exchange) (string, bool) { return checkGroup(slots.byTag(x.Tag), x) }}
	e.Add(o)
	return o
}

func checkGroup(g *Slot, x *check.Exchange) (string, bool) {
	got := gjson.GetMany(bstr(x.Body), "gid", "owner_username", "group_name", "members_username", "group_desc")
	switch {
	case !spec.IsIntegerValue(got[0]) || got[0].Int() != g.GID:
		return "group: gid " + got[0].Raw + ", want " + strconv.FormatInt(g.GID, 10), false
	case got[1].Str != g.Owner:
		return "group: owner_username " + got[1].Raw + ", want " + strconv.Quote(g.Owner), false
	case got[2].Type != gjson.String:
		return "group: group_name is not a string", false
	case !got[3].IsArray():
		return "group: members_username is not an array", false
	case got[4].Type != gjson.String:
		return "group: group_desc is not a string", false
	}
	return "", true
}

// DeleteGroup is DELETE of a group this run created: 204.
func DeleteGroup(e *Env, gids *Stack[int64], weight, fallback int) *Op {
	idx := e.Next()
	o := &Op{Name: "delete-group", Route: spec.RouteDeleteGroup, Weight: weight, Fallback: fallback}
	o.Build = func(t *vegeta.Target) bool {
		gid, ok := gids.Pop()
		if !ok {
			return false
		}
		e.Ledger.NoteGroup(1, gid, ledger.Deleting)
		t.Method, t.URL, t.Header = http.MethodDelete, e.URL("/v1/groups/"+strconv.FormatInt(gid, 10)), e.Tagged(idx, uint64(gid))
		return true
	}
	o.Expect = check.Expectation{Status: 204}
	o.After = func(x *check.Exchange, v check.Verdict) {
		switch {
		case x.Status == 204:
			e.Ledger.NoteGroup(1, int64(x.Tag), ledger.Deleted)
		case v.Expected:
			gids.Push(int64(x.Tag))
		}
	}
	e.Add(o)
	return o
}

// Members adds or removes a seeded group's toggle user, toggling: 204.
func Members(e *Env, slots Slots, weight, fallback int) *Op {
	idx := e.Next()
	o := &Op{Name: "members", Route: spec.RouteEditMembers, Weight: weight, Fallback: fallback}
	o.Build = func(t *vegeta.Target) bool {
		for try := 0; try < 4; try++ {
			g, i := slots.pick()
			if g.broken.Load() || !g.busy.CompareAndSwap(false, true) {
				continue
			}
			verb := "add"
			if g.in.Load() {
				verb = "remove"
			}
			t.Method, t.URL = http.MethodPost, e.URL("/v1/groups/"+strconv.FormatInt(g.GID, 10)+"/members")
			t.Body = []byte(`{"` + verb + `":[` + strconv.Quote(g.Toggle) + `]}`)
			t.Header = e.Tagged(idx, i)
			return true
		}
		return false
	}
	o.Expect = check.Expectation{Status: 204}
	o.After = func(x *check.Exchange, v check.Verdict) {
		g := slots.byTag(x.Tag)
		switch {
		case x.Status == 204:
			g.in.Store(!g.in.Load())
		case v.Expected:
		default:
			g.broken.Store(true) // the membership is now unknown
		}
		g.busy.Store(false)
	}
	e.Add(o)
	return o
}

// ListMembers is GET of a seeded group's members: the owner first with
// flag 1.
func ListMembers(e *Env, slots Slots, weight int) *Op {
	idx := e.Next()
	o := &Op{Name: "list-members", Route: spec.RouteListMembers, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		g, i := slots.pick()
		t.Method, t.URL, t.Header = http.MethodGet, e.URL("/v1/groups/"+strconv.FormatInt(g.GID, 10)+"/members/"), e.Tagged(idx, i)
		return true
	}
	o.Expect = check.Expectation{Status: 200, Body: func(x *check.Exchange) (string, bool) { return checkMembers(slots.byTag(x.Tag), x) }}
	e.Add(o)
	return o
}

// checkMembers checks a member list: the owner first with flag 1, then
// members with flag 0, each with a ctime (spec/PROFILE.md §4).
func checkMembers(g *Slot, x *check.Exchange) (string, bool) {
	arr := gjson.Parse(bstr(x.Body))
	if !arr.IsArray() {
		return "members: not an array", false
	}
	fail, i := "", 0
	arr.ForEach(func(_, m gjson.Result) bool {
		f := gjson.GetMany(m.Raw, "username", "flag", "ctime")
		wantFlag := int64(0)
		if i == 0 {
			wantFlag = 1
			if f[0].Str != g.Owner {
				fail = "members: first is " + f[0].Raw + ", want the owner " + strconv.Quote(g.Owner)
				return false
			}
		}
		switch {
		case f[0].Type != gjson.String:
			fail = "members: username " + f[0].Raw + " is not a string"
		case !spec.IsIntegerValue(f[1]) || f[1].Int() != wantFlag:
			fail = fmt.Sprintf("members: %s has flag %s, want %d", f[0].Raw, f[1].Raw, wantFlag)
		case f[2].Type != gjson.String || !spec.IsTime(f[2].Str):
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
