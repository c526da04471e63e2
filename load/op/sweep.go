package op

import (
	"fmt"
	"strconv"
	"sync"

	"jmcheck/ledger"
)

// SweepTracker checks pages of a list across requests: every item of ours
// keeps one position while the list does not change, our items come in
// the order we created them, and in a sequential sweep every item of ours
// shows up on exactly one page (the pages tile the list: no repeat, no gap).
// It only judges the items this run seeded: on a shared app, or with other
// shards of the run, other data may sit between them.
//
// A page is judged only while the list is as planned: its total is the
// planned one, or larger when the list only grows at its end (users, in
// registration order: what other shards or clients register goes after
// ours). Once any page reports a total below the largest seen, someone
// deleted from the list (a shard cleaning up, a client) and positions may
// have moved under us: from then on no page is judged for order or tiling.
type SweepTracker struct {
	mu         sync.Mutex
	kind       string           // "user" or "group"
	n          int              // our items, indexed 0..n-1 in creation order
	name       func(int) string // an item's name, for messages
	pos        []int32          // position of each of our items, -1 unseen
	total      int              // list total when the sweep was planned
	pages      int              // pages per sweep
	sequential bool
	AppendOnly bool // the list grows only at its end: a larger total moves none of ours
	open       map[uint64]*sweepState

	peak     int  // largest total any page reported
	shrunk   bool // a page reported a total below peak
	unjudged uint64

	complete, tiled, skipped uint64
}

type sweepState struct {
	pages  int
	seen   ledger.Bitset
	broken bool // the list changed during the sweep
}

// NewSweepTracker returns a tracker of n items of ours (named by name) on
// a list of total entries paged count at a time, in sequential sweeps or
// not.
func NewSweepTracker(kind string, n int, name func(int) string, total, count int, sequential bool) *SweepTracker {
	t := &SweepTracker{
		kind: kind, n: n, name: name, pos: make([]int32, n),
		total: total, pages: max(1, (total+count-1)/count), sequential: sequential,
		open: map[uint64]*sweepState{}, peak: total,
	}
	for i := range t.pos {
		t.pos[i] = -1
	}
	return t
}

// Page observes one page: start, the total it reported, and the indices
// of our items on it (-1 for items that are not ours). tag is the page's
// number in a sequential sweep. It returns a failure detail, or "".
func (t *SweepTracker) Page(tag uint64, start, total int, ours []int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if total < t.peak {
		t.shrunk = true
	}
	t.peak = max(t.peak, total)
	stable := !t.shrunk && (total == t.total || t.AppendOnly && total > t.total)
	if !stable {
		t.unjudged++
	}
	fail := ""
	last := -1
	for j, i := range ours {
		if i < 0 {
			continue
		}
		p := int32(start + j)
		switch {
		case t.pos[i] < 0:
			t.pos[i] = p
		case stable && t.pos[i] != p && fail == "":
			fail = fmt.Sprintf("order: %s %s at position %d, earlier at %d: the order is not stable", t.kind, t.name(i), p, t.pos[i])
		}
		if i < last && fail == "" {
			fail = fmt.Sprintf("order: %s %s comes after %s, which was created later", t.kind, t.name(i), t.name(last))
		}
		last = max(last, i)
	}
	if !t.sequential {
		return fail
	}
	sweep := tag / uint64(t.pages)
	st := t.open[sweep]
	if st == nil {
		st = &sweepState{}
		t.open[sweep] = st
	}
	st.broken = st.broken || !stable
	for _, i := range ours {
		if i < 0 {
			continue
		}
		if st.seen.Has(uint64(i)) && !st.broken && fail == "" {
			fail = fmt.Sprintf("tiling: %s %s is on two pages of sweep %d (a repeat)", t.kind, t.name(i), sweep+1)
		}
		st.seen.Set(uint64(i))
	}
	st.pages++
	if st.pages < t.pages {
		return fail
	}
	delete(t.open, sweep)
	t.complete++
	if st.broken {
		t.skipped++
		return fail
	}
	missing, first := 0, -1
	for i := 0; i < t.n; i++ {
		if !st.seen.Has(uint64(i)) {
			missing++
			if first < 0 {
				first = i
			}
		}
	}
	if missing > 0 {
		if fail == "" {
			fail = fmt.Sprintf("tiling: %d of our %d %ss missing from sweep %d (a gap), first %s", missing, t.n, t.kind, sweep+1, t.name(first))
		}
		return fail
	}
	t.tiled++
	return fail
}

// Notes describes the sweeps for the summary.
func (t *SweepTracker) Notes() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	seen := 0
	for _, p := range t.pos {
		if p >= 0 {
			seen++
		}
	}
	out := []string{fmt.Sprintf("%d of our %d %ss seen on some page; list total %d", seen, t.n, t.kind, t.total)}
	if t.sequential {
		s := fmt.Sprintf("sequential sweeps of %d pages: %d complete, %d tiled with no repeat and no gap", t.pages, t.complete, t.tiled)
		if t.skipped > 0 {
			s += ", " + strconv.FormatUint(t.skipped, 10) + " not judged (the list changed during the sweep)"
		}
		if n := len(t.open); n > 0 {
			s += ", " + strconv.Itoa(n) + " cut short by the end of the run"
		}
		out = append(out, s)
		if t.complete == 0 {
			out = append(out, "no sweep completed: run longer, raise --rate, or seed fewer")
		}
	}
	if t.unjudged > 0 {
		why := "the list total differed from the planned " + strconv.Itoa(t.total)
		if t.shrunk {
			why = "the list shrank during the run (another shard or client deleted from it), so positions may have moved"
		}
		pages := "pages"
		if t.unjudged == 1 {
			pages = "page"
		}
		out = append(out, fmt.Sprintf("%d %s not judged for order or tiling: %s", t.unjudged, pages, why))
	}
	return out
}

// N returns how many items of ours the tracker follows.
func (t *SweepTracker) N() int { return t.n }

// Pages returns how many pages one sweep has.
func (t *SweepTracker) Pages() int { return t.pages }
