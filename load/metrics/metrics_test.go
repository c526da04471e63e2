package metrics

import (
	"context"
	"io"
	"jmcheck/load/check"
	"jmcheck/load/stats"
	"jmcheck/spec"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsLintAndBoundedLabels(t *testing.T) {
	m, err := New("mixed", nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Prepare([]spec.Route{spec.RouteGetUser, spec.RouteRegister})
	samples := []stats.Sample{
		{Route: spec.RouteGetUser, Status: 200, Latency: time.Millisecond},
		{Route: spec.RouteRegister, Status: 403, Code: 899013, Expected: true, Latency: 2 * time.Millisecond},
		{Route: spec.RouteGetUser, Status: 418, Code: 123456, Reason: check.Status, Latency: time.Millisecond},
		{Route: spec.RouteOther, Status: 0, Reason: check.Timeout, Latency: time.Second},
	}
	for i := range samples {
		m.Observe(&samples[i])
	}
	m.SetRates(100, 99)
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("mixed", "/v1/users/{username}", "GET", "4xx", "other")); got != 1 {
		t.Errorf("an odd status and code: got %v in the 4xx/other series, want 1", got)
	}
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, mm := range mf.GetMetric() {
			for _, l := range mm.GetLabel() {
				if strings.Contains(l.GetValue(), "http") || strings.Contains(l.GetValue(), "alice") {
					t.Errorf("%s has an unbounded label %s=%q", mf.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	want := map[string]bool{"jmcheck_requests_total": false, "jmcheck_request_duration_seconds": false, "jmcheck_request_failures_total": false,
		"jmcheck_requests_in_flight": false, "jmcheck_target_rate": false, "jmcheck_achieved_rate": false}
	for _, mf := range mfs {
		want[mf.GetName()] = true
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("metric %s missing", name)
		}
	}
}

func TestMetricsPushToAPushgateway(t *testing.T) {
	var (
		mu   sync.Mutex
		path string
		body string
	)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		path, body = r.Method+" "+r.URL.Path, string(b)
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer gw.Close()
	m, err := New("register-batch", nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Observe(&stats.Sample{Route: spec.RouteRegister, Status: 201, Latency: time.Millisecond})
	if err := m.Push(context.Background(), gw.URL, "jmcheck", "jrun12345", nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if path != "PUT /metrics/job/jmcheck/run_id/jrun12345" {
		t.Errorf("got %s, want PUT /metrics/job/jmcheck/run_id/jrun12345", path)
	}
	if !strings.Contains(body, "jmcheck_requests_total") {
		t.Errorf("the push carries no jmcheck_requests_total")
	}
}

func TestMetricsCarryTheShard(t *testing.T) {
	m, err := New("mixed", prometheus.Labels{"shard": "2"})
	if err != nil {
		t.Fatal(err)
	}
	m.Prepare([]spec.Route{spec.RouteGetUser})
	m.Observe(&stats.Sample{Route: spec.RouteGetUser, Status: 200, Latency: time.Millisecond})
	m.Observe(&stats.Sample{Route: spec.RouteGetUser, Status: 0, Reason: check.Timeout, Latency: time.Second})
	m.SetRates(10, 9)
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 6 {
		t.Errorf("got %d metric families, want 6", len(mfs))
	}
	for _, mf := range mfs {
		for _, mm := range mf.GetMetric() {
			shard := ""
			for _, l := range mm.GetLabel() {
				if l.GetName() == "shard" {
					shard = l.GetValue()
				}
			}
			if shard != "2" {
				t.Errorf("%s %v: shard label %q, want \"2\"", mf.GetName(), mm.GetLabel(), shard)
			}
		}
	}
	want := `jmcheck_requests_total{code="none",method="GET",profile="mixed",route="/v1/users/{username}",shard="2",status="200"} 1`
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), want) {
		t.Errorf("the scrape lacks %s:\n%s", want, rec.Body.String())
	}
}
