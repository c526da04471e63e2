package stats

import (
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

// Add counts one result of the file.
func (sp *ShardSpan) Add(r *vegeta.Result) {
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

// Finish computes the rate once every result is added.
func (sp *ShardSpan) Finish() {
	if d := sp.Duration(); d > 0 {
		sp.Rate = float64(sp.Requests-1) / d.Seconds()
	}
}

// Duration is the time from the shard's first request sent to its last.
func (sp ShardSpan) Duration() time.Duration { return sp.Last.Sub(sp.First) }

// VerifyResult is what the check after the attack found: every user a
// 201 reported created must exist; no user of a refused batch may.
type VerifyResult struct {
	Method     string   `json:"method"`  // "list": paged through the user list; "get": one GET per user; "none"
	Checked    int      `json:"checked"` // users that must exist
	Missing    int      `json:"missing"` // reported created, not there
	Unexpected int      `json:"unexpected"`
	Strange    int      `json:"strange,omitempty"` // listed names of the run's form it never issued: ignored
	Examples   []string `json:"examples,omitempty"`
	Error      string   `json:"error,omitempty"` // the check could not finish
}
