package emulator

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// adminGet calls the admin handler without authentication.
func adminGet(t *testing.T, s *Server, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.AdminHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestAdminUsers(t *testing.T) {
	s, c := newTestServer(t, Options{})
	c.createUser(t, `{"userName":"jane@example.com","displayName":"Jane Doe","password":"s3cret","preferredLanguage":"de_DE"}`)
	s.AddUser(User{UserName: "cher@example.com", DisplayName: "Cher", Active: false})

	rec := adminGet(t, s, AdminPath+"/users")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "s3cret") {
		t.Errorf("the admin view shows the password: %s", rec.Body)
	}
	users := decode[[]AdminUser](t, rec.Body.Bytes())
	if len(users) != 2 {
		t.Fatalf("got %d users", len(users))
	}
	jane, cher := users[0], users[1]
	if jane.UserName != "jane@example.com" || *jane.GivenName != "Jane" || *jane.FamilyName != "Doe" ||
		!jane.Active || jane.Password != "set" || jane.PreferredLanguage != "de_DE" {
		t.Errorf("jane = %+v", jane)
	}
	if cher.GivenName != nil || cher.FamilyName != nil || cher.Active || cher.Password != "" {
		t.Errorf("cher = %+v", cher)
	}
	if s.TotalRequests() != 1 {
		t.Errorf("admin requests were counted: %d", s.TotalRequests())
	}
}

func TestAdminGroups(t *testing.T) {
	s := New(Options{Token: testToken})
	u := s.AddUser(User{UserName: "jane@example.com"})
	s.AddGroup(Group{DisplayName: "Admins", ExternalID: "e1", Members: []string{u.ID}})
	s.AddGroup(Group{DisplayName: "Empty"})
	groups := decode[[]AdminGroup](t, adminGet(t, s, AdminPath+"/groups").Body.Bytes())
	want := []AdminGroup{
		{ID: "g1000001", DisplayName: "Admins", ExternalID: "e1", Members: []string{u.ID}},
		{ID: "g1000002", DisplayName: "Empty", Members: []string{}},
	}
	if len(groups) != 2 || groups[0].ID != want[0].ID || groups[0].ExternalID != "e1" || !slices.Equal(groups[0].Members, want[0].Members) ||
		groups[1].DisplayName != "Empty" || groups[1].Members == nil {
		t.Errorf("groups = %+v, want %+v", groups, want)
	}
}

func TestAdminRequests(t *testing.T) {
	s, c := newTestServer(t, Options{})
	u := c.createUser(t, `{"userName":"jane@example.com"}`)
	c.do(t, http.MethodGet, "/Users/"+u.ID, "")
	c.do(t, http.MethodGet, "/Users/"+u.ID, "")

	counts := decode[map[string]int](t, adminGet(t, s, AdminPath+"/requests").Body.Bytes())
	if len(counts) != 2 || counts["POST /Users"] != 1 || counts["GET /Users/{id}"] != 2 {
		t.Errorf("counts = %v", counts)
	}
}

func TestAdminRejectsOtherRequests(t *testing.T) {
	s := New(Options{Token: testToken})
	rec := httptest.NewRecorder()
	s.AdminHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, AdminPath+"/users", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d, want 405", rec.Code)
	}
	if rec := adminGet(t, s, AdminPath+"/other"); rec.Code != http.StatusNotFound {
		t.Errorf("GET other = %d, want 404", rec.Code)
	}
}
