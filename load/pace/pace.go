// Package pace says how fast and how long a load run sends requests:
// vegeta's open-model pacers (constant, linear ramp), a staircase of its
// own, a request cap, and the bound that makes any of them stop at the
// run's duration and on Ctrl-C. It also parses the --rate, --ramp and
// --stairs flags.
package pace

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Pacing says how fast and how long a run sends requests: an open-model
// vegeta Pacer (constant, linear ramp or staircase), a duration, and an
// optional cap on the number of requests. Every run is bounded by one of the
// two.
type Pacing struct {
	Pacer       vegeta.Pacer
	Duration    time.Duration
	MaxRequests uint64 // 0: no cap
}

// Validate rejects pacings that would not stop by themselves or that
// vegeta would read as an unbounded rate.
func (p Pacing) Validate() error {
	if p.Pacer == nil {
		return errors.New("no pacer: give --rate, --ramp or --stairs")
	}
	if p.Duration < 0 {
		return fmt.Errorf("--duration %s is negative: give a positive duration such as 30s", p.Duration)
	}
	if p.Duration == 0 && p.MaxRequests == 0 {
		return errors.New("the run would never stop: give --duration or --max-requests")
	}
	switch pc := p.Pacer.(type) {
	case vegeta.ConstantPacer:
		if pc.Freq <= 0 || pc.Per <= 0 {
			return fmt.Errorf("rate %d/%s: must be positive", pc.Freq, pc.Per)
		}
	case vegeta.LinearPacer:
		if pc.StartAt.Freq <= 0 || pc.StartAt.Per <= 0 {
			return errors.New("ramp: the start rate must be positive")
		}
	case StaircasePacer:
		if err := pc.validate(); err != nil {
			return err
		}
	}
	return nil
}

// Hits returns how many requests the pacing plans to have sent after
// elapsed, the cap included.
func (p Pacing) Hits(elapsed time.Duration) float64 {
	h := PlannedHits(p.Pacer, elapsed)
	if p.MaxRequests > 0 && h > float64(p.MaxRequests) {
		h = float64(p.MaxRequests)
	}
	return h
}

// Planned returns the number of requests the whole run plans, or -1 when
// the pacer cannot say.
func (p Pacing) Planned() float64 {
	if p.Duration <= 0 {
		return float64(p.MaxRequests)
	}
	h := p.Hits(p.Duration)
	if h < 0 {
		return -1
	}
	return h
}

// PeakRate returns the highest rate the pacing asks for, per second.
func (p Pacing) PeakRate() float64 {
	switch pc := p.Pacer.(type) {
	case vegeta.LinearPacer:
		return math.Max(pc.Rate(0), pc.Rate(p.Duration))
	case StaircasePacer:
		peak := 0.0
		for _, s := range pc.Steps {
			peak = math.Max(peak, s.Rate)
		}
		return peak
	case vegeta.SinePacer:
		return sinePerSecond(pc.Mean) + sinePerSecond(pc.Amp)
	case nil:
		return 0
	}
	return p.Pacer.Rate(0)
}

// String describes the pacing for a summary.
func (p Pacing) String() string {
	var b strings.Builder
	if lp, ok := p.Pacer.(vegeta.LinearPacer); ok && p.Duration > 0 {
		from := lp.StartAt.Rate(0)
		b.WriteString("ramp " + formatRate(from) + "/s → " + formatRate(from+lp.Slope*p.Duration.Seconds()) + "/s")
	} else {
		b.WriteString(describePacer(p.Pacer))
	}
	if p.Duration > 0 {
		b.WriteString(" for " + p.Duration.String())
	}
	if p.MaxRequests > 0 {
		b.WriteString(", at most " + strconv.FormatUint(p.MaxRequests, 10) + " requests")
	}
	return b.String()
}

// Split returns the pacing of one of n shards: the same shape at 1/n of the
// rate, the same duration, and 1/n of the cap (rounded up).
func (p Pacing) Split(n int) Pacing {
	if n <= 1 {
		return p
	}
	q := p
	q.Pacer = splitPacer(p.Pacer, n)
	if p.MaxRequests > 0 {
		q.MaxRequests = (p.MaxRequests + uint64(n) - 1) / uint64(n)
	}
	return q
}

// capped returns the pacer with the request cap applied.
func (p Pacing) capped() vegeta.Pacer {
	if p.MaxRequests == 0 {
		return p.Pacer
	}
	return cappedPacer{Pacer: p.Pacer, max: p.MaxRequests}
}

// cappedPacer stops an attack after max hits.
type cappedPacer struct {
	vegeta.Pacer
	max uint64
}

var _ vegeta.Pacer = cappedPacer{}

func (c cappedPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= c.max {
		return 0, true
	}
	return c.Pacer.Pace(elapsed, hits)
}

// longWait is the gap between hits past which boundedPacer waits itself.
const longWait = 100 * time.Millisecond

// Bounded returns the capped pacer, bounded by the duration and by done
// (the run's context).
func (p Pacing) Bounded(done <-chan struct{}) vegeta.Pacer {
	return boundedPacer{Pacer: p.capped(), duration: p.Duration, done: done}
}

// boundedPacer bounds vegeta's waits between hits: vegeta sleeps the
// whole wait before it looks at the duration or Stop again, so that a slow
// rate (1/1h, a shard's share of a low rate, a pause in the stairs) would
// run past --duration and ignore Ctrl-C. A hit due after the duration goes
// at its end (vegeta would send that one hit late); a long wait is slept
// here, where done (the run's context) stops the attack at once.
type boundedPacer struct {
	vegeta.Pacer
	duration time.Duration
	done     <-chan struct{}
}

var _ vegeta.Pacer = boundedPacer{}

func (b boundedPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	wait, stop := b.Pacer.Pace(elapsed, hits)
	if stop {
		return wait, stop
	}
	if b.duration > 0 && elapsed+wait > b.duration {
		wait = max(b.duration-elapsed, 0)
	}
	if wait < longWait {
		return wait, false
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return 0, false
	case <-b.done:
		return 0, true
	}
}

// PlannedHits returns how many hits a pacer plans to have sent after
// elapsed: the integral of its rate. It knows vegeta's constant, linear and
// sine pacers and StaircasePacer; for any other pacer it returns -1.
func PlannedHits(p vegeta.Pacer, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	switch pc := p.(type) {
	case vegeta.ConstantPacer:
		if pc.Per <= 0 || pc.Freq <= 0 {
			return -1
		}
		return float64(pc.Freq) * float64(elapsed) / float64(pc.Per)
	case vegeta.LinearPacer:
		b := pc.StartAt.Rate(0)
		x := elapsed.Seconds()
		return pc.Slope*x*x/2 + b*x
	case StaircasePacer:
		return pc.Hits(elapsed)
	case vegeta.SinePacer:
		m := sinePerSecond(pc.Mean)
		a := sinePerSecond(pc.Amp)
		period := pc.Period.Seconds()
		x := elapsed.Seconds()
		return m*x + a*period/(2*math.Pi)*(math.Cos(pc.StartAt)-math.Cos(pc.StartAt+2*math.Pi*x/period))
	case cappedPacer:
		h := PlannedHits(pc.Pacer, elapsed)
		return math.Min(h, float64(pc.max))
	}
	return -1
}

func sinePerSecond(r vegeta.Rate) float64 {
	if r.Per <= 0 {
		return 0
	}
	return float64(r.Freq) / r.Per.Seconds()
}

func splitPacer(p vegeta.Pacer, n int) vegeta.Pacer {
	switch pc := p.(type) {
	case vegeta.ConstantPacer:
		return vegeta.ConstantPacer{Freq: pc.Freq, Per: pc.Per * time.Duration(n)}
	case vegeta.LinearPacer:
		return vegeta.LinearPacer{
			StartAt: vegeta.Rate{Freq: pc.StartAt.Freq, Per: pc.StartAt.Per * time.Duration(n)},
			Slope:   pc.Slope / float64(n),
		}
	case StaircasePacer:
		steps := make([]Step, len(pc.Steps))
		for i, s := range pc.Steps {
			steps[i] = Step{Rate: s.Rate / float64(n), Hold: s.Hold}
		}
		return StaircasePacer{Steps: steps}
	}
	return p
}

func describePacer(p vegeta.Pacer) string {
	switch pc := p.(type) {
	case vegeta.ConstantPacer:
		return "constant " + formatRate(pc.Rate(0)) + "/s"
	case vegeta.LinearPacer:
		return fmt.Sprintf("ramp from %s/s, %+.4g/s per second", formatRate(pc.StartAt.Rate(0)), pc.Slope)
	case StaircasePacer:
		return pc.String()
	case nil:
		return "none"
	}
	return fmt.Sprint(p)
}

func formatRate(r float64) string {
	if math.Abs(r-math.Round(r)) < 1e-9 {
		return strconv.FormatFloat(math.Round(r), 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}

// StaircasePacer paces an attack in steps: each Step holds a constant rate
// for its Hold, then the next begins; after the last step its rate goes on.
// A step of rate 0 is a pause. It is the load shape that finds a capacity
// knee: each stair is long enough to read a steady latency.
type StaircasePacer struct {
	Steps []Step
}

// Step is one stair: Rate requests per second held for Hold.
type Step struct {
	Rate float64       // requests per second, ≥ 0
	Hold time.Duration // > 0; the last step's Hold only matters for String
}

var _ vegeta.Pacer = StaircasePacer{}

func (sp StaircasePacer) validate() error {
	if len(sp.Steps) == 0 {
		return errors.New("stairs: no steps")
	}
	positive := false
	for i, s := range sp.Steps {
		if s.Rate < 0 || math.IsNaN(s.Rate) || math.IsInf(s.Rate, 0) {
			return fmt.Errorf("stairs: step %d has rate %g: want ≥ 0", i+1, s.Rate)
		}
		if s.Hold <= 0 {
			return fmt.Errorf("stairs: step %d holds %s: want > 0", i+1, s.Hold)
		}
		positive = positive || s.Rate > 0
	}
	if !positive {
		return errors.New("stairs: every step has rate 0")
	}
	return nil
}

// String describes the stairs, such as "stairs 100/s@10s → 200/s@10s".
func (sp StaircasePacer) String() string {
	parts := make([]string, len(sp.Steps))
	for i, s := range sp.Steps {
		parts[i] = formatRate(s.Rate) + "/s@" + s.Hold.String()
	}
	return "stairs " + strings.Join(parts, " → ")
}

// Rate returns the rate of the step that elapsed falls in, per second.
func (sp StaircasePacer) Rate(elapsed time.Duration) float64 {
	var at time.Duration
	for i, s := range sp.Steps {
		if elapsed < at+s.Hold || i == len(sp.Steps)-1 {
			return s.Rate
		}
		at += s.Hold
	}
	return 0
}

// Hits returns the hits planned after elapsed: the area under the stairs.
func (sp StaircasePacer) Hits(elapsed time.Duration) float64 {
	var (
		at   time.Duration
		hits float64
	)
	for i, s := range sp.Steps {
		if elapsed <= at+s.Hold || i == len(sp.Steps)-1 {
			return hits + s.Rate*(elapsed-at).Seconds()
		}
		hits += s.Rate * s.Hold.Seconds()
		at += s.Hold
	}
	return hits
}

// Pace returns how long to wait before the next hit: the time at which the
// stairs' area reaches hits+1. It stops the attack when the stairs end on a
// pause.
func (sp StaircasePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if sp.validate() != nil {
		return 0, true
	}
	if float64(hits) < math.Floor(sp.Hits(elapsed)) {
		return 0, false // running behind: send now
	}
	want := float64(hits + 1)
	var (
		at  time.Duration
		cum float64
	)
	for i, s := range sp.Steps {
		last := i == len(sp.Steps)-1
		stepHits := s.Rate * s.Hold.Seconds()
		if !last && cum+stepHits < want {
			cum += stepHits
			at += s.Hold
			continue
		}
		if s.Rate == 0 {
			if last {
				return 0, true
			}
			cum += stepHits
			at += s.Hold
			continue
		}
		t := at + time.Duration((want-cum)/s.Rate*float64(time.Second))
		if t < elapsed {
			return 0, false
		}
		return t - elapsed, false
	}
	return 0, true
}

// ParseRate reads a rate as vegeta writes it: "200/1s", "200/s", "12000/1m"
// or a bare "200" (per second). The rate must be positive.
func ParseRate(s string) (vegeta.Rate, error) {
	s = strings.TrimSpace(s)
	fs, ps, hasPer := strings.Cut(s, "/")
	freq, err := strconv.Atoi(strings.TrimSpace(fs))
	if err != nil || freq <= 0 {
		return vegeta.Rate{}, fmt.Errorf("rate %q: want a positive count per duration, such as 200/1s", s)
	}
	per := time.Second
	if hasPer {
		ps = strings.TrimSpace(ps)
		switch ps {
		case "ns", "us", "µs", "ms", "s", "m", "h":
			ps = "1" + ps
		}
		per, err = time.ParseDuration(ps)
		if err != nil || per <= 0 {
			return vegeta.Rate{}, fmt.Errorf("rate %q: %q is not a positive duration such as 1s", s, ps)
		}
	}
	return vegeta.Rate{Freq: freq, Per: per}, nil
}

// ParseRamp reads "FROM:TO" (two rates, such as "10/1s:500/1s" or
// "10:500") into a vegeta LinearPacer that climbs from FROM to TO over the
// duration.
func ParseRamp(s string, d time.Duration) (vegeta.LinearPacer, error) {
	fs, ts, ok := strings.Cut(s, ":")
	if !ok {
		return vegeta.LinearPacer{}, fmt.Errorf("ramp %q: want FROM:TO, such as 10/1s:500/1s", s)
	}
	from, err := ParseRate(fs)
	if err != nil {
		return vegeta.LinearPacer{}, fmt.Errorf("ramp %q: %w", s, err)
	}
	to, err := ParseRate(ts)
	if err != nil {
		return vegeta.LinearPacer{}, fmt.Errorf("ramp %q: %w", s, err)
	}
	if d <= 0 {
		return vegeta.LinearPacer{}, fmt.Errorf("ramp %q needs --duration: the ramp climbs over it", s)
	}
	return vegeta.LinearPacer{StartAt: from, Slope: (to.Rate(0) - from.Rate(0)) / d.Seconds()}, nil
}

// ParseStairs reads a staircase in one of two forms:
//
//	FROM:TO:STEP        rates FROM, FROM+STEP, … up to TO, the duration split evenly
//	R@HOLD,R@HOLD,…     explicit steps, such as 100@10s,250@10s,500@20s
//
// Rates are written as ParseRate reads them (200, 200/1s, 12000/1m); in
// the explicit form a rate of 0 is a pause.
func ParseStairs(s string, d time.Duration) (StaircasePacer, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		var sp StaircasePacer
		for _, part := range strings.Split(s, ",") {
			rs, hs, ok := strings.Cut(strings.TrimSpace(part), "@")
			if !ok {
				return StaircasePacer{}, fmt.Errorf("stairs %q: step %q has no @HOLD: write every step as RATE@HOLD, such as 100@10s", s, part)
			}
			hold, err := time.ParseDuration(strings.TrimSpace(hs))
			if err != nil || hold <= 0 {
				return StaircasePacer{}, fmt.Errorf("stairs %q: hold %q is not a positive duration", s, hs)
			}
			r := 0.0
			if strings.TrimSpace(rs) != "0" {
				rate, err := ParseRate(rs)
				if err != nil {
					return StaircasePacer{}, fmt.Errorf("stairs %q: %w", s, err)
				}
				r = rate.Rate(0)
			}
			sp.Steps = append(sp.Steps, Step{Rate: r, Hold: hold})
		}
		return sp, sp.validate()
	}
	f := strings.Split(s, ":")
	if len(f) != 3 {
		return StaircasePacer{}, fmt.Errorf("stairs %q: want FROM:TO:STEP (such as 100:500:100) or RATE@HOLD,… (such as 100@10s,200@10s)", s)
	}
	var r [3]float64
	for i, fs := range f {
		rate, err := ParseRate(fs)
		if err != nil {
			return StaircasePacer{}, fmt.Errorf("stairs %q: %w", s, err)
		}
		r[i] = rate.Rate(0)
	}
	from, to, step := r[0], r[1], r[2]
	if to < from {
		return StaircasePacer{}, fmt.Errorf("stairs %q: TO is below FROM; stairs climb", s)
	}
	n := int(math.Floor((to-from)/step+1e-9)) + 1
	if n > 1000 {
		return StaircasePacer{}, fmt.Errorf("stairs %q: %d steps; at most 1000", s, n)
	}
	if d <= 0 {
		return StaircasePacer{}, fmt.Errorf("stairs %q needs --duration: the steps split it", s)
	}
	hold := d / time.Duration(n)
	if hold <= 0 {
		return StaircasePacer{}, fmt.Errorf("stairs %q: %d steps do not fit in %s", s, n, d)
	}
	sp := StaircasePacer{}
	for i := 0; i < n; i++ {
		sp.Steps = append(sp.Steps, Step{Rate: from + float64(i)*step, Hold: hold})
	}
	return sp, sp.validate()
}
