package server

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"jmcheck/server/sqlite"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return "u" + strings.Repeat("x", n-1) }
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   int      // whole-request error
		wantItems  []string // per item: "ok", or the code, with "-" for no username echo
	}{
		{"OK", `[{"username":"alice","password":"secret"}]`, 201, 0, []string{"ok"}},
		{"OKUnknownItemKeysIgnored", `[{"username":"alice","password":"secret","nickname":"x"}]`, 201, 0, []string{"ok"}},
		{"OKNameCharacters", `[{"username":"A1_b.c-d@e","password":"secret"},{"username":"9abc","password":"secret"}]`, 201, 0, []string{"ok", "ok"}},
		{"OKNameBounds", fmt.Sprintf(`[{"username":"abcd","password":"pass"},{"username":%q,"password":%q}]`, long(128), strings.Repeat("p", 128)), 201, 0, []string{"ok", "ok"}},
		{"OKPasswordCountsBytes", `[{"username":"alice","password":"éé"}]`, 201, 0, []string{"ok"}},
		{"OKOnlyErrors", `[{"username":"ab","password":"secret"}]`, 201, 0, []string{"899003"}},
		{"ErrNotArray", `{"username":"alice","password":"secret"}`, 400, 899003, nil},
		{"ErrEmpty", `[]`, 400, 899003, nil},
		{"ErrNull", `null`, 400, 899003, nil},
		{"ErrBadJSON", `[{"username":"alice",}]`, 400, 899003, nil},
		{"ErrNoBody", ``, 400, 899003, nil},
		{"ErrTrailingData", `[{"username":"alice","password":"secret"}] []`, 400, 899003, nil},
		{"ErrBatchTooLong", registerBody(userNames("big", 501)), 403, 899013, nil},
		{"ItemNotObject", `[5,"alice",null,[],{"username":"alice","password":"secret"}]`, 201, 0, []string{"-899003", "-899003", "-899003", "-899003", "ok"}},
		{"ItemUsernameNotString", `[{"username":5,"password":"secret"},{"password":"secret"}]`, 201, 0, []string{"-899003", "-899003"}},
		{"ItemUsernameTooShort", `[{"username":"abc","password":"secret"}]`, 201, 0, []string{"899003"}},
		{"ItemUsernameTooLong", fmt.Sprintf(`[{"username":%q,"password":"secret"}]`, long(129)), 201, 0, []string{"899003"}},
		{"ItemUsernameBadFirst", `[{"username":"_abc","password":"secret"},{"username":"@abc","password":"secret"}]`, 201, 0, []string{"899003", "899003"}},
		{"ItemUsernameBadChars", `[{"username":"ab cd","password":"secret"},{"username":"abcé","password":"secret"},{"username":"ab/cd","password":"secret"}]`, 201, 0, []string{"899003", "899003", "899003"}},
		{"ItemPasswordMissing", `[{"username":"alice"}]`, 201, 0, []string{"899004"}},
		{"ItemPasswordNotString", `[{"username":"alice","password":12345}]`, 201, 0, []string{"899004"}},
		{"ItemPasswordNull", `[{"username":"alice","password":null}]`, 201, 0, []string{"899004"}},
		{"ItemPasswordTooShort", `[{"username":"alice","password":"abc"}]`, 201, 0, []string{"899004"}},
		{"ItemPasswordTooShortBytes", `[{"username":"alice","password":"éa"}]`, 201, 0, []string{"899004"}},
		{"ItemPasswordTooLong", fmt.Sprintf(`[{"username":"alice","password":%q}]`, strings.Repeat("p", 129)), 201, 0, []string{"899004"}},
		{"ItemUsernameCheckedFirst", `[{"username":"ab","password":"x"}]`, 201, 0, []string{"899003"}},
		{"ItemRepeat", `[{"username":"alice","password":"secret"},{"username":"alice","password":"secret"}]`, 201, 0, []string{"ok", "899001"}},
		{"ItemRepeatOfFailedItem", `[{"username":"alice","password":"x"},{"username":"alice","password":"secret"}]`, 201, 0, []string{"899004", "899001"}},
		{"ItemRepeatWithBadPassword", `[{"username":"alice","password":"secret"},{"username":"alice","password":"x"}]`, 201, 0, []string{"ok", "899004"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			r := f.do("POST", "/v1/users/", tt.body)
			wantStatusCode(t, r, tt.wantStatus, tt.wantCode)
			if tt.wantCode != 0 {
				if got := f.do("GET", "/v1/users/?start=0&count=10", "").get("total").Int(); got != 0 {
					t.Errorf("users after a failed batch: got %d, want 0", got)
				}
				return
			}
			items := r.get("@this").Array()
			if len(items) != len(tt.wantItems) {
				t.Fatalf("items: got %s, want %d", r.body, len(tt.wantItems))
			}
			for i, item := range items {
				want := tt.wantItems[i]
				if item.Get("password").Exists() {
					t.Errorf("item %d: got %s, want no password", i, item.Raw)
				}
				if strings.HasPrefix(want, "-") {
					want = want[1:]
					if u := item.Get("username"); u.Exists() && u.Type.String() != "Null" {
						t.Errorf("item %d: got username %s, want none", i, u.Raw)
					}
				} else if got, sent := item.Get("username").String(), registerName(tt.body, i); got != sent {
					t.Errorf("item %d username: got %q, want %q", i, got, sent)
				}
				got := "ok"
				if e := item.Get("error"); e.Exists() {
					got = e.Get("code").String()
					if e.Get("message").String() == "" || len(e.Map()) != 2 {
						t.Errorf("item %d error: got %s, want code and message", i, e.Raw)
					}
				}
				if got != want {
					t.Errorf("item %d: got %s, want %s", i, item.Raw, want)
				}
			}
		})
	}
}

// registerName is the username of item i of a register body, as sent.
func registerName(body string, i int) string {
	return result{body: body}.get(fmt.Sprintf("%d.username", i)).String()
}

func TestRegisterCreates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice")
	t.Run("ErrExists", func(t *testing.T) {
		r := f.do("POST", "/v1/users/", `[{"username":"alice","password":"other"},{"username":"bob1","password":"secret"}]`)
		wantStatusCode(t, r, 201, 0)
		if got := r.get("0.error.code").Int(); got != 899001 {
			t.Errorf("existing: got %s, want 899001", r.body)
		}
		if r.get("1.error").Exists() {
			t.Errorf("new: got %s, want created", r.body)
		}
	})
	t.Run("RepeatOfFailedItemNotCreated", func(t *testing.T) {
		f.do("POST", "/v1/users/", `[{"username":"carol","password":"x"},{"username":"carol","password":"secret"}]`)
		wantStatusCode(t, f.do("GET", "/v1/users/carol", ""), 403, 899002)
	})
	t.Run("PasswordHashed", func(t *testing.T) {
		store := f.s.store.(*sqlite.Store)
		app := f.s.apps[appKey1].id
		for _, tt := range []struct {
			password string
			want     bool
		}{{"password", true}, {"Password", false}, {"", false}} {
			got, err := store.CheckPassword(context.Background(), app, "alice", tt.password)
			if err != nil || got != tt.want {
				t.Errorf("CheckPassword(%q): got %v, %v, want %v", tt.password, got, err, tt.want)
			}
		}
	})
	t.Run("Exactly500", func(t *testing.T) {
		r := f.do("POST", "/v1/users/", registerBody(userNames("full", 500)))
		wantStatusCode(t, r, 201, 0)
		if got := len(r.get("@this").Array()); got != 500 {
			t.Errorf("items: got %d, want 500", got)
		}
	})
	t.Run("501CreatesNothing", func(t *testing.T) {
		r := f.do("POST", "/v1/users/", registerBody(userNames("over", 501)))
		wantStatusCode(t, r, 403, 899013)
		wantStatusCode(t, f.do("GET", "/v1/users/over0000", ""), 403, 899002)
	})
}

var timeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)

func TestGetUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice")
	t.Run("OKFreshUser", func(t *testing.T) {
		r := f.do("GET", "/v1/users/alice", "")
		wantStatusCode(t, r, 200, 0)
		got := r.get("@keys").String()
		if want := `["username","mtime","ctime"]`; got != want {
			t.Errorf("keys: got %s, want %s", got, want)
		}
		// The clock stands at 14:00:13 UTC: 22:00:13 in UTC+8.
		for _, k := range []string{"ctime", "mtime"} {
			if got := r.get(k).String(); got != "2015-03-20 22:00:13" || !timeRE.MatchString(got) {
				t.Errorf("%s: got %q, want 2015-03-20 22:00:13", k, got)
			}
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		wantStatusCode(t, f.do("GET", "/v1/users/nobody", ""), 403, 899002)
	})
	t.Run("ErrMalformedName", func(t *testing.T) {
		wantStatusCode(t, f.do("GET", "/v1/users/a%20b", ""), 400, 899003)
	})
	t.Run("OtherAppDoesNotSee", func(t *testing.T) {
		wantStatusCode(t, f.do("GET", "/v1/users/alice", "", as2()...), 403, 899002)
	})
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		wantCode int               // 0: 204
		want     map[string]string // field -> raw JSON read back
	}{
		{"Nickname", `{"nickname":"Hello JMessage"}`, 0, map[string]string{"nickname": `"Hello JMessage"`}},
		{"NicknameEmpty", `{"nickname":""}`, 0, map[string]string{"nickname": `""`}},
		{"NicknameMax", fmt.Sprintf(`{"nickname":%q}`, strings.Repeat("n", 64)), 0, nil},
		{"NicknameMaxMultibyte", fmt.Sprintf(`{"nickname":%q}`, strings.Repeat("泡", 21)), 0, nil},
		{"ErrNicknameTooLong", fmt.Sprintf(`{"nickname":%q}`, strings.Repeat("n", 65)), 899003, nil},
		{"ErrNicknameTooLongBytes", fmt.Sprintf(`{"nickname":%q}`, strings.Repeat("泡", 22)), 899003, nil},
		{"ErrNicknameNewline", `{"nickname":"a\nb"}`, 899003, nil},
		{"ErrNicknameCR", `{"nickname":"a\rb"}`, 899003, nil},
		{"ErrNicknameNumber", `{"nickname":5}`, 899003, nil},
		{"ErrNicknameNull", `{"nickname":null}`, 899003, nil},
		{"Avatar", `{"avatar":"/avatar/path/new"}`, 0, map[string]string{"avatar": `"/avatar/path/new"`}},
		{"AvatarMax", fmt.Sprintf(`{"avatar":%q}`, strings.Repeat("a", 250)), 0, nil},
		{"ErrAvatarTooLong", fmt.Sprintf(`{"avatar":%q}`, strings.Repeat("a", 251)), 899003, nil},
		{"StarZero", `{"star":0}`, 0, map[string]string{"star": `0`}},
		{"Star", `{"star":2}`, 0, map[string]string{"star": `2`}},
		{"ErrStarNegative", `{"star":-1}`, 899003, nil},
		{"ErrStarFraction", `{"star":1.5}`, 899003, nil},
		{"ErrStarString", `{"star":"2"}`, 899003, nil},
		{"ErrStarBool", `{"star":true}`, 899003, nil},
		{"ErrStarHuge", `{"star":99999999999999999999}`, 899003, nil},
		{"Gender", `{"gender":2}`, 0, map[string]string{"gender": `2`}},
		{"GenderUnknown", `{"gender":0}`, 0, map[string]string{"gender": `0`}},
		{"ErrGender3", `{"gender":3}`, 899003, nil},
		{"ErrGenderBool", `{"gender":false}`, 899003, nil},
		{"BirthdayDate", `{"birthday":"1990-01-24"}`, 0, map[string]string{"birthday": `"1990-01-24 00:00:00"`}},
		{"BirthdayDateTime", `{"birthday":"1990-01-24 13:14:15"}`, 0, map[string]string{"birthday": `"1990-01-24 13:14:15"`}},
		{"BirthdayLeapDay", `{"birthday":"2000-02-29"}`, 0, map[string]string{"birthday": `"2000-02-29 00:00:00"`}},
		{"ErrBirthdayFeb30", `{"birthday":"1990-02-30"}`, 899003, nil},
		{"ErrBirthdayNoLeapDay", `{"birthday":"1900-02-29"}`, 899003, nil},
		{"ErrBirthdayApril31", `{"birthday":"1990-04-31 00:00:00"}`, 899003, nil},
		{"ErrBirthdayMonth13", `{"birthday":"1990-13-01"}`, 899003, nil},
		{"ErrBirthdayHour24", `{"birthday":"1990-01-24 24:00:00"}`, 899003, nil},
		{"ErrBirthdayShortFields", `{"birthday":"1990-1-4"}`, 899003, nil},
		{"ErrBirthdayISO", `{"birthday":"1990-01-24T00:00:00"}`, 899003, nil},
		{"ErrBirthdayNumber", `{"birthday":19900124}`, 899003, nil},
		{"SignatureRegionAddress", `{"signature":"orz","region":"shenzhen","address":"shenzhen"}`, 0, map[string]string{"signature": `"orz"`, "region": `"shenzhen"`, "address": `"shenzhen"`}},
		{"ErrSignatureTooLong", fmt.Sprintf(`{"signature":%q}`, strings.Repeat("s", 251)), 899003, nil},
		{"ErrRegionNumber", `{"region":1}`, 899003, nil},
		{"ErrAddressTooLong", fmt.Sprintf(`{"address":%q}`, strings.Repeat("s", 251)), 899003, nil},
		{"ErrEmptyObject", `{}`, 899003, nil},
		{"ErrUnknownKey", `{"nickname":"x","color":"red"}`, 899003, nil},
		{"ErrUsernameKey", `{"username":"bob1"}`, 899003, nil},
		{"ErrPasswordKey", `{"password":"secret"}`, 899003, nil},
		{"ErrCtimeKey", `{"ctime":"2015-01-01 00:00:00"}`, 899003, nil},
		{"ErrMtimeKey", `{"mtime":"2015-01-01 00:00:00"}`, 899003, nil},
		{"ErrArray", `[{"nickname":"x"}]`, 899003, nil},
		{"ErrNull", `null`, 899003, nil},
		{"ErrBadJSON", `{"nickname":"x"`, 899003, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.mustRegister("alice")
			r := f.do("PUT", "/v1/users/alice", tt.body)
			if tt.wantCode != 0 {
				wantStatusCode(t, r, 400, tt.wantCode)
				if got := f.do("GET", "/v1/users/alice", "").get("@keys").String(); got != `["username","mtime","ctime"]` {
					t.Errorf("after a failed PUT: got keys %s, want the fresh profile", got)
				}
				return
			}
			wantStatusCode(t, r, 204, 0)
			if r.body != "" {
				t.Errorf("204 body: got %q, want none", r.body)
			}
			got := f.do("GET", "/v1/users/alice", "")
			for k, want := range tt.want {
				if raw := got.get(k).Raw; raw != want {
					t.Errorf("%s: got %s, want %s", k, raw, want)
				}
			}
		})
	}
}

func TestUpdateUserState(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice")
	t.Run("ErrUnknownUser", func(t *testing.T) {
		wantStatusCode(t, f.do("PUT", "/v1/users/nobody", `{"nickname":"x"}`), 403, 899002)
	})
	t.Run("OnlyGivenKeysChange", func(t *testing.T) {
		wantStatusCode(t, f.do("PUT", "/v1/users/alice", `{"nickname":"Al","star":3,"gender":1}`), 204, 0)
		wantStatusCode(t, f.do("PUT", "/v1/users/alice", `{"avatar":"/a"}`), 204, 0)
		r := f.do("GET", "/v1/users/alice", "")
		for k, want := range map[string]string{"nickname": `"Al"`, "star": "3", "gender": "1", "avatar": `"/a"`} {
			if got := r.get(k).Raw; got != want {
				t.Errorf("%s: got %s, want %s", k, got, want)
			}
		}
		if r.get("birthday").Exists() {
			t.Errorf("birthday: got %s, want omitted", r.get("birthday").Raw)
		}
	})
	t.Run("MtimeMoves", func(t *testing.T) {
		before := f.do("GET", "/v1/users/alice", "")
		f.clock.Advance(2 * time.Second)
		wantStatusCode(t, f.do("PUT", "/v1/users/alice", `{"signature":"later"}`), 204, 0)
		after := f.do("GET", "/v1/users/alice", "")
		if got, want := after.get("ctime").String(), before.get("ctime").String(); got != want {
			t.Errorf("ctime: got %s, want %s (unchanged)", got, want)
		}
		if got, was := after.get("mtime").String(), before.get("mtime").String(); got <= was {
			t.Errorf("mtime: got %s, want after %s", got, was)
		}
	})
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice", "bob1", "carol")
	gid := f.mustGroup("alice", "bob1", "carol")
	t.Run("ErrOwnsGroup", func(t *testing.T) {
		wantStatusCode(t, f.do("DELETE", "/v1/users/alice", ""), 400, 899010)
		wantStatusCode(t, f.do("GET", "/v1/users/alice", ""), 200, 0)
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		wantStatusCode(t, f.do("DELETE", "/v1/users/nobody", ""), 403, 899002)
	})
	t.Run("OKLeavesGroups", func(t *testing.T) {
		r := f.do("DELETE", "/v1/users/bob1", "")
		wantStatusCode(t, r, 204, 0)
		wantStatusCode(t, f.do("GET", "/v1/users/bob1", ""), 403, 899002)
		g := f.do("GET", fmt.Sprintf("/v1/groups/%d", gid), "")
		if got := g.get("members_username").Raw; got != `["carol"]` {
			t.Errorf("members after delete: got %s, want [carol]", got)
		}
		m := f.do("GET", fmt.Sprintf("/v1/groups/%d/members/", gid), "")
		if got := m.get("#.username").Raw; got != `["alice","carol"]` {
			t.Errorf("member list after delete: got %s, want [alice carol]", got)
		}
	})
	t.Run("NameBecomesFree", func(t *testing.T) {
		f.mustRegister("bob1")
		if got := f.do("GET", "/v1/users/bob1/groups", "").body; strings.TrimSpace(got) != "[]" {
			t.Errorf("groups of the new bob1: got %s, want []", got)
		}
	})
	t.Run("OwnerAfterGroupDeleted", func(t *testing.T) {
		wantStatusCode(t, f.do("DELETE", fmt.Sprintf("/v1/groups/%d", gid), ""), 204, 0)
		wantStatusCode(t, f.do("DELETE", "/v1/users/alice", ""), 204, 0)
	})
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	names := userNames("list", 23)
	for _, n := range names { // one by one: registration order is call order
		f.mustRegister(n)
	}
	t.Run("Params", func(t *testing.T) {
		for _, q := range []string{"", "?start=0", "?count=5", "?start=-1&count=5", "?start=0&count=0",
			"?start=0&count=501", "?start=abc&count=5", "?start=0&count=1.5", "?start=%2B1&count=5",
			"?start=%201&count=5", "?start=0&count=", "?start=1e2&count=5", "?start=99999999999999999999&count=5"} {
			r := f.do("GET", "/v1/users/"+q, "")
			if r.status != 400 || r.code() != 899003 {
				t.Errorf("GET /v1/users/%s: got %s, want 400 899003", q, r)
			}
		}
	})
	t.Run("OK", func(t *testing.T) {
		r := f.do("GET", "/v1/users/?start=1&count=2", "")
		wantStatusCode(t, r, 200, 0)
		if got, want := r.body, `{"total":23,"start":1,"count":2,"users":["list0001","list0002"]}`+"\n"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("CountMax", func(t *testing.T) {
		r := f.do("GET", "/v1/users/?start=0&count=500", "")
		if got := r.get("count").Int(); got != 23 {
			t.Errorf("count: got %d, want 23", got)
		}
	})
	t.Run("PastEnd", func(t *testing.T) {
		for _, start := range []int{23, 24, 1000} {
			r := f.do("GET", fmt.Sprintf("/v1/users/?start=%d&count=5", start), "")
			wantStatusCode(t, r, 200, 0)
			if got := r.get("users").Raw; got != "[]" || r.get("count").Int() != 0 || r.get("total").Int() != 23 {
				t.Errorf("start=%d: got %s, want total 23, count 0, users []", start, r.body)
			}
		}
	})
	tile := func(t *testing.T, count int) []string {
		t.Helper()
		var all []string
		for start := 0; ; start += count {
			r := f.do("GET", fmt.Sprintf("/v1/users?start=%d&count=%d", start, count), "")
			page := r.get("users").Array()
			if int(r.get("count").Int()) != len(page) {
				t.Fatalf("start=%d: count %d, %d users", start, r.get("count").Int(), len(page))
			}
			if len(page) == 0 {
				return all
			}
			for _, u := range page {
				all = append(all, u.String())
			}
		}
	}
	t.Run("Tiling", func(t *testing.T) {
		for _, count := range []int{1, 5, 7, 23, 500} {
			if got, want := strings.Join(tile(t, count), ","), strings.Join(names, ","); got != want {
				t.Errorf("count=%d: got %s, want %s", count, got, want)
			}
		}
	})
	t.Run("TilingAfterDeletes", func(t *testing.T) {
		var want []string
		for i, n := range names {
			if i%3 == 0 {
				wantStatusCode(t, f.do("DELETE", "/v1/users/"+n, ""), 204, 0)
			} else {
				want = append(want, n)
			}
		}
		f.mustRegister("late0001")
		want = append(want, "late0001")
		if got := strings.Join(tile(t, 4), ","); got != strings.Join(want, ",") {
			t.Errorf("got %s, want %s", got, strings.Join(want, ","))
		}
	})
}

func TestUserGroups(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice", "bob1", "carol")
	g1 := f.mustGroup("bob1", "alice")
	f.mustGroup("bob1", "carol")
	g3 := f.mustGroup("alice")
	tests := []struct {
		name string
		user string
		want string
	}{
		{"MemberAndOwner", "alice", fmt.Sprintf("[%d,%d]", g1, g3)},
		{"OwnerOfTwo", "bob1", "[1,2]"},
		{"Member", "carol", "[2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do("GET", "/v1/users/"+tt.user+"/groups/", "")
			wantStatusCode(t, r, 200, 0)
			if got := strings.TrimSpace(r.body); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("ErrUnknown", func(t *testing.T) {
		wantStatusCode(t, f.do("GET", "/v1/users/nobody/groups", ""), 403, 899002)
	})
}

func TestAppIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice", "bob1")
	gid := f.mustGroup("alice", "bob1")
	app2 := as2()
	t.Run("UsersInvisible", func(t *testing.T) {
		wantStatusCode(t, f.do("GET", "/v1/users/alice", "", app2...), 403, 899002)
		if got := f.do("GET", "/v1/users/?start=0&count=10", "", app2...).get("total").Int(); got != 0 {
			t.Errorf("app 2 total: got %d, want 0", got)
		}
	})
	t.Run("GroupsInvisible", func(t *testing.T) {
		wantStatusCode(t, f.do("GET", fmt.Sprintf("/v1/groups/%d", gid), "", app2...), 403, 899006)
		if got := f.do("GET", "/v1/groups/?start=0&count=10", "", app2...).get("total").Int(); got != 0 {
			t.Errorf("app 2 total: got %d, want 0", got)
		}
	})
	t.Run("SameNameNoCollision", func(t *testing.T) {
		r := f.do("POST", "/v1/users/", `[{"username":"alice","password":"other"}]`, app2...)
		if r.status != 201 || r.get("0.error").Exists() {
			t.Fatalf("app 2 registers alice: got %s, want created", r)
		}
		wantStatusCode(t, f.do("PUT", "/v1/users/alice", `{"nickname":"two"}`, app2...), 204, 0)
		if got := f.do("GET", "/v1/users/alice", "").get("nickname").Exists(); got {
			t.Errorf("app 1 alice changed by app 2's PUT")
		}
	})
	t.Run("ChangesInvisible", func(t *testing.T) {
		wantStatusCode(t, f.do("DELETE", "/v1/users/bob1", "", app2...), 403, 899002)
		wantStatusCode(t, f.do("DELETE", fmt.Sprintf("/v1/groups/%d", gid), "", app2...), 403, 899006)
		wantStatusCode(t, f.do("GET", "/v1/users/bob1", ""), 200, 0)
		wantStatusCode(t, f.do("GET", fmt.Sprintf("/v1/groups/%d", gid), ""), 200, 0)
	})
}
