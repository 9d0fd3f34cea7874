package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// The helpers of the group tests stand on their own (newTestClient and
// asError aside), so that they do not move with the user tests' helpers.

// groupCompany is a TeamViewer company served by the emulator over loopback,
// with a Client for it.
type groupCompany struct {
	*emulator.Server
	client *Client
	users  []emulator.User // the users it was created with
	url    string          // the test server's root, without BasePath
}

// groupCompanyOptions shape a groupCompany; the zero value is a plain
// emulator.
type groupCompanyOptions struct {
	emulator emulator.Options // Token is always testToken
	// wrap, when set, stands between the client and the emulator; it gets
	// the emulator to change it behind the API's back.
	wrap   func(srv *emulator.Server, next http.Handler) http.Handler
	config func(*Config)
}

// newGroupCompany serves a company of n users named user00001@example.com
// and so on, without groups.
func newGroupCompany(t *testing.T, n int, o groupCompanyOptions) *groupCompany {
	t.Helper()
	o.emulator.Token = testToken
	server := emulator.New(o.emulator)
	users := server.AddUsers(n, "user%05d@example.com")
	var h http.Handler = server
	if o.wrap != nil {
		h = o.wrap(server, h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &groupCompany{Server: server, client: newTestClient(t, srv.URL+basePath, o.config), users: users, url: srv.URL}
}

// newGroups returns a fresh Groups for the company, as one Terraform command
// has.
func (gc *groupCompany) newGroups() *Groups { return NewGroups(gc.client, DirectoryOptions{}) }

// userIDs returns the ids of the company's first n users.
func (gc *groupCompany) userIDs(n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = gc.users[i].ID
	}
	return out
}

// stored returns the group as the emulator has it now, or fails the test.
func (gc *groupCompany) stored(t *testing.T, id string) emulator.Group {
	t.Helper()
	g, ok := gc.Group(id)
	if !ok {
		t.Fatalf("the emulator has no group %s", id)
	}
	return g
}

// onlyGroup returns the one group the emulator has with displayName,
// without regard to case, or fails the test: none means nothing was
// created, two mean a duplicate was.
func (gc *groupCompany) onlyGroup(t *testing.T, displayName string) emulator.Group {
	t.Helper()
	groups := gc.GroupsByDisplayName(displayName)
	if len(groups) != 1 {
		t.Fatalf("the emulator has %d groups named %q without regard to case: %+v", len(groups), displayName, groups)
	}
	return groups[0]
}

// The kinds of group request, as groupKind names them.
const (
	kindGroupGet    = "get"    // GET /Groups/{id}
	kindGroupFind   = "find"   // GET /Groups with a filter
	kindGroupCount  = "count"  // GET /Groups for one group, unfiltered: the size of the company
	kindGroupPage   = "page"   // GET /Groups otherwise: a page of a listing
	kindGroupPost   = "post"   // POST /Groups
	kindGroupPatch  = "patch"  // PATCH /Groups/{id}
	kindGroupDelete = "delete" // DELETE /Groups/{id}
)

// groupKind classifies a request, under any base path.
func groupKind(method, path, rawQuery string) string {
	q, _ := url.ParseQuery(rawQuery)
	switch {
	case method == http.MethodGet && strings.HasSuffix(path, "/Groups"):
		switch {
		case q.Get("filter") != "":
			return kindGroupFind
		case q.Get("count") == "1" && q.Get("startIndex") == "1":
			return kindGroupCount
		}
		return kindGroupPage
	case method == http.MethodGet && strings.Contains(path, "/Groups/"):
		return kindGroupGet
	case method == http.MethodPost:
		return kindGroupPost
	case method == http.MethodPatch:
		return kindGroupPatch
	case method == http.MethodDelete:
		return kindGroupDelete
	}
	return method + " " + path
}

// kinds counts the requests the emulator received, by groupKind.
func (gc *groupCompany) kinds() map[string]int {
	counts := map[string]int{}
	for _, r := range gc.Requests() {
		counts[groupKind(r.Method, r.Path, r.RawQuery)]++
	}
	return counts
}

// summary lists the requests received by kind, for failure messages.
func (gc *groupCompany) summary() string {
	counts := gc.kinds()
	parts := make([]string, 0, len(counts))
	for kind, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", kind, n))
	}
	sort.Strings(parts)
	return "[" + strings.Join(parts, ", ") + "]"
}

// records returns the requests of one kind the emulator received.
func (gc *groupCompany) records(kind string) []emulator.RequestRecord {
	var out []emulator.RequestRecord
	for _, r := range gc.Requests() {
		if groupKind(r.Method, r.Path, r.RawQuery) == kind {
			out = append(out, r)
		}
	}
	return out
}

// sentPatch is a PATCH body as the client sent it.
type sentPatch struct {
	Schemas    []string `json:"schemas"`
	Operations []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"Operations"`
}

// decodeSentPatch decodes a PATCH body, failing the test when it is not one.
func decodeSentPatch(t *testing.T, body []byte) sentPatch {
	t.Helper()
	var p sentPatch
	if err := json.Unmarshal(body, &p); err != nil || len(p.Operations) == 0 {
		t.Fatalf("PATCH body %s: %v", body, err)
	}
	return p
}

// memberOps returns, for each PATCH the emulator received, its one
// operation's op and member values, checking that it is a members
// operation in Entra ID's shape.
func (gc *groupCompany) memberOps(t *testing.T) (ops []string, values [][]string) {
	t.Helper()
	for _, r := range gc.records(kindGroupPatch) {
		p := decodeSentPatch(t, r.Body)
		if len(p.Operations) != 1 || p.Operations[0].Path != "members" ||
			!slices.Equal(p.Schemas, []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}) {
			t.Fatalf("PATCH body %s, want one members operation under the PatchOp schema", r.Body)
		}
		var members []map[string]any
		if err := json.Unmarshal(p.Operations[0].Value, &members); err != nil {
			t.Fatalf("PATCH body %s: value is not an array of members: %v", r.Body, err)
		}
		ids := make([]string, len(members))
		for i, m := range members {
			id, ok := m["value"].(string)
			if !ok || len(m) != 1 {
				t.Fatalf("PATCH body %s: member %d is %v, want {\"value\": <user id>}", r.Body, i, m)
			}
			ids[i] = id
		}
		ops = append(ops, p.Operations[0].Op)
		values = append(values, ids)
	}
	return ops, values
}

// sameMembers reports whether got and want hold the same ids, each once,
// in any order: members are a set to Terraform.
func sameMembers(got, want []string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// recordAnswer hands r to next and returns next's answer, unsent.
func recordAnswer(next http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

// sendAnswer sends a recorded answer, with body in place of the recorded
// one when it is not nil.
func sendAnswer(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	if body == nil {
		body = rec.Body.Bytes()
	}
	for name, values := range rec.Header() {
		if name != "Content-Length" {
			w.Header()[name] = values
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// withoutListMembers takes members out of every group of a list answer, as
// a TeamViewer that does not list members would; a group read by itself
// keeps them.
func withoutListMembers(t *testing.T) func(*emulator.Server, http.Handler) http.Handler {
	return func(_ *emulator.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/Groups") {
				next.ServeHTTP(w, r)
				return
			}
			rec := recordAnswer(next, r)
			var list map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
				t.Errorf("list answer %s: %v", rec.Body, err)
				sendAnswer(w, rec, nil)
				return
			}
			if resources, ok := list["Resources"].([]any); ok {
				for _, res := range resources {
					if group, ok := res.(map[string]any); ok {
						delete(group, "members")
					}
				}
			}
			body, err := json.Marshal(list)
			if err != nil {
				t.Error(err)
			}
			sendAnswer(w, rec, body)
		})
	}
}

// faultFirst gives the first request with method the emulator's faults f,
// and every other request none: the tenant's faults are set on its way in,
// and cleared on the way in of the next request, which cannot arrive
// before the client had the faulted answer.
func faultFirst(method string, f emulator.Faults) func(*emulator.Server, http.Handler) http.Handler {
	return func(srv *emulator.Server, next http.Handler) http.Handler {
		var (
			mu   sync.Mutex
			seen bool
		)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			first := r.Method == method && !seen
			if first {
				seen = true
				srv.SetFaults(f)
			} else {
				srv.SetFaults(emulator.Faults{})
			}
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
}

// requestGate holds every request of one kind (see groupKind) until opened.
type requestGate struct {
	kind    string
	release chan struct{}
	opened  sync.Once
}

func newRequestGate(kind string) *requestGate {
	return &requestGate{kind: kind, release: make(chan struct{})}
}

func (g *requestGate) wrap(_ *emulator.Server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if groupKind(r.Method, r.URL.Path, r.URL.RawQuery) == g.kind {
			<-g.release
		}
		next.ServeHTTP(w, r)
	})
}

func (g *requestGate) open() { g.opened.Do(func() { close(g.release) }) }

// waitingCtx is a context that tells when a reader starts waiting on it:
// the first call of Done, which every wait that honours the context makes.
type waitingCtx struct {
	context.Context
	once    sync.Once
	waiting chan struct{}
}

func newWaitingCtx(parent context.Context) *waitingCtx {
	return &waitingCtx{Context: parent, waiting: make(chan struct{})}
}

func (c *waitingCtx) Done() <-chan struct{} {
	c.stop()
	return c.Context.Done()
}

// stop signals waiting, if Done has not: a reader that returned without
// waiting must not hold up the test.
func (c *waitingCtx) stop() { c.once.Do(func() { close(c.waiting) }) }

// readGroups reads every id through gs, parallelism reads at a time as
// Terraform refreshes, and returns the groups by id.
func readGroups(t *testing.T, gs *Groups, ids []string, parallelism int) map[string]Group {
	t.Helper()
	var (
		mu   sync.Mutex
		got  = make(map[string]Group, len(ids))
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan string)
	for range parallelism {
		wg.Go(func() {
			for id := range next {
				g, err := gs.Get(t.Context(), id)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					got[id] = g
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
	for _, err := range errs {
		t.Error(err)
	}
	return got
}
