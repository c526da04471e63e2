// Package load runs jmcheck's load profiles on vegeta's attack engine:
// targeters that build the profiles' requests, pacers (vegeta's constant
// and linear ones, and a staircase), per-response checks done in place on
// a lean HTTP/1.1 transport, gating thresholds, Prometheus metrics, and the
// run's lifecycle: seed, attack, verify, clean up. Results stream: a run
// keeps statistics, not responses, so its memory stays flat however long
// it runs. It never imports the reference server: it judges the bytes on
// the wire against SPEC.md.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/exitcode"
	"jmcheck/target"
)

// Transports for the attack.
const (
	TransportFast = "fast" // the lean HTTP/1.1 client (default)
	TransportStd  = "std"  // net/http's Transport: proxies, odd servers; more CPU per request
)

// Config is one load run.
type Config struct {
	Target     target.Target
	Profile    string
	Options    Options
	Pacing     Pacing        // the whole run's pacing; a shard takes 1/n of it
	Workers    uint64        // initial workers; 0: 10
	MaxWorkers uint64        // 0: unlimited, the only way vegeta times an open model right
	Timeout    time.Duration // per request; 0: 10s
	RunID      string        // prefix of every name the run creates; "": a new one
	Shard      Shard
	Transport  string // TransportFast (default) or TransportStd

	Results    vegeta.Encoder // result file, vegeta's format; nil: none
	Metrics    *Metrics       // nil: none
	Thresholds []Threshold

	Progress io.Writer // progress bars (stderr); nil: none
	Log      io.Writer // one line per phase (stderr); nil: none

	// PostContext bounds verification and cleanup, which run even after
	// ctx ends; nil: a context that ignores ctx's cancellation. Cancel it
	// to abandon them (a second Ctrl-C).
	PostContext context.Context

	NoCleanup      bool          // leave what the run created in place
	CleanupRate    float64       // verification and cleanup requests per second; 0: 500
	CleanupTimeout time.Duration // bound on verification plus cleanup; 0: 10m
	MinRateRatio   float64       // the generator must send this share of the plan; 0: 0.95; negative: no check
}

// Run runs a profile: seeds what it needs, attacks, checks every answer,
// verifies that what the server reported created exists, deletes what the
// run created, and judges thresholds. When ctx ends (SIGINT) the attack
// stops, and verification and cleanup still run under a fresh, bounded
// context. The summary is returned whenever the run got as far as the
// target; the error is set when the run could not be done as asked, with
// an exit code (exitcode.Usage for bad configuration).
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if err := cfg.fill(); err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	if err := cfg.Target.Validate(); err != nil {
		return nil, err
	}
	log := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	pacing := cfg.Pacing.Split(cfg.Shard.Count)
	opts := cfg.Options.forShard(cfg.Profile, cfg.Shard.Count)
	namer := NewNamer(cfg.RunID, cfg.Shard)
	ledger := NewLedger()
	adm := newAdmin(cfg.Target, cfg.Timeout, cfg.Progress, cfg.CleanupRate)
	adm.shared = cfg.Shard.Sharded()
	defer adm.close()
	st := newRunState(cfg.Profile, opts, cfg.Target, namer, ledger)
	st.sharded = cfg.Shard.Sharded()

	if cfg.Shard.Sharded() {
		log("jmcheck load %s: run %s, shard %s (names %s…), target %s, %s", cfg.Profile, cfg.RunID, cfg.Shard, namer.Prefix(), cfg.Target.BaseURL, pacing)
	} else {
		log("jmcheck load %s: run %s, target %s, %s", cfg.Profile, cfg.RunID, cfg.Target.BaseURL, pacing)
	}
	var (
		sum      *Summary
		runErr   error
		problems []string
	)
	setupErr := st.setup(ctx, adm, pacing.Planned())
	switch {
	case setupErr != nil && ctx.Err() != nil:
		problems = append(problems, "interrupted while seeding")
		runErr = exitcode.Newf(exitcode.Failed, "interrupted while seeding")
	case setupErr != nil:
		problems = append(problems, "seeding failed: "+setupErr.Error())
		runErr = exitcode.New(exitcode.Failed, setupErr)
	}
	if setupErr == nil {
		var attackProblems []string
		sum, attackProblems = attack(ctx, cfg, pacing, st, log)
		problems = append(problems, attackProblems...)
	}
	if sum == nil {
		sum = NewStats(time.Now()).Summary()
	}
	sum.Profile, sum.RunID, sum.Shard, sum.Target, sum.Pacing = cfg.Profile, cfg.RunID, cfg.Shard.String(), cfg.Target.BaseURL, pacing.String()
	sum.Checks = append(sum.Checks, st.notes()...)

	// Verification and cleanup run whatever happened above, on their own clock.
	postParent := cfg.PostContext
	if postParent == nil {
		postParent = context.WithoutCancel(ctx)
	}
	post, cancel := context.WithTimeout(postParent, cfg.CleanupTimeout)
	defer cancel()
	log("verifying what the run created")
	verify, found := adm.verify(post, namer, ledger)
	sum.Verify = verify
	if verify.Missing > 0 {
		problems = append(problems, fmt.Sprintf("lost users: %d that a 201 reported created do not exist (%s)", verify.Missing, strings.Join(verify.Examples, "; ")))
	}
	if verify.Unexpected > 0 {
		problems = append(problems, fmt.Sprintf("phantom users: %d exist though the server refused them", verify.Unexpected))
	}
	if verify.Error != "" {
		problems = append(problems, "verification incomplete: "+verify.Error)
	}
	if cfg.NoCleanup {
		live, maybe, _ := ledger.UserCounts()
		sum.Checks = append(sum.Checks, fmt.Sprintf("--no-cleanup: %d users and %d groups left in place; their names start with %s", live+maybe, len(ledger.liveGroups()), namer.Prefix()))
	} else {
		log("cleaning up")
		sum.Cleanup = adm.cleanup(post, namer, ledger, found)
		if c := sum.Cleanup; c.Left > 0 || c.Error != "" {
			problems = append(problems, fmt.Sprintf("cleanup left %d things behind (names start with %s): %s %s", c.Left, namer.Prefix(), c.Error, strings.Join(c.Examples, "; ")))
		}
	}

	for _, t := range cfg.Thresholds {
		r := t.Eval(sum)
		sum.Thresholds = append(sum.Thresholds, r)
		if !r.Pass {
			note := ""
			if r.Note != "" {
				note = " (" + r.Note + ")"
			}
			problems = append(problems, fmt.Sprintf("threshold crossed: %s, actual %s%s", r.Threshold, r.Actual, note))
		}
	}
	sum.Problems = append(sum.Problems, problems...)
	sum.Pass = len(sum.Problems) == 0
	return sum, runErr
}

// CheckConfig reports what is wrong with a configuration before anything
// runs, the target aside (it may not be started yet).
func CheckConfig(cfg Config) error { return cfg.fill() }

// fill checks the configuration, the target aside, and fills defaults.
func (cfg *Config) fill() error {
	if !knownProfile(cfg.Profile) {
		return fmt.Errorf("unknown profile %q: want one of %s", cfg.Profile, strings.Join(ProfileNames(), ", "))
	}
	cfg.Options = cfg.Options.withDefaults(cfg.Profile)
	if err := cfg.Options.validate(cfg.Profile); err != nil {
		return err
	}
	if err := cfg.Pacing.Validate(); err != nil {
		return err
	}
	if cfg.Shard.Count > 1 && (cfg.Shard.Index < 0 || cfg.Shard.Index >= cfg.Shard.Count) {
		return fmt.Errorf("shard %d/%d: want 0 ≤ i < n", cfg.Shard.Index, cfg.Shard.Count)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Workers == 0 {
		cfg.Workers = vegeta.DefaultWorkers
	}
	if cfg.MaxWorkers == 0 {
		cfg.MaxWorkers = vegeta.DefaultMaxWorkers
	}
	if cfg.Workers > cfg.MaxWorkers {
		cfg.Workers = cfg.MaxWorkers
	}
	if cfg.RunID == "" {
		cfg.RunID = target.NewRunID()
	}
	switch cfg.Transport {
	case "":
		cfg.Transport = TransportFast
	case TransportFast, TransportStd:
	default:
		return fmt.Errorf("transport %q: want fast or std", cfg.Transport)
	}
	if cfg.CleanupRate <= 0 {
		cfg.CleanupRate = 500
	}
	if cfg.CleanupTimeout <= 0 {
		cfg.CleanupTimeout = 10 * time.Minute
	}
	if cfg.MinRateRatio == 0 {
		cfg.MinRateRatio = 0.95
	}
	if cfg.MinRateRatio > 1 {
		return fmt.Errorf("minimum sent share %.2f: want at most 1 (100%%)", cfg.MinRateRatio)
	}
	return nil
}

// attack runs vegeta with the profile's targeter and checks, and folds
// the results into a summary.
func attack(ctx context.Context, cfg Config, pacing Pacing, st *runState, log func(string, ...any)) (*Summary, []string) {
	var problems []string
	table := newVerdictTable()
	tstats := &transportStats{}
	var rt http.RoundTripper
	client := &http.Client{}
	if cfg.Transport == TransportStd {
		rt = newStdTransport(st, table, tstats)
		client.Timeout = cfg.Timeout
	} else {
		base, err := url.Parse(cfg.Target.BaseURL)
		if err != nil {
			return nil, []string{"target URL: " + err.Error()}
		}
		ft, err := newFastTransport(base, cfg.Timeout, st, table, tstats)
		if err != nil {
			return nil, []string{err.Error()}
		}
		defer ft.CloseIdleConnections()
		rt = ft
	}
	client.Transport = rt
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(cfg.Workers), vegeta.MaxWorkers(cfg.MaxWorkers))

	m := cfg.Metrics
	if m != nil {
		f := func() float64 { return float64(tstats.inflight.Load()) }
		m.inflight.Store(&f)
		var routes []Route
		for _, o := range st.ops {
			routes = append(routes, o.route)
		}
		m.Prepare(routes)
	}

	log("attack: %s", pacing)
	began := time.Now()
	stats := NewStats(began)
	var count atomic.Uint64
	done := make(chan struct{})
	var stoppedAt atomic.Int64 // ns since began when ctx ended the attack
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		last := uint64(0)
		for {
			select {
			case <-ctx.Done():
				stoppedAt.Store(int64(time.Since(began)))
				atk.Stop()
				<-done
				return
			case <-done:
				return
			case <-tick.C:
				if m != nil {
					n := count.Load()
					m.SetRates(pacing.Pacer.Rate(time.Since(began)), float64(n-last))
					last = n
				}
			}
		}
	}()
	var encErr error
	// vegeta plot orders results by sequence number per attack name: shards
	// of one run need names of their own.
	name := cfg.Profile
	if cfg.Shard.Sharded() {
		name += "-shard" + strconv.Itoa(cfg.Shard.Index)
	}
	for res := range atk.Attack(st.targeter(), pacing.bounded(ctx.Done()), pacing.Duration, name) {
		v, ok := table.take(res.Seq)
		s := sampleFromVerdict(res, v, ok, st)
		res.Error = fileError(&s)
		res.BytesIn = s.BytesIn
		res.Headers = nil
		stats.Add(&s)
		if m != nil {
			m.Observe(&s)
		}
		if cfg.Results != nil && encErr == nil {
			if encErr = cfg.Results.Encode(res); encErr != nil {
				problems = append(problems, "writing results stopped: "+encErr.Error())
			}
		}
		count.Add(1)
	}
	close(done)
	if m != nil {
		m.SetRates(0, 0)
	}

	sum := stats.Summary()
	elapsed := pacing.Duration
	interrupted := false
	if at := stoppedAt.Load(); at > 0 && (elapsed == 0 || time.Duration(at) < elapsed) {
		elapsed, interrupted = time.Duration(at), true
	}
	if elapsed == 0 {
		elapsed = sum.Duration
	}
	sum.Rate.Planned = pacing.Hits(elapsed)
	if elapsed > 0 && sum.Rate.Planned >= 0 {
		sum.Rate.Target = sum.Rate.Planned / elapsed.Seconds()
	}
	if sum.Rate.Planned > 0 {
		sum.Rate.Ratio = float64(sum.Rate.Sent) / sum.Rate.Planned
	}
	if interrupted {
		problems = append(problems, fmt.Sprintf("interrupted after %s: the attack stopped early", elapsed.Round(time.Millisecond)))
	}
	if !interrupted && sum.Rate.Planned >= 1 && sum.Rate.Ratio < cfg.MinRateRatio {
		hint := "lower --rate, give the generator more CPU, split the load with --shard, or accept less with --min-sent"
		if cfg.MaxWorkers != vegeta.DefaultMaxWorkers {
			hint = "raise --max-workers (the workers waited on slow answers), or " + hint
		}
		problems = append(problems, fmt.Sprintf("the generator fell short: it sent %d of %.0f planned requests (%.1f%%, under %.0f%%): %s",
			sum.Rate.Sent, sum.Rate.Planned, sum.Rate.Ratio*100, cfg.MinRateRatio*100, hint))
	}
	errorsGated := false
	for _, t := range cfg.Thresholds {
		errorsGated = errorsGated || (t.Metric == "errors" && !t.Scoped) || (t.Metric == "success" && !t.Scoped)
	}
	if sum.Failed > 0 && !errorsGated {
		var parts []string
		for _, f := range sum.Failures {
			parts = append(parts, fmt.Sprintf("%s %d", f.Reason, f.Count))
		}
		problems = append(problems, fmt.Sprintf("%d of %d requests failed their checks (%s); an errors threshold such as --threshold 'errors<0.1%%' sets a budget instead",
			sum.Failed, sum.Requests, strings.Join(parts, ", ")))
	}
	if cfg.Profile == ProfileOverload {
		shed := uint64(0)
		for _, a := range sum.Answers {
			if a.Status == 503 && a.Code == codeBusy && a.Expected {
				shed += a.Count
			}
		}
		if shed == 0 {
			problems = append(problems, "overload: no request was shed with 503 899030, so the ramp never passed capacity: raise the ramp's end (--ramp FROM:TO) or, on the embedded server, lower --embedded-max-inflight")
		} else {
			sum.Checks = append(sum.Checks, fmt.Sprintf("overload: %d requests shed with 503 899030 and a valid Retry-After", shed))
		}
	}
	return sum, problems
}

// sampleFromVerdict joins vegeta's Result with the transport's verdict.
func sampleFromVerdict(res *vegeta.Result, v Verdict, ok bool, st *runState) Sample {
	if !ok || v.Op < 0 || v.Op >= len(st.ops) {
		s := SampleOf(res)
		if s.Reason == ReasonNone && !ok {
			s.Reason, s.Detail = ReasonConnection, "connection: "+errorText(errors.New(res.Error))
		}
		return s
	}
	s := Sample{
		Route: st.ops[v.Op].route, Status: v.Status, Code: v.Code, Reason: v.Reason, Expected: v.Expected,
		Detail: v.Detail, URL: res.URL, Offset: -1, Timestamp: res.Timestamp, Latency: res.Latency,
		BytesIn: uint64(v.BytesIn), BytesOut: res.BytesOut,
	}
	if s.Route == RouteListUsers || s.Route == RouteListGroups {
		s.Offset = startOf(res.URL)
	}
	return s
}
