package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

const (
	// providerSource is the provider's address in configurations; its hostname is the registry's.
	providerSource = "teamviewer-community/teamviewer"
	// providerAddress is the provider's full address, which names it in TF_REATTACH_PROVIDERS.
	providerAddress = "registry.terraform.io/" + providerSource
	// mirrorVersion is the version the locally built provider has in the filesystem mirror.
	mirrorVersion = "0.0.1"
	// logTailLines is how much of a failed command's output its error carries.
	logTailLines = 15
	// checkpointDisable keeps Terraform from checking for updates at checkpoint-api.hashicorp.com.
	checkpointDisable = "CHECKPOINT_DISABLE=1"
	// stopGrace is how long an interrupted Terraform gets to stop its providers and save its
	// state before it is killed.
	stopGrace = 30 * time.Second
)

// workspace holds everything the bench's Terraform runs share: a filesystem mirror with the
// locally built provider, a CLI configuration that installs from it and nothing else, and the
// environment of every command. Nothing in it reaches a network other than loopback.
type workspace struct {
	root      string
	terraform string
	env       []string
}

// newWorkspace prepares a workspace under a new temporary directory for the provider binary and
// the tenant's token.
func newWorkspace(terraform, provider, token string) (*workspace, error) {
	root, err := os.MkdirTemp("", "teamviewer-bench-")
	if err != nil {
		return nil, err
	}
	ws := &workspace{root: root, terraform: terraform}
	if err := ws.installMirror(provider); err != nil {
		_ = os.RemoveAll(root) // best effort: the error that matters is the mirror's
		return nil, err
	}
	ws.env = append(isolatedEnviron(os.Environ()),
		"TF_CLI_CONFIG_FILE="+filepath.Join(root, "terraformrc"),
		"TF_IN_AUTOMATION=1",
		checkpointDisable,
		"TEAMVIEWER_TOKEN="+token,
	)
	return ws, nil
}

// installMirror puts the provider where `terraform init` finds any provider, in a filesystem
// mirror, as examples/demo/demo.sh does, so that init runs for real without a registry.
func (ws *workspace) installMirror(provider string) error {
	mirror := filepath.Join(ws.root, "mirror")
	platformDir := filepath.Join(mirror, filepath.FromSlash(providerAddress), mirrorVersion, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(platformDir, 0o755); err != nil {
		return err
	}
	if err := copyFile(provider, filepath.Join(platformDir, "terraform-provider-teamviewer_v"+mirrorVersion), 0o755); err != nil {
		return fmt.Errorf("installing the provider in the mirror: %w", err)
	}
	config := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path    = %q\n    include = [%q]\n  }\n}\n",
		mirror, providerAddress)
	return os.WriteFile(filepath.Join(ws.root, "terraformrc"), []byte(config), 0o644)
}

// isolatedEnviron drops the variables that would change what Terraform or the provider do, such
// as TF_LOG (which would slow everything down) or a TEAMVIEWER_TENANT_URL pointing elsewhere.
func isolatedEnviron(environ []string) []string {
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		return strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "TEAMVIEWER_") || strings.HasPrefix(kv, "CHECKPOINT_")
	})
}

// Close removes the workspace.
func (ws *workspace) Close() error {
	return os.RemoveAll(ws.root)
}

// workDir is one Terraform working directory, initialized once.
type workDir struct {
	ws   *workspace
	path string
	log  string // every command's output, appended
}

// newWorkDir creates the working directory name, writes its configuration and runs
// `terraform init`, which needs a configuration to find the provider it installs.
func (ws *workspace) newWorkDir(ctx context.Context, name string, config []byte) (*workDir, error) {
	dir := &workDir{ws: ws, path: filepath.Join(ws.root, name)}
	dir.log = filepath.Join(dir.path, "terraform.log")
	if err := os.MkdirAll(dir.path, 0o755); err != nil {
		return nil, err
	}
	if err := dir.writeConfig(config); err != nil {
		return nil, err
	}
	if _, err := dir.run(ctx, nil, "init", "-input=false", "-no-color"); err != nil {
		return nil, err
	}
	return dir, nil
}

// writeConfig replaces the directory's configuration.
func (d *workDir) writeConfig(config []byte) error {
	return os.WriteFile(filepath.Join(d.path, "main.tf"), config, 0o644)
}

// resetState forgets every resource, for a sequence that starts over against an empty tenant.
func (d *workDir) resetState() error {
	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if err := os.Remove(filepath.Join(d.path, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// command is one timed Terraform command.
type command struct {
	args []string
	// noChanges marks a plan run with -detailed-exitcode, whose exit status 2 means it found
	// changes rather than failed.
	noChanges bool
}

// The commands the bench times. All use the same parallelism, which the floors assume.
var (
	applyCommand   = command{args: []string{"apply", "-input=false", "-no-color", "-auto-approve", parallelismFlag}}
	destroyCommand = command{args: []string{"destroy", "-input=false", "-no-color", "-auto-approve", parallelismFlag}}
	planCommand    = command{
		args:      []string{"plan", "-input=false", "-no-color", "-detailed-exitcode", parallelismFlag},
		noChanges: true,
	}
	parallelismFlag = fmt.Sprintf("-parallelism=%d", Parallelism)
)

// time runs c with extra environment variables and returns how long it took and whether it
// found changes. An error carries the end of the command's output.
func (d *workDir) time(ctx context.Context, c command, env []string) (wall time.Duration, changes bool, err error) {
	start := time.Now()
	exitCode, err := d.run(ctx, env, c.args...)
	wall = time.Since(start)
	if c.noChanges && exitCode == 2 {
		return wall, true, nil
	}
	return wall, false, err
}

// run runs terraform with args in the directory, appending its output to the log, and returns
// its exit status.
func (d *workDir) run(ctx context.Context, env []string, args ...string) (int, error) {
	logFile, err := os.OpenFile(d.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	defer func() { _ = logFile.Close() }() // the log is for debugging only
	_, _ = fmt.Fprintf(logFile, "\n$ terraform %s\n", strings.Join(args, " "))

	var output bytes.Buffer
	cmd := exec.CommandContext(ctx, d.ws.terraform, append([]string{"-chdir=" + d.path}, args...)...)
	cmd.Env = append(slices.Clone(d.ws.env), env...)
	// Interrupted, Terraform stops like on Ctrl-C: a kill would leave its provider running.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopGrace
	cmd.Stdout = io.MultiWriter(logFile, &output)
	cmd.Stderr = cmd.Stdout
	err = cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode(), fmt.Errorf("terraform %s: %w:\n%s", args[0], err, tail(output.String(), logTailLines))
	}
	if err != nil {
		return 0, fmt.Errorf("terraform %s: %w", args[0], err)
	}
	return 0, nil
}

// tail returns the last n non-empty lines of s.
func tail(s string, n int) string {
	lines := slices.DeleteFunc(strings.Split(s, "\n"), func(line string) bool { return strings.TrimSpace(line) == "" })
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }() // read only
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close() // the copy's error is the one to report
		return err
	}
	return out.Close()
}
