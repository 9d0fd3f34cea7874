package emulator

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// bodyKind is the request a user object comes from. It decides what
// happens to attributes that request may not set.
type bodyKind int

const (
	createBody  bodyKind = iota // POST: everything is accepted
	replaceBody                 // PUT: create-only attributes are ignored
	patchBody                   // PATCH: id, create-only and unknown attributes are rejected
)

// userInput holds the attributes one request sets. A nil field was not
// sent; JSON null counts as not sent (RFC 7643 §2.5).
type userInput struct {
	userName, email                               *string
	displayName, formatted, givenName, familyName *string
	active                                        *bool
	password, preferredLanguage, ssoCustomerID    *string
}

// decodeUserBody reads the body of a POST or PUT, which must set a userName.
func decodeUserBody(body []byte, kind bodyKind) (userInput, error) {
	var in userInput
	if err := in.setObject(body, kind, ""); err != nil {
		return userInput{}, err
	}
	if in.userName == nil && in.email == nil {
		return userInput{}, newError(http.StatusBadRequest, scimTypeInvalidValue, "userName is required")
	}
	return in, nil
}

// setObject reads a JSON object of attributes whose paths start with
// prefix: a whole user when prefix is empty, else a complex attribute such
// as name.
func (in *userInput) setObject(raw json.RawMessage, kind bodyKind, prefix string) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		if prefix == "" {
			return newError(http.StatusBadRequest, scimTypeInvalidSyntax, "expected a JSON object")
		}
		return newError(http.StatusBadRequest, scimTypeInvalidValue, "%s must be a JSON object", strings.TrimRight(prefix, ".:"))
	}
	// Sorted, so that a body naming one attribute twice (userName and
	// username) gives the same result every time.
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		if prefix == "" && strings.EqualFold(key, "schemas") {
			continue
		}
		attr, err := resolvePath(prefix + key)
		if err != nil {
			if kind == patchBody {
				return err
			}
			continue // RFC 7644 §3.3 lets a server ignore attributes it does not support
		}
		if err := in.set(attr, fields[key], kind); err != nil {
			return err
		}
	}
	return nil
}

// set reads the value of one attribute.
func (in *userInput) set(attr attribute, raw json.RawMessage, kind bodyKind) error {
	if isNull(raw) {
		return nil
	}
	var err error
	switch attr {
	case attrUserName:
		in.userName, err = decodeUserName(attr, raw)
	case attrEmailValue:
		in.email, err = decodeUserName(attr, raw)
	case attrEmails:
		in.email, err = decodeEmails(raw)
	case attrDisplayName:
		in.displayName, err = decodeString(attr, raw)
	case attrName:
		err = in.setObject(raw, kind, string(attrName)+".")
	case attrFormatted:
		in.formatted, err = decodeString(attr, raw)
	case attrGivenName:
		in.givenName, err = decodeString(attr, raw)
	case attrFamilyName:
		in.familyName, err = decodeString(attr, raw)
	case attrActive:
		in.active, err = decodeActive(raw)
	case attrID:
		if kind == patchBody {
			return newError(http.StatusBadRequest, scimTypeMutability, "id is read-only")
		}
		// Clients do not choose ids; RFC 7643 §3.1 says to ignore them.
	default:
		err = in.setCreateOnly(attr, raw, kind)
	}
	return err
}

// setCreateOnly reads an attribute that only POST may set.
func (in *userInput) setCreateOnly(attr attribute, raw json.RawMessage, kind bodyKind) error {
	switch kind {
	case patchBody:
		return newError(http.StatusBadRequest, scimTypeMutability, "%s can only be set when the user is created", attr)
	case replaceBody:
		return nil
	}
	var err error
	switch attr {
	case attrPassword:
		in.password, err = decodeString(attr, raw)
	case attrPreferredLanguage:
		in.preferredLanguage, err = decodeString(attr, raw)
	case attrSSOUser:
		err = in.setObject(raw, kind, string(attrSSOUser)+":")
	case attrSSOCustomerID:
		in.ssoCustomerID, err = decodeString(attr, raw)
	}
	return err
}

// apply sets the attributes in on d, with the precedences TeamViewer
// documents: userName over emails, and displayName over name.formatted over
// name.givenName and name.familyName.
func (in *userInput) apply(d *draft) {
	switch {
	case in.userName != nil:
		d.UserName = *in.userName
	case in.email != nil:
		d.UserName = *in.email
	}
	switch {
	case in.displayName != nil:
		d.setDisplayName(*in.displayName)
	case in.formatted != nil:
		d.setDisplayName(*in.formatted)
	case in.givenName != nil || in.familyName != nil:
		d.setNameParts(in.givenName, in.familyName)
	}
	if in.active != nil {
		d.Active = *in.active
	}
}

// applyCreateOnly stores the create-only attributes in on u.
func (in *userInput) applyCreateOnly(u *User) {
	setIfSent(&u.Password, in.password)
	setIfSent(&u.PreferredLanguage, in.preferredLanguage)
	setIfSent(&u.SSOCustomerID, in.ssoCustomerID)
}

func setIfSent(dest, value *string) {
	if value != nil {
		*dest = *value
	}
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

func decodeString(attr attribute, raw json.RawMessage) (*string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, newError(http.StatusBadRequest, scimTypeInvalidValue, "%s must be a string", attr)
	}
	return &s, nil
}

// decodeUserName reads an email address that becomes the userName.
func decodeUserName(attr attribute, raw json.RawMessage) (*string, error) {
	s, err := decodeString(attr, raw)
	if err != nil {
		return nil, err
	}
	if !looksLikeEmail(*s) {
		return nil, newError(http.StatusBadRequest, scimTypeInvalidValue, "%s must be an email address, got %q", attr, *s)
	}
	return s, nil
}

// decodeEmails reads the emails attribute, an array of email objects or,
// as the target of a filtered PATCH path, a single one. A TeamViewer user
// has one email, so the primary one (else the first) is taken.
func decodeEmails(raw json.RawMessage) (*string, error) {
	type email struct {
		Value   json.RawMessage `json:"value"`
		Primary bool            `json:"primary"`
	}
	var emails []email
	if err := json.Unmarshal(raw, &emails); err != nil {
		var single email
		if err := json.Unmarshal(raw, &single); err != nil {
			return nil, newError(http.StatusBadRequest, scimTypeInvalidValue, "emails must be an array of email objects")
		}
		emails = []email{single}
	}
	if len(emails) == 0 {
		return nil, nil
	}
	chosen := emails[0]
	if i := slices.IndexFunc(emails, func(e email) bool { return e.Primary }); i >= 0 {
		chosen = emails[i]
	}
	return decodeUserName(attrEmailValue, chosen.Value)
}

// decodeActive reads active as a JSON boolean or, as Entra ID sends it, a
// string "True" or "False" in any case.
func decodeActive(raw json.RawMessage) (*bool, error) {
	var active bool
	if err := json.Unmarshal(raw, &active); err == nil {
		return &active, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		switch strings.ToLower(s) {
		case "true":
			active = true
			return &active, nil
		case "false":
			return &active, nil
		}
	}
	return nil, newError(http.StatusBadRequest, scimTypeInvalidValue, "active must be true or false")
}
