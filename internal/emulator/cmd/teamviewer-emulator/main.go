// Command teamviewer-emulator serves the in-repo emulator of TeamViewer's
// SCIM 2.0 API on a loopback address, for demos and scripts, and prints
// what the emulator holds.
//
// Usage:
//
//	teamviewer-emulator serve [-addr 127.0.0.1:8417] [-token TOKEN] [-state FILE] [flags]
//	teamviewer-emulator users [-url http://127.0.0.1:8417]
//	teamviewer-emulator groups [-url http://127.0.0.1:8417]
//
// Run a subcommand with -h for its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errReported is returned for usage errors the flag package already printed.
var errReported = errors.New("usage error")

// run executes the subcommand in args and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], getenv, stderr)
	case "users":
		err = runUsers(ctx, args[1:], stdout, stderr)
	case "groups":
		err = runGroups(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		printUsage(stdout)
		return 0
	default:
		printf(stderr, "teamviewer-emulator: unknown command %q\n", args[0])
		printUsage(stderr)
		return 2
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errReported):
		return 2
	}
	printf(stderr, "teamviewer-emulator: %v\n", err)
	return 1
}

// printf writes a message for the user to w. A failed write is dropped: a
// command whose stdout or stderr is broken has nowhere left to report it.
func printf(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}

func printUsage(w io.Writer) {
	printf(w, `usage:
  teamviewer-emulator serve [flags]   serve the emulated SCIM API on a loopback address
  teamviewer-emulator users [flags]   print the emulator's users and request counts
  teamviewer-emulator groups [flags]  print the emulator's user groups
Run a command with -h for its flags.
`)
}

// parseFlags parses args into fs, turning the errors the flag package has
// already printed into errReported.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errReported
	}
	if fs.NArg() > 0 {
		printf(fs.Output(), "unexpected arguments: %v\n", fs.Args())
		fs.Usage()
		return errReported
	}
	return nil
}
