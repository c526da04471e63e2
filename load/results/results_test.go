package results

import (
	"bufio"
	"jmcheck/load/stats"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// shardResults is a synthetic shard: n requests, one every step from
// start, with latencies from lat(i), alternating two routes.
type shardResults struct {
	attack string
	start  time.Time
	step   time.Duration
	n      int
	lat    func(i int) time.Duration
	code   func(i int) uint16 // nil: 200
}

func (sr shardResults) results() []vegeta.Result {
	out := make([]vegeta.Result, sr.n)
	for i := range out {
		r := vegeta.Result{
			Attack: sr.attack, Seq: uint64(i), Code: 200, Method: "GET",
			URL:       "http://127.0.0.1:1/v1/users/" + sr.attack + "-u" + string(rune('a'+i%26)),
			Timestamp: sr.start.Add(time.Duration(i) * sr.step), Latency: sr.lat(i),
		}
		if i%3 == 0 {
			r.URL = "http://127.0.0.1:1/v1/groups/7"
		}
		if sr.code != nil {
			r.Code = sr.code(i)
			if r.Code >= 400 {
				r.Error = "status: " + http403
			}
		}
		out[i] = r
	}
	return out
}

const http403 = "403, want 200"

// writeShard writes results as a gob result file and returns its path.
func writeShard(t *testing.T, dir, name string, rs []vegeta.Result) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc, err := NewEncoder(w, FormatGob)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rs {
		if err := enc.Encode(&rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadResultsMergesShardsExactly(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	shards := []shardResults{
		{attack: "mixed-shard0", start: t0, step: 10 * time.Millisecond, n: 300, lat: func(i int) time.Duration { return time.Duration(1+i%50) * time.Millisecond }},
		{attack: "mixed-shard1", start: t0.Add(3 * time.Millisecond), step: 10 * time.Millisecond, n: 300, lat: func(i int) time.Duration { return time.Duration(40+i%90) * time.Millisecond },
			code: func(i int) uint16 {
				if i%100 == 0 {
					return 403
				}
				return 200
			}},
		{attack: "mixed-shard2", start: t0.Add(7 * time.Millisecond), step: 15 * time.Millisecond, n: 200, lat: func(i int) time.Duration { return time.Duration(200+i) * time.Microsecond }},
	}
	dir := t.TempDir()
	var paths []string
	whole := stats.NewStats(time.Time{}) // every result in one stream: what the merge must equal
	var perShard []uint64
	for i, sh := range shards {
		rs := sh.results()
		paths = append(paths, writeShard(t, dir, "shard-"+string(rune('0'+i))+".gob", rs))
		for j := range rs {
			s := stats.SampleOf(&rs[j])
			whole.Add(&s)
		}
		perShard = append(perShard, uint64(len(rs)))
	}
	got, err := Read(paths, func(p string) bool { return p == "mixed" })
	if err != nil {
		t.Fatal(err)
	}
	want := whole.Summary()
	if got.Requests != 800 || got.Requests != want.Requests || got.Failed != want.Failed || got.Failed != 3 {
		t.Errorf("got %d requests, %d failed; want %d and %d (3 failed)", got.Requests, got.Failed, want.Requests, want.Failed)
	}
	if got.Latency != want.Latency {
		t.Errorf("merged latency %+v, want %+v (one stream)", got.Latency, want.Latency)
	}
	if len(got.Routes) != len(want.Routes) {
		t.Fatalf("got %d routes, want %d", len(got.Routes), len(want.Routes))
	}
	for i := range got.Routes {
		g, w := got.Routes[i], want.Routes[i]
		if g.Route != w.Route || g.Requests != w.Requests || g.Failed != w.Failed || g.Latency != w.Latency {
			t.Errorf("route %s: got %d requests %d failed %+v; want %d %d %+v", g.Route, g.Requests, g.Failed, g.Latency, w.Requests, w.Failed, w.Latency)
		}
	}
	answers := map[[2]int]uint64{}
	for _, a := range got.Answers {
		answers[[2]int{a.Status, int(a.Code)}] += a.Count
	}
	if answers[[2]int{200, 0}] != 797 || answers[[2]int{403, 0}] != 3 {
		t.Errorf("got answers %v, want 797 × 200 and 3 × 403", answers)
	}
	// The merged histogram gives the percentiles of all shards together.
	if p99 := got.Latency.P99; p99 < 120*time.Millisecond || p99 > 130*time.Millisecond {
		t.Errorf("merged p99 %s, want about 125ms (shard 1's tail)", p99)
	}
	if got.Profile != "mixed" {
		t.Errorf("profile %q, want mixed from the attack names", got.Profile)
	}
	if len(got.Shards) != 3 {
		t.Fatalf("got %d shard spans, want 3", len(got.Shards))
	}
	var sumRate float64
	for i, sp := range got.Shards {
		if sp.Requests != perShard[i] || sp.File != paths[i] || sp.Attack != shards[i].attack {
			t.Errorf("span %d: got %+v, want %d requests of %s in %s", i, sp, perShard[i], shards[i].attack, paths[i])
		}
		sumRate += sp.Rate
	}
	if got.Rate.ShardSum != sumRate || sumRate < 266 || sumRate > 267 {
		t.Errorf("sum of the shards' rates %.2f (spans say %.2f), want about 100+100+66.7", got.Rate.ShardSum, sumRate)
	}
	if len(got.Warnings) != 0 {
		t.Errorf("got warnings %q for shards that started within 7ms", got.Warnings)
	}
}

func TestReadResultsWarnsOnSkewedShardClocks(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	flat := func(int) time.Duration { return time.Millisecond }
	dir := t.TempDir()
	a := writeShard(t, dir, "a.gob", shardResults{attack: "mixed-shard0", start: t0, step: 10 * time.Millisecond, n: 1001, lat: flat}.results())
	b := writeShard(t, dir, "b.gob", shardResults{attack: "mixed-shard1", start: t0.Add(2 * time.Second), step: 10 * time.Millisecond, n: 1001, lat: flat}.results())
	sum, err := Read([]string{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Warnings) != 1 {
		t.Fatalf("got warnings %q, want one about clock skew", sum.Warnings)
	}
	for _, want := range []string{"shard clocks disagree", "first requests 2s apart", a + " earliest", b + " latest", "20.0% of the median shard's 10s", "merged rate 166.8/s", "17% under", "200.0/s"} {
		if !strings.Contains(sum.Warnings[0], want) {
			t.Errorf("warning lacks %q:\n%s", want, sum.Warnings[0])
		}
	}
	if sum.Requests != 2002 {
		t.Errorf("got %d requests, want 2002: skew never changes counts", sum.Requests)
	}
}

func TestSkewWarning(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	span := func(name string, offset, d time.Duration) stats.ShardSpan {
		sp := stats.ShardSpan{File: name, Requests: 1001, First: t0.Add(offset), Last: t0.Add(offset + d)}
		sp.Finish()
		return sp
	}
	cases := map[string]struct {
		spans []stats.ShardSpan
		want  string // part of the warning, "" for none
	}{
		"Together":       {spans: []stats.ShardSpan{span("a", 0, 10*time.Second), span("b", 20*time.Millisecond, 10*time.Second)}},
		"UnderShare":     {spans: []stats.ShardSpan{span("a", 0, 10*time.Second), span("b", 400*time.Millisecond, 10*time.Second)}},
		"OverShare":      {spans: []stats.ShardSpan{span("a", 0, 10*time.Second), span("b", 600*time.Millisecond, 10*time.Second)}, want: "600ms apart"},
		"UnderFloor":     {spans: []stats.ShardSpan{span("a", 0, time.Second), span("b", 90*time.Millisecond, time.Second)}},
		"OverFloor":      {spans: []stats.ShardSpan{span("a", 0, time.Second), span("b", 150*time.Millisecond, time.Second)}, want: "15.0% of the median"},
		"EndsDisagree":   {spans: []stats.ShardSpan{span("a", 0, 10*time.Second), span("b", 0, 9*time.Second)}, want: "last requests 1s apart"},
		"MedianOfThree":  {spans: []stats.ShardSpan{span("a", 0, 10*time.Second), span("b", 0, 10*time.Second), span("c", 3*time.Second, 10*time.Second)}, want: "c latest"},
		"OneShard":       {spans: []stats.ShardSpan{span("a", 0, 10*time.Second)}},
		"SingleRequests": {spans: []stats.ShardSpan{{File: "a", Requests: 1, First: t0, Last: t0}, {File: "b", Requests: 1, First: t0.Add(time.Hour), Last: t0.Add(time.Hour)}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := SkewWarning(c.spans, 0)
			switch {
			case c.want == "" && got != "":
				t.Errorf("got warning %q, want none", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("got warning %q, want one with %q", got, c.want)
			}
		})
	}
}

func TestReadResultsNamesAnEmptyShardFile(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "shard-0.gob")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	good := writeShard(t, dir, "shard-1.gob", shardResults{attack: "mixed-shard1", start: time.Now(), step: time.Millisecond, n: 3,
		lat: func(int) time.Duration { return time.Millisecond }}.results())
	_, err := Read([]string{good, empty}, nil)
	if err == nil || !strings.Contains(err.Error(), "shard-0.gob: empty") {
		t.Errorf("got %v, want an error naming the empty shard-0.gob", err)
	}
}
