package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFormatCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 10000: "10,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q, want %q", n, got, want)
		}
	}
	if got := formatUsers(1); got != "1 user" {
		t.Errorf("formatUsers(1) = %q", got)
	}
}

func TestFormats(t *testing.T) {
	for got, want := range map[string]string{
		formatSeconds(5123 * ms):   "5.12 s",
		formatLatency(50 * ms):     "50 ms",
		formatRatio(1.234):         "1.2×",
		formatRatio(123.4):         "123×",
		formatMiB(60 << 20):        "60.0 MiB",
		cell("a | b\n  c"):         `a \| b c`,
		formatWall(nil):            "not run",
		formatWall(&Measurement{}): "0.00 s",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestReport(t *testing.T) {
	report := string(Report(sampleResults(), ChartFile))
	for _, want := range []string{
		"| CPU model | Test CPU |",
		"| Terraform | 1.5.7 |",
		"| load average at start (1 min) | 0.15 |",
		"| date | 2025-01-02 03:04 UTC |",
		"## 1,000 managed users",
		"| apply: create 1,000 users | 9.00 s | 15.00 s | 6.00 s | 5.00 s | 1.2× | 0 | 0 | 1,000 | 0 | 0 | 0 | 1,000 |",
		"| plan: no changes | 4.00 s | 4.10 s | 0.10 s | 0.05 s | 2.0× | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
		"| apply: rename 100 users | 5.00 s | 5.60 s | 0.60 s | 0.50 s | 1.2× | 1 | 0 | 0 | 0 | 100 | 0 | 101 |",
		"0.10 s with bulk refresh and 5.50 s with `bulk_refresh = false`; off over on: 55.0×",
		"](" + ChartFile + ")",
		"| 10 | 0.30 s | 0.36 s | 0.06 s | 0.30 s | 0.40 s | 0.10 s | 0.05 s |",
		"## 1 managed user in a tenant of 5,000",
		"| 60.0 MiB | 10,000 | 2.00 s |",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "## 10 managed users") {
		t.Error("a chart-only size got a full table")
	}
	if n := strings.Count(report, "| PASS |"); n != 5 {
		t.Errorf("%d bars pass, want 5", n)
	}
	checkTables(t, report)
}

func TestFormatBoundMarksNoise(t *testing.T) {
	step := StepResult{Step: StepCreate, Users: 10, Changed: 10,
		AtZero: measured(3*time.Second, Requests{}), AtLatency: measured(2*time.Second, Requests{})}
	if got := formatBound(step); got != "0.00 s (noise: 0 ms took longer)" {
		t.Errorf("formatBound = %q", got)
	}
	step.AtLatency.Wall = 4 * time.Second
	if got := formatBound(step); got != "1.00 s" {
		t.Errorf("formatBound = %q", got)
	}
	step.AtLatency = nil
	if got := formatBound(step); got != "–" {
		t.Errorf("formatBound = %q", got)
	}
}

func TestReportShowsFailures(t *testing.T) {
	r := sampleResults()
	full := &r.Sizes[1]
	full.Step(StepPlanBulkOff).AtLatency = &Measurement{Err: "terraform plan: exit status 1:\nError: Unsupported argument | here"}
	full.Step(StepDestroy).AtLatency = nil
	full.Step(StepPlan).AtZero.ChangesPlanned = true
	report := string(Report(r, ChartFile))
	for _, want := range []string{
		"plan: no changes, `bulk_refresh = false` at 50 ms: **failed**: terraform plan: exit status 1: Error: Unsupported argument \\| here",
		"destroy: deactivate 1,000 users at 50 ms: not run, because an earlier command failed.",
		"plan: no changes at 0 ms: **the plan found changes**",
		"| plan: no changes | 4.00 s (changes!) |",
		"| not measured | **FAIL** |",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	checkTables(t, report)
}

// checkTables checks that every row of every Markdown table has as many cells as its header.
func checkTables(t *testing.T, report string) {
	t.Helper()
	columns := 0
	for _, line := range strings.Split(report, "\n") {
		if !strings.HasPrefix(line, "|") {
			columns = 0
			continue
		}
		cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1
		if columns == 0 {
			columns = cells
		} else if cells != columns {
			t.Errorf("row with %d cells in a table of %d: %s", cells, columns, line)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bench", "results.md")
	var stdout bytes.Buffer
	if err := Write(sampleResults(), path, &stdout); err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(report, stdout.Bytes()) {
		t.Error("the report printed differs from the one written")
	}
	if _, err := os.Stat(filepath.Join(dir, "bench", ChartFile)); err != nil {
		t.Errorf("no chart beside the report: %v", err)
	}

	failed := sampleResults()
	failed.Memory.Err = "no /proc"
	if err := Write(failed, path, &stdout); err == nil {
		t.Error("Write of a run with failures returned no error")
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("a run with failures wrote no report: %v", err)
	}
}
