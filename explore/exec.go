package explore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"jmcheck/client"
	"jmcheck/ledger"
	"jmcheck/model"
	"jmcheck/spec"
	"jmcheck/steps/placeholder"
)

// setupPassword is the password of the suite's batch step (steps'
// "I register a batch of N fresh users").
const setupPassword = "pass-word-1"

// shownBody bounds the bytes of a request or answer body a trace keeps.
const shownBody = 4 << 10

// caseRun is one sequence against the target: its names, the model's
// state after each answer, and the exchanges so far.
type caseRun struct {
	r      *runner
	prefix string
	cast   map[string]UserSlot
	names  map[string]string // user alias → username, without its suffix
	gids   map[string]int64  // group alias → gid
	vars   map[string]string // remembered values
	state  *model.State
	led    *ledger.Ledger
	trace  []Exchange
}

// Exchange is one step as it ran: the request sent, the answer and the
// model's verdict.
type Exchange struct {
	Step     Step              `json:"step"`
	Path     string            `json:"path"`
	Body     string            `json:"body,omitempty"`
	Status   int               `json:"status"` // 0: no answer
	Answer   string            `json:"answer,omitempty"`
	Shown    string            `json:"-"` // request and answer, redacted, for the text report
	Diverged *model.Divergence `json:"-"`
}

// newCase starts a case with the users of a cast.
func (r *runner) newCase(users []UserSlot) *caseRun {
	n := r.cases.Add(1)
	prefix := r.opts.RunID + "." + strconv.FormatInt(n, 36) + "."
	cr := &caseRun{r: r, prefix: prefix, cast: map[string]UserSlot{}, names: map[string]string{}, gids: map[string]int64{}, vars: map[string]string{}}
	if r.opts.Debug != nil {
		fmt.Fprintf(r.opts.Debug, "--- case %s\n", prefix)
	}
	cr.led = ledger.New(prefix, nil)
	cr.state = model.New(model.Config{Limit: r.opts.Target.Limit(), Ours: cr.led.Ours})
	for _, u := range users {
		cr.cast[u.Alias] = u
		if u.Template != "" {
			continue
		}
		name := prefix + u.Alias
		if u.Size > len(name) {
			name += strings.Repeat("x", u.Size-len(name))
		} else if u.Size > 0 {
			name = name[:u.Size]
		}
		cr.names[u.Alias] = name
	}
	for _, u := range users {
		if u.Template != "" {
			name, err := placeholder.Expand(u.Template, cr)
			if err != nil {
				name = prefix + u.Alias // a hand-edited replay file
			}
			cr.names[u.Alias] = name
		}
	}
	return cr
}

// The placeholder environment of a case.
func (cr *caseRun) User(alias string) (string, error) {
	if n, ok := cr.names[alias]; ok {
		return n, nil
	}
	return "", fmt.Errorf("unknown user alias %q", alias)
}

func (cr *caseRun) GID(alias string) (int64, error) {
	if g, ok := cr.gids[alias]; ok {
		return g, nil
	}
	return 0, fmt.Errorf("group %q was never created", alias)
}

func (cr *caseRun) GroupName(alias string) string { return cr.prefix + "group-" + alias }
func (cr *caseRun) Var(name string) (string, bool) {
	v, ok := cr.vars[name]
	return v, ok
}
func (cr *caseRun) Limit() int { return cr.r.opts.Target.Limit() }

// errStop is a step that could not run: the run is over (the target is
// unusable, or the budget or a signal ended it).
type errStop struct{ err error }

func (e *errStop) Error() string { return e.err.Error() }
func (e *errStop) Unwrap() error { return e.err }

// run sends one step and judges its answer. It returns the divergence, if
// any, and an *errStop when the run cannot go on.
func (cr *caseRun) run(ctx context.Context, st Step) (*model.Divergence, error) {
	if st.Groups > 0 {
		return cr.runGroups(ctx, st)
	}
	return cr.send(ctx, st)
}

// runGroups sends the creates of a Groups step, as the suite's step does,
// keeping the last exchange (or the first that diverged) in the trace.
func (cr *caseRun) runGroups(ctx context.Context, st Step) (*model.Divergence, error) {
	owner, err := cr.User(st.Owner)
	if err != nil {
		return nil, &errStop{err}
	}
	for i := 1; i <= st.Groups; i++ {
		alias := st.NewGroup + strconv.Itoa(i)
		body, _ := json.Marshal(map[string]any{ // as steps' createGroup writes it
			"owner_username": owner, "group_name": cr.GroupName(alias),
			"members_username": []string{}, "group_desc": "made by jmcheck",
		})
		one := Step{Method: "POST", Path: "/v1/groups/", Body: string(body), HasBody: true, NewGroup: alias}
		div, err := cr.send(ctx, one)
		if err != nil {
			return nil, err
		}
		cr.trace[len(cr.trace)-1].Step = st
		if div != nil {
			return div, nil
		}
		if i < st.Groups {
			cr.trace = cr.trace[:len(cr.trace)-1]
		}
	}
	return nil, nil
}

// send sends one request and judges its answer.
func (cr *caseRun) send(ctx context.Context, st Step) (*model.Divergence, error) {
	req, err := cr.request(st)
	if err != nil {
		return nil, &errStop{err}
	}
	cr.noteBefore(req)
	ex, err := cr.r.c.Do(ctx, client.Request{Method: req.Method, Path: req.Path, Body: req.Body, HasBody: st.HasBody || st.Batch > 0})
	cr.r.ops.Add(1)
	x := Exchange{Step: st, Path: req.Path, Body: cut(string(req.Body))}
	var ue *client.UnusableError
	switch {
	case errors.As(err, &ue), ctx.Err() != nil:
		return nil, &errStop{err}
	case ex == nil:
		return nil, &errStop{err}
	}
	x.Shown = ex.Describe()
	x.Status = ex.Status
	x.Answer = cut(ex.Safe(string(ex.Body)))
	var div *model.Divergence
	switch {
	case err != nil && ex.Status == 0:
		div = &model.Divergence{Route: ex.Route, Section: "6", Want: "an answer", Got: "none: " + ex.Safe(err.Error()), Check: model.Check{Kind: model.CheckStatus}}
	case ex.Check() != nil:
		div = &model.Divergence{Route: ex.Route, Section: "1", Want: "an answer that keeps the rules every answer keeps", Got: ex.Safe(ex.Check().Error()), Check: model.Check{Kind: model.CheckShape}}
	default:
		var next *model.State
		next, div = cr.state.Step(req, model.Answer{Status: ex.Status, Body: ex.Body})
		if div == nil {
			cr.state = next
			cr.noteAfter(st, req, ex)
		}
	}
	x.Diverged = div
	cr.trace = append(cr.trace, x)
	if w := cr.r.opts.Debug; w != nil {
		fmt.Fprintf(w, "%s %s %s -> %d %s\n", req.Method, req.Path, cut(string(req.Body)), x.Status, x.Answer)
	}
	return div, nil
}

// request expands a step's templates into the request to send.
func (cr *caseRun) request(st Step) (model.Request, error) {
	path, err := placeholder.Expand(st.Path, cr)
	if err != nil {
		return model.Request{}, err
	}
	r := model.Request{Method: st.Method, Path: path}
	switch {
	case st.Batch > 0:
		items := make([]map[string]string, st.Batch)
		for i := range items {
			alias := st.BatchOf + strconv.Itoa(i+1)
			name := cr.prefix + alias
			cr.names[alias] = name
			items[i] = map[string]string{"username": name, "password": setupPassword}
		}
		r.Body, _ = json.Marshal(items) // strings always marshal
	case st.HasBody:
		body, err := placeholder.Expand(st.Body, cr)
		if err != nil {
			return model.Request{}, err
		}
		r.Body = []byte(body)
	}
	return r, nil
}

// noteBefore records in the ledger what the request may create.
func (cr *caseRun) noteBefore(r model.Request) {
	switch spec.Match(r.Method, r.Path) {
	case spec.RouteRegister:
		for _, it := range gjson.ParseBytes(r.Body).Array() {
			if u := it.Get("username"); u.Type == gjson.String {
				cr.led.Note(1, u.Str, ledger.Sent)
			}
		}
	case spec.RouteCreateGroup:
		if o := gjson.GetBytes(r.Body, "owner_username"); o.Type == gjson.String {
			cr.led.OwnerNamed(1, o.Str)
		}
	}
}

// noteAfter records what an answer the model allowed created or deleted,
// binds a new group's alias and remembers a message's msg_id.
func (cr *caseRun) noteAfter(st Step, r model.Request, ex *client.Exchange) {
	route := spec.Match(r.Method, r.Path)
	switch {
	case route == spec.RouteRegister && ex.Status == http.StatusCreated:
		for _, it := range gjson.ParseBytes(ex.Body).Array() {
			if u := it.Get("username"); u.Type == gjson.String && !it.Get("error").Exists() {
				cr.led.Note(1, u.Str, ledger.Created)
			}
		}
	case route == spec.RouteRegister && st.Batch > 0 && ex.Status >= 400 && ex.Status < 500:
		// A big batch refused whole (501 users): its names are its own,
		// sent nowhere else, so none exists and the cleanup need not send
		// 501 deletes. (A name of the cast may exist through an earlier
		// request whose answer was lost: it stays Sent.)
		for _, it := range gjson.ParseBytes(r.Body).Array() {
			if u := it.Get("username"); u.Type == gjson.String {
				cr.led.Note(1, u.Str, ledger.Refused)
			}
		}
	case route == spec.RouteCreateGroup && ex.Status == http.StatusCreated:
		if gid := gjson.GetBytes(ex.Body, "gid"); gid.Type == gjson.Number {
			cr.led.NoteGroup(1, gid.Int(), ledger.Created)
			if st.NewGroup != "" {
				cr.gids[st.NewGroup] = gid.Int()
			}
		}
	case route == spec.RouteDeleteGroup && ex.Status == http.StatusNoContent:
		if gid, err := strconv.ParseInt(strings.TrimSuffix(r.Path[len("/v1/groups/"):], "/"), 10, 64); err == nil {
			cr.led.NoteGroup(1, gid, ledger.Deleted)
		}
	case route == spec.RouteSendMessage && ex.Status == http.StatusOK:
		cr.vars[lastMsgVar] = gjson.GetBytes(ex.Body, "msg_id").Raw
	}
}

// lastMsgVar is the remembered msg_id of the last message sent.
const lastMsgVar = "last_msg_id"

// cleanup deletes what the case may have created.
func (cr *caseRun) cleanup(ctx context.Context) *ledger.Report {
	return cr.led.Cleanup(ctx, cr.r.c.ForCleanup(), ledger.Options{Workers: 16})
}

// cut shortens a shown body.
func cut(s string) string {
	if len(s) <= shownBody {
		return s
	}
	return s[:shownBody] + fmt.Sprintf("… (%d bytes in all)", len(s))
}
