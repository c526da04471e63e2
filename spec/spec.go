// Package spec owns the machine-readable API of profile v1-2015 (SPEC.md):
// the endpoints with their path templates, success statuses and SPEC.md
// sections, the error codes of §2 with their HTTP statuses, and a JSON Schema
// (draft 2020-12) for every response body and for the error body. Everything
// is embedded, so the harness carries it into any folder. The harness side
// reads it; the reference server never does.
//
// Path templates name their variables in braces: /v1/users/{username},
// /v1/groups/{gid}. An endpoint's key is "METHOD PATH" (for Validate) and its
// feature-file tag is "@endpoint:METHOD:PATH".
package spec

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Profile is the name of the API reading this package describes.
const Profile = "v1-2015"

// Tag prefixes of the feature files. A scenario carries one or more
// "@endpoint:METHOD:PATH" tags (or TagNoEndpoint when it exercises no
// endpoint of the API, such as an unknown path), one "@code:NNNNNN" tag per
// error code it asserts (none on a happy path), and "@spec:N" tags naming
// the SPEC.md sections of its rule.
const (
	TagEndpointPrefix = "@endpoint:"
	TagCodePrefix     = "@code:"
	TagSpecPrefix     = "@spec:"
	TagNoEndpoint     = "@endpoint:none"
)

// Endpoint is one operation of the API.
type Endpoint struct {
	Method  string `json:"method"`
	Path    string `json:"path"`    // template, e.g. /v1/users/{username}
	Section string `json:"section"` // SPEC.md section, e.g. "3"
	Title   string `json:"title"`   // what it does, e.g. "batch register"
	Status  int    `json:"status"`  // the documented success status
	Schema  string `json:"schema"`  // schema file of the success body; "" when it has none
	Codes   []int  `json:"codes"`   // the error codes specific to it (CommonCodes apply too)
}

// Key returns "METHOD PATH", the key Validate takes.
func (e Endpoint) Key() string { return e.Method + " " + e.Path }

// Tag returns the feature-file tag that names the endpoint.
func (e Endpoint) Tag() string { return TagEndpointPrefix + e.Method + ":" + e.Path }

// Ref returns the SPEC.md reference of the endpoint, for failure messages.
func (e Endpoint) Ref() string {
	return fmt.Sprintf("SPEC.md §%s, %s %s (%s)", e.Section, e.Method, e.Path, e.Title)
}

// Code is one error code of SPEC.md §2.
type Code struct {
	Code    int    `json:"code"`
	Status  int    `json:"status"`
	Section string `json:"section"` // the SPEC.md section that defines its trigger
	Trigger string `json:"trigger"`
}

//go:embed api.json schemas/*.json
var files embed.FS

const schemaBase = "https://jmcheck.invalid/v1-2015/"

type api struct {
	Profile     string     `json:"profile"`
	CommonCodes []int      `json:"common_codes"`
	Endpoints   []Endpoint `json:"endpoints"`
	Codes       []Code     `json:"codes"`
}

type loaded struct {
	api     api
	byKey   map[string]Endpoint
	byCode  map[int]Code
	schemas map[string]*jsonschema.Schema // by file name
	errBody *jsonschema.Schema
}

var load = sync.OnceValues(func() (*loaded, error) {
	raw, err := files.ReadFile("api.json")
	if err != nil {
		return nil, fmt.Errorf("spec: read api.json: %w", err)
	}
	l := &loaded{byKey: map[string]Endpoint{}, byCode: map[int]Code{}, schemas: map[string]*jsonschema.Schema{}}
	if err := json.Unmarshal(raw, &l.api); err != nil {
		return nil, fmt.Errorf("spec: parse api.json: %w", err)
	}
	for _, e := range l.api.Endpoints {
		l.byKey[e.Key()] = e
	}
	for _, c := range l.api.Codes {
		l.byCode[c.Code] = c
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
	}
	return l, nil
})

// get returns the embedded API. The embedded files are fixed at build time
// and a test compiles them, so failing here is a build defect; the exported
// functions still return errors (or nothing) instead of panicking.
func get() (*loaded, error) { return load() }

// Endpoints returns every endpoint of the API, in SPEC.md order.
func Endpoints() []Endpoint {
	l, err := get()
	if err != nil {
		return nil
	}
	out := make([]Endpoint, len(l.api.Endpoints))
	for i, e := range l.api.Endpoints {
		e.Codes = slices.Clone(e.Codes)
		out[i] = e
	}
	return out
}

// Codes returns every error code of SPEC.md §2, ascending.
func Codes() []Code {
	l, err := get()
	if err != nil {
		return nil
	}
	out := slices.Clone(l.api.Codes)
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// CommonCodes returns the codes every endpoint may answer (auth, internal
// error, busy), ascending.
func CommonCodes() []int {
	l, err := get()
	if err != nil {
		return nil
	}
	out := slices.Clone(l.api.CommonCodes)
	slices.Sort(out)
	return out
}

// Lookup returns the endpoint with the key "METHOD PATH".
func Lookup(key string) (Endpoint, bool) {
	l, err := get()
	if err != nil {
		return Endpoint{}, false
	}
	e, ok := l.byKey[key]
	return e, ok
}

// LookupCode returns the §2 entry of an error code.
func LookupCode(code int) (Code, bool) {
	l, err := get()
	if err != nil {
		return Code{}, false
	}
	c, ok := l.byCode[code]
	return c, ok
}

// Match returns the endpoint that serves a request: the method and the
// request's path (raw or decoded, with or without a query string or a
// trailing slash; SPEC.md §1 treats /v1/users and /v1/users/ alike).
func Match(method, path string) (Endpoint, bool) {
	for _, e := range MatchPath(path) {
		if e.Method == method {
			return e, true
		}
	}
	return Endpoint{}, false
}

// MatchPath returns every endpoint whose path template matches the path,
// whatever its method: the methods a 405's Allow header should list.
func MatchPath(path string) []Endpoint {
	l, err := get()
	if err != nil {
		return nil
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	segs := splitPath(path)
	var out []Endpoint
	for _, e := range l.api.Endpoints {
		tmpl := splitPath(e.Path)
		if len(tmpl) != len(segs) {
			continue
		}
		ok := true
		for i, t := range tmpl {
			if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
				if segs[i] == "" {
					ok = false
				}
				continue
			}
			if t != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Validate checks a response of the endpoint with the key "METHOD PATH"
// against SPEC.md: a 2xx must be the documented success status with a body
// that matches the endpoint's schema (or no body where the endpoint has
// none); a 4xx or 5xx must carry the error body of §1 whose code has that
// HTTP status in §2; 404 and 405 may have an empty body, and a body they
// have must be JSON. The error says what is wrong and where the rule is.
func Validate(endpointKey string, status int, body []byte) error {
	l, err := get()
	if err != nil {
		return err
	}
	e, ok := l.byKey[endpointKey]
	if !ok {
		return fmt.Errorf("spec: no endpoint %q in profile %s: use a key like \"GET /v1/users/{username}\"", endpointKey, Profile)
	}
	switch {
	case status >= 200 && status < 300:
		if status != e.Status {
			return fmt.Errorf("status %d is not the documented success status %d of %s", status, e.Status, e.Ref())
		}
		if e.Schema == "" {
			if len(bytes.TrimSpace(body)) != 0 {
				return fmt.Errorf("a %d answer has no body, got %d bytes (%s)", status, len(body), e.Ref())
			}
			return nil
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return fmt.Errorf("the %d answer has an empty body; %s documents a JSON body", status, e.Ref())
		}
		if err := validate(l.schemas[e.Schema], body); err != nil {
			return fmt.Errorf("the %d body does not match schema %s (%s): %w", status, e.Schema, e.Ref(), err)
		}
		return nil
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return validateOptionalJSON(status, body)
	case status >= 400 && status < 600:
		return CheckError(status, body)
	default:
		return fmt.Errorf("status %d is neither a success nor an error status of %s", status, e.Ref())
	}
}

// ValidateError checks that a body is the error body of SPEC.md §1:
// {"error":{"code":<integer>,"message":"<non-empty string>"}} and nothing else.
func ValidateError(body []byte) error {
	l, err := get()
	if err != nil {
		return err
	}
	if err := validate(l.errBody, body); err != nil {
		return fmt.Errorf("not the error body of SPEC.md §1 ({\"error\":{\"code\":<int>,\"message\":\"<text>\"}}): %w", err)
	}
	return nil
}

// CheckError checks an error response wherever it comes from: the body is
// the error body of §1, its code is one of §2, and the HTTP status is that
// code's status (§2: "the code and the HTTP status are normative").
func CheckError(status int, body []byte) error {
	if err := ValidateError(body); err != nil {
		return fmt.Errorf("HTTP %d: %w", status, err)
	}
	var eb struct {
		Error struct {
			Code int `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &eb); err != nil {
		return fmt.Errorf("HTTP %d: error body: %w", status, err)
	}
	c, ok := LookupCode(eb.Error.Code)
	if !ok {
		return fmt.Errorf("HTTP %d: error code %d is not in SPEC.md §2", status, eb.Error.Code)
	}
	if c.Status != status {
		return fmt.Errorf("error code %d goes with HTTP %d in SPEC.md §2, got HTTP %d", c.Code, c.Status, status)
	}
	return nil
}

func validateOptionalJSON(status int, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if !json.Valid(body) {
		return fmt.Errorf("HTTP %d: a body, when there is one, is JSON (SPEC.md §1); got %d bytes that are not", status, len(body))
	}
	return nil
}

func validate(sch *jsonschema.Schema, body []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not valid JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return errors.New(flatten(ve))
		}
		return err
	}
	return nil
}

// flatten turns the validator's multi-line report into one line, dropping
// the schema URL header that says nothing to a reader of a failure.
func flatten(ve *jsonschema.ValidationError) string {
	var parts []string
	for _, line := range strings.Split(ve.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		if line == "" || strings.HasPrefix(line, "jsonschema validation failed") {
			continue
		}
		parts = append(parts, line)
	}
	if len(parts) == 0 {
		return ve.Error()
	}
	return strings.Join(parts, "; ")
}

// validateIntegerLiteral is format jm-integer: SPEC.md §7a writes integers
// without fraction or exponent, which "type": "integer" alone lets through
// (1.0 is an integer to JSON Schema).
func validateIntegerLiteral(v any) error {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	if strings.ContainsAny(string(n), ".eE") {
		return fmt.Errorf("%s is not written as an integer (no fraction, no exponent)", n)
	}
	return nil
}

// DateTimeLayout is the time format of SPEC.md §7, as a Go layout.
const DateTimeLayout = "2006-01-02 15:04:05"

// validateDateTime is format jm-datetime: YYYY-MM-DD HH:MM:SS on a real
// calendar date (time.Parse rejects February 30).
func validateDateTime(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if _, err := ParseTime(s); err != nil {
		return err
	}
	return nil
}

// ParseTime parses a SPEC.md §7 time (YYYY-MM-DD HH:MM:SS, a real calendar
// date). The result is in UTC because the zone is implementation-defined.
func ParseTime(s string) (time.Time, error) {
	if len(s) != len(DateTimeLayout) {
		return time.Time{}, fmt.Errorf("%q is not YYYY-MM-DD HH:MM:SS", s)
	}
	t, err := time.Parse(DateTimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a real YYYY-MM-DD HH:MM:SS time: %w", s, err)
	}
	return t, nil
}
