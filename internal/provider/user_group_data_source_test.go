package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// A group is found by id and by display name in another case, with its members; an empty group
// has an empty set of members; a group that does not exist, or a lookup by both or neither, is
// an error.
func TestAccUserGroupDataSource(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ids := userIDs(tenant.AddUsers(2, "member%d@example.com"))
	support := tenant.AddGroup(emulator.Group{DisplayName: "Support Team", Members: ids})
	empty := tenant.AddGroup(emulator.Group{DisplayName: "Empty"})
	config := tenant.providerConfig() + fmt.Sprintf(`
data "teamviewer_user_group" "by_id" {
  id = %q
}

data "teamviewer_user_group" "by_name" {
  display_name = "SUPPORT team"
}

data "teamviewer_user_group" "empty" {
  display_name = "Empty"
}
`, support.ID)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.teamviewer_user_group.by_id", tfjsonpath.New("display_name"), knownvalue.StringExact("Support Team")),
					expectMembers("data.teamviewer_user_group.by_id", ids...),
					statecheck.ExpectKnownValue("data.teamviewer_user_group.by_name", tfjsonpath.New("id"), knownvalue.StringExact(support.ID)),
					statecheck.ExpectKnownValue("data.teamviewer_user_group.by_name", tfjsonpath.New("display_name"), knownvalue.StringExact("Support Team")),
					expectMembers("data.teamviewer_user_group.by_name", ids...),
					statecheck.ExpectKnownValue("data.teamviewer_user_group.empty", tfjsonpath.New("id"), knownvalue.StringExact(empty.ID)),
					expectMembers("data.teamviewer_user_group.empty"),
				},
			},
			{
				Config:      tenant.providerConfig() + `data "teamviewer_user_group" "missing" { display_name = "Nobody" }`,
				ExpectError: regexp.MustCompile(`(?s)TeamViewer user group not found.*display\s+name\s+"Nobody"`),
			},
			{
				Config:      tenant.providerConfig() + `data "teamviewer_user_group" "missing" { id = "g999" }`,
				ExpectError: regexp.MustCompile(`(?s)TeamViewer user group not found.*id\s+"g999"`),
			},
			{
				Config: tenant.providerConfig() + fmt.Sprintf(`data "teamviewer_user_group" "both" {
  id           = %q
  display_name = "Support Team"
}`, support.ID),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
			},
			// A valid last step, so that the post-test destroy has a configuration it can run.
			{Config: tenant.providerConfig()},
		},
	})
}
