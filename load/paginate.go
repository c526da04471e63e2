package load

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"

	"jmcheck/client"
	"jmcheck/load/op"
	"jmcheck/load/stats"
	"jmcheck/spec"
)

func init() {
	Register(func() Profile { return &paginate{groups: false} })
	Register(func() Profile { return &paginate{groups: true} })
}

// paginate seeds --seed users (or groups), then sweeps their list's pages
// in --order, judging shape, count, order and tiling; its latency by
// start offset exposes pages that cost O(offset).
type paginate struct {
	groups  bool
	order   string
	count   int
	total   atomic.Int64
	pages   atomic.Uint64
	tracker *op.SweepTracker
	settled string

	// Which listed items are ours: users by counter from seedFirst, groups
	// by gid.
	namer     *op.Namer
	seedFirst uint64
	gidIndex  map[int64]int
}

func (p *paginate) Info() Info {
	if p.groups {
		return Info{Name: "paginate-groups", Summary: "seeds --seed groups, then sweeps GET /v1/groups/ pages (--order); checks shape, count, order and tiling; latency by offset", Rate: "50/1s"}
	}
	return Info{Name: "paginate-users", Summary: "seeds --seed users, then sweeps GET /v1/users/ pages (--order); checks shape, count, order and tiling; latency by offset", Rate: "50/1s"}
}

func (p *paginate) Defaults(o *Options) {
	if o.Batch == 0 {
		o.Batch = 1
	}
	if o.Seed == 0 {
		o.Seed = 5000
		if p.groups {
			o.Seed = 1000
		}
	}
}

func (p *paginate) Validate(o Options) error {
	if o.OversizeRatio > 0 {
		return fmt.Errorf("--oversize-ratio is for register-batch, not %s", p.Info().Name)
	}
	return o.noHistory(p.Info().Name)
}

func (p *paginate) Setup(ctx context.Context, s *Setup) error {
	e, a, o := s.Env, s.Admin, s.Options
	p.order, p.count, p.namer = o.Order, o.Count, e.Namer
	sequential := o.Order == OrderSequential
	if !p.groups {
		first, err := a.Users(ctx, e.Namer, e.Ledger, o.Seed, "seeding users")
		if err != nil {
			return err
		}
		total, err := p.sweepTotal(ctx, s, "/v1/users/")
		if err != nil {
			return fmt.Errorf("after seeding: %w", err)
		}
		p.seedFirst = first
		p.total.Store(int64(total))
		nm := e.Namer
		p.tracker = op.NewSweepTracker("user", o.Seed, func(i int) string { return nm.User(first + uint64(i)) }, total, o.Count, sequential)
		p.tracker.AppendOnly = true // spec/PROFILE.md §3: registration order, so new users go last
		op.List(e, "list-users", spec.RouteListUsers, 1, p.next, p)
		e.Finish()
		return nil
	}
	owners := min(10, o.Seed)
	first, err := a.Users(ctx, e.Namer, e.Ledger, owners, "seeding group owners")
	if err != nil {
		return err
	}
	names := make([]string, owners)
	for i := range names {
		names[i] = e.Namer.User(first + uint64(i))
	}
	gids, _, err := a.Groups(ctx, e.Namer, e.Ledger, names, o.Seed)
	if err != nil {
		return err
	}
	slices.Sort(gids)
	p.gidIndex = make(map[int64]int, len(gids))
	for i, g := range gids {
		p.gidIndex[g] = i
	}
	total, err := p.sweepTotal(ctx, s, "/v1/groups/")
	if err != nil {
		return fmt.Errorf("after seeding: %w", err)
	}
	p.total.Store(int64(total))
	p.tracker = op.NewSweepTracker("group", len(gids), func(i int) string { return "gid " + strconv.FormatInt(gids[i], 10) }, total, o.Count, sequential)
	op.List(e, "list-groups", spec.RouteListGroups, 1, p.next, p)
	e.Finish()
	return nil
}

// next picks the next page by --order.
func (p *paginate) next() (start, count int, tag uint64, tagged bool) {
	n := int(p.total.Load())
	switch p.order {
	case OrderRandom:
		return rand.IntN(max(n, 1)), p.count, 0, false
	case OrderDeep:
		lo := n - max(n/10, 1)
		return max(lo, 0) + rand.IntN(max(n/10, 1)), p.count, 0, false
	}
	k := p.pages.Add(1) - 1
	pages := uint64(max(1, (n+p.count-1)/p.count))
	return int(k%pages) * p.count, p.count, k, true
}

// Item implements op.PageJudge: the index of one of the seeded users or
// groups, -1 for any other.
func (p *paginate) Item(v gjson.Result) int {
	if !p.groups {
		if c, ok := p.namer.UserIndex(v.Str); v.Type == gjson.String && ok && c >= p.seedFirst && c-p.seedFirst < uint64(p.tracker.N()) {
			return int(c - p.seedFirst)
		}
		return -1
	}
	if i, ok := p.gidIndex[v.Int()]; ok && spec.IsPositiveInteger(v) {
		return i
	}
	return -1
}

// Page implements op.PageJudge.
func (p *paginate) Page(tag uint64, start, total int, ours []int) string {
	return p.tracker.Page(tag, start, total, ours)
}

// Settling of a sharded paginate run: the list total must hold still for
// settleQuiet, polled every settlePoll, before the sweeps are planned; the
// wait ends after settleLimit whatever the list does. Variables, so that
// tests can shorten them.
var (
	settleQuiet = 2 * time.Second
	settlePoll  = 100 * time.Millisecond
	settleLimit = time.Minute
)

// sweepTotal reads the total of the list a paginate profile sweeps. A
// shard first waits until the total holds still: the other shards seed
// the same list at about the same time, and sweeps planned on a list that
// still grows would cover only the part seeded so far, and find nothing
// to judge while it grows (groups: a new gid may sort anywhere).
func (p *paginate) sweepTotal(ctx context.Context, s *Setup, path string) (int, error) {
	total, err := s.Admin.ListTotal(ctx, path)
	if err != nil || !s.Sharded {
		return total, err
	}
	began := time.Now()
	still := began
	for time.Since(still) < settleQuiet {
		if time.Since(began) >= settleLimit {
			p.settled = fmt.Sprintf("sharded: the list total did not hold still within %s (last %d): the sweeps cover the list as it was then; start the shards together", settleLimit, total)
			return total, nil
		}
		if err := client.Sleep(ctx, settlePoll); err != nil {
			return total, err
		}
		t, err := s.Admin.ListTotal(ctx, path)
		if err != nil {
			return total, err
		}
		if t != total {
			total, still = t, time.Now()
		}
	}
	p.settled = fmt.Sprintf("sharded: waited %s for the other shards' seeding; the list total held still at %d for %s", time.Since(began).Round(time.Millisecond), total, settleQuiet)
	return total, nil
}

func (p *paginate) Judge(*stats.Summary) (checks, problems []string) {
	if p.settled != "" {
		checks = append(checks, p.settled)
	}
	if p.tracker != nil {
		checks = append(checks, p.tracker.Notes()...)
	}
	return checks, nil
}
