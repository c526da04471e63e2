package stats

import (
	"errors"
	"fmt"
	"jmcheck/spec"
	"math"
	"strconv"
	"strings"
	"time"
)

// Threshold is a pass/fail gate on a run, over the whole run or one route:
//
//	p99<250ms                        a latency percentile (p50, p99.9, …), mean, min or max
//	errors<0.1%   errors<=10          failed requests: a share, or a count
//	rate>=99%     rate>=200           achieved rate: a share of the target, or requests per second
//	success>=99.9%                    passed requests (expected errors included): a share
//	requests>=1000                    requests sent
//	GET /v1/users/{username}: p99<50ms   any of the above, scoped to one route
//
// Operators are <, <=, >, >=. Durations need a unit (ns, us, µs, ms, s, m).
type Threshold struct {
	Expr     string     // as written
	Route    spec.Route // the scope, when Scoped
	Scoped   bool       // false: the whole run
	Metric   string     // "p", "mean", "min", "max", "errors", "rate", "success", "requests"
	Quantile float64    // for "p": 0 < q < 1
	Op       string     // "<", "<=", ">", ">="
	Value    float64    // nanoseconds, a ratio (0..1) when Percent, or a plain number
	Percent  bool
}

// ThresholdResult is a threshold's verdict on a summary.
type ThresholdResult struct {
	Threshold string `json:"threshold"`
	Actual    string `json:"actual"`
	Pass      bool   `json:"pass"`
	Note      string `json:"note,omitempty"`
}

// ParseThreshold reads a threshold; the error says what a valid one looks
// like.
func ParseThreshold(s string) (Threshold, error) {
	t := Threshold{Expr: strings.TrimSpace(s)}
	body := t.Expr
	if i := strings.LastIndexByte(body, ':'); i >= 0 {
		scope := strings.TrimSpace(body[:i])
		r, ok := spec.ParseRoute(scope)
		if !ok {
			return Threshold{}, fmt.Errorf("threshold %q: unknown route %q; a scope is METHOD /path/template, one of %s", s, scope, strings.Join(spec.RouteNames(), ", "))
		}
		t.Route, t.Scoped = r, true
		body = strings.TrimSpace(body[i+1:])
	}
	j := strings.IndexAny(body, "<>")
	if j <= 0 {
		return Threshold{}, fmt.Errorf("threshold %q: want METRIC OP VALUE, such as p99<250ms, errors<0.1%% or rate>=99%%", s)
	}
	metric := strings.ToLower(strings.TrimSpace(body[:j]))
	t.Op = body[j : j+1]
	rest := body[j+1:]
	if strings.HasPrefix(rest, "=") {
		t.Op += "="
		rest = rest[1:]
	}
	value := strings.TrimSpace(rest)
	if value == "" {
		return Threshold{}, fmt.Errorf("threshold %q: no value after %s", s, t.Op)
	}
	if strings.ContainsAny(value, "<>=") {
		return Threshold{}, fmt.Errorf("threshold %q: one comparison per threshold", s)
	}
	switch {
	case strings.HasPrefix(metric, "p") && len(metric) > 1 && (metric[1] >= '0' && metric[1] <= '9'):
		q, err := strconv.ParseFloat(metric[1:], 64)
		if err != nil || q <= 0 || q >= 100 || math.IsNaN(q) {
			return Threshold{}, fmt.Errorf("threshold %q: percentile %q: want p1..p99.99, such as p99", s, metric)
		}
		t.Metric, t.Quantile = "p", q/100
	case metric == "mean" || metric == "avg" || metric == "min" || metric == "max" || metric == "med":
		t.Metric = metric
		switch metric {
		case "avg":
			t.Metric = "mean"
		case "med":
			t.Metric, t.Quantile = "p", 0.5
		}
	case metric == "errors" || metric == "failures":
		t.Metric = "errors"
	case metric == "rate", metric == "success", metric == "requests":
		t.Metric = metric
	default:
		return Threshold{}, fmt.Errorf("threshold %q: unknown metric %q: want p<N>, mean, min, max, errors, rate, success or requests", s, metric)
	}
	switch t.Metric {
	case "p", "mean", "min", "max":
		d, err := parseDuration(value)
		if err != nil {
			return Threshold{}, fmt.Errorf("threshold %q: %q is not a duration with a unit, such as 250ms", s, value)
		}
		t.Value = float64(d)
	default:
		v, pct, err := parseNumber(value)
		if err != nil {
			return Threshold{}, fmt.Errorf("threshold %q: %q is not a number or a percentage", s, value)
		}
		t.Value, t.Percent = v, pct
		if pct && (v < 0 || v > 1) {
			return Threshold{}, fmt.Errorf("threshold %q: a share is between 0%% and 100%%", s)
		}
		if t.Metric == "success" && !pct {
			return Threshold{}, fmt.Errorf("threshold %q: success is a share, such as success>=99.9%%", s)
		}
		if t.Metric == "requests" && pct {
			return Threshold{}, fmt.Errorf("threshold %q: requests is a count, such as requests>=1000", s)
		}
		if t.Metric == "rate" && pct && t.Scoped {
			return Threshold{}, fmt.Errorf("threshold %q: a route has no target rate; give requests per second, such as rate>=50", s)
		}
		if v < 0 {
			return Threshold{}, fmt.Errorf("threshold %q: the value must be ≥ 0", s)
		}
	}
	return t, nil
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, errors.New("negative")
	}
	if s == "0" {
		return 0, errors.New("no unit")
	}
	return d, nil
}

func parseNumber(s string) (v float64, percent bool, err error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "%") {
		percent = true
		s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	}
	v, err = strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, errors.New("not a number")
	}
	if percent {
		v /= 100
	}
	return v, percent, nil
}

// String writes the threshold in the canonical form ParseThreshold reads.
func (t Threshold) String() string {
	var b strings.Builder
	if t.Scoped {
		b.WriteString(t.Route.String() + ": ")
	}
	switch t.Metric {
	case "p":
		b.WriteString("p" + strconv.FormatFloat(t.Quantile*100, 'f', -1, 64))
	default:
		b.WriteString(t.Metric)
	}
	b.WriteString(t.Op)
	switch t.Metric {
	case "p", "mean", "min", "max":
		b.WriteString(time.Duration(t.Value).String())
	default:
		if t.Percent {
			b.WriteString(strconv.FormatFloat(t.Value*100, 'f', -1, 64) + "%")
		} else {
			b.WriteString(strconv.FormatFloat(t.Value, 'f', -1, 64))
		}
	}
	return b.String()
}

func (t Threshold) compare(v float64) bool {
	switch t.Op {
	case "<":
		return v < t.Value
	case "<=":
		return v <= t.Value
	case ">":
		return v > t.Value
	case ">=":
		return v >= t.Value
	}
	return false
}

// Eval judges a summary. A threshold over no requests does not pass: a
// gate that cannot be checked must not open.
func (t Threshold) Eval(s *Summary) ThresholdResult {
	res := ThresholdResult{Threshold: t.Expr}
	if res.Threshold == "" {
		res.Threshold = t.String()
	}
	var (
		requests, failed, passed uint64
		hist                     *Histogram
		lat                      Latency
		rate                     float64
	)
	if t.Scoped {
		rs := s.Route(t.Route)
		if rs == nil {
			res.Actual, res.Note = "no requests", "no request went to "+t.Route.String()
			return res
		}
		requests, failed, passed = rs.Requests, rs.Failed, rs.Requests-rs.Failed
		hist, lat, rate = rs.Histogram, rs.Latency, rs.Rate
	} else {
		requests, failed, passed = s.Requests, s.Failed, s.Passed
		hist, lat, rate = s.Histogram, s.Latency, s.Rate.Achieved
	}
	if requests == 0 && t.Metric != "requests" {
		res.Actual, res.Note = "no requests", "nothing to judge"
		return res
	}
	var v float64
	switch t.Metric {
	case "p":
		d := quantileOf(hist, lat, t.Quantile)
		v, res.Actual = float64(d), roundDuration(d).String()
	case "mean":
		v, res.Actual = float64(lat.Mean), roundDuration(lat.Mean).String()
	case "min":
		v, res.Actual = float64(lat.Min), roundDuration(lat.Min).String()
	case "max":
		v, res.Actual = float64(lat.Max), roundDuration(lat.Max).String()
	case "errors":
		if t.Percent {
			v = float64(failed) / float64(requests)
			res.Actual = formatPercent(v)
		} else {
			v, res.Actual = float64(failed), strconv.FormatUint(failed, 10)
		}
	case "success":
		v = float64(passed) / float64(requests)
		res.Actual = formatPercent(v)
	case "requests":
		v, res.Actual = float64(requests), strconv.FormatUint(requests, 10)
	case "rate":
		if t.Percent {
			if s.Rate.Planned <= 0 {
				res.Actual, res.Note = "unknown", "the target rate is unknown (a result file without its run)"
				return res
			}
			v = s.Rate.Ratio
			res.Actual = formatPercent(v) + " of the target"
		} else {
			v, res.Actual = rate, strconv.FormatFloat(rate, 'f', 1, 64)+"/s"
		}
	}
	res.Pass = t.compare(v)
	return res
}

// quantileOf reads a quantile from the histogram when there is one, else
// from the fixed percentiles of a summary read back without histograms.
func quantileOf(h *Histogram, l Latency, q float64) time.Duration {
	if h != nil && h.Count() > 0 {
		return h.Quantile(q)
	}
	switch {
	case q <= 0.5:
		return l.P50
	case q <= 0.9:
		return l.P90
	case q <= 0.95:
		return l.P95
	case q <= 0.99:
		return l.P99
	}
	return l.P999
}

func formatPercent(v float64) string {
	return strconv.FormatFloat(v*100, 'g', 4, 64) + "%"
}

// roundDuration rounds to three significant digits or so, as vegeta does.
func roundDuration(d time.Duration) time.Duration {
	for _, unit := range []time.Duration{time.Hour, time.Minute, time.Second, time.Millisecond, time.Microsecond} {
		if d >= unit {
			return d.Round(unit / 1000 * 10)
		}
	}
	return d
}
