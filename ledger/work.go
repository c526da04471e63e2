package ledger

import (
	"context"
	"sync"
	"time"

	"jmcheck/client"
)

// Bitset is a growable set of small integers: the ledger's record of the
// names of a run's space, and the load profiles' sets of counters.
type Bitset []uint64

// Set adds i.
func (b *Bitset) Set(i uint64) {
	w := int(i / 64)
	if w >= len(*b) {
		*b = append(*b, make([]uint64, w+1-len(*b))...)
	}
	(*b)[w] |= 1 << (i % 64)
}

// Has reports whether i was added.
func (b Bitset) Has(i uint64) bool {
	w := int(i / 64)
	return w < len(b) && b[w]&(1<<(i%64)) != 0
}

func (b Bitset) word(w int) uint64 {
	if w < len(b) {
		return b[w]
	}
	return 0
}

// Parallel runs f for i in [0,n) on up to workers goroutines, ticking bar
// after each (the caller finishes it). Before it hands out each i it waits
// for lim (nil: no limit), and it stops early when ctx ends or unusable
// (nil: never) reports the target unusable; it returns why it stopped.
// Cleanup, and load's seeding and verification, send their requests so.
func Parallel(ctx context.Context, n, workers int, lim *Limiter, unusable func() error, bar Bar, f func(ctx context.Context, i int)) error {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(ctx, i)
				_ = bar.Add(1)
			}
		}()
	}
	var err error
	for i := 0; i < n; i++ {
		if err = lim.Wait(ctx); err != nil {
			break
		}
		if unusable != nil {
			if err = unusable(); err != nil {
				break
			}
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return err
}

// Limiter spaces requests at a rate shared by several workers.
type Limiter struct {
	mu       sync.Mutex
	next     time.Time
	interval time.Duration
}

// NewLimiter returns a limiter of rate requests per second; 0 or less: no
// limit.
func NewLimiter(rate float64) *Limiter {
	if rate <= 0 {
		return &Limiter{}
	}
	return &Limiter{interval: time.Duration(float64(time.Second) / rate)}
}

// Wait blocks until the next request may go, or ctx ends. A nil Limiter
// never waits.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil || l.interval == 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	at := l.next
	l.next = l.next.Add(l.interval)
	l.mu.Unlock()
	return client.Sleep(ctx, time.Until(at))
}
