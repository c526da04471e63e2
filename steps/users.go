package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// setupPassword is the password of every user a Given step registers.
const setupPassword = "pass-word-1"

func appArg(second string) int {
	if second != "" {
		return 2
	}
	return 1
}

// registeredUsers is "a registered user" and "the registered users":
// define (or, for an alias known from the first app, reuse) the aliases
// and register them.
func (st *scenario) registeredUsers(ctx context.Context, list, second string) error {
	app := appArg(second)
	var names []string
	for _, a := range aliases(list) {
		if name, ok := st.users[a]; ok && app == 2 {
			names = append(names, name) // the same name in the other app: no collision (§1)
			continue
		}
		name, err := st.defineUser(a)
		if err != nil {
			return err
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return fmt.Errorf("no aliases given: write them space-separated, like \"alice bob\"")
	}
	return st.register(ctx, app, names)
}

// register registers names in batches of at most 500 (§3) and demands
// that every one was created.
func (st *scenario) register(ctx context.Context, app int, names []string) error {
	for len(names) > 0 {
		n := min(len(names), 500)
		batch := names[:n]
		names = names[n:]
		items := make([]map[string]string, len(batch))
		for i, name := range batch {
			items[i] = map[string]string{"username": name, "password": setupPassword}
		}
		body, _ := json.Marshal(items) // strings always marshal
		ex, err := st.probe(ctx, request{method: http.MethodPost, path: "/v1/users/", body: body, hasBody: true, app: app})
		if err != nil {
			return fmt.Errorf("setup: registering %d users: %w", len(batch), err)
		}
		if ex.Status != http.StatusCreated {
			return st.failWith(ex, "setup: registering %d users: want HTTP 201, got %d", len(batch), ex.Status)
		}
		res := ex.Get("@this").Array()
		for i, name := range batch {
			if i >= len(res) || res[i].Get("error").Exists() || res[i].Get("username").String() != name {
				return st.failWith(ex, "setup: registering %s: item %d of the answer is not {\"username\":%q}", name, i+1, name)
			}
		}
	}
	return nil
}

func (st *scenario) freshUsername(alias string) error {
	_, err := st.defineUser(alias)
	return err
}

func (st *scenario) freshUsernames(list string) error {
	for _, a := range aliases(list) {
		if _, err := st.defineUser(a); err != nil {
			return err
		}
	}
	return nil
}

func (st *scenario) freshSizedUsername(ctx context.Context, alias string, n int) error {
	_, err := st.defineSizedUser(ctx, alias, n)
	return err
}

// crowd is "a crowd M of N registered users": aliases M1..MN.
func (st *scenario) crowd(ctx context.Context, crowd, expr string) error {
	n, err := st.count(expr)
	if err != nil {
		return err
	}
	if n < 1 || n > 100000 {
		return fmt.Errorf("a crowd of %d users: use 1..100000", n)
	}
	names := make([]string, n)
	for i := range names {
		if names[i], err = st.defineUser(crowd + strconv.Itoa(i+1)); err != nil {
			return err
		}
	}
	st.batches[crowd] = n
	return st.register(ctx, 1, names)
}

var limitExpr = regexp.MustCompile(`^(?:L|L[-+]\d+|\d+)$`)

// count evaluates a count written as a number or relative to the member
// limit L ("L", "L-1", "L+1").
func (st *scenario) count(expr string) (int, error) {
	if !limitExpr.MatchString(expr) {
		return 0, fmt.Errorf("count %q: write a number, or L, L-N or L+N for the member limit", expr)
	}
	if n, err := strconv.Atoi(expr); err == nil {
		return n, nil
	}
	l := st.suite.cfg.Target.Limit()
	if expr == "L" {
		return l, nil
	}
	d, _ := strconv.Atoi(expr[2:])
	if expr[1] == '-' {
		return l - d, nil
	}
	return l + d, nil
}

// crowdRange returns the usernames of crowd members from..to (1-based).
func (st *scenario) crowdRange(crowd, fromExpr, toExpr string) ([]string, error) {
	from, err := st.count(fromExpr)
	if err != nil {
		return nil, err
	}
	to, err := st.count(toExpr)
	if err != nil {
		return nil, err
	}
	size, ok := st.batches[crowd]
	if !ok {
		return nil, fmt.Errorf("unknown crowd %q: define it with: a crowd %q of N registered users", crowd, crowd)
	}
	if from < 1 || to > size {
		return nil, fmt.Errorf("crowd %q has members 1 to %d; %d to %d is out of range", crowd, size, from, to)
	}
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, st.users[crowd+strconv.Itoa(i)])
	}
	return out, nil
}

// registerBatch is "I register a batch of N fresh users P": aliases P1..PN.
func (st *scenario) registerBatch(ctx context.Context, n int, prefix string) error {
	if n < 1 || n > 10000 {
		return fmt.Errorf("a batch of %d: use 1..10000", n)
	}
	items := make([]map[string]string, n)
	for i := range items {
		name, err := st.defineUser(prefix + strconv.Itoa(i+1))
		if err != nil {
			return err
		}
		items[i] = map[string]string{"username": name, "password": setupPassword}
	}
	st.batches[prefix] = n
	body, _ := json.Marshal(items) // strings always marshal
	_, err := st.do(ctx, request{method: http.MethodPost, path: "/v1/users/", body: body, hasBody: true})
	return err
}

// registerConcurrently sends n registrations of one name at once.
func (st *scenario) registerConcurrently(ctx context.Context, alias string, n int) error {
	name, err := st.user(alias)
	if err != nil {
		return err
	}
	if n < 2 || n > 64 {
		return fmt.Errorf("%d concurrent requests: use 2..64", n)
	}
	body := []byte(`[{"username":` + jsonString(name) + `,"password":"` + setupPassword + `"}]`)
	return st.concurrently(ctx, n, request{method: http.MethodPost, path: "/v1/users/", body: body, hasBody: true})
}

// exactlyOneRegistration judges the answers of registerConcurrently.
func (st *scenario) exactlyOneRegistration() error {
	ok := 0
	for i, a := range st.burst {
		if a.err != nil {
			return st.failWith(a.ex, "concurrent registration %d: %v", i+1, a.err)
		}
		item := gjson.Parse(a.item0)
		switch {
		case a.status != http.StatusCreated:
			return st.failWith(a.ex, "concurrent registration %d: want HTTP 201, got %d", i+1, a.status)
		case !item.Get("error").Exists():
			ok++
		case spec.Code(item.Get("error.code").Int()) != spec.CodeUserExists:
			return st.failWith(a.ex, "concurrent registration %d: want success or %s, got %s", i+1, spec.CodeUserExists, a.item0)
		}
	}
	if ok != 1 {
		return st.failf("%d of %d concurrent registrations of one name succeeded; exactly one must (%s)", ok, len(st.burst), spec.Cite("3"))
	}
	return nil
}

// batchResults compares a register answer with a table whose columns are
// "username" (a value with placeholders, or "(none)" for an item whose
// username is omitted or null) and "code" (empty for a created user).
func (st *scenario) batchResults(table *godog.Table) error {
	if err := st.statusIs(http.StatusCreated); err != nil {
		return err
	}
	if len(table.Rows) < 1 || len(table.Rows[0].Cells) != 2 || table.Rows[0].Cells[0].Value != "username" || table.Rows[0].Cells[1].Value != "code" {
		return fmt.Errorf("the batch results table needs the header | username | code |")
	}
	doc, err := st.lastJSON()
	if err != nil {
		return err
	}
	items := doc.Array()
	rows := table.Rows[1:]
	if len(items) != len(rows) {
		return st.failf("want %d items (same length and order as the batch, %s), got %d", len(rows), spec.Cite("3"), len(items))
	}
	for i, row := range rows {
		wantName, err := st.expand(row.Cells[0].Value)
		if err != nil {
			return err
		}
		code := strings.TrimSpace(row.Cells[1].Value)
		it := items[i]
		u := it.Get("username")
		if wantName == "(none)" {
			if u.Exists() && u.Type != gjson.Null {
				return st.failf("item %d: the item's username is not a string, so the answer omits it or gives null; got %s", i+1, u.Raw)
			}
		} else if u.Type != gjson.String || u.Str != wantName {
			return st.failf("item %d: want username %q, got %s", i+1, wantName, orNothing(u))
		}
		e := it.Get("error")
		if code == "" {
			if e.Exists() {
				return st.failf("item %d: want it created, got error %s", i+1, e.Raw)
			}
			continue
		}
		if !e.Exists() || e.Get("code").Raw != code {
			return st.failf("item %d: want error code %s, got %s", i+1, code, orNothing(e))
		}
	}
	return nil
}

func (st *scenario) everyBatchItemSucceeded() error {
	if err := st.statusIs(http.StatusCreated); err != nil {
		return err
	}
	doc, err := st.lastJSON()
	if err != nil {
		return err
	}
	sent := gjson.ParseBytes(st.last.ReqBody).Array()
	got := doc.Array()
	if len(got) != len(sent) {
		return st.failf("sent %d items, the answer has %d (same length and order, %s)", len(sent), len(got), spec.Cite("3"))
	}
	for i := range sent {
		if got[i].Get("error").Exists() || got[i].Get("username").String() != sent[i].Get("username").String() {
			return st.failf("item %d: want {\"username\":%q}, got %s", i+1, sent[i].Get("username").String(), got[i].Raw)
		}
	}
	return nil
}

// batchUsersExist samples a batch: the first, the middle, the last two. A
// server that applies part of a batch creates a prefix or a suffix of it.
func (st *scenario) batchUsersExist(ctx context.Context, which, prefix string) error {
	n, ok := st.batches[prefix]
	if !ok {
		return fmt.Errorf("no batch %q in this scenario", prefix)
	}
	idx := map[int]bool{1: true, (n + 1) / 2: true, max(1, n-1): true, n: true}
	keys := make([]int, 0, len(idx))
	for i := range idx {
		keys = append(keys, i)
	}
	sort.Ints(keys)
	for _, i := range keys {
		if err := st.checkUser(ctx, prefix+strconv.Itoa(i), 1, which == "all"); err != nil {
			return err
		}
	}
	return nil
}

func (st *scenario) userExists(ctx context.Context, alias, second string) error {
	return st.checkUser(ctx, alias, appArg(second), true)
}

func (st *scenario) userDoesNotExist(ctx context.Context, alias, second string) error {
	return st.checkUser(ctx, alias, appArg(second), false)
}

func (st *scenario) checkUser(ctx context.Context, alias string, app int, want bool) error {
	name, err := st.user(alias)
	if err != nil {
		return err
	}
	ex, err := st.probe(ctx, request{method: http.MethodGet, path: userPath(name), app: app})
	if err != nil {
		return err
	}
	switch {
	case want && ex.Status == http.StatusOK:
		if got := ex.Get("username").String(); got != name {
			return st.failWith(ex, "reading user %q: the answer names %q", alias, got)
		}
		return nil
	case !want && ex.Is(http.StatusForbidden, spec.CodeNoSuchUser):
		return nil
	case want:
		return st.failWith(ex, "user %q (%s) should exist: want HTTP 200, got %d", alias, name, ex.Status)
	default:
		return st.failWith(ex, "user %q (%s) should not exist: want 403 %s, got HTTP %d", alias, name, spec.CodeNoSuchUser, ex.Status)
	}
}

// namesJSON renders a list of user aliases as a JSON array of usernames.
func (st *scenario) namesJSON(list string) ([]byte, error) {
	names := []string{}
	for _, a := range aliases(list) {
		n, err := st.user(a)
		if err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return json.Marshal(names)
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
