package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// exampleFile reads a file of examples/, by its path below examples/.
func exampleFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// exampleConfig returns the main.tf of an example directory pointed at tenant, as guideExample does
// for the onboarding guide: its terraform block goes (the test harness installs the provider) and
// its empty provider block gets the tenant's settings.
func exampleConfig(t *testing.T, tenant *testTenant, dir string) string {
	t.Helper()
	config := regexp.MustCompile(`(?s)^terraform \{.*?\n\}\n`).ReplaceAllString(exampleFile(t, dir+"/main.tf"), "")
	if !strings.Contains(config, "provider \"teamviewer\" {}\n") {
		t.Fatalf("the %s example has no empty provider block to point at the emulator", dir)
	}
	return strings.Replace(config, "provider \"teamviewer\" {}\n", tenant.providerConfig(), 1)
}

// withFileContents replaces the example's file("${path.module}/<name>") by a heredoc of contents:
// the test harness runs the configuration in a directory of its own, without the example's files.
func withFileContents(t *testing.T, config, name, contents string) string {
	t.Helper()
	call := `file("${path.module}/` + name + `")`
	if !strings.Contains(config, call) {
		t.Fatalf("the example does not read %s with %s", name, call)
	}
	// Inside a heredoc, ${ and %{ start templates; doubled, they are literal.
	literal := strings.NewReplacer("${", "$${", "%{", "%%{").Replace(contents)
	return strings.Replace(config, call, "<<EOT\n"+literal+"EOT\n", 1)
}

// usersFile is a users file of an example, split into what comes before the users and one record
// per user, so that a test can reorder, remove and edit users the way a person edits the file.
type usersFile struct {
	head    string
	records []string
}

// splitUsersFile splits contents at each line that starts a record: every line but the header of
// the CSV example, each "  - email:" of the YAML example.
func splitUsersFile(t *testing.T, contents string, startsRecord func(line string) bool) usersFile {
	t.Helper()
	var f usersFile
	for _, line := range strings.SplitAfter(contents, "\n") {
		switch {
		case line == "":
		case startsRecord(line):
			f.records = append(f.records, line)
		case len(f.records) == 0:
			f.head += line
		default:
			f.records[len(f.records)-1] += line
		}
	}
	if len(f.records) < 3 {
		t.Fatalf("the users file has %d records, want at least 3 to reorder and remove:\n%s", len(f.records), contents)
	}
	return f
}

func (f usersFile) String() string { return f.head + strings.Join(f.records, "") }

// reversed lists the users in the opposite order.
func (f usersFile) reversed() usersFile {
	f.records = slices.Clone(f.records)
	slices.Reverse(f.records)
	return f
}

// without drops the record of the user with this email address.
func (f usersFile) without(t *testing.T, email string) usersFile {
	t.Helper()
	kept := slices.DeleteFunc(slices.Clone(f.records), func(r string) bool { return strings.Contains(r, email) })
	if len(kept) != len(f.records)-1 {
		t.Fatalf("want exactly one record of %s in the users file", email)
	}
	f.records = kept
	return f
}

// replaced replaces from, which must occur once, by to.
func (f usersFile) replaced(t *testing.T, from, to string) usersFile {
	t.Helper()
	if n := strings.Count(f.String(), from); n != 1 {
		t.Fatalf("want %q once in the users file, found it %d times", from, n)
	}
	f.records = slices.Clone(f.records)
	for i, r := range f.records {
		f.records[i] = strings.Replace(r, from, to, 1)
	}
	return f
}

// stateCheckFunc turns a function into a state check: here, checks of what the emulator saw,
// which terraform-plugin-testing's legacy Check functions cannot run once for_each resources are in
// state.
type stateCheckFunc func() error

func (f stateCheckFunc) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

// expectWrites checks the requests that changed the tenant since its requests were last reset.
func expectWrites(tenant *testTenant, post, patch int, why string) statecheck.StateCheck {
	return stateCheckFunc(func() error {
		want := map[string]int{"POST": post, "PUT": 0, "PATCH": patch, "DELETE": 0}
		if got := tenant.writes(); fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("%s: want writes %v, the emulator saw %v", why, want, got)
		}
		return nil
	})
}

// expectUser checks the one user of the tenant with this user name.
func expectUser(tenant *testTenant, userName, displayName string, active bool) statecheck.StateCheck {
	return stateCheckFunc(func() error {
		users := tenant.UsersByUserName(userName)
		if len(users) != 1 {
			return fmt.Errorf("want one user %s in the emulator, found %d", userName, len(users))
		}
		if u := users[0]; u.DisplayName != displayName || u.Active != active {
			return fmt.Errorf("user %s is %q, active %t; want %q, active %t", userName, u.DisplayName, u.Active, displayName, active)
		}
		return nil
	})
}

// usersFromFileCase is one of the examples/users-from-file configurations and the edits the test
// makes to its file.
type usersFromFileCase struct {
	dir, file    string
	startsRecord func(line string) bool
	// recase writes one user's address in another case, which must change nothing.
	recase [2]string
}

// The examples that manage users from a CSV or YAML file, applied as they are: the file creates
// its users; reordering it, and writing an address in another case, changes nothing; removing a
// row deactivates exactly that user; changing a name is one PATCH.
func TestAccUsersFromFile_csv(t *testing.T) {
	testUsersFromFile(t, usersFromFileCase{
		dir:          "users-from-file/csv",
		file:         "users.csv",
		startsRecord: func(line string) bool { return !strings.HasPrefix(line, "email,") },
		recase:       [2]string{"grace.hopper@example.com", "Grace.Hopper@Example.com"},
	})
}

func TestAccUsersFromFile_yaml(t *testing.T) {
	testUsersFromFile(t, usersFromFileCase{
		dir:          "users-from-file/yaml",
		file:         "users.yaml",
		startsRecord: func(line string) bool { return strings.HasPrefix(line, "  - ") },
		recase:       [2]string{"email: grace.hopper@example.com", "email: Grace.Hopper@Example.com"},
	})
}

func testUsersFromFile(t *testing.T, c usersFromFileCase) {
	const (
		leaver  = "katherine.johnson@example.com"
		renamed = "alan.turing@example.com"
	)
	tenant := newTestTenant(t, emulator.Options{})
	example := exampleConfig(t, tenant, c.dir)
	original := splitUsersFile(t, exampleFile(t, c.dir+"/"+c.file), c.startsRecord)
	config := func(f usersFile) string { return withFileContents(t, example, c.file, f.String()) }
	address := func(email string) string { return fmt.Sprintf("teamviewer_user.from_file[%q]", email) }
	n := len(original.records)

	reordered := original.reversed().replaced(t, c.recase[0], c.recase[1])
	withoutLeaver := reordered.without(t, leaver)
	renamedToo := withoutLeaver.replaced(t, "Alan Turing", "Alan Mathison Turing")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config(original),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address(leaver), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(address("grace.hopper@example.com"), plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectWrites(tenant, n, 0, "creating the users of the file"),
					expectUser(tenant, leaver, "Katherine Johnson", true),
					expectUser(tenant, renamed, "Alan Turing", true),
				},
			},
			{
				PreConfig: tenant.ResetRequests,
				Config:    config(reordered),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expectWrites(tenant, 0, 0, "reordering the file")},
			},
			{
				PreConfig: tenant.ResetRequests,
				Config:    config(withoutLeaver),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address(leaver), plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(address(renamed), plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectWrites(tenant, 0, 1, "removing a row"),
					expectUser(tenant, leaver, "Katherine Johnson", false),
					expectUser(tenant, renamed, "Alan Turing", true),
				},
			},
			{
				PreConfig: tenant.ResetRequests,
				Config:    config(renamedToo),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address(renamed), plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectWrites(tenant, 0, 1, "changing a name"),
					expectUser(tenant, renamed, "Alan Mathison Turing", true),
				},
			},
			// terraform-plugin-testing reads the final state through a shim that cannot index
			// resources by string keys, so the last step leaves none: removing them deactivates
			// them, as destroy would.
			{Config: tenant.providerConfig()},
		},
		CheckDestroy: func(*terraform.State) error {
			users := tenant.Users()
			if len(users) != n {
				return fmt.Errorf("want the file's %d users in TeamViewer, found %d", n, len(users))
			}
			for _, u := range users {
				if u.Active {
					return fmt.Errorf("user %s is still active after its resource was removed", u.UserName)
				}
			}
			if deletes := tenant.CountMethod("DELETE"); deletes != 0 {
				return fmt.Errorf("the emulator saw %d DELETEs; TeamViewer cannot delete users", deletes)
			}
			return nil
		},
	})
}
