package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/tidwall/gjson"

	"jmcheck/target"
)

// admin sends the requests around an attack: seeding, verification and
// cleanup. They go one by one or a few at a time, paced, on net/http: their
// speed does not matter, their outcome does.
type admin struct {
	t        target.Target
	client   *http.Client
	auth     string
	progress io.Writer // nil: no progress bars
	rate     float64   // requests per second for verification and cleanup
	workers  int
	// shared: other shards of the run change the user list while this one
	// verifies, so a page may skip users; cleanup then deletes every user
	// whose registration went unanswered, found in the list or not.
	shared bool
}

func newAdmin(t target.Target, timeout time.Duration, progress io.Writer, rate float64) *admin {
	// Seeding a 500-user batch on a server that hashes passwords slowly
	// takes a while: admin requests get at least a minute.
	timeout = max(timeout, time.Minute)
	if rate <= 0 {
		rate = 500
	}
	return &admin{
		t: t,
		client: &http.Client{Timeout: timeout, Transport: &http.Transport{
			MaxIdleConnsPerHost: 64, DisableCompression: true, ForceAttemptHTTP2: false,
		}},
		auth:     t.Auth(),
		progress: progress,
		rate:     rate,
		workers:  8,
	}
}

func (a *admin) close() { a.client.CloseIdleConnections() }

// answer is an admin request's outcome.
type adminAnswer struct {
	status int
	code   int
	body   []byte
}

// do sends one request. A 503 899030 is retried after its Retry-After
// (at most 2s, five times), a connection failure of an idempotent request
// twice: seeding and cleanup must not fail because the server sheds.
func (a *admin) do(ctx context.Context, method, path string, body []byte) (adminAnswer, error) {
	var lastErr error
	for attempt := 0; attempt < 6; attempt++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, a.t.URL(path), rd)
		if err != nil {
			return adminAnswer{}, fmt.Errorf("%s %s: %w", method, path, err)
		}
		req.Header.Set("Authorization", a.auth)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := a.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return adminAnswer{}, ctx.Err()
			}
			lastErr = fmt.Errorf("%s %s: %w", method, path, err)
			if method == http.MethodPost || attempt >= 2 {
				return adminAnswer{}, lastErr
			}
			if err := sleep(ctx, 200*time.Millisecond); err != nil {
				return adminAnswer{}, err
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if err != nil {
			lastErr = fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
			continue
		}
		ans := adminAnswer{status: resp.StatusCode, body: b}
		if resp.StatusCode >= 400 {
			ans.code, _, _ = errorBody(b)
		}
		if ans.status == 503 && ans.code == codeBusy && attempt < 5 {
			wait := time.Second
			if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && n > 0 && n < 2 {
				wait = time.Duration(n) * time.Second
			} else if err == nil && n >= 2 {
				wait = 2 * time.Second
			}
			if err := sleep(ctx, wait); err != nil {
				return adminAnswer{}, err
			}
			continue
		}
		return ans, nil
	}
	return adminAnswer{}, lastErr
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// bar returns a progress bar on the progress writer, or a silent one.
func (a *admin) bar(n int, what string) *progressbar.ProgressBar {
	if a.progress == nil || n <= 0 {
		return progressbar.NewOptions(n, progressbar.OptionSetVisibility(false), progressbar.OptionSetWriter(io.Discard))
	}
	w := a.progress
	// A log file or a CI console keeps every frame: redraw seldom there.
	throttle := 200 * time.Millisecond
	if !isTerminal(w) {
		throttle = 5 * time.Second
	}
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(throttle),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}

// limiter spaces requests at a rate shared by several workers.
type limiter struct {
	mu       sync.Mutex
	next     time.Time
	interval time.Duration
}

func newLimiter(rate float64) *limiter {
	return &limiter{interval: time.Duration(float64(time.Second) / rate)}
}

func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	at := l.next
	l.next = l.next.Add(l.interval)
	l.mu.Unlock()
	if d := time.Until(at); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}

// parallel runs f for i in [0,n) on the admin's workers at its rate,
// ticking the bar (the caller finishes it); it stops early when ctx ends
// and returns ctx's error.
func (a *admin) parallel(ctx context.Context, n int, bar *progressbar.ProgressBar, f func(ctx context.Context, i int)) error {
	lim := newLimiter(a.rate)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(a.workers, max(n, 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(ctx, i)
				_ = bar.Add(1)
			}
		}()
	}
	var err error
	for i := 0; i < n; i++ {
		if err = lim.wait(ctx); err != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return err
}

// registerBody writes a batch register body for users [first, first+n).
func registerBody(b []byte, nm *Namer, first uint64, n int) []byte {
	b = append(b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"username":"`...)
		b = nm.AppendUser(b, first+uint64(i))
		b = append(b, `","password":"jmcheck-load"}`...)
	}
	return append(b, ']')
}

// seedUsers registers n users in batches of 500, one batch at a time so
// that registration order is counter order, and returns their counters'
// first value. Every user of every 201 is checked and recorded.
func (a *admin) seedUsers(ctx context.Context, nm *Namer, l *Ledger, n int, what string) (uint64, error) {
	first := nm.NextUsers(n)
	bar := a.bar(n, what)
	defer bar.Exit()
	var buf []byte
	for done := 0; done < n; {
		k := min(500, n-done)
		at := first + uint64(done)
		buf = registerBody(buf[:0], nm, at, k)
		l.Attempt(at, k)
		ans, err := a.do(ctx, http.MethodPost, "/v1/users/", buf)
		if err != nil {
			return first, fmt.Errorf("seed users: %w", err)
		}
		if ans.status != 201 {
			l.Rejected(at, k)
			return first, fmt.Errorf("seed users: POST /v1/users/ with %d users answered %d %s: the target cannot be seeded", k, ans.status, snippet(ans.body))
		}
		created := 0
		var bad string
		if !gjson.ValidBytes(ans.body) {
			return first, fmt.Errorf("seed users: the 201 body is not JSON: %s", snippet(ans.body))
		}
		items := gjson.GetBytes(ans.body, "@this").Array()
		for j, it := range items {
			name := nm.User(at + uint64(j))
			if j < k && it.Get("username").Str == name && !it.Get("error").Exists() {
				l.Created(at + uint64(j))
				created++
			} else if bad == "" {
				bad = fmt.Sprintf("item %d is %s, want {\"username\":%q}", j, snippet([]byte(it.Raw)), name)
			}
		}
		if created != k || len(items) != k {
			if bad == "" {
				bad = fmt.Sprintf("%d items for %d sent", len(items), k)
			}
			return first, fmt.Errorf("seed users: the 201 created %d of %d users (%s): the target cannot be seeded", created, k, bad)
		}
		done += k
		_ = bar.Add(k)
	}
	_ = bar.Finish()
	return first, nil
}

// seedGroup creates one group and returns its gid.
func (a *admin) seedGroup(ctx context.Context, nm *Namer, l *Ledger, owner string, members []string) (int64, error) {
	name := nm.Group(nm.NextGroup())
	body := groupBody(owner, name, members)
	ans, err := a.do(ctx, http.MethodPost, "/v1/groups/", body)
	if err != nil {
		return 0, fmt.Errorf("seed groups: %w", err)
	}
	if ans.status != 201 || !gjson.ValidBytes(ans.body) {
		return 0, fmt.Errorf("seed groups: POST /v1/groups/ answered %d %s: the target cannot be seeded", ans.status, snippet(ans.body))
	}
	gid := gjson.GetBytes(ans.body, "gid")
	if gid.Type != gjson.Number || gid.Int() <= 0 {
		return 0, fmt.Errorf("seed groups: the 201 has no positive gid: %s", snippet(ans.body))
	}
	l.GroupCreated(gid.Int())
	return gid.Int(), nil
}

func groupBody(owner, name string, members []string) []byte {
	b := []byte(`{"owner_username":`)
	b = strconv.AppendQuote(b, owner)
	b = append(b, `,"group_name":`...)
	b = strconv.AppendQuote(b, name)
	b = append(b, `,"members_username":[`...)
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, m)
	}
	return append(b, `],"group_desc":"jmcheck load"}`...)
}

// seedGroups creates n groups owned round-robin by owners, four at a time.
func (a *admin) seedGroups(ctx context.Context, nm *Namer, l *Ledger, owners []string, n int) ([]int64, error) {
	bar := a.bar(n, "seeding groups")
	gids := make([]int64, n)
	var (
		mu       sync.Mutex
		firstErr error
	)
	saved := a.workers
	a.workers = 4
	defer func() { a.workers = saved }()
	seedCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := a.parallel(seedCtx, n, bar, func(ctx context.Context, i int) {
		gid, err := a.seedGroup(ctx, nm, l, owners[i%len(owners)], nil)
		mu.Lock()
		defer mu.Unlock()
		if err != nil && firstErr == nil {
			firstErr = err
			cancel()
		}
		gids[i] = gid
	})
	if firstErr == nil && err == nil {
		_ = bar.Finish()
	} else {
		_ = bar.Exit()
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err != nil {
		return nil, fmt.Errorf("seed groups: %w", err)
	}
	return gids, nil
}

// listTotal reads the total of a list endpoint.
func (a *admin) listTotal(ctx context.Context, path string) (int, error) {
	ans, err := a.do(ctx, http.MethodGet, path+"?start=0&count=1", nil)
	if err != nil {
		return 0, err
	}
	t := gjson.GetBytes(ans.body, "total")
	if ans.status != 200 || !gjson.ValidBytes(ans.body) || t.Type != gjson.Number || t.Int() < 0 {
		return 0, fmt.Errorf("GET %s?start=0&count=1 answered %d %s, want 200 with a total", path, ans.status, snippet(ans.body))
	}
	return int(t.Int()), nil
}

// VerifyResult is what the check after the attack found: every user a
// 201 reported created must exist; no user of a refused batch may.
type VerifyResult struct {
	Method     string   `json:"method"`  // "list": paged through the user list; "get": one GET per user
	Checked    int      `json:"checked"` // users that must exist
	Missing    int      `json:"missing"` // reported created, not there
	Unexpected int      `json:"unexpected"`
	Examples   []string `json:"examples,omitempty"`
	Error      string   `json:"error,omitempty"` // the check could not finish
}

// verify checks the ledger against the target and returns the users it
// found in the list (for cleanup) when it paged through it.
func (a *admin) verify(ctx context.Context, nm *Namer, l *Ledger) (*VerifyResult, bitset) {
	live := l.users(userLive)
	rejected := l.users(userRejected)
	res := &VerifyResult{Checked: len(live)}
	if len(live) == 0 && len(rejected) == 0 {
		res.Method = "none"
		return res, nil
	}
	total, err := a.listTotal(ctx, "/v1/users/")
	if err != nil {
		res.Error = "reading the user list: " + err.Error()
		return res, nil
	}
	var found bitset
	confirm := live
	if total <= 4*len(live)+20000 {
		res.Method = "list"
		found, err = a.sweepUsers(ctx, nm, total)
		if err != nil {
			res.Error = "paging the user list: " + err.Error()
			return res, nil
		}
		confirm = confirm[:0:0]
		for _, i := range live {
			if !found.has(i) {
				confirm = append(confirm, i)
			}
		}
		for _, i := range rejected {
			if found.has(i) {
				res.Unexpected++
				if len(res.Examples) < 10 {
					res.Examples = append(res.Examples, nm.User(i)+" exists though the server refused it")
				}
			}
		}
		rejected = nil
	} else {
		res.Method = "get"
		if len(rejected) > 100 {
			rejected = rejected[:100]
		}
	}
	// Confirm by GET what the list did not show (or everything, without a list).
	var mu sync.Mutex
	check := append(append([]uint64{}, confirm...), rejected...)
	bar := a.bar(len(check), "verifying users")
	err = a.parallel(ctx, len(check), bar, func(ctx context.Context, k int) {
		i := check[k]
		name := nm.User(i)
		ans, err := a.do(ctx, http.MethodGet, "/v1/users/"+name, nil)
		mu.Lock()
		defer mu.Unlock()
		mustExist := k < len(confirm)
		switch {
		case err != nil:
			if res.Error == "" {
				res.Error = err.Error()
			}
		case mustExist && ans.status != 200:
			res.Missing++
			if len(res.Examples) < 10 {
				res.Examples = append(res.Examples, fmt.Sprintf("%s: a 201 reported it created, GET answers %d%s", name, ans.status, codeSuffix(ans.code)))
			}
		case !mustExist && ans.status == 200:
			res.Unexpected++
			found.set(i)
			if len(res.Examples) < 10 {
				res.Examples = append(res.Examples, name+" exists though the server refused it")
			}
		}
	})
	_ = bar.Finish()
	if err != nil && res.Error == "" {
		res.Error = "cut short: " + err.Error()
	}
	return res, found
}

// sweepUsers pages through the whole user list and returns the counters
// of this run's users in it.
func (a *admin) sweepUsers(ctx context.Context, nm *Namer, total int) (bitset, error) {
	var found bitset
	pages := (total + 499) / 500
	bar := a.bar(pages, "verifying users (list)")
	defer bar.Exit()
	lim := newLimiter(a.rate)
	for start := 0; start < total; start += 500 {
		if err := lim.wait(ctx); err != nil {
			return nil, err
		}
		ans, err := a.do(ctx, http.MethodGet, "/v1/users/?start="+strconv.Itoa(start)+"&count=500", nil)
		if err != nil {
			return nil, err
		}
		if ans.status != 200 || !gjson.ValidBytes(ans.body) {
			return nil, fmt.Errorf("GET /v1/users/?start=%d&count=500 answered %d %s", start, ans.status, snippet(ans.body))
		}
		gjson.GetBytes(ans.body, "users").ForEach(func(_, v gjson.Result) bool {
			if i, ok := nm.UserIndex(v.Str); ok {
				found.set(i)
			}
			return true
		})
		if t := gjson.GetBytes(ans.body, "total"); t.Exists() && int(t.Int()) > total {
			total = int(t.Int())
		}
		_ = bar.Add(1)
	}
	_ = bar.Finish()
	return found, nil
}

// CleanupResult is what the cleanup deleted and what it left.
type CleanupResult struct {
	Groups   int      `json:"groups_deleted"`
	Users    int      `json:"users_deleted"`
	Left     int      `json:"left"` // could not be deleted: clean up by hand
	Examples []string `json:"examples,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// cleanup deletes every group and user the run created (groups first:
// an owner cannot be deleted), and the users that may exist.
func (a *admin) cleanup(ctx context.Context, nm *Namer, l *Ledger, found bitset) *CleanupResult {
	res := &CleanupResult{}
	var mu sync.Mutex
	leave := func(what string) {
		res.Left++
		if len(res.Examples) < 10 {
			res.Examples = append(res.Examples, what)
		}
	}
	gids := l.liveGroups()
	users := l.users(userLive)
	for _, i := range l.users(userMaybe) {
		if found == nil || found.has(i) || a.shared {
			users = append(users, i)
		}
	}
	for _, i := range l.users(userRejected) {
		if found.has(i) {
			users = append(users, i)
		}
	}
	total := len(gids) + len(users)
	if total == 0 {
		return res
	}
	bar := a.bar(total, "cleaning up")
	err := a.parallel(ctx, len(gids), bar, func(ctx context.Context, k int) {
		gid := gids[k]
		ans, err := a.do(ctx, http.MethodDelete, "/v1/groups/"+strconv.FormatInt(gid, 10), nil)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			leave(fmt.Sprintf("group %d: %v", gid, err))
		case ans.status == 204:
			res.Groups++
			l.GroupDeleted(gid)
		case ans.status == 403 && ans.code == codeNoSuchGroup:
			l.GroupDeleted(gid) // already gone
		default:
			leave(fmt.Sprintf("group %d: DELETE answered %d%s", gid, ans.status, codeSuffix(ans.code)))
		}
	})
	if err == nil {
		err = a.parallel(ctx, len(users), bar, func(ctx context.Context, k int) {
			name := nm.User(users[k])
			ans, err := a.do(ctx, http.MethodDelete, "/v1/users/"+name, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				leave(fmt.Sprintf("user %s: %v", name, err))
			case ans.status == 204:
				res.Users++
				l.Deleted(users[k])
			case ans.status == 403 && ans.code == codeNoSuchUser:
				l.Deleted(users[k]) // never created, or already gone
			default:
				leave(fmt.Sprintf("user %s: DELETE answered %d%s", name, ans.status, codeSuffix(ans.code)))
			}
		})
	}
	_ = bar.Finish()
	if err != nil {
		res.Error = "cut short: " + err.Error()
		live, maybe, _ := l.UserCounts()
		left := len(l.liveGroups()) + live + maybe
		res.Left = max(res.Left, left)
		if errors.Is(err, context.DeadlineExceeded) {
			res.Error = "cut short by the cleanup time limit: " + strconv.Itoa(left) + " left; they start with " + nm.Prefix()
		}
	}
	return res
}

func snippet(b []byte) string {
	const max = 160
	if len(b) > max {
		return strconv.Quote(string(b[:max]) + "…")
	}
	return strconv.Quote(string(b))
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
