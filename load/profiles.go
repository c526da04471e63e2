package load

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The load profiles.
const (
	ProfileRegisterBatch  = "register-batch"
	ProfilePaginateUsers  = "paginate-users"
	ProfilePaginateGroups = "paginate-groups"
	ProfileMixed          = "mixed"
	ProfileOverload       = "overload"
)

// ProfileInfo describes a profile for help texts.
type ProfileInfo struct {
	Name    string
	Summary string
	Pacing  string // the default pacing, as flags
}

// Profiles returns every profile.
func Profiles() []ProfileInfo {
	return []ProfileInfo{
		{ProfileRegisterBatch, "POSTs of --batch unique users; every item of every 201 checked; --oversize-ratio sends 501 items that must answer 403 899013", "--rate 10/1s --duration 10s"},
		{ProfilePaginateUsers, "seeds --seed users, then sweeps GET /v1/users/ pages (--order); checks shape, count, order and tiling; latency by offset", "--rate 50/1s --duration 10s"},
		{ProfilePaginateGroups, "seeds --seed groups, then sweeps GET /v1/groups/ pages (--order); checks shape, count, order and tiling; latency by offset", "--rate 50/1s --duration 10s"},
		{ProfileMixed, "a weighted mix (--mix) of every endpoint on a seeded pool; each response checked", "--rate 100/1s --duration 10s"},
		{ProfileOverload, "ramps past capacity; passes when the excess is shed with 503 899030 + Retry-After, fails on timeouts, resets or other 5xx", "--ramp 50/1s:10000/1s --duration 10s"},
	}
}

// knownProfile reports whether name is a profile.
func knownProfile(name string) bool {
	for _, p := range Profiles() {
		if p.Name == name {
			return true
		}
	}
	return false
}

// ProfileNames returns the profile names.
func ProfileNames() []string {
	var out []string
	for _, p := range Profiles() {
		out = append(out, p.Name)
	}
	return out
}

// Page orders of the paginate profiles.
const (
	OrderSequential = "sequential" // start = 0, count, 2·count, …: whole sweeps, tiling checked
	OrderRandom     = "random"     // any start in [0, total)
	OrderDeep       = "deep"       // starts in the last tenth of the list: the expensive end
)

// Options tune a profile. Zero values take the profile's defaults.
type Options struct {
	Batch         int            // users per register request (register-batch 500, mixed 1)
	OversizeRatio float64        // register-batch: share of requests with 501 items
	Seed          int            // paginate: users or groups to seed; mixed, overload: the user pool
	Order         string         // paginate: sequential, random or deep
	Count         int            // paginate: page size, 1..500
	Mix           map[string]int // mixed, overload: weight of each operation
	AllowShed     bool           // count a 503 899030 with Retry-After as expected (always so in overload)
}

// withDefaults fills the zero fields for a profile.
func (o Options) withDefaults(profile string) Options {
	if o.Batch == 0 {
		o.Batch = 500
		if profile != ProfileRegisterBatch {
			o.Batch = 1
		}
	}
	if o.Seed == 0 {
		switch profile {
		case ProfilePaginateUsers:
			o.Seed = 5000
		case ProfilePaginateGroups:
			o.Seed = 1000
		default:
			o.Seed = 100
		}
	}
	if o.Order == "" {
		o.Order = OrderSequential
	}
	if o.Count == 0 {
		o.Count = 500
	}
	if o.Mix == nil {
		o.Mix = DefaultMix(profile)
	}
	if profile == ProfileOverload {
		o.AllowShed = true
	}
	return o
}

// forShard returns the options of one of n shards. --seed is the whole
// run's, as --rate is: each shard seeds its share (rounded up) under its
// own names, so that n shards together seed what one generator would; a
// mix's pool keeps at least 2 users.
func (o Options) forShard(profile string, n int) Options {
	if n <= 1 {
		return o
	}
	o.Seed = (o.Seed + n - 1) / n
	if profile == ProfileMixed || profile == ProfileOverload {
		o.Seed = max(o.Seed, 2)
	}
	return o
}

// validate checks the options of a profile.
func (o Options) validate(profile string) error {
	if !knownProfile(profile) {
		return fmt.Errorf("unknown profile %q: want one of %s", profile, strings.Join(ProfileNames(), ", "))
	}
	if o.Batch < 1 || o.Batch > 500 {
		return fmt.Errorf("--batch %d: want 1..500 (the API's limit; --oversize-ratio sends 501)", o.Batch)
	}
	if o.OversizeRatio < 0 || o.OversizeRatio > 1 || o.OversizeRatio != o.OversizeRatio {
		return fmt.Errorf("--oversize-ratio %g: want a share between 0 and 1, such as 0.1", o.OversizeRatio)
	}
	if o.OversizeRatio > 0 && profile != ProfileRegisterBatch {
		return fmt.Errorf("--oversize-ratio is for register-batch, not %s", profile)
	}
	if o.Seed < 0 || o.Seed > 10_000_000 {
		return fmt.Errorf("--seed %d: want 1..10000000", o.Seed)
	}
	if (profile == ProfileMixed || profile == ProfileOverload) && o.Seed < 2 {
		return fmt.Errorf("--seed %d: %s needs a pool of at least 2 users", o.Seed, profile)
	}
	switch o.Order {
	case OrderSequential, OrderRandom, OrderDeep:
	default:
		return fmt.Errorf("--order %q: want sequential, random or deep", o.Order)
	}
	if o.Count < 1 || o.Count > 500 {
		return fmt.Errorf("--count %d: want 1..500 (the API's page limit)", o.Count)
	}
	if profile == ProfileMixed || profile == ProfileOverload {
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
	}
	return nil
}

// MixOp is one operation of the mixed and overload profiles.
type MixOp struct {
	Name   string
	Route  Route
	Weight int // default weight in the mixed profile
	What   string
}

// MixOps returns the operations of the mixed profile with their default
// weights.
func MixOps() []MixOp {
	return []MixOp{
		{"register", RouteRegister, 2, "register --batch new users; every item checked; they may be deleted later"},
		{"get-user", RouteGetUser, 10, "GET a pool user: 200, the right username, timestamps"},
		{"put-user", RoutePutUser, 3, "PUT a pool user's nickname: 204"},
		{"delete-user", RouteDeleteUser, 1, "DELETE a user this run registered: 204"},
		{"list-users", RouteListUsers, 3, "GET a user page at a random start: shape, count"},
		{"user-groups", RouteUserGroups, 2, "GET a pool user's groups: ascending gids"},
		{"create-group", RouteCreateGroup, 1, "POST a group owned by a pool user: 201 echoing the fields, a new gid"},
		{"get-group", RouteGetGroup, 3, "GET a seeded group: its gid and owner"},
		{"delete-group", RouteDeleteGroup, 1, "DELETE a group this run created: 204"},
		{"members", RouteEditMembers, 2, "add or remove a group's member, toggling: 204"},
		{"list-members", RouteListMembers, 2, "GET a seeded group's members: the owner first with flag 1"},
		{"list-groups", RouteListGroups, 1, "GET a group page at a random start: shape, count, ascending"},
		{"message", RouteSendMessage, 3, "POST a text message between pool users: 200 with a msg_id"},
		{"get-missing", RouteGetUser, 1, "GET a user that does not exist: 403 899002 expected"},
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

// DefaultMix returns a profile's default operation weights.
func DefaultMix(profile string) map[string]int {
	if profile == ProfileOverload {
		return map[string]int{"get-user": 3, "list-users": 1}
	}
	m := map[string]int{}
	for _, op := range MixOps() {
		m[op.Name] = op.Weight
	}
	return m
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
