package ledger

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"

	"jmcheck/client"
	"jmcheck/spec"
)

// Bar is a progress bar (github.com/schollz/progressbar's satisfies it).
type Bar interface {
	Add(n int) error
	Finish() error
}

// Options tune Cleanup.
type Options struct {
	Workers int     // requests at once; 0: 8
	Rate    float64 // requests per second at most; 0: no limit
	// Bar returns a progress bar of n steps; nil: none.
	Bar func(n int, what string) Bar
	// LateWait, when positive, is how long to wait before deleting once
	// more the users whose registration got no answer and who were not
	// there yet: a target may commit after the client gave up.
	LateWait time.Duration
}

// Report says what Cleanup did and what it left.
type Report struct {
	Groups int `json:"groups_deleted"`
	Users  int `json:"users_deleted"`
	Gone   int `json:"already_gone"` // recorded, but already deleted or never created
	// Unanswered counts the users whose registration got no answer: they
	// may exist, so each was deleted (again after LateWait when the first
	// delete found nothing).
	Unanswered int       `json:"unanswered,omitempty"`
	NotOurs    []string  `json:"not_ours,omitempty"`
	Failed     []Failure `json:"failed,omitempty"` // at most maxFailures, then only counted in Left
	Left       int       `json:"left"`             // could not be deleted: clean up by hand
	Error      string    `json:"error,omitempty"`  // the cleanup was cut short
}

// Failure is one user or group Cleanup could not delete.
type Failure struct {
	Kind   string `json:"kind"` // "user" or "group"
	App    int    `json:"app"`
	ID     string `json:"id"` // username or gid
	Reason string `json:"reason"`
}

func (f Failure) String() string {
	return fmt.Sprintf("%s %s (app %d): %s", f.Kind, f.ID, f.App, f.Reason)
}

// maxFailures bounds the failures a report lists one by one.
const maxFailures = 1000

// OK reports whether everything recorded is gone.
func (r *Report) OK() bool { return r.Left == 0 && r.Error == "" }

// Examples returns up to ten lines on what was left: groups left alone,
// then failures.
func (r *Report) Examples() []string {
	var out []string
	out = append(out, r.NotOurs...)
	for _, f := range r.Failed {
		out = append(out, f.String())
	}
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

// String summarizes the report in one line, then one line per failure.
func (r *Report) String() string {
	s := fmt.Sprintf("cleanup: deleted %d groups and %d users, %d already gone", r.Groups, r.Users, r.Gone)
	if r.Unanswered > 0 {
		s += fmt.Sprintf(" (%d of the users got no answer to their registration: each was deleted, or found absent, also after a wait for late commits)", r.Unanswered)
	}
	for _, n := range r.NotOurs {
		s += "\n  left alone: " + n
	}
	if r.Left > 0 {
		s += fmt.Sprintf("; could not delete %d:", r.Left)
		for _, f := range r.Failed {
			s += "\n  " + f.String()
		}
		if n := r.Left - len(r.Failed); n > 0 {
			s += fmt.Sprintf("\n  … and %d more", n)
		}
	}
	if r.Error != "" {
		s += "\n  " + r.Error
	}
	return s
}

// cleaner is one Cleanup.
type cleaner struct {
	l    *Ledger
	c    *client.Client
	opts Options
	lim  *Limiter
	mu   sync.Mutex
	rep  Report
	late []User // unanswered users not there at the first delete
}

// Cleanup deletes every group and then every user the run may have
// created, each app apart, and reports what it could not delete. It is
// safe to call again: what it deleted is recorded as gone, and what it
// could not delete stays recorded. Call it with a context that is still
// live (the run's own may be cancelled: SIGINT). When the client finds the
// target unusable, Cleanup stops and reports what is left.
func (l *Ledger) Cleanup(ctx context.Context, c *client.Client, opts Options) *Report {
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	cl := &cleaner{l: l, c: c, opts: opts, lim: NewLimiter(opts.Rate)}
	groups := l.Groups(Sent, Unanswered, Created, Deleting)
	users := l.Users(Sent, Unanswered, Created, Deleting)
	total := len(groups) + len(users)
	if total == 0 {
		return &cl.rep
	}
	var bar Bar = nopBar{}
	if opts.Bar != nil {
		bar = opts.Bar(total, "cleaning up")
	}
	err := Parallel(ctx, len(groups), cl.opts.Workers, nil, cl.c.Unusable, bar, func(ctx context.Context, i int) { cl.group(ctx, groups[i]) })
	if err == nil {
		err = Parallel(ctx, len(users), cl.opts.Workers, nil, cl.c.Unusable, bar, func(ctx context.Context, i int) { cl.user(ctx, users[i]) })
	}
	for _, u := range users {
		if u.State == Unanswered {
			cl.rep.Unanswered++
		}
	}
	if err == nil && opts.LateWait > 0 && len(cl.late) > 0 {
		err = cl.lateCommits(ctx)
	}
	_ = bar.Finish()
	cl.rep.Left = len(l.Groups(Sent, Unanswered, Created, Deleting)) + len(l.Users(Sent, Unanswered, Created, Deleting))
	switch {
	case c.Unusable() != nil:
		cl.rep.Error = "cut short: " + c.Unusable().Error()
	case errors.Is(err, context.DeadlineExceeded):
		cl.rep.Error = fmt.Sprintf("cut short by the cleanup time limit: %d left; their names start with %s", cl.rep.Left, l.prefix)
	case err != nil:
		cl.rep.Error = fmt.Sprintf("cut short (%v): %d left; their names start with %s", err, cl.rep.Left, l.prefix)
	}
	if cl.rep.Left > len(cl.rep.Failed) && len(cl.rep.Failed) < maxFailures {
		// Not attempted: cut short. Name them, as far as the bound allows.
		for _, g := range l.Groups(Sent, Unanswered, Created, Deleting) {
			cl.fail("group", g.App, strconv.FormatInt(g.GID, 10), "not attempted: the cleanup was cut short")
		}
		for _, u := range l.Users(Sent, Unanswered, Created, Deleting) {
			cl.fail("user", u.App, u.Name, "not attempted: the cleanup was cut short")
		}
	}
	sort.SliceStable(cl.rep.Failed, func(i, j int) bool {
		a, b := cl.rep.Failed[i], cl.rep.Failed[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.App < b.App
	})
	cl.c.CloseIdleConnections()
	return &cl.rep
}

type nopBar struct{}

func (nopBar) Add(int) error { return nil }
func (nopBar) Finish() error { return nil }

func (cl *cleaner) fail(kind string, app int, id, reason string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	for _, f := range cl.rep.Failed {
		if f.Kind == kind && f.App == app && f.ID == id {
			return
		}
	}
	if len(cl.rep.Failed) < maxFailures {
		cl.rep.Failed = append(cl.rep.Failed, Failure{Kind: kind, App: app, ID: cl.c.Scrubber().Safe(id), Reason: reason})
	}
}

func (cl *cleaner) count(f func(r *Report)) {
	cl.mu.Lock()
	f(&cl.rep)
	cl.mu.Unlock()
}

// send paces and sends one request of the cleanup.
func (cl *cleaner) send(ctx context.Context, app int, method, path string) (*client.Exchange, error) {
	if err := cl.lim.Wait(ctx); err != nil {
		return nil, err
	}
	return cl.c.Do(ctx, client.Request{Method: method, Path: path, App: app})
}

// why words an unexpected answer or a failed request for the report.
func why(what string, ex *client.Exchange, err error) string {
	switch {
	case err != nil:
		return what + ": " + err.Error()
	case ex.Code() != 0:
		return fmt.Sprintf("%s answered HTTP %d %s", what, ex.Status, ex.Code().Meaning())
	default:
		return fmt.Sprintf("%s answered HTTP %d", what, ex.Status)
	}
}

// group deletes one recorded group once a read shows it is the run's.
func (cl *cleaner) group(ctx context.Context, g Group) {
	id := strconv.FormatInt(g.GID, 10)
	path := "/v1/groups/" + id
	ex, err := cl.send(ctx, g.App, http.MethodGet, path)
	switch {
	case err == nil && ex.Is(http.StatusForbidden, spec.CodeNoSuchGroup):
		cl.l.NoteGroup(g.App, g.GID, Deleted)
		cl.count(func(r *Report) { r.Gone++ })
		return
	case err != nil || ex.Status != http.StatusOK:
		cl.fail("group", g.App, id, why("GET "+path, ex, err))
		return
	}
	owner, name := ex.Get("owner_username").String(), ex.Get("group_name").String()
	if !cl.l.Ours(owner) && !cl.l.Ours(name) {
		// A target answered a create with another group's gid: that group
		// is someone else's. Say so; never delete it.
		cl.l.NoteGroup(g.App, g.GID, Deleted) // nothing more to do about it
		cl.count(func(r *Report) {
			r.NotOurs = append(r.NotOurs, fmt.Sprintf("group %s (app %d): owned by %q and named %q, not this run's (names start with %s), though a create answered with its gid", id, g.App, cl.c.Scrubber().Safe(owner), cl.c.Scrubber().Safe(name), cl.l.prefix))
		})
		return
	}
	cl.deleteGroup(ctx, g.App, g.GID)
}

func (cl *cleaner) deleteGroup(ctx context.Context, app int, gid int64) bool {
	id := strconv.FormatInt(gid, 10)
	path := "/v1/groups/" + id
	cl.l.NoteGroup(app, gid, Deleting)
	ex, err := cl.send(ctx, app, http.MethodDelete, path)
	switch {
	case err == nil && ex.Status == http.StatusNoContent:
		cl.l.NoteGroup(app, gid, Deleted)
		cl.count(func(r *Report) { r.Groups++ })
		return true
	case err == nil && ex.Is(http.StatusForbidden, spec.CodeNoSuchGroup):
		cl.l.NoteGroup(app, gid, Deleted)
		cl.count(func(r *Report) { r.Gone++ })
		return true
	}
	cl.fail("group", app, id, why("DELETE "+path, ex, err))
	return false
}

// user deletes one recorded user, and first the groups it may own.
func (cl *cleaner) user(ctx context.Context, u User) {
	if !cl.l.Ours(u.Name) {
		cl.fail("user", u.App, u.Name, "not deleted: the name does not hold the run's prefix "+cl.l.prefix+", so nothing proves it is this run's (the target may have created it)")
		return
	}
	if cl.l.mayOwn(u.App, u.Name) {
		cl.deleteOwned(ctx, u)
	}
	path := "/v1/users/" + url.PathEscape(u.Name)
	for attempt := 0; ; attempt++ {
		ex, err := cl.send(ctx, u.App, http.MethodDelete, path)
		switch {
		case err == nil && ex.Status == http.StatusNoContent:
			cl.l.Note(u.App, u.Name, Deleted)
			cl.count(func(r *Report) { r.Users++ })
			return
		case err == nil && ex.Is(http.StatusForbidden, spec.CodeNoSuchUser) && u.State == Unanswered && cl.opts.LateWait > 0:
			// Its registration got no answer: it may still come. It
			// stays recorded until it is tried again after LateWait, so
			// that a cleanup cut short before then counts it as left.
			cl.count(func(r *Report) { cl.late = append(cl.late, u) })
			return
		case err == nil && (ex.Is(http.StatusForbidden, spec.CodeNoSuchUser) || ex.Is(http.StatusBadRequest, spec.CodeInvalid)):
			// Never created, already gone, or a name the target calls
			// malformed (it cannot exist).
			cl.l.Note(u.App, u.Name, Deleted)
			cl.count(func(r *Report) { r.Gone++ })
			return
		case err == nil && ex.Is(http.StatusBadRequest, spec.CodeOwnsGroup) && attempt == 0:
			// It owns a group the run did not record: delete that first.
			cl.deleteOwned(ctx, u)
			continue
		}
		cl.fail("user", u.App, u.Name, why("DELETE "+path, ex, err))
		return
	}
}

// lateCommits waits LateWait, then deletes once more the users whose
// registration got no answer and who were absent at the first delete.
// Until then they stay recorded: one it could not delete, or did not try
// again (cut short), is left, and named.
func (cl *cleaner) lateCommits(ctx context.Context) error {
	t := time.NewTimer(cl.opts.LateWait)
	defer t.Stop()
	late := cl.late
	select {
	case <-ctx.Done():
		for _, u := range late {
			cl.fail("user", u.App, u.Name, "its registration got no answer, and the cleanup was cut short before the wait for a late commit was over: it may exist")
		}
		return ctx.Err()
	case <-t.C:
	}
	return Parallel(ctx, len(late), cl.opts.Workers, nil, cl.c.Unusable, nopBar{}, func(ctx context.Context, i int) {
		u := late[i]
		ex, err := cl.send(ctx, u.App, http.MethodDelete, "/v1/users/"+url.PathEscape(u.Name))
		switch {
		case err == nil && ex.Status == http.StatusNoContent:
			cl.l.Note(u.App, u.Name, Deleted)
			cl.count(func(r *Report) { r.Users++ })
		case err == nil && ex.Is(http.StatusForbidden, spec.CodeNoSuchUser):
			cl.l.Note(u.App, u.Name, Deleted)
			cl.count(func(r *Report) { r.Gone++ })
		default:
			cl.fail("user", u.App, u.Name, why("DELETE after a wait for a late commit", ex, err))
		}
	})
}

// deleteOwned deletes the groups a run user owns: its group list, then
// each group whose owner it is.
func (cl *cleaner) deleteOwned(ctx context.Context, u User) {
	ex, err := cl.send(ctx, u.App, http.MethodGet, "/v1/users/"+url.PathEscape(u.Name)+"/groups/")
	if err != nil || ex.Status != http.StatusOK {
		return
	}
	doc, err := ex.JSON()
	if err != nil || !doc.IsArray() {
		return
	}
	for _, v := range doc.Array() {
		if !spec.IsPositiveInteger(v) {
			continue
		}
		g, err := cl.send(ctx, u.App, http.MethodGet, "/v1/groups/"+v.Raw)
		if err != nil || g.Status != http.StatusOK || g.Get("owner_username").String() != u.Name {
			continue
		}
		cl.deleteGroup(ctx, u.App, v.Int())
	}
}
