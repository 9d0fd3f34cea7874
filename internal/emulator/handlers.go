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
	routeUsers = "/Users"
	routeUser  = "/Users/{id}"
)

// parseRoute maps a request path to its route and, for routeUser, the id.
// Any other path is its own route, relative to BasePath when under it.
func parseRoute(path string) (route, id string) {
	rest, underBase := strings.CutPrefix(path, BasePath)
	if !underBase {
		return path, ""
	}
	if rest == routeUsers {
		return routeUsers, ""
	}
	if id, ok := strings.CutPrefix(rest, routeUsers+"/"); ok && id != "" && !strings.Contains(id, "/") {
		return routeUser, id
	}
	return rest, ""
}

// listResponse is the body of GET /Users (RFC 7644 §3.4.2).
type listResponse struct {
	Schemas      []string       `json:"schemas"`
	TotalResults int            `json:"totalResults"`
	ItemsPerPage int            `json:"itemsPerPage"`
	StartIndex   int            `json:"startIndex"`
	Resources    []userResource `json:"Resources"`
}

// listUsers answers GET /Users. Paging follows RFC 7644 §3.4.2.4 except
// where TeamViewer documents otherwise: without count every remaining user
// is returned, and startIndex is echoed as 0 so that clients cannot page
// from it.
func (s *Server) listUsers(query url.Values) response {
	match, err := compileFilter(query.Get("filter"))
	if err != nil {
		return errorResponse(err)
	}
	startIndex, err := intParam(query, "startIndex", 1)
	if err != nil {
		return errorResponse(err)
	}
	count, err := intParam(query, "count", math.MaxInt) // omitted: all remaining users
	if err != nil {
		return errorResponse(err)
	}
	// RFC 7644 §3.4.2.4: a startIndex below 1 means 1, a negative count 0.
	startIndex, count = max(startIndex, 1), max(count, 0)

	s.mu.Lock()
	matched := s.users.matching(match)
	s.mu.Unlock()

	page := matched[min(startIndex-1, len(matched)):]
	page = page[:min(count, len(page))]
	resources := make([]userResource, len(page))
	for i, u := range page {
		resources[i] = newUserResource(u)
		resources[i].Schemas = nil // list items may omit them, as TeamViewer's do
	}
	return jsonResponse(http.StatusOK, listResponse{
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
