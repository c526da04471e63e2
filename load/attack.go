package load

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/load/check"
	"jmcheck/load/op"
	"jmcheck/load/pace"
	"jmcheck/load/stats"
	"jmcheck/load/transport"
	"jmcheck/spec"
	"jmcheck/target"
)

// The fail-fast rule of an attack: when no request got any answer for
// deadFor, and at least deadAfter requests failed in transport in that
// time, the target has stopped answering: the attack ends, and the run
// exits 3 after one short cleanup attempt. Variables, so that tests can
// shorten them.
var (
	deadFor   = 5 * time.Second
	deadAfter = uint64(20)
)

// attack runs vegeta with the profile's targeter and checks, and folds
// the results into a summary. unusable is set when the target stopped
// answering during the attack.
func attack(ctx context.Context, cfg Config, pacing pace.Pacing, env *op.Env, scrub *target.Scrubber, log func(string, ...any)) (sum *stats.Summary, problems []string, unusable error) {
	verdicts := transport.NewVerdicts()
	tstats := &transport.Stats{}
	client, err := attackClient(cfg, env, verdicts, tstats)
	if err != nil {
		return stats.NewStats(time.Now()).Summary(), []string{err.Error()}, nil
	}
	defer client.CloseIdleConnections()
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(cfg.Workers), vegeta.MaxWorkers(cfg.MaxWorkers))

	m := cfg.Metrics
	if m != nil {
		m.SetInflight(func() float64 { return float64(tstats.Inflight.Load()) })
		m.Prepare(env.Routes())
	}

	log("attack: %s", pacing)
	began := time.Now()
	st := stats.NewStats(began)
	var (
		count                   atomic.Uint64
		stoppedAt               atomic.Int64 // ns since began when ctx ended the attack
		deadAt                  atomic.Int64 // ns since began when the target stopped answering
		lastAnswer, failedSince atomic.Int64
		outOfFDs                atomic.Int64 // of failedSince, those that found no file descriptor free
		outOfFDsAll             atomic.Int64 // every request that found none
	)
	lastAnswer.Store(int64(time.Since(began)))
	done := make(chan struct{})
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
				if now := int64(time.Since(began)); now-lastAnswer.Load() > int64(deadFor) && uint64(failedSince.Load()) >= deadAfter {
					deadAt.Store(now)
					atk.Stop()
				}
			}
		}
	}()
	var encErr error
	flushed := time.Now()
	// vegeta plot orders results by sequence number per attack name: shards
	// of one run need names of their own.
	name := cfg.Profile
	if cfg.Shard.Sharded() {
		name += "-shard" + strconv.Itoa(cfg.Shard.Index)
	}
	for res := range atk.Attack(env.Targeter(cfg.Profile), pacing.Bounded(ctx.Done()), pacing.Duration, name) {
		v, ok := verdicts.Take(res.Seq)
		s := sampleFromVerdict(res, v, ok, env)
		if s.Status != 0 {
			lastAnswer.Store(int64(time.Since(began)))
			failedSince.Store(0)
			outOfFDs.Store(0)
		} else {
			failedSince.Add(1)
			if strings.HasSuffix(s.Detail, check.ErrTooManyFiles) {
				outOfFDs.Add(1)
				outOfFDsAll.Add(1)
			}
		}
		if s.Reason != check.None {
			s.Detail = scrub.Safe(s.Detail)
		}
		res.Error = stats.FileError(&s)
		res.BytesIn = s.BytesIn
		res.Headers = nil
		res.Body = scrub.Bytes(res.Body)
		st.Add(&s)
		if m != nil {
			m.Observe(&s)
		}
		if cfg.Results != nil && encErr == nil {
			if encErr = cfg.Results.Encode(res); encErr != nil {
				problems = append(problems, "writing results stopped: "+encErr.Error())
			}
			if cfg.Flush != nil && time.Since(flushed) >= time.Second {
				_ = cfg.Flush() // a killed run leaves a readable prefix
				flushed = time.Now()
			}
		}
		count.Add(1)
	}
	close(done)
	if m != nil {
		m.SetRates(0, 0)
	}

	sum = st.Summary()
	var more []string
	more, unusable = judgeAttack(cfg, pacing, sum, time.Duration(stoppedAt.Load()), time.Duration(deadAt.Load()), failedSince.Load(), outOfFDs.Load(), outOfFDsAll.Load())
	return sum, append(problems, more...), unusable
}

// judgeAttack completes the summary's rates and judges the attack itself:
// an interruption (stopped, ns after it began), a target that stopped
// answering (dead) or a generator out of file descriptors (most of the
// failedInARow were outOfFDs: this machine's limit, not the target's;
// outOfFDsAll over the whole attack), a generator that fell short of its
// plan, and failed checks without an errors budget.
func judgeAttack(cfg Config, pacing pace.Pacing, sum *stats.Summary, stopped, dead time.Duration, failedInARow, outOfFDs, outOfFDsAll int64) (problems []string, unusable error) {
	elapsed := pacing.Duration
	interrupted := false
	if stopped > 0 && (elapsed == 0 || stopped < elapsed) {
		elapsed, interrupted = stopped, true
	}
	if dead > 0 {
		// Found while the last requests were still waiting for answers,
		// after the pacing had sent its plan, the attack was not cut
		// short: the plan stays the whole duration's (the pacer is never
		// read past it).
		if elapsed == 0 || dead < elapsed {
			elapsed, interrupted = dead, true
		}
		if 2*outOfFDs >= failedInARow {
			problems = append(problems, fmt.Sprintf("jmcheck ran out of file descriptors: of the %d requests in a row that got no answer for %s, %d could not open a connection (%s); the limit is this machine's (ulimit -n), not the target's: raise it, or lower the rate; the attack stopped after %s",
				failedInARow, deadFor, outOfFDs, check.ErrTooManyFiles, dead.Round(time.Millisecond)))
			outOfFDsAll = 0 // said
		} else {
			unusable = fmt.Errorf("target %s became unusable: no request got an answer for %s (%d in a row failed in transport); the attack stopped after %s", cfg.Target.BaseURL, deadFor, failedInARow, dead.Round(time.Millisecond))
		}
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
	if interrupted && unusable == nil && dead == 0 {
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
	if outOfFDsAll > 0 {
		problems = append(problems, fmt.Sprintf("%d requests could not open a connection: jmcheck ran out of file descriptors (%s), a limit of this machine (ulimit -n), not of the target: raise it, or lower the rate",
			outOfFDsAll, check.ErrTooManyFiles))
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
	return problems, unusable
}

// attackClient is vegeta's HTTP client on the run's transport, which
// checks every answer in place and files its verdict.
func attackClient(cfg Config, env *op.Env, verdicts *transport.Verdicts, tstats *transport.Stats) (*http.Client, error) {
	client := &http.Client{
		// vegeta's client never follows a redirect: a 3xx is the answer.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if cfg.Transport == TransportStd {
		client.Transport = transport.NewStd(env, verdicts, tstats)
		client.Timeout = cfg.Timeout
		return client, nil
	}
	base, err := url.Parse(cfg.Target.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("target URL: %w", err)
	}
	ft, err := transport.NewFast(base, cfg.Timeout, env, verdicts, tstats)
	if err != nil {
		return nil, err
	}
	client.Transport = ft
	return client, nil
}

// sampleFromVerdict joins vegeta's Result with the transport's verdict.
func sampleFromVerdict(res *vegeta.Result, v check.Verdict, ok bool, env *op.Env) stats.Sample {
	ops := env.Ops()
	if !ok || v.Op < 0 || v.Op >= len(ops) {
		s := stats.SampleOf(res)
		if s.Reason == check.None && !ok {
			s.Reason, s.Detail = check.Connection, "connection: "+check.ErrorText(errors.New(res.Error))
		}
		return s
	}
	s := stats.Sample{
		Route: ops[v.Op].Route, Status: v.Status, Code: v.Code, Reason: v.Reason, Expected: v.Expected,
		Detail: v.Detail, URL: res.URL, Offset: -1, Timestamp: res.Timestamp, Latency: res.Latency,
		BytesIn: uint64(v.BytesIn), BytesOut: res.BytesOut,
	}
	if s.Route == spec.RouteListUsers || s.Route == spec.RouteListGroups {
		s.Offset = stats.StartOf(res.URL)
	}
	return s
}
