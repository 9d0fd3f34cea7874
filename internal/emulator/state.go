package emulator

import (
	"encoding/json"
	"fmt"
	"io"
)

// state is the JSON document SaveState writes and LoadState reads.
type state struct {
	Users []User `json:"users"`
}

// SaveState writes all users, create-only attributes included, as JSON.
func (s *Server) SaveState(w io.Writer) error {
	st := state{Users: s.Users()}
	if st.Users == nil {
		st.Users = []User{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(st); err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	return nil
}

// LoadState replaces all users with those in a document written by
// SaveState. On error the users are left unchanged.
func (s *Server) LoadState(r io.Reader) error {
	var st state
	if err := json.NewDecoder(r).Decode(&st); err != nil {
		return fmt.Errorf("emulator: load state: %w", err)
	}
	seen := map[string]bool{}
	for i, u := range st.Users {
		if u.ID == "" || seen[u.ID] {
			return fmt.Errorf("emulator: load state: user %d has an empty or duplicate id %q", i, u.ID)
		}
		seen[u.ID] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users.removeAll()
	for _, u := range st.Users {
		s.users.insert(u)
	}
	return nil
}
