package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// AdminPath is where AdminHandler serves, outside BasePath so that no SCIM
// client can reach it by accident.
const AdminPath = "/_emulator"

// AdminUser is one element of the JSON array served at AdminPath+"/users".
type AdminUser struct {
	ID          string  `json:"id"`
	UserName    string  `json:"userName"`
	DisplayName string  `json:"displayName"`
	GivenName   *string `json:"givenName"`  // null when derived as null
	FamilyName  *string `json:"familyName"` // null when derived as null
	Active      bool    `json:"active"`
	// Password is "set" when the user was created with one; the password
	// itself is never shown.
	Password          string `json:"password,omitempty"`
	PreferredLanguage string `json:"preferredLanguage,omitempty"`
	SSOCustomerID     string `json:"ssoCustomerId,omitempty"`
}

// AdminGroup is one element of the JSON array served at AdminPath+"/groups".
type AdminGroup struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	ExternalID  string   `json:"externalId,omitempty"`
	Members     []string `json:"members"` // user ids, in the order they joined
}

// AdminHandler serves an unauthenticated view of the emulator for demos,
// which the standalone command mounts beside the API:
//
//	GET /_emulator/users     JSON array of AdminUser, in creation order
//	GET /_emulator/groups    JSON array of AdminGroup, in creation order
//	GET /_emulator/requests  JSON object of request counts by "METHOD route"
//
// Its requests are neither counted nor faulted.
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+AdminPath+"/users", func(w http.ResponseWriter, _ *http.Request) {
		users := s.Users()
		view := make([]AdminUser, len(users))
		for i, u := range users {
			view[i] = newAdminUser(u)
		}
		writeAdminJSON(w, view)
	})
	mux.HandleFunc("GET "+AdminPath+"/groups", func(w http.ResponseWriter, _ *http.Request) {
		groups := s.Groups()
		view := make([]AdminGroup, len(groups))
		for i, g := range groups {
			view[i] = AdminGroup(g)
		}
		writeAdminJSON(w, view)
	})
	mux.HandleFunc("GET "+AdminPath+"/requests", func(w http.ResponseWriter, _ *http.Request) {
		writeAdminJSON(w, s.requestCounts())
	})
	return mux
}

func newAdminUser(u User) AdminUser {
	view := AdminUser{
		ID:                u.ID,
		UserName:          u.UserName,
		DisplayName:       u.DisplayName,
		GivenName:         nullable(u.GivenName()),
		FamilyName:        nullable(u.FamilyName()),
		Active:            u.Active,
		PreferredLanguage: u.PreferredLanguage,
		SSOCustomerID:     u.SSOCustomerID,
	}
	if u.Password != "" {
		view.Password = "set"
	}
	return view
}

func writeAdminJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client hung up; nothing to do
}

// FetchAdminUsers reads the users of the emulator serving at serverURL (its root, without
// BasePath) from its admin endpoint, for the command's users view and for tests that run the
// emulator in a process of their own.
func FetchAdminUsers(ctx context.Context, serverURL string) ([]AdminUser, error) {
	var users []AdminUser
	return users, getAdminJSON(ctx, serverURL, "/users", &users)
}

// FetchAdminGroups reads the groups of the emulator serving at serverURL (its root, without
// BasePath) from its admin endpoint.
func FetchAdminGroups(ctx context.Context, serverURL string) ([]AdminGroup, error) {
	var groups []AdminGroup
	return groups, getAdminJSON(ctx, serverURL, "/groups", &groups)
}

// FetchRequestCounts reads the request counts by "METHOD route" of the emulator serving at
// serverURL (its root, without BasePath).
func FetchRequestCounts(ctx context.Context, serverURL string) (map[string]int, error) {
	var counts map[string]int
	return counts, getAdminJSON(ctx, serverURL, "/requests", &counts)
}

func getAdminJSON(ctx context.Context, serverURL, endpoint string, v any) error {
	url := strings.TrimSuffix(serverURL, "/") + AdminPath + endpoint
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}
