package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testToken    = "tv-script-token-0123456789-secret"
	testPassword = `S3cr3t "pass" \word`
	basePath     = "/scim/v2"
)

// newTestClient returns a Client for baseURL with millisecond backoff, so
// that retry tests run fast; mod adjusts the Config.
func newTestClient(t *testing.T, baseURL string, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:      baseURL,
		Token:        testToken,
		UserAgent:    "scim-test/1.0",
		MaxRetries:   3,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// serve starts a server running h and returns a client for it.
func serve(t *testing.T, h http.HandlerFunc, mod func(*Config)) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return newTestClient(t, srv.URL+basePath, mod)
}

// writeJSON answers with a SCIM JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// dropConnection closes the connection without answering, the way a crashed
// proxy or a reset connection looks to the client.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

// fakeTeamViewer is a small stand-in for TeamViewer's SCIM API with the
// documented quirks that matter here: case-sensitive userName filters, an
// echoed startIndex of 0, no meta and no schemas on list items. Flags and a
// fault hook reproduce less polite servers.
type fakeTeamViewer struct {
	t            *testing.T
	ignoreFilter bool // answer every list as if unfiltered
	ignoreCount  bool // return all remaining users on every page
	// fault may answer a request itself (returning true). It runs after
	// POST and PATCH have been applied when after is true, so that a test
	// can model "the server acted, then the response was lost".
	fault func(w http.ResponseWriter, r *http.Request, after bool) bool

	mu       sync.Mutex
	users    []User
	requests []string // "METHOD path?query", in order
	bodies   []string // request bodies of POST and PATCH, in order
}

func newFake(t *testing.T, users ...User) (*fakeTeamViewer, *httptest.Server) {
	f := &fakeTeamViewer{t: t, users: users}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeTeamViewer) count(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (f *fakeTeamViewer) snapshot() (users []User, requests []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]User(nil), f.users...), append([]string(nil), f.requests...)
}

func (f *fakeTeamViewer) sentBodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

var eqFilter = regexp.MustCompile(`^userName eq (".*")$`)

func (f *fakeTeamViewer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.Body != nil {
		var raw json.RawMessage
		_ = json.NewDecoder(r.Body).Decode(&raw)
		body = raw
	}
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	if len(body) > 0 {
		f.bodies = append(f.bodies, string(body))
	}
	f.mu.Unlock()

	if f.fault != nil && f.fault(w, r, false) {
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, basePath+"/Users")
	if !ok {
		writeJSON(w, http.StatusNotFound, `{"status":"404","detail":"no such endpoint"}`)
		return
	}
	id := strings.TrimPrefix(rest, "/")
	switch {
	case r.Method == http.MethodGet && id == "":
		f.list(w, r)
	case r.Method == http.MethodGet:
		f.withUser(w, id, func(*User) {})
	case r.Method == http.MethodPost && id == "":
		f.create(w, r, body)
	case r.Method == http.MethodPatch && id != "":
		f.patch(w, id, body)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, `{"status":"405","detail":"not supported"}`)
	}
}

func (f *fakeTeamViewer) list(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	var hits []User
	if m := eqFilter.FindStringSubmatch(r.URL.Query().Get("filter")); m != nil && !f.ignoreFilter {
		var want string
		if err := json.Unmarshal([]byte(m[1]), &want); err != nil {
			f.mu.Unlock()
			writeJSON(w, http.StatusBadRequest, `{"status":"400","scimType":"invalidFilter"}`)
			return
		}
		for _, u := range f.users {
			if u.UserName == want {
				hits = append(hits, u)
			}
		}
	} else {
		hits = append(hits, f.users...)
	}
	f.mu.Unlock()

	total := len(hits)
	start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
	start = max(start, 1)
	hits = hits[min(start-1, len(hits)):]
	if n, err := strconv.Atoi(r.URL.Query().Get("count")); err == nil && !f.ignoreCount {
		hits = hits[:min(n, len(hits))]
	}
	resources := make([]string, len(hits))
	for i, u := range hits {
		resources[i] = userJSON(u, false)
	}
	writeJSON(w, http.StatusOK, fmt.Sprintf(
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":%d,"startIndex":0,"itemsPerPage":%d,"Resources":[%s]}`,
		total, len(hits), strings.Join(resources, ",")))
}

func (f *fakeTeamViewer) create(w http.ResponseWriter, r *http.Request, body []byte) {
	var in wireNewUser
	if err := json.Unmarshal(body, &in); err != nil || in.UserName == "" {
		writeJSON(w, http.StatusBadRequest, `{"status":"400","scimType":"invalidValue"}`)
		return
	}
	f.mu.Lock()
	for _, u := range f.users {
		if strings.EqualFold(u.UserName, in.UserName) {
			f.mu.Unlock()
			writeJSON(w, http.StatusConflict, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"User already exists"}`)
			return
		}
	}
	u := User{ID: fmt.Sprintf("u%d", 1000+len(f.users)), UserName: in.UserName, DisplayName: in.DisplayName, Active: in.Active}
	f.users = append(f.users, u)
	f.mu.Unlock()
	if f.fault != nil && f.fault(w, r, true) {
		return
	}
	writeJSON(w, http.StatusCreated, userJSON(u, true))
}

func (f *fakeTeamViewer) patch(w http.ResponseWriter, id string, body []byte) {
	var in wirePatch
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, `{"status":"400","scimType":"invalidSyntax"}`)
		return
	}
	// Every value is checked before any is applied, so that a bad operation
	// rejects the whole patch.
	var changes []func(*User)
	for _, op := range in.Operations {
		ok := true
		switch op.Path {
		case "userName":
			var v string
			if v, ok = op.Value.(string); ok {
				changes = append(changes, func(u *User) { u.UserName = v })
			}
		case "displayName":
			var v string
			if v, ok = op.Value.(string); ok {
				changes = append(changes, func(u *User) { u.DisplayName = v })
			}
		case "active":
			var v bool
			if v, ok = op.Value.(bool); ok {
				changes = append(changes, func(u *User) { u.Active = v })
			}
		}
		if !ok {
			writeJSON(w, http.StatusBadRequest, `{"status":"400","scimType":"invalidValue"}`)
			return
		}
	}
	f.withUser(w, id, func(u *User) {
		for _, change := range changes {
			change(u)
		}
	})
}

// withUser applies change to the user and answers with it, or with 404.
func (f *fakeTeamViewer) withUser(w http.ResponseWriter, id string, change func(*User)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.users {
		if f.users[i].ID == id {
			change(&f.users[i])
			writeJSON(w, http.StatusOK, userJSON(f.users[i], true))
			return
		}
	}
	writeJSON(w, http.StatusNotFound, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"User not found"}`)
}

// userJSON renders a user the way TeamViewer does: name parts derived from
// displayName and null when it has no space, no meta, and schemas only on
// single resources.
func userJSON(u User, withSchemas bool) string {
	given, family := "null", "null"
	if g, f, ok := strings.Cut(u.DisplayName, " "); ok {
		given, family = strconv.Quote(g), strconv.Quote(f)
	}
	schemas := ""
	if withSchemas {
		schemas = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],`
	}
	return fmt.Sprintf(`{%s"id":%q,"userName":%q,"displayName":%q,"name":{"formatted":%q,"givenName":%s,"familyName":%s},"emails":[{"value":%q,"primary":true}],"active":%t}`,
		schemas, u.ID, u.UserName, u.DisplayName, u.DisplayName, given, family, u.UserName, u.Active)
}

// recordingLogger keeps every log entry for inspection.
type recordingLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

type logEntry struct {
	level, msg string
	fields     map[string]any
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("debug", msg, fields)
}

func (l *recordingLogger) Trace(_ context.Context, msg string, fields map[string]any) {
	l.add("trace", msg, fields)
}

func (l *recordingLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, logEntry{level, msg, fields})
}

func (l *recordingLogger) all() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logEntry(nil), l.entries...)
}

// asError returns err as an *Error or fails the test.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	return e
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// latest holds the last value a handler saw, for the test to read without a
// data race.
type latest[T any] struct {
	mu sync.Mutex
	v  T
}

func (l *latest[T]) set(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.v = v
}

func (l *latest[T]) get() T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.v
}
