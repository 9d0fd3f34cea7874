package scim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

const (
	testToken    = "tv-script-token-0123456789-secret"
	testPassword = `S3cr3t "pass" \word`
	basePath     = emulator.BasePath
)

// terraformParallelism is how many operations Terraform runs at once by
// default.
const terraformParallelism = 10

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

// serve starts a server running h and returns a client for it. It is for
// servers the emulator cannot play: odd bodies, broken paging, dropped
// connections.
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

// userJSON renders a user the way TeamViewer does, for inline handlers:
// name parts derived from displayName and null when it has no space, no
// meta, and schemas only on single resources.
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

// tenant is a TeamViewer company served by the emulator, with a Client for
// it. Request counts only mean something against a server that pages,
// filters and answers the way TeamViewer documents, hence the emulator.
type tenant struct {
	*emulator.Server
	client *Client
	users  []emulator.User // the users it was created with
	url    string          // the test server's root, without BasePath
}

// tenantOptions shape a tenant; the zero value is a plain emulator.
type tenantOptions struct {
	emulator emulator.Options                // Token is always testToken
	wrap     func(http.Handler) http.Handler // when set, stands between the client and the emulator
	config   func(*Config)                   // adjusts the client's Config
}

// newTenant serves a company of n users named user00001@example.com and so on.
func newTenant(t *testing.T, n int, o tenantOptions) *tenant {
	t.Helper()
	o.emulator.Token = testToken
	server := emulator.New(o.emulator)
	users := server.AddUsers(n, "user%05d@example.com")
	var h http.Handler = server
	if o.wrap != nil {
		h = o.wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &tenant{Server: server, client: newTestClient(t, srv.URL+basePath, o.config), users: users, url: srv.URL}
}

// newUsers returns a fresh Users for the tenant, as one Terraform command
// has.
func (tn *tenant) newUsers(opts DirectoryOptions) *Users { return NewUsers(tn.client, opts) }

// want is the user as the API should return it now.
func (tn *tenant) want(t *testing.T, id string) User {
	t.Helper()
	u, ok := tn.User(id)
	if !ok {
		t.Fatalf("the emulator has no user %s", id)
	}
	return fromEmulator(u)
}

func fromEmulator(u emulator.User) User {
	given, _ := u.GivenName()
	family, _ := u.FamilyName()
	return User{ID: u.ID, UserName: u.UserName, DisplayName: u.DisplayName, GivenName: given, FamilyName: family, Active: u.Active}
}

// checkAll fails the test unless got holds each of ids as the emulator has
// it now.
func (tn *tenant) checkAll(t *testing.T, got map[string]User, ids []string) {
	t.Helper()
	if len(got) != len(ids) {
		t.Fatalf("got %d users, want %d", len(got), len(ids))
	}
	for _, id := range ids {
		if want := tn.want(t, id); got[id] != want {
			t.Fatalf("user %s: got %+v, want %+v", id, got[id], want)
		}
	}
}

// The kinds of request Users makes, as kindOf names them.
const (
	reqGet   = "get"   // GET /Users/{id}
	reqFind  = "find"  // GET /Users with a filter
	reqCount = "count" // GET /Users for one user: the size of the company, which also proves the endpoint
	reqPage  = "page"  // GET /Users without a filter: a page of a listing
	reqPost  = "post"  // POST /Users
	reqPatch = "patch" // PATCH /Users/{id}
)

// kindOf classifies a request, under any base path.
func kindOf(method, path, rawQuery string) string {
	q, _ := url.ParseQuery(rawQuery)
	switch {
	case method == http.MethodGet && strings.HasSuffix(path, "/Users"):
		switch {
		case q.Get("filter") != "":
			return reqFind
		case q.Get("count") == "1" && q.Get("startIndex") == "1":
			return reqCount
		}
		return reqPage
	case method == http.MethodGet && strings.Contains(path, "/Users/"):
		return reqGet
	case method == http.MethodPost:
		return reqPost
	case method == http.MethodPatch:
		return reqPatch
	}
	return method + " " + path
}

func kindOfRequest(r *http.Request) string { return kindOf(r.Method, r.URL.Path, r.URL.RawQuery) }

// requests returns how many requests of the kind the emulator received.
func (tn *tenant) requests(kind string) int {
	n := 0
	for _, r := range tn.Requests() {
		if kindOf(r.Method, r.Path, r.RawQuery) == kind {
			n++
		}
	}
	return n
}

// bodiesOf returns the bodies of the requests with the given method that the
// emulator received, in order.
func bodiesOf(tn *tenant, method string) []string {
	var out []string
	for _, r := range tn.Requests() {
		if r.Method == method {
			out = append(out, string(r.Body))
		}
	}
	return out
}

// listings returns how many listings were begun: first pages.
func (tn *tenant) listings() int {
	n := 0
	for _, r := range tn.Requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		if kindOf(r.Method, r.Path, r.RawQuery) == reqPage && q.Get("startIndex") == "1" {
			n++
		}
	}
	return n
}

// summary lists the requests received by kind, for failure messages.
func (tn *tenant) summary() string {
	counts := map[string]int{}
	for _, r := range tn.Requests() {
		counts[kindOf(r.Method, r.Path, r.RawQuery)]++
	}
	parts := make([]string, 0, len(counts))
	for kind, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", kind, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// readAll reads every id through us, parallelism reads at a time as
// Terraform refreshes, and returns the users by id.
func readAll(t *testing.T, us *Users, ids []string, parallelism int) map[string]User {
	t.Helper()
	got, err := readAllErr(t.Context(), us, ids, parallelism)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// readAllErr is readAll returning the reads' errors, joined.
func readAllErr(ctx context.Context, us *Users, ids []string, parallelism int) (map[string]User, error) {
	var (
		mu   sync.Mutex
		got  = make(map[string]User, len(ids))
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan string)
	for range parallelism {
		wg.Go(func() {
			for id := range next {
				u, err := us.Get(ctx, id)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					got[id] = u
				}
				mu.Unlock()
			}
		})
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	return got, errors.Join(errs...)
}

func ids(users []emulator.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

// gate holds the requests of one kind (see kindOf) until opened, so that a
// test can act while they are in flight. Once open, it lets everything
// through.
type gate struct {
	kind string
	// stale makes the emulator answer a held request on arrival: its
	// answer, sent on opening, is as of then, like a listing that loads
	// slowly while the tenant changes.
	stale   bool
	entered chan struct{} // closed when the first held request arrives (after the emulator's answer, if stale)
	release chan struct{}
	once    sync.Once
	opened  sync.Once
}

func newGate(kind string) *gate {
	return &gate{kind: kind, entered: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if kindOfRequest(r) != g.kind {
			next.ServeHTTP(w, r)
			return
		}
		if !g.stale {
			g.once.Do(func() { close(g.entered) })
			<-g.release
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		g.once.Do(func() { close(g.entered) })
		<-g.release
		copyResponse(w, rec)
	})
}

func (g *gate) open() { g.opened.Do(func() { close(g.release) }) }

// readPastGate reads id through us and fails the test if the read waited at
// g instead of making a single request, without hanging: the gate opens.
func readPastGate(t *testing.T, us *Users, g *gate, id string) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := us.Get(t.Context(), id)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-g.entered:
		g.open()
		t.Fatalf("the read of %s waited for a %s request instead of making a single GET (then: %v)", id, g.kind, <-done)
	}
}

// heldRequest is a request kept to be handed to the emulator later.
type heldRequest struct {
	r    *http.Request
	body []byte
}

// hold reads r so that it can be served after its handler returned.
func hold(r *http.Request) heldRequest {
	body, _ := io.ReadAll(r.Body)
	return heldRequest{r: r.Clone(context.WithoutCancel(r.Context())), body: body}
}

// serveTo hands the request to next and returns next's answer.
func (h heldRequest) serveTo(next http.Handler) *httptest.ResponseRecorder {
	r := h.r.Clone(h.r.Context())
	r.Body = io.NopCloser(bytes.NewReader(h.body))
	r.ContentLength = int64(len(h.body))
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

// copyResponse sends a recorded answer.
func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for name, values := range rec.Header() {
		w.Header()[name] = values
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// recordingLogger keeps every log entry for inspection; hook, when set, sees
// each message as it is logged.
type recordingLogger struct {
	hook func(msg string, fields map[string]any)

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
	l.entries = append(l.entries, logEntry{level, msg, fields})
	l.mu.Unlock()
	if l.hook != nil {
		l.hook(msg, fields)
	}
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
