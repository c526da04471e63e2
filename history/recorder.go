package history

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"jmcheck/model"
)

// Limits bound what a Recorder keeps.
type Limits struct {
	// PerKey is how many answered requests a key keeps, the first to
	// return; the key is cut after them.
	PerKey int
	// Bytes bounds the memory of the requests and answers kept, every key
	// together (an estimate: bodies, paths and a fixed cost per request
	// and per key). Every key is cut when it is reached.
	Bytes int64
}

// Cost estimates of what a kept request holds besides its bytes.
const (
	opCost  = 160
	keyCost = 96
)

// Recorder records a history as its requests return, from any number of
// goroutines, within Limits.
//
// A key is cut at the instant its limit is reached: the requests that
// returned before it are kept whole. Of the later ones, a request that
// was sent before the cut may have taken effect before a kept one, so a
// write among them is kept as one without an answer (it may take effect
// at any time, or not at all); the others, and every request sent after
// the cut, cannot change what the kept ones saw, and are left out (so is
// any request without an answer that changes nothing the model holds,
// model.Effective). The
// part kept is linearizable whenever the whole history is: cutting never
// makes a correct target fail.
type Recorder struct {
	mu       sync.Mutex
	start    time.Time
	lim      Limits
	keys     map[string]*keyLog
	bytes    int64
	full     bool  // the memory bound was reached
	fullAt   int64 // when
	kept     int
	dropped  int
	cutKeys  int
	lastTime int64
}

type keyLog struct {
	ops []Op
	cut bool
	at  int64
}

// NewRecorder returns a recorder whose times count from start.
func NewRecorder(start time.Time, lim Limits) *Recorder {
	return &Recorder{start: start, lim: lim, keys: map[string]*keyLog{}}
}

// Add records one request under key, when its answer (or its failure)
// has come: call is when it was sent; the return is now. req and ans must
// not change afterwards (the recorder keeps them, not copies).
func (r *Recorder) Add(key string, req model.Request, ans model.Answer, call time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ret := max(time.Since(r.start).Nanoseconds(), r.lastTime) // in the order of Add
	r.lastTime = ret
	c := min(call.Sub(r.start).Nanoseconds(), ret)
	op := Op{Key: key, Req: req, Ans: ans, Call: c, Return: ret}
	k := r.keys[key]
	if k == nil {
		k = &keyLog{}
		r.keys[key] = k
		r.bytes += keyCost
	}
	reqCost := opCost + int64(len(req.Path)+len(req.Body))
	cost := reqCost + int64(len(ans.Body))
	if !r.full && !k.cut && r.bytes+cost > r.lim.Bytes {
		r.full, r.fullAt = true, ret
	}
	if cut, at := r.cutOf(k); cut {
		if c < at && model.Effective(req) {
			op.Ans = model.Answer{None: true}
			r.bytes += reqCost // the answer is not kept
			k.ops = append(k.ops, op)
			r.kept++
			return
		}
		r.dropped++
		return
	}
	if ans.None && !model.Effective(req) {
		r.dropped++ // without an answer it shows nothing and changes nothing the model holds
		return
	}
	r.bytes += cost
	k.ops = append(k.ops, op)
	r.kept++
	if len(k.ops) >= r.lim.PerKey {
		k.cut, k.at = true, ret
		r.cutKeys++
	}
}

// cutOf says whether a key is cut and from when: its own limit or the
// memory bound, whichever came first.
func (r *Recorder) cutOf(k *keyLog) (bool, int64) {
	switch {
	case k.cut && r.full:
		return true, min(k.at, r.fullAt)
	case k.cut:
		return true, k.at
	case r.full:
		return true, r.fullAt
	}
	return false, 0
}

// Stats says what the recorder kept.
type Stats struct {
	Kept, Dropped int  // requests kept, and left out after a cut
	Keys, CutKeys int  // keys, and keys cut at Limits.PerKey
	Full          bool // the memory bound was reached: every key was cut there
	Bytes         int64
}

// Stats returns what was kept so far.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{Kept: r.kept, Dropped: r.dropped, Keys: len(r.keys), CutKeys: r.cutKeys, Full: r.full, Bytes: r.bytes}
}

// Ops returns the history so far: every request without an answer
// returns after the last one that has one, and each request gets the
// first client free at its call (porcupine draws a client's requests on
// one line, one at a time).
func (r *Recorder) Ops() []Op {
	r.mu.Lock()
	defer r.mu.Unlock()
	end := r.lastTime + 1
	var ops []Op
	for _, k := range r.keys {
		ops = append(ops, k.ops...)
	}
	slices.SortFunc(ops, func(a, b Op) int { return cmp.Compare(a.Call, b.Call) })
	var busyUntil []int64 // per client
	for i := range ops {
		op := &ops[i]
		if op.Ans.None {
			op.Return = end
		}
		free := slices.IndexFunc(busyUntil, func(t int64) bool { return t < op.Call })
		if free < 0 {
			free = len(busyUntil)
			busyUntil = append(busyUntil, 0)
		}
		busyUntil[free] = op.Return
		op.Client = free
	}
	return ops
}
