package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// defaultMaxMembersPerRequest is the cap on member values per request that
// other SCIM servers have; TeamViewer's is unknown.
const defaultMaxMembersPerRequest = 100

// routeGroups dispatches a request to /Groups or /Groups/{id}.
func (s *Server) routeGroups(r *http.Request, route, id string, body []byte) response {
	query := r.URL.Query()
	view := groupView{withMembers: !excludesMembers(query), usersURL: apiURL(r) + routeUsers}
	if route == routeGroups {
		switch r.Method {
		case http.MethodGet:
			return s.listGroups(query, view)
		case http.MethodPost:
			return s.createGroup(body, view)
		}
		return methodNotAllowed(r.Method, "GET, POST")
	}
	switch r.Method {
	case http.MethodGet:
		return s.getGroup(id, view)
	case http.MethodPatch:
		return s.patchGroup(id, body, view)
	case http.MethodDelete:
		return s.deleteGroup(id)
	}
	return methodNotAllowed(r.Method, "GET, PATCH, DELETE")
}

// groupView is how a request wants groups rendered.
type groupView struct {
	withMembers bool
	usersURL    string // for the members' $ref
}

// apiURL is the base URL of the API as the client addressed it.
func apiURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + BasePath
}

// excludesMembers reports whether excludedAttributes names members, as
// Entra ID sends it to avoid reading large groups.
func excludesMembers(query url.Values) bool {
	for _, value := range query["excludedAttributes"] {
		for name := range strings.SplitSeq(value, ",") {
			if attr, ok := lookupGroupAttribute(strings.TrimSpace(name)); ok && attr == groupAttrMembers {
				return true
			}
		}
	}
	return false
}

// listGroups answers GET /Groups, paged like the users. Unlike them it
// echoes the real startIndex, as RFC 7644 says: TeamViewer's quirk is only
// documented for users.
func (s *Server) listGroups(query url.Values, view groupView) response {
	match, err := compileGroupFilter(query.Get("filter"))
	if err != nil {
		return errorResponse(err)
	}
	startIndex, count, err := pageParams(query)
	if err != nil {
		return errorResponse(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	matched := s.groups.matching(match)
	groups := page(matched, startIndex, count)
	resources := make([]groupResource, len(groups))
	for i, g := range groups {
		resources[i] = s.newGroupResource(g, view)
	}
	return jsonResponse(http.StatusOK, listResponse[groupResource]{
		Schemas:      []string{listResponseSchema},
		TotalResults: len(matched),
		ItemsPerPage: len(resources),
		StartIndex:   startIndex,
		Resources:    resources,
	})
}

// getGroup answers GET /Groups/{id}.
func (s *Server) getGroup(id string, view groupView) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups.get(id)
	if !ok {
		return errorResponse(errGroupNotFound(id))
	}
	return jsonResponse(http.StatusOK, s.newGroupResource(g, view))
}

// createGroup answers POST /Groups.
func (s *Server) createGroup(body []byte, view groupView) response {
	in, err := decodeGroupBody(body, s.maxMembers)
	if err != nil {
		return errorResponse(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := Group{DisplayName: *in.displayName}
	if in.externalID != nil {
		g.ExternalID = *in.externalID
	}
	members := newMemberSet(nil)
	if in.members != nil {
		if err := s.addMembers(members, *in.members); err != nil {
			return errorResponse(err)
		}
	}
	g.Members = members.ids
	if s.groups.nameTaken(g.DisplayName, "") {
		return errorResponse(errGroupNameTaken(g.DisplayName))
	}
	g.ID = s.groups.newID()
	s.groups.insert(g)
	resp := jsonResponse(http.StatusCreated, s.newGroupResource(g, view))
	resp.changed = true
	return resp
}

// patchGroup answers PATCH /Groups/{id} with the group (RFC 7644 allows
// 200 with it or 204; TeamViewer answers user PATCHes with 200, so this
// does too). Its operations apply in order, and all or none of them.
func (s *Server) patchGroup(id string, body []byte, view groupView) response {
	ops, err := decodeGroupPatch(body, s.maxMembers)
	if err != nil {
		return errorResponse(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	current, ok := s.groups.get(id)
	if !ok {
		return errorResponse(errGroupNotFound(id))
	}
	g := current // a copy already
	members := newMemberSet(g.Members)
	for i, op := range ops {
		if err := s.applyGroupOp(&g, members, op); err != nil {
			return errorResponse(prefixDetail(err, fmt.Sprintf("Operations[%d]: ", i)))
		}
	}
	g.Members = members.ids
	if g.DisplayName != current.DisplayName && s.groups.nameTaken(g.DisplayName, id) {
		return errorResponse(errGroupNameTaken(g.DisplayName))
	}
	s.groups.replace(g)
	resp := jsonResponse(http.StatusOK, s.newGroupResource(g, view))
	resp.changed = g.DisplayName != current.DisplayName || g.ExternalID != current.ExternalID ||
		!slices.Equal(g.Members, current.Members)
	return resp
}

// applyGroupOp applies one operation to g and its members. The caller
// holds s.mu.
func (s *Server) applyGroupOp(g *Group, members *memberSet, op groupOp) error {
	if op.op == "remove" {
		switch {
		case op.target == groupAttrExternalID:
			g.ExternalID = ""
		case op.match != nil:
			members.removeIf(op.match)
		case op.in.members == nil:
			members.removeIf(func(string) bool { return true })
		default: // Entra ID names the members to remove in value
			members.remove(*op.in.members)
		}
		return nil
	}
	if op.in.displayName != nil {
		g.DisplayName = *op.in.displayName
	}
	if op.in.externalID != nil {
		g.ExternalID = *op.in.externalID
	}
	if op.in.members == nil {
		return nil
	}
	if op.op == "replace" {
		members.removeIf(func(string) bool { return true })
	}
	return s.addMembers(members, *op.in.members)
}

// addMembers adds users to members; adding a member twice is accepted and
// changes nothing. The caller holds s.mu.
func (s *Server) addMembers(members *memberSet, ids []string) error {
	for _, id := range ids {
		if _, ok := s.users.get(id); !ok {
			return newError(http.StatusBadRequest, scimTypeInvalidValue, "member %q is not a user of the company", id)
		}
	}
	for _, id := range ids {
		members.add(id)
	}
	return nil
}

// deleteGroup answers DELETE /Groups/{id} with 204.
func (s *Server) deleteGroup(id string) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.groups.remove(id) {
		return errorResponse(errGroupNotFound(id))
	}
	resp := response{status: http.StatusNoContent, header: http.Header{}, raw: []byte{}}
	resp.changed = true
	return resp
}

func errGroupNotFound(id string) error {
	return newError(http.StatusNotFound, "", "group %q not found", id)
}

func errGroupNameTaken(displayName string) error {
	return newError(http.StatusConflict, scimTypeUniqueness, "a group named %q already exists", displayName)
}

// memberSet is the ordered members of a group being edited, indexed so
// that a PATCH on a group of 50,000 members stays linear.
type memberSet struct {
	ids []string
	has map[string]bool
}

// newMemberSet returns a set of ids, each kept once, in order.
func newMemberSet(ids []string) *memberSet {
	m := &memberSet{ids: make([]string, 0, len(ids)), has: make(map[string]bool, len(ids))}
	for _, id := range ids {
		m.add(id)
	}
	return m
}

func (m *memberSet) add(id string) {
	if !m.has[id] {
		m.has[id] = true
		m.ids = append(m.ids, id)
	}
}

// remove takes ids out; absent ones are ignored.
func (m *memberSet) remove(ids []string) {
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	m.removeIf(func(id string) bool { return drop[id] })
}

func (m *memberSet) removeIf(match func(string) bool) {
	m.ids = slices.DeleteFunc(m.ids, func(id string) bool {
		if match(id) {
			delete(m.has, id)
			return true
		}
		return false
	})
}
