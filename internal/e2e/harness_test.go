// Package e2e tests the built provider binary as Terraform runs it: installed by `terraform init`
// from a filesystem mirror, talking to the emulator's standalone server in a process of its own.
// That is the only way to see what reaches the CLI's log file, and to kill the API mid-apply.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// Binaries built once by TestMain, and the version of the CLI at terraformPath.
var (
	providerBinary string
	emulatorBinary string
	terraformPath  string
	cliVersion     *version.Version
)

// writeOnlyCLI is the first Terraform, and the first OpenTofu, that accepts write-only attributes.
var writeOnlyCLI = version.Must(version.NewVersion("1.11.0"))

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	terraformPath = os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || terraformPath == "" {
		fmt.Println("e2e: skipped; set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does)")
		return m.Run()
	}
	var err error
	if cliVersion, err = terraformVersion(); err != nil {
		fmt.Fprintf(os.Stderr, "%s version -json: %v\n", terraformPath, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "teamviewer-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	providerBinary = filepath.Join(dir, "terraform-provider-teamviewer")
	emulatorBinary = filepath.Join(dir, "teamviewer-emulator")
	for target, pkg := range map[string]string{providerBinary: "../..", emulatorBinary: "../emulator/cmd/teamviewer-emulator"} {
		// TestMain has no test context; the builds end with the process.
		if out, err := exec.CommandContext(context.Background(), "go", "build", "-o", target, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build %s: %v\n%s", pkg, err, out)
			return 1
		}
	}
	return m.Run()
}

// terraformVersion asks the CLI for its version (OpenTofu answers with its own under the same name).
func terraformVersion() (*version.Version, error) {
	cmd := exec.CommandContext(context.Background(), terraformPath, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1") // no asking HashiCorp for a newer release
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, err
	}
	return version.NewVersion(v.Version)
}

// acceptsWriteOnly reports whether the CLI accepts write-only attributes; as in tfversion, a
// prerelease counts as its release.
func acceptsWriteOnly() bool {
	return cliVersion.Core().GreaterThanOrEqual(writeOnlyCLI)
}

func requireBinaries(t *testing.T) {
	t.Helper()
	if providerBinary == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH")
	}
}

// workspace is a Terraform working directory whose CLI configuration installs the provider from a
// filesystem mirror, so `terraform init` runs for real without a registry.
type workspace struct {
	t   *testing.T
	dir string
	env []string
}

const providerVersion = "0.0.1"

func newWorkspace(t *testing.T, config string, env ...string) *workspace {
	t.Helper()
	requireBinaries(t)
	dir := t.TempDir()
	mirror := filepath.Join(dir, "mirror")
	platform := filepath.Join(mirror, "registry.terraform.io", "teamviewer-community", "teamviewer",
		providerVersion, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(platform, 0o755); err != nil {
		t.Fatal(err)
	}
	binary, err := os.ReadFile(providerBinary)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(platform, "terraform-provider-teamviewer_v"+providerVersion), binary, 0o755)
	mustWrite(t, filepath.Join(dir, "terraformrc"), []byte(fmt.Sprintf(
		"provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)), 0o600)
	mustWrite(t, filepath.Join(dir, "main.tf"), []byte(`
terraform {
  required_providers {
    teamviewer = {
      source = "teamviewer-community/teamviewer"
    }
  }
}
`+config), 0o600)
	w := &workspace{t: t, dir: dir, env: append([]string{
		"TF_CLI_CONFIG_FILE=" + filepath.Join(dir, "terraformrc"),
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	}, env...)}
	w.mustRun("init", "-input=false", "-no-color")
	return w
}

func mustWrite(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

// command prepares a terraform command in the workspace; the environment is the test's own, minus
// variables that would change the CLI's behaviour, plus the workspace's.
func (w *workspace) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, terraformPath, args...)
	cmd.Dir = w.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "TEAMVIEWER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, w.env...)
	return cmd
}

// run runs terraform and returns its combined output.
func (w *workspace) run(args ...string) (string, error) {
	out, err := w.command(context.Background(), args...).CombinedOutput()
	return string(out), err
}

func (w *workspace) mustRun(args ...string) string {
	w.t.Helper()
	out, err := w.run(args...)
	if err != nil {
		w.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// emulatorProcess is the emulator's standalone server, in a process of its own so that a test can
// kill it and start it again on the same address with the same data.
type emulatorProcess struct {
	t         *testing.T
	dir       string
	token     string
	addr      string
	extraArgs []string
	cmd       *exec.Cmd
	URL       string // SCIM base URL
}

func startEmulator(t *testing.T, token string, extraArgs ...string) *emulatorProcess {
	t.Helper()
	requireBinaries(t)
	e := &emulatorProcess{t: t, dir: t.TempDir(), token: token, addr: "127.0.0.1:0", extraArgs: extraArgs}
	e.start()
	t.Cleanup(e.kill)
	return e
}

func (e *emulatorProcess) start() {
	e.t.Helper()
	ready := filepath.Join(e.dir, "ready")
	_ = os.Remove(ready)
	args := append([]string{"serve", "-addr", e.addr, "-state", filepath.Join(e.dir, "tenant.json"), "-ready-file", ready}, e.extraArgs...)
	e.cmd = exec.CommandContext(e.t.Context(), emulatorBinary, args...)
	e.cmd.Env = append(os.Environ(), "TEAMVIEWER_EMULATOR_TOKEN="+e.token)
	if err := e.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(ready); err == nil && len(data) > 0 {
			e.URL = strings.TrimSpace(string(data))
			u, err := url.Parse(e.URL)
			if err != nil {
				e.t.Fatal(err)
			}
			e.addr = u.Host // a restart reuses the port the first start was given
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatal("the emulator did not become ready")
}

// kill ends the emulator at once, as a crash would: no graceful shutdown.
func (e *emulatorProcess) kill() {
	if e.cmd != nil && e.cmd.Process != nil {
		_ = e.cmd.Process.Kill()
		_ = e.cmd.Wait()
	}
}

// serverURL is the emulator's root, where its admin endpoints are.
func (e *emulatorProcess) serverURL() string {
	return strings.TrimSuffix(e.URL, emulator.BasePath)
}

func (e *emulatorProcess) users() []emulator.AdminUser {
	e.t.Helper()
	users, err := emulator.FetchAdminUsers(e.t.Context(), e.serverURL())
	if err != nil {
		e.t.Fatal(err)
	}
	return users
}

// requests returns the emulator's request counts by "METHOD route"; a dead emulator has none.
func (e *emulatorProcess) requests() map[string]int {
	counts, err := emulator.FetchRequestCounts(e.t.Context(), e.serverURL())
	if err != nil {
		return map[string]int{}
	}
	return counts
}
