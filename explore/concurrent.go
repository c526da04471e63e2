package explore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"jmcheck/client"
	"jmcheck/history"
	"jmcheck/model"
	"jmcheck/target"
)

// A concurrent round: a sequential, model-checked set-up of shared users
// and a group, then Clients clients sending requests at once on them, then
// a linearizability check of the history against the model. The requests
// fall into partitions that touch disjoint parts of the state (one hot
// username, one profile, one group's members, group creates, messages),
// so each partition is checked on its own (package history).

// roundOpsPerClient is how many requests each client sends in a round.
const roundOpsPerClient = 8

// History is one concurrent round, recorded: the model state its set-up
// left, and every request with its call and return time.
type History struct {
	init *model.State
	ops  []roundOp
}

// Len is the number of requests of the history.
func (h *History) Len() int { return len(h.ops) }

// Check checks the history for linearizability: nil when it is.
func (h *History) Check() *Violation { return checkHistory(h.init, h.ops) }

// checkHistory checks a round's history: a violation, or nil when it is
// linearizable or the check ran out of time (no verdict).
func checkHistory(init *model.State, ops []roundOp) *Violation {
	hops := make([]history.Op, len(ops))
	for i, op := range ops {
		hops[i] = op.Op
	}
	return history.Check(history.From(init), hops, checkTimeout).Violation
}

// Violation is a history no order of its requests explains.
type Violation = history.Violation

// RecordRound runs one concurrent round of clients × perClient requests
// against opts.Target and returns its history, unchecked (for benchmarks
// of the checker).
func RecordRound(ctx context.Context, opts Options, perClient int) (*History, error) {
	cfg := opts.Client
	cfg.Target = opts.Target
	r := &runner{opts: opts, c: client.New(cfg), ctx: ctx, deadline: time.Now().Add(time.Hour)}
	defer r.c.CloseIdleConnections()
	if opts.RunID == "" {
		r.opts.RunID = target.NewRunID()
	}
	cr, err := r.setupRound()
	if err != nil {
		return nil, err
	}
	defer r.finish(cr)
	rng := rand.New(rand.NewPCG(opts.Seed, 0))
	ops := r.concurrentlyN(cr, rng, partMembers, perClient)
	if r.isFatal() {
		r.mu.Lock()
		defer r.mu.Unlock()
		return nil, r.fatal
	}
	return &History{init: cr.state, ops: ops}, nil
}

// checkTimeout bounds the linearizability check of one history.
const checkTimeout = 30 * time.Second

// The partitions of a round.
const (
	partHot      = "the hot username"
	partProfile  = "the profile of u1"
	partMembers  = "the members of g1"
	partCreates  = "group creates"
	partMessages = "messages"
)

// roundCast: u1 owns g1 and has its profile written, u2 receives messages,
// u3 is the hot name (registered, read and deleted at once), p1..p6 join
// and leave g1.
var roundCast = []UserSlot{{Alias: "u1"}, {Alias: "u2"}, {Alias: "u3"}, {Alias: "p1"}, {Alias: "p2"}, {Alias: "p3"}, {Alias: "p4"}, {Alias: "p5"}, {Alias: "p6"}}

// roundOp is one request of a round, recorded for the checker; its Key
// is its partition.
type roundOp struct {
	history.Op
	step Step
}

// round runs concurrent round i and returns a counterexample when its
// history is not linearizable.
func (r *runner) round(i int) *Counterexample {
	r.rounds.Add(1)
	rng := rand.New(rand.NewPCG(r.opts.Seed, uint64(i)))
	cr, err := r.setupRound()
	if cr != nil {
		defer r.finish(cr)
	}
	if err != nil {
		var de *DivergenceError
		if errors.As(err, &de) {
			return de.Found
		}
		r.setFatal(err)
		return nil
	}
	ops := r.concurrentlyN(cr, rng, roundFocus[(i/2)%len(roundFocus)], roundOpsPerClient)
	if r.isFatal() {
		return nil
	}
	v := checkHistory(cr.state, ops)
	if v == nil {
		return nil
	}
	return &Counterexample{Seed: r.opts.Seed, Case: i, Concurrent: v, Trace: cr.trace}
}

// setupRound registers the round's users and creates its group, judged
// by the model one request at a time.
func (r *runner) setupRound() (*caseRun, error) {
	cr := r.newCase(roundCast)
	setup := []Step{
		{Method: "POST", Path: "/v1/users/", HasBody: true, Body: `[{"username":"{u1}","password":"pass-word-1"},{"username":"{u2}","password":"pass-word-1"},{"username":"{p1}","password":"pass-word-1"},{"username":"{p2}","password":"pass-word-1"},{"username":"{p3}","password":"pass-word-1"},{"username":"{p4}","password":"pass-word-1"},{"username":"{p5}","password":"pass-word-1"},{"username":"{p6}","password":"pass-word-1"}]`},
		{Method: "POST", Path: "/v1/groups/", HasBody: true, Body: `{"owner_username":"{u1}","group_name":"team"}`, NewGroup: "g1"},
		{Method: "POST", Path: "/v1/messages", HasBody: true, Body: messageBody("{u2}")},
	}
	for _, st := range setup {
		div, err := cr.run(r.ctx, st)
		if err != nil {
			return cr, err
		}
		if div != nil {
			return cr, &DivergenceError{cr.counterexample(r.opts.Seed, 0)}
		}
	}
	return cr, nil
}

func messageBody(to string) string {
	return `{"version":1,"target_type":"single","target_id":"` + to + `","from_type":"admin","from_id":"admin","msg_type":"text","msg_body":{"text":"hi"},"create_time":1500000000}`
}

// roundKinds are the kinds of request of a round, numbered for
// drawRoundStep, by partition: a round draws most of its requests from
// one partition (its focus), so that requests on it overlap.
var roundKinds = map[string][]int{partHot: {0, 1, 2, 3}, partProfile: {4, 5, 6}, partMembers: {7, 8}, partCreates: {9}, partMessages: {10}}

var roundFocus = []string{partHot, partProfile, partMembers, partCreates, partMessages}

// drawRoundStep draws one request of a round and its partition.
func drawRoundStep(rng *rand.Rand, focus string) (string, Step) {
	member := fmt.Sprintf("{p%d}", 1+rng.IntN(6))
	kind := rng.IntN(11)
	if rng.IntN(3) > 0 {
		kinds := roundKinds[focus]
		kind = kinds[rng.IntN(len(kinds))]
	}
	switch kind {
	case 0, 1:
		return partHot, Step{Method: "POST", Path: "/v1/users/", HasBody: true, Body: `[{"username":"{u3}","password":"pass-word-1"}]`}
	case 2:
		return partHot, Step{Method: "GET", Path: "/v1/users/{u3}"}
	case 3:
		return partHot, Step{Method: "DELETE", Path: "/v1/users/{u3}"}
	case 4, 5:
		key := []string{"nickname", "signature", "region", "address"}[rng.IntN(4)]
		return partProfile, Step{Method: "PUT", Path: "/v1/users/{u1}", HasBody: true, Body: fmt.Sprintf(`{"%s":"v%d"}`, key, rng.IntN(100))}
	case 6:
		return partProfile, Step{Method: "GET", Path: "/v1/users/{u1}"}
	case 7:
		return partMembers, Step{Method: "POST", Path: "/v1/groups/{gid:g1}/members", HasBody: true, Body: `{"add":["` + member + `"]}`}
	case 8:
		if rng.IntN(2) == 0 {
			return partMembers, Step{Method: "POST", Path: "/v1/groups/{gid:g1}/members", HasBody: true, Body: `{"remove":["` + member + `"]}`}
		}
		return partMembers, Step{Method: "GET", Path: "/v1/groups/{gid:g1}/members/"}
	case 9:
		return partCreates, Step{Method: "POST", Path: "/v1/groups/", HasBody: true, Body: `{"owner_username":"{u1}","group_name":"race"}`}
	}
	return partMessages, Step{Method: "POST", Path: "/v1/messages", HasBody: true, Body: messageBody("{u2}")}
}

// concurrently runs the clients of a round and returns their history.
func (r *runner) concurrentlyN(cr *caseRun, rng *rand.Rand, focus string, perClient int) []roundOp {
	clients := r.opts.Clients
	plans := make([][]roundOp, clients)
	for c := range plans {
		for range perClient {
			part, st := drawRoundStep(rng, focus)
			req, err := cr.request(st)
			if err != nil {
				r.setFatal(err)
				return nil
			}
			plans[c] = append(plans[c], roundOp{Op: history.Op{Key: part, Client: c, Req: req}, step: st})
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for c := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range plans[c] {
				op := &plans[c][k]
				mu.Lock()
				cr.noteBefore(op.Req)
				mu.Unlock()
				op.Call = time.Since(start).Nanoseconds()
				ex, err := r.c.Do(r.ctx, client.Request{Method: op.Req.Method, Path: op.Req.Path, Body: op.Req.Body, HasBody: op.step.HasBody, NoBusyRetry: true})
				op.Return = time.Since(start).Nanoseconds()
				r.ops.Add(1)
				var ue *client.UnusableError
				if errors.As(err, &ue) || r.ctx.Err() != nil {
					r.setFatal(err)
					return
				}
				op.record(ex, err)
				mu.Lock()
				cr.noteAfter(op.step, op.Req, ex)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	end := time.Since(start).Nanoseconds() + 1
	var ops []roundOp
	for _, p := range plans {
		for _, op := range p {
			if op.Ans.None {
				op.Return = end // it may take effect until the round is over
			}
			ops = append(ops, op)
		}
	}
	return ops
}

// record keeps an answer; one that breaks the rules every answer keeps is
// kept with a status of 0 so that no state explains it. A request with no
// whole answer (none, or the connection failed while its body was read)
// may or may not have taken effect.
func (op *roundOp) record(ex *client.Exchange, err error) {
	var te *client.TransportError
	if ex == nil || ex.Status == 0 || errors.As(err, &te) {
		op.Ans = model.Answer{None: true}
		return
	}
	if ex.Attempts > 1 { // resent after a broken connection: the first may have taken effect
		op.Ans = model.Answer{None: true}
		return
	}
	op.Ans = model.Answer{Status: ex.Status, Body: ex.Body}
	if ex.Check() != nil {
		op.Ans.Status = 0
	}
}
