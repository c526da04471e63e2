package load

import (
	"fmt"
	"strconv"
	"strings"
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
