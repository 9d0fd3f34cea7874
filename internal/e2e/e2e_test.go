package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// usersConfig manages n users named prefix-000@example.com... The token comes from the
// TEAMVIEWER_TOKEN environment variable unless tokenVariable is set, in which case it comes from a
// sensitive variable, as some pipelines pass secrets (TF_VAR_teamviewer_token).
func usersConfig(tenantURL, prefix string, n int, tokenVariable bool) string {
	token := ""
	if tokenVariable {
		token = `
  token = var.teamviewer_token
}

variable "teamviewer_token" {
  type      = string
  sensitive = true`
	}
	return fmt.Sprintf(`
provider "teamviewer" {
  tenant_url = %[1]q%[4]s
}

resource "teamviewer_user" "team" {
  count = %[3]d

  user_name    = format("%[2]s-%%03d@example.com", count.index)
  display_name = format("Team Member %%03d", count.index)
}

data "teamviewer_user" "first" {
  user_name = upper(teamviewer_user.team[0].user_name)
}
`, tenantURL, prefix, n, token)
}

// The token appears nowhere a pipeline keeps: not in the CLI's output, its TRACE log (which holds
// every provider log line, the scim subsystem's requests and responses included), state or plan.
// Terraform itself saves the values of input variables in plan files, so a token passed as a
// variable is in the plan by Terraform's design; from TEAMVIEWER_TOKEN it is not. On CLIs that
// accept write-only attributes, neither is an initial password, passed as pipelines pass secrets
// they must not keep: through an ephemeral variable.
func TestTokenNeverLeaks(t *testing.T) {
	const token = "tv-e2e-secret-token-9d1f3c"
	const ssoCustomerID = "sso-e2e-secret-4b7e21"
	const password = "Initial-e2e-Passw0rd-5c81"
	for _, tc := range []struct {
		name          string
		tokenVariable bool
		env           string
	}{
		{"environment", false, "TEAMVIEWER_TOKEN=" + token},
		{"variable", true, "TF_VAR_teamviewer_token=" + token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := startEmulator(t, token)
			logFile := filepath.Join(t.TempDir(), "terraform.log")
			// A single sign-on user too: its customer id is sensitive, and is sent only in the create's body.
			ssoUser := fmt.Sprintf(`
resource "teamviewer_user" "sso" {
  user_name       = "leak-sso@example.com"
  display_name    = "Sso Member"
  sso_customer_id = %q
}
`, ssoCustomerID)
			config := usersConfig(tenant.URL, "leak", 3, tc.tokenVariable) + ssoUser
			env := []string{tc.env, "TF_LOG=TRACE", "TF_LOG_PATH=" + logFile}
			wantUsers := 4
			if acceptsWriteOnly() {
				config += `
resource "teamviewer_user" "hire" {
  user_name           = "leak-hire@example.com"
  display_name        = "New Hire"
  password_wo         = var.initial_password
  password_wo_version = 1
}

variable "initial_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
`
				env = append(env, "TF_VAR_initial_password="+password)
				wantUsers++
			} else {
				t.Logf("Terraform %s predates write-only attributes: the initial password is not checked", cliVersion)
			}
			w := newWorkspace(t, config, env...)

			var output strings.Builder
			output.WriteString(w.mustRun("apply", "-input=false", "-auto-approve", "-no-color"))
			output.WriteString(w.mustRun("plan", "-input=false", "-no-color", "-out=tfplan"))
			// The plan as JSON holds every value, sensitive ones too (that is what show -json is for),
			// but not the token, which is no value of the configuration when it comes from the environment.
			var planJSON string
			if !tc.tokenVariable {
				planJSON = w.mustRun("show", "-json", "tfplan")
			}
			output.WriteString(w.mustRun("destroy", "-input=false", "-auto-approve", "-no-color"))

			logs, err := os.ReadFile(logFile)
			if err != nil {
				t.Fatal(err)
			}
			// The log must really hold the provider's request logs, or this test would prove nothing.
			for _, want := range []string{"@module=teamviewer.scim", "Authorization", "POST", "PATCH"} {
				if !strings.Contains(string(logs), want) {
					t.Fatalf("the TRACE log has no %q: is the scim subsystem still logging requests?", want)
				}
			}
			places := map[string]string{"CLI output": output.String(), "TRACE log": string(logs), "plan": planJSON}
			for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
				if data, err := os.ReadFile(filepath.Join(w.dir, name)); err == nil {
					places[name] = string(data)
				}
			}
			for place, text := range places {
				if i := strings.Index(text, token); i >= 0 {
					t.Errorf("the token leaked into the %s: ...%s...", place, text[max(0, i-200):min(len(text), i+50)])
				}
				if i := strings.Index(text, password); i >= 0 {
					t.Errorf("the initial password leaked into the %s: ...%s...", place, text[max(0, i-200):min(len(text), i+50)])
				}
			}
			// The SSO id is kept in state, marked sensitive, to notice a change; it reaches no output or log.
			for _, place := range []string{"CLI output", "TRACE log"} {
				if strings.Contains(places[place], ssoCustomerID) {
					t.Errorf("the SSO customer id leaked into the %s", place)
				}
			}
			users := tenant.users()
			if len(users) != wantUsers {
				t.Errorf("want %d users in the emulator, found %d", wantUsers, len(users))
			}
			for _, u := range users {
				if u.UserName == "leak-sso@example.com" && u.SSOCustomerID != ssoCustomerID {
					t.Errorf("TeamViewer should have received the SSO customer id, got %q", u.SSOCustomerID)
				}
				if u.UserName == "leak-hire@example.com" && u.Password != "set" {
					t.Errorf("TeamViewer should have received the initial password")
				}
			}
		})
	}
}

// The API dies mid-apply and comes back with its data: the rerun converges, with no duplicate.
// The test holds the answer to a create that TeamViewer carried out and kills the API with that
// answer in flight, so a write whose response never arrived is certain, not a matter of timing:
// the provider's lookup finds that user instead of creating it twice.
func TestEmulatorKilledMidApplyConverges(t *testing.T) {
	const token = "tv-e2e-crash-token"
	const users = 60
	tenant := startEmulator(t, token, "-latency", "20ms")
	w := newWorkspace(t, usersConfig(tenant.URL, "crash", users, false), "TEAMVIEWER_TOKEN="+token)
	held, release := tenant.front.holdPOSTAfter(users / 3)

	apply := w.command(t.Context(), "apply", "-input=false", "-auto-approve", "-no-color")
	var applyOutput strings.Builder
	apply.Stdout, apply.Stderr = &applyOutput, &applyOutput
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- apply.Wait() }()
	var heldBody string
	select {
	case heldBody = <-held:
	case err := <-exited:
		t.Fatalf("the apply ended before a create was in flight: %v\n%s", err, applyOutput.String())
	}
	tenant.kill()
	close(release)
	tenant.start()

	// The interrupted apply may already converge through its retries; either way the rerun must.
	t.Logf("interrupted apply: err=%v", <-exited)
	w.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
	if out, err := w.run("plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
		t.Fatalf("the plan after the rerun is not empty: %v\n%s", err, out)
	}

	var lost struct {
		UserName string `json:"userName"`
	}
	if err := json.Unmarshal([]byte(heldBody), &lost); err != nil || lost.UserName == "" {
		t.Fatalf("the held create's body %q names no user: %v", heldBody, err)
	}
	seen := map[string]bool{}
	for _, u := range tenant.users() {
		key := strings.ToLower(u.UserName)
		if seen[key] {
			t.Errorf("duplicate user %s", u.UserName)
		}
		seen[key] = true
		if !u.Active {
			t.Errorf("user %s is not active", u.UserName)
		}
	}
	if !seen[strings.ToLower(lost.UserName)] {
		t.Errorf("the user whose create answer was lost, %s, is missing", lost.UserName)
	}
	if len(seen) != users {
		t.Errorf("want %d users, the emulator holds %d", users, len(seen))
	}
}
