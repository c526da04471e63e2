package stats

import (
	"jmcheck/load/check"
	"jmcheck/spec"
	"sort"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Sample is one checked request, the unit every consumer of an attack
// (statistics, metrics, reports) reads.
type Sample struct {
	Route     spec.Route
	Status    int          // 0: no answer
	Code      spec.Code    // business error code, 0 when none
	Reason    check.Reason // check.None: a pass
	Expected  bool         // a pass with an expected error answer
	Detail    string       // on a failure
	URL       string
	Offset    int // a list request's start, -1 otherwise
	Timestamp time.Time
	Latency   time.Duration
	BytesIn   uint64
	BytesOut  uint64
}

// SampleOf reads a Sample from a vegeta Result: a jmcheck result file
// carries its verdict in Error ("reason: detail", empty on a pass, also for
// an expected error answer); a plain vegeta file is judged by vegeta's own
// rule (a 2xx or 3xx is a pass).
func SampleOf(r *vegeta.Result) Sample {
	s := Sample{
		Route: spec.Match(r.Method, r.URL), Status: int(r.Code), URL: r.URL, Offset: -1,
		Timestamp: r.Timestamp, Latency: r.Latency, BytesIn: r.BytesIn, BytesOut: r.BytesOut,
	}
	if s.Route == spec.RouteListUsers || s.Route == spec.RouteListGroups {
		s.Offset = startOf(r.URL)
	}
	if s.Status >= 400 && len(r.Body) > 0 {
		s.Code, _, _ = spec.ErrorBody(r.Body)
	}
	if r.Error == "" {
		s.Expected = s.Status >= 300
		return s
	}
	s.Detail = r.Error
	if name, _, ok := strings.Cut(r.Error, ":"); ok {
		if reason, ok := check.ParseReason(name); ok && reason != check.None {
			s.Reason = reason
			return s
		}
	}
	switch {
	case s.Status != 0:
		s.Reason = check.Status
	case strings.Contains(r.Error, "timeout") || strings.Contains(r.Error, "deadline exceeded"):
		s.Reason = check.Timeout
	default:
		s.Reason = check.Connection
	}
	return s
}

// FileError is the Error a result file carries for a sample: the detail
// cut to its bounded head ("reason: kind"), so that vegeta report's error
// set stays short.
func FileError(s *Sample) string {
	if s.Reason == check.None {
		return ""
	}
	d := s.Detail
	if d == "" {
		return s.Reason.String()
	}
	if i := strings.Index(d, ": "); i >= 0 {
		if j := strings.Index(d[i+2:], ": "); j >= 0 {
			return d[:i+2+j]
		}
	}
	return d
}

// Stats folds samples into a summary, streaming: memory depends on the
// spread of latencies, routes and offsets, not on the number of requests.
type Stats struct {
	began            time.Time
	earliest, latest time.Time
	end              time.Time
	n                uint64
	passed, expected uint64
	failed           uint64
	bytesIn          uint64
	bytesOut         uint64
	all              Histogram
	routes           [spec.RouteCount]*routeStats
	answers          map[answerKey]uint64
	reasons          [check.ReasonCount]uint64
	samples          []FailureSample
	sampledReasons   [check.ReasonCount]bool
	offsets          buckets
	timeline         buckets
}

type routeStats struct {
	n, failed, expected uint64
	hist                Histogram
}

type answerKey struct {
	status   int
	code     spec.Code
	expected bool
}

// maxSamples bounds the failure samples a summary keeps.
const maxSamples = 20

// NewStats returns Stats for an attack that began at began (the zero time:
// the first sample's timestamp).
func NewStats(began time.Time) *Stats {
	return &Stats{
		began:    began,
		answers:  map[answerKey]uint64{},
		offsets:  newBuckets(100, 4096),
		timeline: newBuckets(int64(100*time.Millisecond), 200),
	}
}

// Add folds one sample in.
func (s *Stats) Add(x *Sample) {
	if s.began.IsZero() {
		s.began = x.Timestamp
	}
	s.n++
	if s.earliest.IsZero() || x.Timestamp.Before(s.earliest) {
		s.earliest = x.Timestamp
	}
	if x.Timestamp.After(s.latest) {
		s.latest = x.Timestamp
	}
	if e := x.Timestamp.Add(x.Latency); e.After(s.end) {
		s.end = e
	}
	s.bytesIn += x.BytesIn
	s.bytesOut += x.BytesOut
	s.all.Record(x.Latency)
	rs := s.routes[x.Route]
	if rs == nil {
		rs = &routeStats{}
		s.routes[x.Route] = rs
	}
	rs.n++
	rs.hist.Record(x.Latency)
	failed := x.Reason != check.None
	switch {
	case failed:
		s.failed++
		rs.failed++
		s.reasons[x.Reason]++
		s.sample(x)
	case x.Expected:
		s.passed++
		s.expected++
		rs.expected++
	default:
		s.passed++
	}
	k := answerKey{status: x.Status, code: x.Code, expected: x.Expected && !failed}
	if _, ok := s.answers[k]; ok || len(s.answers) < 200 {
		s.answers[k]++
	} else {
		s.answers[answerKey{status: -1}]++ // the rest, when a server answers with too many distinct codes
	}
	if x.Offset >= 0 {
		s.offsets.add(int64(x.Offset), x.Latency, failed)
	}
	s.timeline.add(int64(x.Timestamp.Sub(s.began)), x.Latency, failed)
}

func (s *Stats) sample(x *Sample) {
	// Keep the first samples, but make room for the first of each reason.
	if len(s.samples) >= maxSamples && s.sampledReasons[x.Reason] {
		return
	}
	fs := FailureSample{
		At: x.Timestamp.Sub(s.began), Route: x.Route, Status: x.Status, Code: x.Code,
		Reason: x.Reason, Detail: x.Detail, URL: shortURL(x.URL),
	}
	if len(s.samples) >= maxSamples {
		// Replace the last sample of a reason that has several.
		counts := map[check.Reason]int{}
		for _, f := range s.samples {
			counts[f.Reason]++
		}
		for i := len(s.samples) - 1; i >= 0; i-- {
			if counts[s.samples[i].Reason] > 1 {
				s.samples[i] = fs
				s.sampledReasons[x.Reason] = true
				return
			}
		}
		return
	}
	s.samples = append(s.samples, fs)
	s.sampledReasons[x.Reason] = true
}

// shortURL drops scheme and host.
func shortURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			return u[i+3+j:]
		}
	}
	return u
}

// Summary returns the summary of everything added so far.
func (s *Stats) Summary() *Summary {
	sum := &Summary{
		Started:  s.earliest,
		Requests: s.n, Passed: s.passed, Expected: s.expected, Failed: s.failed,
		BytesIn: s.bytesIn, BytesOut: s.bytesOut,
		Latency:   latencyOf(&s.all),
		Histogram: cloneHist(&s.all),
	}
	if s.n > 0 {
		sum.Duration = s.latest.Sub(s.earliest)
		sum.Wait = s.end.Sub(s.latest)
		sum.Rate.Achieved = float64(s.n)
		if secs := sum.Duration.Seconds(); secs > 0 {
			sum.Rate.Achieved = float64(s.n-1) / secs
		}
		sum.Rate.Sent = s.n
	}
	for r, rs := range s.routes {
		if rs == nil {
			continue
		}
		rsum := RouteSummary{Route: spec.Route(r), Requests: rs.n, Failed: rs.failed, Expected: rs.expected, Latency: latencyOf(&rs.hist), Histogram: cloneHist(&rs.hist)}
		if s.n > 0 {
			rsum.Rate = sum.Rate.Achieved * float64(rs.n) / float64(s.n) // its share of the run's rate
		}
		sum.Routes = append(sum.Routes, rsum)
	}
	for k, n := range s.answers {
		sum.Answers = append(sum.Answers, AnswerCount{Status: k.status, Code: k.code, Expected: k.expected, Count: n})
	}
	sort.Slice(sum.Answers, func(i, j int) bool {
		a, b := sum.Answers[i], sum.Answers[j]
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return !a.Expected && b.Expected
	})
	for r, n := range s.reasons {
		if n > 0 {
			sum.Failures = append(sum.Failures, ReasonCount{Reason: check.Reason(r), Count: n})
		}
	}
	sum.Samples = append([]FailureSample(nil), s.samples...)
	sort.SliceStable(sum.Samples, func(i, j int) bool { return sum.Samples[i].At < sum.Samples[j].At })
	if s.offsets.len() > 0 {
		sum.Offsets = s.offsets.offsetTable(20)
	}
	sum.Timeline = s.timeline.timeline()
	return sum
}

func cloneHist(h *Histogram) *Histogram {
	c := &Histogram{}
	c.Merge(h)
	return c
}

func latencyOf(h *Histogram) Latency {
	return Latency{
		Min: h.Min(), Mean: h.Mean(), P50: h.Quantile(0.5), P90: h.Quantile(0.9),
		P95: h.Quantile(0.95), P99: h.Quantile(0.99), P999: h.Quantile(0.999), Max: h.Max(),
	}
}

// buckets is a series of histograms over an integer axis (time in ns, or
// list offsets) whose bucket width doubles whenever the series would grow
// past its limit: a long run keeps the same number of points.
type buckets struct {
	width int64
	limit int
	items []*bucket
	gcd   int64 // of every position added: pages at multiples of their count
	top   int64 // the largest position added
}

type bucket struct {
	n, failed uint64
	hist      Histogram
}

func newBuckets(width int64, limit int) buckets { return buckets{width: width, limit: limit} }

func (b *buckets) len() int { return len(b.items) }

func (b *buckets) add(at int64, d time.Duration, failed bool) {
	if at < 0 {
		at = 0
	}
	b.gcd = gcd(b.gcd, at)
	b.top = max(b.top, at)
	i := at / b.width
	for i >= int64(b.limit) {
		b.coarsen()
		i = at / b.width
	}
	for int64(len(b.items)) <= i {
		b.items = append(b.items, nil)
	}
	it := b.items[i]
	if it == nil {
		it = &bucket{}
		b.items[i] = it
	}
	it.n++
	if failed {
		it.failed++
	}
	it.hist.Record(d)
}

// coarsen doubles the width, merging neighbours.
func (b *buckets) coarsen() {
	b.width *= 2
	merged := make([]*bucket, (len(b.items)+1)/2)
	for i, it := range b.items {
		if it == nil {
			continue
		}
		m := merged[i/2]
		if m == nil {
			merged[i/2] = it
			continue
		}
		m.n += it.n
		m.failed += it.failed
		m.hist.Merge(&it.hist)
	}
	b.items = merged
}

// offsetTable groups the buckets into at most about n rows of a round
// width that is a multiple of the page stride (the gcd of the starts), so
// that each page of a sequential sweep falls in one row.
func (b *buckets) offsetTable(n int) *OffsetTable {
	unit := b.width
	if b.gcd > 0 {
		unit = lcm(unit, b.gcd)
	}
	rows := (b.top + 1 + unit - 1) / unit // rows of width unit
	m := niceCeil((rows + int64(n) - 1) / int64(n))
	w := unit * m
	t := &OffsetTable{Width: w}
	per := w / b.width
	for i := int64(0); i < int64(len(b.items)); i += per {
		var (
			h         Histogram
			cnt, fail uint64
		)
		for j := i; j < min(i+per, int64(len(b.items))); j++ {
			if it := b.items[j]; it != nil {
				h.Merge(&it.hist)
				cnt += it.n
				fail += it.failed
			}
		}
		if cnt == 0 {
			continue
		}
		t.Buckets = append(t.Buckets, OffsetBucket{
			From: i * b.width, To: (i + per) * b.width,
			Requests: cnt, Failed: fail, Latency: latencyOf(&h),
		})
	}
	return t
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(x int64) int64 {
	if x <= 1 {
		return 1
	}
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= x {
				return m * p
			}
		}
	}
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int64) int64 {
	if a == 0 || b == 0 {
		return max(a, b)
	}
	return a / gcd(a, b) * b
}

func (b *buckets) timeline() []TimePoint {
	out := make([]TimePoint, 0, len(b.items))
	for i, it := range b.items {
		p := TimePoint{At: time.Duration(int64(i) * b.width), Width: time.Duration(b.width)}
		if it != nil {
			p.Requests, p.Failed = it.n, it.failed
			p.P50, p.P90, p.P99, p.Max = it.hist.Quantile(0.5), it.hist.Quantile(0.9), it.hist.Quantile(0.99), it.hist.Max()
		}
		out = append(out, p)
	}
	return out
}

// startOf returns the start query parameter of a list URL, or -1.
func startOf(rawURL string) int {
	i := strings.Index(rawURL, "start=")
	if i < 0 || (i > 0 && rawURL[i-1] != '?' && rawURL[i-1] != '&') {
		return -1
	}
	n, ok := 0, false
	for _, c := range rawURL[i+len("start="):] {
		if c < '0' || c > '9' || n > 1<<40 {
			break
		}
		n, ok = n*10+int(c-'0'), true
	}
	if !ok {
		return -1
	}
	return n
}

// StartOf returns the start query parameter of a list URL, or -1: the
// offset a sample of a list request is filed under.
func StartOf(rawURL string) int { return startOf(rawURL) }
