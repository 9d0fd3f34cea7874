package emulator

import (
	"encoding/json"
	"net/http"
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

// AdminHandler serves an unauthenticated view of the emulator for demos,
// which the standalone command mounts beside the API:
//
//	GET /_emulator/users     JSON array of AdminUser, in creation order
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
