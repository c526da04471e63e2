package load

import (
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/load/pace"
	"jmcheck/load/stats"
	"jmcheck/target"
)

// TestJudgeAttackDeadAfterThePlan: a target found dead while the last
// requests of an overload ramp still waited for their answers (after the
// pacing had sent its plan) is unusable, but the attack was not cut short
// and its plan is the ramp's over --duration, not the ramp read on past it.
func TestJudgeAttackDeadAfterThePlan(t *testing.T) {
	ramp := pace.Pacing{Pacer: vegeta.LinearPacer{StartAt: vegeta.Rate{Freq: 50, Per: time.Second}, Slope: 995}, Duration: 10 * time.Second}
	cfg := Config{Target: target.Target{BaseURL: "http://127.0.0.1:1"}, MinRateRatio: DefaultMinRateRatio}
	for name, c := range map[string]struct {
		dead    time.Duration
		planned float64
	}{
		"AfterThePlan":  {dead: 20 * time.Second, planned: ramp.Hits(10 * time.Second)},
		"DuringTheRamp": {dead: 4 * time.Second, planned: ramp.Hits(4 * time.Second)},
	} {
		t.Run(name, func(t *testing.T) {
			sum := &stats.Summary{}
			sum.Rate.Sent = uint64(c.planned)
			_, unusable := judgeAttack(cfg, ramp, sum, 0, c.dead, 30, 0, 0)
			if unusable == nil || !strings.Contains(unusable.Error(), "the attack stopped after "+c.dead.String()) {
				t.Errorf("unusable = %v, want the target reported unusable at %s", unusable, c.dead)
			}
			if sum.Rate.Planned != c.planned {
				t.Errorf("planned %.0f, want %.0f (the ramp over %s at most)", sum.Rate.Planned, c.planned, ramp.Duration)
			}
		})
	}
}

// TestJudgeAttackOutOfFileDescriptors: when most of the requests that got
// no answer could not open a connection for want of a file descriptor,
// the limit is the generator's: the run fails (exit 1) saying so, and the
// target is not called unusable (exit 3). A few such failures among
// others leave the verdict on the target.
func TestJudgeAttackOutOfFileDescriptors(t *testing.T) {
	ramp := pace.Pacing{Pacer: vegeta.LinearPacer{StartAt: vegeta.Rate{Freq: 50, Per: time.Second}, Slope: 995}, Duration: 10 * time.Second}
	cfg := Config{Target: target.Target{BaseURL: "http://127.0.0.1:1"}, MinRateRatio: DefaultMinRateRatio}
	sum := &stats.Summary{}
	problems, unusable := judgeAttack(cfg, ramp, sum, 0, 6*time.Second, 3960, 3960, 4100)
	if unusable != nil {
		t.Errorf("unusable = %v; the target was not shown unusable", unusable)
	}
	if got := strings.Join(problems, "\n"); !strings.Contains(got, "jmcheck ran out of file descriptors") || !strings.Contains(got, "ulimit -n") || strings.Contains(got, "interrupted") {
		t.Errorf("problems = %q, want one saying the generator ran out of file descriptors (and no interruption)", problems)
	}
	if n := strings.Count(strings.Join(problems, "\n"), "file descriptors"); n != 1 {
		t.Errorf("the file descriptors are named %d times, want once: %q", n, problems)
	}
	if _, unusable := judgeAttack(cfg, ramp, &stats.Summary{}, 0, 6*time.Second, 3960, 100, 100); unusable == nil {
		t.Error("100 of 3960 out of file descriptors: the target should be unusable")
	}
	// The target kept answering, but some requests found no descriptor.
	problems, unusable = judgeAttack(cfg, ramp, &stats.Summary{}, 0, 0, 0, 0, 364)
	if unusable != nil || !strings.Contains(strings.Join(problems, "\n"), "364 requests could not open a connection: jmcheck ran out of file descriptors") {
		t.Errorf("problems = %q, unusable = %v; want the 364 requests named as the generator's limit", problems, unusable)
	}
}
