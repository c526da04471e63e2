package op

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/tidwall/gjson"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/load/check"
	"jmcheck/spec"
)

// NextPage chooses the page a list request asks for: start and count, and
// a tag for a page of a sequential sweep (tagged).
type NextPage func() (start, count int, tag uint64, tagged bool)

// PageJudge judges a list beyond one answer: which items are ours, and
// what their positions across pages say (order, tiling).
type PageJudge interface {
	Item(v gjson.Result) int // the index of one of ours, -1 for any other
	Page(tag uint64, start, total int, ours []int) string
}

// RandomPages asks for a page at a random start in [0, total) and a random
// count in 1..500: the mix's list requests.
func RandomPages(total *atomic.Int64) NextPage {
	return func() (int, int, uint64, bool) {
		return rand.IntN(max(int(total.Load()), 1)), 1 + rand.IntN(500), 0, false
	}
}

// List is GET of a page of the user list (field "users") or the group
// list ("groups"): shape and count checked on every page, order and tiling
// by judge when there is one.
func List(e *Env, name string, route spec.Route, weight int, next NextPage, judge PageJudge) *Op {
	idx := e.Next()
	path, field := "/v1/users/", "users"
	if route == spec.RouteListGroups {
		path, field = "/v1/groups/", "groups"
	}
	o := &Op{Name: name, Route: route, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		start, count, tag, tagged := next()
		t.Method, t.URL = http.MethodGet, e.URL(path+"?start="+strconv.Itoa(start)+"&count="+strconv.Itoa(count))
		t.Header = e.Header(idx)
		if tagged {
			t.Header = e.Tagged(idx, tag)
		}
		return true
	}
	o.Expect = check.Expectation{Status: 200, Body: func(x *check.Exchange) (string, bool) { return checkPage(x, field, judge) }}
	e.Add(o)
	return o
}

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

// checkPage checks a list page (spec/PROFILE.md §3, §4): total, start and
// count are integers, start echoes the request, count is the number of
// items, at most the count asked for and exactly what is left from start;
// users are strings, groups ascending positive gids. A judge also follows
// its items across pages.
func checkPage(x *check.Exchange, field string, judge PageJudge) (string, bool) {
	wantStart, wantCount := listQuery(x.Query)
	res := gjson.GetMany(bstr(x.Body), "total", "start", "count", field)
	total, start, count, items := res[0], res[1], res[2], res[3]
	switch {
	case !spec.IsIntegerValue(total) || total.Int() < 0:
		return "page: total " + total.Raw + " is not an integer ≥ 0", false
	case !spec.IsIntegerValue(start) || int(start.Int()) != wantStart:
		return "page: start " + start.Raw + ", want " + strconv.Itoa(wantStart), false
	case !spec.IsIntegerValue(count):
		return "page: count " + count.Raw + " is not an integer", false
	case !items.IsArray():
		return "page: " + field + " is not an array", false
	}
	var (
		ours []int
		fail string
		n    int
		last int64
	)
	if judge != nil {
		ours = make([]int, 0, 64)
	}
	items.ForEach(func(_, v gjson.Result) bool {
		n++
		if field == "users" {
			if v.Type != gjson.String && fail == "" {
				fail = "page: user " + v.Raw + " is not a string"
			}
		} else {
			if !spec.IsPositiveInteger(v) {
				if fail == "" {
					fail = "page: gid " + v.Raw + " is not a positive integer"
				}
			} else {
				if v.Int() <= last && fail == "" {
					fail = "page: gids not ascending at " + v.Raw
				}
				last = v.Int()
			}
		}
		if judge != nil {
			ours = append(ours, judge.Item(v))
		}
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
	if judge != nil {
		if d := judge.Page(x.Tag, wantStart, t, ours); d != "" {
			return d, false
		}
	}
	return "", true
}
