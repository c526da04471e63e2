package load

import "testing"

func TestRouteOf(t *testing.T) {
	cases := map[string]struct {
		method, url string
		want        Route
	}{
		"Register":      {"POST", "http://h/v1/users/", RouteRegister},
		"RegisterSlash": {"POST", "http://h/v1/users", RouteRegister},
		"List":          {"GET", "http://h:8080/v1/users/?start=0&count=5", RouteListUsers},
		"GetUser":       {"GET", "http://h/v1/users/alice", RouteGetUser},
		"PutUser":       {"put", "/v1/users/alice/", RoutePutUser},
		"DeleteUser":    {"DELETE", "http://h/v1/users/a%40b.c", RouteDeleteUser},
		"UserGroups":    {"GET", "http://h/v1/users/alice/groups/", RouteUserGroups},
		"CreateGroup":   {"POST", "http://h/v1/groups/", RouteCreateGroup},
		"ListGroups":    {"GET", "http://h/v1/groups/?start=1&count=2", RouteListGroups},
		"GetGroup":      {"GET", "http://h/v1/groups/12", RouteGetGroup},
		"DeleteGroup":   {"DELETE", "http://h/v1/groups/12", RouteDeleteGroup},
		"Members":       {"POST", "http://h/v1/groups/12/members", RouteEditMembers},
		"ListMembers":   {"GET", "http://h/v1/groups/12/members/", RouteListMembers},
		"Message":       {"POST", "http://h/v1/messages", RouteSendMessage},
		"Prefixed":      {"GET", "https://h/api/v1/users/alice", RouteGetUser},
		"Unknown":       {"GET", "http://h/v2/users/", RouteOther},
		"WrongMethod":   {"PATCH", "http://h/v1/users/alice", RouteOther},
		"Root":          {"GET", "http://h", RouteOther},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := RouteOf(c.method, c.url); got != c.want {
				t.Errorf("RouteOf(%s, %s) = %s, want %s", c.method, c.url, got, c.want)
			}
		})
	}
}

func TestParseRouteRoundTrips(t *testing.T) {
	for _, r := range Routes() {
		got, ok := ParseRoute(r.String())
		if !ok || got != r {
			t.Errorf("ParseRoute(%q) = %s, %v; want %s", r.String(), got, ok, r)
		}
		var back Route
		if err := back.UnmarshalText([]byte(r.String())); err != nil || back != r {
			t.Errorf("UnmarshalText(%q) = %s, %v", r.String(), back, err)
		}
	}
	if _, ok := ParseRoute("GET /v1/nothing"); ok {
		t.Error("ParseRoute accepted an unknown route")
	}
}

func TestStartOf(t *testing.T) {
	cases := map[string]int{
		"http://h/v1/users/?start=1500&count=500": 1500,
		"http://h/v1/users/?count=5&start=0":      0,
		"http://h/v1/users/?restart=3":            -1,
		"http://h/v1/users/":                      -1,
		"http://h/v1/users/?start=x":              -1,
	}
	for in, want := range cases {
		if got := startOf(in); got != want {
			t.Errorf("startOf(%q) = %d, want %d", in, got, want)
		}
	}
}
