package emulator

import (
	"net/http"
	"slices"
	"testing"
)

func TestHooks(t *testing.T) {
	s, c := newTestServer(t, Options{})

	first := s.AddUser(User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true})
	if first.ID != "u1000001" {
		t.Errorf("first id = %q, want u1000001", first.ID)
	}
	chosen := s.AddUser(User{ID: "u5000000", UserName: "JANE@example.com"}) // duplicates are allowed here
	if chosen.Active {
		t.Error("AddUser changed Active")
	}
	batch := s.AddUsers(3, "user%05d@example.com")
	if len(batch) != 3 || batch[0].ID != "u5000001" || batch[2].UserName != "user00003@example.com" ||
		batch[2].DisplayName != "User 3" || !batch[2].Active {
		t.Errorf("AddUsers = %+v", batch)
	}
	if got := s.UsersByUserName("Jane@Example.COM"); len(got) != 2 {
		t.Errorf("UsersByUserName found %d users, want 2", len(got))
	}
	wantOrder := []string{first.ID, chosen.ID, batch[0].ID, batch[1].ID, batch[2].ID}
	if got := ids(s.Users()); !slices.Equal(got, wantOrder) {
		t.Errorf("Users() order = %v, want %v", got, wantOrder)
	}

	if !s.Update(first.ID, func(u *User) { u.Active = false; u.DisplayName = "Janet"; u.ID = "ignored" }) {
		t.Fatal("Update did not find the user")
	}
	got := c.do(t, http.MethodGet, "/Users/"+first.ID, "")
	if u := decode[userJSON](t, got.body); u.Active || u.DisplayName != "Janet" {
		t.Errorf("after Update the API returns %+v", u)
	}
	if s.Update("u404", func(*User) {}) {
		t.Error("Update found a missing user")
	}

	if !s.Remove(first.ID) || s.Remove(first.ID) {
		t.Error("Remove did not report existence")
	}
	c.do(t, http.MethodGet, "/Users/"+first.ID, "").expectSCIMError(t, http.StatusNotFound, "")
	if _, ok := s.User(first.ID); ok {
		t.Error("User finds a removed user")
	}
	if s.TotalRequests() != 2 {
		t.Errorf("hooks were counted: %d requests", s.TotalRequests())
	}
}

func TestAddUserPanicsOnDuplicateID(t *testing.T) {
	s := New(Options{Token: testToken})
	u := s.AddUser(User{UserName: "jane@example.com"})
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	s.AddUser(User{ID: u.ID, UserName: "other@example.com"})
}

func ids(users []User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}
