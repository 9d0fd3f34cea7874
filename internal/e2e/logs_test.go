package e2e

import (
	"bufio"
	"bytes"
	"cmp"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The provider writes no log line that nobody asked for: the framework logs every call at TRACE
// whatever the CLI's level, and the CLI decodes each line only to drop it. With a TF_LOG variable
// set, the lines are back. The provider runs in debug mode, where what it logs reaches its own
// stderr rather than the CLI, so that the test can read it.
func TestProviderLogsOnlyWhenAsked(t *testing.T) {
	const token = "tv-e2e-logs-token"
	tenant := startEmulator(t, token)
	w := newWorkspace(t, usersConfig(tenant.URL, "logs", 2, false), "TEAMVIEWER_TOKEN="+token)
	w.mustRun("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=1")

	for _, tc := range []struct {
		env    string
		logged bool
	}{
		{"", false},
		{"TF_LOG=off", false},
		{"TF_LOG=TRACE", true},
		{"TF_LOG_PROVIDER_SCIM=DEBUG", true},
	} {
		t.Run(cmp.Or(tc.env, "unset"), func(t *testing.T) {
			stderr := planWithDebugProvider(t, w, "TEAMVIEWER_TOKEN="+token, tc.env)
			readLogged := strings.Contains(stderr, "Resource Read") || strings.Contains(stderr, "SCIM response")
			if readLogged != tc.logged {
				t.Errorf("with %q, the provider logged its reads: %t, want %t; its stderr:\n%.3000s", tc.env, readLogged, tc.logged, stderr)
			}
		})
	}
}

// planWithDebugProvider runs a plan in w against the provider started in debug mode with env, and
// returns what the provider wrote to stderr.
func planWithDebugProvider(t *testing.T, w *workspace, env ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), providerBinary, "-debug")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "TEAMVIEWER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Debug mode prints the line to set in the CLI's environment, TF_REATTACH_PROVIDERS='{…}'.
	reattach := ""
	for lines := bufio.NewScanner(stdout); reattach == "" && lines.Scan(); {
		if _, value, ok := strings.Cut(lines.Text(), "TF_REATTACH_PROVIDERS='"); ok {
			reattach = strings.TrimSuffix(strings.TrimSpace(value), "'")
		}
	}
	if reattach == "" {
		t.Fatalf("the provider printed no reattach configuration: %v\n%s", cmd.Wait(), stderr.String())
	}

	drained := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		close(drained)
	}()

	plan := w.command(t.Context(), "plan", "-input=false", "-no-color", "-detailed-exitcode")
	plan.Env = append(plan.Env, "TF_REATTACH_PROVIDERS="+reattach)
	out, planErr := plan.CombinedOutput()
	// Interrupted, debug mode stops serving and exits; stderr is complete once it has.
	_ = cmd.Process.Signal(os.Interrupt)
	<-drained
	_ = cmd.Wait()
	if planErr != nil {
		t.Fatalf("terraform plan: %v\n%s", planErr, out)
	}
	return stderr.String()
}
