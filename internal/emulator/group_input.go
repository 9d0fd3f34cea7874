package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// Group attributes a request can name, spelled as their canonical paths.
const (
	groupAttrID          attribute = "id"
	groupAttrDisplayName attribute = "displayName"
	groupAttrExternalID  attribute = "externalId"
	groupAttrMembers     attribute = "members"
)

// groupSchemaPrefix starts attribute paths written with the Group URN.
var groupSchemaPrefix = strings.ToLower(groupSchema) + ":"

// lookupGroupAttribute resolves a group attribute path, ignoring case and
// the core Group schema prefix.
func lookupGroupAttribute(path string) (attribute, bool) {
	key := strings.TrimPrefix(strings.ToLower(path), groupSchemaPrefix)
	for _, a := range []attribute{groupAttrID, groupAttrDisplayName, groupAttrExternalID, groupAttrMembers} {
		if key == strings.ToLower(string(a)) {
			return a, true
		}
	}
	return "", false
}

// groupInput holds the attributes one request sets; nil was not sent.
type groupInput struct {
	displayName, externalID *string
	members                 *[]string
}

// setObject reads a group object: a POST body, or the value of a PATCH
// operation without path. POST ignores attributes it does not know (RFC
// 7644 §3.3), PATCH rejects them; both ignore id, which Entra ID may send.
func (in *groupInput) setObject(raw json.RawMessage, kind bodyKind) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		if kind == createBody {
			return newError(http.StatusBadRequest, scimTypeInvalidSyntax, "expected a JSON object")
		}
		return newError(http.StatusBadRequest, scimTypeInvalidValue, "a value without path must be a JSON object")
	}
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		attr, ok := lookupGroupAttribute(key)
		switch {
		case strings.EqualFold(key, "schemas") && kind == createBody:
			continue
		case !ok && kind == createBody:
			continue
		case !ok:
			return newError(http.StatusBadRequest, scimTypeInvalidPath, "unknown group attribute %q", key)
		}
		if err := in.set(attr, fields[key]); err != nil {
			return err
		}
	}
	return nil
}

// set reads the value of one attribute; JSON null counts as not sent.
func (in *groupInput) set(attr attribute, raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	var err error
	switch attr {
	case groupAttrDisplayName:
		if in.displayName, err = decodeString(attr, raw); err == nil && *in.displayName == "" {
			err = newError(http.StatusBadRequest, scimTypeInvalidValue, "displayName must not be empty")
		}
	case groupAttrExternalID:
		in.externalID, err = decodeString(attr, raw)
	case groupAttrMembers:
		var members []string
		members, err = decodeMembers(raw)
		in.members = &members
	}
	return err
}

// memberCount is how many member values in carries, for the cap.
func (in *groupInput) memberCount() int {
	if in.members == nil {
		return 0
	}
	return len(*in.members)
}

// decodeMembers reads an array of member objects, or a single one, and
// returns their values. Only value is read: display and $ref are the
// server's to set.
func decodeMembers(raw json.RawMessage) ([]string, error) {
	type member struct {
		Value *string `json:"value"`
	}
	var members []member
	if err := json.Unmarshal(raw, &members); err != nil {
		var single member
		if err := json.Unmarshal(raw, &single); err != nil {
			return nil, newError(http.StatusBadRequest, scimTypeInvalidValue, `members must be an array of objects like {"value":"<user id>"}`)
		}
		members = []member{single}
	}
	ids := make([]string, len(members))
	for i, m := range members {
		if m.Value == nil || *m.Value == "" {
			return nil, newError(http.StatusBadRequest, scimTypeInvalidValue, "members[%d] has no value", i)
		}
		ids[i] = *m.Value
	}
	return ids, nil
}

// decodeGroupBody reads the body of POST /Groups.
func decodeGroupBody(body []byte, maxMembers int) (groupInput, error) {
	var in groupInput
	if err := in.setObject(body, createBody); err != nil {
		return groupInput{}, err
	}
	if in.displayName == nil {
		return groupInput{}, newError(http.StatusBadRequest, scimTypeInvalidValue, "displayName is required")
	}
	if err := checkMemberCap(in.memberCount(), maxMembers); err != nil {
		return groupInput{}, err
	}
	return in, nil
}

func checkMemberCap(n, maxMembers int) error {
	if n > maxMembers {
		return newError(http.StatusBadRequest, scimTypeTooMany,
			"the request carries %d member values; at most %d are accepted per request", n, maxMembers)
	}
	return nil
}

// groupOp is one decoded PATCH operation on a group.
type groupOp struct {
	op     string    // add, remove or replace, in lower case
	target attribute // "" for a value without path
	in     groupInput
	// match selects the members to remove for a path such as
	// members[value eq "u1"]; nil when the path has no filter.
	match func(string) bool
}

// decodeGroupPatch validates a PATCH body for a group and returns its
// operations, so that the caller changes nothing unless all are valid.
func decodeGroupPatch(body []byte, maxMembers int) ([]groupOp, error) {
	var req patchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, newError(http.StatusBadRequest, scimTypeInvalidSyntax, "invalid PATCH body: %v", err)
	}
	if !slices.Contains(req.Schemas, patchOpSchema) {
		return nil, newError(http.StatusBadRequest, scimTypeInvalidSyntax, "schemas must contain %s", patchOpSchema)
	}
	if len(req.Operations) == 0 {
		return nil, newError(http.StatusBadRequest, scimTypeInvalidSyntax, "Operations is empty")
	}
	ops := make([]groupOp, len(req.Operations))
	members := 0
	for i, raw := range req.Operations {
		op, err := decodeGroupOp(raw)
		if err != nil {
			return nil, prefixDetail(err, fmt.Sprintf("Operations[%d]: ", i))
		}
		ops[i] = op
		members += op.in.memberCount()
	}
	if err := checkMemberCap(members, maxMembers); err != nil {
		return nil, err
	}
	return ops, nil
}

// decodeGroupOp reads one operation. The op is matched ignoring case,
// because Entra ID sends "Add", "Remove" and "Replace".
func decodeGroupOp(raw patchOperation) (groupOp, error) {
	op := groupOp{op: strings.ToLower(raw.Op)}
	if op.op != "add" && op.op != "remove" && op.op != "replace" {
		return groupOp{}, newError(http.StatusBadRequest, scimTypeInvalidSyntax, "op %q is not supported; use add, remove or replace", raw.Op)
	}
	hasValue := !isNull(raw.Value)
	if raw.Path == "" {
		if op.op == "remove" {
			return groupOp{}, newError(http.StatusBadRequest, scimTypeNoTarget, "remove needs a path")
		}
		if !hasValue {
			return groupOp{}, newError(http.StatusBadRequest, scimTypeInvalidValue, "%s needs a value", op.op)
		}
		return op, op.in.setObject(raw.Value, patchBody)
	}
	path, err := filter.ParsePath([]byte(raw.Path))
	if err != nil {
		return groupOp{}, newError(http.StatusBadRequest, scimTypeInvalidPath, "cannot parse path %q: %v", raw.Path, err)
	}
	attr, ok := lookupGroupAttribute(path.AttributePath.String())
	if !ok {
		return groupOp{}, newError(http.StatusBadRequest, scimTypeInvalidPath, "unknown group attribute path %q", raw.Path)
	}
	op.target = attr
	if path.ValueExpression != nil {
		if attr != groupAttrMembers || op.op != "remove" || path.SubAttributeName() != "" {
			return groupOp{}, newError(http.StatusBadRequest, scimTypeInvalidPath,
				"a filtered path is only supported to remove members, as in members[value eq \"u1\"], not %q", raw.Path)
		}
		op.match, err = compileLogic(path.ValueExpression, compileMemberComparison)
		return op, err
	}
	switch {
	case attr == groupAttrID:
		return groupOp{}, newError(http.StatusBadRequest, scimTypeMutability, "id is read-only")
	case op.op == "remove" && attr == groupAttrDisplayName:
		return groupOp{}, newError(http.StatusBadRequest, scimTypeInvalidValue, "displayName is required and cannot be removed")
	case op.op == "remove" && attr == groupAttrExternalID:
		op.in.externalID = new(string)
		return op, nil
	case op.op == "remove" && !hasValue:
		return op, nil // all members
	case !hasValue:
		return groupOp{}, newError(http.StatusBadRequest, scimTypeInvalidValue, "%s needs a value", op.op)
	}
	return op, op.in.set(attr, raw.Value)
}

// compileMemberComparison compiles a comparison inside members[...], on a
// member's value (its user id).
func compileMemberComparison(expr filter.Expression) (func(string) bool, error) {
	e, ok := expr.(*filter.AttributeExpression)
	if !ok || !strings.EqualFold(e.AttributePath.String(), "value") {
		return nil, newError(http.StatusBadRequest, scimTypeInvalidPath, "a members filter can only test value, not %v", expr)
	}
	if e.Operator == filter.NE {
		return compileNotEqual(e, func(eq *filter.AttributeExpression) (func(string) bool, error) {
			return compileMemberComparison(eq)
		})
	}
	return compileStringComparison("members.value", func(id string) (string, bool) { return id, true }, e)
}

// compileGroupFilter compiles a filter on groups. It can test id,
// displayName and externalId, case-sensitively like the user filters.
func compileGroupFilter(text string) (func(*Group) bool, error) {
	if strings.TrimSpace(text) == "" {
		return func(*Group) bool { return true }, nil
	}
	expr, err := filter.ParseFilter([]byte(text))
	if err != nil {
		return nil, invalidFilter("cannot parse filter %q: %v", text, err)
	}
	return compileLogic(expr, compileGroupComparison)
}

func compileGroupComparison(expr filter.Expression) (func(*Group) bool, error) {
	e, ok := expr.(*filter.AttributeExpression)
	if !ok {
		return nil, invalidFilter("unsupported filter expression on groups: %v", expr)
	}
	if e.Operator == filter.NE {
		return compileNotEqual(e, func(eq *filter.AttributeExpression) (func(*Group) bool, error) {
			return compileGroupComparison(eq)
		})
	}
	path := e.AttributePath.String()
	attr, _ := lookupGroupAttribute(path)
	var get func(*Group) (string, bool)
	switch attr {
	case groupAttrID:
		get = func(g *Group) (string, bool) { return g.ID, true }
	case groupAttrDisplayName:
		get = func(g *Group) (string, bool) { return g.DisplayName, true }
	case groupAttrExternalID:
		get = func(g *Group) (string, bool) { return g.ExternalID, g.ExternalID != "" }
	default:
		return nil, invalidFilter("filtering groups on %q is not supported", path)
	}
	return compileStringComparison(path, get, e)
}
