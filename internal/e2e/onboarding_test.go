package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
)

// requireCLI skips the test on CLIs older than minimum ("1.14.0"), saying why.
func requireCLI(t *testing.T, minimum, why string) {
	t.Helper()
	requireBinaries(t)
	if cliVersion.Core().LessThan(version.Must(version.NewVersion(minimum))) {
		t.Skipf("needs Terraform %s or later (%s); this is %s", minimum, why, cliVersion)
	}
}

// createUsers adds users through the emulator's SCIM API, as an identity provider would have.
func (e *emulatorProcess) createUsers(users ...map[string]any) {
	e.t.Helper()
	for _, u := range users {
		e.send(http.MethodPost, "/Users", u)
	}
}

// createGroup adds a user group with members through the emulator's SCIM API as Entra ID pushes
// one: a POST without members, then PATCH Add requests of at most 100 members each.
func (e *emulatorProcess) createGroup(displayName string, memberIDs ...string) {
	e.t.Helper()
	id := e.send(http.MethodPost, "/Groups", map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": displayName,
		"members":     []any{},
	})
	for chunk := range slices.Chunk(memberIDs, 100) {
		members := make([]map[string]string, len(chunk))
		for i, member := range chunk {
			members[i] = map[string]string{"value": member}
		}
		e.send(http.MethodPatch, "/Groups/"+id, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "Add", "path": "members", "value": members}},
		})
	}
}

// send makes one request to the emulator's SCIM API, fails the test unless it succeeds, and
// returns the id of the resource answered.
func (e *emulatorProcess) send(method, path string, resource map[string]any) (id string) {
	e.t.Helper()
	body, err := json.Marshal(resource)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		e.t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
	var answer struct {
		ID string `json:"id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&answer) // a 204 has no body
	return answer.ID
}

// writes returns the emulator's count of requests that change users.
func (e *emulatorProcess) writes() int {
	e.t.Helper()
	n := 0
	for route, count := range e.requests() {
		if !strings.HasPrefix(route, "GET ") {
			n += count
		}
	}
	return n
}

// A company provisioned for years by an identity provider comes under Terraform in three
// commands: `terraform query -generate-config-out` writes a resource and an import block for every
// user and every user group (with its members), the plan of that file imports every one with no
// change (deactivated users carry active = false), the apply writes nothing to TeamViewer, and the
// next plan is empty. Display names hold what generated HCL must escape: quotes, backslashes, ${
// and %{, non-ASCII letters.
func TestQueryOnboardsAWholeCompany(t *testing.T) {
	requireCLI(t, "1.14.0", "terraform query and list resources")
	const token = "tv-e2e-onboarding-token"
	const seeded = 1200
	tenant := startEmulator(t, token, "-seed-users", fmt.Sprint(seeded))
	awkward := []map[string]any{
		{"userName": "quote@example.com", "displayName": `Jane "JD" Doe`, "active": true},
		{"userName": "backslash@example.com", "displayName": `Back\Slash O'Brien`, "active": true},
		{"userName": "template@example.com", "displayName": "Dollar ${var.x} Percent %{if true}y%{endif}", "active": true},
		{"userName": "unicode@example.com", "displayName": "Jürgen Müller-Łukasiewicz 山田", "active": true},
		{"userName": "left@example.com", "displayName": "Left Earlier", "active": false},
	}
	tenant.createUsers(awkward...)
	var userIDs []string
	for _, u := range tenant.users() {
		userIDs = append(userIDs, u.ID)
	}
	const groups = 4
	tenant.createGroup("Support", userIDs[:3]...)
	tenant.createGroup("Sales EMEA", userIDs[3:253]...) // 250 members, more than one request holds
	tenant.createGroup(`Quote "Q" ${team}`, userIDs[len(userIDs)-1])
	tenant.createGroup("Empty")
	users := seeded + len(awkward)
	total := users + groups

	w := newWorkspace(t, fmt.Sprintf("provider \"teamviewer\" {\n  tenant_url = %q\n}\n", tenant.URL), "TEAMVIEWER_TOKEN="+token)
	mustWrite(t, filepath.Join(w.dir, "users.tfquery.hcl"), []byte(fmt.Sprintf(`
list "teamviewer_user" "company" {
  provider         = teamviewer
  include_resource = true
  limit            = %d
}

list "teamviewer_user_group" "company" {
  provider         = teamviewer
  include_resource = true
  limit            = 1000
}
`, users+1000)), 0o600)

	before := tenant.requests()["GET /Users"]
	w.mustRun("query", "-no-color", "-generate-config-out=users.tf")
	if pages := tenant.requests()["GET /Users"] - before; pages > (users+999)/1000+2 {
		t.Errorf("the query made %d list requests for %d users, want at most ⌈N/1,000⌉ + 2", pages, users)
	}
	generated, err := os.ReadFile(filepath.Join(w.dir, "users.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(generated), `resource "teamviewer_user" `); n != users {
		t.Fatalf("users.tf has %d teamviewer_user blocks, want %d", n, users)
	}
	if n := strings.Count(string(generated), `resource "teamviewer_user_group" `); n != groups {
		t.Fatalf("users.tf has %d teamviewer_user_group blocks, want %d", n, groups)
	}
	if n := strings.Count(string(generated), "import {"); n != total {
		t.Fatalf("users.tf has %d import blocks, want %d", n, total)
	}

	importsWithoutChange(t, w, tenant, total)

	// The groups came with their members: a generated group without them would plan no change
	// too, but would leave its membership unmanaged.
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string `json:"type"`
					Values struct {
						DisplayName string   `json:"display_name"`
						Members     []string `json:"members"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	shown := w.mustRun("show", "-json")
	if err := json.Unmarshal([]byte(shown), &state); err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	members := map[string]int{}
	for _, r := range state.Values.RootModule.Resources {
		if r.Type == "teamviewer_user_group" {
			members[r.Values.DisplayName] = len(r.Values.Members)
		}
	}
	if want := map[string]int{"Support": 3, "Sales EMEA": 250, `Quote "Q" ${team}`: 1, "Empty": 0}; !maps.Equal(members, want) {
		t.Errorf("managed groups and their member counts = %v, want %v", members, want)
	}

	// Every managed user is listed with its identity: an object by resource address.
	var identities map[string]map[string]any
	out := w.mustRun("state", "identities", "-json")
	if err := json.Unmarshal([]byte(out), &identities); err != nil {
		t.Fatalf("terraform state identities -json: %v\n%.500s", err, out)
	}
	userID := regexp.MustCompile(`^u\d+$`)
	ids := map[string]bool{}
	for address, identity := range identities {
		if id, _ := identity["id"].(string); strings.HasPrefix(address, "teamviewer_user.") && userID.MatchString(id) {
			ids[id] = true
		}
	}
	if len(ids) != users {
		t.Errorf("terraform state identities lists %d user ids, want %d:\n%.500s", len(ids), users, out)
	}
	for _, u := range tenant.users() {
		if u.UserName == "left@example.com" && u.Active {
			t.Error("onboarding reactivated a deactivated user")
		}
	}
}

// With an ephemeral input variable (Terraform 1.10 and later), the token stays out of the saved
// plan file as well: not in its contents, the state, the CLI's output or a TRACE log.
func TestEphemeralTokenVariableNeverLeaks(t *testing.T) {
	requireCLI(t, "1.10.0", "ephemeral input variables")
	const token = "tv-e2e-ephemeral-token-7a2c"
	tenant := startEmulator(t, token)
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	config := fmt.Sprintf(`
variable "teamviewer_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "teamviewer" {
  tenant_url = %q
  token      = var.teamviewer_token
}

resource "teamviewer_user" "eph" {
  user_name    = "ephemeral@example.com"
  display_name = "Ephemeral Token"
}
`, tenant.URL)
	w := newWorkspace(t, config, "TF_VAR_teamviewer_token="+token, "TF_LOG=TRACE", "TF_LOG_PATH="+logFile)

	var output strings.Builder
	output.WriteString(w.mustRun("plan", "-input=false", "-no-color", "-out=tfplan"))
	planFile, err := os.ReadFile(filepath.Join(w.dir, "tfplan"))
	if err != nil {
		t.Fatal(err)
	}
	output.WriteString(w.mustRun("apply", "-input=false", "-no-color", "tfplan"))
	output.WriteString(w.mustRun("destroy", "-input=false", "-auto-approve", "-no-color"))

	places := map[string]string{"CLI output": output.String(), "plan file": string(planFile)}
	// A plan file is a zip archive; its entries may be compressed, so each is read as well.
	archive, err := zip.NewReader(bytes.NewReader(planFile), int64(len(planFile)))
	if err != nil {
		t.Fatalf("the plan file is not a zip archive: %v", err)
	}
	for _, f := range archive.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		places["plan file entry "+f.Name] = string(data)
	}
	if logs, err := os.ReadFile(logFile); err == nil {
		places["TRACE log"] = string(logs)
		if !strings.Contains(string(logs), "@module=teamviewer.scim") {
			t.Fatal("the TRACE log holds no SCIM request: the test would prove nothing")
		}
	} else {
		t.Fatal(err)
	}
	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if data, err := os.ReadFile(filepath.Join(w.dir, name)); err == nil {
			places[name] = string(data)
		}
	}
	for place, text := range places {
		if strings.Contains(text, token) {
			t.Errorf("the token leaked into the %s", place)
		}
	}
}

// importsWithoutChange plans the workspace's generated configuration, which must import total
// users and change nothing, applies it, which must write nothing to TeamViewer, and checks that
// the next plan is empty.
func importsWithoutChange(t *testing.T, w *workspace, tenant *emulatorProcess, total int) {
	t.Helper()
	writesBefore := tenant.writes()
	plan := w.mustRun("plan", "-input=false", "-no-color", "-out=onboard.tfplan")
	if want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", total); !strings.Contains(plan, want) {
		t.Fatalf("the plan of the generated configuration does not say %q:\n%s", want, tail(plan, 3000))
	}
	w.mustRun("apply", "-input=false", "-no-color", "onboard.tfplan")
	if n := tenant.writes() - writesBefore; n != 0 {
		t.Errorf("importing the company wrote %d times to TeamViewer, want 0", n)
	}
	if out, err := w.run("plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
		t.Fatalf("the plan after onboarding is not empty: %v\n%s", err, tail(out, 3000))
	}
}

// tail returns the end of s, at most n bytes, for failure messages.
func tail(s string, n int) string {
	return s[max(0, len(s)-n):]
}

// exampleConfig returns an example of the onboarding guide for the emulator at tenantURL: without
// its terraform block (the workspace has one) and with the tenant URL in its provider block.
func exampleConfig(t *testing.T, name, tenantURL string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "guides", "onboarding", name, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	config := regexp.MustCompile(`(?s)^terraform \{.*?\n\}\n`).ReplaceAllString(string(data), "")
	return strings.Replace(config, "provider \"teamviewer\" {}\n", fmt.Sprintf("provider \"teamviewer\" {\n  tenant_url = %q\n}\n", tenantURL), 1)
}

// The guide's path for Terraform 1.5 and 1.6, which have import blocks without for_each: an output
// of the teamviewer_users data source writes one import block per user, and
// `terraform plan -generate-config-out` writes the resource blocks. Planning them imports every
// user with no change, the apply writes nothing, and the next plan is empty. Runs on every CLI;
// `make test` runs it on Terraform 1.5.7 too.
func TestGeneratedImportBlocksOnboardACompany(t *testing.T) {
	const token = "tv-e2e-import-blocks-token"
	tenant := startEmulator(t, token, "-seed-users", "40")
	tenant.createUsers(
		map[string]any{"userName": "quote@example.com", "displayName": `Jane "JD" Doe \ ${x}`, "active": true},
		map[string]any{"userName": "left@example.com", "displayName": "Left Earlier", "active": false},
	)
	const total = 42
	w := newWorkspace(t, exampleConfig(t, "terraform-1.5", tenant.URL), "TEAMVIEWER_TOKEN="+token)

	w.mustRun("apply", "-input=false", "-auto-approve", "-no-color")
	mustWrite(t, filepath.Join(w.dir, "imports.tf"), []byte(w.mustRun("output", "-raw", "import_blocks")), 0o600)
	w.mustRun("plan", "-input=false", "-no-color", "-generate-config-out=users.tf")

	importsWithoutChange(t, w, tenant, total)
}
