package steps

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"jmcheck/spec"
	"jmcheck/target"
)

// Authorization variants of SPEC.md §1 that "the next request
// authenticates with ..." selects.
const (
	authNone          = "no Authorization header"
	authEmpty         = "an empty Authorization header"
	authBearer        = "the Bearer scheme"
	authBadBase64     = "undecodable base64"
	authNoColon       = "base64 without a colon"
	authUnknownAppKey = "an unknown appKey"
	authWrongSecret   = "a wrong secret"
	authSecondApp     = "the second app"
)

// request is one HTTP request of a step.
type request struct {
	method      string
	path        string // after placeholder expansion; may hold a query
	body        []byte
	hasBody     bool
	contentType string // "" = application/json when there is a body
	app         int    // 0 or 1 = first app, 2 = second app
	auth        string // "" = the app's credentials; else an auth* variant
	headers     http.Header
	chunked     bool // send the body with chunked transfer encoding
	noRetry     bool // do not retry a 503 899030 (the scenario wants to see it)
}

// exchange is a request and its answer, kept for assertions and for the
// failure message.
type exchange struct {
	method   string
	url      string
	reqHdr   http.Header
	reqBody  []byte
	endpoint *spec.Endpoint // nil when the request hits no endpoint of the API
	status   int
	respHdr  http.Header
	body     []byte
	took     time.Duration
	attempts int
}

// code returns the error code of the answer, 0 when it has none.
func (ex *exchange) code() int64 {
	if ex == nil || !gjson.ValidBytes(ex.body) {
		return 0
	}
	return gjson.GetBytes(ex.body, "error.code").Int()
}

// shed reports whether the answer sheds load (SPEC.md §6): 503 899030, or
// for HEAD, which has no body, 503 with Retry-After.
func (ex *exchange) shed() bool {
	if ex.status != http.StatusServiceUnavailable {
		return false
	}
	if ex.method == http.MethodHead {
		return ex.respHdr.Get("Retry-After") != ""
	}
	return ex.code() == 899030
}

// maxBusyRetries bounds the retries of a request shed with 503 899030: load
// shedding is legitimate (SPEC.md §7a lets it come before anything), and a
// shed request changed nothing, so retrying it is safe.
const maxBusyRetries = 5

// send performs a request without judging the answer: the Given helpers and
// the cleanup use it directly; steps use do, which also checks it.
func (st *scenario) send(ctx context.Context, r request) (*exchange, error) {
	return st.suite.send(ctx, r)
}

func (s *Suite) send(ctx context.Context, r request) (*exchange, error) {
	if strings.EqualFold(r.headers.Get("X-Fault-Inject"), "busy") {
		// Every retry would be busy too; the scenario wants to see it. Real
		// shedding of an "internal" request is retried like any other.
		r.noRetry = true
	}
	s.ledger.noteRequest(r)
	var ex *exchange
	var err error
	for attempt := 1; ; attempt++ {
		ex, err = s.sendOnce(ctx, r)
		if err != nil {
			return ex, err
		}
		ex.attempts = attempt
		if r.noRetry || attempt > maxBusyRetries || !ex.shed() {
			break
		}
		select {
		case <-ctx.Done():
			return ex, fmt.Errorf("%s %s: %w", r.method, r.path, ctx.Err())
		case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		}
	}
	s.ledger.noteResponse(r, ex)
	return ex, nil
}

func (s *Suite) sendOnce(ctx context.Context, r request) (*exchange, error) {
	u := s.cfg.Target.URL(r.path)
	var body io.Reader
	if r.hasBody {
		if r.chunked {
			// A reader of unknown length makes net/http send the body chunked.
			body = io.MultiReader(bytes.NewReader(r.body))
		} else {
			body = bytes.NewReader(r.body)
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build request %s %s: %w (check the path in the feature file)", r.method, u, err)
	}
	if r.hasBody {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
		if r.chunked {
			req.ContentLength = -1
		}
	}
	req.Header.Set("Accept", "application/json")
	if err := s.setAuth(req.Header, r); err != nil {
		return nil, err
	}
	for k, vs := range r.headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	ex := &exchange{method: r.method, url: u, reqHdr: req.Header.Clone(), reqBody: r.body}
	if e, ok := spec.Match(r.method, req.URL.EscapedPath()); ok {
		ex.endpoint = &e
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	ex.took = time.Since(start)
	if err != nil {
		if req.Context().Err() != nil {
			// The run was interrupted or timed out: not the server's fault.
			return ex, fmt.Errorf("request abandoned after %s: %w\n%s", ex.took.Round(time.Millisecond), context.Cause(req.Context()), ex.describe())
		}
		return ex, fmt.Errorf("no answer after %s: %w (a server must answer, also under load: SPEC.md §6)\n%s", ex.took.Round(time.Millisecond), err, ex.describe())
	}
	defer resp.Body.Close()
	ex.status = resp.StatusCode
	ex.respHdr = resp.Header
	ex.body, err = io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return ex, fmt.Errorf("reading the answer: %w\n%s", err, ex.describe())
	}
	return ex, nil
}

func (s *Suite) setAuth(h http.Header, r request) error {
	t := s.cfg.Target
	key, secret := t.AppKey, t.Secret
	if r.app == 2 {
		if !t.HasSecondApp() {
			return errors.New("this step needs a second app: give --appkey2 and --secret2 and tag the scenario @two-apps")
		}
		key, secret = t.AppKey2, t.Secret2
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	switch r.auth {
	case "":
		h.Set("Authorization", target.BasicAuth(key, secret))
	case authSecondApp:
		if !t.HasSecondApp() {
			return errors.New("this step needs a second app: give --appkey2 and --secret2 and tag the scenario @two-apps")
		}
		h.Set("Authorization", target.BasicAuth(t.AppKey2, t.Secret2))
	case authNone:
	case authEmpty:
		h["Authorization"] = []string{""}
	case authBearer:
		h.Set("Authorization", "Bearer "+b64(key+":"+secret))
	case authBadBase64:
		h.Set("Authorization", "Basic !!not*base64!!")
	case authNoColon:
		h.Set("Authorization", "Basic "+b64(key+secret))
	case authUnknownAppKey:
		h.Set("Authorization", target.BasicAuth("jmcheck-unknown-"+randomName(12), secret))
	case authWrongSecret:
		h.Set("Authorization", target.BasicAuth(key, secret+"-wrong"))
	default:
		return fmt.Errorf("unknown authorization variant %q", r.auth)
	}
	return nil
}

// check applies the rules every answer must keep, whatever the scenario
// expects (SPEC.md §1, §2, §6, §7a): a body is JSON with a JSON content
// type; an error is the error body with the status of its code; a known
// endpoint's success matches its schema; 405 has Allow; 503 899030 has a
// whole Retry-After of at least 1.
func (ex *exchange) check() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if ex.method == http.MethodHead {
		// A HEAD answer has no body to judge (RFC 9110); SPEC.md §7a asks
		// only that it is not a 5xx, which the scenario checks.
		if ex.status == http.StatusMethodNotAllowed && ex.respHdr.Get("Allow") == "" {
			return errors.New("a 405 answer carries an Allow header (SPEC.md §1)")
		}
		return nil
	}
	hasBody := len(bytes.TrimSpace(ex.body)) > 0
	if hasBody {
		if mt := mediaType(ex.respHdr.Get("Content-Type")); mt != "application/json" {
			add("Content-Type is %q; every answer with a body is application/json (SPEC.md §1)", ex.respHdr.Get("Content-Type"))
		}
		if !gjson.ValidBytes(ex.body) {
			add("the body is not valid JSON (SPEC.md §1)")
		}
	}
	switch {
	case ex.endpoint != nil && ex.status != http.StatusMethodNotAllowed:
		if err := spec.Validate(ex.endpoint.Key(), ex.status, ex.body); err != nil {
			add("%v", err)
		}
	case ex.status == http.StatusNotFound || ex.status == http.StatusMethodNotAllowed:
		// May be empty; a body must be JSON, checked above.
	case ex.status >= 400 && ex.status < 600:
		if err := spec.CheckError(ex.status, ex.body); err != nil {
			add("%v", err)
		}
	}
	if ex.status == http.StatusMethodNotAllowed && ex.respHdr.Get("Allow") == "" {
		add("a 405 answer carries an Allow header (SPEC.md §1)")
	}
	if ex.status == http.StatusServiceUnavailable && ex.code() == 899030 {
		if _, err := retryAfter(ex.respHdr); err != nil {
			add("%v", err)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "\n"))
}

// retryAfter parses Retry-After as SPEC.md §7a has it: whole seconds ≥ 1.
func retryAfter(h http.Header) (int, error) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, errors.New("a 503 899030 answer carries Retry-After (SPEC.md §6)")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || strings.HasPrefix(v, "+") {
		return 0, fmt.Errorf("Retry-After %q is not a whole number of seconds ≥ 1 (SPEC.md §7a)", v)
	}
	return n, nil
}

func mediaType(ct string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// do sends a step's request, records it as the scenario's last exchange and
// applies the automatic checks; their failure fails the step.
func (st *scenario) do(ctx context.Context, r request) (*exchange, error) {
	if st.next.auth != "" && r.auth == "" {
		r.auth = st.next.auth
	}
	if len(st.next.headers) > 0 {
		if r.headers == nil {
			r.headers = http.Header{}
		}
		for k, vs := range st.next.headers {
			r.headers[k] = append(r.headers[k], vs...)
		}
	}
	st.next.auth, st.next.headers = "", nil
	ex, err := st.send(ctx, r)
	if ex != nil {
		st.last = ex
	}
	if err != nil {
		return ex, err
	}
	if err := ex.check(); err != nil {
		return ex, st.failf("the answer breaks SPEC.md whatever the scenario expects:\n%v", err)
	}
	if appOf(r) == 1 {
		st.track(ex)
	}
	return ex, nil
}

// track keeps the scenario's own users and groups (those the list walks
// look for) in step with what its requests created and deleted.
func (st *scenario) track(ex *exchange) {
	if ex.endpoint == nil {
		return
	}
	switch {
	case ex.endpoint.Key() == "POST /v1/users/" && ex.status == http.StatusCreated:
		for _, it := range gjson.ParseBytes(ex.body).Array() {
			if u := it.Get("username"); !it.Get("error").Exists() && u.Type == gjson.String && !slices.Contains(st.ownUsers, u.Str) {
				st.ownUsers = append(st.ownUsers, u.Str)
			}
		}
	case ex.endpoint.Key() == "DELETE /v1/users/{username}" && ex.status == http.StatusNoContent:
		if name, ok := lastSegment(ex.url); ok {
			st.ownUsers = slices.DeleteFunc(st.ownUsers, func(u string) bool { return u == name })
		}
	case ex.endpoint.Key() == "POST /v1/groups/" && ex.status == http.StatusCreated:
		if gid := gjson.GetBytes(ex.body, "gid").Int(); gid > 0 && !slices.Contains(st.ownGroups, gid) {
			st.ownGroups = append(st.ownGroups, gid)
		}
	case ex.endpoint.Key() == "DELETE /v1/groups/{gid}" && ex.status == http.StatusNoContent:
		if s, ok := lastSegment(ex.url); ok {
			gid, _ := strconv.ParseInt(s, 10, 64)
			st.ownGroups = slices.DeleteFunc(st.ownGroups, func(g int64) bool { return g == gid })
		}
	}
}

// lastSegment returns the decoded last path segment of a URL.
func lastSegment(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	p := strings.TrimSuffix(u.Path, "/")
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", false
	}
	return p[i+1:], true
}

// failf returns a step failure that explains itself: the message, the
// SPEC.md sections of the scenario and endpoint, and the last exchange.
func (st *scenario) failf(format string, args ...any) error {
	return st.failWith(st.last, format, args...)
}

func (st *scenario) failWith(ex *exchange, format string, args ...any) error {
	var b strings.Builder
	fmt.Fprintf(&b, format, args...)
	b.WriteString("\n")
	var refs []string
	for _, s := range st.specs {
		refs = append(refs, "§"+s)
	}
	if len(refs) > 0 {
		fmt.Fprintf(&b, "rule: SPEC.md %s", strings.Join(refs, ", "))
		if ex != nil && ex.endpoint != nil {
			fmt.Fprintf(&b, "; endpoint: %s", ex.endpoint.Ref())
		}
		b.WriteString("\n")
	} else if ex != nil && ex.endpoint != nil {
		fmt.Fprintf(&b, "rule: %s\n", ex.endpoint.Ref())
	}
	if ex != nil {
		b.WriteString(ex.describe())
	}
	return errors.New(strings.TrimRight(b.String(), "\n"))
}

const maxShown = 1500

// describe renders the exchange for a failure message, with the
// Authorization header redacted and long bodies truncated.
func (ex *exchange) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request:  %s %s\n", ex.method, ex.url)
	writeHeaders(&b, ex.reqHdr)
	writeBody(&b, ex.reqBody)
	if ex.status == 0 {
		b.WriteString("response: none\n")
		return b.String()
	}
	retries := ""
	if ex.attempts > 1 {
		retries = fmt.Sprintf(", attempt %d after 503 899030", ex.attempts)
	}
	fmt.Fprintf(&b, "response: HTTP %d %s (%s%s)\n", ex.status, http.StatusText(ex.status), ex.took.Round(time.Microsecond), retries)
	writeHeaders(&b, ex.respHdr)
	writeBody(&b, ex.body)
	return b.String()
}

func writeHeaders(b *strings.Builder, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			if strings.EqualFold(k, "Authorization") {
				v = target.Redact(v)
			}
			fmt.Fprintf(b, "  %s: %s\n", k, v)
		}
	}
}

func writeBody(b *strings.Builder, body []byte) {
	if len(body) == 0 {
		b.WriteString("  (no body)\n")
		return
	}
	if len(body) > maxShown {
		fmt.Fprintf(b, "  %s… (%d bytes in all)\n", body[:maxShown], len(body))
		return
	}
	fmt.Fprintf(b, "  %s\n", body)
}

// userPath returns the path of a user, escaping what a path cannot carry
// raw (names a server should have refused may hold anything).
func userPath(name string) string { return "/v1/users/" + url.PathEscape(name) }
