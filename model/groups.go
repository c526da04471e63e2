package model

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// gidAlts are the answers for a gid in a path (§4): malformed is 899003,
// over 64 bits 899003 or 899006, a gid that names none of the run's live
// groups 899006 (a gid the run never saw may be someone else's group:
// anything but a 5xx), and found gives those for a live group.
func (s *State) gidAlts(raw string, found func(gid int64, g *Group) []alt) []alt {
	gid, form := parseGID(raw)
	switch form {
	case gidMalformed:
		return fail(spec.CodeInvalid)
	case gidHuge:
		return failEither(spec.CodeInvalid, spec.CodeNoSuchGroup)
	}
	var alts []alt
	if g, ok := s.groups[gid]; ok {
		alts = found(gid, g)
	} else if s.gone[gid] {
		alts = fail(spec.CodeNoSuchGroup)
	} else {
		alts = append(fail(spec.CodeNoSuchGroup), someoneElses()...)
	}
	if form == gidLeadingZero {
		alts = append(alts, failEither(spec.CodeInvalid, spec.CodeNoSuchGroup)...)
	}
	return alts
}

// someoneElses allows any success or well-formed client error, changing
// nothing the model knows: a gid the run never made.
func someoneElses() []alt {
	var alts []alt
	for _, st := range []int{http.StatusOK, http.StatusNoContent} {
		alts = append(alts, alt{out: Outcome{Status: st}})
	}
	return append(alts, alt{anyClientError: true})
}

// getGroup is GET /v1/groups/:gid (§4).
func (s *State) getGroup(raw string) []alt {
	return s.gidAlts(raw, func(gid int64, g *Group) []alt {
		return []alt{{out: Outcome{Status: http.StatusOK}, apply: func(n *State, doc gjson.Result) *Divergence {
			return n.checkGroup(gid, g, doc, false)
		}}}
	})
}

// checkGroup checks a group body: the GET (§4), or the 201 of a create,
// which echoes the names as sent.
func (s *State) checkGroup(gid int64, g *Group, doc gjson.Result, created bool) *Divergence {
	if got := doc.Get("gid"); got.Int() != gid {
		return diverge("4", Check{Kind: CheckValue, Path: "gid", Want: strconv.FormatInt(gid, 10)}, "gid "+strconv.FormatInt(gid, 10), got.Raw)
	}
	if got := doc.Get("owner_username"); !sameName(got.Str, g.Owner, s.fold) && !created {
		return diverge("4", Check{Kind: CheckValue, Path: "owner_username", Want: jsonString(g.Owner)}, "owner "+jsonString(g.Owner), got.Raw)
	}
	if got := doc.Get("group_name"); got.Str != g.Name {
		return diverge("4", Check{Kind: CheckValue, Path: "group_name", Want: jsonString(g.Name)}, "group_name "+jsonString(g.Name)+" as sent", got.Raw)
	}
	if got := doc.Get("group_desc"); got.Str != g.Desc || got.Type != gjson.String {
		return diverge("4", Check{Kind: CheckValue, Path: "group_desc", Want: jsonString(g.Desc)}, "group_desc "+jsonString(g.Desc), got.Raw)
	}
	if created {
		return nil // the members were checked against the request
	}
	got := doc.Get("members_username").Array()
	ok := len(got) == len(g.Members)
	for i := 0; ok && i < len(got); i++ {
		ok = sameName(got[i].Str, g.Members[i], s.fold)
	}
	if !ok {
		return diverge("4", Check{Kind: CheckValue, Path: "members_username", Want: namesJSON(g.Members)}, "the members in join order "+namesJSON(g.Members), doc.Get("members_username").Raw)
	}
	return nil
}

func namesJSON(names []string) string {
	b := []byte{'['}
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, n)
	}
	return string(append(b, ']'))
}

// deleteGroup is DELETE /v1/groups/:gid (§4).
func (s *State) deleteGroup(raw string) []alt {
	return s.gidAlts(raw, func(gid int64, _ *Group) []alt {
		del := func(n *State) { n.removeGroup(gid) }
		return []alt{{out: Outcome{Status: http.StatusNoContent}, next: del, apply: func(n *State, _ gjson.Result) *Divergence {
			del(n)
			return nil
		}}}
	})
}

// groupBody is a create request as the model reads it.
type groupBody struct {
	owner, name, desc string
	members           []string
}

// parseGroupBody applies the field rules of a create (§4).
func parseGroupBody(body []byte) (groupBody, verdict) {
	doc, ok := parseBody(body)
	if !ok || !doc.IsObject() {
		return groupBody{}, invalid
	}
	var b groupBody
	how := valid
	owner, name := doc.Get("owner_username"), doc.Get("group_name")
	if owner.Type != gjson.String || name.Type != gjson.String || len(name.Str) < 1 {
		return b, invalid
	}
	how.and(text(name, MaxGroupName, true))
	b.owner, b.name = owner.Str, name.Str
	if d := doc.Get("group_desc"); d.Exists() {
		how.and(text(d, MaxText, false))
		b.desc = d.Str
	}
	if m := doc.Get("members_username"); m.Exists() && m.Type != gjson.Null {
		var h verdict
		b.members, h = nameList(m)
		how.and(h)
	} else if m.Type == gjson.Null && m.Exists() {
		how.and(either)
	}
	if slices.Contains(b.members, b.owner) || hasRepeat(b.members) {
		how = invalid
	}
	return b, how
}

// nameList reads a list of usernames: an array of strings.
func nameList(v gjson.Result) ([]string, verdict) {
	if !v.IsArray() {
		return nil, invalid
	}
	var names []string
	for _, n := range v.Array() {
		if n.Type != gjson.String {
			return nil, invalid
		}
		names = append(names, n.Str)
	}
	return names, valid
}

func hasRepeat(names []string) bool {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return true
		}
		seen[n] = true
	}
	return false
}

// createGroup is POST /v1/groups/ (§4): field rules, then the owner and the
// members (899002; a malformed name may be 899003), then the limit.
func (s *State) createGroup(body []byte) []alt {
	b, how := parseGroupBody(body)
	if how == invalid {
		return fail(spec.CodeInvalid)
	}
	var alts []alt
	if how == either {
		alts = fail(spec.CodeInvalid)
	}
	names := append([]string{b.owner}, b.members...)
	if s.fold == FoldUnknown && s.variantIn(names...) {
		return append(alts, s.forkFold(func(t *State) []alt { return t.createGroup(body) })...)
	}
	found, unknown, malformed := s.resolve(names)
	switch {
	case malformed:
		return append(alts, failEither(spec.CodeInvalid, spec.CodeNoSuchUser)...)
	case unknown:
		return append(alts, fail(spec.CodeNoSuchUser)...)
	case len(names) > s.cfg.Limit:
		return append(alts, fail(spec.CodeGroupFull)...)
	}
	return append(alts, alt{out: Outcome{Status: http.StatusCreated}, apply: func(n *State, doc gjson.Result) *Divergence {
		return n.created(b, found, doc)
	}})
}

// resolve looks up names (lookups of §7a): the users found in order, and
// whether one is unknown or malformed. The callers fork first on a name
// that equals a user but for case while the choice is open.
func (s *State) resolve(names []string) (found []string, unknown, malformed bool) {
	for _, n := range names {
		if !ValidUsername(n) {
			malformed = true
			continue
		}
		u, _ := s.lookup(n)
		if u == nil {
			unknown = true
			continue
		}
		found = append(found, u.Name)
	}
	return found, unknown, malformed
}

// created checks the 201 of a create and records the group: the gid is
// new to the app (§4: never given out again), the fields echo the request.
func (s *State) created(b groupBody, found []string, doc gjson.Result) *Divergence {
	gidv := doc.Get("gid")
	gid := gidv.Int()
	switch {
	case !spec.IsPositiveInteger(gidv):
		return diverge("4", Check{Kind: CheckPresent, Path: "gid", Want: "a positive integer"}, "a positive gid", gidv.Raw)
	case s.groups[gid] != nil || s.gone[gid]:
		return diverge("4", Check{Kind: CheckDistinct, Path: "gid"}, "a gid no other group of the app has had", gidv.Raw+" (given out before)")
	}
	g := &Group{GID: gid, Owner: found[0], Name: b.name, Desc: b.desc, Members: found[1:]}
	if d := s.checkGroup(gid, g, doc, true); d != nil {
		return d
	}
	if got := doc.Get("owner_username"); got.Str != b.owner {
		return diverge("4", Check{Kind: CheckValue, Path: "owner_username", Want: jsonString(b.owner)}, "owner_username as sent", got.Raw)
	}
	sent := b.members
	if sent == nil {
		sent = []string{}
	}
	if got := doc.Get("members_username"); !got.IsArray() || !slices.Equal(stringsOf(got), sent) {
		return diverge("4", Check{Kind: CheckValue, Path: "members_username", Want: namesJSON(sent)}, "members_username as sent "+namesJSON(sent), got.Raw)
	}
	g.Members = slices.Clone(g.Members)
	s.putGroup(gid, g)
	return nil
}

func stringsOf(v gjson.Result) []string {
	out := []string{}
	for _, x := range v.Array() {
		out = append(out, x.Str)
	}
	return out
}

// members is POST /v1/groups/:gid/members (§4).
func (s *State) members(raw string, body []byte) []alt {
	add, remove, how := parseMembersBody(body)
	if how == invalid {
		return fail(spec.CodeInvalid)
	}
	alts := s.gidAlts(raw, func(gid int64, g *Group) []alt {
		return s.editMembers(gid, g, add, remove)
	})
	// A name that is not a username may be answered 899003 wherever it
	// is (§7a), before the gid is looked up or after.
	if how == either || slices.ContainsFunc(append(slices.Clone(add), remove...), func(n string) bool { return !ValidUsername(n) }) {
		alts = append(alts, fail(spec.CodeInvalid)...)
	}
	return alts
}

// parseMembersBody applies the rules of the body alone: lists of strings,
// at least one not empty, no name twice in one list or in both.
func parseMembersBody(body []byte) (add, remove []string, how verdict) {
	doc, ok := parseBody(body)
	if !ok || !doc.IsObject() {
		return nil, nil, invalid
	}
	how = valid
	for _, k := range []string{"add", "remove"} {
		v := doc.Get(k)
		switch {
		case !v.Exists():
			continue
		case v.Type == gjson.Null:
			how.and(either)
			continue
		}
		names, h := nameList(v)
		how.and(h)
		if k == "add" {
			add = names
		} else {
			remove = names
		}
	}
	if len(add) == 0 && len(remove) == 0 || hasRepeat(add) || hasRepeat(remove) {
		return nil, nil, invalid
	}
	for _, a := range add {
		if slices.Contains(remove, a) {
			return nil, nil, invalid
		}
	}
	return add, remove, how
}

// editMembers judges an edit of a live group. Removing a non-member is
// implementation-defined (§4): ignored, or refused with any well-formed
// 4xx and nothing changed; so when remove names one, a refusal is allowed
// whatever else the request would be answered.
func (s *State) editMembers(gid int64, g *Group, add, remove []string) []alt {
	if slices.ContainsFunc(remove, func(r string) bool { return sameName(r, g.Owner, s.fold) }) {
		return fail(spec.CodeInvalid)
	}
	if s.fold == FoldUnknown && s.variantIn(append(slices.Clone(add), remove...)...) {
		return s.forkFold(func(t *State) []alt { return t.editMembers(gid, g, add, remove) })
	}
	after := slices.Clone(g.Members)
	strangers := false
	for _, r := range remove {
		if i := slices.IndexFunc(after, func(m string) bool { return sameName(m, r, s.fold) }); i >= 0 {
			after = slices.Delete(after, i, i+1)
		} else {
			strangers = true
		}
	}
	alts := s.applyEdit(gid, g, add, after)
	if strangers {
		alts = append(alts, alt{anyClientError: true})
	}
	return alts
}

// applyEdit judges the additions to a group whose members are after the
// removals.
func (s *State) applyEdit(gid int64, g *Group, add, after []string) []alt {
	found, unknown, malformed := s.resolve(add)
	switch {
	case malformed:
		return failEither(spec.CodeInvalid, spec.CodeNoSuchUser)
	case unknown:
		return fail(spec.CodeNoSuchUser)
	}
	for _, a := range found {
		if g.has(a, s.fold) {
			return fail(spec.CodeAlreadyMember)
		}
	}
	if 1+len(after)+len(found) > s.cfg.Limit {
		return fail(spec.CodeGroupFull)
	}
	after = append(after, found...)
	edit := func(n *State) {
		c := *g
		c.Members = after
		n.putGroup(gid, &c)
	}
	return []alt{{out: Outcome{Status: http.StatusNoContent}, next: edit, apply: func(n *State, _ gjson.Result) *Divergence {
		edit(n)
		return nil
	}}}
}

// listMembers is GET /v1/groups/:gid/members/ (§4): the owner with flag 1,
// then the members in join order with flag 0.
func (s *State) listMembers(raw string) []alt {
	return s.gidAlts(raw, func(gid int64, g *Group) []alt {
		return []alt{{out: Outcome{Status: http.StatusOK}, apply: func(n *State, doc gjson.Result) *Divergence {
			want := append([]string{g.Owner}, g.Members...)
			got := doc.Array()
			ok := len(got) == len(want)
			for i := 0; ok && i < len(got); i++ {
				flag := int64(0)
				if i == 0 {
					flag = 1
				}
				ok = sameName(got[i].Get("username").Str, want[i], n.fold) && got[i].Get("flag").Int() == flag
			}
			if !ok {
				return diverge("4", Check{Kind: CheckValue, Path: "#.username", Want: namesJSON(want)}, "the owner (flag 1), then the members in join order "+namesJSON(want), doc.Get("#.username").Raw+" flags "+doc.Get("#.flag").Raw)
			}
			return nil
		}}}
	})
}
