package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

const janeAddress = "teamviewer_user.jane"

// expectActiveUser checks a user's configured attributes in state.
func expectActiveUser(address, userName, displayName string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^u\d+$`))),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("user_name"), knownvalue.StringExact(userName)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("display_name"), knownvalue.StringExact(displayName)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("active"), knownvalue.Bool(true)),
	}
}

// The whole life of a user: create, no-op plans, one PATCH per update, import by id and by email in
// another case, and a destroy that deactivates instead of deleting.
func TestAccUser_lifecycle(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	const userName = "jane.doe@example.com"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: tenant.providerConfig() + userConfig("jane", userName, "Jane Doe"),
				ConfigStateChecks: append(expectActiveUser(janeAddress, userName, "Jane Doe"),
					statecheck.ExpectKnownValue(janeAddress, tfjsonpath.New("given_name"), knownvalue.StringExact("Jane")),
					statecheck.ExpectKnownValue(janeAddress, tfjsonpath.New("family_name"), knownvalue.StringExact("Doe")),
				),
				Check: func(*terraform.State) error {
					if got := tenant.Count("POST", "/Users"); got != 1 {
						return fmt.Errorf("want 1 POST /Users, got %d", got)
					}
					// Every request names the provider and the CLI's version.
					userAgent := regexp.MustCompile(`^terraform-provider-teamviewer/test Terraform/\d+\.\d+\.\d+`)
					for _, r := range tenant.Requests() {
						if !userAgent.MatchString(r.UserAgent) {
							return fmt.Errorf("%s %s sent User-Agent %q", r.Method, r.Path, r.UserAgent)
						}
					}
					return nil
				},
			},
			{
				// A second plan of the same configuration, and one that only changes the case of the
				// user name, are empty: no diff and no write.
				PreConfig: tenant.ResetRequests,
				Config:    tenant.providerConfig() + userConfig("jane", "Jane.Doe@Example.com", "Jane Doe"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: expectActiveUser(janeAddress, userName, "Jane Doe"),
				Check:             expectNoWrites(tenant),
			},
			{
				PreConfig: tenant.ResetRequests,
				Config:    tenant.providerConfig() + userConfig("jane", userName, "Jane Marie Doe"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(janeAddress, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(janeAddress, tfjsonpath.New("given_name")),
						plancheck.ExpectKnownValue(janeAddress, tfjsonpath.New("id"), knownvalue.NotNull()),
					},
				},
				ConfigStateChecks: append(expectActiveUser(janeAddress, userName, "Jane Marie Doe"),
					statecheck.ExpectKnownValue(janeAddress, tfjsonpath.New("given_name"), knownvalue.StringExact("Jane")),
					statecheck.ExpectKnownValue(janeAddress, tfjsonpath.New("family_name"), knownvalue.StringExact("Marie Doe")),
				),
				Check: func(*terraform.State) error {
					want := map[string]int{"POST": 0, "PUT": 0, "PATCH": 1, "DELETE": 0}
					if got := tenant.writes(); fmt.Sprint(got) != fmt.Sprint(want) {
						return fmt.Errorf("an update of display_name should be exactly one PATCH; writes: %v", got)
					}
					return nil
				},
			},
			{
				ResourceName:      janeAddress,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:      janeAddress,
				ImportState:       true,
				ImportStateId:     "JANE.DOE@EXAMPLE.com",
				ImportStateVerify: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			users := tenant.UsersByUserName(userName)
			if len(users) != 1 {
				return fmt.Errorf("destroy should leave the one user in TeamViewer, found %d", len(users))
			}
			if users[0].Active {
				return fmt.Errorf("destroy should deactivate %s", users[0].ID)
			}
			if n := tenant.CountMethod("DELETE"); n != 0 {
				return fmt.Errorf("destroy sent %d DELETE requests; TeamViewer cannot delete users", n)
			}
			return nil
		},
	})
}

func expectNoWrites(tenant *testTenant) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for method, n := range tenant.writes() {
			if n != 0 {
				return fmt.Errorf("want no writes, got %d %s", n, method)
			}
		}
		return nil
	}
}

// Destroy leaves a deactivated user behind; applying again adopts that same user instead of failing.
func TestAccUser_reapplyAfterDestroyReactivatesSameID(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	const userName = "max.muster@example.com"
	config := tenant.providerConfig() + userConfig("max", userName, "Max Muster")
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue("teamviewer_user.max", tfjsonpath.New("id"))},
			},
			{
				Config:  config,
				Destroy: true,
				Check: func(*terraform.State) error {
					if user, _ := tenant.User(tenant.userID(t, userName)); user.Active {
						return fmt.Errorf("destroy should have deactivated %s", user.ID)
					}
					return nil
				},
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue("teamviewer_user.max", tfjsonpath.New("id")),
					statecheck.ExpectKnownValue("teamviewer_user.max", tfjsonpath.New("active"), knownvalue.Bool(true)),
				},
				Check: func(*terraform.State) error {
					if user, _ := tenant.User(tenant.userID(t, userName)); !user.Active {
						return fmt.Errorf("re-apply should have reactivated %s", user.ID)
					}
					return nil
				},
			},
		},
	})
}

// A user removed behind Terraform's back leaves state on refresh, and the next plan creates it again.
func TestAccUser_removedOutOfBandIsRecreated(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	const userName = "gone@example.com"
	config := tenant.providerConfig() + userConfig("gone", userName, "Gone Soon")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() { tenant.Remove(tenant.userID(t, userName)) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("teamviewer_user.gone", plancheck.ResourceActionCreate)},
				},
				Check: func(*terraform.State) error {
					tenant.userID(t, userName)
					return nil
				},
			},
		},
	})
}

// A user deactivated behind Terraform's back shows as an in-place update back to active.
func TestAccUser_deactivatedOutOfBandIsReactivated(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	const userName = "paused@example.com"
	config := tenant.providerConfig() + userConfig("paused", userName, "Paused User")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					tenant.Update(tenant.userID(t, userName), func(u *emulator.User) { u.Active = false })
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("teamviewer_user.paused", plancheck.ResourceActionUpdate),
						// Derived names stay known: the plan touches only active.
						plancheck.ExpectKnownValue("teamviewer_user.paused", tfjsonpath.New("given_name"), knownvalue.StringExact("Paused")),
					},
				},
				ConfigStateChecks: expectActiveUser("teamviewer_user.paused", userName, "Paused User"),
			},
		},
	})
}

// An active user that Terraform does not manage is never taken over: the error says how to import it.
func TestAccUser_activeUserAlreadyExists(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	existing := tenant.AddUser(emulator.User{UserName: "Taken@Example.com", DisplayName: "Already Here", Active: true})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tenant.providerConfig() + userConfig("taken", "taken@example.com", "Someone Else"),
				ExpectError: regexp.MustCompile(`terraform import teamviewer_user\.NAME ` + existing.ID),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			user, _ := tenant.User(existing.ID)
			if len(tenant.Users()) != 1 || user.DisplayName != "Already Here" || !user.Active {
				return fmt.Errorf("the existing user must be left alone, tenant holds %+v", tenant.Users())
			}
			return nil
		},
	})
}

// Input that TeamViewer would reject, or that would put the token at risk, fails before any request.
func TestAccUser_invalidInput(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tenant.providerConfig() + userConfig("bad", "not-an-email", "Bad Email"),
				ExpectError: regexp.MustCompile(`(?s)Invalid email address.*"not-an-email" is not an email address`),
			},
			{
				Config:      tenant.providerConfig() + userConfig("bad", "Jane Doe <jane@example.com>", "Bad Email"),
				ExpectError: regexp.MustCompile(`Invalid email address`),
			},
			{
				Config:      tenant.providerConfig() + userConfig("bad", "blank@example.com", "   "),
				ExpectError: regexp.MustCompile(`(?s)display_name.*must\s+not\s+be\s+blank`),
			},
			{
				Config:      tenant.providerConfig() + userConfig("bad", "blank@example.com", ""),
				ExpectError: regexp.MustCompile(`(?s)display_name.*must\s+not\s+be\s+blank`),
			},
			// TeamViewer splits the display name at its first space; a server that trims it would
			// answer the create with a name other than the planned one.
			{
				Config:      tenant.providerConfig() + userConfig("bad", "padded@example.com", " Jane Doe"),
				ExpectError: regexp.MustCompile(`(?s)display_name.*begin\s+or\s+end\s+with\s+white\s+space`),
			},
			{
				Config:      tenant.providerConfig() + userConfig("bad", "padded@example.com", "Jane Doe\n"),
				ExpectError: regexp.MustCompile(`(?s)display_name.*begin\s+or\s+end\s+with\s+white\s+space`),
			},
			{Config: tenant.providerConfig()},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := tenant.TotalRequests(); n != 0 {
				return fmt.Errorf("invalid input should fail before any request, the emulator saw %d", n)
			}
			return nil
		},
	})
}

// TeamViewer does not document the status of a duplicate user name; a 400 instead of RFC 7644's
// 409 still leads to the lookup, and a deactivated user is adopted.
func TestAccUser_duplicateAnsweredWith400IsAdopted(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{DuplicateStatus: 400})
	left := tenant.AddUser(emulator.User{UserName: "Left.Earlier@example.com", DisplayName: "Left Earlier", Active: false})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: tenant.providerConfig() + userConfig("back", "left.earlier@example.com", "Back Again"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("teamviewer_user.back", tfjsonpath.New("id"), knownvalue.StringExact(left.ID)),
					statecheck.ExpectKnownValue("teamviewer_user.back", tfjsonpath.New("active"), knownvalue.Bool(true)),
				},
				Check: func(*terraform.State) error {
					if user, _ := tenant.User(left.ID); user.DisplayName != "Back Again" || !user.Active || len(tenant.Users()) != 1 {
						return fmt.Errorf("the deactivated user should be adopted in place, tenant holds %+v", tenant.Users())
					}
					return nil
				},
			},
		},
	})
}

// A user name that belongs to an account outside the company cannot be created, and cannot be
// found to import either: the error says so instead of offering an import.
func TestAccUser_userNameOwnedOutsideTheCompany(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{ReservedUserNames: []string{"elsewhere@example.com"}})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tenant.providerConfig() + userConfig("elsewhere", "elsewhere@example.com", "Some One"),
				ExpectError: regexp.MustCompile(`(?s)belongs to another company.*outside\s+your\s+company.*unique\s+across\s+all\s+of\s+TeamViewer.*nothing\s+to\s+import.*HTTP\s+409`),
			},
			{Config: tenant.providerConfig()},
		},
		CheckDestroy: func(*terraform.State) error {
			if users := tenant.Users(); len(users) != 0 {
				return fmt.Errorf("nothing may be created, found %+v", users)
			}
			return nil
		},
	})
}

// Importing a user that does not exist fails, by id and by user name, and names what was looked up.
func TestAccUser_importOfUnknownUserFails(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	config := tenant.providerConfig() + userConfig("known", "known@example.com", "Known User")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:        config,
				ResourceName:  "teamviewer_user.known",
				ImportState:   true,
				ImportStateId: "u9999999",
				ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
			},
			{
				Config:        config,
				ResourceName:  "teamviewer_user.known",
				ImportState:   true,
				ImportStateId: "Nobody@Example.com",
				ExpectError:   regexp.MustCompile(`(?s)Unable to import TeamViewer user\s+"Nobody@Example.com".*no\s+user\s+has\s+this\s+userName`),
			},
		},
	})
}

// A one-word display name has no given or family name: both are null, and stay known as null in a
// plan that changes something else.
func TestAccUser_singleWordDisplayName(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	address := "teamviewer_user.cher"
	nullNames := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(address, tfjsonpath.New("given_name"), knownvalue.Null()),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("family_name"), knownvalue.Null()),
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:            tenant.providerConfig() + userConfig("cher", "cher@example.com", "Cher"),
				ConfigStateChecks: nullNames,
			},
			{
				Config: tenant.providerConfig() + userConfig("cher", "cher@example.com", "Cher", "  active = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(address, tfjsonpath.New("given_name"), knownvalue.Null()),
					},
				},
				ConfigStateChecks: nullNames,
			},
		},
	})
}
