package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// Every managed group carries its identity, the id, and can be imported by it, and by its display
// name through an import block.
func TestAccUserGroup_identity(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ids := userIDs(tenant.AddUsers(2, "member%d@example.com"))
	config := tenant.providerConfig() + groupConfig("support", "Support", ids)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(supportAddress, map[string]knownvalue.Check{
						"id": knownvalue.StringRegexp(regexp.MustCompile(`\S`)),
					}),
					statecheck.ExpectIdentityValueMatchesState(supportAddress, tfjsonpath.New("id")),
				},
			},
			{
				Config:          config,
				ResourceName:    supportAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				Config:          config,
				ResourceName:    supportAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "SUPPORT",
			},
		},
	})
}

// `terraform query` finds the company's groups, each with its identity and display name; with
// include_resource each comes with its members, so that generated configuration manages them as
// they are. The filter goes to TeamViewer as is.
func TestAccUserGroupList_query(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ids := userIDs(tenant.AddUsers(3, "member%d@example.com"))
	support := tenant.AddGroup(emulator.Group{DisplayName: "Support", Members: ids[:2]})
	emea := tenant.AddGroup(emulator.Group{DisplayName: "Sales EMEA", Members: ids[2:]})
	tenant.AddGroup(emulator.Group{DisplayName: "Sales APAC"})
	tenant.AddGroups(150, "Team %03d") // more than one page of 100

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			// A query step needs a configuration that names the provider first.
			{Config: tenant.providerConfig()},
			{
				Query: true,
				Config: `
list "teamviewer_user_group" "all" {
  provider         = teamviewer
  include_resource = true
  limit            = 1000
}

list "teamviewer_user_group" "sales" {
  provider = teamviewer
  config {
    filter = "displayName sw \"Sales\""
  }
}

list "teamviewer_user_group" "first_five" {
  provider = teamviewer
  limit    = 5
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("teamviewer_user_group.all", 153),
					querycheck.ExpectLength("teamviewer_user_group.sales", 2),
					querycheck.ExpectLength("teamviewer_user_group.first_five", 5),
					querycheck.ExpectResourceDisplayName("teamviewer_user_group.sales",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(emea.ID)}),
						knownvalue.StringExact("Sales EMEA")),
					querycheck.ExpectResourceKnownValues("teamviewer_user_group.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(support.ID)}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("display_name"), KnownValue: knownvalue.StringExact("Support")},
							{Path: tfjsonpath.New("members"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
								knownvalue.StringExact(ids[0]), knownvalue.StringExact(ids[1]),
							})},
						}),
				},
			},
			{
				PreConfig: func() {
					// Listings only, never a read per group: the listing carries the members.
					if n := tenant.Count("GET", "/Groups/{id}"); n != 0 {
						t.Errorf("the query read %d groups one by one", n)
					}
				},
				Config: tenant.providerConfig(),
			},
		},
	})
}

// A filter TeamViewer cannot read is reported with the filter.
func TestAccUserGroupList_badFilter(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{Config: tenant.providerConfig()},
			{
				Query: true,
				Config: fmt.Sprintf(`
list "teamviewer_user_group" "bad" {
  provider = teamviewer
  config {
    filter = %q
  }
}
`, `displayName zz "x"`),
				ExpectError: regexp.MustCompile(`(?s)Unable\s+to\s+list\s+TeamViewer\s+user\s+groups\s+matching`),
			},
		},
	})
}
