package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// SCIM error types (RFC 7644 §3.12) the emulator answers with.
const (
	scimTypeInvalidFilter = "invalidFilter"
	scimTypeInvalidPath   = "invalidPath"
	scimTypeInvalidSyntax = "invalidSyntax"
	scimTypeInvalidValue  = "invalidValue"
	scimTypeMutability    = "mutability"
	scimTypeNoTarget      = "noTarget"
	scimTypeTooMany       = "tooMany"
	scimTypeUniqueness    = "uniqueness"
)

// scimError is an RFC 7644 §3.12 error, the answer to a request the SCIM
// layer rejects.
type scimError struct {
	status   int
	scimType string // empty when RFC 7644 defines none for the case
	detail   string
}

// newError returns a scimError with a formatted detail.
func newError(status int, scimType, format string, args ...any) *scimError {
	return &scimError{status: status, scimType: scimType, detail: fmt.Sprintf(format, args...)}
}

func (e *scimError) Error() string { return e.detail }

// scimErrorBody is the JSON form of a scimError. Status is a string, as
// RFC 7644 specifies.
type scimErrorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// apiError is an error in the style of TeamViewer's Web API, which answers
// before a request reaches the SCIM layer (authentication, rate limiting).
type apiError struct {
	status      int
	name        string
	description string
	code        int
}

func (e *apiError) Error() string { return e.name + ": " + e.description }

// apiErrorBody is the JSON form of an apiError.
type apiErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Code        int    `json:"error_code"`
}

// TeamViewer documents the error names but not the numeric codes, so these
// are the emulator's own; clients must not depend on them.
const (
	codeInvalidToken      = 1
	codeInvalidPermission = 2
	codeRateLimitReached  = 3
)

var (
	errMissingToken = &apiError{http.StatusUnauthorized, "invalid_token",
		"the request carries no bearer token", codeInvalidToken}
	errInvalidToken = &apiError{http.StatusUnauthorized, "invalid_token",
		"the bearer token is not valid", codeInvalidToken}
	errReadOnlyToken = &apiError{http.StatusForbidden, "invalid_permission",
		"the token may only view users", codeInvalidPermission}
	errRateLimited = &apiError{http.StatusTooManyRequests, "rate_limit_reached",
		"too many requests, retry later", codeRateLimitReached}
)

// errorResponse turns an error from a handler into its answer. Errors other
// than scimError and apiError are bugs and become 500.
func errorResponse(err error) response {
	var apiErr *apiError
	if errors.As(err, &apiErr) {
		resp := jsonResponse(apiErr.status, apiErrorBody{apiErr.name, apiErr.description, apiErr.code})
		resp.contentType = apiContentType
		if apiErr.status == http.StatusUnauthorized {
			resp.header.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
		return resp
	}
	var scimErr *scimError
	if !errors.As(err, &scimErr) {
		scimErr = newError(http.StatusInternalServerError, "", "internal error: %v", err)
	}
	return jsonResponse(scimErr.status, scimErrorBody{
		Schemas:  []string{errorSchema},
		Status:   strconv.Itoa(scimErr.status),
		ScimType: scimErr.scimType,
		Detail:   scimErr.detail,
	})
}

// prefixDetail puts context in front of the detail of a scimError.
func prefixDetail(err error, prefix string) error {
	var scimErr *scimError
	if !errors.As(err, &scimErr) {
		return err
	}
	prefixed := *scimErr
	prefixed.detail = prefix + prefixed.detail
	return &prefixed
}

// methodNotAllowed answers a method the endpoint does not support.
func methodNotAllowed(method, allow string) response {
	return notAllowed(allow, fmt.Sprintf("method %s is not supported here", method))
}

// userMethodNotAllowed is methodNotAllowed for the user endpoints, whose
// DELETE deserves the hint TeamViewer's guides give.
func userMethodNotAllowed(method, allow string) response {
	if method == http.MethodDelete {
		return notAllowed(allow, "TeamViewer's SCIM API cannot delete users; deactivate the user by setting active to false")
	}
	return methodNotAllowed(method, allow)
}

func notAllowed(allow, detail string) response {
	resp := errorResponse(newError(http.StatusMethodNotAllowed, "", "%s", detail))
	resp.header.Set("Allow", allow)
	return resp
}
