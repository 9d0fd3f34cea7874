package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// The directory is tested against the emulator rather than fakeTeamViewer:
// request counts only mean something against a server that pages, filters
// and answers the way TeamViewer documents.

// terraformParallelism is how many reads Terraform makes at once by default.
const terraformParallelism = 10

// emulated is a company of users served by the emulator, with a Client for it.
type emulated struct {
	*emulator.Server
	client *Client
	users  []emulator.User
	url    string // the test server's root, without BasePath
}

// newEmulated serves a company of n users; wrap, when not nil, stands between
// the client and the emulator.
func newEmulated(t *testing.T, n int, wrap func(http.Handler) http.Handler) *emulated {
	t.Helper()
	server := emulator.New(emulator.Options{Token: testToken})
	users := server.AddUsers(n, "user%05d@example.com")
	var h http.Handler = server
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &emulated{Server: server, client: newTestClient(t, srv.URL+emulator.BasePath, nil), users: users, url: srv.URL}
}

// probes counts the requests ConfirmNotFound makes: unfiltered list requests
// for one user, under any base path.
func (e *emulated) probes() int {
	n := 0
	for _, r := range e.Requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		if strings.HasSuffix(r.Path, "/Users") && q.Get("count") == "1" && q.Get("startIndex") == "1" && q.Get("filter") == "" {
			n++
		}
	}
	return n
}

// listings counts the listings begun: unfiltered list requests for the
// first page.
func (e *emulated) listings() int {
	n := 0
	for _, r := range e.Requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		if r.Path == emulator.BasePath+"/Users" && q.Get("startIndex") == "1" && q.Get("filter") == "" {
			n++
		}
	}
	return n
}

// singleGETs counts the requests for one user by id.
func (e *emulated) singleGETs() int { return e.Count(http.MethodGet, "/Users/{id}") }

// want is the user as the API should return it now.
func (e *emulated) want(t *testing.T, id string) User {
	t.Helper()
	u, ok := e.User(id)
	if !ok {
		t.Fatalf("the emulator has no user %s", id)
	}
	given, _ := u.GivenName()
	family, _ := u.FamilyName()
	return User{ID: u.ID, UserName: u.UserName, DisplayName: u.DisplayName, GivenName: given, FamilyName: family, Active: u.Active}
}

// readAll reads every id through d, parallelism reads at a time as
// Terraform does, and returns the users by id.
func readAll(t *testing.T, d *UserDirectory, ids []string, parallelism int) map[string]User {
	t.Helper()
	var (
		mu   sync.Mutex
		got  = make(map[string]User, len(ids))
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan string)
	for range parallelism {
		wg.Go(func() {
			for id := range next {
				u, err := d.GetUser(t.Context(), id)
				mu.Lock()
				got[id] = u
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return got
}

func ids(users []emulator.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

// checkAll fails the test unless got holds every user as the emulator has it.
func (e *emulated) checkAll(t *testing.T, got map[string]User) {
	t.Helper()
	for _, u := range e.users {
		if want := e.want(t, u.ID); got[u.ID] != want {
			t.Fatalf("user %s: got %+v, want %+v", u.ID, got[u.ID], want)
		}
	}
}

// gate holds list requests until released, so that tests can act while a
// listing is loading.
type gate struct {
	entered  chan struct{} // closed when the first list request arrives
	release  chan struct{} // close to let list requests through
	once     sync.Once
	released sync.Once
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Users") {
			g.once.Do(func() { close(g.entered) })
			<-g.release
		}
		next.ServeHTTP(w, r)
	})
}

func (g *gate) open() { g.released.Do(func() { close(g.release) }) }

// waitEntered waits for the first list request to reach the gate.
func (g *gate) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no listing started")
	}
}

// Runs that read a few users keep to single GETs, and the listing starts
// with the first read past the threshold.
func TestDirectoryThreshold(t *testing.T) {
	tests := []struct {
		name        string
		singleReads int
		want        int // single reads before the listing
	}{
		{"default", 0, defaultSingleReads},
		{"custom", 5, 5},
		{"none", -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			company := newEmulated(t, 20, nil)
			d := NewUserDirectory(company.client, DirectoryOptions{SingleReads: tt.singleReads})
			for i, u := range company.users[:tt.want] {
				if _, err := d.GetUser(t.Context(), u.ID); err != nil {
					t.Fatal(err)
				}
				if got := company.TotalRequests(); got != i+1 || company.singleGETs() != i+1 {
					t.Fatalf("after %d reads: %d requests, %d of them single GETs; want only single GETs", i+1, got, company.singleGETs())
				}
			}
			got, err := d.GetUser(t.Context(), company.users[tt.want].ID)
			if err != nil {
				t.Fatal(err)
			}
			if got != company.want(t, company.users[tt.want].ID) {
				t.Errorf("got %+v", got)
			}
			if company.listings() != 1 || company.singleGETs() != tt.want {
				t.Errorf("read %d: %d listings and %d single GETs, want 1 and %d", tt.want+1, company.listings(), company.singleGETs(), tt.want)
			}
		})
	}
}

// A plan managing one user of a large company costs one request.
func TestDirectoryOneUserInLargeCompany(t *testing.T) {
	company := newEmulated(t, 5000, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{})
	got := readAll(t, d, []string{company.users[4321].ID}, terraformParallelism)
	if got[company.users[4321].ID] != company.want(t, company.users[4321].ID) {
		t.Errorf("got %+v", got)
	}
	if n := company.TotalRequests(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// A refresh of every user of a 1,000-user company takes a handful of
// requests, and every user read is the server's.
func TestDirectoryBulkRefresh(t *testing.T) {
	company := newEmulated(t, 1000, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{})
	company.checkAll(t, readAll(t, d, ids(company.users), terraformParallelism))
	if n := company.TotalRequests(); n > 15 {
		t.Errorf("%d requests for 1000 users, want at most 15", n)
	}
	if n := company.listings(); n != 1 {
		t.Errorf("%d listings, want 1", n)
	}
}

// Concurrent reads share one listing, however many pages it has.
func TestDirectorySingleListing(t *testing.T) {
	company := newEmulated(t, 1000, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{PageSize: 100})
	company.checkAll(t, readAll(t, d, ids(company.users), terraformParallelism))
	if n := company.listings(); n != 1 {
		t.Errorf("%d listings, want 1", n)
	}
	if n := company.Count(http.MethodGet, "/Users"); n != 10 {
		t.Errorf("%d list requests, want the 10 pages of one listing", n)
	}
	if n := company.singleGETs(); n > defaultSingleReads {
		t.Errorf("%d single GETs, want at most %d", n, defaultSingleReads)
	}
}

// Disabled reads every user with its own GET.
func TestDirectoryDisabled(t *testing.T) {
	company := newEmulated(t, 50, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{Disabled: true})
	first := company.want(t, company.users[0].ID)
	written := first
	written.DisplayName = "Never Sent"
	d.Remember(written)
	company.checkAll(t, readAll(t, d, ids(company.users), terraformParallelism))
	if company.singleGETs() != 50 || company.TotalRequests() != 50 {
		t.Errorf("%d requests, %d single GETs; want 50 single GETs only", company.TotalRequests(), company.singleGETs())
	}
}

// The refresh is latency-bound. Single GETs of every user take at least
// users/parallelism round trips, 100 here, so a bulk refresh ten times as
// fast must finish within 10. It takes about one: the first single GETs and
// the one page of the listing travel side by side. The latency is large so
// that CPU time, which the race detector and a busy machine inflate, does
// not decide the outcome.
func TestDirectoryLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps for the emulated latency")
	}
	const latency = 100 * time.Millisecond
	company := newEmulated(t, 1000, nil)
	company.SetLatency(latency)
	d := NewUserDirectory(company.client, DirectoryOptions{})
	start := time.Now()
	got := readAll(t, d, ids(company.users), terraformParallelism)
	elapsed := time.Since(start)
	company.checkAll(t, got)
	singleGETRounds := len(company.users) / terraformParallelism
	if limit := time.Duration(singleGETRounds) * latency / 10; elapsed > limit {
		t.Errorf("bulk refresh took %s, want at most %s, a tenth of what single GETs need at least", elapsed, limit)
	}
}

// A change made before the listing was taken is seen, also for users read
// with a single GET before the change.
func TestDirectorySeesOutOfBandChanges(t *testing.T) {
	company := newEmulated(t, 10, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{})
	early := company.users[0].ID
	for _, u := range company.users[:defaultSingleReads] {
		if _, err := d.GetUser(t.Context(), u.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{early, company.users[7].ID} {
		company.Update(id, func(u *emulator.User) {
			u.DisplayName = "Changed Elsewhere"
			u.Active = false
		})
	}
	company.checkAll(t, readAll(t, d, ids(company.users), terraformParallelism))
	if company.listings() != 1 {
		t.Errorf("%d listings, want 1", company.listings())
	}
}

// A user the listing lacks is looked up by id before it is reported
// missing: it may have been created after the listing was taken.
func TestDirectoryConfirmsMissingUsers(t *testing.T) {
	company := newEmulated(t, 10, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{})
	readAll(t, d, ids(company.users), 1)
	if company.listings() != 1 {
		t.Fatalf("%d listings, want 1", company.listings())
	}

	late := company.AddUser(emulator.User{UserName: "late@example.com", DisplayName: "Late Comer", Active: true})
	before := company.singleGETs()
	got, err := d.GetUser(t.Context(), late.ID)
	if err != nil || got != company.want(t, late.ID) {
		t.Errorf("user created after the listing: got %+v, %v", got, err)
	}
	_, err = d.GetUser(t.Context(), "u9999999")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user: got %v, want ErrNotFound", err)
	}
	if n := company.singleGETs() - before; n != 2 || company.listings() != 1 {
		t.Errorf("%d single GETs and %d listings, want 2 and still 1", n, company.listings())
	}
}

// A failed listing is tried once; the reads go on with single GETs.
func TestDirectoryListingFailureFallsBack(t *testing.T) {
	var (
		mu           sync.Mutex
		listAttempts int
	)
	company := newEmulated(t, 30, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Users") {
				mu.Lock()
				listAttempts++
				mu.Unlock()
				writeJSON(w, http.StatusBadRequest, `{"status":"400","scimType":"tooMany","detail":"listing refused"}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	d := NewUserDirectory(company.client, DirectoryOptions{})
	company.checkAll(t, readAll(t, d, ids(company.users), terraformParallelism))
	mu.Lock()
	defer mu.Unlock()
	if listAttempts != 1 {
		t.Errorf("%d list requests, want the one of a single failed listing", listAttempts)
	}
	if n := company.singleGETs(); n != 30 {
		t.Errorf("%d single GETs, want 30", n)
	}
}

// A remembered write wins over the listing, also over one that finishes
// loading after the write.
func TestDirectoryRememberWins(t *testing.T) {
	g := newGate()
	company := newEmulated(t, 10, g.wrap)
	t.Cleanup(g.open)
	d := NewUserDirectory(company.client, DirectoryOptions{})
	// Bounded, so that a directory listing too early fails the test at the
	// gate instead of hanging it.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, u := range company.users[:defaultSingleReads] {
		if _, err := d.GetUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}

	// These writes are not sent, so the listing holds the old values: only
	// Remember can make the reads return the new ones.
	duringLoad := company.want(t, company.users[3].ID)
	duringLoad.DisplayName = "Written During Load"
	afterLoad := company.want(t, company.users[4].ID)
	afterLoad.Active = false

	type result struct {
		u   User
		err error
	}
	first := make(chan result, 1)
	go func() {
		u, err := d.GetUser(ctx, duringLoad.ID)
		first <- result{u, err}
	}()
	g.waitEntered(t)
	d.Remember(duringLoad)
	g.open()
	if r := <-first; r.err != nil || r.u != duringLoad {
		t.Errorf("write during the load: got %+v, %v; want %+v", r.u, r.err, duringLoad)
	}

	// A rename after the listing was taken, sent and remembered: the old
	// userName must no longer find the user in the stale listing.
	oldName := company.users[5].UserName
	company.Update(company.users[5].ID, func(u *emulator.User) { u.UserName = "renamed@example.com" })
	renamed := company.want(t, company.users[5].ID)
	d.Remember(renamed)
	d.Remember(afterLoad)

	before := company.TotalRequests()
	if got, err := d.GetUser(ctx, afterLoad.ID); err != nil || got != afterLoad {
		t.Errorf("write after the load: got %+v, %v; want %+v", got, err, afterLoad)
	}
	if got, err := d.FindUserByUserName(ctx, "Renamed@Example.com"); err != nil || got != renamed {
		t.Errorf("find by the new name: got %+v, %v; want %+v", got, err, renamed)
	}
	if n := company.TotalRequests() - before; n != 0 {
		t.Errorf("%d requests for remembered users, want 0", n)
	}
	if got, err := d.FindUserByUserName(ctx, oldName); !errors.Is(err, ErrNotFound) {
		t.Errorf("find by the old name: got %+v, %v; want ErrNotFound", got, err)
	}
}

// A read waiting for the listing gives up when its context ends, and the
// listing goes on for the others, even when the read that started it gave up.
func TestDirectoryWaitHonoursContext(t *testing.T) {
	g := newGate()
	company := newEmulated(t, 10, g.wrap)
	t.Cleanup(g.open)
	d := NewUserDirectory(company.client, DirectoryOptions{SingleReads: -1})

	ctx, cancel := context.WithCancel(t.Context())
	starter := make(chan error, 1)
	go func() {
		_, err := d.GetUser(ctx, company.users[0].ID)
		starter <- err
	}()
	g.waitEntered(t)
	cancel()
	select {
	case err := <-starter:
		var e *Error
		if !errors.Is(err, context.Canceled) || !errors.As(err, &e) || e.Operation != "get user "+company.users[0].ID {
			t.Errorf("cancelled read: got %v, want a *Error for the read matching context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled read is still waiting for the listing")
	}

	g.open()
	got, err := d.GetUser(t.Context(), company.users[1].ID)
	if err != nil || got != company.want(t, company.users[1].ID) {
		t.Errorf("got %+v, %v", got, err)
	}
	if company.listings() != 1 || company.singleGETs() != 0 {
		t.Errorf("%d listings and %d single GETs, want the one listing to serve the read", company.listings(), company.singleGETs())
	}
}

// FindUserByUserName answers from the listing without regard to case, and
// asks the server about userNames the listing lacks.
func TestDirectoryFindUserByUserName(t *testing.T) {
	company := newEmulated(t, 1000, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{})

	// Below the threshold, a find is the Client's own.
	target := company.want(t, company.users[500].ID)
	if got, err := d.FindUserByUserName(t.Context(), target.UserName); err != nil || got != target {
		t.Fatalf("got %+v, %v", got, err)
	}
	if n := company.Count(http.MethodGet, "/Users"); n != 1 || company.listings() != 0 {
		t.Fatalf("%d list requests, %d of them listings; want 1 filtered one", n, company.listings())
	}

	readAll(t, d, ids(company.users[:10]), terraformParallelism)
	before := company.TotalRequests()
	other := company.want(t, company.users[999].ID)
	if got, err := d.FindUserByUserName(t.Context(), strings.ToUpper(other.UserName)); err != nil || got != other {
		t.Errorf("find from the listing: got %+v, %v; want %+v", got, err, other)
	}
	if n := company.TotalRequests() - before; n != 0 {
		t.Errorf("%d requests for a user in the listing, want 0", n)
	}

	late := company.AddUser(emulator.User{UserName: "late@example.com", DisplayName: "Late", Active: true})
	if got, err := d.FindUserByUserName(t.Context(), late.UserName); err != nil || got.ID != late.ID {
		t.Errorf("user created after the listing: got %+v, %v", got, err)
	}
	if _, err := d.FindUserByUserName(t.Context(), "nobody@example.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user: got %v, want ErrNotFound", err)
	}
}

// Many readers, writers and a listing at once: run with -race.
func TestDirectoryConcurrentUse(t *testing.T) {
	company := newEmulated(t, 200, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{PageSize: 50})
	var wg sync.WaitGroup
	for i, u := range company.users {
		wg.Go(func() {
			if i%3 == 0 {
				d.Remember(company.want(t, u.ID))
			}
			if _, err := d.GetUser(t.Context(), u.ID); err != nil {
				t.Error(err)
			}
			if _, err := d.FindUserByUserName(t.Context(), fmt.Sprintf("USER%05d@example.com", i+1)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// A mistyped tenant URL answers 404 to every request. That must not read as
// "every user is gone", which would make the provider drop them all from
// state, whether the directory lists, reads singly or is disabled.
func TestDirectoryWrongBaseURLIsNoNotFound(t *testing.T) {
	for name, opts := range map[string]DirectoryOptions{
		"single reads": {},
		"listing":      {SingleReads: -1},
		"disabled":     {Disabled: true},
	} {
		t.Run(name, func(t *testing.T) {
			company := newEmulated(t, 5, nil)
			wrongURL := company.url + emulator.BasePath + "/v3"
			d := NewUserDirectory(newTestClient(t, wrongURL, nil), opts)
			_, getErr := d.GetUser(t.Context(), company.users[0].ID)
			_, findErr := d.FindUserByUserName(t.Context(), company.users[1].UserName)
			for op, err := range map[string]error{
				"get user " + company.users[0].ID:        getErr,
				"find user " + company.users[1].UserName: findErr,
			} {
				if err == nil || errors.Is(err, ErrNotFound) {
					t.Fatalf("%s: got %v, want an error that does not match ErrNotFound", op, err)
				}
				if e := asError(t, err); e.Operation != op {
					t.Errorf("operation %q, want %q", e.Operation, op)
				}
				if msg := err.Error(); !containsAll(msg, wrongURL, "tenant_url", "TEAMVIEWER_TENANT_URL", "HTTP 404") {
					t.Errorf("error %q does not name the tenant URL, the settings and the probe's 404", msg)
				}
			}
			if n := company.probes(); n != 1 {
				t.Errorf("%d probes, want 1 for the directory", n)
			}
		})
	}
}

// On the right URL, a missing user is still ErrNotFound: the probe finds
// the Users endpoint, and only then is the 404 believed.
func TestDirectoryConfirmsNotFound(t *testing.T) {
	company := newEmulated(t, 5, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{Disabled: true})
	for range 3 {
		if _, err := d.GetUser(t.Context(), "u9999999"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
	}
	if n := company.probes(); n != 1 {
		t.Errorf("%d probes, want 1", n)
	}
	// Other errors pass unchanged, without a probe.
	other := errors.New("other")
	if err := d.ConfirmNotFound(t.Context(), other); !errors.Is(err, other) {
		t.Errorf("got %v, want the error unchanged", err)
	}
	if err := d.ConfirmNotFound(t.Context(), nil); err != nil {
		t.Errorf("got %v for nil", err)
	}
}

// Concurrent misses share one probe, whether it succeeds or fails.
func TestDirectoryProbesOnce(t *testing.T) {
	for name, path := range map[string]string{"right URL": emulator.BasePath, "wrong URL": emulator.BasePath + "/v3"} {
		t.Run(name, func(t *testing.T) {
			company := newEmulated(t, 5, nil)
			company.SetLatency(20 * time.Millisecond) // keeps the probe in flight while the misses arrive
			d := NewUserDirectory(newTestClient(t, company.url+path, nil), DirectoryOptions{Disabled: true})
			var wg sync.WaitGroup
			for i := range terraformParallelism * 2 {
				wg.Go(func() {
					_, err := d.GetUser(t.Context(), fmt.Sprintf("u%07d", 9000000+i))
					if wantNotFound := path == emulator.BasePath; errors.Is(err, ErrNotFound) != wantNotFound {
						t.Errorf("got %v, want ErrNotFound: %t", err, wantNotFound)
					}
				})
			}
			wg.Wait()
			if n := company.probes(); n != 1 {
				t.Errorf("%d probes, want 1", n)
			}
		})
	}
}

// A listing that succeeded, the directory's own or a lookup's filtered
// one, proves the Users endpoint: no probe follows.
func TestDirectoryNoProbeAfterListing(t *testing.T) {
	company := newEmulated(t, 10, nil)
	d := NewUserDirectory(company.client, DirectoryOptions{Disabled: true})
	if _, err := d.FindUserByUserName(t.Context(), "nobody@example.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if _, err := d.GetUser(t.Context(), "u9999999"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}

	listed := newEmulated(t, 10, nil)
	d = NewUserDirectory(listed.client, DirectoryOptions{SingleReads: -1})
	readAll(t, d, ids(listed.users), terraformParallelism)
	if _, err := d.GetUser(t.Context(), "u9999999"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if n := company.probes() + listed.probes(); n != 0 {
		t.Errorf("%d probes, want none", n)
	}
}

// A miss waiting for the probe gives up when its context ends, never
// reporting the user gone; the probe goes on for the others.
func TestDirectoryProbeWaitHonoursContext(t *testing.T) {
	g := newGate()
	company := newEmulated(t, 5, g.wrap)
	t.Cleanup(g.open)
	d := NewUserDirectory(company.client, DirectoryOptions{Disabled: true})

	ctx, cancel := context.WithCancel(t.Context())
	first := make(chan error, 1)
	go func() {
		_, err := d.GetUser(ctx, "u9999999")
		first <- err
	}()
	g.waitEntered(t)
	cancel()
	select {
	case err := <-first:
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrNotFound) || asError(t, err).Operation != "get user u9999999" {
			t.Errorf("got %v, want a *Error for the read matching context.Canceled and not ErrNotFound", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled read is still waiting for the probe")
	}

	g.open()
	if _, err := d.GetUser(t.Context(), "u9999998"); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}
	if n := company.probes(); n != 1 {
		t.Errorf("%d probes, want the one the cancelled read started", n)
	}
}

// The directory applies the Client's rule for userNames that differ only in
// case: from a loaded listing, several such users and no exact one are an
// error; before it, only an exact match among the remembered writes answers,
// since those are not all users and a case-insensitive match among them
// could hide the exact one on the server.
func TestDirectoryFindUserByUserNameCase(t *testing.T) {
	company := newEmulated(t, 10, nil)
	bob := company.AddUser(emulator.User{UserName: "bob@example.com", Active: true})
	bobToo := company.AddUser(emulator.User{UserName: "Bob@Example.com", Active: true})

	d := NewUserDirectory(company.client, DirectoryOptions{SingleReads: 100})
	remembered := company.want(t, bob.ID)
	d.Remember(remembered)
	if got, err := d.FindUserByUserName(t.Context(), bobToo.UserName); err != nil || got.ID != bobToo.ID {
		t.Errorf("before the listing: got %+v, %v; want the exact match %s from the server", got, err, bobToo.ID)
	}
	if got, err := d.FindUserByUserName(t.Context(), bob.UserName); err != nil || got != remembered {
		t.Errorf("exact remembered match: got %+v, %v", got, err)
	}

	d = NewUserDirectory(company.client, DirectoryOptions{SingleReads: -1})
	readAll(t, d, ids(company.users), terraformParallelism)
	_, err := d.FindUserByUserName(t.Context(), "BOB@example.com")
	if err == nil || errors.Is(err, ErrNotFound) || !containsAll(err.Error(), bob.ID, bobToo.ID) {
		t.Errorf("from the listing: got %v, want an error naming %s and %s", err, bob.ID, bobToo.ID)
	}
}
