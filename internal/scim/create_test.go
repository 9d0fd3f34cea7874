package scim

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// The wrappers below play what the emulator cannot: a gateway between the
// client and TeamViewer that loses answers, answers before TeamViewer has
// acted, or rewrites what passes. Everything they pass on is the emulator's.

// onPOSTs hands the first n POSTs (n < 0: every POST) to post, and every
// other request to the emulator.
func onPOSTs(n int, post func(next http.Handler, w http.ResponseWriter, r *http.Request)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var (
			mu   sync.Mutex
			seen int
		)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				mu.Lock()
				seen++
				mine := n < 0 || seen <= n
				mu.Unlock()
				if mine {
					post(next, w, r)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// commitThen lets the emulator carry out the first POST, then answers
// status instead of the emulator's answer: TeamViewer acted, and the
// gateway lost the answer.
func commitThen(status int) func(http.Handler) http.Handler {
	return onPOSTs(1, func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		hold(r).serveTo(next)
		writeJSON(w, status, fmt.Sprintf(`{"status":"%d","detail":"gateway error"}`, status))
	})
}

// editJSON applies edit to a JSON object body.
func editJSON(t *testing.T, body []byte, edit func(map[string]any)) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Errorf("body %s: %v", body, err)
		return body
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Error(err)
	}
	return out
}

// lowerUserName stores the userName of a request body in lower case, as
// TeamViewer might.
func lowerUserName(m map[string]any) {
	name, _ := m["userName"].(string)
	m["userName"] = strings.ToLower(name)
}

// lateCommit answers the first POST 504 at once, as a gateway that gave up
// waiting, and keeps it; commit hands it to the emulator, as TeamViewer
// finishing the request behind the gateway would, when the test says so.
type lateCommit struct {
	next http.Handler
	// beforeResend, when set, runs when the second POST arrives, before
	// the emulator sees it.
	beforeResend func()

	mu    sync.Mutex
	posts int
	held  heldRequest
}

func (lc *lateCommit) wrap(next http.Handler) http.Handler {
	lc.next = next
	return lc
}

func (lc *lateCommit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		lc.mu.Lock()
		lc.posts++
		n := lc.posts
		if n == 1 {
			lc.held = hold(r)
		}
		lc.mu.Unlock()
		switch {
		case n == 1:
			writeJSON(w, http.StatusGatewayTimeout, `{"status":"504","detail":"upstream timed out"}`)
			return
		case n == 2 && lc.beforeResend != nil:
			lc.beforeResend()
		}
	}
	lc.next.ServeHTTP(w, r)
}

// commit hands the held POST to the emulator and returns its status.
func (lc *lateCommit) commit() int {
	lc.mu.Lock()
	held := lc.held
	lc.mu.Unlock()
	return held.serveTo(lc.next).Code
}

// onlyUser returns the one user the emulator has with userName, without
// regard to case, or fails the test: none means the create orphaned
// nothing but also created nothing, two mean it created a duplicate.
func onlyUser(t *testing.T, tn *tenant, userName string) User {
	t.Helper()
	users := tn.UsersByUserName(userName)
	if len(users) != 1 {
		t.Fatalf("the emulator has %d users named %s: %+v", len(users), userName, users)
	}
	return fromEmulator(users[0])
}

var jane = NewUser{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true}

// A 201 is the new user; what a create sends reaches TeamViewer, the
// create-only attributes included; and the run reads it back as created.
func TestCreate(t *testing.T) {
	company := newTenant(t, 0, tenantOptions{})
	us := company.newUsers(DirectoryOptions{})
	res, err := us.Create(t.Context(), NewUser{
		UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true,
		Password: testPassword, PreferredLanguage: "de_DE", SSOCustomerID: "cust-1",
	})
	if err != nil || res.Outcome != Created {
		t.Fatalf("got %+v, %v; want Created", res, err)
	}
	stored := onlyUser(t, company, "jane@example.com")
	want := User{ID: stored.ID, UserName: "jane@example.com", DisplayName: "Jane Doe", GivenName: "Jane", FamilyName: "Doe", Active: true}
	if res.User != want || stored != want {
		t.Errorf("got %+v, the emulator has %+v; want %+v", res.User, stored, want)
	}
	if u, _ := company.User(stored.ID); u.Password != testPassword || u.PreferredLanguage != "de_DE" || u.SSOCustomerID != "cust-1" {
		t.Errorf("the emulator stored the create-only attributes as %+v", u)
	}
	var sent struct{ Schemas []string }
	if posts := bodiesOf(company, http.MethodPost); len(posts) != 1 || json.Unmarshal([]byte(posts[0]), &sent) != nil ||
		fmt.Sprint(sent.Schemas) != "[urn:ietf:params:scim:schemas:core:2.0:User urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser]" {
		t.Errorf("sent %q", posts)
	}
	if n := company.TotalRequests(); n != 1 {
		t.Errorf("requests %s, want the POST only", company.summary())
	}

	if got, err := us.Get(t.Context(), stored.ID); err != nil || got != want || company.TotalRequests() != 1 {
		t.Errorf("read back: got %+v, %v after requests %s; want the created user without a request", got, err, company.summary())
	}
}

// A 2xx answer to the POST is never second-guessed: not when TeamViewer
// derives values (the name parts), nor when it returns the user other than
// sent (a normalised user name, another display name). No lookup follows.
func TestCreateNeverSecondGuessesASuccess(t *testing.T) {
	company := newTenant(t, 0, tenantOptions{wrap: onPOSTs(-1, func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		rec := hold(r).serveTo(next)
		writeJSON(w, rec.Code, string(editJSON(t, rec.Body.Bytes(), func(m map[string]any) {
			name, _ := m["userName"].(string)
			m["userName"] = strings.ToUpper(name)
			m["displayName"] = "Jane Q. Doe"
		})))
	})})
	res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), jane)
	stored := onlyUser(t, company, jane.UserName)
	want := User{ID: stored.ID, UserName: "JANE@EXAMPLE.COM", DisplayName: "Jane Q. Doe", GivenName: "Jane", FamilyName: "Doe", Active: true}
	if err != nil || res.Outcome != Created || res.User != want {
		t.Errorf("got %+v, %v; want Created with %+v", res, err, want)
	}
	if n := company.TotalRequests(); n != 1 {
		t.Errorf("requests %s, want the POST only", company.summary())
	}
}

// TeamViewer carries out the POST, and its answer is lost: a gateway error,
// a dropped connection, a proxy's page. The create finds the user it made
// with one exact-filter lookup, no paging even in a company of 5,000, and
// creates no duplicate; a later create of the name in the run knows it.
func TestCreateAfterALostAnswer(t *testing.T) {
	for name, o := range map[string]tenantOptions{
		"500":                {wrap: commitThen(http.StatusInternalServerError)},
		"502":                {wrap: commitThen(http.StatusBadGateway)},
		"503":                {wrap: commitThen(http.StatusServiceUnavailable)},
		"504":                {wrap: commitThen(http.StatusGatewayTimeout)},
		"dropped connection": {emulator: emulator.Options{Faults: emulator.Faults{DropAfterWrite: 1}}},
		"HTML 200 from a proxy": {wrap: onPOSTs(1, func(next http.Handler, w http.ResponseWriter, r *http.Request) {
			hold(r).serveTo(next)
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html>ok</html>")
		})},
	} {
		t.Run(name, func(t *testing.T) {
			company := newTenant(t, 5000, o)
			us := company.newUsers(DirectoryOptions{})
			res, err := us.Create(t.Context(), jane)
			stored := onlyUser(t, company, jane.UserName)
			if err != nil || res.Outcome != Recovered || res.User != stored {
				t.Fatalf("got %+v, %v; want Recovered with %+v", res, err, stored)
			}
			if company.requests(reqPost) != 1 || company.requests(reqFind) != 1 || company.TotalRequests() > 3 {
				t.Errorf("requests %s; want the POST and the exact-filter lookup", company.summary())
			}
			company.SetFaults(emulator.Faults{})

			again := jane
			again.UserName = "JANE@example.com"
			_, err = us.Create(t.Context(), again)
			var exists *UserExistsError
			if !errors.As(err, &exists) || !exists.CreatedHere || exists.User.ID != stored.ID {
				t.Errorf("second create of the name: got %v, want a *UserExistsError created here for %s", err, stored.ID)
			}
		})
	}
}

// A lost answer after TeamViewer stored the user name in another case: the
// case-sensitive lookup misses it, the resent POST meets it as a duplicate,
// and that path, which compares without regard to case, recovers it.
func TestCreateAfterALostAnswerStoredInAnotherCase(t *testing.T) {
	company := newTenant(t, 20, tenantOptions{wrap: onPOSTs(1, func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		h := hold(r)
		h.body = editJSON(t, h.body, lowerUserName)
		h.serveTo(next)
		writeJSON(w, http.StatusBadGateway, `{"status":"502"}`)
	})})
	u := jane
	u.UserName = "Jane@Example.com"
	res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), u)
	stored := onlyUser(t, company, u.UserName)
	if err != nil || res.Outcome != Recovered || res.User != stored || stored.UserName != "jane@example.com" {
		t.Errorf("got %+v, %v; want Recovered with %+v", res, err, stored)
	}
	if company.requests(reqPost) != 2 {
		t.Errorf("requests %s; want the POST and its resend", company.summary())
	}
}

// A gateway answers 504 before TeamViewer has acted, and TeamViewer acts on
// the POST later. If that happens before the resend, the resend meets the
// user as a duplicate of itself: Recovered, not someone else's user. If it
// happens after, the resend created the user and the late POST is refused.
// Either way the emulator ends with one user of the name.
func TestCreateLateCommit(t *testing.T) {
	t.Run("before the resend", func(t *testing.T) {
		lc := &lateCommit{}
		lc.beforeResend = func() {
			if status := lc.commit(); status != http.StatusCreated {
				t.Errorf("the late POST: status %d, want 201", status)
			}
		}
		company := newTenant(t, 10, tenantOptions{wrap: lc.wrap})
		res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), jane)
		stored := onlyUser(t, company, jane.UserName)
		if err != nil || res.Outcome != Recovered || res.User != stored {
			t.Errorf("got %+v, %v; want Recovered with %+v", res, err, stored)
		}
	})
	t.Run("after the resend", func(t *testing.T) {
		lc := &lateCommit{}
		company := newTenant(t, 5000, tenantOptions{wrap: lc.wrap})
		res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), jane)
		if status := lc.commit(); status != http.StatusConflict {
			t.Errorf("the late POST: status %d, want 409", status)
		}
		stored := onlyUser(t, company, jane.UserName)
		if err != nil || res.Outcome != Created || res.User != stored {
			t.Errorf("got %+v, %v; want Created with %+v", res, err, stored)
		}
		// The lookup that found nobody was the exact filter alone: paging a
		// company of 5,000 after every failed POST would slow a slow server.
		if company.requests(reqFind) != 1 || company.requests(reqPage) != 0 || company.requests(reqCount) != 0 {
			t.Errorf("requests %s; want one exact-filter lookup and no paging", company.summary())
		}
	})
}

// The first POST refused as a duplicate means the name was taken before
// this create, whichever status TeamViewer uses for it: an active user is
// left alone (*UserExistsError), a deactivated one is adopted, set to the
// planned values with one PATCH and without the create-only attributes.
func TestCreateExistingUser(t *testing.T) {
	const (
		oldName = "Old Name"
		patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[%s]}`
	)
	for _, status := range []int{0, http.StatusBadRequest} {
		opts := tenantOptions{emulator: emulator.Options{DuplicateStatus: status}}
		wantStatus := cmp.Or(status, http.StatusConflict)
		t.Run(fmt.Sprintf("duplicate status %d, active", wantStatus), func(t *testing.T) {
			// The same display name too: only a resent POST may take a user
			// like the planned one for its own, never the first.
			for _, existingName := range []string{oldName, jane.DisplayName} {
				for _, userName := range []string{"jane@example.com", "JANE@Example.com"} {
					company := newTenant(t, 10, opts)
					existing := company.AddUser(emulator.User{UserName: "jane@example.com", DisplayName: existingName, Active: true})
					u := jane
					u.UserName = userName
					res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), u)
					var exists *UserExistsError
					if !errors.As(err, &exists) || exists.User != fromEmulator(existing) || exists.CreatedHere || exists.UserName != userName {
						t.Fatalf("create %s: got %+v, %v; want a *UserExistsError with %+v", userName, res, err, existing)
					}
					if e := asError(t, err); e.StatusCode != wantStatus || res.User.ID != "" {
						t.Errorf("cause %+v, result %+v", e, res)
					}
					if !strings.Contains(err.Error(), existing.ID) {
						t.Errorf("error %q does not name %s", err, existing.ID)
					}
					if company.requests(reqPost) != 1 || company.requests(reqPatch) != 0 || company.want(t, existing.ID) != fromEmulator(existing) {
						t.Errorf("requests %s; want one POST and the user untouched", company.summary())
					}
				}
			}
		})
		t.Run(fmt.Sprintf("duplicate status %d, deactivated", wantStatus), func(t *testing.T) {
			tests := []struct {
				name     string
				create   NewUser
				wantName string // the adopted user's userName
				wantOps  string
			}{
				{"activated", NewUser{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true, Password: testPassword, PreferredLanguage: "de_DE"},
					"jane@example.com", `{"op":"replace","path":"displayName","value":"Jane Doe"},{"op":"replace","path":"active","value":true}`},
				{"kept inactive", NewUser{UserName: "jane@example.com", DisplayName: "Jane Doe"},
					"jane@example.com", `{"op":"replace","path":"displayName","value":"Jane Doe"}`},
				// The address is the same; a rename would only send a verification email.
				{"name in another case", NewUser{UserName: "Jane@Example.com", DisplayName: "Jane Doe", Active: true},
					"jane@example.com", `{"op":"replace","path":"displayName","value":"Jane Doe"},{"op":"replace","path":"active","value":true}`},
			}
			for _, tt := range tests {
				company := newTenant(t, 10, opts)
				existing := company.AddUser(emulator.User{UserName: "jane@example.com", DisplayName: oldName})
				res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), tt.create)
				adopted := company.want(t, existing.ID)
				if err != nil || res.Outcome != Adopted || res.User != adopted {
					t.Fatalf("%s: got %+v, %v; want Adopted with %+v", tt.name, res, err, adopted)
				}
				if adopted.UserName != tt.wantName || adopted.DisplayName != "Jane Doe" || adopted.Active != tt.create.Active {
					t.Errorf("%s: the emulator has %+v", tt.name, adopted)
				}
				if patches, want := bodiesOf(company, http.MethodPatch), fmt.Sprintf(patchOp, tt.wantOps); len(patches) != 1 || patches[0] != want {
					t.Errorf("%s: sent %q, want the one PATCH %s", tt.name, patches, want)
				}
				if u, _ := company.User(existing.ID); u.Password != "" || u.PreferredLanguage != "" {
					t.Errorf("%s: create-only attributes reached the adopted user: %+v", tt.name, u)
				}
			}
		})
	}

	// Renamed between the lookup and the adoption's fresh read: the
	// adoption sets the planned user name too.
	t.Run("renamed before the adoption", func(t *testing.T) {
		var company *tenant
		var existing emulator.User
		company = newTenant(t, 10, tenantOptions{wrap: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if kindOfRequest(r) == reqGet {
					company.Update(existing.ID, func(u *emulator.User) { u.UserName = "jane.old@example.com" })
				}
				next.ServeHTTP(w, r)
			})
		}})
		existing = company.AddUser(emulator.User{UserName: "jane@example.com", DisplayName: oldName})
		res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), jane)
		want := fmt.Sprintf(patchOp, `{"op":"replace","path":"userName","value":"jane@example.com"},`+
			`{"op":"replace","path":"displayName","value":"Jane Doe"},{"op":"replace","path":"active","value":true}`)
		if patches := bodiesOf(company, http.MethodPatch); err != nil || res.Outcome != Adopted || len(patches) != 1 || patches[0] != want {
			t.Errorf("got %+v, %v after PATCHes %q; want Adopted after %s", res, err, patches, want)
		}
		if stored := company.want(t, existing.ID); res.User != stored || stored.UserName != jane.UserName {
			t.Errorf("got %+v, the emulator has %+v", res.User, stored)
		}
	})
}

// Adoption is decided on a fresh read of the user: a run whose listing shows
// the user deactivated, but which was reactivated since, leaves it alone.
func TestCreateAdoptionDecidesOnAFreshRead(t *testing.T) {
	company := newTenant(t, 10, tenantOptions{})
	existing := company.AddUser(emulator.User{UserName: "jane@example.com", DisplayName: "Old Name"})
	us := company.newUsers(DirectoryOptions{})
	listed := readAll(t, us, append(ids(company.users), existing.ID), terraformParallelism)
	if company.listings() != 1 || listed[existing.ID].Active {
		t.Fatalf("requests %s, listed %+v; want a listing showing the user deactivated", company.summary(), listed[existing.ID])
	}
	company.Update(existing.ID, func(u *emulator.User) { u.Active = true })

	res, err := us.Create(t.Context(), jane)
	var exists *UserExistsError
	if !errors.As(err, &exists) || exists.User != company.want(t, existing.ID) || exists.CreatedHere {
		t.Errorf("got %+v, %v; want a *UserExistsError with the reactivated user", res, err)
	}
	if n := company.requests(reqPatch); n != 0 {
		t.Errorf("%d PATCHes, want none", n)
	}
}

// Two creates of one deactivated user name in one run, spelled in different
// case (two resources of one configuration): exactly one adopts it, with one
// PATCH, and the other is told that this run manages the user.
func TestCreateConcurrentAdoption(t *testing.T) {
	company := newTenant(t, 10, tenantOptions{})
	existing := company.AddUser(emulator.User{UserName: "pat@example.com", DisplayName: "Old Name"})
	us := company.newUsers(DirectoryOptions{})
	type result struct {
		res CreateResult
		err error
	}
	results := make(chan result, 2)
	var wg sync.WaitGroup
	for _, u := range []NewUser{
		{UserName: "pat@example.com", DisplayName: "Pat One", Active: true},
		{UserName: "Pat@Example.com", DisplayName: "Pat Two", Active: true},
	} {
		wg.Go(func() {
			res, err := us.Create(t.Context(), u)
			results <- result{res, err}
		})
	}
	wg.Wait()
	close(results)
	var adopted, refused int
	for r := range results {
		var exists *UserExistsError
		switch {
		case r.err == nil && r.res.Outcome == Adopted && r.res.User.ID == existing.ID:
			adopted++
		case errors.As(r.err, &exists) && exists.CreatedHere && exists.User.ID == existing.ID:
			refused++
		default:
			t.Errorf("got %+v, %v", r.res, r.err)
		}
	}
	if adopted != 1 || refused != 1 || company.requests(reqPatch) != 1 {
		t.Errorf("%d adopted, %d refused, requests %s; want one of each and one PATCH", adopted, refused, company.summary())
	}
}

// A user this run created inactive for one caller is deactivated, yet it is
// no leftover to adopt for another caller naming it in another case.
func TestCreateNeverAdoptsTheRunsOwnInactiveUser(t *testing.T) {
	company := newTenant(t, 10, tenantOptions{})
	us := company.newUsers(DirectoryOptions{})
	first, err := us.Create(t.Context(), NewUser{UserName: "pat@example.com", DisplayName: "Pat"})
	if err != nil || first.User.Active {
		t.Fatalf("got %+v, %v; want an inactive user", first, err)
	}
	res, err := us.Create(t.Context(), NewUser{UserName: "Pat@Example.com", DisplayName: "Pat Two", Active: true})
	var exists *UserExistsError
	if !errors.As(err, &exists) || !exists.CreatedHere || exists.User.ID != first.User.ID {
		t.Errorf("got %+v, %v; want a *UserExistsError created here for %s", res, err, first.User.ID)
	}
	if n := company.requests(reqPatch); n != 0 {
		t.Errorf("%d PATCHes, want none", n)
	}
}

// A name that no user of the company has, yet refused as a duplicate,
// belongs to a TeamViewer account outside the company: *UserExistsError
// with no user, whichever status TeamViewer uses.
func TestCreateNameOutsideTheCompany(t *testing.T) {
	for _, status := range []int{0, http.StatusBadRequest} {
		company := newTenant(t, 10, tenantOptions{emulator: emulator.Options{
			ReservedUserNames: []string{"taken@elsewhere.example"}, DuplicateStatus: status,
		}})
		res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(),
			NewUser{UserName: "Taken@Elsewhere.example", DisplayName: "Someone", Active: true})
		var exists *UserExistsError
		if !errors.As(err, &exists) || exists.User != (User{}) || exists.CreatedHere || res.User.ID != "" {
			t.Fatalf("status %d: got %+v, %v; want a *UserExistsError without user", status, res, err)
		}
		if e := asError(t, err); e.SCIMType != "uniqueness" || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "outside this company") {
			t.Errorf("status %d: got %v (%+v)", status, err, e)
		}
	}
}

// A 400 that is no duplicate, for a name nobody has, is TeamViewer's own
// refusal, returned as it is.
func TestCreateRefusedForAnotherReason(t *testing.T) {
	company := newTenant(t, 10, tenantOptions{})
	_, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), NewUser{UserName: "not-an-address", DisplayName: "X", Active: true})
	var exists *UserExistsError
	if e := asError(t, err); errors.As(err, &exists) || errors.Is(err, ErrNotFound) || e.StatusCode != http.StatusBadRequest ||
		e.SCIMType != "invalidValue" || e.Operation != "create user not-an-address" {
		t.Errorf("got %v (%+v), want the POST's 400 invalidValue", err, e)
	}
	if company.requests(reqPost) != 1 || company.requests(reqPatch) != 0 {
		t.Errorf("requests %s", company.summary())
	}
}

// interruptPOST lets the emulator carry out the first POST when commit is
// set, then cancels the create's context (Ctrl-C) while the answer is in
// flight, and holds the answer until the client hangs up.
func interruptPOST(commit bool, cancel context.CancelFunc) func(http.Handler) http.Handler {
	return onPOSTs(1, func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		h := hold(r)
		if commit {
			h.serveTo(next)
		}
		cancel()
		<-r.Context().Done()
	})
}

// Terraform is interrupted while the POST's answer is on its way: one lookup
// on a context of its own keeps the user TeamViewer created from being
// orphaned; a user that does not match, or none, leaves the create's own
// error. A create cancelled before sending anything sends nothing.
func TestCreateInterrupted(t *testing.T) {
	t.Run("after TeamViewer created the user", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		company := newTenant(t, 10, tenantOptions{wrap: interruptPOST(true, cancel)})
		res, err := company.newUsers(DirectoryOptions{}).Create(ctx, jane)
		stored := onlyUser(t, company, jane.UserName)
		if err != nil || res.Outcome != Recovered || res.User != stored {
			t.Errorf("got %+v, %v; want Recovered with %+v", res, err, stored)
		}
	})
	t.Run("another user has the name", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		company := newTenant(t, 10, tenantOptions{wrap: interruptPOST(true, cancel)})
		other := company.AddUser(emulator.User{UserName: "jane@example.com", DisplayName: "Someone Else", Active: true})
		res, err := company.newUsers(DirectoryOptions{}).Create(ctx, jane)
		if !errors.Is(err, context.Canceled) || asError(t, err).Operation != "create user jane@example.com" || res.User.ID != "" {
			t.Errorf("got %+v, %v; want the create's own context.Canceled", res, err)
		}
		if onlyUser(t, company, jane.UserName) != fromEmulator(other) {
			t.Error("the other user changed")
		}
	})
	t.Run("nothing was created", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		company := newTenant(t, 10, tenantOptions{wrap: interruptPOST(false, cancel)})
		res, err := company.newUsers(DirectoryOptions{}).Create(ctx, jane)
		if !errors.Is(err, context.Canceled) || asError(t, err).Operation != "create user jane@example.com" || res.User.ID != "" {
			t.Errorf("got %+v, %v; want the create's own context.Canceled", res, err)
		}
		// The exact lookup, then (no resend will follow) the case-insensitive one: its filter and
		// one listing page. Only a Ctrl-C pays for it.
		if n := len(company.UsersByUserName(jane.UserName)); n != 0 || company.requests(reqFind) > 2 || company.listings() > 1 {
			t.Errorf("%d users of the name, requests %s; want none after the two lookups", n, company.summary())
		}
	})
	t.Run("TeamViewer stored the name in another case", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		company := newTenant(t, 10, tenantOptions{wrap: onPOSTs(1, func(next http.Handler, _ http.ResponseWriter, r *http.Request) {
			h := hold(r)
			h.body = editJSON(t, h.body, lowerUserName)
			h.serveTo(next)
			cancel()
			<-r.Context().Done()
		})})
		u := jane
		u.UserName = "Jane@Example.com"
		res, err := company.newUsers(DirectoryOptions{}).Create(ctx, u)
		stored := onlyUser(t, company, u.UserName)
		if err != nil || res.Outcome != Recovered || res.User != stored {
			t.Errorf("got %+v, %v; want Recovered with %+v", res, err, stored)
		}
	})
	t.Run("before anything was sent", func(t *testing.T) {
		company := newTenant(t, 10, tenantOptions{})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := company.newUsers(DirectoryOptions{}).Create(ctx, jane)
		if !errors.Is(err, context.Canceled) || company.TotalRequests() != 0 {
			t.Errorf("got %v after requests %s; want context.Canceled without a request", err, company.summary())
		}
	})
}

// Terraform is interrupted during the lookup that follows a lost answer:
// TeamViewer may have acted on the POST, so the lookup must still be made.
func TestCreateLookupInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	company := newTenant(t, 10, tenantOptions{wrap: func(next http.Handler) http.Handler {
		lost := commitThen(http.StatusBadGateway)(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if kindOfRequest(r) == reqFind {
				cancel()
			}
			lost.ServeHTTP(w, r)
		})
	}})
	res, err := company.newUsers(DirectoryOptions{}).Create(ctx, jane)
	stored := onlyUser(t, company, jane.UserName)
	if err != nil || res.Outcome != Recovered || res.User != stored {
		t.Errorf("got %+v, %v; want Recovered with %+v", res, err, stored)
	}
}

// The unreachable breaker must not keep a create from looking for the user
// its POST may have made: a dropped answer to the POST is not proof that
// TeamViewer is gone, and the lookup is what keeps the user from being
// orphaned.
func TestCreateBreakerDoesNotOrphan(t *testing.T) {
	var posts atomic.Int32
	company := newTenant(t, 10, tenantOptions{
		config: func(c *Config) { c.MaxRetries = 1 },
		wrap: onPOSTs(-1, func(next http.Handler, w http.ResponseWriter, r *http.Request) {
			// The first POST is lost on the way in, the resend on the way back.
			if h := hold(r); posts.Add(1) > 1 {
				h.serveTo(next)
			}
			dropConnection(t, w)
		}),
	})
	res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), jane)
	stored := onlyUser(t, company, jane.UserName)
	if err != nil || res.Outcome != Recovered || res.User != stored {
		t.Errorf("got %+v, %v; want Recovered with %+v", res, err, stored)
	}
}

// A user that this run created or adopted for one caller is never another
// caller's "recovered" user, even when the other's answer is lost: two
// resources would then manage one user.
func TestCreateLostAnswerNeverRecoversTheRunsOwnUser(t *testing.T) {
	var posts atomic.Int32
	company := newTenant(t, 10, tenantOptions{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && posts.Add(1) == 2 {
				hold(r).serveTo(next) // refused as a duplicate; the refusal is lost
				writeJSON(w, http.StatusBadGateway, `{"status":"502"}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	us := company.newUsers(DirectoryOptions{})
	first, err := us.Create(t.Context(), jane)
	if err != nil {
		t.Fatal(err)
	}
	again := jane
	again.UserName = "Jane@Example.com"
	res, err := us.Create(t.Context(), again)
	var exists *UserExistsError
	if !errors.As(err, &exists) || !exists.CreatedHere || exists.User.ID != first.User.ID {
		t.Errorf("got %+v, %v; want a *UserExistsError created here for %s", res, err, first.User.ID)
	}
}

// After a lookup finds nothing, the POST is resent no sooner than a retry
// would be: here after the Retry-After of the failed answer, which the
// millisecond backoff of the test client cannot explain.
func TestCreateResendWaits(t *testing.T) {
	var (
		mu    sync.Mutex
		posts []time.Time
	)
	company := newTenant(t, 10, tenantOptions{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				mu.Lock()
				posts = append(posts, time.Now())
				first := len(posts) == 1
				mu.Unlock()
				if first {
					w.Header().Set("Retry-After", "1")
					writeJSON(w, http.StatusServiceUnavailable, `{"status":"503","detail":"busy"}`)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}})
	log := &recordingLogger{}
	us := NewUsers(newTestClient(t, company.url+basePath, func(c *Config) { c.Logger = log }), DirectoryOptions{})
	res, err := us.Create(t.Context(), jane)
	if err != nil || res.Outcome != Created {
		t.Fatalf("got %+v, %v", res, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posts) != 2 || company.requests(reqFind) != 1 {
		t.Fatalf("%d POSTs and requests %s, want 2 POSTs with a lookup between", len(posts), company.summary())
	}
	if gap := posts[1].Sub(posts[0]); gap < time.Second {
		t.Errorf("resent after %s, want to wait for the 1s of Retry-After", gap)
	}
	var logged bool
	for _, e := range log.all() {
		if strings.Contains(e.msg, "sending it again") {
			logged = true
			if wait, _ := e.fields["wait_ms"].(int64); wait < 1000 {
				t.Errorf("logged a wait of %v ms, want at least 1000", e.fields["wait_ms"])
			}
		}
	}
	if !logged {
		t.Error("the resend was not logged")
	}
}

// The wait before a resend ends with the caller's context.
func TestCreateResendWaitHonoursContext(t *testing.T) {
	var posts atomic.Int32
	company := newTenant(t, 10, tenantOptions{wrap: onPOSTs(-1, func(_ http.Handler, w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusServiceUnavailable, `{"status":"503"}`)
	})})
	ctx, cancel := context.WithCancel(t.Context())
	log := &recordingLogger{hook: func(msg string, _ map[string]any) {
		if strings.Contains(msg, "sending it again") {
			cancel() // the resend's wait of 30s begins
		}
	}}
	us := NewUsers(newTestClient(t, company.url+basePath, func(c *Config) { c.Logger = log }), DirectoryOptions{})
	_, err := us.Create(ctx, jane)
	if e := asError(t, err); !errors.Is(err, context.Canceled) || e.Operation != "create user jane@example.com" {
		t.Errorf("got %v, want context.Canceled for the create", err)
	}
	if posts.Load() != 1 || company.requests(reqFind) != 1 {
		t.Errorf("%d POSTs and requests %s; want one POST, its lookup and no resend", posts.Load(), company.summary())
	}
}

// Every POST of a create, resends and the HTTP layer's own retries alike,
// counts against MaxRetries.
func TestCreateRetryBudget(t *testing.T) {
	for name, first := range map[string]int{"502 only": http.StatusBadGateway, "429 first": http.StatusTooManyRequests} {
		t.Run(name, func(t *testing.T) {
			var (
				mu    sync.Mutex
				posts int
			)
			company := newTenant(t, 10, tenantOptions{
				config: func(c *Config) { c.MaxRetries = 2 },
				wrap: onPOSTs(-1, func(_ http.Handler, w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					posts++
					status := http.StatusBadGateway
					if posts == 1 {
						status = first
					}
					mu.Unlock()
					writeJSON(w, status, fmt.Sprintf(`{"status":"%d"}`, status))
				}),
			})
			_, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), jane)
			e := asError(t, err)
			mu.Lock()
			defer mu.Unlock()
			if e.StatusCode != http.StatusBadGateway || e.Attempts != 3 || posts != 3 {
				t.Errorf("got %+v after %d POSTs, want 3 attempts in all", e, posts)
			}
			if errors.Is(err, ErrNotFound) {
				t.Error("a failed lookup leaked into the create error as ErrNotFound")
			}
		})
	}
}

// TeamViewer may ignore active:false on create: Create then patches it. If
// that patch fails, the created user is returned with the error, for the
// caller to record rather than orphan.
func TestCreatePatchesActiveWhenIgnored(t *testing.T) {
	activate := func(t *testing.T) func(http.Handler, http.ResponseWriter, *http.Request) {
		return func(next http.Handler, w http.ResponseWriter, r *http.Request) {
			h := hold(r)
			h.body = editJSON(t, h.body, func(m map[string]any) { m["active"] = true })
			copyResponse(w, h.serveTo(next))
		}
	}
	inactive := NewUser{UserName: "jane@example.com", DisplayName: "Jane Doe"}

	t.Run("patched", func(t *testing.T) {
		company := newTenant(t, 0, tenantOptions{wrap: onPOSTs(-1, activate(t))})
		res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), inactive)
		stored := onlyUser(t, company, inactive.UserName)
		if err != nil || res.Outcome != Created || res.User != stored || stored.Active {
			t.Errorf("got %+v, %v; the emulator has %+v; want Created and inactive", res, err, stored)
		}
		want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
		if patches := bodiesOf(company, http.MethodPatch); len(patches) != 1 || patches[0] != want {
			t.Errorf("sent %q, want %s", patches, want)
		}
	})
	t.Run("the patch fails", func(t *testing.T) {
		company := newTenant(t, 0, tenantOptions{wrap: func(next http.Handler) http.Handler {
			post := onPOSTs(-1, activate(t))(next)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPatch {
					writeJSON(w, http.StatusForbidden, `{"error":"invalid_permission","error_description":"edit users"}`)
					return
				}
				post.ServeHTTP(w, r)
			})
		}})
		res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), inactive)
		stored := onlyUser(t, company, inactive.UserName)
		if !errors.Is(err, ErrForbidden) || res.User != stored || !stored.Active {
			t.Errorf("got %+v, %v; want the created user %+v with the PATCH's error", res, err, stored)
		}
	})
	t.Run("not needed", func(t *testing.T) {
		company := newTenant(t, 0, tenantOptions{})
		res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), inactive)
		if err != nil || res.User.Active || company.requests(reqPatch) != 0 {
			t.Errorf("got %+v, %v after requests %s; want an inactive user without a PATCH", res, err, company.summary())
		}
	})
}
