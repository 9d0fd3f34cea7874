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
	"unicode"
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

// ListOptions narrows and pages a listing of users.
type ListOptions struct {
	Filter   string // SCIM filter, e.g. from EqualFilter; "" lists every user
	PageSize int    // users asked for per request; 0 = 1000
}

// The Client's user calls below are one logical request each (retries
// aside). Resources reach them through Users, which adds what a run needs
// across calls: the shared listing, the safe create, confirmed misses.

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

// newCreateCall prepares the POST of u. A POST is not idempotent, so the HTTP
// layer retries it only where the server certainly did not act; Users.Create
// decides what every other failure means.
func (c *Client) newCreateCall(u NewUser) *call {
	cl := c.newCall("create user "+u.UserName, http.MethodPost, "/Users", newWireUser(u))
	cl.redact = cl.redact.with(u.Password, u.SSOCustomerID)
	return cl
}

// resendWait is how long a create waits before sending cl again: what
// go-retryablehttp would wait before retrying the failed attempt, numbered
// across all of cl's attempts so that the backoff keeps growing.
func (c *Client) resendWait(cl *call) time.Duration {
	return c.http.Backoff(c.http.RetryWaitMin, c.http.RetryWaitMax, int(cl.attempts.Load())-1, cl.last)
}

// budgetLeft reports whether cl may make another attempt under MaxRetries.
func (c *Client) budgetLeft(cl *call) bool {
	return int(cl.attempts.Load()) <= c.maxRetries
}

// mayHaveActed reports whether a failed POST could have been carried out by
// the server despite the failure: its answer was lost (a timeout or a
// connection closed once the request was sent), a gateway or server error
// came instead, or a 2xx body could not be read.
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

// mayBeDuplicate reports whether a refused create can be explained by a
// taken user name. TeamViewer does not document the status of a duplicate
// (409 per RFC 7644, but 400 is possible), so the caller looks the user up
// rather than trusting the status or the message.
func mayBeDuplicate(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// saysDuplicate reports whether TeamViewer itself called the refusal a
// duplicate, rather than only answering a status that could mean one.
func saysDuplicate(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusConflict || e.SCIMType == "uniqueness")
}

// findExact returns the users that a filter userName eq "userName" answers
// with and whose userName equals it without regard to case: one request.
// TeamViewer's filters are case-sensitive, so a miss here does not prove that
// no case variant exists; and users that do not match at all are dropped,
// so a server that ignores filters cannot hand back the wrong user.
func (c *Client) findExact(ctx context.Context, op, userName string) ([]User, error) {
	page, err := c.fetchPage(ctx, op, EqualFilter("userName", userName), 1, defaultPageSize)
	if err != nil {
		return nil, err
	}
	var matches []User
	for _, u := range page.users {
		if strings.EqualFold(u.UserName, userName) {
			matches = append(matches, u)
		}
	}
	return matches, nil
}

// pickUser returns the user whose userName is userName exactly, else the only
// one whose userName equals it without regard to case; see pickByName.
func pickUser(users []User, userName string) (User, bool, error) {
	return pickByName(users, userName, "users", "userName",
		func(u User) string { return u.ID }, func(u User) string { return u.UserName })
}

// pickByName returns the item whose name is name exactly, else the only one
// whose name equals it without regard to case; found is false when none
// matches. Several case-insensitive matches without an exact one are an
// error naming them: any choice among them would be a guess. An item listed
// twice (by two sources of one lookup) counts once, as first listed.
func pickByName[T any](items []T, name, noun, attribute string, id, nameOf func(T) string) (v T, found bool, err error) {
	var folded []T
	seen := make(map[string]bool, len(items))
	for _, item := range items {
		if seen[id(item)] {
			continue
		}
		seen[id(item)] = true
		if nameOf(item) == name {
			return item, true, nil
		}
		if strings.EqualFold(nameOf(item), name) {
			folded = append(folded, item)
		}
	}
	switch len(folded) {
	case 0:
		return v, false, nil
	case 1:
		return folded[0], true, nil
	}
	candidates := make([]string, len(folded))
	for i, item := range folded {
		candidates[i] = fmt.Sprintf("%s (%s)", id(item), nameOf(item))
	}
	return v, false, fmt.Errorf("%d %s match this %s only without regard to case, so which one is meant is unclear: %s; "+
		"spell the %s exactly as TeamViewer has it, or use the id", len(folded), noun, attribute, strings.Join(candidates, ", "), attribute)
}

// foldKey maps s to a key equal for exactly the strings that strings.EqualFold
// calls equal: every rune becomes the smallest rune of its case-folding orbit.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		smallest := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			smallest = min(smallest, f)
		}
		return smallest
	}, s)
}

// ListUsers returns every user matching opts.Filter, reading all pages.
func (c *Client) ListUsers(ctx context.Context, opts ListOptions) ([]User, error) {
	var users []User
	err := c.eachPage(ctx, "list users", opts, func(page []User) error {
		users = append(users, page...)
		return nil
	})
	return users, err
}

// eachPage lists the users matching opts.Filter and hands each page's new
// users to fn as it arrives; an error from fn stops the listing and is
// returned. See pageThrough.
func (c *Client) eachPage(ctx context.Context, op string, opts ListOptions, fn func(page []User) error) error {
	size := opts.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	fetch := func(start, count int) ([]User, int, error) {
		page, err := c.fetchPage(ctx, op, opts.Filter, start, count)
		return page.users, page.total, err
	}
	return pageThrough(op, "users", size, fetch, func(u User) string { return u.ID }, fn)
}

// pageThrough reads pages of size items with fetch(startIndex, count) and
// hands each page's new items to fn as it arrives; an error from fn stops it
// and is returned. Pages are asked for with explicit startIndex and count
// computed from its own counters: TeamViewer echoes startIndex 0, and a
// server may return fewer (or, ignoring count, all) items per page. Items
// are deduplicated by id. It stops at an empty page, at totalResults, or at a
// page that brings no new item, which is how a server that ignores
// startIndex shows itself; so it ends on any server. Such a page is an error
// when totalResults says items are left unread: returning part of them as
// all of them would make the missing ones look deleted.
func pageThrough[T any](op, noun string, size int, fetch func(start, count int) ([]T, int, error), id func(T) string, fn func([]T) error) error {
	seen := make(map[string]bool)
	for start := 1; ; {
		page, total, err := fetch(start, size)
		if err != nil {
			return err
		}
		fresh := make([]T, 0, len(page))
		for _, v := range page {
			if !seen[id(v)] {
				seen[id(v)] = true
				fresh = append(fresh, v)
			}
		}
		start += len(page)
		if len(fresh) == 0 && len(page) > 0 && total > len(seen) {
			return &Error{Operation: op, err: fmt.Errorf(
				"%w: the server did not page: it ignored startIndex, answering with %s already read; read %d of %d %s",
				ErrInvalidResponse, noun, len(seen), total, noun)}
		}
		if len(fresh) > 0 {
			if err := fn(fresh); err != nil {
				return err
			}
		}
		if len(fresh) == 0 || (total >= 0 && len(seen) >= total) {
			return nil
		}
	}
}

// fetchPage requests the page of count users from the 1-based startIndex
// start, matching filter ("" for all).
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
	return page, err
}

// countUsers asks for the first user only, to learn totalResults, the size
// of the company (-1 when the server does not say), with one small request.
func (c *Client) countUsers(ctx context.Context) (int, error) {
	page, err := c.fetchPage(ctx, "count users", "", 1, 1)
	return page.total, err
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

// userPath returns the escaped path of a user.
func userPath(op, id string) (string, error) {
	return resourcePath(op, "Users", id)
}

// resourcePath returns the escaped path of the resource id under endpoint.
// PathEscape leaves "." and ".." alone, and a server or proxy could resolve
// them to another resource.
func resourcePath(op, endpoint, id string) (string, error) {
	if id == "" || id == "." || id == ".." {
		return "", &Error{Operation: op, err: fmt.Errorf("invalid id %q", id)}
	}
	return "/" + endpoint + "/" + url.PathEscape(id), nil
}
