package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

var (
	_ list.ListResource              = (*userGroupListResource)(nil)
	_ list.ListResourceWithConfigure = (*userGroupListResource)(nil)
)

func newUserGroupListResource() list.ListResource {
	return &userGroupListResource{}
}

// userGroupListResource finds the user groups of the company for `terraform query` (Terraform
// 1.14 and later), so that `terraform query -generate-config-out` writes a resource, with its
// members, and an import block for each.
type userGroupListResource struct {
	groups *scim.Groups
}

// userGroupListConfigModel is the `config` block of a `list "teamviewer_user_group"` block.
type userGroupListConfigModel struct {
	Filter types.String `tfsdk:"filter"`
}

func (l *userGroupListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_group"
}

func (l *userGroupListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds the user groups of your TeamViewer company for `terraform query`. Each result " +
			"carries the group's identity (its id) and, as display name, the group's display name; with " +
			"`include_resource`, the resource has the group's `members`, so that generated configuration " +
			"manages them as they are. " + groupPermissionsNote,
		Attributes: map[string]listschema.Attribute{
			"filter": listschema.StringAttribute{
				MarkdownDescription: "A SCIM filter expression (RFC 7644) on the groups, passed to TeamViewer as is, " +
					"such as `displayName sw \"Support\"`. TeamViewer does not document filters on groups; `displayName` " +
					"with `eq` is what Entra ID sends, and the comparison may be case-sensitive. Values are JSON " +
					"strings in double quotes; write a `\"` or `\\` inside a value as `\\\"` or `\\\\`. Unset lists " +
					"every group.",
				Optional:   true,
				Validators: []validator.String{balancedFilterQuotes()},
			},
		},
	}
}

func (l *userGroupListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configureData(req.ProviderData, &resp.Diagnostics); data != nil {
		l.groups = data.groups
	}
}

// List streams the groups page by page as TeamViewer returns them, and stops reading pages once
// Terraform has as many results as its limit.
func (l *userGroupListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var config userGroupListConfigModel
	if diags := req.Config.Get(ctx, &config); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	opts := scim.ListOptions{Filter: config.Filter.ValueString()}
	if req.Limit > 0 && req.Limit < 100 {
		opts.PageSize = int(req.Limit) // every group of the first page is a result
	}

	stream.Results = func(push func(list.ListResult) bool) {
		var found int64
		err := l.groups.EachPage(ctx, opts, func(page []scim.Group) error {
			for _, group := range page {
				if !push(l.result(ctx, req, group)) {
					return errListLimitReached
				}
				if found++; req.Limit > 0 && found >= req.Limit {
					return errListLimitReached
				}
			}
			return nil
		})
		if err != nil && !errors.Is(err, errListLimitReached) {
			var diags diag.Diagnostics
			summary := "Unable to list TeamViewer user groups"
			if opts.Filter != "" {
				summary += fmt.Sprintf(" matching %s", opts.Filter)
			}
			addClientError(&diags, summary, err)
			push(list.ListResult{Diagnostics: diags})
		}
	}
}

// result is one found group: its identity, its display name, and the whole resource, members
// included, when Terraform asks for it. A listing that left the members out costs a read of the
// group then, and only then.
func (l *userGroupListResource) result(ctx context.Context, req list.ListRequest, group scim.Group) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = group.DisplayName
	result.Diagnostics.Append(result.Identity.Set(ctx, userGroupIdentityModel{ID: types.StringValue(group.ID)})...)
	if !req.IncludeResource {
		return result
	}
	if !group.MembersKnown {
		read, err := l.groups.Get(ctx, group.ID)
		if err != nil {
			addClientError(&result.Diagnostics, "Unable to read the members of TeamViewer user group "+group.ID, err)
			return result
		}
		group = read
	}
	result.Diagnostics.Append(result.Resource.Set(ctx, userGroupModelFromSCIM(group))...)
	return result
}
