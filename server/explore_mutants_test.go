package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// exploreProbe makes the requests that expose one explore mutant. The same
// run must observe want on the conformant server and bad on the mutant.
type exploreProbe struct {
	config func(*Config) // optional, applied to both servers
	run    func(f *fixture) string
	want   string // the conformant observation
	bad    string // the mutant's observation
}

// raceRounds and racers bound the attempts a concurrency probe makes: up to
// raceRounds rounds of racers requests released together.
const raceRounds, racers = 20, 4

// Observations of a concurrency probe.
const (
	raced  = "raced"
	noRace = "no race"
)

// race runs round(i) for up to raceRounds rounds and reports raced as soon
// as one round observes the race.
func race(round func(i int) bool) string {
	for i := range raceRounds {
		if round(i) {
			return raced
		}
	}
	return noRace
}

// must sends a request and fails the test unless it answers status.
func (f *fixture) must(status int, method, path, body string) result {
	f.t.Helper()
	r := f.do(method, path, body)
	if r.status != status {
		f.t.Fatalf("%s %s %s: got %s, want %d", method, path, body, r, status)
	}
	return r
}

// statusCode is "status code" of r (code 0 without an error body).
func statusCode(r result) string { return fmt.Sprint(r.status, " ", r.code()) }

// birthdays is the leap-year sequence: century years, a 400th year, an
// ordinary leap year and a common year.
func birthdays(f *fixture) string {
	f.mustRegister("alice")
	var out []string
	for _, d := range []string{"1900-02-29", "2100-02-29", "2000-02-29", "2024-02-29", "2023-02-29"} {
		out = append(out, fmt.Sprint(f.do("PUT", "/v1/users/alice", fmt.Sprintf(`{"birthday":%q}`, d)).status))
	}
	return strings.Join(out, " ")
}

var exploreProbes = map[string]exploreProbe{
	// Stateful.
	mutReregisterKeepsProfile: {run: func(f *fixture) string {
		f.mustRegister("erin")
		f.must(204, "PUT", "/v1/users/erin", `{"nickname":"Old","star":5,"birthday":"1990-01-02"}`)
		f.must(204, "DELETE", "/v1/users/erin", "")
		f.must(403, "GET", "/v1/users/erin", "")
		f.mustRegister("erin")
		r := f.must(200, "GET", "/v1/users/erin", "")
		return fmt.Sprintf("nickname=%s star=%s birthday=%s", r.get("nickname").Raw, r.get("star").Raw, r.get("birthday").Raw)
	}, want: "nickname= star= birthday=", bad: `nickname="Old" star=5 birthday="1990-01-02 00:00:00"`},

	mutDeleteKeepsMemberships: {run: func(f *fixture) string {
		f.mustRegister("alice", "bob1", "carol")
		gid := f.mustGroup("alice", "bob1", "carol")
		f.must(204, "DELETE", "/v1/users/bob1", "")
		f.must(403, "GET", "/v1/users/bob1", "")
		g := f.must(200, "GET", fmt.Sprintf("/v1/groups/%d", gid), "")
		m := f.must(200, "GET", fmt.Sprintf("/v1/groups/%d/members", gid), "")
		return g.get("members_username").Raw + " " + m.get("#.username").Raw
	}, want: `["carol"] ["alice","carol"]`, bad: `["bob1","carol"] ["alice","bob1","carol"]`},

	mutUserGroupsStale: {run: func(f *fixture) string {
		f.mustRegister("alice", "bob1")
		g1 := f.mustGroup("alice", "bob1")
		f.mustGroup("alice")
		f.must(204, "DELETE", fmt.Sprintf("/v1/groups/%d", g1), "")
		return f.must(200, "GET", "/v1/users/bob1/groups", "").body + f.must(200, "GET", "/v1/users/alice/groups/", "").body
	}, want: "[]\n[2]\n", bad: "[1]\n[1,2]\n"},

	mutMemberCounter: {config: func(c *Config) { c.GroupLimit = 3 }, run: func(f *fixture) string {
		f.mustRegister("alice", "bob1", "carol")
		gid := f.mustGroup("alice", "bob1")
		path := fmt.Sprintf("/v1/groups/%d/members", gid)
		f.must(204, "POST", path, `{"add":["carol"]}`)
		f.must(204, "POST", path, `{"remove":["carol"]}`)
		r := f.do("POST", path, `{"add":["carol"]}`)
		return statusCode(r) + " " + fmt.Sprint(len(f.must(200, "GET", path, "").get("@this").Array()))
	}, want: "204 0 3", bad: "403 899012 2"},

	mutListTotalStale: {run: func(f *fixture) string {
		f.mustRegister("user1", "user2", "user3")
		f.must(204, "DELETE", "/v1/users/user2", "")
		r := f.must(200, "GET", "/v1/users?start=0&count=10", "")
		return r.get("total").Raw + " " + r.get("users").Raw
	}, want: `2 ["user1","user3"]`, bad: `3 ["user1","user3"]`},

	mutMsgIDPerTarget: {run: func(f *fixture) string {
		f.mustRegister("alice", "bob1", "carol")
		a := f.must(200, "POST", "/v1/messages", message(f.t, nil)).get("msg_id").Int()
		b := f.must(200, "POST", "/v1/messages", message(f.t, map[string]any{"target_id": "carol"})).get("msg_id").Int()
		return fmt.Sprint("increasing=", b > a)
	}, want: "increasing=true", bad: "increasing=false"},

	mutReaddKeepsJoinOrder: {run: func(f *fixture) string {
		f.mustRegister("alice", "bob1", "carol")
		gid := f.mustGroup("alice", "bob1", "carol")
		path := fmt.Sprintf("/v1/groups/%d/members", gid)
		f.must(204, "POST", path, `{"remove":["bob1"]}`)
		f.clock.Advance(5 * time.Second)
		f.must(204, "POST", path, `{"add":["bob1"]}`)
		m := f.must(200, "GET", path, "")
		moved := "kept"
		for _, row := range m.get("@this").Array() {
			if row.Get("username").String() == "bob1" && row.Get("ctime").String() != m.get("0.ctime").String() {
				moved = "moved"
			}
		}
		return f.must(200, "GET", fmt.Sprintf("/v1/groups/%d", gid), "").get("members_username").Raw + " ctime " + moved
	}, want: `["carol","bob1"] ctime moved`, bad: `["bob1","carol"] ctime kept`},

	mutMsgDeletedGroup: {run: func(f *fixture) string {
		f.mustRegister("alice", "bob1")
		gid := f.mustGroup("alice", "bob1")
		f.must(204, "DELETE", fmt.Sprintf("/v1/groups/%d", gid), "")
		return statusCode(f.do("POST", "/v1/messages", message(f.t, map[string]any{"target_type": "group", "target_id": fmt.Sprint(gid)})))
	}, want: "403 899006", bad: "200 0"},

	// Input space.
	mutEmoji500: {run: func(f *fixture) string {
		f.mustRegister("alice")
		put := f.do("PUT", "/v1/users/alice", `{"nickname":"hi 😀","signature":"ok"}`)
		nick := f.must(200, "GET", "/v1/users/alice", "").get("nickname").Raw
		group := f.do("POST", "/v1/groups", `{"owner_username":"alice","group_name":"🎉 party"}`)
		return statusCode(put) + " " + nick + " " + statusCode(group)
	}, want: `204 0 "hi 😀" 201 0`, bad: "500 899000  500 899000"},

	mutStarInt32: {run: func(f *fixture) string {
		f.mustRegister("alice")
		f.must(204, "PUT", "/v1/users/alice", `{"star":2147483647}`)
		r := f.do("PUT", "/v1/users/alice", `{"star":2147483648}`)
		return statusCode(r) + " " + f.must(200, "GET", "/v1/users/alice", "").get("star").Raw
	}, want: "204 0 2147483648", bad: "500 899000 2147483647"},

	mutStartInt32: {run: func(f *fixture) string {
		f.mustRegister("alice")
		f.must(200, "GET", "/v1/users?start=2147483647&count=1", "")
		users := f.do("GET", "/v1/users?start=2147483648&count=1", "")
		groups := f.do("GET", "/v1/groups?start=4294967296&count=1", "")
		return statusCode(users) + " " + users.get("users").Raw + " " + statusCode(groups)
	}, want: "200 0 [] 200 0", bad: "500 899000  500 899000"},

	mutNicknameTruncated: {run: func(f *fixture) string {
		f.mustRegister("alice")
		f.must(204, "PUT", "/v1/users/alice", fmt.Sprintf(`{"nickname":%q}`, strings.Repeat("n", 40)))
		return fmt.Sprint(len(f.must(200, "GET", "/v1/users/alice", "").get("nickname").String()))
	}, want: "40", bad: "32"},

	mutGroupNameTruncated: {run: func(f *fixture) string {
		f.mustRegister("alice")
		name := strings.Repeat("g", 40)
		r := f.must(201, "POST", "/v1/groups", fmt.Sprintf(`{"owner_username":"alice","group_name":%q}`, name))
		g := f.must(200, "GET", fmt.Sprintf("/v1/groups/%d", r.get("gid").Int()), "")
		return fmt.Sprint(len(r.get("group_name").String()), " ", len(g.get("group_name").String()))
	}, want: "40 40", bad: "40 32"},

	mutLengthInRunes: {run: func(f *fixture) string {
		f.mustRegister("alice")
		f.must(204, "PUT", "/v1/users/alice", fmt.Sprintf(`{"nickname":%q}`, strings.Repeat("中", 21))) // 63 bytes
		nick := f.do("PUT", "/v1/users/alice", fmt.Sprintf(`{"nickname":%q}`, strings.Repeat("中", 64)))
		group := f.do("POST", "/v1/groups", fmt.Sprintf(`{"owner_username":"alice","group_name":%q}`, strings.Repeat("é", 60)))
		return statusCode(nick) + " " + statusCode(group)
	}, want: "400 899003 400 899003", bad: "204 0 201 0"},

	mutLeapEvery4:    {run: birthdays, want: "400 400 204 204 400", bad: "204 204 204 204 400"},
	mutLeapWrong2000: {run: birthdays, want: "400 400 204 204 400", bad: "400 400 400 204 400"},

	mutPercentAtNotDecoded: {run: func(f *fixture) string {
		f.mustRegister("a@b.c")
		f.must(200, "GET", "/v1/users/a@b.c", "")
		r := f.do("GET", "/v1/users/a%40b.c", "")
		return statusCode(r) + " " + r.get("username").String()
	}, want: "200 0 a@b.c", bad: "400 899003 "},

	mutCaseInsensitiveLookup: {run: func(f *fixture) string {
		f.mustRegister("abcd", "Abcd")
		f.must(204, "PUT", "/v1/users/Abcd", `{"nickname":"upper"}`)
		upper := f.must(200, "GET", "/v1/users/Abcd", "")
		lower := f.must(200, "GET", "/v1/users/abcd", "")
		shout := f.do("GET", "/v1/users/ABCD", "")
		return fmt.Sprintf("%s=%s %s=%s ABCD:%d", upper.get("username"), upper.get("nickname"),
			lower.get("username"), lower.get("nickname"), shout.status)
	}, want: "Abcd=upper abcd= ABCD:403", bad: "abcd=upper abcd=upper ABCD:200"},

	mutMultilineRejected: {run: func(f *fixture) string {
		f.mustRegister("alice")
		f.must(400, "PUT", "/v1/users/alice", `{"nickname":"two\nlines"}`)
		put := f.do("PUT", "/v1/users/alice", `{"signature":"line one\r\nline two","address":"1 Road\nTown"}`)
		group := f.do("POST", "/v1/groups", `{"owner_username":"alice","group_name":"g","group_desc":"about\nus"}`)
		return statusCode(put) + " " + statusCode(group)
	}, want: "204 0 201 0", bad: "400 899003 400 899003"},

	mutZeroOmitted: {run: func(f *fixture) string {
		f.mustRegister("alice")
		f.must(204, "PUT", "/v1/users/alice", `{"star":0,"gender":0}`)
		r := f.must(200, "GET", "/v1/users/alice", "")
		return fmt.Sprintf("star=%s gender=%s", r.get("star").Raw, r.get("gender").Raw)
	}, want: "star=0 gender=0", bad: "star= gender="},

	mutBirthdayTimeDropped: {run: func(f *fixture) string {
		f.mustRegister("alice")
		f.must(204, "PUT", "/v1/users/alice", `{"birthday":"1990-05-17 13:45:10"}`)
		return f.must(200, "GET", "/v1/users/alice", "").get("birthday").String()
	}, want: "1990-05-17 13:45:10", bad: "1990-05-17 00:00:00"},

	// Concurrency.
	mutRaceRegister: {run: func(f *fixture) string {
		rounds := 0
		out := race(func(i int) bool {
			rounds++
			body := registerBody([]string{fmt.Sprintf("racer%02d", i)})
			created := 0
			for _, r := range parallel(racers, func(int) result { return f.do("POST", "/v1/users", body) }) {
				if r.status != 201 {
					f.t.Fatalf("register: got %s, want 201", r)
				}
				if !r.get("0.error").Exists() {
					created++
				}
			}
			if created == 0 {
				f.t.Fatalf("round %d: no registration created the user", i)
			}
			return created > 1
		})
		if total := f.must(200, "GET", "/v1/users?start=0&count=100", "").get("total").Int(); total != int64(rounds) {
			f.t.Errorf("total: got %d, want one row per round, %d", total, rounds)
		}
		return out
	}, want: noRace, bad: raced},

	mutRaceMemberLimit: {config: func(c *Config) { c.GroupLimit = 3 }, run: func(f *fixture) string {
		adders := userNames("adder", racers)
		f.mustRegister(append(adders, "alice")...)
		return race(func(int) bool {
			gid := f.mustGroup("alice")
			path := fmt.Sprintf("/v1/groups/%d/members", gid)
			parallel(racers, func(i int) result { return f.do("POST", path, fmt.Sprintf(`{"add":[%q]}`, adders[i])) })
			return len(f.must(200, "GET", path, "").get("@this").Array()) > 3
		})
	}, want: noRace, bad: raced},

	mutRacePutLostUpdate: {run: func(f *fixture) string {
		f.mustRegister("alice")
		return race(func(round int) bool {
			bodies := []string{
				fmt.Sprintf(`{"nickname":"n%d"}`, round), fmt.Sprintf(`{"star":%d}`, round),
				fmt.Sprintf(`{"region":"r%d"}`, round), fmt.Sprintf(`{"address":"a%d"}`, round),
			}
			for _, r := range parallel(len(bodies), func(i int) result { return f.do("PUT", "/v1/users/alice", bodies[i]) }) {
				if r.status != 204 {
					f.t.Fatalf("PUT: got %s, want 204", r)
				}
			}
			u := f.must(200, "GET", "/v1/users/alice", "")
			return u.get("nickname").String() != fmt.Sprintf("n%d", round) || u.get("star").Int() != int64(round) ||
				u.get("region").String() != fmt.Sprintf("r%d", round) || u.get("address").String() != fmt.Sprintf("a%d", round)
		})
	}, want: noRace, bad: raced},

	mutRaceGID: {run: func(f *fixture) string {
		f.mustRegister("alice")
		return race(func(int) bool {
			var gids []int64
			for _, r := range parallel(racers, func(int) result {
				return f.do("POST", "/v1/groups", `{"owner_username":"alice","group_name":"g"}`)
			}) {
				if r.status != 201 {
					f.t.Fatalf("create group: got %s, want 201", r)
				}
				gids = append(gids, r.get("gid").Int())
			}
			slices.Sort(gids)
			return len(slices.Compact(gids)) < racers
		})
	}, want: noRace, bad: raced},

	mutRaceMsgID: {run: func(f *fixture) string {
		f.mustRegister("alice", "bob1")
		return race(func(int) bool {
			var ids []int64
			for _, r := range parallel(racers, func(int) result { return f.do("POST", "/v1/messages", message(f.t, nil)) }) {
				if r.status != 200 {
					f.t.Fatalf("message: got %s, want 200", r)
				}
				ids = append(ids, r.get("msg_id").Int())
			}
			slices.Sort(ids)
			return len(slices.Compact(ids)) < racers
		})
	}, want: noRace, bad: raced},

	// Scale.
	mutPageDriftAfter1000: {run: func(f *fixture) string {
		names := userNames("pg", 1002)
		for i := 0; i < len(names); i += 500 {
			f.mustRegister(names[i:min(i+500, len(names))]...)
		}
		before := f.must(200, "GET", "/v1/users?start=998&count=2", "").get("users").Raw
		after := f.must(200, "GET", "/v1/users?start=1000&count=2", "").get("users").Raw
		return before + " " + after
	}, want: `["pg0998","pg0999"] ["pg1000","pg1001"]`, bad: `["pg0998","pg0999"] ["pg0999","pg1000"]`},

	mutUserGroupsCapped: {run: func(f *fixture) string {
		f.mustRegister("alice")
		for range userGroupsCap + 1 {
			f.mustGroup("alice")
		}
		return fmt.Sprint(len(f.must(200, "GET", "/v1/users/alice/groups", "").get("@this").Array()))
	}, want: "101", bad: "100"},
}

func TestExploreMutantsCatalogue(t *testing.T) {
	t.Parallel()
	all := ExploreMutants()
	if len(all) < 22 {
		t.Errorf("explore mutants: got %d, want at least 22", len(all))
	}
	example := map[string]bool{}
	for _, m := range Mutants() {
		example[m.Name] = true
	}
	kinds := []string{KindStateful, KindInput, KindConcurrency, KindScale}
	seen := map[string]bool{}
	perKind := map[string]int{}
	for _, m := range all {
		if seen[m.Name] {
			t.Errorf("explore mutant %q listed twice", m.Name)
		}
		seen[m.Name] = true
		if example[m.Name] {
			t.Errorf("explore mutant %q is also in Mutants()", m.Name)
		}
		if m.Name == "" || m.Description == "" || !strings.HasPrefix(m.Spec, "§") || !slices.Contains(kinds, m.Kind) {
			t.Errorf("explore mutant %+v: want a name, a kind of %v, a description and a spec/PROFILE.md section", m, kinds)
		}
		perKind[m.Kind]++
		if _, ok := exploreProbes[m.Name]; !ok {
			t.Errorf("explore mutant %q has no probe", m.Name)
		}
		s, err := Open(Config{Apps: map[string]string{appKey1: secret1}, Mutant: m.Name})
		if err != nil {
			t.Errorf("Open with explore mutant %q: %v", m.Name, err)
			continue
		}
		if err := s.Close(); err != nil {
			t.Errorf("close %q: %v", m.Name, err)
		}
	}
	for _, k := range kinds {
		if perKind[k] == 0 {
			t.Errorf("no explore mutant of kind %q", k)
		}
	}
	for name := range exploreProbes {
		if !seen[name] {
			t.Errorf("probe for %q, which ExploreMutants() does not list", name)
		}
	}
	all[0].Name = "changed"
	if ExploreMutants()[0].Name == "changed" {
		t.Error("ExploreMutants() returns the package's own slice; want a copy")
	}
}

func TestExploreMutantsDeviate(t *testing.T) {
	t.Parallel()
	for _, m := range ExploreMutants() {
		p, ok := exploreProbes[m.Name]
		if !ok {
			continue // TestExploreMutantsCatalogue reports it
		}
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			open := func(mutant string) *fixture {
				return newFixture(t, func(c *Config) {
					if p.config != nil {
						p.config(c)
					}
					c.Mutant = mutant
				})
			}
			if got := p.run(open("")); got != p.want {
				t.Errorf("conformant server: observed %q, want %q", got, p.want)
			}
			if got := p.run(open(m.Name)); got != p.bad {
				t.Errorf("%s (%s): observed %q, want %q", m.Name, m.Description, got, p.bad)
			}
		})
	}
}
