package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// spread picks n of users, evenly spaced, so that single reads and listing
// pages are exercised across the whole company.
func spread(users []emulator.User, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = users[i*len(users)/n].ID
	}
	return out
}

// The bar for a no-change plan: N reads by id at Terraform's
// parallelism in a company of T cost at most twice the cheaper of "one GET
// per user" and "one listing", plus the count and the reads already in
// flight when the listing starts. Some cells have a tighter bar of their own.
func TestBulkRefreshGrid(t *testing.T) {
	bars := map[[2]int]int{
		{1, 5000}:    2,  // one user in a large company: no listing
		{1000, 1000}: 15, // a whole company: one listing
	}
	for _, n := range []int{1, 4, 15, 100, 1000} {
		for _, total := range []int{n, 5000, 50000} {
			t.Run(fmt.Sprintf("%d of %d", n, total), func(t *testing.T) {
				if total == 50000 && testing.Short() {
					t.Skip("a company of 50,000 takes seconds under the race detector")
				}
				company := newTenant(t, total, tenantOptions{})
				managed := spread(company.users, n)
				company.checkAll(t, readAll(t, company.newUsers(DirectoryOptions{}), managed, terraformParallelism), managed)

				pages := (total + defaultPageSize - 1) / defaultPageSize
				limit := 2*min(n, pages) + 2 + terraformParallelism - 1
				if bar, ok := bars[[2]int{n, total}]; ok {
					limit = min(limit, bar)
				}
				got := company.TotalRequests()
				t.Logf("%d users of %d: %d requests (%s); limit %d", n, total, got, company.summary(), limit)
				if got > limit {
					t.Errorf("%d requests (%s), want at most %d", got, company.summary(), limit)
				}
				if company.listings() > 1 {
					t.Errorf("%d listings, want at most 1", company.listings())
				}
			})
		}
	}
}

// Read one at a time, the reads follow the ski-rental rule exactly: the
// first is a single GET, the second counts the company, and the read at
// which single GETs have cost as many requests as the listing starts it.
func TestUsersRentThenBuy(t *testing.T) {
	company := newTenant(t, 3000, tenantOptions{}) // 3 pages
	us := company.newUsers(DirectoryOptions{})
	wantTotal := []int{1, 3, 6, 6, 6, 6}
	for i, id := range spread(company.users, len(wantTotal)) {
		got, err := us.Get(t.Context(), id)
		if err != nil || got != company.want(t, id) {
			t.Fatalf("read %d: got %+v, %v", i+1, got, err)
		}
		if n := company.TotalRequests(); n != wantTotal[i] {
			t.Fatalf("after read %d: %d requests (%s), want %d", i+1, n, company.summary(), wantTotal[i])
		}
	}
	if company.requests(reqGet) != 2 || company.requests(reqCount) != 1 || company.requests(reqPage) != 3 {
		t.Errorf("requests %s; want 2 single GETs, 1 count, 3 pages", company.summary())
	}
}

// When the size of the company is unknown, because the count failed or
// TeamViewer left totalResults out, every read stays a single GET: never
// more than one request each.
func TestUsersSizeUnknownReadsStaySingle(t *testing.T) {
	for name, count := range map[string]http.HandlerFunc{
		"count refused": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusBadRequest, `{"status":"400","scimType":"tooMany","detail":"refused"}`)
		},
		"no totalResults": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, `{"Resources":[]}`)
		},
	} {
		t.Run(name, func(t *testing.T) {
			company := newTenant(t, 30, tenantOptions{wrap: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if kindOfRequest(r) == reqCount {
						count(w, r)
						return
					}
					next.ServeHTTP(w, r)
				})
			}})
			us := company.newUsers(DirectoryOptions{})
			company.checkAll(t, readAll(t, us, ids(company.users), terraformParallelism), ids(company.users))
			if company.requests(reqGet) != 30 || company.requests(reqPage) != 0 {
				t.Errorf("requests %s; want 30 single GETs and no listing", company.summary())
			}
		})
	}
}

// A failed listing is tried once; the reads go on with single GETs, and
// misses are still confirmed.
func TestUsersListingFailureFallsBack(t *testing.T) {
	var refused atomic.Int32
	company := newTenant(t, 30, tenantOptions{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if kindOfRequest(r) == reqPage {
				refused.Add(1)
				writeJSON(w, http.StatusBadRequest, `{"status":"400","scimType":"tooMany","detail":"listing refused"}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	us := company.newUsers(DirectoryOptions{})
	company.checkAll(t, readAll(t, us, ids(company.users), terraformParallelism), ids(company.users))
	if _, err := us.Get(t.Context(), "u9999999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user: got %v, want ErrNotFound", err)
	}
	if refused.Load() != 1 || company.requests(reqGet) != 31 {
		t.Errorf("%d listings refused, requests %s; want one listing tried and 31 single GETs", refused.Load(), company.summary())
	}
}

// A listing shared by concurrent reads is one listing, however many pages
// it has, and every read is the server's.
func TestUsersSingleListing(t *testing.T) {
	company := newTenant(t, 1000, tenantOptions{})
	us := company.newUsers(DirectoryOptions{PageSize: 100})
	company.checkAll(t, readAll(t, us, ids(company.users), terraformParallelism), ids(company.users))
	if company.listings() != 1 || company.requests(reqPage) != 10 {
		t.Errorf("requests %s; want the 10 pages of one listing", company.summary())
	}
	if n := company.requests(reqGet); n > 10+terraformParallelism-1 {
		t.Errorf("%d single GETs, want at most %d", n, 10+terraformParallelism-1)
	}
}

// Disabled reads every user with its own GET, and still confirms a miss.
func TestUsersDisabled(t *testing.T) {
	company := newTenant(t, 50, tenantOptions{})
	us := company.newUsers(DirectoryOptions{Disabled: true})
	company.checkAll(t, readAll(t, us, ids(company.users), terraformParallelism), ids(company.users))
	if company.requests(reqGet) != 50 || company.TotalRequests() != 50 {
		t.Errorf("requests %s; want 50 single GETs only", company.summary())
	}

	// A fresh Users, so that no answer has proven the endpoint yet.
	us = company.newUsers(DirectoryOptions{Disabled: true})
	company.ResetRequests()
	if _, err := us.Get(t.Context(), "u9999999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user: got %v, want ErrNotFound", err)
	}
	if company.requests(reqGet) != 1 || company.requests(reqCount) != 1 {
		t.Errorf("requests %s; want the GET and one count to confirm it", company.summary())
	}
}

// A change made before the listing was taken is seen, also for users read
// with a single GET before the change.
func TestUsersSeeOutOfBandChanges(t *testing.T) {
	company := newTenant(t, 10, tenantOptions{})
	us := company.newUsers(DirectoryOptions{})
	early := company.users[0].ID
	if _, err := us.Get(t.Context(), early); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{early, company.users[7].ID} {
		company.Update(id, func(u *emulator.User) {
			u.DisplayName = "Changed Elsewhere"
			u.Active = false
		})
	}
	company.checkAll(t, readAll(t, us, ids(company.users), terraformParallelism), ids(company.users))
	if company.listings() != 1 {
		t.Errorf("requests %s, want 1 listing", company.summary())
	}
}

// A user the listing lacks is fetched before it is reported missing: it
// may have been created after the listing was taken.
func TestUsersFetchWhatTheListingLacks(t *testing.T) {
	company := newTenant(t, 10, tenantOptions{})
	us := company.newUsers(DirectoryOptions{})
	readAll(t, us, ids(company.users), 1)
	if company.listings() != 1 {
		t.Fatalf("requests %s, want 1 listing", company.summary())
	}

	late := company.AddUser(emulator.User{UserName: "late@example.com", DisplayName: "Late Comer", Active: true})
	company.ResetRequests()
	if got, err := us.Get(t.Context(), late.ID); err != nil || got != company.want(t, late.ID) {
		t.Errorf("user created after the listing: got %+v, %v", got, err)
	}
	if _, err := us.Get(t.Context(), "u9999999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user: got %v, want ErrNotFound", err)
	}
	if company.requests(reqGet) != 2 || company.TotalRequests() != 2 {
		t.Errorf("requests %s; want 2 single GETs, no listing and no count", company.summary())
	}
}

// Writes win over the listing, also over one that finishes loading after
// them; and a user renamed by Update is found under its new name, not its
// old one, although the listing still has the old.
func TestUsersWritesWinOverTheListing(t *testing.T) {
	g := newGate(reqPage)
	g.stale = true
	company := newTenant(t, 10, tenantOptions{wrap: g.wrap})
	t.Cleanup(g.open)
	us := company.newUsers(DirectoryOptions{})
	ctx := t.Context()
	readPastGate(t, us, g, company.users[0].ID)

	// The second read starts the listing, which the emulator answers at
	// once; its answer is held while the tenant changes.
	type result struct {
		u   User
		err error
	}
	second := make(chan result, 1)
	go func() {
		u, err := us.Get(ctx, company.users[1].ID)
		second <- result{u, err}
	}()
	select {
	case <-g.entered:
	case r := <-second:
		t.Fatalf("the second read did not wait for a listing: %+v, %v", r.u, r.err)
	}
	name := "Written During Load"
	during, err := us.Update(ctx, company.users[3].ID, UserPatch{DisplayName: &name})
	if err != nil || during.DisplayName != name {
		t.Fatalf("update: %+v, %v", during, err)
	}
	newName := "renamed@example.com"
	oldName := company.users[5].UserName
	renamed, err := us.Update(ctx, company.users[5].ID, UserPatch{UserName: &newName})
	if err != nil {
		t.Fatal(err)
	}
	g.open()
	if r := <-second; r.err != nil || r.u != company.want(t, company.users[1].ID) {
		t.Fatalf("the read that started the listing: %+v, %v", r.u, r.err)
	}

	after, err := us.Deactivate(ctx, company.users[4].ID)
	if err != nil || after.Active {
		t.Fatalf("deactivate: %+v, %v", after, err)
	}
	company.ResetRequests()
	for _, want := range []User{during, after, renamed} {
		if got, err := us.Get(ctx, want.ID); err != nil || got != want {
			t.Errorf("got %+v, %v; want the write's %+v", got, err, want)
		}
	}
	if got, err := us.FindByUserName(ctx, "Renamed@Example.com"); err != nil || got != renamed {
		t.Errorf("find by the new name: got %+v, %v; want %+v", got, err, renamed)
	}
	if n := company.TotalRequests(); n != 0 {
		t.Errorf("requests %s for written users, want none", company.summary())
	}
	if got, err := us.FindByUserName(ctx, oldName); !errors.Is(err, ErrNotFound) {
		t.Errorf("find by the old name: got %+v, %v; want ErrNotFound", got, err)
	}
}

// A read waiting for the count or the listing gives up when its context
// ends, and what it waited for goes on for the others.
func TestUsersWaitHonoursContext(t *testing.T) {
	for _, kind := range []string{reqCount, reqPage} {
		t.Run(kind, func(t *testing.T) {
			g := newGate(kind)
			company := newTenant(t, 10, tenantOptions{wrap: g.wrap})
			t.Cleanup(g.open)
			us := company.newUsers(DirectoryOptions{})
			readPastGate(t, us, g, company.users[0].ID)

			ctx, cancel := context.WithCancel(t.Context())
			waiting := make(chan error, 1)
			go func() {
				_, err := us.Get(ctx, company.users[1].ID)
				waiting <- err
			}()
			select {
			case <-g.entered:
			case err := <-waiting:
				t.Fatalf("the read did not wait for the %s: %v", kind, err)
			}
			cancel()
			// The gate is still shut: only the cancellation can end the read.
			err := <-waiting
			var e *Error
			if !errors.Is(err, context.Canceled) || errors.Is(err, ErrNotFound) || !errors.As(err, &e) || e.Operation != "get user "+company.users[1].ID {
				t.Errorf("cancelled read: got %v, want a *Error for the read matching context.Canceled", err)
			}

			g.open()
			company.checkAll(t, readAll(t, us, ids(company.users[2:]), terraformParallelism), ids(company.users[2:]))
			if company.listings() != 1 || company.requests(reqCount) != 1 || company.requests(reqGet) != 1 {
				t.Errorf("requests %s; want the one count and listing to serve every later read", company.summary())
			}
		})
	}
}

// Many readers, writers and finds at once, with a listing of several
// pages loading: run with -race.
func TestUsersConcurrentUse(t *testing.T) {
	company := newTenant(t, 200, tenantOptions{})
	us := company.newUsers(DirectoryOptions{PageSize: 50})
	var wg sync.WaitGroup
	for i, u := range company.users {
		wg.Go(func() {
			if i%3 == 0 {
				name := fmt.Sprintf("Written %d", i)
				if _, err := us.Update(t.Context(), u.ID, UserPatch{DisplayName: &name}); err != nil {
					t.Error(err)
				}
			}
			got, err := us.Get(t.Context(), u.ID)
			if err != nil || got.ID != u.ID {
				t.Errorf("get %s: %+v, %v", u.ID, got, err)
			}
			found, err := us.FindByUserName(t.Context(), strings.ToUpper(u.UserName))
			if err != nil || found.ID != u.ID {
				t.Errorf("find %s: %+v, %v", u.UserName, found, err)
			}
		})
	}
	wg.Wait()
	for i, u := range company.users {
		got, err := us.Get(t.Context(), u.ID)
		if err != nil || got != company.want(t, u.ID) || (i%3 == 0) != strings.HasPrefix(got.DisplayName, "Written") {
			t.Errorf("after the run, %s: %+v, %v; want %+v", u.ID, got, err, company.want(t, u.ID))
		}
	}
}

// Exact userName = 1 request: the filter.
func TestFindByUserNameExact(t *testing.T) {
	company := newTenant(t, 1000, tenantOptions{})
	us := company.newUsers(DirectoryOptions{})
	target := company.want(t, company.users[500].ID)
	if got, err := us.FindByUserName(t.Context(), target.UserName); err != nil || got != target {
		t.Fatalf("got %+v, %v", got, err)
	}
	if company.TotalRequests() != 1 || company.requests(reqFind) != 1 {
		t.Errorf("requests %s, want 1 filter", company.summary())
	}
}

// TeamViewer's filter is case-sensitive: a lookup that misses falls back to
// the run's listing, one listing for all such lookups of the run, however
// many there are and however they interleave.
func TestFindByUserNameCaseVariantsShareOneListing(t *testing.T) {
	company := newTenant(t, 1000, tenantOptions{})
	us := company.newUsers(DirectoryOptions{PageSize: 100})
	first := company.want(t, company.users[0].ID)
	if got, err := us.FindByUserName(t.Context(), strings.ToUpper(first.UserName)); err != nil || got != first {
		t.Fatalf("got %+v, %v; want %+v", got, err, first)
	}
	if company.requests(reqFind) != 1 || company.requests(reqPage) != 10 || company.TotalRequests() != 11 {
		t.Errorf("first case variant: requests %s; want the filter and the 10 pages of one listing", company.summary())
	}

	fresh := newTenant(t, 1000, tenantOptions{})
	us = fresh.newUsers(DirectoryOptions{PageSize: 100})
	lookups := spread(fresh.users, 200)
	var wg sync.WaitGroup
	next := make(chan string)
	for range terraformParallelism {
		wg.Go(func() {
			for id := range next {
				want := fresh.want(t, id)
				if got, err := us.FindByUserName(t.Context(), strings.ToUpper(want.UserName)); err != nil || got != want {
					t.Errorf("got %+v, %v; want %+v", got, err, want)
				}
			}
		})
	}
	for _, id := range lookups {
		next <- id
	}
	close(next)
	wg.Wait()
	if limit := len(lookups) + 10 + 2; fresh.TotalRequests() > limit || fresh.listings() != 1 {
		t.Errorf("200 case-variant lookups: requests %s; want 1 listing and at most %d requests", fresh.summary(), limit)
	}
}

// A loaded listing answers finds by its index of folded user names, with no
// request, for every case variant strings.EqualFold accepts.
func TestFindByUserNameFromTheListing(t *testing.T) {
	company := newTenant(t, 1000, tenantOptions{})
	kelvin := company.AddUser(emulator.User{UserName: "kelvin@example.com", DisplayName: "K", Active: true})
	strasse := company.AddUser(emulator.User{UserName: "straße@example.com", DisplayName: "S", Active: true})
	us := company.newUsers(DirectoryOptions{})
	readAll(t, us, ids(company.users[:10]), terraformParallelism)
	if company.listings() != 1 {
		t.Fatalf("requests %s, want 1 listing", company.summary())
	}
	company.ResetRequests()
	for query, id := range map[string]string{
		strings.ToUpper(company.users[999].UserName): company.users[999].ID,
		"\u212aELVIN@example.com":                    kelvin.ID, // KELVIN SIGN folds to k
		"STRAẞE@EXAMPLE.COM":                         strasse.ID,
		company.users[3].UserName:                    company.users[3].ID,
	} {
		if got, err := us.FindByUserName(t.Context(), query); err != nil || got != company.want(t, id) {
			t.Errorf("find %q: got %+v, %v; want %s", query, got, err, id)
		}
	}
	if n := company.TotalRequests(); n != 0 {
		t.Errorf("requests %s for users in the listing, want none", company.summary())
	}

	// A user created after the listing is still found, by the filter.
	late := company.AddUser(emulator.User{UserName: "late@example.com", DisplayName: "Late", Active: true})
	if got, err := us.FindByUserName(t.Context(), late.UserName); err != nil || got.ID != late.ID {
		t.Errorf("user created after the listing: got %+v, %v", got, err)
	}
	if _, err := us.FindByUserName(t.Context(), "nobody@example.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user: got %v, want ErrNotFound", err)
	}
}

// foldKey must put together exactly the strings strings.EqualFold calls
// equal, or the listing's index would miss users or mix them up.
func TestFoldKey(t *testing.T) {
	same := [][2]string{{"Jane@Example.com", "jane@example.COM"}, {"\u212a", "k"}, {"ß", "ẞ"}, {"Σ", "ς"}, {"ǅ", "ǆ"}}
	for _, p := range same {
		if foldKey(p[0]) != foldKey(p[1]) || !strings.EqualFold(p[0], p[1]) {
			t.Errorf("%q and %q: foldKey %q and %q", p[0], p[1], foldKey(p[0]), foldKey(p[1]))
		}
	}
	for _, p := range [][2]string{{"ss", "ß"}, {"i", "ı"}, {"a@b.c", "a@b.cc"}} {
		if foldKey(p[0]) == foldKey(p[1]) {
			t.Errorf("%q and %q share the key %q, but EqualFold tells them apart", p[0], p[1], foldKey(p[0]))
		}
	}
}

// The userName table of the former Client lookup, now through Users against
// the emulator: quoting reaches the server intact, a prefix is no match, and
// each lookup costs the filter, plus one listing when the filter misses.
func TestFindByUserNameTable(t *testing.T) {
	stored := []emulator.User{
		{UserName: "jane@example.com", DisplayName: "Jane", Active: true},
		{UserName: "Mixed.Case@Example.com", DisplayName: "Mixed", Active: true},
		{UserName: `o"brien\x@example.com`, DisplayName: "Quote", Active: true},
	}
	tests := []struct {
		query    string
		want     int // index into stored; -1 = not found
		requests int
	}{
		{"jane@example.com", 0, 1},
		{"Jane@Example.COM", 0, 2},
		{"MIXED.CASE@EXAMPLE.COM", 1, 2},
		{"Mixed.Case@Example.com", 1, 1},
		{`o"brien\x@example.com`, 2, 1},
		{strings.ToUpper(`o"brien\x@example.com`), 2, 2},
		{"nobody@example.com", -1, 2},
		{"jane@example.com.evil.test", -1, 2},
		{"jane@example", -1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			company := newTenant(t, 0, tenantOptions{})
			var added []emulator.User
			for _, u := range stored {
				added = append(added, company.AddUser(u))
			}
			u, err := company.newUsers(DirectoryOptions{}).FindByUserName(t.Context(), tt.query)
			if tt.want < 0 {
				if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tt.query) || asError(t, err).Hint() != "" {
					t.Errorf("got %+v, %v; want ErrNotFound naming the userName, without hint", u, err)
				}
			} else if err != nil || u != fromEmulator(added[tt.want]) {
				t.Errorf("got %+v, %v; want %+v", u, err, added[tt.want])
			}
			if n := company.TotalRequests(); n != tt.requests || company.listings() > 1 {
				t.Errorf("requests %s, want %d", company.summary(), tt.requests)
			}
		})
	}
}

// ignoreFilters makes the emulator answer every list request as if it had
// no filter, as some servers do.
func ignoreFilters(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		q.Del("filter")
		r = r.Clone(r.Context())
		r.URL.RawQuery = q.Encode()
		next.ServeHTTP(w, r)
	})
}

// A server that ignores the filter returns users with other userNames; they
// are never taken for the one asked for, and an exact match beats one that
// differs in case, whatever the order.
func TestFindByUserNameServerIgnoresFilter(t *testing.T) {
	company := newTenant(t, 0, tenantOptions{wrap: ignoreFilters})
	alice := company.AddUser(emulator.User{UserName: "alice@example.com", Active: true})
	company.AddUser(emulator.User{UserName: "bob@example.com", Active: true})
	bobToo := company.AddUser(emulator.User{UserName: "Bob@example.com", Active: true})
	us := company.newUsers(DirectoryOptions{})

	if u, err := us.FindByUserName(t.Context(), "carol@example.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %+v, %v; want ErrNotFound", u, err)
	}
	if u, err := us.FindByUserName(t.Context(), "Bob@example.com"); err != nil || u.ID != bobToo.ID {
		t.Errorf("got %+v, %v; want %s", u, err, bobToo.ID)
	}
	if u, err := us.FindByUserName(t.Context(), "ALICE@example.com"); err != nil || u.ID != alice.ID {
		t.Errorf("got %+v, %v; want the only case-insensitive match %s", u, err, alice.ID)
	}
}

// Two users whose userNames differ only in case, and neither spelled as
// asked: either could be meant, so the lookup fails naming both, rather than
// binding the wrong user; from the server, from a loaded listing, and from a
// server that ignores filters.
func TestFindByUserNameAmbiguous(t *testing.T) {
	for name, o := range map[string]struct {
		wrap    func(http.Handler) http.Handler
		listing bool
	}{
		"server":          {},
		"listing":         {listing: true},
		"filters ignored": {wrap: ignoreFilters},
	} {
		t.Run(name, func(t *testing.T) {
			company := newTenant(t, 10, tenantOptions{wrap: o.wrap})
			bob := company.AddUser(emulator.User{UserName: "bob@example.com", Active: true})
			bobToo := company.AddUser(emulator.User{UserName: "Bob@Example.com", Active: true})
			us := company.newUsers(DirectoryOptions{})
			if o.listing {
				readAll(t, us, ids(company.users), terraformParallelism)
			}
			u, err := us.FindByUserName(t.Context(), "BOB@example.com")
			want := []string{bob.ID + " (bob@example.com)", bobToo.ID + " (Bob@Example.com)"}
			if err == nil || errors.Is(err, ErrNotFound) || !containsAll(err.Error(), want...) {
				t.Errorf("got %+v, %v; want an error naming %q", u, err, want)
			}
			if e := asError(t, err); e.Operation != "find user BOB@example.com" {
				t.Errorf("operation %q", e.Operation)
			}
			// The exact spelling is no ambiguity.
			if u, err := us.FindByUserName(t.Context(), bobToo.UserName); err != nil || u.ID != bobToo.ID {
				t.Errorf("exact: got %+v, %v; want %s", u, err, bobToo.ID)
			}
		})
	}
}

// Before the listing, the run's writes are not all users: a write matching
// only without regard to case must not hide the exact match on the server.
func TestFindByUserNameWritesBeforeTheListing(t *testing.T) {
	company := newTenant(t, 10, tenantOptions{})
	bob := company.AddUser(emulator.User{UserName: "bob@example.com", Active: true})
	bobToo := company.AddUser(emulator.User{UserName: "Bob@Example.com", Active: true})
	us := company.newUsers(DirectoryOptions{})
	name := "Bob Written"
	written, err := us.Update(t.Context(), bob.ID, UserPatch{DisplayName: &name})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := us.FindByUserName(t.Context(), bobToo.UserName); err != nil || got.ID != bobToo.ID {
		t.Errorf("got %+v, %v; want the exact match %s from the server", got, err, bobToo.ID)
	}
	company.ResetRequests()
	if got, err := us.FindByUserName(t.Context(), bob.UserName); err != nil || got != written || company.TotalRequests() != 0 {
		t.Errorf("exact written match: got %+v, %v after requests %s; want %+v without a request", got, err, company.summary(), written)
	}
}

func TestFindByUserNameErrors(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, `{"error":"invalid_permission"}`)
	}, nil)
	us := NewUsers(c, DirectoryOptions{})
	if _, err := us.FindByUserName(t.Context(), "jane@example.com"); !errors.Is(err, ErrForbidden) {
		t.Errorf("got %v, want ErrForbidden", err)
	}
	if _, err := us.FindByUserName(t.Context(), ""); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("empty userName: got %v", err)
	}
}

// When the exact filter misses and the listing that would compare without
// regard to case fails, the lookup cannot tell: it must fail, not report the
// user missing (an import or a data source would say "no such user", and a
// create refused as a duplicate would blame an account outside the company).
func TestFindByUserNameListingFailureIsNoNotFound(t *testing.T) {
	company := newTenant(t, 10, tenantOptions{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if kindOfRequest(r) == reqPage {
				writeJSON(w, http.StatusBadRequest, `{"status":"400","scimType":"tooMany","detail":"listing refused"}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	us := company.newUsers(DirectoryOptions{})
	_, err := us.FindByUserName(t.Context(), strings.ToUpper(company.users[0].UserName))
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "listing the users") {
		t.Errorf("got %v, want an error saying the listing failed, not ErrNotFound", err)
	}
}

// List and EachPage read every page of a filtered or unfiltered listing;
// an error from the page callback stops the listing.
func TestUsersListAndEachPage(t *testing.T) {
	company := newTenant(t, 25, tenantOptions{})
	company.Update(company.users[3].ID, func(u *emulator.User) { u.Active = false })
	us := company.newUsers(DirectoryOptions{})

	all, err := us.List(t.Context(), ListOptions{PageSize: 10})
	if err != nil || len(all) != 25 || all[3] != company.want(t, company.users[3].ID) {
		t.Fatalf("got %d users, %v", len(all), err)
	}
	inactive, err := us.List(t.Context(), ListOptions{Filter: "active eq false"})
	if err != nil || len(inactive) != 1 || inactive[0].ID != company.users[3].ID {
		t.Errorf("filtered: got %+v, %v", inactive, err)
	}

	company.ResetRequests()
	var sizes []int
	stop := errors.New("stop")
	err = us.EachPage(t.Context(), ListOptions{PageSize: 10}, func(page []User) error {
		sizes = append(sizes, len(page))
		if len(sizes) == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || fmt.Sprint(sizes) != "[10 10]" || company.requests(reqPage) != 2 {
		t.Errorf("got %v after pages %v and requests %s; want the callback's error after 2 pages", err, sizes, company.summary())
	}
}

// A mistyped tenant URL answers 404 to every request. That must not read as
// "every user is gone", which would make the provider drop them all from
// state, whether Users reads singly, would list, or is disabled; and the
// check costs one request for the run.
func TestUsersWrongBaseURLIsNoNotFound(t *testing.T) {
	for name, opts := range map[string]DirectoryOptions{
		"default":  {},
		"disabled": {Disabled: true},
	} {
		t.Run(name, func(t *testing.T) {
			company := newTenant(t, 5, tenantOptions{})
			wrongURL := company.url + basePath + "/v3"
			us := NewUsers(newTestClient(t, wrongURL, nil), opts)
			errs := map[string]error{}
			for _, u := range company.users {
				_, errs["get user "+u.ID] = us.Get(t.Context(), u.ID)
			}
			_, errs["find user "+company.users[1].UserName] = us.FindByUserName(t.Context(), company.users[1].UserName)
			name := "renamed@example.com"
			_, errs["patch user "+company.users[2].ID] = us.Update(t.Context(), company.users[2].ID, UserPatch{UserName: &name})
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
			if n := company.requests(reqCount); n != 1 {
				t.Errorf("%d checks of the endpoint, want 1 for the run", n)
			}
			if company.requests(reqPage) != 0 {
				t.Errorf("requests %s; want no listing of an endpoint that is not there", company.summary())
			}
		})
	}
}

// Concurrent misses share one check, whether it succeeds or fails, and a
// miss waiting for it never reports the user gone when its context ends.
func TestUsersConfirmOnce(t *testing.T) {
	for name, path := range map[string]string{"right URL": basePath, "wrong URL": basePath + "/v3"} {
		t.Run(name, func(t *testing.T) {
			g := newGate(reqCount)
			answered := make(chan struct{}, 2*terraformParallelism)
			company := newTenant(t, 5, tenantOptions{wrap: func(next http.Handler) http.Handler {
				held := g.wrap(next)
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					held.ServeHTTP(w, r)
					if kindOfRequest(r) == reqGet {
						answered <- struct{}{}
					}
				})
			}})
			t.Cleanup(g.open)
			us := NewUsers(newTestClient(t, company.url+path, nil), DirectoryOptions{Disabled: true})

			ctx, cancel := context.WithCancel(t.Context())
			cancelled := make(chan error, 1)
			go func() {
				_, err := us.Get(ctx, "u9000000")
				cancelled <- err
			}()
			select {
			case <-g.entered:
			case err := <-cancelled:
				t.Fatalf("the miss did not wait for a check of the endpoint: %v", err)
			}
			cancel()
			if err := <-cancelled; !errors.Is(err, context.Canceled) || errors.Is(err, ErrNotFound) || asError(t, err).Operation != "get user u9000000" {
				t.Errorf("cancelled miss: got %v, want a *Error for the read matching context.Canceled and not ErrNotFound", err)
			}

			results := make(chan error, 2*terraformParallelism)
			for i := range 2 * terraformParallelism {
				go func() {
					_, err := us.Get(t.Context(), fmt.Sprintf("u%07d", 9000001+i))
					results <- err
				}()
			}
			// Every miss has its 404 before the check may answer.
			for range 2*terraformParallelism + 1 {
				<-answered
			}
			g.open()
			for range 2 * terraformParallelism {
				if err := <-results; errors.Is(err, ErrNotFound) != (path == basePath) {
					t.Errorf("got %v, want ErrNotFound: %t", err, path == basePath)
				}
			}
			if n := company.requests(reqCount); n != 1 {
				t.Errorf("%d checks, want the one the cancelled miss started", n)
			}
		})
	}
}

// Any answered request proves the Users endpoint: after a successful read,
// find, list or write, or a listing, a miss costs no check of its own.
func TestUsersNoCheckAfterAnAnswer(t *testing.T) {
	name := "New Name"
	for what, answer := range map[string]func(ctx context.Context, us *Users, id string) error{
		"read": func(ctx context.Context, us *Users, id string) error { _, err := us.Get(ctx, id); return err },
		"find": func(ctx context.Context, us *Users, id string) error {
			_, err := us.FindByUserName(ctx, "user00001@example.com")
			return err
		},
		"find miss": func(ctx context.Context, us *Users, _ string) error {
			if _, err := us.FindByUserName(ctx, "nobody@example.com"); !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("got %w, want ErrNotFound", err)
			}
			return nil
		},
		"list": func(ctx context.Context, us *Users, _ string) error {
			_, err := us.List(ctx, ListOptions{})
			return err
		},
		"update": func(ctx context.Context, us *Users, id string) error {
			_, err := us.Update(ctx, id, UserPatch{DisplayName: &name})
			return err
		},
	} {
		t.Run(what, func(t *testing.T) {
			company := newTenant(t, 10, tenantOptions{})
			us := company.newUsers(DirectoryOptions{Disabled: true})
			if err := answer(t.Context(), us, company.users[0].ID); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"u9999998", "u9999999"} {
				if _, err := us.Get(t.Context(), id); !errors.Is(err, ErrNotFound) {
					t.Fatalf("got %v, want ErrNotFound", err)
				}
			}
			if n := company.requests(reqCount); n != 0 {
				t.Errorf("requests %s; want no check", company.summary())
			}
		})
	}

	t.Run("listing", func(t *testing.T) {
		company := newTenant(t, 10, tenantOptions{})
		us := company.newUsers(DirectoryOptions{})
		readAll(t, us, ids(company.users), terraformParallelism)
		if _, err := us.Get(t.Context(), "u9999999"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
		if n := company.requests(reqCount); n != 1 {
			t.Errorf("requests %s; want only the count the listing needed", company.summary())
		}
	})
}

// Misses of Get, Update and Deactivate are ErrNotFound on the right URL,
// and ConfirmNotFound leaves other errors alone.
func TestUsersConfirmNotFound(t *testing.T) {
	company := newTenant(t, 5, tenantOptions{})
	us := company.newUsers(DirectoryOptions{Disabled: true})
	name := "x"
	for op, call := range map[string]func() error{
		"get":        func() error { _, err := us.Get(t.Context(), "u9999999"); return err },
		"update":     func() error { _, err := us.Update(t.Context(), "u9999999", UserPatch{DisplayName: &name}); return err },
		"deactivate": func() error { _, err := us.Deactivate(t.Context(), "u9999999"); return err },
	} {
		if err := call(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: got %v, want ErrNotFound", op, err)
		}
	}
	if n := company.requests(reqCount); n != 1 {
		t.Errorf("requests %s, want 1 check", company.summary())
	}
	other := errors.New("other")
	if err := us.ConfirmNotFound(t.Context(), other); !errors.Is(err, other) {
		t.Errorf("got %v, want the error unchanged", err)
	}
	if err := us.ConfirmNotFound(t.Context(), nil); err != nil {
		t.Errorf("got %v for nil", err)
	}
}

// The run's view of a user written by Deactivate is what TeamViewer
// answered, and the emulator has it so.
func TestUsersDeactivate(t *testing.T) {
	company := newTenant(t, 3, tenantOptions{})
	us := company.newUsers(DirectoryOptions{})
	u, err := us.Deactivate(t.Context(), company.users[1].ID)
	if err != nil || u.Active || u != company.want(t, company.users[1].ID) {
		t.Fatalf("got %+v, %v", u, err)
	}
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
	if patches := bodiesOf(company, http.MethodPatch); len(patches) != 1 || patches[0] != want {
		t.Errorf("sent %q, want the one PATCH %s", patches, want)
	}
}
