package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGetUser(t *testing.T) {
	_, srv := newFake(t, User{ID: "u1", UserName: "cher@example.com", DisplayName: "Cher", Active: false})
	c := newTestClient(t, srv.URL+basePath+"/", nil) // trailing slash tolerated

	u, err := c.GetUser(t.Context(), "u1")
	want := User{ID: "u1", UserName: "cher@example.com", DisplayName: "Cher"}
	if err != nil || u != want {
		t.Errorf("got %+v, %v; want %+v", u, err, want)
	}

	_, err = c.GetUser(t.Context(), "u404")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}

	for _, id := range []string{"", ".", ".."} {
		if _, err := c.GetUser(t.Context(), id); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("GetUser(%q) = %v, want an invalid-id error", id, err)
		}
	}
}

func TestGetUserEscapesID(t *testing.T) {
	var path latest[string]
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		path.set(r.URL.EscapedPath())
		writeJSON(w, http.StatusOK, userJSON(testUser, true))
	}, nil)
	if _, err := c.GetUser(t.Context(), "a/b?c"); err != nil {
		t.Fatal(err)
	}
	if got := path.get(); got != basePath+"/Users/a%2Fb%3Fc" {
		t.Errorf("path %s", got)
	}
}

func TestCreateUser(t *testing.T) {
	fake, srv := newFake(t)
	c := newTestClient(t, srv.URL+basePath, nil)
	u, err := c.CreateUser(t.Context(), NewUser{
		UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true,
		Password: testPassword, PreferredLanguage: "de_DE", SSOCustomerID: "cust-1",
	})
	want := User{ID: "u1000", UserName: "jane@example.com", DisplayName: "Jane Doe", GivenName: "Jane", FamilyName: "Doe", Active: true}
	if err != nil || u != want {
		t.Fatalf("got %+v, %v; want %+v", u, err, want)
	}
	var sent map[string]any
	body := fake.sentBodies()[0]
	if err := json.Unmarshal([]byte(body), &sent); err != nil {
		t.Fatal(err)
	}
	if sent["password"] != testPassword || sent["preferredLanguage"] != "de_DE" ||
		fmt.Sprint(sent["schemas"]) != "[urn:ietf:params:scim:schemas:core:2.0:User urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser]" {
		t.Errorf("sent %s", body)
	}

	// A duplicate is the caller's to judge: a plain *Error, no lookup.
	_, err = c.CreateUser(t.Context(), NewUser{UserName: "JANE@example.com", DisplayName: "Other"})
	e := asError(t, err)
	if e.StatusCode != http.StatusConflict || e.SCIMType != "uniqueness" || errors.Is(err, ErrNotFound) {
		t.Errorf("got %+v", e)
	}
	if n := fake.count("GET"); n != 0 {
		t.Errorf("%d lookups after a 409, want none", n)
	}
}

// The server creates the user, then the response is lost: CreateUser must
// find the user instead of creating a second one.
func TestCreateUserLostResponseFindsUser(t *testing.T) {
	for name, lose := range map[string]func(t *testing.T, w http.ResponseWriter){
		"dropped connection": dropConnection,
		"503 after acting": func(t *testing.T, w http.ResponseWriter) {
			writeJSON(w, http.StatusServiceUnavailable, `{"status":"503"}`)
		},
		"HTML 200 from a proxy": func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html>ok</html>")
		},
	} {
		t.Run(name, func(t *testing.T) {
			fake, srv := newFake(t)
			fake.fault = func(w http.ResponseWriter, r *http.Request, after bool) bool {
				if after && r.Method == http.MethodPost {
					lose(t, w)
					return true
				}
				return false
			}
			c := newTestClient(t, srv.URL+basePath, nil)
			u, err := c.CreateUser(t.Context(), NewUser{UserName: "Jane@Example.com", DisplayName: "Jane Doe", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			users, requests := fake.snapshot()
			if len(users) != 1 || u.ID != users[0].ID || fake.count("POST") != 1 {
				t.Errorf("got %+v; server has %+v after %q", u, users, requests)
			}
		})
	}
}

// The connection drops before the server acts: the lookup finds nothing, so
// the POST is sent again.
func TestCreateUserResentWhenLookupFindsNothing(t *testing.T) {
	fake, srv := newFake(t)
	var posts atomic.Int32
	fake.fault = func(w http.ResponseWriter, r *http.Request, after bool) bool {
		if !after && r.Method == http.MethodPost {
			if posts.Add(1) == 1 {
				dropConnection(t, w)
				return true
			}
		}
		return false
	}
	c := newTestClient(t, srv.URL+basePath, nil)
	u, err := c.CreateUser(t.Context(), NewUser{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	users, requests := fake.snapshot()
	if len(users) != 1 || u.ID != users[0].ID || fake.count("POST") != 2 || fake.count("GET") == 0 {
		t.Errorf("got %+v; server has %+v after %q", u, users, requests)
	}
}

// After a lookup finds nothing, the POST is resent no sooner than a retry
// would be: here after the Retry-After of the failed response, which the
// millisecond backoff of the test client cannot explain.
func TestCreateUserResendWaits(t *testing.T) {
	fake, srv := newFake(t)
	var (
		mu    sync.Mutex
		posts []time.Time
	)
	fake.fault = func(w http.ResponseWriter, r *http.Request, after bool) bool {
		if after || r.Method != http.MethodPost {
			return false
		}
		mu.Lock()
		posts = append(posts, time.Now())
		first := len(posts) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, `{"status":"503","detail":"busy"}`)
		}
		return first
	}
	c := newTestClient(t, srv.URL+basePath, nil)
	if _, err := c.CreateUser(t.Context(), NewUser{UserName: "jane@example.com", Active: true}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posts) != 2 || fake.count("GET") == 0 {
		t.Fatalf("%d POSTs and %d lookups, want 2 POSTs with a lookup between", len(posts), fake.count("GET"))
	}
	if gap := posts[1].Sub(posts[0]); gap < 900*time.Millisecond {
		t.Errorf("resent after %s, want to wait for the 1s of Retry-After", gap)
	}
}

// The wait before a resend ends with the caller's context.
func TestCreateUserResendWaitHonoursContext(t *testing.T) {
	fake, srv := newFake(t)
	fake.fault = func(w http.ResponseWriter, r *http.Request, after bool) bool {
		if after || r.Method != http.MethodPost {
			return false
		}
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusServiceUnavailable, `{"status":"503"}`)
		return true
	}
	c := newTestClient(t, srv.URL+basePath, nil)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.CreateUser(ctx, NewUser{UserName: "jane@example.com"})
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("returned after %s; want soon after the cancel", elapsed)
	}
	if e := asError(t, err); !errors.Is(err, context.Canceled) || e.Operation != "create user jane@example.com" || fake.count("POST") != 1 {
		t.Errorf("got %v after %d POSTs, want context.Canceled after 1", err, fake.count("POST"))
	}
}

func TestCreateUserRetryBudget(t *testing.T) {
	fake, srv := newFake(t)
	fake.fault = func(w http.ResponseWriter, r *http.Request, after bool) bool {
		if r.Method == http.MethodPost {
			writeJSON(w, http.StatusBadGateway, `{"status":"502"}`)
			return true
		}
		return false
	}
	c := newTestClient(t, srv.URL+basePath, func(c *Config) { c.MaxRetries = 2 })
	_, err := c.CreateUser(t.Context(), NewUser{UserName: "jane@example.com"})
	e := asError(t, err)
	if e.StatusCode != http.StatusBadGateway || e.Attempts != 3 || fake.count("POST") != 3 {
		t.Errorf("got %+v after %d POSTs, want 3", e, fake.count("POST"))
	}
	if errors.Is(err, ErrNotFound) {
		t.Error("the failed lookup leaked into the create error as ErrNotFound")
	}
}

func TestPatchUser(t *testing.T) {
	fake, srv := newFake(t, User{ID: "u1", UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true})
	c := newTestClient(t, srv.URL+basePath, nil)

	name, active := "Jane Roe", false
	u, err := c.PatchUser(t.Context(), "u1", UserPatch{DisplayName: &name, Active: &active})
	want := User{ID: "u1", UserName: "jane@example.com", DisplayName: "Jane Roe", GivenName: "Jane", FamilyName: "Roe"}
	if err != nil || u != want {
		t.Fatalf("got %+v, %v; want %+v", u, err, want)
	}
	wantBody := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
		`{"op":"replace","path":"displayName","value":"Jane Roe"},{"op":"replace","path":"active","value":false}]}`
	if bodies := fake.sentBodies(); len(bodies) != 1 || bodies[0] != wantBody {
		t.Errorf("sent %q\nwant %s", bodies, wantBody)
	}

	userName := "jroe@example.com"
	if _, err := c.PatchUser(t.Context(), "u1", UserPatch{UserName: &userName}); err != nil {
		t.Fatal(err)
	}
	wantBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":"jroe@example.com"}]}`
	if bodies := fake.sentBodies(); bodies[1] != wantBody {
		t.Errorf("sent %s\nwant %s", bodies[1], wantBody)
	}

	// An empty patch reads instead of writing.
	u, err = c.PatchUser(t.Context(), "u1", UserPatch{})
	if err != nil || u.UserName != userName || fake.count("PATCH") != 2 {
		t.Errorf("empty patch: got %+v, %v after %d PATCHes", u, err, fake.count("PATCH"))
	}

	if _, err := c.PatchUser(t.Context(), "u404", UserPatch{Active: &active}); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}
}

func TestUserPatchIsEmpty(t *testing.T) {
	s, b := "", false
	for _, p := range []UserPatch{{UserName: &s}, {DisplayName: &s}, {Active: &b}} {
		if p.IsEmpty() {
			t.Errorf("%+v reported empty", p)
		}
	}
	if !(UserPatch{}).IsEmpty() {
		t.Error("zero patch not empty")
	}
}

func someUsers(n int) []User {
	users := make([]User, n)
	for i := range users {
		users[i] = User{ID: fmt.Sprintf("u%d", i), UserName: fmt.Sprintf("user%d@example.com", i), DisplayName: "User", Active: true}
	}
	return users
}

func TestListUsersPaging(t *testing.T) {
	fake, srv := newFake(t, someUsers(5)...)
	c := newTestClient(t, srv.URL+basePath, nil)
	users, err := c.ListUsers(t.Context(), ListOptions{PageSize: 2})
	if err != nil || len(users) != 5 || users[4].ID != "u4" {
		t.Fatalf("got %d users, %v", len(users), err)
	}
	_, requests := fake.snapshot()
	want := []string{
		basePath + "/Users?count=2&startIndex=1",
		basePath + "/Users?count=2&startIndex=3",
		basePath + "/Users?count=2&startIndex=5",
	}
	if strings.Join(requests, "\n") != "GET "+strings.Join(want, "\nGET ") {
		t.Errorf("requests:\n%s", strings.Join(requests, "\n"))
	}
}

func TestListUsersUnusualServers(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantUsers int
		maxCalls  int
		wantErr   string // "" = no error; else in an error matching ErrInvalidResponse
	}{
		{
			name: "ignores count",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, listJSON(5, someUsers(5)))
			},
			wantUsers: 5, maxCalls: 1,
		},
		{
			// A server that limits its pages (or honours count) but
			// ignores startIndex. Part of the users returned as all of
			// them would make the rest look deleted.
			name: "pages, ignores startIndex",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, listJSON(5, someUsers(5)[:2]))
			},
			maxCalls: 2, wantErr: "read 2 of 5 users",
		},
		{
			name: "ignores startIndex, no totalResults",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, listJSON(-1, someUsers(3)))
			},
			wantUsers: 3, maxCalls: 2,
		},
		{
			name: "smaller pages than asked",
			handler: func(w http.ResponseWriter, r *http.Request) {
				start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
				all := someUsers(5)
				writeJSON(w, http.StatusOK, listJSON(5, all[start-1:min(start+1, 5)]))
			},
			wantUsers: 5, maxCalls: 3,
		},
		{
			name: "totalResults overstated",
			handler: func(w http.ResponseWriter, r *http.Request) {
				start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
				all := someUsers(3)
				writeJSON(w, http.StatusOK, listJSON(10, all[min(start-1, 3):]))
			},
			wantUsers: 3, maxCalls: 2,
		},
		{
			name: "empty",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, `{"totalResults":0,"startIndex":0,"Resources":[]}`)
			},
			wantUsers: 0, maxCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) > 10 {
					t.Error("paging does not end")
					writeJSON(w, http.StatusOK, `{"totalResults":0}`)
					return
				}
				tt.handler(w, r)
			}, nil)
			users, err := c.ListUsers(t.Context(), ListOptions{})
			if n := int(calls.Load()); len(users) != tt.wantUsers || n > tt.maxCalls {
				t.Errorf("got %d users after %d calls; want %d users after at most %d", len(users), n, tt.wantUsers, tt.maxCalls)
			}
			if tt.wantErr == "" && err != nil {
				t.Errorf("got %v", err)
			}
			if tt.wantErr != "" && (!errors.Is(err, ErrInvalidResponse) || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got %v, want ErrInvalidResponse saying %q", err, tt.wantErr)
			}
		})
	}
}

// listJSON renders a ListResponse echoing startIndex 0 like TeamViewer; a
// negative total leaves totalResults out.
func listJSON(total int, users []User) string {
	items := make([]string, len(users))
	for i, u := range users {
		items[i] = userJSON(u, false)
	}
	totalMember := ""
	if total >= 0 {
		totalMember = fmt.Sprintf(`"totalResults":%d,`, total)
	}
	return fmt.Sprintf(`{%s"startIndex":0,"Resources":[%s]}`, totalMember, strings.Join(items, ","))
}

func TestFindUserByUserName(t *testing.T) {
	stored := []User{
		{ID: "u1", UserName: "jane@example.com", DisplayName: "Jane", Active: true},
		{ID: "u2", UserName: "Mixed.Case@Example.com", DisplayName: "Mixed", Active: true},
		{ID: "u3", UserName: `o"brien\x@example.com`, DisplayName: "Quote", Active: true},
	}
	tests := []struct {
		query     string
		wantID    string
		wantLists int // filtered and unfiltered list requests the lookup needs
	}{
		{"jane@example.com", "u1", 1},
		{"Jane@Example.COM", "u1", 2},         // exact, then the scan
		{"MIXED.CASE@EXAMPLE.COM", "u2", 2},   // exact, then the scan
		{`o"brien\x@example.com`, "u3", 1},    // quoting reaches the server intact
		{"nobody@example.com", "", 2},         // exact, then the scan
		{"Nobody@Example.com", "", 2},         // exact, then the scan
		{"jane@example.com.evil.test", "", 2}, // no prefix matches
		{"Mixed.Case@Example.com", "u2", 1},   // exact
		{strings.ToUpper(`o"brien\x@example.com`), "u3", 2},
	}
	for _, tt := range tests {
		fake, srv := newFake(t, stored...)
		c := newTestClient(t, srv.URL+basePath, nil)
		u, err := c.FindUserByUserName(t.Context(), tt.query)
		lists := fake.count("GET " + basePath + "/Users?")
		if tt.wantID == "" {
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tt.query) || asError(t, err).Hint() != "" {
				t.Errorf("%s: got %+v, %v; want ErrNotFound naming the userName, without hint", tt.query, u, err)
			}
		} else if err != nil || u.ID != tt.wantID {
			t.Errorf("%s: got %+v, %v; want %s", tt.query, u, err, tt.wantID)
		}
		if lists != tt.wantLists {
			_, requests := fake.snapshot()
			t.Errorf("%s: %d list requests, want %d: %q", tt.query, lists, tt.wantLists, requests)
		}
	}
}

// A server that ignores the filter returns users with other userNames; they
// must never be taken for the one asked for.
func TestFindUserByUserNameServerIgnoresFilter(t *testing.T) {
	fake, srv := newFake(t,
		User{ID: "u1", UserName: "alice@example.com"},
		User{ID: "u2", UserName: "bob@example.com"},
		User{ID: "u3", UserName: "Bob@example.com"},
	)
	fake.ignoreFilter = true
	c := newTestClient(t, srv.URL+basePath, nil)

	if u, err := c.FindUserByUserName(t.Context(), "carol@example.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %+v, %v; want ErrNotFound", u, err)
	}
	// Exact beats case-insensitive, whatever the order.
	if u, err := c.FindUserByUserName(t.Context(), "Bob@example.com"); err != nil || u.ID != "u3" {
		t.Errorf("got %+v, %v; want u3", u, err)
	}
	if u, err := c.FindUserByUserName(t.Context(), "ALICE@example.com"); err != nil || u.ID != "u1" {
		t.Errorf("got %+v, %v; want the only case-insensitive match u1", u, err)
	}
}

// Two users whose userNames differ only in case, and neither spelled as
// asked: either could be meant, so the lookup fails naming both, rather than
// taking the first and binding the wrong user.
func TestFindUserByUserNameAmbiguous(t *testing.T) {
	for _, ignoreFilter := range []bool{false, true} {
		fake, srv := newFake(t,
			User{ID: "u1", UserName: "alice@example.com"},
			User{ID: "u2", UserName: "bob@example.com"},
			User{ID: "u3", UserName: "Bob@Example.com"},
		)
		fake.ignoreFilter = ignoreFilter
		c := newTestClient(t, srv.URL+basePath, nil)
		u, err := c.FindUserByUserName(t.Context(), "BOB@example.com")
		if err == nil || errors.Is(err, ErrNotFound) || !containsAll(err.Error(), "u2 (bob@example.com)", "u3 (Bob@Example.com)") {
			t.Errorf("server ignores filter %t: got %+v, %v; want an error naming u2 and u3", ignoreFilter, u, err)
		}
		if e := asError(t, err); e.Operation != "find user BOB@example.com" {
			t.Errorf("operation %q", e.Operation)
		}
	}
}

func TestFindUserByUserNameErrors(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, `{"error":"invalid_permission"}`)
	}, nil)
	if _, err := c.FindUserByUserName(t.Context(), "jane@example.com"); !errors.Is(err, ErrForbidden) {
		t.Errorf("got %v, want ErrForbidden", err)
	}
	if _, err := c.FindUserByUserName(t.Context(), ""); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("empty userName: got %v", err)
	}
}
