package bench

import (
	"strings"
	"testing"
	"time"
)

func TestPlanBound(t *testing.T) {
	for _, c := range []struct{ n, t, page, want int }{
		{1, 1, userPage, 13},             // one read, or one page: 2 × 1 + 2 + 9
		{1, 50000, userPage, 13},         // a few users keep single reads however large the company
		{1000, 1000, userPage, 13},       // a thousand users: one page
		{1000, 5000, userPage, 21},       // 5 pages
		{1000, 50000, userPage, 111},     // 50 pages, still cheaper than 1,000 reads
		{15, 50000, userPage, 41},        // 15 reads are cheaper than 50 pages
		{50, 50, groupPage, 13},          // groups list 100 a page
		{500, 500, userPage, 13},         // the group scenario's users
		{1000, 1001, userPage, 2*2 + 11}, // a page more for one user more
	} {
		if got := planBound(c.n, c.t, c.page); got != c.want {
			t.Errorf("planBound(%d, %d, %d) = %d, want %d", c.n, c.t, c.page, got, c.want)
		}
	}
	// The group plan's bound of issue 10: the users' and the groups' bounds.
	if got := planBound(500, 500, userPage) + planBound(50, 50, groupPage); got != 26 {
		t.Errorf("group plan bound = %d, want 26", got)
	}
}

func TestMedian(t *testing.T) {
	rounds := []round{{terraform: 9 * time.Second, provider: 3 * time.Second}, {terraform: 5 * time.Second}, {terraform: 10 * time.Second}}
	if got := median(rounds); got.cpu() != 10*time.Second {
		t.Errorf("median = %+v, want the round of 10 s", got)
	}
	if got := median(rounds[:2]); got.cpu() != 5*time.Second {
		t.Errorf("median of two = %+v, want the lower", got)
	}
}

func TestReport(t *testing.T) {
	r := &Results{
		Machine: Machine{CPUs: 2, GoVersion: "go1.26", Date: time.Date(2026, 12, 2, 15, 4, 0, 0, time.UTC)},
		Sections: []Section{
			{Title: "Grid", Means: "**Grid**: what it means.", Header: []string{"N", "T = N"}, Rows: [][]string{{"1", "1 / 13 PASS"}},
				Bars: []Bar{{Figure: "grid", Target: "≤ 13", Measured: "1", Pass: true}}},
			{Title: "Memory", Means: "**Memory**: what it means.", Bars: []Bar{{Figure: "memory", Target: "< 100 MiB", Measured: "120.0 MiB"}}},
			{Title: "Floor", Notes: []string{"beyond the floor: 1.00 s"}},
		},
		Errors: []string{"Floor: terraform plan: exit status 1"},
	}
	report := string(Report(r))
	for _, want := range []string{
		"| CPUs | 2 × unknown |", "| Terraform | unknown |", "| date | 2026-12-02 15:04 UTC |",
		"## What each figure means", "- **Grid**: what it means.\n- **Memory**: what it means.\n",
		"| figure | target | measured | result |\n|---|---|---|---|\n| grid | ≤ 13 | 1 | PASS |\n| memory | < 100 MiB | 120.0 MiB | **FAIL** |\n",
		"## Grid\n\n| N | T = N |\n|---|---|\n| 1 | 1 / 13 PASS |\n",
		"## Floor\n\n\nbeyond the floor: 1.00 s\n",
		"## Scenarios that failed\n\n```\nFloor: terraform plan: exit status 1\n```\n",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "## Memory") {
		t.Errorf("a section with only bars has a heading:\n%s", report)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 50000: "50,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestReattachValue(t *testing.T) {
	line := `	TF_REATTACH_PROVIDERS='{"registry.terraform.io/teamviewer-community/teamviewer":{"Protocol":"grpc","Pid":1}}'`
	if value, ok := reattachValue(line); !ok || !strings.HasPrefix(value, `{"registry.terraform.io/`) {
		t.Errorf("reattachValue = %q, %v", value, ok)
	}
	for _, line := range []string{"Provider started.", `TF_REATTACH_PROVIDERS='{'`, `TF_REATTACH_PROVIDERS={}`} {
		if _, ok := reattachValue(line); ok {
			t.Errorf("reattachValue(%q) found a value", line)
		}
	}
}
