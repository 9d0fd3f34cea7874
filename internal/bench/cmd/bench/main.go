// Command bench runs the provider through the real Terraform CLI against the TeamViewer emulator
// and writes the results as Markdown with an SVG chart; `make bench` runs it. See package
// internal/bench for what it measures.
//
//	go run ./internal/bench/cmd/bench [-latency 50ms] [-n 100,1000] [-chart-n 10,100,300,1000] [-out bench/results.md] [-quick]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/bench"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	opts, out, err := parseFlags(args)
	if err != nil {
		return err
	}
	opts.Progress = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results, err := bench.Run(ctx, opts)
	if err != nil {
		return err
	}
	return bench.Write(results, out, os.Stdout)
}

// parseFlags returns the bench's options and the report's path.
func parseFlags(args []string) (opts bench.Options, out string, err error) {
	opts = bench.DefaultOptions()
	out = filepath.Join("bench", "results.md")
	var quick bool

	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	flags.StringVar(&opts.Terraform, "terraform", opts.Terraform, "path of the Terraform CLI")
	flags.StringVar(&opts.Provider, "provider", opts.Provider, "path of the provider binary")
	flags.DurationVar(&opts.Latency, "latency", opts.Latency, "latency added to every request of the loaded runs")
	flags.Var((*sizeList)(&opts.Sizes), "n", "comma-separated numbers of managed users to measure in full")
	flags.Var((*sizeList)(&opts.ChartSizes), "chart-n", "comma-separated numbers of managed users whose no-change plans are charted")
	flags.IntVar(&opts.Repeat, "repeat", opts.Repeat, "runs of each no-change plan at each latency; the fastest counts")
	flags.StringVar(&out, "out", out, "the Markdown report to write; the SVG chart is written beside it")
	flags.BoolVar(&opts.KeepWorkDir, "keep", false, "keep the working directories (configurations, state, Terraform's output)")
	flags.BoolVar(&quick, "quick", false, "a smoke run with a few users, whose numbers mean nothing; other flags still apply")
	if err := flags.Parse(args); err != nil {
		return opts, out, err
	}
	if flags.NArg() > 0 {
		return opts, out, fmt.Errorf("unexpected arguments: %s", strings.Join(flags.Args(), " "))
	}
	if quick {
		// Quick replaces the defaults; flags given explicitly still win.
		explicit := opts
		opts.Quick()
		flags.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "latency":
				opts.Latency = explicit.Latency
			case "n":
				opts.Sizes = explicit.Sizes
			case "chart-n":
				opts.ChartSizes = explicit.ChartSizes
			case "repeat":
				opts.Repeat = explicit.Repeat
			}
		})
	}
	return opts, out, nil
}

// sizeList is a flag.Value of comma-separated numbers of users, such as "100,1000".
type sizeList []int

func (l *sizeList) String() string {
	parts := make([]string, len(*l))
	for i, n := range *l {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func (l *sizeList) Set(value string) error {
	var sizes []int
	if value == "" { // -chart-n= charts only the sizes measured in full
		*l = nil
		return nil
	}
	for _, part := range strings.Split(value, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not a number of users", part)
		}
		sizes = append(sizes, n)
	}
	*l = sizes
	return nil
}
