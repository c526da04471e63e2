package stats

import (
	"jmcheck/load/check"
	"jmcheck/spec"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestSampleOf(t *testing.T) {
	t0 := time.Unix(1000, 0)
	cases := map[string]struct {
		r        vegeta.Result
		reason   check.Reason
		expected bool
		code     spec.Code
		offset   int
	}{
		"Pass":          {r: vegeta.Result{Method: "GET", URL: "http://h/v1/users/a", Code: 200}},
		"ExpectedError": {r: vegeta.Result{Method: "POST", URL: "http://h/v1/users/", Code: 403, Body: []byte(`{"error":{"code":899013,"message":"m"}}`)}, expected: true, code: 899013},
		"JmcheckReason": {r: vegeta.Result{Method: "GET", URL: "http://h/v1/users/?start=500&count=500", Code: 200, Error: "body: tiling: a gap"}, reason: check.Body, offset: 500},
		"VegetaStatus":  {r: vegeta.Result{Method: "GET", URL: "http://h/v1/users/a", Code: 500, Error: "500 Internal Server Error"}, reason: check.Status},
		"VegetaTimeout": {r: vegeta.Result{Method: "GET", URL: "http://h/v1/users/a", Error: `Get "http://h/v1/users/a": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`}, reason: check.Timeout},
		"VegetaRefused": {r: vegeta.Result{Method: "GET", URL: "http://h/v1/users/a", Error: "dial tcp: connection refused"}, reason: check.Connection},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			c.r.Timestamp = t0
			s := SampleOf(&c.r)
			if s.Reason != c.reason || s.Expected != c.expected || s.Code != c.code {
				t.Errorf("SampleOf = reason %q expected %v code %d; want %q %v %d", s.Reason, s.Expected, s.Code, c.reason, c.expected, c.code)
			}
			if c.offset != 0 && s.Offset != c.offset {
				t.Errorf("got offset %d, want %d", s.Offset, c.offset)
			}
		})
	}
}

func TestFileErrorIsBounded(t *testing.T) {
	cases := map[string]string{
		"body: batch: item 17 has username \"x\", want \"y\"": "body: batch",
		"status: 500 899000, want 200":                        "status: 500 899000, want 200",
		"timeout: no complete answer in time":                 "timeout: no complete answer in time",
	}
	for detail, want := range cases {
		s := Sample{Reason: check.Body, Detail: detail}
		if got := FileError(&s); got != want {
			t.Errorf("FileError(%q) = %q, want %q", detail, got, want)
		}
	}
	if got := FileError(&Sample{}); got != "" {
		t.Errorf("fileError of a pass = %q, want empty", got)
	}
}

func TestOffsetTableFollowsThePageStride(t *testing.T) {
	stats := NewStats(time.Unix(0, 0))
	for start := 0; start < 10000; start += 500 {
		for k := 0; k < 3; k++ {
			stats.Add(&Sample{Route: spec.RouteListUsers, Status: 200, Offset: start, Latency: time.Duration(start+1) * time.Microsecond, Timestamp: time.Unix(0, 0)})
		}
	}
	tab := stats.Summary().Offsets
	if tab == nil || tab.Width != 500 || len(tab.Buckets) != 20 {
		t.Fatalf("got %+v, want 20 rows of width 500", tab)
	}
	for i, b := range tab.Buckets {
		if b.From != int64(i*500) || b.Requests != 3 {
			t.Errorf("row %d = %+v, want [%d, %d) with 3 requests", i, b, i*500, i*500+500)
		}
	}
	if last := tab.Buckets[19]; last.Latency.P50 < 9*time.Millisecond {
		t.Errorf("last row p50 = %s, want about 9.5ms: rows must not mix offsets", last.Latency.P50)
	}
}

func TestTimelineStaysBoundedOverALongRun(t *testing.T) {
	t0 := time.Unix(0, 0)
	stats := NewStats(t0)
	for i := 0; i < 36000; i++ { // one request a second for ten hours
		stats.Add(&Sample{Route: spec.RouteGetUser, Status: 200, Offset: -1, Timestamp: t0.Add(time.Duration(i) * time.Second), Latency: time.Millisecond})
	}
	tl := stats.Summary().Timeline
	if len(tl) > 200 || len(tl) < 100 {
		t.Fatalf("got %d timeline points, want 100 to 200", len(tl))
	}
	var total uint64
	for _, p := range tl {
		total += p.Requests
	}
	if total != 36000 {
		t.Errorf("the timeline holds %d requests, want 36000", total)
	}
}

func TestStartOf(t *testing.T) {
	cases := map[string]int{
		"http://h/v1/users/?start=1500&count=500": 1500,
		"http://h/v1/users/?count=5&start=0":      0,
		"http://h/v1/users/?restart=3":            -1,
		"http://h/v1/users/":                      -1,
		"http://h/v1/users/?start=x":              -1,
	}
	for in, want := range cases {
		if got := StartOf(in); got != want {
			t.Errorf("StartOf(%q) = %d, want %d", in, got, want)
		}
	}
}
