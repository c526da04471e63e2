package steps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"jmcheck/client"
	"jmcheck/spec"
)

// walk is the outcome of paging through a list around the scenario's own
// users or groups.
type walk struct {
	kind     string   // "user" or "group"
	items    []string // what the last walk's pages showed, in order
	attempts int
	verdict  error // nil when the pages tiled the list
}

// walkAttempts bounds the walks of one step. The list is shared with every
// other scenario and run, and spec/PROFILE.md §3 promises tiling only "with no
// writes between calls". So a walk's findings are split in two: what no
// concurrent write can explain fails at once (a user shown twice: new users
// only join at the end; own users out of order; gids not ascending), and
// what one can explain (a missing entry: a concurrent delete shifts the
// list left) must repeat in every walk to count.
const walkAttempts = 5

const locatePage = 500

func listField(kind string) string {
	if kind == "user" {
		return "users"
	}
	return "groups"
}

func listPath(kind string, start, count int) string {
	return fmt.Sprintf("/v1/%s/?start=%d&count=%d", listField(kind), start, count)
}

// page fetches one page and checks what holds within a single answer:
// start echoed, count = number returned = min(count, max(0, total-start)),
// and for groups ascending gids.
func (st *scenario) page(ctx context.Context, kind string, start, count int) (total int64, items []string, err error) {
	ex, err := st.do(ctx, request{method: http.MethodGet, path: listPath(kind, start, count)})
	if err != nil {
		return 0, nil, err
	}
	if err := st.pageConsistent(ex, kind, start, count); err != nil {
		return 0, nil, err
	}
	for _, v := range ex.Get(listField(kind)).Array() {
		items = append(items, v.String())
	}
	return ex.Get("total").Int(), items, nil
}

func (st *scenario) pageConsistent(ex *client.Exchange, kind string, start, count int) error {
	if ex.Status != http.StatusOK {
		return st.failWith(ex, "listing %ss: want HTTP 200, got %d", kind, ex.Status)
	}
	doc, err := ex.JSON()
	if err != nil {
		return st.failWith(ex, "listing %ss: %v", kind, err)
	}
	total := doc.Get("total").Int()
	list := doc.Get(listField(kind)).Array()
	want := int64(count)
	if rest := max(0, total-int64(start)); rest < want {
		want = rest
	}
	switch {
	case doc.Get("start").Int() != int64(start):
		return st.failWith(ex, "start is %s, want %d echoed (%s)", doc.Get("start").Raw, start, spec.Cite("3"))
	case doc.Get("count").Int() != int64(len(list)):
		return st.failWith(ex, "count is %s but %d %ss came back: count is the number returned (%s)", doc.Get("count").Raw, len(list), kind, spec.Cite("3"))
	case int64(len(list)) != want:
		return st.failWith(ex, "with total %d, start %d and count %d the page holds %d %ss, got %d (%s)", total, start, count, want, kind, len(list), spec.Cite("3"))
	}
	if kind == "group" {
		for i := 1; i < len(list); i++ {
			if list[i].Int() <= list[i-1].Int() {
				return st.failWith(ex, "gids %d then %d: the group list is ascending (%s)", list[i-1].Int(), list[i].Int(), spec.Cite("4"))
			}
		}
	}
	return nil
}

// own returns the scenario's own items of a list, in list order.
func (st *scenario) own(kind string) []string {
	if kind == "user" {
		return slices.Clone(st.ownUsers)
	}
	gids := slices.Clone(st.ownGroups)
	slices.Sort(gids)
	out := make([]string, len(gids))
	for i, g := range gids {
		out[i] = strconv.FormatInt(g, 10)
	}
	return out
}

// walkList pages through the list count at a time around the scenario's
// own items and judges the tiling (see walkAttempts).
func (st *scenario) walkList(ctx context.Context, kind string, count int) error {
	own := st.own(kind)
	if len(own) < 2 {
		return fmt.Errorf("paging needs at least two %ss of this scenario: register or create them first", kind)
	}
	if count < 1 || count > 500 {
		return fmt.Errorf("page size %d: use 1..500", count)
	}
	w := &walk{kind: kind}
	st.walk = w
	for w.attempts < walkAttempts {
		w.attempts++
		pos, err := st.locate(ctx, kind, own[0])
		if err != nil {
			return err
		}
		items, stable, err := st.fineWalk(ctx, kind, max(0, pos-2), count, own)
		if err != nil {
			return err
		}
		if err := st.tailProbe(ctx, kind, count); err != nil {
			return err
		}
		w.items = items
		hard, soft := tiling(kind, items, own, stable)
		if hard != nil {
			w.verdict = hard
			return nil
		}
		w.verdict = soft
		if soft == nil {
			return nil
		}
	}
	return nil
}

// locate finds the position of an item, scanning back from the end of the
// list, where a scenario's recent items are.
func (st *scenario) locate(ctx context.Context, kind, item string) (int, error) {
	total, _, err := st.page(ctx, kind, 0, 1)
	if err != nil {
		return 0, err
	}
	start := int(max(0, total-locatePage))
	for range 2000 {
		_, items, err := st.page(ctx, kind, start, locatePage)
		if err != nil {
			return 0, err
		}
		if i := slices.Index(items, item); i >= 0 {
			return start + i, nil
		}
		if start == 0 {
			return 0, st.failf("%s %s, which this scenario made, is not in the %s list (%s, §4)", kind, item, kind, spec.Cite("3"))
		}
		start = max(0, start-locatePage)
	}
	return 0, st.failf("the %s list is too long to walk (over 1000000 entries)", kind)
}

// fineWalk pages from start until past the last own item, and reports
// whether the total stayed put.
func (st *scenario) fineWalk(ctx context.Context, kind string, start, count int, own []string) ([]string, bool, error) {
	var items []string
	var total0 int64 = -1
	stable := true
	last := own[len(own)-1]
	for range 100000 / count {
		total, page, err := st.page(ctx, kind, start, count)
		if err != nil {
			return nil, false, err
		}
		if total0 >= 0 && total != total0 {
			stable = false
		}
		total0 = total
		items = append(items, page...)
		start += count
		if i := slices.Index(items, last); (i >= 0 && len(items)-i > 2) || int64(start) >= total {
			return items, stable, nil
		}
	}
	return items, stable, nil
}

// tailProbe asks for the last entry and for the first page past the end
// with the walk's page size. A server whose pages are shifted (each page
// starting one early, say) tiles the middle of the list seamlessly; only the
// ends give it away, and the single-answer checks of page catch it there.
func (st *scenario) tailProbe(ctx context.Context, kind string, count int) error {
	total, _, err := st.page(ctx, kind, 0, 1)
	if err != nil {
		return err
	}
	if total == 0 {
		return nil
	}
	if _, _, err := st.page(ctx, kind, int(total)-1, count); err != nil {
		return err
	}
	_, _, err = st.page(ctx, kind, int(total), count)
	return err
}

// tiling judges one walk. hard is what no concurrent write explains; soft
// is what a concurrent write may explain (see walkAttempts).
func tiling(kind string, items, own []string, stable bool) (hard, soft error) {
	seen := map[string]int{}
	for i, it := range items {
		if j, ok := seen[it]; ok {
			err := fmt.Errorf("%s %s shows up at positions %d and %d of the walk: pages overlap", kind, it, j+1, i+1)
			// New users join the end of the list, so nothing can push an
			// entry into a later page; a new gid may land anywhere.
			if kind == "user" || stable {
				return err, nil
			}
			return nil, err
		}
		seen[it] = i
	}
	if kind == "group" {
		for i := 1; i < len(items); i++ {
			a, _ := strconv.ParseInt(items[i-1], 10, 64)
			b, _ := strconv.ParseInt(items[i], 10, 64)
			if b <= a {
				return fmt.Errorf("gid %d follows gid %d across pages: the list is ascending", b, a), nil
			}
		}
	}
	prev := -1
	for _, o := range own {
		i, ok := seen[o]
		if !ok {
			soft = fmt.Errorf("%s %s is missing from the walk: pages leave a gap", kind, o)
			continue
		}
		if i < prev {
			return fmt.Errorf("%s %s comes before an earlier one: the order is not %s", kind, o, orderName(kind)), nil
		}
		prev = i
	}
	return nil, soft
}

func orderName(kind string) string {
	if kind == "user" {
		return "registration order"
	}
	return "ascending gid"
}

// pagesTile judges the last walk.
func (st *scenario) pagesTile(kinds string) error {
	kind := strings.TrimSuffix(kinds, "s")
	if st.walk == nil || st.walk.kind != kind {
		return fmt.Errorf("no walk of the %s list: use: I page through the %s list N at a time", kind, kind)
	}
	if st.walk.verdict != nil {
		return st.failf("after %d walks: %v (%s: with no writes between calls, pages tile the list in %s)\nwalk: %s",
			st.walk.attempts, st.walk.verdict, spec.Cite("3"), orderName(kind), short(strings.Join(st.walk.items, " ")))
	}
	return nil
}

func (st *scenario) pageIsConsistent(kind string, start, count int) error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	return st.pageConsistent(ex, kind, start, count)
}

// pastTheEnd asks for a page well past the end of the list, so that
// concurrent writers cannot reach it.
func (st *scenario) pastTheEnd(ctx context.Context, kind string) error {
	total, _, err := st.page(ctx, kind, 0, 1)
	if err != nil {
		return err
	}
	_, err = st.do(ctx, request{method: http.MethodGet, path: listPath(kind, int(total)+1000, 5)})
	return err
}
