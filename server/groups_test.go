package server

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCreateGroup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		status   int
		code     int
		wantBody string // the exact 201 body, gid aside
	}{
		{"OK", `{"owner_username":"alice","group_name":"泡否","members_username":["carol","bob1"],"group_desc":"你懂的。。。"}`, 201, 0,
			`{"owner_username":"alice","group_name":"泡否","members_username":["carol","bob1"],"group_desc":"你懂的。。。"}`},
		{"OKDefaults", `{"owner_username":"alice","group_name":"g"}`, 201, 0,
			`{"owner_username":"alice","group_name":"g","members_username":[],"group_desc":""}`},
		{"OKEmptyMembers", `{"owner_username":"alice","group_name":"g","members_username":[],"group_desc":""}`, 201, 0,
			`{"owner_username":"alice","group_name":"g","members_username":[],"group_desc":""}`},
		{"OKUnknownKeysIgnored", `{"owner_username":"alice","group_name":"g","color":"red"}`, 201, 0,
			`{"owner_username":"alice","group_name":"g","members_username":[],"group_desc":""}`},
		{"OKNameMax", fmt.Sprintf(`{"owner_username":"alice","group_name":%q}`, strings.Repeat("n", 64)), 201, 0, ""},
		{"OKDescMax", fmt.Sprintf(`{"owner_username":"alice","group_name":"g","group_desc":%q}`, strings.Repeat("d", 250)), 201, 0, ""},
		{"OKLimitExactly", `{"owner_username":"alice","group_name":"g","members_username":["bob1","carol"]}`, 201, 0, ""},
		{"ErrNotObject", `["alice"]`, 400, 899003, ""},
		{"ErrBadJSON", `{"owner_username":"alice"`, 400, 899003, ""},
		{"ErrOwnerMissing", `{"group_name":"g"}`, 400, 899003, ""},
		{"ErrOwnerNotString", `{"owner_username":7,"group_name":"g"}`, 400, 899003, ""},
		{"ErrOwnerMalformed", `{"owner_username":"a b","group_name":"g"}`, 400, 899003, ""},
		{"ErrNameMissing", `{"owner_username":"alice"}`, 400, 899003, ""},
		{"ErrNameEmpty", `{"owner_username":"alice","group_name":""}`, 400, 899003, ""},
		{"ErrNameTooLong", fmt.Sprintf(`{"owner_username":"alice","group_name":%q}`, strings.Repeat("n", 65)), 400, 899003, ""},
		{"ErrNameNewline", `{"owner_username":"alice","group_name":"a\nb"}`, 400, 899003, ""},
		{"ErrDescTooLong", fmt.Sprintf(`{"owner_username":"alice","group_name":"g","group_desc":%q}`, strings.Repeat("d", 251)), 400, 899003, ""},
		{"ErrDescNumber", `{"owner_username":"alice","group_name":"g","group_desc":1}`, 400, 899003, ""},
		{"ErrDescNull", `{"owner_username":"alice","group_name":"g","group_desc":null}`, 400, 899003, ""},
		{"ErrMembersNotArray", `{"owner_username":"alice","group_name":"g","members_username":"bob1"}`, 400, 899003, ""},
		{"ErrMembersItemNotString", `{"owner_username":"alice","group_name":"g","members_username":[1]}`, 400, 899003, ""},
		{"ErrMemberTwice", `{"owner_username":"alice","group_name":"g","members_username":["bob1","bob1"]}`, 400, 899003, ""},
		{"ErrOwnerAmongMembers", `{"owner_username":"alice","group_name":"g","members_username":["alice"]}`, 400, 899003, ""},
		{"ErrOwnerUnknown", `{"owner_username":"nobody","group_name":"g"}`, 403, 899002, ""},
		{"ErrMemberUnknown", `{"owner_username":"alice","group_name":"g","members_username":["bob1","nobody"]}`, 403, 899002, ""},
		{"ErrOverLimit", `{"owner_username":"alice","group_name":"g","members_username":["bob1","carol","dave"]}`, 403, 899012, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, func(c *Config) { c.GroupLimit = 3 })
			f.mustRegister("alice", "bob1", "carol", "dave")
			r := f.do("POST", "/v1/groups/", tt.body)
			wantStatusCode(t, r, tt.status, tt.code)
			list := f.do("GET", "/v1/groups/?start=0&count=10", "")
			if tt.code != 0 {
				if got := list.get("total").Int(); got != 0 {
					t.Errorf("groups after a failed create: got %d, want 0", got)
				}
				return
			}
			gid := r.get("gid")
			if gid.Type.String() != "Number" || gid.Int() < 1 || strings.Contains(gid.Raw, ".") {
				t.Errorf("gid: got %s, want a positive integer", gid.Raw)
			}
			if tt.wantBody != "" {
				want := fmt.Sprintf(`{"gid":%s,`, gid.Raw) + tt.wantBody[1:]
				if got := strings.TrimSpace(r.body); got != want {
					t.Errorf("body: got %s, want %s", got, want)
				}
				// GET shows the same defaults and values.
				g := f.do("GET", fmt.Sprintf("/v1/groups/%d", gid.Int()), "")
				if got, want := strings.TrimSpace(g.body), strings.TrimSpace(r.body); got != want {
					t.Errorf("GET: got %s, want %s", got, want)
				}
			}
		})
	}
}

func TestGroupLimitDefault(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	names := userNames("m", 501)
	f.mustRegister(names[:500]...)
	f.mustRegister(names[500])
	quote := func(ns []string) string { return `"` + strings.Join(ns, `","`) + `"` }
	t.Run("ErrOwnerPlus500", func(t *testing.T) {
		body := fmt.Sprintf(`{"owner_username":%q,"group_name":"g","members_username":[%s]}`, names[0], quote(names[1:501]))
		wantStatusCode(t, f.do("POST", "/v1/groups/", body), 403, 899012)
	})
	var gid int64
	t.Run("OwnerPlus499", func(t *testing.T) {
		body := fmt.Sprintf(`{"owner_username":%q,"group_name":"g","members_username":[%s]}`, names[0], quote(names[1:500]))
		r := f.do("POST", "/v1/groups/", body)
		wantStatusCode(t, r, 201, 0)
		gid = r.get("gid").Int()
	})
	t.Run("ErrAddOneMore", func(t *testing.T) {
		wantStatusCode(t, f.do("POST", fmt.Sprintf("/v1/groups/%d/members", gid), fmt.Sprintf(`{"add":[%q]}`, names[500])), 403, 899012)
	})
	t.Run("SwapFits", func(t *testing.T) {
		body := fmt.Sprintf(`{"add":[%q],"remove":[%q]}`, names[500], names[1])
		wantStatusCode(t, f.do("POST", fmt.Sprintf("/v1/groups/%d/members", gid), body), 204, 0)
	})
}

func TestGroupIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice")
	g1 := f.mustGroup("alice")
	g2 := f.mustGroup("alice")
	if g1 < 1 || g2 <= g1 {
		t.Fatalf("gids: got %d then %d, want positive and increasing", g1, g2)
	}
	wantStatusCode(t, f.do("DELETE", fmt.Sprintf("/v1/groups/%d", g2), ""), 204, 0)
	if g3 := f.mustGroup("alice"); g3 == g2 || g3 == g1 {
		t.Errorf("gid after deleting %d: got %d, want a gid never used", g2, g3)
	}
	if g := f.do("POST", "/v1/groups/", `{"owner_username":"alice","group_name":"g"}`, as2()...); g.status != 403 {
		t.Errorf("app 2 group for app 1's alice: got %s, want 403 899002", g)
	}
}

func TestGetGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice", "bob1", "carol", "dave")
	gid := f.mustGroup("alice", "carol")
	wantStatusCode(t, f.do("POST", fmt.Sprintf("/v1/groups/%d/members", gid), `{"add":["bob1"]}`), 204, 0)
	t.Run("OK", func(t *testing.T) {
		r := f.do("GET", fmt.Sprintf("/v1/groups/%d", gid), "")
		wantStatusCode(t, r, 200, 0)
		want := fmt.Sprintf(`{"gid":%d,"owner_username":"alice","group_name":"g","members_username":["carol","bob1"],"group_desc":""}`, gid)
		if got := strings.TrimSpace(r.body); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	for _, bad := range []string{"abc", "0", "-1", "1.5", "%2B1", "1e3", "99999999999999999999", "%20"} {
		t.Run("ErrMalformedGID/"+bad, func(t *testing.T) {
			wantStatusCode(t, f.do("GET", "/v1/groups/"+bad, ""), 400, 899003)
			wantStatusCode(t, f.do("DELETE", "/v1/groups/"+bad, ""), 400, 899003)
			wantStatusCode(t, f.do("GET", "/v1/groups/"+bad+"/members", ""), 400, 899003)
			wantStatusCode(t, f.do("POST", "/v1/groups/"+bad+"/members", `{"add":["dave"]}`), 400, 899003)
		})
	}
	t.Run("ErrNoSuchGroup", func(t *testing.T) {
		wantStatusCode(t, f.do("GET", "/v1/groups/424242", ""), 403, 899006)
		wantStatusCode(t, f.do("DELETE", "/v1/groups/424242", ""), 403, 899006)
		wantStatusCode(t, f.do("GET", "/v1/groups/424242/members/", ""), 403, 899006)
		wantStatusCode(t, f.do("POST", "/v1/groups/424242/members", `{"add":["dave"]}`), 403, 899006)
	})
}

func TestDeleteGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice", "bob1")
	gid := f.mustGroup("alice", "bob1")
	path := fmt.Sprintf("/v1/groups/%d", gid)
	r := f.do("DELETE", path, "")
	wantStatusCode(t, r, 204, 0)
	if r.body != "" {
		t.Errorf("204 body: got %q, want none", r.body)
	}
	wantStatusCode(t, f.do("GET", path, ""), 403, 899006)
	wantStatusCode(t, f.do("DELETE", path, ""), 403, 899006)
	if got := strings.TrimSpace(f.do("GET", "/v1/users/bob1/groups", "").body); got != "[]" {
		t.Errorf("bob1's groups: got %s, want []", got)
	}
}

func TestUpdateMembers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		body        string
		status      int
		code        int
		wantMembers string // after, owner excluded
	}{
		{"Add", `{"add":["dave"]}`, 204, 0, `["bob1","carol","dave"]`},
		{"Remove", `{"remove":["bob1"]}`, 204, 0, `["carol"]`},
		{"AddAndRemove", `{"add":["dave"],"remove":["bob1"]}`, 204, 0, `["carol","dave"]`},
		{"AddWithEmptyRemove", `{"add":["dave"],"remove":[]}`, 204, 0, `["bob1","carol","dave"]`},
		{"RemoveNonMember", `{"remove":["dave"]}`, 204, 0, `["bob1","carol"]`},
		{"RemoveUnknownUser", `{"remove":["nobody"]}`, 204, 0, `["bob1","carol"]`},
		{"UnknownKeysIgnored", `{"add":["dave"],"color":"red"}`, 204, 0, `["bob1","carol","dave"]`},
		{"SwapAtLimit", `{"add":["dave","erin"],"remove":["bob1","carol"]}`, 204, 0, `["dave","erin"]`},
		{"ErrEmptyObject", `{}`, 400, 899003, ""},
		{"ErrBothEmpty", `{"add":[],"remove":[]}`, 400, 899003, ""},
		{"ErrNotObject", `[]`, 400, 899003, ""},
		{"ErrBadJSON", `{"add":["dave"]`, 400, 899003, ""},
		{"ErrAddNotArray", `{"add":"dave"}`, 400, 899003, ""},
		{"ErrAddNull", `{"add":null,"remove":["bob1"]}`, 400, 899003, ""},
		{"ErrAddItemNotString", `{"add":[5]}`, 400, 899003, ""},
		{"ErrAddMalformedName", `{"add":["a b"]}`, 400, 899003, ""},
		{"ErrInBoth", `{"add":["dave"],"remove":["dave"]}`, 400, 899003, ""},
		{"ErrRepeatInAdd", `{"add":["dave","dave"]}`, 400, 899003, ""},
		{"ErrRepeatInRemove", `{"remove":["bob1","bob1"]}`, 400, 899003, ""},
		{"ErrRemoveOwner", `{"remove":["alice"]}`, 400, 899003, ""},
		{"ErrRemoveOwnerWithOthers", `{"add":["dave"],"remove":["bob1","alice"]}`, 400, 899003, ""},
		{"ErrAddUnknown", `{"add":["dave","nobody"],"remove":["bob1"]}`, 403, 899002, ""},
		{"ErrAddMember", `{"add":["dave","bob1"]}`, 400, 899011, ""},
		{"ErrAddOwner", `{"add":["alice"]}`, 400, 899011, ""},
		{"ErrAddMemberWithRemove", `{"add":["carol"],"remove":["bob1"]}`, 400, 899011, ""},
		{"ErrOverLimit", `{"add":["dave","erin"]}`, 403, 899012, ""},
		{"ErrOverLimitAfterRemovals", `{"add":["dave","erin","frank"],"remove":["bob1"]}`, 403, 899012, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, func(c *Config) { c.GroupLimit = 4 })
			f.mustRegister("alice", "bob1", "carol", "dave", "erin", "frank")
			gid := f.mustGroup("alice", "bob1", "carol")
			r := f.do("POST", fmt.Sprintf("/v1/groups/%d/members/", gid), tt.body)
			wantStatusCode(t, r, tt.status, tt.code)
			want := tt.wantMembers
			if tt.code != 0 {
				want = `["bob1","carol"]` // atomic: nothing applied
			}
			if got := f.do("GET", fmt.Sprintf("/v1/groups/%d", gid), "").get("members_username").Raw; got != want {
				t.Errorf("members: got %s, want %s", got, want)
			}
		})
	}
}

func TestGroupMembers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("tom1", "eddie", "annie")
	gid := f.mustGroup("tom1", "eddie")
	f.clock.Advance(90 * time.Second)
	wantStatusCode(t, f.do("POST", fmt.Sprintf("/v1/groups/%d/members", gid), `{"add":["annie"]}`), 204, 0)
	r := f.do("GET", fmt.Sprintf("/v1/groups/%d/members/", gid), "")
	wantStatusCode(t, r, 200, 0)
	want := `[{"username":"tom1","flag":1,"ctime":"2015-03-20 22:00:13"},` +
		`{"username":"eddie","flag":0,"ctime":"2015-03-20 22:00:13"},` +
		`{"username":"annie","flag":0,"ctime":"2015-03-20 22:01:43"}]`
	if got := strings.TrimSpace(r.body); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestListGroups(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice")
	var gids []string
	for range 12 {
		gids = append(gids, fmt.Sprint(f.mustGroup("alice")))
	}
	wantStatusCode(t, f.do("DELETE", "/v1/groups/"+gids[4], ""), 204, 0)
	gids = append(gids[:4], gids[5:]...)
	t.Run("Params", func(t *testing.T) {
		for _, q := range []string{"", "?start=0", "?count=1", "?start=0&count=0", "?start=0&count=501", "?start=x&count=1"} {
			wantStatusCode(t, f.do("GET", "/v1/groups/"+q, ""), 400, 899003)
		}
	})
	t.Run("OK", func(t *testing.T) {
		r := f.do("GET", "/v1/groups/?start=3&count=2", "")
		want := fmt.Sprintf(`{"total":11,"start":3,"count":2,"groups":[%s,%s]}`, gids[3], gids[4])
		if got := strings.TrimSpace(r.body); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("Tiling", func(t *testing.T) {
		var all []string
		for start := 0; start < 20; start += 3 {
			r := f.do("GET", fmt.Sprintf("/v1/groups?start=%d&count=3", start), "")
			for _, g := range r.get("groups").Array() {
				all = append(all, g.Raw)
			}
		}
		if got, want := strings.Join(all, ","), strings.Join(gids, ","); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("PastEnd", func(t *testing.T) {
		r := f.do("GET", "/v1/groups/?start=11&count=3", "")
		if got := strings.TrimSpace(r.body); got != `{"total":11,"start":11,"count":0,"groups":[]}` {
			t.Errorf("got %s", got)
		}
	})
}
