package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

const supportAddress = "teamviewer_user_group.support"

// groupConfig is a teamviewer_user_group resource; members nil leaves the attribute out.
func groupConfig(name, displayName string, members []string) string {
	membersLine := ""
	if members != nil {
		membersLine = "  members      = " + hclList(members)
	}
	return fmt.Sprintf(`
resource "teamviewer_user_group" %[1]q {
  display_name = %[2]q
%[3]s
}
`, name, displayName, membersLine)
}

// hclList renders ids as an HCL list of strings.
func hclList(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// userIDs are the ids of users.
func userIDs(users []emulator.User) []string {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

// expectMembers checks a set of member ids in state.
func expectMembers(address string, ids ...string) statecheck.StateCheck {
	values := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		values[i] = knownvalue.StringExact(id)
	}
	return statecheck.ExpectKnownValue(address, tfjsonpath.New("members"), knownvalue.SetExact(values))
}

// groupPatch is one operation of a PATCH of a group as the emulator recorded it.
type groupPatch struct {
	Op      string
	Path    string
	Members []string // the member values of a members operation
	Value   string   // the value of any other operation
}

func (p groupPatch) String() string {
	if p.Path == "members" {
		return fmt.Sprintf("%s %d members %v", p.Op, len(p.Members), p.Members)
	}
	return fmt.Sprintf("%s %s %q", p.Op, p.Path, p.Value)
}

// groupPatches returns the operations of the PATCH requests to groups since the last reset, one
// slice per request, in order.
func (tt *testTenant) groupPatches(t *testing.T) [][]groupPatch {
	t.Helper()
	var patches [][]groupPatch
	for _, r := range tt.Requests() {
		if r.Method != "PATCH" || !strings.HasPrefix(r.Path, emulator.BasePath+"/Groups/") {
			continue
		}
		var body struct {
			Operations []struct {
				Op    string          `json:"op"`
				Path  string          `json:"path"`
				Value json.RawMessage `json:"value"`
			} `json:"Operations"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("PATCH %s: %v: %s", r.Path, err, r.Body)
		}
		var ops []groupPatch
		for _, op := range body.Operations {
			p := groupPatch{Op: op.Op, Path: op.Path}
			var members []struct {
				Value string `json:"value"`
			}
			if json.Unmarshal(op.Value, &members) == nil {
				for _, m := range members {
					p.Members = append(p.Members, m.Value)
				}
			} else {
				_ = json.Unmarshal(op.Value, &p.Value)
			}
			ops = append(ops, p)
		}
		patches = append(patches, ops)
	}
	return patches
}

// addOp and removeOp render a members operation as groupPatch.String does.
func addOp(ids ...string) string    { return fmt.Sprintf("Add %d members %v", len(ids), ids) }
func removeOp(ids ...string) string { return fmt.Sprintf("Remove %d members %v", len(ids), ids) }

// expectGroupPatches checks that the PATCHes of groups since the last reset were exactly want, one
// request per element, rendered by groupPatch.String.
func expectGroupPatches(t *testing.T, tenant *testTenant, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var got []string
		for _, ops := range tenant.groupPatches(t) {
			rendered := make([]string, len(ops))
			for i, op := range ops {
				rendered[i] = op.String()
			}
			got = append(got, strings.Join(rendered, "; "))
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("PATCHes of groups:\n  got  %q\n  want %q", got, want)
		}
		return nil
	}
}

// expectTenantGroup checks the one group named displayName in the emulator and its members.
func expectTenantGroup(tenant *testTenant, displayName string, members ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		groups := tenant.GroupsByDisplayName(displayName)
		if len(groups) != 1 {
			return fmt.Errorf("want one group named %q, the tenant holds %+v", displayName, tenant.Groups())
		}
		got := slices.Sorted(slices.Values(groups[0].Members))
		want := slices.Sorted(slices.Values(members))
		if !slices.Equal(got, want) {
			return fmt.Errorf("group %q has members %v, want %v", displayName, got, want)
		}
		return nil
	}
}

// The whole life of a group that owns its membership: a create that is one POST and one PATCH, a
// no-change plan without writes, each change one small PATCH of just the difference, a rename,
// drift both ways shown as an update and undone, import by id and by display name in another
// case, and a destroy that deletes it.
func TestAccUserGroup_lifecycle(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ids := userIDs(tenant.AddUsers(4, "member%d@example.com"))
	a, b, c, d := ids[0], ids[1], ids[2], ids[3]
	config := func(name string, members ...string) string {
		return tenant.providerConfig() + groupConfig("support", name, members)
	}
	update := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(supportAddress, plancheck.ResourceActionUpdate)},
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config("Support Team", a, b),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(supportAddress, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`\S`))),
					statecheck.ExpectKnownValue(supportAddress, tfjsonpath.New("display_name"), knownvalue.StringExact("Support Team")),
					expectMembers(supportAddress, a, b),
				},
				Check: resource.ComposeTestCheckFunc(
					expectTenantGroup(tenant, "Support Team", a, b),
					expectGroupPatches(t, tenant, addOp(a, b)),
					func(*terraform.State) error {
						if n := tenant.Count("POST", "/Groups"); n != 1 {
							return fmt.Errorf("want one POST /Groups, got %d", n)
						}
						return nil
					},
				),
			},
			{
				PreConfig:        tenant.ResetRequests,
				Config:           config("Support Team", b, a),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            expectNoWrites(tenant),
			},
			{
				PreConfig:         tenant.ResetRequests,
				Config:            config("Support Team", a, b, c),
				ConfigPlanChecks:  update,
				ConfigStateChecks: []statecheck.StateCheck{expectMembers(supportAddress, a, b, c)},
				Check: resource.ComposeTestCheckFunc(
					expectTenantGroup(tenant, "Support Team", a, b, c),
					expectGroupPatches(t, tenant, addOp(c)),
				),
			},
			{
				PreConfig:         tenant.ResetRequests,
				Config:            config("Support Team", b, c),
				ConfigPlanChecks:  update,
				ConfigStateChecks: []statecheck.StateCheck{expectMembers(supportAddress, b, c)},
				Check: resource.ComposeTestCheckFunc(
					expectTenantGroup(tenant, "Support Team", b, c),
					expectGroupPatches(t, tenant, removeOp(a)),
				),
			},
			{
				PreConfig:        tenant.ResetRequests,
				Config:           config("Support Team EMEA", b, c),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(supportAddress, tfjsonpath.New("display_name"), knownvalue.StringExact("Support Team EMEA")),
				},
				Check: resource.ComposeTestCheckFunc(
					expectTenantGroup(tenant, "Support Team EMEA", b, c),
					expectGroupPatches(t, tenant, `Replace displayName "Support Team EMEA"`),
				),
			},
			{
				// Added in the Management Console: the plan removes it again.
				PreConfig: func() {
					tenant.ResetRequests()
					tenant.UpdateGroup(tenant.GroupsByDisplayName("Support Team EMEA")[0].ID, func(g *emulator.Group) {
						g.Members = append(g.Members, d)
					})
				},
				Config:           config("Support Team EMEA", b, c),
				ConfigPlanChecks: update,
				Check: resource.ComposeTestCheckFunc(
					expectTenantGroup(tenant, "Support Team EMEA", b, c),
					expectGroupPatches(t, tenant, removeOp(d)),
				),
			},
			{
				// Removed in the Management Console: the plan adds it back.
				PreConfig: func() {
					tenant.ResetRequests()
					tenant.UpdateGroup(tenant.GroupsByDisplayName("Support Team EMEA")[0].ID, func(g *emulator.Group) {
						g.Members = slices.DeleteFunc(g.Members, func(id string) bool { return id == b })
					})
				},
				Config:           config("Support Team EMEA", b, c),
				ConfigPlanChecks: update,
				Check: resource.ComposeTestCheckFunc(
					expectTenantGroup(tenant, "Support Team EMEA", b, c),
					expectGroupPatches(t, tenant, addOp(b)),
				),
			},
			{
				ResourceName:      supportAddress,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:      supportAddress,
				ImportState:       true,
				ImportStateId:     "support team emea",
				ImportStateVerify: true,
			},
			{
				PreConfig: tenant.ResetRequests,
				Config:    config("Support Team EMEA", b, c),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if groups := tenant.Groups(); len(groups) != 0 {
				return fmt.Errorf("destroy should delete the group, the tenant holds %+v", groups)
			}
			if n := tenant.Count("DELETE", "/Groups/{id}"); n != 1 {
				return fmt.Errorf("want one DELETE, got %d", n)
			}
			if n := len(tenant.Users()); n != 4 {
				return fmt.Errorf("the users must stay, the tenant holds %d", n)
			}
			return nil
		},
	})
}

// Members taken from teamviewer_user resources, unknown until those are created.
func TestAccUserGroup_membersFromUsers(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	config := tenant.providerConfig() +
		userConfig("jane", "jane@example.com", "Jane Doe") +
		userConfig("max", "max@example.com", "Max Muster") + `
resource "teamviewer_user_group" "support" {
  display_name = "Support"
  members      = [teamviewer_user.jane.id, teamviewer_user.max.id]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					return expectTenantGroup(tenant, "Support",
						tenant.userID(t, "jane@example.com"), tenant.userID(t, "max@example.com"))(s)
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Without members, the resource leaves membership alone and shows none of it; setting members
// later takes the group over from what it has, and unsetting them lets go without a write.
func TestAccUserGroup_membersUnsetAreLeftAlone(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ids := userIDs(tenant.AddUsers(2, "member%d@example.com"))
	a, b := ids[0], ids[1]
	config := func(members []string) string {
		return tenant.providerConfig() + groupConfig("support", "Support", members)
	}
	nullMembers := statecheck.ExpectKnownValue(supportAddress, tfjsonpath.New("members"), knownvalue.Null())
	addBehindTerraform := func() {
		tenant.ResetRequests()
		tenant.UpdateGroup(tenant.GroupsByDisplayName("Support")[0].ID, func(g *emulator.Group) { g.Members = []string{a} })
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:            config(nil),
				ConfigStateChecks: []statecheck.StateCheck{nullMembers},
				Check:             expectGroupPatches(t, tenant),
			},
			{
				PreConfig:         addBehindTerraform,
				Config:            config(nil),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{nullMembers},
				Check:             resource.ComposeTestCheckFunc(expectNoWrites(tenant), expectTenantGroup(tenant, "Support", a)),
			},
			{
				PreConfig:         tenant.ResetRequests,
				Config:            config([]string{b}),
				ConfigStateChecks: []statecheck.StateCheck{expectMembers(supportAddress, b)},
				Check: resource.ComposeTestCheckFunc(
					expectTenantGroup(tenant, "Support", b),
					expectGroupPatches(t, tenant, removeOp(a), addOp(b)),
				),
			},
			{
				// An empty set owns the membership too: no members.
				PreConfig:         tenant.ResetRequests,
				Config:            config([]string{}),
				ConfigStateChecks: []statecheck.StateCheck{expectMembers(supportAddress)},
				Check:             expectTenantGroup(tenant, "Support"),
			},
			{
				PreConfig:         addBehindTerraform,
				Config:            config(nil),
				ConfigStateChecks: []statecheck.StateCheck{nullMembers},
				Check:             resource.ComposeTestCheckFunc(expectNoWrites(tenant), expectTenantGroup(tenant, "Support", a)),
			},
		},
	})
}

// A display name that a group of the company has, in any case, is never created a second time
// nor taken over: the error gives the import command. Two resources of one configuration naming
// one group are told apart from an existing group.
func TestAccUserGroup_existingNameIsNotTakenOver(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	existing := tenant.AddGroup(emulator.Group{DisplayName: "Support"})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tenant.providerConfig() + groupConfig("support", "SUPPORT", nil),
				ExpectError: regexp.MustCompile(`(?s)TeamViewer user group already exists.*terraform import teamviewer_user_group\.NAME ` + existing.ID),
			},
			{
				Config: tenant.providerConfig() + groupConfig("first", "Operations", nil) + groupConfig("second", "OPERATIONS", nil),
				ExpectError: regexp.MustCompile(
					`(?s)TeamViewer user group managed by another resource.*Another\s+teamviewer_user_group\s+resource\s+of\s+this\s+configuration`),
			},
			{Config: tenant.providerConfig()},
		},
		CheckDestroy: func(*terraform.State) error {
			if groups := tenant.Groups(); len(groups) != 1 || groups[0].ID != existing.ID {
				return fmt.Errorf("only the existing group should be left, the tenant holds %+v", groups)
			}
			if n := tenant.Count("POST", "/Groups"); n != 1 {
				return fmt.Errorf("want one POST (of Operations), got %d", n)
			}
			return nil
		},
	})
}

// A rename onto the name of another group is refused before it is sent.
func TestAccUserGroup_renameOntoAnotherGroup(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	other := tenant.AddGroup(emulator.Group{DisplayName: "Sales"})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: tenant.providerConfig() + groupConfig("support", "Support", nil)},
			{
				PreConfig:   tenant.ResetRequests,
				Config:      tenant.providerConfig() + groupConfig("support", "sales", nil),
				ExpectError: regexp.MustCompile(`(?s)TeamViewer user group name is taken.*` + other.ID),
			},
			{
				// A change of case only is a rename too.
				PreConfig: func() {
					if n := tenant.CountMethod("PATCH"); n != 0 {
						t.Errorf("the refused rename sent %d PATCHes", n)
					}
				},
				Config: tenant.providerConfig() + groupConfig("support", "SUPPORT", nil),
				Check:  expectTenantGroup(tenant, "SUPPORT"),
			},
		},
	})
}

// A member that is not a user of the company is an error that names members.
func TestAccUserGroup_memberThatIsNoUser(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tenant.providerConfig() + groupConfig("support", "Support", []string{" u1 "}),
				ExpectError: regexp.MustCompile(`(?s)members.*must\s+not\s+be\s+blank\s+or\s+begin\s+or\s+end\s+with\s+white\s+space`),
			},
			{
				Config: tenant.providerConfig() + groupConfig("support", "Support", []string{"u424242"}),
				ExpectError: regexp.MustCompile(
					`(?s)unable\s+to\s+add\s+its\s+members.*members.*every\s+member\s+must\s+be\s+the\s+id\s+of\s+a\s+user.*u424242`),
			},
			{Config: tenant.providerConfig()},
		},
		CheckDestroy: func(*terraform.State) error {
			if groups := tenant.Groups(); len(groups) != 0 {
				return fmt.Errorf("the tainted group should have been destroyed, the tenant holds %+v", groups)
			}
			return nil
		},
	})
}

// A create of 250 members is one POST and three PATCHes of at most 100 members.
func TestAccUserGroup_createChunksMembers(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ids := userIDs(tenant.AddUsers(250, "member%03d@example.com"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tenant.providerConfig() + groupConfig("support", "Support", ids),
			Check: resource.ComposeTestCheckFunc(
				expectTenantGroup(tenant, "Support", ids...),
				func(*terraform.State) error {
					var sizes []int
					var sent []string
					for _, ops := range tenant.groupPatches(t) {
						for _, op := range ops {
							if op.Op != "Add" || op.Path != "members" {
								return fmt.Errorf("unexpected operation %s", op)
							}
							sizes = append(sizes, len(op.Members))
							sent = append(sent, op.Members...)
						}
					}
					if !slices.Equal(sizes, []int{100, 100, 50}) {
						return fmt.Errorf("want PATCHes of 100, 100 and 50 members, got %v", sizes)
					}
					slices.Sort(sent)
					if want := slices.Sorted(slices.Values(ids)); !slices.Equal(sent, want) {
						return fmt.Errorf("the PATCHes carried %d members, not each of the 250 once", len(sent))
					}
					if n := tenant.Count("POST", "/Groups"); n != 1 {
						return fmt.Errorf("want one POST, got %d", n)
					}
					return nil
				},
			),
		}},
	})
}

// One more member of a 5,000-member group costs one PATCH carrying that one member, never the
// whole list. (It takes minutes of CPU, most of it in Terraform, which compares sets pair by pair;
// the provider's memberSetType keeps its own share linear where the framework lets it.)
func TestAccUserGroup_addOneToLargeGroup(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	const size = 5000
	ids := userIDs(tenant.AddUsers(size+1, "member%04d@example.com"))
	config := func(members []string) string {
		return tenant.providerConfig() + groupConfig("support", "Support", members)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config(ids[:size])},
			{
				PreConfig:        tenant.ResetRequests,
				Config:           config(ids),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(supportAddress, plancheck.ResourceActionUpdate)}},
				Check: resource.ComposeTestCheckFunc(
					expectGroupPatches(t, tenant, addOp(ids[size])),
					func(*terraform.State) error {
						if got := tenant.writes(); got["PATCH"] != 1 || got["POST"]+got["PUT"]+got["DELETE"] != 0 {
							return fmt.Errorf("want exactly one PATCH, writes: %v", got)
						}
						for _, r := range tenant.Requests() {
							if r.Method == "PATCH" && len(r.Body) > 300 {
								return fmt.Errorf("the PATCH carried %d bytes: %s", len(r.Body), r.Body)
							}
						}
						if g := tenant.GroupsByDisplayName("Support"); len(g) != 1 || len(g[0].Members) != size+1 {
							return fmt.Errorf("want one group of 5,001 members")
						}
						return nil
					},
				),
			},
		},
	})
}

// A group deleted outside Terraform leaves state, and the next apply creates it again.
func TestAccUserGroup_deletedOutOfBandIsRecreated(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	config := tenant.providerConfig() + groupConfig("support", "Support", []string{})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() { tenant.RemoveGroup(tenant.GroupsByDisplayName("Support")[0].ID) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(supportAddress, plancheck.ResourceActionCreate)},
				},
				Check: expectTenantGroup(tenant, "Support"),
			},
		},
	})
}

// The import ID is an id or a display name; one that is neither says so.
func TestAccUserGroup_importUnknownGroup(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	config := tenant.providerConfig() + groupConfig("support", "Support", nil)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:        config,
				ResourceName:  supportAddress,
				ImportState:   true,
				ImportStateId: "No Such Group",
				ExpectError:   regexp.MustCompile(`(?s)No\s+TeamViewer\s+user\s+group\s+of\s+this\s+company\s+has\s+the\s+id\s+or\s+display\s+name.*"No Such Group"`),
			},
		},
	})
}

// A POST /Groups whose answer is lost after TeamViewer created the group (a dropped connection, a
// gateway's 502) is found by a lookup instead of being sent again: one group, in state, and the
// next plan empty.
func TestAccUserGroup_lostCreateResponse(t *testing.T) {
	for name, faults := range map[string]emulator.Faults{
		"connection dropped": {DropAfterWrite: 1},
		"502 after commit":   {CommitThenBadGateway: 1},
	} {
		t.Run(name, func(t *testing.T) {
			tenant := newTestTenant(t, emulator.Options{})
			config := tenant.providerConfig() + groupConfig("support", "Support", nil)

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{
						PreConfig: func() { tenant.SetFaults(faults) },
						Config:    config,
						Check: resource.ComposeTestCheckFunc(
							expectTenantGroup(tenant, "Support"),
							func(*terraform.State) error {
								if n := tenant.Count("POST", "/Groups"); n != 1 {
									return fmt.Errorf("want the one POST, whose answer was lost; got %d", n)
								}
								for _, r := range tenant.Requests() {
									if r.Method == "POST" && r.Fault == "" {
										return fmt.Errorf("the POST was not faulted; the test proves nothing")
									}
								}
								return nil
							},
						),
					},
					{
						PreConfig:        func() { tenant.SetFaults(emulator.Faults{}) },
						Config:           config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
				},
			})
		})
	}
}

// Groups with members converge in one apply while writes lose their answers after TeamViewer
// acted (502, dropped connections) and requests are refused (429, 503): each group exists once
// with its members, the next plan is empty, and destroy deletes exactly them, a retried DELETE
// meeting a 404 included.
func TestAccUserGroup_convergesUnderFaults(t *testing.T) {
	for name, faults := range map[string]emulator.Faults{
		"502 after commit":   {CommitThenBadGateway: 0.3},
		"connection dropped": {DropAfterWrite: 0.3},
		"mixed":              {RateLimited: 0.1, Unavailable: 0.1, DropAfterWrite: 0.1, CommitThenBadGateway: 0.1},
	} {
		t.Run(name, func(t *testing.T) {
			testGroupConvergence(t, faults)
		})
	}
}

func testGroupConvergence(t *testing.T, faults emulator.Faults) {
	const count, users = 24, 10
	tenant := newTestTenant(t, emulator.Options{Seed: 20261202})
	ids := userIDs(tenant.AddUsers(users, "member%02d@example.com"))
	bystander := tenant.AddGroup(emulator.Group{DisplayName: "Bystander", Members: ids[:1]})
	// count rather than for_each: terraform-plugin-testing's state shim cannot index by string keys.
	config := tenant.providerConfig() + fmt.Sprintf(`
locals {
  users = %s
}

resource "teamviewer_user_group" "managed" {
  count = %d

  display_name = format("Managed Group %%02d", count.index)
  members      = [for i in range(3) : local.users[(count.index + i) %% length(local.users)]]
}
`, hclList(ids), count)

	expectGroups := func() error {
		for i := range count {
			want := []string{ids[i%users], ids[(i+1)%users], ids[(i+2)%users]}
			if err := expectTenantGroup(tenant, fmt.Sprintf("Managed Group %02d", i), want...)(nil); err != nil {
				return err
			}
		}
		if n := len(tenant.Groups()); n != count+1 {
			return fmt.Errorf("want %d groups and the bystander, the tenant holds %d", count, n)
		}
		return nil
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { tenant.SetFaults(faults) },
				Config:    config,
				Check: func(*terraform.State) error {
					faulted := 0
					for _, r := range tenant.Requests() {
						if r.Fault != "" {
							faulted++
						}
						if r.Method == "POST" && r.Status == 409 {
							return fmt.Errorf("a create was sent again for a group that existed: %s", r.Body)
						}
					}
					if faulted < count/4 {
						return fmt.Errorf("only %d requests were faulted; the test proves nothing", faulted)
					}
					return expectGroups()
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			groups := tenant.Groups()
			if len(groups) != 1 || groups[0].ID != bystander.ID || !slices.Equal(groups[0].Members, bystander.Members) {
				return fmt.Errorf("destroy should leave only the bystander as it was, the tenant holds %+v", groups)
			}
			return nil
		},
	})
}
