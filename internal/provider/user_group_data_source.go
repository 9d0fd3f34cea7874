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
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

var _ datasource.DataSourceWithConfigure = (*userGroupDataSource)(nil)

func newUserGroupDataSource() datasource.DataSource {
	return &userGroupDataSource{}
}

// userGroupDataSource looks up one TeamViewer user group, with its members, by id or by display
// name.
type userGroupDataSource struct {
	groups *scim.Groups
}

func (d *userGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_group"
}

func (d *userGroupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	exactlyOneLookup := stringvalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("display_name"))
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one TeamViewer user group, with its members, by `id` or by `display_name`. " +
			"A group that does not exist is an error. " + groupPermissionsNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: groupIDDescription + " Set exactly one of `id` and `display_name`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{exactlyOneLookup, stringvalidator.LengthAtLeast(1)},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: groupDisplayNameDescription + " Matched without regard to case (TeamViewer's " +
					"own filters may be case-sensitive; the provider falls back to a case-insensitive search). Set " +
					"exactly one of `id` and `display_name`.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{exactlyOneLookup, stringvalidator.LengthAtLeast(1)},
			},
			"members": schema.SetAttribute{
				MarkdownDescription: groupMembersDescription + " Empty for a group without members.",
				ElementType:         types.StringType,
				CustomType:          newMemberSetType(),
				Computed:            true,
			},
		},
	}
}

func (d *userGroupDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data := configureData(req.ProviderData, &resp.Diagnostics); data != nil {
		d.groups = data.groups
	}
}

func (d *userGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config userGroupModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var (
		group  scim.Group
		err    error
		lookup string
	)
	if id := config.ID.ValueString(); id != "" {
		lookup = fmt.Sprintf("id %q", id)
		group, err = d.groups.Get(ctx, id)
	} else {
		lookup = fmt.Sprintf("display name %q", config.DisplayName.ValueString())
		group, err = d.groups.FindByDisplayName(ctx, config.DisplayName.ValueString())
		if err == nil && !group.MembersKnown {
			group, err = d.groups.Get(ctx, group.ID)
		}
	}
	if errors.Is(err, scim.ErrNotFound) {
		resp.Diagnostics.AddError("TeamViewer user group not found",
			fmt.Sprintf("No TeamViewer user group with %s exists in this company.", lookup))
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, fmt.Sprintf("Unable to look up TeamViewer user group with %s", lookup), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userGroupModelFromSCIM(group))...)
}
