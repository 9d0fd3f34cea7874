package scim

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// DirectoryOptions tunes how Users serves many reads.
type DirectoryOptions struct {
	// PageSize is the page size of the shared listing; 0 means 1000.
	PageSize int
	// Disabled turns bulk refresh off: every read is its own request (its
	// misses still confirmed). Benchmarks compare against it, and it is the
	// escape hatch should the listing ever misbehave.
	Disabled bool
}

// Users is the one way to TeamViewer's users for the callers of one run,
// such as the resources and data sources of one Terraform provider instance.
// Every read and write goes through it, so it keeps the run's view of the
// company right by itself:
//
//   - Reads are cheap at any company size. The first read is a single GET.
//     The next learns the size of the company with one small request, and
//     from then on reads stay single GETs until they have cost as many
//     requests as one listing of the company would (one per page of
//     PageSize users); then one shared listing serves every read after it.
//     This is the ski-rental rule: a run pays at most about twice the cheaper
//     of "one GET per user" and "one listing", whatever the mix, where a
//     fixed threshold makes a run of four users in a company of 50,000 page
//     through all of it.
//   - Writes (Create, Update, Deactivate) win over the listing, even one
//     that finishes loading after them.
//   - A user the listing lacks is looked up on the server before it is
//     reported missing, since it may have been created after the listing.
//   - No user is reported missing (ErrNotFound) before the base URL is known
//     to serve the Users endpoint: a mistyped tenant URL answers 404 to
//     everything, and callers drop a user on ErrNotFound.
//   - Create never creates a user twice and never orphans one: see Create.
//
// Users is safe for concurrent use. Create one with NewUsers per provider
// configuration, so that each Terraform command starts from a fresh view.
type Users struct {
	client *Client
	opts   DirectoryOptions

	// served is set once a request through this Users was answered with a
	// user or a ListResponse: proof that a 404 comes from TeamViewer's Users
	// endpoint rather than from a wrong base URL.
	served atomic.Bool

	mu      sync.Mutex
	reads   int          // reads so far, each counted as the single request it would cost
	size    *companySize // nil until the second read (or a miss to confirm) needs it
	listing *userListing // nil until the reads have paid for it
	written writtenUsers // users as this run's writes left them; they win over the listing
	claimed map[string]bool
	names   map[string]*nameLock
}

// companySize is the one count of the company's users of a Users. It also
// proves the endpoint (see ConfirmNotFound). total and err are set before
// done is closed and never change afterwards, so readers need no lock once
// done is closed.
type companySize struct {
	done  chan struct{}
	total int   // -1 when TeamViewer did not say
	err   error // nil when the Users endpoint answered
}

// userListing is the one listing of a Users. Its fields are set before done
// is closed and never change afterwards, so readers need no lock once done is
// closed.
type userListing struct {
	done   chan struct{}
	users  []User           // in the server's order
	byID   map[string]int   // position in users
	byName map[string][]int // positions in users by foldKey(userName)
	failed bool             // reads fall back to single requests; the error went to the log
}

// notListed stands for "no listing" where a read consults only the writes.
var notListed = &userListing{}

// NewUsers returns a Users reading and writing through c.
func NewUsers(c *Client, opts DirectoryOptions) *Users {
	if opts.PageSize <= 0 {
		opts.PageSize = defaultPageSize
	}
	return &Users{
		client:  c,
		opts:    opts,
		written: newWrittenUsers(),
		claimed: make(map[string]bool),
		names:   make(map[string]*nameLock),
	}
}

// Get returns the user with the given id. A missing user is an error
// matching ErrNotFound, always from a GET of the user itself, confirmed by
// ConfirmNotFound.
func (us *Users) Get(ctx context.Context, id string) (User, error) {
	u, err := us.read(ctx, "get user "+id,
		func(l *userListing) (User, bool) { return us.byID(l, id) },
		func() (User, error) { return us.client.GetUser(ctx, id) })
	return u, us.ConfirmNotFound(ctx, us.note(err))
}

// FindByUserName returns the user with the given userName, compared
// case-insensitively. A miss is an error matching ErrNotFound, confirmed by
// ConfirmNotFound.
//
// TeamViewer's filters are case-sensitive, while people treat email
// addresses case-insensitively, so an exact filter can miss the user. The
// lookup tries the exact filter, then the run's listing (loading it if need
// be: one listing serves every such lookup of the run, so importing
// thousands of users by email stays linear). A user matching only without
// regard to case is returned when it is the only one; if several are, the
// lookup fails naming them rather than guess.
func (us *Users) FindByUserName(ctx context.Context, userName string) (User, error) {
	op := "find user " + userName
	if userName == "" {
		return User{}, &Error{Operation: op, err: errors.New("the userName is empty")}
	}
	u, err := us.read(ctx, op,
		func(l *userListing) (User, bool) { return us.byUserName(l, userName) },
		func() (User, error) { return us.findOnServer(ctx, op, userName) })
	return u, us.ConfirmNotFound(ctx, us.note(err))
}

// findOnServer is a lookup that the writes and a loaded listing could not
// answer: the exact filter, then, when it finds nobody, a case-insensitive
// search of the listing, loaded for it if no read has paid for it yet.
func (us *Users) findOnServer(ctx context.Context, op, userName string) (User, error) {
	matches, err := us.client.findExact(ctx, op, userName)
	if err != nil {
		return User{}, err
	}
	us.served.Store(true)
	u, found, err := pickUser(matches, userName)
	switch {
	case err != nil:
		return User{}, &Error{Operation: op, err: err}
	case found:
		return u, nil
	}
	l, err := us.awaitListing(ctx, op, us.loadListing)
	if err != nil {
		return User{}, err
	}
	if l.failed {
		return User{}, &Error{Operation: op, err: errors.New("the exact filter found no user, and listing the users " +
			"to compare without regard to case failed; see the debug log")}
	}
	u, found, err = pickUser(us.candidates(l, userName), userName)
	switch {
	case err != nil:
		return User{}, &Error{Operation: op, err: err}
	case !found:
		return User{}, &Error{Operation: op, err: fmt.Errorf("%w: no user has this userName, compared case-insensitively", ErrNotFound)}
	}
	return u, nil
}

// List returns every user matching opts.Filter, reading all pages.
func (us *Users) List(ctx context.Context, opts ListOptions) ([]User, error) {
	users, err := us.client.ListUsers(ctx, opts)
	return users, us.note(err)
}

// EachPage lists the users matching opts.Filter and hands each page to fn
// as it arrives, for callers that stream results; an error from fn stops the
// listing and is returned.
func (us *Users) EachPage(ctx context.Context, opts ListOptions, fn func(page []User) error) error {
	return us.note(us.client.eachPage(ctx, "list users", opts, fn))
}

// Update replaces the non-nil attributes of p with one PATCH and returns the
// user as TeamViewer then has it; later reads of the run see it so.
func (us *Users) Update(ctx context.Context, id string, p UserPatch) (User, error) {
	u, err := us.client.PatchUser(ctx, id, p)
	return us.wrote(u, us.ConfirmNotFound(ctx, us.note(err)))
}

// Deactivate sets the user inactive, which is how TeamViewer's SCIM API
// removes a user: it cannot delete them. A user that does not exist is an
// error matching ErrNotFound, confirmed by ConfirmNotFound.
func (us *Users) Deactivate(ctx context.Context, id string) (User, error) {
	inactive := false
	return us.Update(ctx, id, UserPatch{Active: &inactive})
}

// note records that a request through us succeeded, which shows the base
// URL serving the Users endpoint, and returns err.
func (us *Users) note(err error) error {
	if err == nil {
		us.served.Store(true)
	}
	return err
}

// wrote records u as this run's latest view of the user after a write.
func (us *Users) wrote(u User, err error) (User, error) {
	if err == nil && u.ID != "" {
		us.mu.Lock()
		us.written.put(u)
		us.mu.Unlock()
	}
	return u, err
}

// ConfirmNotFound returns err unchanged unless it matches ErrNotFound; then
// it checks, once per Users, that the base URL serves TeamViewer's Users
// endpoint. A mistyped tenant URL (…/scim/v2/v3) or a proxy answers 404 to
// every request, and callers drop a user on ErrNotFound: without the check,
// such a URL would make every user look deleted.
//
// Any request through us that was answered with a user or a ListResponse
// proves the endpoint; otherwise the count of the company's users that bulk
// refresh makes anyway (one small GET /Users) is made or awaited, and its
// outcome is kept for the life of us (one Terraform command), so that a
// failing endpoint costs its retries once and not once per user. If the
// endpoint answered, err is returned: the user really is gone. If not, the
// result is an *Error that does not match ErrNotFound, naming the base URL
// and wrapping the check's failure.
func (us *Users) ConfirmNotFound(ctx context.Context, err error) error {
	if !errors.Is(err, ErrNotFound) || us.served.Load() {
		return err
	}
	op := "confirm not found"
	var e *Error
	if errors.As(err, &e) {
		op = e.Operation
	}
	us.mu.Lock()
	size := us.countOnce(ctx)
	us.mu.Unlock()
	if waitErr := await(ctx, op, size.done); waitErr != nil {
		return waitErr
	}
	if size.err == nil {
		return err
	}
	return &Error{Operation: op, err: fmt.Errorf(
		"the tenant URL %s does not serve TeamViewer's SCIM Users endpoint (TeamViewer's is %s), so a 404 does not "+
			"show that the user is gone; check tenant_url or TEAMVIEWER_TENANT_URL: %w",
		us.client.baseURL, DefaultBaseURL, notFoundHidden{size.err})}
}

// read serves one read: from the writes, else from the listing once the
// reads have paid for it, else (before that, after a failed listing, or on a
// miss) with fetch, the single request. known looks the user up in the
// writes and the listing l.
func (us *Users) read(ctx context.Context, op string, known func(l *userListing) (User, bool), fetch func() (User, error)) (User, error) {
	if us.opts.Disabled {
		return fetch()
	}
	if u, ok := known(notListed); ok {
		return u, nil
	}
	l, err := us.awaitListing(ctx, op, us.rentOrBuy)
	if err != nil {
		return User{}, err
	}
	if u, ok := known(l); ok {
		return u, nil
	}
	return fetch()
}

// awaitListing returns the listing that decide starts or finds, waiting for
// it to load, or notListed when decide says the read is to be a single
// request or the listing failed. Only the wait honours ctx: the listing
// serves every reader, so it runs on without the cancellation of the read
// that started it.
func (us *Users) awaitListing(ctx context.Context, op string, decide func(ctx context.Context, op string) (*userListing, error)) (*userListing, error) {
	l, err := decide(ctx, op)
	if err != nil || l == nil {
		return notListed, err
	}
	if err := await(ctx, op, l.done); err != nil {
		return nil, err
	}
	if l.failed {
		return notListed, nil
	}
	return l, nil
}

// rentOrBuy counts a read and decides how it is served: nil for a single
// request, else the listing, started when the reads so far have cost as many
// requests as the listing will. The first read of a run is always single (a
// listing costs at least one request too); later ones need the size of the
// company, counted once and awaited. When that count fails, or TeamViewer
// does not say the total, reads stay single: never more than one request
// each, whatever the company.
func (us *Users) rentOrBuy(ctx context.Context, op string) (*userListing, error) {
	us.mu.Lock()
	us.reads++
	reads, l := us.reads, us.listing
	var size *companySize
	if l == nil && reads > 1 {
		size = us.countOnce(ctx)
	}
	us.mu.Unlock()
	if size == nil {
		return l, nil
	}
	if err := await(ctx, op, size.done); err != nil {
		return nil, err
	}
	if size.err != nil || size.total < 0 {
		return nil, nil
	}
	pages := max(1, (size.total+us.opts.PageSize-1)/us.opts.PageSize)
	us.mu.Lock()
	defer us.mu.Unlock()
	if us.listing == nil && pages <= us.reads {
		us.listing = us.startListing(ctx)
	}
	return us.listing, nil
}

// loadListing returns the listing, starting it if no read has yet: a
// case-insensitive lookup needs every user.
func (us *Users) loadListing(ctx context.Context, _ string) (*userListing, error) {
	us.mu.Lock()
	defer us.mu.Unlock()
	if us.listing == nil {
		us.listing = us.startListing(ctx)
	}
	return us.listing, nil
}

// countOnce returns the count of the company's users, starting it on the
// first call; us.mu is held.
func (us *Users) countOnce(ctx context.Context) *companySize {
	if us.size == nil {
		s := &companySize{done: make(chan struct{}), total: -1}
		ctx = context.WithoutCancel(ctx)
		go func() {
			defer close(s.done)
			s.total, s.err = us.client.countUsers(ctx)
			if s.err == nil {
				us.served.Store(true)
			}
		}()
		us.size = s
	}
	return us.size
}

// startListing loads every user in the background; us.mu is held. It runs
// under ctx's values (the logger) without its cancellation, bounded by the
// Client's timeouts and retries.
func (us *Users) startListing(ctx context.Context) *userListing {
	l := &userListing{done: make(chan struct{})}
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer close(l.done)
		users, err := us.client.ListUsers(ctx, ListOptions{PageSize: us.opts.PageSize})
		if err != nil {
			l.failed = true
			us.client.log.debug(ctx, "SCIM bulk refresh: listing users failed; reading them one at a time",
				map[string]any{"error": err.Error()})
			return
		}
		us.served.Store(true)
		l.users = users
		l.byID = make(map[string]int, len(users))
		l.byName = make(map[string][]int, len(users))
		for i, u := range users {
			l.byID[u.ID] = i
			key := foldKey(u.UserName)
			l.byName[key] = append(l.byName[key], i)
		}
		us.client.log.debug(ctx, "SCIM bulk refresh: listed users", map[string]any{"users": len(users)})
	}()
	return l
}

// await waits for done, or for ctx to end, returning an *Error then.
func await(ctx context.Context, op string, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return &Error{Operation: op, err: ctx.Err()}
	}
}

// byID returns the user with the given id as last written, else as the
// listing l has it.
func (us *Users) byID(l *userListing, id string) (User, bool) {
	us.mu.Lock()
	defer us.mu.Unlock()
	if u, ok := us.written.byID[id]; ok {
		return u, true
	}
	if i, ok := l.byID[id]; ok {
		return l.users[i], true
	}
	return User{}, false
}

// byUserName answers a find from the writes and the listing l. A match
// without regard to case answers only from a loaded listing, the one place
// where it can be seen to be the only such user; else, as on a miss or an
// ambiguity, the server decides, and reports the ambiguity from current data.
func (us *Users) byUserName(l *userListing, userName string) (User, bool) {
	u, found, err := pickUser(us.candidates(l, userName), userName)
	return u, err == nil && found && (l != notListed || u.UserName == userName)
}

// candidates returns the users known whose userName equals userName without
// regard to case: from the writes, and from the listing l those the writes
// do not override. Both are indexed by folded user name, so a lookup costs
// the same in a company of ten or of fifty thousand.
func (us *Users) candidates(l *userListing, userName string) []User {
	key := foldKey(userName)
	us.mu.Lock()
	defer us.mu.Unlock()
	var out []User
	for _, i := range l.byName[key] {
		if _, overridden := us.written.byID[l.users[i].ID]; !overridden {
			out = append(out, l.users[i])
		}
	}
	for id := range us.written.byName[key] {
		out = append(out, us.written.byID[id])
	}
	return out
}

// writtenUsers are the users as this run's writes left them, by id and by
// folded user name.
type writtenUsers struct {
	byID   map[string]User
	byName map[string]map[string]bool // foldKey(userName) → ids
}

func newWrittenUsers() writtenUsers {
	return writtenUsers{byID: make(map[string]User), byName: make(map[string]map[string]bool)}
}

func (w writtenUsers) put(u User) {
	if old, ok := w.byID[u.ID]; ok {
		delete(w.byName[foldKey(old.UserName)], u.ID)
	}
	w.byID[u.ID] = u
	key := foldKey(u.UserName)
	if w.byName[key] == nil {
		w.byName[key] = make(map[string]bool)
	}
	w.byName[key][u.ID] = true
}
