package emulator

import (
	"net/http"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// attribute is a user attribute a request can name, spelled as its
// canonical SCIM path.
type attribute string

const (
	attrID                attribute = "id"
	attrUserName          attribute = "userName"
	attrEmails            attribute = "emails"
	attrEmailValue        attribute = "emails.value"
	attrDisplayName       attribute = "displayName"
	attrName              attribute = "name"
	attrFormatted         attribute = "name.formatted"
	attrGivenName         attribute = "name.givenName"
	attrFamilyName        attribute = "name.familyName"
	attrActive            attribute = "active"
	attrPassword          attribute = "password"
	attrPreferredLanguage attribute = "preferredLanguage"
	attrSSOUser           attribute = ssoUserSchema
	attrSSOCustomerID     attribute = ssoUserSchema + ":ssoCustomerId"
)

// attributesByKey indexes the attributes by lower-cased path, because SCIM
// attribute names are case-insensitive.
var attributesByKey = func() map[string]attribute {
	index := map[string]attribute{}
	for _, a := range []attribute{
		attrID, attrUserName, attrEmails, attrEmailValue, attrDisplayName,
		attrName, attrFormatted, attrGivenName, attrFamilyName, attrActive,
		attrPassword, attrPreferredLanguage, attrSSOUser, attrSSOCustomerID,
	} {
		index[strings.ToLower(string(a))] = a
	}
	return index
}()

// userSchemaPrefix starts attribute paths written with their schema URN,
// such as "urn:ietf:params:scim:schemas:core:2.0:User:userName".
var userSchemaPrefix = strings.ToLower(userSchema) + ":"

// lookupAttribute resolves an attribute path such as "name.givenName",
// ignoring case and the core User schema prefix.
func lookupAttribute(path string) (attribute, bool) {
	key := strings.TrimPrefix(strings.ToLower(path), userSchemaPrefix)
	a, ok := attributesByKey[key]
	return a, ok
}

// resolvePath resolves an attribute path (RFC 7644 §3.5.2) such as
// name.givenName or emails[type eq "work"].value, as a PATCH path or a key
// of a user object. A TeamViewer user has exactly one email, so a value
// filter on emails selects it whatever the filter says.
func resolvePath(path string) (attribute, error) {
	parsed, err := filter.ParsePath([]byte(path))
	if err != nil {
		return "", newError(http.StatusBadRequest, scimTypeInvalidPath, "cannot parse path %q: %v", path, err)
	}
	name := parsed.AttributePath.String()
	if parsed.ValueExpression != nil {
		if attr, _ := lookupAttribute(name); attr != attrEmails {
			return "", newError(http.StatusBadRequest, scimTypeInvalidPath, "value filters are only supported on emails, not in %q", path)
		}
		if sub := parsed.SubAttributeName(); sub != "" {
			name += "." + sub
		}
	}
	attr, ok := lookupAttribute(name)
	if !ok {
		return "", newError(http.StatusBadRequest, scimTypeInvalidPath, "unknown attribute path %q", path)
	}
	return attr, nil
}
