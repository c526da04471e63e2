package op

import (
	"strconv"
	"strings"
	"sync/atomic"

	"jmcheck/ledger"
)

// Namer makes the names a run creates: the run id, the shard index, a kind
// letter and a counter in base 36, such as "jq3x9a0bc-0-u1z". Names from
// different runs or shards never collide, and a name maps back to its
// counter, so a run tracks what it created in one bit per name.
type Namer struct {
	prefix string // "<runid>-<shard>-"
	users  atomic.Uint64
	groups atomic.Uint64
}

// NewNamer returns a Namer for a run id (target.NewRunID) and a shard
// index (0 when the run is not sharded).
func NewNamer(runID string, shard int) *Namer {
	return &Namer{prefix: runID + "-" + strconv.Itoa(shard) + "-"}
}

// Prefix is what every name of this run and shard starts with.
func (n *Namer) Prefix() string { return n.prefix }

// NextUsers reserves k consecutive user counters and returns the first.
func (n *Namer) NextUsers(k int) uint64 { return n.users.Add(uint64(k)) - uint64(k) }

// UsersIssued returns how many user counters were reserved so far.
func (n *Namer) UsersIssued() uint64 { return n.users.Load() }

// NextGroup reserves one group counter.
func (n *Namer) NextGroup() uint64 { return n.groups.Add(1) - 1 }

// User returns the username of a user counter.
func (n *Namer) User(i uint64) string {
	return n.prefix + "u" + strconv.FormatUint(i, 36)
}

// AppendUser appends the username of a user counter to b.
func (n *Namer) AppendUser(b []byte, i uint64) []byte {
	b = append(b, n.prefix...)
	b = append(b, 'u')
	return strconv.AppendUint(b, i, 36)
}

// Group returns the group name of a group counter.
func (n *Namer) Group(i uint64) string {
	return n.prefix + "g" + strconv.FormatUint(i, 36)
}

// Missing returns a valid username that this run never registers.
func (n *Namer) Missing(i uint64) string {
	return n.prefix + "x" + strconv.FormatUint(i, 36)
}

// Users returns the user names as a ledger.Space: the ledger keeps them
// in bitsets, and never indexes a counter this Namer did not issue.
func (n *Namer) Users() ledger.Space { return userSpace{n} }

type userSpace struct{ n *Namer }

func (u userSpace) Name(i uint64) string             { return u.n.User(i) }
func (u userSpace) Index(name string) (uint64, bool) { return u.n.UserIndex(name) }
func (u userSpace) Issued() uint64                   { return u.n.UsersIssued() }

// UserIndex returns the counter of a username this Namer made.
func (n *Namer) UserIndex(name string) (uint64, bool) {
	return n.parse(name, 'u')
}

func (n *Namer) parse(name string, kind byte) (uint64, bool) {
	if len(name) < len(n.prefix)+2 || !strings.HasPrefix(name, n.prefix) || name[len(n.prefix)] != kind {
		return 0, false
	}
	v, err := strconv.ParseUint(name[len(n.prefix)+1:], 36, 64)
	if err != nil {
		return 0, false
	}
	// Reject non-canonical spellings ("u01") so that one counter has one name.
	if strconv.FormatUint(v, 36) != name[len(n.prefix)+1:] {
		return 0, false
	}
	return v, true
}
