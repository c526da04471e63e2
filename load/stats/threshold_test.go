package stats

import (
	"jmcheck/load/check"
	"jmcheck/spec"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseThreshold(t *testing.T) {
	cases := map[string]struct {
		in      string
		want    Threshold
		wantErr string
	}{
		"Percentile":   {in: "p99<250ms", want: Threshold{Metric: "p", Quantile: 0.99, Op: "<", Value: float64(250 * time.Millisecond)}},
		"Fractional":   {in: "p99.9 <= 1s", want: Threshold{Metric: "p", Quantile: 0.999, Op: "<=", Value: float64(time.Second)}},
		"Mean":         {in: "avg<20ms", want: Threshold{Metric: "mean", Op: "<", Value: float64(20 * time.Millisecond)}},
		"ErrorShare":   {in: "errors<0.1%", want: Threshold{Metric: "errors", Op: "<", Value: 0.001, Percent: true}},
		"ErrorCount":   {in: "failures<=5", want: Threshold{Metric: "errors", Op: "<=", Value: 5}},
		"RateShare":    {in: "rate>=99%", want: Threshold{Metric: "rate", Op: ">=", Value: 0.99, Percent: true}},
		"RatePerSec":   {in: "rate>200", want: Threshold{Metric: "rate", Op: ">", Value: 200}},
		"Success":      {in: "success>=99.9%", want: Threshold{Metric: "success", Op: ">=", Value: 0.999, Percent: true}},
		"Requests":     {in: "requests>=1000", want: Threshold{Metric: "requests", Op: ">=", Value: 1000}},
		"Route":        {in: "GET /v1/users/{username}: p99<50ms", want: Threshold{Scoped: true, Route: spec.RouteGetUser, Metric: "p", Quantile: 0.99, Op: "<", Value: float64(50 * time.Millisecond)}},
		"RouteAnyName": {in: "delete /v1/groups/{id}/:max<1s", want: Threshold{Scoped: true, Route: spec.RouteDeleteGroup, Metric: "max", Op: "<", Value: float64(time.Second)}},
		"NoUnit":       {in: "p99<250", wantErr: "not a duration"},
		"NoOperator":   {in: "p99 250ms", wantErr: "want METRIC OP VALUE"},
		"NoValue":      {in: "p99<", wantErr: "no value"},
		"TwoOperators": {in: "p99<<1s", wantErr: "one comparison"},
		"BadMetric":    {in: "latency<1s", wantErr: "unknown metric"},
		"P100":         {in: "p100<1s", wantErr: "percentile"},
		"BadRoute":     {in: "GET /v2/users: p99<1s", wantErr: "unknown route"},
		"BadPercent":   {in: "errors<150%", wantErr: "between 0% and 100%"},
		"SuccessCount": {in: "success>5", wantErr: "a share"},
		"RequestShare": {in: "requests>5%", wantErr: "a count"},
		"RouteRate":    {in: "GET /v1/users/: rate>=99%", wantErr: "no target rate"},
		"Empty":        {in: "", wantErr: "want METRIC OP VALUE"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ParseThreshold(c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("ParseThreshold(%q) error = %v, want one with %q", c.in, err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseThreshold(%q): %v", c.in, err)
			}
			c.want.Expr = strings.TrimSpace(c.in)
			close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
			if !close(got.Value, c.want.Value) || !close(got.Quantile, c.want.Quantile) {
				t.Errorf("ParseThreshold(%q) value %v quantile %v, want %v and %v", c.in, got.Value, got.Quantile, c.want.Value, c.want.Quantile)
			}
			got.Value, got.Quantile = c.want.Value, c.want.Quantile
			if got != c.want {
				t.Errorf("ParseThreshold(%q) = %+v, want %+v", c.in, got, c.want)
			}
		})
	}
}

func TestThresholdEval(t *testing.T) {
	stats := NewStats(time.Unix(0, 0))
	for i := 0; i < 100; i++ {
		s := Sample{Route: spec.RouteGetUser, Status: 200, Timestamp: time.Unix(0, 0).Add(time.Duration(i) * 10 * time.Millisecond), Latency: time.Duration(i+1) * time.Millisecond, Offset: -1}
		if i%10 == 0 {
			s.Reason, s.Status, s.Detail = check.Status, 500, "status: 500"
		}
		stats.Add(&s)
	}
	sum := stats.Summary()
	sum.Rate.Planned, sum.Rate.Ratio = 100, 1
	cases := map[string]struct {
		in       string
		wantPass bool
		actual   string
	}{
		"P99Met":         {in: "p99<150ms", wantPass: true},
		"P50Crossed":     {in: "p50<10ms", wantPass: false},
		"ErrorsShare":    {in: "errors<=10%", wantPass: true, actual: "10%"},
		"ErrorsCrossed":  {in: "errors<5", wantPass: false, actual: "10"},
		"Success":        {in: "success>=90%", wantPass: true},
		"RateShare":      {in: "rate>=99%", wantPass: true},
		"Requests":       {in: "requests>=100", wantPass: true, actual: "100"},
		"RouteMax":       {in: "GET /v1/users/{username}: max<=100ms", wantPass: true, actual: "100ms"},
		"RouteNoData":    {in: "POST /v1/users/: p99<1s", wantPass: false, actual: "no requests"},
		"Min":            {in: "min>=1ms", wantPass: true},
		"MeanCrossed":    {in: "mean<1ms", wantPass: false},
		"RoutePerSecond": {in: "GET /v1/users/{username}: rate>50", wantPass: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			th, err := ParseThreshold(c.in)
			if err != nil {
				t.Fatal(err)
			}
			got := th.Eval(sum)
			if got.Pass != c.wantPass {
				t.Errorf("Eval(%q) = %+v, want pass %v", c.in, got, c.wantPass)
			}
			if c.actual != "" && got.Actual != c.actual {
				t.Errorf("Eval(%q) actual = %q, want %q", c.in, got.Actual, c.actual)
			}
		})
	}
}

// FuzzParseThreshold checks that the parser never panics, and that what it
// accepts it writes back in a form that parses to the same threshold.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"p99<250ms", "errors<0.1%", "rate>=99%", "GET /v1/users/{username}: p99<50ms",
		"requests>=1000", "success>=99.9%", "max<=1m30s", "p50<1e3ms", ":<", "p<1s", "POST /v1/messages:errors<=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			return
		}
		again, err := ParseThreshold(th.String())
		if err != nil {
			t.Fatalf("ParseThreshold(%q) = %+v, whose String %q does not parse: %v", s, th, th.String(), err)
		}
		again.Expr, th.Expr = "", ""
		if again.Metric != th.Metric || again.Op != th.Op || again.Scoped != th.Scoped || again.Route != th.Route || again.Percent != th.Percent {
			t.Fatalf("round trip of %q: got %+v, want %+v", s, again, th)
		}
	})
}
