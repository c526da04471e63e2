package load

import (
	"io"
	"jmcheck/load/metrics"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetricsServedDuringARun(t *testing.T) {
	f := newFakeAPI()
	m, err := metrics.New("mixed", nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	sum := mustRun(t, f, runCase{profile: "mixed", opts: Options{Seed: 5, Mix: map[string]int{"get-user": 1}}, pacing: capped(200, 10),
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
