package load

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// ShardSpan is one result file's part of a merged report: how many
// requests it holds and when its first and last were sent, by the clock of
// the generator that wrote it.
type ShardSpan struct {
	File     string    `json:"file"`
	Attack   string    `json:"attack,omitempty"` // vegeta's attack name: the profile, "-shardI" for shard I
	Requests uint64    `json:"requests"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	Rate     float64   `json:"rate"` // (Requests-1) / (Last-First): the shard's own achieved rate
}

func (sp *ShardSpan) add(r *vegeta.Result) {
	if sp.Requests == 0 {
		sp.Attack = r.Attack
	}
	sp.Requests++
	if sp.First.IsZero() || r.Timestamp.Before(sp.First) {
		sp.First = r.Timestamp
	}
	if r.Timestamp.After(sp.Last) {
		sp.Last = r.Timestamp
	}
}

func (sp *ShardSpan) finish() {
	if d := sp.Duration(); d > 0 {
		sp.Rate = float64(sp.Requests-1) / d.Seconds()
	}
}

// Duration is the time from the shard's first request sent to its last.
func (sp ShardSpan) Duration() time.Duration { return sp.Last.Sub(sp.First) }

// The clock-skew rule of merged shards: SkewWarning warns when the shards'
// first requests, or their last ones, lie further apart than SkewShare of
// the median shard's attack and further than SkewFloor.
const (
	// SkewShare is the share of the run beyond which the merged rate is
	// off by about as much: the merged rate divides all requests by the
	// time from the earliest first request to the latest last one.
	SkewShare = 0.05
	// SkewFloor keeps start-up jitter of shards started together (process
	// start, seeding) from warning on short runs.
	SkewFloor = 100 * time.Millisecond
)

// SkewWarning compares the spans of shards (two or more, each with at
// least two requests) and returns a warning, or "" when their clocks
// agree. The skew is the larger of two spreads: between the shards' first
// requests, and between their last ones. Shards that ran together on
// synchronised clocks start and stop within a fraction of a second; a
// skew beyond SkewShare of the median shard's duration and beyond
// SkewFloor stretches the merged run and makes its rate (merged, in
// requests per second, 0 if unknown) understate the cluster's. The sum of
// the shards' own rates does not depend on their clocks agreeing; the
// warning gives both.
func SkewWarning(spans []ShardSpan, merged float64) string {
	var ok []ShardSpan
	for _, sp := range spans {
		if sp.Requests >= 2 && sp.Duration() > 0 {
			ok = append(ok, sp)
		}
	}
	if len(ok) < 2 {
		return ""
	}
	byFirst := slices.Clone(ok)
	slices.SortFunc(byFirst, func(a, b ShardSpan) int { return a.First.Compare(b.First) })
	byLast := slices.Clone(ok)
	slices.SortFunc(byLast, func(a, b ShardSpan) int { return a.Last.Compare(b.Last) })
	firstSpread := byFirst[len(byFirst)-1].First.Sub(byFirst[0].First)
	lastSpread := byLast[len(byLast)-1].Last.Sub(byLast[0].Last)
	skew := max(firstSpread, lastSpread)

	durations := make([]time.Duration, len(ok))
	sumRate := 0.0
	for i, sp := range ok {
		durations[i] = sp.Duration()
		sumRate += sp.Rate
	}
	slices.Sort(durations)
	median := durations[len(durations)/2]
	if len(durations)%2 == 0 {
		median = (durations[len(durations)/2-1] + durations[len(durations)/2]) / 2
	}
	if skew <= SkewFloor || float64(skew) <= SkewShare*float64(median) {
		return ""
	}
	w := fmt.Sprintf("shard clocks disagree: first requests %s apart (%s earliest, %s latest), last requests %s apart: %.1f%% of the median shard's %s attack (jmcheck warns above %.0f%% and %s).",
		roundSkew(firstSpread), byFirst[0].File, byFirst[len(byFirst)-1].File, roundSkew(lastSpread),
		100*float64(skew)/float64(median), roundSkew(median), SkewShare*100, SkewFloor)
	if merged > 0 && sumRate > 0 {
		w += fmt.Sprintf(" The merged rate %.1f/s is %.0f%% under the sum of the shards' own rates, %.1f/s, the cluster's rate.", merged, 100*(1-merged/sumRate), sumRate)
	}
	return w + " Sync the generators' clocks (NTP, chrony) and start the shards together; counts and latencies are exact either way."
}

func roundSkew(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

var shardSuffix = regexp.MustCompile(`-shard[0-9]+$`)

// profileOf returns the profile every span's attack name names, or "".
func profileOf(spans []ShardSpan) string {
	p := ""
	for i, sp := range spans {
		name := shardSuffix.ReplaceAllString(sp.Attack, "")
		if i > 0 && name != p {
			return ""
		}
		p = name
	}
	if !knownProfile(p) {
		return ""
	}
	return p
}
