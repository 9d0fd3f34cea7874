package bench

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestChart(t *testing.T) {
	svg := Chart(sampleResults())

	// Well-formed XML, with the elements a reader needs.
	elements := map[string]int{}
	var texts []string
	decoder := xml.NewDecoder(bytes.NewReader(svg))
	for {
		token, err := decoder.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%s", err, svg)
		}
		switch token := token.(type) {
		case xml.StartElement:
			elements[token.Name.Local]++
		case xml.CharData:
			if s := strings.TrimSpace(string(token)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	if elements["svg"] != 1 || elements["polyline"] != 3 {
		t.Errorf("elements = %v, want one svg and three polylines", elements)
	}
	// Two sizes on three lines.
	if elements["circle"] != 6 {
		t.Errorf("%d points, want 6", elements["circle"])
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{
		"No-change plan: time waiting on the API at 50 ms per request",
		"managed users (log scale)", "bulk refresh on (default)", "bulk_refresh = false",
		"floor: listing pages × latency", "10", "1,000",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the chart has no text %q; texts:\n%s", want, all)
		}
	}
}

func TestRenderChartCoordinates(t *testing.T) {
	svg := string(renderChart("t", "x", "y", []series{{name: "a", color: "#000", points: []point{
		{10, 0}, {100, 1}, {1000, 4},
	}}}))
	_, rest, _ := strings.Cut(svg, `points="`)
	coords, _, _ := strings.Cut(rest, `"`)
	var xs, ys []float64
	for _, pair := range strings.Fields(coords) {
		x, y, _ := strings.Cut(pair, ",")
		xs = append(xs, parseFloat(t, x))
		ys = append(ys, parseFloat(t, y))
	}
	if len(xs) != 3 {
		t.Fatalf("points %q", coords)
	}
	// Log scale: 10 → 100 and 100 → 1,000 are the same distance apart.
	if math.Abs((xs[1]-xs[0])-(xs[2]-xs[1])) > 0.2 {
		t.Errorf("x = %v, not logarithmic", xs)
	}
	if xs[0] <= plotLeft || xs[2] >= plotRight {
		t.Errorf("x = %v, outside the plot", xs)
	}
	// Linear from 0 at the bottom; 4 is the top of the axis.
	if ys[0] != plotBottom || ys[2] != plotTop || math.Abs(ys[1]-(plotBottom-(plotBottom-plotTop)/4.0)) > 0.1 {
		t.Errorf("y = %v", ys)
	}
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRenderChartWithoutPoints(t *testing.T) {
	// A run whose plans all failed still renders a valid, empty chart.
	svg := renderChart("t", "x", "y", []series{{name: "a"}})
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Errorf("not XML: %v", err)
	}
}

func TestNiceScale(t *testing.T) {
	tests := []struct {
		max, wantTop, wantStep float64
	}{
		{5.3, 6, 2},
		{5, 5, 1},
		{0.04, 0.04, 0.01},
		{0.26, 0.3, 0.1},
		{12.4, 15, 5},
		{0, 1, 0.2},
	}
	for _, tt := range tests {
		top, step := niceScale(tt.max, 5)
		if math.Abs(top-tt.wantTop) > 1e-9 || math.Abs(step-tt.wantStep) > 1e-9 {
			t.Errorf("niceScale(%v) = %v, %v; want %v, %v", tt.max, top, step, tt.wantTop, tt.wantStep)
		}
	}
}

func TestDecimals(t *testing.T) {
	for step, want := range map[float64]int{5: 0, 1: 0, 0.5: 1, 0.2: 1, 0.01: 2, 20: 0} {
		if got := decimals(step); got != want {
			t.Errorf("decimals(%v) = %d, want %d", step, got, want)
		}
	}
}

func TestLogScaleSingleValue(t *testing.T) {
	if x := logScale([]int{100}, 0, 100)(100); x != 50 {
		t.Errorf("a single value at %v, want the middle", x)
	}
}
