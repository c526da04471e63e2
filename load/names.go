package load

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
)

// Shard is one generator among Count that split a run: each takes 1/Count
// of the rate and its own name space. The zero value is the whole run.
type Shard struct {
	Index int // 0 ≤ Index < Count
	Count int // 0 or 1: not sharded
}

// MaxShards bounds the shard count: more generators than this is a typo,
// and the shard index must keep usernames short.
const MaxShards = 10000

// ParseShard reads "i/n" (0 ≤ i < n ≤ MaxShards).
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := parseCount(is)
	n, err2 := parseCount(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || n > MaxShards || i >= n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 0 ≤ i < n ≤ %d, such as 0/3", s, MaxShards)
	}
	return Shard{Index: i, Count: n}, nil
}

// Environment variables of a Kubernetes Indexed Job. Kubernetes sets
// JOB_COMPLETION_INDEX in every pod; JOB_COMPLETIONS is not set by
// Kubernetes: the Job's manifest sets it to spec.completions.
const (
	EnvCompletionIndex = "JOB_COMPLETION_INDEX"
	EnvCompletions     = "JOB_COMPLETIONS"
)

// ShardFromEnv reads the shard of a pod of a Kubernetes Indexed Job from
// the values of JOB_COMPLETION_INDEX and JOB_COMPLETIONS. ok is false when
// neither is set; one without the other is an error, as is a value that is
// not a whole number or an index outside [0, completions).
func ShardFromEnv(index, completions string) (s Shard, ok bool, err error) {
	index, completions = strings.TrimSpace(index), strings.TrimSpace(completions)
	switch {
	case index == "" && completions == "":
		return Shard{}, false, nil
	case completions == "":
		return Shard{}, false, fmt.Errorf("%s=%s is set but %s is not: Kubernetes sets only the index; set env %s to the Job's spec.completions, or give --shard i/n",
			EnvCompletionIndex, index, EnvCompletions, EnvCompletions)
	case index == "":
		return Shard{}, false, fmt.Errorf("%s=%s is set but %s is not: run in an Indexed Job (completionMode: Indexed), or give --shard i/n",
			EnvCompletions, completions, EnvCompletionIndex)
	}
	n, err := parseCount(completions)
	if err != nil || n < 1 || n > MaxShards {
		return Shard{}, false, fmt.Errorf("%s=%q: want a whole number from 1 to %d", EnvCompletions, completions, MaxShards)
	}
	i, err := parseCount(index)
	if err != nil || i >= n {
		return Shard{}, false, fmt.Errorf("%s=%q: want a whole number from 0 to %d (%s=%d)", EnvCompletionIndex, index, n-1, EnvCompletions, n)
	}
	return Shard{Index: i, Count: n}, true, nil
}

// parseCount reads a whole number of plain decimal digits: no sign, no
// spaces, at most 9 digits.
func parseCount(s string) (int, error) {
	if s == "" || len(s) > 9 {
		return 0, fmt.Errorf("%q: not a whole number", s)
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q: not a whole number", s)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// Sharded reports whether the run is split.
func (s Shard) Sharded() bool { return s.Count > 1 }

// String returns "i/n", or "" when not sharded.
func (s Shard) String() string {
	if !s.Sharded() {
		return ""
	}
	return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count)
}

// Label is the shard's value of the metrics' shard label: its index, "0"
// for an unsharded run.
func (s Shard) Label() string { return strconv.Itoa(s.Index) }

// RunID returns the run id a shard reports as its own: the run's id with
// the shard index as a suffix ("jq3x9a0bc-1"), the run's id unchanged when
// not sharded. It is the prefix of the shard's names without the trailing
// dash, and the run_id a shard pushes its metrics under, so that the
// shards of one run never overwrite each other on a Pushgateway.
func (s Shard) RunID(runID string) string {
	if !s.Sharded() {
		return runID
	}
	return runID + "-" + strconv.Itoa(s.Index)
}

// ShardPlaceholder in a file name stands for the shard index.
const ShardPlaceholder = "{shard}"

// ShardPath replaces every {shard} in path with the shard's index ("0"
// when not sharded), so that shards that share a directory write files of
// their own: "results-{shard}.gob" becomes "results-2.gob" for shard 2/3.
func ShardPath(path string, s Shard) string {
	return strings.ReplaceAll(path, ShardPlaceholder, s.Label())
}

// Namer makes the names a run creates: the run id, the shard index, a kind
// letter and a counter in base 36, such as "jq3x9a0bc-0-u1z". Names from
// different runs or shards never collide, and a name maps back to its
// counter, so a run tracks what it created in one bit per name.
type Namer struct {
	prefix string // "<runid>-<shard>-"
	users  atomic.Uint64
	groups atomic.Uint64
}

// NewNamer returns a Namer for a run id (target.NewRunID) and a shard.
func NewNamer(runID string, shard Shard) *Namer {
	return &Namer{prefix: runID + "-" + strconv.Itoa(shard.Index) + "-"}
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

// UserIndex returns the counter of a username this Namer made.
func (n *Namer) UserIndex(name string) (uint64, bool) {
	return n.parse(name, 'u')
}

// UserIndexBytes is UserIndex on bytes, without allocating.
func (n *Namer) UserIndexBytes(name []byte) (uint64, bool) {
	if len(name) < len(n.prefix)+2 || string(name[:len(n.prefix)]) != n.prefix || name[len(n.prefix)] != 'u' {
		return 0, false
	}
	digits := name[len(n.prefix)+1:]
	if digits[0] == '0' && len(digits) > 1 {
		return 0, false // non-canonical: one counter has one name
	}
	var v uint64
	for _, c := range digits {
		d, ok := digit36(c)
		if !ok || v > (1<<58) {
			return 0, false
		}
		v = v*36 + d
	}
	return v, true
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

func digit36(c byte) (uint64, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0'), true
	case c >= 'a' && c <= 'z':
		return uint64(c-'a') + 10, true
	}
	return 0, false
}
