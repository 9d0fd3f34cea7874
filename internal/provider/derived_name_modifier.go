package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// derivedFromDisplayName keeps a name that TeamViewer derives from display_name known in every plan
// that leaves display_name alone. Without it, computed attributes turn unknown on each update and
// a plan that changes only `active` would show the names as "known after apply".
func derivedFromDisplayName() planmodifier.String {
	return derivedNameModifier{}
}

type derivedNameModifier struct{}

func (derivedNameModifier) Description(context.Context) string {
	return "Stays as in state unless display_name changes."
}

func (m derivedNameModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (derivedNameModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	// On create there is nothing to keep; on destroy there is no plan.
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || !resp.PlanValue.IsUnknown() {
		return
	}
	var planned, prior types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("display_name"), &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("display_name"), &prior)...)
	if resp.Diagnostics.HasError() || planned.IsUnknown() {
		return
	}
	if planned.Equal(prior) {
		resp.PlanValue = req.StateValue
	}
}
