package load

import (
	"context"
	"jmcheck/load/stats"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestShardedPaginateRunsShareTheList(t *testing.T) {
	defer func(q, p time.Duration) { settleQuiet, settlePoll = q, p }(settleQuiet, settlePoll)
	settleQuiet, settlePoll = 300*time.Millisecond, 50*time.Millisecond
	f := newFakeAPI()
	tgt := f.start(t)
	const n = 3
	var (
		wg   sync.WaitGroup
		sums [n]*stats.Summary
		errs [n]error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i], errs[i] = Run(context.Background(), Config{
				Target: tgt, Profile: "paginate-users", Options: Options{Seed: 900, Count: 100},
				Pacing: capped(600, 90), RunID: "jpagshard", Shard: Shard{Index: i, Count: n},
				Timeout: 5 * time.Second, CleanupRate: 5000,
			})
		}()
	}
	wg.Wait()
	tiled := 0
	for i, s := range sums {
		if errs[i] != nil {
			t.Fatalf("shard %d: %v", i, errs[i])
		}
		notes := strings.Join(s.Checks, "\n")
		if !s.Pass || s.Failed != 0 || s.Requests != 30 {
			t.Errorf("shard %d: pass=%v failed=%d requests=%d, want a pass with 30 requests; problems %q; samples %+v\n%s", i, s.Pass, s.Failed, s.Requests, s.Problems, s.Samples, notes)
		}
		if !strings.Contains(notes, "of our 300 users seen") || !strings.Contains(notes, "held still at 900") {
			t.Errorf("shard %d: want its 300 users judged in a list of 900 after settling:\n%s", i, notes)
		}
		if m := tiledRE.FindStringSubmatch(notes); m != nil {
			k, _ := strconv.Atoi(m[2])
			tiled += k
		}
		if s.Cleanup == nil || s.Cleanup.Users != 300 || s.Cleanup.Left != 0 {
			t.Errorf("shard %d: cleanup %+v, want its own 300 users deleted", i, s.Cleanup)
		}
	}
	t.Logf("shard 0:\n%s", strings.Join(sums[0].Checks, "\n"))
	if tiled == 0 {
		t.Errorf("no shard tiled a sweep: the others' users broke every sweep")
	}
	if got := f.userCount(); got != 0 {
		t.Errorf("got %d users left, want 0", got)
	}
}

var tiledRE = regexp.MustCompile(`(\d+) complete, (\d+) tiled`)
