package load

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSweepTrackerToleratesOtherShards(t *testing.T) {
	name := func(i int) string { return "u" + strconv.Itoa(i) }
	t.Run("UsersAppendedByOthers", func(t *testing.T) {
		// Ours at positions 1, 4, 6 of a planned total of 10; another
		// shard registers 5 more: they go last, ours keep their places.
		tr := newSweepTracker("user", 3, name, 10, 5, true)
		tr.appendOnly = true
		if d := tr.page(0, 0, 12, []int{-1, 0, -1, -1, 1}); d != "" {
			t.Fatalf("page 1: %s", d)
		}
		if d := tr.page(1, 5, 15, []int{-1, 2, -1, -1, -1}); d != "" {
			t.Fatalf("page 2: %s", d)
		}
		if tr.tiled != 1 || tr.unjudged != 0 {
			t.Errorf("got %d tiled, %d unjudged; want the sweep judged and tiled despite the growth", tr.tiled, tr.unjudged)
		}
		// Still judged: a repeat in a grown list is a failure.
		tr.page(2, 0, 15, []int{-1, 0, -1, -1, 1})
		if d := tr.page(3, 5, 15, []int{-1, 1, -1, -1, -1}); !strings.Contains(d, "order") && !strings.Contains(d, "tiling") {
			t.Errorf("a user moved in a grown list: got %q, want an order or tiling failure", d)
		}
	})
	t.Run("ShrinkStopsJudging", func(t *testing.T) {
		tr := newSweepTracker("user", 3, name, 10, 5, true)
		tr.appendOnly = true
		tr.page(0, 0, 10, []int{-1, 0, -1, -1, 1})
		tr.page(1, 5, 10, []int{-1, 2, -1, -1, -1})
		// Another shard cleans up (total 8) while a third registers: the
		// total comes back to 10 with ours moved. Not a server fault.
		if d := tr.page(2, 0, 8, []int{0, -1, -1, 1, -1}); d != "" {
			t.Errorf("page after a shrink: got %q, want it not judged", d)
		}
		if d := tr.page(3, 5, 10, []int{2, -1, -1, -1, -1}); d != "" {
			t.Errorf("page with the planned total after a shrink: got %q, want it not judged", d)
		}
		notes := strings.Join(tr.notes(), "\n")
		if !strings.Contains(notes, "2 pages not judged") || !strings.Contains(notes, "shrank") {
			t.Errorf("notes do not say why pages went unjudged:\n%s", notes)
		}
	})
	t.Run("GroupsGrownAreNotJudged", func(t *testing.T) {
		// A new gid may sort anywhere: a grown group list is not judged.
		tr := newSweepTracker("group", 2, name, 4, 2, true)
		if d := tr.page(0, 0, 5, []int{0, 1}); d != "" {
			t.Fatalf("page: %s", d)
		}
		if tr.unjudged != 1 {
			t.Errorf("got %d unjudged pages, want 1", tr.unjudged)
		}
	})
}

var tiledRE = regexp.MustCompile(`(\d+) complete, (\d+) tiled`)

// TestShardedPaginateRunsShareTheList runs three shards of paginate-users
// on one list: each seeds its third, waits for the others' seeding, sweeps
// the whole list judging only its own users, and deletes only them.
func TestShardedPaginateRunsShareTheList(t *testing.T) {
	defer func(q, p time.Duration) { settleQuiet, settlePoll = q, p }(settleQuiet, settlePoll)
	settleQuiet, settlePoll = 300*time.Millisecond, 50*time.Millisecond
	f := newFakeAPI()
	tgt := f.start(t)
	const n = 3
	var (
		wg   sync.WaitGroup
		sums [n]*Summary
		errs [n]error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i], errs[i] = Run(context.Background(), Config{
				Target: tgt, Profile: ProfilePaginateUsers, Options: Options{Seed: 900, Count: 100},
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
