package emulator

import (
	"encoding/json"
	"fmt"
	"io"
)

// state is the JSON document SaveState writes and LoadState reads. Files
// written before groups existed have no groups, which reads as none.
type state struct {
	Users  []User  `json:"users"`
	Groups []Group `json:"groups"`
}

// SaveState writes all users, create-only attributes included, and all
// groups as JSON.
func (s *Server) SaveState(w io.Writer) error {
	s.mu.Lock()
	st := state{
		Users:  s.users.matching(matchAll),
		Groups: s.groups.matching(func(*Group) bool { return true }),
	}
	s.mu.Unlock()
	if st.Users == nil {
		st.Users = []User{}
	}
	if st.Groups == nil {
		st.Groups = []Group{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(st); err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	return nil
}

// LoadState replaces all users and groups with those in a document written
// by SaveState. On error the tenant is left unchanged.
func (s *Server) LoadState(r io.Reader) error {
	var st state
	if err := json.NewDecoder(r).Decode(&st); err != nil {
		return fmt.Errorf("emulator: load state: %w", err)
	}
	users := map[string]bool{}
	for i, u := range st.Users {
		if u.ID == "" || users[u.ID] {
			return fmt.Errorf("emulator: load state: user %d has an empty or duplicate id %q", i, u.ID)
		}
		users[u.ID] = true
	}
	groups := map[string]bool{}
	for i, g := range st.Groups {
		if g.ID == "" || groups[g.ID] {
			return fmt.Errorf("emulator: load state: group %d has an empty or duplicate id %q", i, g.ID)
		}
		groups[g.ID] = true
		for _, m := range g.Members {
			if !users[m] {
				return fmt.Errorf("emulator: load state: group %q has a member %q that is not a user", g.ID, m)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users.removeAll()
	for _, u := range st.Users {
		s.users.insert(u)
	}
	s.groups.removeAll()
	for _, g := range st.Groups {
		g.Members = newMemberSet(g.Members).ids
		s.groups.insert(g)
	}
	return nil
}
