package emulator

import (
	"fmt"
	"strings"
)

// The methods in this file change or inspect the tenant behind the API's
// back, as an administrator or another integration would. They are not
// counted as requests and suffer no latency or faults.

// AddUser adds u to the company and returns it. It assigns an id when u.ID
// is empty; Active is taken as given. It panics when u.ID is already in
// use. The userName is not checked, so tests can create duplicates.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = s.users.newID()
	}
	s.users.insert(u)
	return u
}

// AddUsers adds n active users named fmt.Sprintf(format, i) for i from 1 to
// n, for example "user%05d@example.com", with display name "User <i>".
func (s *Server) AddUsers(n int, format string) []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	added := make([]User, 0, n)
	for i := 1; i <= n; i++ {
		u := User{
			ID:          s.users.newID(),
			UserName:    fmt.Sprintf(format, i),
			DisplayName: fmt.Sprintf("User %d", i),
			Active:      true,
		}
		s.users.insert(u)
		added = append(added, u)
	}
	return added
}

// Users returns a snapshot of all users in creation order.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users.matching(matchAll)
}

// User returns the user with the given id.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users.get(id)
}

// UsersByUserName returns the users whose userName equals userName ignoring
// case, the way TeamViewer decides uniqueness; more than one means the
// client created a duplicate.
func (s *Server) UsersByUserName(userName string) []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users.matching(func(u *User) bool { return strings.EqualFold(u.UserName, userName) })
}

// Update applies mutate to the user with the given id, as an out-of-band
// change would (deactivation, rename...). Changes to the ID are ignored. It
// reports whether the user exists. mutate runs under the Server's lock and
// must not call the Server.
func (s *Server) Update(id string, mutate func(*User)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users.get(id)
	if !ok {
		return false
	}
	mutate(&u)
	u.ID = id
	return s.users.replace(u)
}

// Remove deletes the user with the given id, as TeamViewer's non-SCIM Web
// API can. It reports whether the user existed.
func (s *Server) Remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users.remove(id)
}
