// Package history checks a concurrent history of requests for
// linearizability against the model of the profile (package model), with
// porcupine: is there one order of the requests, each taking effect at
// one instant between its call and its answer, that gives every answer
// the target sent? explore records the histories of its concurrent
// rounds; load --check-history records the mixed profile's, bounded by a
// Recorder.
//
// Requests fall into partitions by their Key: requests of different keys
// touch disjoint parts of the state (one user, one group's members, the
// messages), so each partition is checked on its own, from a state of
// its own. Like model, the
// package judges bytes and never imports the reference server.
package history

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/tidwall/gjson"

	"jmcheck/model"
	"jmcheck/spec"
)

// Op is one request of a history.
type Op struct {
	Key    string // the partition
	Client int    // who sent it: one at a time per client
	Req    model.Request
	Ans    model.Answer // None: no answer came; the request may take effect until the end
	// Call and Return are nanoseconds from the start of the history; a
	// request without an answer returns at the end.
	Call, Return int64
}

// Violation is a history no order of its requests explains.
type Violation struct {
	Summary string // one line
	Text    string // the smallest illegal partition, in words
	HTML    []byte // porcupine's visualization of the whole history
}

// Result is the verdict of a check.
type Result struct {
	Violation *Violation // not nil: the history is not linearizable
	Unknown   bool       // some partition ran out of time: no verdict for it
	// Partitions is how many partitions the history has; Unchecked the
	// keys of those the time ran out on (linearizable or not: unknown).
	Partitions int
	Unchecked  []string
}

// Init gives the state a partition starts from, given its requests (a
// load run gives each user's partition that user alone, so that the
// checker's states stay small).
type Init func(part []Op) *model.State

// From is the Init that starts every partition from the same state.
func From(s *model.State) Init { return func([]Op) *model.State { return s } }

// Check checks ops partition by partition, within timeout in all: a
// violation at the first partition that no order explains; Unknown, with
// the keys, when the time ran out on some. The smallest partitions go
// first, and each gets an even share of the time left, so that one
// partition that takes long (a hot key under a busy generator) does not
// leave the others unchecked: what one leaves unused goes to the next.
// Those that ran out of their share try again, in a second pass, with the
// time left shared among them alone.
func Check(init Init, ops []Op, timeout time.Duration) Result {
	deadline := time.Now().Add(timeout)
	pending := Partitions(ops)
	slices.SortStableFunc(pending, func(a, b []Op) int { return len(a) - len(b) })
	res := Result{Partitions: len(pending)}
	for pass := 0; pass < 2 && len(pending) > 0; pass++ {
		var again [][]Op
		for i, part := range pending {
			share := time.Until(deadline) / time.Duration(len(pending)-i)
			if share <= 0 {
				again = append(again, pending[i:]...)
				break
			}
			var v *Violation
			unknown := false
			if isSends(part) {
				v = checkSends(init(part), part, share)
			} else {
				v, unknown = checkPartition(init(part), part, share)
			}
			if v != nil {
				return Result{Violation: v, Partitions: res.Partitions}
			}
			if unknown {
				again = append(again, part)
			}
		}
		pending = again
	}
	for _, p := range pending {
		res.Unchecked = append(res.Unchecked, p[0].Key)
	}
	res.Unknown = len(pending) > 0
	return res
}

// isSends tells a partition of message sends alone.
func isSends(part []Op) bool {
	for _, op := range part {
		if spec.Match(op.Req.Method, op.Req.Path) != spec.RouteSendMessage {
			return false
		}
	}
	return true
}

// checkSends decides a partition of message sends without porcupine's
// search, which on thousands of sends in flight at once (a busy generator)
// runs out of time: a send changes nothing the model holds but the last
// msg_id, which each success must exceed (§5), and a send without an
// answer changes nothing it can see (model.Effective). Such a history is
// linearizable exactly when every answer is one the model allows from the
// partition's state, the msg_ids of the successes differ, and putting the
// successes in msg_id order keeps real time: none returned before one
// with a smaller msg_id was called. That takes a sort. A violation is the
// one or two requests that break it, checked (and drawn) by porcupine.
func checkSends(start *model.State, part []Op, timeout time.Duration) *Violation {
	var ok []int // the successes, by msg_id below
	for i, op := range part {
		if op.Ans.None {
			continue
		}
		if op.Ans.Status == 0 || len(start.Steps(op.Req, op.Ans)) == 0 {
			return smallest(start, part, []Op{op}, timeout)
		}
		if op.Ans.Status == http.StatusOK {
			ok = append(ok, i)
		}
	}
	id := func(i int) int64 { return gjson.GetBytes(part[i].Ans.Body, "msg_id").Int() }
	slices.SortStableFunc(ok, func(a, b int) int { return cmp.Compare(id(a), id(b)) })
	latest := -1 // of the successes so far in msg_id order, the one called last
	for k, j := range ok {
		if k > 0 && id(ok[k-1]) == id(j) {
			return smallest(start, part, []Op{part[ok[k-1]], part[j]}, timeout)
		}
		if latest >= 0 && part[j].Return < part[latest].Call {
			return smallest(start, part, []Op{part[latest], part[j]}, timeout)
		}
		if latest < 0 || part[j].Call > part[latest].Call {
			latest = j
		}
	}
	return nil
}

// smallest is the violation of sub, the fewest requests of part that no
// order explains, said and drawn by porcupine.
func smallest(start *model.State, part, sub []Op, timeout time.Duration) *Violation {
	v, _ := checkPartition(start, sub, timeout)
	if v == nil { // cannot be: sub is illegal on its own
		return &Violation{Summary: fmt.Sprintf("%d concurrent requests on %s: no order explains them", len(part), part[0].Key)}
	}
	v.Summary = fmt.Sprintf("%d concurrent requests on %s: %d of them alone have no order that explains their answers", len(part), part[0].Key, len(sub))
	return v
}

// checkPartition checks one partition from start within timeout: a
// violation, or unknown when the time ran out.
func checkPartition(start *model.State, part []Op, timeout time.Duration) (v *Violation, unknown bool) {
	m := porcupineModel(start)
	verdict, info := porcupine.CheckOperationsVerbose(m, operations(part), timeout)
	switch verdict {
	case porcupine.Unknown:
		return nil, true
	case porcupine.Illegal:
		order := longest(info.PartialLinearizationsOperations())
		v := &Violation{
			Summary: fmt.Sprintf("%d concurrent requests on %s: after the longest order found (%d of them), no next one is explained", len(part), part[0].Key, len(order)),
			Text:    violationText(start, part, order),
		}
		var html bytes.Buffer
		if err := porcupine.Visualize(m, info, &html); err == nil {
			v.HTML = html.Bytes()
		}
		return v, false
	}
	return nil, false
}

// porcupineModel is the model as porcupine reads it, states being
// *model.State, inputs model.Request and outputs model.Answer. An answer
// kept with status 0 broke the rules every answer keeps: no state
// explains it.
func porcupineModel(init *model.State) porcupine.Model {
	nm := porcupine.NondeterministicModel{
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
			return Describe(input.(model.Request), output.(model.Answer))
		},
		DescribeState: func(state any) string { return state.(*model.State).String() },
	}
	return nm.ToModel()
}

// Describe says a request and its answer in one line.
func Describe(r model.Request, a model.Answer) string {
	s := r.Method + " " + r.Path
	if len(r.Body) > 0 {
		s += " " + string(r.Body)
	}
	if a.None {
		return s + " → no answer"
	}
	return fmt.Sprintf("%s → %d %s", s, a.Status, strings.TrimSpace(string(a.Body)))
}

func operations(ops []Op) []porcupine.Operation {
	out := make([]porcupine.Operation, len(ops))
	for i := range ops {
		op := &ops[i]
		out[i] = porcupine.Operation{ClientId: op.Client, Input: op.Req, Call: op.Call, Output: op.Ans, Return: op.Return, Metadata: op}
	}
	return out
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

// Partitions splits ops by key, in the order of each key's first request.
func Partitions(ops []Op) [][]Op {
	by := map[string][]Op{}
	var keys []string
	for _, op := range ops {
		if _, ok := by[op.Key]; !ok {
			keys = append(keys, op.Key)
		}
		by[op.Key] = append(by[op.Key], op)
	}
	out := make([][]Op, 0, len(keys))
	for _, k := range keys {
		out = append(out, by[k])
	}
	return out
}

// violationText says an illegal partition in words: the longest order
// of its requests the checker found, the state it leads to, and each
// request left with what the model says of its answer there.
func violationText(init *model.State, part []Op, order []porcupine.Operation) string {
	var b strings.Builder
	when := func(op *Op) string {
		ret := fmt.Sprintf("%.3fms", float64(op.Return)/1e6)
		if op.Ans.None {
			ret = "never"
		}
		return fmt.Sprintf("client %d, %.3fms → %s", op.Client+1, float64(op.Call)/1e6, ret)
	}
	fmt.Fprintf(&b, "%d requests on %s ran at once (times from the start of the history), from: %s\n\n", len(part), part[0].Key, clip(init.String()))
	b.WriteString("The longest order that explains their answers:\n")
	state := init
	in := map[*Op]bool{}
	for k, o := range order {
		op := o.Metadata.(*Op)
		in[op] = true
		fmt.Fprintf(&b, "  %d. %s: %s\n", k+1, when(op), Describe(op.Req, op.Ans))
		if next := state.Steps(op.Req, op.Ans); len(next) > 0 {
			state = next[0]
		}
	}
	fmt.Fprintf(&b, "It leaves: %s\n\nNone of the requests that may come next can:\n", clip(state.String()))
	// The requests that may come next are those sent before the first of
	// the rest returned; the others must wait for that one.
	first := int64(math.MaxInt64)
	for k := range part {
		if !in[&part[k]] {
			first = min(first, part[k].Return)
		}
	}
	later := 0
	for k := range part {
		op := &part[k]
		if in[op] {
			continue
		}
		if op.Call > first {
			later++
			continue
		}
		why := "its answer breaks the rules every answer keeps"
		if op.Ans.None {
			why = "no answer"
		} else if op.Ans.Status != 0 {
			if _, d := state.Step(op.Req, op.Ans); d != nil {
				why = d.Error()
			} else {
				why = "allowed here, but then a later answer is not"
			}
		}
		fmt.Fprintf(&b, "  %s: %s\n      %s\n", when(op), Describe(op.Req, op.Ans), why)
	}
	if later > 0 {
		fmt.Fprintf(&b, "  (and %d requests sent later, which cannot come before these)\n", later)
	}
	b.WriteString("\nNo order of the requests, each taking effect at one instant between its call and its answer,\n")
	b.WriteString("gives all these answers under spec/PROFILE.md (the history is not linearizable).\n")
	return b.String()
}

// clip shortens a long state description (a load run's pool of users).
func clip(s string) string {
	const max = 400
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndex(s[:max], ", ")
	if cut < 0 {
		cut = max
	}
	return s[:cut] + fmt.Sprintf(", … (%d more bytes)", len(s)-cut)
}
