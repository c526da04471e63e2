package stats

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 10000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	cases := map[string]struct {
		q    float64
		want time.Duration
	}{
		"P50":  {q: 0.5, want: 5 * time.Millisecond},
		"P90":  {q: 0.9, want: 9 * time.Millisecond},
		"P99":  {q: 0.99, want: 9900 * time.Microsecond},
		"P999": {q: 0.999, want: 9990 * time.Microsecond},
		"Min":  {q: 0, want: time.Microsecond},
		"Max":  {q: 1, want: 10 * time.Millisecond},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := h.Quantile(c.q)
			if rel := math.Abs(float64(got-c.want)) / float64(c.want); rel > 1.0/64 {
				t.Errorf("Quantile(%v) = %s, want %s within 1/64", c.q, got, c.want)
			}
		})
	}
	if got, want := h.Mean(), 5000500*time.Nanosecond; got != want {
		t.Errorf("Mean() = %s, want %s", got, want)
	}
	if h.Count() != 10000 || h.Min() != time.Microsecond || h.Max() != 10*time.Millisecond {
		t.Errorf("got count %d min %s max %s", h.Count(), h.Min(), h.Max())
	}
}

func TestHistogramSmallValuesAreExact(t *testing.T) {
	var h Histogram
	for _, v := range []time.Duration{0, 5, 127, -3} {
		h.Record(v)
	}
	if got := h.Quantile(0.75); got != 5 {
		t.Errorf("Quantile(0.75) = %d, want 5", got)
	}
	if h.Min() != 0 || h.Max() != 127 {
		t.Errorf("got min %d max %d, want 0 and 127", h.Min(), h.Max())
	}
}

func TestHistogramMergeEqualsOneHistogram(t *testing.T) {
	var a, b, all Histogram
	for i := 0; i < 5000; i++ {
		d := time.Duration(i*i) * time.Nanosecond
		all.Record(d)
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	for _, q := range []float64{0.1, 0.5, 0.9, 0.99} {
		if got, want := a.Quantile(q), all.Quantile(q); got != want {
			t.Errorf("merged Quantile(%v) = %s, want %s", q, got, want)
		}
	}
	if a.Count() != all.Count() || a.Min() != all.Min() || a.Max() != all.Max() || a.Mean() != all.Mean() {
		t.Errorf("merged %d/%s/%s/%s, want %d/%s/%s/%s", a.Count(), a.Min(), a.Max(), a.Mean(), all.Count(), all.Min(), all.Max(), all.Mean())
	}
}

func TestHistogramJSONRoundTrip(t *testing.T) {
	var h Histogram
	for i := 0; i < 1000; i++ {
		h.Record(time.Duration(i*37) * time.Microsecond)
	}
	b, err := json.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	var back Histogram
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, q := range []float64{0, 0.5, 0.99, 1} {
		if got, want := back.Quantile(q), h.Quantile(q); got != want {
			t.Errorf("after a round trip Quantile(%v) = %s, want %s", q, got, want)
		}
	}
	for _, bad := range []string{`{"count":2,"buckets":[[1,1]]}`, `{"count":1,"buckets":[[99999,1]]}`, `[`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("Unmarshal(%s) = nil error, want one", bad)
		}
	}
}
