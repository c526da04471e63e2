// Package ledger is the harness's one record of what a run may have
// created on the target, and the one procedure that deletes it again. The
// conformance steps, exploration and the load profiles all record into a
// Ledger and clean up with Cleanup, under one set of rules:
//
//   - a name is recorded before the request that may create it is sent,
//     so a run interrupted mid-request still knows it; a user whose
//     creation got no answer may exist and is deleted too;
//   - nothing is deleted that the run did not create: a user only when its
//     name holds the run's random prefix (or the run proved the name free
//     before it took it), a group only after a read shows that its owner or
//     its name holds it (a target may answer a create with another group's
//     gid);
//   - the groups a run user may own are deleted before the user (a signal
//     during a group create can leave one the run never recorded);
//   - a user the run deleted, or tried to, is never "lost".
//
// Users are kept by name, or, for names a Space makes from counters (the
// load generator's millions), in bitsets: one bit per name and state.
package ledger

import (
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// State is what the ledger knows of a user or group.
type State uint8

// The states, from least to most known. A later event wins.
const (
	None       State = iota
	Sent             // a create was sent; the outcome is unknown: it may exist
	Unanswered       // a create got no answer at all: it may exist, even later (a late commit)
	Refused          // the target refused the create: it must not exist
	Created          // the target reported it created: it must exist
	Deleting         // the run sent a delete; the outcome is unknown: it may exist
	Deleted          // the run deleted it
)

var stateNames = [...]string{"none", "sent", "unanswered", "refused", "created", "deleting", "deleted"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// MayExist reports whether a thing in this state may be on the target.
func (s State) MayExist() bool { return s == Sent || s == Unanswered || s == Created || s == Deleting }

// Space makes names from counters: the load generator's Namer. Names it
// made are kept in bitsets; Issued bounds the counters, so a name the
// target lists that the run never issued is never indexed.
type Space interface {
	Name(i uint64) string
	Index(name string) (uint64, bool)
	Issued() uint64
}

// User is a recorded user.
type User struct {
	App   int    // 1 or 2
	Name  string //
	State State
}

// Group is a recorded group.
type Group struct {
	App   int
	GID   int64
	State State
}

type key struct {
	app  int
	name string
}

type gkey struct {
	app int
	gid int64
}

// Ledger records what one run may have created. It is safe for concurrent
// use.
type Ledger struct {
	prefix string
	space  Space

	mu      sync.Mutex
	users   map[key]State
	order   []key     // users in first-recorded order, for a stable report
	counted [7]Bitset // by State, for names of the space (app 1)
	groups  map[gkey]State
	gorder  []gkey
	owners  map[key]bool    // named as owner in a group create the run sent
	claimed map[string]bool // names without the prefix that the run made
}

// New returns a ledger for a run whose every name starts with prefix.
// space may be nil.
func New(prefix string, space Space) *Ledger {
	return &Ledger{prefix: prefix, space: space, users: map[key]State{}, groups: map[gkey]State{}, owners: map[key]bool{}, claimed: map[string]bool{}}
}

// Prefix returns what every name of the run starts with.
func (l *Ledger) Prefix() string { return l.prefix }

// Ours reports whether a name is one the run made: it holds the run's
// prefix, in any case (the prefix is random, so no one else's name holds
// it: the suite builds names around it, such as "7"+prefix for a
// boundary test, or upper-cases it for a case test), or the run claimed it.
func (l *Ledger) Ours(name string) bool {
	if l.prefix != "" && strings.Contains(strings.ToLower(name), strings.ToLower(l.prefix)) {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.claimed[name]
}

// Claim marks a name without the run's prefix as the run's own: one too
// short to carry the prefix, that the run checked was free before it
// created it (a boundary test of the username length, say).
func (l *Ledger) Claim(name string) {
	l.mu.Lock()
	l.claimed[name] = true
	l.mu.Unlock()
}

func app(a int) int {
	if a == 2 {
		return 2
	}
	return 1
}

// Note records a user event. A name of the space goes to the bitsets. A
// delete (Deleting, Deleted) of a name the ledger does not hold is
// ignored: the run never created it.
func (l *Ledger) Note(a int, name string, s State) {
	a = app(a)
	if a == 1 && l.space != nil {
		if i, ok := l.space.Index(name); ok && i < l.space.Issued() {
			l.NoteIndex(i, s)
			return
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := key{a, name}
	old, ok := l.users[k]
	if !ok {
		if s >= Deleting {
			return // a delete of a name the run never sent is none of its business
		}
		l.order = append(l.order, k)
	}
	l.users[k] = next(old, s)
}

// NoteIndex records a user event of the space's counter i.
func (l *Ledger) NoteIndex(i uint64, s State) {
	l.mu.Lock()
	l.counted[s].Set(i)
	l.mu.Unlock()
}

// NoteRange records an event of the counters [first, first+n).
func (l *Ledger) NoteRange(first uint64, n int, s State) {
	l.mu.Lock()
	for i := range uint64(n) {
		l.counted[s].Set(first + i)
	}
	l.mu.Unlock()
}

// next is the state after an event: a delete outranks a create, a create
// outranks a refusal, and what is gone stays gone.
func next(old, ev State) State {
	switch {
	case old == Deleted:
		return Deleted
	case ev > old:
		return ev
	}
	return old
}

// stateOf returns the state of a counted user. The caller holds l.mu.
func (l *Ledger) stateOf(i uint64) State {
	for s := Deleted; s > None; s-- {
		if l.counted[s].Has(i) {
			return s
		}
	}
	return None
}

// StateOf returns the state of a counted user.
func (l *Ledger) StateOf(i uint64) State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stateOf(i)
}

// Indices returns the counted users in state s, ascending.
func (l *Ledger) Indices(s State) []uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []uint64
	l.eachCounted(func(i uint64, st State) {
		if st == s {
			out = append(out, i)
		}
	})
	return out
}

// eachCounted calls f for every counted user, ascending. The caller holds
// l.mu.
func (l *Ledger) eachCounted(f func(i uint64, s State)) {
	n := 0
	for _, b := range l.counted {
		n = max(n, len(b))
	}
	for w := 0; w < n; w++ {
		var word uint64
		for _, b := range l.counted {
			word |= b.word(w)
		}
		for word != 0 {
			bit := uint64(bits.TrailingZeros64(word))
			word &^= 1 << bit
			i := uint64(w)*64 + bit
			f(i, l.stateOf(i))
		}
	}
}

// Users returns every recorded user in one of the states (all when none
// is given): named users in the order first recorded, then counted ones
// ascending.
func (l *Ledger) Users(states ...State) []User {
	l.mu.Lock()
	defer l.mu.Unlock()
	want := func(s State) bool { return len(states) == 0 || slices.Contains(states, s) }
	var out []User
	for _, k := range l.order {
		if s := l.users[k]; want(s) {
			out = append(out, User{App: k.app, Name: k.name, State: s})
		}
	}
	if l.space != nil {
		l.eachCounted(func(i uint64, s State) {
			if want(s) {
				out = append(out, User{App: 1, Name: l.space.Name(i), State: s})
			}
		})
	}
	return out
}

// Counts returns how many users are in each state.
func (l *Ledger) Counts() map[State]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[State]int{}
	for _, s := range l.users {
		out[s]++
	}
	l.eachCounted(func(_ uint64, s State) { out[s]++ })
	return out
}

// OwnerNamed records that a group create the run sent names this user as
// its owner: before the user is deleted, the groups it owns are.
func (l *Ledger) OwnerNamed(a int, name string) {
	l.mu.Lock()
	l.owners[key{app(a), name}] = true
	l.mu.Unlock()
}

func (l *Ledger) mayOwn(a int, name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.owners[key{app(a), name}]
}

// NoteGroup records a group event.
func (l *Ledger) NoteGroup(a int, gid int64, s State) {
	if gid <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := gkey{app(a), gid}
	old, ok := l.groups[k]
	if !ok {
		if s >= Deleting {
			return // a group the run never created
		}
		l.gorder = append(l.gorder, k)
	}
	l.groups[k] = next(old, s)
}

// Groups returns the recorded groups in one of the states (all when none
// is given), in the order first recorded.
func (l *Ledger) Groups(states ...State) []Group {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Group
	for _, k := range l.gorder {
		if s := l.groups[k]; len(states) == 0 || slices.Contains(states, s) {
			out = append(out, Group{App: k.app, GID: k.gid, State: s})
		}
	}
	return out
}
