package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "test-token"

// testClient talks to a Server mounted on an httptest.Server.
type testClient struct {
	url   string // the test server's base URL, without BasePath
	token string
}

// reply is a response as a test inspects it.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// userJSON decodes a user from the API; pointers tell null from "".
type userJSON struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	UserName    string   `json:"userName"`
	DisplayName string   `json:"displayName"`
	Name        struct {
		Formatted  string  `json:"formatted"`
		GivenName  *string `json:"givenName"`
		FamilyName *string `json:"familyName"`
	} `json:"name"`
	Emails []struct {
		Value   string `json:"value"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
	Active bool `json:"active"`
}

type listJSON struct {
	Schemas      []string          `json:"schemas"`
	TotalResults int               `json:"totalResults"`
	ItemsPerPage int               `json:"itemsPerPage"`
	StartIndex   int               `json:"startIndex"`
	Resources    []json.RawMessage `json:"Resources"`
}

type scimErrorJSON struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType"`
	Detail   string   `json:"detail"`
}

// newTestServer starts a Server with opts (Token defaults to testToken).
func newTestServer(t *testing.T, opts Options) (*Server, *testClient) {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, &testClient{url: ts.URL, token: opts.Token}
}

// do sends a request to BasePath+path with a JSON body unless body is "".
func (c *testClient) do(t *testing.T, method, path, body string) reply {
	t.Helper()
	r, err := c.send(t.Context(), method, path, body, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// send is do with extra headers, returning errors rather than failing, so
// that goroutines can use it.
func (c *testClient) send(ctx context.Context, method, path, body string, header http.Header) (reply, error) {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url+BasePath+path, reader)
	if err != nil {
		return reply{}, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for name, values := range header {
		req.Header[name] = values
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// withToken returns a client of the same server using another token.
func (c *testClient) withToken(token string) *testClient {
	copied := *c
	copied.token = token
	return &copied
}

// createUser POSTs body and returns the created user, failing unless 201.
func (c *testClient) createUser(t *testing.T, body string) userJSON {
	t.Helper()
	r := c.do(t, http.MethodPost, "/Users", body)
	r.expectStatus(t, http.StatusCreated)
	return decode[userJSON](t, r.body)
}

// list GETs /Users with the raw query and decodes the ListResponse.
func (c *testClient) list(t *testing.T, rawQuery string) listJSON {
	t.Helper()
	r := c.do(t, http.MethodGet, "/Users?"+rawQuery, "")
	r.expectStatus(t, http.StatusOK)
	return decode[listJSON](t, r.body)
}

func (r reply) expectStatus(t *testing.T, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body: %s", r.status, want, r.body)
	}
}

// expectSCIMError checks an RFC 7644 error with the given status and
// scimType ("" for none).
func (r reply) expectSCIMError(t *testing.T, status int, scimType string) scimErrorJSON {
	t.Helper()
	r.expectStatus(t, status)
	if ct := r.header.Get("Content-Type"); ct != scimContentType {
		t.Errorf("Content-Type = %q, want %q", ct, scimContentType)
	}
	e := decode[scimErrorJSON](t, r.body)
	if !slices.Equal(e.Schemas, []string{errorSchema}) {
		t.Errorf("schemas = %v, want [%s]", e.Schemas, errorSchema)
	}
	if e.Status != strconv.Itoa(status) {
		t.Errorf("status field = %q, want %q", e.Status, strconv.Itoa(status))
	}
	if e.ScimType != scimType {
		t.Errorf("scimType = %q, want %q; detail: %s", e.ScimType, scimType, e.Detail)
	}
	if e.Detail == "" {
		t.Error("detail is empty")
	}
	return e
}

func decode[T any](t *testing.T, data []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("cannot decode %T from %s: %v", v, data, err)
	}
	return v
}

func ptr(s string) *string { return &s }

// ids returns the ids of list resources, in order.
func (l listJSON) ids(t *testing.T) []string {
	t.Helper()
	ids := make([]string, len(l.Resources))
	for i, raw := range l.Resources {
		ids[i] = decode[userJSON](t, raw).ID
	}
	return ids
}

// patchOps builds a PATCH body from JSON operations.
func patchOps(operations ...string) string {
	return `{"schemas":["` + patchOpSchema + `"],"Operations":[` + strings.Join(operations, ",") + `]}`
}

// fakeClock is an Options.Now that moves only when the test says so.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
