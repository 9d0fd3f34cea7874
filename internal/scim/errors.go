package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Sentinel errors, matched with errors.Is against the errors this package
// returns.
var (
	// ErrNotFound means the user does not exist: a 404, or a lookup by
	// userName that found nobody.
	ErrNotFound = errors.New("scim: not found")
	// ErrUnauthorized means TeamViewer rejected the token (401).
	ErrUnauthorized = errors.New("scim: unauthorized")
	// ErrForbidden means the token lacks a permission (403).
	ErrForbidden = errors.New("scim: forbidden")
	// ErrRateLimited means TeamViewer still answered 429 after all retries.
	ErrRateLimited = errors.New("scim: rate limited")
	// ErrUnreachable means that an earlier call of the run gave up without
	// any answer from the server, so this one was not tried.
	ErrUnreachable = errors.New("scim: unreachable")
	// ErrInvalidResponse means a successful status came with a body that is
	// not the expected SCIM JSON, typically a proxy's HTML page.
	ErrInvalidResponse = errors.New("scim: invalid response")
)

// Error is a failed SCIM call. Every error returned by a Client method is an
// *Error, possibly joined with a follow-up error (see Client.CreateUser).
type Error struct {
	Operation   string // e.g. "create user jane@example.com", "get user u123", "patch user u123", "find user jane@example.com", "list users"
	Method      string // HTTP method; empty for an operation spanning several requests
	Path        string // request path below the base URL, without the query
	StatusCode  int    // 0 when no HTTP response arrived
	SCIMType    string // RFC 7644 scimType
	Detail      string // RFC 7644 detail, or a sanitized excerpt of a body that is not a known error format
	Code        string // TeamViewer Web API "error", e.g. invalid_token, rate_limit_reached
	Description string // TeamViewer "error_description"
	Attempts    int    // HTTP attempts made, retries included

	// err is the transport error, or a reason wrapping a sentinel
	// (ErrInvalidResponse, ErrNotFound) when no status code says it.
	err error
}

// Error renders everything known about the failure on one line; secrets were
// masked when the Error was built.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Operation)
	if e.Method != "" {
		fmt.Fprintf(&b, ": %s %s", e.Method, e.Path)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
	}
	if e.err != nil {
		b.WriteString(": " + e.err.Error())
	}
	if e.SCIMType != "" {
		b.WriteString(": scimType " + e.SCIMType)
	}
	for _, s := range []string{e.Code, e.Description, e.Detail} {
		if s != "" {
			b.WriteString(": " + s)
		}
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap returns the underlying transport error, so that errors.Is works for
// context.Canceled, context.DeadlineExceeded and network errors.
func (e *Error) Unwrap() error { return e.err }

// Is maps the status code, and TeamViewer's unambiguous error codes, to the
// sentinel errors. A "not_found" code under another status is deliberately not
// mapped to ErrNotFound: callers drop a resource on ErrNotFound, so only a 404
// may say it is gone.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.Code == "invalid_token" || e.Code == "token_expired"
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden || e.Code == "invalid_permission"
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests || e.Code == "rate_limit_reached"
	}
	return false
}

// Hint returns advice on what to do about the error, or "" when there is none
// beyond the message.
func (e *Error) Hint() string {
	switch {
	case errors.Is(e, context.Canceled), errors.Is(e, context.DeadlineExceeded), errors.Is(e, ErrNotFound):
		return ""
	case errors.Is(e, ErrUnauthorized):
		return "The TeamViewer script token is invalid or expired. Create a new one in the TeamViewer Management Console " +
			"(Edit profile > Apps > Create script token) with the User management permissions View users, Create users and Edit users."
	case errors.Is(e, ErrForbidden):
		return "The TeamViewer script token lacks the user-management permissions this needs. In the Management Console " +
			"(Edit profile > Apps), give the token the User management permissions View users, Create users and Edit users; " +
			"SCIM also requires a TeamViewer Tensor licence."
	case errors.Is(e, ErrRateLimited):
		return "TeamViewer's rate limit was still exceeded after retrying. Lower terraform -parallelism or set the provider's max_requests_per_second."
	case e.StatusCode == http.StatusConflict || e.SCIMType == "uniqueness":
		return "The userName already exists in TeamViewer, possibly in another company: userNames are unique across all of TeamViewer. " +
			"Import the existing user or use another address."
	case errors.Is(e, ErrUnreachable):
		return "TeamViewer could not be reached at all, so the provider stopped trying for this run. Check the tenant URL, " +
			"the network and any proxy (TeamViewer's tenant URL is " + DefaultBaseURL + ")."
	case errors.Is(e, ErrInvalidResponse):
		return "The answer did not come from TeamViewer's SCIM API. Check the base URL (TeamViewer's is " + DefaultBaseURL + ") and any proxy in between."
	case e.StatusCode == http.StatusMethodNotAllowed:
		return "TeamViewer does not accept this method on this path, which usually means a wrong base URL: it is the SCIM " +
			"base, such as " + DefaultBaseURL + ", with nothing after it."
	case e.StatusCode >= 500:
		return "This is a TeamViewer-side error. Retry later."
	case e.StatusCode == 0 && e.Method != "":
		return "TeamViewer could not be reached or did not answer in time. Check the network, any proxy and the base URL."
	}
	return ""
}

// statusError builds the error for a non-2xx response from either error body
// format, keeping a sanitized excerpt when the body is neither.
func (cl *call) statusError(resp *response) *Error {
	e := cl.newError()
	e.StatusCode = resp.status
	if w, ok := decodeErrorBody(resp.body); ok {
		e.SCIMType = cl.redact.string(w.SCIMType)
		e.Detail = cl.redact.string(w.Detail)
		e.Code = cl.redact.string(w.Code)
		e.Description = cl.redact.string(w.Description)
	} else {
		e.Detail = cl.redact.snippet(resp.body)
	}
	return e
}

// invalidResponse builds the error for a 2xx response whose body could not be
// decoded, quoting the start of the body so the user can tell what answered.
func (cl *call) invalidResponse(resp *response, reason error) *Error {
	e := cl.newError()
	e.StatusCode = resp.status
	e.Detail = cl.redact.snippet(resp.body)
	if e.Detail == "" {
		e.Detail = "(empty body)"
	}
	if ct := resp.header.Get("Content-Type"); ct != "" {
		reason = fmt.Errorf("%w (Content-Type %s)", reason, ct)
	}
	e.err = fmt.Errorf("%w: %s", ErrInvalidResponse, cl.redact.string(reason.Error()))
	return e
}

// transportError wraps a failure without a response. The *url.Error layer is
// dropped because Method and Path already say what it would. Its message is
// masked like every other: a transport (a proxy's, say) may quote the request.
func (cl *call) transportError(err error) *Error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	e := cl.newError()
	e.err = cl.redact.error(err)
	return e
}

// unreachableError is the error of a call not tried because dead, an
// earlier call, got no answer from the server at baseURL after all retries.
func (cl *call) unreachableError(baseURL string, dead *Error) *Error {
	e := cl.newError()
	e.err = fmt.Errorf("%w: not tried, because %s got no answer from %s after %d attempts: %w",
		ErrUnreachable, dead.Operation, baseURL, dead.Attempts, dead.err)
	return e
}

func (cl *call) newError() *Error {
	return &Error{
		Operation: cl.op,
		Method:    cl.method,
		Path:      cl.path,
		Attempts:  int(cl.attempts.Load()),
	}
}

// notFoundHidden wraps an error that must not count as ErrNotFound, such as
// a 404 from an endpoint that has to exist, while it still matches every
// other target and can be unpacked with errors.As. It has no Unwrap, since
// errors.Is would then find the 404 beneath.
type notFoundHidden struct{ err error }

func (h notFoundHidden) Error() string { return h.err.Error() }

func (h notFoundHidden) Is(target error) bool {
	return target != ErrNotFound && errors.Is(h.err, target)
}

func (h notFoundHidden) As(target any) bool { return errors.As(h.err, target) }
