package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ChartFile is the chart's file name, written beside the report.
const ChartFile = "no-change-plan.svg"

// series is one line of a chart.
type series struct {
	name   string
	color  string
	dashed bool
	points []point
}

// dash is the stroke attribute of a dashed line, empty for a solid one.
func (s series) dash() string {
	if s.dashed {
		return ` stroke-dasharray="6 4"`
	}
	return ""
}

// point is one measured value: seconds at a number of managed users.
type point struct {
	users   int
	seconds float64
}

// planSeries are the chart's lines: the no-change plan's latency-bound time with bulk refresh on
// and off, and the floor, at each number of managed users measured.
func planSeries(r *Results) []series {
	on := series{name: "bulk refresh on (default)", color: "#1f77b4"}
	off := series{name: "bulk_refresh = false", color: "#d62728"}
	floor := series{name: "floor: listing pages × latency", color: "#7f7f7f", dashed: true}
	for _, size := range r.Sizes {
		for _, line := range []struct {
			s    *series
			step Step
		}{{&on, StepPlan}, {&off, StepPlanBulkOff}} {
			if d, ok := size.Step(line.step).LatencyBound(); ok {
				line.s.points = append(line.s.points, point{size.Users, d.Seconds()})
			}
		}
		floor.points = append(floor.points, point{size.Users, size.Step(StepPlan).Floor(r.Latency).Seconds()})
	}
	return []series{on, off, floor}
}

// Chart renders the SVG chart of the no-change plan's latency-bound time against the number of
// managed users.
func Chart(r *Results) []byte {
	return renderChart(
		fmt.Sprintf("No-change plan: time waiting on the API at %s per request", formatLatency(r.Latency)),
		"managed users (log scale)",
		fmt.Sprintf("seconds (time at %s − time at 0 ms)", formatLatency(r.Latency)),
		planSeries(r))
}

// Chart geometry, in SVG user units.
const (
	chartWidth, chartHeight        = 720, 440
	plotLeft, plotRight            = 80, 690
	plotTop, plotBottom            = 50, 370
	yTicks                         = 5
	legendX, legendY, legendLineDY = plotLeft + 16, plotTop + 18, 20
)

// renderChart draws the series against a logarithmic axis of users and a linear axis of seconds
// from 0, with a tick at every number of users measured.
func renderChart(title, xLabel, yLabel string, lines []series) []byte {
	var users []int
	maxSeconds := 0.0
	for _, line := range lines {
		for _, p := range line.points {
			users = append(users, p.users)
			maxSeconds = max(maxSeconds, p.seconds)
		}
	}
	slices.Sort(users)
	users = slices.Compact(users)
	yMax, yStep := niceScale(maxSeconds, yTicks)
	x := logScale(users, plotLeft, plotRight)
	y := func(seconds float64) float64 {
		return plotBottom - seconds/yMax*(plotBottom-plotTop)
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, chartHeight, chartWidth, chartHeight)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", chartWidth, chartHeight)
	text(&b, chartWidth/2, 28, "middle", `font-size="15" font-weight="bold"`, title)

	// Grid and y axis ticks.
	for v := 0.0; v <= yMax+yStep/2; v += yStep {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e0e0e0"/>`+"\n", plotLeft, y(v), plotRight, y(v))
		text(&b, plotLeft-8, y(v)+4, "end", "", strconv.FormatFloat(v, 'f', decimals(yStep), 64))
	}
	// x axis ticks, one per number of users.
	for _, n := range users {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333333"/>`+"\n", x(n), plotBottom, x(n), plotBottom+5)
		text(&b, x(n), plotBottom+20, "middle", "", formatCount(n))
	}
	// Axes and their labels.
	fmt.Fprintf(&b, `<path d="M%d %d V%d H%d" fill="none" stroke="#333333"/>`+"\n", plotLeft, plotTop, plotBottom, plotRight)
	text(&b, (plotLeft+plotRight)/2, plotBottom+45, "middle", "", xLabel)
	text(&b, 22, (plotTop+plotBottom)/2, "middle", fmt.Sprintf(`transform="rotate(-90 22 %d)"`, (plotTop+plotBottom)/2), yLabel)

	for _, line := range lines {
		var coords []string
		for _, p := range line.points {
			coords = append(coords, fmt.Sprintf("%.1f,%.1f", x(p.users), y(p.seconds)))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n",
			line.color, line.dash(), strings.Join(coords, " "))
		for _, p := range line.points {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s: %s users, %.2f s</title></circle>`+"\n",
				x(p.users), y(p.seconds), line.color, escape(line.name), formatCount(p.users), p.seconds)
		}
	}
	// The legend comes last, on a background of its own, to stay readable where a line runs under it.
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="250" height="%d" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc"/>`+"\n",
		legendX-8, legendY-12, len(lines)*legendLineDY+4)
	for i, line := range lines {
		ly := legendY + i*legendLineDY
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n",
			legendX, ly, legendX+28, ly, line.color, line.dash())
		text(&b, legendX+36, float64(ly+4), "start", "", line.name)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// logScale maps a number of users to an x coordinate between left and right, logarithmically
// between the smallest and the largest of users; a single value sits in the middle.
func logScale(users []int, left, right float64) func(int) float64 {
	if len(users) < 2 || users[0] == users[len(users)-1] {
		return func(int) float64 { return (left + right) / 2 }
	}
	lo, hi := math.Log(float64(users[0])), math.Log(float64(users[len(users)-1]))
	// A margin keeps the first and last points off the y axis and the plot's edge.
	margin := 0.05 * (right - left)
	left, right = left+margin, right-margin
	return func(n int) float64 {
		return left + (math.Log(float64(n))-lo)/(hi-lo)*(right-left)
	}
}

// niceScale returns the top of an axis from 0 that holds maxValue, and a step of 1, 2 or 5
// times a power of ten that divides it into at most ticks intervals.
func niceScale(maxValue float64, ticks int) (top, step float64) {
	if maxValue <= 0 {
		return 1, 1.0 / float64(ticks)
	}
	raw := maxValue / float64(ticks)
	magnitude := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * magnitude; step >= raw {
			break
		}
	}
	return math.Ceil(maxValue/step-1e-9) * step, step
}

// decimals is how many decimals the tick labels of an axis with this step need.
func decimals(step float64) int {
	return max(0, int(-math.Floor(math.Log10(step)+1e-9)))
}

// text writes a text element; attrs are extra attributes, content is escaped.
func text(b *bytes.Buffer, x, y float64, anchor, attrs, content string) {
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="%s" fill="#222222"`, round1(x), round1(y), anchor)
	if attrs != "" {
		b.WriteString(" " + attrs)
	}
	fmt.Fprintf(b, ">%s</text>\n", escape(content))
}

// round1 formats a coordinate with at most one decimal.
func round1(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

func escape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
