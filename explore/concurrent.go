package explore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"jmcheck/client"
	"jmcheck/model"
	"jmcheck/target"
)

// A concurrent round: a sequential, model-checked set-up of shared users
// and a group, then Clients clients sending requests at once on them, then
// a linearizability check of the history against the model. The requests
// fall into partitions that touch disjoint parts of the state (one hot
// username, one profile, one group's members, group creates, messages),
// so each partition is checked on its own (porcupine's Partition).

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

// roundOp is one request of a round, recorded for the checker.
type roundOp struct {
	part   string
	client int
	step   Step
	req    model.Request
	ans    model.Answer
	shown  string
	call   int64
	ret    int64
}

// Violation is a history no order of its requests explains.
type Violation struct {
	Summary string // one line
	Text    string // the minimal sub-history, in words
	HTML    []byte // porcupine's visualization of the whole round
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
			plans[c] = append(plans[c], roundOp{part: part, client: c, step: st, req: req})
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
				cr.noteBefore(op.req)
				mu.Unlock()
				op.call = time.Since(start).Nanoseconds()
				ex, err := r.c.Do(r.ctx, client.Request{Method: op.req.Method, Path: op.req.Path, Body: op.req.Body, HasBody: op.step.HasBody, NoBusyRetry: true})
				op.ret = time.Since(start).Nanoseconds()
				r.ops.Add(1)
				var ue *client.UnusableError
				if errors.As(err, &ue) || r.ctx.Err() != nil {
					r.setFatal(err)
					return
				}
				op.record(ex, err)
				mu.Lock()
				cr.noteAfter(op.step, op.req, ex)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	end := time.Since(start).Nanoseconds() + 1
	var ops []roundOp
	for _, p := range plans {
		for _, op := range p {
			if op.ans.None {
				op.ret = end // it may take effect until the round is over
			}
			ops = append(ops, op)
		}
	}
	return ops
}

// record keeps an answer; one that breaks the rules every answer keeps is
// kept with a status of 0 so that no state explains it.
func (op *roundOp) record(ex *client.Exchange, err error) {
	if ex == nil || (err != nil && ex.Status == 0) {
		op.ans = model.Answer{None: true}
		op.shown = fmt.Sprintf("%s %s: no answer", op.req.Method, op.req.Path)
		return
	}
	op.shown = ex.Describe()
	if ex.Attempts > 1 { // resent after a broken connection: the first may have taken effect
		op.ans = model.Answer{None: true}
		return
	}
	op.ans = model.Answer{Status: ex.Status, Body: ex.Body}
	if ex.Check() != nil {
		op.ans.Status = 0
	}
}

// historyModel is the model as porcupine reads it, states being
// *model.State, inputs model.Request and outputs model.Answer.
func historyModel(init *model.State) porcupine.Model {
	nm := porcupine.NondeterministicModel{
		Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
			return groupBy(h, func(op porcupine.Operation) string { return op.Metadata.(*roundOp).part })
		},
		Init: func() []any { return []any{init} },
		Step: func(state, input, output any) []any {
			ans := output.(model.Answer)
			if !ans.None && ans.Status == 0 {
				return nil
			}
			next := state.(*model.State).Steps(input.(model.Request), ans)
			out := make([]any, len(next))
			for i, n := range next {
				out[i] = n
			}
			return out
		},
		Equal: func(a, b any) bool { return a.(*model.State).Equal(b.(*model.State)) },
		DescribeOperation: func(input, output any) string {
			return describe(input.(model.Request), output.(model.Answer))
		},
		DescribeState: func(state any) string { return state.(*model.State).String() },
	}
	return nm.ToModel()
}

func describe(r model.Request, a model.Answer) string {
	s := r.Method + " " + r.Path
	if len(r.Body) > 0 {
		s += " " + string(r.Body)
	}
	if a.None {
		return s + " → no answer"
	}
	return fmt.Sprintf("%s → %d %s", s, a.Status, strings.TrimSpace(string(a.Body)))
}

func operations(ops []roundOp) []porcupine.Operation {
	out := make([]porcupine.Operation, len(ops))
	for i := range ops {
		op := &ops[i]
		out[i] = porcupine.Operation{ClientId: op.client, Input: op.req, Call: op.call, Output: op.ans, Return: op.ret, Metadata: op}
	}
	return out
}

// checkHistory checks a round's history and, when it is not linearizable,
// says its smallest illegal part in words.
func checkHistory(init *model.State, ops []roundOp) *Violation {
	m := historyModel(init)
	res, info := porcupine.CheckOperationsVerbose(m, operations(ops), checkTimeout)
	if res != porcupine.Illegal {
		return nil // Ok, or Unknown (the check ran out of time): no verdict
	}
	v := &Violation{}
	var html bytes.Buffer
	if err := porcupine.Visualize(m, info, &html); err == nil {
		v.HTML = html.Bytes()
	}
	for _, part := range partitionsOf(ops) {
		res, pinfo := porcupine.CheckOperationsVerbose(m, operations(part), checkTimeout)
		if res != porcupine.Illegal {
			continue
		}
		order := longest(pinfo.PartialLinearizationsOperations())
		v.Summary = fmt.Sprintf("%d concurrent requests on %s: after the longest order found (%d of them), no next one is explained", len(part), part[0].part, len(order))
		v.Text = violationText(init, part, order)
		return v
	}
	v.Summary = "a history that no order explains"
	v.Text = "the checker found the whole round illegal, but no partition alone (see " + ReportHistory + ")"
	return v
}

// longest is the longest partial linearization of the one partition.
func longest(parts [][][]porcupine.Operation) []porcupine.Operation {
	var best []porcupine.Operation
	for _, p := range parts {
		for _, lin := range p {
			if len(lin) > len(best) {
				best = lin
			}
		}
	}
	return best
}

func partitionsOf(ops []roundOp) [][]roundOp {
	return groupBy(ops, func(op roundOp) string { return op.part })
}

// groupBy splits xs by key, groups in the order of their first element.
func groupBy[T any](xs []T, key func(T) string) [][]T {
	by := map[string][]T{}
	var keys []string
	for _, x := range xs {
		k := key(x)
		if _, ok := by[k]; !ok {
			keys = append(keys, k)
		}
		by[k] = append(by[k], x)
	}
	out := make([][]T, 0, len(keys))
	for _, k := range keys {
		out = append(out, by[k])
	}
	return out
}

// violationText says an illegal partition in words: the longest order
// of its requests the checker found, the state it leads to, and each
// request left with what the model says of its answer there.
func violationText(init *model.State, part []roundOp, order []porcupine.Operation) string {
	var b strings.Builder
	when := func(op *roundOp) string {
		ret := fmt.Sprintf("%.3fms", float64(op.ret)/1e6)
		if op.ans.None {
			ret = "never"
		}
		return fmt.Sprintf("client %d, %.3fms → %s", op.client+1, float64(op.call)/1e6, ret)
	}
	fmt.Fprintf(&b, "%d requests on %s ran at once (times from the start of the round), from: %s\n\n", len(part), part[0].part, init)
	b.WriteString("The longest order that explains their answers:\n")
	state := init
	in := map[*roundOp]bool{}
	for k, o := range order {
		op := o.Metadata.(*roundOp)
		in[op] = true
		fmt.Fprintf(&b, "  %d. %s: %s\n", k+1, when(op), describe(op.req, op.ans))
		if next := state.Steps(op.req, op.ans); len(next) > 0 {
			state = next[0]
		}
	}
	fmt.Fprintf(&b, "It leaves: %s\n\nNone of the others can come next:\n", state)
	for k := range part {
		op := &part[k]
		if in[op] {
			continue
		}
		why := "its answer breaks the rules every answer keeps"
		if op.ans.None {
			why = "no answer"
		} else if op.ans.Status != 0 {
			if _, d := state.Step(op.req, op.ans); d != nil {
				why = d.Error()
			} else {
				why = "allowed here, but then a later answer is not"
			}
		}
		fmt.Fprintf(&b, "  %s: %s\n      %s\n", when(op), describe(op.req, op.ans), why)
	}
	b.WriteString("\nNo order of the requests, each taking effect at one instant between its call and its answer,\n")
	b.WriteString("gives all these answers under spec/PROFILE.md (the history is not linearizable).\n")
	return b.String()
}
