package server

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// probe makes the requests that expose one mutant and returns what it
// observed. The conformant server and the mutant must observe differently.
type probe func(f *fixture) string

// mutantProbes has one focused probe per mutant. Every fixture has users
// alice, bob1, carol and dave, group 1 of alice with bob1, a group limit
// of 3, and fault injection on.
var mutantProbes = map[string]probe{
	mutAuthMissing400: func(f *fixture) string {
		return f.do("GET", "/v1/users/alice", "", "Authorization", "").String()
	},
	mutAuthUnknownApp401: func(f *fixture) string {
		return f.do("GET", "/v1/users/alice", "", "Authorization", basic("nope", "x")).String()
	},
	mutAuthAnySecret: func(f *fixture) string {
		return f.do("GET", "/v1/users/alice", "", "Authorization", basic(appKey1, "wrong")).String()
	},
	mutAppsShared: func(f *fixture) string {
		return f.do("GET", "/v1/users/alice", "", as2()...).String()
	},
	mutNoTrailingSlash: func(f *fixture) string {
		return fmt.Sprint(f.do("GET", "/v1/users/alice/", "").status)
	},
	mutStrictContentType: func(f *fixture) string {
		return f.do("PUT", "/v1/users/alice", `{"star":1}`, "Content-Type", "application/json;charset:utf-8").String()
	},
	mut405NoAllow: func(f *fixture) string {
		return f.do("PATCH", "/v1/users", "").header.Get("Allow")
	},
	mutErrorExtraKey: func(f *fixture) string {
		return f.do("GET", "/v1/users/nobody", "").body
	},
	mutTextPlain: func(f *fixture) string {
		return f.do("GET", "/v1/users/alice", "").header.Get("Content-Type")
	},
	mutFaultPlain: func(f *fixture) string {
		return f.do("GET", "/v1/users/alice", "", "X-Fault-Inject", "internal").body
	},
	mutNoRetryAfter: func(f *fixture) string {
		return f.do("GET", "/v1/users/alice", "", "X-Fault-Inject", "busy").header.Get("Retry-After")
	},
	mutRegisterOver500: func(f *fixture) string {
		return fmt.Sprint(f.do("POST", "/v1/users", registerBody(userNames("big", 501))).status)
	},
	mutRegisterPasswordFirst: func(f *fixture) string {
		return f.do("POST", "/v1/users", `[{"username":"ab","password":"x"}]`).get("0.error.code").String()
	},
	mutRegisterRepeatAccepted: func(f *fixture) string {
		return f.do("POST", "/v1/users", registerBody([]string{"erin", "erin"})).get("1.error.code").String()
	},
	mutUsernameMax127: func(f *fixture) string {
		return f.do("POST", "/v1/users", registerBody([]string{strings.Repeat("u", 128)})).get("0.error.code").String()
	},
	mutUsernameMax129: func(f *fixture) string {
		return f.do("POST", "/v1/users", registerBody([]string{strings.Repeat("u", 129)})).get("0.error.code").String()
	},
	mutPasswordMin3: func(f *fixture) string {
		return f.do("POST", "/v1/users", `[{"username":"erin","password":"abc"}]`).get("0.error.code").String()
	},
	mutRegisterEchoPassword: func(f *fixture) string {
		return f.do("POST", "/v1/users", `[{"username":"erin","password":"secret"}]`).body
	},
	mutUserNoCTime: func(f *fixture) string {
		return f.do("GET", "/v1/users/alice", "").get("ctime").String()
	},
	mutUserUnsetNull: func(f *fixture) string {
		return f.do("GET", "/v1/users/alice", "").get("@keys").String()
	},
	mutPutUnknownKeys: func(f *fixture) string {
		return f.do("PUT", "/v1/users/alice", `{"color":"red"}`).String()
	},
	mutBirthdayAnyDay: func(f *fixture) string {
		return f.do("PUT", "/v1/users/alice", `{"birthday":"1990-02-30"}`).String()
	},
	mutMTimeFrozen: func(f *fixture) string {
		f.clock.Advance(2 * time.Second)
		f.do("PUT", "/v1/users/alice", `{"star":1}`)
		return f.do("GET", "/v1/users/alice", "").get("mtime").String()
	},
	mutPutClearsFields: func(f *fixture) string {
		f.do("PUT", "/v1/users/alice", `{"nickname":"Al"}`)
		f.do("PUT", "/v1/users/alice", `{"star":1}`)
		return f.do("GET", "/v1/users/alice", "").get("nickname").String()
	},
	mutDeleteOwnerAllowed: func(f *fixture) string {
		return f.do("DELETE", "/v1/users/alice", "").String()
	},
	mutListCountOffByOne: func(f *fixture) string {
		return f.do("GET", "/v1/users?start=0&count=2", "").body
	},
	mutListPastEndError: func(f *fixture) string {
		return f.do("GET", "/v1/users?start=4&count=2", "").String()
	},
	mutListNewestFirst: func(f *fixture) string {
		return f.do("GET", "/v1/users?start=0&count=2", "").body
	},
	mutListOverlap: func(f *fixture) string {
		return f.do("GET", "/v1/users?start=2&count=2", "").body
	},
	mutList204: func(f *fixture) string {
		return f.do("GET", "/v1/users?start=0&count=2", "").String()
	},
	mutLimitExcludesOwner: func(f *fixture) string {
		return f.do("POST", "/v1/groups", `{"owner_username":"carol","group_name":"g","members_username":["alice","bob1","dave"]}`).String()
	},
	mutGroupMembersIncludeOwner: func(f *fixture) string {
		return f.do("GET", "/v1/groups/1", "").get("members_username").Raw
	},
	mutGroupDescNull: func(f *fixture) string {
		return f.do("POST", "/v1/groups", `{"owner_username":"carol","group_name":"g"}`).get("group_desc").Raw
	},
	mutGIDReused: func(f *fixture) string {
		g2 := f.mustGroup("carol")
		f.do("DELETE", fmt.Sprintf("/v1/groups/%d", g2), "")
		return fmt.Sprint(f.mustGroup("carol") == g2)
	},
	mutGIDMalformed899006: func(f *fixture) string {
		return f.do("GET", "/v1/groups/abc", "").String()
	},
	mutOwnerFlag0: func(f *fixture) string {
		return f.do("GET", "/v1/groups/1/members", "").get("#.flag").Raw
	},
	mutDuplicateAddIgnored: func(f *fixture) string {
		return f.do("POST", "/v1/groups/1/members", `{"add":["bob1"]}`).String()
	},
	mutOwnerAddIgnored: func(f *fixture) string {
		return f.do("POST", "/v1/groups/1/members", `{"add":["alice"]}`).String()
	},
	mutMembersPartial: func(f *fixture) string {
		f.do("POST", "/v1/groups/1/members", `{"add":["nobody"],"remove":["bob1"]}`)
		return f.do("GET", "/v1/groups/1", "").get("members_username").Raw
	},
	mutMsgIDDecreasing: func(f *fixture) string {
		a := f.do("POST", "/v1/messages", message(f.t, nil)).get("msg_id").Int()
		b := f.do("POST", "/v1/messages", message(f.t, nil)).get("msg_id").Int()
		return fmt.Sprint(b > a)
	},
	mutMsgVersion2: func(f *fixture) string {
		return f.do("POST", "/v1/messages", message(f.t, map[string]any{"version": 2})).String()
	},
	mutMsgBody4097: func(f *fixture) string {
		text := strings.Repeat("x", maxMsgBody+1-len(`{"text":""}`))
		return f.do("POST", "/v1/messages", message(f.t, map[string]any{"msg_body": map[string]any{"text": text}})).String()
	},
	mutMsgGroup899005: func(f *fixture) string {
		return f.do("POST", "/v1/messages", message(f.t, map[string]any{"target_type": "group", "target_id": "424242"})).String()
	},
}

func mutantFixture(t *testing.T, mutant string) *fixture {
	t.Helper()
	f := newFixture(t, func(c *Config) {
		c.Mutant = mutant
		c.GroupLimit = 3
		c.FaultInjection = true
	})
	f.mustRegister("alice", "bob1", "carol", "dave")
	if gid := f.mustGroup("alice", "bob1"); gid != 1 {
		t.Fatalf("first gid: got %d, want 1", gid)
	}
	return f
}

func TestMutantsCatalogue(t *testing.T) {
	t.Parallel()
	all := Mutants()
	if len(all) < 32 {
		t.Errorf("mutants: got %d, want at least 32", len(all))
	}
	seen := map[string]bool{}
	for _, m := range all {
		if seen[m.Name] {
			t.Errorf("mutant %q listed twice", m.Name)
		}
		seen[m.Name] = true
		if m.Name == "" || m.Description == "" || !strings.HasPrefix(m.Spec, "§") {
			t.Errorf("mutant %+v: want a name, a description and a spec/PROFILE.md section", m)
		}
		if _, ok := mutantProbes[m.Name]; !ok {
			t.Errorf("mutant %q has no probe", m.Name)
		}
	}
	for name := range mutantProbes {
		if !seen[name] {
			t.Errorf("probe for %q, which Mutants() does not list", name)
		}
	}
	all[0].Name = "changed"
	if Mutants()[0].Name == "changed" {
		t.Error("Mutants() returns the package's own slice; want a copy")
	}
}

func TestMutantsChangeBehaviour(t *testing.T) {
	t.Parallel()
	for _, m := range Mutants() {
		p, ok := mutantProbes[m.Name]
		if !ok {
			continue // TestMutantsCatalogue reports it
		}
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			want := p(mutantFixture(t, ""))
			got := p(mutantFixture(t, m.Name))
			if got == want {
				t.Errorf("%s (%s): observed %q on both the conformant server and the mutant", m.Name, m.Description, got)
			}
		})
	}
}
