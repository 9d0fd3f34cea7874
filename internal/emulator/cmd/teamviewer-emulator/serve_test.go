package main

import (
	"context"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

func TestParseServeFlags(t *testing.T) {
	env := func(name string) string {
		if name == tokenEnv {
			return "from-env"
		}
		return ""
	}
	cfg, err := parseServeFlags([]string{"-latency", "50ms", "-fault-429", "0.25", "-reserved-usernames", "a@x.com,b@x.com",
		"-fault-502-after-commit", "0.1", "-fault-504-late-commit", "0.2", "-late-commit-delay", "3s",
		"-rate-limit", "7.5", "-rate-limit-burst", "4"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wantFaults := emulator.Faults{RateLimited: 0.25, CommitThenBadGateway: 0.1, GatewayTimeoutThenCommit: 0.2,
		LateCommitDelay: 3 * time.Second, RetryAfter: time.Second}
	if cfg.options.Token != "from-env" || cfg.options.Latency != 50*time.Millisecond || cfg.options.Faults != wantFaults ||
		cfg.options.RateLimit != (emulator.RateLimit{PerSecond: 7.5, Burst: 4}) ||
		len(cfg.options.ReservedUserNames) != 2 || cfg.addr != "127.0.0.1:8417" {
		t.Errorf("config = %+v", cfg)
	}
	if cfg, _ := parseServeFlags([]string{"-token", "from-flag"}, env, io.Discard); cfg.options.Token != "from-flag" {
		t.Errorf("token = %q, want the flag to win over the environment", cfg.options.Token)
	}
	if _, err := parseServeFlags(nil, noEnv, io.Discard); err == nil || !strings.Contains(err.Error(), tokenEnv) {
		t.Errorf("err = %v, want a missing-token error", err)
	}
	if _, err := parseServeFlags([]string{"-token", "t", "extra"}, noEnv, io.Discard); err == nil {
		t.Error("extra arguments were accepted")
	}
}

// startServe runs serve in the background and returns the API base URL and
// a function that stops serve and waits for it. Readiness is an event, not a
// poll: serve logs its "listening on" line once its listener is open, and
// the logger hands the URL over on a channel.
func startServe(t *testing.T, cfg serveConfig) (baseURL string, stop func()) {
	t.Helper()
	cfg.addr = "127.0.0.1:0" // a fresh port each time, never one reused
	cfg.options.Token = "demo-token"
	listening := make(chan string, 1)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan struct{})
	go func() {
		defer close(served)
		logger := log.New(listenWriter{testWriter{t}, listening}, "", 0)
		if err := serve(ctx, cfg, logger); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	stop = func() { cancel(); <-served }
	select {
	case baseURL = <-listening:
		return baseURL, stop
	case <-served:
		t.Fatal("serve returned before it was listening")
		return "", nil
	}
}

// listenWriter passes log lines on to w and sends the address of the
// "listening on" line to listening, whose room for one line must be free.
type listenWriter struct {
	w         io.Writer
	listening chan<- string
}

func (l listenWriter) Write(p []byte) (int, error) {
	if _, url, ok := strings.Cut(strings.TrimSpace(string(p)), " listening on "); ok {
		select {
		case l.listening <- url:
		default: // a second line: the first was already handed over
		}
	}
	return l.w.Write(p)
}

func TestServeKeepsUsersAcrossRestarts(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	readyFile := filepath.Join(t.TempDir(), "ready")
	cfg := serveConfig{statePath: statePath, seedUsers: 2, readyFile: readyFile}

	baseURL, stop := startServe(t, cfg)
	if !strings.HasPrefix(baseURL, "http://127.0.0.1:") || !strings.HasSuffix(baseURL, "/scim/v2") {
		t.Errorf("listening on %q", baseURL)
	}
	status, _ := apiRequest(t, http.MethodPost, baseURL+"/Users", `{"userName":"jane@example.com","password":"pw"}`)
	if status != http.StatusCreated {
		t.Fatalf("POST = %d", status)
	}
	if status, _ := apiRequest(t, http.MethodPost, baseURL+"/Groups", `{"displayName":"Admins"}`); status != http.StatusCreated {
		t.Fatalf("POST /Groups = %d", status)
	}
	// Saved before the answer, so a kill now would not lose the user.
	if data, err := os.ReadFile(statePath); err != nil || !strings.Contains(string(data), "jane@example.com") {
		t.Errorf("state file after the write: %s (%v)", data, err)
	}
	stop()
	// serve writes the ready file before it waits to be stopped, so it is
	// there now; it names the address the emulator was listening on.
	if data, err := os.ReadFile(readyFile); err != nil || string(data) != baseURL+"\n" {
		t.Errorf("ready file has %q (%v), want %q", data, err, baseURL+"\n")
	}

	// Restarted with the same file: the users are back and not seeded again.
	baseURL, stop = startServe(t, cfg)
	defer stop()
	status, body := apiRequest(t, http.MethodGet, baseURL+"/Users", "")
	if status != http.StatusOK || !strings.Contains(body, `"totalResults":3`) || !strings.Contains(body, "jane@example.com") {
		t.Errorf("after restart GET /Users = %d %s", status, body)
	}
	if status, body := apiRequest(t, http.MethodGet, baseURL+"/Groups", ""); status != http.StatusOK || !strings.Contains(body, `"displayName":"Admins"`) {
		t.Errorf("after restart GET /Groups = %d %s", status, body)
	}
	adminURL := strings.TrimSuffix(baseURL, "/scim/v2") + "/_emulator/users"
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, adminURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("admin endpoint: %v %v", resp, err)
	}
}

func TestServeLandsLateCommitsOnShutdown(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	cfg := serveConfig{statePath: statePath}
	cfg.options.Faults = emulator.Faults{GatewayTimeoutThenCommit: 1, LateCommitDelay: time.Hour}
	baseURL, stop := startServe(t, cfg)
	if status, _ := apiRequest(t, http.MethodPost, baseURL+"/Users", `{"userName":"jane@example.com"}`); status != http.StatusGatewayTimeout {
		t.Fatalf("POST = %d, want 504", status)
	}
	stop()
	if data, err := os.ReadFile(statePath); err != nil || !strings.Contains(string(data), "jane@example.com") {
		t.Errorf("state file after shutdown: %s (%v); want the late create in it", data, err)
	}
}

func TestWriteFileAtomicLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for _, content := range []string{"first", "second"} {
		if err := writeFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	data, _ := os.ReadFile(path)
	if len(entries) != 1 || string(data) != "second" {
		t.Errorf("directory has %d entries, file has %q", len(entries), data)
	}
	if err := writeFileAtomic(filepath.Join(dir, "missing", "x"), nil); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func apiRequest(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer demo-token")
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

// testWriter sends the emulator's log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
