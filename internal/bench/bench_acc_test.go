package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAccBenchQuick runs every scenario of the harness at QuickScale, with no added latency,
// against the real Terraform CLI and a freshly built provider, and checks that each measured what
// it should. It asserts on request counts only, never on timings, which depend on the machine.
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

	s := QuickScale
	results, err := Run(t.Context(), Options{Terraform: terraform, Provider: provider, Scale: s, Progress: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	if len(results.Errors) > 0 {
		t.Fatalf("scenarios failed:\n%s", strings.Join(results.Errors, "\n"))
	}
	if err := Write(results, filepath.Join(dir, "bench", "results.md")); err != nil {
		t.Error(err)
	}

	// Rows: the grid's, the two writes, four commands a round, none, none, the two rate-limit runs.
	wantRows := []int{len(s.GridUsers), 2, 4 * s.Rounds, 0, 0, 2}
	if len(results.Sections) != len(wantRows) {
		t.Fatalf("%d sections, want %d", len(results.Sections), len(wantRows))
	}
	for i, section := range results.Sections {
		if len(section.Rows) != wantRows[i] || section.Means == "" || len(section.Bars) == 0 {
			t.Errorf("%s: %d rows, want %d; %d bars; means %q", section.Title, len(section.Rows), wantRows[i], len(section.Bars), section.Means)
		}
	}
	// The bars on the requests of plans and of a membership change hold at any scale and speed;
	// those on CPU, concurrency and the rate limit depend on the machine.
	for _, bar := range results.Bars() {
		if (strings.HasPrefix(bar.Figure, "no-change plan requests") || strings.HasSuffix(bar.Figure, "PATCH requests")) && !bar.Pass {
			t.Errorf("%s: %s against %s", bar.Figure, bar.Measured, bar.Target)
		}
	}
}

// testLog writes the bench's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
