package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// TF_LOG_PROVIDER_SCIM sets the level of the SCIM subsystem on its own: with TF_LOG unset, TRACE
// logs every request and response (masked), and nothing else of the provider. Not parallel: it
// sets the environment that the test log sink reads.
func TestAccProvider_scimLogLevelFromEnvironment(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	for _, env := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_ACC_LOG_PATH", "TF_LOG_PATH_MASK"} {
		t.Setenv(env, "")
	}

	run := func(t *testing.T, scimLevel string) string {
		logFile := filepath.Join(t.TempDir(), "provider.log")
		t.Setenv("TF_LOG_PATH", logFile)
		t.Setenv("TF_LOG_PROVIDER_SCIM", scimLevel)
		name := "log" + strings.ToLower(scimLevel)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProviders,
			Steps: []resource.TestStep{{
				Config: tenant.providerConfig() + userConfig(name, name+"@example.com", "Log Test"),
			}},
		})
		b, err := os.ReadFile(logFile)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(b)
	}

	t.Run("trace", func(t *testing.T) {
		log := run(t, "TRACE")
		for _, want := range []string{"teamviewer.scim: SCIM request:", "teamviewer.scim: SCIM response body:", "POST"} {
			if !strings.Contains(log, want) {
				t.Errorf("the log at TF_LOG_PROVIDER_SCIM=TRACE lacks %q:\n%.2000s", want, log)
			}
		}
		if strings.Contains(log, "configured TeamViewer SCIM client") {
			t.Error("with TF_LOG unset, the provider's own debug lines should stay out of the log")
		}
		if strings.Contains(log, testToken) {
			t.Error("the log holds the token")
		}
	})
	t.Run("unset", func(t *testing.T) {
		if log := run(t, ""); strings.Contains(log, "SCIM request") {
			t.Errorf("with neither TF_LOG nor TF_LOG_PROVIDER_SCIM set, no SCIM request should be logged:\n%.2000s", log)
		}
	})
}

// Logs are wanted when a TF_LOG variable, or the acceptance tests' TF_ACC_LOG_PATH, is set to
// anything but "off"; QuietUnlessLogging's own OFF settings do not count.
func TestLogsWanted(t *testing.T) {
	for environ, want := range map[string]bool{
		"":                                   false,
		"HOME=/root PATH=/bin":               false,
		"TF_LOG=":                            false,
		"TF_LOG=off":                         false,
		"TF_LOG_SDK=OFF TF_LOG_PROVIDER=OFF": false,
		"TF_LOGGING=":                        false,
		"TF_LOG=TRACE":                       true,
		"TF_LOG=json":                        true,
		"TF_LOG_PROVIDER=DEBUG":              true,
		"TF_LOG_PROVIDER_SCIM=TRACE":         true,
		"TF_LOG_SDK_FRAMEWORK=trace":         true,
		"TF_LOG_PATH=/tmp/terraform.log":     true,
		"TF_ACC_LOG_PATH=/tmp/acc.log":       true,
		"TF_ACC=1 TF_IN_AUTOMATION=1":        false,
	} {
		if got := logsWanted(strings.Fields(environ)); got != want {
			t.Errorf("logsWanted(%q) = %t, want %t", environ, got, want)
		}
	}
}
