package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

var (
	_ resource.ResourceWithConfigure   = (*userGroupMemberResource)(nil)
	_ resource.ResourceWithImportState = (*userGroupMemberResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*userGroupMemberResource)(nil)
)

func newUserGroupMemberResource() resource.Resource {
	return &userGroupMemberResource{}
}

// userGroupMemberResource manages one membership of a user in a user group, leaving the group's
// other members alone: for teams that assign members from many configurations.
type userGroupMemberResource struct {
	groups *scim.Groups
	plans  *membershipPlans
}

// userGroupMemberModel is one membership. ID is GROUP_ID/USER_ID, the import ID.
type userGroupMemberModel struct {
	ID      types.String `tfsdk:"id"`
	GroupID types.String `tfsdk:"group_id"`
	UserID  types.String `tfsdk:"user_id"`
}

// membershipID is the id and import ID of a membership.
func membershipID(groupID, userID string) string {
	return groupID + "/" + userID
}

func (r *userGroupMemberResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_group_member"
}

func (r *userGroupMemberResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One member of a TeamViewer user group: creating it adds the user to the group, " +
			"destroying it removes the user, and the group's other members are left alone. For teams that " +
			"assign members to one group from many configurations.\n\n" +
			"**Do not use it on a group whose `teamviewer_user_group` sets `members`**: that resource owns the " +
			"whole membership and would remove this member on its next apply, which this resource would then " +
			"add back. The provider warns at plan time when it sees both on one group in the same plan (see " +
			"below). A membership removed outside Terraform leaves state and is added again by the next apply. " +
			groupPermissionsNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`GROUP_ID/USER_ID`, the import ID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The `id` of the user group. Changing it moves the membership: the user " +
					"leaves the old group and joins the new one.",
				Required:      true,
				Validators:    []validator.String{trimmedName},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The TeamViewer user id of the member, such as `u1234567` (the `id` of a " +
					"`teamviewer_user`). Changing it replaces the membership.",
				Required:      true,
				Validators:    []validator.String{trimmedName},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
		},
	}
}

func (r *userGroupMemberResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configureData(req.ProviderData, &resp.Diagnostics); data != nil {
		r.groups = data.groups
		r.plans = membershipPlansOf(data.groups)
	}
}

func (r *userGroupMemberResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userGroupMemberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	groupID, userID := plan.GroupID.ValueString(), plan.UserID.ValueString()

	// An add of a member already in the group is accepted: the membership then exists, which is
	// what this resource asks for.
	if _, err := r.groups.AddMembers(ctx, groupID, []string{userID}); err != nil {
		addMembershipError(&resp.Diagnostics, fmt.Sprintf("Unable to add user %s to TeamViewer user group %s", userID, groupID), err)
		return
	}
	plan.ID = types.StringValue(membershipID(groupID, userID))
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// addMembershipError explains a failed add: a group that does not exist, or a user TeamViewer
// refuses as a member, is a mistake in the attribute that names it.
func addMembershipError(diags *diag.Diagnostics, summary string, err error) {
	var apiErr *scim.Error
	switch {
	case errors.Is(err, scim.ErrNotFound):
		diags.AddAttributeError(path.Root("group_id"), summary,
			"No TeamViewer user group of this company has this id.\n\n"+err.Error())
	case errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusUnprocessableEntity):
		diags.AddAttributeError(path.Root("user_id"), summary,
			"TeamViewer refused the member: user_id must be the id of a user of your company, such as the id of a "+
				"teamviewer_user resource or data source.\n\n"+err.Error())
	default:
		addClientError(diags, summary, err)
	}
}

// Read looks the user up among the group's members. The group is read once per run however many
// memberships of it there are: scim.Groups shares the read.
func (r *userGroupMemberResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userGroupMemberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	groupID, userID := state.GroupID.ValueString(), state.UserID.ValueString()

	group, err := r.groups.Get(ctx, groupID)
	switch {
	case errors.Is(err, scim.ErrNotFound):
		tflog.Warn(ctx, "TeamViewer user group no longer exists; removing the membership from state",
			map[string]any{"group_id": groupID, "user_id": userID})
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		addClientError(&resp.Diagnostics, "Unable to read TeamViewer user group "+groupID, err)
		return
	case !slices.Contains(group.Members, userID):
		tflog.Warn(ctx, "The user is no longer a member of the TeamViewer user group; removing the membership from state",
			map[string]any{"group_id": groupID, "user_id": userID})
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = types.StringValue(membershipID(groupID, userID))
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update is never called with a change: both attributes replace the membership.
func (r *userGroupMemberResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan userGroupMemberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *userGroupMemberResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userGroupMemberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	groupID, userID := state.GroupID.ValueString(), state.UserID.ValueString()
	// A member already gone is accepted by TeamViewer, and a group that is gone has no members.
	if _, err := r.groups.RemoveMembers(ctx, groupID, []string{userID}); err != nil && !errors.Is(err, scim.ErrNotFound) {
		addClientError(&resp.Diagnostics, fmt.Sprintf("Unable to remove user %s from TeamViewer user group %s", userID, groupID), err)
	}
}

// ImportState takes GROUP_ID/USER_ID. Group ids have no documented format, so the user id is what
// follows the last slash; Read then checks that the membership exists.
func (r *userGroupMemberResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	i := strings.LastIndex(req.ID, "/")
	if i <= 0 || i == len(req.ID)-1 {
		resp.Diagnostics.AddError("Invalid TeamViewer user group membership to import", fmt.Sprintf(
			"The import ID %q is not GROUP_ID/USER_ID. Give the group's id and the user's id, joined by a slash:\n\n"+
				"  terraform import teamviewer_user_group_member.NAME GROUP_ID/u1234567", req.ID))
		return
	}
	groupID, userID := req.ID[:i], req.ID[i+1:]
	resp.Diagnostics.Append(resp.State.Set(ctx, userGroupMemberModel{
		ID:      types.StringValue(membershipID(groupID, userID)),
		GroupID: types.StringValue(groupID),
		UserID:  types.StringValue(userID),
	})...)
}

// ModifyPlan notes the group this membership adds to, and warns when a teamviewer_user_group of
// the same plan sets the group's whole membership; see membershipPlans.
func (r *userGroupMemberResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.plans == nil {
		return
	}
	var plan userGroupMemberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.GroupID.IsUnknown() {
		return
	}
	if r.plans.noteAdditive(plan.GroupID.ValueString()) {
		addMixedMembershipWarning(&resp.Diagnostics, path.Root("group_id"), plan.GroupID.ValueString())
	}
}

// membershipPlans is what one plan of one provider configuration has seen of the groups'
// membership: the groups whose teamviewer_user_group sets `members`, and those that a
// teamviewer_user_group_member adds to. Terraform plans every resource of a provider
// configuration through one provider instance, so both resources' ModifyPlan meet here, in
// whatever order Terraform runs them: whichever comes second sees the first, and the group is
// warned about once.
//
// What it cannot see: a group created in the same plan (its id is unknown until apply; the next
// plan warns), resources under another provider configuration (an alias), and other
// configurations or workspaces, where the mix shows instead as the group resource planning to
// remove the member on every plan.
type membershipPlans struct {
	mu            sync.Mutex
	authoritative map[string]bool // group ids
	additive      map[string]bool
	warned        map[string]bool
}

// noteAuthoritative records that a teamviewer_user_group sets the members of the group, and
// reports whether the caller is to warn about it.
func (p *membershipPlans) noteAuthoritative(groupID string) (warn bool) {
	return p.note(groupID, p.authoritative, p.additive)
}

// noteAdditive records that a teamviewer_user_group_member adds to the group, and reports whether
// the caller is to warn about it.
func (p *membershipPlans) noteAdditive(groupID string) (warn bool) {
	return p.note(groupID, p.additive, p.authoritative)
}

func (p *membershipPlans) note(groupID string, mine, theirs map[string]bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	mine[groupID] = true
	if !theirs[groupID] || p.warned[groupID] {
		return false
	}
	p.warned[groupID] = true
	return true
}

// addMixedMembershipWarning is the plan-time warning about a group managed both ways.
func addMixedMembershipWarning(diags *diag.Diagnostics, at path.Path, groupID string) {
	diags.AddAttributeWarning(at, "TeamViewer user group membership managed two ways", fmt.Sprintf(
		"The user group %s has a teamviewer_user_group resource that sets members and, in the same plan, "+
			"teamviewer_user_group_member resources. The group resource owns the whole membership: it removes the "+
			"members that the membership resources add, which add them back on the next apply. Either list every "+
			"member in the group's members, or remove members from the group resource and use only "+
			"teamviewer_user_group_member resources.", groupID))
}

// membershipPlansByGroups holds the membershipPlans of each provider instance, keyed by its
// scim.Groups, which Configure makes once per instance and shares with every resource; an entry
// goes when its scim.Groups is garbage. It lives here rather than in providerData so that
// provider.go needs no more than the groups.
var membershipPlansByGroups = struct {
	sync.Mutex
	m map[weak.Pointer[scim.Groups]]*membershipPlans
}{m: make(map[weak.Pointer[scim.Groups]]*membershipPlans)}

// membershipPlansOf returns the membershipPlans of the provider instance that owns gs.
func membershipPlansOf(gs *scim.Groups) *membershipPlans {
	if gs == nil {
		return nil
	}
	key := weak.Make(gs)
	membershipPlansByGroups.Lock()
	defer membershipPlansByGroups.Unlock()
	if p, ok := membershipPlansByGroups.m[key]; ok {
		return p
	}
	p := &membershipPlans{authoritative: map[string]bool{}, additive: map[string]bool{}, warned: map[string]bool{}}
	membershipPlansByGroups.m[key] = p
	runtime.AddCleanup(gs, func(key weak.Pointer[scim.Groups]) {
		membershipPlansByGroups.Lock()
		defer membershipPlansByGroups.Unlock()
		delete(membershipPlansByGroups.m, key)
	}, key)
	return p
}
