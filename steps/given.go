package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// setupPassword is the password of every user a Given step registers.
const setupPassword = "pass-word-1"

// probe sends a request for a Given step or a read-back, applies the
// automatic checks, and leaves the scenario's last exchange alone, so that
// a read-back between assertions does not change what they look at.
func (st *scenario) probe(ctx context.Context, r request) (*exchange, error) {
	ex, err := st.send(ctx, r)
	if err != nil {
		return ex, err
	}
	if err := ex.check(); err != nil {
		return ex, st.failWith(ex, "the answer breaks SPEC.md whatever the scenario expects:\n%v", err)
	}
	return ex, nil
}

// register registers names in batches of at most 500 (SPEC.md §3) and
// demands that every one was created.
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
		if ex.status != http.StatusCreated {
			return st.failWith(ex, "setup: registering %d users: want HTTP 201, got %d", len(batch), ex.status)
		}
		res := gjson.ParseBytes(ex.body).Array()
		for i, name := range batch {
			if i >= len(res) || res[i].Get("error").Exists() || res[i].Get("username").String() != name {
				return st.failWith(ex, "setup: registering %s: item %d of the answer is not {\"username\":%q}", name, i+1, name)
			}
		}
		if app != 2 {
			for _, name := range batch {
				if !slices.Contains(st.ownUsers, name) {
					st.ownUsers = append(st.ownUsers, name)
				}
			}
		}
	}
	return nil
}

func appArg(second string) int {
	if second != "" {
		return 2
	}
	return 1
}

// registeredUsers defines (or, for an alias known from the first app,
// reuses) the aliases and registers them.
func (st *scenario) registeredUsers(ctx context.Context, list string, app int) error {
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

func (st *scenario) createGroup(ctx context.Context, alias, owner string, members []string) error {
	if err := checkAlias(alias); err != nil {
		return err
	}
	if _, ok := st.groups[alias]; ok {
		return fmt.Errorf("group alias %q is already defined: pick another", alias)
	}
	ownerName, err := st.user(owner)
	if err != nil {
		return err
	}
	var names []string
	for _, m := range members {
		name, err := st.user(m)
		if err != nil {
			return err
		}
		names = append(names, name)
	}
	body, _ := json.Marshal(map[string]any{
		"owner_username":   ownerName,
		"group_name":       st.groupNameOf(alias),
		"members_username": append([]string{}, names...),
		"group_desc":       "made by jmcheck",
	})
	ex, err := st.probe(ctx, request{method: http.MethodPost, path: "/v1/groups/", body: body, hasBody: true})
	if err != nil {
		return fmt.Errorf("setup: creating group %q: %w", alias, err)
	}
	if ex.status != http.StatusCreated {
		return st.failWith(ex, "setup: creating group %q: want HTTP 201, got %d", alias, ex.status)
	}
	return st.nameGroup(ex, alias)
}

// nameGroup binds a group alias to the gid of a 201 answer.
func (st *scenario) nameGroup(ex *exchange, alias string) error {
	if ex == nil || ex.status != http.StatusCreated {
		return st.failf("no group was just created (want a 201 answer to POST /v1/groups/)")
	}
	gid := gjson.GetBytes(ex.body, "gid")
	if gid.Type != gjson.Number || gid.Int() <= 0 {
		return st.failWith(ex, "the 201 answer has no positive integer gid")
	}
	// The owner is the one the request named: the answer is what is judged.
	st.groups[alias] = &group{gid: gid.Int(), owner: gjson.GetBytes(ex.reqBody, "owner_username").String(), app: 1}
	if !slices.Contains(st.ownGroups, gid.Int()) {
		st.ownGroups = append(st.ownGroups, gid.Int())
	}
	return nil
}

func (s *Suite) registerGivenSteps(step func(expr, handler any)) {
	step(`^the target offers the "([^"]*)" capability$`, func(ctx context.Context, c string) error {
		if !slices.Contains(AllCapabilities, c) {
			return fmt.Errorf("unknown capability %q: use one of %s", c, strings.Join(AllCapabilities, ", "))
		}
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if !st.tags["@"+c] {
			return fmt.Errorf("the scenario uses capability %s but lacks the tag @%s: add it so runs without it skip the scenario", c, c)
		}
		if !s.caps[c] {
			// The Before hook has skipped the scenario already; this is
			// for runners that call the steps without it.
			return fmt.Errorf("%s: %w", SkipReason(c), errSkip)
		}
		return nil
	})
	step(`^a registered user "([^"]*)"( in the second app)?$`, func(ctx context.Context, alias, second string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.registeredUsers(ctx, alias, appArg(second))
	})
	step(`^the registered users "([^"]*)"( in the second app)?$`, func(ctx context.Context, list, second string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.registeredUsers(ctx, list, appArg(second))
	})
	step(`^a fresh username "([^"]*)"$`, func(ctx context.Context, alias string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		_, err = st.defineUser(alias)
		return err
	})
	step(`^fresh usernames "([^"]*)"$`, func(ctx context.Context, list string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		for _, a := range aliases(list) {
			if _, err := st.defineUser(a); err != nil {
				return err
			}
		}
		return nil
	})
	step(`^a fresh username "([^"]*)" of (\d+) bytes$`, func(ctx context.Context, alias string, n int) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		_, err = st.defineSizedUser(ctx, alias, n)
		return err
	})
	step(`^a group "([^"]*)" owned by "([^"]*)"$`, func(ctx context.Context, alias, owner string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.createGroup(ctx, alias, owner, nil)
	})
	step(`^a group "([^"]*)" owned by "([^"]*)" with members "([^"]*)"$`, func(ctx context.Context, alias, owner, members string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		return st.createGroup(ctx, alias, owner, aliases(members))
	})
	step(`^a deleted group "([^"]*)" owned by "([^"]*)"$`, func(ctx context.Context, alias, owner string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if err := st.createGroup(ctx, alias, owner, nil); err != nil {
			return err
		}
		path := "/v1/groups/" + strconv.FormatInt(st.groups[alias].gid, 10)
		ex, err := st.probe(ctx, request{method: http.MethodDelete, path: path})
		if err != nil {
			return fmt.Errorf("setup: deleting group %q: %w", alias, err)
		}
		if ex.status != http.StatusNoContent {
			return st.failWith(ex, "setup: deleting group %q: want HTTP 204, got %d", alias, ex.status)
		}
		return nil
	})
	step(`^a crowd "([^"]*)" of (L|L[-+]\d+|\d+) registered users$`, func(ctx context.Context, crowd, expr string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
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
	})
	step(`^the next request authenticates with (no Authorization header|an empty Authorization header|the Bearer scheme|undecodable base64|base64 without a colon|an unknown appKey|a wrong secret|the second app)$`, func(ctx context.Context, mode string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		st.next.auth = mode
		return nil
	})
	step(`^the next request has header "([^"]*)" set to "([^"]*)"$`, func(ctx context.Context, name, value string) error {
		st, err := stateOf(ctx)
		if err != nil {
			return err
		}
		if st.next.headers == nil {
			st.next.headers = http.Header{}
		}
		st.next.headers.Add(name, value)
		return nil
	})
}
