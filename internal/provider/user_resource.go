package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

var (
	_ resource.ResourceWithConfigure   = (*userResource)(nil)
	_ resource.ResourceWithImportState = (*userResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*userResource)(nil)
)

var (
	// nonBlank rejects names that are empty or only white space; TeamViewer derives the user's
	// given and family names from the display name, so it must say something.
	nonBlank = stringvalidator.RegexMatches(regexp.MustCompile(`\S`), "must contain a non-white-space character")

	// languageCode accepts what TeamViewer documents for the welcome email: "en", "de_DE" and the like.
	languageCode = stringvalidator.RegexMatches(regexp.MustCompile(`^[a-z]{2,3}([_-][A-Za-z]{2,4})?$`),
		`must be a language code such as "en" or "de_DE"`)
)

// interruptedCreateLookupTimeout bounds the one lookup made after Terraform was interrupted
// during a create, so that Ctrl-C still ends the run promptly.
const interruptedCreateLookupTimeout = 20 * time.Second

func newUserResource() resource.Resource {
	return &userResource{}
}

// userResource manages one TeamViewer user. TeamViewer's SCIM API cannot delete users, so destroy
// deactivates the user, and a later create of the same user name reactivates it.
type userResource struct {
	client *scim.Client
	// users serves reads and learns every write, so a listing taken earlier in the run never
	// contradicts what this run wrote.
	users *scim.UserDirectory
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
				Validators: []validator.String{nonBlank},
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

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configureData(req.ProviderData, &resp.Diagnostics); data != nil {
		r.client, r.users = data.client, data.users
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

	user, err := r.client.CreateUser(ctx, plan.toNewUser(password))
	if err != nil && ctx.Err() != nil {
		user, err = r.recoverInterruptedCreate(ctx, plan.userModel, err)
	}
	var ok bool
	if err != nil {
		user, ok = r.adoptAfterFailedCreate(ctx, plan.userModel, err, &resp.Diagnostics)
	} else {
		user, ok = r.settleCreatedUser(ctx, plan.userModel, user, &resp.Diagnostics)
	}
	if !ok {
		return
	}
	r.users.Remember(user)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan.withUser(user))...)
}

// isCreatedFrom tells whether user is what a create of plan produces. TeamViewer cannot tell the
// provider whether a user it finds after a lost response is the one just created or one that
// already had that name; a user with the planned name and display name is taken as the former.
func isCreatedFrom(user scim.User, plan userModel) bool {
	return sameEmailAddress(user.UserName, plan.UserName.ValueString()) && user.DisplayName == plan.DisplayName.ValueString()
}

// settleCreatedUser checks the user a create returned. Normally it is the one just created; if it
// does not look created from the plan, the client found it by user name after a lost response, so
// it existed before and the adoption rules decide. Whatever TeamViewer did not take from the POST
// (active, for one) is then patched, so state matches the plan. If that patch fails, the user
// still goes to state, where Terraform marks it tainted: better than a user orphaned outside state.
func (r *userResource) settleCreatedUser(ctx context.Context, plan userModel, user scim.User, diags *diag.Diagnostics) (scim.User, bool) {
	if !isCreatedFrom(user, plan) {
		return r.adoptExisting(ctx, plan, user, diags)
	}
	patch := plan.patchFrom(userModelFromSCIM(user))
	if patch.IsEmpty() {
		return user, true
	}
	patched, err := r.client.PatchUser(ctx, user.ID, patch)
	if err != nil {
		addClientError(diags, fmt.Sprintf("Created TeamViewer user %s, but unable to set the configured values", user.ID), err)
		return user, true
	}
	return patched, true
}

// recoverInterruptedCreate runs when Terraform was interrupted (Ctrl-C, a pipeline's timeout) while
// a POST may already have reached TeamViewer. One lookup, on a context of its own, finds the user
// if it was created, so it lands in state instead of being orphaned.
func (r *userResource) recoverInterruptedCreate(ctx context.Context, plan userModel, createErr error) (scim.User, error) {
	lookupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), interruptedCreateLookupTimeout)
	defer cancel()
	user, err := r.client.FindUserByUserName(lookupCtx, plan.UserName.ValueString())
	if err != nil || !isCreatedFrom(user, plan) {
		return scim.User{}, createErr
	}
	tflog.Warn(ctx, "create was interrupted after TeamViewer created the user; keeping it in state", map[string]any{"id": user.ID})
	return user, nil
}

// adoptAfterFailedCreate decides what a rejected create means. TeamViewer does not document the
// status of a duplicate user name (409 or 400), so the user is looked up instead of trusting the
// status or the message.
func (r *userResource) adoptAfterFailedCreate(ctx context.Context, plan userModel, createErr error, diags *diag.Diagnostics) (scim.User, bool) {
	const summary = "Unable to create TeamViewer user"
	if !mayAlreadyExist(createErr) {
		addClientError(diags, summary, createErr)
		return scim.User{}, false
	}
	existing, err := r.users.FindUserByUserName(ctx, plan.UserName.ValueString())
	switch {
	case errors.Is(err, scim.ErrNotFound):
		// Not in this company: TeamViewer user names are unique across all companies.
		addClientError(diags, summary, createErr)
		return scim.User{}, false
	case err != nil:
		addClientError(diags, summary, fmt.Errorf("%w\n\nLooking the user up to see whether it already exists also failed: %w", createErr, err))
		return scim.User{}, false
	}
	return r.adoptExisting(ctx, plan, existing, diags)
}

// adoptExisting applies the rules for a user that had the planned user name before this create.
// A deactivated user is what an earlier destroy leaves behind, since TeamViewer cannot delete: it
// is adopted. An active one belongs to someone else's configuration or to nobody's yet, and taking
// it over silently could fight another owner: the user is told to import it.
func (r *userResource) adoptExisting(ctx context.Context, plan userModel, existing scim.User, diags *diag.Diagnostics) (scim.User, bool) {
	if existing.Active {
		diags.AddAttributeError(path.Root("user_name"), "TeamViewer user already exists", fmt.Sprintf(
			"An active TeamViewer user with user name %q already exists (id %s). The provider does not take "+
				"over active users. To manage this user with Terraform, import it into this resource, whose "+
				"address is shown above (teamviewer_user.NAME):\n\n"+
				"  terraform import teamviewer_user.NAME %s\n\n"+
				"or, with Terraform 1.5 or later, add an import block and apply again:\n\n"+
				"  import {\n    to = teamviewer_user.NAME\n    id = %q\n  }",
			existing.UserName, existing.ID, existing.ID, existing.ID))
		return scim.User{}, false
	}

	adopted, err := r.client.PatchUser(ctx, existing.ID, plan.patchFrom(userModelFromSCIM(existing)))
	if err != nil {
		addClientError(diags, fmt.Sprintf("Unable to reactivate existing TeamViewer user %s", existing.ID), err)
		return scim.User{}, false
	}
	diags.AddWarning("Adopted a deactivated TeamViewer user", fmt.Sprintf(
		"TeamViewer already had a deactivated user with user name %q (id %s), for example from an earlier "+
			"destroy: TeamViewer cannot delete users. The provider adopted it and set it to the configured values. "+
			"Settings that TeamViewer accepts only on create (preferred_language, sso_customer_id, password_wo) "+
			"are not sent to an adopted user.",
		existing.UserName, existing.ID))
	return adopted, true
}

// mayAlreadyExist reports whether a create was rejected in a way a duplicate user name can explain.
func mayAlreadyExist(err error) bool {
	var apiErr *scim.Error
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.StatusCode {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	user, err := r.users.GetUser(ctx, state.ID.ValueString())
	if errors.Is(err, scim.ErrNotFound) {
		tflog.Warn(ctx, "TeamViewer user no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read TeamViewer user", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state.withUser(user))...)
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
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	user, err := r.client.PatchUser(ctx, state.ID.ValueString(), patch)
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to update TeamViewer user", err)
		return
	}
	r.users.Remember(user)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan.withUser(user))...)
}

// ModifyPlan warns when a plan changes a setting that TeamViewer accepts only on create, so the
// change is not mistaken for one that reaches TeamViewer.
func (r *userResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	createOnly := []struct {
		attribute      string
		planned, prior attr.Value
	}{
		{"preferred_language", plan.PreferredLanguage, state.PreferredLanguage},
		{"sso_customer_id", plan.SSOCustomerID, state.SSOCustomerID},
		{"password_wo_version", plan.PasswordWOVersion, state.PasswordWOVersion},
	}
	for _, setting := range createOnly {
		if setting.planned.IsUnknown() || setting.planned.Equal(setting.prior) {
			continue
		}
		resp.Diagnostics.AddAttributeWarning(path.Root(setting.attribute), "Setting applies only to new users",
			fmt.Sprintf("TeamViewer accepts %s only when a user is created, and its SCIM API cannot change it "+
				"afterwards. The new value is recorded in state but not sent to TeamViewer for the existing user %s.",
				setting.attribute, state.ID.ValueString()))
	}
}

// Delete deactivates the user: TeamViewer's SCIM API has no delete, and identity providers do the same.
func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	inactive := false
	user, err := r.client.PatchUser(ctx, state.ID.ValueString(), scim.UserPatch{Active: &inactive})
	switch err = r.users.ConfirmNotFound(ctx, err); {
	case err == nil:
		r.users.Remember(user)
	case !errors.Is(err, scim.ErrNotFound): // a user that is gone needs no deactivating
		addClientError(&resp.Diagnostics, "Unable to deactivate TeamViewer user", err)
	}
}

// ImportState takes a user id (u1234567) or a user name (jane@example.com, in any case).
func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !strings.Contains(req.ID, "@") {
		// Read fills in the rest, and reports an id that does not exist.
		resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
		return
	}
	user, err := r.users.FindUserByUserName(ctx, req.ID)
	if err != nil {
		addClientError(&resp.Diagnostics, fmt.Sprintf("Unable to import TeamViewer user %q", req.ID), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userResourceModel{}.withUser(user))...)
}
