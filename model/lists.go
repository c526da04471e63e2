package model

import (
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// pageQuery reads start and count (§3): both required decimal integers,
// start ≥ 0, count 1..500. A start beyond 64 bits is implementation-defined
// (899003, or an empty page); a parameter given twice is anything but a 5xx
// (§7a).
func pageQuery(query string) (start, count int64, how verdict, repeated bool) {
	q, err := url.ParseQuery(query)
	if err != nil {
		return 0, 0, invalid, false
	}
	if len(q["start"]) > 1 || len(q["count"]) > 1 {
		return 0, 0, valid, true
	}
	st, sf := decimal(q.Get("start"))
	c, cf := decimal(q.Get("count"))
	switch {
	case sf == invalid || cf == invalid:
		return 0, 0, invalid, false
	case cf == either || c < 1 || c > MaxPage:
		return 0, 0, invalid, false
	case sf == either:
		return -1, c, either, false // past any list
	}
	return st, c, valid, false
}

// decimal reads digits only; beyond 64 bits is "either".
func decimal(s string) (int64, verdict) {
	if s == "" {
		return 0, invalid
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, invalid
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if _, ok := new(big.Int).SetString(s, 10); ok {
			return 0, either
		}
		return 0, invalid
	}
	return n, valid
}

// listUsers is GET /v1/users/?start=S&count=C (§3): the app's users in
// registration order, the run's after the others (they registered before
// the run: the model needs an app no one else writes to while it runs).
func (s *State) listUsers(query string) []alt {
	return s.listAlts(query, func(n *State, doc gjson.Result, start, count int64) *Divergence {
		return n.checkUserPage(doc, start, count)
	})
}

// listGroups is GET /v1/groups/?start=S&count=C (§4): gids ascending.
func (s *State) listGroups(query string) []alt {
	return s.listAlts(query, func(n *State, doc gjson.Result, start, count int64) *Divergence {
		return n.checkGroupPage(doc, start, count)
	})
}

// listAlts are the answers of a list request; check judges a 200.
func (s *State) listAlts(query string, check func(n *State, doc gjson.Result, start, count int64) *Divergence) []alt {
	start, count, how, repeated := pageQuery(query)
	switch {
	case repeated:
		return someoneElses()
	case how == invalid:
		return fail(spec.CodeInvalid)
	}
	ok := alt{out: Outcome{Status: http.StatusOK}, apply: func(n *State, doc gjson.Result) *Divergence {
		if start < 0 {
			if doc.Get("count").Int() != 0 || len(pageItems(doc)) != 0 {
				return diverge("3", Check{Kind: CheckValue, Path: "count", Want: "0"}, "an empty page: start is past the end", doc.Get("count").Raw)
			}
			return nil
		}
		return check(n, doc, start, count)
	}}
	alts := []alt{ok}
	if how == either {
		alts = append(alts, fail(spec.CodeInvalid)...)
	}
	return alts
}

// pageItems are the entries of a list answer, users or groups.
func pageItems(doc gjson.Result) []gjson.Result {
	if u := doc.Get("users"); u.Exists() {
		return u.Array()
	}
	return doc.Get("groups").Array()
}

// checkPage checks total, start and count of a page against a list of
// size total (§3): start echoed, count the number of entries, and as many
// entries as the list has from start on, up to count.
func checkPage(doc gjson.Result, total, start, count int64) *Divergence {
	items := pageItems(doc)
	want := min(count, max(0, total-start))
	switch {
	case doc.Get("total").Int() != total:
		return diverge("3", Check{Kind: CheckValue, Path: "total", Want: strconv.FormatInt(total, 10)}, fmt.Sprintf("total %d", total), doc.Get("total").Raw)
	case doc.Get("start").Int() != start:
		return diverge("3", Check{Kind: CheckValue, Path: "start", Want: strconv.FormatInt(start, 10)}, fmt.Sprintf("start %d echoed", start), doc.Get("start").Raw)
	case int64(len(items)) != want:
		return diverge("3", Check{Kind: CheckValue, Path: "count", Want: strconv.FormatInt(want, 10)}, fmt.Sprintf("%d entries (total %d from start %d, count %d)", want, total, start, count), fmt.Sprint(len(items)))
	case doc.Get("count").Int() != int64(len(items)):
		return diverge("3", Check{Kind: CheckValue, Path: "count", Want: strconv.Itoa(len(items))}, "count = the number of entries", doc.Get("count").Raw)
	}
	return nil
}

// learnOthers learns how many entries of a list are not the run's from the
// first total answered; a later total must fit it.
func learnOthers(others *int64, total int64, ours int) *Divergence {
	if *others >= 0 {
		return nil
	}
	if total < int64(ours) {
		return diverge("3", Check{Kind: CheckGreater, Path: "total", Want: strconv.Itoa(ours - 1)}, fmt.Sprintf("total ≥ %d (the run's own entries)", ours), strconv.FormatInt(total, 10))
	}
	*others = total - int64(ours)
	return nil
}

// checkUserPage checks a page of the user list: the others first (none of
// them a name of the run's), then the run's users in registration order.
func (s *State) checkUserPage(doc gjson.Result, start, count int64) *Divergence {
	if d := learnOthers(&s.otherUsers, doc.Get("total").Int(), len(s.order)); d != nil {
		return d
	}
	if d := checkPage(doc, s.otherUsers+int64(len(s.order)), start, count); d != nil {
		return d
	}
	for i, v := range doc.Get("users").Array() {
		pos := start + int64(i)
		path := "users." + strconv.Itoa(i)
		if pos < s.otherUsers {
			if _, mine := s.users[v.Str]; mine || (s.cfg.Ours != nil && s.cfg.Ours(v.Str)) {
				return diverge("3", Check{Kind: CheckAbsent, Path: path}, fmt.Sprintf("at %d a user the run did not register", pos), jsonString(v.Str)+", the run's")
			}
			continue
		}
		want := s.order[pos-s.otherUsers]
		if !sameName(v.Str, want, s.fold) {
			return diverge("3", Check{Kind: CheckValue, Path: path, Want: jsonString(want)}, fmt.Sprintf("at %d %s (registration order)", pos, want), jsonString(v.Str))
		}
	}
	return nil
}

// checkGroupPage checks a page of the group list. With no others the page
// is exactly the run's live gids, ascending; with others it is ascending
// and holds none of the run's deleted gids.
func (s *State) checkGroupPage(doc gjson.Result, start, count int64) *Divergence {
	ours := s.Groups()
	if d := learnOthers(&s.otherGroups, doc.Get("total").Int(), len(ours)); d != nil {
		return d
	}
	if d := checkPage(doc, s.otherGroups+int64(len(ours)), start, count); d != nil {
		return d
	}
	items := doc.Get("groups").Array()
	for i, v := range items {
		path := "groups." + strconv.Itoa(i)
		switch {
		case i > 0 && v.Int() <= items[i-1].Int():
			return diverge("4", Check{Kind: CheckGreater, Path: path, Want: items[i-1].Raw}, "gids ascending", items[i-1].Raw+" then "+v.Raw)
		case s.gone[v.Int()]:
			return diverge("4", Check{Kind: CheckAbsent, Path: path}, "no deleted group", v.Raw+", deleted")
		case s.otherGroups == 0 && v.Int() != ours[start+int64(i)]:
			return diverge("4", Check{Kind: CheckValue, Path: path, Want: strconv.FormatInt(ours[start+int64(i)], 10)}, "the live gids ascending "+gidsJSON(ours), v.Raw)
		}
	}
	return nil
}
