package steps

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"jmcheck/client"
	"jmcheck/spec"
	"jmcheck/steps/placeholder"
)

// scenario is the state of one running scenario. godog builds one per
// scenario (InitializeScenario) and its steps are the scenario's methods,
// so concurrent scenarios never share it; the steps of one scenario run
// one after another.
type scenario struct {
	suite *Suite
	n     int64 // the scenario's number within the run
	name  string
	tags  map[string]bool
	specs []string // the scenario's @spec: sections

	users     map[string]string // alias -> real username
	ownUsers  []string          // usernames this scenario registered in the first app, in order
	groups    map[string]*group // alias -> group
	ownGroups []int64           // gids this scenario created in the first app
	groupName map[string]string // alias -> unique group name
	vars      map[string]string // remembered JSON values, raw
	bodies    map[string][]byte // remembered response bodies
	batches   map[string]int    // batch prefix -> size

	next struct { // applies to the next request only
		auth    string // "" = the app's credentials; else an auth* variant
		headers http.Header
	}
	last   *client.Exchange // the last exchange of the scenario
	burst  []burstAnswer    // the answers of the last concurrent step
	walk   *walk            // the last page walk
	msgIDs []int64          // the msg_ids of the last "I send N messages"
}

type group struct {
	gid   int64
	owner string // real username
	app   int
}

func (s *Suite) newScenario() *scenario {
	return &scenario{
		suite:     s,
		tags:      map[string]bool{},
		users:     map[string]string{},
		groups:    map[string]*group{},
		groupName: map[string]string{},
		vars:      map[string]string{},
		bodies:    map[string][]byte{},
		batches:   map[string]int{},
	}
}

// start numbers the scenario within the run and reads its tags.
func (st *scenario) start(sc *godog.Scenario) {
	st.n = st.suite.count.Add(1)
	st.name = sc.Name
	for _, t := range sc.Tags {
		st.tags[t.Name] = true
		if sec, ok := strings.CutPrefix(t.Name, spec.TagSpecPrefix); ok {
			st.specs = append(st.specs, sec)
		}
	}
}

var aliasPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,39}$`)

func checkAlias(alias string) error {
	if !aliasPattern.MatchString(alias) {
		return fmt.Errorf("alias %q: use a letter, then up to 39 letters, digits or _", alias)
	}
	return nil
}

// prefix is what every name of this scenario starts with.
func (st *scenario) prefix() string {
	return st.suite.cfg.RunID + "." + strconv.FormatInt(st.n, 36) + "."
}

// defineUser maps a new alias to a unique, unregistered username.
func (st *scenario) defineUser(alias string) (string, error) {
	if err := checkAlias(alias); err != nil {
		return "", err
	}
	if name, ok := st.users[alias]; ok {
		return name, fmt.Errorf("alias %q is already defined (as %s): pick another alias", alias, name)
	}
	name := st.prefix() + alias
	st.users[alias] = name
	return name, nil
}

// defineSizedUser maps a new alias to an unused username of exactly n bytes.
// Names too short to carry the run prefix are drawn at random; for lengths
// a server could accept (4 and more) the draw is checked to be free.
func (st *scenario) defineSizedUser(ctx context.Context, alias string, n int) (string, error) {
	if err := checkAlias(alias); err != nil {
		return "", err
	}
	if _, ok := st.users[alias]; ok {
		return "", fmt.Errorf("alias %q is already defined: pick another alias", alias)
	}
	if n < 1 || n > 1024 {
		return "", fmt.Errorf("username length %d: use 1..1024 bytes", n)
	}
	base := st.prefix() + alias
	if n >= len(base) {
		name := base + strings.Repeat("x", n-len(base))
		st.users[alias] = name
		return name, nil
	}
	if n > len(st.prefix()) {
		name := base[:n]
		if !slices.Contains(mapValues(st.users), name) {
			st.users[alias] = name
			return name, nil
		}
	}
	for range 20 {
		name := randomName(n)
		if n < 4 {
			st.users[alias] = name
			return name, nil
		}
		ex, err := st.send(ctx, request{method: http.MethodGet, path: "/v1/users/" + name})
		if err != nil {
			return "", fmt.Errorf("checking that %s is free: %w", name, err)
		}
		if ex.Is(http.StatusForbidden, spec.CodeNoSuchUser) {
			// Free: whatever the run creates under it is the run's own,
			// though it cannot carry the run's prefix.
			st.suite.ledger.Claim(name)
			st.users[alias] = name
			return name, nil
		}
	}
	return "", fmt.Errorf("found no free username of %d bytes in 20 draws: the app is crowded; try again", n)
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// randomName draws a username-shaped string of n bytes: a lower-case letter
// first, then lower-case letters and digits.
func randomName(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	const alnum = letters + "0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	for i := range b {
		if i == 0 {
			b[i] = letters[int(b[i])%len(letters)]
		} else {
			b[i] = alnum[int(b[i])%len(alnum)]
		}
	}
	return string(b)
}

func (st *scenario) user(alias string) (string, error) {
	name, ok := st.users[alias]
	if !ok {
		return "", fmt.Errorf("unknown user alias %q: define it first (Given a registered user %q, or a fresh username %q)", alias, alias, alias)
	}
	return name, nil
}

func (st *scenario) group(alias string) (*group, error) {
	g, ok := st.groups[alias]
	if !ok {
		return nil, fmt.Errorf("unknown group alias %q: create it first (Given a group %q owned by ...)", alias, alias)
	}
	return g, nil
}

// groupNameOf returns the run-unique group name of an alias, making one on
// first use: group names need not be unique, but unique ones are traceable.
func (st *scenario) groupNameOf(alias string) string {
	if n, ok := st.groupName[alias]; ok {
		return n
	}
	n := st.prefix() + "group-" + alias
	st.groupName[alias] = n
	return n
}

// aliases splits a space-separated list of aliases; "" is the empty list.
func aliases(list string) []string { return strings.Fields(list) }

// expand replaces the placeholders of a step argument (package
// placeholder has the grammar).
func (st *scenario) expand(s string) (string, error) {
	return placeholder.Expand(s, placeholderEnv{st})
}

// placeholderEnv resolves a scenario's aliases for package placeholder.
type placeholderEnv struct{ st *scenario }

func (e placeholderEnv) User(alias string) (string, error) { return e.st.user(alias) }
func (e placeholderEnv) GroupName(alias string) string     { return e.st.groupNameOf(alias) }
func (e placeholderEnv) Limit() int                        { return e.st.suite.cfg.Target.Limit() }

func (e placeholderEnv) GID(alias string) (int64, error) {
	g, err := e.st.group(alias)
	if err != nil {
		return 0, err
	}
	return g.gid, nil
}

func (e placeholderEnv) Var(name string) (string, bool) {
	v, ok := e.st.vars[name]
	return v, ok
}
