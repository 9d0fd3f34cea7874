package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// A GitOps pipeline against a rate-limited, flaky API converges in one run: 200 users at
// Terraform's default parallelism of 10, with 30% of requests failing in mixed ways (429 with and
// without Retry-After, 503) and a further share of writes whose response is lost after TeamViewer
// acted. No duplicate, nothing orphaned, the next plan empty, and destroy deactivates exactly them.
// Nothing that the emulator refuses as a duplicate is ever sent: every create TeamViewer carried
// out is found by the lookup before a resend.
func TestAccUser_convergesUnderFaults(t *testing.T) {
	const count = 200
	testConvergence(t, convergence{
		count:  count,
		faults: emulator.Faults{RateLimited: 0.10, RateLimitedNoRetryAfter: 0.10, Unavailable: 0.10, DropAfterWrite: 0.10},
		check: func(tenant *testTenant) error {
			created := 0
			for _, r := range tenant.Requests() {
				switch {
				case r.Method == "POST" && r.Status == 201:
					created++
				case r.Method == "POST" && r.Status == 409:
					// The emulator refuses duplicates, so a blind resend shows as a conflict.
					return fmt.Errorf("a create was sent again for a user that existed: %s", r.Body)
				}
			}
			if created != count {
				return fmt.Errorf("%d creates succeeded for %d users", created, count)
			}
			return nil
		},
	})
}

// How slow SaaS APIs fail: a gateway answers 502 after the backend created the user, or 504 at once
// while the create lands a moment later (so a resent POST can meet it as a duplicate of itself), or
// a token bucket refuses what goes beyond 20 requests a second. Each converges in one apply with
// every user created once and in state, none orphaned and none refused as "already exists".
func TestAccUser_convergesWhenTeamViewerIsSlow(t *testing.T) {
	t.Run("502 after the commit", func(t *testing.T) {
		testConvergence(t, convergence{count: 24, faults: emulator.Faults{CommitThenBadGateway: 0.3}})
	})
	t.Run("504 then a late commit", func(t *testing.T) {
		testConvergence(t, convergence{count: 24, faults: emulator.Faults{GatewayTimeoutThenCommit: 0.5}})
	})
	// Ten requests a second with a bucket of one: Terraform starts ten creates at once, so most of
	// them meet the limit however slow the machine is.
	t.Run("token-bucket rate limit", func(t *testing.T) {
		testConvergence(t, convergence{count: 24, rateLimit: emulator.RateLimit{PerSecond: 10, Burst: 1}})
	})
}

// convergence is an apply of count users against a tenant that fails in the given ways.
type convergence struct {
	count     int
	faults    emulator.Faults
	rateLimit emulator.RateLimit
	// check, when set, adds checks of the emulator's requests after the apply.
	check func(*testTenant) error
}

// testConvergence applies c.count users while the tenant fails as c says, and checks that the
// apply converged: each user exists once with its configured values, bystanders are untouched,
// enough requests were faulted for the test to prove something, the next plan is empty, and
// destroy deactivates exactly the managed users.
func testConvergence(t *testing.T, c convergence) {
	tenant := newTestTenant(t, emulator.Options{Seed: 20261127})
	bystanders := tenant.AddUsers(5, "bystander-%d@example.com")
	// count rather than for_each: terraform-plugin-testing's state shim cannot index by string keys.
	config := tenant.providerConfig() + fmt.Sprintf(`
resource "teamviewer_user" "managed" {
  count = %d

  user_name    = format("managed-%%03d@example.com", count.index)
  display_name = format("Managed User %%03d", count.index)
}
`, c.count)

	expectTenant := func(active bool) error {
		// A create that TeamViewer finishes after its gateway gave up must have landed by now.
		if err := tenant.AwaitLateCommits(t.Context()); err != nil {
			return err
		}
		managed := 0
		for _, user := range tenant.Users() {
			var i int
			if _, err := fmt.Sscanf(user.UserName, "managed-%03d@example.com", &i); err != nil {
				continue
			}
			managed++
			if want := fmt.Sprintf("Managed User %03d", i); user.DisplayName != want || user.Active != active {
				return fmt.Errorf("user %s is %q active=%t, want %q active=%t", user.ID, user.DisplayName, user.Active, want, active)
			}
			if n := len(tenant.UsersByUserName(user.UserName)); n != 1 {
				return fmt.Errorf("%d users named %s", n, user.UserName)
			}
		}
		if managed != c.count {
			return fmt.Errorf("want %d managed users, the tenant holds %d", c.count, managed)
		}
		for _, b := range bystanders {
			if now, _ := tenant.User(b.ID); now != b {
				return fmt.Errorf("bystander %s was touched: %+v", b.ID, now)
			}
		}
		return nil
	}
	expectFaulted := func() error {
		faulted := 0
		for _, r := range tenant.Requests() {
			if r.Fault != "" {
				faulted++
			}
		}
		if faulted < max(2, c.count/10) {
			return fmt.Errorf("only %d requests were faulted; the test proves nothing", faulted)
		}
		if c.check != nil {
			return c.check(tenant)
		}
		return nil
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					tenant.SetFaults(c.faults)
					tenant.SetRateLimit(c.rateLimit)
				},
				Config: config,
				Check: func(*terraform.State) error {
					if err := expectFaulted(); err != nil {
						return err
					}
					return expectTenant(true)
				},
			},
			{
				// The bucket proved its point in the apply; without it, the destroy.s
				// deactivations stay within the retry budget on a slow machine too.
				PreConfig: func() { tenant.SetRateLimit(emulator.RateLimit{}) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := tenant.CountMethod("DELETE"); n != 0 {
				return fmt.Errorf("%d DELETE requests", n)
			}
			return expectTenant(false)
		},
	})
}

// A token without the user-management permissions is reported with the permissions it needs.
func TestAccProvider_forbiddenTokenNamesPermissions(t *testing.T) {
	const readOnlyToken = "tv-read-only-token"
	tenant := newTestTenant(t, emulator.Options{ReadOnlyToken: readOnlyToken})
	config := providerBlock(fmt.Sprintf("tenant_url = %q", tenant.URL), fmt.Sprintf("token = %q", readOnlyToken))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config + userConfig("jane", "jane@example.com", "Jane Doe"),
				ExpectError: regexp.MustCompile(`(?s)HTTP\s+403.*invalid_permission.*View\s+users,\s+Create\s+users\s+and\s+Edit\s+users`),
			},
			{Config: config},
		},
	})
}

// A rate limit that outlasts the retries says how to stay under it.
func TestAccProvider_rateLimitAfterRetries(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	tenant.SetFaults(emulator.Faults{RateLimited: 1, RetryAfter: time.Second})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tenant.providerConfig("max_retries = 1") + userConfig("jane", "jane@example.com", "Jane Doe"),
				ExpectError: regexp.MustCompile(`(?s)HTTP\s+429.*rate_limit_reached.*after\s+2\s+attempts.*-parallelism.*max_requests_per_second`),
			},
			{
				PreConfig: func() { tenant.SetFaults(emulator.Faults{}) },
				Config:    tenant.providerConfig(),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := tenant.CountMethod("POST"); n != 2 {
				return fmt.Errorf("want the first POST and one retry, got %d POSTs", n)
			}
			return nil
		},
	})
}

// After a create whose outcome is unknown (a 503 from a gateway), the client finds a user by the
// planned name. If that user was not created from this plan, it existed before, and the usual rules
// apply: a deactivated one is adopted, an active one is never taken over.
func TestAccUser_lostCreateResponseFollowsAdoptionRules(t *testing.T) {
	t.Run("deactivated user is adopted", func(t *testing.T) {
		tenant := newTestTenant(t, emulator.Options{})
		left := tenant.AddUser(emulator.User{UserName: "left@example.com", DisplayName: "Left Earlier", Active: false})
		tenant.unavailablePOSTs.Store(1)

		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProviders,
			Steps: []resource.TestStep{{
				Config:            tenant.providerConfig() + userConfig("back", "left@example.com", "Back Again"),
				ConfigStateChecks: expectActiveUser("teamviewer_user.back", "left@example.com", "Back Again"),
				Check: func(*terraform.State) error {
					if user, _ := tenant.User(left.ID); !user.Active || user.DisplayName != "Back Again" || len(tenant.Users()) != 1 {
						return fmt.Errorf("want %s adopted in place, tenant holds %+v", left.ID, tenant.Users())
					}
					return nil
				},
			}},
		})
	})
	t.Run("active user is not taken over", func(t *testing.T) {
		tenant := newTestTenant(t, emulator.Options{})
		taken := tenant.AddUser(emulator.User{UserName: "taken@example.com", DisplayName: "Someone Else", Active: true})
		tenant.unavailablePOSTs.Store(1)

		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProviders,
			Steps: []resource.TestStep{
				{
					Config:      tenant.providerConfig() + userConfig("taken", "taken@example.com", "Mine Now"),
					ExpectError: regexp.MustCompile(`terraform import teamviewer_user\.NAME ` + taken.ID),
				},
				{Config: tenant.providerConfig()},
			},
			CheckDestroy: func(*terraform.State) error {
				if user, _ := tenant.User(taken.ID); user != taken || len(tenant.Users()) != 1 {
					return fmt.Errorf("the active user must be left alone, tenant holds %+v", tenant.Users())
				}
				return nil
			},
		})
	})
}

// Two resources of one configuration that name the same deactivated user (in another case) cannot
// both adopt it: adoptions of one user name are serialised and decided on a fresh read, so the
// second finds the user active, and its error says that another resource manages it instead of
// suggesting an import. Nothing is left half-changed: one user, adopted once.
func TestAccUser_twoResourcesNamingOneDeactivatedUser(t *testing.T) {
	tenant := newTestTenant(t, emulator.Options{})
	left := tenant.AddUser(emulator.User{UserName: "left@example.com", DisplayName: "Left Earlier", Active: false})
	config := tenant.providerConfig() +
		userConfig("first", "left@example.com", "Back Again") +
		userConfig("second", "LEFT@example.com", "Back Again")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)TeamViewer user managed by another resource.*` + left.ID + `.*remove\s+one\s+of\s+the\s+two\s+resources`),
			},
			{Config: tenant.providerConfig()},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := len(tenant.Users()); n != 1 {
				return fmt.Errorf("want the one user, the tenant holds %+v", tenant.Users())
			}
			if n := tenant.CountMethod("PATCH"); n != 2 {
				return fmt.Errorf("want one adoption and one deactivation by destroy, the emulator saw %d PATCHes", n)
			}
			if n := tenant.CountMethod("POST"); n > 2 {
				return fmt.Errorf("want at most one POST per resource, the emulator saw %d", n)
			}
			return nil
		},
	})
}

// An API that stops answering fails the run fast, with one clear error naming tenant_url: once
// one read has spent its retries without any answer, the other reads fail at once and those
// already retrying stop, instead of every read of a 50-user plan spending its own retries.
func TestAccUser_unreachableAPIFailsFast(t *testing.T) {
	const count, maxRetries, parallelism = 50, 2, 10
	tenant := newTestTenant(t, emulator.Options{})
	config := tenant.providerConfig(fmt.Sprintf("max_retries = %d", maxRetries), "bulk_refresh = false") + fmt.Sprintf(`
resource "teamviewer_user" "many" {
  count = %d

  user_name    = format("many-%%02d@example.com", count.index)
  display_name = format("Many User %%02d", count.index)
}
`, count)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:   func() { tenant.unreachable.Store(true) },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)could\s+not\s+be\s+reached.*tenant_url`),
			},
			{
				PreConfig: func() {
					// At most the reads in flight when the first gave up spent their retries; without
					// the breaker every read would, count × (maxRetries + 1) requests.
					if hits, limit := tenant.unreachableHits.Load(), int32(parallelism*(maxRetries+1)); hits > limit {
						t.Errorf("the dead API saw %d requests, want at most %d", hits, limit)
					}
					tenant.unreachable.Store(false)
				},
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
