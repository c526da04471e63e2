package reports_test

import (
	"os"
	"time"

	"jmcheck/load/stats"
	"jmcheck/reports"
	"jmcheck/spec"
)

func ExampleWriteLoadText() {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := stats.NewStats(t0)
	for i := 0; i < 3; i++ {
		st.Add(&stats.Sample{Route: spec.RouteGetUser, Status: 200, Offset: -1,
			Timestamp: t0.Add(time.Duration(i) * time.Second), Latency: time.Duration(i+1) * time.Millisecond})
	}
	sum := st.Summary()
	sum.Profile, sum.Pass = "mixed", true
	_ = reports.WriteLoadText(os.Stdout, sum)
	// Output:
	// jmcheck load mixed: PASS
	//
	// Requests   [total, passed, expected errors, failed]  3, 3, 0, 0
	// Rate       [achieved, sent]                          1.00/s, 3
	// Duration   [total, attack, wait]                     2.003s, 2s, 3ms
	// Latencies  [min, mean, 50, 90, 95, 99, 99.9, max]    1ms, 2ms, 2.01ms, 3ms, 3ms, 3ms, 3ms, 3ms
	// Bytes      [in, out]                                 0, 0
	// Answers    [status code:count]                       200:3
	// Failures   [reason:count]                            none
	//
	// Routes
	//   route                     requests  failed  expected  rate/s  p50     p90  p99  max
	//   GET /v1/users/{username}  3         0       0         1.0     2.01ms  3ms  3ms  3ms
}

func ExampleWriteLoadHTML() {
	sum := &stats.Summary{Profile: "overload", Pass: true}
	f, err := os.CreateTemp("", "load-*.html")
	if err != nil {
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	_ = reports.WriteLoadHTML(f, sum) // one page, inline SVG, no external assets
}
