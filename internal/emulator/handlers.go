package emulator

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Routes of the API, as Count names them.
const (
	routeUsers  = "/Users"
	routeUser   = "/Users/{id}"
	routeGroups = "/Groups"
	routeGroup  = "/Groups/{id}"
)

// parseRoute maps a request path to its route and, for routeUser and
// routeGroup, the id. Any other path is its own route, relative to BasePath
// when under it.
func parseRoute(path string) (route, id string) {
	rest, underBase := strings.CutPrefix(path, BasePath)
	if !underBase {
		return path, ""
	}
	for _, r := range []struct{ collection, item string }{{routeUsers, routeUser}, {routeGroups, routeGroup}} {
		if rest == r.collection {
			return r.collection, ""
		}
		if id, ok := strings.CutPrefix(rest, r.collection+"/"); ok && id != "" && !strings.Contains(id, "/") {
			return r.item, id
		}
	}
	return rest, ""
}

// listResponse is the body of a list (RFC 7644 §3.4.2).
type listResponse[T any] struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	ItemsPerPage int      `json:"itemsPerPage"`
	StartIndex   int      `json:"startIndex"`
	Resources    []T      `json:"Resources"`
}

// pageParams reads startIndex and count. Paging follows RFC 7644 §3.4.2.4,
// except that without count every remaining resource is returned, as
// TeamViewer documents for users.
func pageParams(query url.Values) (startIndex, count int, err error) {
	if startIndex, err = intParam(query, "startIndex", 1); err != nil {
		return 0, 0, err
	}
	if count, err = intParam(query, "count", math.MaxInt); err != nil {
		return 0, 0, err
	}
	// RFC 7644 §3.4.2.4: a startIndex below 1 means 1, a negative count 0.
	return max(startIndex, 1), max(count, 0), nil
}

// page returns the page of matched that starts at the 1-based startIndex.
func page[T any](matched []T, startIndex, count int) []T {
	p := matched[min(startIndex-1, len(matched)):]
	return p[:min(count, len(p))]
}

// listUsers answers GET /Users, paged by pageParams. startIndex is echoed
// as 0, as TeamViewer documents, so that clients cannot page from it.
func (s *Server) listUsers(query url.Values) response {
	match, err := compileFilter(query.Get("filter"))
	if err != nil {
		return errorResponse(err)
	}
	startIndex, count, err := pageParams(query)
	if err != nil {
		return errorResponse(err)
	}

	s.mu.Lock()
	matched := s.users.matching(match)
	s.mu.Unlock()

	users := page(matched, startIndex, count)
	resources := make([]userResource, len(users))
	for i, u := range users {
		resources[i] = newUserResource(u)
		resources[i].Schemas = nil // list items may omit them, as TeamViewer's do
	}
	return jsonResponse(http.StatusOK, listResponse[userResource]{
		Schemas:      []string{listResponseSchema},
		TotalResults: len(matched),
		ItemsPerPage: len(resources),
		StartIndex:   0, // echoed as TeamViewer does, see above
		Resources:    resources,
	})
}

// intParam reads an integer query parameter, def when absent.
func intParam(query url.Values, name string, def int) (int, error) {
	if !query.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(query.Get(name))
	if err != nil {
		return 0, newError(http.StatusBadRequest, scimTypeInvalidValue, "%s must be an integer, got %q", name, query.Get(name))
	}
	return n, nil
}

// getUser answers GET /Users/{id}.
func (s *Server) getUser(id string) response {
	s.mu.Lock()
	u, ok := s.users.get(id)
	s.mu.Unlock()
	if !ok {
		return errorResponse(errUserNotFound(id))
	}
	return jsonResponse(http.StatusOK, newUserResource(u))
}

// createUser answers POST /Users.
func (s *Server) createUser(body []byte) response {
	in, err := decodeUserBody(body, createBody)
	if err != nil {
		return errorResponse(err)
	}
	d := draft{User: User{Active: true}}
	in.apply(&d)
	in.applyCreateOnly(&d.User)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users.userNameTaken(d.UserName, "") {
		return errorResponse(s.errDuplicate(d.UserName))
	}
	d.ID = s.users.newID()
	s.users.insert(d.User)
	resp := jsonResponse(http.StatusCreated, newUserResource(d.User))
	resp.changed = true
	return resp
}

// replaceUser answers PUT /Users/{id}: every attribute the API can change
// is replaced; what it cannot change (id, create-only attributes) stays.
func (s *Server) replaceUser(id string, body []byte) response {
	in, err := decodeUserBody(body, replaceBody)
	if err != nil {
		return errorResponse(err)
	}
	return s.updateUser(id, func(d *draft) {
		*d = draft{User: User{
			ID:                d.ID,
			Active:            true,
			Password:          d.Password,
			PreferredLanguage: d.PreferredLanguage,
			SSOCustomerID:     d.SSOCustomerID,
		}}
		in.apply(d)
	})
}

// patchUser answers PATCH /Users/{id}. Its operations apply in order, and
// all or none of them.
func (s *Server) patchUser(id string, body []byte) response {
	inputs, err := decodePatch(body)
	if err != nil {
		return errorResponse(err)
	}
	return s.updateUser(id, func(d *draft) {
		for _, in := range inputs {
			in.apply(d)
		}
	})
}

// updateUser edits the user with the given id and stores the result unless
// it takes another user's userName.
func (s *Server) updateUser(id string, edit func(*draft)) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	current, ok := s.users.get(id)
	if !ok {
		return errorResponse(errUserNotFound(id))
	}
	d := draft{User: current}
	edit(&d)
	if d.UserName != current.UserName && s.users.userNameTaken(d.UserName, id) {
		return errorResponse(s.errDuplicate(d.UserName))
	}
	s.users.replace(d.User)
	resp := jsonResponse(http.StatusOK, newUserResource(d.User))
	resp.changed = d.User != current
	return resp
}

func errUserNotFound(id string) error {
	return newError(http.StatusNotFound, "", "user %q not found", id)
}

func (s *Server) errDuplicate(userName string) error {
	return newError(s.duplicateStatus, scimTypeUniqueness, "userName %q is already in use", userName)
}
