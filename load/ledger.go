package load

import (
	"math/bits"
	"slices"
	"sync"
)

// Ledger is what a run created on the target, so that it can verify and
// clean up exactly that. Users are tracked by their Namer counter in
// bitsets (one bit each, however long the run); groups by gid.
type Ledger struct {
	mu        sync.Mutex
	attempted bitset // sent in a register request
	created   bitset // a 201 item reported it created
	rejected  bitset // the server refused it (an item error or a whole-batch error)
	deleted   bitset // the run deleted it again (204)
	groups    map[int64]groupEntry
}

type groupEntry struct {
	deleted bool
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{groups: map[int64]groupEntry{}} }

// Attempt records that users [first, first+n) were sent for registration.
func (l *Ledger) Attempt(first uint64, n int) {
	l.mu.Lock()
	for i := range uint64(n) {
		l.attempted.set(first + i)
	}
	l.mu.Unlock()
}

// Created records that a 201 reported user i created.
func (l *Ledger) Created(i uint64) {
	l.mu.Lock()
	l.created.set(i)
	l.mu.Unlock()
}

// Rejected records that users [first, first+n) were refused.
func (l *Ledger) Rejected(first uint64, n int) {
	l.mu.Lock()
	for i := range uint64(n) {
		l.rejected.set(first + i)
	}
	l.mu.Unlock()
}

// Deleted records that the run deleted user i.
func (l *Ledger) Deleted(i uint64) {
	l.mu.Lock()
	l.deleted.set(i)
	l.mu.Unlock()
}

// GroupCreated records a group the run created.
func (l *Ledger) GroupCreated(gid int64) {
	l.mu.Lock()
	l.groups[gid] = groupEntry{}
	l.mu.Unlock()
}

// GroupDeleted records that the run deleted a group.
func (l *Ledger) GroupDeleted(gid int64) {
	l.mu.Lock()
	if _, ok := l.groups[gid]; ok {
		l.groups[gid] = groupEntry{deleted: true}
	}
	l.mu.Unlock()
}

// UserCounts returns how many users were created and are still there,
// how many may exist (sent, outcome unknown), and how many were refused.
func (l *Ledger) UserCounts() (live, maybe, rejected int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.each(func(i uint64, s userState) {
		switch s {
		case userLive:
			live++
		case userMaybe:
			maybe++
		case userRejected:
			rejected++
		}
	})
	return live, maybe, rejected
}

type userState uint8

const (
	userNone     userState = iota
	userLive               // created, not deleted: must exist
	userMaybe              // sent, no answer about it: may exist
	userRejected           // refused: must not exist
	userGone               // created and deleted by the run
)

// state returns what the ledger knows of user i.
func (l *Ledger) state(i uint64) userState {
	switch {
	case l.deleted.has(i):
		return userGone
	case l.created.has(i):
		return userLive
	case l.rejected.has(i):
		return userRejected
	case l.attempted.has(i):
		return userMaybe
	}
	return userNone
}

// each calls f for every user the ledger knows, in counter order. The
// caller holds l.mu.
func (l *Ledger) each(f func(i uint64, s userState)) {
	n := max(len(l.attempted), len(l.created))
	for w := 0; w < n; w++ {
		word := l.attempted.word(w) | l.created.word(w)
		for word != 0 {
			b := uint64(bits.TrailingZeros64(word))
			word &^= 1 << b
			i := uint64(w)*64 + b
			f(i, l.state(i))
		}
	}
}

// users returns the counters in one state, in order.
func (l *Ledger) users(want userState) []uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []uint64
	l.each(func(i uint64, s userState) {
		if s == want {
			out = append(out, i)
		}
	})
	return out
}

// liveGroups returns the gids created and not deleted, ascending.
func (l *Ledger) liveGroups() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []int64
	for gid, e := range l.groups {
		if !e.deleted {
			out = append(out, gid)
		}
	}
	slices.Sort(out)
	return out
}

// bitset is a growable set of small integers.
type bitset []uint64

func (b *bitset) set(i uint64) {
	w := int(i / 64)
	if w >= len(*b) {
		*b = append(*b, make([]uint64, w+1-len(*b))...)
	}
	(*b)[w] |= 1 << (i % 64)
}

func (b bitset) has(i uint64) bool {
	w := int(i / 64)
	return w < len(b) && b[w]&(1<<(i%64)) != 0
}

func (b bitset) word(w int) uint64 {
	if w < len(b) {
		return b[w]
	}
	return 0
}
