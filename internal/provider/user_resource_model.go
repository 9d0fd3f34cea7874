package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

// userResourceModel is what only the resource holds besides the user itself: settings that
// TeamViewer accepts when a user is created and never returns. State keeps the configured values
// (so a later change is noticed and warned about) except the password, which is write-only.
type userResourceModel struct {
	userModel
	PreferredLanguage types.String `tfsdk:"preferred_language"`
	SSOCustomerID     types.String `tfsdk:"sso_customer_id"`
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
}

// toNewUser is the create request. The password comes from configuration: as a write-only value
// it is never part of the plan.
func (m userResourceModel) toNewUser(password types.String) scim.NewUser {
	return scim.NewUser{
		UserName:          m.UserName.ValueString(),
		DisplayName:       m.DisplayName.ValueString(),
		Active:            m.Active.ValueBool(),
		Password:          password.ValueString(),
		PreferredLanguage: m.PreferredLanguage.ValueString(),
		SSOCustomerID:     m.SSOCustomerID.ValueString(),
	}
}

// withUser is this model with the user as TeamViewer returned it. Create-only settings keep their
// configured values because the API never returns them; the password never reaches state.
func (m userResourceModel) withUser(u scim.User) userResourceModel {
	m.userModel = userModelFromSCIM(u)
	m.PasswordWO = types.StringNull()
	return m
}
