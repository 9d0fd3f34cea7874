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
	return compileUserExpression(expr, "")
}

// compileLogic compiles the and, or and not of a parsed filter, and leaves
// the other nodes to leaf, so that users, groups and members share it.
func compileLogic[T any](expr filter.Expression, leaf func(filter.Expression) (func(T) bool, error)) (func(T) bool, error) {
	switch e := expr.(type) {
	case *filter.LogicalExpression:
		left, err := compileLogic(e.Left, leaf)
		if err != nil {
			return nil, err
		}
		right, err := compileLogic(e.Right, leaf)
		if err != nil {
			return nil, err
		}
		if e.Operator == filter.AND {
			return func(v T) bool { return left(v) && right(v) }, nil
		}
		return func(v T) bool { return left(v) || right(v) }, nil
	case *filter.NotExpression:
		inner, err := compileLogic(e.Expression, leaf)
		if err != nil {
			return nil, err
		}
		return not(inner), nil
	}
	return leaf(expr)
}

// compileUserExpression compiles a user filter. Attribute names are
// relative to prefix, which is "emails." inside emails[...].
func compileUserExpression(expr filter.Expression, prefix string) (predicate, error) {
	return compileLogic(expr, func(expr filter.Expression) (func(*User) bool, error) {
		switch e := expr.(type) {
		case *filter.ValuePath:
			if attr, ok := lookupAttribute(prefix + e.AttributePath.String()); !ok || attr != attrEmails {
				return nil, invalidFilter("value filters are only supported on emails, not %q", e.AttributePath)
			}
			return compileUserExpression(e.ValueFilter, string(attrEmails)+".")
		case *filter.AttributeExpression:
			return compileComparison(e, prefix)
		}
		return nil, invalidFilter("unsupported filter expression %v", expr)
	})
}

// compileComparison compiles an attribute expression such as
// userName eq "jane@example.com".
func compileComparison(e *filter.AttributeExpression, prefix string) (predicate, error) {
	if e.Operator == filter.NE {
		return compileNotEqual(e, func(eq *filter.AttributeExpression) (func(*User) bool, error) {
			return compileComparison(eq, prefix)
		})
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

// compileNotEqual compiles e, whose operator is ne, as the negation of eq,
// so that it also matches where the value is null.
func compileNotEqual[T any](e *filter.AttributeExpression, compile func(*filter.AttributeExpression) (func(T) bool, error)) (func(T) bool, error) {
	eq := *e
	eq.Operator = filter.EQ
	match, err := compile(&eq)
	if err != nil {
		return nil, err
	}
	return not(match), nil
}

func compileStringComparison[T any](path string, get func(T) (string, bool), e *filter.AttributeExpression) (func(T) bool, error) {
	if e.Operator == filter.PR {
		return func(v T) bool {
			value, ok := get(v)
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
	return func(v T) bool {
		value, ok := get(v)
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

func not[T any](p func(T) bool) func(T) bool {
	return func(v T) bool { return !p(v) }
}

func invalidFilter(format string, args ...any) *scimError {
	return newError(http.StatusBadRequest, scimTypeInvalidFilter, format, args...)
}
