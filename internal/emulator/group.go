package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// groupSchema is the core Group URN (RFC 7643 §4.2).
const groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"

// Group is a user group of the emulated company, as the emulator stores it
// and as the state file holds it.
type Group struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	ExternalID  string `json:"externalId,omitempty"`
	// Members are the ids of the member users, in the order they joined.
	Members []string `json:"members"`
}

// clone returns a copy of g that shares no memory with it.
func (g Group) clone() Group {
	g.Members = slices.Clone(g.Members)
	if g.Members == nil {
		g.Members = []string{}
	}
	return g
}

// groupResource is the JSON form of a group in API responses. Like users it
// has no meta block; members is left out when the request excludes it.
type groupResource struct {
	Schemas     []string          `json:"schemas"`
	ID          string            `json:"id"`
	DisplayName string            `json:"displayName"`
	ExternalID  string            `json:"externalId,omitempty"`
	Members     *[]memberResource `json:"members,omitempty"` // nil when excluded, else [] at least
}

// memberResource is one member of a group (RFC 7643 §4.2): the user's id,
// its displayName (left out when empty) and the URI of the user.
type memberResource struct {
	Value   string `json:"value"`
	Display string `json:"display,omitempty"`
	Ref     string `json:"$ref"`
}

// newGroupResource renders g as view asks. The caller holds s.mu, for the
// members' names.
func (s *Server) newGroupResource(g Group, view groupView) groupResource {
	res := groupResource{Schemas: []string{groupSchema}, ID: g.ID, DisplayName: g.DisplayName, ExternalID: g.ExternalID}
	if !view.withMembers {
		return res
	}
	members := make([]memberResource, len(g.Members))
	for i, id := range g.Members {
		u, _ := s.users.get(id)
		members[i] = memberResource{Value: id, Display: u.DisplayName, Ref: view.usersURL + "/" + id}
	}
	res.Members = &members
	return res
}

// firstGroupNumber numbers the first group; ids are "g" and a number, which
// clients must treat as opaque.
const firstGroupNumber = 1000001

// groupStore holds the company's groups in creation order. It does no
// locking: Server.mu guards it.
type groupStore struct {
	ordered []*Group
	byID    map[string]*Group
	nextID  int
}

func newGroupStore() *groupStore {
	return &groupStore{byID: map[string]*Group{}, nextID: firstGroupNumber}
}

func (st *groupStore) newID() string {
	id := "g" + strconv.Itoa(st.nextID)
	st.nextID++
	return id
}

// insert appends a copy of g, which must have an id not in use.
func (st *groupStore) insert(g Group) {
	if _, exists := st.byID[g.ID]; exists || g.ID == "" {
		panic(fmt.Sprintf("emulator: group id %q is empty or already in use", g.ID))
	}
	if digits, ok := strings.CutPrefix(g.ID, "g"); ok {
		if n, err := strconv.Atoi(digits); err == nil && n >= st.nextID {
			st.nextID = n + 1
		}
	}
	stored := g.clone()
	st.ordered = append(st.ordered, &stored)
	st.byID[g.ID] = &stored
}

func (st *groupStore) get(id string) (Group, bool) {
	g, ok := st.byID[id]
	if !ok {
		return Group{}, false
	}
	return g.clone(), true
}

func (st *groupStore) replace(g Group) bool {
	stored, ok := st.byID[g.ID]
	if ok {
		*stored = g.clone()
	}
	return ok
}

func (st *groupStore) remove(id string) bool {
	if _, ok := st.byID[id]; !ok {
		return false
	}
	delete(st.byID, id)
	st.ordered = slices.DeleteFunc(st.ordered, func(g *Group) bool { return g.ID == id })
	return true
}

func (st *groupStore) removeAll() {
	st.ordered = nil
	clear(st.byID)
}

// matching returns copies of the groups match accepts, in creation order.
func (st *groupStore) matching(match func(*Group) bool) []Group {
	var groups []Group
	for _, g := range st.ordered {
		if match(g) {
			groups = append(groups, g.clone())
		}
	}
	return groups
}

// nameTaken reports whether another group than exceptID has displayName.
// Case is ignored, as RFC 7643 makes displayName caseExact false and as
// TeamViewer does for userNames.
func (st *groupStore) nameTaken(displayName, exceptID string) bool {
	return slices.ContainsFunc(st.ordered, func(g *Group) bool {
		return g.ID != exceptID && strings.EqualFold(g.DisplayName, displayName)
	})
}

// removeMember takes a user out of every group, as when the user is
// deleted.
func (st *groupStore) removeMember(userID string) {
	for _, g := range st.ordered {
		g.Members = slices.DeleteFunc(g.Members, func(id string) bool { return id == userID })
	}
}
