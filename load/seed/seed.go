// Package seed sends the requests around a load run's attack: seeding the
// users and groups a profile needs, verifying afterwards that what the
// target reported created exists, and cleaning up through the ledger.
// They go one by one or a few at a time, paced, through package client:
// their speed does not matter, their outcome does.
package seed

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"jmcheck/client"
	"jmcheck/ledger"
	"jmcheck/load/op"
	"jmcheck/spec"
)

// Admin sends seeding, verification and cleanup requests.
type Admin struct {
	c        *client.Client
	progress io.Writer // nil: no progress bars
	rate     float64   // requests per second for verification and cleanup
	workers  int
	// Shared: other shards of the run change the user list while this one
	// verifies, so a page may skip users.
	Shared bool
	// LateWait is how long cleanup waits before it deletes once more the
	// users whose registration got no answer (ledger.Options.LateWait).
	LateWait time.Duration
}

// MinTimeout is the shortest per-request timeout of seeding: a 500-user
// batch on a server that hashes passwords slowly takes a while.
const MinTimeout = time.Minute

// New returns an Admin on a client, with progress bars on progress (nil:
// none) and rate requests per second for verification and cleanup.
func New(c *client.Client, progress io.Writer, rate float64) *Admin {
	return &Admin{c: c, progress: progress, rate: rate, workers: 8}
}

// Client returns the Admin's client.
func (a *Admin) Client() *client.Client { return a.c }

// Bar returns a progress bar on the progress writer, or a silent one.
func (a *Admin) Bar(n int, what string) ledger.Bar { return a.bar(n, what) }

func (a *Admin) bar(n int, what string) *progressbar.ProgressBar {
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

// do sends one request through the client (which retries shed answers
// and idempotent requests that failed in transport).
func (a *Admin) do(ctx context.Context, method, path string, body []byte) (*client.Exchange, error) {
	return a.c.Do(ctx, client.Request{Method: method, Path: path, Body: body, HasBody: body != nil})
}

// Users registers n users in batches of 500, one batch at a time so that
// registration order is counter order, and returns their counters' first
// value. Every user of every 201 is checked and recorded.
func (a *Admin) Users(ctx context.Context, nm *op.Namer, l *ledger.Ledger, n int, what string) (uint64, error) {
	first := nm.NextUsers(n)
	bar := a.bar(n, what)
	defer bar.Exit()
	var buf []byte
	for done := 0; done < n; {
		k := min(500, n-done)
		at := first + uint64(done)
		buf = op.RegisterBody(buf[:0], nm, at, k)
		l.NoteRange(at, k, ledger.Sent)
		ex, err := a.do(ctx, http.MethodPost, "/v1/users/", buf)
		if err != nil {
			if ex.Status == 0 {
				l.NoteRange(at, k, ledger.Unanswered)
			}
			return first, fmt.Errorf("seed users: %w", err)
		}
		if ex.Status != http.StatusCreated {
			l.NoteRange(at, k, ledger.Refused)
			return first, fmt.Errorf("seed users: POST /v1/users/ with %d users answered %d %s: the target cannot be seeded", k, ex.Status, snippet(ex))
		}
		doc, err := ex.JSON()
		if err != nil {
			return first, fmt.Errorf("seed users: the 201 body: %v: %s", err, snippet(ex))
		}
		created := 0
		var bad string
		items := doc.Array()
		for j, it := range items {
			name := nm.User(at + uint64(j))
			if j < k && it.Get("username").Str == name && !it.Get("error").Exists() {
				l.NoteIndex(at+uint64(j), ledger.Created)
				created++
			} else if bad == "" {
				bad = fmt.Sprintf("item %d is %s, want {\"username\":%q}", j, ex.Safe(short(it.Raw)), name)
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

// group creates one group and returns its gid.
func (a *Admin) group(ctx context.Context, nm *op.Namer, l *ledger.Ledger, owner, name string, members []string) (int64, error) {
	l.OwnerNamed(1, owner)
	ex, err := a.do(ctx, http.MethodPost, "/v1/groups/", op.GroupBody(owner, name, members))
	if err != nil {
		return 0, fmt.Errorf("seed groups: %w", err)
	}
	doc, jerr := ex.JSON()
	if ex.Status != http.StatusCreated || jerr != nil {
		return 0, fmt.Errorf("seed groups: POST /v1/groups/ answered %d %s: the target cannot be seeded", ex.Status, snippet(ex))
	}
	gid := doc.Get("gid")
	if !spec.IsPositiveInteger(gid) {
		return 0, fmt.Errorf("seed groups: the 201 has no positive gid: %s", snippet(ex))
	}
	l.NoteGroup(1, gid.Int(), ledger.Created)
	return gid.Int(), nil
}

// Groups creates n groups owned round-robin by owners, four at a time,
// and returns their gids and names (the description is op.GroupDesc).
func (a *Admin) Groups(ctx context.Context, nm *op.Namer, l *ledger.Ledger, owners []string, n int) (gids []int64, names []string, err error) {
	bar := a.bar(n, "seeding groups")
	gids, names = make([]int64, n), make([]string, n)
	for i := range names {
		names[i] = nm.Group(nm.NextGroup())
	}
	var (
		mu       sync.Mutex
		firstErr error
	)
	seedCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	err = ledger.Parallel(seedCtx, n, 4, ledger.NewLimiter(a.rate), a.c.Unusable, bar, func(ctx context.Context, i int) {
		gid, err := a.group(ctx, nm, l, owners[i%len(owners)], names[i], nil)
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
		return nil, nil, firstErr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("seed groups: %w", err)
	}
	return gids, names, nil
}

// ListTotal reads the total of a list endpoint.
func (a *Admin) ListTotal(ctx context.Context, path string) (int, error) {
	ex, err := a.do(ctx, http.MethodGet, path+"?start=0&count=1", nil)
	if err != nil {
		return 0, err
	}
	t := ex.Get("total")
	if ex.Status != http.StatusOK || !spec.IsIntegerValue(t) || t.Int() < 0 {
		return 0, fmt.Errorf("GET %s?start=0&count=1 answered %d %s, want 200 with a total", path, ex.Status, snippet(ex))
	}
	return int(t.Int()), nil
}

// Cleanup deletes what the ledger holds, paced, with a progress bar.
// When the target has stopped answering (dead: the client found it
// unusable, or the run ends with exit 3 for want of an answer), it is the
// one short attempt, through client.ForCleanup: 3 s per request, no wait
// on load shedding, stopped after 3 transport failures in a row (ctx
// bounds it as a whole).
func (a *Admin) Cleanup(ctx context.Context, l *ledger.Ledger, dead bool) *ledger.Report {
	c := a.c
	if dead || c.Unusable() != nil {
		c = c.ForCleanup()
	}
	return l.Cleanup(ctx, c, ledger.Options{Workers: a.workers, Rate: a.rate, Bar: a.Bar, LateWait: a.LateWait})
}

// snippet is the scrubbed, quoted start of an answer for a message.
func snippet(ex *client.Exchange) string {
	const max = 160
	s := ex.Scrubber().String(string(ex.Body[:min(len(ex.Body), max+512)]))
	if len(s) > max {
		return strconv.Quote(s[:max] + "…")
	}
	return strconv.Quote(s)
}

func short(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
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
