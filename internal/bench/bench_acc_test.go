package bench

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAccBenchQuick runs the whole harness in its -quick form against the real Terraform CLI
// and a freshly built provider: every scenario runs, with handfuls of users.
func TestAccBenchQuick(t *testing.T) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || terraform == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH (the Terraform CLI), as `make test` sets")
	}
	dir := t.TempDir()
	provider := filepath.Join(dir, "terraform-provider-teamviewer")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", provider, ".")
	build.Dir = filepath.Join("..", "..") // the module root, from this package's directory
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}

	opts := DefaultOptions()
	opts.Quick()
	opts.Terraform, opts.Provider = terraform, provider
	opts.Progress = testLog{t}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	results, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(results, filepath.Join(dir, "bench", "results.md"), io.Discard); err != nil {
		t.Error(err)
	}

	if len(results.Sizes) != 2 || !results.Sizes[1].Full || results.Sizes[0].Full {
		t.Fatalf("sizes = %+v, want one for the chart and one in full", results.Sizes)
	}
	full := results.Sizes[1]
	for _, step := range full.Steps {
		if _, ok := step.LatencyBound(); !ok {
			t.Errorf("%s: not measured at both latencies", step.Step.label(step.Users, step.Changed))
		}
	}
	if create := full.Step(StepCreate).AtLatency; create.ok() && create.Requests.Post != full.Users {
		t.Errorf("creating %d users counted %+v", full.Users, create.Requests)
	}
	if destroy := full.Step(StepDestroy).AtLatency; destroy.ok() && (destroy.Requests.Patch != full.Users || destroy.Requests.Delete != 0) {
		t.Errorf("destroying %d users counted %+v, want a PATCH each", full.Users, destroy.Requests)
	}
	if plan := results.LargeTenant.Plan; !plan.ok() || plan.Requests.Total() == 0 {
		t.Errorf("large tenant plan = %+v", plan)
	}
	if m := results.Memory; m.Err != "" || m.PeakRSS == 0 || !m.Plan.ok() {
		t.Errorf("memory = %+v", m)
	}
}

// testLog writes the bench's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
