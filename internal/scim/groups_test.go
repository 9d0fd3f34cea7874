package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// refreshParallelism is how many operations Terraform runs at once by
// default.
const refreshParallelism = 10

// A create sends what Entra ID sends: the group without members, then the
// members in "Add" PATCHes of at most 100 each, which an emulator capped at
// 100 accepts; the group returned has every member, and the run reads it
// back without a request.
func TestGroupsCreate(t *testing.T) {
	company := newGroupCompany(t, 250, groupCompanyOptions{emulator: emulator.Options{MaxMembersPerRequest: 100}})
	gs := company.newGroups()
	members := company.userIDs(250)
	res, err := gs.Create(t.Context(), NewGroup{DisplayName: "Sales", Members: members})
	if err != nil || res.Outcome != Created {
		t.Fatalf("got %+v, %v; want Created", res.Outcome, err)
	}
	stored := company.onlyGroup(t, "Sales")
	if res.Group.ID != stored.ID || res.Group.DisplayName != "Sales" || !res.Group.MembersKnown ||
		!sameMembers(res.Group.Members, members) || !sameMembers(stored.Members, members) {
		t.Errorf("got %s %q with %d members (known %v), the emulator has %d; want all %d",
			res.Group.ID, res.Group.DisplayName, len(res.Group.Members), res.Group.MembersKnown, len(stored.Members), len(members))
	}

	posts := company.records(kindGroupPost)
	if len(posts) != 1 {
		t.Fatalf("%d POSTs, want 1", len(posts))
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(posts[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(body)); !slices.Equal(got, []string{"displayName", "members", "schemas"}) ||
		string(body["schemas"]) != `["urn:ietf:params:scim:schemas:core:2.0:Group"]` ||
		string(body["displayName"]) != `"Sales"` || string(body["members"]) != `[]` {
		t.Errorf("POST body %s, want Entra ID's: the Group schema, the displayName and members []", posts[0].Body)
	}

	ops, values := company.memberOps(t)
	var sizes []int
	var sent []string
	for i, op := range ops {
		if op != "Add" {
			t.Errorf("PATCH %d has op %q, want Add as Entra ID sends it", i+1, op)
		}
		sizes = append(sizes, len(values[i]))
		sent = append(sent, values[i]...)
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) || !slices.Equal(sent, members) {
		t.Errorf("PATCHes carried %v members (%d in all), want 100, 100, 50 carrying each member once", sizes, len(sent))
	}
	for _, r := range company.records(kindGroupPatch) {
		if r.Status != http.StatusOK {
			t.Errorf("the emulator answered a PATCH %d", r.Status)
		}
	}
	t.Logf("create with 250 members: %d requests %s", company.TotalRequests(), company.summary())

	before := company.TotalRequests()
	got, err := gs.Get(t.Context(), stored.ID)
	if err != nil || !sameMembers(got.Members, members) || company.TotalRequests() != before {
		t.Errorf("read back: %d members, %v, requests %s; want all members without a request", len(got.Members), err, company.summary())
	}
}

// Members are sent at most 100 to a request whatever the change, so that
// the emulator's cap of 100 never refuses one: adding 250 and removing 350
// at once cost 3 and 4 PATCHes.
func TestGroupsMemberCapNeverExceeded(t *testing.T) {
	company := newGroupCompany(t, 600, groupCompanyOptions{emulator: emulator.Options{MaxMembersPerRequest: 100}})
	g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(200)})
	gs := company.newGroups()
	added := company.userIDs(450)[200:]
	if _, err := gs.AddMembers(t.Context(), g.ID, added); err != nil {
		t.Fatal(err)
	}
	removed := company.userIDs(350)
	got, err := gs.RemoveMembers(t.Context(), g.ID, removed)
	if err != nil {
		t.Fatal(err)
	}
	want := company.userIDs(450)[350:]
	if !sameMembers(got.Members, want) || !sameMembers(company.stored(t, g.ID).Members, want) {
		t.Errorf("got %d members, the emulator %d; want %d", len(got.Members), len(company.stored(t, g.ID).Members), len(want))
	}
	ops, values := company.memberOps(t)
	var sizes []string
	for i := range ops {
		sizes = append(sizes, fmt.Sprintf("%s %d", ops[i], len(values[i])))
	}
	if fmt.Sprint(sizes) != "[Add 100 Add 100 Add 50 Remove 100 Remove 100 Remove 100 Remove 50]" {
		t.Errorf("PATCHes %v", sizes)
	}
	for _, r := range company.records(kindGroupPatch) {
		if r.Status != http.StatusOK {
			t.Errorf("the emulator answered a PATCH %d: the cap was exceeded", r.Status)
		}
	}
}

// A group that has the name in another case is a *GroupExistsError before
// any POST: TeamViewer's filter may miss it, the listing does not.
func TestGroupsCreateExistingName(t *testing.T) {
	for _, name := range []string{"Sales", "SALES", "sales"} {
		t.Run(name, func(t *testing.T) {
			company := newGroupCompany(t, 3, groupCompanyOptions{})
			company.AddGroups(20, "group%02d")
			existing := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(2)})
			res, err := company.newGroups().Create(t.Context(), NewGroup{DisplayName: name, Members: company.userIDs(3)})
			var exists *GroupExistsError
			if !errors.As(err, &exists) || exists.Group.ID != existing.ID || exists.DisplayName != name || exists.CreatedHere || exists.Cause != nil {
				t.Fatalf("got %+v, %v; want a *GroupExistsError naming %s", res, err, existing.ID)
			}
			if !strings.Contains(err.Error(), existing.ID) || res.Group.ID != "" {
				t.Errorf("error %q, result %+v", err, res)
			}
			if n := company.Count(http.MethodPost, "/Groups"); n != 0 || company.CountMethod(http.MethodPatch) != 0 {
				t.Errorf("requests %s; want no write", company.summary())
			}
			if !sameMembers(company.stored(t, existing.ID).Members, existing.Members) {
				t.Errorf("the existing group changed")
			}
		})
	}
}

// Concurrent creates of one name in one run, in different case, make one
// group: the others are told that the run created it for another caller.
// (That they wait for each other is not observable from outside; without
// the wait, eight creates make a second POST likely, not certain.)
func TestGroupsCreateConcurrentSameName(t *testing.T) {
	company := newGroupCompany(t, 5, groupCompanyOptions{})
	gs := company.newGroups()
	names := []string{"Sales", "SALES", "sales", "sAles", "saLes", "salEs", "saleS", "SAles"}
	type outcome struct {
		res GroupCreateResult
		err error
	}
	results := make([]outcome, len(names))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			<-start
			res, err := gs.Create(t.Context(), NewGroup{DisplayName: name, Members: company.userIDs(2)})
			results[i] = outcome{res, err}
		})
	}
	close(start)
	wg.Wait()

	stored := company.onlyGroup(t, "sales")
	var created, refused int
	for i, r := range results {
		var exists *GroupExistsError
		switch {
		case r.err == nil && r.res.Outcome == Created && r.res.Group.ID == stored.ID && r.res.Group.DisplayName == names[i]:
			created++
		case errors.As(r.err, &exists) && exists.CreatedHere && exists.Group.ID == stored.ID:
			refused++
			if !strings.Contains(r.err.Error(), "created earlier in this run") {
				t.Errorf("error %q does not say the run created it", r.err)
			}
		default:
			t.Errorf("create %s: got %+v, %v", names[i], r.res, r.err)
		}
	}
	if created != 1 || refused != len(names)-1 {
		t.Errorf("%d created, %d refused; want one created, the others refused", created, refused)
	}
	if n := company.Count(http.MethodPost, "/Groups"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

// A name taken between the lookup and the POST (by the Management Console,
// say) is a *GroupExistsError whose cause is TeamViewer's 409.
func TestGroupsCreateNameTakenMeanwhile(t *testing.T) {
	takeOnPOST := func(name string) func(*emulator.Server, http.Handler) http.Handler {
		return func(srv *emulator.Server, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					srv.AddGroup(emulator.Group{DisplayName: name})
				}
				next.ServeHTTP(w, r)
			})
		}
	}
	for _, taken := range []string{"Sales", "SALES"} {
		t.Run(taken, func(t *testing.T) {
			company := newGroupCompany(t, 3, groupCompanyOptions{wrap: takeOnPOST(taken)})
			_, err := company.newGroups().Create(t.Context(), NewGroup{DisplayName: "Sales", Members: company.userIDs(1)})
			existing := company.onlyGroup(t, "Sales")
			var exists *GroupExistsError
			if !errors.As(err, &exists) || exists.CreatedHere || exists.Cause == nil {
				t.Fatalf("got %v; want a *GroupExistsError caused by the 409", err)
			}
			if exists.Group.ID != "" && exists.Group.ID != existing.ID {
				t.Errorf("names group %s, the emulator has %s", exists.Group.ID, existing.ID)
			}
			if e := asError(t, err); e.StatusCode != http.StatusConflict {
				t.Errorf("cause %+v, want the 409", e)
			}
			if company.CountMethod(http.MethodPatch) != 0 || len(existing.Members) != 0 {
				t.Errorf("the other's group got members: requests %s", company.summary())
			}
		})
	}
}

// An answer to the POST lost after TeamViewer created the group (a 502
// from the gateway, a dropped connection) is recovered by one lookup: one
// group, with its members, at most 2 requests more than a clean create.
func TestGroupsCreateAfterALostAnswer(t *testing.T) {
	ng := func(gc *groupCompany) NewGroup { return NewGroup{DisplayName: "Sales", Members: gc.userIDs(3)} }
	clean := newGroupCompany(t, 3, groupCompanyOptions{})
	if _, err := clean.newGroups().Create(t.Context(), ng(clean)); err != nil {
		t.Fatal(err)
	}
	baseline := clean.TotalRequests()
	for name, f := range map[string]emulator.Faults{
		"502 after commit":     {CommitThenBadGateway: 1},
		"dropped after commit": {DropAfterWrite: 1},
	} {
		t.Run(name, func(t *testing.T) {
			company := newGroupCompany(t, 3, groupCompanyOptions{wrap: faultFirst(http.MethodPost, f)})
			res, err := company.newGroups().Create(t.Context(), ng(company))
			stored := company.onlyGroup(t, "Sales")
			if err != nil || res.Outcome != Recovered || res.Group.ID != stored.ID {
				t.Fatalf("got %+v, %v; want Recovered with %s", res, err, stored.ID)
			}
			if !sameMembers(res.Group.Members, company.userIDs(3)) || !sameMembers(stored.Members, company.userIDs(3)) {
				t.Errorf("members %v, the emulator has %v", res.Group.Members, stored.Members)
			}
			if posts := company.records(kindGroupPost); len(posts) != 1 || posts[0].Fault == "" {
				t.Errorf("POSTs %+v, want the one faulted", posts)
			}
			n := company.TotalRequests()
			t.Logf("%s: %d requests %s, a clean create %d", name, n, company.summary(), baseline)
			if n > baseline+2 {
				t.Errorf("%d requests %s, want at most %d", n, company.summary(), baseline+2)
			}
		})
	}
}

// A create answered 504 whose backend finishes late: landing before the
// resend, the resend meets it as a 409 and recovers it; landing after the
// resend, the resend creates the group and the late one is refused. Either
// way there is one group.
func TestGroupsCreateLateCommit(t *testing.T) {
	late := emulator.Faults{GatewayTimeoutThenCommit: 1, LateCommitDelay: time.Hour} // flushed, never waited for
	for _, lands := range []string{"before the resend", "after the resend"} {
		t.Run(lands, func(t *testing.T) {
			wrap := func(srv *emulator.Server, next http.Handler) http.Handler {
				var (
					mu    sync.Mutex
					posts int
				)
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					defer mu.Unlock() // one request at a time: Create makes no two at once
					if r.Method == http.MethodPost {
						posts++
					}
					switch {
					case r.Method == http.MethodPost && posts == 1:
						srv.SetFaults(late)
					default:
						srv.SetFaults(emulator.Faults{})
					}
					if r.Method == http.MethodPost && posts == 2 && lands == "before the resend" {
						if n := srv.FlushLateCommits(); n != 1 {
							t.Errorf("flushed %d late commits, want 1", n)
						}
					}
					next.ServeHTTP(w, r)
				})
			}
			company := newGroupCompany(t, 3, groupCompanyOptions{wrap: wrap})
			res, err := company.newGroups().Create(t.Context(), NewGroup{DisplayName: "Sales", Members: company.userIDs(2)})
			company.FlushLateCommits()
			stored := company.onlyGroup(t, "Sales")
			want := Created
			if lands == "before the resend" {
				want = Recovered
			}
			if err != nil || res.Outcome != want || res.Group.ID != stored.ID {
				t.Fatalf("got %+v, %v; want outcome %d with %s", res, err, want, stored.ID)
			}
			if !sameMembers(stored.Members, company.userIDs(2)) || !sameMembers(res.Group.Members, stored.Members) {
				t.Errorf("members %v, the emulator has %v", res.Group.Members, stored.Members)
			}
			var statuses []int
			for _, r := range company.records(kindGroupPost) {
				statuses = append(statuses, r.Status)
			}
			wantStatuses := []int{http.StatusGatewayTimeout, http.StatusCreated}
			if lands == "before the resend" {
				wantStatuses[1] = http.StatusConflict
			}
			// The first is recorded with the status of the gateway's answer.
			if len(statuses) != 2 || statuses[1] != wantStatuses[1] {
				t.Errorf("POSTs answered %v, want %v", statuses, wantStatuses)
			}
			t.Logf("late commit %s: %d requests %s", lands, company.TotalRequests(), company.summary())
		})
	}
}

// When adding the members of a new group fails, the group is still
// returned with the error, so that the caller records it rather than
// orphaning it.
func TestGroupsCreateMembersFailKeepsTheGroup(t *testing.T) {
	company := newGroupCompany(t, 2, groupCompanyOptions{})
	res, err := company.newGroups().Create(t.Context(), NewGroup{DisplayName: "Sales", Members: []string{company.users[0].ID, "u-nobody"}})
	stored := company.onlyGroup(t, "Sales")
	if err == nil || res.Outcome != Created || res.Group.ID != stored.ID || res.Group.DisplayName != "Sales" {
		t.Errorf("got %+v, %v; want the created group %s with the error", res, err, stored.ID)
	}
}

// A Get returns the members; a second Get of the run costs nothing.
func TestGroupsGet(t *testing.T) {
	company := newGroupCompany(t, 5, groupCompanyOptions{})
	company.AddGroups(10, "group%02d")
	g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(5)})
	gs := company.newGroups()
	got, err := gs.Get(t.Context(), g.ID)
	if err != nil || got.ID != g.ID || got.DisplayName != "Sales" || !got.MembersKnown || !slices.Equal(got.Members, g.Members) {
		t.Fatalf("got %+v, %v; want %+v", got, err, g)
	}
	if company.Count(http.MethodGet, "/Groups/{id}") != 1 || company.TotalRequests() != 1 {
		t.Errorf("requests %s, want one GET", company.summary())
	}
	again, err := gs.Get(t.Context(), g.ID)
	if err != nil || !slices.Equal(again.Members, g.Members) || company.TotalRequests() != 1 {
		t.Errorf("second Get: %+v, %v after requests %s; want it without a request", again, err, company.summary())
	}
}

// Concurrent Gets of one group share one request.
func TestGroupsGetConcurrent(t *testing.T) {
	const readers = 50
	// Bulk refresh off, every Get goes to the group itself: they must
	// share the one GET, which is held until all of them are waiting.
	t.Run("one GET shared", func(t *testing.T) {
		hold := newRequestGate(kindGroupGet)
		company := newGroupCompany(t, 5, groupCompanyOptions{wrap: hold.wrap})
		t.Cleanup(hold.open) // before the server closes, should the test fail early
		g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(5)})
		gs := NewGroups(company.client, DirectoryOptions{Disabled: true})
		var wg sync.WaitGroup
		errs := make([]error, readers)
		got := make([]Group, readers)
		waiting := make([]*waitingCtx, readers)
		for i := range readers {
			waiting[i] = newWaitingCtx(t.Context())
			wg.Go(func() {
				got[i], errs[i] = gs.Get(waiting[i], g.ID)
				waiting[i].stop()
			})
		}
		for _, ctx := range waiting {
			<-ctx.waiting
		}
		hold.open()
		wg.Wait()
		for i := range readers {
			if errs[i] != nil || !slices.Equal(got[i].Members, g.Members) {
				t.Fatalf("reader %d: %+v, %v", i, got[i], errs[i])
			}
		}
		if n := company.Count(http.MethodGet, "/Groups/{id}"); n != 1 {
			t.Errorf("%d GETs of the group, want 1 for %d readers", n, readers)
		}
	})
	t.Run("bulk refresh on", func(t *testing.T) {
		company := newGroupCompany(t, 5, groupCompanyOptions{})
		g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(5)})
		gs := company.newGroups()
		got := readGroups(t, gs, slices.Repeat([]string{g.ID}, readers), readers)
		if !slices.Equal(got[g.ID].Members, g.Members) {
			t.Errorf("got %+v", got[g.ID])
		}
		if n := company.Count(http.MethodGet, "/Groups/{id}"); n != 1 {
			t.Errorf("%d GETs of the group (%s), want 1 for %d readers", n, company.summary(), readers)
		}
		t.Logf("%d concurrent Gets of one group: %d requests %s", readers, company.TotalRequests(), company.summary())
	})
}

// When TeamViewer's list leaves members out, the listing serves no Get: it
// falls back to the group's own GET, once per group.
func TestGroupsGetWhenTheListOmitsMembers(t *testing.T) {
	company := newGroupCompany(t, 40, groupCompanyOptions{wrap: withoutListMembers(t)})
	var groups []emulator.Group
	for i := range 20 {
		groups = append(groups, company.AddGroup(emulator.Group{DisplayName: fmt.Sprintf("Team %02d", i), Members: company.userIDs(40)[i : i+20]}))
	}
	gs := company.newGroups()
	// A lookup in another case loads the listing, without members.
	found, err := gs.FindByDisplayName(t.Context(), "TEAM 03")
	if err != nil || found.ID != groups[3].ID || found.MembersKnown {
		t.Fatalf("find: %+v, %v; want %s without members", found, err, groups[3].ID)
	}
	if company.kinds()[kindGroupPage] != 1 {
		t.Fatalf("requests %s, want the listing loaded", company.summary())
	}
	got, err := gs.Get(t.Context(), groups[3].ID)
	if err != nil || !got.MembersKnown || !slices.Equal(got.Members, groups[3].Members) {
		t.Fatalf("get: %+v, %v; want %v", got, err, groups[3].Members)
	}
	if n := company.Count(http.MethodGet, "/Groups/{id}"); n != 1 {
		t.Errorf("%d GETs of the group, want 1", n)
	}

	var ids []string
	for _, g := range groups {
		ids = append(ids, g.ID)
	}
	all := readGroups(t, gs, ids, refreshParallelism)
	for _, g := range groups {
		if !slices.Equal(all[g.ID].Members, g.Members) {
			t.Errorf("group %s: members %v, want %v", g.ID, all[g.ID].Members, g.Members)
		}
	}
	if n := company.Count(http.MethodGet, "/Groups/{id}"); n != len(groups) {
		t.Errorf("%d GETs of groups (%s), want one per group: %d", n, company.summary(), len(groups))
	}
	if company.kinds()[kindGroupPage] != 1 {
		t.Errorf("requests %s, want one listing", company.summary())
	}
}

// A missing group is ErrNotFound; behind a wrong base URL, where every
// request is a 404, nothing is: the error names the tenant URL instead.
func TestGroupsNotFound(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		company := newGroupCompany(t, 2, groupCompanyOptions{})
		company.AddGroups(3, "group%02d")
		gs := company.newGroups()
		if _, err := gs.Get(t.Context(), "g999"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get: %v, want ErrNotFound", err)
		}
		if err := gs.Delete(t.Context(), "g999"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Delete: %v, want ErrNotFound", err)
		}
		if _, err := gs.AddMembers(t.Context(), "g999", company.userIDs(1)); !errors.Is(err, ErrNotFound) {
			t.Errorf("AddMembers: %v, want ErrNotFound", err)
		}
		t.Logf("requests %s", company.summary())
	})
	for name, opts := range map[string]DirectoryOptions{"wrong base URL": {}, "wrong base URL, bulk refresh off": {Disabled: true}} {
		t.Run(name, func(t *testing.T) {
			company := newGroupCompany(t, 2, groupCompanyOptions{})
			g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(1)})
			wrongURL := company.url + basePath + "/v3"
			gs := NewGroups(newTestClient(t, wrongURL, nil), opts)
			errs := map[string]error{}
			_, errs["get group "+g.ID] = gs.Get(t.Context(), g.ID)
			_, errs["find group Sales"] = gs.FindByDisplayName(t.Context(), "Sales")
			_, errs["rename group "+g.ID] = gs.Rename(t.Context(), g.ID, "Renamed")
			_, errs["add members of group "+g.ID] = gs.AddMembers(t.Context(), g.ID, company.userIDs(2)[1:])
			errs["delete group "+g.ID] = gs.Delete(t.Context(), g.ID)
			for op, err := range errs {
				if err == nil || errors.Is(err, ErrNotFound) {
					t.Fatalf("%s: got %v, want an error that does not match ErrNotFound", op, err)
				}
				if e := asError(t, err); e.Operation != op {
					t.Errorf("operation %q, want %q", e.Operation, op)
				}
				if msg := err.Error(); !containsAll(msg, wrongURL, "tenant_url", "TEAMVIEWER_TENANT_URL", "HTTP 404") {
					t.Errorf("error %q does not name the tenant URL, the settings and the check's 404", msg)
				}
			}
			if n := company.kinds()[kindGroupCount]; n != 1 {
				t.Errorf("%d checks of the endpoint (%s), want 1 for the run", n, company.summary())
			}
			if company.kinds()[kindGroupPage] != 0 {
				t.Errorf("requests %s; want no listing of an endpoint that is not there", company.summary())
			}
			if stored := company.stored(t, g.ID); stored.DisplayName != "Sales" || len(stored.Members) != 1 {
				t.Errorf("the group changed: %+v", stored)
			}
		})
	}
}

// Reading many groups costs at most about twice the cheaper of "one GET
// each" and "one listing", plus the count and what the parallel first reads
// cost, and returns every group's members.
func TestGroupsBulkRefresh(t *testing.T) {
	type grid struct{ read, total, members int }
	for _, c := range []grid{
		{read: 50, total: 50, members: 100}, // a configuration's groups, each of 100 users
		{read: 1, total: 500, members: 10},
		{read: 4, total: 500, members: 10},
		{read: 50, total: 500, members: 10},
		{read: 500, total: 500, members: 10},
	} {
		t.Run(fmt.Sprintf("%d of %d groups of %d members", c.read, c.total, c.members), func(t *testing.T) {
			company := newGroupCompany(t, c.total*c.members, groupCompanyOptions{})
			var groups []emulator.Group
			users := company.userIDs(c.total * c.members)
			for i := range c.total {
				members := users[i*c.members : (i+1)*c.members]
				groups = append(groups, company.AddGroup(emulator.Group{DisplayName: fmt.Sprintf("group%03d", i), Members: members}))
			}
			var ids []string
			for i := range c.read {
				ids = append(ids, groups[i*c.total/c.read].ID)
			}
			got := readGroups(t, company.newGroups(), ids, refreshParallelism)
			for _, id := range ids {
				if want := company.stored(t, id); !got[id].MembersKnown || !slices.Equal(got[id].Members, want.Members) || got[id].DisplayName != want.DisplayName {
					t.Fatalf("group %s: got %s with %d members, want %s with %d", id, got[id].DisplayName, len(got[id].Members), want.DisplayName, len(want.Members))
				}
			}
			pages := (c.total + defaultGroupPageSize - 1) / defaultGroupPageSize
			limit := 2*min(c.read, pages) + 2 + refreshParallelism - 1
			if c.read == 1 {
				limit = 2
			}
			n := company.TotalRequests()
			t.Logf("%d of %d groups: %d requests %s; limit %d", c.read, c.total, n, company.summary(), limit)
			if n > limit {
				t.Errorf("%d requests %s, want at most %d", n, company.summary(), limit)
			}
			listings := 0
			for _, r := range company.records(kindGroupPage) {
				if q, _ := url.ParseQuery(r.RawQuery); q.Get("startIndex") == "1" {
					listings++
				}
			}
			if listings > 1 {
				t.Errorf("%d listings, want at most 1", listings)
			}
		})
	}
}

// FindByDisplayName asks as Entra ID does, members left out; a name in
// another case is found through the listing; two groups matching only
// without regard to case are named in the error; a miss is ErrNotFound.
func TestGroupsFindByDisplayName(t *testing.T) {
	setup := func(t *testing.T) (*groupCompany, emulator.Group, emulator.Group) {
		company := newGroupCompany(t, 3, groupCompanyOptions{})
		company.AddGroups(30, "group%02d")
		sales := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(3)})
		upper := company.AddGroup(emulator.Group{DisplayName: "SALES"}) // AddGroup does not check names
		company.AddGroup(emulator.Group{DisplayName: "Marketing"})
		return company, sales, upper
	}
	t.Run("exact", func(t *testing.T) {
		company, sales, _ := setup(t)
		got, err := company.newGroups().FindByDisplayName(t.Context(), "Sales")
		if err != nil || got.ID != sales.ID || got.DisplayName != "Sales" {
			t.Fatalf("got %+v, %v; want %s", got, err, sales.ID)
		}
		finds := company.records(kindGroupFind)
		if company.TotalRequests() != 1 || len(finds) != 1 {
			t.Fatalf("requests %s, want one lookup", company.summary())
		}
		q, _ := url.ParseQuery(finds[0].RawQuery)
		if q.Get("excludedAttributes") != "members" || q.Get("filter") != `displayName eq "Sales"` {
			t.Errorf("query %q, want the displayName filter with excludedAttributes=members", finds[0].RawQuery)
		}
	})
	t.Run("another case", func(t *testing.T) {
		company, _, _ := setup(t)
		marketing := company.onlyGroup(t, "Marketing")
		got, err := company.newGroups().FindByDisplayName(t.Context(), "MARKETING")
		if err != nil || got.ID != marketing.ID || got.DisplayName != "Marketing" {
			t.Fatalf("got %+v, %v; want %s", got, err, marketing.ID)
		}
		if k := company.kinds(); k[kindGroupFind] != 1 || k[kindGroupPage] != 1 || company.TotalRequests() != 2 {
			t.Errorf("requests %s, want the exact lookup then one listing page", company.summary())
		}
	})
	t.Run("ambiguous", func(t *testing.T) {
		company, sales, upper := setup(t)
		gs := company.newGroups()
		_, err := gs.FindByDisplayName(t.Context(), "sales")
		if err == nil || errors.Is(err, ErrNotFound) || !containsAll(err.Error(), sales.ID, upper.ID) {
			t.Fatalf("got %v, want an ambiguity naming %s and %s", err, sales.ID, upper.ID)
		}
		for name, want := range map[string]string{"Sales": sales.ID, "SALES": upper.ID} {
			if got, err := gs.FindByDisplayName(t.Context(), name); err != nil || got.ID != want {
				t.Errorf("find %s: %+v, %v; want %s, spelt exactly", name, got, err, want)
			}
		}
	})
	t.Run("miss", func(t *testing.T) {
		company, _, _ := setup(t)
		gs := company.newGroups()
		if _, err := gs.FindByDisplayName(t.Context(), "Nobody"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
		if _, err := gs.FindByDisplayName(t.Context(), ""); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("empty name: %v, want an error that is not ErrNotFound", err)
		}
		t.Logf("a miss: requests %s", company.summary())
	})
}

// A member change is one PATCH per 100 members whatever the size of the
// group: adding one member to a group of 5,000 sends that one member.
func TestGroupsChangeOneMemberOfALargeGroup(t *testing.T) {
	company := newGroupCompany(t, 5001, groupCompanyOptions{})
	g := company.AddGroup(emulator.Group{DisplayName: "Everyone", Members: company.userIDs(5000)})
	newcomer := company.users[5000].ID
	for _, verb := range []string{"Add", "Remove"} {
		company.ResetRequests()
		gs := company.newGroups()
		change := gs.AddMembers
		if verb == "Remove" {
			change = gs.RemoveMembers
		}
		got, err := change(t.Context(), g.ID, []string{newcomer})
		if err != nil {
			t.Fatal(err)
		}
		want := company.userIDs(5000)
		if verb == "Add" {
			want = company.userIDs(5001)
		}
		if !sameMembers(got.Members, want) || !sameMembers(company.stored(t, g.ID).Members, want) {
			t.Errorf("%s: got %d members, the emulator %d; want %d", verb, len(got.Members), len(company.stored(t, g.ID).Members), len(want))
		}
		ops, values := company.memberOps(t)
		if len(ops) != 1 || ops[0] != verb || !slices.Equal(values[0], []string{newcomer}) {
			t.Errorf("%s: PATCHes %v carrying %d members, want one %s of the one member", verb, ops, len(slices.Concat(values...)), verb)
		}
		if n := company.TotalRequests(); n != 1 {
			t.Errorf("%s one member of 5,000: requests %s, want the one PATCH", verb, company.summary())
		}
	}
}

// Adding a member already there and removing one already gone succeed, and
// change nothing.
func TestGroupsMemberChangesAreIdempotent(t *testing.T) {
	company := newGroupCompany(t, 4, groupCompanyOptions{})
	g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(2)})
	gs := company.newGroups()
	if got, err := gs.AddMembers(t.Context(), g.ID, company.userIDs(1)); err != nil || !sameMembers(got.Members, g.Members) {
		t.Errorf("add a member already there: %+v, %v", got, err)
	}
	if got, err := gs.RemoveMembers(t.Context(), g.ID, company.userIDs(4)[3:]); err != nil || !sameMembers(got.Members, g.Members) {
		t.Errorf("remove a member already gone: %+v, %v", got, err)
	}
	if stored := company.stored(t, g.ID); !slices.Equal(stored.Members, g.Members) {
		t.Errorf("the emulator has %v, want %v", stored.Members, g.Members)
	}
	before := company.TotalRequests()
	if got, err := gs.Get(t.Context(), g.ID); err != nil || !sameMembers(got.Members, g.Members) || company.TotalRequests() != before {
		t.Errorf("read back: %+v, %v, requests %s", got, err, company.summary())
	}
}

// The run's view of a group holds each member once, as TeamViewer does,
// even when one change names a member twice.
func TestGroupsMembersNamedTwice(t *testing.T) {
	company := newGroupCompany(t, 3, groupCompanyOptions{})
	g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(1)})
	gs := company.newGroups()
	if _, err := gs.Get(t.Context(), g.ID); err != nil {
		t.Fatal(err)
	}
	twice := company.users[1].ID
	got, err := gs.AddMembers(t.Context(), g.ID, []string{twice, twice})
	want := company.stored(t, g.ID).Members
	if err != nil || !sameMembers(got.Members, want) {
		t.Errorf("got %v, %v; the emulator has %v", got.Members, err, want)
	}
}

// Concurrent member changes of one group whose answers arrive out of order
// leave the run's view with both: the older answer, which lacks the newer
// member, does not undo it.
func TestGroupsConcurrentMemberChangesOutOfOrder(t *testing.T) {
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprintf("group read before: %v", known), func(t *testing.T) {
			firstServed := make(chan struct{}) // the emulator has carried out the first PATCH
			secondDone := make(chan struct{})  // the second AddMembers has returned
			var once sync.Once
			wrap := func(_ *emulator.Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					first := false
					if r.Method == http.MethodPatch {
						once.Do(func() { first = true })
					}
					if !first {
						next.ServeHTTP(w, r)
						return
					}
					rec := recordAnswer(next, r)
					close(firstServed)
					select {
					case <-secondDone:
					case <-r.Context().Done():
					}
					sendAnswer(w, rec, nil)
				})
			}
			company := newGroupCompany(t, 4, groupCompanyOptions{wrap: wrap})
			g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(2)})
			gs := company.newGroups()
			if known {
				if _, err := gs.Get(t.Context(), g.ID); err != nil {
					t.Fatal(err)
				}
			}
			first, second := company.users[2].ID, company.users[3].ID
			var firstErr error
			firstDone := make(chan struct{})
			go func() {
				defer close(firstDone)
				_, firstErr = gs.AddMembers(t.Context(), g.ID, []string{first})
			}()
			select {
			case <-firstServed:
			case <-firstDone: // it failed before its PATCH was served; reported below
			}
			_, secondErr := gs.AddMembers(t.Context(), g.ID, []string{second})
			close(secondDone)
			<-firstDone
			if firstErr != nil || secondErr != nil {
				t.Fatalf("AddMembers: %v, %v", firstErr, secondErr)
			}
			want := company.userIDs(4)
			if stored := company.stored(t, g.ID); !sameMembers(stored.Members, want) {
				t.Fatalf("the emulator has %v, want %v", stored.Members, want)
			}
			before := company.TotalRequests()
			got, err := gs.Get(t.Context(), g.ID)
			if err != nil || !sameMembers(got.Members, want) {
				t.Errorf("the run's view: %v, %v; want %v", got.Members, err, want)
			}
			if company.TotalRequests() != before {
				t.Errorf("the Get cost a request: %s", company.summary())
			}
		})
	}
}

// A member that is not a user of the company is refused by TeamViewer (400
// invalidValue), and the run's view does not take it.
func TestGroupsMemberNotAUser(t *testing.T) {
	company := newGroupCompany(t, 2, groupCompanyOptions{})
	g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(1)})
	gs := company.newGroups()
	if _, err := gs.Get(t.Context(), g.ID); err != nil {
		t.Fatal(err)
	}
	_, err := gs.AddMembers(t.Context(), g.ID, []string{company.users[1].ID, "u-nobody"})
	if e := asError(t, err); e.StatusCode != http.StatusBadRequest || e.SCIMType != "invalidValue" || errors.Is(err, ErrNotFound) {
		t.Fatalf("got %+v, want the emulator's 400 invalidValue", e)
	}
	if stored := company.stored(t, g.ID); !slices.Equal(stored.Members, g.Members) {
		t.Errorf("the emulator has %v, want %v", stored.Members, g.Members)
	}
	before := company.TotalRequests()
	if got, err := gs.Get(t.Context(), g.ID); err != nil || !slices.Equal(got.Members, g.Members) || company.TotalRequests() != before {
		t.Errorf("the run's view: %v, %v, requests %s; want %v without a request", got.Members, err, company.summary(), g.Members)
	}
}

// A rename is Entra ID's PATCH, and the run finds the group by its new name
// without a request, and no longer by its old one, even though the listing
// it loaded before has it.
func TestGroupsRename(t *testing.T) {
	company := newGroupCompany(t, 3, groupCompanyOptions{})
	company.AddGroups(10, "group%02d")
	g := company.AddGroup(emulator.Group{DisplayName: "Old Name", Members: company.userIDs(3)})
	gs := company.newGroups()
	if _, err := gs.FindByDisplayName(t.Context(), "OLD NAME"); err != nil { // loads the listing
		t.Fatal(err)
	}
	company.ResetRequests()
	renamed, err := gs.Rename(t.Context(), g.ID, "New Name")
	if err != nil || renamed.DisplayName != "New Name" || !sameMembers(renamed.Members, g.Members) {
		t.Fatalf("got %+v, %v", renamed, err)
	}
	if stored := company.stored(t, g.ID); stored.DisplayName != "New Name" {
		t.Errorf("the emulator has %q", stored.DisplayName)
	}
	patches := company.records(kindGroupPatch)
	if len(patches) != 1 || company.TotalRequests() != 1 {
		t.Fatalf("requests %s, want one PATCH", company.summary())
	}
	p := decodeSentPatch(t, patches[0].Body)
	if len(p.Operations) != 1 || p.Operations[0].Op != "Replace" || p.Operations[0].Path != "displayName" || string(p.Operations[0].Value) != `"New Name"` {
		t.Errorf("PATCH body %s, want one Replace of displayName", patches[0].Body)
	}

	for _, name := range []string{"New Name", "new name"} {
		got, err := gs.FindByDisplayName(t.Context(), name)
		if err != nil || got.ID != g.ID || got.DisplayName != "New Name" {
			t.Errorf("find %s: %+v, %v", name, got, err)
		}
	}
	if company.TotalRequests() != 1 {
		t.Errorf("requests %s; want the new name found in the run's view", company.summary())
	}
	if got, err := gs.FindByDisplayName(t.Context(), "Old Name"); !errors.Is(err, ErrNotFound) {
		t.Errorf("find the old name: %+v, %v; want ErrNotFound", got, err)
	}
}

// TeamViewer may answer a PATCH 204 without the group (RFC 7644 allows
// it): the run applies the change to what it knew, without a request, and
// reads a group it did not know once.
func TestGroupsPatchAnswered204(t *testing.T) {
	noContent := func(_ *emulator.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPatch {
				next.ServeHTTP(w, r)
				return
			}
			if rec := recordAnswer(next, r); rec.Code != http.StatusOK {
				sendAnswer(w, rec, nil)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}
	company := newGroupCompany(t, 4, groupCompanyOptions{wrap: noContent})
	company.AddGroups(10, "group%02d")
	listed := company.AddGroup(emulator.Group{DisplayName: "Old Name", Members: company.userIDs(2)})
	gs := company.newGroups()
	if _, err := gs.FindByDisplayName(t.Context(), "OLD NAME"); err != nil { // loads the listing
		t.Fatal(err)
	}
	company.ResetRequests()
	if got, err := gs.Rename(t.Context(), listed.ID, "New Name"); err != nil || got.DisplayName != "New Name" || !sameMembers(got.Members, listed.Members) {
		t.Errorf("rename: %+v, %v", got, err)
	}
	if got, err := gs.AddMembers(t.Context(), listed.ID, company.userIDs(3)[2:]); err != nil || !sameMembers(got.Members, company.userIDs(3)) {
		t.Errorf("add: %+v, %v", got, err)
	}
	if got, err := gs.RemoveMembers(t.Context(), listed.ID, company.userIDs(1)); err != nil || !sameMembers(got.Members, company.userIDs(3)[1:]) {
		t.Errorf("remove: %+v, %v", got, err)
	}
	if got, err := gs.FindByDisplayName(t.Context(), "New Name"); err != nil || got.ID != listed.ID || !sameMembers(got.Members, company.userIDs(3)[1:]) {
		t.Errorf("find the new name: %+v, %v", got, err)
	}
	if n := company.TotalRequests(); n != 3 || company.kinds()[kindGroupPatch] != 3 {
		t.Errorf("requests %s, want the 3 PATCHes only", company.summary())
	}
	if stored := company.stored(t, listed.ID); stored.DisplayName != "New Name" || !sameMembers(stored.Members, company.userIDs(3)[1:]) {
		t.Errorf("the emulator has %+v", stored)
	}

	// A group the run has not read is read once after the PATCH.
	unknown := company.AddGroup(emulator.Group{DisplayName: "Other", Members: company.userIDs(1)})
	company.ResetRequests()
	got, err := NewGroups(company.client, DirectoryOptions{}).AddMembers(t.Context(), unknown.ID, company.userIDs(4)[3:])
	if want := []string{company.users[0].ID, company.users[3].ID}; err != nil || !sameMembers(got.Members, want) {
		t.Errorf("add to a group not read: %+v, %v; want %v", got, err, want)
	}
	if k := company.kinds(); k[kindGroupPatch] != 1 || k[kindGroupGet] != 1 || company.TotalRequests() != 2 {
		t.Errorf("requests %s, want the PATCH and one GET", company.summary())
	}
}

// A member change, a rename or a delete whose answer a gateway lost after
// TeamViewer acted ends as if answered: the change is made once, and the
// run's view has it.
func TestGroupsWritesAfterALostAnswer(t *testing.T) {
	lost := emulator.Faults{CommitThenBadGateway: 1}
	t.Run("add members", func(t *testing.T) {
		company := newGroupCompany(t, 3, groupCompanyOptions{wrap: faultFirst(http.MethodPatch, lost)})
		g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(1)})
		gs := company.newGroups()
		got, err := gs.AddMembers(t.Context(), g.ID, company.userIDs(3)[1:])
		if err != nil || !sameMembers(got.Members, company.userIDs(3)) || !sameMembers(company.stored(t, g.ID).Members, company.userIDs(3)) {
			t.Errorf("got %+v, %v; the emulator has %v", got, err, company.stored(t, g.ID).Members)
		}
		t.Logf("requests %s", company.summary())
	})
	t.Run("rename", func(t *testing.T) {
		company := newGroupCompany(t, 3, groupCompanyOptions{wrap: faultFirst(http.MethodPatch, lost)})
		g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(1)})
		gs := company.newGroups()
		got, err := gs.Rename(t.Context(), g.ID, "Revenue")
		if err != nil || got.DisplayName != "Revenue" || company.stored(t, g.ID).DisplayName != "Revenue" {
			t.Errorf("got %+v, %v", got, err)
		}
		if found, err := gs.FindByDisplayName(t.Context(), "Revenue"); err != nil || found.ID != g.ID {
			t.Errorf("find the new name: %+v, %v", found, err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		company := newGroupCompany(t, 3, groupCompanyOptions{wrap: faultFirst(http.MethodDelete, lost)})
		g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(1)})
		gs := company.newGroups()
		// The retry meets the group gone, which is what the caller wanted.
		err := gs.Delete(t.Context(), g.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Errorf("got %v, want success or ErrNotFound", err)
		}
		t.Logf("delete whose 204 was lost: %v", err)
		if _, ok := company.Group(g.ID); ok {
			t.Error("the emulator still has the group")
		}
		if _, err := gs.Get(t.Context(), g.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get after the delete: %v, want ErrNotFound", err)
		}
		t.Logf("requests %s", company.summary())
	})
}

// A deleted group stays deleted for the run: the listing loaded before the
// delete does not bring it back to a Get or a lookup. Deleting a group that
// is gone is ErrNotFound.
func TestGroupsDelete(t *testing.T) {
	company := newGroupCompany(t, 3, groupCompanyOptions{})
	company.AddGroups(10, "group%02d")
	g := company.AddGroup(emulator.Group{DisplayName: "Sales", Members: company.userIDs(3)})
	gs := company.newGroups()
	if _, err := gs.FindByDisplayName(t.Context(), "SALES"); err != nil { // loads the listing
		t.Fatal(err)
	}
	if _, err := gs.Get(t.Context(), g.ID); err != nil {
		t.Fatal(err)
	}
	if err := gs.Delete(t.Context(), g.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := company.Group(g.ID); ok {
		t.Fatal("the emulator still has the group")
	}
	if dels := company.records(kindGroupDelete); len(dels) != 1 || dels[0].Status != http.StatusNoContent {
		t.Errorf("DELETEs %+v, want one answered 204", dels)
	}
	if got, err := gs.Get(t.Context(), g.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after the delete: %+v, %v; want ErrNotFound", got, err)
	}
	for _, name := range []string{"Sales", "sales"} {
		if got, err := gs.FindByDisplayName(t.Context(), name); !errors.Is(err, ErrNotFound) {
			t.Errorf("find %s after the delete: %+v, %v; want ErrNotFound", name, got, err)
		}
	}
	if err := gs.Delete(t.Context(), g.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting it again: %v, want ErrNotFound", err)
	}
	if err := company.newGroups().Delete(t.Context(), "g999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a missing group: %v, want ErrNotFound", err)
	}
}
