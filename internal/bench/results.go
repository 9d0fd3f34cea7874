package bench

import (
	"time"
)

const (
	// Parallelism is passed to every plan, apply and destroy as -parallelism, and is the number
	// of requests a write floor assumes in flight.
	Parallelism = 10
	// PageSize is how many users one listing page holds, for the floor of a no-change plan.
	PageSize = 1000
)

// Step is one Terraform command the bench times for every number of managed users.
type Step int

const (
	// StepCreate is an apply that creates every user.
	StepCreate Step = iota
	// StepPlan is a plan that finds nothing to change, with bulk refresh on (the default).
	StepPlan
	// StepPlanBulkOff is the same plan with bulk_refresh = false in the provider block, so that
	// every user is read on its own.
	StepPlanBulkOff
	// StepUpdate is an apply that changes the display name of a tenth of the users.
	StepUpdate
	// StepDestroy is a destroy, which deactivates every user: TeamViewer cannot delete users.
	StepDestroy
)

// isPlan reports whether the step is a no-change plan, whose floor is the listing pages.
func (s Step) isPlan() bool { return s == StepPlan || s == StepPlanBulkOff }

// label names the step in tables, for users managed users of which changed are written.
func (s Step) label(users, changed int) string {
	switch s {
	case StepCreate:
		return "apply: create " + formatUsers(users)
	case StepPlan:
		return "plan: no changes"
	case StepPlanBulkOff:
		return "plan: no changes, `bulk_refresh = false`"
	case StepUpdate:
		return "apply: rename " + formatUsers(changed)
	case StepDestroy:
		return "destroy: deactivate " + formatUsers(users)
	}
	return "unknown step"
}

// Requests counts the requests the emulator received during one command, by kind.
type Requests struct {
	List   int // GET /Users
	Get    int // GET /Users/{id}
	Post   int
	Put    int
	Patch  int
	Delete int
	Other  int // anything else, such as a request to an unknown path
}

// Total is the number of requests of every kind.
func (r Requests) Total() int {
	return r.List + r.Get + r.Post + r.Put + r.Patch + r.Delete + r.Other
}

// Measurement is one timed Terraform command.
type Measurement struct {
	Wall     time.Duration
	Requests Requests
	// ChangesPlanned is set when a plan that should find nothing to change found changes: the
	// numbers then describe a different plan, and the provider (or the bench) has a bug.
	ChangesPlanned bool
	// Err describes why the command failed; empty when it succeeded.
	Err string
}

// ok reports whether m is a successful measurement of what was meant to be measured.
func (m *Measurement) ok() bool {
	return m != nil && m.Err == "" && !m.ChangesPlanned
}

// StepResult is one step measured without and with added latency.
type StepResult struct {
	Step Step
	// Users is the number of managed users, which is also the number of users in the tenant.
	Users int
	// Changed is the number of users the step writes; 0 for plans.
	Changed int
	// AtZero and AtLatency are the measurements at 0 ms and at the bench's latency; nil when
	// the step did not run, because an earlier step of its sequence failed.
	AtZero, AtLatency *Measurement
}

// at returns where the step's measurement at latency goes: AtZero for 0, else AtLatency.
func (r *StepResult) at(latency time.Duration) **Measurement {
	if latency == 0 {
		return &r.AtZero
	}
	return &r.AtLatency
}

// Floor is the least time the step can spend waiting on an API that adds latency to every
// request: one round trip per Parallelism writes, or one per listing page for a plan.
func (r StepResult) Floor(latency time.Duration) time.Duration {
	if r.Step.isPlan() {
		return time.Duration(ceilDiv(r.Users, PageSize)) * latency
	}
	return time.Duration(ceilDiv(r.Changed, Parallelism)) * latency
}

// LatencyBound is the part of the step's time spent waiting on the API: its time at the bench's
// latency minus its time at 0 ms, which is Terraform's own work. Timing noise can make the
// difference negative when the provider waits on hardly anything; it is then 0. ok is false
// when either measurement is missing or failed.
func (r StepResult) LatencyBound() (d time.Duration, ok bool) {
	if !r.AtZero.ok() || !r.AtLatency.ok() {
		return 0, false
	}
	return max(0, r.AtLatency.Wall-r.AtZero.Wall), true
}

// Ratio is the latency-bound time over the floor; ok is false when either is unknown or the
// floor is 0 (a bench run at 0 ms latency).
func (r StepResult) Ratio(latency time.Duration) (ratio float64, ok bool) {
	bound, ok := r.LatencyBound()
	floor := r.Floor(latency)
	if !ok || floor <= 0 {
		return 0, false
	}
	return bound.Seconds() / floor.Seconds(), true
}

// SizeResult is every step measured for one number of managed users.
type SizeResult struct {
	Users int
	// Full is set when every step was measured; otherwise only the no-change plans were, as
	// extra points for the chart.
	Full  bool
	Steps []StepResult
}

// Step returns the result of the given step, nil when it was not part of the run.
func (s *SizeResult) Step(step Step) *StepResult {
	for i := range s.Steps {
		if s.Steps[i].Step == step {
			return &s.Steps[i]
		}
	}
	return nil
}

// BulkRefreshGain is how many times less latency-bound time the no-change plan takes with bulk
// refresh than without. infinite is set when the time with bulk refresh is within timing noise
// of zero while the time without is not. ok is false when either plan was not measured.
func (s *SizeResult) BulkRefreshGain() (gain float64, infinite, ok bool) {
	on, off := s.Step(StepPlan), s.Step(StepPlanBulkOff)
	if on == nil || off == nil {
		return 0, false, false
	}
	onBound, onOK := on.LatencyBound()
	offBound, offOK := off.LatencyBound()
	switch {
	case !onOK || !offOK, onBound == 0 && offBound == 0:
		return 0, false, false
	case onBound == 0:
		return 0, true, true
	}
	return offBound.Seconds() / onBound.Seconds(), false, true
}

// TenantResult is a no-change plan of a few managed users in a tenant with many more.
type TenantResult struct {
	TenantUsers, ManagedUsers int
	Plan                      *Measurement
}

// MemoryResult is the provider's memory during a no-change plan in a large tenant.
type MemoryResult struct {
	TenantUsers, ManagedUsers int
	Plan                      *Measurement
	// PeakRSS is the provider process's peak resident set size (VmHWM), in bytes; 0 when it
	// could not be read.
	PeakRSS int64
	// ListedUsers is the number of users the emulator returned to unfiltered listings during
	// the plan, which shows whether the provider had the whole tenant in memory.
	ListedUsers int
	// Err describes why the memory could not be measured; empty when it was.
	Err string
}

// Results is everything one bench run measured.
type Results struct {
	Machine Machine
	Latency time.Duration
	// Repeat is how many times each no-change plan ran; the fastest run counts.
	Repeat int
	// Sizes are ordered by Users.
	Sizes       []SizeResult
	LargeTenant TenantResult
	Memory      MemoryResult
}

// barSize returns the largest number of users measured in full, which the bars are about, or
// nil when none was.
func (r *Results) barSize() *SizeResult {
	var largest *SizeResult
	for i := range r.Sizes {
		if r.Sizes[i].Full && (largest == nil || r.Sizes[i].Users > largest.Users) {
			largest = &r.Sizes[i]
		}
	}
	return largest
}

// Failed reports whether any command failed or any no-change plan found changes: the run
// measured less than it should have. A bar that is missed is not a failure of the run.
func (r *Results) Failed() bool {
	measurements := []*Measurement{r.LargeTenant.Plan, r.Memory.Plan}
	for _, size := range r.Sizes {
		for _, step := range size.Steps {
			measurements = append(measurements, step.AtZero, step.AtLatency)
		}
	}
	for _, m := range measurements {
		if !m.ok() {
			return true
		}
	}
	return r.Memory.Err != ""
}

func ceilDiv(a, b int) int {
	return (a + b - 1) / b
}
