package load_test

import (
	"context"
	"fmt"
	"os"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/load"
	"jmcheck/target"
)

func ExampleParseThreshold() {
	th, err := load.ParseThreshold("GET /v1/users/{username}: p99<50ms")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(th.Route, th.Metric, th.Quantile, th.Op, time.Duration(th.Value))

	_, err = load.ParseThreshold("p99<50")
	fmt.Println(err)
	// Output:
	// GET /v1/users/{username} p 0.99 < 50ms
	// threshold "p99<50": "50" is not a duration with a unit, such as 250ms
}

func ExampleThreshold_Eval() {
	stats := load.NewStats(time.Unix(0, 0))
	for i := 1; i <= 100; i++ {
		stats.Add(&load.Sample{Route: load.RouteGetUser, Status: 200, Offset: -1,
			Timestamp: time.Unix(0, 0).Add(time.Duration(i) * time.Millisecond), Latency: time.Duration(i) * time.Millisecond})
	}
	th, _ := load.ParseThreshold("p50<40ms")
	r := th.Eval(stats.Summary())
	fmt.Println(r.Threshold, r.Pass)
	// Output:
	// p50<40ms false
}

func ExampleParseStairs() {
	sp, err := load.ParseStairs("100:300:100", 30*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sp)
	fmt.Println(sp.Rate(15*time.Second), sp.Hits(30*time.Second))

	sp, _ = load.ParseStairs("50@5s,0@2s,200/1s@10s", 0)
	fmt.Println(sp)
	// Output:
	// stairs 100/s@10s → 200/s@10s → 300/s@10s
	// 200 6000
	// stairs 50/s@5s → 0/s@2s → 200/s@10s
}

func ExampleStaircasePacer_Pace() {
	sp := load.StaircasePacer{Steps: []load.Step{{Rate: 10, Hold: time.Second}, {Rate: 20, Hold: time.Second}}}
	var _ vegeta.Pacer = sp // vegeta's attacker takes it as it is
	wait, stop := sp.Pace(0, 0)
	fmt.Println(wait, stop)
	wait, _ = sp.Pace(time.Second, 10)
	fmt.Println(wait)
	// Output:
	// 100ms false
	// 50ms
}

func ExamplePacing_Split() {
	whole := load.Pacing{Pacer: vegeta.ConstantPacer{Freq: 300, Per: time.Second}, Duration: time.Minute}
	shard := whole.Split(3)
	fmt.Println(shard, shard.Hits(time.Minute))
	// Output:
	// constant 100/s for 1m0s 6000
}

func ExampleNamer() {
	n := load.NewNamer("jq3x9a0bc", load.Shard{Index: 1, Count: 4})
	first := n.NextUsers(2)
	fmt.Println(n.User(first), n.User(first+1), n.Group(n.NextGroup()))
	i, ok := n.UserIndex("jq3x9a0bc-1-u1")
	fmt.Println(i, ok)
	// Output:
	// jq3x9a0bc-1-u0 jq3x9a0bc-1-u1 jq3x9a0bc-1-g0
	// 1 true
}

func ExampleShardFromEnv() {
	// In pod 2 of a Kubernetes Indexed Job of 3 completions.
	shard, ok, err := load.ShardFromEnv("2", "3")
	fmt.Println(shard, ok, err)
	fmt.Println(load.ShardPath("/results/shard-{shard}.gob", shard), shard.RunID("jq3x9a0bc"))
	_, _, err = load.ShardFromEnv("2", "")
	fmt.Println(err != nil)
	// Output:
	// 2/3 true <nil>
	// /results/shard-2.gob jq3x9a0bc-2
	// true
}

func ExampleSkewWarning() {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	spans := []load.ShardSpan{
		{File: "shard-0.gob", Requests: 6001, First: t0, Last: t0.Add(time.Minute), Rate: 100},
		{File: "shard-1.gob", Requests: 6001, First: t0.Add(200 * time.Millisecond), Last: t0.Add(time.Minute + 200*time.Millisecond), Rate: 100},
	}
	fmt.Printf("%q\n", load.SkewWarning(spans, 199.3)) // 0.3% of the run: no warning
	spans[1].First, spans[1].Last = t0.Add(6*time.Second), t0.Add(66*time.Second)
	fmt.Println(load.SkewWarning(spans, 181.8)[:64])
	// Output:
	// ""
	// shard clocks disagree: first requests 6s apart (shard-0.gob earl
}

func ExampleRouteOf() {
	fmt.Println(load.RouteOf("GET", "http://127.0.0.1:8080/v1/users/alice"))
	fmt.Println(load.RouteOf("POST", "/v1/groups/7/members"))
	// Output:
	// GET /v1/users/{username}
	// POST /v1/groups/{gid}/members
}

func ExampleHistogram() {
	var a, b load.Histogram
	for i := 1; i <= 50; i++ {
		a.Record(time.Duration(i) * time.Millisecond)
		b.Record(time.Duration(50+i) * time.Millisecond)
	}
	a.Merge(&b) // two shards make one histogram
	fmt.Println(a.Count(), a.Min(), a.Max())
	// Output:
	// 100 1ms 100ms
}

func ExampleParseMix() {
	mix, err := load.ParseMix("get-user=5,register=1")
	fmt.Println(load.FormatMix(mix), err)
	// Output:
	// register=1,get-user=5 <nil>
}

// ExampleRun runs the register-batch profile for 100 requests at 20 per
// second against a server and prints the verdict.
func ExampleRun() {
	sum, err := load.Run(context.Background(), load.Config{
		Target:     target.Target{BaseURL: "http://127.0.0.1:8080", AppKey: "KEY", Secret: "SECRET"},
		Profile:    load.ProfileRegisterBatch,
		Options:    load.Options{Batch: 500, OversizeRatio: 0.1},
		Pacing:     load.Pacing{Pacer: vegeta.ConstantPacer{Freq: 20, Per: time.Second}, Duration: 10 * time.Second, MaxRequests: 100},
		Progress:   os.Stderr,
		Thresholds: []load.Threshold{mustThreshold("p99<250ms")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.Pass, sum.Requests, sum.Failed)
}

func mustThreshold(s string) load.Threshold {
	th, err := load.ParseThreshold(s)
	if err != nil {
		panic(err)
	}
	return th
}
