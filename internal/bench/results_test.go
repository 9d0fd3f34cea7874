package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

// measured is a successful measurement that took wall and made total requests.
func measured(wall time.Duration, q Requests) *Measurement {
	return &Measurement{Wall: wall, Requests: q}
}

func TestFloor(t *testing.T) {
	tests := []struct {
		name   string
		result StepResult
		want   time.Duration
	}{
		{"create 1,000: 100 rounds of 10", StepResult{Step: StepCreate, Users: 1000, Changed: 1000}, 5 * time.Second},
		{"rename 100: 10 rounds", StepResult{Step: StepUpdate, Users: 1000, Changed: 100}, 500 * ms},
		{"rename 1: a whole round trip", StepResult{Step: StepUpdate, Users: 4, Changed: 1}, 50 * ms},
		{"destroy 101: 11 rounds", StepResult{Step: StepDestroy, Users: 101, Changed: 101}, 550 * ms},
		{"plan 1,000: one page", StepResult{Step: StepPlan, Users: 1000}, 50 * ms},
		{"plan 1,001: two pages", StepResult{Step: StepPlanBulkOff, Users: 1001}, 100 * ms},
		{"plan 10: one page", StepResult{Step: StepPlan, Users: 10}, 50 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.result.Floor(50 * ms); got != tt.want {
				t.Errorf("Floor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLatencyBoundAndRatio(t *testing.T) {
	create := func(atZero, atLatency *Measurement) StepResult {
		return StepResult{Step: StepCreate, Users: 1000, Changed: 1000, AtZero: atZero, AtLatency: atLatency}
	}
	tests := []struct {
		name      string
		result    StepResult
		wantBound time.Duration
		wantOK    bool
		wantRatio float64
	}{
		{"difference", create(measured(8*time.Second, Requests{}), measured(14*time.Second, Requests{})), 6 * time.Second, true, 1.2},
		{"noise below zero is zero", create(measured(3*time.Second, Requests{}), measured(2900*ms, Requests{})), 0, true, 0},
		{"not run", create(measured(time.Second, Requests{}), nil), 0, false, 0},
		{"failed", create(&Measurement{Err: "boom"}, measured(time.Second, Requests{})), 0, false, 0},
		{"plan found changes", create(measured(time.Second, Requests{}), &Measurement{Wall: 2 * time.Second, ChangesPlanned: true}), 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bound, ok := tt.result.LatencyBound()
			if bound != tt.wantBound || ok != tt.wantOK {
				t.Errorf("LatencyBound = %v, %v; want %v, %v", bound, ok, tt.wantBound, tt.wantOK)
			}
			ratio, ok := tt.result.Ratio(50 * ms)
			if ok != tt.wantOK || (ok && (ratio < tt.wantRatio-1e-9 || ratio > tt.wantRatio+1e-9)) {
				t.Errorf("Ratio = %v, %v; want %v, %v", ratio, ok, tt.wantRatio, tt.wantOK)
			}
		})
	}
	if _, ok := create(measured(0, Requests{}), measured(0, Requests{})).Ratio(0); ok {
		t.Error("a ratio to a floor of 0 (no latency) should be unknown")
	}
}

// planSize is a SizeResult with the two no-change plans taking the given times at 0 ms and at
// 50 ms.
func planSize(users int, onZero, onLatency, offZero, offLatency time.Duration) SizeResult {
	return SizeResult{Users: users, Steps: []StepResult{
		{Step: StepPlan, Users: users, AtZero: measured(onZero, Requests{}), AtLatency: measured(onLatency, Requests{List: 1})},
		{Step: StepPlanBulkOff, Users: users, AtZero: measured(offZero, Requests{}), AtLatency: measured(offLatency, Requests{Get: users})},
	}}
}

func TestBulkRefreshGain(t *testing.T) {
	tests := []struct {
		name         string
		size         SizeResult
		wantGain     float64
		wantInfinite bool
		wantOK       bool
	}{
		{"25 times", planSize(1000, 4*time.Second, 4200*ms, 5*time.Second, 10*time.Second), 25, false, true},
		{"on within noise of zero", planSize(1000, 4*time.Second, 3900*ms, 5*time.Second, 10*time.Second), 0, true, true},
		{"both zero", planSize(10, time.Second, time.Second, time.Second, time.Second), 0, false, false},
		{"not measured", SizeResult{Users: 10, Steps: []StepResult{{Step: StepPlan}}}, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gain, infinite, ok := tt.size.BulkRefreshGain()
			if infinite != tt.wantInfinite || ok != tt.wantOK || gain < tt.wantGain-1e-9 || gain > tt.wantGain+1e-9 {
				t.Errorf("BulkRefreshGain = %v, %v, %v; want %v, %v, %v", gain, infinite, ok, tt.wantGain, tt.wantInfinite, tt.wantOK)
			}
		})
	}
}

// sampleResults are the results of a run that meets every bar, with 1,000 users measured in
// full and 10 users for the chart only.
func sampleResults() *Results {
	full := SizeResult{Users: 1000, Full: true, Steps: []StepResult{
		{Step: StepCreate, Users: 1000, Changed: 1000,
			AtZero: measured(9*time.Second, Requests{}), AtLatency: measured(15*time.Second, Requests{Post: 1000})},
		{Step: StepPlan, Users: 1000,
			AtZero: measured(4*time.Second, Requests{}), AtLatency: measured(4100*ms, Requests{List: 1})},
		{Step: StepPlanBulkOff, Users: 1000,
			AtZero: measured(5*time.Second, Requests{}), AtLatency: measured(10500*ms, Requests{Get: 1000})},
		{Step: StepUpdate, Users: 1000, Changed: 100,
			AtZero: measured(5*time.Second, Requests{}), AtLatency: measured(5600*ms, Requests{List: 1, Patch: 100})},
		{Step: StepDestroy, Users: 1000, Changed: 1000,
			AtZero: measured(8*time.Second, Requests{}), AtLatency: measured(13200*ms, Requests{List: 1, Patch: 1000})},
	}}
	return &Results{
		Machine: Machine{CPUs: 2, CPUModel: "Test CPU", MemoryBytes: 8 << 30, OS: "linux", Arch: "amd64",
			GoVersion: "go1.0", TerraformVersion: "1.5.7", LoadAverage: "0.15", Date: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC)},
		Latency: 50 * ms,
		Repeat:  3,
		Sizes:   []SizeResult{planSize(10, 300*ms, 360*ms, 300*ms, 400*ms), full},
		LargeTenant: TenantResult{TenantUsers: 5000, ManagedUsers: 1,
			Plan: measured(400*ms, Requests{Get: 1})},
		Memory: MemoryResult{TenantUsers: 10000, ManagedUsers: 300, Plan: measured(2*time.Second, Requests{List: 10}),
			PeakRSS: 60 << 20, ListedUsers: 10000},
	}
}

func TestBarsPass(t *testing.T) {
	r := sampleResults()
	bars := r.Bars()
	if len(bars) != 5 {
		t.Fatalf("got %d bars, want 5", len(bars))
	}
	wantMeasured := []string{"1", "1", "55.0×", "1.2× (6.00 s)", "60.0 MiB"}
	for i, bar := range bars {
		if !bar.Pass || bar.Measured != wantMeasured[i] {
			t.Errorf("bar %q: measured %q, pass %v; want %q, pass", bar.Name, bar.Measured, bar.Pass, wantMeasured[i])
		}
	}
	if !strings.Contains(bars[0].Name, "1,000 users") || !strings.Contains(bars[1].Name, "1 user in a tenant of 5,000") {
		t.Errorf("bar names do not name their sizes: %q, %q", bars[0].Name, bars[1].Name)
	}
	if r.Failed() {
		t.Error("Failed() = true for a run without failures")
	}
}

func TestBarsFail(t *testing.T) {
	tests := []struct {
		name   string
		fail   []int // the bars that fail
		change func(r *Results)
	}{
		{"too many plan requests", []int{0}, func(r *Results) {
			r.Sizes[1].Step(StepPlan).AtLatency.Requests = Requests{Get: 1000}
		}},
		{"too many requests in a large tenant", []int{1}, func(r *Results) {
			r.LargeTenant.Plan.Requests = Requests{List: 5}
		}},
		{"bulk refresh gains too little", []int{2}, func(r *Results) {
			r.Sizes[1].Step(StepPlanBulkOff).AtLatency.Wall = 5 * time.Second
		}},
		{"creates too slowly", []int{3}, func(r *Results) {
			r.Sizes[1].Step(StepCreate).AtLatency.Wall = 17 * time.Second
		}},
		{"too much memory", []int{4}, func(r *Results) { r.Memory.PeakRSS = 100 << 20 }},
		{"memory without the tenant listed", []int{4}, func(r *Results) { r.Memory.ListedUsers = 0 }},
		// A plan that found changes measured the wrong thing, for the gain too.
		{"plan found changes", []int{0, 2}, func(r *Results) { r.Sizes[1].Step(StepPlan).AtLatency.ChangesPlanned = true }},
		{"memory not measured", []int{4}, func(r *Results) { r.Memory.Err = "no /proc" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleResults()
			tt.change(r)
			for i, bar := range r.Bars() {
				if bar.Pass == slices.Contains(tt.fail, i) {
					t.Errorf("bar %q: pass = %v", bar.Name, bar.Pass)
				}
			}
		})
	}
}

func TestBarsWithoutFullSize(t *testing.T) {
	r := sampleResults()
	r.Sizes = r.Sizes[:1] // the chart-only size
	for _, i := range []int{0, 2, 3} {
		if bar := r.Bars()[i]; bar.Pass || bar.Measured != notMeasured {
			t.Errorf("bar %q = %+v, want not measured", bar.Name, bar)
		}
	}
}

func TestFailed(t *testing.T) {
	tests := map[string]func(r *Results){
		"a command failed":   func(r *Results) { r.Sizes[1].Step(StepUpdate).AtZero = &Measurement{Err: "boom"} },
		"a step did not run": func(r *Results) { r.Sizes[1].Step(StepDestroy).AtZero = nil },
		"changes planned":    func(r *Results) { r.LargeTenant.Plan.ChangesPlanned = true },
		"memory unreadable":  func(r *Results) { r.Memory.Err = "no /proc" },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			r := sampleResults()
			change(r)
			if !r.Failed() {
				t.Error("Failed() = false")
			}
		})
	}
}
