package bench

import (
	"fmt"
)

// The bars the provider must meet, from the issue that asked for this bench.
const (
	maxPlanRequests        = 15        // no-change plan of the bar size (1,000 users)
	maxLargeTenantRequests = 2         // no-change plan of 1 user in a tenant of 5,000
	minBulkRefreshGain     = 10.0      // latency-bound plan time, bulk refresh off over on
	maxCreateFloorRatio    = 1.5       // latency-bound time of creating the bar size, over its floor
	maxPeakRSS             = 100 << 20 // provider memory with the memory tenant listed
)

// Bar is one target with what the run measured against it.
type Bar struct {
	Name     string
	Target   string
	Measured string
	Pass     bool
}

// notMeasured is what a bar shows when its measurement failed or did not run; it fails.
const notMeasured = "not measured"

// Bars evaluates every bar against the results.
func (r *Results) Bars() []Bar {
	size := r.barSize()
	return []Bar{
		r.planRequestsBar(size),
		r.largeTenantBar(),
		r.bulkRefreshBar(size),
		r.createBar(size),
		r.memoryBar(),
	}
}

func (r *Results) planRequestsBar(size *SizeResult) Bar {
	bar := Bar{Target: fmt.Sprintf("≤ %d requests", maxPlanRequests), Measured: notMeasured}
	if size == nil {
		bar.Name = "no-change plan: HTTP requests"
		return bar
	}
	bar.Name = fmt.Sprintf("no-change plan of %s: HTTP requests", formatUsers(size.Users))
	if m := size.Step(StepPlan).AtLatency; m.ok() {
		bar.Measured = formatCount(m.Requests.Total())
		bar.Pass = m.Requests.Total() <= maxPlanRequests
	}
	return bar
}

func (r *Results) largeTenantBar() Bar {
	t := r.LargeTenant
	bar := Bar{
		Name: fmt.Sprintf("no-change plan of %s in a tenant of %s: HTTP requests",
			formatUsers(t.ManagedUsers), formatCount(t.TenantUsers)),
		Target:   fmt.Sprintf("≤ %d requests", maxLargeTenantRequests),
		Measured: notMeasured,
	}
	if t.Plan.ok() {
		bar.Measured = formatCount(t.Plan.Requests.Total())
		bar.Pass = t.Plan.Requests.Total() <= maxLargeTenantRequests
	}
	return bar
}

func (r *Results) bulkRefreshBar(size *SizeResult) Bar {
	bar := Bar{
		Name:     "no-change plan: latency-bound time, bulk refresh off over on",
		Target:   fmt.Sprintf("≥ %.0f×", minBulkRefreshGain),
		Measured: notMeasured,
	}
	if size == nil {
		return bar
	}
	bar.Name = fmt.Sprintf("no-change plan of %s: latency-bound time, bulk refresh off over on",
		formatUsers(size.Users))
	gain, infinite, ok := size.BulkRefreshGain()
	switch {
	case infinite:
		bar.Measured, bar.Pass = "∞ (with bulk refresh: within timing noise of 0)", true
	case ok:
		bar.Measured, bar.Pass = formatRatio(gain), gain >= minBulkRefreshGain
	}
	return bar
}

func (r *Results) createBar(size *SizeResult) Bar {
	bar := Bar{Name: "apply creating users: latency-bound time over floor",
		Target: fmt.Sprintf("≤ %.1f×", maxCreateFloorRatio), Measured: notMeasured}
	if size == nil {
		return bar
	}
	create := size.Step(StepCreate)
	bar.Name = fmt.Sprintf("apply creating %s: latency-bound time over floor (%s)",
		formatUsers(size.Users), formatSeconds(create.Floor(r.Latency)))
	if ratio, ok := create.Ratio(r.Latency); ok {
		bar.Measured = fmt.Sprintf("%s (%s)", formatRatio(ratio), formatBound(*create))
		bar.Pass = ratio <= maxCreateFloorRatio
	}
	return bar
}

func (r *Results) memoryBar() Bar {
	m := r.Memory
	bar := Bar{
		Name:     fmt.Sprintf("provider memory, %s listed: peak RSS", formatUsers(m.TenantUsers)),
		Target:   fmt.Sprintf("< %s", formatMiB(maxPeakRSS)),
		Measured: notMeasured,
	}
	if m.Err == "" && m.Plan.ok() && m.PeakRSS > 0 {
		bar.Measured = formatMiB(m.PeakRSS)
		// Unless the provider listed the whole tenant, it was not measured with the users in memory.
		bar.Pass = m.PeakRSS < maxPeakRSS && m.ListedUsers >= m.TenantUsers
		if m.ListedUsers < m.TenantUsers {
			bar.Measured += fmt.Sprintf(" (only %s listed)", formatUsers(m.ListedUsers))
		}
	}
	return bar
}
