package provider

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// A refresh of many users is served from one listing, and still sees what changed behind
// Terraform's back: a renamed user, a deactivated one and a removed one.
func TestAccUser_bulkRefreshSeesOutOfBandChanges(t *testing.T) {
	const count = 12
	tenant := newTestTenant(t, emulator.Options{})
	config := func(settings ...string) string {
		return tenant.providerConfig(settings...) + fmt.Sprintf(`
resource "teamviewer_user" "team" {
  count = %d

  user_name    = format("bulk-%%02d@example.com", count.index)
  display_name = format("Bulk User %%02d", count.index)
}
`, count)
	}
	user := func(i int) string { return tenant.userID(t, fmt.Sprintf("bulk-%02d@example.com", i)) }
	changeBehindTerraform := func() {
		tenant.ResetRequests()
		tenant.Update(user(5), func(u *emulator.User) { u.DisplayName = "Renamed Elsewhere" })
		tenant.Update(user(6), func(u *emulator.User) { u.Active = false })
		tenant.Remove(user(7))
	}
	expectDrift := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("teamviewer_user.team[5]", plancheck.ResourceActionUpdate),
			plancheck.ExpectKnownValue("teamviewer_user.team[5]", tfjsonpath.New("display_name"), knownvalue.StringExact("Bulk User 05")),
			plancheck.ExpectResourceAction("teamviewer_user.team[6]", plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction("teamviewer_user.team[7]", plancheck.ResourceActionCreate),
			plancheck.ExpectResourceAction("teamviewer_user.team[4]", plancheck.ResourceActionNoop),
		},
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config()},
			{
				PreConfig:        changeBehindTerraform,
				Config:           config(),
				ConfigPlanChecks: expectDrift,
				Check: func(*terraform.State) error {
					singles, listings := tenant.Count("GET", "/Users/{id}"), tenant.Count("GET", "/Users")
					if listings == 0 || singles > 3*listings+count/4 {
						return fmt.Errorf("refreshes should be served by listings: %d single GETs, %d listings", singles, listings)
					}
					return nil
				},
			},
			{
				// The same drift with bulk refresh off: one GET per user.
				PreConfig:        changeBehindTerraform,
				Config:           config("bulk_refresh = false"),
				ConfigPlanChecks: expectDrift,
				Check: func(*terraform.State) error {
					// The removed user's 404 is confirmed with one probe of the collection per walk
					// (GET /Users?count=1); anything more would be a listing.
					for _, r := range tenant.Requests() {
						if query, _ := url.ParseQuery(r.RawQuery); r.Method == "GET" && r.Path == emulator.BasePath+"/Users" && query.Get("count") != "1" {
							return fmt.Errorf("bulk_refresh = false should never list, but sent GET /Users?%s", r.RawQuery)
						}
					}
					if n := tenant.Count("GET", "/Users/{id}"); n < count {
						return fmt.Errorf("bulk_refresh = false should read each user on its own, sent %d single GETs", n)
					}
					return nil
				},
			},
		},
	})
}
