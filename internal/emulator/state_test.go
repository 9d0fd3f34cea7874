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
	inactive := original.AddUser(User{ID: "u2000000", UserName: "inactive@example.com", Active: false})
	original.AddGroup(Group{ID: "g3000000", DisplayName: "Admins", ExternalID: "e1", Members: []string{inactive.ID}})
	original.AddGroup(Group{DisplayName: "Empty"})

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
	if got, want := restored.Groups(), original.Groups(); len(got) != 2 || !slices.EqualFunc(got, want, func(a, b Group) bool {
		return a.ID == b.ID && a.DisplayName == b.DisplayName && a.ExternalID == b.ExternalID && slices.Equal(a.Members, b.Members)
	}) {
		t.Errorf("restored groups %+v, want %+v", got, want)
	}
	if g := c2.createGroup(t, `{"displayName":"Next"}`); g.ID != "g3000002" {
		t.Errorf("next group id = %s, want g3000002", g.ID)
	}
	// New ids continue after the restored ones.
	if u := c2.createUser(t, `{"userName":"next@example.com"}`); u.ID != "u2000001" {
		t.Errorf("next id = %s, want u2000001", u.ID)
	}
}

func TestLoadStateRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"malformed":          `{"users": [`,
		"empty id":           `{"users": [{"id": "", "userName": "a@example.com"}]}`,
		"duplicate id":       `{"users": [{"id": "u1", "userName": "a@example.com"}, {"id": "u1", "userName": "b@example.com"}]}`,
		"duplicate group id": `{"users": [], "groups": [{"id": "g1", "displayName": "A"}, {"id": "g1", "displayName": "B"}]}`,
		"empty group id":     `{"users": [], "groups": [{"id": "", "displayName": "A"}]}`,
		"member not a user":  `{"users": [{"id": "u1", "userName": "a@example.com"}], "groups": [{"id": "g1", "displayName": "A", "members": ["u2"]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := New(Options{Token: testToken})
			kept := s.AddUser(User{UserName: "kept@example.com"})
			keptGroup := s.AddGroup(Group{DisplayName: "kept"})
			if err := s.LoadState(strings.NewReader(doc)); err == nil {
				t.Fatal("LoadState succeeded")
			}
			if got := s.Users(); len(got) != 1 || got[0] != kept {
				t.Errorf("users changed to %+v", got)
			}
			if got := s.Groups(); len(got) != 1 || got[0].ID != keptGroup.ID {
				t.Errorf("groups changed to %+v", got)
			}
		})
	}
}

func TestLoadStateWrittenBeforeGroups(t *testing.T) {
	s := New(Options{Token: testToken})
	s.AddGroup(Group{DisplayName: "replaced"})
	if err := s.LoadState(strings.NewReader(`{"users": [{"id": "u1", "userName": "a@example.com"}]}`)); err != nil {
		t.Fatal(err)
	}
	if len(s.Users()) != 1 || len(s.Groups()) != 0 {
		t.Errorf("users %+v, groups %+v", s.Users(), s.Groups())
	}
}

func TestSaveStateOfEmptyTenant(t *testing.T) {
	s, c := newTestServer(t, Options{})
	var saved bytes.Buffer
	if err := s.SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(saved.String(), `"users": []`) || !strings.Contains(saved.String(), `"groups": []`) {
		t.Errorf("saved %s", saved.String())
	}
	if err := s.LoadState(&saved); err != nil {
		t.Fatal(err)
	}
	c.do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusOK)
}
