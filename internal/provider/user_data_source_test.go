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

func TestAccUserDataSource(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ada := tenant.AddUser(emulator.User{UserName: "Ada.Lovelace@Example.com", DisplayName: "Ada Lovelace", Active: true})
	tenant.AddUser(emulator.User{UserName: "alan@example.com", DisplayName: "Alan", Active: false})

	byID := fmt.Sprintf(`
data "teamviewer_user" "by_id" {
  id = %q
}
`, ada.ID)
	// TeamViewer's filter is case-sensitive; the lookup is not.
	byUserName := `
data "teamviewer_user" "by_user_name" {
  user_name = "ada.lovelace@example.com"
}
data "teamviewer_user" "inactive" {
  user_name = "alan@example.com"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tenant.providerConfig() + `data "teamviewer_user" "neither" {}`,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*one \(and only one\) of \[id,user_name\]`),
			},
			// An empty id (an empty variable, say) is a mistake about id, not about user_name.
			{
				Config:      tenant.providerConfig() + `data "teamviewer_user" "empty" { id = "" }`,
				ExpectError: regexp.MustCompile(`(?s)Attribute\s+id\s+string\s+length\s+must\s+be\s+at\s+least\s+1`),
			},
			{
				Config: tenant.providerConfig() + byID + byUserName,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.teamviewer_user.by_id", tfjsonpath.New("user_name"), knownvalue.StringExact("Ada.Lovelace@Example.com")),
					statecheck.ExpectKnownValue("data.teamviewer_user.by_id", tfjsonpath.New("display_name"), knownvalue.StringExact("Ada Lovelace")),
					statecheck.ExpectKnownValue("data.teamviewer_user.by_id", tfjsonpath.New("given_name"), knownvalue.StringExact("Ada")),
					statecheck.ExpectKnownValue("data.teamviewer_user.by_id", tfjsonpath.New("family_name"), knownvalue.StringExact("Lovelace")),
					statecheck.ExpectKnownValue("data.teamviewer_user.by_id", tfjsonpath.New("active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.teamviewer_user.by_user_name", tfjsonpath.New("id"), knownvalue.StringExact(ada.ID)),
					statecheck.ExpectKnownValue("data.teamviewer_user.by_user_name", tfjsonpath.New("display_name"), knownvalue.StringExact("Ada Lovelace")),
					statecheck.ExpectKnownValue("data.teamviewer_user.inactive", tfjsonpath.New("active"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.teamviewer_user.inactive", tfjsonpath.New("given_name"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.teamviewer_user.inactive", tfjsonpath.New("family_name"), knownvalue.Null()),
				},
			},
			{
				Config:      tenant.providerConfig() + `data "teamviewer_user" "missing" { user_name = "nobody@example.com" }`,
				ExpectError: regexp.MustCompile(`(?s)TeamViewer user not found.*user name "nobody@example.com"`),
			},
			{
				Config:      tenant.providerConfig() + `data "teamviewer_user" "missing" { id = "u9999999" }`,
				ExpectError: regexp.MustCompile(`(?s)TeamViewer user not found.*id "u9999999"`),
			},
			{Config: tenant.providerConfig()},
		},
	})
}
