package scim

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

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
	dir    *directory[User]
	guard  createGuard

	// served is set once a request through this Users was answered with a
	// user or a ListResponse: proof that a 404 comes from TeamViewer's Users
	// endpoint rather than from a wrong base URL.
	served atomic.Bool
}

// NewUsers returns a Users reading and writing through c.
func NewUsers(c *Client, opts DirectoryOptions) *Users {
	if opts.PageSize <= 0 {
		opts.PageSize = defaultPageSize
	}
	us := &Users{client: c, guard: newCreateGuard()}
	us.dir = &directory[User]{
		endpoint: "Users",
		log:      c.log,
		opts:     opts,
		id:       func(u User) string { return u.ID },
		name:     func(u User) string { return u.UserName },
		count:    c.countUsers,
		list: func(ctx context.Context, pageSize int) ([]User, error) {
			return c.ListUsers(ctx, ListOptions{PageSize: pageSize})
		},
		served: &us.served,
		known:  newKnownSet[User](),
	}
	return us
}

// Get returns the user with the given id. A missing user is an error
// matching ErrNotFound, always from a GET of the user itself, confirmed by
// ConfirmNotFound.
func (us *Users) Get(ctx context.Context, id string) (User, error) {
	u, err := us.dir.read(ctx, "get user "+id,
		func(l *listing[User]) (User, bool) { return us.dir.byID(l, id) },
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
	u, err := us.dir.read(ctx, op,
		func(l *listing[User]) (User, bool) {
			// A match without regard to case answers only from a loaded listing, the one
			// place where it can be seen to be the only such user; else, as on a miss or
			// an ambiguity, the server decides, and reports the ambiguity from current data.
			u, found, err := pickUser(us.dir.candidates(l, userName), userName)
			return u, err == nil && found && (l != nil || u.UserName == userName)
		},
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
	l, err := us.dir.awaitListing(ctx, op, us.dir.loadListing)
	switch {
	case err != nil:
		return User{}, err
	case l == nil:
		return User{}, &Error{Operation: op, err: errors.New("the exact filter found no user, and listing the users " +
			"to compare without regard to case failed; see the debug log")}
	}
	u, found, err = pickUser(us.dir.candidates(l, userName), userName)
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
		us.dir.remember(u)
	}
	return u, err
}

// ConfirmNotFound returns err unchanged unless it matches ErrNotFound; then
// it checks, once per Users, that the base URL serves TeamViewer's Users
// endpoint, so that a mistyped tenant URL cannot make every user look
// deleted. See directory.confirmNotFound.
func (us *Users) ConfirmNotFound(ctx context.Context, err error) error {
	return us.dir.confirmNotFound(ctx, err, us.client.baseURL)
}
