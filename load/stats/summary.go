package stats

import (
	"encoding/json"
	"fmt"
	"io"
	"jmcheck/ledger"
	"jmcheck/load/check"
	"jmcheck/spec"
	"time"
)

// Summary is the outcome of a run, or of result files read back: what
// the reports render and --summary-json writes. Durations are nanoseconds
// in JSON, as in vegeta's reports.
type Summary struct {
	Profile string    `json:"profile,omitempty"`
	RunID   string    `json:"run_id,omitempty"`
	Shard   string    `json:"shard,omitempty"`
	Target  string    `json:"target,omitempty"`
	Pacing  string    `json:"pacing,omitempty"`
	Started time.Time `json:"started"`
	// Duration runs from the first request sent to the last; Wait from the
	// last sent to the last answer.
	Duration time.Duration `json:"duration"`
	Wait     time.Duration `json:"wait"`

	Requests uint64 `json:"requests"`
	Passed   uint64 `json:"passed"`   // answers the profile expects, expected errors included
	Expected uint64 `json:"expected"` // of Passed: expected error answers (403 899013, 503 899030, …)
	Failed   uint64 `json:"failed"`
	BytesIn  uint64 `json:"bytes_in"`
	BytesOut uint64 `json:"bytes_out"`

	Rate      RateSummary     `json:"rate"`
	Latency   Latency         `json:"latency"`
	Histogram *Histogram      `json:"histogram,omitempty"`
	Routes    []RouteSummary  `json:"routes"`
	Answers   []AnswerCount   `json:"answers"`
	Failures  []ReasonCount   `json:"failures"`
	Samples   []FailureSample `json:"samples,omitempty"`
	Offsets   *OffsetTable    `json:"offsets,omitempty"`
	Timeline  []TimePoint     `json:"timeline,omitempty"`

	// Shards lists the result files of a merged report, one per shard.
	Shards   []ShardSpan `json:"shards,omitempty"`
	Warnings []string    `json:"warnings,omitempty"` // doubts that do not fail the run, such as shard clock skew

	Checks     []string          `json:"checks,omitempty"` // what the profile's own checks covered
	Verify     *VerifyResult     `json:"verify,omitempty"`
	Cleanup    *ledger.Report    `json:"cleanup,omitempty"`
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
	Problems   []string          `json:"problems,omitempty"` // why the run fails, one line each
	Pass       bool              `json:"pass"`
}

// RateSummary sets the achieved rate beside the target.
type RateSummary struct {
	Target   float64 `json:"target"`   // mean planned requests per second, 0 when unknown
	Achieved float64 `json:"achieved"` // requests sent per second
	Planned  float64 `json:"planned"`  // requests the pacer planned by the time the attack ended
	Sent     uint64  `json:"sent"`
	Ratio    float64 `json:"ratio"` // Sent / Planned; 0 when unknown
	// ShardSum is, in a report merged from shards, the sum of each shard's
	// own achieved rate: the cluster's rate, right even when the shards'
	// clocks disagree (then Achieved, over the merged span, is lower).
	ShardSum float64 `json:"shard_sum,omitempty"`
}

// Latency holds latency statistics.
type Latency struct {
	Min  time.Duration `json:"min"`
	Mean time.Duration `json:"mean"`
	P50  time.Duration `json:"50th"`
	P90  time.Duration `json:"90th"`
	P95  time.Duration `json:"95th"`
	P99  time.Duration `json:"99th"`
	P999 time.Duration `json:"999th"`
	Max  time.Duration `json:"max"`
}

// RouteSummary is one route's share of a run.
type RouteSummary struct {
	Route     spec.Route `json:"route"`
	Requests  uint64     `json:"requests"`
	Failed    uint64     `json:"failed"`
	Expected  uint64     `json:"expected"`
	Rate      float64    `json:"rate"`
	Latency   Latency    `json:"latency"`
	Histogram *Histogram `json:"histogram,omitempty"`
}

// AnswerCount counts one (status, business code) answer. Status 0 is no
// answer; status -1 collects the rest when a server sends too many kinds.
type AnswerCount struct {
	Status   int       `json:"status"`
	Code     spec.Code `json:"code,omitempty"`
	Expected bool      `json:"expected,omitempty"`
	Count    uint64    `json:"count"`
}

// ReasonCount counts the failures of one reason.
type ReasonCount struct {
	Reason check.Reason `json:"reason"`
	Count  uint64       `json:"count"`
}

// FailureSample is one failed request, kept to show what went wrong.
type FailureSample struct {
	At     time.Duration `json:"at"` // since the attack began
	Route  spec.Route    `json:"route"`
	Status int           `json:"status"`
	Code   spec.Code     `json:"code,omitempty"`
	Reason check.Reason  `json:"reason"`
	Detail string        `json:"detail"`
	URL    string        `json:"url"`
}

// OffsetTable is latency by the start offset of list requests: the curve
// that shows a server whose pages cost O(offset).
type OffsetTable struct {
	Width   int64          `json:"width"`
	Buckets []OffsetBucket `json:"buckets"`
}

// OffsetBucket is the requests whose start fell in [From, To).
type OffsetBucket struct {
	From     int64   `json:"from"`
	To       int64   `json:"to"`
	Requests uint64  `json:"requests"`
	Failed   uint64  `json:"failed"`
	Latency  Latency `json:"latency"`
}

// TimePoint is the requests sent in [At, At+Width) after the attack began.
type TimePoint struct {
	At       time.Duration `json:"at"`
	Width    time.Duration `json:"width"`
	Requests uint64        `json:"requests"`
	Failed   uint64        `json:"failed"`
	P50      time.Duration `json:"p50"`
	P90      time.Duration `json:"p90"`
	P99      time.Duration `json:"p99"`
	Max      time.Duration `json:"max"`
}

// Route returns the summary of one route, or nil.
func (s *Summary) Route(r spec.Route) *RouteSummary {
	for i := range s.Routes {
		if s.Routes[i].Route == r {
			return &s.Routes[i]
		}
	}
	return nil
}

// ErrorRatio returns Failed / Requests.
func (s *Summary) ErrorRatio() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Failed) / float64(s.Requests)
}

// WriteJSON writes the summary as indented JSON.
func (s *Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("write summary JSON: %w", err)
	}
	return nil
}
