package load_test

import (
	"context"
	"fmt"
	"os"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/load"
	"jmcheck/load/pace"
	"jmcheck/load/stats"
	"jmcheck/target"
)

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
		Profile:    "register-batch",
		Options:    load.Options{Batch: 500, OversizeRatio: 0.1},
		Pacing:     pace.Pacing{Pacer: vegeta.ConstantPacer{Freq: 20, Per: time.Second}, Duration: 10 * time.Second, MaxRequests: 100},
		Progress:   os.Stderr,
		Thresholds: []stats.Threshold{mustThreshold("p99<250ms")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.Pass, sum.Requests, sum.Failed)
}

func mustThreshold(s string) stats.Threshold {
	th, err := stats.ParseThreshold(s)
	if err != nil {
		panic(err)
	}
	return th
}
