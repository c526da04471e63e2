package steps

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"jmcheck/client"
	"jmcheck/ledger"
	"jmcheck/spec"
	"jmcheck/target"
)

// Authorization variants of spec/PROFILE.md §1 that "the next request
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

func (r request) appOf() int {
	if r.app == 2 || r.auth == authSecondApp {
		return 2
	}
	return 1
}

// errNoRequest is the error of an assertion on the answer before a
// request was sent: a defect of the feature file.
var errNoRequest = errors.New("no request yet: send one before asserting on its answer")

// answer returns the scenario's last exchange: the preamble of every step
// that judges the answer.
func (st *scenario) answer() (*client.Exchange, error) {
	if st.last == nil {
		return nil, errNoRequest
	}
	return st.last, nil
}

// send performs a request without judging the answer: the Given helpers
// and the read-backs use it directly; steps use do, which also checks it.
// The ledger hears of everything the request may create before it leaves.
func (st *scenario) send(ctx context.Context, r request) (*client.Exchange, error) {
	if strings.EqualFold(r.headers.Get("X-Fault-Inject"), "busy") {
		// Every retry would be busy too; the scenario wants to see it. Real
		// shedding of an "internal" request is retried like any other.
		r.noRetry = true
	}
	cr := client.Request{
		Method: r.method, Path: r.path, Body: r.body, HasBody: r.hasBody, ContentType: r.contentType,
		App: r.app, Header: r.headers, Chunked: r.chunked, NoBusyRetry: r.noRetry,
	}
	if r.auth != "" {
		v, err := st.authorization(r)
		if err != nil {
			return nil, err
		}
		cr.Authorization = v
	}
	route := spec.Match(r.method, r.path)
	st.noteRequest(route, r)
	ex, err := st.suite.client.Do(ctx, cr)
	switch {
	case ex != nil && ex.Status != 0:
		st.noteAnswer(route, r, ex)
	case route == spec.RouteRegister && err != nil:
		for _, name := range registerNames(r) { // no answer: they may exist, even later
			if name != "" {
				st.suite.ledger.Note(r.appOf(), name, ledger.Unanswered)
			}
		}
	}
	if err != nil {
		var tl *client.TooLargeError
		if errors.As(err, &tl) {
			return ex, st.failWith(ex, "%v", err)
		}
		if ex != nil && ex.URL != "" {
			return ex, fmt.Errorf("%w\n%s", err, ex.Describe())
		}
		return ex, err
	}
	return ex, nil
}

// authorization returns the header values of an auth variant.
func (st *scenario) authorization(r request) ([]string, error) {
	t := st.suite.cfg.Target
	key, secret := t.AppKey, t.Secret
	if r.app == 2 {
		key, secret = t.AppKey2, t.Secret2
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	switch r.auth {
	case authSecondApp:
		if !t.HasSecondApp() {
			return nil, errors.New("this step needs a second app: give --appkey2 and --secret2 and tag the scenario @two-apps")
		}
		return []string{t.Auth2()}, nil
	case authNone:
		return []string{}, nil
	case authEmpty:
		return []string{""}, nil
	case authBearer:
		return []string{"Bearer " + b64(key+":"+secret)}, nil
	case authBadBase64:
		return []string{"Basic !!not*base64!!"}, nil
	case authNoColon:
		return []string{"Basic " + b64(key+secret)}, nil
	case authUnknownAppKey:
		return []string{target.BasicAuth("jmcheck-unknown-"+randomName(12), secret)}, nil
	case authWrongSecret:
		return []string{target.BasicAuth(key, secret+"-wrong")}, nil
	}
	return nil, fmt.Errorf("unknown authorization variant %q", r.auth)
}

// noteRequest tells the ledger, before the request leaves, what it may
// create: every username of a register body, the owner of a group create.
func (st *scenario) noteRequest(route spec.Route, r request) {
	l := st.suite.ledger
	app := r.appOf()
	switch route {
	case spec.RouteRegister:
		for _, name := range registerNames(r) {
			if name != "" {
				l.Note(app, name, ledger.Sent)
			}
		}
	case spec.RouteCreateGroup:
		if r.hasBody && spec.CheckJSON(r.body) == nil {
			if o := gjson.GetBytes(r.body, "owner_username"); o.Type == gjson.String {
				l.OwnerNamed(app, o.Str)
			}
		}
	case spec.RouteDeleteUser:
		if name, ok := lastSegment(r.path); ok {
			l.Note(app, name, ledger.Deleting)
		}
	case spec.RouteDeleteGroup:
		if gid, ok := gidOf(r.path); ok {
			l.NoteGroup(app, gid, ledger.Deleting)
		}
	}
}

// registerNames returns the username of each item of a register body, ""
// for an item without one.
func registerNames(r request) []string {
	if !r.hasBody || spec.CheckJSON(r.body) != nil {
		return nil
	}
	var out []string
	gjson.ParseBytes(r.body).ForEach(func(_, item gjson.Result) bool {
		u := item.Get("username")
		if u.Type == gjson.String {
			out = append(out, u.Str)
		} else {
			out = append(out, "")
		}
		return true
	})
	return out
}

// noteAnswer tells the ledger what an answer created or deleted, and keeps
// the scenario's own users and groups (those the list walks look for) in
// step.
func (st *scenario) noteAnswer(route spec.Route, r request, ex *client.Exchange) {
	l := st.suite.ledger
	app := r.appOf()
	switch {
	case route == spec.RouteRegister && ex.Status == http.StatusCreated:
		doc, err := ex.JSON()
		if err != nil {
			return
		}
		sent := registerNames(r)
		for i, it := range doc.Array() {
			u := it.Get("username")
			switch {
			case !it.Get("error").Exists() && u.Type == gjson.String:
				l.Note(app, u.Str, ledger.Created)
				if app == 1 && !slices.Contains(st.ownUsers, u.Str) {
					st.ownUsers = append(st.ownUsers, u.Str)
				}
			case it.Get("error").Exists() && i < len(sent) && sent[i] != "":
				l.Note(app, sent[i], ledger.Refused)
			}
		}
	case route == spec.RouteRegister && ex.Status >= 400 && ex.Status < 500:
		for _, name := range registerNames(r) { // refused whole: nothing of it was applied (§2)
			if name != "" {
				l.Note(app, name, ledger.Refused)
			}
		}
	case route == spec.RouteDeleteUser && ex.Status == http.StatusNoContent:
		if name, ok := lastSegment(r.path); ok {
			l.Note(app, name, ledger.Deleted)
			if app == 1 {
				st.ownUsers = slices.DeleteFunc(st.ownUsers, func(u string) bool { return u == name })
			}
		}
	case route == spec.RouteCreateGroup && ex.Status == http.StatusCreated:
		if gid := ex.Get("gid"); spec.IsPositiveInteger(gid) {
			l.NoteGroup(app, gid.Int(), ledger.Created)
			if app == 1 && !slices.Contains(st.ownGroups, gid.Int()) {
				st.ownGroups = append(st.ownGroups, gid.Int())
			}
		}
	case route == spec.RouteDeleteGroup && ex.Status == http.StatusNoContent:
		if gid, ok := gidOf(r.path); ok {
			l.NoteGroup(app, gid, ledger.Deleted)
			if app == 1 {
				st.ownGroups = slices.DeleteFunc(st.ownGroups, func(g int64) bool { return g == gid })
			}
		}
	}
}

// do sends a step's request, records it as the scenario's last exchange and
// applies the automatic checks; their failure fails the step.
func (st *scenario) do(ctx context.Context, r request) (*client.Exchange, error) {
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
	if ex != nil && ex.Status != 0 {
		st.last = ex
	}
	if err != nil {
		return ex, err
	}
	if err := ex.Check(); err != nil {
		return ex, st.failf("the answer breaks the profile whatever the scenario expects:\n%v", err)
	}
	return ex, nil
}

// probe sends a request for a Given step or a read-back, applies the
// automatic checks, and leaves the scenario's last exchange alone, so that
// a read-back between assertions does not change what they look at.
func (st *scenario) probe(ctx context.Context, r request) (*client.Exchange, error) {
	ex, err := st.send(ctx, r)
	if err != nil {
		return ex, err
	}
	if err := ex.Check(); err != nil {
		return ex, st.failWith(ex, "the answer breaks the profile whatever the scenario expects:\n%v", err)
	}
	return ex, nil
}

// read is a probe GET of path that must answer 200; what names the
// resource in the failure ("the groups of \"alice\"").
func (st *scenario) read(ctx context.Context, path, what string) (*client.Exchange, error) {
	ex, err := st.probe(ctx, request{method: http.MethodGet, path: path})
	if err != nil {
		return ex, err
	}
	if ex.Status != http.StatusOK {
		return ex, st.failWith(ex, "reading %s: want HTTP 200, got %d", what, ex.Status)
	}
	return ex, nil
}

// lastSegment returns the decoded last path segment of a path.
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

func gidOf(path string) (int64, bool) {
	s, ok := lastSegment(path)
	if !ok {
		return 0, false
	}
	gid, err := strconv.ParseInt(s, 10, 64)
	return gid, err == nil && gid > 0
}

// failf returns a step failure that explains itself: the message, the
// sections of the scenario and endpoint, and the last exchange.
func (st *scenario) failf(format string, args ...any) error {
	return st.failWith(st.last, format, args...)
}

func (st *scenario) failWith(ex *client.Exchange, format string, args ...any) error {
	var b strings.Builder
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = target.Printable(s) // it may quote the target
		}
	}
	fmt.Fprintf(&b, format, args...)
	b.WriteString("\n")
	var refs []string
	for _, s := range st.specs {
		refs = append(refs, "§"+s)
	}
	var ep spec.Endpoint
	if ex != nil && ex.Route.Known() {
		ep = ex.Route.Endpoint()
	}
	if len(refs) > 0 {
		fmt.Fprintf(&b, "rule: %s %s", spec.Doc, strings.Join(refs, ", "))
		if ep.Path != "" {
			fmt.Fprintf(&b, "; endpoint: %s", ep.Ref())
		}
		b.WriteString("\n")
	} else if ep.Path != "" {
		fmt.Fprintf(&b, "rule: %s\n", ep.Ref())
	}
	if ex != nil {
		b.WriteString(ex.Describe())
	}
	// The message may quote what the target sent back: scrub it.
	return errors.New(strings.TrimRight(st.suite.client.Scrubber().String(b.String()), "\n"))
}

// userPath returns the path of a user, escaping what a path cannot carry
// raw (names a server should have refused may hold anything).
func userPath(name string) string { return "/v1/users/" + url.PathEscape(name) }

// groupPath returns the path of a group.
func groupPath(gid int64) string { return "/v1/groups/" + strconv.FormatInt(gid, 10) }
