package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// defaultPageSize is the count asked for per page when ListOptions has none.
const defaultPageSize = 1000

// User is a TeamViewer user as the API returns it.
type User struct {
	ID          string // TeamViewer user id, e.g. u1234567
	UserName    string // the email address the user signs in with
	DisplayName string
	GivenName   string // derived by TeamViewer from DisplayName; "" when the API returns null
	FamilyName  string // derived by TeamViewer from DisplayName; "" when the API returns null
	Active      bool
}

// NewUser is what a create sends; the create-only fields are never returned by
// TeamViewer.
type NewUser struct {
	UserName, DisplayName string
	Active                bool
	Password              string // initial password, create only
	PreferredLanguage     string // language of the welcome email, e.g. "de_DE", create only
	// SSOCustomerID enables single sign-on (create only). It is sent in the
	// SsoUser extension urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser,
	// whose URN then also goes into schemas.
	SSOCustomerID string
}

// UserPatch lists the attributes to replace; nil fields are left alone.
type UserPatch struct {
	UserName    *string
	DisplayName *string
	Active      *bool
}

// IsEmpty reports whether the patch changes nothing.
func (p UserPatch) IsEmpty() bool {
	return p.UserName == nil && p.DisplayName == nil && p.Active == nil
}

// ListOptions narrows and pages ListUsers.
type ListOptions struct {
	Filter   string // SCIM filter, e.g. from EqualFilter; "" lists every user
	PageSize int    // users asked for per request; 0 = 1000
}

// GetUser returns the user with the given id; a missing user is an error
// matching ErrNotFound.
func (c *Client) GetUser(ctx context.Context, id string) (User, error) {
	op := "get user " + id
	path, err := userPath(op, id)
	if err != nil {
		return User{}, err
	}
	return c.doUser(ctx, c.newCall(op, http.MethodGet, path, nil))
}

// CreateUser creates a user with one POST, without ever creating it twice.
//
// A POST is not idempotent, so it is retried automatically only when the
// server certainly did not act: a 429, or a connection error before the
// request was sent. After an ambiguous failure (a timeout or a connection lost
// once the request was sent, a 500, 502, 503 or 504, or a 2xx whose body
// cannot be read) the user is looked up with FindUserByUserName first: if it
// exists, the create did happen and that user is returned; if not, the POST is
// sent again after the wait a retry would have (Retry-After, else backoff).
// All POSTs together count against MaxRetries.
//
// Any other status, 409 included, comes back as an *Error: whether an
// existing user is the one meant is for the caller to decide by looking it up.
func (c *Client) CreateUser(ctx context.Context, u NewUser) (User, error) {
	cl := c.newCall("create user "+u.UserName, http.MethodPost, "/Users", newWireUser(u))
	cl.redact = cl.redact.with(u.Password, u.SSOCustomerID)
	for {
		created, err := c.doUser(ctx, cl)
		if err == nil || !mayHaveActed(ctx, cl, err) {
			return created, err
		}
		found, lookupErr := c.FindUserByUserName(ctx, u.UserName)
		switch {
		case lookupErr == nil:
			c.log.debug(ctx, "SCIM create failed ambiguously but the user exists; using it",
				map[string]any{"operation": cl.op, "id": found.ID})
			return found, nil
		case !errors.Is(lookupErr, ErrNotFound):
			return User{}, errors.Join(err, lookupErr)
		case int(cl.attempts.Load()) > c.maxRetries:
			return User{}, err
		}
		// The lookup succeeding does not mean the server is ready for the
		// POST: a 503 may have asked for a pause with Retry-After, and
		// parallel creates that failed together would otherwise resend
		// together.
		wait := c.resendWait(cl)
		c.log.debug(ctx, "SCIM create failed ambiguously and the user does not exist; sending it again",
			map[string]any{"operation": cl.op, "wait_ms": wait.Milliseconds()})
		if ctxErr := sleep(ctx, wait); ctxErr != nil {
			return User{}, cl.transportError(ctxErr)
		}
	}
}

// resendWait is how long CreateUser waits before sending cl again: what
// go-retryablehttp would wait before retrying the failed attempt, numbered
// across all of cl's attempts so that the backoff keeps growing.
func (c *Client) resendWait(cl *call) time.Duration {
	return c.http.Backoff(c.http.RetryWaitMin, c.http.RetryWaitMax, int(cl.attempts.Load())-1, cl.last)
}

// mayHaveActed reports whether a failed POST could have been carried out by
// the server despite the failure.
func mayHaveActed(ctx context.Context, cl *call, err error) bool {
	var e *Error
	if ctx.Err() != nil || !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case 0:
		return cl.sent.Load()
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return errors.Is(e, ErrInvalidResponse)
}

// PatchUser replaces the non-nil attributes of p with one PATCH and returns
// the user as TeamViewer then has it. An empty patch writes nothing and reads
// the user instead.
func (c *Client) PatchUser(ctx context.Context, id string, p UserPatch) (User, error) {
	if p.IsEmpty() {
		return c.GetUser(ctx, id)
	}
	op := "patch user " + id
	path, err := userPath(op, id)
	if err != nil {
		return User{}, err
	}
	return c.doUser(ctx, c.newCall(op, http.MethodPatch, path, newWirePatch(p)))
}

// FindUserByUserName returns the user with the given userName, compared
// case-insensitively. A miss is an error matching ErrNotFound.
//
// TeamViewer matches filters case-sensitively, while people treat email
// addresses case-insensitively, so an exact filter can miss the user and lead
// to a duplicate create or a lost import. The lookup therefore tries the
// exact value, then compares against every user. A user matching only without
// regard to case is returned when it is the only one; if several are (whether
// TeamViewer allows userNames that differ only in case is undocumented), the
// lookup fails naming them rather than guess. Users that do not match the
// userName at all are ignored whatever the server returned, so a server that
// ignores filters cannot hand back the wrong user.
//
// A filter on the lower-cased value, how most directories store addresses,
// would often save the full listing, but it cannot show that no other case
// variant exists, so it could only guess.
func (c *Client) FindUserByUserName(ctx context.Context, userName string) (User, error) {
	op := "find user " + userName
	if userName == "" {
		return User{}, &Error{Operation: op, err: errors.New("the userName is empty")}
	}
	for _, opts := range []ListOptions{{Filter: EqualFilter("userName", userName)}, {}} {
		users, err := c.listUsers(ctx, op, opts)
		if err != nil {
			return User{}, err
		}
		u, found, err := pickUser(users, userName)
		if err != nil {
			return User{}, &Error{Operation: op, err: err}
		}
		if found {
			return u, nil
		}
	}
	return User{}, &Error{Operation: op, err: fmt.Errorf("%w: no user has this userName, compared case-insensitively", ErrNotFound)}
}

// pickUser returns the user whose userName is userName exactly, else the only
// one whose userName equals it without regard to case; found is false when no
// user matches. Several case-insensitive matches without an exact one are an
// error naming them: any choice among them would be a guess.
func pickUser(users []User, userName string) (u User, found bool, err error) {
	var folded []User
	for _, u := range users {
		if u.UserName == userName {
			return u, true, nil
		}
		if strings.EqualFold(u.UserName, userName) {
			folded = append(folded, u)
		}
	}
	switch len(folded) {
	case 0:
		return User{}, false, nil
	case 1:
		return folded[0], true, nil
	}
	candidates := make([]string, len(folded))
	for i, u := range folded {
		candidates[i] = fmt.Sprintf("%s (%s)", u.ID, u.UserName)
	}
	return User{}, false, fmt.Errorf("%d users match this userName only without regard to case, so which one is meant is unclear: %s; "+
		"spell the userName exactly as TeamViewer has it, or use the user's id", len(folded), strings.Join(candidates, ", "))
}

// ListUsers returns every user matching opts.Filter, reading all pages.
func (c *Client) ListUsers(ctx context.Context, opts ListOptions) ([]User, error) {
	return c.listUsers(ctx, "list users", opts)
}

// listUsers pages with explicit startIndex and count computed from its own
// counters: TeamViewer echoes startIndex 0, and a server may return fewer (or,
// ignoring count, all) users per page. Users are deduplicated by id. It stops
// at an empty page, at totalResults, or at a page that brings no new user,
// which is how a server that ignores startIndex shows itself; so it ends on
// any server. Such a page is an error when totalResults says users are left
// unread: returning part of the users as all of them would make the missing
// ones look deleted.
func (c *Client) listUsers(ctx context.Context, op string, opts ListOptions) ([]User, error) {
	size := opts.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	var users []User
	seen := make(map[string]bool)
	for start := 1; ; {
		page, err := c.fetchPage(ctx, op, opts.Filter, start, size)
		if err != nil {
			return nil, err
		}
		added := 0
		for _, u := range page.users {
			if !seen[u.ID] {
				seen[u.ID] = true
				users = append(users, u)
				added++
			}
		}
		start += len(page.users)
		switch {
		case added == 0 && len(page.users) > 0 && page.total > len(users):
			return nil, &Error{Operation: op, err: fmt.Errorf(
				"%w: the server did not page: it ignored startIndex, answering with users already read; read %d of %d users",
				ErrInvalidResponse, len(users), page.total)}
		case added == 0, page.total >= 0 && len(users) >= page.total:
			return users, nil
		}
	}
}

// fetchPage requests the page of count users from the 1-based startIndex
// start, matching filter ("" for all). A page read proves that the base URL
// serves the Users endpoint, which UserDirectory.ConfirmNotFound relies on.
func (c *Client) fetchPage(ctx context.Context, op, filter string, start, count int) (listPage, error) {
	cl := c.newCall(op, http.MethodGet, "/Users", nil)
	cl.query = url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(count)}}
	if filter != "" {
		cl.query.Set("filter", filter)
	}
	var page listPage
	err := c.do(ctx, cl, func(b []byte) (err error) {
		page, err = decodeListResponse(b)
		return err
	})
	if err == nil {
		c.usersServed.Store(true)
	}
	return page, err
}

// probeUsers asks for the first user, to tell whether the base URL serves
// the Users endpoint at all.
func (c *Client) probeUsers(ctx context.Context) error {
	_, err := c.fetchPage(ctx, "check the Users endpoint", "", 1, 1)
	return err
}

// doUser performs a call whose answer is a single User.
func (c *Client) doUser(ctx context.Context, cl *call) (User, error) {
	var u User
	err := c.do(ctx, cl, func(b []byte) (err error) {
		u, err = decodeUser(b)
		return err
	})
	return u, err
}

// userPath returns the escaped path of a user. PathEscape leaves "." and ".."
// alone, and a server or proxy could resolve them to another resource.
func userPath(op, id string) (string, error) {
	if id == "" || id == "." || id == ".." {
		return "", &Error{Operation: op, err: fmt.Errorf("invalid user id %q", id)}
	}
	return "/Users/" + url.PathEscape(id), nil
}
