package pace

import (
	"math"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestParseRate(t *testing.T) {
	cases := map[string]struct {
		in      string
		want    vegeta.Rate
		wantErr bool
	}{
		"PerSecond":   {in: "200/1s", want: vegeta.Rate{Freq: 200, Per: time.Second}},
		"ShortUnit":   {in: "200/s", want: vegeta.Rate{Freq: 200, Per: time.Second}},
		"Bare":        {in: "200", want: vegeta.Rate{Freq: 200, Per: time.Second}},
		"PerMinute":   {in: "12000/1m", want: vegeta.Rate{Freq: 12000, Per: time.Minute}},
		"Spaces":      {in: " 5 / 2s ", want: vegeta.Rate{Freq: 5, Per: 2 * time.Second}},
		"Zero":        {in: "0", wantErr: true},
		"Negative":    {in: "-1/1s", wantErr: true},
		"NoCount":     {in: "/1s", wantErr: true},
		"BadDuration": {in: "10/fortnight", wantErr: true},
		"ZeroPer":     {in: "10/0s", wantErr: true},
		"Fraction":    {in: "1.5/1s", wantErr: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ParseRate(c.in)
			if (err != nil) != c.wantErr {
				t.Fatalf("ParseRate(%q) error = %v, want error %v", c.in, err, c.wantErr)
			}
			if !c.wantErr && got != c.want {
				t.Errorf("ParseRate(%q) = %+v, want %+v", c.in, got, c.want)
			}
		})
	}
}

func TestParseRamp(t *testing.T) {
	got, err := ParseRamp("10/1s:110/1s", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.StartAt.Rate(0) != 10 || math.Abs(got.Slope-10) > 1e-9 {
		t.Errorf("got start %v slope %v, want 10 and 10", got.StartAt.Rate(0), got.Slope)
	}
	if h := PlannedHits(got, 10*time.Second); math.Abs(h-600) > 1e-6 {
		t.Errorf("got %v planned hits, want 600 (the mean of 10 and 110 over 10s)", h)
	}
	for _, bad := range []string{"10", "0:100", "10:x", "a:10"} {
		if _, err := ParseRamp(bad, time.Second); err == nil {
			t.Errorf("ParseRamp(%q) = nil error, want one", bad)
		}
	}
	if _, err := ParseRamp("10:20", 0); err == nil {
		t.Error("ParseRamp without a duration = nil error, want one")
	}
}

func TestParseStairs(t *testing.T) {
	cases := map[string]struct {
		in      string
		d       time.Duration
		want    []Step
		wantErr bool
	}{
		"Range": {in: "100:300:100", d: 30 * time.Second, want: []Step{{100, 10 * time.Second}, {200, 10 * time.Second}, {300, 10 * time.Second}}},
		"List":  {in: "100@5s, 250/1s@10s,0@1s,50@2s", want: []Step{{100, 5 * time.Second}, {250, 10 * time.Second}, {0, time.Second}, {50, 2 * time.Second}}},
		"PerMinute": {in: "60/1m:120/1m:60/1m", d: 2 * time.Second,
			want: []Step{{1, time.Second}, {2, time.Second}}},
		"Descending":    {in: "300:100:100", d: time.Second, wantErr: true},
		"NoDuration":    {in: "100:300:100", wantErr: true},
		"TwoFields":     {in: "100:300", d: time.Second, wantErr: true},
		"MissingHold":   {in: "100@5s,200", wantErr: true},
		"BadHold":       {in: "100@soon", wantErr: true},
		"AllPauses":     {in: "0@1s,0@2s", wantErr: true},
		"TooManySteps":  {in: "1:100000:1", d: time.Hour, wantErr: true},
		"NegativeHold":  {in: "10@-1s", wantErr: true},
		"ZeroRateRange": {in: "0:10:5", d: time.Second, wantErr: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ParseStairs(c.in, c.d)
			if (err != nil) != c.wantErr {
				t.Fatalf("ParseStairs(%q) error = %v, want error %v", c.in, err, c.wantErr)
			}
			if c.wantErr {
				return
			}
			if len(got.Steps) != len(c.want) {
				t.Fatalf("got %d steps %+v, want %+v", len(got.Steps), got.Steps, c.want)
			}
			for i := range c.want {
				if math.Abs(got.Steps[i].Rate-c.want[i].Rate) > 1e-9 || got.Steps[i].Hold != c.want[i].Hold {
					t.Errorf("step %d: got %+v, want %+v", i, got.Steps[i], c.want[i])
				}
			}
		})
	}
}

func TestStaircasePacer(t *testing.T) {
	sp := StaircasePacer{Steps: []Step{{Rate: 10, Hold: time.Second}, {Rate: 0, Hold: time.Second}, {Rate: 20, Hold: time.Second}}}
	cases := map[string]struct {
		elapsed  time.Duration
		hits     uint64
		wantWait time.Duration
		wantStop bool
	}{
		"FirstHit":          {elapsed: 0, hits: 0, wantWait: 100 * time.Millisecond},
		"OnSchedule":        {elapsed: 250 * time.Millisecond, hits: 2, wantWait: 50 * time.Millisecond},
		"Behind":            {elapsed: 500 * time.Millisecond, hits: 1, wantWait: 0},
		"AcrossThePause":    {elapsed: 1100 * time.Millisecond, hits: 10, wantWait: 950 * time.Millisecond},
		"SecondStair":       {elapsed: 2000 * time.Millisecond, hits: 11, wantWait: 100 * time.Millisecond},
		"LastStairGoesOn":   {elapsed: 10 * time.Second, hits: 170, wantWait: 50 * time.Millisecond},
		"BehindOnTheLast":   {elapsed: 10 * time.Second, hits: 169, wantWait: 0},
		"AheadOfLastStair":  {elapsed: 3 * time.Second, hits: 30, wantWait: 50 * time.Millisecond},
		"BehindOnLastStair": {elapsed: 3 * time.Second, hits: 5, wantWait: 0},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			wait, stop := sp.Pace(c.elapsed, c.hits)
			if stop != c.wantStop || absDur(wait-c.wantWait) > time.Microsecond {
				t.Errorf("Pace(%s, %d) = %s, %v; want %s, %v", c.elapsed, c.hits, wait, stop, c.wantWait, c.wantStop)
			}
		})
	}
	if got := sp.Hits(3 * time.Second); math.Abs(got-30) > 1e-9 {
		t.Errorf("Hits(3s) = %v, want 30", got)
	}
	if got := sp.Rate(1500 * time.Millisecond); got != 0 {
		t.Errorf("Rate(1.5s) = %v, want 0 (the pause)", got)
	}
	if got := sp.Rate(time.Hour); got != 20 {
		t.Errorf("Rate(1h) = %v, want 20 (the last stair goes on)", got)
	}
	// Stairs that end on a pause stop the attack once it is reached.
	pause := StaircasePacer{Steps: []Step{{Rate: 10, Hold: time.Second}, {Rate: 0, Hold: time.Second}}}
	if _, stop := pause.Pace(time.Second, 10); !stop {
		t.Error("stairs ending on a pause did not stop")
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func TestPacingSplitAndCap(t *testing.T) {
	cases := map[string]struct {
		p    vegeta.Pacer
		at   time.Duration
		want float64 // planned hits of one of three shards
	}{
		"Constant": {p: vegeta.ConstantPacer{Freq: 300, Per: time.Second}, at: 2 * time.Second, want: 200},
		"Linear":   {p: vegeta.LinearPacer{StartAt: vegeta.Rate{Freq: 30, Per: time.Second}, Slope: 30}, at: 2 * time.Second, want: 40},
		"Stairs":   {p: StaircasePacer{Steps: []Step{{Rate: 30, Hold: time.Second}, {Rate: 60, Hold: time.Second}}}, at: 2 * time.Second, want: 30},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := Pacing{Pacer: c.p, Duration: c.at, MaxRequests: 1000}.Split(3)
			if got := p.Hits(c.at); math.Abs(got-c.want) > 1e-6 {
				t.Errorf("a third of the plan: got %v hits, want %v", got, c.want)
			}
			if p.MaxRequests != 334 {
				t.Errorf("got cap %d, want 334 (a third, rounded up)", p.MaxRequests)
			}
		})
	}
	p := Pacing{Pacer: vegeta.ConstantPacer{Freq: 100, Per: time.Second}, Duration: time.Minute, MaxRequests: 5}
	if got := p.Hits(time.Minute); got != 5 {
		t.Errorf("capped plan: got %v hits, want 5", got)
	}
	if _, stop := p.capped().Pace(0, 5); !stop {
		t.Error("the capped pacer did not stop after its cap")
	}
	if _, stop := p.capped().Pace(0, 4); stop {
		t.Error("the capped pacer stopped before its cap")
	}
}

func TestBoundedPacer(t *testing.T) {
	closed := make(chan struct{})
	close(closed)
	hourly := vegeta.ConstantPacer{Freq: 1, Per: time.Hour}
	cases := map[string]struct {
		p        Pacing
		done     <-chan struct{}
		elapsed  time.Duration
		hits     uint64
		wantWait time.Duration
		wantStop bool
	}{
		"ShortWaitAsVegetaSaid": {p: Pacing{Pacer: vegeta.ConstantPacer{Freq: 100, Per: time.Second}, Duration: time.Minute}, hits: 1, wantWait: 20 * time.Millisecond},
		"LastHitAtTheEnd":       {p: Pacing{Pacer: hourly, Duration: time.Second}, elapsed: 950 * time.Millisecond, wantWait: 50 * time.Millisecond},
		"PastTheEnd":            {p: Pacing{Pacer: hourly, Duration: time.Second}, elapsed: 2 * time.Second, wantWait: 0},
		"LongWaitInterrupted":   {p: Pacing{Pacer: hourly, Duration: 2 * time.Hour}, done: closed, wantStop: true},
		"CapReached":            {p: Pacing{Pacer: hourly, Duration: time.Hour, MaxRequests: 1}, hits: 1, wantStop: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			wait, stop := c.p.Bounded(c.done).Pace(c.elapsed, c.hits)
			if wait != c.wantWait || stop != c.wantStop {
				t.Errorf("Pace(%s, %d) = %s, %v; want %s, %v", c.elapsed, c.hits, wait, stop, c.wantWait, c.wantStop)
			}
		})
	}
	// A long wait is slept in Pace, never cut short without done.
	p := Pacing{Pacer: vegeta.ConstantPacer{Freq: 5, Per: time.Second}, Duration: time.Minute}
	began := time.Now()
	wait, stop := p.Bounded(nil).Pace(0, 0)
	if slept := time.Since(began); wait != 0 || stop || slept < 200*time.Millisecond {
		t.Errorf("Pace(0, 0) at 5/s = %s, %v after %s; want 0, false after 200ms", wait, stop, slept)
	}
}

func TestPacingValidate(t *testing.T) {
	cases := map[string]struct {
		p       Pacing
		wantErr bool
	}{
		"Duration":   {p: Pacing{Pacer: vegeta.ConstantPacer{Freq: 1, Per: time.Second}, Duration: time.Second}},
		"Cap":        {p: Pacing{Pacer: vegeta.ConstantPacer{Freq: 1, Per: time.Second}, MaxRequests: 3}},
		"Unbounded":  {p: Pacing{Pacer: vegeta.ConstantPacer{Freq: 1, Per: time.Second}}, wantErr: true},
		"NoPacer":    {p: Pacing{Duration: time.Second}, wantErr: true},
		"ZeroRate":   {p: Pacing{Pacer: vegeta.ConstantPacer{}, Duration: time.Second}, wantErr: true},
		"ZeroRamp":   {p: Pacing{Pacer: vegeta.LinearPacer{Slope: 1}, Duration: time.Second}, wantErr: true},
		"EmptyStair": {p: Pacing{Pacer: StaircasePacer{}, Duration: time.Second}, wantErr: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if err := c.p.Validate(); (err != nil) != c.wantErr {
				t.Errorf("Validate() = %v, want error %v", err, c.wantErr)
			}
		})
	}
}
