// Package op holds the load profiles' operations, by resource: how each
// request is built, what answer it expects (package check judges it), and
// what it changes in the run's state: the ledger of what the run created,
// the pool of users, the groups whose members it toggles. A profile (in
// package load) picks which operations it sends and with what weights, on
// one Env.
package op

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/ledger"
	"jmcheck/load/check"
	"jmcheck/spec"
)

// Op is one kind of request a profile sends.
type Op struct {
	Name   string
	Route  spec.Route
	Weight int
	// Fallback is the op sent instead when Build says no (nothing to
	// delete yet, every group busy); -1: none.
	Fallback int
	// Build fills the target; false: it cannot be sent now.
	Build func(t *vegeta.Target) bool
	// Expect is what counts as a pass.
	Expect check.Expectation
	// After applies the answer's effect on the run's state; may be nil.
	After func(x *check.Exchange, v check.Verdict)

	header http.Header // static headers, the op index included
}

// Env is what a run's operations share: the target, the names and the
// ledger, and the table of operations the targeter picks from. Its
// methods are safe for vegeta's concurrent workers once Finish was called.
type Env struct {
	Base      string // the target's base URL, no trailing slash
	Auth      string // the Authorization header value
	Namer     *Namer
	Ledger    *ledger.Ledger
	AllowShed bool // a 503 899030 with Retry-After is a pass for every op

	// Pick chooses the next op; nil: at random by weight.
	Pick func() int
	// Record, when set, hears of every exchange of a known op after its
	// check (load --check-history records the history).
	Record func(x *check.Exchange, v check.Verdict)

	ops               []*Op
	cum               []int // cumulative weights, for the weighted pick
	wsum              int
	sent, substituted []atomic.Uint64 // per op
}

// Add appends an op and fixes its headers; it returns the op's index.
func (e *Env) Add(o *Op) int {
	idx := len(e.ops)
	o.header = http.Header{"Authorization": {e.Auth}, check.OpHeader: {strconv.Itoa(idx)}}
	switch o.Route {
	case spec.RouteRegister, spec.RoutePutUser, spec.RouteCreateGroup, spec.RouteEditMembers, spec.RouteSendMessage:
		o.header["Content-Type"] = []string{"application/json"}
	}
	if o.Fallback == 0 && idx != 0 {
		o.Fallback = -1
	}
	o.Expect.Shed = o.Expect.Shed || e.AllowShed
	e.ops = append(e.ops, o)
	return idx
}

// Next returns the index the next Add gives, for ops that refer to
// themselves.
func (e *Env) Next() int { return len(e.ops) }

// Finish computes the weights; call it after the last Add.
func (e *Env) Finish() {
	e.cum = make([]int, len(e.ops))
	e.wsum = 0
	for i, o := range e.ops {
		e.wsum += o.Weight
		e.cum[i] = e.wsum
	}
	e.sent = make([]atomic.Uint64, len(e.ops))
	e.substituted = make([]atomic.Uint64, len(e.ops))
}

// Ops returns the operations, in index order.
func (e *Env) Ops() []*Op { return e.ops }

// Routes returns the routes the operations use.
func (e *Env) Routes() []spec.Route {
	var out []spec.Route
	for _, o := range e.ops {
		out = append(out, o.Route)
	}
	return out
}

// Header returns op idx's headers.
func (e *Env) Header(idx int) http.Header { return e.ops[idx].header }

// Tagged returns op idx's headers with a per-request tag the checks read
// back (a user counter, a gid, a page number).
func (e *Env) Tagged(idx int, tag uint64) http.Header {
	o := e.ops[idx]
	h := make(http.Header, len(o.header))
	for k, v := range o.header {
		h[k] = v
	}
	h[check.OpHeader] = []string{strconv.Itoa(idx) + "." + strconv.FormatUint(tag, 10)}
	return h
}

// URL joins the base URL and a path.
func (e *Env) URL(path string) string { return e.Base + path }

// Check implements check.Checker: it judges an exchange against its op's
// expectation and applies the op's effect.
func (e *Env) Check(x *check.Exchange) check.Verdict {
	if x.Op < 0 || x.Op >= len(e.ops) {
		return check.Verdict{Op: 0, Status: x.Status, Reason: check.Status, Detail: "status: a request jmcheck did not build"}
	}
	o := e.ops[x.Op]
	v := check.Judge(x, &o.Expect)
	if o.After != nil {
		o.After(x, v)
	}
	if e.Record != nil {
		e.Record(x, v)
	}
	return v
}

// Targeter returns the vegeta Targeter that picks and builds requests.
func (e *Env) Targeter(what string) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		i := e.pick()
		for tries := 0; tries < 4 && i >= 0; tries++ {
			o := e.ops[i]
			if o.Build(t) {
				e.sent[i].Add(1)
				return nil
			}
			e.substituted[i].Add(1)
			i = o.Fallback
		}
		return fmt.Errorf("no request can be built for %s", what)
	}
}

func (e *Env) pick() int {
	if e.Pick != nil {
		return e.Pick()
	}
	if len(e.ops) == 1 || e.wsum == 0 {
		return 0
	}
	n := rand.IntN(e.wsum)
	for i, c := range e.cum {
		if n < c {
			return i
		}
	}
	return len(e.cum) - 1
}

// Notes says how many of each op were sent, for the summary.
func (e *Env) Notes() []string {
	var parts []string
	for i, o := range e.ops {
		s := fmt.Sprintf("%s %d", o.Name, e.sent[i].Load())
		if n := e.substituted[i].Load(); n > 0 {
			s += fmt.Sprintf(" (%d more stood in for by %s: nothing to act on yet)", n, e.opName(o.Fallback))
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{"sent: " + strings.Join(parts, ", ")}
}

func (e *Env) opName(i int) string {
	if i < 0 || i >= len(e.ops) {
		return "nothing"
	}
	return e.ops[i].Name
}

// Stack is a bounded, concurrent stack: users to delete, gids to delete.
type Stack[T any] struct {
	mu    sync.Mutex
	items []T
	Limit int // 0: unbounded
}

// Push adds v unless the stack is full.
func (s *Stack[T]) Push(v T) {
	s.mu.Lock()
	if s.Limit == 0 || len(s.items) < s.Limit {
		s.items = append(s.items, v)
	}
	s.mu.Unlock()
}

// Pop takes the last value.
func (s *Stack[T]) Pop() (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero T
	if len(s.items) == 0 {
		return zero, false
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, true
}

// Pool is the users the mix reads and writes, never deletes.
type Pool []string

// Pick returns a user at random.
func (p Pool) Pick() string { return p[rand.IntN(len(p))] }

// Slot is a seeded group of the mix. Its toggle user is added and removed
// by the members operation, one request at a time.
type Slot struct {
	GID    int64
	Name   string // group_name as seeded
	Owner  string
	Toggle string
	in     atomic.Bool // toggle is a member
	busy   atomic.Bool // a members request is in flight
	broken atomic.Bool // its membership is unknown: leave it alone
}

// Slots are the seeded groups of the mix.
type Slots []*Slot

func (s Slots) pick() (*Slot, uint64) {
	i := rand.IntN(len(s))
	return s[i], uint64(i)
}

func (s Slots) byTag(tag uint64) *Slot { return s[tag%uint64(len(s))] }

// Broken counts the groups left out of toggling after an unexpected answer.
func (s Slots) Broken() int {
	n := 0
	for _, g := range s {
		if g.broken.Load() {
			n++
		}
	}
	return n
}
