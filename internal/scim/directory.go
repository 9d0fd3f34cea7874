package scim

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// defaultSingleReads is how many reads a UserDirectory serves with single
// GETs before it lists every user.
//
// Three keeps a run that touches a handful of users (an import, a targeted
// apply, a data source or two) on exactly the requests it made before: one
// GET per user, however large the company. A fourth read is the sign of a
// bulk refresh, since Terraform refreshes every resource of a configuration,
// up to ten at a time; from then on the listing costs one request per page of
// users instead of one per user read. Fewer single reads would make a two-user
// run in a large company page through all of it; more would spend requests
// (and, at ten reads in flight, latency) before the listing takes over.
const defaultSingleReads = 3

// DirectoryOptions tunes bulk refresh.
type DirectoryOptions struct {
	// SingleReads is how many reads are served by GET /Users/{id} before one
	// shared, paginated listing of all users serves the rest. 0 means the
	// default of 3; a negative value means none, so the first read lists.
	SingleReads int
	// PageSize is the page size of the listing; 0 means the Client's
	// default of 1000.
	PageSize int
	// Disabled turns bulk refresh off: every read is the Client's own call
	// (its misses still confirmed by ConfirmNotFound) and Remember does
	// nothing. Benchmarks compare against it, and it is the escape hatch
	// should the listing ever misbehave.
	Disabled bool
}

// UserDirectory serves the reads of many concurrent callers, such as the
// resources of one Terraform provider instance, with few requests.
//
// The first reads are single GETs. Once more than DirectoryOptions.SingleReads
// reads have arrived, one paginated listing of all users is loaded in the
// background, and every read from then on waits for it and is answered from
// it. The listing is a snapshot taken when the bulk reads begin, so users
// changed before that are seen as changed. Writes passed to Remember win over
// the snapshot. A user the snapshot lacks is looked up on the server before
// it is reported missing, since it may have been created after the snapshot
// was taken; and if the listing fails, reads go on as single requests. No
// user is reported missing before the base URL is known to serve the Users
// endpoint (see ConfirmNotFound).
//
// A UserDirectory is safe for concurrent use. Create it with NewUserDirectory
// once per provider configuration, so that each Terraform command starts
// from a fresh snapshot.
type UserDirectory struct {
	client *Client
	opts   DirectoryOptions // SingleReads resolved

	mu      sync.Mutex
	reads   int             // reads counted against SingleReads: all but those a remembered write answered
	listing *userListing    // nil until the reads pass SingleReads
	written map[string]User // Remember'd users by id; they win over the listing
	probe   *usersProbe     // nil until ConfirmNotFound first needs it
}

// usersProbe is the one check of a UserDirectory that the base URL serves the
// Users endpoint. err is set before done is closed and never changes
// afterwards, so readers need no lock once done is closed.
type usersProbe struct {
	done chan struct{}
	err  error // nil when the endpoint answered
}

// userListing is the one listing of a UserDirectory. users, index and failed
// are set before done is closed and never change afterwards, so readers need
// no lock once done is closed.
type userListing struct {
	done   chan struct{}
	users  []User         // in the server's order
	index  map[string]int // position in users by id
	failed bool           // reads fall back to single requests; the error went to the log
}

// notListed stands for "no listing" where a read consults only the
// remembered writes: it holds no users.
var notListed = &userListing{}

// NewUserDirectory returns a UserDirectory reading through c.
func NewUserDirectory(c *Client, opts DirectoryOptions) *UserDirectory {
	if opts.SingleReads == 0 {
		opts.SingleReads = defaultSingleReads
	}
	return &UserDirectory{client: c, opts: opts, written: make(map[string]User)}
}

// GetUser returns the user with the given id, with the contract of
// Client.GetUser: a missing user is an error matching ErrNotFound, and that
// error always comes from a GET of the user itself, confirmed by
// ConfirmNotFound.
func (d *UserDirectory) GetUser(ctx context.Context, id string) (User, error) {
	u, err := d.read(ctx, "get user "+id,
		func(l *userListing) (User, bool) { return d.byID(l, id) },
		func() (User, error) { return d.client.GetUser(ctx, id) })
	return u, d.ConfirmNotFound(ctx, err)
}

// FindUserByUserName returns the user with the given userName, compared
// case-insensitively, with the contract of Client.FindUserByUserName; a miss
// is confirmed by ConfirmNotFound. Once the listing is loaded, it answers
// from it; a userName the listing lacks is searched for on the server, since
// the user may have been created or renamed after the listing was taken.
func (d *UserDirectory) FindUserByUserName(ctx context.Context, userName string) (User, error) {
	u, err := d.read(ctx, "find user "+userName,
		func(l *userListing) (User, bool) { return d.byUserName(l, userName) },
		func() (User, error) { return d.client.FindUserByUserName(ctx, userName) })
	return u, d.ConfirmNotFound(ctx, err)
}

// ConfirmNotFound returns err unchanged unless it matches ErrNotFound; then
// it checks, once per directory, that the base URL serves TeamViewer's Users
// endpoint. A mistyped tenant URL (…/scim/v2/v3) or a proxy answers 404 to
// every request, and callers drop a user on ErrNotFound: without the check,
// such a URL would make every user look deleted.
//
// A GET /Users answered with a ListResponse at any time proves the endpoint,
// so after a listing nothing is requested; otherwise one GET
// /Users?startIndex=1&count=1 is made, shared by concurrent callers, and its
// outcome is kept for the directory's life (one Terraform command), so that
// a failing endpoint costs its retries once and not once per user. If the
// endpoint answered, err is returned: the user really is gone. If not, the
// result is an *Error that does not match ErrNotFound, naming the base URL
// and wrapping the check's failure.
func (d *UserDirectory) ConfirmNotFound(ctx context.Context, err error) error {
	if !errors.Is(err, ErrNotFound) || d.client.usersServed.Load() {
		return err
	}
	op := "confirm not found"
	var e *Error
	if errors.As(err, &e) {
		op = e.Operation
	}
	p := d.startProbe(ctx)
	select {
	case <-p.done:
	case <-ctx.Done():
		return &Error{Operation: op, err: ctx.Err()}
	}
	if p.err == nil {
		return err
	}
	return &Error{Operation: op, err: fmt.Errorf(
		"the tenant URL %s does not serve TeamViewer's SCIM Users endpoint (TeamViewer's is %s), so a 404 does not "+
			"show that the user is gone; check tenant_url or TEAMVIEWER_TENANT_URL: %w",
		d.client.baseURL, DefaultBaseURL, notFoundHidden{p.err})}
}

// startProbe returns the directory's check of the Users endpoint, starting it
// on the first call. Like the listing, it serves every caller, so it runs
// without ctx's cancellation, bounded by the Client's timeouts and retries.
func (d *UserDirectory) startProbe(ctx context.Context) *usersProbe {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.probe == nil {
		p := &usersProbe{done: make(chan struct{})}
		ctx = context.WithoutCancel(ctx)
		go func() {
			defer close(p.done)
			p.err = d.client.probeUsers(ctx)
		}()
		d.probe = p
	}
	return d.probe
}

// Remember records u as TeamViewer returned it after a write, so that later
// reads return it rather than an older snapshot, even a listing that
// finishes loading after the write.
func (d *UserDirectory) Remember(u User) {
	if d.opts.Disabled || u.ID == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.written[u.ID] = u
}

// read serves one read: from the remembered writes, else from the listing
// once the reads pass the threshold, else (below it, after a failed listing,
// or on a miss) with fetch, the Client's own request. known looks the user
// up in the remembered writes and the listing l.
func (d *UserDirectory) read(ctx context.Context, op string, known func(l *userListing) (User, bool), fetch func() (User, error)) (User, error) {
	if d.opts.Disabled {
		return fetch()
	}
	if u, ok := known(notListed); ok {
		return u, nil
	}
	l, err := d.awaitListing(ctx, op)
	if err != nil {
		return User{}, err
	}
	if u, ok := known(l); ok {
		return u, nil
	}
	return fetch()
}

// awaitListing counts a read and returns the loaded listing that should
// serve it, starting the listing when this read passes the threshold and
// waiting for it while it loads. It returns notListed when the read is to be
// a single request: below the threshold, or after the listing failed. Only
// the wait honours ctx; see startListing.
func (d *UserDirectory) awaitListing(ctx context.Context, op string) (*userListing, error) {
	d.mu.Lock()
	d.reads++
	if d.listing == nil && d.reads > d.opts.SingleReads {
		d.listing = d.startListing(ctx)
	}
	l := d.listing
	d.mu.Unlock()

	if l == nil {
		return notListed, nil
	}
	select {
	case <-l.done:
	case <-ctx.Done():
		return nil, &Error{Operation: op, err: ctx.Err()}
	}
	if l.failed {
		return notListed, nil
	}
	return l, nil
}

// startListing loads every user in the background. The listing serves all
// the reads waiting for it, so the cancellation of the read that happened to
// start it must not end it: it runs under ctx's values (the logger) without
// its cancellation, bounded by the Client's timeouts and retries.
func (d *UserDirectory) startListing(ctx context.Context) *userListing {
	l := &userListing{done: make(chan struct{})}
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer close(l.done)
		users, err := d.client.ListUsers(ctx, ListOptions{PageSize: d.opts.PageSize})
		if err != nil {
			l.failed = true
			d.client.log.debug(ctx, "SCIM bulk refresh: listing users failed; reading them one at a time",
				map[string]any{"error": err.Error()})
			return
		}
		l.users = users
		l.index = make(map[string]int, len(users))
		for i, u := range users {
			l.index[u.ID] = i
		}
		d.client.log.debug(ctx, "SCIM bulk refresh: listed users", map[string]any{"users": len(users)})
	}()
	return l
}

// byID returns the user with the given id as last written, else as the
// listing l has it.
func (d *UserDirectory) byID(l *userListing, id string) (User, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if u, ok := d.written[id]; ok {
		return u, true
	}
	if i, ok := l.index[id]; ok {
		return l.users[i], true
	}
	return User{}, false
}

// byUserName answers a find from the remembered writes and the listing l. A
// match without regard to case answers only from a loaded listing, the one
// place where it can be seen to be the only such user; else, as on a miss or
// an ambiguity, the server decides, and reports the ambiguity from current
// data.
func (d *UserDirectory) byUserName(l *userListing, userName string) (User, bool) {
	u, found, err := pickUser(d.users(l), userName)
	return u, err == nil && found && (l != notListed || u.UserName == userName)
}

// users returns every user known: those of the listing l in its order, each
// replaced by its remembered write, then the remembered users l lacks.
func (d *UserDirectory) users(l *userListing) []User {
	d.mu.Lock()
	defer d.mu.Unlock()
	all := make([]User, 0, len(l.users)+len(d.written))
	for _, u := range l.users {
		if w, ok := d.written[u.ID]; ok {
			u = w
		}
		all = append(all, u)
	}
	for id, w := range d.written {
		if _, listed := l.index[id]; !listed {
			all = append(all, w)
		}
	}
	return all
}
