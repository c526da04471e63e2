package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics, on a private registry so
// that several servers in one process (tests, the embedded server) never
// collide. Labels are bounded: route templates, known methods, status
// codes and §2 error codes.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "jmcheck", Subsystem: "server", Name: "requests_total",
			Help: "HTTP requests answered, by route template, method, status and IM error code (none on success).",
		}, []string{"route", "method", "status", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "jmcheck", Subsystem: "server", Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "jmcheck", Subsystem: "server", Name: "requests_in_flight",
			Help: "API requests admitted and not yet answered.",
		}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.inflight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// methodLabel bounds the method label to the methods HTTP defines.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// observe records one answered request in the metrics and the log. The log
// carries no header, so no credential, and no body, so no password.
func (s *Server) observe(ex *exchange, r *http.Request, d time.Duration) {
	status := ex.status
	if !ex.wrote {
		status = http.StatusOK
	}
	code := "none"
	if ex.code != 0 {
		code = strconv.Itoa(int(ex.code))
	}
	method := methodLabel(r.Method)
	s.metrics.requests.WithLabelValues(ex.route, method, strconv.Itoa(status), code).Inc()
	s.metrics.duration.WithLabelValues(ex.route, method).Observe(d.Seconds())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	s.log.LogAttrs(r.Context(), level, "request",
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", ex.route),
		slog.Int("status", status), slog.String("code", code), slog.Duration("duration", d),
		slog.String("remote", r.RemoteAddr))
}
