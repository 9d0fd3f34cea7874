package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

func memberConfig(name, groupID, userID string) string {
	return fmt.Sprintf(`
resource "teamviewer_user_group_member" %[1]q {
  group_id = %[2]q
  user_id  = %[3]q
}
`, name, groupID, userID)
}

// groupReads counts the reads of groups: single GETs, counts and listings.
func (tt *testTenant) groupReads() int {
	return tt.Count("GET", "/Groups/{id}") + tt.Count("GET", "/Groups")
}

// The life of memberships: each create is one PATCH adding one member, other members are left
// alone, import by GROUP_ID/USER_ID, a membership removed behind Terraform's back leaves state and
// is added again, and destroy removes only the managed members.
func TestAccUserGroupMember_lifecycle(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ids := userIDs(tenant.AddUsers(3, "member%d@example.com"))
	bystander, jane, max := ids[0], ids[1], ids[2]
	group := tenant.AddGroup(emulator.Group{DisplayName: "Shared", Members: []string{bystander}})
	config := tenant.providerConfig() + memberConfig("jane", group.ID, jane) + memberConfig("max", group.ID, max)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("teamviewer_user_group_member.jane", tfjsonpath.New("id"), knownvalue.StringExact(group.ID+"/"+jane)),
				},
				Check: resource.ComposeTestCheckFunc(
					expectTenantGroup(tenant, "Shared", bystander, jane, max),
					func(*terraform.State) error {
						var got []string
						for _, ops := range tenant.groupPatches(t) {
							for _, op := range ops {
								got = append(got, op.String())
							}
						}
						slices.Sort(got)
						if want := []string{addOp(jane), addOp(max)}; !slices.Equal(got, want) {
							return fmt.Errorf("want one PATCH per membership %q, got %q", want, got)
						}
						return nil
					},
				),
			},
			{
				PreConfig:        tenant.ResetRequests,
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            expectNoWrites(tenant),
			},
			{
				ResourceName:      "teamviewer_user_group_member.jane",
				ImportState:       true,
				ImportStateId:     group.ID + "/" + jane,
				ImportStateVerify: true,
			},
			{
				ResourceName:  "teamviewer_user_group_member.jane",
				ImportState:   true,
				ImportStateId: group.ID + "/" + bystander + "x",
				ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
			},
			{
				ResourceName:  "teamviewer_user_group_member.jane",
				ImportState:   true,
				ImportStateId: jane,
				ExpectError:   regexp.MustCompile(`(?s)is\s+not\s+GROUP_ID/USER_ID`),
			},
			{
				PreConfig: func() {
					tenant.UpdateGroup(group.ID, func(g *emulator.Group) {
						g.Members = slices.DeleteFunc(g.Members, func(id string) bool { return id == jane })
					})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("teamviewer_user_group_member.jane", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("teamviewer_user_group_member.max", plancheck.ResourceActionNoop),
					},
				},
				Check: expectTenantGroup(tenant, "Shared", bystander, jane, max),
			},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(
			expectTenantGroup(tenant, "Shared", bystander),
			func(*terraform.State) error {
				if n := tenant.Count("DELETE", "/Groups/{id}"); n != 0 {
					return fmt.Errorf("removing memberships must not delete the group; %d DELETEs", n)
				}
				return nil
			},
		),
	})
}

// Five hundred memberships of one group are refreshed from a few reads of it, not five hundred.
func TestAccUserGroupMember_manyMembershipsShareOneRead(t *testing.T) {
	const count = 500
	tenant := newTestTenant(t, emulator.Options{})
	users := userIDs(tenant.AddUsers(count, "member%03d@example.com"))
	group := tenant.AddGroup(emulator.Group{DisplayName: "Everyone"})
	config := tenant.providerConfig() + fmt.Sprintf(`
locals {
  users = %s
}

resource "teamviewer_user_group_member" "everyone" {
  count = %d

  group_id = %q
  user_id  = local.users[count.index]
}
`, hclList(users), count, group.ID)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  expectTenantGroup(tenant, "Everyone", users...),
			},
			{
				// One refresh: a single read of the group, then, as more reads queue, at most the
				// count of groups and one listing that serves the rest.
				PreConfig:    tenant.ResetRequests,
				RefreshState: true,
				Check: func(*terraform.State) error {
					if n := tenant.groupReads(); n > 3 {
						return fmt.Errorf("a refresh of %d memberships read the group %d times (single: %d, listings and counts: %d)",
							count, n, tenant.Count("GET", "/Groups/{id}"), tenant.Count("GET", "/Groups"))
					}
					if n := tenant.Count("GET", "/Groups/{id}"); n > 1 {
						return fmt.Errorf("the group was read on its own %d times", n)
					}
					return nil
				},
			},
			{
				// The last step has no for_each or count resources, for the test framework's state shim.
				Config: tenant.providerConfig(),
				Check:  expectTenantGroup(tenant, "Everyone"),
			},
		},
	})
}

// A membership of a group deleted behind Terraform's back leaves state; adding it again names the
// attribute at fault.
func TestAccUserGroupMember_groupDeletedOutOfBand(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	jane := tenant.AddUser(emulator.User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true})
	group := tenant.AddGroup(emulator.Group{DisplayName: "Shared"})
	config := tenant.providerConfig() + memberConfig("jane", group.ID, jane.ID)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:   func() { tenant.RemoveGroup(group.ID) },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)group_id.*No\s+TeamViewer\s+user\s+group\s+of\s+this\s+company\s+has\s+this\s+id`),
			},
			{
				Config:      tenant.providerConfig() + memberConfig("ghost", tenant.AddGroup(emulator.Group{DisplayName: "Other"}).ID, "u424242"),
				ExpectError: regexp.MustCompile(`(?s)user_id.*user_id\s+must\s+be\s+the\s+id\s+of\s+a\s+user`),
			},
			{Config: tenant.providerConfig()},
		},
	})
}

// warningSink keeps the warnings that the provider's plans return, so that a test can see what
// the CLI would show.
type warningSink struct {
	mu       sync.Mutex
	warnings []string // "resource type: summary: detail"
}

// take returns the warnings recorded since the last take.
func (w *warningSink) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	taken := w.warnings
	w.warnings = nil
	return taken
}

// factories serves the provider, recording the warnings of its plans in w.
func (w *warningSink) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"teamviewer": func() (tfprotov6.ProviderServer, error) {
			server, err := providerserver.NewProtocol6WithError(New("test")())()
			return warningRecorder{ProviderServer: server, sink: w}, err
		},
	}
}

// warningRecorder is one provider server whose plans' warnings go to sink.
type warningRecorder struct {
	tfprotov6.ProviderServer
	sink *warningSink
}

func (r warningRecorder) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := r.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		r.sink.mu.Lock()
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityWarning {
				r.sink.warnings = append(r.sink.warnings, req.TypeName+": "+d.Summary+": "+d.Detail)
			}
		}
		r.sink.mu.Unlock()
	}
	return resp, err
}

// A plan that sets a group's members and adds to the same group with teamviewer_user_group_member
// warns, once per group, whichever resource Terraform plans first; a plan that does only one of
// the two does not.
func TestAccUserGroupMember_warnsWhenMixedWithMembers(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	ids := userIDs(tenant.AddUsers(3, "member%d@example.com"))
	owned := tenant.AddGroup(emulator.Group{DisplayName: "Owned"})
	additive := tenant.AddGroup(emulator.Group{DisplayName: "Additive"})
	warnings := &warningSink{}
	importOwned := fmt.Sprintf(`
import {
  to = teamviewer_user_group.owned
  id = %q
}
`, owned.ID)
	ownedGroup := groupConfig("owned", "Owned", []string{ids[0]})
	// The memberships name the groups by literal id, so that Terraform may plan them before or
	// after the group resource.
	mixed := tenant.providerConfig() + importOwned + ownedGroup +
		memberConfig("extra", owned.ID, ids[1]) + memberConfig("extra_too", owned.ID, ids[2]) +
		memberConfig("fine", additive.ID, ids[1])
	// expectWarnings checks the warnings of the step before: each about the owned group, some of
	// them when mixed, none when not. Every walk that plans (plan, apply, the plan after it) warns.
	expectWarnings := func(mixed bool) func() {
		return func() {
			var about []string
			for _, w := range warnings.take() {
				if regexp.MustCompile(`membership managed two ways`).MatchString(w) {
					about = append(about, w)
				}
			}
			for _, w := range about {
				if !regexp.MustCompile(`user group ` + owned.ID + ` has`).MatchString(w) {
					t.Errorf("a warning about another group than %s: %s", owned.ID, w)
				}
			}
			if mixed != (len(about) > 0) {
				t.Errorf("mixed=%t, but the plans warned %d times: %q", mixed, len(about), about)
			}
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: warnings.factories(),
		Steps: []resource.TestStep{
			{
				Config:             mixed,
				ExpectNonEmptyPlan: true, // the two kinds of resource undo each other
			},
			{
				PreConfig: expectWarnings(true),
				Config: tenant.providerConfig() + importOwned + ownedGroup +
					memberConfig("fine", additive.ID, ids[1]),
			},
			{
				PreConfig: expectWarnings(false),
				Config:    tenant.providerConfig(),
			},
		},
	})
}

// Whichever of the two resources plans first, the second sees the first, and a group is warned
// about once per plan.
func TestMembershipPlans(t *testing.T) {
	p := membershipPlansOf(newTestGroups())
	for range 2 {
		if p.noteAdditive("g1") {
			t.Error("memberships alone must not warn")
		}
	}
	if !p.noteAuthoritative("g1") {
		t.Error("a group resource with members after a membership must warn")
	}
	if p.noteAdditive("g1") || p.noteAuthoritative("g1") {
		t.Error("a group is warned about once")
	}
	if p.noteAuthoritative("g2") || !p.noteAdditive("g2") {
		t.Error("a membership after a group resource with members must warn")
	}
	if p.noteAuthoritative("g3") || p.noteAdditive("g4") {
		t.Error("different groups must not warn")
	}
	if other := membershipPlansOf(newTestGroups()); other == p || other.noteAuthoritative("g1") {
		t.Error("each provider instance has its own plans")
	}
}

// newTestGroups is a scim.Groups that is never asked anything.
func newTestGroups() *scim.Groups {
	client, err := scim.New(scim.Config{BaseURL: "http://127.0.0.1:1" + emulator.BasePath, Token: testToken, MaxRetries: 1})
	if err != nil {
		panic(err)
	}
	return scim.NewGroups(client, scim.DirectoryOptions{})
}
