package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// tokenEnv names the environment variable that supplies the token when
// -token is not given, which keeps it out of the process list.
const tokenEnv = "TEAMVIEWER_EMULATOR_TOKEN"

// serveConfig is the configuration of the serve command.
type serveConfig struct {
	addr      string
	statePath string
	readyFile string
	seedUsers int
	options   emulator.Options
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := parseServeFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, log.New(stderr, "", 0))
}

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	var reserved string
	opts := &cfg.options
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8417", "listen `address`; loopback only")
	fs.StringVar(&opts.Token, "token", "", "bearer `token` of the API (default $"+tokenEnv+")")
	fs.StringVar(&opts.ReadOnlyToken, "read-only-token", "", "optional bearer `token` that may only GET")
	fs.DurationVar(&opts.Latency, "latency", 0, "`delay` added to each API request")
	fs.StringVar(&cfg.statePath, "state", "", "JSON `file` that keeps the users and groups across restarts: loaded at start when present, saved after each write")
	fs.StringVar(&cfg.readyFile, "ready-file", "", "`file` to write the API base URL to once listening")
	fs.IntVar(&cfg.seedUsers, "seed-users", 0, "add `n` users (user00001@example.com...) when no state was loaded")
	fs.StringVar(&reserved, "reserved-usernames", "", "comma-separated userNames owned outside the company: creating them fails as a duplicate")
	fs.IntVar(&opts.DuplicateStatus, "duplicate-status", 409, "HTTP `status` for a duplicate userName")
	fs.Float64Var(&opts.Faults.RateLimited, "fault-429", 0, "`fraction` of requests answered 429 with Retry-After")
	fs.Float64Var(&opts.Faults.RateLimitedNoRetryAfter, "fault-429-no-retry-after", 0, "`fraction` of requests answered 429 without Retry-After")
	fs.Float64Var(&opts.Faults.Unavailable, "fault-503", 0, "`fraction` of requests answered 503")
	fs.Float64Var(&opts.Faults.DropAfterWrite, "fault-drop", 0, "`fraction` of writes processed, then answered by closing the connection")
	fs.Float64Var(&opts.Faults.CommitThenBadGateway, "fault-502-after-commit", 0, "`fraction` of writes processed, then answered 502 by the gateway")
	fs.Float64Var(&opts.Faults.GatewayTimeoutThenCommit, "fault-504-late-commit", 0, "`fraction` of creates answered 504 at once and carried out -late-commit-delay later")
	fs.DurationVar(&opts.Faults.LateCommitDelay, "late-commit-delay", 2*time.Second, "`delay` after which a create answered 504 lands")
	fs.DurationVar(&opts.Faults.RetryAfter, "retry-after", time.Second, "`delay` sent in Retry-After")
	fs.Float64Var(&opts.RateLimit.PerSecond, "rate-limit", 0, "requests per `second` before 429 (token bucket); 0 for no limit")
	fs.IntVar(&opts.RateLimit.Burst, "rate-limit-burst", 1, "`size` of the rate limit's bucket")
	fs.Int64Var(&opts.Seed, "seed", 1, "`seed` of the random choice of faulted requests")
	if err := parseFlags(fs, args); err != nil {
		return serveConfig{}, err
	}
	if reserved != "" {
		opts.ReservedUserNames = strings.Split(reserved, ",")
	}
	if opts.Token == "" {
		opts.Token = getenv(tokenEnv)
	}
	if opts.Token == "" {
		return serveConfig{}, fmt.Errorf("a token is required: pass -token or set %s", tokenEnv)
	}
	if err := checkLoopback(cfg.addr); err != nil {
		return serveConfig{}, err
	}
	return cfg, nil
}

// serve runs the emulator until ctx ends, then shuts it down gracefully.
func serve(ctx context.Context, cfg serveConfig, logger *log.Logger) error {
	state := &stateFile{path: cfg.statePath}
	var srv *emulator.Server
	opts := cfg.options
	// Saving before the response goes out means a client never sees a write
	// that a kill right after would lose.
	opts.OnChange = func() {
		if err := state.save(srv); err != nil {
			logger.Printf("teamviewer-emulator: saving state: %v", err)
		}
	}
	srv = emulator.New(opts)

	loaded, err := state.load(srv)
	if err != nil {
		return fmt.Errorf("loading state from %s: %w", cfg.statePath, err)
	}
	if !loaded && cfg.seedUsers > 0 {
		srv.AddUsers(cfg.seedUsers, "user%05d@example.com")
		if err := state.save(srv); err != nil {
			return fmt.Errorf("saving state: %w", err)
		}
	}

	listener, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.addr)
	if err != nil {
		return err
	}
	httpServer := &http.Server{Handler: newMux(srv), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(listener) }()

	baseURL := "http://" + listener.Addr().String() + emulator.BasePath
	logger.Printf("teamviewer-emulator listening on %s", baseURL)
	if cfg.readyFile != "" {
		if err := writeFileAtomic(cfg.readyFile, []byte(baseURL+"\n")); err != nil {
			_ = httpServer.Close()
			return fmt.Errorf("writing ready file: %w", err)
		}
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// The slow backend finishes what it was given, so that the state file
	// does not depend on when the command was stopped.
	srv.FlushLateCommits()
	return nil
}

// newMux serves the API and, beside it, the admin endpoints.
func newMux(srv *emulator.Server) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(emulator.AdminPath+"/", srv.AdminHandler())
	mux.Handle("/", srv) // the API answers every other path, with a SCIM 404 if unknown
	return mux
}
