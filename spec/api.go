// Package spec is the harness's domain: what jmcheck knows of the API it
// tests, profile v1-2015, written down once. It owns
//
//   - the routes (method and path template) with their success statuses,
//     sections and schemas, and the error codes of §2 with their HTTP
//     statuses, as typed constants generated from api.json;
//   - one matcher from a request's method and path to its route;
//   - the fast checks over raw bytes that every part of the harness applies
//     to an answer: a bounded, duplicate-free JSON value, the error body, an
//     integer literal, a §7 time, Retry-After, the JSON media type;
//   - a JSON Schema (draft 2020-12) for every success body and the error
//     body, and CheckAnswer, the rules every answer keeps whatever the
//     request was.
//
// Conformance (steps), load and exploration all judge with this package;
// none of them spells a business code or a path of the API itself. The
// normative text the checks cite is spec/PROFILE.md. Everything is
// embedded, so the binary carries it into any folder. The reference server
// never imports this package.
//
// Path templates name their variables in braces: /v1/users/{username},
// /v1/groups/{gid}. A route's feature-file tag is "@endpoint:METHOD:PATH".
//
// A later profile of the publisher's API adds its own api.json, schemas and
// model beside these; code outside the contract layer knows a profile only
// by its name.
package spec

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Profile is the name of the API reading this package describes.
const Profile = "v1-2015"

// Tag prefixes of the feature files. A scenario carries one or more
// "@endpoint:METHOD:PATH" tags (or TagNoEndpoint when it exercises no
// endpoint of the API, such as an unknown path), one "@code:NNNNNN" tag per
// error code it asserts (none on a happy path), and "@spec:N" tags naming
// the sections of its rule in spec/PROFILE.md.
const (
	TagEndpointPrefix = "@endpoint:"
	TagCodePrefix     = "@code:"
	TagSpecPrefix     = "@spec:"
	TagNoEndpoint     = "@endpoint:none"
)

// Endpoint is one operation of the API as api.json describes it.
type Endpoint struct {
	Route   Route  `json:"-"`
	Name    string `json:"name"`    // the Route constant's name without "Route"
	Method  string `json:"method"`  // GET, POST, PUT or DELETE
	Path    string `json:"path"`    // template, e.g. /v1/users/{username}
	Section string `json:"section"` // section of spec/PROFILE.md, e.g. "3"
	Title   string `json:"title"`   // what it does, e.g. "batch register"
	Status  int    `json:"status"`  // the documented success status
	Schema  string `json:"schema"`  // schema file of the success body; "" when it has none
	Codes   []Code `json:"codes"`   // the error codes specific to it (CommonCodes apply too)
}

// Key returns "METHOD PATH".
func (e Endpoint) Key() string { return e.Method + " " + e.Path }

// Tag returns the feature-file tag that names the endpoint.
func (e Endpoint) Tag() string { return TagEndpointPrefix + e.Method + ":" + e.Path }

// Ref returns the reference of the endpoint, for failure messages.
func (e Endpoint) Ref() string {
	return fmt.Sprintf("%s, %s %s (%s)", Cite(e.Section), e.Method, e.Path, e.Title)
}

// CodeInfo is one error code of §2 as api.json describes it.
type CodeInfo struct {
	Code    Code   `json:"code"`
	Name    string `json:"name"`    // the Code constant's name without "Code"
	Status  int    `json:"status"`  // the HTTP status that goes with it
	Section string `json:"section"` // the section that defines its trigger
	Trigger string `json:"trigger"` // what causes it, in a phrase
}

//go:embed api.json schemas/*.json
var files embed.FS

const schemaBase = "https://jmcheck.invalid/v1-2015/"

type api struct {
	Profile     string     `json:"profile"`
	CommonCodes []Code     `json:"common_codes"`
	Endpoints   []Endpoint `json:"endpoints"`
	Codes       []CodeInfo `json:"codes"`
}

type loaded struct {
	api     api
	byRoute [routeCount]Endpoint
	byCode  map[Code]CodeInfo
	schemas map[string]*jsonschema.Schema // by file name
	errBody *jsonschema.Schema
}

// load reads and checks the embedded API once. The route and code
// constants come from the same file (zz_api.go is generated from it), so
// every entry must sit where its constant says.
var load = sync.OnceValues(func() (*loaded, error) {
	raw, err := files.ReadFile("api.json")
	if err != nil {
		return nil, fmt.Errorf("spec: read api.json: %w", err)
	}
	l := &loaded{byCode: map[Code]CodeInfo{}, schemas: map[string]*jsonschema.Schema{}}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l.api); err != nil {
		return nil, fmt.Errorf("spec: parse api.json: %w", err)
	}
	if len(l.api.Endpoints) != int(routeCount)-1 {
		return nil, fmt.Errorf("spec: api.json has %d endpoints, the generated routes %d: run go test ./spec -update", len(l.api.Endpoints), routeCount-1)
	}
	for i := range l.api.Endpoints {
		e := &l.api.Endpoints[i]
		e.Route = Route(i + 1)
		if routeNames[e.Route] != e.Name {
			return nil, fmt.Errorf("spec: endpoint %d of api.json is %s, the generated route is %s: run go test ./spec -update", i, e.Name, routeNames[e.Route])
		}
		l.byRoute[e.Route] = *e
	}
	for _, c := range l.api.Codes {
		if codeNames[c.Code] != c.Name {
			return nil, fmt.Errorf("spec: code %d of api.json is %s, the generated constant says %q: run go test ./spec -update", c.Code, c.Name, codeNames[c.Code])
		}
		l.byCode[c.Code] = c
	}
	if len(l.byCode) != len(codeNames) {
		return nil, fmt.Errorf("spec: api.json has %d codes, the generated constants %d: run go test ./spec -update", len(l.byCode), len(codeNames))
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "jm-integer", Validate: validateIntegerLiteral})
	c.RegisterFormat(&jsonschema.Format{Name: "jm-datetime", Validate: validateDateTime})
	names, err := fs.Glob(files, "schemas/*.json")
	if err != nil {
		return nil, fmt.Errorf("spec: list schemas: %w", err)
	}
	for _, name := range names {
		b, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("spec: read %s: %w", name, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("spec: parse %s: %w", name, err)
		}
		if err := c.AddResource(schemaBase+strings.TrimPrefix(name, "schemas/"), doc); err != nil {
			return nil, fmt.Errorf("spec: add %s: %w", name, err)
		}
	}
	for _, name := range names {
		base := strings.TrimPrefix(name, "schemas/")
		sch, err := c.Compile(schemaBase + base)
		if err != nil {
			return nil, fmt.Errorf("spec: compile %s: %w", name, err)
		}
		l.schemas[base] = sch
	}
	l.errBody = l.schemas["error.json"]
	for _, e := range l.api.Endpoints {
		if e.Schema != "" && l.schemas[e.Schema] == nil {
			return nil, fmt.Errorf("spec: endpoint %s names schema %s, which does not exist", e.Key(), e.Schema)
		}
		for _, code := range e.Codes {
			if _, ok := l.byCode[code]; !ok {
				return nil, fmt.Errorf("spec: endpoint %s names code %d, which §2 lacks", e.Key(), code)
			}
		}
	}
	return l, nil
})

// get returns the embedded API. The embedded files are fixed at build time
// and a test loads them, so failing here is a build defect. The exported
// functions still return errors (or nothing) instead of panicking.
func get() (*loaded, error) { return load() }

// mustGet is get for the accessors of constants, whose table a test has
// proved loadable: a broken build answers "unknown" rather than panicking.
func mustGet() *loaded {
	l, err := get()
	if err != nil {
		return &loaded{byCode: map[Code]CodeInfo{}}
	}
	return l
}

// Endpoints returns every endpoint of the API, in api.json order.
func Endpoints() []Endpoint {
	l := mustGet()
	out := make([]Endpoint, 0, len(l.api.Endpoints))
	for _, e := range l.api.Endpoints {
		e.Codes = slices.Clone(e.Codes)
		out = append(out, e)
	}
	return out
}

// Codes returns every error code of §2, ascending.
func Codes() []CodeInfo {
	out := slices.Clone(mustGet().api.Codes)
	slices.SortFunc(out, func(a, b CodeInfo) int { return int(a.Code - b.Code) })
	return out
}

// CommonCodes returns the codes every endpoint may answer (auth, internal
// error, busy), ascending.
func CommonCodes() []Code {
	out := slices.Clone(mustGet().api.CommonCodes)
	slices.Sort(out)
	return out
}

// Doc is the normative text of the profile, inside the repository.
const Doc = "spec/PROFILE.md"

// Cite returns the citation of a section of the profile, such as
// "spec/PROFILE.md §3", for failure messages and reports.
func Cite(section string) string {
	if section == "" {
		return Doc
	}
	return Doc + " §" + section
}
