package scim

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

func TestGetUser(t *testing.T) {
	company := newTenant(t, 0, tenantOptions{})
	cher := company.AddUser(emulator.User{UserName: "cher@example.com", DisplayName: "Cher", Active: false})
	c := newTestClient(t, company.url+basePath+"/", nil) // trailing slash tolerated

	u, err := c.GetUser(t.Context(), cher.ID)
	want := User{ID: cher.ID, UserName: "cher@example.com", DisplayName: "Cher"}
	if err != nil || u != want {
		t.Errorf("got %+v, %v; want %+v", u, err, want)
	}

	if _, err := c.GetUser(t.Context(), "u404"); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}

	for _, id := range []string{"", ".", ".."} {
		if _, err := c.GetUser(t.Context(), id); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("GetUser(%q) = %v, want an invalid-id error", id, err)
		}
	}
	if n := company.TotalRequests(); n != 2 {
		t.Errorf("%d requests, want 2: invalid ids are refused before any request", n)
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

func TestPatchUser(t *testing.T) {
	company := newTenant(t, 0, tenantOptions{})
	jane := company.AddUser(emulator.User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true})
	c := company.client
	bodies := func() []string { return bodiesOf(company, http.MethodPatch) }

	name, active := "Jane Roe", false
	u, err := c.PatchUser(t.Context(), jane.ID, UserPatch{DisplayName: &name, Active: &active})
	want := User{ID: jane.ID, UserName: "jane@example.com", DisplayName: "Jane Roe", GivenName: "Jane", FamilyName: "Roe"}
	if err != nil || u != want {
		t.Fatalf("got %+v, %v; want %+v", u, err, want)
	}
	wantBody := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
		`{"op":"replace","path":"displayName","value":"Jane Roe"},{"op":"replace","path":"active","value":false}]}`
	if sent := bodies(); len(sent) != 1 || sent[0] != wantBody {
		t.Errorf("sent %q\nwant %s", sent, wantBody)
	}

	userName := "jroe@example.com"
	if _, err := c.PatchUser(t.Context(), jane.ID, UserPatch{UserName: &userName}); err != nil {
		t.Fatal(err)
	}
	wantBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":"jroe@example.com"}]}`
	if sent := bodies(); len(sent) != 2 || sent[1] != wantBody {
		t.Errorf("sent %q\nwant %s", sent, wantBody)
	}
	if stored := company.want(t, jane.ID); stored.UserName != userName || stored.Active {
		t.Errorf("the emulator has %+v", stored)
	}

	// An empty patch reads instead of writing.
	u, err = c.PatchUser(t.Context(), jane.ID, UserPatch{})
	if err != nil || u.UserName != userName || len(bodies()) != 2 {
		t.Errorf("empty patch: got %+v, %v after %d PATCHes", u, err, len(bodies()))
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

// Pages are asked for from the client's own counters, never from the
// echoed startIndex (TeamViewer echoes 0).
func TestListUsersPaging(t *testing.T) {
	company := newTenant(t, 5, tenantOptions{})
	users, err := company.client.ListUsers(t.Context(), ListOptions{PageSize: 2})
	if err != nil || len(users) != 5 || users[4] != company.want(t, company.users[4].ID) {
		t.Fatalf("got %d users, %v", len(users), err)
	}
	var requests []string
	for _, r := range company.Requests() {
		requests = append(requests, r.Method+" "+r.Path+"?"+r.RawQuery)
	}
	want := []string{
		"GET " + basePath + "/Users?count=2&startIndex=1",
		"GET " + basePath + "/Users?count=2&startIndex=3",
		"GET " + basePath + "/Users?count=2&startIndex=5",
	}
	if strings.Join(requests, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s", strings.Join(requests, "\n"))
	}
}

func someUsers(n int) []User {
	users := make([]User, n)
	for i := range users {
		users[i] = User{ID: fmt.Sprintf("u%d", i), UserName: fmt.Sprintf("user%d@example.com", i), DisplayName: "User", Active: true}
	}
	return users
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

// Servers that page oddly, which the emulator does not: paging must end on
// any of them, and never return part of the users as all of them.
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
		{
			name: "not a ListResponse",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, `{"id":"u1"}`)
			},
			maxCalls: 1, wantErr: "not a ListResponse",
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
			if err != nil {
				users = nil // what came with an error is no listing of the company
			}
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

// findExact is one request, and keeps only users whose userName equals the
// one asked for without regard to case: a server that ignores the filter
// cannot hand back another user.
func TestFindExact(t *testing.T) {
	var queries latest[[]string]
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		queries.set(append(queries.get(), r.URL.RawQuery))
		writeJSON(w, http.StatusOK, listJSON(3, []User{
			{ID: "u1", UserName: "alice@example.com"},
			{ID: "u2", UserName: "Jane@Example.com"},
			{ID: "u3", UserName: "jane@example.com.evil.test"},
		}))
	}, nil)
	got, err := c.findExact(t.Context(), "find user jane@example.com", "jane@example.com")
	if err != nil || len(got) != 1 || got[0].ID != "u2" {
		t.Errorf("got %+v, %v; want only u2", got, err)
	}
	if q := queries.get(); len(q) != 1 || !containsAll(q[0], "filter=userName%20eq%20%22jane%40example.com%22", "count=1000", "startIndex=1") {
		t.Errorf("queries %q", q)
	}
}

func TestPickUser(t *testing.T) {
	users := []User{
		{ID: "u1", UserName: "bob@example.com"},
		{ID: "u2", UserName: "Bob@Example.com"},
		{ID: "u3", UserName: "carol@example.com"},
		{ID: "u3", UserName: "carol@example.com"}, // listed twice, counted once
	}
	tests := []struct {
		userName string
		wantID   string // "" = not found
		wantErr  bool
	}{
		{"Bob@Example.com", "u2", false},
		{"bob@example.com", "u1", false},
		{"BOB@EXAMPLE.COM", "", true},
		{"CAROL@example.com", "u3", false},
		{"dave@example.com", "", false},
	}
	for _, tt := range tests {
		u, found, err := pickUser(users, tt.userName)
		if u.ID != tt.wantID || found != (tt.wantID != "") || (err != nil) != tt.wantErr {
			t.Errorf("pickUser(%q) = %+v, %t, %v", tt.userName, u, found, err)
		}
		if err != nil && !containsAll(err.Error(), "u1 (bob@example.com)", "u2 (Bob@Example.com)") {
			t.Errorf("error %q does not name both users", err)
		}
	}
}
