package stats_test

import (
	"fmt"
	"time"

	"jmcheck/load/stats"
	"jmcheck/spec"
)

func ExampleParseThreshold() {
	th, err := stats.ParseThreshold("GET /v1/users/{username}: p99<50ms")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(th.Route, th.Metric, th.Quantile, th.Op, time.Duration(th.Value))

	_, err = stats.ParseThreshold("p99<50")
	fmt.Println(err)
	// Output:
	// GET /v1/users/{username} p 0.99 < 50ms
	// threshold "p99<50": "50" is not a duration with a unit, such as 250ms
}

func ExampleThreshold_Eval() {
	st := stats.NewStats(time.Unix(0, 0))
	for i := 1; i <= 100; i++ {
		st.Add(&stats.Sample{Route: spec.RouteGetUser, Status: 200, Offset: -1,
			Timestamp: time.Unix(0, 0).Add(time.Duration(i) * time.Millisecond), Latency: time.Duration(i) * time.Millisecond})
	}
	th, _ := stats.ParseThreshold("p50<40ms")
	r := th.Eval(st.Summary())
	fmt.Println(r.Threshold, r.Pass)
	// Output:
	// p50<40ms false
}

func ExampleHistogram() {
	var a, b stats.Histogram
	for i := 1; i <= 50; i++ {
		a.Record(time.Duration(i) * time.Millisecond)
		b.Record(time.Duration(50+i) * time.Millisecond)
	}
	a.Merge(&b) // two shards make one histogram
	fmt.Println(a.Count(), a.Min(), a.Max())
	// Output:
	// 100 1ms 100ms
}
