package emulator

import (
	"encoding/json"
	"net/http"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// predicate reports whether a user matches a filter.
type predicate func(u *User) bool

func matchAll(*User) bool { return true }

// stringAttributes are the string attributes a filter can test, with how
// to read them; ok is false when the value is null.
var stringAttributes = map[attribute]func(u *User) (value string, ok bool){
	attrID:          func(u *User) (string, bool) { return u.ID, true },
	attrUserName:    userNameOf,
	attrEmails:      userNameOf, // a complex attribute compares by its value (RFC 7644 §3.4.2.2)
	attrEmailValue:  userNameOf,
	attrDisplayName: displayNameOf,
	attrName:        displayNameOf, // TeamViewer's "name" filter means name.formatted
	attrFormatted:   displayNameOf,
	attrGivenName:   (*User).GivenName,
	attrFamilyName:  (*User).FamilyName,
}

func userNameOf(u *User) (string, bool)    { return u.UserName, true }
func displayNameOf(u *User) (string, bool) { return u.DisplayName, true }

// stringOperators compare an attribute's value with a filter's operand.
// They are case-sensitive: TeamViewer documents that its matching is,
// although RFC 7643 makes userName case-insensitive.
var stringOperators = map[filter.CompareOperator]func(value, operand string) bool{
	filter.EQ: func(value, operand string) bool { return value == operand },
	filter.CO: strings.Contains,
	filter.SW: strings.HasPrefix,
	filter.EW: strings.HasSuffix,
}

// compileFilter turns a SCIM filter (RFC 7644 §3.4.2.2) into a predicate.
// An empty filter matches every user.
func compileFilter(text string) (predicate, error) {
	if strings.TrimSpace(text) == "" {
		return matchAll, nil
	}
	expr, err := filter.ParseFilter([]byte(text))
	if err != nil {
		return nil, invalidFilter("cannot parse filter %q: %v", text, err)
	}
	return compileExpression(expr, "")
}

// compileExpression compiles one node of a parsed filter. Attribute names
// are relative to prefix, which is "emails." inside emails[...].
func compileExpression(expr filter.Expression, prefix string) (predicate, error) {
	switch e := expr.(type) {
	case *filter.LogicalExpression:
		left, err := compileExpression(e.Left, prefix)
		if err != nil {
			return nil, err
		}
		right, err := compileExpression(e.Right, prefix)
		if err != nil {
			return nil, err
		}
		if e.Operator == filter.AND {
			return func(u *User) bool { return left(u) && right(u) }, nil
		}
		return func(u *User) bool { return left(u) || right(u) }, nil
	case *filter.NotExpression:
		inner, err := compileExpression(e.Expression, prefix)
		if err != nil {
			return nil, err
		}
		return not(inner), nil
	case *filter.ValuePath:
		if attr, ok := lookupAttribute(prefix + e.AttributePath.String()); !ok || attr != attrEmails {
			return nil, invalidFilter("value filters are only supported on emails, not %q", e.AttributePath)
		}
		return compileExpression(e.ValueFilter, string(attrEmails)+".")
	case *filter.AttributeExpression:
		return compileComparison(e, prefix)
	}
	return nil, invalidFilter("unsupported filter expression %v", expr)
}

// compileComparison compiles an attribute expression such as
// userName eq "jane@example.com".
func compileComparison(e *filter.AttributeExpression, prefix string) (predicate, error) {
	if e.Operator == filter.NE {
		// ne is the negation of eq, so it also matches users where the value is null.
		eq := *e
		eq.Operator = filter.EQ
		match, err := compileComparison(&eq, prefix)
		if err != nil {
			return nil, err
		}
		return not(match), nil
	}
	path := prefix + e.AttributePath.String()
	attr, _ := lookupAttribute(path)
	if get, ok := stringAttributes[attr]; ok {
		return compileStringComparison(path, get, e)
	}
	if attr == attrActive {
		return compileActiveComparison(e)
	}
	return nil, invalidFilter("filtering on %q is not supported", path)
}

func compileStringComparison(path string, get func(*User) (string, bool), e *filter.AttributeExpression) (predicate, error) {
	if e.Operator == filter.PR {
		return func(u *User) bool {
			value, ok := get(u)
			return ok && value != ""
		}, nil
	}
	compare, ok := stringOperators[e.Operator]
	if !ok {
		return nil, invalidFilter("operator %q is not supported on %s", e.Operator, path)
	}
	operand, err := stringOperand(path, e.CompareValue)
	if err != nil {
		return nil, err
	}
	return func(u *User) bool {
		value, ok := get(u)
		return ok && compare(value, operand)
	}, nil
}

func compileActiveComparison(e *filter.AttributeExpression) (predicate, error) {
	switch e.Operator {
	case filter.PR:
		return matchAll, nil
	case filter.EQ:
		want, ok := e.CompareValue.(bool)
		if !ok {
			return nil, invalidFilter("active can only be compared with true or false")
		}
		return func(u *User) bool { return u.Active == want }, nil
	}
	return nil, invalidFilter("operator %q is not supported on active", e.Operator)
}

// stringOperand returns a filter's comparison value as a string. The parser
// keeps JSON escapes such as \" as written, so they are decoded here.
func stringOperand(path string, value any) (string, error) {
	raw, ok := value.(string)
	if !ok {
		return "", invalidFilter("%s can only be compared with a string", path)
	}
	var operand string
	if err := json.Unmarshal([]byte(`"`+raw+`"`), &operand); err != nil {
		return "", invalidFilter("invalid string %q in filter: %v", raw, err)
	}
	return operand, nil
}

func not(p predicate) predicate {
	return func(u *User) bool { return !p(u) }
}

func invalidFilter(format string, args ...any) *scimError {
	return newError(http.StatusBadRequest, scimTypeInvalidFilter, format, args...)
}
