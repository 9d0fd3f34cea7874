package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Schema URNs of the messages this client sends.
const (
	schemaUser    = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaSSOUser = "urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser"
	schemaPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// wireUser is a User resource as TeamViewer returns it. Plain strings decode
// JSON null as "", which is what the documented null name parts should become;
// TeamViewer sends no meta and list items may omit schemas, so neither is read.
type wireUser struct {
	ID          string     `json:"id"`
	UserName    string     `json:"userName"`
	DisplayName string     `json:"displayName"`
	Name        *wireName  `json:"name"`
	Active      *looseBool `json:"active"`
}

type wireName struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

func (w wireUser) user() (User, error) {
	if w.ID == "" {
		return User{}, errors.New("user has no id")
	}
	u := User{
		ID:          w.ID,
		UserName:    w.UserName,
		DisplayName: w.DisplayName,
		// A missing active counts as true: TeamViewer documents deactivated
		// users as listed with an explicit "active": false, and new users
		// are active by default. Reading a missing value as false would make
		// the caller "reactivate" every user of a server that leaves it out.
		Active: w.Active == nil || w.Active.value,
	}
	if w.Name != nil {
		u.GivenName, u.FamilyName = w.Name.GivenName, w.Name.FamilyName
	}
	return u, nil
}

// decodeUser decodes a single User resource; a body without an id is an error
// rather than an empty User, so a proxy answering "{}" cannot pass for a user.
func decodeUser(body []byte) (User, error) {
	var w wireUser
	if err := json.Unmarshal(body, &w); err != nil {
		return User{}, err
	}
	return w.user()
}

// wireListResponse is a SCIM ListResponse of W items. startIndex and
// itemsPerPage are not read: TeamViewer echoes startIndex 0, so paging relies
// on our own counters.
type wireListResponse[W any] struct {
	TotalResults *looseInt `json:"totalResults"`
	// A pointer tells an absent member apart from an empty page. encoding/json
	// matches member names case-insensitively, so "resources" is accepted too.
	Resources *[]W `json:"Resources"`
}

// listPage is one decoded ListResponse page of users.
type listPage struct {
	users []User
	total int // -1 when the server did not say
}

func decodeListResponse(body []byte) (listPage, error) {
	users, total, err := decodeResources(body, wireUser.user)
	return listPage{users: users, total: total}, err
}

// decodeResources decodes a ListResponse of W items into T values; total is
// -1 when the server did not say.
func decodeResources[W, T any](body []byte, convert func(W) (T, error)) (items []T, total int, err error) {
	var w wireListResponse[W]
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, 0, err
	}
	// An object with neither member is not a ListResponse. Reading it as
	// "no items" would let a lookup conclude a resource is missing and a
	// create follow, so it is rejected like any other unexpected body.
	if w.TotalResults == nil && w.Resources == nil {
		return nil, 0, errors.New("not a ListResponse: no totalResults and no Resources")
	}
	total = -1
	if w.TotalResults != nil {
		total = w.TotalResults.value
	}
	if w.Resources != nil {
		items = make([]T, 0, len(*w.Resources))
		for i, r := range *w.Resources {
			v, err := convert(r)
			if err != nil {
				return nil, 0, fmt.Errorf("item %d of Resources: %w", i, err)
			}
			items = append(items, v)
		}
	}
	return items, total, nil
}

// wireNewUser is the body of POST /Users. The create-only attributes are
// omitted when empty so that TeamViewer applies its own defaults.
type wireNewUser struct {
	Schemas           []string     `json:"schemas"`
	UserName          string       `json:"userName"`
	DisplayName       string       `json:"displayName,omitempty"`
	Active            bool         `json:"active"`
	Password          string       `json:"password,omitempty"`
	PreferredLanguage string       `json:"preferredLanguage,omitempty"`
	SSOUser           *wireSSOUser `json:"urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser,omitempty"`
}

type wireSSOUser struct {
	SSOCustomerID string `json:"ssoCustomerId"`
}

func newWireUser(u NewUser) wireNewUser {
	w := wireNewUser{
		Schemas:           []string{schemaUser},
		UserName:          u.UserName,
		DisplayName:       u.DisplayName,
		Active:            u.Active,
		Password:          u.Password,
		PreferredLanguage: u.PreferredLanguage,
	}
	if u.SSOCustomerID != "" {
		w.Schemas = append(w.Schemas, schemaSSOUser)
		w.SSOUser = &wireSSOUser{SSOCustomerID: u.SSOCustomerID}
	}
	return w
}

// wirePatch is the body of PATCH /Users/{id} in the RFC 7644 form; TeamViewer
// supports only "replace".
type wirePatch struct {
	Schemas    []string      `json:"schemas"`
	Operations []wirePatchOp `json:"Operations"`
}

type wirePatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

func newWirePatch(p UserPatch) wirePatch {
	w := wirePatch{Schemas: []string{schemaPatchOp}}
	replace := func(path string, value any) {
		w.Operations = append(w.Operations, wirePatchOp{Op: "replace", Path: path, Value: value})
	}
	if p.UserName != nil {
		replace("userName", *p.UserName)
	}
	if p.DisplayName != nil {
		replace("displayName", *p.DisplayName)
	}
	if p.Active != nil {
		replace("active", *p.Active)
	}
	return w
}

// wireError holds both error bodies TeamViewer may send: RFC 7644's
// (scimType, detail) and its Web API's (error, error_description). status is
// not read: the HTTP status line is authoritative, and leaving it out means a
// string (RFC 7644) or a number (other servers) there cannot fail the decode.
// error_code is left out too: its numbers are undocumented and "error" names
// the same condition.
type wireError struct {
	SCIMType    string `json:"scimType"`
	Detail      string `json:"detail"`
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

// decodeErrorBody reports ok only for a JSON object carrying at least one
// member of either format, so that unrelated JSON falls back to a snippet.
func decodeErrorBody(body []byte) (w wireError, ok bool) {
	if err := json.Unmarshal(body, &w); err != nil {
		return wireError{}, false
	}
	return w, w.SCIMType != "" || w.Detail != "" || w.Code != "" || w.Description != ""
}

// looseBool accepts a JSON boolean or a string such as "true" or "False":
// Entra sends string booleans, so a lenient server may echo them back.
type looseBool struct{ value bool }

func (b *looseBool) UnmarshalJSON(data []byte) error {
	v, err := strconv.ParseBool(scalarText(data))
	if err != nil {
		// encoding/json adds the field name to this error type only.
		return &json.UnmarshalTypeError{Value: string(data), Type: reflect.TypeFor[bool]()}
	}
	b.value = v
	return nil
}

// looseInt accepts a JSON number or a numeric string. RFC 7644 itself sends
// numbers as strings in places (an error's status), so a server doing the same
// for totalResults is plausible and costs nothing to accept.
type looseInt struct{ value int }

func (n *looseInt) UnmarshalJSON(data []byte) error {
	v, err := strconv.Atoi(scalarText(data))
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(data), Type: reflect.TypeFor[int]()}
	}
	n.value = v
	return nil
}

// scalarText returns the content of a JSON string, or the JSON text itself
// for anything else, which then parses as a boolean or number or fails to.
// JSON null never reaches it: encoding/json leaves a pointer field nil.
func scalarText(data []byte) string {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		return strings.TrimSpace(s)
	}
	return string(data)
}
