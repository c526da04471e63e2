package spec

import (
	"errors"
	"strings"
)

// Route is one endpoint of the API as a bounded value: a method and a path
// template, never a raw URL, so that metrics labels and reports stay small
// however many users a run creates. The constants (RouteRegister, …) are
// generated from api.json into zz_api.go, in its order; RouteOther is any
// request that is no endpoint of the API.
type Route uint8

// Routes returns every route of the API, RouteOther excluded, in api.json
// order.
func Routes() []Route {
	out := make([]Route, 0, routeCount-1)
	for r := Route(1); r < routeCount; r++ {
		out = append(out, r)
	}
	return out
}

// Endpoint returns what api.json says of the route; the zero Endpoint for
// RouteOther.
func (r Route) Endpoint() Endpoint {
	if r == RouteOther || r >= routeCount {
		return Endpoint{}
	}
	return mustGet().byRoute[r]
}

// Known reports whether r is an endpoint of the API.
func (r Route) Known() bool { return r != RouteOther && r < routeCount }

// Method returns the route's HTTP method, "" for RouteOther.
func (r Route) Method() string { return r.Endpoint().Method }

// Path returns the route's path template, such as "/v1/users/{username}",
// and "other" for RouteOther.
func (r Route) Path() string {
	if !r.Known() {
		return "other"
	}
	return r.Endpoint().Path
}

// Status returns the route's documented success status, 0 for RouteOther.
func (r Route) Status() int { return r.Endpoint().Status }

// HasBody reports whether the route's success answer carries a body.
func (r Route) HasBody() bool { return r.Endpoint().Schema != "" }

// String returns "METHOD /path/template", or "other".
func (r Route) String() string {
	if !r.Known() {
		return "other"
	}
	e := r.Endpoint()
	return e.Method + " " + e.Path
}

// MarshalText renders the route as its String form.
func (r Route) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses a route written as ParseRoute accepts it, or "other".
func (r *Route) UnmarshalText(b []byte) error {
	if string(b) == "other" {
		*r = RouteOther
		return nil
	}
	v, ok := ParseRoute(string(b))
	if !ok {
		return errors.New("unknown route " + quote(string(b)) + ": want METHOD /path/template, one of " + strings.Join(RouteNames(), ", "))
	}
	*r = v
	return nil
}

// RouteNames returns every route's String form, in api.json order.
func RouteNames() []string {
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
	want := normalizeTemplate(strings.TrimSpace(path))
	for _, r := range Routes() {
		e := r.Endpoint()
		if e.Method == method && normalizeTemplate(e.Path) == want {
			return r, true
		}
	}
	return RouteOther, false
}

// normalizeTemplate drops a trailing slash and names every parameter "{}".
func normalizeTemplate(p string) string {
	segs := strings.Split(strings.TrimSuffix(p, "/"), "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// Match returns the route that serves a request from its method and URL: an
// absolute URL or a path, raw or decoded, with or without a query string or
// a trailing slash (§1 treats /v1/users and /v1/users/ alike), and with or
// without a base-URL prefix such as /api in front of /v1. It reads only the
// path's shape, so it works on any result file, jmcheck's or vegeta's, and
// it does not allocate: the load generator calls it per result.
func Match(method, rawURL string) Route {
	p := pathOf(rawURL)
	for r := Route(1); r < routeCount; r++ {
		if tmpl := &templates[r]; tmpl.method == method && tmpl.matches(p) {
			return r
		}
	}
	if !isUpper(method) {
		return Match(strings.ToUpper(method), rawURL)
	}
	return RouteOther
}

// pathOf cuts a URL to its path from /v1 on, without a trailing slash.
func pathOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = "/"
		}
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.Index(u, "/v1/"); i > 0 {
		u = u[i:]
	}
	return strings.TrimSuffix(u, "/")
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return false
		}
	}
	return true
}

// template is a route's path split into literal segments and parameters.
type template struct {
	method string
	segs   []string // "" stands for a parameter
}

// matches reports whether p (from pathOf) fits the template: the same
// number of segments, the literal ones equal, a parameter non-empty.
func (t *template) matches(p string) bool {
	p = strings.TrimPrefix(p, "/")
	for i, seg := range t.segs {
		var s string
		j := strings.IndexByte(p, '/')
		if j < 0 {
			s, p = p, ""
			if i != len(t.segs)-1 {
				return false
			}
		} else {
			s, p = p[:j], p[j+1:]
			if i == len(t.segs)-1 {
				return false
			}
		}
		if seg == "" {
			if s == "" {
				return false
			}
		} else if s != seg {
			return false
		}
	}
	return true
}

// templates holds every route's split template, built once from api.json.
var templates = func() (out [routeCount]template) {
	for r := Route(1); r < routeCount; r++ {
		e := r.Endpoint()
		segs := strings.Split(strings.Trim(e.Path, "/"), "/")
		for i, s := range segs {
			if strings.HasPrefix(s, "{") {
				segs[i] = ""
			}
		}
		out[r] = template{method: e.Method, segs: segs}
	}
	return out
}()

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + s + `"`
}

// RouteCount is the number of routes, RouteOther included: the size of an
// array indexed by Route.
const RouteCount = int(routeCount)
