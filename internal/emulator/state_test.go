package emulator

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestStateRoundTrip(t *testing.T) {
	original, c := newTestServer(t, Options{})
	c.createUser(t, `{"userName":"jane@example.com","displayName":"Jane Doe","password":"pw","preferredLanguage":"de_DE",
		"`+ssoUserSchema+`":{"ssoCustomerId":"cust"}}`)
	original.AddUser(User{ID: "u2000000", UserName: "inactive@example.com", Active: false})

	var saved bytes.Buffer
	if err := original.SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	restored, c2 := newTestServer(t, Options{})
	restored.AddUser(User{UserName: "replaced@example.com"})
	if err := restored.LoadState(bytes.NewReader(saved.Bytes())); err != nil {
		t.Fatal(err)
	}
	if got, want := restored.Users(), original.Users(); !slices.Equal(got, want) {
		t.Errorf("restored %+v, want %+v", got, want)
	}
	if got := restored.Users()[0]; got.Password != "pw" || got.PreferredLanguage != "de_DE" || got.SSOCustomerID != "cust" {
		t.Errorf("create-only attributes lost: %+v", got)
	}
	// New ids continue after the restored ones.
	if u := c2.createUser(t, `{"userName":"next@example.com"}`); u.ID != "u2000001" {
		t.Errorf("next id = %s, want u2000001", u.ID)
	}
}

func TestLoadStateRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"malformed":    `{"users": [`,
		"empty id":     `{"users": [{"id": "", "userName": "a@example.com"}]}`,
		"duplicate id": `{"users": [{"id": "u1", "userName": "a@example.com"}, {"id": "u1", "userName": "b@example.com"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := New(Options{Token: testToken})
			kept := s.AddUser(User{UserName: "kept@example.com"})
			if err := s.LoadState(strings.NewReader(doc)); err == nil {
				t.Fatal("LoadState succeeded")
			}
			if got := s.Users(); len(got) != 1 || got[0] != kept {
				t.Errorf("users changed to %+v", got)
			}
		})
	}
}

func TestSaveStateOfEmptyTenant(t *testing.T) {
	s, c := newTestServer(t, Options{})
	var saved bytes.Buffer
	if err := s.SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(saved.String(), `"users": []`) {
		t.Errorf("saved %s", saved.String())
	}
	if err := s.LoadState(&saved); err != nil {
		t.Fatal(err)
	}
	c.do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusOK)
}
