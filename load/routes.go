package load

import (
	"strings"
)

// Route is one endpoint of the API as a bounded label: a method and a path
// template, never a raw URL, so that metrics and reports stay small however
// many users a run creates.
type Route uint8

// The routes of profile v1-2015 (SPEC.md §3–§5). RouteOther collects any
// request that is not one of them.
const (
	RouteOther Route = iota
	RouteRegister
	RouteListUsers
	RouteGetUser
	RoutePutUser
	RouteDeleteUser
	RouteUserGroups
	RouteCreateGroup
	RouteListGroups
	RouteGetGroup
	RouteDeleteGroup
	RouteEditMembers
	RouteListMembers
	RouteSendMessage
	routeCount
)

var routeTable = [routeCount]struct{ method, path string }{
	RouteOther:       {"", "other"},
	RouteRegister:    {"POST", "/v1/users/"},
	RouteListUsers:   {"GET", "/v1/users/"},
	RouteGetUser:     {"GET", "/v1/users/{username}"},
	RoutePutUser:     {"PUT", "/v1/users/{username}"},
	RouteDeleteUser:  {"DELETE", "/v1/users/{username}"},
	RouteUserGroups:  {"GET", "/v1/users/{username}/groups/"},
	RouteCreateGroup: {"POST", "/v1/groups/"},
	RouteListGroups:  {"GET", "/v1/groups/"},
	RouteGetGroup:    {"GET", "/v1/groups/{gid}"},
	RouteDeleteGroup: {"DELETE", "/v1/groups/{gid}"},
	RouteEditMembers: {"POST", "/v1/groups/{gid}/members"},
	RouteListMembers: {"GET", "/v1/groups/{gid}/members/"},
	RouteSendMessage: {"POST", "/v1/messages"},
}

// Routes returns every known route, RouteOther excluded, in API order.
func Routes() []Route {
	out := make([]Route, 0, routeCount-1)
	for r := RouteRegister; r < routeCount; r++ {
		out = append(out, r)
	}
	return out
}

// Method returns the route's HTTP method, "" for RouteOther.
func (r Route) Method() string {
	if r >= routeCount {
		return ""
	}
	return routeTable[r].method
}

// Path returns the route's path template, such as "/v1/users/{username}".
func (r Route) Path() string {
	if r >= routeCount {
		return "other"
	}
	return routeTable[r].path
}

// String returns "METHOD /path/template", or "other".
func (r Route) String() string {
	if r == RouteOther || r >= routeCount {
		return "other"
	}
	return routeTable[r].method + " " + routeTable[r].path
}

// MarshalText renders the route as its String form.
func (r Route) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses a route written as ParseRoute accepts it.
func (r *Route) UnmarshalText(b []byte) error {
	if string(b) == "other" {
		*r = RouteOther
		return nil
	}
	v, ok := ParseRoute(string(b))
	if !ok {
		return &routeError{s: string(b)}
	}
	*r = v
	return nil
}

type routeError struct{ s string }

func (e *routeError) Error() string {
	return "unknown route " + quote(e.s) + ": want METHOD /path/template, one of " + strings.Join(routeNames(), ", ")
}

func routeNames() []string {
	var out []string
	for _, r := range Routes() {
		out = append(out, r.String())
	}
	return out
}

// ParseRoute reads "METHOD /path/template" as Route.String writes it. The
// method is case-insensitive, a trailing slash is optional (the API serves
// both), and any {name} stands for a path parameter.
func ParseRoute(s string) (Route, bool) {
	method, path, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return RouteOther, false
	}
	method = strings.ToUpper(method)
	path = strings.TrimSpace(path)
	want := normalizeTemplate(path)
	for _, r := range Routes() {
		if routeTable[r].method == method && normalizeTemplate(routeTable[r].path) == want {
			return r, true
		}
	}
	return RouteOther, false
}

// normalizeTemplate drops a trailing slash and names every parameter "{}".
func normalizeTemplate(p string) string {
	p = strings.TrimSuffix(p, "/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// RouteOf maps a request to its route from its method and URL (absolute or
// a path, query allowed). It reads only the path's shape, so it works on any
// result file, jmcheck's or vegeta's.
func RouteOf(method, rawURL string) Route {
	p := rawURL
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
		if j := strings.IndexByte(p, '/'); j >= 0 {
			p = p[j:]
		} else {
			p = "/"
		}
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	// Skip a base-URL prefix such as /api in front of /v1.
	if i := strings.Index(p, "/v1/"); i > 0 {
		p = p[i:]
	}
	p = strings.TrimSuffix(p, "/")
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(segs) < 2 || segs[0] != "v1" {
		return RouteOther
	}
	m := strings.ToUpper(method)
	switch segs[1] {
	case "users":
		switch len(segs) {
		case 2:
			return pick(m, "POST", RouteRegister, "GET", RouteListUsers)
		case 3:
			switch m {
			case "GET":
				return RouteGetUser
			case "PUT":
				return RoutePutUser
			case "DELETE":
				return RouteDeleteUser
			}
		case 4:
			if segs[3] == "groups" && m == "GET" {
				return RouteUserGroups
			}
		}
	case "groups":
		switch len(segs) {
		case 2:
			return pick(m, "POST", RouteCreateGroup, "GET", RouteListGroups)
		case 3:
			return pick(m, "GET", RouteGetGroup, "DELETE", RouteDeleteGroup)
		case 4:
			if segs[3] == "members" {
				return pick(m, "POST", RouteEditMembers, "GET", RouteListMembers)
			}
		}
	case "messages":
		if len(segs) == 2 && m == "POST" {
			return RouteSendMessage
		}
	}
	return RouteOther
}

func pick(m, m1 string, r1 Route, m2 string, r2 Route) Route {
	switch m {
	case m1:
		return r1
	case m2:
		return r2
	}
	return RouteOther
}

// startOf returns the start query parameter of a list URL, or -1.
func startOf(rawURL string) int {
	i := strings.Index(rawURL, "start=")
	if i < 0 || (i > 0 && rawURL[i-1] != '?' && rawURL[i-1] != '&') {
		return -1
	}
	n, ok := 0, false
	for _, c := range rawURL[i+len("start="):] {
		if c < '0' || c > '9' || n > 1<<40 {
			break
		}
		n, ok = n*10+int(c-'0'), true
	}
	if !ok {
		return -1
	}
	return n
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + s + `"`
}
