package main

import (
	"slices"
	"testing"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/bench"
)

func TestParseFlagsDefaults(t *testing.T) {
	opts, out, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := bench.DefaultOptions()
	if out != "bench/results.md" || opts.Latency != want.Latency || !slices.Equal(opts.Sizes, want.Sizes) ||
		!slices.Equal(opts.ChartSizes, want.ChartSizes) || opts.Repeat != want.Repeat {
		t.Errorf("defaults: %+v, out %q", opts, out)
	}
}

func TestParseFlags(t *testing.T) {
	opts, out, err := parseFlags([]string{"-latency", "20ms", "-n", "10, 100", "-chart-n=", "-out", "x/r.md", "-repeat", "2"})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Latency != 20*time.Millisecond || !slices.Equal(opts.Sizes, []int{10, 100}) || opts.ChartSizes != nil ||
		out != "x/r.md" || opts.Repeat != 2 {
		t.Errorf("got %+v, out %q", opts, out)
	}
}

func TestParseFlagsQuick(t *testing.T) {
	quick := bench.DefaultOptions()
	quick.Quick()
	opts, _, err := parseFlags([]string{"-quick", "-latency", "5ms"})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Latency != 5*time.Millisecond {
		t.Errorf("an explicit -latency lost to -quick: %v", opts.Latency)
	}
	if !slices.Equal(opts.Sizes, quick.Sizes) || opts.MemoryTenantUsers != quick.MemoryTenantUsers {
		t.Errorf("-quick did not apply: %+v", opts)
	}
}

func TestParseFlagsRejects(t *testing.T) {
	for _, args := range [][]string{{"-n", "0"}, {"-n", "ten"}, {"-chart-n", "1,,2"}, {"extra"}} {
		if _, _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}
