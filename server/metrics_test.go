package server

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice")
	f.do("GET", "/v1/users/alice", "")
	f.do("GET", "/v1/users/alice/", "")
	f.do("GET", "/v1/users/nobody", "")
	f.do("GET", "/v1/nothing", "")
	f.do("GET", "/v1/users/alice", "", "Authorization", "")

	t.Run("Lint", func(t *testing.T) {
		problems, err := testutil.GatherAndLint(f.s.Registry(),
			"jmcheck_server_requests_total", "jmcheck_server_request_duration_seconds", "jmcheck_server_requests_in_flight")
		if err != nil {
			t.Fatalf("gather: %v", err)
		}
		for _, p := range problems {
			t.Errorf("lint %s: %s", p.Metric, p.Text)
		}
	})
	t.Run("RequestsByRouteStatusCode", func(t *testing.T) {
		tests := []struct {
			name                        string
			route, method, status, code string
			want                        float64
		}{
			{"OKBothSlashForms", "/v1/users/{username}", "GET", "200", "none", 2},
			{"NoSuchUser", "/v1/users/{username}", "GET", "403", "899002", 1},
			{"MissingAuth", "/v1/users/{username}", "GET", "401", "899007", 1},
			{"Unmatched", "unmatched", "GET", "404", "none", 1},
			{"Register", "/v1/users", "POST", "201", "none", 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := testutil.ToFloat64(f.s.metrics.requests.WithLabelValues(tt.route, tt.method, tt.status, tt.code))
				if got != tt.want {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			})
		}
	})
	t.Run("Scrape", func(t *testing.T) {
		r := f.do("GET", "/metrics", "", "Authorization", "")
		if r.status != 200 {
			t.Fatalf("got %d, want 200 without auth", r.status)
		}
		for _, want := range []string{"jmcheck_server_requests_total{", "jmcheck_server_request_duration_seconds_bucket{", `route="/v1/users/{username}"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("scrape lacks %s", want)
			}
		}
		if strings.Contains(r.body, "alice") || strings.Contains(r.body, "nobody") {
			t.Errorf("scrape carries a raw path value, want route templates only")
		}
	})
	t.Run("LabelsBounded", func(t *testing.T) {
		for i := range 5 {
			f.do(strings.Repeat("X", i+1), "/v1/users", "")
		}
		if got := testutil.ToFloat64(f.s.metrics.requests.WithLabelValues("/v1/users", "OTHER", "405", "none")); got != 5 {
			t.Errorf("odd methods: got %v, want 5 under OTHER", got)
		}
	})
}

func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	f := newFixture(t, func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.FaultInjection = true
	})
	f.do("POST", "/v1/users/", `[{"username":"alice","password":"pw-VERY-SECRET"}]`)
	f.do("GET", "/v1/users/alice", "", "X-Fault-Inject", "internal")
	f.do("GET", "/v1/users/alice", "", "Authorization", basic(appKey1, "wrong-SECRET-guess"))
	log := buf.String()
	if !strings.Contains(log, `"route":"/v1/users"`) || !strings.Contains(log, `"status":201`) {
		t.Errorf("log lacks the request line: %s", log)
	}
	for _, secret := range []string{secret1, "pw-VERY-SECRET", "wrong-SECRET-guess", basic(appKey1, secret1)[6:], "Authorization"} {
		if strings.Contains(log, secret) {
			t.Errorf("log holds %q:\n%s", secret, log)
		}
	}
}
