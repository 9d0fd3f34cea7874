package provider

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

var _ datasource.DataSourceWithConfigure = (*usersDataSource)(nil)

func newUsersDataSource() datasource.DataSource {
	return &usersDataSource{}
}

// usersDataSource lists the TeamViewer users matching a SCIM filter.
type usersDataSource struct {
	users *scim.Users
}

// usersFilterDescription explains the SCIM filter of the users data source and list resource.
const usersFilterDescription = "A SCIM filter expression (RFC 7644), passed to TeamViewer as is, such as " +
	"`userName ew \"@example.com\"`. TeamViewer documents the operators `eq`, `ne`, `co`, `sw` and `ew` " +
	"on the attributes `userName`, `emails.value`, `name` and `displayName`. **TeamViewer's filters are " +
	"case-sensitive**: `userName eq \"Jane@Example.com\"` does not find `jane@example.com`. Values are " +
	"JSON strings in double quotes; write a `\"` or `\\` inside a value as `\\\"` or `\\\\`. Unset lists " +
	"every user."

// usersDataSourceModel is the data source's configuration and state.
type usersDataSourceModel struct {
	Filter types.String `tfsdk:"filter"`
	Active types.Bool   `tfsdk:"active"`
	Users  []userModel  `tfsdk:"users"`
}

func (d *usersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_users"
}

func (d *usersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the users of your TeamViewer company, active and deactivated, optionally narrowed by a " +
			"SCIM `filter` and by `active`. All matching users are read, page by page.",
		Attributes: map[string]schema.Attribute{
			"filter": schema.StringAttribute{
				MarkdownDescription: usersFilterDescription,
				Optional:            true,
				Validators:          []validator.String{balancedFilterQuotes()},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Keep only active (`true`) or only deactivated (`false`) users. Unset keeps both. " +
					"Applied by the provider after reading, since TeamViewer does not document filtering on `active`.",
				Optional: true,
			},
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The matching users in TeamViewer's order; an empty list when none match.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: withReadOnlyUserAttributes(map[string]schema.Attribute{
						"id": schema.StringAttribute{
							MarkdownDescription: idDescription,
							Computed:            true,
						},
						"user_name": schema.StringAttribute{
							MarkdownDescription: "The email address the user signs in with.",
							Computed:            true,
							CustomType:          emailAddressType{},
						},
					}),
				},
			},
		},
	}
}

func (d *usersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data := configureData(req.ProviderData, &resp.Diagnostics); data != nil {
		d.users = data.users
	}
}

func (d *usersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config usersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	filter := config.Filter.ValueString()
	users, err := d.users.List(ctx, scim.ListOptions{Filter: filter})
	if err != nil {
		summary := "Unable to list TeamViewer users"
		if filter != "" {
			summary += fmt.Sprintf(" matching %s", filter)
		}
		addClientError(&resp.Diagnostics, summary, err)
		return
	}

	// Not nil, so that no match is an empty list rather than null.
	config.Users = make([]userModel, 0, len(users))
	for _, u := range users {
		if config.Active.IsNull() || u.Active == config.Active.ValueBool() {
			config.Users = append(config.Users, userModelFromSCIM(u))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, config)...)
}

// balancedFilterQuotes rejects a SCIM filter with an unterminated string value, a mistake
// TeamViewer would only report when the data source is read, and then without saying where.
func balancedFilterQuotes() validator.String {
	return balancedFilterQuotesValidator{}
}

type balancedFilterQuotesValidator struct{}

func (balancedFilterQuotesValidator) Description(context.Context) string {
	return `must close every double-quoted value; a quote inside a value is written \"`
}

func (v balancedFilterQuotesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v balancedFilterQuotesValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	filter := req.ConfigValue.ValueString()
	if open := unterminatedQuote(filter); open >= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid SCIM filter", fmt.Sprintf(
			"The %s attribute %s. The double quote at character %d opens a value that is never closed: %s",
			req.Path, v.Description(ctx), utf8.RuneCountInString(filter[:open])+1, filter))
	}
}

// unterminatedQuote returns the byte offset of the double quote that opens a string left open at the
// end of filter, or -1 when every string is closed. Inside a string a backslash escapes the next
// character, as in JSON, which is how RFC 7644 writes filter values.
func unterminatedQuote(filter string) int {
	open := -1
	for i := 0; i < len(filter); i++ {
		switch {
		case open < 0 && filter[i] == '"':
			open = i
		case open >= 0 && filter[i] == '\\':
			i++
		case open >= 0 && filter[i] == '"':
			open = -1
		}
	}
	return open
}
