package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

// Descriptions of the attributes that every schema showing a user has.
const (
	idDescription          = "TeamViewer's user id, such as `u1234567`."
	displayNameDescription = "The user's full name as TeamViewer shows it."
	activeDescription      = "Whether the account is enabled; `false` for a deactivated user."
	givenNameDescription   = "Derived by TeamViewer: `display_name` up to its first space; null when `display_name` is a single word."
	familyNameDescription  = "Derived by TeamViewer: `display_name` after its first space; null when `display_name` is a single word."
)

// userModel is a TeamViewer user as the resource and the data sources hold it.
type userModel struct {
	ID          types.String `tfsdk:"id"`
	UserName    emailAddress `tfsdk:"user_name"`
	DisplayName types.String `tfsdk:"display_name"`
	Active      types.Bool   `tfsdk:"active"`
	GivenName   types.String `tfsdk:"given_name"`
	FamilyName  types.String `tfsdk:"family_name"`
}

// userModelFromSCIM maps the API's view of a user onto Terraform values. TeamViewer answers null
// for the derived names of a one-word display name; they stay null here rather than "".
func userModelFromSCIM(u scim.User) userModel {
	return userModel{
		ID:          types.StringValue(u.ID),
		UserName:    newEmailAddress(u.UserName),
		DisplayName: types.StringValue(u.DisplayName),
		Active:      types.BoolValue(u.Active),
		GivenName:   stringOrNull(u.GivenName),
		FamilyName:  stringOrNull(u.FamilyName),
	}
}

// patchFrom lists what must change to turn the user in prior into this planned one; attributes
// that are equal, or user names that differ only in case, are left out so they cost no write.
func (m userModel) patchFrom(prior userModel) scim.UserPatch {
	var patch scim.UserPatch
	if !sameEmailAddress(m.UserName.ValueString(), prior.UserName.ValueString()) {
		patch.UserName = m.UserName.ValueStringPointer()
	}
	if m.DisplayName.ValueString() != prior.DisplayName.ValueString() {
		patch.DisplayName = m.DisplayName.ValueStringPointer()
	}
	if m.Active.ValueBool() != prior.Active.ValueBool() {
		patch.Active = m.Active.ValueBoolPointer()
	}
	return patch
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
