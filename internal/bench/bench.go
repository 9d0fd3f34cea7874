// Package bench measures the provider through the real Terraform CLI against the TeamViewer
// emulator, served in-process on loopback with a fixed latency added to every request: wall
// time and requests of the commands people run (create, no-change plan, update, destroy), with
// bulk refresh on and off, in a large tenant, and the provider's memory. `make bench` runs it
// through cmd/bench and writes bench/results.md with a chart.
//
// Terraform's own work costs seconds for a thousand resources whatever the provider does, so
// every command runs at 0 ms and at the bench's latency; the difference is the time the
// provider spends waiting on the API, which is compared with the least it could be (the floor).
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Options configures a bench run.
type Options struct {
	// Terraform and Provider are the paths of the Terraform CLI and of the provider binary.
	Terraform, Provider string
	// Latency is added to every request of the loaded runs.
	Latency time.Duration
	// Sizes are the numbers of managed users for which every step is measured.
	Sizes []int
	// ChartSizes are more numbers of managed users for which only the no-change plans are
	// measured, as points of the chart; sizes also in Sizes are measured once.
	ChartSizes []int
	// Repeat is how many times each no-change plan runs at each latency; the fastest run
	// counts, which keeps the difference between two timings of a short plan out of the noise.
	Repeat int
	// LargeTenantUsers is the size of the tenant in which one managed user is planned.
	LargeTenantUsers int
	// MemoryTenantUsers and MemoryManagedUsers describe the plan during which the provider's
	// memory is measured.
	MemoryTenantUsers, MemoryManagedUsers int
	// KeepWorkDir keeps the temporary directory with every configuration, state and log.
	KeepWorkDir bool
	// Progress receives a line for each command; nil discards them.
	Progress io.Writer
}

// DefaultOptions are those of `make bench`: five to ten minutes on two cores.
func DefaultOptions() Options {
	return Options{
		Terraform:          filepath.Join("bin", "terraform"),
		Provider:           filepath.Join("bin", "terraform-provider-teamviewer"),
		Latency:            50 * time.Millisecond,
		Sizes:              []int{100, 1000},
		ChartSizes:         []int{10, 100, 300, 1000},
		Repeat:             5,
		LargeTenantUsers:   5000,
		MemoryTenantUsers:  10000,
		MemoryManagedUsers: 300,
	}
}

// Quick turns o into a smoke run of a few seconds per command, which exercises every scenario
// with handfuls of users; its numbers say nothing about performance.
func (o *Options) Quick() {
	o.Latency = 20 * time.Millisecond
	o.Sizes = []int{4}
	o.ChartSizes = []int{2}
	o.Repeat = 1
	o.LargeTenantUsers = 30
	o.MemoryTenantUsers = 50
	o.MemoryManagedUsers = 3
}

func (o *Options) validate() error {
	switch {
	case o.Terraform == "" || o.Provider == "":
		return errors.New("the paths of Terraform and of the provider are required")
	case len(o.Sizes) == 0:
		return errors.New("at least one number of managed users is required")
	case slices.ContainsFunc(append(slices.Clone(o.Sizes), o.ChartSizes...), func(n int) bool { return n < 1 }):
		return errors.New("numbers of managed users must be at least 1")
	case o.Latency <= 0 || o.Repeat < 1:
		// At 0 ms there would be nothing to subtract Terraform's own time from.
		return errors.New("the latency must be positive and plans must run at least once")
	case o.LargeTenantUsers < 1 || o.MemoryManagedUsers < 1 || o.MemoryTenantUsers < o.MemoryManagedUsers:
		return errors.New("the large tenant must have a user, and the memory tenant at least its managed users")
	}
	return nil
}

// Run runs the bench. It returns an error when it cannot run at all; a command that fails is
// recorded in the results (see Results.Failed) and the run goes on with what does not depend on
// it.
func Run(ctx context.Context, opts Options) (*Results, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	for _, binary := range []string{opts.Terraform, opts.Provider} {
		if _, err := os.Stat(binary); err != nil {
			return nil, fmt.Errorf("%w (run `make build` and `make bin/terraform`, or `make bench`)", err)
		}
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}

	tenant, err := startTenant(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting the emulator: %w", err)
	}
	defer func() { _ = tenant.Close() }() // nothing is left to serve
	ws, err := newWorkspace(opts.Terraform, opts.Provider, tenant.Token)
	if err != nil {
		return nil, err
	}
	r := &runner{opts: opts, tenant: tenant, ws: ws, start: time.Now()}
	if opts.KeepWorkDir {
		r.progress("working files are kept in %s", ws.root)
	} else {
		defer func() { _ = ws.Close() }() // a temporary directory left behind is harmless
	}

	results := &Results{
		Machine: describeMachine(ctx, opts.Terraform),
		Latency: opts.Latency,
		Repeat:  opts.Repeat,
	}
	sizes := slices.Sorted(slices.Values(append(slices.Clone(opts.Sizes), opts.ChartSizes...)))
	for _, n := range slices.Compact(sizes) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var size SizeResult
		if slices.Contains(opts.Sizes, n) {
			size, err = r.measureAllSteps(ctx, n)
		} else {
			size, err = r.measurePlans(ctx, n)
		}
		if err != nil {
			return nil, err
		}
		results.Sizes = append(results.Sizes, size)
	}
	if results.LargeTenant, err = r.measureLargeTenant(ctx); err != nil {
		return nil, err
	}
	if results.Memory, err = r.measureMemory(ctx); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err // interrupted: the results are incomplete
	}
	r.progress("done")
	return results, nil
}

// runner runs the scenarios of one bench run.
type runner struct {
	opts   Options
	tenant *tenant
	ws     *workspace
	start  time.Time
}

// progress prints a line prefixed with the time since the run started.
func (r *runner) progress(format string, args ...any) {
	elapsed := time.Since(r.start).Round(time.Second)
	_, _ = fmt.Fprintf(r.opts.Progress, "[%6s] %s\n", elapsed, fmt.Sprintf(format, args...)) // progress is best effort
}

// measure runs c once against the current tenant and returns its time and the requests it made.
func (r *runner) measure(ctx context.Context, dir *workDir, c command, env ...string) *Measurement {
	r.tenant.Emulator().ResetRequests()
	wall, changes, err := dir.time(ctx, c, env)
	if err != nil {
		return &Measurement{Err: err.Error()}
	}
	return &Measurement{Wall: wall, Requests: r.tenant.Requests(), ChangesPlanned: changes}
}

// report prints a measurement as a progress line.
func (r *runner) report(what string, m *Measurement) {
	switch {
	case m.Err != "":
		r.progress("%s: FAILED\n%s", what, m.Err)
	case m.ChangesPlanned:
		r.progress("%s: %s, %s, but the plan found changes", what, formatSeconds(m.Wall), formatQuantity(m.Requests.Total(), "request"))
	default:
		r.progress("%s: %s, %s", what, formatSeconds(m.Wall), formatQuantity(m.Requests.Total(), "request"))
	}
}

// measureAllSteps measures create, no-change plans, update and destroy of n users. The writes
// run once against a tenant at 0 ms and once against one at the bench's latency; each sequence
// starts from an empty tenant and no state, since a destroy leaves deactivated users that a
// create would adopt. The plans, which change nothing, are measured at both latencies during the
// second sequence. A failed write ends its sequence; a failed plan does not.
func (r *runner) measureAllSteps(ctx context.Context, n int) (SizeResult, error) {
	all := benchUsers(n)
	renamed, changed := all.renamed()
	size := SizeResult{Users: n, Full: true, Steps: []StepResult{
		{Step: StepCreate, Users: n, Changed: n},
		{Step: StepPlan, Users: n},
		{Step: StepPlanBulkOff, Users: n},
		{Step: StepUpdate, Users: n, Changed: changed},
		{Step: StepDestroy, Users: n, Changed: n},
	}}
	dir, err := r.ws.newWorkDir(ctx, fmt.Sprintf("users-%d", n), r.config(all, false))
	if err != nil {
		return size, err
	}
	for _, latency := range []time.Duration{0, r.opts.Latency} {
		// The previous sequence left its state and the renamed users' configuration behind.
		r.tenant.Reset(latency)
		if err := dir.resetState(); err != nil {
			return size, err
		}
		if err := dir.writeConfig(r.config(all, false)); err != nil {
			return size, err
		}
		write := func(step Step, c command) bool {
			s := size.Step(step)
			m := r.measure(ctx, dir, c)
			r.report(fmt.Sprintf("%s at %s: %s", formatUsers(n), formatLatency(latency), s.Step.label(s.Users, s.Changed)), m)
			*s.at(latency) = m
			return m.Err == ""
		}
		if !write(StepCreate, applyCommand) {
			continue
		}
		if latency != 0 {
			if err := r.measureNoChangePlans(ctx, dir, &size); err != nil {
				return size, err
			}
		}
		if err := dir.writeConfig(r.config(renamed, false)); err != nil {
			return size, err
		}
		if write(StepUpdate, applyCommand) {
			write(StepDestroy, destroyCommand)
		}
	}
	return size, nil
}

// measurePlans measures only the no-change plans of n users, for the chart, after creating the
// users at 0 ms without timing it.
func (r *runner) measurePlans(ctx context.Context, n int) (SizeResult, error) {
	size := SizeResult{Users: n, Steps: []StepResult{{Step: StepPlan, Users: n}, {Step: StepPlanBulkOff, Users: n}}}
	dir, err := r.ws.newWorkDir(ctx, fmt.Sprintf("users-%d", n), r.config(benchUsers(n), false))
	if err != nil {
		return size, err
	}
	r.tenant.Reset(0)
	if failed := r.setUp(ctx, dir, n); failed != nil {
		for i := range size.Steps {
			size.Steps[i].AtZero, size.Steps[i].AtLatency = failed, failed
		}
		return size, nil
	}
	return size, r.measureNoChangePlans(ctx, dir, &size)
}

// measureNoChangePlans measures the no-change plans of size's users, created in dir, with bulk
// refresh on and off, each at 0 ms and at the bench's latency, into size's plan steps. Each of
// Repeat rounds runs all four once, so that a change in the machine's load during the
// measurement hits them alike, and the fastest run of each counts: the latency-bound time of a
// short plan is a small difference between two long timings. It leaves the tenant at the bench's
// latency and the configuration with bulk refresh on.
func (r *runner) measureNoChangePlans(ctx context.Context, dir *workDir, size *SizeResult) error {
	latencies := []time.Duration{0, r.opts.Latency}
	all := benchUsers(size.Users)
	for round := range r.opts.Repeat {
		r.progress("%s: no-change plans, bulk refresh on and off, at 0 ms and %s: round %d of %d",
			formatUsers(size.Users), formatLatency(r.opts.Latency), round+1, r.opts.Repeat)
		for _, step := range []Step{StepPlan, StepPlanBulkOff} {
			if err := dir.writeConfig(r.config(all, step == StepPlanBulkOff)); err != nil {
				return err
			}
			s := size.Step(step)
			for _, latency := range latencies {
				best := s.at(latency)
				if *best != nil && (*best).Err != "" {
					continue // it failed; running it again would fail again
				}
				r.tenant.Emulator().SetLatency(latency)
				if m := r.measure(ctx, dir, planCommand); *best == nil || m.Err != "" || m.Wall < (*best).Wall {
					*best = m
				}
			}
		}
	}
	for _, step := range []Step{StepPlan, StepPlanBulkOff} {
		s := size.Step(step)
		for _, latency := range latencies {
			r.report(fmt.Sprintf("%s at %s: %s (fastest of %d)", formatUsers(size.Users), formatLatency(latency),
				step.label(size.Users, 0), r.opts.Repeat), *s.at(latency))
		}
	}
	r.tenant.Emulator().SetLatency(r.opts.Latency)
	return dir.writeConfig(r.config(all, false))
}

// setUp creates the configured users of dir, untimed, for a scenario that measures something
// else. It returns the failed measurement when the apply fails, nil when it succeeds.
func (r *runner) setUp(ctx context.Context, dir *workDir, managed int) *Measurement {
	m := r.measure(ctx, dir, applyCommand)
	r.report(fmt.Sprintf("set-up: create %s", formatUsers(managed)), m)
	if m.Err != "" {
		return m
	}
	return nil
}

// seededTenant resets the tenant at 0 ms with others users that no configuration manages.
func (r *runner) seededTenant(others int) {
	r.tenant.Reset(0)
	r.tenant.Emulator().AddUsers(others, otherUserNameFormat)
}

// measureLargeTenant measures a no-change plan of one managed user in a large tenant, at the
// bench's latency: a provider that lists the whole tenant to refresh one user pays for it here.
func (r *runner) measureLargeTenant(ctx context.Context) (TenantResult, error) {
	const managed = 1
	result := TenantResult{TenantUsers: r.opts.LargeTenantUsers, ManagedUsers: managed}
	dir, err := r.ws.newWorkDir(ctx, "large-tenant", r.config(benchUsers(managed), false))
	if err != nil {
		return result, err
	}
	r.seededTenant(r.opts.LargeTenantUsers - managed)
	if result.Plan = r.setUp(ctx, dir, managed); result.Plan != nil {
		return result, nil
	}
	r.tenant.Emulator().SetLatency(r.opts.Latency)
	result.Plan = r.measure(ctx, dir, planCommand)
	r.report(fmt.Sprintf("%s in a tenant of %s at %s: plan: no changes",
		formatUsers(managed), formatCount(result.TenantUsers), formatLatency(r.opts.Latency)), result.Plan)
	return result, nil
}

// measureMemory measures the provider's peak memory during a no-change plan of a few hundred
// users in a large tenant, which a provider with bulk refresh lists in full. Latency does not
// change memory, so it runs at 0 ms.
func (r *runner) measureMemory(ctx context.Context) (MemoryResult, error) {
	result := MemoryResult{TenantUsers: r.opts.MemoryTenantUsers, ManagedUsers: r.opts.MemoryManagedUsers}
	dir, err := r.ws.newWorkDir(ctx, "memory", r.config(benchUsers(result.ManagedUsers), false))
	if err != nil {
		return result, err
	}
	r.seededTenant(result.TenantUsers - result.ManagedUsers)
	if result.Plan = r.setUp(ctx, dir, result.ManagedUsers); result.Plan != nil {
		return result, nil
	}

	logFile, err := os.OpenFile(dir.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return result, err
	}
	defer func() { _ = logFile.Close() }() // the log is for debugging only
	provider, err := startDebugProvider(ctx, r.opts.Provider, r.ws.env, logFile)
	if err != nil {
		result.Err = "starting the provider in debug mode: " + err.Error()
		r.progress("memory: %s", result.Err)
		return result, nil
	}
	defer provider.Stop()

	result.Plan = r.measure(ctx, dir, planCommand, provider.Env())
	result.ListedUsers = r.tenant.ListedUsers()
	if result.PeakRSS, err = provider.PeakRSS(); err != nil {
		result.Err = err.Error()
	}
	r.report(fmt.Sprintf("memory: %s in a tenant of %s at 0 ms: plan: no changes",
		formatUsers(result.ManagedUsers), formatCount(result.TenantUsers)), result.Plan)
	r.progress("memory: provider peak RSS %s, %s listed", formatMiB(result.PeakRSS), formatUsers(result.ListedUsers))
	return result, nil
}

// config renders the configuration of the given users against the bench's tenant.
func (r *runner) config(u users, bulkRefreshOff bool) []byte {
	return config{tenantURL: r.tenant.URL, users: u, bulkRefreshOff: bulkRefreshOff}.render()
}
