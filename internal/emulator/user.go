package emulator

import "strings"

// User is a user of the emulated TeamViewer company, as the emulator stores
// it. Its JSON form is the one of the state file, create-only attributes
// included.
type User struct {
	ID          string `json:"id"`
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName"`
	Active      bool   `json:"active"`

	// Create-only attributes as received on POST; the API never returns them.
	Password          string `json:"password,omitempty"`
	PreferredLanguage string `json:"preferredLanguage,omitempty"`
	SSOCustomerID     string `json:"ssoCustomerId,omitempty"`
}

// GivenName is name.givenName as TeamViewer derives it: DisplayName up to
// the first space. It is null (false) when DisplayName has no space.
func (u User) GivenName() (string, bool) {
	given, _, ok := strings.Cut(u.DisplayName, " ")
	if !ok {
		return "", false
	}
	return given, true
}

// FamilyName is name.familyName as TeamViewer derives it: DisplayName after
// the first space. It is null (false) when DisplayName has no space.
func (u User) FamilyName() (string, bool) {
	_, family, ok := strings.Cut(u.DisplayName, " ")
	return family, ok
}

// userResource is the JSON form of a user in API responses. It has no meta
// block, like TeamViewer's.
type userResource struct {
	Schemas     []string        `json:"schemas,omitempty"`
	ID          string          `json:"id"`
	UserName    string          `json:"userName"`
	DisplayName string          `json:"displayName"`
	Name        nameResource    `json:"name"`
	Emails      []emailResource `json:"emails"`
	Active      bool            `json:"active"`
}

type nameResource struct {
	Formatted  string  `json:"formatted"`
	GivenName  *string `json:"givenName"`
	FamilyName *string `json:"familyName"`
}

type emailResource struct {
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
}

// newUserResource renders u as the API returns it: derived name parts, the
// userName as the only email, and none of the create-only attributes.
func newUserResource(u User) userResource {
	return userResource{
		Schemas:     []string{userSchema},
		ID:          u.ID,
		UserName:    u.UserName,
		DisplayName: u.DisplayName,
		Name: nameResource{
			Formatted:  u.DisplayName,
			GivenName:  nullable(u.GivenName()),
			FamilyName: nullable(u.FamilyName()),
		},
		Emails: []emailResource{{Value: u.UserName, Primary: true}},
		Active: u.Active,
	}
}

// nullable turns a (value, ok) pair into a pointer that is nil, JSON null,
// when !ok.
func nullable(value string, ok bool) *string {
	if !ok {
		return nil
	}
	return &value
}

// draft is a user being edited by one request. It remembers the name parts
// the request set, so that setting givenName and then familyName composes
// both even when the displayName in between has no space to derive them
// from.
type draft struct {
	User
	givenName, familyName *string
}

// setDisplayName replaces the display name; name parts derive from it again.
func (d *draft) setDisplayName(name string) {
	d.DisplayName = name
	d.givenName, d.familyName = nil, nil
}

// setNameParts replaces the given parts of the name, keeps the current value
// of the others, and sets the display name to their join.
func (d *draft) setNameParts(given, family *string) {
	if given == nil {
		given = orDerived(d.givenName, d.GivenName)
	}
	if family == nil {
		family = orDerived(d.familyName, d.FamilyName)
	}
	d.givenName, d.familyName = given, family
	d.DisplayName = joinName(*given, *family)
}

// orDerived returns a name part set earlier in the request, or else the
// part derived from the display name ("" when null).
func orDerived(set *string, derive func() (string, bool)) *string {
	if set != nil {
		return set
	}
	part, _ := derive()
	return &part
}

// joinName builds a display name from name parts, skipping empty ones.
func joinName(given, family string) string {
	switch {
	case given == "":
		return family
	case family == "":
		return given
	}
	return given + " " + family
}

// looksLikeEmail reports whether s has the shape TeamViewer requires of a
// userName: exactly one @ with text on both sides.
func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@")
}
