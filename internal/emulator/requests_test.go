package emulator

import (
	"net/http"
	"testing"
)

func TestRequestAccounting(t *testing.T) {
	s, c := newTestServer(t, Options{})
	c.list(t, "filter=userName%20pr")
	u := c.createUser(t, `{"userName":"jane@example.com","password":"pw"}`)
	c.do(t, http.MethodGet, "/Users/"+u.ID, "")
	c.do(t, http.MethodPatch, "/Users/"+u.ID, patchOps(`{"op":"replace","path":"active","value":false}`))
	c.do(t, http.MethodDelete, "/Users/"+u.ID, "")
	c.do(t, http.MethodGet, "/Groups", "")
	c.withToken("wrong").do(t, http.MethodGet, "/Users", "")
	s.AddUser(User{UserName: "hook@example.com"}) // hooks are not requests
	s.Users()

	counts := []struct {
		method, route string
		want          int
	}{
		{http.MethodGet, "/Users", 2},
		{http.MethodPost, "/Users", 1},
		{http.MethodGet, "/Users/{id}", 1},
		{http.MethodPatch, "/Users/{id}", 1},
		{http.MethodDelete, "/Users/{id}", 1},
		{http.MethodGet, "/Groups", 1},
		{http.MethodPut, "/Users/{id}", 0},
	}
	for _, tt := range counts {
		if got := s.Count(tt.method, tt.route); got != tt.want {
			t.Errorf("Count(%s, %s) = %d, want %d", tt.method, tt.route, got, tt.want)
		}
	}
	if got := s.CountMethod(http.MethodGet); got != 4 {
		t.Errorf("CountMethod(GET) = %d, want 4", got)
	}
	if got := s.TotalRequests(); got != 7 {
		t.Errorf("TotalRequests() = %d, want 7", got)
	}

	requests := s.Requests()
	if len(requests) != 7 {
		t.Fatalf("Requests() has %d records, want 7", len(requests))
	}
	first, create, unauthorized := requests[0], requests[1], requests[6]
	if first.Method != http.MethodGet || first.Path != BasePath+"/Users" || first.RawQuery != "filter=userName%20pr" || first.Status != http.StatusOK {
		t.Errorf("first request recorded as %+v", first)
	}
	if string(create.Body) != `{"userName":"jane@example.com","password":"pw"}` || create.Status != http.StatusCreated || create.Fault != "" {
		t.Errorf("create recorded as %+v", create)
	}
	if unauthorized.Status != http.StatusUnauthorized {
		t.Errorf("unauthorized request recorded as %+v", unauthorized)
	}

	s.ResetRequests()
	if s.TotalRequests() != 0 || len(s.Requests()) != 0 || s.Count(http.MethodGet, "/Users") != 0 {
		t.Error("ResetRequests left requests behind")
	}
}

func TestRequestRecordKeepsUserAgent(t *testing.T) {
	s, c := newTestServer(t, Options{})
	if _, err := c.send(t.Context(), http.MethodGet, "/Users", "", http.Header{"User-Agent": {"terraform-provider-teamviewer/test"}}); err != nil {
		t.Fatal(err)
	}
	if got := s.Requests()[0].UserAgent; got != "terraform-provider-teamviewer/test" {
		t.Errorf("UserAgent = %q", got)
	}
}
