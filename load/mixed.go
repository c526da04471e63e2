package load

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"jmcheck/load/op"
	"jmcheck/load/stats"
	"jmcheck/spec"
)

func init() {
	Register(func() Profile { return &mixed{} })
	Register(func() Profile { return &mixed{overload: true} })
}

// MixOp is one operation of the mixed and overload profiles.
type MixOp struct {
	Name   string
	Route  spec.Route
	Weight int // default weight in the mixed profile
	What   string
}

// MixOps returns the operations of the mixed profile with their default
// weights.
func MixOps() []MixOp {
	return []MixOp{
		{"register", spec.RouteRegister, 2, "register --batch new users; every item checked; they may be deleted later"},
		{"get-user", spec.RouteGetUser, 10, "GET a pool user: 200, the right username, timestamps"},
		{"put-user", spec.RoutePutUser, 3, "PUT a pool user's nickname: 204"},
		{"delete-user", spec.RouteDeleteUser, 1, "DELETE a user this run registered: 204"},
		{"list-users", spec.RouteListUsers, 3, "GET a user page at a random start: shape, count"},
		{"user-groups", spec.RouteUserGroups, 2, "GET a pool user's groups: ascending gids"},
		{"create-group", spec.RouteCreateGroup, 1, "POST a group owned by a pool user: 201 echoing the fields, a new gid"},
		{"get-group", spec.RouteGetGroup, 3, "GET a seeded group: its gid and owner"},
		{"delete-group", spec.RouteDeleteGroup, 1, "DELETE a group this run created: 204"},
		{"members", spec.RouteEditMembers, 2, "add or remove a group's member, toggling: 204"},
		{"list-members", spec.RouteListMembers, 2, "GET a seeded group's members: the owner first with flag 1"},
		{"list-groups", spec.RouteListGroups, 1, "GET a group page at a random start: shape, count, ascending"},
		{"message", spec.RouteSendMessage, 3, "POST a text message between pool users: 200 with a msg_id"},
		{"get-missing", spec.RouteGetUser, 1, "GET a user that does not exist: 403 " + spec.CodeNoSuchUser.String() + " expected"},
	}
}

func mixOp(name string) (MixOp, bool) {
	for _, m := range MixOps() {
		if m.Name == name {
			return m, true
		}
	}
	return MixOp{}, false
}

func mixOpNames() []string {
	var out []string
	for _, m := range MixOps() {
		out = append(out, m.Name)
	}
	return out
}

// ParseMix reads operation weights such as "get-user=5,register=1". The
// mix replaces the default one: operations it does not name get weight 0.
func ParseMix(s string) (map[string]int, error) {
	m := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, ws, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok {
			return nil, fmt.Errorf("--mix %q: want NAME=WEIGHT,…, such as get-user=5,register=1", s)
		}
		if _, known := mixOp(name); !known {
			return nil, fmt.Errorf("--mix: unknown operation %q: want %s", name, strings.Join(mixOpNames(), ", "))
		}
		w, err := strconv.Atoi(strings.TrimSpace(ws))
		if err != nil || w < 0 {
			return nil, fmt.Errorf("--mix %s=%s: the weight is a whole number ≥ 0", name, ws)
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("--mix: %s given twice", name)
		}
		m[name] = w
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("--mix %q: no operation given", s)
	}
	return m, nil
}

// FormatMix writes weights as ParseMix reads them, in operation order.
func FormatMix(m map[string]int) string {
	var parts []string
	for _, op := range MixOps() {
		if w, ok := m[op.Name]; ok && w > 0 {
			parts = append(parts, op.Name+"="+strconv.Itoa(w))
		}
	}
	return strings.Join(parts, ",")
}

// mixed is the mixed profile, a weighted mix of every endpoint on a seeded
// pool, and (overload) the overload profile: the same mix, by default of
// reads, ramped past capacity, which passes when the excess is shed with
// 503 899030 and Retry-After.
type mixed struct {
	overload bool
	slots    op.Slots
	batch    op.Batch
	history  *historyRecorder // --check-history
}

func (p *mixed) Info() Info {
	if p.overload {
		return Info{Name: "overload", Summary: "ramps past capacity; passes when the excess is shed with 503 " + spec.CodeBusy.String() + " + Retry-After, fails on timeouts, resets or other 5xx",
			Ramp: "50/1s:10000/1s", EmbeddedMaxInflight: 4, MinSeed: 2}
	}
	return Info{Name: "mixed", Summary: "a weighted mix (--mix) of every endpoint on a seeded pool; each response checked", Rate: "100/1s", MinSeed: 2}
}

func (p *mixed) Defaults(o *Options) {
	if o.Batch == 0 {
		o.Batch = 1
	}
	if o.Seed == 0 {
		o.Seed = 100
	}
	if o.Mix == nil {
		if p.overload {
			o.Mix = map[string]int{"get-user": 3, "list-users": 1}
		} else {
			o.Mix = map[string]int{}
			for _, m := range MixOps() {
				o.Mix[m.Name] = m.Weight
			}
		}
	}
	if p.overload {
		o.AllowShed = true
	}
}

func (p *mixed) Validate(o Options) error {
	if o.OversizeRatio > 0 {
		return fmt.Errorf("--oversize-ratio is for register-batch, not %s", p.Info().Name)
	}
	if o.CheckHistory && o.Batch != 1 {
		return fmt.Errorf("--check-history with --batch %d: the history keeps each user's requests apart, and a register of several users joins them; leave --batch at 1", o.Batch)
	}
	if o.HistoryDir != "" && !o.CheckHistory {
		return errors.New("--history-dir is where --check-history writes a violation: give --check-history too")
	}
	if o.Seed < p.Info().MinSeed {
		return fmt.Errorf("--seed %d: %s needs a pool of at least %d users", o.Seed, p.Info().Name, p.Info().MinSeed)
	}
	total := 0
	for name, w := range o.Mix {
		if _, ok := mixOp(name); !ok {
			return fmt.Errorf("--mix: unknown operation %q: want %s", name, strings.Join(mixOpNames(), ", "))
		}
		if w < 0 {
			return fmt.Errorf("--mix %s=%d: weights are ≥ 0", name, w)
		}
		total += w
	}
	if total == 0 {
		return errors.New("--mix: every weight is 0: give at least one operation a weight, such as get-user=1")
	}
	return nil
}

// Setup seeds a pool of users, groups among them, and users to delete,
// then adds the mix's operations.
func (p *mixed) Setup(ctx context.Context, s *Setup) error {
	e, a, mix := s.Env, s.Admin, s.Options.Mix
	seedN := s.Options.Seed
	first, err := a.Users(ctx, e.Namer, e.Ledger, seedN, "seeding users")
	if err != nil {
		return err
	}
	pool := make(op.Pool, seedN)
	for i := range pool {
		pool[i] = e.Namer.User(first + uint64(i))
	}
	needGroups := mix["get-group"]+mix["members"]+mix["list-members"] > 0
	if needGroups {
		gids, names, err := a.Groups(ctx, e.Namer, e.Ledger, pool, max(2, seedN/10))
		if err != nil {
			return err
		}
		for i, gid := range gids {
			p.slots = append(p.slots, &op.Slot{GID: gid, Name: names[i], Owner: pool[i%len(pool)], Toggle: pool[(i+1)%len(pool)]})
		}
	}
	deletable := &op.Stack[uint64]{Limit: 100_000}
	seeded := []counterRange{{first, uint64(seedN)}}
	if w := mix["delete-user"]; w > 0 {
		wsum := 0
		for _, v := range mix {
			wsum += v
		}
		n := 50
		if s.Planned > 0 {
			n = int(s.Planned*float64(w)/float64(wsum)*1.1) + 10
		}
		n = min(n, 5000)
		dfirst, err := a.Users(ctx, e.Namer, e.Ledger, n, "seeding users to delete")
		if err != nil {
			return err
		}
		for i := n - 1; i >= 0; i-- {
			deletable.Push(dfirst + uint64(i))
		}
		seeded = append(seeded, counterRange{dfirst, uint64(n)})
	}
	if s.Options.CheckHistory {
		p.history = newHistoryRecorder(s, seeded, p.slots)
		e.Record = p.history.record
	}
	var userTotal, groupTotal atomic.Int64
	for _, l := range []struct {
		path  string
		op    string
		total *atomic.Int64
	}{{"/v1/users/", "list-users", &userTotal}, {"/v1/groups/", "list-groups", &groupTotal}} {
		if mix[l.op] == 0 {
			continue
		}
		total, err := a.ListTotal(ctx, l.path)
		if err != nil {
			return fmt.Errorf("after seeding: %w", err)
		}
		l.total.Store(int64(total))
	}
	// get-user and get-group come first: they stand in when a delete has
	// nothing to delete yet, or every group is busy.
	getUser := e.Next()
	op.GetUser(e, pool, mix["get-user"])
	getGroup := getUser
	if needGroups {
		getGroup = e.Next()
		op.GetGroup(e, p.slots, mix["get-group"])
	}
	gids := &op.Stack[int64]{Limit: 100_000}
	for _, m := range MixOps() {
		w := mix[m.Name]
		if w == 0 {
			continue
		}
		switch m.Name {
		case "register":
			op.Register(e, "register", s.Options.Batch, false, w, &p.batch, deletable.Push)
		case "put-user":
			op.PutUser(e, pool, w)
		case "delete-user":
			op.DeleteUser(e, deletable, w, getUser)
		case "list-users":
			op.List(e, "list-users", spec.RouteListUsers, w, op.RandomPages(&userTotal), nil)
		case "user-groups":
			op.UserGroups(e, pool, w)
		case "create-group":
			op.CreateGroup(e, pool, gids, w)
		case "delete-group":
			op.DeleteGroup(e, gids, w, getGroup)
		case "members":
			op.Members(e, p.slots, w, getGroup)
		case "list-members":
			op.ListMembers(e, p.slots, w)
		case "list-groups":
			op.List(e, "list-groups", spec.RouteListGroups, w, op.RandomPages(&groupTotal), nil)
		case "message":
			op.Message(e, pool, w)
		case "get-missing":
			op.GetMissing(e, w)
		}
	}
	e.Finish()
	return nil
}

// Judge: overload passes only when the ramp passed capacity, and the
// excess was shed as spec/PROFILE.md §6 says.
func (p *mixed) Judge(sum *stats.Summary) (checks, problems []string) {
	if n := p.batch.Items.Load(); n > 0 {
		checks = append(checks, fmt.Sprintf("register items checked: %d, created: %d", n, p.batch.Created.Load()))
	}
	if n := p.slots.Broken(); n > 0 {
		checks = append(checks, fmt.Sprintf("%d groups left out of member toggling after an unexpected answer", n))
	}
	if p.history != nil {
		c, pr := p.history.judge()
		checks, problems = append(checks, c...), append(problems, pr...)
	}
	if !p.overload {
		return checks, problems
	}
	shed := uint64(0)
	for _, a := range sum.Answers {
		if a.Status == 503 && a.Code == spec.CodeBusy && a.Expected {
			shed += a.Count
		}
	}
	if shed == 0 {
		return checks, append(problems, "overload: no request was shed with 503 "+spec.CodeBusy.String()+", so the ramp never passed capacity: raise the ramp's end (--ramp FROM:TO) or, on the embedded server, lower --embedded-max-inflight")
	}
	return append(checks, fmt.Sprintf("overload: %d requests shed with 503 %s and a valid Retry-After", shed, spec.CodeBusy)), problems
}
