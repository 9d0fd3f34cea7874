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
	_ list.ListResource              = (*userListResource)(nil)
	_ list.ListResourceWithConfigure = (*userListResource)(nil)
)

func newUserListResource() list.ListResource {
	return &userListResource{}
}

// userListResource finds the users of the company for `terraform query` (Terraform 1.14 and
// later), so that `terraform query -generate-config-out` writes a resource and an import block
// for each: how a company provisioned for years by an identity provider comes under Terraform.
type userListResource struct {
	users *scim.Users
}

// userListConfigModel is the `config` block of a `list "teamviewer_user"` block.
type userListConfigModel struct {
	Filter types.String `tfsdk:"filter"`
	Active types.Bool   `tfsdk:"active"`
}

// errListLimitReached stops the listing once Terraform has all the results it asked for.
var errListLimitReached = errors.New("list limit reached")

func (l *userListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (l *userListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds the users of your TeamViewer company, active and deactivated, for `terraform query`. " +
			"Each result carries the user's identity (its id) and, as display name, its user name.",
		Attributes: map[string]listschema.Attribute{
			"filter": listschema.StringAttribute{
				MarkdownDescription: usersFilterDescription,
				Optional:            true,
				Validators:          []validator.String{balancedFilterQuotes()},
			},
			"active": listschema.BoolAttribute{
				MarkdownDescription: "When set, only users whose `active` equals it. Unset finds active and deactivated users.",
				Optional:            true,
			},
		},
	}
}

func (l *userListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configureData(req.ProviderData, &resp.Diagnostics); data != nil {
		l.users = data.users
	}
}

// List streams the users page by page as TeamViewer returns them, and stops reading pages once
// Terraform has as many results as its limit.
func (l *userListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var config userListConfigModel
	if diags := req.Config.Get(ctx, &config); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	opts := scim.ListOptions{Filter: config.Filter.ValueString()}
	if req.Limit > 0 && req.Limit < 1000 && config.Active.IsNull() {
		opts.PageSize = int(req.Limit) // every user of the first page is a result
	}

	stream.Results = func(push func(list.ListResult) bool) {
		var found int64
		err := l.users.EachPage(ctx, opts, func(page []scim.User) error {
			for _, user := range page {
				if !config.Active.IsNull() && user.Active != config.Active.ValueBool() {
					continue
				}
				if !push(userListResult(ctx, req, user)) {
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
			summary := "Unable to list TeamViewer users"
			if opts.Filter != "" {
				summary += fmt.Sprintf(" matching %s", opts.Filter)
			}
			addClientError(&diags, summary, err)
			push(list.ListResult{Diagnostics: diags})
		}
	}
}

// userListResult is one found user: its identity, its user name as display name, and the whole
// resource when Terraform asks for it (to generate configuration). Create-only settings stay
// null: TeamViewer never returns them.
func userListResult(ctx context.Context, req list.ListRequest, user scim.User) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = user.UserName
	result.Diagnostics.Append(result.Identity.Set(ctx, userIdentityModel{ID: types.StringValue(user.ID)})...)
	if req.IncludeResource {
		result.Diagnostics.Append(result.Resource.Set(ctx, userResourceModel{}.withUser(user))...)
	}
	return result
}
