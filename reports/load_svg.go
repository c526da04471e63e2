package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// loadChart is a line chart drawn as inline SVG: no scripts, no external
// assets, so the page renders anywhere, offline, and diffs as text.
type loadChart struct {
	Title  string
	XLabel string
	YLabel string
	Series []loadSeries
}

type loadSeries struct {
	Name   string
	Color  string
	Dashed bool
	Points [][2]float64 // x, y
}

const (
	loadChartW = 760
	loadChartH = 280
	loadPadL   = 64
	loadPadR   = 16
	loadPadT   = 32
	loadPadB   = 44
)

// SVG renders the chart.
func (c loadChart) SVG() template.HTML {
	var b strings.Builder
	xmin, xmax, ymax := math.Inf(1), math.Inf(-1), 0.0
	n := 0
	for _, s := range c.Series {
		for _, p := range s.Points {
			xmin, xmax, ymax = math.Min(xmin, p[0]), math.Max(xmax, p[0]), math.Max(ymax, p[1])
			n++
		}
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		loadChartW, loadChartH, loadChartW, loadChartH, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<text x="%d" y="18" class="t">%s</text>`, loadPadL, html.EscapeString(c.Title))
	if n == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="l">no data</text></svg>`, loadChartW/2-24, loadChartH/2)
		return template.HTML(b.String())
	}
	if xmax <= xmin {
		xmin, xmax = xmin-1, xmax+1
	}
	if ymax <= 0 {
		ymax = 1
	}
	yticks := loadTicks(0, ymax, 5)
	ytop := yticks[len(yticks)-1]
	xticks := loadTicks(xmin, xmax, 8)
	xlo, xhi := math.Min(xmin, xticks[0]), math.Max(xmax, xticks[len(xticks)-1])
	pw := float64(loadChartW - loadPadL - loadPadR)
	ph := float64(loadChartH - loadPadT - loadPadB)
	px := func(x float64) float64 { return float64(loadPadL) + (x-xlo)/(xhi-xlo)*pw }
	py := func(y float64) float64 { return float64(loadPadT) + ph - y/ytop*ph }

	for _, t := range yticks {
		y := py(t)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" class="g"/>`, loadPadL, y, loadChartW-loadPadR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="l" text-anchor="end">%s</text>`, loadPadL-6, y+4, loadTickLabel(t))
	}
	for _, t := range xticks {
		if t < xlo || t > xhi {
			continue
		}
		x := px(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="g"/>`, x, loadPadT, x, loadChartH-loadPadB)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="l" text-anchor="middle">%s</text>`, x, loadChartH-loadPadB+16, loadTickLabel(t))
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" class="f"/>`, loadPadL, loadPadT, pw, ph)
	fmt.Fprintf(&b, `<text x="%.0f" y="%d" class="l" text-anchor="middle">%s</text>`, float64(loadPadL)+pw/2, loadChartH-6, html.EscapeString(c.XLabel))
	fmt.Fprintf(&b, `<text x="14" y="%.0f" class="l" text-anchor="middle" transform="rotate(-90 14 %.0f)">%s</text>`,
		float64(loadPadT)+ph/2, float64(loadPadT)+ph/2, html.EscapeString(c.YLabel))

	lx := loadChartW - loadPadR - 8
	for i := len(c.Series) - 1; i >= 0; i-- {
		s := c.Series[i]
		if len(s.Points) == 0 {
			continue
		}
		var pts strings.Builder
		for j, p := range s.Points {
			if j > 0 {
				pts.WriteByte(' ')
			}
			fmt.Fprintf(&pts, "%.1f,%.1f", px(p[0]), py(p[1]))
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="4 3"`
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.8"%s/>`, pts.String(), s.Color, dash)
		if len(s.Points) <= 40 {
			for _, p := range s.Points {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`, px(p[0]), py(p[1]), s.Color)
			}
		}
	}
	// Legend, right-aligned at the top.
	for i := len(c.Series) - 1; i >= 0; i-- {
		s := c.Series[i]
		w := 7*len(s.Name) + 22
		lx -= w
		fmt.Fprintf(&b, `<rect x="%d" y="9" width="12" height="4" fill="%s"/><text x="%d" y="16" class="l">%s</text>`, lx, s.Color, lx+16, html.EscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// loadTicks returns round tick values covering [lo, hi], about n of them.
func loadTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	start := math.Floor(lo/step) * step
	var out []float64
	for v := start; v <= hi+step*1e-9 || len(out) < 2; v += step {
		out = append(out, math.Round(v/step)*step)
		if len(out) > 50 {
			break
		}
	}
	if out[len(out)-1] < hi {
		out = append(out, out[len(out)-1]+step)
	}
	return out
}

func loadTickLabel(v float64) string {
	if math.Abs(v) >= 1e6 {
		return strconv.FormatFloat(v/1e6, 'g', 4, 64) + "M"
	}
	if math.Abs(v) >= 1e4 {
		return strconv.FormatFloat(v/1e3, 'g', 4, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
