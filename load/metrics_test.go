package load

import (
	"context"
	"io"
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
	m, err := NewMetrics(ProfileMixed, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Prepare([]Route{RouteGetUser, RouteRegister})
	samples := []Sample{
		{Route: RouteGetUser, Status: 200, Latency: time.Millisecond},
		{Route: RouteRegister, Status: 403, Code: 899013, Expected: true, Latency: 2 * time.Millisecond},
		{Route: RouteGetUser, Status: 418, Code: 123456, Reason: ReasonStatus, Latency: time.Millisecond},
		{Route: RouteOther, Status: 0, Reason: ReasonTimeout, Latency: time.Second},
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
	if got := testutil.ToFloat64(m.requests.WithLabelValues(ProfileMixed, "/v1/users/{username}", "GET", "4xx", "other")); got != 1 {
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
	m, err := NewMetrics(ProfileRegisterBatch, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Observe(&Sample{Route: RouteRegister, Status: 201, Latency: time.Millisecond})
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

func TestMetricsServedDuringARun(t *testing.T) {
	f := newFakeAPI()
	m, err := NewMetrics(ProfileMixed, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	sum := mustRun(t, f, runCase{profile: ProfileMixed, opts: Options{Seed: 5, Mix: map[string]int{"get-user": 1}}, pacing: capped(200, 10),
		edit: func(c *Config) { c.Metrics = m }})
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	want := `jmcheck_requests_total{code="none",method="GET",profile="mixed",route="/v1/users/{username}",status="200"} 10`
	if !strings.Contains(string(b), want) || sum.Requests != 10 {
		t.Errorf("scrape lacks %s:\n%s", want, b)
	}
}

// TestMetricsCarryTheShard checks that every series of a shard carries its
// shard label, so that Prometheus sums the shards, and that the registry
// still lints clean.
func TestMetricsCarryTheShard(t *testing.T) {
	m, err := NewMetrics(ProfileMixed, prometheus.Labels{"shard": Shard{Index: 2, Count: 3}.Label()})
	if err != nil {
		t.Fatal(err)
	}
	m.Prepare([]Route{RouteGetUser})
	m.Observe(&Sample{Route: RouteGetUser, Status: 200, Latency: time.Millisecond})
	m.Observe(&Sample{Route: RouteGetUser, Status: 0, Reason: ReasonTimeout, Latency: time.Second})
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
