package load

import (
	"bytes"
	"context"
	"errors"
	"io"
	"jmcheck/load/check"
	"jmcheck/load/pace"
	"jmcheck/load/results"
	"jmcheck/load/stats"
	"jmcheck/spec"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// capped returns a pacing of n requests at rate per second, bounded by a
// generous duration: tests count requests, never time them.
func capped(rate int, n uint64) pace.Pacing {
	return pace.Pacing{Pacer: vegeta.ConstantPacer{Freq: rate, Per: time.Second}, Duration: 20 * time.Second, MaxRequests: n}
}

type runCase struct {
	profile string
	opts    Options
	pacing  pace.Pacing
	edit    func(*Config)
}

// mustRun runs a profile against a fake and returns the summary.
func mustRun(t *testing.T, f *fakeAPI, c runCase) *stats.Summary {
	t.Helper()
	return mustRunCtx(t, context.Background(), f, c)
}

func mustRunCtx(t *testing.T, ctx context.Context, f *fakeAPI, c runCase) *stats.Summary {
	t.Helper()
	cfg := Config{
		Target: f.start(t), Profile: c.profile, Options: c.opts, Pacing: c.pacing,
		Timeout: 5 * time.Second, CleanupRate: 5000, CleanupTimeout: time.Minute,
	}
	if c.edit != nil {
		c.edit(&cfg)
	}
	sum, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run(%s): %v", c.profile, err)
	}
	return sum
}

func failuresOf(s *stats.Summary, r check.Reason) uint64 {
	for _, f := range s.Failures {
		if f.Reason == r {
			return f.Count
		}
	}
	return 0
}

func hasSample(s *stats.Summary, substr string) bool {
	for _, f := range s.Samples {
		if strings.Contains(f.Detail, substr) {
			return true
		}
	}
	return false
}

func hasProblem(s *stats.Summary, substr string) bool {
	for _, p := range s.Problems {
		if strings.Contains(p, substr) {
			return true
		}
	}
	return false
}

func TestRunProfilesPassOnAConformantServer(t *testing.T) {
	cases := map[string]runCase{
		"RegisterBatch":      {profile: "register-batch", opts: Options{Batch: 50, OversizeRatio: 0.25}, pacing: capped(100, 8)},
		"PaginateUsers":      {profile: "paginate-users", opts: Options{Seed: 1200, Count: 500}, pacing: capped(200, 12)},
		"PaginateUsersDeep":  {profile: "paginate-users", opts: Options{Seed: 600, Count: 100, Order: OrderDeep}, pacing: capped(200, 10)},
		"PaginateGroups":     {profile: "paginate-groups", opts: Options{Seed: 30, Count: 7}, pacing: capped(200, 15)},
		"PaginateGroupsRand": {profile: "paginate-groups", opts: Options{Seed: 30, Count: 7, Order: OrderRandom}, pacing: capped(200, 15)},
		"Mixed":              {profile: "mixed", opts: Options{Seed: 20}, pacing: capped(300, 150)},
		"Overload":           {profile: "overload", opts: Options{Seed: 10}, pacing: capped(400, 80)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI()
			if c.profile == "overload" {
				f.maxInflight, f.sleep = 2, 20*time.Millisecond
			}
			sum := mustRun(t, f, c)
			if !sum.Pass || sum.Failed != 0 {
				t.Fatalf("got pass=%v failed=%d, want a pass; problems: %q; samples: %+v", sum.Pass, sum.Failed, sum.Problems, sum.Samples)
			}
			if got, want := sum.Requests, c.pacing.MaxRequests; got != want {
				t.Errorf("got %d requests, want %d", got, want)
			}
			if sum.Cleanup == nil || sum.Cleanup.Left != 0 {
				t.Errorf("got cleanup %+v, want nothing left", sum.Cleanup)
			}
			if got := f.userCount() + f.groupCount(); got != 0 {
				t.Errorf("got %d users and groups left on the server, want 0", got)
			}
		})
	}
}

func TestRegisterBatchCountsOversizeAsExpected(t *testing.T) {
	f := newFakeAPI()
	sum := mustRun(t, f, runCase{profile: "register-batch", opts: Options{Batch: 10, OversizeRatio: 0.5}, pacing: capped(100, 10)})
	var got uint64
	for _, a := range sum.Answers {
		if a.Status == 403 && a.Code == spec.CodeBatchTooLarge && a.Expected {
			got += a.Count
		}
	}
	if want := uint64(5); got != want || sum.Expected != want {
		t.Errorf("got %d expected 403 899013 (summary expected %d), want %d", got, sum.Expected, want)
	}
	if sum.Verify == nil || sum.Verify.Checked != 50 {
		t.Errorf("got verification %+v, want 50 users checked", sum.Verify)
	}
}

func TestProfilesCatchAMisbehavingServer(t *testing.T) {
	cases := map[string]struct {
		run     runCase
		break_  func(*fakeAPI)
		reason  check.Reason // a failure reason that must be counted, check.None for none
		sample  string       // a failure detail or problem that must appear
		problem bool         // sample is a problem, not a failure sample
	}{
		"WrongOversizeCode": {
			run:    runCase{profile: "register-batch", opts: Options{Batch: 5, OversizeRatio: 0.5}, pacing: capped(100, 6)},
			break_: func(f *fakeAPI) { f.oversizeCode = int(spec.CodeInvalid) },
			reason: check.Code, sample: "403 899003, want 403 899013",
		},
		"MissingBatchItem": {
			run:    runCase{profile: "register-batch", opts: Options{Batch: 5}, pacing: capped(100, 4)},
			break_: func(f *fakeAPI) { f.dropItem = true },
			reason: check.Body, sample: "an item is missing",
		},
		"LostUsers": {
			run:    runCase{profile: "register-batch", opts: Options{Batch: 5}, pacing: capped(100, 2)},
			break_: func(f *fakeAPI) { f.forget = true },
			sample: "lost users: 10", problem: true,
		},
		"OverlappingPages": {
			run:    runCase{profile: "paginate-users", opts: Options{Seed: 40, Count: 10}, pacing: capped(200, 8)},
			break_: func(f *fakeAPI) { f.pageShift = -1 },
			reason: check.Body, sample: "tiling",
		},
		"SkippingPages": {
			run:    runCase{profile: "paginate-users", opts: Options{Seed: 40, Count: 10}, pacing: capped(200, 8)},
			break_: func(f *fakeAPI) { f.pageShift = 1 },
			reason: check.Body, sample: "page:",
		},
		"UnsortedGroupPages": {
			run:    runCase{profile: "paginate-groups", opts: Options{Seed: 12, Count: 5}, pacing: capped(200, 6)},
			break_: func(f *fakeAPI) { f.reverse = true },
			reason: check.Body, sample: "not ascending",
		},
		"WrongMissingUserCode": {
			run:    runCase{profile: "mixed", opts: Options{Seed: 5, Mix: map[string]int{"get-missing": 1}}, pacing: capped(200, 5)},
			break_: func(f *fakeAPI) { f.missingCode = int(spec.CodeInvalid) },
			reason: check.Code, sample: "403 899003, want 403 899002",
		},
		"ServerErrorsUnderLoad": {
			run:    runCase{profile: "mixed", opts: Options{Seed: 10}, pacing: capped(300, 60)},
			break_: func(f *fakeAPI) { f.failEvery = 5 },
			reason: check.Status, sample: "status: 500 899000",
		},
		"ShedWithoutRetryAfter": {
			run:    runCase{profile: "overload", opts: Options{Seed: 5}, pacing: capped(400, 60)},
			break_: func(f *fakeAPI) { f.maxInflight, f.sleep, f.noRetryAfter = 1, 20*time.Millisecond, true },
			reason: check.Header, sample: "without a Retry-After",
		},
		"OverloadWithoutShedding": {
			run:    runCase{profile: "overload", opts: Options{Seed: 5}, pacing: capped(200, 10)},
			break_: func(f *fakeAPI) {},
			sample: "no request was shed", problem: true,
		},
		"OverloadTimeouts": {
			run: runCase{profile: "overload", opts: Options{Seed: 5}, pacing: capped(100, 3),
				edit: func(c *Config) { c.Timeout = 50 * time.Millisecond }},
			break_: func(f *fakeAPI) { f.sleep = 300 * time.Millisecond },
			reason: check.Timeout, sample: "timeout",
		},
		"OverloadResets": {
			run:    runCase{profile: "overload", opts: Options{Seed: 5}, pacing: capped(200, 20)},
			break_: func(f *fakeAPI) { f.resetEvery = 3 },
			reason: check.Connection, sample: "connection",
		},
		"OverloadServerErrors": {
			run:    runCase{profile: "overload", opts: Options{Seed: 5}, pacing: capped(200, 20)},
			break_: func(f *fakeAPI) { f.failEvery = 4 },
			reason: check.Status, sample: "status: 500",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI()
			c.break_(f)
			sum := mustRun(t, f, c.run)
			if sum.Pass {
				t.Fatalf("got a pass, want a failure: %+v", sum)
			}
			if c.reason != check.None && failuresOf(sum, c.reason) == 0 {
				t.Errorf("got failures %v, want some of reason %s", sum.Failures, c.reason)
			}
			if c.problem && !hasProblem(sum, c.sample) {
				t.Errorf("got problems %q, want one with %q", sum.Problems, c.sample)
			}
			if !c.problem && !hasSample(sum, c.sample) {
				t.Errorf("got samples %+v, want one with %q", sum.Samples, c.sample)
			}
		})
	}
}

func TestThresholdsGateTheRun(t *testing.T) {
	cases := map[string]struct {
		thresholds []string
		failEvery  int64
		wantPass   bool
	}{
		"Met":              {thresholds: []string{"p99<1m", "errors<1%", "rate>=90%", "requests>=20"}, wantPass: true},
		"LatencyCrossed":   {thresholds: []string{"p99<1ns"}, wantPass: false},
		"RouteCrossed":     {thresholds: []string{"GET /v1/users/{username}: max<1ns"}, wantPass: false},
		"UnusedRoute":      {thresholds: []string{"POST /v1/messages: p99<1s"}, wantPass: false},
		"ErrorBudgetKept":  {thresholds: []string{"errors<60%"}, failEvery: 3, wantPass: true},
		"ErrorBudgetSpent": {thresholds: []string{"errors<1%"}, failEvery: 3, wantPass: false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var ths []stats.Threshold
			for _, s := range c.thresholds {
				th, err := stats.ParseThreshold(s)
				if err != nil {
					t.Fatal(err)
				}
				ths = append(ths, th)
			}
			f := newFakeAPI()
			f.failEvery = c.failEvery
			sum := mustRun(t, f, runCase{profile: "mixed", opts: Options{Seed: 5, Mix: map[string]int{"get-user": 1}}, pacing: capped(200, 20),
				edit: func(cfg *Config) { cfg.Thresholds = ths }})
			if sum.Pass != c.wantPass {
				t.Fatalf("got pass=%v, want %v; thresholds %+v; problems %q", sum.Pass, c.wantPass, sum.Thresholds, sum.Problems)
			}
			if !c.wantPass && !hasProblem(sum, "threshold crossed") {
				t.Errorf("got problems %q, want a crossed threshold named", sum.Problems)
			}
		})
	}
}

// lineWriter calls f on every write: a hook into the run's phase log.
type lineWriter func(string)

func (w lineWriter) Write(p []byte) (int, error) {
	w(string(p))
	return len(p), nil
}

func TestInterruptStopsTheAttackAndStillCleansUp(t *testing.T) {
	f := newFakeAPI()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	sum := mustRunCtx(t, ctx, f, runCase{
		profile: "register-batch", opts: Options{Batch: 20},
		pacing: pace.Pacing{Pacer: vegeta.ConstantPacer{Freq: 50, Per: time.Second}, Duration: time.Minute},
		edit: func(c *Config) {
			c.Log = lineWriter(func(s string) {
				if strings.HasPrefix(s, "attack:") {
					once.Do(cancel) // Ctrl-C as the attack begins
				}
			})
		},
	})
	if !hasProblem(sum, "interrupted") {
		t.Errorf("got problems %q, want the interrupt named", sum.Problems)
	}
	if sum.Requests >= 50*60 {
		t.Errorf("got %d requests, want the attack stopped early", sum.Requests)
	}
	if got := f.userCount(); got != 0 {
		t.Errorf("got %d users left, want 0: cleanup must run after an interrupt", got)
	}
}

// TestSlowRateStopsAtItsDurationAndOnInterrupt: vegeta sleeps the whole
// gap between two hits (an hour at 1/1h), past the duration and deaf to
// Stop; the run must end at its duration, and at once on an interrupt.
func TestSlowRateStopsAtItsDurationAndOnInterrupt(t *testing.T) {
	hourly := vegeta.ConstantPacer{Freq: 1, Per: time.Hour}
	cases := map[string]struct {
		duration  time.Duration
		interrupt bool
	}{
		"Duration":  {duration: 300 * time.Millisecond},
		"Interrupt": {duration: 2 * time.Hour, interrupt: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			tgt := newFakeAPI().start(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg := Config{
				Target: tgt, Profile: "mixed", Options: Options{Seed: 2, Mix: map[string]int{"get-user": 1}},
				Pacing: pace.Pacing{Pacer: hourly, Duration: c.duration}, CleanupRate: 5000,
				Log: lineWriter(func(s string) {
					if c.interrupt && strings.HasPrefix(s, "attack:") {
						cancel()
					}
				}),
			}
			type result struct {
				sum *stats.Summary
				err error
			}
			done := make(chan result, 1)
			go func() {
				sum, err := Run(ctx, cfg)
				done <- result{sum, err}
			}()
			select {
			case r := <-done:
				if r.err != nil {
					t.Fatal(r.err)
				}
				if r.sum.Requests > 1 {
					t.Errorf("got %d requests, want at most 1", r.sum.Requests)
				}
			case <-time.After(time.Minute):
				t.Fatal("the run did not end within a minute: it waits out the pacer's hour")
			}
		})
	}
}

func TestResultFileIsVegetaCompatible(t *testing.T) {
	f := newFakeAPI()
	var buf bytes.Buffer
	sum := mustRun(t, f, runCase{profile: "register-batch", opts: Options{Batch: 3, OversizeRatio: 0.5}, pacing: capped(100, 6),
		edit: func(c *Config) { c.Results = vegeta.NewEncoder(&buf) }})
	dec := vegeta.NewDecoder(bytes.NewReader(buf.Bytes()))
	var got, expected int
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode result %d: %v", got, err)
		}
		got++
		if r.Code == 403 {
			expected++
			if r.Error != "" || !bytes.Contains(r.Body, []byte("899013")) {
				t.Errorf("got an expected 403 with error %q and body %q, want no error and the error body", r.Error, r.Body)
			}
		}
	}
	if uint64(got) != sum.Requests || expected != 3 {
		t.Errorf("got %d results (%d expected 403s), want %d (3)", got, expected, sum.Requests)
	}
	file := filepath.Join(t.TempDir(), "results.gob")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := results.Read([]string{file}, Known)
	if err != nil {
		t.Fatal(err)
	}
	if back.Requests != sum.Requests || back.Expected != sum.Expected || back.Failed != sum.Failed {
		t.Errorf("read back %d/%d/%d requests/expected/failed, want %d/%d/%d", back.Requests, back.Expected, back.Failed, sum.Requests, sum.Expected, sum.Failed)
	}
}

func TestGeneratorFallingShortFailsTheRun(t *testing.T) {
	f := newFakeAPI()
	f.sleep = 50 * time.Millisecond
	// One worker that waits on every answer cannot keep 100/s: a closed
	// model in disguise, which the run must call out.
	sum := mustRun(t, f, runCase{profile: "mixed", opts: Options{Seed: 3, Mix: map[string]int{"get-user": 1}},
		pacing: pace.Pacing{Pacer: vegeta.ConstantPacer{Freq: 100, Per: time.Second}, Duration: 500 * time.Millisecond},
		edit:   func(c *Config) { c.Workers, c.MaxWorkers = 1, 1 }})
	if sum.Pass || !hasProblem(sum, "the generator fell short") || !hasProblem(sum, "--max-workers") {
		t.Errorf("got pass=%v problems %q, want the generator named short of its plan", sum.Pass, sum.Problems)
	}
	if sum.Rate.Ratio >= 0.95 {
		t.Errorf("got ratio %.2f, want well under 0.95", sum.Rate.Ratio)
	}
}

func TestStdTransportRunsTheSameChecks(t *testing.T) {
	f := newFakeAPI()
	f.failEvery = 4
	sum := mustRun(t, f, runCase{profile: "mixed", opts: Options{Seed: 5}, pacing: capped(200, 40),
		edit: func(c *Config) { c.Transport = TransportStd }})
	if sum.Requests != 40 || failuresOf(sum, check.Status) == 0 {
		t.Errorf("got %d requests and failures %v, want 40 and some status failures", sum.Requests, sum.Failures)
	}
}

func TestShardsSplitTheRateAndKeepTheirNames(t *testing.T) {
	f := newFakeAPI()
	tgt := f.start(t)
	var (
		wg   sync.WaitGroup
		sums [2]*stats.Summary
		errs [2]error
	)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i], errs[i] = Run(context.Background(), Config{
				Target: tgt, Profile: "register-batch", Options: Options{Batch: 5},
				Pacing: capped(200, 10), RunID: "jshardtst", Shard: Shard{Index: i, Count: 2},
				CleanupRate: 5000,
			})
		}()
	}
	wg.Wait()
	for i, s := range sums {
		if errs[i] != nil {
			t.Fatalf("shard %d: %v", i, errs[i])
		}
		if !s.Pass || s.Requests != 5 || s.Verify.Checked != 25 || s.Shard != strconv.Itoa(i)+"/2" {
			t.Errorf("shard %d: pass=%v requests=%d checked=%d shard=%q; want a pass, 5, 25, %d/2", i, s.Pass, s.Requests, s.Verify.Checked, s.Shard, i)
		}
	}
	if got := f.userCount(); got != 0 {
		t.Errorf("got %d users left, want 0", got)
	}
}
