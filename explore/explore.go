// Package explore is jmcheck explore: model-based conformance testing. It
// draws random sequences of requests over every endpoint, valid and
// invalid, sends them to the target, and judges every answer with the
// executable model of the profile (package model). On a divergence it
// shrinks the sequence (pgregory.net/rapid) to a minimal one against the
// target itself, and prints it as a Gherkin scenario written with the
// suite's own steps, with the raw exchanges and the rule. With two clients
// or more it also runs rounds of concurrent requests on shared users and
// groups and checks each round's history for linearizability against the
// same model (github.com/anishathalye/porcupine).
//
// Like conform, it names everything after a run prefix, records what it
// may have created in a ledger and deletes it after each case; it needs an
// app that no one else writes to while it runs (the model counts the
// entries of others from the first list answer of a case). It never
// imports the reference server.
package explore

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"jmcheck/client"
	"jmcheck/model"
	"jmcheck/spec"
	"jmcheck/target"
)

// Profile is the profile explore tests.
const Profile = spec.Profile

// Defaults of Options.
const (
	DefaultDuration   = 30 * time.Second
	DefaultShrinkTime = 30 * time.Second
	// DefaultSteps is the average number of steps of a sequential case.
	DefaultSteps = 30
	// progressEvery is how often a progress line is printed.
	progressEvery = 5 * time.Second
	// cleanupTimeout bounds the cleanup of one case.
	cleanupTimeout = time.Minute
)

// Options configure a run.
type Options struct {
	Target target.Target
	// RunID prefixes every name; "" makes one.
	RunID string
	// Seed makes the run reproducible: the same seed and the same answers
	// give the same sequences. 0 draws one (printed).
	Seed uint64
	// Duration and MaxOps bound the search (0 MaxOps: no bound); the
	// shrinking of a divergence found is bounded by ShrinkTime.
	Duration   time.Duration
	MaxOps     int64
	ShrinkTime time.Duration
	// Steps is the average length of a sequential case; 0: DefaultSteps.
	Steps int
	// Clients > 1 adds concurrent rounds of that many clients.
	Clients int
	// ReportDir, when set, receives the counterexample files.
	ReportDir string
	// Replay, when set, runs this sequence once instead of searching.
	Replay *Sequence
	// Reproduce, when set, runs a counterexample's scenario with the
	// conformance suite and says whether it failed there too.
	Reproduce func(ctx context.Context, feature string) (failed bool, err error)
	// Abandon, when it closes (a second Ctrl-C), ends the cleanup at once.
	Abandon <-chan struct{}
	// Debug, when set, receives every exchange of the search.
	Debug io.Writer
	// Client configures the HTTP client (tests); zero: the defaults.
	Client client.Config
}

// Result is what a run did and found.
type Result struct {
	Seed   uint64
	Cases  int64
	Rounds int64 // concurrent rounds checked
	Ops    int64
	Took   time.Duration
	Found  *Counterexample
	// FoundAfter is how many requests were sent when the divergence was
	// first seen (shrinking not counted); 0 when none was.
	FoundAfter int64
	Leftovers  []string
}

// Counterexample is a divergence and the minimal sequence that shows it.
type Counterexample struct {
	Seed       uint64
	Case       int
	Divergence *model.Divergence
	Sequence   Sequence
	Trace      []Exchange
	// Concurrent, for a linearizability violation, says it in words.
	Concurrent *Violation
	// Reproduced says whether the scenario failed in the suite too (nil:
	// not tried).
	Reproduced *bool
	Feature    string
}

// Key names the divergence without what changes from run to run.
func (ce *Counterexample) Key() string {
	if ce.Concurrent != nil {
		return ce.Concurrent.Summary
	}
	return ce.Divergence.Key()
}

// runner is one run: the client, the budget and what the cases found.
type runner struct {
	opts     Options
	c        *client.Client
	deadline time.Time
	ctx      context.Context
	cases    atomic.Int64
	ops      atomic.Int64
	rounds   atomic.Int64

	mu         sync.Mutex
	fatal      error    // the target became unusable, or a step could not run
	first      string   // the key of the first divergence of the current check
	foundAfter int64    // r.ops when the run's first divergence was seen
	best       *caseRun // the shortest case that diverged with that key
	left       []string // what cleanups could not delete
}

// stopped reports whether the search is over.
// Once a check has diverged, its shrinking goes on past the search budget
// (rapid bounds it by ShrinkTime).
func (r *runner) stopped() bool {
	if r.ctx.Err() != nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fatal != nil {
		return true
	}
	if r.first != "" {
		return false
	}
	return time.Now().After(r.deadline) || (r.opts.MaxOps > 0 && r.ops.Load() >= r.opts.MaxOps)
}

// Run explores the target until the budget ends or a divergence is found.
// The error is an *exitcode.Error-compatible error (see cmd/jmcheck): nil
// when nothing diverged.
func Run(ctx context.Context, opts Options, stdout, stderr io.Writer) (*Result, error) {
	if opts.Duration <= 0 {
		opts.Duration = DefaultDuration
	}
	if opts.ShrinkTime <= 0 {
		opts.ShrinkTime = DefaultShrinkTime
	}
	if opts.Steps <= 0 {
		opts.Steps = DefaultSteps
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64()>>12 + 1
	}
	if opts.RunID == "" {
		opts.RunID = target.NewRunID()
	}
	cfg := opts.Client
	cfg.Target = opts.Target
	r := &runner{opts: opts, c: client.New(cfg), ctx: ctx}
	defer r.c.CloseIdleConnections()
	started := time.Now()
	r.deadline = started.Add(opts.Duration)
	if opts.Replay != nil {
		fmt.Fprintf(stderr, "jmcheck explore: run %s against %s, replaying a sequence of %d requests\n", opts.RunID, opts.Target.BaseURL, len(opts.Replay.Steps))
	} else {
		fmt.Fprintf(stderr, "jmcheck explore: run %s against %s, seed %d, %s\n", opts.RunID, opts.Target.BaseURL, opts.Seed, budget(opts))
	}
	stopProgress := r.progress(stderr, started)
	var found *Counterexample
	if opts.Replay != nil {
		found = r.replay(*opts.Replay)
	} else {
		found = r.search()
	}
	stopProgress()
	res := &Result{Seed: opts.Seed, Cases: r.cases.Load(), Rounds: r.rounds.Load(), Ops: r.ops.Load(), Took: time.Since(started), Found: found, Leftovers: r.left}
	if found != nil {
		r.mu.Lock()
		res.FoundAfter = r.foundAfter
		r.mu.Unlock()
	}
	if found != nil && opts.Reproduce != nil && found.Feature != "" {
		failed, err := opts.Reproduce(context.WithoutCancel(ctx), found.Feature)
		if err == nil {
			found.Reproduced = &failed
		} else {
			fmt.Fprintf(stderr, "jmcheck explore: could not run the counterexample with the suite: %v\n", err)
		}
	}
	if err := writeReport(opts.ReportDir, res); err != nil {
		return res, err
	}
	writeSummary(stdout, res, opts)
	return res, r.verdict(ctx, res)
}

// verdict is the run's error: unusable target, interrupt, divergence.
func (r *runner) verdict(ctx context.Context, res *Result) error {
	r.mu.Lock()
	fatal := r.fatal
	r.mu.Unlock()
	var ue *client.UnusableError
	switch {
	case errors.As(fatal, &ue):
		return &UnusableError{fatal}
	case res.Found != nil:
		return &DivergenceError{res.Found}
	case fatal != nil && ctx.Err() == nil:
		return fatal
	case ctx.Err() != nil:
		return ErrInterrupted
	}
	return nil
}

// ErrInterrupted: the run was interrupted before its budget ended.
var ErrInterrupted = errors.New("interrupted: the search ended early (what ran diverged nowhere)")

// UnusableError: the target stopped answering.
type UnusableError struct{ Err error }

func (e *UnusableError) Error() string { return e.Err.Error() }
func (e *UnusableError) Unwrap() error { return e.Err }

// DivergenceError: the target answered what the profile does not allow.
type DivergenceError struct{ Found *Counterexample }

func (e *DivergenceError) Error() string {
	if e.Found.Concurrent != nil {
		return "explore found a history that no order of its requests explains: " + e.Found.Concurrent.Summary
	}
	return "explore found a divergence: " + e.Found.Divergence.Error()
}

func budget(o Options) string {
	s := "for " + o.Duration.String()
	if o.MaxOps > 0 {
		s += " or " + strconv.FormatInt(o.MaxOps, 10) + " requests"
	}
	if o.Clients > 1 {
		s += fmt.Sprintf(", with rounds of %d concurrent clients", o.Clients)
	}
	return s
}

// progress prints a line every few seconds until stop is called.
func (r *runner) progress(w io.Writer, started time.Time) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				el := time.Since(started)
				ops := r.ops.Load()
				fmt.Fprintf(w, "explore: %s, %d cases, %d rounds, %d requests (%.0f/s)\n", el.Round(time.Second), r.cases.Load(), r.rounds.Load(), ops, float64(ops)/el.Seconds())
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// search alternates sequential cases and, with Clients > 1, concurrent
// rounds until the budget ends or one diverges.
func (r *runner) search() *Counterexample {
	for i := 0; !r.stopped(); i++ {
		if r.opts.Clients > 1 && i%2 == 1 {
			if v := r.round(i); v != nil {
				r.markFound()
				return v
			}
			continue
		}
		if found := r.check(i); found != nil {
			return found
		}
	}
	return nil
}

// rapidMu serializes rapid, whose settings are process globals (flags).
var rapidMu sync.Mutex

// check runs one rapid check: one sequence, shrunk when it diverges.
func (r *runner) check(i int) *Counterexample {
	rapidMu.Lock()
	defer rapidMu.Unlock()
	seed := caseSeed(r.opts.Seed, i)
	if err := rapidSettings(seed, r.opts.ShrinkTime, r.opts.Steps); err != nil {
		r.setFatal(err)
		return nil
	}
	r.mu.Lock()
	r.first, r.best = "", nil
	r.mu.Unlock()
	tb := &silentTB{name: "jmcheck-explore"}
	func() {
		defer func() {
			if p := recover(); p != nil && p != errTBStop {
				panic(p)
			}
		}()
		rapid.Check(tb, r.prop)
	}()
	r.mu.Lock()
	best := r.best
	r.mu.Unlock()
	if best == nil || r.isFatal() {
		return nil
	}
	return best.counterexample(r.opts.Seed, i)
}

func (r *runner) isFatal() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal != nil
}

func (r *runner) setFatal(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fatal == nil {
		r.fatal = err
	}
}

// prop is the property rapid checks: a cast, then steps, each answer
// allowed by the model.
func (r *runner) prop(t *rapid.T) {
	cast := drawCast(t)
	scale := ""
	// The set-ups cost requests (the users one 1,500 registrations and as
	// many deletes, the groups one 101 creates and deletes): they are rare.
	switch {
	case oneIn(t, "scale-users", 200):
		scale = "users"
	case oneIn(t, "scale-groups", 60):
		scale = "groups"
	case oneIn(t, "scale-members", 8):
		scale = "members"
	}
	if scale != "" { // the set-up names the cast by alias alone
		for i := range cast {
			cast[i] = UserSlot{Alias: cast[i].Alias}
		}
	}
	cr := r.newCase(cast)
	defer r.finish(cr)
	for _, st := range scaleSteps(scale) {
		if r.stopped() {
			return
		}
		r.step(t, cr, st)
	}
	actions := map[string]func(*rapid.T){}
	for name, draw := range swarm(t, cr.actions()) {
		actions[name] = func(t *rapid.T) {
			if r.stopped() {
				return
			}
			r.step(t, cr, draw(t))
		}
	}
	t.Repeat(actions)
}

// swarm leaves some kinds of step out of most cases (swarm testing, Groce
// et al. 2012): with fewer kinds in a case, the ones left come often enough
// to build the long chains a bug needs (add, remove, add again, list), and
// one kind no longer crowds out another. A third of the cases keep every
// kind, and the draws shrink towards keeping them all.
func swarm(t *rapid.T, all map[string]func(*rapid.T) Step) map[string]func(*rapid.T) Step {
	if rapid.IntRange(0, 2).Draw(t, "swarm") == 0 {
		return all
	}
	out := map[string]func(*rapid.T) Step{}
	for _, name := range slices.Sorted(maps.Keys(all)) {
		if !rapid.Bool().Draw(t, "leave-out-"+name) {
			out[name] = all[name]
		}
	}
	if len(out) == 0 {
		out["register"] = all["register"]
	}
	return out
}

// step runs one step of a property; a divergence fails it.
func (r *runner) step(t *rapid.T, cr *caseRun, st Step) {
	div, err := cr.run(r.ctx, st)
	if err != nil {
		r.setFatal(err)
		t.Fatalf("the run cannot go on")
	}
	if div != nil {
		r.diverged(cr, div)
		t.Fatalf("%s", div.Key())
	}
}

// scaleSteps start the few cases that need more rows than a sequence
// makes: three full batches (pages past the 1000th user), or a user in
// more groups than a page of an example holds, or a group and its
// members-to-be, for cycles of joins and leaves.
func scaleSteps(scale string) []Step {
	switch scale {
	case "users":
		return []Step{
			{Method: "POST", Path: "/v1/users/", Batch: 500, BatchOf: "a"},
			{Method: "POST", Path: "/v1/users/", Batch: 500, BatchOf: "b"},
			{Method: "POST", Path: "/v1/users/", Batch: 500, BatchOf: "c"},
			{Method: "GET", Path: "/v1/users/?start=995&count=10"},
			{Method: "GET", Path: "/v1/users/?start=1000&count=10"},
		}
	case "members":
		return []Step{
			{Method: "POST", Path: "/v1/users/", HasBody: true, Body: `[{"username":"{u1}","password":"pass-word-1"},{"username":"{u2}","password":"pass-word-1"},{"username":"{u3}","password":"pass-word-1"},{"username":"{u4}","password":"pass-word-1"}]`},
			{Method: "POST", Path: "/v1/groups/", HasBody: true, Body: `{"owner_username":"{u1}","group_name":"team"}`, NewGroup: "g1"},
		}
	case "groups":
		return []Step{
			{Method: "POST", Path: "/v1/users/", HasBody: true, Body: `[{"username":"{u1}","password":"pass-word-1"}]`},
			{Method: "POST", Path: "/v1/groups/", Groups: 101, NewGroup: "m", Owner: "u1"},
		}
	}
	return nil
}

// markFound notes how many requests were sent when a divergence was first
// seen.
func (r *runner) markFound() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.foundAfter == 0 {
		r.foundAfter = r.ops.Load()
	}
}

// diverged keeps the shortest case that diverged the way the check's
// first divergence did.
func (r *runner) diverged(cr *caseRun, div *model.Divergence) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first == "" {
		r.first = div.Key()
	}
	if r.foundAfter == 0 {
		r.foundAfter = r.ops.Load()
	}
	if div.Key() == r.first && (r.best == nil || len(cr.trace) <= len(r.best.trace)) {
		r.best = cr
	}
}

// finish cleans a case up.
func (r *runner) finish(cr *caseRun) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), cleanupTimeout)
	defer cancel()
	if r.opts.Abandon != nil {
		go func() {
			select {
			case <-r.opts.Abandon:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	rep := cr.cleanup(ctx)
	if !rep.OK() {
		r.mu.Lock()
		r.left = append(r.left, rep.Examples()...)
		r.mu.Unlock()
	}
}

// caseSeed is the rapid seed of check i of a run (never 0: rapid reads 0
// as "draw one").
func caseSeed(seed uint64, i int) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31) | 1
}

// rapidSettings sets rapid's flags for one check: one sequence of about
// steps steps from seed, shrunk for at most shrink, no fail file.
func rapidSettings(seed uint64, shrink time.Duration, steps int) error {
	if !flag.Parsed() {
		testing.Init()
		if err := flag.CommandLine.Parse(nil); err != nil {
			return err
		}
	}
	checks, n := 1, steps
	if testing.Short() { // rapid divides both under -short
		checks, n = 5, 2*steps
	}
	for k, v := range map[string]string{
		"rapid.checks":     strconv.Itoa(checks),
		"rapid.steps":      strconv.Itoa(n),
		"rapid.seed":       strconv.FormatUint(seed, 10),
		"rapid.nofailfile": "true",
		"rapid.shrinktime": shrink.String(),
	} {
		if err := flag.Set(k, v); err != nil {
			return fmt.Errorf("rapid: set %s: %w", k, err)
		}
	}
	return nil
}

// errTBStop ends a rapid check that failed (silentTB.FailNow).
var errTBStop = errors.New("rapid check failed")

// silentTB is the rapid.TB of a check outside go test: it keeps rapid's
// messages, and FailNow unwinds to check.
type silentTB struct {
	name   string
	failed bool
	errs   []string
}

func (b *silentTB) Helper()              {}
func (b *silentTB) Name() string         { return b.name }
func (b *silentTB) Logf(string, ...any)  {}
func (b *silentTB) Log(...any)           {}
func (b *silentTB) Skipf(string, ...any) { panic(errTBStop) }
func (b *silentTB) Skip(...any)          { panic(errTBStop) }
func (b *silentTB) SkipNow()             { panic(errTBStop) }
func (b *silentTB) Error(a ...any)       { b.Errorf("%s", fmt.Sprint(a...)) }
func (b *silentTB) Fatal(a ...any)       { b.Errorf("%s", fmt.Sprint(a...)); b.FailNow() }
func (b *silentTB) FailNow()             { b.failed = true; panic(errTBStop) }
func (b *silentTB) Fail()                { b.failed = true }
func (b *silentTB) Failed() bool         { return b.failed }
func (b *silentTB) Fatalf(f string, a ...any) {
	b.Errorf(f, a...)
	b.FailNow()
}
func (b *silentTB) Errorf(f string, a ...any) {
	b.failed = true
	b.errs = append(b.errs, fmt.Sprintf(f, a...))
}

// replay runs one saved sequence.
func (r *runner) replay(seq Sequence) *Counterexample {
	cr := r.newCase(seq.Users)
	defer r.finish(cr)
	for _, st := range seq.Steps {
		if r.ctx.Err() != nil {
			return nil
		}
		div, err := cr.run(r.ctx, st)
		if err != nil {
			r.setFatal(err)
			return nil
		}
		if div != nil {
			r.markFound()
			return cr.counterexample(r.opts.Seed, 0)
		}
	}
	return nil
}

// counterexample is the case as a counterexample: its sequence, trace and
// scenario.
func (cr *caseRun) counterexample(seed uint64, i int) *Counterexample {
	ce := &Counterexample{Seed: seed, Case: i, Trace: cr.trace}
	for _, slot := range userAliases {
		if u, ok := cr.cast[slot]; ok {
			ce.Sequence.Users = append(ce.Sequence.Users, u)
		}
	}
	for _, x := range cr.trace {
		ce.Sequence.Steps = append(ce.Sequence.Steps, x.Step)
		if x.Diverged != nil {
			ce.Divergence = x.Diverged
		}
	}
	ce.Feature = renderFeature(ce, cr)
	return ce
}
