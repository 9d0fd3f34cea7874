package provider

import (
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// usersConfig is a teamviewer_users data source with the given arguments.
func usersConfig(name string, arguments ...string) string {
	body := ""
	for _, a := range arguments {
		body += "  " + a + "\n"
	}
	return fmt.Sprintf("\ndata \"teamviewer_users\" %q {\n%s}\n", name, body)
}

// filterArgument is the filter argument with value quoted for HCL.
func filterArgument(value string) string {
	return fmt.Sprintf("filter = %q", value)
}

// userNames checks that the data source found exactly these users, in this order.
func userNames(address string, names ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(names))
	for i, name := range names {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"user_name": knownvalue.StringExact(name)})
	}
	return statecheck.ExpectKnownValue(address, tfjsonpath.New("users"), knownvalue.ListExact(checks))
}

func TestAccUsersDataSource(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ada := tenant.AddUser(emulator.User{UserName: "Ada.Lovelace@Example.com", DisplayName: "Ada Lovelace", Active: true})
	tenant.AddUser(emulator.User{UserName: "alan@example.com", DisplayName: "Alan", Active: false})
	tenant.AddUser(emulator.User{UserName: "grace@example.org", DisplayName: "Grace Hopper", Active: true})
	tenant.AddUser(emulator.User{UserName: "pat@example.com", DisplayName: `Pat "The Hat" Doe`, Active: true})

	config := tenant.providerConfig() +
		usersConfig("all") +
		usersConfig("active", "active = true") +
		usersConfig("inactive", "active = false") +
		usersConfig("exact_case", filterArgument(`userName eq "Ada.Lovelace@Example.com"`)) +
		usersConfig("other_case", filterArgument(`userName eq "ada.lovelace@example.com"`)) +
		usersConfig("escaped_quote", filterArgument(`displayName eq "Pat \"The Hat\" Doe"`)) +
		usersConfig("inactive_in_domain", filterArgument(`userName ew "@example.com"`), "active = false") +
		usersConfig("none", filterArgument(`displayName sw "Nobody"`))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: tenant.providerConfig() + usersConfig("bad", filterArgument(`userName eq "ada@example.com`)),
				ExpectError: regexp.MustCompile(`(?s)Invalid SCIM filter.*The\s+filter\s+attribute\s+must\s+close\s+every\s+` +
					`double-quoted\s+value.*double\s+quote\s+at\s+character\s+13\s+opens`),
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					userNames("data.teamviewer_users.all", "Ada.Lovelace@Example.com", "alan@example.com", "grace@example.org", "pat@example.com"),
					statecheck.ExpectKnownValue("data.teamviewer_users.all", tfjsonpath.New("users").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":           knownvalue.StringExact(ada.ID),
						"user_name":    knownvalue.StringExact("Ada.Lovelace@Example.com"),
						"display_name": knownvalue.StringExact("Ada Lovelace"),
						"active":       knownvalue.Bool(true),
						"given_name":   knownvalue.StringExact("Ada"),
						"family_name":  knownvalue.StringExact("Lovelace"),
					})),
					statecheck.ExpectKnownValue("data.teamviewer_users.all", tfjsonpath.New("users").AtSliceIndex(1).AtMapKey("given_name"), knownvalue.Null()),
					userNames("data.teamviewer_users.active", "Ada.Lovelace@Example.com", "grace@example.org", "pat@example.com"),
					userNames("data.teamviewer_users.inactive", "alan@example.com"),
					userNames("data.teamviewer_users.exact_case", "Ada.Lovelace@Example.com"),
					// TeamViewer's filters are case-sensitive, and the data source passes them through.
					userNames("data.teamviewer_users.other_case"),
					userNames("data.teamviewer_users.escaped_quote", "pat@example.com"),
					userNames("data.teamviewer_users.inactive_in_domain", "alan@example.com"),
					// No match is an empty list, not null.
					statecheck.ExpectKnownValue("data.teamviewer_users.none", tfjsonpath.New("users"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
			// A valid last step, so that the post-test destroy has a configuration it can run.
			{Config: tenant.providerConfig()},
		},
	})
}

// More users than fit on one page all come back, read with explicit paging.
func TestAccUsersDataSource_pagination(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	tenant.AddUsers(2500, "user%04d@example.com")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: tenant.providerConfig() + usersConfig("all"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.teamviewer_users.all", tfjsonpath.New("users"), knownvalue.ListSizeExact(2500)),
					statecheck.ExpectKnownValue("data.teamviewer_users.all", tfjsonpath.New("users").AtSliceIndex(0).AtMapKey("user_name"),
						knownvalue.StringExact("user0001@example.com")),
					statecheck.ExpectKnownValue("data.teamviewer_users.all", tfjsonpath.New("users").AtSliceIndex(2499).AtMapKey("user_name"),
						knownvalue.StringExact("user2500@example.com")),
				},
				Check: expectPagedReads(tenant, 1000, 3),
			},
			{Config: tenant.providerConfig()},
		},
	})
}

// expectPagedReads checks that every read of the user list asked for pages pages of pageSize users
// with an explicit startIndex and count, never relying on TeamViewer's default of returning all users.
func expectPagedReads(tenant *testTenant, pageSize, pages int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		perStart := map[string]int{}
		for _, r := range tenant.Requests() {
			if r.Method != "GET" || r.Path != emulator.BasePath+"/Users" {
				continue
			}
			query, err := url.ParseQuery(r.RawQuery)
			if err != nil {
				return err
			}
			if got := query.Get("count"); got != fmt.Sprint(pageSize) {
				return fmt.Errorf("list request %q has count %q, want %d", r.RawQuery, got, pageSize)
			}
			perStart[query.Get("startIndex")]++
		}
		reads := perStart["1"]
		for page := range pages {
			if start := fmt.Sprint(1 + page*pageSize); perStart[start] != reads || reads == 0 {
				return fmt.Errorf("list requests by startIndex %v, want %d for each of the %d pages", perStart, reads, pages)
			}
		}
		if total := tenant.Count("GET", "/Users"); total != reads*pages {
			return fmt.Errorf("%d list requests for %d reads, want %d", total, reads, reads*pages)
		}
		return nil
	}
}

func TestUnterminatedQuote(t *testing.T) {
	tests := []struct {
		filter string
		want   int
	}{
		{``, -1},
		{`userName eq "jane@example.com"`, -1},
		{`userName eq "jane@example.com`, 12},
		{`"`, 0},
		{`userName eq "o\"brien@example.com"`, -1},
		{`userName eq "o\"brien@example.com`, 12},
		{`userName eq "back\\"`, -1},
		{`userName eq "back\"`, 12},
		{`displayName co "Ann" and userName sw "ann`, 37},
		{`displayName eq "Jörg Müller"`, -1},
	}
	for _, tt := range tests {
		if got := unterminatedQuote(tt.filter); got != tt.want {
			t.Errorf("unterminatedQuote(%s) = %d, want %d", tt.filter, got, tt.want)
		}
	}
}
