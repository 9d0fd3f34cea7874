package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

// preferred_language and sso_customer_id reach TeamViewer on create; a later change warns, is
// recorded, and sends nothing.
func TestAccUser_createOnlySettings(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	const userName = "sso.user@example.com"
	config := func(language, customerID string) string {
		return tenant.providerConfig() + userConfig("sso", userName, "Sso User",
			fmt.Sprintf("  preferred_language = %q\n  sso_customer_id = %q", language, customerID))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config("de_DE", "sso-customer-4711"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("teamviewer_user.sso", tfjsonpath.New("preferred_language"), knownvalue.StringExact("de_DE")),
					statecheck.ExpectSensitiveValue("teamviewer_user.sso", tfjsonpath.New("sso_customer_id")),
				},
				Check: func(*terraform.State) error {
					user, _ := tenant.User(tenant.userID(t, userName))
					if user.PreferredLanguage != "de_DE" || user.SSOCustomerID != "sso-customer-4711" {
						return fmt.Errorf("TeamViewer received preferredLanguage %q and ssoCustomerId %q",
							user.PreferredLanguage, user.SSOCustomerID)
					}
					return nil
				},
			},
			{
				PreConfig: tenant.ResetRequests,
				Config:    config("fr_FR", "sso-customer-4711"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("teamviewer_user.sso", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("teamviewer_user.sso", tfjsonpath.New("preferred_language"), knownvalue.StringExact("fr_FR")),
				},
				Check: expectNoWrites(tenant),
			},
			{
				// Recorded: the next plan is empty, not a perpetual diff.
				Config: config("fr_FR", "sso-customer-4711"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config:      tenant.providerConfig() + userConfig("bad", "lang@example.com", "Bad Language", `  preferred_language = "German"`),
				ExpectError: regexp.MustCompile(`(?s)preferred_language.*language\s+code`),
			},
			{Config: config("fr_FR", "sso-customer-4711")},
		},
	})
}

// A plan that changes a create-only setting warns and names it; unchanged ones stay quiet.
func TestUserResource_ModifyPlanWarnsOnCreateOnlyChange(t *testing.T) {
	ctx := context.Background()
	r := &userResource{}
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)

	prior := userResourceModel{
		userModel: userModelFromSCIM(scim.User{ID: "u1000001", UserName: "jane@example.com", DisplayName: "Jane Doe",
			GivenName: "Jane", FamilyName: "Doe", Active: true}),
		PreferredLanguage: types.StringValue("de_DE"),
		SSOCustomerID:     types.StringValue("sso-1"),
		PasswordWO:        types.StringNull(),
		PasswordWOVersion: types.Int64Value(1),
	}
	planned := prior
	planned.PreferredLanguage = types.StringValue("fr_FR")
	planned.PasswordWOVersion = types.Int64Value(2)

	state := tfsdk.State{Schema: schemaResp.Schema}
	plan := tfsdk.Plan{Schema: schemaResp.Schema}
	diags := state.Set(ctx, prior)
	diags.Append(plan.Set(ctx, planned)...)
	if diags.HasError() {
		t.Fatal(diags)
	}
	resp := fwresource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, fwresource.ModifyPlanRequest{State: state, Plan: plan}, &resp)

	var warned []string
	for _, d := range resp.Diagnostics {
		if d.Severity() != diag.SeverityWarning {
			t.Fatalf("unexpected diagnostic: %s: %s", d.Summary(), d.Detail())
		}
		withPath, ok := d.(diag.DiagnosticWithPath)
		if !ok {
			t.Fatalf("the warning should name its attribute: %s", d.Summary())
		}
		warned = append(warned, withPath.Path().String())
		if !strings.Contains(d.Detail(), "u1000001") {
			t.Errorf("the warning should name the user: %s", d.Detail())
		}
	}
	if got, want := strings.Join(warned, ","), "preferred_language,password_wo_version"; got != want {
		t.Errorf("warned about %q, want %q", got, want)
	}
}

func TestAccUser_passwordWriteOnly(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	const userName = "new.hire@example.com"
	const password = "Initial-Passw0rd-only-on-create"
	config := func(version int) string {
		return tenant.providerConfig() + userConfig("hire", userName, "New Hire",
			fmt.Sprintf("  password_wo = %q\n  password_wo_version = %d", password, version))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(writeOnlyCLI)},
		Steps: []resource.TestStep{
			{
				Config: config(1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("teamviewer_user.hire", tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue("teamviewer_user.hire", tfjsonpath.New("password_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: func(s *terraform.State) error {
					user, _ := tenant.User(tenant.userID(t, userName))
					if user.Password != password {
						return fmt.Errorf("TeamViewer should have received the initial password on create")
					}
					return stateDoesNotContain(s, password)
				},
			},
			{
				// TeamViewer cannot change a password: a new version is recorded with a warning, no write.
				PreConfig: tenant.ResetRequests,
				Config:    config(2),
				Check: func(s *terraform.State) error {
					if err := expectNoWrites(tenant)(s); err != nil {
						return err
					}
					return stateDoesNotContain(s, password)
				},
			},
		},
	})
}

// Terraform before 1.11 cannot handle write-only attributes: setting one is a clear error, and no
// user is created.
func TestAccUser_passwordWriteOnlyNeedsNewerCLI(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipFromWriteOnlyCLI{}},
		Steps: []resource.TestStep{
			{
				Config:      tenant.providerConfig() + userConfig("old", "old.cli@example.com", "Old Cli", `  password_wo = "secret-secret"`),
				ExpectError: regexp.MustCompile(`(?s)password_wo.*Write-only\s+attributes\s+are\s+only\s+supported\s+in\s+Terraform\s+1.11`),
			},
			{Config: tenant.providerConfig()},
		},
		CheckDestroy: func(*terraform.State) error {
			if users := tenant.Users(); len(users) != 0 {
				return fmt.Errorf("no user may be created, found %+v", users)
			}
			return nil
		},
	})
}

// writeOnlyCLI is the first Terraform, and the first OpenTofu, that accepts write-only attributes:
// the password tests run on it and later, the test of the clear error before it.
var writeOnlyCLI = tfversion.Version1_11_0

// skipFromWriteOnlyCLI skips a test on CLIs that accept write-only attributes. The
// tfversion.SkipAbove(1.10.0) it replaces also skipped 1.10's later patch releases, which do not.
type skipFromWriteOnlyCLI struct{}

func (skipFromWriteOnlyCLI) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	// Core, as tfversion does: a prerelease of 1.11.0 counts as 1.11.0.
	if req.TerraformVersion.Core().GreaterThanOrEqual(writeOnlyCLI) {
		resp.Skip = fmt.Sprintf("Terraform CLI version %s accepts write-only attributes (%s or later): skipping test",
			req.TerraformVersion, writeOnlyCLI)
	}
}

// Exactly one of the two password tests runs on every CLI, 1.10's later patch releases included.
func TestWriteOnlyGates(t *testing.T) {
	for _, tc := range []struct {
		cli       string
		writeOnly bool
	}{
		{"1.5.7", false}, {"1.10.0", false}, {"1.10.5", false},
		{"1.11.0-rc1", true}, {"1.11.0", true}, {"1.12.6", true}, {"1.16.4", true},
	} {
		req := tfversion.CheckTerraformVersionRequest{TerraformVersion: version.Must(version.NewVersion(tc.cli))}
		var newer, older tfversion.CheckTerraformVersionResponse
		tfversion.SkipBelow(writeOnlyCLI).CheckTerraformVersion(t.Context(), req, &newer)
		skipFromWriteOnlyCLI{}.CheckTerraformVersion(t.Context(), req, &older)
		if ran := newer.Skip == ""; ran != tc.writeOnly {
			t.Errorf("Terraform %s: the write-only test ran = %t, want %t", tc.cli, ran, tc.writeOnly)
		}
		if ran := older.Skip == ""; ran == tc.writeOnly {
			t.Errorf("Terraform %s: the clear-error test ran = %t, want %t", tc.cli, ran, !tc.writeOnly)
		}
	}
}

// stateDoesNotContain fails when a secret appears anywhere in the state's attributes.
func stateDoesNotContain(s *terraform.State, secret string) error {
	for _, module := range s.Modules {
		for address, rs := range module.Resources {
			for key, value := range rs.Primary.Attributes {
				if strings.Contains(value, secret) {
					return fmt.Errorf("%s.%s holds the secret", address, key)
				}
			}
		}
	}
	return nil
}

// `terraform import teamviewer_user.x ""` names what an import ID must be, before any request.
func TestUserResource_importOfEmptyID(t *testing.T) {
	r := &userResource{}
	var schemaResp fwresource.SchemaResponse
	r.Schema(context.Background(), fwresource.SchemaRequest{}, &schemaResp)
	for _, id := range []string{"", "  "} {
		resp := fwresource.ImportStateResponse{State: tfsdk.State{
			Schema: schemaResp.Schema,
			Raw:    tftypes.NewValue(schemaResp.Schema.Type().TerraformType(context.Background()), nil),
		}}
		r.ImportState(context.Background(), fwresource.ImportStateRequest{ID: id}, &resp)
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "u1234567") {
			t.Errorf("import of %q: diagnostics %v, want an error showing what an import ID looks like", id, resp.Diagnostics)
		}
	}
}
