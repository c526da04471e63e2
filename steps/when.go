package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"
)

// mtimeWait is the one sleep of the suite: SPEC.md §7 gives times a
// resolution of one second, so mtime can only be seen to move after more
// than a second.
const mtimeWait = 1100 * time.Millisecond

func docText(doc *godog.DocString) string {
	if doc == nil {
		return ""
	}
	return doc.Content
}

func (st *scenario) sendStep(ctx context.Context, method, path string, app int, body *string, contentType string, chunked bool) error {
	p, err := st.expand(path)
	if err != nil {
		return err
	}
	r := request{method: method, path: p, app: app, contentType: contentType, chunked: chunked}
	if body != nil {
		b, err := st.expand(*body)
		if err != nil {
			return err
		}
		r.body, r.hasBody = []byte(b), true
	}
	_, err = st.do(ctx, r)
	return err
}

func (s *Suite) registerWhenSteps(step func(expr, handler any)) {
	step(`^I send "([A-Z]+)" to "([^"]*)"( as the second app)?$`, func(ctx context.Context, method, path, second string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.sendStep(ctx, method, path, appArg(second), nil, "", false)
	})
	step(`^I send "([A-Z]+)" to "([^"]*)"( as the second app)? with body:$`, func(ctx context.Context, method, path, second string, doc *godog.DocString) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		body := docText(doc)
		return st.sendStep(ctx, method, path, appArg(second), &body, "", false)
	})
	step(`^I send "([A-Z]+)" to "([^"]*)" with content type "([^"]*)" and body:$`, func(ctx context.Context, method, path, ct string, doc *godog.DocString) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		body := docText(doc)
		return st.sendStep(ctx, method, path, 1, &body, ct, false)
	})
	step(`^I send "([A-Z]+)" to "([^"]*)" with a chunked body:$`, func(ctx context.Context, method, path string, doc *godog.DocString) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		body := docText(doc)
		return st.sendStep(ctx, method, path, 1, &body, "", true)
	})
	step(`^I register a batch of (\d+) fresh users "([^"]*)"$`, func(ctx context.Context, n int, prefix string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
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
		_, err = st.do(ctx, request{method: http.MethodPost, path: "/v1/users/", body: body, hasBody: true})
		return err
	})
	step(`^I register "([^"]*)" in (\d+) concurrent requests$`, func(ctx context.Context, alias string, n int) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		name, err := st.user(alias)
		if err != nil {
			return err
		}
		if n < 2 || n > 64 {
			return fmt.Errorf("%d concurrent requests: use 2..64", n)
		}
		body := []byte(`[{"username":` + jsonString(name) + `,"password":"` + setupPassword + `"}]`)
		return st.concurrently(ctx, n, request{method: http.MethodPost, path: "/v1/users/", body: body, hasBody: true})
	})
	step(`^I send up to (\d+) bursts of (\d+) concurrent "GET" requests to "([^"]*)"$`, func(ctx context.Context, bursts, n int, path string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if bursts < 1 || bursts > 20 || n < 2 || n > 512 {
			return fmt.Errorf("%d bursts of %d: use 1..20 bursts of 2..512", bursts, n)
		}
		p, err := st.expand(path)
		if err != nil {
			return err
		}
		var all []*exchange
		var errs []error
		for range bursts {
			if err := st.concurrently(ctx, n, request{method: http.MethodGet, path: p, noRetry: true}); err != nil {
				return err
			}
			all = append(all, st.burst...)
			errs = append(errs, st.burstE...)
			if st.shedCount() > 0 {
				break
			}
		}
		st.burst, st.burstE = all, errs
		// A burst leaves many spare connections behind; give them back.
		st.suite.client.CloseIdleConnections()
		return nil
	})
	step(`^I wait for the clock to pass a second$`, func(ctx context.Context) error {
		select {
		case <-time.After(mtimeWait):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	step(`^I call the new group "([^"]*)"$`, func(ctx context.Context, alias string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if err := checkAlias(alias); err != nil {
			return err
		}
		return st.nameGroup(st.last, alias)
	})
	step(`^I remember the response body as "([^"]*)"$`, func(ctx context.Context, name string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.last == nil {
			return fmt.Errorf("no request yet: send one before remembering its answer")
		}
		st.bodies[name] = st.last.body
		return nil
	})
	step(`^I remember the JSON at "([^"]*)" as "([^"]*)"$`, func(ctx context.Context, path, name string) error {
		st, v, err := jsonIn(ctx, path)
		if err != nil {
			return err
		}
		if v.Type == gjson.String {
			st.vars[name] = v.Str
		} else {
			st.vars[name] = v.Raw
		}
		return nil
	})
	step(`^I create a group "([^"]*)" owned by "([^"]*)" with crowd "([^"]*)" (L|L[-+]\d+|\d+) to (L|L[-+]\d+|\d+)$`, func(ctx context.Context, alias, owner, crowd, from, to string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		ownerName, err := st.user(owner)
		if err != nil {
			return err
		}
		members, err := st.crowdRange(crowd, from, to)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(map[string]any{"owner_username": ownerName, "group_name": st.groupNameOf(alias), "members_username": append([]string{}, members...)})
		ex, err := st.do(ctx, request{method: http.MethodPost, path: "/v1/groups/", body: body, hasBody: true})
		if err != nil {
			return err
		}
		if ex.status == http.StatusCreated {
			return st.nameGroup(ex, alias)
		}
		return nil
	})
	step(`^I add crowd "([^"]*)" (L|L[-+]\d+|\d+) to (L|L[-+]\d+|\d+) to group "([^"]*)"(?: while removing "([^"]*)")?$`, func(ctx context.Context, crowd, from, to, alias, remove string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		g, err := st.group(alias)
		if err != nil {
			return err
		}
		add, err := st.crowdRange(crowd, from, to)
		if err != nil {
			return err
		}
		rm := []string{}
		for _, a := range aliases(remove) {
			name, err := st.user(a)
			if err != nil {
				return err
			}
			rm = append(rm, name)
		}
		payload := map[string]any{"add": append([]string{}, add...)}
		if len(rm) > 0 {
			payload["remove"] = rm
		}
		body, _ := json.Marshal(payload)
		_, err = st.do(ctx, request{method: http.MethodPost, path: "/v1/groups/" + strconv.FormatInt(g.gid, 10) + "/members", body: body, hasBody: true})
		return err
	})
}

// concurrently sends n copies of a request at once and keeps the answers
// and their automatic-check failures in the scenario's burst. Whether a
// shed copy is retried is the request's noRetry.
func (st *scenario) concurrently(ctx context.Context, n int, r request) error {
	exs := make([]*exchange, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ex, err := st.send(ctx, r)
			exs[i] = ex
			if err == nil {
				err = ex.check()
			}
			errs[i] = err
		}()
	}
	close(start)
	wg.Wait()
	st.burst, st.burstE = nil, nil
	for i := range n {
		if exs[i] == nil || exs[i].status == 0 {
			return fmt.Errorf("request %d of %d concurrent ones got no answer: %v (SPEC.md §6: shed load with 503, never time out or reset)", i+1, n, errs[i])
		}
		st.burst = append(st.burst, exs[i])
		st.burstE = append(st.burstE, errs[i])
	}
	st.last = exs[n-1]
	return nil
}

// shedCount counts the burst answers that shed load as SPEC.md §6 says.
func (st *scenario) shedCount() int {
	n := 0
	for _, ex := range st.burst {
		if ex.shed() {
			n++
		}
	}
	return n
}

// splitCodes parses "401 404" into numbers.
func splitCodes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no numbers in %q", s)
	}
	return out, nil
}
