package model

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// profileKeys are the keys a PUT may set (§3), in the order a GET is
// checked.
var profileKeys = []string{"nickname", "avatar", "star", "birthday", "gender", "signature", "region", "address"}

// lookupAlts are the answers for a username that is only looked up (a path,
// an owner, a member): a malformed one may be 899003 or the not-found code
// (§7a); an unknown one is notFound; found gives the alternatives for the
// user found. A name that equals a user but for case, while the choice is
// open, forks (see forkFold).
func (s *State) lookupAlts(name string, notFound spec.Code, found func(u *User) []alt) []alt {
	if !ValidUsername(name) {
		return failEither(spec.CodeInvalid, notFound)
	}
	if s.fold == FoldUnknown && s.variantIn(name) {
		return s.forkFold(func(t *State) []alt { return t.lookupAlts(name, notFound, found) })
	}
	if u, _ := s.lookup(name); u != nil {
		return found(u)
	}
	return fail(notFound)
}

// variantIn reports whether one of names matches no user exactly but one
// user but for case: its answer tells the case choice.
func (s *State) variantIn(names ...string) bool {
	for _, n := range names {
		if exact, variant := s.lookup(n); exact == nil && variant != nil {
			return true
		}
	}
	return false
}

// forkFold judges a request under both case choices: each alternative
// teaches the choice it belongs to, unless both choices allow its outcome
// (then the answer tells nothing, and the case-sensitive reading stands).
func (s *State) forkFold(f func(t *State) []alt) []alt {
	in, sens := s.clone(), s.clone()
	in.fold, sens.fold = FoldInsensitive, FoldSensitive
	a, b := f(in), f(sens)
	both := func(o alt, list []alt) bool {
		return slices.ContainsFunc(list, func(x alt) bool { return x.out == o.out && x.anyClientError == o.anyClientError })
	}
	var out []alt
	for _, x := range a {
		if !both(x, b) {
			out = append(out, learnAll([]alt{x}, FoldInsensitive)...)
		}
	}
	for _, x := range b {
		if both(x, a) {
			out = append(out, x)
		} else {
			out = append(out, learnAll([]alt{x}, FoldSensitive)...)
		}
	}
	return out
}

// getUser is GET /v1/users/:username (§3).
func (s *State) getUser(name string) []alt {
	return s.lookupAlts(name, spec.CodeNoSuchUser, func(u *User) []alt {
		return []alt{{out: Outcome{Status: http.StatusOK}, apply: func(n *State, doc gjson.Result) *Divergence {
			return n.checkProfile(u, doc)
		}}}
	})
}

// checkProfile checks a GET of user u and remembers its times.
func (s *State) checkProfile(u *User, doc gjson.Result) *Divergence {
	if got := doc.Get("username"); got.Str != u.Name && !(s.fold == FoldInsensitive && strings.EqualFold(got.Str, u.Name)) {
		return diverge("3", Check{Kind: CheckValue, Path: "username", Want: jsonString(u.Name)}, "username "+jsonString(u.Name), got.Raw)
	}
	for _, k := range profileKeys {
		got := doc.Get(k)
		want, set := u.Fields[k]
		switch {
		case !set && got.Exists():
			return diverge("3", Check{Kind: CheckAbsent, Path: k}, k+" absent (never set)", k+" "+got.Raw)
		case set && !got.Exists():
			return diverge("3", Check{Kind: CheckValue, Path: k, Want: want}, k+" "+want, k+" absent")
		case set && k == "birthday" && len(gjson.Parse(want).Str) == 10:
			if !strings.HasPrefix(got.Str, gjson.Parse(want).Str+" ") {
				return diverge("3", Check{Kind: CheckPresent, Path: k, Want: "a time on " + gjson.Parse(want).Str}, "birthday on "+gjson.Parse(want).Str, got.Raw)
			}
		case set && !sameJSON(got, want):
			return diverge("3", Check{Kind: CheckValue, Path: k, Want: want}, k+" "+want, k+" "+got.Raw)
		}
	}
	return s.checkTimes(u, doc)
}

// checkTimes holds ctime to its first value and mtime to ≥ ctime and
// never going back (§3, §7).
func (s *State) checkTimes(u *User, doc gjson.Result) *Divergence {
	ct, mt := doc.Get("ctime").Str, doc.Get("mtime").Str
	switch {
	case u.CTime != "" && ct != u.CTime:
		return diverge("3", Check{Kind: CheckTime, Path: "ctime", Want: "the ctime first answered, " + u.CTime}, "ctime "+u.CTime+" as before", "ctime "+ct)
	case mt < ct:
		return diverge("7", Check{Kind: CheckTime, Path: "mtime", Want: "not before ctime"}, "mtime ≥ ctime "+ct, "mtime "+mt)
	case u.MTime != "" && mt < u.MTime:
		return diverge("3", Check{Kind: CheckTime, Path: "mtime", Want: "not before the mtime answered before, " + u.MTime}, "mtime ≥ "+u.MTime, "mtime "+mt)
	}
	if u.CTime != ct || u.MTime != mt {
		c := *u
		c.CTime, c.MTime = ct, mt
		s.putUser(&c)
	}
	return nil
}

// register is POST /v1/users/ (§3).
func (s *State) register(body []byte) []alt {
	doc, ok := parseBody(body)
	if !ok || !doc.IsArray() {
		return fail(spec.CodeInvalid)
	}
	items := doc.Array()
	switch {
	case len(items) == 0:
		return fail(spec.CodeInvalid)
	case len(items) > MaxBatch:
		return fail(spec.CodeBatchTooLarge)
	}
	return []alt{{out: Outcome{Status: http.StatusCreated}, apply: func(n *State, res gjson.Result) *Divergence {
		return n.registerItems(items, res)
	}, next: func(n *State) { n.registerUnanswered(items) }}}
}

// registerUnanswered registers the items of a batch that got no answer and
// that certainly succeed if it took effect (one whose fate hangs on the
// case choice is left out).
func (s *State) registerUnanswered(items []gjson.Result) {
	var used []string
	for _, it := range items {
		if s.itemCode(it, used) == 0 {
			s.addUser(it.Get("username").Str)
		}
		if name := it.Get("username"); name.Type == gjson.String {
			used = append(used, name.Str)
		}
	}
}

// registerItems judges the 201 of a batch item by item and registers the
// items that succeeded.
func (s *State) registerItems(items []gjson.Result, res gjson.Result) *Divergence {
	results := res.Array()
	if !res.IsArray() || len(results) != len(items) {
		return diverge("3", Check{Kind: CheckValue, Path: "#", Want: strconv.Itoa(len(items))}, fmt.Sprintf("%d results, one per item", len(items)), fmt.Sprintf("%d", len(results)))
	}
	var used []string // names of the batch so far, succeeded or not
	for i, it := range items {
		path := strconv.Itoa(i)
		name := it.Get("username")
		if d := checkEcho(path, name, results[i].Get("username")); d != nil {
			return d
		}
		want := s.itemCode(it, used)
		got := spec.Code(results[i].Get("error.code").Int())
		if name.Type == gjson.String {
			used = append(used, name.Str)
		}
		if want == codeFoldOpen {
			// A name that equals another but for case: the answer tells.
			want = 0
			if got == spec.CodeUserExists {
				want = got
				s.fold = FoldInsensitive
			} else {
				s.fold = FoldSensitive
			}
		}
		if got != want || (want == 0 && results[i].Get("error").Exists()) {
			wantText := "success"
			if want != 0 {
				wantText = want.String()
			}
			return diverge("3", Check{Kind: CheckValue, Path: path + ".error.code", Want: codeJSON(want)}, "item "+path+": "+wantText, "item "+path+": "+results[i].Get("error").Raw)
		}
		if want == 0 {
			s.addUser(name.Str)
		}
	}
	return nil
}

// codeFoldOpen marks an item whose fate depends on the case choice.
const codeFoldOpen spec.Code = -1

// itemCode is the code of one batch item (§3's order), 0 for a success.
func (s *State) itemCode(it gjson.Result, used []string) spec.Code {
	name, pass := it.Get("username"), it.Get("password")
	switch {
	case !it.IsObject() || name.Type != gjson.String || !ValidUsername(name.Str):
		return spec.CodeInvalid
	case pass.Type != gjson.String || len(pass.Str) < MinPassword || len(pass.Str) > MaxPassword:
		return spec.CodeBadPassword
	}
	exact, variant := s.lookup(name.Str)
	if exact != nil {
		return spec.CodeUserExists
	}
	open := variant != nil
	for _, u := range used {
		switch {
		case u == name.Str || (s.fold == FoldInsensitive && strings.EqualFold(u, name.Str)):
			return spec.CodeUserExists
		case s.fold == FoldUnknown && strings.EqualFold(u, name.Str):
			open = true
		}
	}
	if open {
		return codeFoldOpen
	}
	return 0
}

// checkEcho checks the username of a batch result: the item's username
// when it was a string, else left out or null.
func checkEcho(path string, sent, got gjson.Result) *Divergence {
	if sent.Type == gjson.String {
		if got.Type != gjson.String || got.Str != sent.Str {
			return diverge("3", Check{Kind: CheckValue, Path: path + ".username", Want: jsonString(sent.Str)}, "item "+path+" username "+jsonString(sent.Str), got.Raw)
		}
		return nil
	}
	if got.Exists() && got.Type != gjson.Null {
		return diverge("3", Check{Kind: CheckAbsent, Path: path + ".username"}, "item "+path+" username left out or null (it was not a string)", got.Raw)
	}
	return nil
}

func codeJSON(c spec.Code) string {
	if c == 0 {
		return "null"
	}
	return strconv.Itoa(int(c))
}

// putUser is PUT /v1/users/:username (§3). The body's rules come before
// the user's existence (§7a).
func (s *State) putUserAlts(name string, body []byte) []alt {
	patch, how := parsePatch(body)
	if how == invalid {
		return fail(spec.CodeInvalid)
	}
	alts := s.lookupAlts(name, spec.CodeNoSuchUser, func(u *User) []alt {
		apply := func(n *State) {
			c := *u
			c.Fields = make(map[string]string, len(u.Fields)+len(patch))
			for k, v := range u.Fields {
				c.Fields[k] = v
			}
			for k, v := range patch {
				c.Fields[k] = v
			}
			n.putUser(&c)
		}
		return []alt{{out: Outcome{Status: http.StatusNoContent}, next: apply, apply: func(n *State, _ gjson.Result) *Divergence {
			apply(n)
			return nil
		}}}
	})
	if how == either {
		alts = append(alts, fail(spec.CodeInvalid)...)
	}
	return alts
}

// parsePatch reads a PUT body: the fields it sets, as a GET answers them.
// A null value is implementation-defined: as if the key were absent, or
// 899003; a body with nothing left to set is invalid.
func parsePatch(body []byte) (map[string]string, verdict) {
	doc, ok := parseBody(body)
	if !ok || !doc.IsObject() {
		return nil, invalid
	}
	patch := map[string]string{}
	how := valid
	doc.ForEach(func(k, v gjson.Result) bool {
		h, val := patchValue(k.Str, v)
		how.and(h)
		if h != invalid && v.Type != gjson.Null {
			patch[k.Str] = val
		}
		return how != invalid
	})
	if how != invalid && len(patch) == 0 {
		return nil, invalid
	}
	return patch, how
}

// patchValue judges one key of a PUT body and gives the value a GET must
// answer for it.
func patchValue(key string, v gjson.Result) (verdict, string) {
	switch key {
	case "nickname":
		return text(v, MaxNickname, true), jsonString(v.Str)
	case "avatar", "signature", "region", "address":
		return text(v, MaxText, false), jsonString(v.Str)
	case "star":
		n, how := intRange(v, 0, -1, true)
		if n == nil {
			return how, ""
		}
		return how, n.String()
	case "gender":
		n, how := intRange(v, 0, 2, true)
		if n == nil {
			return how, ""
		}
		return how, n.String()
	case "birthday":
		long, _, how := birthday(v)
		return how, jsonString(long)
	}
	return invalid, "" // read-only (username, password, ctime, mtime) or unknown
}

// deleteUser is DELETE /v1/users/:username (§3).
func (s *State) deleteUser(name string) []alt {
	return s.lookupAlts(name, spec.CodeNoSuchUser, func(u *User) []alt {
		if s.owns(u.Name) {
			return fail(spec.CodeOwnsGroup)
		}
		del := func(n *State) { n.removeUser(u.Name) }
		return []alt{{out: Outcome{Status: http.StatusNoContent}, next: del, apply: func(n *State, _ gjson.Result) *Divergence {
			del(n)
			return nil
		}}}
	})
}

// userGroups is GET /v1/users/:username/groups/ (§3).
func (s *State) userGroups(name string) []alt {
	return s.lookupAlts(name, spec.CodeNoSuchUser, func(u *User) []alt {
		return []alt{{out: Outcome{Status: http.StatusOK}, apply: func(n *State, doc gjson.Result) *Divergence {
			want := n.groupsOf(u.Name)
			var got []int64
			for _, g := range doc.Array() {
				got = append(got, g.Int())
			}
			if !slices.Equal(got, want) {
				return diverge("3", Check{Kind: CheckValue, Path: "", Want: gidsJSON(want)}, "the gids "+gidsJSON(want), doc.Raw)
			}
			return nil
		}}}
	})
}

func gidsJSON(gids []int64) string {
	parts := make([]string, len(gids))
	for i, g := range gids {
		parts[i] = strconv.FormatInt(g, 10)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// parseBody reads a request body as one JSON value. A body that is not
// JSON is 899003 everywhere (§1).
func parseBody(b []byte) (gjson.Result, bool) {
	if len(b) == 0 || spec.CheckJSON(b) != nil {
		return gjson.Result{}, false
	}
	return gjson.ParseBytes(b), true
}

// learnAll marks alternatives as teaching the case choice f.
func learnAll(alts []alt, f Fold) []alt {
	for i := range alts {
		prev := alts[i].learn
		alts[i].learn = func(n *State) {
			if prev != nil {
				prev(n)
			}
			n.fold = f
		}
	}
	return alts
}
