package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"jmcheck/server/im"
)

// groupJSON is a group on the wire.
type groupJSON struct {
	GID     int64    `json:"gid"`
	Owner   string   `json:"owner_username"`
	Name    string   `json:"group_name"`
	Members []string `json:"members_username"`
	Desc    *string  `json:"group_desc"`
}

func toGroupJSON(g im.Group) groupJSON {
	members := g.Members
	if members == nil {
		members = []string{}
	}
	return groupJSON{GID: g.GID, Owner: g.Owner, Name: g.Name, Members: members, Desc: &g.Desc}
}

// groupLimit is the member limit handed to the store.
func (s *Server) groupLimit() int {
	if s.is(mutLimitExcludesOwner) {
		return s.limit + 1
	}
	return s.limit
}

// pathGID returns the gid of the path: a positive decimal integer that
// fits 64 bits, else 899003.
func (s *Server) pathGID(q *request) (int64, error) {
	gid, ok := parseDecimal(q.params[0])
	if !ok || gid < 1 {
		if s.is(mutGIDMalformed899006) {
			return 0, im.Errorf(im.CodeNoSuchGroup, "no such group: %s", q.params[0])
		}
		return 0, invalid("gid %q must be a positive integer", q.params[0])
	}
	return gid, nil
}

// createGroup is POST /v1/groups: 201 with the group.
func (s *Server) createGroup(ctx context.Context, q *request) (int, any, error) {
	o, err := decodeObject(q.body, "group")
	if err != nil {
		return 0, nil, err
	}
	var g im.NewGroup
	var ok bool
	if g.Owner, ok = asString(o["owner_username"]); !ok || !validUsername(g.Owner, s.maxUsername()) {
		return 0, nil, invalid("owner_username must be a valid username")
	}
	if g.Name, ok = asString(o["group_name"]); !ok || g.Name == "" || !s.boundedText(g.Name, maxGroupNm, true) {
		return 0, nil, invalid("group_name must be a string of 1..%d bytes without line breaks", maxGroupNm)
	}
	descGiven := false
	if raw, given := o["group_desc"]; given {
		descGiven = true
		if g.Desc, ok = asString(raw); !ok || !s.boundedText(g.Desc, maxText, false) {
			return 0, nil, invalid("group_desc must be a string of at most %d bytes", maxText)
		}
	}
	g.Members = []string{}
	if raw, given := o["members_username"]; given {
		if g.Members, err = s.nameList("members_username", raw); err != nil {
			return 0, nil, err
		}
	}
	if slices.Contains(g.Members, g.Owner) {
		return 0, nil, invalid("members_username must not list the owner %s", g.Owner)
	}
	created, err := s.store.CreateGroup(ctx, q.app, g, s.groupLimit())
	if err != nil {
		return 0, nil, err
	}
	body := toGroupJSON(created)
	if !descGiven && s.is(mutGroupDescNull) {
		body.Desc = nil
	}
	return http.StatusCreated, body, nil
}

// nameList checks a JSON array of distinct valid usernames.
func (s *Server) nameList(key string, raw json.RawMessage) ([]string, error) {
	names, ok := asStrings(raw)
	if !ok {
		return nil, invalid("%s must be an array of usernames", key)
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if !validUsername(n, s.maxUsername()) {
			return nil, invalid("%s: %q is not a valid username", key, n)
		}
		if seen[n] {
			return nil, invalid("%s lists %s twice", key, n)
		}
		seen[n] = true
	}
	return names, nil
}

// getGroup is GET /v1/groups/:gid.
func (s *Server) getGroup(ctx context.Context, q *request) (int, any, error) {
	gid, err := s.pathGID(q)
	if err != nil {
		return 0, nil, err
	}
	g, err := s.store.GetGroup(ctx, q.app, gid)
	if err != nil {
		return 0, nil, err
	}
	if s.is(mutGroupMembersIncludeOwner) {
		g.Members = append([]string{g.Owner}, g.Members...)
	}
	return http.StatusOK, toGroupJSON(g), nil
}

// deleteGroup is DELETE /v1/groups/:gid: 204.
func (s *Server) deleteGroup(ctx context.Context, q *request) (int, any, error) {
	gid, err := s.pathGID(q)
	if err != nil {
		return 0, nil, err
	}
	if err := s.store.DeleteGroup(ctx, q.app, gid); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// updateMembers is POST /v1/groups/:gid/members: 204.
func (s *Server) updateMembers(ctx context.Context, q *request) (int, any, error) {
	o, err := decodeObject(q.body, "members update")
	if err != nil {
		return 0, nil, err
	}
	var add, remove []string
	if raw, given := o["add"]; given {
		if add, err = s.nameList("add", raw); err != nil {
			return 0, nil, err
		}
	}
	if raw, given := o["remove"]; given {
		if remove, err = s.nameList("remove", raw); err != nil {
			return 0, nil, err
		}
	}
	if len(add) == 0 && len(remove) == 0 {
		return 0, nil, invalid("give a non-empty add or remove list")
	}
	for _, n := range add {
		if slices.Contains(remove, n) {
			return 0, nil, invalid("%s is in both add and remove", n)
		}
	}
	gid, err := s.pathGID(q)
	if err != nil {
		return 0, nil, err
	}
	if add, err = s.mutateAdd(ctx, q.app, gid, add); err != nil {
		return 0, nil, err
	}
	err = s.store.UpdateMembers(ctx, q.app, gid, add, remove, s.groupLimit())
	if err != nil && s.is(mutMembersPartial) && len(remove) > 0 {
		_ = s.store.UpdateMembers(ctx, q.app, gid, nil, remove, s.groupLimit())
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// mutateAdd drops from add the names two mutants let through silently:
// current members, or the owner.
func (s *Server) mutateAdd(ctx context.Context, app im.App, gid int64, add []string) ([]string, error) {
	if !s.is(mutDuplicateAddIgnored) && !s.is(mutOwnerAddIgnored) {
		return add, nil
	}
	g, err := s.store.GetGroup(ctx, app, gid)
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	if s.is(mutOwnerAddIgnored) {
		drop[g.Owner] = true
	} else {
		for _, m := range g.Members {
			drop[m] = true
		}
	}
	return slices.DeleteFunc(add, func(n string) bool { return drop[n] }), nil
}

// memberJSON is one row of a group's member list.
type memberJSON struct {
	Username string `json:"username"`
	Flag     int    `json:"flag"` // 1 owner, 0 member
	CTime    string `json:"ctime"`
}

// groupMembers is GET /v1/groups/:gid/members: the owner first.
func (s *Server) groupMembers(ctx context.Context, q *request) (int, any, error) {
	gid, err := s.pathGID(q)
	if err != nil {
		return 0, nil, err
	}
	members, err := s.store.GroupMembers(ctx, q.app, gid)
	if err != nil {
		return 0, nil, err
	}
	out := make([]memberJSON, len(members))
	for i, m := range members {
		out[i] = memberJSON{Username: m.Username, CTime: formatTime(m.Joined)}
		if m.Owner && !s.is(mutOwnerFlag0) {
			out[i].Flag = 1
		}
	}
	return http.StatusOK, out, nil
}

// groupList is the body of GET /v1/groups.
type groupList struct {
	Total  int64   `json:"total"`
	Start  int64   `json:"start"`
	Count  int64   `json:"count"`
	Groups []int64 `json:"groups"`
}

// listGroups is GET /v1/groups?start=S&count=C.
func (s *Server) listGroups(ctx context.Context, q *request) (int, any, error) {
	start, count, err := parsePage(q)
	if err != nil {
		return 0, nil, err
	}
	p, err := page(s, start, count, func(start, count int64) (int64, []int64, error) {
		return s.store.ListGroups(ctx, q.app, start, count)
	})
	if err != nil {
		return 0, nil, err
	}
	return p.status, groupList{Total: p.total, Start: start, Count: p.count, Groups: p.items}, nil
}
