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
			_, unusable := judgeAttack(cfg, ramp, sum, 0, c.dead, 30)
			if unusable == nil || !strings.Contains(unusable.Error(), "the attack stopped after "+c.dead.String()) {
				t.Errorf("unusable = %v, want the target reported unusable at %s", unusable, c.dead)
			}
			if sum.Rate.Planned != c.planned {
				t.Errorf("planned %.0f, want %.0f (the ramp over %s at most)", sum.Rate.Planned, c.planned, ramp.Duration)
			}
		})
	}
}
