package scim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// NewGroup is what a group create sends: the name, then the members.
type NewGroup struct {
	DisplayName string
	Members     []string // user ids
}

// GroupCreateResult is what Groups.Create did; see CreateOutcome (Adopted
// does not occur: groups can be deleted, so nothing is left to adopt).
type GroupCreateResult struct {
	Group   Group
	Outcome CreateOutcome
}

// GroupExistsError is a create refused because a group of the company has
// the display name, compared without regard to case: TeamViewer's filters
// may be case-sensitive, and two groups whose names differ only in case
// would be a trap for everyone who reads them.
type GroupExistsError struct {
	DisplayName string
	Group       Group // the group that has the name; zero when TeamViewer refused the name but none is visible
	// CreatedHere is set when this Groups created Group earlier in the run:
	// another caller (another resource of the same configuration) manages it.
	CreatedHere bool
	// Cause is TeamViewer's refusal of the POST, or nil when the lookup
	// before it found the group.
	Cause error
}

func (e *GroupExistsError) Error() string {
	switch {
	case e.Group.ID == "":
		return fmt.Sprintf("TeamViewer refused to create a group named %q as a duplicate: %v", e.DisplayName, e.Cause)
	case e.CreatedHere:
		return fmt.Sprintf("the group name %q belongs to group %s, created earlier in this run for another caller", e.DisplayName, e.Group.ID)
	}
	return fmt.Sprintf("a group named %q already exists (id %s)", e.Group.DisplayName, e.Group.ID)
}

// Unwrap returns TeamViewer's refusal, if any.
func (e *GroupExistsError) Unwrap() error { return e.Cause }

// Groups is the one way to TeamViewer's user groups for the callers of one
// run, as Users is to its users, with the same rules: reads cost at most about
// twice the cheaper of "one GET per group" and "one listing" (see directory),
// writes win over the listing, misses are confirmed against the endpoint,
// and a create never makes a second group of one name. Besides:
//
//   - Concurrent reads of one group share one request, and the group read
//     serves the rest of the run: five hundred memberships of one group cost
//     one read of it, not five hundred.
//   - Member changes are sent as Entra ID sends them ("Add"/"Remove" of
//     members, at most MaxMembersPerRequest per request), and the run's view
//     applies each change to what it knew, so that concurrent changes whose
//     answers arrive out of order cannot undo each other in it.
//
// Groups is safe for concurrent use; create one with NewGroups per provider
// configuration.
type Groups struct {
	client *Client
	dir    *directory[Group]
	guard  createGuard
	served atomic.Bool

	mu      sync.Mutex
	flights map[string]*groupFlight // reads of one group in progress, by id
}

// groupFlight is one GET of a group that concurrent readers share. g and err
// are set before done is closed.
type groupFlight struct {
	done chan struct{}
	g    Group
	err  error
}

// NewGroups returns a Groups reading and writing through c.
func NewGroups(c *Client, opts DirectoryOptions) *Groups {
	if opts.PageSize <= 0 {
		opts.PageSize = defaultGroupPageSize
	}
	gs := &Groups{client: c, guard: newCreateGuard(), flights: make(map[string]*groupFlight)}
	gs.dir = &directory[Group]{
		endpoint: "Groups",
		log:      c.log,
		opts:     opts,
		id:       func(g Group) string { return g.ID },
		name:     func(g Group) string { return g.DisplayName },
		count:    c.countGroups,
		list: func(ctx context.Context, pageSize int) ([]Group, error) {
			return c.ListGroups(ctx, ListOptions{PageSize: pageSize})
		},
		served: &gs.served,
		known:  newKnownSet[Group](),
	}
	return gs
}

// Get returns the group with the given id, with its members. A missing
// group is an error matching ErrNotFound, confirmed by ConfirmNotFound.
func (gs *Groups) Get(ctx context.Context, id string) (Group, error) {
	g, err := gs.dir.read(ctx, "get group "+id,
		func(l *listing[Group]) (Group, bool) {
			g, ok := gs.dir.byID(l, id)
			return g, ok && g.MembersKnown
		},
		func() (Group, error) { return gs.fetch(ctx, id) })
	return g, gs.ConfirmNotFound(ctx, gs.note(err))
}

// fetch reads the group with one GET shared by the concurrent readers of the
// same id, and keeps it as the run's view. Like the listing, the GET runs
// without the cancellation of the reader that started it; each reader's own
// wait honours its ctx.
func (gs *Groups) fetch(ctx context.Context, id string) (Group, error) {
	gs.mu.Lock()
	if g, ok := gs.dir.byID(nil, id); ok && g.MembersKnown {
		gs.mu.Unlock() // a read that finished since this one checked the view
		return g, nil
	}
	f, inFlight := gs.flights[id]
	if !inFlight {
		f = &groupFlight{done: make(chan struct{})}
		gs.flights[id] = f
		go func() {
			defer close(f.done)
			f.g, f.err = gs.client.GetGroup(context.WithoutCancel(ctx), id)
			if f.err == nil {
				gs.dir.remember(f.g)
			}
			gs.mu.Lock()
			delete(gs.flights, id)
			gs.mu.Unlock()
		}()
	}
	gs.mu.Unlock()
	if err := await(ctx, "get group "+id, f.done); err != nil {
		return Group{}, err
	}
	return f.g, f.err
}

// FindByDisplayName returns the group with the given display name, compared
// without regard to case; its Members may be unknown (see Group), so read it
// with Get for them. A miss is an error matching ErrNotFound, confirmed by
// ConfirmNotFound.
//
// The lookup tries the exact filter, as Entra ID does; since TeamViewer's
// filters may be case-sensitive, an exact miss is not proof of absence, and
// the run's listing (loaded for it if need be, then shared) decides.
func (gs *Groups) FindByDisplayName(ctx context.Context, name string) (Group, error) {
	op := "find group " + name
	if name == "" {
		return Group{}, &Error{Operation: op, err: errors.New("the displayName is empty")}
	}
	g, err := gs.dir.read(ctx, op,
		func(l *listing[Group]) (Group, bool) {
			g, found, err := pickGroup(gs.dir.candidates(l, name), name)
			return g, err == nil && found && (l != nil || g.DisplayName == name)
		},
		func() (Group, error) { return gs.findOnServer(ctx, op, name) })
	return g, gs.ConfirmNotFound(ctx, gs.note(err))
}

// findOnServer is a lookup that the run's view could not answer: the exact
// filter, then the listing.
func (gs *Groups) findOnServer(ctx context.Context, op, name string) (Group, error) {
	matches, err := gs.client.findGroupsExact(ctx, op, name)
	if err != nil {
		return Group{}, err
	}
	gs.served.Store(true)
	if g, found, err := pickGroup(matches, name); err != nil || found {
		return g, wrapPickError(op, err)
	}
	l, err := gs.dir.awaitListing(ctx, op, gs.dir.loadListing)
	switch {
	case err != nil:
		return Group{}, err
	case l == nil:
		return Group{}, &Error{Operation: op, err: errors.New("the exact filter found no group, and listing the groups " +
			"to compare without regard to case failed; see the debug log")}
	}
	g, found, err := pickGroup(gs.dir.candidates(l, name), name)
	switch {
	case err != nil:
		return Group{}, wrapPickError(op, err)
	case !found:
		return Group{}, &Error{Operation: op, err: fmt.Errorf("%w: no group has this displayName, compared case-insensitively", ErrNotFound)}
	}
	return g, nil
}

// EachPage lists the groups matching opts.Filter, with their members unless
// TeamViewer leaves them out, and hands each page to fn as it arrives.
func (gs *Groups) EachPage(ctx context.Context, opts ListOptions, fn func(page []Group) error) error {
	return gs.note(gs.client.eachGroupPage(ctx, "list groups", opts, true, fn))
}

// Create makes the group ng and then adds its members, never a second group
// of one name: a group that has the name, in any case, is a
// *GroupExistsError, checked before the POST and decided by safeCreate
// after a lost answer (a lost answer whose group exists is this create's).
// When adding the members fails, the group is returned with the error, so
// that the caller records it rather than orphaning it.
func (gs *Groups) Create(ctx context.Context, ng NewGroup) (GroupCreateResult, error) {
	unlock := gs.guard.lock(ng.DisplayName)
	defer unlock()
	existing, err := gs.FindByDisplayName(ctx, ng.DisplayName)
	switch {
	case err == nil:
		return GroupCreateResult{}, &GroupExistsError{DisplayName: ng.DisplayName, Group: existing, CreatedHere: gs.guard.isClaimed(existing.ID)}
	case !errors.Is(err, ErrNotFound):
		return GroupCreateResult{}, err
	}
	a, err := safeCreate(ctx, gs.client, &gs.guard, createRules[Group]{
		call:      gs.client.newCreateGroupCall(ng.DisplayName),
		decode:    decodeGroup,
		id:        func(g Group) string { return g.ID },
		createdBy: func(g Group) bool { return g.DisplayName == ng.DisplayName },
		lookupLost: func(ctx context.Context, op string) (Group, bool, error) {
			matches, err := gs.client.findGroupsExact(ctx, op, ng.DisplayName)
			if err != nil {
				return Group{}, false, err
			}
			g, found, err := pickGroup(append(matches, gs.dir.candidates(gs.dir.loaded(), ng.DisplayName)...), ng.DisplayName)
			return g, found, wrapPickError(op, err)
		},
		lookupTaken: func(ctx context.Context) (Group, error) { return gs.FindByDisplayName(ctx, ng.DisplayName) },
	})
	switch {
	case err != nil:
		return GroupCreateResult{}, err
	case a.outcome == 0 && a.value.ID != "":
		return GroupCreateResult{}, &GroupExistsError{DisplayName: ng.DisplayName, Group: a.value,
			CreatedHere: gs.guard.isClaimed(a.value.ID), Cause: a.cause}
	case a.outcome == 0 && saysDuplicate(a.cause):
		// Taken in the meantime, in a case the run's listing predates.
		return GroupCreateResult{}, &GroupExistsError{DisplayName: ng.DisplayName, Cause: a.cause}
	case a.outcome == 0:
		return GroupCreateResult{}, a.cause
	}
	gs.served.Store(true)
	g := a.value
	gs.guard.claim(g.ID)
	if !g.MembersKnown || a.outcome == Recovered {
		// A group found by a lookup comes without members; one this create made has none yet.
		g.Members, g.MembersKnown = []string{}, true
	}
	gs.dir.remember(g)
	res := GroupCreateResult{Group: g, Outcome: a.outcome}
	if len(ng.Members) > 0 {
		withMembers, err := gs.AddMembers(ctx, g.ID, ng.Members)
		if err != nil {
			// The group exists: it goes back with the members added so far, never orphaned.
			if known, ok := gs.dir.byID(nil, g.ID); ok {
				res.Group = known
			}
			return res, err
		}
		res.Group = withMembers
	}
	return res, nil
}

// Rename replaces the group's display name.
func (gs *Groups) Rename(ctx context.Context, id, name string) (Group, error) {
	answer, returned, err := gs.client.patchGroup(ctx, "rename group "+id, id,
		wirePatchOp{Op: "Replace", Path: "displayName", Value: name})
	if err = gs.ConfirmNotFound(ctx, gs.note(err)); err != nil {
		return Group{}, err
	}
	gs.dir.change(id, func(g Group) Group { g.DisplayName = name; return g })
	return gs.afterWrite(ctx, id, answer, returned)
}

// AddMembers adds the users with the given ids to the group, at most
// MaxMembersPerRequest per request; members already in it are accepted. It
// returns the group as the run now knows it.
func (gs *Groups) AddMembers(ctx context.Context, id string, userIDs []string) (Group, error) {
	return gs.changeMembers(ctx, "Add", id, userIDs)
}

// RemoveMembers removes the users with the given ids from the group, at
// most MaxMembersPerRequest per request; members already gone are accepted.
func (gs *Groups) RemoveMembers(ctx context.Context, id string, userIDs []string) (Group, error) {
	return gs.changeMembers(ctx, "Remove", id, userIDs)
}

func (gs *Groups) changeMembers(ctx context.Context, verb, id string, userIDs []string) (Group, error) {
	op := fmt.Sprintf("%s members of group %s", strings.ToLower(verb), id)
	userIDs = slices.Compact(slices.Sorted(slices.Values(userIDs))) // TeamViewer keeps a member once
	var (
		answer   Group
		returned bool
	)
	for chunk := range slices.Chunk(userIDs, MaxMembersPerRequest) {
		var err error
		answer, returned, err = gs.client.patchGroup(ctx, op, id, wirePatchOp{Op: verb, Path: "members", Value: memberValues(chunk)})
		if err = gs.ConfirmNotFound(ctx, gs.note(err)); err != nil {
			return Group{}, err
		}
		changed := make(map[string]bool, len(chunk))
		for _, m := range chunk {
			changed[m] = true
		}
		gs.dir.change(id, func(g Group) Group {
			kept := g.Members
			if verb == "Add" {
				for _, m := range chunk {
					if !slices.Contains(kept, m) {
						kept = append(slices.Clip(kept), m)
					}
				}
			} else {
				kept = slices.DeleteFunc(slices.Clone(kept), func(m string) bool { return changed[m] })
			}
			g.Members = kept
			return g
		})
	}
	return gs.afterWrite(ctx, id, answer, returned)
}

// afterWrite returns the group as the run knows it after a write: its view
// when it had one, else the last answer when TeamViewer returned the group,
// else a read.
func (gs *Groups) afterWrite(ctx context.Context, id string, answer Group, returned bool) (Group, error) {
	if g, ok := gs.dir.byID(nil, id); ok && g.MembersKnown {
		return g, nil
	}
	if returned && answer.MembersKnown {
		gs.dir.remember(answer)
		return answer, nil
	}
	return gs.Get(ctx, id)
}

// Delete deletes the group. A group that is already gone is an error
// matching ErrNotFound, confirmed by ConfirmNotFound.
func (gs *Groups) Delete(ctx context.Context, id string) error {
	err := gs.ConfirmNotFound(ctx, gs.note(gs.client.DeleteGroup(ctx, id)))
	if err == nil || errors.Is(err, ErrNotFound) {
		gs.dir.forget(id)
	}
	return err
}

// note records that a request through gs succeeded, which shows the base
// URL serving the Groups endpoint, and returns err.
func (gs *Groups) note(err error) error {
	if err == nil {
		gs.served.Store(true)
	}
	return err
}

// ConfirmNotFound returns err unchanged unless it matches ErrNotFound; then
// it checks, once per Groups, that the base URL serves the Groups endpoint.
// See directory.confirmNotFound.
func (gs *Groups) ConfirmNotFound(ctx context.Context, err error) error {
	return gs.dir.confirmNotFound(ctx, err, gs.client.baseURL)
}

// pickGroup returns the group named name exactly, else the only one named so
// without regard to case; see pickByName.
func pickGroup(groups []Group, name string) (Group, bool, error) {
	return pickByName(groups, name, "groups", "displayName",
		func(g Group) string { return g.ID }, func(g Group) string { return g.DisplayName })
}

// wrapPickError makes an ambiguity from pickByName an *Error of op.
func wrapPickError(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Operation: op, err: err}
}
