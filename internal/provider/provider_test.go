package provider

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

// testToken is distinctive so that a leak check can search for it in logs, state and output.
const testToken = "tv-acc-token-5c0ffee-never-logged"

// testAccProviders serves the provider in-process to the Terraform CLI run by terraform-plugin-testing.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"teamviewer": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests isolates the Terraform CLI from the machine: the environment may point TF_CLI_CONFIG_FILE
// at a file that does not exist, and a token in the environment would hide the "missing token" case.
func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "teamviewer-provider-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }() // a temporary directory; nothing to do if it stays
	cliConfig := filepath.Join(dir, "terraformrc")
	err = errors.Join(
		os.WriteFile(cliConfig, nil, 0o600),
		os.Setenv("TF_CLI_CONFIG_FILE", cliConfig),
		os.Unsetenv(envToken),
		os.Unsetenv(envTenantURL),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// testTenant is a TeamViewer company served by the emulator on loopback, private to one test.
type testTenant struct {
	*emulator.Server
	URL string
	// unavailablePOSTs is how many of the next POSTs are answered 503 without reaching the
	// emulator, as by a gateway in front of TeamViewer.
	unavailablePOSTs atomic.Int32
	// unreachable makes every connection close without an answer, as a dead endpoint does;
	// unreachableHits counts the requests it swallowed.
	unreachable     atomic.Bool
	unreachableHits atomic.Int32
}

func newTestTenant(t *testing.T, opts emulator.Options) *testTenant {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	tenant := &testTenant{Server: emulator.New(opts)}
	httpServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tenant.unreachable.Load() {
			tenant.unreachableHits.Add(1)
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		if r.Method == http.MethodPost && tenant.takeUnavailablePOST() {
			http.Error(w, "service unavailable", http.StatusServiceUnavailable)
			return
		}
		tenant.ServeHTTP(w, r)
	}))
	t.Cleanup(httpServer.Close)
	tenant.URL = httpServer.URL + emulator.BasePath
	return tenant
}

func (tt *testTenant) takeUnavailablePOST() bool {
	for {
		n := tt.unavailablePOSTs.Load()
		if n <= 0 {
			return false
		}
		if tt.unavailablePOSTs.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// providerConfig is the provider block that points at this tenant, with any extra settings.
func (tt *testTenant) providerConfig(settings ...string) string {
	return providerBlock(append([]string{fmt.Sprintf("tenant_url = %q", tt.URL), fmt.Sprintf("token = %q", testToken)}, settings...)...)
}

// providerBlock renders a provider block with exactly the given settings, one per line.
func providerBlock(settings ...string) string {
	return "\nprovider \"teamviewer\" {\n  " + strings.Join(settings, "\n  ") + "\n}\n"
}

// userID returns the id of the one user with this user name, failing the test otherwise.
func (tt *testTenant) userID(t *testing.T, userName string) string {
	t.Helper()
	users := tt.UsersByUserName(userName)
	if len(users) != 1 {
		t.Fatalf("want exactly one user %q in the emulator, found %d", userName, len(users))
	}
	return users[0].ID
}

// writes counts the requests that change the tenant.
func (tt *testTenant) writes() map[string]int {
	return map[string]int{
		"POST":   tt.CountMethod("POST"),
		"PUT":    tt.CountMethod("PUT"),
		"PATCH":  tt.CountMethod("PATCH"),
		"DELETE": tt.CountMethod("DELETE"),
	}
}

func userConfig(name, userName, displayName string, extra ...string) string {
	return fmt.Sprintf(`
resource "teamviewer_user" %[1]q {
  user_name    = %[2]q
  display_name = %[3]q
%[4]s
}
`, name, userName, displayName, strings.Join(extra, "\n"))
}

func TestValidateTenantURL(t *testing.T) {
	valid := []string{
		scim.DefaultBaseURL,
		"https://scim.example.com/scim/v2/",
		"http://127.0.0.1:8417/scim/v2",
		"http://127.1.2.3/scim/v2",
		"http://localhost:8080/scim/v2",
		"http://[::1]:8080/scim/v2",
	}
	for _, raw := range valid {
		if err := validateTenantURL(raw); err != nil {
			t.Errorf("validateTenantURL(%q) = %v, want nil", raw, err)
		}
	}
	invalid := map[string]string{
		"http://webapi.teamviewer.com/scim/v2": "unencrypted",
		"http://10.0.0.1/scim/v2":              "unencrypted",
		"http://localhost.example.com/scim/v2": "unencrypted",
		"ftp://webapi.teamviewer.com/scim/v2":  "must use https",
		"webapi.teamviewer.com/scim/v2":        "not an absolute URL",
		"https:///scim/v2":                     "not an absolute URL",
		"https://example.com/scim/v2?x=1":      "query or fragment",
		"https://example.com/scim/v2/Users":    "ends with the Users endpoint",
		"https://example.com/scim/v2/users/":   "ends with the users endpoint",
	}
	for raw, want := range invalid {
		err := validateTenantURL(raw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validateTenantURL(%q) = %v, want an error containing %q", raw, err, want)
		}
	}
}

// Settings from the environment are trimmed like those from the configuration, and one that is set
// but empty is told apart from one that is unset. Not parallel: it sets the environment.
func TestSettingFromEnvironment(t *testing.T) {
	t.Setenv(envTenantURL, "  http://127.0.0.1:8417/scim/v2\n")
	if value, source := setting(types.StringNull(), "tenant_url", envTenantURL); value != "http://127.0.0.1:8417/scim/v2" ||
		!strings.Contains(source, envTenantURL) {
		t.Errorf("setting from the environment = %q from %q, want it trimmed, from %s", value, source, envTenantURL)
	}
	if value, source := setting(types.StringValue(" https://example.com/scim/v2 "), "tenant_url", envTenantURL); value != "https://example.com/scim/v2" ||
		!strings.Contains(source, `"tenant_url"`) {
		t.Errorf("the attribute should win over the environment, trimmed: got %q from %q", value, source)
	}
	t.Setenv(envTenantURL, "")
	if value, source := setting(types.StringNull(), "tenant_url", envTenantURL); value != "" || source == "" {
		t.Errorf("an empty environment variable = %q from %q, want an empty value with its source", value, source)
	}
	if err := os.Unsetenv(envTenantURL); err != nil {
		t.Fatal(err)
	}
	if value, source := setting(types.StringNull(), "tenant_url", envTenantURL); value != "" || source != "" {
		t.Errorf("an unset setting = %q from %q, want neither", value, source)
	}
}

func TestUserAgent(t *testing.T) {
	if got, want := userAgent("1.2.3", "1.5.7"), "terraform-provider-teamviewer/1.2.3 Terraform/1.5.7"; got != want {
		t.Errorf("userAgent = %q, want %q", got, want)
	}
	if got, want := userAgent("dev", ""), "terraform-provider-teamviewer/dev Terraform/unknown"; got != want {
		t.Errorf("userAgent = %q, want %q", got, want)
	}
}

// Provider settings that cannot work fail with an error naming the setting, and a token TeamViewer
// rejects is reported with what to do about it.
func TestAccProvider_configurationErrors(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	user := userConfig("jane", "jane@example.com", "Jane Doe")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      providerBlock(`tenant_url = "http://teamviewer.example.com/scim/v2"`, `token = "whatever"`) + user,
				ExpectError: regexp.MustCompile(`(?s)tenant_url.*uses\s+http,\s+which\s+would\s+send\s+the\s+script\s+token\s+unencrypted`),
			},
			// An empty variable must not quietly mean TeamViewer's production endpoint.
			{
				Config:      providerBlock(`tenant_url = ""`, `token = "whatever"`) + user,
				ExpectError: regexp.MustCompile(`(?s)Empty TeamViewer tenant URL.*"tenant_url"\s+is\s+set\s+but\s+empty`),
			},
			{
				Config:      providerBlock(fmt.Sprintf("tenant_url = %q", tenant.URL+"/Users"), `token = "whatever"`) + user,
				ExpectError: regexp.MustCompile(`(?s)tenant_url.*ends\s+with\s+the\s+Users\s+endpoint`),
			},
			{
				Config:      providerBlock(fmt.Sprintf("tenant_url = %q", tenant.URL), `token = "half a token"`) + user,
				ExpectError: regexp.MustCompile(`(?s)Invalid TeamViewer script token.*token.*white\s+space`),
			},
			{
				Config:      providerBlock(fmt.Sprintf("tenant_url = %q", tenant.URL)) + user,
				ExpectError: regexp.MustCompile(`(?s)Missing TeamViewer script token.*Create\s+a\s+script\s+token`),
			},
			{
				Config:      providerBlock(fmt.Sprintf("tenant_url = %q", tenant.URL), `token = "wrong-token"`) + user,
				ExpectError: regexp.MustCompile(`(?s)401.*script\s+token.*(invalid|expired).*permission`),
			},
			{
				Config:      tenant.providerConfig(`request_timeout = "-5s"`) + user,
				ExpectError: regexp.MustCompile(`(?s)request_timeout.*must\s+be\s+a\s+duration\s+from\s+1s\s+to\s+10m0s`),
			},
			{
				Config:      tenant.providerConfig(`request_timeout = "100000000h"`) + user,
				ExpectError: regexp.MustCompile(`(?s)request_timeout.*is\s+not\s+a\s+duration\s+that\s+the\s+provider\s+can\s+read`),
			},
			{
				Config:      tenant.providerConfig(`max_retries = 0`) + user,
				ExpectError: regexp.MustCompile(`(?s)max_retries.*between\s+1\s+and\s+100`),
			},
			{
				Config:      tenant.providerConfig(`max_retries = 100000`) + user,
				ExpectError: regexp.MustCompile(`(?s)max_retries.*between\s+1\s+and\s+100`),
			},
			{
				Config:      tenant.providerConfig(`max_requests_per_second = 0`) + user,
				ExpectError: regexp.MustCompile(`(?s)max_requests_per_second.*at\s+least\s+1`),
			},
			// So slow that a plan would sit silent for half an hour.
			{
				Config:      tenant.providerConfig(`max_requests_per_second = 0.001`) + user,
				ExpectError: regexp.MustCompile(`(?s)max_requests_per_second.*at\s+least\s+1`),
			},
			// A valid last step, so that the post-test destroy has a configuration it can run.
			{Config: tenant.providerConfig()},
		},
		CheckDestroy: func(*terraform.State) error {
			if users := tenant.Users(); len(users) != 0 {
				return fmt.Errorf("no user should have been created, found %+v", users)
			}
			return nil
		},
	})
}

// A tenant URL whose path is wrong answers 404 for every user. That must be an error naming the
// setting, not a refresh that drops every user from state.
func TestAccProvider_wrongTenantPathKeepsState(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	user := userConfig("jane", "jane@example.com", "Jane Doe")
	wrongPath := providerBlock(fmt.Sprintf("tenant_url = %q", tenant.URL+"/v3"), fmt.Sprintf("token = %q", testToken))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: tenant.providerConfig() + user},
			{
				Config:      wrongPath + user,
				ExpectError: regexp.MustCompile(`(?s)does\s+not\s+serve\s+TeamViewer's\s+SCIM\s+Users\s+endpoint.*tenant_url`),
			},
			{
				Config: tenant.providerConfig() + user,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
