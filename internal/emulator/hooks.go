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
// API can, and with it the user's group memberships. It reports whether the
// user existed.
func (s *Server) Remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.users.remove(id) {
		return false
	}
	s.groups.removeMember(id)
	return true
}

// AddGroup adds g to the company and returns it. It assigns an id when
// g.ID is empty. The displayName is not checked, so tests can create
// duplicates; members are, and it panics when g.ID is in use or a member
// is not a user, both bugs in the test. Members are deduplicated.
func (s *Server) AddGroup(g Group) Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	g.Members = s.checkedMembers(g.Members)
	if g.ID == "" {
		g.ID = s.groups.newID()
	}
	s.groups.insert(g)
	return g.clone()
}

// AddGroups adds n groups without members named fmt.Sprintf(format, i)
// for i from 1 to n, for example "group%04d".
func (s *Server) AddGroups(n int, format string) []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	added := make([]Group, 0, n)
	for i := 1; i <= n; i++ {
		g := Group{ID: s.groups.newID(), DisplayName: fmt.Sprintf(format, i), Members: []string{}}
		s.groups.insert(g)
		added = append(added, g)
	}
	return added
}

// Groups returns a snapshot of all groups in creation order.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups.matching(func(*Group) bool { return true })
}

// Group returns the group with the given id.
func (s *Server) Group(id string) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups.get(id)
}

// GroupsByDisplayName returns the groups whose displayName equals
// displayName ignoring case, the way the emulator decides uniqueness; more
// than one means the client created a duplicate.
func (s *Server) GroupsByDisplayName(displayName string) []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups.matching(func(g *Group) bool { return strings.EqualFold(g.DisplayName, displayName) })
}

// UpdateGroup applies mutate to the group with the given id, as a change in
// the Management Console would (rename, members added or removed). Changes
// to the ID are ignored, members are deduplicated, and it panics when a
// member is not a user. It reports whether the group exists. mutate runs
// under the Server's lock and must not call the Server.
func (s *Server) UpdateGroup(id string, mutate func(*Group)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups.get(id)
	if !ok {
		return false
	}
	mutate(&g)
	g.ID = id
	g.Members = s.checkedMembers(g.Members)
	return s.groups.replace(g)
}

// RemoveGroup deletes the group with the given id and reports whether it
// existed.
func (s *Server) RemoveGroup(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups.remove(id)
}

// checkedMembers deduplicates ids, keeping their order, and panics unless
// each is a user. The caller holds s.mu.
func (s *Server) checkedMembers(ids []string) []string {
	for _, id := range ids {
		if _, ok := s.users.get(id); !ok {
			panic(fmt.Sprintf("emulator: group member %q is not a user", id))
		}
	}
	return newMemberSet(ids).ids
}
