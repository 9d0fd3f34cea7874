// Command bench runs the provider through the real Terraform CLI against the TeamViewer emulator
// and writes bench/results.md; `make bench` runs it. See package internal/bench for what it
// measures.
//
//	go run ./internal/bench/cmd/bench -terraform bin/terraform -provider bin/terraform-provider-teamviewer [-out bench/results.md] [-quick]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/bench"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	opts := bench.Options{
		Terraform: filepath.Join("bin", "terraform"),
		Provider:  filepath.Join("bin", "terraform-provider-teamviewer"),
		Scale:     bench.FullScale,
		Progress:  os.Stderr,
	}
	out := filepath.Join("bench", "results.md")
	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	flags.StringVar(&opts.Terraform, "terraform", opts.Terraform, "path of the Terraform CLI")
	flags.StringVar(&opts.Provider, "provider", opts.Provider, "path of the provider binary")
	flags.DurationVar(&opts.Latency, "latency", 50*time.Millisecond, "latency added to every request of the request-count and group scenarios")
	flags.DurationVar(&opts.WriteLatency, "write-latency", 500*time.Millisecond, "latency added to every request of the concurrency scenario")
	flags.StringVar(&out, "out", out, "the Markdown report to write")
	flags.BoolVar(&opts.KeepWorkDir, "keep", false, "keep the working directories (configurations, state, Terraform's output)")
	quick := flags.Bool("quick", false, "a smoke run of every scenario with a few users, whose numbers mean nothing")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", flags.Args())
	}
	if *quick {
		opts.Scale = bench.QuickScale
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results, err := bench.Run(ctx, opts)
	if err != nil {
		return err
	}
	for _, bar := range results.Bars() {
		verdict := "PASS"
		if !bar.Pass {
			verdict = "FAIL"
		}
		fmt.Printf("%-4s  %s: %s (target %s)\n", verdict, bar.Figure, bar.Measured, bar.Target)
	}
	return bench.Write(results, out)
}
