package load

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jmcheck/exitcode"
	"jmcheck/load/check"
	"jmcheck/load/results"
	"jmcheck/load/stats"
	"jmcheck/target"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Each test here aims a load run at a target that does one bad thing, and
// holds jmcheck to what it promises against a hostile target.

// TestLoadNeverForwardsCredentialsOnARedirect: the attack's answers are
// redirects to another port of the same host (where net/http would keep
// Authorization); they are judged as wrong statuses and the other origin
// hears nothing.
func TestLoadNeverForwardsCredentialsOnARedirect(t *testing.T) {
	var spied atomic.Int64
	spy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			spied.Add(1)
		}
		w.WriteHeader(200)
	}))
	defer spy.Close()
	for _, tr := range []string{TransportFast, TransportStd} {
		t.Run(tr, func(t *testing.T) {
			f := newFakeAPI()
			f.redirectTo = spy.URL
			sum := mustRun(t, f, runCase{profile: "mixed", opts: Options{Seed: 3, Mix: map[string]int{"get-user": 1}}, pacing: capped(100, 10),
				edit: func(c *Config) { c.Transport = tr }})
			if sum.Pass || failuresOf(sum, check.Status) != 10 {
				t.Errorf("pass %v with %d status failures, want 10 redirects judged wrong", sum.Pass, failuresOf(sum, check.Status))
			}
		})
	}
	if n := spied.Load(); n != 0 {
		t.Errorf("the other origin got %d requests with credentials", n)
	}
}

// TestLoadScrubsSecretsTheTargetEchoes: answers that repeat the
// credentials leave no secret in the summary or the result file.
func TestLoadScrubsSecretsTheTargetEchoes(t *testing.T) {
	f := newFakeAPI()
	f.echoAuth = true
	var buf bytes.Buffer
	enc, _ := results.NewEncoder(&buf, results.FormatJSON)
	sum := mustRun(t, f, runCase{profile: "mixed", opts: Options{Seed: 3, Mix: map[string]int{"get-user": 1}}, pacing: capped(100, 5),
		edit: func(c *Config) { c.Results = enc }})
	var js bytes.Buffer
	if err := sum.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(fakeKey + ":" + fakeSecret))
	// The result file holds each body base64-encoded: read what it says.
	var written bytes.Buffer
	dec := vegeta.NewJSONDecoder(&buf)
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			break
		}
		written.Write(r.Body)
		written.WriteString(r.Error + "\n")
	}
	for name, out := range map[string][]byte{"summary": js.Bytes(), "results": written.Bytes()} {
		if bytes.Contains(out, []byte(fakeSecret)) || bytes.Contains(out, []byte(b64)) {
			t.Errorf("the %s holds a secret the target echoed:\n%.600s", name, out)
		}
		if name == "results" && !bytes.Contains(out, []byte("[REDACTED]")) {
			t.Errorf("the %s shows no redaction: is the echo in it at all?\n%.600s", name, out)
		}
	}
}

// TestLoadJudgesUnreadableBodies: a repeated key, and nesting millions
// deep, are body failures of the target, not a crash and not a value.
func TestLoadJudgesUnreadableBodies(t *testing.T) {
	cases := map[string]struct {
		edit func(*fakeAPI)
		want string
	}{
		"DuplicateKey": {func(f *fakeAPI) { f.dupKeys = true }, "repeats the key"},
		"Deep":         {func(f *fakeAPI) { f.deep = 1_000_000 }, "nested deeper than 64"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI()
			c.edit(f)
			sum := mustRun(t, f, runCase{profile: "mixed", opts: Options{Seed: 3, Mix: map[string]int{"get-user": 1}}, pacing: capped(100, 5)})
			if failuresOf(sum, check.Body) != 5 || !hasSample(sum, c.want) {
				t.Errorf("%d body failures, samples %+v; want 5 saying %q", failuresOf(sum, check.Body), sum.Samples, c.want)
			}
		})
	}
}

// TestLoadVerificationIgnoresNamesItNeverIssued: a user list that shows
// names of the run's form with counters it never issued (12 digits once
// panicked, 7 took gigabytes) is counted as strange, never indexed.
func TestLoadVerificationIgnoresNamesItNeverIssued(t *testing.T) {
	f := newFakeAPI()
	f.extraListed = []string{"jbogus-0-uzzzzzzzzzzzz", "jbogus-0-u9999999", "jbogus-0-u1"}
	sum := mustRun(t, f, runCase{profile: "register-batch", opts: Options{Batch: 2}, pacing: capped(100, 3),
		edit: func(c *Config) { c.RunID = "jbogus" }})
	if sum.Verify == nil || sum.Verify.Method != "list" || sum.Verify.Strange != 2 {
		t.Fatalf("verify = %+v, want the list walked and 2 strange names", sum.Verify)
	}
	if !hasCheck(sum, "never issued") {
		t.Errorf("the summary does not mention the strange names: %v", sum.Checks)
	}
}

// TestLoadCleansUpWhatALateCommitCreated: a target that commits a
// registration after the client gave up leaves nothing behind: every name
// the run may have created is deleted, answered or not.
func TestLoadCleansUpWhatALateCommitCreated(t *testing.T) {
	f := newFakeAPI()
	f.lateCommit = 200 * time.Millisecond
	sum := mustRun(t, f, runCase{profile: "register-batch", opts: Options{Batch: 3}, pacing: capped(100, 4),
		edit: func(c *Config) { c.Timeout = 20 * time.Millisecond }})
	if failuresOf(sum, check.Timeout) != 4 {
		t.Fatalf("%d timeouts, want 4", failuresOf(sum, check.Timeout))
	}
	time.Sleep(300 * time.Millisecond) // a commit later than the cleanup's wait would land now
	if n := f.userCount(); n != 0 {
		t.Errorf("%d users left behind: %s", n, sum.Cleanup)
	}
	if sum.Cleanup == nil || sum.Cleanup.Unanswered != 12 || !strings.Contains(sum.Cleanup.String(), "no answer") {
		t.Errorf("cleanup = %s, want the 12 unanswered names counted and said", sum.Cleanup)
	}
}

// TestLoadDoesNotCallDeletedUsersLost: a DELETE that timed out but was
// applied makes no "lost user".
func TestLoadDoesNotCallDeletedUsersLost(t *testing.T) {
	f := newFakeAPI()
	f.deleteSleep = 200 * time.Millisecond
	sum := mustRun(t, f, runCase{profile: "mixed", opts: Options{Seed: 3, Mix: map[string]int{"delete-user": 1}}, pacing: capped(100, 6),
		edit: func(c *Config) {
			c.Timeout = 50 * time.Millisecond
			c.Thresholds = []stats.Threshold{mustThreshold(t, "errors<=100")}
		}})
	if failuresOf(sum, check.Timeout) == 0 {
		t.Fatalf("no DELETE timed out: %+v", sum.Failures)
	}
	if hasProblem(sum, "lost users") {
		t.Errorf("users the run deleted are called lost: %v", sum.Problems)
	}
}

// TestLoadStopsWhenTheTargetDies: after no answer for deadFor, the attack
// stops, the run says why, exits 3, and makes one short cleanup attempt.
func TestLoadStopsWhenTheTargetDies(t *testing.T) {
	saved, savedAfter := deadFor, deadAfter
	deadFor, deadAfter = 300*time.Millisecond, 5
	defer func() { deadFor, deadAfter = saved, savedAfter }()
	f := newFakeAPI()
	f.dieAfter = 5
	cfg := Config{
		Target: f.start(t), Profile: "mixed", Options: Options{Seed: 3, Mix: map[string]int{"get-user": 1}},
		Pacing: capped(100, 100000), Timeout: time.Second, CleanupRate: 5000, CleanupTimeout: time.Minute,
	}
	cfg.Pacing.Duration = time.Minute
	began := time.Now()
	sum, err := Run(context.Background(), cfg)
	if d := time.Since(began); d > 30*time.Second {
		t.Errorf("the run took %s against a dead target", d)
	}
	if exitcode.Of(err) != exitcode.TargetUnusable || sum == nil || !hasProblem(sum, "became unusable") {
		t.Fatalf("err %v (exit %d), problems %v; want exit 3 saying the target became unusable", err, exitcode.Of(err), sum.Problems)
	}
	if sum.Cleanup == nil || sum.Cleanup.Left == 0 || len(sum.Cleanup.Failed) == 0 {
		t.Errorf("cleanup = %+v, want the short attempt and what it left", sum.Cleanup)
	}
}

// TestLoadSeedingWithNoAnswerCleansUpBriefly: a target that gives the
// seeding no answer ends the run with exit 3, and the cleanup that
// follows is the one short attempt: against DELETEs that never answer it
// does not wait out the admin client's minute three times per user (it
// took 240 s against the sweep's hang target), and it names what it left.
func TestLoadSeedingWithNoAnswerCleansUpBriefly(t *testing.T) {
	var deletes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			// The registration is read, and never answered: the connection closes.
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
				}
			}
			return
		}
		if r.Method == http.MethodDelete {
			deletes.Add(1)
		}
		<-r.Context().Done() // everything else: no answer, ever
	}))
	defer srv.Close()
	cfg := Config{
		Target: target.Target{BaseURL: srv.URL, AppKey: fakeKey, Secret: fakeSecret}, Profile: "mixed",
		Options: Options{Seed: 3, Mix: map[string]int{"get-user": 1}}, Pacing: capped(100, 10),
	}
	type outcome struct {
		sum *stats.Summary
		err error
	}
	done := make(chan outcome, 1)
	began := time.Now()
	go func() {
		sum, err := Run(context.Background(), cfg)
		done <- outcome{sum, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(45 * time.Second):
		t.Fatalf("the run still cleans up after %s against a target that does not answer", time.Since(began).Round(time.Second))
	}
	if exitcode.Of(o.err) != exitcode.TargetUnusable {
		t.Fatalf("err %v (exit %d), want exit 3", o.err, exitcode.Of(o.err))
	}
	if d := time.Since(began); d > UnusableCleanupTimeout+5*time.Second {
		t.Errorf("the run took %s; the short cleanup attempt is bounded by %s", d, UnusableCleanupTimeout)
	}
	if deletes.Load() == 0 {
		t.Error("no cleanup attempt: the seeded names were never deleted")
	}
	rep := o.sum.Cleanup
	if rep == nil || rep.Left != 3 || len(rep.Failed) != 3 || !hasProblem(o.sum, "cleanup left 3") {
		t.Errorf("cleanup = %+v, problems %q; want the 3 names the seeding sent, reported left", rep, o.sum.Problems)
	}
}

func hasCheck(s *stats.Summary, substr string) bool {
	for _, c := range s.Checks {
		if strings.Contains(c, substr) {
			return true
		}
	}
	return false
}

func mustThreshold(t *testing.T, s string) stats.Threshold {
	t.Helper()
	th, err := stats.ParseThreshold(s)
	if err != nil {
		t.Fatal(err)
	}
	return th
}
