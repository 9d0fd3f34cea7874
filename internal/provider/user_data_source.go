package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

var _ datasource.DataSourceWithConfigure = (*userDataSource)(nil)

func newUserDataSource() datasource.DataSource {
	return &userDataSource{}
}

// userDataSource looks up one TeamViewer user by id or by user name.
type userDataSource struct {
	users *scim.Users
}

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (d *userDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	exactlyOneLookup := stringvalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("user_name"))
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one TeamViewer user, active or deactivated, by `id` or by `user_name`. " +
			"A user that does not exist is an error.",
		Attributes: withReadOnlyUserAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: idDescription + " Set exactly one of `id` and `user_name`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{exactlyOneLookup, stringvalidator.LengthAtLeast(1)},
			},
			"user_name": schema.StringAttribute{
				MarkdownDescription: "The user's email address, matched without regard to case (TeamViewer's own " +
					"filters are case-sensitive; the provider falls back to a case-insensitive search). Set " +
					"exactly one of `id` and `user_name`.",
				Optional:   true,
				Computed:   true,
				CustomType: emailAddressType{},
				Validators: []validator.String{exactlyOneLookup, validEmailAddress()},
			},
		}),
	}
}

// withReadOnlyUserAttributes adds the attributes that a data source only reads to those it is
// given: the same for a looked-up user and for each user of a list.
func withReadOnlyUserAttributes(attributes map[string]schema.Attribute) map[string]schema.Attribute {
	attributes["display_name"] = schema.StringAttribute{MarkdownDescription: displayNameDescription, Computed: true}
	attributes["active"] = schema.BoolAttribute{MarkdownDescription: activeDescription, Computed: true}
	attributes["given_name"] = schema.StringAttribute{MarkdownDescription: givenNameDescription, Computed: true}
	attributes["family_name"] = schema.StringAttribute{MarkdownDescription: familyNameDescription, Computed: true}
	return attributes
}

func (d *userDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data := configureData(req.ProviderData, &resp.Diagnostics); data != nil {
		d.users = data.users
	}
}

func (d *userDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config userModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var (
		user   scim.User
		err    error
		lookup string
	)
	if id := config.ID.ValueString(); id != "" {
		lookup = fmt.Sprintf("id %q", id)
		user, err = d.users.Get(ctx, id)
	} else {
		lookup = fmt.Sprintf("user name %q", config.UserName.ValueString())
		user, err = d.users.FindByUserName(ctx, config.UserName.ValueString())
	}
	if errors.Is(err, scim.ErrNotFound) {
		resp.Diagnostics.AddError("TeamViewer user not found",
			fmt.Sprintf("No TeamViewer user with %s exists in this company.", lookup))
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, fmt.Sprintf("Unable to look up TeamViewer user with %s", lookup), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userModelFromSCIM(user))...)
}
