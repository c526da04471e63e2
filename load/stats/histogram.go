package stats

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"time"
)

// Histogram is a mergeable log-linear latency histogram in the manner of
// HdrHistogram: exact below 128ns, then 64 buckets per power of two, so a
// quantile is off by at most 1/64 (1.6%). Memory grows with the spread of
// the values, not their number (one 512-byte chunk per power of two seen),
// and two histograms merge exactly: shards add up.
type Histogram struct {
	low    *[histLow]uint64 // allocated on the first value under 128ns
	chunks [64]*[histSub]uint64
	count  uint64
	sum    float64 // nanoseconds
	min    time.Duration
	max    time.Duration
}

const (
	histSubBits = 6
	histSub     = 1 << histSubBits // buckets per power of two
	histLow     = 2 * histSub      // exact buckets for 0..127ns
)

// Record adds one latency; negative values count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	if h.count == 0 || time.Duration(v) < h.min {
		h.min = time.Duration(v)
	}
	if time.Duration(v) > h.max {
		h.max = time.Duration(v)
	}
	h.count++
	h.sum += float64(v)
	if v < histLow {
		if h.low == nil {
			h.low = new([histLow]uint64)
		}
		h.low[v]++
		return
	}
	e := bits.Len64(v) - histSubBits - 1 // ≥ 1
	c := h.chunks[e]
	if c == nil {
		c = new([histSub]uint64)
		h.chunks[e] = c
	}
	c[(v>>uint(e))-histSub]++
}

// Merge adds every value of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.count == 0 {
		return
	}
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.count += o.count
	h.sum += o.sum
	if o.low != nil {
		if h.low == nil {
			h.low = new([histLow]uint64)
		}
		for i, n := range o.low {
			h.low[i] += n
		}
	}
	for e, oc := range o.chunks {
		if oc == nil {
			continue
		}
		c := h.chunks[e]
		if c == nil {
			c = new([histSub]uint64)
			h.chunks[e] = c
		}
		for i, n := range oc {
			c[i] += n
		}
	}
}

// Count returns the number of recorded values.
func (h *Histogram) Count() uint64 { return h.count }

// Min returns the smallest value, exactly.
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest value, exactly.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the mean value.
func (h *Histogram) Mean() time.Duration {
	if h.count == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.count))
}

// Quantile returns the value at quantile q (0..1): the midpoint of the
// bucket that holds the ceil(q·count)-th value, clamped to [Min, Max].
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	if q <= 0 {
		return h.min
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(math.Ceil(q * float64(h.count)))
	if rank == 0 {
		rank = 1
	}
	var seen uint64
	if h.low != nil {
		for v, n := range h.low {
			if seen += n; seen >= rank {
				return h.clamp(time.Duration(v))
			}
		}
	}
	for e := 1; e < len(h.chunks); e++ {
		c := h.chunks[e]
		if c == nil {
			continue
		}
		for i, n := range c {
			if seen += n; seen >= rank {
				lo := uint64(i+histSub) << uint(e)
				return h.clamp(time.Duration(lo + (uint64(1)<<uint(e))/2))
			}
		}
	}
	return h.max
}

func (h *Histogram) clamp(d time.Duration) time.Duration {
	return max(h.min, min(d, h.max))
}

// histJSON is the sparse wire form of a Histogram: [bucket index, count]
// pairs, where an index below 128 is an exact value and above it 128+64·(e-1)+i.
type histJSON struct {
	Count   uint64      `json:"count"`
	SumNS   float64     `json:"sum_ns"`
	MinNS   int64       `json:"min_ns"`
	MaxNS   int64       `json:"max_ns"`
	Buckets [][2]uint64 `json:"buckets"`
}

// MarshalJSON writes the histogram sparsely, so that summaries of shards
// can be merged later without their result files.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	out := histJSON{Count: h.count, SumNS: h.sum, MinNS: int64(h.min), MaxNS: int64(h.max), Buckets: [][2]uint64{}}
	if h.low != nil {
		for v, n := range h.low {
			if n > 0 {
				out.Buckets = append(out.Buckets, [2]uint64{uint64(v), n})
			}
		}
	}
	for e := 1; e < len(h.chunks); e++ {
		if c := h.chunks[e]; c != nil {
			for i, n := range c {
				if n > 0 {
					out.Buckets = append(out.Buckets, [2]uint64{uint64(histLow + (e-1)*histSub + i), n})
				}
			}
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (h *Histogram) UnmarshalJSON(b []byte) error {
	var in histJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	*h = Histogram{count: in.Count, sum: in.SumNS, min: time.Duration(in.MinNS), max: time.Duration(in.MaxNS)}
	var total uint64
	for _, p := range in.Buckets {
		idx, n := p[0], p[1]
		total += n
		if idx < histLow {
			if h.low == nil {
				h.low = new([histLow]uint64)
			}
			h.low[idx] += n
			continue
		}
		e := int((idx-histLow)/histSub) + 1
		if e >= len(h.chunks) {
			return fmt.Errorf("histogram: bucket index %d out of range", idx)
		}
		if h.chunks[e] == nil {
			h.chunks[e] = new([histSub]uint64)
		}
		h.chunks[e][(idx-histLow)%histSub] += n
	}
	if total != in.Count {
		return fmt.Errorf("histogram: buckets hold %d values, count says %d", total, in.Count)
	}
	return nil
}
