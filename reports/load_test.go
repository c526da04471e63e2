package reports

import (
	"bytes"
	"flag"
	"jmcheck/ledger"
	"jmcheck/load/check"
	"jmcheck/load/results"
	"jmcheck/load/stats"
	"jmcheck/spec"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The golden files are refreshed with: go test ./reports -run Load -update
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func loadUpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// loadFixture builds a summary from fixed samples: a paginate run with a
// slow deep end, a few failures, thresholds and a cleanup.
func loadFixture() *stats.Summary {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := stats.NewStats(t0)
	for i := 0; i < 400; i++ {
		start := (i % 20) * 500
		s := stats.Sample{
			Route: spec.RouteListUsers, Status: 200, Offset: start,
			URL:       "http://127.0.0.1:8080/v1/users/?start=" + loadItoa(start) + "&count=500",
			Timestamp: t0.Add(time.Duration(i) * 25 * time.Millisecond),
			Latency:   time.Duration(500+start/10+i%7*40) * time.Microsecond,
			BytesIn:   9000,
		}
		switch {
		case i == 123:
			s.Reason, s.Detail = check.Body, "body: tiling: user j1-0-u77 is on two pages of sweep 7 (a repeat)"
		case i == 321:
			s.Status, s.Code, s.Reason, s.Detail = 500, 899000, check.Status, "status: 500 899000, want 200"
		case i%50 == 0:
			s.Status, s.Code, s.Expected = 503, 899030, true
		}
		st.Add(&s)
	}
	sum := st.Summary()
	sum.Profile, sum.RunID, sum.Target = "paginate-users", "jfixture1", "http://127.0.0.1:8080"
	sum.Pacing = "constant 40/s for 10s"
	sum.Rate.Target, sum.Rate.Planned, sum.Rate.Ratio = 40, 400, 1
	sum.Checks = []string{"sent: list-users 400", "sequential sweeps of 20 pages: 20 complete, 19 tiled with no repeat and no gap"}
	sum.Verify = &stats.VerifyResult{Method: "list", Checked: 10000}
	sum.Cleanup = &ledger.Report{Users: 10000}
	for _, s := range []string{"p99<50ms", "errors<0.1%"} {
		th, _ := stats.ParseThreshold(s)
		sum.Thresholds = append(sum.Thresholds, th.Eval(sum))
	}
	sum.Problems = []string{"2 of 400 requests failed their checks (status 1, body 1)", "threshold crossed: errors<0.1%, actual 0.5%"}
	sum.Pass = false
	return sum
}

func loadItoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func TestLoadReportsMatchGoldenFiles(t *testing.T) {
	cases := map[string]struct {
		file   string
		render func(w *bytes.Buffer, s *stats.Summary) error
	}{
		"Text": {file: "load_summary.txt", render: func(w *bytes.Buffer, s *stats.Summary) error { return WriteLoadText(w, s) }},
		"JSON": {file: "load_summary.json", render: func(w *bytes.Buffer, s *stats.Summary) error { return WriteLoadJSON(w, s) }},
		"HTML": {file: "load_summary.html", render: func(w *bytes.Buffer, s *stats.Summary) error { return WriteLoadHTML(w, s) }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := c.render(&got, loadFixture()); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", c.file)
			if loadUpdateGolden() {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./reports -run Load -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from %s; run with -update after checking the change:\n%s", name, path, loadFirstDiff(got.String(), string(want)))
			}
		})
	}
}

func loadFirstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + loadItoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

func TestLoadHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLoadHTML(&b, loadFixture()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, banned := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(page, banned) {
			t.Errorf("the page holds %q: it must load nothing", banned)
		}
	}
	for _, want := range []string{"Latency over time", "Latency by start offset", "<svg", "<polyline", "FAIL", "threshold crossed"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestLoadTextShowsTheOffsetPlot(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLoadText(&b, loadFixture()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Latency by start offset", "[9500, 10000)", "p50 █  p99 ░", "Why it failed", "FAIL  errors<0.1%"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text report lacks %q:\n%s", want, out)
		}
	}
}

type loadFailingWriter struct{}

func (loadFailingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestLoadReportsReturnWriteErrors(t *testing.T) {
	for name, render := range map[string]func(*stats.Summary) error{
		"Text": func(s *stats.Summary) error { return WriteLoadText(loadFailingWriter{}, s) },
		"JSON": func(s *stats.Summary) error { return WriteLoadJSON(loadFailingWriter{}, s) },
		"HTML": func(s *stats.Summary) error { return WriteLoadHTML(loadFailingWriter{}, s) },
	} {
		if err := render(loadFixture()); err == nil {
			t.Errorf("%s: got nil error writing to a closed writer", name)
		}
	}
}

func TestLoadTicks(t *testing.T) {
	cases := map[string]struct {
		lo, hi float64
		want   []float64
	}{
		"Milliseconds": {0, 9.3, []float64{0, 2, 4, 6, 8, 10}},
		"Seconds":      {0.05, 9.95, []float64{0, 2, 4, 6, 8, 10}},
		"Offsets":      {250, 9750, []float64{0, 2000, 4000, 6000, 8000, 10000}},
		"Flat":         {5, 5, []float64{5, 5.2, 5.4, 5.6, 5.8, 6}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := loadTicks(c.lo, c.hi, 5)
			if len(got) != len(c.want) {
				t.Fatalf("loadTicks(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
			}
			for i := range got {
				if d := got[i] - c.want[i]; d > 1e-9 || d < -1e-9 {
					t.Fatalf("loadTicks(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
				}
			}
		})
	}
}

// TestLoadReportsShowShardsAndWarnings renders a merged report: the
// shards' spans, the sum of their rates and the clock-skew warning, in
// text and HTML.
func TestLoadReportsShowShardsAndWarnings(t *testing.T) {
	sum := loadFixture()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sum.Shards = []stats.ShardSpan{
		{File: "shard-0.gob", Attack: "paginate-users-shard0", Requests: 200, First: t0, Last: t0.Add(5 * time.Second), Rate: 39.8},
		{File: "shard-1.gob", Attack: "paginate-users-shard1", Requests: 200, First: t0.Add(4 * time.Second), Last: t0.Add(9 * time.Second), Rate: 39.8},
	}
	sum.Rate.ShardSum = 79.6
	sum.Warnings = []string{results.SkewWarning(sum.Shards, sum.Rate.Achieved)}
	if sum.Warnings[0] == "" {
		t.Fatal("no skew warning for shards 4s apart on a 5s run")
	}
	cases := map[string]struct {
		render func(*bytes.Buffer) error
		want   []string
	}{
		"Text": {render: func(b *bytes.Buffer) error { return WriteLoadText(b, sum) },
			want: []string{"Shards (one result file each", "paginate-users-shard1  200", "03:04:09.000", "sum of the shards' rates: 79.60/s, the cluster's rate",
				"Warnings\n  ! shard clocks disagree: first requests 4s apart (shard-0.gob earliest, shard-1.gob latest)", "; sum of the shards' rates 79.60/s"}},
		"HTML": {render: func(b *bytes.Buffer) error { return WriteLoadHTML(b, sum) },
			want: []string{"<h2>Shards</h2>", "<code>shard-1.gob</code>", "<h2>Warnings</h2>", "shard clocks disagree", "79.60"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.render(&b); err != nil {
				t.Fatal(err)
			}
			for _, want := range c.want {
				if !strings.Contains(b.String(), want) {
					t.Errorf("the report lacks %q:\n%s", want, b.String())
				}
			}
		})
	}
}

// TestLoadReportOfAResultFile: a summary read back from a result file has
// no run id, target or plan; the page says so plainly, and a single
// offset bucket (a profile that paged once) draws no plot.
func TestLoadReportOfAResultFile(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := stats.NewStats(t0)
	for i := range 10 {
		st.Add(&stats.Sample{Route: spec.RouteListUsers, Status: 200, Offset: 0, Timestamp: t0.Add(time.Duration(i) * time.Second), Latency: time.Millisecond})
	}
	sum := st.Summary()
	var html, text bytes.Buffer
	if err := WriteLoadHTML(&html, sum); err != nil {
		t.Fatal(err)
	}
	if err := WriteLoadText(&text, sum); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	if !strings.Contains(page, "<p>Results started 2026-01-02T03:04:05Z.</p>") || strings.Contains(page, "<p>, started") {
		t.Errorf("the page's first sentence is wrong:\n%s", page[strings.Index(page, "<body>"):][:400])
	}
	if strings.Contains(page, "-, ") || !strings.Contains(page, "achieved; 10 requests sent") {
		t.Errorf("the rate row shows a missing target as a dash:\n%s", page)
	}
	if strings.Contains(page, "Latency by start offset") || strings.Contains(text.String(), "Latency by start offset") {
		t.Error("one offset bucket is drawn as a plot")
	}
}
