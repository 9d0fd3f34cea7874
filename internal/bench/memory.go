package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// reattachEnv is the variable through which Terraform attaches to a running provider instead of
// starting one.
const reattachEnv = "TF_REATTACH_PROVIDERS"

// debugProvider is the provider started by the bench in debug mode (-debug), which Terraform
// attaches to through TF_REATTACH_PROVIDERS. The bench then knows the provider's process, and
// can read its peak memory after Terraform is done and before the process exits, which polling
// a child process started by Terraform could miss.
type debugProvider struct {
	cmd      *exec.Cmd
	reattach string // the value of TF_REATTACH_PROVIDERS
	exited   chan struct{}
}

// startDebugProvider starts the provider binary with -debug and waits for the reattach
// configuration it prints. env is the provider's environment: it reads its token from there, not
// from Terraform's. Its output other than that line goes to logTo.
func startDebugProvider(ctx context.Context, binary string, env []string, logTo io.Writer) (*debugProvider, error) {
	cmd := exec.CommandContext(ctx, binary, "-debug")
	// Debug mode shuts down on SIGINT; a kill is for a provider that ignores it.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopGrace
	cmd.Env = env
	cmd.Stderr = logTo
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &debugProvider{cmd: cmd, exited: make(chan struct{})}

	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for scanner.Scan() {
			_, _ = fmt.Fprintln(logTo, scanner.Text()) // the log is for debugging only
			if reattach, ok := parseReattachLine(scanner.Text()); ok && !sent {
				found <- reattach
				sent = true
			}
		}
		close(found)
		// Waiting only after stdout is drained is what exec.Cmd requires of StdoutPipe users.
		_ = cmd.Wait()
		close(p.exited)
	}()

	select {
	case reattach, ok := <-found:
		if ok {
			p.reattach = reattach
			return p, nil
		}
		p.Stop()
		return nil, errors.New("the provider exited without printing its reattach configuration")
	case <-time.After(30 * time.Second):
		p.Stop()
		return nil, errors.New("the provider printed no reattach configuration within 30 s")
	case <-ctx.Done():
		p.Stop()
		return nil, ctx.Err()
	}
}

// parseReattachLine finds the reattach configuration in a line the provider prints in debug
// mode, such as
//
//	TF_REATTACH_PROVIDERS='{"registry.terraform.io/...":{"Protocol":"grpc",...}}'
//
// and checks that it is JSON naming this provider.
func parseReattachLine(line string) (string, bool) {
	_, quoted, found := strings.Cut(strings.TrimSpace(line), reattachEnv+"='")
	if !found {
		return "", false
	}
	// The shell quoting replaces each ' by '"'"'; JSON from encoding/json has none to restore
	// except inside strings, which a provider address and a socket path do not have.
	value, ok := strings.CutSuffix(quoted, "'")
	if !ok {
		return "", false
	}
	var providers map[string]json.RawMessage
	if err := json.Unmarshal([]byte(value), &providers); err != nil || providers[providerAddress] == nil {
		return "", false
	}
	return value, true
}

// Env is the environment entry that makes Terraform use this provider.
func (p *debugProvider) Env() string {
	return reattachEnv + "=" + p.reattach
}

// PeakRSS reads the provider's peak resident set size so far, in bytes.
func (p *debugProvider) PeakRSS() (int64, error) {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("reading the provider's memory (Linux /proc only): %w", err)
	}
	if rss := procKiB(procField(bytes.NewReader(status), "VmHWM")); rss > 0 {
		return rss, nil
	}
	return 0, errors.New("the provider's /proc status has no VmHWM")
}

// Stop ends the provider: SIGINT, which debug mode handles by shutting down, then a kill if it
// lingers.
func (p *debugProvider) Stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
