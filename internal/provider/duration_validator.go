package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// requestTimeoutRange accepts Go durations from 1s to 10m, such as "30s" or "2m": shorter, no
// TeamViewer answer arrives; longer, an attempt looks like a hung apply (identity providers give
// TeamViewer 60 s).
func requestTimeoutRange() validator.String {
	return durationRangeValidator{min: time.Second, max: 10 * time.Minute}
}

type durationRangeValidator struct{ min, max time.Duration }

func (v durationRangeValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a duration from %s to %s, such as 30s or 2m", v.min, v.max)
}

func (v durationRangeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v durationRangeValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q is not a duration that the provider can read (%v); it %s.", raw, err, v.Description(ctx)))
	case d < v.min || d > v.max:
		resp.Diagnostics.AddAttributeError(req.Path, "Duration out of range", fmt.Sprintf("%q %s.", raw, v.Description(ctx)))
	}
}
