// Package metrics exports a load run as Prometheus metrics, with
// client_golang in a private registry, served during the run and pushed
// once at its end. Every label value is bounded.
package metrics

import (
	"context"
	"fmt"
	"jmcheck/load/check"
	"jmcheck/load/stats"
	"jmcheck/spec"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/push"
)

// Metrics exports a run as Prometheus metrics in a private registry:
//
//	jmcheck_requests_total{profile,route,method,status,code}
//	jmcheck_request_duration_seconds{profile,route,method}   (histogram)
//	jmcheck_request_failures_total{profile,route,method,reason}
//	jmcheck_requests_in_flight{profile}
//	jmcheck_target_rate{profile}, jmcheck_achieved_rate{profile}  (requests per second)
//
// Every label value is bounded: route templates, never URLs or usernames;
// statuses and error codes outside the API's set fold into a class.
// vegeta's lib/prom is not used: it never counts failures.
type Metrics struct {
	reg      *prometheus.Registry
	profile  string
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	failures *prometheus.CounterVec
	target   prometheus.Gauge
	achieved prometheus.Gauge
	inflight atomic.Pointer[func() float64] // set by SetInflight, read by scrapes

	counters  map[metricKey]prometheus.Counter
	durations [spec.RouteCount]prometheus.Observer
	failed    [spec.RouteCount][check.ReasonCount]prometheus.Counter
}

type metricKey struct {
	route  spec.Route
	status int
	code   spec.Code
}

// New returns the metrics of a run of profile, registered in a new
// private registry. constLabels go on every metric (a shard, say); they
// must not be "job" or "run_id", which a push adds as grouping labels.
func New(profile string, constLabels prometheus.Labels) (*Metrics, error) {
	m := &Metrics{reg: prometheus.NewRegistry(), profile: profile, counters: map[metricKey]prometheus.Counter{}}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jmcheck_requests_total", ConstLabels: constLabels,
		Help: "Requests sent by the load generator, by profile, route template, method, HTTP status and business error code.",
	}, []string{"profile", "route", "method", "status", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "jmcheck_request_duration_seconds", ConstLabels: constLabels,
		Help:    "Request latency as vegeta measures it, from send to the last body byte.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
	}, []string{"profile", "route", "method"})
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jmcheck_request_failures_total", ConstLabels: constLabels,
		Help: "Requests whose answer failed its check, by reason: status, code, body, header, timeout, connection.",
	}, []string{"profile", "route", "method", "reason"})
	labels := prometheus.Labels{"profile": profile}
	for k, v := range constLabels {
		labels[k] = v
	}
	m.target = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "jmcheck_target_rate", ConstLabels: labels,
		Help: "The rate the pacer asks for now, in requests per second.",
	})
	m.achieved = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "jmcheck_achieved_rate", ConstLabels: labels,
		Help: "Requests sent in the last second.",
	})
	inflight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "jmcheck_requests_in_flight", ConstLabels: labels,
		Help: "Requests sent and not yet answered.",
	}, func() float64 {
		if f := m.inflight.Load(); f != nil {
			return (*f)()
		}
		return 0
	})
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.failures, m.target, m.achieved, inflight} {
		if err := m.reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

// Prepare creates the failure series of the routes a run will use at
// zero, so that rate() sees their first failure and a dashboard shows 0
// rather than nothing.
func (m *Metrics) Prepare(routes []spec.Route) {
	for _, r := range routes {
		for _, reason := range check.Reasons() {
			if m.failed[r][reason] == nil {
				m.failed[r][reason] = m.failures.WithLabelValues(m.profile, r.Path(), methodLabel(r), reason.String())
			}
		}
	}
}

// Registry returns the private registry, for serving, pushing and tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Observe counts one sample. It is not safe for concurrent use: the
// attack's result loop is its only caller.
func (m *Metrics) Observe(s *stats.Sample) {
	k := metricKey{route: s.Route, status: s.Status, code: s.Code}
	c := m.counters[k]
	if c == nil {
		c = m.requests.WithLabelValues(m.profile, s.Route.Path(), methodLabel(s.Route), statusLabel(s.Status), codeLabel(s.Code))
		m.counters[k] = c
	}
	c.Inc()
	o := m.durations[s.Route]
	if o == nil {
		o = m.duration.WithLabelValues(m.profile, s.Route.Path(), methodLabel(s.Route))
		m.durations[s.Route] = o
	}
	o.Observe(s.Latency.Seconds())
	if s.Reason != check.None && int(s.Reason) < check.ReasonCount {
		f := m.failed[s.Route][s.Reason]
		if f == nil {
			f = m.failures.WithLabelValues(m.profile, s.Route.Path(), methodLabel(s.Route), s.Reason.String())
			m.failed[s.Route][s.Reason] = f
		}
		f.Inc()
	}
}

// SetInflight sets the function the in-flight gauge reads at a scrape.
func (m *Metrics) SetInflight(f func() float64) { m.inflight.Store(&f) }

// SetRates sets the target and achieved rate gauges.
func (m *Metrics) SetRates(target, achieved float64) {
	m.target.Set(target)
	m.achieved.Set(achieved)
}

// Push sends the registry to a Prometheus Pushgateway once, grouped by job
// and run id (so that runs do not overwrite each other).
func (m *Metrics) Push(ctx context.Context, gatewayURL, job, runID string, client *http.Client) error {
	p := push.New(gatewayURL, job).Gatherer(m.reg).Grouping("run_id", runID)
	if client != nil {
		p = p.Client(client)
	}
	if err := p.PushContext(ctx); err != nil {
		return fmt.Errorf("push metrics to %s: %w", gatewayURL, err)
	}
	return nil
}

func methodLabel(r spec.Route) string {
	if m := r.Method(); m != "" {
		return m
	}
	return "other"
}

// statusLabel bounds HTTP statuses: the ones the API uses by number, the
// rest by class.
func statusLabel(s int) string {
	switch s {
	case 0:
		return "none"
	case 200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 409, 413, 415, 429, 500, 502, 503, 504:
		return strconv.Itoa(s)
	}
	if s >= 100 && s < 600 {
		return strconv.Itoa(s/100) + "xx"
	}
	return "other"
}

// codeLabel bounds business error codes to the table of
// spec/PROFILE.md §2.
func codeLabel(c spec.Code) string {
	switch {
	case c == 0:
		return "none"
	case c.Known():
		return c.String()
	}
	return "other"
}
