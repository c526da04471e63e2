package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// clockSkew is how far "now" on the server may be from ours: SPEC.md §7
// leaves the time zone open, so allow every zone (±14 h) and a minute.
const clockSkew = 14*time.Hour + time.Minute

// lastJSON returns the last answer's body after checking that it is JSON.
func (st *scenario) lastJSON() (gjson.Result, error) {
	if st.last == nil {
		return gjson.Result{}, fmt.Errorf("no request yet: send one before asserting on its answer")
	}
	if !gjson.ValidBytes(st.last.body) {
		return gjson.Result{}, st.failf("the body is not valid JSON (SPEC.md §1)")
	}
	return gjson.ParseBytes(st.last.body), nil
}

// jsonAt returns the value at a gjson path of the last answer.
func (st *scenario) jsonAt(path string) (gjson.Result, error) {
	doc, err := st.lastJSON()
	if err != nil {
		return doc, err
	}
	v := doc.Get(path)
	if !v.Exists() {
		return v, st.failf("the body has nothing at %q", path)
	}
	return v, nil
}

// jsonIn is the preamble of the steps that read the last answer: the
// scenario of ctx and the value at path.
func jsonIn(ctx context.Context, path string) (*scenario, gjson.Result, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, gjson.Result{}, err
	}
	v, err := st.jsonAt(path)
	return st, v, err
}

func isIntegerLiteral(v gjson.Result) bool {
	return v.Type == gjson.Number && !strings.ContainsAny(v.Raw, ".eE")
}

func (st *scenario) status(want int) error {
	if st.last == nil {
		return fmt.Errorf("no request yet: send one before asserting on its answer")
	}
	if st.last.status != want {
		return st.failf("want HTTP %d, got %d", want, st.last.status)
	}
	return nil
}

func (st *scenario) failsWith(status int, codes ...int) error {
	if err := st.status(status); err != nil {
		return err
	}
	return st.hasCode(codes...)
}

func (st *scenario) hasCode(codes ...int) error {
	doc, err := st.lastJSON()
	if err != nil {
		return err
	}
	c := doc.Get("error.code")
	if !isIntegerLiteral(c) || !slices.Contains(codes, int(c.Int())) {
		return st.failf("want error code %s, got %s", joinInts(codes, " or "), orNothing(c))
	}
	return nil
}

func orNothing(v gjson.Result) string {
	if !v.Exists() {
		return "nothing"
	}
	return v.Raw
}

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}

func (st *scenario) compareBody(doc *godog.DocString, subset bool) error {
	if st.last == nil {
		return fmt.Errorf("no request yet: send one before asserting on its answer")
	}
	want, err := st.expand(docText(doc))
	if err != nil {
		return err
	}
	if !gjson.ValidBytes(st.last.body) {
		return st.failf("the body is not valid JSON (SPEC.md §1)")
	}
	d, err := jsonDiff([]byte(want), st.last.body, subset)
	if err != nil {
		return err
	}
	if d != "" {
		return st.failf("the body differs from the expected JSON %s", d)
	}
	return nil
}

func (st *scenario) timeAt(path string) (time.Time, error) {
	v, err := st.jsonAt(path)
	if err != nil {
		return time.Time{}, err
	}
	if v.Type != gjson.String {
		return time.Time{}, st.failf("at %q: want a time string (YYYY-MM-DD HH:MM:SS, SPEC.md §7), got %s", path, v.Raw)
	}
	t, err := spec.ParseTime(v.Str)
	if err != nil {
		return time.Time{}, st.failf("at %q: %v (SPEC.md §7)", path, err)
	}
	return t, nil
}

// rememberedTime parses a time of a remembered body. The zone is the server's
// (implementation-defined), so compare only times from the server.
func rememberedTime(st *scenario, name, path string) (time.Time, error) {
	b, ok := st.bodies[name]
	if !ok {
		return time.Time{}, fmt.Errorf("nothing remembered as %q: use: I remember the response body as %q", name, name)
	}
	v := gjson.GetBytes(b, path)
	t, err := spec.ParseTime(v.Str)
	if err != nil {
		return time.Time{}, fmt.Errorf("the remembered %q has no time at %q: %w", name, path, err)
	}
	return t, nil
}

func (s *Suite) registerThenSteps(step func(expr, handler any)) {
	step(`^the response status is (\d+)$`, func(ctx context.Context, want int) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.status(want)
	})
	step(`^the response status is one of "([^"]*)"$`, func(ctx context.Context, list string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		want, err := splitCodes(list)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet: send one before asserting on its answer")
		}
		if !slices.Contains(want, st.last.status) {
			return st.failf("want HTTP %s, got %d", joinInts(want, " or "), st.last.status)
		}
		return nil
	})
	step(`^the request fails with status (\d+) and code (\d+)$`, func(ctx context.Context, status, code int) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.failsWith(status, code)
	})
	step(`^the request fails with code (\d+) or (\d+)$`, func(ctx context.Context, a, b int) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet: send one before asserting on its answer")
		}
		if st.last.status < 400 || st.last.status >= 500 {
			return st.failf("want a 4xx with code %d or %d, got HTTP %d", a, b, st.last.status)
		}
		// The automatic check already tied the status to the code (§2).
		return st.hasCode(a, b)
	})
	step(`^the response is a success or a well-formed client error$`, func(ctx context.Context) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet: send one before asserting on its answer")
		}
		// The automatic check validated a 2xx against the endpoint's schema
		// and a 4xx against the error body; what is left is the range.
		s := st.last.status
		if (s >= 200 && s < 300) || (s >= 400 && s < 500 && s != http.StatusNotFound && s != http.StatusMethodNotAllowed) {
			return nil
		}
		return st.failf("implementation-defined, but only a 2xx the API allows or a 4xx error conforms (SPEC.md preamble); got HTTP %d", s)
	})
	step(`^the response is not a server error$`, func(ctx context.Context) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet: send one before asserting on its answer")
		}
		if st.last.status >= 500 {
			return st.failf("any answer but a 5xx conforms here (SPEC.md §7a); got HTTP %d", st.last.status)
		}
		return nil
	})
	step(`^the response body is JSON:$`, func(ctx context.Context, doc *godog.DocString) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.compareBody(doc, false)
	})
	step(`^the response body includes JSON:$`, func(ctx context.Context, doc *godog.DocString) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.compareBody(doc, true)
	})
	step(`^the response body is empty$`, func(ctx context.Context) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet: send one before asserting on its answer")
		}
		if len(strings.TrimSpace(string(st.last.body))) != 0 {
			return st.failf("want no body, got %d bytes", len(st.last.body))
		}
		return nil
	})
	step(`^the JSON at "([^"]*)" equals (.+)$`, func(ctx context.Context, path, want string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		want, err = st.expand(want)
		if err != nil {
			return err
		}
		v, err := st.jsonAt(path)
		if err != nil {
			return err
		}
		d, err := jsonDiff([]byte(want), []byte(v.Raw), false)
		if err != nil {
			return err
		}
		if d != "" {
			return st.failf("at %q: %s", path, strings.TrimPrefix(d, "at $: "))
		}
		return nil
	})
	step(`^the JSON at "([^"]*)" is an? (string|integer|positive integer|array|object|time|recent time)$`, func(ctx context.Context, path, kind string) error {
		st, v, err := jsonIn(ctx, path)
		if err != nil {
			return err
		}
		ok := true
		switch kind {
		case "string":
			ok = v.Type == gjson.String
		case "integer":
			ok = isIntegerLiteral(v)
		case "positive integer":
			ok = isIntegerLiteral(v) && !strings.HasPrefix(v.Raw, "-") && v.Raw != "0"
		case "array":
			ok = v.IsArray()
		case "object":
			ok = v.IsObject()
		case "time", "recent time":
			t, err := st.timeAt(path)
			if err != nil {
				return err
			}
			if kind == "recent time" {
				// The server's zone is its own (§7): compare the wall clock
				// it shows with ours in UTC, allowing every zone.
				now := time.Now().UTC()
				wall := time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), now.Minute(), now.Second(), 0, time.UTC)
				if d := t.Sub(wall); d > clockSkew || d < -clockSkew {
					return st.failf("at %q: %s is not now (±14 h for the time zone, SPEC.md §7)", path, v.Str)
				}
			}
		}
		if !ok {
			return st.failf("at %q: want %s %s, got %s", path, article(kind), kind, v.Raw)
		}
		return nil
	})
	step(`^the JSON at "([^"]*)" does not exist$`, func(ctx context.Context, path string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		doc, err := st.lastJSON()
		if err != nil {
			return err
		}
		if v := doc.Get(path); v.Exists() {
			return st.failf("want nothing at %q (a field never set is omitted, not null), got %s", path, v.Raw)
		}
		return nil
	})
	step(`^the JSON at "([^"]*)" has (\d+) items?$`, func(ctx context.Context, path string, n int) error {
		st, v, err := jsonIn(ctx, path)
		if err != nil {
			return err
		}
		if !v.IsArray() || len(v.Array()) != n {
			return st.failf("at %q: want an array of %d items, got %s", path, n, short(v.Raw))
		}
		return nil
	})
	step(`^the response body equals the remembered "([^"]*)"$`, func(ctx context.Context, name string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		want, ok := st.bodies[name]
		if !ok {
			return fmt.Errorf("nothing remembered as %q: use: I remember the response body as %q", name, name)
		}
		if st.last == nil {
			return fmt.Errorf("no request yet")
		}
		d, err := jsonDiff(want, st.last.body, false)
		if err != nil {
			return fmt.Errorf("the remembered %q: %w", name, err)
		}
		if d != "" {
			return st.failf("the state changed, but a failing request changes nothing (SPEC.md §2): %s", d)
		}
		return nil
	})
	step(`^the JSON at "([^"]*)" is the same as the remembered "([^"]*)"$`, func(ctx context.Context, path, name string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		want, ok := st.bodies[name]
		if !ok {
			return fmt.Errorf("nothing remembered as %q: use: I remember the response body as %q", name, name)
		}
		wv := gjson.GetBytes(want, path)
		if !wv.Exists() {
			return fmt.Errorf("the remembered %q has nothing at %q", name, path)
		}
		v, err := st.jsonAt(path)
		if err != nil {
			return err
		}
		d, err := jsonDiff([]byte(wv.Raw), []byte(v.Raw), false)
		if err != nil {
			return err
		}
		if d != "" {
			return st.failf("at %q: was %s, now %s", path, wv.Raw, v.Raw)
		}
		return nil
	})
	step(`^the number at "([^"]*)" is greater than the remembered "([^"]*)"$`, func(ctx context.Context, path, name string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		prev, ok := st.vars[name]
		if !ok {
			return fmt.Errorf("nothing remembered as %q: use: I remember the JSON at %q as %q", name, path, name)
		}
		v, err := st.jsonAt(path)
		if err != nil {
			return err
		}
		p, err1 := strconv.ParseInt(prev, 10, 64)
		n, err2 := strconv.ParseInt(v.Raw, 10, 64)
		if err1 != nil || err2 != nil || n <= p {
			return st.failf("at %q: want an integer greater than %s, got %s", path, prev, v.Raw)
		}
		return nil
	})
	step(`^the time at "([^"]*)" is later than the remembered "([^"]*)"$`, func(ctx context.Context, path, name string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		before, err := rememberedTime(st, name, path)
		if err != nil {
			return err
		}
		now, err := st.timeAt(path)
		if err != nil {
			return err
		}
		if !now.After(before) {
			return st.failf("at %q: want a time after %s, got %s", path, before.Format(spec.DateTimeLayout), now.Format(spec.DateTimeLayout))
		}
		return nil
	})
	step(`^the time at "([^"]*)" is not before the time at "([^"]*)"$`, func(ctx context.Context, a, b string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		ta, err := st.timeAt(a)
		if err != nil {
			return err
		}
		tb, err := st.timeAt(b)
		if err != nil {
			return err
		}
		if ta.Before(tb) {
			return st.failf("%s at %q is before %s at %q (SPEC.md §7: mtime ≥ ctime)", ta.Format(spec.DateTimeLayout), a, tb.Format(spec.DateTimeLayout), b)
		}
		return nil
	})
	step(`^the time at "([^"]*)" falls on "(\d{4}-\d{2}-\d{2})"$`, func(ctx context.Context, path, date string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		t, err := st.timeAt(path)
		if err != nil {
			return err
		}
		if got := t.Format("2006-01-02"); got != date {
			return st.failf("at %q: want a time on %s, got one on %s", path, date, got)
		}
		return nil
	})
	step(`^the response header "([^"]*)" lists "([^"]*)"$`, func(ctx context.Context, name, list string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet")
		}
		have := map[string]bool{}
		for _, v := range st.last.respHdr.Values(name) {
			for _, tok := range strings.Split(v, ",") {
				have[strings.TrimSpace(tok)] = true
			}
		}
		for _, want := range strings.Fields(list) {
			if !have[want] {
				return st.failf("header %s should list %s; it is %q", name, want, strings.Join(st.last.respHdr.Values(name), ", "))
			}
		}
		return nil
	})
	step(`^the response header "([^"]*)" is a whole number of at least (\d+)$`, func(ctx context.Context, name string, least int) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet")
		}
		v := strings.TrimSpace(st.last.respHdr.Get(name))
		n, err := strconv.Atoi(v)
		if err != nil || n < least || strings.HasPrefix(v, "+") {
			return st.failf("header %s is %q; want a whole number ≥ %d", name, v, least)
		}
		return nil
	})
	step(`^the response content type is JSON$`, func(ctx context.Context) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet")
		}
		if mt := mediaType(st.last.respHdr.Get("Content-Type")); mt != "application/json" {
			return st.failf("Content-Type is %q, want application/json (SPEC.md §1)", st.last.respHdr.Get("Content-Type"))
		}
		return nil
	})
	step(`^the batch results are:$`, func(ctx context.Context, table *godog.Table) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.batchResults(table)
	})
	step(`^every batch item succeeded$`, func(ctx context.Context) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if err := st.status(http.StatusCreated); err != nil {
			return err
		}
		sent := gjson.ParseBytes(st.last.reqBody).Array()
		got := gjson.ParseBytes(st.last.body).Array()
		if len(got) != len(sent) {
			return st.failf("sent %d items, the answer has %d (same length and order, SPEC.md §3)", len(sent), len(got))
		}
		for i := range sent {
			if got[i].Get("error").Exists() || got[i].Get("username").String() != sent[i].Get("username").String() {
				return st.failf("item %d: want {\"username\":%q}, got %s", i+1, sent[i].Get("username").String(), got[i].Raw)
			}
		}
		return nil
	})
	step(`^(none|all) of the batch users "([^"]*)" exist$`, func(ctx context.Context, which, prefix string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		n, ok := st.batches[prefix]
		if !ok {
			return fmt.Errorf("no batch %q in this scenario", prefix)
		}
		// A sample: the first, the middle, the last two. A server that
		// applies part of a batch creates a prefix or a suffix of it.
		idx := map[int]bool{1: true, (n + 1) / 2: true, max(1, n-1): true, n: true}
		keys := make([]int, 0, len(idx))
		for i := range idx {
			keys = append(keys, i)
		}
		sort.Ints(keys)
		for _, i := range keys {
			if err := st.userExists(ctx, prefix+strconv.Itoa(i), 1, which == "all"); err != nil {
				return err
			}
		}
		return nil
	})
	step(`^user "([^"]*)" exists( in the second app)?$`, func(ctx context.Context, alias, second string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.userExists(ctx, alias, appArg(second), true)
	})
	step(`^user "([^"]*)" does not exist( in the second app)?$`, func(ctx context.Context, alias, second string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.userExists(ctx, alias, appArg(second), false)
	})
	step(`^group "([^"]*)" exists$`, func(ctx context.Context, alias string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.groupExists(ctx, alias, true)
	})
	step(`^group "([^"]*)" does not exist$`, func(ctx context.Context, alias string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.groupExists(ctx, alias, false)
	})
	step(`^the groups of "([^"]*)" are "([^"]*)"$`, func(ctx context.Context, user, groups string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		name, err := st.user(user)
		if err != nil {
			return err
		}
		ex, err := st.probe(ctx, request{method: http.MethodGet, path: userPath(name) + "/groups/"})
		if err != nil {
			return err
		}
		if ex.status != http.StatusOK {
			return st.failWith(ex, "reading the groups of %q: want HTTP 200, got %d", user, ex.status)
		}
		want, err := st.ascendingGids(groups)
		if err != nil {
			return err
		}
		if d, _ := jsonDiff(want, ex.body, false); d != "" {
			return st.failWith(ex, "the groups of %q should be %s (the groups it owns or belongs to, ascending, SPEC.md §3): %s", user, want, d)
		}
		return nil
	})
	step(`^the response body is the ascending gids of groups "([^"]*)"$`, func(ctx context.Context, groups string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		want, err := st.ascendingGids(groups)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet")
		}
		if d, _ := jsonDiff(want, st.last.body, false); d != "" {
			return st.failf("want the gids %s, ascending: %s", want, d)
		}
		return nil
	})
	step(`^group "([^"]*)" has members "([^"]*)"$`, func(ctx context.Context, alias, members string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		g, err := st.group(alias)
		if err != nil {
			return err
		}
		ex, err := st.probe(ctx, request{method: http.MethodGet, path: "/v1/groups/" + strconv.FormatInt(g.gid, 10)})
		if err != nil {
			return err
		}
		if ex.status != http.StatusOK {
			return st.failWith(ex, "reading group %q: want HTTP 200, got %d", alias, ex.status)
		}
		want, err := st.namesJSON(members)
		if err != nil {
			return err
		}
		got := gjson.GetBytes(ex.body, "members_username").Raw
		if d, _ := jsonDiff(want, []byte(got), false); d != "" {
			return st.failWith(ex, "members_username of group %q should be %s (members without the owner, in join order, SPEC.md §4): %s", alias, want, d)
		}
		return nil
	})
	step(`^group "([^"]*)" lists its owner then "([^"]*)"$`, func(ctx context.Context, alias, members string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.memberList(ctx, alias, members)
	})
	step(`^group "([^"]*)" has (L|L[-+]\d+|\d+) members in all$`, func(ctx context.Context, alias, expr string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		n, err := st.count(expr)
		if err != nil {
			return err
		}
		g, err := st.group(alias)
		if err != nil {
			return err
		}
		ex, err := st.probe(ctx, request{method: http.MethodGet, path: "/v1/groups/" + strconv.FormatInt(g.gid, 10) + "/members/"})
		if err != nil {
			return err
		}
		if got := len(gjson.ParseBytes(ex.body).Array()); ex.status != http.StatusOK || got != n {
			return st.failWith(ex, "group %q should have %d members with its owner, has %d (HTTP %d)", alias, n, got, ex.status)
		}
		return nil
	})
	step(`^exactly one registration succeeded and the others failed with code 899001$`, func(ctx context.Context) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		ok := 0
		for i, ex := range st.burst {
			if e := st.burstE[i]; e != nil {
				return st.failWith(ex, "concurrent registration %d: %v", i+1, e)
			}
			item := gjson.GetBytes(ex.body, "0")
			switch {
			case ex.status != http.StatusCreated:
				return st.failWith(ex, "concurrent registration %d: want HTTP 201, got %d", i+1, ex.status)
			case !item.Get("error").Exists():
				ok++
			case item.Get("error.code").Int() != 899001:
				return st.failWith(ex, "concurrent registration %d: want success or 899001, got %s", i+1, item.Raw)
			}
		}
		if ok != 1 {
			return st.failf("%d of %d concurrent registrations of one name succeeded; exactly one must (SPEC.md §3)", ok, len(st.burst))
		}
		return nil
	})
	step(`^at least one request was shed with status 503 and code 899030$`, func(ctx context.Context) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.shedCount() == 0 {
			return st.failf("none of %d concurrent requests was shed: an overloaded server answers 503 899030 (SPEC.md §6); is the target's in-flight limit below the burst size?", len(st.burst))
		}
		return nil
	})
	step(`^every burst answer is a success or a 503 with code 899030$`, func(ctx context.Context) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		for i, ex := range st.burst {
			if e := st.burstE[i]; e != nil {
				return st.failWith(ex, "answer %d of the burst: %v", i+1, e)
			}
			busy := ex.status == http.StatusServiceUnavailable && ex.code() == 899030
			if !busy && (ex.status < 200 || ex.status >= 300) {
				return st.failWith(ex, "answer %d of the burst: want a success or 503 899030 (SPEC.md §6), got HTTP %d", i+1, ex.status)
			}
		}
		return nil
	})
	step(`^groups owned by "([^"]*)" never reuse the gid of a deleted group$`, func(ctx context.Context, owner string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.gidsNotReused(ctx, owner)
	})
	step(`^group "([^"]*)" is not visible to the second app$`, func(ctx context.Context, alias string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		g, err := st.group(alias)
		if err != nil {
			return err
		}
		ex, err := st.probe(ctx, request{method: http.MethodGet, path: "/v1/groups/" + strconv.FormatInt(g.gid, 10), app: 2})
		if err != nil {
			return err
		}
		switch {
		case ex.status == http.StatusForbidden && ex.code() == 899006:
			return nil
		case ex.status == http.StatusOK:
			// gids are unique within an app only: the second app may have
			// its own group with this number, but never ours.
			if gjson.GetBytes(ex.body, "group_name").String() == st.groupNameOf(alias) || gjson.GetBytes(ex.body, "owner_username").String() == g.owner {
				return st.failWith(ex, "the second app sees group %q of the first app (SPEC.md §1: data is scoped to the appKey)", alias)
			}
			return nil
		default:
			return st.failWith(ex, "want 403 899006 (or another group of the second app), got HTTP %d", ex.status)
		}
	})
}

func article(kind string) string {
	if strings.IndexByte("aeiou", kind[0]) >= 0 {
		return "an"
	}
	return "a"
}

func short(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
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

// ascendingGids renders group aliases as their gids, ascending, in JSON.
func (st *scenario) ascendingGids(list string) ([]byte, error) {
	gids := []int64{}
	for _, a := range aliases(list) {
		g, err := st.group(a)
		if err != nil {
			return nil, err
		}
		gids = append(gids, g.gid)
	}
	slices.Sort(gids)
	return json.Marshal(gids)
}

func (st *scenario) userExists(ctx context.Context, alias string, app int, want bool) error {
	name, err := st.user(alias)
	if err != nil {
		return err
	}
	ex, err := st.probe(ctx, request{method: http.MethodGet, path: userPath(name), app: app})
	if err != nil {
		return err
	}
	switch {
	case want && ex.status == http.StatusOK:
		if got := gjson.GetBytes(ex.body, "username").String(); got != name {
			return st.failWith(ex, "reading user %q: the answer names %q", alias, got)
		}
		return nil
	case !want && ex.status == http.StatusForbidden && ex.code() == 899002:
		return nil
	case want:
		return st.failWith(ex, "user %q (%s) should exist: want HTTP 200, got %d", alias, name, ex.status)
	default:
		return st.failWith(ex, "user %q (%s) should not exist: want 403 899002, got HTTP %d", alias, name, ex.status)
	}
}

func (st *scenario) groupExists(ctx context.Context, alias string, want bool) error {
	g, err := st.group(alias)
	if err != nil {
		return err
	}
	ex, err := st.probe(ctx, request{method: http.MethodGet, path: "/v1/groups/" + strconv.FormatInt(g.gid, 10), app: g.app})
	if err != nil {
		return err
	}
	switch {
	case want && ex.status == http.StatusOK:
		return nil
	case !want && ex.status == http.StatusForbidden && ex.code() == 899006:
		return nil
	case want:
		return st.failWith(ex, "group %q (gid %d) should exist: want HTTP 200, got %d", alias, g.gid, ex.status)
	default:
		return st.failWith(ex, "group %q (gid %d) should not exist: want 403 899006, got HTTP %d", alias, g.gid, ex.status)
	}
}

// memberList checks GET /v1/groups/{gid}/members/: the owner first with
// flag 1, then the members in join order with flag 0, each with a ctime.
func (st *scenario) memberList(ctx context.Context, alias, members string) error {
	g, err := st.group(alias)
	if err != nil {
		return err
	}
	ex, err := st.probe(ctx, request{method: http.MethodGet, path: "/v1/groups/" + strconv.FormatInt(g.gid, 10) + "/members/"})
	if err != nil {
		return err
	}
	if ex.status != http.StatusOK {
		return st.failWith(ex, "reading the members of group %q: want HTTP 200, got %d", alias, ex.status)
	}
	want := []string{g.owner}
	for _, a := range aliases(members) {
		n, err := st.user(a)
		if err != nil {
			return err
		}
		want = append(want, n)
	}
	got := gjson.ParseBytes(ex.body).Array()
	var names []string
	for _, m := range got {
		names = append(names, m.Get("username").String())
	}
	if !slices.Equal(names, want) {
		return st.failWith(ex, "group %q should list %q (owner first, then members in join order, SPEC.md §4), lists %q", alias, want, names)
	}
	for i, m := range got {
		wantFlag := "0"
		if i == 0 {
			wantFlag = "1"
		}
		if m.Get("flag").Raw != wantFlag {
			return st.failWith(ex, "member %d of group %q: want flag %s (1 = owner), got %s", i+1, alias, wantFlag, m.Get("flag").Raw)
		}
	}
	return nil
}

// batchResults compares a register answer with a table whose columns are
// "username" (a value with placeholders, or "(none)" for an item whose
// username is omitted or null) and "code" (empty for a created user).
func (st *scenario) batchResults(table *godog.Table) error {
	if st.last == nil {
		return fmt.Errorf("no request yet")
	}
	if err := st.status(http.StatusCreated); err != nil {
		return err
	}
	if len(table.Rows) < 1 || len(table.Rows[0].Cells) != 2 || table.Rows[0].Cells[0].Value != "username" || table.Rows[0].Cells[1].Value != "code" {
		return fmt.Errorf("the batch results table needs the header | username | code |")
	}
	items := gjson.ParseBytes(st.last.body).Array()
	rows := table.Rows[1:]
	if len(items) != len(rows) {
		return st.failf("want %d items (same length and order as the batch, SPEC.md §3), got %d", len(rows), len(items))
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

// gidReuseRounds is how often gidsNotReused deletes a group and creates
// the next one. A server that hands out max(gid)+1 reuses a deleted gid
// only when no concurrent scenario created a group in between, so one round
// proves little under --concurrency; twenty make a miss unlikely.
const gidReuseRounds = 20

// gidsNotReused deletes a group and creates a new one right after, again
// and again: no new gid may equal any deleted one (SPEC.md §4: gids are
// never reused).
func (st *scenario) gidsNotReused(ctx context.Context, owner string) error {
	ownerName, err := st.user(owner)
	if err != nil {
		return err
	}
	deleted := map[int64]bool{}
	create := func() (int64, error) {
		body, _ := json.Marshal(map[string]any{"owner_username": ownerName, "group_name": st.groupNameOf("reuse")})
		ex, err := st.probe(ctx, request{method: http.MethodPost, path: "/v1/groups/", body: body, hasBody: true})
		if err != nil {
			return 0, err
		}
		if ex.status != http.StatusCreated {
			return 0, st.failWith(ex, "creating a group: want HTTP 201, got %d", ex.status)
		}
		gid := gjson.GetBytes(ex.body, "gid").Int()
		if deleted[gid] {
			return 0, st.failWith(ex, "the new group got gid %d, which a deleted group had (SPEC.md §4: never reused)", gid)
		}
		return gid, nil
	}
	gid, err := create()
	if err != nil {
		return err
	}
	for range gidReuseRounds {
		ex, err := st.probe(ctx, request{method: http.MethodDelete, path: "/v1/groups/" + strconv.FormatInt(gid, 10)})
		if err != nil {
			return err
		}
		if ex.status != http.StatusNoContent {
			return st.failWith(ex, "deleting group %d: want HTTP 204, got %d", gid, ex.status)
		}
		deleted[gid] = true
		if gid, err = create(); err != nil {
			return err
		}
	}
	return nil
}
