package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

var (
	_ resource.ResourceWithConfigure   = (*userResource)(nil)
	_ resource.ResourceWithImportState = (*userResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*userResource)(nil)
	_ resource.ResourceWithIdentity    = (*userResource)(nil)
)

var (
	// nonBlank rejects values that are empty or only white space.
	nonBlank = stringvalidator.RegexMatches(regexp.MustCompile(`\S`), "must contain a non-white-space character")

	// trimmedName rejects names that are blank or begin or end with white space: TeamViewer derives
	// the given and family names by splitting at the first space, and a server that trims the name
	// would answer a create with another name than planned.
	trimmedName = stringvalidator.RegexMatches(regexp.MustCompile(`(?s)^\S(.*\S)?$`),
		"must not be blank or begin or end with white space")

	// languageCode accepts what TeamViewer documents for the welcome email: "en", "de_DE" and the like.
	languageCode = stringvalidator.RegexMatches(regexp.MustCompile(`^[a-z]{2,3}([_-][A-Za-z]{2,4})?$`),
		`must be a language code such as "en" or "de_DE"`)
)

func newUserResource() resource.Resource {
	return &userResource{}
}

// userResource manages one TeamViewer user. TeamViewer's SCIM API cannot delete users, so destroy
// deactivates the user, and a later create of the same user name reactivates it.
type userResource struct {
	users *scim.Users
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A user of your TeamViewer company, managed through TeamViewer's SCIM API.\n\n" +
			"TeamViewer's SCIM API cannot delete users: **destroying this resource deactivates the user** " +
			"(`active = false`), who stays listed in TeamViewer. Creating a user whose user name belongs to " +
			"such a deactivated user reactivates and adopts it (with a warning); creating one whose user name " +
			"belongs to an active user fails with the `terraform import` command to run instead.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: idDescription,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"user_name": schema.StringAttribute{
				MarkdownDescription: "The email address the user signs in with; unique across all of TeamViewer. " +
					"Compared without regard to case: a change of case only is no change. Changing it in place " +
					"makes TeamViewer send a verification email to the new address.",
				Required:      true,
				CustomType:    emailAddressType{},
				Validators:    []validator.String{validEmailAddress()},
				PlanModifiers: []planmodifier.String{keepStateWhenEquivalentAddress()},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "The user's full name as TeamViewer shows it. TeamViewer derives " +
					"`given_name` and `family_name` from it.",
				Required:   true,
				Validators: []validator.String{trimmedName},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Whether the account is enabled. Defaults to `true`. A user deactivated " +
					"outside Terraform shows up as a change back to `true`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"given_name": schema.StringAttribute{
				MarkdownDescription: givenNameDescription,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{derivedFromDisplayName()},
			},
			"family_name": schema.StringAttribute{
				MarkdownDescription: familyNameDescription,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{derivedFromDisplayName()},
			},
			"preferred_language": schema.StringAttribute{
				MarkdownDescription: "Language of TeamViewer's welcome email, such as `en` (TeamViewer's default) " +
					"or `de_DE`. " + createOnlyNote,
				Optional:   true,
				Validators: []validator.String{languageCode},
			},
			"sso_customer_id": schema.StringAttribute{
				MarkdownDescription: "Customer identifier of your TeamViewer single sign-on setup; enables single " +
					"sign-on for the user, who then needs no password. Sent in TeamViewer's `SsoUser` SCIM " +
					"extension. " + createOnlyNote,
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{nonBlank},
			},
			"password_wo": schema.StringAttribute{
				MarkdownDescription: "Initial password of the user. Write-only: never stored in the plan or state, " +
					"and it needs Terraform or OpenTofu 1.11 or later. Sent only when the provider creates the " +
					"user: TeamViewer's SCIM API cannot change a password afterwards. Not needed with " +
					"`sso_customer_id`.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "A number to change along with `password_wo`: the only part of a write-only " +
					"password that Terraform can see. TeamViewer cannot change a password after create, so " +
					"changing it later only warns.",
				Optional: true,
			},
		},
	}
}

// createOnlyNote explains the attributes that TeamViewer takes on create and never returns.
const createOnlyNote = "Sent only when the provider creates the user: TeamViewer never returns it and its SCIM " +
	"API cannot change it later, so a later change is recorded in state with a warning and not sent. Not sent " +
	"when the provider adopts a deactivated user (see the resource's description), since TeamViewer accepts it " +
	"only on create."

// userIdentityModel is the resource's identity: TeamViewer's user id, which never changes, so that
// `import { identity = { id = "u1234567" } }` and `terraform query` can name a user.
type userIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

func (r *userResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "TeamViewer's user id, such as u1234567.",
				RequiredForImport: true,
			},
		},
	}
}

// setUser records user in state and, where the CLI keeps resource identities (Terraform 1.12 and
// later), in the identity.
func setUser(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, model userResourceModel, diags *diag.Diagnostics) {
	diags.Append(state.Set(ctx, model)...)
	setIdentity(ctx, identity, model.ID, diags)
}

// setIdentity records the user's id as its identity, where the CLI keeps one.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id types.String, diags *diag.Diagnostics) {
	if identity != nil {
		diags.Append(identity.SetAttribute(ctx, path.Root("id"), id)...)
	}
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configureData(req.ProviderData, &resp.Diagnostics); data != nil {
		r.users = data.users
	}
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userResourceModel
	var password types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// Whether the create happened, and what an existing user means, is decided in one place:
	// scim.Users.Create.
	result, err := r.users.Create(ctx, plan.toNewUser(password))
	if result.User.ID != "" {
		// A user that exists goes to state even when a follow-up failed; Terraform then marks it
		// tainted, which beats a user orphaned outside state.
		setUser(ctx, &resp.State, resp.Identity, plan.withUser(result.User), &resp.Diagnostics)
	}
	switch {
	case err != nil:
		addCreateError(&resp.Diagnostics, result.User, err)
	case result.Outcome == scim.Adopted:
		resp.Diagnostics.AddWarning("Adopted a deactivated TeamViewer user", fmt.Sprintf(
			"TeamViewer already had a deactivated user with user name %q (id %s), for example from an earlier "+
				"destroy: TeamViewer cannot delete users. The provider adopted it and set it to the configured values. "+
				"Settings that TeamViewer accepts only on create (preferred_language, sso_customer_id, password_wo) "+
				"are not sent to an adopted user.",
			result.User.UserName, result.User.ID))
	case result.Outcome == scim.Recovered:
		tflog.Warn(ctx, "TeamViewer's answer to the create was lost, but it created the user; keeping it in state",
			map[string]any{"id": result.User.ID})
	}
}

// addCreateError explains a failed create: whose user name it is when it is taken, else the
// client's error. created is the user when TeamViewer created it and only a follow-up failed.
func addCreateError(diags *diag.Diagnostics, created scim.User, err error) {
	var exists *scim.UserExistsError
	switch {
	case created.ID != "":
		addClientError(diags, fmt.Sprintf("Created TeamViewer user %s, but unable to set the configured values", created.ID), err)
	case !errors.As(err, &exists):
		addClientError(diags, "Unable to create TeamViewer user", err)
	case exists.User.ID == "":
		diags.AddAttributeError(path.Root("user_name"), "TeamViewer user name belongs to another company", fmt.Sprintf(
			"TeamViewer refused to create %q because the address belongs to a TeamViewer account outside your company: "+
				"user names are unique across all of TeamViewer, and no user of your company has it, so there is "+
				"nothing to import. Use another address, or have the account's owner change or release it.\n\n"+
				"TeamViewer answered: %v", exists.UserName, exists.Cause))
	case exists.CreatedHere:
		diags.AddAttributeError(path.Root("user_name"), "TeamViewer user managed by another resource", fmt.Sprintf(
			"Another teamviewer_user resource of this configuration already manages the user with user name %q "+
				"(id %s), which it created or adopted in this run. User names are compared without regard to case: "+
				"remove one of the two resources.", exists.UserName, exists.User.ID))
	default:
		diags.AddAttributeError(path.Root("user_name"), "TeamViewer user already exists", fmt.Sprintf(
			"An active TeamViewer user with user name %q already exists (id %s). The provider does not take "+
				"over active users. To manage this user with Terraform, import it into this resource, whose "+
				"address is shown above (teamviewer_user.NAME):\n\n"+
				"  terraform import teamviewer_user.NAME %s\n\n"+
				"or, with Terraform 1.5 or later, add an import block and apply again:\n\n"+
				"  import {\n    to = teamviewer_user.NAME\n    id = %q\n  }",
			exists.User.UserName, exists.User.ID, exists.User.ID, exists.User.ID))
	}
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	user, err := r.users.Get(ctx, state.ID.ValueString())
	if errors.Is(err, scim.ErrNotFound) {
		tflog.Warn(ctx, "TeamViewer user no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		// The framework wants an identity even from a Read that removes the resource, which a
		// read right after an import by id, or of a state from before identities, lacks.
		setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read TeamViewer user", err)
		return
	}
	if read := state.withUser(user); read != state {
		setUser(ctx, &resp.State, resp.Identity, read, &resp.Diagnostics)
		return
	}
	// The response holds the prior state already: writing the same values again would cost the
	// framework's struct reflection for every user of every refresh.
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	patch := plan.patchFrom(state.userModel)
	if patch.IsEmpty() {
		// Only create-only settings changed: they are recorded, and TeamViewer is left alone.
		setUser(ctx, &resp.State, resp.Identity, plan, &resp.Diagnostics)
		return
	}
	user, err := r.users.Update(ctx, state.ID.ValueString(), patch)
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to update TeamViewer user", err)
		return
	}
	setUser(ctx, &resp.State, resp.Identity, plan.withUser(user), &resp.Diagnostics)
}

// ModifyPlan warns when a plan changes a setting that TeamViewer accepts only on create, so the
// change is not mistaken for one that reaches TeamViewer.
func (r *userResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	// Attribute by attribute: reading the whole model would cost the framework's struct
	// reflection for every user of every plan, to compare three settings.
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	for _, attribute := range []string{"preferred_language", "sso_customer_id", "password_wo_version"} {
		var planned, prior attr.Value
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(attribute), &planned)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attribute), &prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if planned.IsUnknown() || planned.Equal(prior) {
			continue
		}
		resp.Diagnostics.AddAttributeWarning(path.Root(attribute), "Setting applies only to new users",
			fmt.Sprintf("TeamViewer accepts %s only when a user is created, and its SCIM API cannot change it "+
				"afterwards. The new value is recorded in state but not sent to TeamViewer for the existing user %s.",
				attribute, id.ValueString()))
	}
}

// Delete deactivates the user: TeamViewer's SCIM API has no delete, and identity providers do the same.
func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A user that is gone needs no deactivating.
	if _, err := r.users.Deactivate(ctx, state.ID.ValueString()); err != nil && !errors.Is(err, scim.ErrNotFound) {
		addClientError(&resp.Diagnostics, "Unable to deactivate TeamViewer user", err)
	}
}

// ImportState takes a user id (u1234567) or a user name (jane@example.com, in any case), or an
// identity (Terraform 1.12 and later) holding the id.
func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		// Read fills in the rest, and reports an id that does not exist.
		resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("id"), req, resp)
		return
	}
	if strings.TrimSpace(req.ID) == "" {
		resp.Diagnostics.AddError("Missing TeamViewer user to import", "The import ID is empty. Give the user's "+
			"TeamViewer id (such as u1234567) or user name (such as jane.doe@example.com):\n\n"+
			"  terraform import teamviewer_user.NAME u1234567")
		return
	}
	if !strings.Contains(req.ID, "@") {
		// Read fills in the rest, and reports an id that does not exist.
		resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
		return
	}
	user, err := r.users.FindByUserName(ctx, req.ID)
	if err != nil {
		addClientError(&resp.Diagnostics, fmt.Sprintf("Unable to import TeamViewer user %q", req.ID), err)
		return
	}
	setUser(ctx, &resp.State, resp.Identity, userResourceModel{}.withUser(user), &resp.Diagnostics)
}
