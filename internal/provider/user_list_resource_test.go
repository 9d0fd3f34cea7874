package provider

import (
	"fmt"
	"net/url"
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

// Every managed user carries its identity, the id, and can be imported by it.
func TestAccUser_identity(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	config := tenant.providerConfig() + userConfig("jane", "jane@example.com", "Jane Doe")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("teamviewer_user.jane", map[string]knownvalue.Check{
						"id": knownvalue.StringRegexp(regexp.MustCompile(`^u\d+$`)),
					}),
					statecheck.ExpectIdentityValueMatchesState("teamviewer_user.jane", tfjsonpath.New("id")),
				},
			},
			{
				Config:          config,
				ResourceName:    "teamviewer_user.jane",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				Config:          config,
				ResourceName:    "teamviewer_user.jane",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "JANE@example.com",
			},
		},
	})
}

// `terraform query` finds the company's users, active and deactivated, each with its identity and
// its user name as display name; `active` narrows them, `filter` goes to TeamViewer as is, and the
// query pages with explicit counts: ⌈users / 1,000⌉ requests, never one per user.
func TestAccUserList_query(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	staff := tenant.AddUsers(2500, "staff%04d@example.com")
	left := tenant.AddUser(emulator.User{UserName: "left@example.com", DisplayName: `Left "Quoted" \ ${x} %{y} Jürgen`, Active: false})
	contractor := tenant.AddUser(emulator.User{UserName: "ada@contractor.example.com", DisplayName: "Ada Lovelace", Active: true})
	all := len(staff) + 2

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			// A query step needs a configuration that names the provider first.
			{Config: tenant.providerConfig()},
			{
				PreConfig: tenant.ResetRequests,
				Query:     true,
				// The provider block comes from the step before, whose configuration stays.
				Config: fmt.Sprintf(`
list "teamviewer_user" "all" {
  provider         = teamviewer
  limit            = %[1]d
  include_resource = true
}

list "teamviewer_user" "inactive" {
  provider = teamviewer
  config {
    active = false
  }
}

list "teamviewer_user" "contractors" {
  provider = teamviewer
  config {
    filter = "userName ew \"@contractor.example.com\""
  }
}

list "teamviewer_user" "first_ten" {
  provider = teamviewer
  limit    = 10
}
`, all+100),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("teamviewer_user.all", all),
					querycheck.ExpectLength("teamviewer_user.inactive", 1),
					querycheck.ExpectLength("teamviewer_user.contractors", 1),
					querycheck.ExpectLength("teamviewer_user.first_ten", 10),
					querycheck.ExpectIdentity("teamviewer_user.inactive", map[string]knownvalue.Check{"id": knownvalue.StringExact(left.ID)}),
					querycheck.ExpectIdentity("teamviewer_user.contractors", map[string]knownvalue.Check{"id": knownvalue.StringExact(contractor.ID)}),
					querycheck.ExpectResourceDisplayName("teamviewer_user.inactive",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(left.ID)}),
						knownvalue.StringExact("left@example.com")),
					querycheck.ExpectResourceKnownValues("teamviewer_user.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(left.ID)}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("display_name"), KnownValue: knownvalue.StringExact(left.DisplayName)},
							{Path: tfjsonpath.New("active"), KnownValue: knownvalue.Bool(false)},
						}),
				},
			},
			{
				Config: tenant.providerConfig(),
				PreConfig: func() {
					// all: 3 pages of 1,000; inactive: 3; contractors: 1 filtered page; first_ten: one
					// page of 10; and 2 to spare, the bound of ⌈N / 1,000⌉ + 2.
					pages, perBlock := 0, map[string]int{}
					for _, r := range tenant.Requests() {
						if r.Method != "GET" || r.Path != emulator.BasePath+"/Users" {
							t.Errorf("a query made %s %s", r.Method, r.Path)
							continue
						}
						q, _ := url.ParseQuery(r.RawQuery)
						if q.Get("count") == "" {
							t.Errorf("a query asked for a page without count: %s", r.RawQuery)
						}
						pages++
						perBlock[q.Get("filter")+" count="+q.Get("count")]++
					}
					if limit := 3 + 3 + 1 + 1 + 2; pages > limit {
						t.Errorf("the queries made %d list requests (%v), want at most %d", pages, perBlock, limit)
					}
				},
			},
		},
	})
}
