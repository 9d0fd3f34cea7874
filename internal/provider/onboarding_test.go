package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// guideExample returns an example of the onboarding guide, pointed at tenant: its terraform block
// goes (the test harness installs the provider) and its provider block gets the tenant's settings.
func guideExample(t *testing.T, tenant *testTenant, name string) string {
	t.Helper()
	data, err := os.ReadFile("../../examples/guides/onboarding/" + name + "/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	config := regexp.MustCompile(`(?s)^terraform \{.*?\n\}\n`).ReplaceAllString(string(data), "")
	if !strings.Contains(config, "provider \"teamviewer\" {}\n") {
		t.Fatalf("the %s example has no empty provider block to point at the emulator", name)
	}
	return strings.Replace(config, "provider \"teamviewer\" {}\n", tenant.providerConfig(), 1)
}

// The guide's path for Terraform 1.7 and later and OpenTofu: import blocks with for_each over the
// teamviewer_users data source bring every user under Terraform with no change, write nothing to
// TeamViewer, and leave an empty plan.
func TestAccOnboarding_importForEach(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	tenant.AddUsers(30, "staff%02d@example.com")
	tenant.AddUser(emulator.User{UserName: "Left.Earlier@Example.com", DisplayName: `Left "Earlier"`, Active: false})
	config := guideExample(t, tenant, "for-each")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(`teamviewer_user.company["left.earlier@example.com"]`, plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(`teamviewer_user.company["staff07@example.com"]`, plancheck.ResourceActionNoop),
					},
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// terraform-plugin-testing reads the final state through a shim that cannot index
			// resources by string keys, so the last step leaves none: removing them deactivates
			// them, as destroy would.
			{Config: tenant.providerConfig()},
		},
		CheckDestroy: func(*terraform.State) error {
			// Destroy deactivates; before it, onboarding must have written nothing.
			if n := tenant.CountMethod("POST"); n != 0 {
				return fmt.Errorf("onboarding created %d users", n)
			}
			if n, want := tenant.CountMethod("PATCH"), 30; n != want {
				return fmt.Errorf("want only destroy's %d deactivations, the emulator saw %d PATCHes", want, n)
			}
			return nil
		},
	})
}
