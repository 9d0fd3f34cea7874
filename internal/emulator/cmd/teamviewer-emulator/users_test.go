package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

func TestUsersCommand(t *testing.T) {
	srv := emulator.New(emulator.Options{Token: "demo-token"})
	ts := httptest.NewServer(newMux(srv))
	defer ts.Close()
	srv.AddUser(emulator.User{UserName: "jane@example.com", DisplayName: "Jane van Doe", Active: true})
	srv.AddUser(emulator.User{UserName: "cher@example.com", DisplayName: "Cher"})
	srv.AddUser(emulator.User{UserName: "anon@example.com"})
	for range 2 {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+emulator.BasePath+"/Users", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}

	var stdout, stderr strings.Builder
	if code := run(t.Context(), []string{"users", "-url", ts.URL + "/"}, noEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := `ID        USERNAME          DISPLAYNAME   GIVEN  FAMILY   ACTIVE
u1000001  jane@example.com  Jane van Doe  Jane   van Doe  true
u1000002  cher@example.com  Cher          null   null     false
u1000003  anon@example.com  ""            null   null     false
requests: GET 2 (total 2)
`
	if stdout.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", stdout.String(), want)
	}
}

func TestGroupsCommand(t *testing.T) {
	srv := emulator.New(emulator.Options{Token: "demo-token"})
	ts := httptest.NewServer(newMux(srv))
	defer ts.Close()
	u := srv.AddUser(emulator.User{UserName: "jane@example.com"})
	srv.AddGroup(emulator.Group{DisplayName: "Admins", ExternalID: "entra-1", Members: []string{u.ID}})
	srv.AddGroup(emulator.Group{DisplayName: "Sales Team"})

	var stdout, stderr strings.Builder
	if code := run(t.Context(), []string{"groups", "-url", ts.URL}, noEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := `ID        DISPLAYNAME  EXTERNALID  MEMBERS
g1000001  Admins       entra-1     1
g1000002  Sales Team   -           0
`
	if stdout.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", stdout.String(), want)
	}
}

func TestUsersCommandReportsUnreachableEmulator(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	defer ts.Close()
	var stderr strings.Builder
	if code := run(t.Context(), []string{"users", "-url", ts.URL}, noEnv, &strings.Builder{}, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "404") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestSummarizeRequests(t *testing.T) {
	tests := []struct {
		counts map[string]int
		want   string
	}{
		{nil, "none"},
		{map[string]int{"POST /Users": 2, "GET /Users": 3, "GET /Users/{id}": 1, "PATCH /Users/{id}": 1}, "GET 4, PATCH 1, POST 2 (total 7)"},
	}
	for _, tt := range tests {
		if got := summarizeRequests(tt.counts); got != tt.want {
			t.Errorf("summarizeRequests(%v) = %q, want %q", tt.counts, got, tt.want)
		}
	}
}
