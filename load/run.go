// Package load runs jmcheck's load profiles on vegeta's attack engine. A
// profile is a type registered by name (profile.go, one file each) that
// seeds what it needs and builds its operations; this package runs the
// lifecycle around it: seed, attack, verify, clean up, judge. The parts
// live in packages of their own:
//
//	load/op         the operations and their checks, by resource
//	load/check      the verdict on one answer, with its failure reason
//	load/transport  the attack path: a lean HTTP/1.1 client, checks in place
//	load/pace       pacers: constant, ramp, stairs, bounded by the run
//	load/stats      streaming statistics, the summary, thresholds
//	load/metrics    Prometheus metrics (client_golang, private registry)
//	load/seed       seeding, verification and cleanup, through package client
//	load/results    result files in vegeta's formats, and merging shards
//
// Results stream: a run keeps statistics, not responses, so its memory
// stays flat however long it runs. It never imports the reference server:
// it judges the bytes on the wire against spec/PROFILE.md.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/client"
	"jmcheck/exitcode"
	"jmcheck/ledger"
	"jmcheck/load/metrics"
	"jmcheck/load/op"
	"jmcheck/load/pace"
	"jmcheck/load/seed"
	"jmcheck/load/stats"
	"jmcheck/target"
)

// Transports for the attack.
const (
	TransportFast = "fast" // the lean HTTP/1.1 client (default)
	TransportStd  = "std"  // net/http's Transport: proxies, odd servers; more CPU per request
)

// The defaults of Config, in one place: the flags of jmcheck load show
// them.
const (
	DefaultTimeout        = 10 * time.Second
	DefaultCleanupRate    = 500.0
	EmbeddedCleanupRate   = 5000.0
	DefaultCleanupTimeout = 10 * time.Minute
	DefaultMinRateRatio   = 0.95
)

// Config is one load run.
type Config struct {
	Target     target.Target
	Profile    string
	Options    Options
	Pacing     pace.Pacing   // the whole run's pacing; a shard takes 1/n of it
	Workers    uint64        // initial workers; 0: 10
	MaxWorkers uint64        // 0: unlimited, the only way vegeta times an open model right
	Timeout    time.Duration // per request; 0: DefaultTimeout
	RunID      string        // prefix of every name the run creates; "": a new one
	Shard      Shard
	Transport  string // TransportFast (default) or TransportStd

	Results    vegeta.Encoder // result file, vegeta's format; nil: none
	Flush      func() error   // flushes the result file: called at most once a second, between results; nil: none
	Metrics    *metrics.Metrics
	Thresholds []stats.Threshold

	Progress io.Writer // progress bars (stderr); nil: none
	Log      io.Writer // one line per phase (stderr); nil: none
	// Report gets what a person must read that a summary line cannot
	// hold, --quiet or not: a history violation in words (stderr); nil:
	// none.
	Report io.Writer

	// PostContext bounds verification and cleanup, which run even after
	// ctx ends; nil: a context that ignores ctx's cancellation. Cancel it
	// to abandon them (a second Ctrl-C).
	PostContext context.Context

	NoCleanup      bool          // leave what the run created in place
	CleanupRate    float64       // verification and cleanup requests per second; 0: DefaultCleanupRate (EmbeddedCleanupRate on the embedded server)
	CleanupTimeout time.Duration // bound on verification plus cleanup; 0: DefaultCleanupTimeout
	MinRateRatio   float64       // the generator must send this share of the plan; 0: DefaultMinRateRatio; negative: no check
}

// Run runs a profile: seeds what it needs, attacks, checks every answer,
// verifies that what the server reported created exists, deletes what the
// run created, and judges thresholds. When ctx ends (SIGINT) the attack
// stops, and verification and cleanup still run under a fresh, bounded
// context. The summary is returned whenever the run got as far as the
// target; the error is set when the run could not be done as asked, with
// an exit code (exitcode.Usage for bad configuration, TargetUnusable when
// the target stopped answering).
func Run(ctx context.Context, cfg Config) (*stats.Summary, error) {
	prof, err := cfg.fill()
	if err != nil {
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
	namer := op.NewNamer(cfg.RunID, cfg.Shard.Index)
	l := ledger.New(namer.Prefix(), namer.Users())
	c := client.New(client.Config{Target: cfg.Target, Timeout: max(cfg.Timeout, seed.MinTimeout)})
	defer c.CloseIdleConnections()
	adm := seed.New(c, cfg.Progress, cfg.CleanupRate)
	adm.Shared = cfg.Shard.Sharded()
	// A target may commit a registration after the attack gave up on it:
	// cleanup looks once more for those after a while.
	adm.LateWait = min(max(2*cfg.Timeout, time.Second), 30*time.Second)
	env := &op.Env{Base: strings.TrimRight(cfg.Target.BaseURL, "/"), Auth: cfg.Target.Auth(), Namer: namer, Ledger: l, AllowShed: cfg.Options.AllowShed}
	info := prof.Info()

	if cfg.Shard.Sharded() {
		log("jmcheck load %s: run %s, shard %s (names %s…), target %s, %s", info.Name, cfg.RunID, cfg.Shard, namer.Prefix(), cfg.Target.BaseURL, pacing)
	} else {
		log("jmcheck load %s: run %s, target %s, %s", info.Name, cfg.RunID, cfg.Target.BaseURL, pacing)
	}
	var (
		sum      *stats.Summary
		runErr   error
		problems []string
	)
	setup := &Setup{Env: env, Admin: adm, Options: cfg.Options.forShard(cfg.Shard.Count, info.MinSeed), Planned: pacing.Planned(), Sharded: cfg.Shard.Sharded(), Log: log, Report: cfg.Report, Scrub: c.Scrubber()}
	setupErr := prof.Setup(ctx, setup)
	var noAnswer *client.TransportError
	switch {
	case setupErr != nil && c.Unusable() != nil:
		problems = append(problems, "seeding failed: "+c.Unusable().Error())
		runErr = exitcode.New(exitcode.TargetUnusable, c.Unusable())
	case setupErr != nil && errors.As(setupErr, &noAnswer):
		problems = append(problems, "seeding failed: the target did not answer: "+setupErr.Error())
		runErr = exitcode.Newf(exitcode.TargetUnusable, "the target did not answer the seeding: %w", setupErr)
	case setupErr != nil && ctx.Err() != nil:
		problems = append(problems, "interrupted while seeding")
		runErr = exitcode.Newf(exitcode.Failed, "interrupted while seeding")
	case setupErr != nil:
		problems = append(problems, "seeding failed: "+setupErr.Error())
		runErr = exitcode.New(exitcode.Failed, setupErr)
	}
	var unusable error
	if setupErr == nil {
		var attackProblems []string
		sum, attackProblems, unusable = attack(ctx, cfg, pacing, env, c.Scrubber(), log)
		problems = append(problems, attackProblems...)
		checks, profProblems := prof.Judge(sum)
		sum.Checks = append(append(sum.Checks, env.Notes()...), checks...)
		problems = append(problems, profProblems...)
	}
	if sum == nil {
		sum = stats.NewStats(time.Now()).Summary()
	}
	sum.Profile, sum.RunID, sum.Shard, sum.Target, sum.Pacing = info.Name, cfg.RunID, cfg.Shard.String(), cfg.Target.BaseURL, pacing.String()

	// The target stopped answering: in the attack, in any request of the
	// client, or in the seeding, which the run ends on with exit 3. Each
	// of these gets the one short cleanup attempt, not the full one (which
	// would wait out every DELETE's timeout, three times).
	dead := unusable != nil || c.Unusable() != nil || exitcode.Of(runErr) == exitcode.TargetUnusable
	problems = append(problems, afterAttack(ctx, cfg, adm, namer, l, sum, dead, log)...)
	problems = append(problems, judgeThresholds(cfg.Thresholds, sum)...)
	if u := firstErr(unusable, c.Unusable()); u != nil && runErr == nil {
		runErr = exitcode.New(exitcode.TargetUnusable, u)
		problems = append([]string{u.Error()}, problems...)
	}
	sum.Problems = append(sum.Problems, problems...)
	sum.Pass = len(sum.Problems) == 0
	return sum, runErr
}

// afterAttack verifies what the run created and cleans up, whatever
// happened before, on a clock of its own; after the target became unusable
// (dead), it makes one short cleanup attempt and does not verify.
func afterAttack(ctx context.Context, cfg Config, adm *seed.Admin, namer *op.Namer, l *ledger.Ledger, sum *stats.Summary, dead bool, log func(string, ...any)) (problems []string) {
	postParent := cfg.PostContext
	if postParent == nil {
		postParent = context.WithoutCancel(ctx)
	}
	postTimeout := cfg.CleanupTimeout
	if dead {
		postTimeout = min(postTimeout, UnusableCleanupTimeout)
	}
	post, cancel := context.WithTimeout(postParent, postTimeout)
	defer cancel()
	if !dead {
		log("verifying what the run created")
		verify := adm.Verify(post, namer, l)
		sum.Verify = verify
		if verify.Missing > 0 {
			problems = append(problems, fmt.Sprintf("lost users: %d that a 201 reported created do not exist (%s)", verify.Missing, strings.Join(verify.Examples, "; ")))
		}
		if verify.Unexpected > 0 {
			problems = append(problems, fmt.Sprintf("phantom users: %d exist though the server refused them", verify.Unexpected))
		}
		if verify.Strange > 0 {
			sum.Checks = append(sum.Checks, fmt.Sprintf("verification: the user list showed %d names of this run's form that it never issued; they were ignored", verify.Strange))
		}
		if verify.Error != "" {
			problems = append(problems, "verification incomplete: "+verify.Error)
		}
	}
	counts := l.Counts()
	users := counts[ledger.Created] + counts[ledger.Sent] + counts[ledger.Unanswered] + counts[ledger.Deleting]
	groups := len(l.Groups(ledger.Created, ledger.Sent, ledger.Deleting))
	switch {
	case cfg.NoCleanup:
		sum.Checks = append(sum.Checks, fmt.Sprintf("--no-cleanup: %d users and %d groups left in place; their names start with %s", users, groups, namer.Prefix()))
	case cfg.Target.Embedded:
		sum.Checks = append(sum.Checks, fmt.Sprintf("cleanup skipped: the embedded server, and the %d users and %d groups the run left on it, end with the run", users, groups))
	default:
		log("cleaning up")
		rep := adm.Cleanup(post, l, dead)
		sum.Cleanup = rep
		if !rep.OK() {
			problems = append(problems, fmt.Sprintf("cleanup left %d things behind (names start with %s): %s %s", rep.Left, namer.Prefix(), rep.Error, strings.Join(rep.Examples(), "; ")))
		}
		if len(rep.NotOurs) > 0 {
			problems = append(problems, fmt.Sprintf("the target named %d groups in creates that are not this run's; they were left alone: %s", len(rep.NotOurs), strings.Join(rep.NotOurs, "; ")))
		}
	}
	return problems
}

// judgeThresholds evaluates the thresholds into the summary and returns
// the crossed ones as problems.
func judgeThresholds(ts []stats.Threshold, sum *stats.Summary) (problems []string) {
	for _, t := range ts {
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
	return problems
}

// UnusableCleanupTimeout bounds the one short cleanup attempt after the
// target became unusable.
const UnusableCleanupTimeout = 10 * time.Second

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// CheckConfig reports what is wrong with a configuration before anything
// runs, the target aside (it may not be started yet).
func CheckConfig(cfg Config) error {
	_, err := cfg.fill()
	return err
}

// fill checks the configuration, the target aside, fills defaults and
// returns the profile.
func (cfg *Config) fill() (Profile, error) {
	prof, err := Lookup(cfg.Profile)
	if err != nil {
		return nil, err
	}
	prof.Defaults(&cfg.Options)
	cfg.Options.commonDefaults()
	if err := cfg.Options.validateCommon(); err != nil {
		return nil, err
	}
	if err := prof.Validate(cfg.Options); err != nil {
		return nil, err
	}
	if err := cfg.Pacing.Validate(); err != nil {
		return nil, err
	}
	if cfg.Options.CheckHistory && cfg.Transport == TransportStd {
		return nil, errors.New("--check-history needs --transport fast: net/http may send a request twice without saying so, and the history would hold the second answer only")
	}
	if cfg.Shard.Count > 1 && (cfg.Shard.Index < 0 || cfg.Shard.Index >= cfg.Shard.Count) {
		return nil, fmt.Errorf("shard %d/%d: want 0 ≤ i < n", cfg.Shard.Index, cfg.Shard.Count)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("--timeout %s: want a positive duration such as 10s", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Workers == 0 {
		cfg.Workers = vegeta.DefaultWorkers
	}
	if cfg.MaxWorkers == 0 {
		cfg.MaxWorkers = vegeta.DefaultMaxWorkers
	}
	cfg.Workers = min(cfg.Workers, cfg.MaxWorkers)
	if cfg.RunID == "" {
		cfg.RunID = target.NewRunID()
	}
	switch cfg.Transport {
	case "":
		cfg.Transport = TransportFast
	case TransportFast, TransportStd:
	default:
		return nil, fmt.Errorf("transport %q: want fast or std", cfg.Transport)
	}
	if cfg.CleanupRate < 0 {
		return nil, fmt.Errorf("--cleanup-rate %v: want requests per second, or 0 for the default", cfg.CleanupRate)
	}
	if cfg.CleanupRate == 0 {
		cfg.CleanupRate = DefaultCleanupRate
		if cfg.Target.Embedded {
			cfg.CleanupRate = EmbeddedCleanupRate
		}
	}
	if cfg.CleanupTimeout <= 0 {
		cfg.CleanupTimeout = DefaultCleanupTimeout
	}
	if cfg.MinRateRatio == 0 {
		cfg.MinRateRatio = DefaultMinRateRatio
	}
	if cfg.MinRateRatio > 1 {
		return nil, fmt.Errorf("minimum sent share %.2f: want at most 1 (100%%)", cfg.MinRateRatio)
	}
	return prof, nil
}
