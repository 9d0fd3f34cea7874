package scim

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

var sentinels = []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrInvalidResponse}

func TestErrorBodies(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        Error // only the server-derived fields are compared
		sentinel    error // nil: none may match
		hint        string
	}{
		{
			name:   "RFC 7644 conflict, status as string",
			status: 409,
			body:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"User already exists"}`,
			want:   Error{SCIMType: "uniqueness", Detail: "User already exists"},
			hint:   "already exists in TeamViewer",
		},
		{
			name:   "RFC 7644 duplicate as 400, status as number",
			status: 400,
			body:   `{"status":400,"scimType":"uniqueness","detail":"userName taken"}`,
			want:   Error{SCIMType: "uniqueness", Detail: "userName taken"},
			hint:   "possibly in another company",
		},
		{
			name:     "TeamViewer invalid token",
			status:   401,
			body:     `{"error":"invalid_token","error_description":"The access token is invalid.","error_code":1}`,
			want:     Error{Code: "invalid_token", Description: "The access token is invalid."},
			sentinel: ErrUnauthorized,
			hint:     "Edit profile > Apps > Create script token",
		},
		{
			name:     "TeamViewer token expired under a 400",
			status:   400,
			body:     `{"error":"token_expired","error_description":"expired"}`,
			want:     Error{Code: "token_expired", Description: "expired"},
			sentinel: ErrUnauthorized,
			hint:     "invalid or expired",
		},
		{
			name:     "TeamViewer missing permission",
			status:   403,
			body:     `{"error":"invalid_permission","error_description":"Missing permission.","error_code":3}`,
			want:     Error{Code: "invalid_permission", Description: "Missing permission."},
			sentinel: ErrForbidden,
			hint:     "View users, Create users and Edit users",
		},
		{
			name:     "not found",
			status:   404,
			body:     `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"User not found"}`,
			want:     Error{Detail: "User not found"},
			sentinel: ErrNotFound,
		},
		{
			name:     "rate limit",
			status:   429,
			body:     `{"error":"rate_limit_reached","error_description":"Too many requests."}`,
			want:     Error{Code: "rate_limit_reached", Description: "Too many requests."},
			sentinel: ErrRateLimited,
			hint:     "-parallelism",
		},
		{
			name:        "HTML error page",
			status:      500,
			contentType: "text/html",
			body:        "<html>\n<body>\n  <h1>Internal   Server Error</h1>\n</body>\n</html>",
			want:        Error{Detail: "<html> <body> <h1>Internal Server Error</h1> </body> </html>"},
			hint:        "TeamViewer-side",
		},
		{
			name:        "unknown JSON error shape",
			status:      400,
			contentType: "application/json",
			body:        `{"message":"bad"}`,
			want:        Error{Detail: `{"message":"bad"}`},
		},
		{
			name:        "long plain text",
			status:      502,
			contentType: "text/plain",
			body:        strings.Repeat("x", 500),
			want:        Error{Detail: strings.Repeat("x", maxSnippet) + "…"},
			hint:        "TeamViewer-side",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", cmp.Or(tt.contentType, "application/scim+json"))
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}, func(c *Config) { c.MaxRetries = 0 })
			_, err := c.GetUser(t.Context(), "u1")
			e := asError(t, err)
			got := Error{SCIMType: e.SCIMType, Detail: e.Detail, Code: e.Code, Description: e.Description}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if e.StatusCode != tt.status || e.Operation != "get user u1" || e.Method != http.MethodGet || e.Path != "/Users/u1" || e.Attempts != 1 {
				t.Errorf("got %+v", e)
			}
			for _, s := range sentinels {
				if got, want := errors.Is(err, s), s == tt.sentinel; got != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v", s, got, want)
				}
			}
			if tt.hint == "" && e.Hint() != "" && tt.status < 500 {
				t.Errorf("unexpected hint %q", e.Hint())
			}
			if !strings.Contains(e.Hint(), tt.hint) {
				t.Errorf("hint %q does not contain %q", e.Hint(), tt.hint)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{
		Operation: "create user jane@example.com", Method: "POST", Path: "/Users",
		StatusCode: 409, SCIMType: "uniqueness", Detail: "User already exists", Attempts: 2,
	}
	want := "create user jane@example.com: POST /Users: HTTP 409 Conflict: scimType uniqueness: User already exists (after 2 attempts)"
	if got := e.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Seeds: testdata/fuzz/FuzzDecodeError.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 400 + (status%200+200)%200
		// "TOKEN" in the input stands for the real token, so that the
		// fuzzer explores bodies echoing it.
		body = bytes.ReplaceAll(body, []byte("TOKEN"), []byte(testToken))
		cl := &call{op: "get user u1", method: http.MethodGet, path: "/Users/u1", redact: redactor{}.with(testToken)}
		e := cl.statusError(&response{status: status, header: http.Header{}, body: body})
		msg := e.Error() + e.Hint()
		if strings.Contains(msg, testToken) {
			t.Fatalf("token leaked into %q", msg)
		}
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
	})
}
