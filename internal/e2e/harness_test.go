// Package e2e tests the built provider binary as Terraform runs it: installed by `terraform init`
// from a filesystem mirror, talking to the emulator's standalone server in a process of its own.
// That is the only way to see what reaches the CLI's log file, and to kill the API mid-apply.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

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
// kill it and start it again with the same data. Terraform talks to it through front, a proxy in
// the test process whose address stays the same across restarts, while every start of the emulator
// listens on a port of its own: no port is ever bound twice.
type emulatorProcess struct {
	t         *testing.T
	dir       string
	token     string
	extraArgs []string
	cmd       *exec.Cmd
	front     *frontProxy
	URL       string // SCIM base URL, at the front proxy
	adminURL  string // the current process's root, where its admin endpoints are
}

func startEmulator(t *testing.T, token string, extraArgs ...string) *emulatorProcess {
	t.Helper()
	requireBinaries(t)
	e := &emulatorProcess{t: t, dir: t.TempDir(), token: token, extraArgs: extraArgs, front: newFrontProxy(t)}
	e.URL = e.front.url + emulator.BasePath
	e.start()
	t.Cleanup(e.kill)
	return e
}

// start runs the emulator on a fresh port with the state of any earlier start, and points the
// front proxy at it once it says it is listening.
func (e *emulatorProcess) start() {
	e.t.Helper()
	args := append([]string{"serve", "-addr", "127.0.0.1:0", "-state", filepath.Join(e.dir, "tenant.json")}, e.extraArgs...)
	e.cmd = exec.CommandContext(e.t.Context(), emulatorBinary, args...)
	e.cmd.Env = append(os.Environ(), "TEAMVIEWER_EMULATOR_TOKEN="+e.token)
	stderr, err := e.cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	// The server logs its address once it listens; reading its log waits for exactly that.
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if _, base, ok := strings.Cut(lines.Text(), "listening on "); ok {
			target, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(base), emulator.BasePath))
			if err != nil {
				e.t.Fatal(err)
			}
			e.adminURL = target.String()
			e.front.setTarget(target)
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			return
		}
	}
	e.t.Fatalf("the emulator ended before it listened: %v", e.cmd.Wait())
}

// kill ends the emulator at once, as a crash would: no graceful shutdown. Until the next start,
// the front proxy drops every connection, as a dead endpoint does.
func (e *emulatorProcess) kill() {
	e.front.setTarget(nil)
	if e.cmd != nil && e.cmd.Process != nil {
		_ = e.cmd.Process.Kill()
		_ = e.cmd.Wait()
	}
}

func (e *emulatorProcess) users() []emulator.AdminUser {
	e.t.Helper()
	users, err := emulator.FetchAdminUsers(e.t.Context(), e.adminURL)
	if err != nil {
		e.t.Fatal(err)
	}
	return users
}

// requests returns the emulator's request counts by "METHOD route".
func (e *emulatorProcess) requests() map[string]int {
	e.t.Helper()
	counts, err := emulator.FetchRequestCounts(e.t.Context(), e.adminURL)
	if err != nil {
		e.t.Fatal(err)
	}
	return counts
}

// frontProxy forwards to the emulator process of the moment, and can hold the answer to a write
// so that a test knows a write is in flight when it kills the emulator.
type frontProxy struct {
	url string

	mu     sync.Mutex
	target *url.URL // nil while the emulator is down
	// holdAfter, when positive, holds the answer to the first successful POST after that many
	// have been answered: it is sent on held and dropped once release is closed.
	holdAfter int
	answered  int
	held      chan string // the held POST's request body
	release   chan struct{}
}

func newFrontProxy(t *testing.T) *frontProxy {
	f := &frontProxy{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *frontProxy) setTarget(target *url.URL) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.target = target
}

// holdPOSTAfter arms the hold: the answer to the first POST TeamViewer carries out after n POSTs
// were answered is kept from the client; its request body arrives on the returned channel, and
// the connection is dropped once release is closed, as when the API dies before answering.
func (f *frontProxy) holdPOSTAfter(n int) (held <-chan string, release chan<- struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holdAfter, f.held, f.release = n, make(chan string, 1), make(chan struct{})
	return f.held, f.release
}

func (f *frontProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	target := f.target
	f.mu.Unlock()
	if target == nil {
		dropConnection(w)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { dropConnection(w) }
	proxy.ServeHTTP(rec, r)
	if r.Method == http.MethodPost && rec.Code == http.StatusCreated && f.takeHold() {
		f.held <- string(body)
		<-f.release
		dropConnection(w)
		return
	}
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// takeHold counts an answered POST and reports whether its answer is the one to hold.
func (f *frontProxy) takeHold() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answered++
	if f.holdAfter > 0 && f.answered > f.holdAfter {
		f.holdAfter = 0
		return true
	}
	return false
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}
