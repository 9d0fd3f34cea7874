package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

// Descriptions of the attributes that every schema showing a user group has.
const (
	groupIDDescription = "TeamViewer's id of the user group. TeamViewer does not document its format: treat it " +
		"as an opaque string."
	groupDisplayNameDescription = "The name of the user group as TeamViewer shows it. Unique in the company, " +
		"compared without regard to case."
	groupMembersDescription = "The TeamViewer user ids (such as `u1234567`, the `id` of a `teamviewer_user`) " +
		"of the group's members."
	// groupPermissionsNote names what the script token needs for groups, besides the user permissions.
	groupPermissionsNote = "The script token needs TeamViewer's user-group permissions: read user groups, and " +
		"create, edit and delete user groups to manage them."
)

// memberIDs validates each member of a set of user ids: an id is never blank, nor has white space
// around it.
func memberIDs() []validator.Set {
	return []validator.Set{setvalidator.ValueStringsAre(trimmedName)}
}

// userGroupModel is a TeamViewer user group as the resource, the data source and the list
// resource hold it. Members is null where the resource does not manage membership.
type userGroupModel struct {
	ID          types.String   `tfsdk:"id"`
	DisplayName types.String   `tfsdk:"display_name"`
	Members     memberSetValue `tfsdk:"members"`
}

// userGroupIdentityModel is the identity of a teamviewer_user_group: TeamViewer's group id, which
// a rename does not change, so that `import { identity = { id = "…" } }` and `terraform query`
// can name a group.
type userGroupIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

// userGroupModelFromSCIM maps the API's view of a group, whose members must be known, onto
// Terraform values.
func userGroupModelFromSCIM(g scim.Group) userGroupModel {
	return userGroupModel{
		ID:          types.StringValue(g.ID),
		DisplayName: types.StringValue(g.DisplayName),
		Members:     memberSet(g.Members),
	}
}

// memberSet is a set of user ids; never null, empty for a group without members.
func memberSet(ids []string) memberSetValue {
	elements := make([]attr.Value, len(ids))
	for i, id := range ids {
		elements[i] = types.StringValue(id)
	}
	return memberSetValue{SetValue: types.SetValueMust(types.StringType, elements)}
}

// noMembers is the members of a resource that does not manage them.
func noMembers() memberSetValue {
	return memberSetValue{SetValue: types.SetNull(types.StringType)}
}

// memberList is the user ids of a known set, sorted so that requests and diffs are stable.
func memberList(ctx context.Context, set memberSetValue, diags *diag.Diagnostics) []string {
	if set.IsNull() || set.IsUnknown() {
		return nil
	}
	var ids []string
	diags.Append(set.ElementsAs(ctx, &ids, false)...)
	slices.Sort(ids)
	return ids
}

// memberDiff returns the members of want that have lacks (to add) and those of have that want lacks
// (to remove), each sorted.
func memberDiff(have, want []string) (add, remove []string) {
	in := func(ids []string) map[string]bool {
		m := make(map[string]bool, len(ids))
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	hasNow, wanted := in(have), in(want)
	for id := range wanted {
		if !hasNow[id] {
			add = append(add, id)
		}
	}
	for id := range hasNow {
		if !wanted[id] {
			remove = append(remove, id)
		}
	}
	slices.Sort(add)
	slices.Sort(remove)
	return add, remove
}

// memberSetType is the type of a set of member ids. It is a set of strings that compares in
// linear time: terraform-plugin-framework v1.19 compares and validates sets pair by pair (its
// issues 1314 and 1322), which makes a refresh of a group of 5,000 members cost minutes of CPU.
// The values and their meaning are those of a plain set of strings.
type memberSetType struct {
	basetypes.SetType
}

var (
	_ basetypes.SetTypable                    = memberSetType{}
	_ basetypes.SetValuableWithSemanticEquals = memberSetValue{}
)

func newMemberSetType() memberSetType {
	return memberSetType{basetypes.SetType{ElemType: types.StringType}}
}

func (t memberSetType) Equal(o attr.Type) bool {
	other, ok := o.(memberSetType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t memberSetType) String() string { return "memberSetType" }

func (t memberSetType) ValueType(context.Context) attr.Value {
	return memberSetValue{SetValue: basetypes.NewSetNull(types.StringType)}
}

func (t memberSetType) ValueFromSet(_ context.Context, v basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return memberSetValue{SetValue: v}, nil
}

func (t memberSetType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	set, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return memberSetValue{SetValue: set}, nil
}

// Validate rejects duplicate elements, as SetType.Validate does, with one pass over a map.
func (t memberSetType) Validate(_ context.Context, in tftypes.Value, at path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if in.Type() == nil || !in.IsKnown() || in.IsNull() {
		return diags
	}
	var elements []tftypes.Value
	if err := in.As(&elements); err != nil {
		diags.AddAttributeError(at, "Set Type Validation Error", "Unexpected set value: "+err.Error())
		return diags
	}
	seen := make(map[string]bool, len(elements))
	for _, element := range elements {
		var id string
		if !element.IsFullyKnown() || element.IsNull() || element.As(&id) != nil {
			continue
		}
		if seen[id] {
			diags.AddAttributeError(at, "Duplicate Set Element", fmt.Sprintf("This attribute contains duplicate values of: %q", id))
		}
		seen[id] = true
	}
	return diags
}

// memberSetValue is a value of memberSetType.
type memberSetValue struct {
	basetypes.SetValue
}

func (v memberSetValue) Type(context.Context) attr.Type { return newMemberSetType() }

func (v memberSetValue) Equal(o attr.Value) bool {
	other, ok := o.(memberSetValue)
	return ok && sameMembers(v.SetValue, other.SetValue)
}

// SetSemanticEquals is plain equality, computed in linear time, so that the framework keeps an
// unchanged set as it is without comparing every pair of its elements.
func (v memberSetValue) SetSemanticEquals(ctx context.Context, prior basetypes.SetValuable) (bool, diag.Diagnostics) {
	p, diags := prior.ToSetValue(ctx)
	return sameMembers(v.SetValue, p), diags
}

// sameMembers reports whether two sets of strings are equal: by their strings when every element
// is known, else as the framework compares them.
func sameMembers(a, b basetypes.SetValue) bool {
	if a.IsNull() || a.IsUnknown() || b.IsNull() || b.IsUnknown() {
		return a.IsNull() == b.IsNull() && a.IsUnknown() == b.IsUnknown()
	}
	ae, be := a.Elements(), b.Elements()
	if len(ae) != len(be) {
		return false
	}
	asStrings := func(elements []attr.Value) (map[string]bool, bool) {
		m := make(map[string]bool, len(elements))
		for _, e := range elements {
			s, ok := e.(basetypes.StringValue)
			if !ok || s.IsNull() || s.IsUnknown() {
				return nil, false
			}
			m[s.ValueString()] = true
		}
		return m, true
	}
	am, aKnown := asStrings(ae)
	bm, bKnown := asStrings(be)
	if !aKnown || !bKnown {
		return a.Equal(b)
	}
	if len(am) != len(bm) {
		return false
	}
	for s := range am {
		if !bm[s] {
			return false
		}
	}
	return true
}
