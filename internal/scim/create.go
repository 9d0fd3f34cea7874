package scim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// interruptedCreateLookupTimeout bounds the one lookup made after the
// caller's context ended during a create, so that Ctrl-C still ends the run
// promptly.
const interruptedCreateLookupTimeout = 20 * time.Second

// CreateOutcome says how Create came by the user it returns.
type CreateOutcome int

const (
	// Created: TeamViewer answered the POST with the new user.
	Created CreateOutcome = iota + 1
	// Recovered: the answer to a POST was lost (a timeout, a dropped
	// connection, a gateway error, Ctrl-C), or a resent POST was refused as
	// a duplicate of itself, and a lookup found the user that POST created.
	Recovered
	// Adopted: a deactivated user already had the user name, as an earlier
	// destroy leaves one behind since TeamViewer cannot delete users. It was
	// set to the requested values, active included. The create-only fields
	// (password, language, SSO id) were not sent: TeamViewer takes them only
	// on create.
	Adopted
)

// CreateResult is what Create did.
type CreateResult struct {
	User    User
	Outcome CreateOutcome
}

// UserExistsError is a create refused because its user name is taken, by an
// active user of this company or, when User.ID is "", by a TeamViewer
// account outside it: user names are unique across all of TeamViewer.
type UserExistsError struct {
	UserName string
	// User is the active user of this company with the name; zero when the
	// name belongs to an account outside the company.
	User User
	// CreatedHere is set when this Users created or adopted User earlier in
	// the run: another caller of the same run (another resource of the same
	// configuration) manages the user.
	CreatedHere bool
	// Cause is TeamViewer's refusal of the POST.
	Cause error
}

func (e *UserExistsError) Error() string {
	switch {
	case e.User.ID == "":
		return fmt.Sprintf("the user name %s belongs to a TeamViewer account outside this company (user names are unique "+
			"across all of TeamViewer): %v", e.UserName, e.Cause)
	case e.CreatedHere:
		return fmt.Sprintf("the user name %s belongs to user %s, created or adopted earlier in this run for another caller",
			e.UserName, e.User.ID)
	}
	return fmt.Sprintf("an active user with user name %s already exists (id %s)", e.UserName, e.User.ID)
}

// Unwrap returns TeamViewer's refusal, so that errors.As finds its *Error.
func (e *UserExistsError) Unwrap() error { return e.Cause }

// createGuard keeps the creates of one run apart: it serialises the creates
// (and adoptions) of one name, compared without regard to case, and knows
// which ids the run created or adopted, each for one caller.
type createGuard struct {
	mu      sync.Mutex
	claimed map[string]bool
	names   map[string]*nameLock
}

// nameLock is the lock of one name in a createGuard.
type nameLock struct {
	sync.Mutex
	holders int // callers holding or waiting for the lock; the entry goes when it drops to 0
}

func newCreateGuard() createGuard {
	return createGuard{claimed: make(map[string]bool), names: make(map[string]*nameLock)}
}

// lock locks name's nameLock and returns its unlock.
func (g *createGuard) lock(name string) (unlock func()) {
	key := foldKey(name)
	g.mu.Lock()
	l := g.names[key]
	if l == nil {
		l = &nameLock{}
		g.names[key] = l
	}
	l.holders++
	g.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		g.mu.Lock()
		if l.holders--; l.holders == 0 {
			delete(g.names, key)
		}
		g.mu.Unlock()
	}
}

// claim records that the run created or adopted id for one caller.
func (g *createGuard) claim(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.claimed[id] = true
}

// isClaimed reports whether the run created or adopted id earlier, for
// another caller: then it is never a create's own, whatever its name.
func (g *createGuard) isClaimed(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.claimed[id]
}

// Create makes the user u, and is the one place that decides whether a
// create happened:
//
//   - A 2xx answer to the POST is the new user (Created), never second
//     guessed, even where TeamViewer normalised a value.
//   - After a failure that TeamViewer may have acted on (see mayHaveActed),
//     the user is looked up with the exact filter, one request; a loaded
//     listing of the run is consulted for other cases without a request.
//     A user with u's user name and display name is the one this create
//     made (Recovered); any other is a user that had the name before. When
//     nobody has the name, the POST is sent again after the wait a retry
//     would have. All POSTs together count against MaxRetries.
//   - A duplicate refusal (409, or a 400 or 422 that a duplicate can
//     explain) of a resent POST is this create meeting itself, with the same
//     rule: the user with u's user name and display name is its user. Of the
//     first POST, it means the name was taken before.
//   - A user that this run created or adopted for another caller is never
//     this create's user: two resources would then manage one user.
//   - A user that had the name before is adopted when it is deactivated,
//     deciding on a fresh GET of that user, never on an earlier listing. An
//     active one is a *UserExistsError: taking it over silently could fight
//     its owner. A name nobody in the company has, yet refused as a
//     duplicate, belongs to an account outside it: *UserExistsError too.
//   - When ctx ends while TeamViewer may have acted, one lookup on a context
//     of its own finds the user if it was created, so it is not orphaned.
//
// Creates and adoptions of one user name are serialised within us, so two
// callers naming one deactivated user cannot both adopt it: the second finds
// it active. When TeamViewer did not take u.Active from the POST, it is
// patched; if that patch fails, the user is returned with the error, so
// that the caller records the user rather than orphaning it.
func (us *Users) Create(ctx context.Context, u NewUser) (CreateResult, error) {
	unlock := us.guard.lock(u.UserName)
	defer unlock()
	res, err := us.create(ctx, u)
	if err != nil {
		return CreateResult{}, err
	}
	us.guard.claim(res.User.ID)
	res.User, err = us.wrote(res.User, nil)
	if res.Outcome != Adopted && res.User.Active != u.Active {
		var patched User
		patched, err = us.Update(ctx, res.User.ID, UserPatch{Active: &u.Active})
		if err == nil {
			res.User = patched
		}
	}
	return res, err
}

// create sends the POST until the outcome is known (see Create), then
// applies the adoption rules to a user that had the name before.
func (us *Users) create(ctx context.Context, u NewUser) (CreateResult, error) {
	a, err := safeCreate(ctx, us.client, &us.guard, createRules[User]{
		call:      us.client.newCreateCall(u),
		decode:    decodeUser,
		id:        func(found User) string { return found.ID },
		createdBy: func(found User) bool { return isCreatedFrom(found, u) },
		lookupLost: func(ctx context.Context, op string) (User, bool, error) {
			return us.lookupAfterLostAnswer(ctx, op, u.UserName)
		},
		lookupTaken: func(ctx context.Context) (User, error) { return us.FindByUserName(ctx, u.UserName) },
	})
	switch {
	case err != nil:
		return CreateResult{}, err
	case a.outcome != 0:
		us.served.Store(true)
		return CreateResult{User: a.value, Outcome: a.outcome}, nil
	case a.value.ID != "":
		return us.adoptOrRefuse(ctx, u, a.value, a.cause)
	case saysDuplicate(a.cause):
		return CreateResult{}, &UserExistsError{UserName: u.UserName, Cause: a.cause}
	}
	return CreateResult{}, a.cause // refused for another reason: TeamViewer's answer says which
}

// createRules is what safeCreate needs to know of one kind of resource.
type createRules[T any] struct {
	call      *call
	decode    func([]byte) (T, error)
	id        func(T) string
	createdBy func(T) bool // looks created from this create's request
	// lookupLost finds the resource by name after a lost answer, with at
	// most one request; found is false when nobody has the name.
	lookupLost func(ctx context.Context, op string) (v T, found bool, err error)
	// lookupTaken finds whoever has the name after a duplicate refusal: an
	// error matching ErrNotFound when nobody visible does.
	lookupTaken func(ctx context.Context) (T, error)
}

// createAttempt is what safeCreate found out: the new resource (outcome
// Created or Recovered), or one that had the name before (outcome 0; cause
// is how the create met it), or, with value zero too, a duplicate refusal
// of a name nobody visible has (cause is the refusal).
type createAttempt[T any] struct {
	value   T
	outcome CreateOutcome
	cause   error
}

// safeCreate is the one decision, for every kind of resource, of whether a
// create happened:
//
//   - A 2xx answer to the POST is the new resource (Created), never second
//     guessed, even where TeamViewer normalised a value.
//   - After a failure that TeamViewer may have acted on (see mayHaveActed),
//     lookupLost looks, with one request. What it finds is this create's
//     (Recovered) when createdBy says so and the run has not claimed it for
//     another caller; else it had the name before. When nobody has the name,
//     the POST is sent again after the wait a retry would have. All POSTs
//     together count against MaxRetries.
//   - A duplicate refusal (409, or a 400 or 422 that a duplicate can explain)
//     of a resent POST is this create meeting itself, under the same rule. Of
//     the first POST, it means the name was taken before.
//   - When ctx ends while TeamViewer may have acted, one lookup on a context
//     of its own finds the resource if it was created, so it is not orphaned.
func safeCreate[T any](ctx context.Context, c *Client, guard *createGuard, r createRules[T]) (createAttempt[T], error) {
	cl := r.call
	ours := func(v T) bool { return r.createdBy(v) && !guard.isClaimed(r.id(v)) }
	for resent := false; ; resent = true {
		var created T
		err := c.do(ctx, cl, func(b []byte) (err error) {
			created, err = r.decode(b)
			return err
		})
		switch {
		case err == nil:
			return createAttempt[T]{value: created, outcome: Created}, nil
		case ctx.Err() != nil && cl.sent.Load():
			return recoverInterrupted(ctx, c, cl, r, ours, err)
		case mayHaveActed(ctx, cl, err):
			found, ok, lookupErr := r.lookupLost(ctx, cl.op)
			switch {
			case lookupErr != nil && ctx.Err() != nil:
				// Interrupted during the lookup, after TeamViewer may have acted.
				return recoverInterrupted(ctx, c, cl, r, ours, err)
			case lookupErr != nil:
				return createAttempt[T]{}, errors.Join(err, lookupErr)
			case ok && ours(found):
				c.log.debug(ctx, "SCIM create failed ambiguously, but what it created exists; using it",
					map[string]any{"operation": cl.op, "id": r.id(found)})
				return createAttempt[T]{value: found, outcome: Recovered}, nil
			case ok:
				return createAttempt[T]{value: found, cause: err}, nil
			case !c.budgetLeft(cl):
				return createAttempt[T]{}, err
			}
			// A lookup succeeding does not mean the server is ready for the
			// POST: a 503 may have asked for a pause, and parallel creates
			// that failed together would otherwise resend together.
			wait := c.resendWait(cl)
			c.log.debug(ctx, "SCIM create failed ambiguously and nobody has the name; sending it again",
				map[string]any{"operation": cl.op, "wait_ms": wait.Milliseconds()})
			if sleepErr := sleep(ctx, wait); sleepErr != nil {
				return createAttempt[T]{}, cl.transportError(sleepErr)
			}
		case mayBeDuplicate(err):
			existing, findErr := r.lookupTaken(ctx)
			switch {
			case errors.Is(findErr, ErrNotFound):
				return createAttempt[T]{cause: err}, nil
			case findErr != nil:
				return createAttempt[T]{}, fmt.Errorf("%w\n\nLooking it up to see whether it already exists also failed: %w", err, findErr)
			case resent && ours(existing):
				c.log.debug(ctx, "SCIM create resent after an ambiguous failure met what the first POST created; using it",
					map[string]any{"operation": cl.op, "id": r.id(existing)})
				return createAttempt[T]{value: existing, outcome: Recovered}, nil
			}
			return createAttempt[T]{value: existing, cause: err}, nil
		default:
			return createAttempt[T]{}, err
		}
	}
}

// recoverInterrupted runs when ctx ended (Ctrl-C, a pipeline's timeout) while
// TeamViewer may have carried out the POST: on a context of its own, bounded
// by interruptedCreateLookupTimeout, it looks the resource up, first with
// the exact lookup, then, since no resend will follow to meet a name stored
// in another case, with the case-insensitive one. A resource found that is
// this create's is Recovered, so it is recorded instead of orphaned; else
// the create's own error stands.
func recoverInterrupted[T any](ctx context.Context, c *Client, cl *call, r createRules[T], ours func(T) bool, createErr error) (createAttempt[T], error) {
	lookupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), interruptedCreateLookupTimeout)
	defer cancel()
	found, ok, err := r.lookupLost(lookupCtx, cl.op)
	if err == nil && !ok {
		found, err = r.lookupTaken(lookupCtx)
		ok = err == nil
	}
	if err != nil || !ok || !ours(found) {
		return createAttempt[T]{}, createErr
	}
	c.log.debug(ctx, "SCIM create was interrupted after TeamViewer created it; using it", map[string]any{"operation": cl.op})
	return createAttempt[T]{value: found, outcome: Recovered}, nil
}

// isCreatedFrom tells whether user is what creating u produces. TeamViewer
// cannot say whether a user found after a lost answer is the one just
// created or one that already had the name; a user with u's user name and
// display name is taken as the former.
func isCreatedFrom(user User, u NewUser) bool {
	return strings.EqualFold(user.UserName, u.UserName) && user.DisplayName == u.DisplayName
}

// lookupAfterLostAnswer looks for userName after a POST whose answer was
// lost, with at most one request: the exact filter, else the run's listing
// if one is loaded. Paging the whole company once per failed POST would turn
// a slow server into a slower one; should TeamViewer have stored the name in
// another case, the resent POST meets it as a duplicate, and that path
// searches without regard to case.
func (us *Users) lookupAfterLostAnswer(ctx context.Context, op, userName string) (User, bool, error) {
	matches, err := us.client.findExact(ctx, op, userName)
	if err != nil {
		return User{}, false, err
	}
	matches = append(matches, us.dir.candidates(us.dir.loaded(), userName)...)
	u, found, err := pickUser(matches, userName)
	if err != nil {
		return User{}, false, &Error{Operation: op, err: err}
	}
	return u, found, nil
}

// adoptOrRefuse applies the rules for existing, a user that had u's user
// name before this create. It decides on a fresh GET: a listing taken
// earlier in the run may show the user deactivated after someone has
// reactivated it.
func (us *Users) adoptOrRefuse(ctx context.Context, u NewUser, existing User, cause error) (CreateResult, error) {
	fresh, err := us.client.GetUser(ctx, existing.ID)
	if err != nil {
		return CreateResult{}, fmt.Errorf("%w\n\nReading the existing user %s that has this user name also failed: %w", cause, existing.ID, err)
	}
	if fresh.Active || us.guard.isClaimed(fresh.ID) {
		return CreateResult{}, &UserExistsError{UserName: u.UserName, User: fresh, CreatedHere: us.guard.isClaimed(fresh.ID), Cause: cause}
	}
	var patch UserPatch
	if !strings.EqualFold(fresh.UserName, u.UserName) {
		patch.UserName = &u.UserName
	}
	if fresh.DisplayName != u.DisplayName {
		patch.DisplayName = &u.DisplayName
	}
	if u.Active {
		patch.Active = &u.Active
	}
	adopted := fresh
	if !patch.IsEmpty() {
		if adopted, err = us.client.PatchUser(ctx, fresh.ID, patch); err != nil {
			return CreateResult{}, err
		}
	}
	us.client.log.debug(ctx, "SCIM create adopted a deactivated user with the user name", map[string]any{"id": adopted.ID})
	return CreateResult{User: adopted, Outcome: Adopted}, nil
}
