package results_test

import (
	"fmt"
	"time"

	"jmcheck/load/results"
	"jmcheck/load/stats"
)

func ExampleSkewWarning() {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	spans := []stats.ShardSpan{
		{File: "shard-0.gob", Requests: 6001, First: t0, Last: t0.Add(time.Minute), Rate: 100},
		{File: "shard-1.gob", Requests: 6001, First: t0.Add(200 * time.Millisecond), Last: t0.Add(time.Minute + 200*time.Millisecond), Rate: 100},
	}
	fmt.Printf("%q\n", results.SkewWarning(spans, 199.3)) // 0.3% of the run: no warning
	spans[1].First, spans[1].Last = t0.Add(6*time.Second), t0.Add(66*time.Second)
	fmt.Println(results.SkewWarning(spans, 181.8)[:64])
	// Output:
	// ""
	// shard clocks disagree: first requests 6s apart (shard-0.gob earl
}
