package seed

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"jmcheck/ledger"
	"jmcheck/load/check"
	"jmcheck/load/op"
	"jmcheck/load/stats"
)

// Verify checks the ledger against the target: every user a 201 reported
// created must exist, and no user the target refused may. A user the run
// deleted, or tried to, is not checked: whatever became of the delete, it
// is not lost. It pages through the user list when that is cheaper than
// one GET per user, and confirms by GET what the list did not show. A
// refused user found to exist is recorded as created, so that cleanup
// deletes it. A listed name of the run's form that the run never issued
// is counted as strange and otherwise ignored: it is never indexed.
func (a *Admin) Verify(ctx context.Context, nm *op.Namer, l *ledger.Ledger) *stats.VerifyResult {
	live := l.Indices(ledger.Created)
	refused := l.Indices(ledger.Refused)
	res := &stats.VerifyResult{Checked: len(live)}
	if len(live) == 0 && len(refused) == 0 {
		res.Method = "none"
		return res
	}
	total, err := a.ListTotal(ctx, "/v1/users/")
	if err != nil {
		res.Error = "reading the user list: " + err.Error()
		return res
	}
	example := func(s string) {
		if len(res.Examples) < 10 {
			res.Examples = append(res.Examples, s)
		}
	}
	confirm := live
	if total <= 4*len(live)+20000 {
		res.Method = "list"
		found, strange, err := a.sweepUsers(ctx, nm, total)
		res.Strange = strange
		if err != nil {
			res.Error = "paging the user list: " + err.Error()
			return res
		}
		confirm = confirm[:0:0]
		for _, i := range live {
			if !found.Has(i) {
				confirm = append(confirm, i)
			}
		}
		for _, i := range refused {
			if found.Has(i) {
				res.Unexpected++
				l.NoteIndex(i, ledger.Created)
				example(nm.User(i) + " exists though the server refused it")
			}
		}
		refused = nil
	} else {
		res.Method = "get"
		if len(refused) > 100 {
			refused = refused[:100]
		}
	}
	// Confirm by GET what the list did not show (or everything, without a list).
	var mu sync.Mutex
	check1 := append(append([]uint64{}, confirm...), refused...)
	bar := a.bar(len(check1), "verifying users")
	err = ledger.Parallel(ctx, len(check1), a.workers, ledger.NewLimiter(a.rate), a.c.Unusable, bar, func(ctx context.Context, k int) {
		i := check1[k]
		name := nm.User(i)
		ex, err := a.do(ctx, http.MethodGet, "/v1/users/"+name, nil)
		mu.Lock()
		defer mu.Unlock()
		mustExist := k < len(confirm)
		switch {
		case err != nil:
			if res.Error == "" {
				res.Error = err.Error()
			}
		case mustExist && ex.Status != http.StatusOK && l.StateOf(i) == ledger.Created:
			res.Missing++
			example(fmt.Sprintf("%s: a 201 reported it created, GET answers %d%s", name, ex.Status, check.CodeSuffix(ex.Code())))
		case !mustExist && ex.Status == http.StatusOK:
			res.Unexpected++
			l.NoteIndex(i, ledger.Created)
			example(name + " exists though the server refused it")
		}
	})
	_ = bar.Finish()
	if err != nil && res.Error == "" {
		res.Error = "cut short: " + err.Error()
	}
	return res
}

// sweepUsers pages through the whole user list and returns the counters
// of this run's users in it, and how many listed names had the run's form
// but a counter it never issued.
func (a *Admin) sweepUsers(ctx context.Context, nm *op.Namer, total int) (found ledger.Bitset, strange int, err error) {
	issued := nm.UsersIssued()
	found = make(ledger.Bitset, (issued+63)/64)
	pages := (total + 499) / 500
	bar := a.bar(pages, "verifying users (list)")
	defer bar.Exit()
	lim := ledger.NewLimiter(a.rate)
	for start := 0; start < total; start += 500 {
		if err := lim.Wait(ctx); err != nil {
			return nil, strange, err
		}
		ex, err := a.do(ctx, http.MethodGet, "/v1/users/?start="+strconv.Itoa(start)+"&count=500", nil)
		if err != nil {
			return nil, strange, err
		}
		doc, jerr := ex.JSON()
		if ex.Status != http.StatusOK || jerr != nil {
			return nil, strange, fmt.Errorf("GET /v1/users/?start=%d&count=500 answered %d %s", start, ex.Status, snippet(ex))
		}
		for _, v := range doc.Get("users").Array() {
			if i, ok := nm.UserIndex(v.Str); ok {
				if i < issued {
					found.Set(i)
				} else {
					strange++
				}
			}
		}
		if t := doc.Get("total"); t.Exists() && int(t.Int()) > total {
			// Bounded: a target that keeps raising the total stops the
			// sweep at four times where it began.
			total = min(int(t.Int()), 4*total+20000)
		}
		_ = bar.Add(1)
	}
	_ = bar.Finish()
	return found, strange, nil
}
