package load

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"jmcheck/load/op"
	"jmcheck/load/stats"
	"jmcheck/spec"
)

func init() { Register(func() Profile { return &registerBatch{} }) }

// registerBatch POSTs batches of --batch new users, every item of every
// 201 checked; an exact share of --oversize-ratio carries 501 items and
// must be refused whole with 403 899013.
type registerBatch struct {
	ratio     float64
	registers atomic.Uint64 // register requests picked, for the oversize share
	batch     op.Batch
}

func (p *registerBatch) Info() Info {
	return Info{Name: "register-batch", Summary: "POSTs of --batch unique users; every item of every 201 checked; --oversize-ratio sends 501 items that must answer 403 " + spec.CodeBatchTooLarge.String(), Rate: "10/1s"}
}

func (p *registerBatch) Defaults(o *Options) {
	if o.Batch == 0 {
		o.Batch = 500
	}
	if o.Seed == 0 {
		o.Seed = 100 // unused; a valid value
	}
}

func (p *registerBatch) Validate(o Options) error { return o.noHistory(p.Info().Name) }

func (p *registerBatch) Setup(_ context.Context, s *Setup) error {
	e := s.Env
	p.ratio = s.Options.OversizeRatio
	op.Register(e, "register", s.Options.Batch, false, 1, &p.batch, nil)
	if p.ratio > 0 {
		op.Register(e, "register-oversize", 501, true, 0, &p.batch, nil)
		e.Pick = p.pick
	}
	e.Finish()
	return nil
}

// pick sends oversize batches at an exact share: request k is oversize
// when the running total of the ratio crosses a whole number.
func (p *registerBatch) pick() int {
	k := float64(p.registers.Add(1) - 1)
	if math.Floor((k+1)*p.ratio) > math.Floor(k*p.ratio) {
		return 1
	}
	return 0
}

func (p *registerBatch) Judge(*stats.Summary) (checks, problems []string) {
	if n := p.batch.Items.Load(); n > 0 {
		checks = append(checks, fmt.Sprintf("register items checked: %d, created: %d", n, p.batch.Created.Load()))
	}
	return checks, nil
}
