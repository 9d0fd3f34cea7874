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
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/provider"
)

// Parallelism is the -parallelism of every command, which the bounds assume.
const Parallelism = 10

// providerSource is the provider's address in configurations, the registry's hostname left out.
const providerSource = "teamviewer-community/teamviewer"

// workspace is what every Terraform run of the bench shares: a filesystem mirror holding the
// provider under test, a CLI configuration that installs from it and nothing else, and an
// environment free of the caller's TF_* and TEAMVIEWER_* variables. Nothing reaches a network
// other than loopback.
type workspace struct {
	root, terraform string
	env             []string
}

func newWorkspace(terraform, providerBinary, token string) (*workspace, error) {
	root, err := os.MkdirTemp("", "teamviewer-bench-")
	if err != nil {
		return nil, err
	}
	ws := &workspace{root: root, terraform: terraform}
	mirror := filepath.Join(root, "mirror")
	platform := filepath.Join(mirror, filepath.FromSlash(provider.RegistryAddress), "0.0.1", runtime.GOOS+"_"+runtime.GOARCH)
	rc := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path    = %q\n    include = [%q]\n  }\n}\n",
		mirror, provider.RegistryAddress)
	binary, err := os.ReadFile(providerBinary)
	if err == nil {
		err = os.MkdirAll(platform, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(platform, "terraform-provider-teamviewer_v0.0.1"), binary, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(root, "terraformrc"), []byte(rc), 0o644)
	}
	if err != nil {
		_ = os.RemoveAll(root) // best effort: the error that matters is the one above
		return nil, err
	}
	ws.env = append(cleanEnviron(),
		"TF_CLI_CONFIG_FILE="+filepath.Join(root, "terraformrc"), "TF_IN_AUTOMATION=1", "TEAMVIEWER_TOKEN="+token)
	return ws, nil
}

// cleanEnviron is the environment without what would change Terraform or the provider (TF_LOG
// slows everything down; a TEAMVIEWER_TENANT_URL would point elsewhere), and without Terraform's
// update check.
func cleanEnviron() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "TEAMVIEWER_") || strings.HasPrefix(kv, "CHECKPOINT_")
	})
	return append(env, "CHECKPOINT_DISABLE=1")
}

// workDir is one initialized Terraform working directory.
type workDir struct {
	ws   *workspace
	path string
}

// newWorkDir creates the directory name with its configuration and runs terraform init.
func (ws *workspace) newWorkDir(ctx context.Context, name string, config []byte) (*workDir, error) {
	d := &workDir{ws: ws, path: filepath.Join(ws.root, name)}
	if err := os.MkdirAll(d.path, 0o755); err != nil {
		return nil, err
	}
	if err := d.writeConfig(config); err != nil {
		return nil, err
	}
	_, err := d.run(ctx, nil, "init", "-input=false")
	return d, err
}

func (d *workDir) writeConfig(config []byte) error {
	return os.WriteFile(filepath.Join(d.path, "main.tf"), config, 0o644)
}

// forgetState starts the directory over with no resources.
func (d *workDir) forgetState() error {
	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if err := os.Remove(filepath.Join(d.path, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// The commands the bench runs, all at the same parallelism. A no-change plan that finds changes
// exits 2 under -detailed-exitcode, which run reports as an error.
var (
	parallelismFlag = "-parallelism=" + strconv.Itoa(Parallelism)
	apply           = []string{"apply", "-input=false", "-auto-approve", parallelismFlag}
	destroy         = []string{"destroy", "-input=false", "-auto-approve", parallelismFlag}
	plan            = []string{"plan", "-input=false", "-detailed-exitcode", parallelismFlag}
)

// usage is what one command cost.
type usage struct {
	Wall time.Duration
	// CPU is the user and system time of Terraform and of the providers it started and waited
	// for, as the kernel accounts a process's waited-for children to it.
	CPU time.Duration
}

// run runs terraform args in the directory with extra environment variables. Its output goes to
// terraform.log there; an error carries the end of it.
func (d *workDir) run(ctx context.Context, env []string, args ...string) (usage, error) {
	log, err := os.OpenFile(filepath.Join(d.path, "terraform.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return usage{}, err
	}
	defer func() { _ = log.Close() }() // the log is for debugging only
	_, _ = fmt.Fprintf(log, "\n$ terraform %s\n", strings.Join(args, " "))
	var output bytes.Buffer
	cmd := exec.CommandContext(ctx, d.ws.terraform, append([]string{"-chdir=" + d.path}, append(args, "-no-color")...)...)
	cmd.Env = append(slices.Clone(d.ws.env), env...)
	// Interrupted, Terraform stops as on Ctrl-C; a kill would leave its provider running.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	cmd.Stdout = io.MultiWriter(log, &output)
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	err = cmd.Run()
	u := usage{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		u.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		lines := slices.DeleteFunc(strings.Split(output.String(), "\n"), func(l string) bool { return strings.TrimSpace(l) == "" })
		return u, fmt.Errorf("terraform %s: %w:\n%s", args[0], err, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	return u, nil
}

// debugProvider is a provider binary the bench starts itself (-debug) and Terraform attaches to
// through TF_REATTACH_PROVIDERS, so that its process is the bench's child: its CPU time and
// memory are then its own, not Terraform's. One serves one command.
type debugProvider struct {
	cmd      *exec.Cmd
	reattach string
	exited   chan struct{}
}

func startDebugProvider(ctx context.Context, binary string, env []string) (*debugProvider, error) {
	cmd := exec.CommandContext(ctx, binary, "-debug")
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	cmd.Env = env
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
		// Debug mode prints TF_REATTACH_PROVIDERS='{...}'; the rest of its output is not needed.
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(nil, 1<<20)
		for scanner.Scan() {
			if value, ok := reattachValue(scanner.Text()); ok && p.reattach == "" {
				p.reattach = value
				found <- value
			}
		}
		close(found)
		_ = cmd.Wait() // after stdout is drained, as StdoutPipe requires
		close(p.exited)
	}()
	if _, ok := <-found; !ok {
		return nil, errors.New(binary + " -debug exited without printing its reattach configuration")
	}
	return p, nil
}

// reattachValue finds the JSON that debug mode prints as TF_REATTACH_PROVIDERS='{...}'.
func reattachValue(line string) (string, bool) {
	_, quoted, found := strings.Cut(line, "TF_REATTACH_PROVIDERS='")
	value, ok := strings.CutSuffix(strings.TrimSpace(quoted), "'")
	return value, found && ok && json.Valid([]byte(value))
}

// env is the environment entry that makes Terraform use this process.
func (p *debugProvider) env() []string {
	return []string{"TF_REATTACH_PROVIDERS=" + p.reattach}
}

// peakRSS is the process's peak resident set size so far (VmHWM, Linux only; 0 elsewhere).
func (p *debugProvider) peakRSS() int64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if value, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			return kib << 10
		}
	}
	return 0
}

// stop ends the process (debug mode shuts down on SIGINT) and returns its CPU time.
func (p *debugProvider) stop() time.Duration {
	_ = p.cmd.Process.Signal(os.Interrupt)
	<-p.exited
	return p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
}
