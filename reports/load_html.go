package reports

import (
	"fmt"
	"html/template"
	"io"
	"time"

	"jmcheck/load/stats"
)

// WriteLoadHTML writes a load run as one self-contained HTML page: the
// verdict, totals, latency over time, throughput over time, latency by
// list offset (inline SVG), and the tables of the text summary. It loads
// nothing from anywhere.
func WriteLoadHTML(w io.Writer, s *stats.Summary) error {
	data := loadPage{S: s, Title: "jmcheck load"}
	if s.Profile != "" {
		data.Title += " " + s.Profile
	}
	data.Started = "-"
	if !s.Started.IsZero() {
		data.Started = s.Started.UTC().Format(time.RFC3339)
	}
	data.Rate = loadRateWords(s.Rate)
	data.Plain = s.Passed - s.Expected
	data.Intro = loadIntro(s, data.Started)
	data.Answers = loadAnswers(s.Answers)
	data.Failures = loadFailures(s.Failures)
	data.Charts = append(data.Charts, loadLatencyChart(s), loadThroughputChart(s))
	if data.HasOffsets = loadHasOffsets(s); data.HasOffsets {
		data.Charts = append(data.Charts, loadOffsetChart(s.Offsets))
	}
	ew := &loadErrWriter{w: w}
	if err := loadHTMLTemplate.Execute(ew, data); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return ew.err
}

type loadPage struct {
	S          *stats.Summary
	Title      string
	Intro      string
	Started    string
	Rate       string
	Plain      uint64 // passed, expected error answers aside
	HasOffsets bool
	Answers    string
	Failures   string
	Charts     []template.HTML
}

func loadMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func loadLatencyChart(s *stats.Summary) template.HTML {
	c := loadChart{Title: "Latency over time", XLabel: "seconds since the attack began", YLabel: "latency (ms)"}
	p50 := loadSeries{Name: "p50", Color: "#2b6cb0"}
	p90 := loadSeries{Name: "p90", Color: "#dd8a1c"}
	p99 := loadSeries{Name: "p99", Color: "#c53030"}
	mx := loadSeries{Name: "max", Color: "#888888", Dashed: true}
	for _, p := range s.Timeline {
		if p.Requests == 0 {
			continue
		}
		x := (p.At + p.Width/2).Seconds()
		p50.Points = append(p50.Points, [2]float64{x, loadMS(p.P50)})
		p90.Points = append(p90.Points, [2]float64{x, loadMS(p.P90)})
		p99.Points = append(p99.Points, [2]float64{x, loadMS(p.P99)})
		mx.Points = append(mx.Points, [2]float64{x, loadMS(p.Max)})
	}
	c.Series = []loadSeries{p50, p90, p99, mx}
	return c.SVG()
}

func loadThroughputChart(s *stats.Summary) template.HTML {
	c := loadChart{Title: "Requests sent per second", XLabel: "seconds since the attack began", YLabel: "requests/s"}
	all := loadSeries{Name: "sent", Color: "#2f855a"}
	bad := loadSeries{Name: "failed", Color: "#c53030"}
	for _, p := range s.Timeline {
		if p.Width <= 0 {
			continue
		}
		x := (p.At + p.Width/2).Seconds()
		all.Points = append(all.Points, [2]float64{x, float64(p.Requests) / p.Width.Seconds()})
		bad.Points = append(bad.Points, [2]float64{x, float64(p.Failed) / p.Width.Seconds()})
	}
	c.Series = []loadSeries{all, bad}
	return c.SVG()
}

func loadOffsetChart(t *stats.OffsetTable) template.HTML {
	c := loadChart{Title: "Latency by start offset", XLabel: "start offset of the page (middle of the bucket)", YLabel: "latency (ms)"}
	p50 := loadSeries{Name: "p50", Color: "#2b6cb0"}
	p99 := loadSeries{Name: "p99", Color: "#c53030"}
	for _, b := range t.Buckets {
		x := float64(b.From+b.To) / 2
		p50.Points = append(p50.Points, [2]float64{x, loadMS(b.Latency.P50)})
		p99.Points = append(p99.Points, [2]float64{x, loadMS(b.Latency.P99)})
	}
	c.Series = []loadSeries{p50, p99}
	return c.SVG()
}

var loadHTMLTemplate = template.Must(template.New("load").Funcs(template.FuncMap{
	"dur":    loadDur,
	"status": loadStatus,
	"code":   loadCode,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#1a202c}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}
.pass{background:#2f855a}.fail{background:#c53030}
table{border-collapse:collapse;margin:4px 0}td,th{padding:3px 10px;border-bottom:1px solid #edf2f7;text-align:left;vertical-align:top}
th{font-weight:600;color:#4a5568}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f7fafc;padding:1px 3px}
ul{margin:4px 0;padding-left:20px}.bad{color:#c53030}
svg{display:block;margin:8px 0;max-width:100%;height:auto}
svg .t{font:600 13px system-ui,sans-serif;fill:#1a202c}svg .l{font:11px system-ui,sans-serif;fill:#4a5568}
svg .g{stroke:#edf2f7;stroke-width:1}svg .f{fill:none;stroke:#cbd5e0}
</style>
</head>
<body>
<h1>{{.Title}} <span class="verdict {{if .S.Pass}}pass">PASS{{else}}fail">FAIL{{end}}</span></h1>
<p>{{.Intro}}</p>
{{if .S.Problems}}<h2>Why it failed</h2><ul>{{range .S.Problems}}<li class="bad">{{.}}</li>{{end}}</ul>{{end}}
<h2>Overview</h2>
<table>
<tr><th>Requests</th><td>{{.S.Requests}} total: {{.Plain}} passed, {{.S.Expected}} expected error answers (passes too), {{.S.Failed}} failed</td></tr>
<tr><th>Rate</th><td>{{.Rate}}</td></tr>
<tr><th>Duration</th><td>{{dur .S.Duration}} attack + {{dur .S.Wait}} wait</td></tr>
<tr><th>Latency</th><td>min {{dur .S.Latency.Min}}, mean {{dur .S.Latency.Mean}}, p50 {{dur .S.Latency.P50}}, p90 {{dur .S.Latency.P90}}, p95 {{dur .S.Latency.P95}}, p99 {{dur .S.Latency.P99}}, p99.9 {{dur .S.Latency.P999}}, max {{dur .S.Latency.Max}}</td></tr>
<tr><th>Answers</th><td>{{.Answers}}</td></tr>
<tr><th>Failures</th><td>{{.Failures}}</td></tr>
</table>
{{if .S.Warnings}}<h2>Warnings</h2><ul>{{range .S.Warnings}}<li class="bad">{{.}}</li>{{end}}</ul>
{{end}}{{if .S.Shards}}<h2>Shards</h2>
<p><small>One result file each, merged above; times by each generator's clock.</small></p>
<table><tr><th>file</th><th>attack</th><th>requests</th><th>first request (UTC)</th><th>duration</th><th>rate/s</th></tr>
{{range .S.Shards}}<tr><td><code>{{.File}}</code></td><td>{{.Attack}}</td><td class="n">{{.Requests}}</td><td>{{.First.UTC.Format "15:04:05.000"}}</td><td class="n">{{dur .Duration}}</td><td class="n">{{printf "%.2f" .Rate}}</td></tr>
{{end}}<tr><th colspan="5">sum of the shards' rates</th><td class="n">{{printf "%.2f" .S.Rate.ShardSum}}</td></tr></table>
{{end}}{{if .S.Thresholds}}<h2>Thresholds</h2><table><tr><th></th><th>threshold</th><th>actual</th></tr>
{{range .S.Thresholds}}<tr><td>{{if .Pass}}pass{{else}}<span class="bad">FAIL</span>{{end}}</td><td><code>{{.Threshold}}</code></td><td>{{.Actual}}{{if .Note}} ({{.Note}}){{end}}</td></tr>
{{end}}</table>{{end}}
<h2>Charts</h2>
{{range .Charts}}{{.}}
{{end}}
{{if .HasOffsets}}<h2>Latency by start offset</h2>
<table><tr><th>start offset</th><th>requests</th><th>failed</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>
{{range .S.Offsets.Buckets}}<tr><td>[{{.From}}, {{.To}})</td><td class="n">{{.Requests}}</td><td class="n">{{.Failed}}</td><td class="n">{{dur .Latency.P50}}</td><td class="n">{{dur .Latency.P90}}</td><td class="n">{{dur .Latency.P99}}</td><td class="n">{{dur .Latency.Max}}</td></tr>
{{end}}</table>{{end}}
{{if .S.Routes}}<h2>Routes</h2>
<table><tr><th>route</th><th>requests</th><th>failed</th><th>expected</th><th>rate/s</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>
{{range .S.Routes}}<tr><td><code>{{.Route}}</code></td><td class="n">{{.Requests}}</td><td class="n">{{.Failed}}</td><td class="n">{{.Expected}}</td><td class="n">{{printf "%.1f" .Rate}}</td><td class="n">{{dur .Latency.P50}}</td><td class="n">{{dur .Latency.P90}}</td><td class="n">{{dur .Latency.P99}}</td><td class="n">{{dur .Latency.Max}}</td></tr>
{{end}}</table>{{end}}
{{if .S.Samples}}<h2>Failure samples</h2>
<table><tr><th>at</th><th>route</th><th>answer</th><th>detail</th></tr>
{{range .S.Samples}}<tr><td>+{{dur .At}}</td><td><code>{{.Route}}</code><br><small>{{.URL}}</small></td><td>{{status .Status}}{{code .Code}}</td><td>{{.Detail}}</td></tr>
{{end}}</table>{{end}}
{{if .S.Checks}}<h2>Checks</h2><ul>{{range .S.Checks}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with .S.Verify}}{{if ne .Method "none"}}<h2>Verification</h2><p>{{.Method}}: {{.Checked}} users checked, {{.Missing}} missing, {{.Unexpected}} unexpected.{{if .Error}} <span class="bad">{{.Error}}</span>{{end}}</p>
{{if .Examples}}<ul>{{range .Examples}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}{{end}}
{{with .S.Cleanup}}<h2>Cleanup</h2><p>{{.Users}} users and {{.Groups}} groups deleted, {{.Left}} left.{{if .Error}} <span class="bad">{{.Error}}</span>{{end}}</p>
{{if .Examples}}<ul>{{range .Examples}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}
<p><small>Written by jmcheck. Latency is vegeta's: from the send to the last body byte. Self-contained: no scripts, no external assets.</small></p>
</body>
</html>
`))
