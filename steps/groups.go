package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"jmcheck/client"
	"jmcheck/spec"
)

func (st *scenario) groupOwnedBy(ctx context.Context, alias, owner string) error {
	return st.createGroup(ctx, alias, owner, nil)
}

func (st *scenario) groupWithMembers(ctx context.Context, alias, owner, members string) error {
	return st.createGroup(ctx, alias, owner, aliases(members))
}

// deletedGroup is "a deleted group G owned by A": a gid that names no group.
func (st *scenario) deletedGroup(ctx context.Context, alias, owner string) error {
	if err := st.createGroup(ctx, alias, owner, nil); err != nil {
		return err
	}
	ex, err := st.probe(ctx, request{method: http.MethodDelete, path: groupPath(st.groups[alias].gid)})
	if err != nil {
		return fmt.Errorf("setup: deleting group %q: %w", alias, err)
	}
	if ex.Status != http.StatusNoContent {
		return st.failWith(ex, "setup: deleting group %q: want HTTP 204, got %d", alias, ex.Status)
	}
	return nil
}

func (st *scenario) createGroup(ctx context.Context, alias, owner string, members []string) error {
	if err := checkAlias(alias); err != nil {
		return err
	}
	if _, ok := st.groups[alias]; ok {
		return fmt.Errorf("group alias %q is already defined: pick another", alias)
	}
	ownerName, err := st.user(owner)
	if err != nil {
		return err
	}
	names := []string{}
	for _, m := range members {
		name, err := st.user(m)
		if err != nil {
			return err
		}
		names = append(names, name)
	}
	body, _ := json.Marshal(map[string]any{
		"owner_username":   ownerName,
		"group_name":       st.groupNameOf(alias),
		"members_username": names,
		"group_desc":       "made by jmcheck",
	})
	ex, err := st.probe(ctx, request{method: http.MethodPost, path: "/v1/groups/", body: body, hasBody: true})
	if err != nil {
		return fmt.Errorf("setup: creating group %q: %w", alias, err)
	}
	if ex.Status != http.StatusCreated {
		return st.failWith(ex, "setup: creating group %q: want HTTP 201, got %d", alias, ex.Status)
	}
	return st.nameGroup(ex, alias)
}

// nameGroup binds a group alias to the gid of a 201 answer.
func (st *scenario) nameGroup(ex *client.Exchange, alias string) error {
	if ex == nil || ex.Status != http.StatusCreated {
		return st.failf("no group was just created (want a 201 answer to POST /v1/groups/)")
	}
	gid := ex.Get("gid")
	if !spec.IsPositiveInteger(gid) {
		return st.failWith(ex, "the 201 answer has no positive integer gid")
	}
	// The owner is the one the request named: the answer is what is judged.
	owner := ""
	if spec.CheckJSON(ex.ReqBody) == nil {
		var req struct {
			Owner string `json:"owner_username"`
		}
		_ = json.Unmarshal(ex.ReqBody, &req)
		owner = req.Owner
	}
	st.groups[alias] = &group{gid: gid.Int(), owner: owner, app: 1}
	if !slices.Contains(st.ownGroups, gid.Int()) {
		st.ownGroups = append(st.ownGroups, gid.Int())
	}
	return nil
}

// createGroups creates n groups owned by owner, aliases P1..PN, one
// request each, as "a group "G" owned by "A"" does: a user in more groups
// than a page of an example holds.
func (st *scenario) createGroups(ctx context.Context, n int, prefix, owner string) error {
	if n < 1 || n > 1000 {
		return fmt.Errorf("%d groups: use 1..1000", n)
	}
	for i := 1; i <= n; i++ {
		if err := st.createGroup(ctx, prefix+strconv.Itoa(i), owner, nil); err != nil {
			return err
		}
	}
	return nil
}

func (st *scenario) callNewGroup(alias string) error {
	if err := checkAlias(alias); err != nil {
		return err
	}
	return st.nameGroup(st.last, alias)
}

func (st *scenario) createGroupWithCrowd(ctx context.Context, alias, owner, crowd, from, to string) error {
	ownerName, err := st.user(owner)
	if err != nil {
		return err
	}
	members, err := st.crowdRange(crowd, from, to)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{"owner_username": ownerName, "group_name": st.groupNameOf(alias), "members_username": append([]string{}, members...)})
	ex, err := st.do(ctx, request{method: http.MethodPost, path: "/v1/groups/", body: body, hasBody: true})
	if err != nil {
		return err
	}
	if ex.Status == http.StatusCreated {
		return st.nameGroup(ex, alias)
	}
	return nil
}

func (st *scenario) addCrowd(ctx context.Context, crowd, from, to, alias, remove string) error {
	g, err := st.group(alias)
	if err != nil {
		return err
	}
	add, err := st.crowdRange(crowd, from, to)
	if err != nil {
		return err
	}
	rm := []string{}
	for _, a := range aliases(remove) {
		name, err := st.user(a)
		if err != nil {
			return err
		}
		rm = append(rm, name)
	}
	payload := map[string]any{"add": append([]string{}, add...)}
	if len(rm) > 0 {
		payload["remove"] = rm
	}
	body, _ := json.Marshal(payload)
	_, err = st.do(ctx, request{method: http.MethodPost, path: groupPath(g.gid) + "/members", body: body, hasBody: true})
	return err
}

func (st *scenario) groupExists(ctx context.Context, alias string) error {
	return st.checkGroup(ctx, alias, true)
}

func (st *scenario) groupDoesNotExist(ctx context.Context, alias string) error {
	return st.checkGroup(ctx, alias, false)
}

func (st *scenario) checkGroup(ctx context.Context, alias string, want bool) error {
	g, err := st.group(alias)
	if err != nil {
		return err
	}
	ex, err := st.probe(ctx, request{method: http.MethodGet, path: groupPath(g.gid), app: g.app})
	if err != nil {
		return err
	}
	switch {
	case want && ex.Status == http.StatusOK:
		return nil
	case !want && ex.Is(http.StatusForbidden, spec.CodeNoSuchGroup):
		return nil
	case want:
		return st.failWith(ex, "group %q (gid %d) should exist: want HTTP 200, got %d", alias, g.gid, ex.Status)
	default:
		return st.failWith(ex, "group %q (gid %d) should not exist: want 403 %s, got HTTP %d", alias, g.gid, spec.CodeNoSuchGroup, ex.Status)
	}
}

// ascendingGids renders group aliases as their gids, ascending, in JSON.
func (st *scenario) ascendingGids(list string) ([]byte, error) {
	gids := []int64{}
	for _, a := range aliases(list) {
		g, err := st.group(a)
		if err != nil {
			return nil, err
		}
		gids = append(gids, g.gid)
	}
	slices.Sort(gids)
	return json.Marshal(gids)
}

func (st *scenario) groupsOf(ctx context.Context, user, groups string) error {
	name, err := st.user(user)
	if err != nil {
		return err
	}
	ex, err := st.read(ctx, userPath(name)+"/groups/", fmt.Sprintf("the groups of %q", user))
	if err != nil {
		return err
	}
	want, err := st.ascendingGids(groups)
	if err != nil {
		return err
	}
	if d, _ := jsonDiff(want, ex.Body, false); d != "" {
		return st.failWith(ex, "the groups of %q should be %s (the groups it owns or belongs to, ascending, %s): %s", user, want, spec.Cite("3"), d)
	}
	return nil
}

func (st *scenario) bodyIsGids(groups string) error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	want, err := st.ascendingGids(groups)
	if err != nil {
		return err
	}
	if d, _ := jsonDiff(want, ex.Body, false); d != "" {
		return st.failf("want the gids %s, ascending: %s", want, d)
	}
	return nil
}

func (st *scenario) groupHasMembers(ctx context.Context, alias, members string) error {
	g, err := st.group(alias)
	if err != nil {
		return err
	}
	ex, err := st.read(ctx, groupPath(g.gid), fmt.Sprintf("group %q", alias))
	if err != nil {
		return err
	}
	want, err := st.namesJSON(members)
	if err != nil {
		return err
	}
	if d, _ := jsonDiff(want, []byte(ex.Get("members_username").Raw), false); d != "" {
		return st.failWith(ex, "members_username of group %q should be %s (members without the owner, in join order, %s): %s", alias, want, spec.Cite("4"), d)
	}
	return nil
}

// memberList checks GET /v1/groups/{gid}/members/: the owner first with
// flag 1, then the members in join order with flag 0, each with a ctime.
func (st *scenario) memberList(ctx context.Context, alias, members string) error {
	g, err := st.group(alias)
	if err != nil {
		return err
	}
	ex, err := st.read(ctx, groupPath(g.gid)+"/members/", fmt.Sprintf("the members of group %q", alias))
	if err != nil {
		return err
	}
	want := []string{g.owner}
	for _, a := range aliases(members) {
		n, err := st.user(a)
		if err != nil {
			return err
		}
		want = append(want, n)
	}
	got := ex.Get("@this").Array()
	var names []string
	for _, m := range got {
		names = append(names, m.Get("username").String())
	}
	if !slices.Equal(names, want) {
		return st.failWith(ex, "group %q should list %q (owner first, then members in join order, %s), lists %q", alias, want, spec.Cite("4"), names)
	}
	for i, m := range got {
		wantFlag := "0"
		if i == 0 {
			wantFlag = "1"
		}
		if m.Get("flag").Raw != wantFlag {
			return st.failWith(ex, "member %d of group %q: want flag %s (1 = owner), got %s", i+1, alias, wantFlag, m.Get("flag").Raw)
		}
	}
	return nil
}

func (st *scenario) memberCount(ctx context.Context, alias, expr string) error {
	n, err := st.count(expr)
	if err != nil {
		return err
	}
	g, err := st.group(alias)
	if err != nil {
		return err
	}
	ex, err := st.probe(ctx, request{method: http.MethodGet, path: groupPath(g.gid) + "/members/"})
	if err != nil {
		return err
	}
	if got := len(ex.Get("@this").Array()); ex.Status != http.StatusOK || got != n {
		return st.failWith(ex, "group %q should have %d members with its owner, has %d (HTTP %d)", alias, n, got, ex.Status)
	}
	return nil
}

// gidReuseRounds is how often gidsNotReused deletes a group and creates
// the next one. A server that hands out max(gid)+1 reuses a deleted gid
// only when no concurrent scenario created a group in between, so one round
// proves little under --concurrency; twenty make a miss unlikely.
const gidReuseRounds = 20

// gidsNotReused deletes a group and creates a new one right after, again
// and again: no new gid may equal any deleted one (§4: gids are never
// reused).
func (st *scenario) gidsNotReused(ctx context.Context, owner string) error {
	ownerName, err := st.user(owner)
	if err != nil {
		return err
	}
	deleted := map[int64]bool{}
	create := func() (int64, error) {
		body, _ := json.Marshal(map[string]any{"owner_username": ownerName, "group_name": st.groupNameOf("reuse")})
		ex, err := st.probe(ctx, request{method: http.MethodPost, path: "/v1/groups/", body: body, hasBody: true})
		if err != nil {
			return 0, err
		}
		if ex.Status != http.StatusCreated {
			return 0, st.failWith(ex, "creating a group: want HTTP 201, got %d", ex.Status)
		}
		gid := ex.Get("gid").Int()
		if deleted[gid] {
			return 0, st.failWith(ex, "the new group got gid %d, which a deleted group had (%s: never reused)", gid, spec.Cite("4"))
		}
		return gid, nil
	}
	gid, err := create()
	if err != nil {
		return err
	}
	for range gidReuseRounds {
		ex, err := st.probe(ctx, request{method: http.MethodDelete, path: groupPath(gid)})
		if err != nil {
			return err
		}
		if ex.Status != http.StatusNoContent {
			return st.failWith(ex, "deleting group %d: want HTTP 204, got %d", gid, ex.Status)
		}
		deleted[gid] = true
		if gid, err = create(); err != nil {
			return err
		}
	}
	return nil
}

func (st *scenario) groupInvisibleToSecondApp(ctx context.Context, alias string) error {
	g, err := st.group(alias)
	if err != nil {
		return err
	}
	ex, err := st.probe(ctx, request{method: http.MethodGet, path: groupPath(g.gid), app: 2})
	if err != nil {
		return err
	}
	switch {
	case ex.Is(http.StatusForbidden, spec.CodeNoSuchGroup):
		return nil
	case ex.Status == http.StatusOK:
		// gids are unique within an app only: the second app may have
		// its own group with this number, but never ours.
		if ex.Get("group_name").String() == st.groupNameOf(alias) || ex.Get("owner_username").String() == g.owner {
			return st.failWith(ex, "the second app sees group %q of the first app (%s: data is scoped to the appKey)", alias, spec.Cite("1"))
		}
		return nil
	default:
		return st.failWith(ex, "want 403 %s (or another group of the second app), got HTTP %d", spec.CodeNoSuchGroup, ex.Status)
	}
}
