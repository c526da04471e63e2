package op

import (
	"strconv"
	"strings"
	"testing"
)

func TestSweepTrackerToleratesOtherShards(t *testing.T) {
	name := func(i int) string { return "u" + strconv.Itoa(i) }
	t.Run("UsersAppendedByOthers", func(t *testing.T) {
		// Ours at positions 1, 4, 6 of a planned total of 10; another
		// shard registers 5 more: they go last, ours keep their places.
		tr := NewSweepTracker("user", 3, name, 10, 5, true)
		tr.AppendOnly = true
		if d := tr.Page(0, 0, 12, []int{-1, 0, -1, -1, 1}); d != "" {
			t.Fatalf("page 1: %s", d)
		}
		if d := tr.Page(1, 5, 15, []int{-1, 2, -1, -1, -1}); d != "" {
			t.Fatalf("page 2: %s", d)
		}
		if tr.tiled != 1 || tr.unjudged != 0 {
			t.Errorf("got %d tiled, %d unjudged; want the sweep judged and tiled despite the growth", tr.tiled, tr.unjudged)
		}
		// Still judged: a repeat in a grown list is a failure.
		tr.Page(2, 0, 15, []int{-1, 0, -1, -1, 1})
		if d := tr.Page(3, 5, 15, []int{-1, 1, -1, -1, -1}); !strings.Contains(d, "order") && !strings.Contains(d, "tiling") {
			t.Errorf("a user moved in a grown list: got %q, want an order or tiling failure", d)
		}
	})
	t.Run("ShrinkStopsJudging", func(t *testing.T) {
		tr := NewSweepTracker("user", 3, name, 10, 5, true)
		tr.AppendOnly = true
		tr.Page(0, 0, 10, []int{-1, 0, -1, -1, 1})
		tr.Page(1, 5, 10, []int{-1, 2, -1, -1, -1})
		// Another shard cleans up (total 8) while a third registers: the
		// total comes back to 10 with ours moved. Not a server fault.
		if d := tr.Page(2, 0, 8, []int{0, -1, -1, 1, -1}); d != "" {
			t.Errorf("page after a shrink: got %q, want it not judged", d)
		}
		if d := tr.Page(3, 5, 10, []int{2, -1, -1, -1, -1}); d != "" {
			t.Errorf("page with the planned total after a shrink: got %q, want it not judged", d)
		}
		notes := strings.Join(tr.Notes(), "\n")
		if !strings.Contains(notes, "2 pages not judged") || !strings.Contains(notes, "shrank") {
			t.Errorf("notes do not say why pages went unjudged:\n%s", notes)
		}
	})
	t.Run("GroupsGrownAreNotJudged", func(t *testing.T) {
		// A new gid may sort anywhere: a grown group list is not judged.
		tr := NewSweepTracker("group", 2, name, 4, 2, true)
		if d := tr.Page(0, 0, 5, []int{0, 1}); d != "" {
			t.Fatalf("page: %s", d)
		}
		if tr.unjudged != 1 {
			t.Errorf("got %d unjudged pages, want 1", tr.unjudged)
		}
	})
}

// TestShardedPaginateRunsShareTheList runs three shards of paginate-users
// on one list: each seeds its third, waits for the others' seeding, sweeps
// the whole list judging only its own users, and deletes only them.
