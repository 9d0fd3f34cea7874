package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

var (
	_ resource.ResourceWithConfigure   = (*userGroupResource)(nil)
	_ resource.ResourceWithImportState = (*userGroupResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*userGroupResource)(nil)
	_ resource.ResourceWithIdentity    = (*userGroupResource)(nil)
)

func newUserGroupResource() resource.Resource {
	return &userGroupResource{}
}

// userGroupResource manages one TeamViewer user group and, when `members` is set, its whole
// membership.
type userGroupResource struct {
	groups *scim.Groups
	plans  *membershipPlans
}

func (r *userGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_group"
}

func (r *userGroupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A user group of your TeamViewer company, managed through TeamViewer's SCIM API, and " +
			"optionally its members.\n\n" +
			"With `members` set, this resource owns the group's whole membership: members added outside " +
			"Terraform are removed, and members removed outside Terraform are added back. Without it, membership " +
			"is left alone, for example to `teamviewer_user_group_member` resources. **Never combine both on " +
			"one group**: they would undo each other's changes on every apply.\n\n" +
			"Destroying the resource deletes the group in TeamViewer (its users stay). Creating a group whose " +
			"display name another group of the company has, in any case, fails with the `terraform import` " +
			"command to run instead. " + groupPermissionsNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: groupIDDescription,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: groupDisplayNameDescription + " Changing it renames the group in place.",
				Required:            true,
				Validators:          []validator.String{trimmedName},
			},
			"members": schema.SetAttribute{
				MarkdownDescription: groupMembersDescription + " When set, the group has exactly these members " +
					"(an empty set: none), and a change sends only the difference, in requests of at most 100 " +
					"members. When unset, the provider neither changes nor shows the group's members. A user id " +
					"that is not a user of the company is an error.",
				ElementType: types.StringType,
				CustomType:  newMemberSetType(),
				Optional:    true,
				Validators:  memberIDs(),
			},
		},
	}
}

func (r *userGroupResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "TeamViewer's id of the user group.",
				RequiredForImport: true,
			},
		},
	}
}

// setGroup records the group in state and, where the CLI keeps resource identities (Terraform
// 1.12 and later), in the identity.
func setGroup(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, model userGroupModel, diags *diag.Diagnostics) {
	diags.Append(state.Set(ctx, model)...)
	if identity != nil {
		diags.Append(identity.Set(ctx, userGroupIdentityModel{ID: model.ID})...)
	}
}

func (r *userGroupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configureData(req.ProviderData, &resp.Diagnostics); data != nil {
		r.groups = data.groups
		r.plans = membershipPlansOf(data.groups)
	}
}

func (r *userGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	members := memberList(ctx, plan.Members, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	// Whether the create happened, and what a group of that name means, is decided in one place:
	// scim.Groups.Create, which then adds the members.
	result, err := r.groups.Create(ctx, scim.NewGroup{DisplayName: plan.DisplayName.ValueString(), Members: members})
	if created := result.Group; created.ID != "" {
		state := plan.withGroup(created)
		if err != nil && !plan.Members.IsNull() {
			// The members failed, and the group goes to state with those it has, which Terraform
			// marks tainted, rather than being orphaned.
			state.Members = memberSet(created.Members)
		}
		setGroup(ctx, &resp.State, resp.Identity, state, &resp.Diagnostics)
	}
	switch {
	case err != nil && result.Group.ID != "":
		addMemberError(&resp.Diagnostics, fmt.Sprintf("Created TeamViewer user group %s, but unable to add its members", result.Group.ID), err)
	case err != nil:
		addGroupCreateError(&resp.Diagnostics, err)
	case result.Outcome == scim.Recovered:
		tflog.Warn(ctx, "TeamViewer's answer to the create was lost, but it created the group; keeping it in state",
			map[string]any{"id": result.Group.ID})
	}
}

// withGroup is the planned model with the id and name TeamViewer holds. The members stay as
// planned, the set the provider made the group have: a member someone added or removed between
// plan and apply must show as drift in the next plan, not fail this apply as an inconsistent
// result.
func (m userGroupModel) withGroup(g scim.Group) userGroupModel {
	m.ID = types.StringValue(g.ID)
	m.DisplayName = types.StringValue(g.DisplayName)
	return m
}

// addGroupCreateError explains a failed create: whose display name it is when it is taken, else
// the client's error.
func addGroupCreateError(diags *diag.Diagnostics, err error) {
	var exists *scim.GroupExistsError
	switch {
	case !errors.As(err, &exists):
		addClientError(diags, "Unable to create TeamViewer user group", err)
	case exists.Group.ID == "":
		diags.AddAttributeError(path.Root("display_name"), "TeamViewer user group name is taken", fmt.Sprintf(
			"TeamViewer refused to create a group named %q because the name is taken, but no group of the company "+
				"visible to this token has it, compared without regard to case. Someone may have created or renamed a "+
				"group at the same time: look for it in the Management Console, then import it or choose another name."+
				"\n\nTeamViewer answered: %v", exists.DisplayName, exists.Cause))
	case exists.CreatedHere:
		diags.AddAttributeError(path.Root("display_name"), "TeamViewer user group managed by another resource", fmt.Sprintf(
			"Another teamviewer_user_group resource of this configuration already manages the group named %q "+
				"(id %s), which it created in this run. Display names are compared without regard to case: remove "+
				"one of the two resources, or give them different names.", exists.Group.DisplayName, exists.Group.ID))
	default:
		diags.AddAttributeError(path.Root("display_name"), "TeamViewer user group already exists", fmt.Sprintf(
			"A TeamViewer user group named %q already exists (id %s); display names are compared without regard "+
				"to case. The provider does not take over existing groups. To manage this group with Terraform, "+
				"import it into this resource, whose address is shown above (teamviewer_user_group.NAME):\n\n"+
				"  terraform import teamviewer_user_group.NAME %s\n\n"+
				"or, with Terraform 1.5 or later, add an import block and apply again:\n\n"+
				"  import {\n    to = teamviewer_user_group.NAME\n    id = %q\n  }",
			exists.Group.DisplayName, exists.Group.ID, exists.Group.ID, exists.Group.ID))
	}
}

// addMemberError explains a failed change of members. TeamViewer refuses a change naming a user id
// that is not a user of the company (400 invalidValue in RFC 7644's terms); that is a mistake in
// `members`, so it is reported there.
func addMemberError(diags *diag.Diagnostics, summary string, err error) {
	var apiErr *scim.Error
	if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusUnprocessableEntity) {
		diags.AddAttributeError(path.Root("members"), summary, fmt.Sprintf(
			"TeamViewer refused the members: every member must be the id of a user of your company, such as the id "+
				"of a teamviewer_user resource or data source.\n\n%v", err))
		return
	}
	addClientError(diags, summary, err)
}

func (r *userGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	group, err := r.groups.Get(ctx, state.ID.ValueString())
	if errors.Is(err, scim.ErrNotFound) {
		tflog.Warn(ctx, "TeamViewer user group no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		if resp.Identity != nil {
			// The framework wants an identity even from a Read that removes the resource.
			resp.Diagnostics.Append(resp.Identity.Set(ctx, userGroupIdentityModel{ID: state.ID})...)
		}
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read TeamViewer user group", err)
		return
	}
	refreshed := userGroupModelFromSCIM(group)
	if state.Members.IsNull() {
		// Membership is not this resource's: neither shown nor compared.
		refreshed.Members = noMembers()
	}
	setGroup(ctx, &resp.State, resp.Identity, refreshed, &resp.Diagnostics)
}

func (r *userGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	group := scim.Group{ID: id, DisplayName: state.DisplayName.ValueString()}

	if name := plan.DisplayName.ValueString(); name != group.DisplayName {
		renamed, ok := r.rename(ctx, id, name, &resp.Diagnostics)
		if !ok {
			return
		}
		group = renamed
	}

	if !plan.Members.IsNull() {
		want := memberList(ctx, plan.Members, &resp.Diagnostics)
		// The difference from what the refresh of this plan saw: the plan showed it. Only when
		// the resource did not manage members until now is TeamViewer asked what they are.
		have := memberList(ctx, state.Members, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		if state.Members.IsNull() {
			current, err := r.groups.Get(ctx, id)
			if err != nil {
				addClientError(&resp.Diagnostics, "Unable to read the members of TeamViewer user group "+id, err)
				return
			}
			have = current.Members
		}
		add, remove := memberDiff(have, want)
		// Removals first, so that a group near a size limit, should TeamViewer have one, has room.
		if len(remove) > 0 {
			changed, err := r.groups.RemoveMembers(ctx, id, remove)
			if err != nil {
				addMemberError(&resp.Diagnostics, "Unable to remove members of TeamViewer user group "+id, err)
				return
			}
			group = changed
		}
		if len(add) > 0 {
			changed, err := r.groups.AddMembers(ctx, id, add)
			if err != nil {
				addMemberError(&resp.Diagnostics, "Unable to add members to TeamViewer user group "+id, err)
				return
			}
			group = changed
		}
	}
	setGroup(ctx, &resp.State, resp.Identity, plan.withGroup(group), &resp.Diagnostics)
}

// rename gives the group another display name, unless another group of the company has it in any
// case: TeamViewer does not document whether display names are unique, and a rename must not make
// two groups of one name any more than a create may.
func (r *userGroupResource) rename(ctx context.Context, id, name string, diags *diag.Diagnostics) (scim.Group, bool) {
	other, err := r.groups.FindByDisplayName(ctx, name)
	switch {
	case err == nil && other.ID != id:
		diags.AddAttributeError(path.Root("display_name"), "TeamViewer user group name is taken", fmt.Sprintf(
			"Cannot rename TeamViewer user group %s to %q: the group %s is named %q, and display names are "+
				"compared without regard to case. Choose another name, or rename or delete that group first.",
			id, name, other.ID, other.DisplayName))
		return scim.Group{}, false
	case err != nil && !errors.Is(err, scim.ErrNotFound):
		addClientError(diags, "Unable to check whether another TeamViewer user group is named "+name, err)
		return scim.Group{}, false
	}
	renamed, err := r.groups.Rename(ctx, id, name)
	var apiErr *scim.Error
	switch {
	case errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusConflict || apiErr.SCIMType == "uniqueness"):
		// Someone took the name since the check; the client's hint would speak of user names.
		diags.AddAttributeError(path.Root("display_name"), "TeamViewer user group name is taken", fmt.Sprintf(
			"TeamViewer refused to rename user group %s to %q because another group has that name.\n\n%v", id, name, err))
		return scim.Group{}, false
	case err != nil:
		addClientError(diags, "Unable to rename TeamViewer user group "+id, err)
		return scim.Group{}, false
	}
	return renamed, true
}

// ModifyPlan notes the groups whose whole membership this configuration sets, and warns when a
// teamviewer_user_group_member of the same plan adds to one of them; see membershipPlans.
func (r *userGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.plans == nil {
		return
	}
	var plan userGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.ID.IsUnknown() || plan.Members.IsNull() {
		return
	}
	if r.plans.noteAuthoritative(plan.ID.ValueString()) {
		addMixedMembershipWarning(&resp.Diagnostics, path.Root("members"), plan.ID.ValueString())
	}
}

func (r *userGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A group that is gone needs no deleting.
	if err := r.groups.Delete(ctx, state.ID.ValueString()); err != nil && !errors.Is(err, scim.ErrNotFound) {
		addClientError(&resp.Diagnostics, "Unable to delete TeamViewer user group", err)
	}
}

// ImportState takes a group id or a display name (in any case), or an identity (Terraform 1.12 and
// later) holding the id. TeamViewer's group ids have no documented format, so an import ID is
// first looked up as an id and, when no group has it, as a display name. The import reads the
// members too, so that a configuration that lists them plans no change.
func (r *userGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importID, byName := req.ID, true
	if importID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		var identity userGroupIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		if resp.Diagnostics.HasError() {
			return
		}
		importID, byName = identity.ID.ValueString(), false
	}
	if strings.TrimSpace(importID) == "" {
		resp.Diagnostics.AddError("Missing TeamViewer user group to import", "The import ID is empty. Give the "+
			"group's TeamViewer id or its display name:\n\n  terraform import teamviewer_user_group.NAME \"Support Team\"")
		return
	}

	group, err := r.groups.Get(ctx, importID)
	if errors.Is(err, scim.ErrNotFound) && byName {
		group, err = r.groups.FindByDisplayName(ctx, importID)
		if err == nil && !group.MembersKnown {
			group, err = r.groups.Get(ctx, group.ID)
		}
	}
	if errors.Is(err, scim.ErrNotFound) {
		what := "id"
		if byName {
			what = "id or display name (compared without regard to case)"
		}
		resp.Diagnostics.AddError("TeamViewer user group not found",
			fmt.Sprintf("No TeamViewer user group of this company has the %s %q.", what, importID))
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, fmt.Sprintf("Unable to import TeamViewer user group %q", importID), err)
		return
	}
	setGroup(ctx, &resp.State, resp.Identity, userGroupModelFromSCIM(group), &resp.Diagnostics)
}
