package pace_test

import (
	"fmt"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/load/pace"
)

func ExampleParseStairs() {
	sp, err := pace.ParseStairs("100:300:100", 30*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sp)
	fmt.Println(sp.Rate(15*time.Second), sp.Hits(30*time.Second))

	sp, _ = pace.ParseStairs("50@5s,0@2s,200/1s@10s", 0)
	fmt.Println(sp)
	// Output:
	// stairs 100/s@10s → 200/s@10s → 300/s@10s
	// 200 6000
	// stairs 50/s@5s → 0/s@2s → 200/s@10s
}

func ExampleStaircasePacer_Pace() {
	sp := pace.StaircasePacer{Steps: []pace.Step{{Rate: 10, Hold: time.Second}, {Rate: 20, Hold: time.Second}}}
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
	whole := pace.Pacing{Pacer: vegeta.ConstantPacer{Freq: 300, Per: time.Second}, Duration: time.Minute}
	shard := whole.Split(3)
	fmt.Println(shard, shard.Hits(time.Minute))
	// Output:
	// constant 100/s for 1m0s 6000
}
