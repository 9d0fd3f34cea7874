package provider

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// emailAddressType is the type of TeamViewer user names. People write email addresses in any case
// and TeamViewer may store them in another, so two addresses that differ only in case are the same
// value: semantic equality keeps the prior value instead of reporting drift. Validation is left to
// validEmailAddress on configured values: the framework also validates a type's values that come
// from TeamViewer, where an address Go's parser dislikes must not break reads.
type emailAddressType struct {
	basetypes.StringType
}

var _ basetypes.StringTypable = emailAddressType{}

func (t emailAddressType) Equal(o attr.Type) bool {
	other, ok := o.(emailAddressType)
	return ok && t.StringType.Equal(other.StringType)
}

func (t emailAddressType) String() string {
	return "emailAddressType"
}

func (t emailAddressType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return emailAddress{StringValue: in}, nil
}

func (t emailAddressType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	value, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	stringValue, ok := value.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T for an email address", value)
	}
	return emailAddress{StringValue: stringValue}, nil
}

func (t emailAddressType) ValueType(context.Context) attr.Value {
	return emailAddress{}
}

// emailAddress is a value of emailAddressType.
type emailAddress struct {
	basetypes.StringValue
}

var _ basetypes.StringValuableWithSemanticEquals = emailAddress{}

func newEmailAddress(s string) emailAddress {
	return emailAddress{StringValue: basetypes.NewStringValue(s)}
}

func (v emailAddress) Equal(o attr.Value) bool {
	other, ok := o.(emailAddress)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (v emailAddress) Type(context.Context) attr.Type {
	return emailAddressType{}
}

// StringSemanticEquals treats addresses that differ only in case as equal.
func (v emailAddress) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	newValue, ok := newValuable.(emailAddress)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("expected an email address value, got %T; please report this to the provider developers", newValuable))
		return false, diags
	}
	return sameEmailAddress(v.ValueString(), newValue.ValueString()), diags
}

// sameEmailAddress is the one definition of "the same user name" used for plans, state and lookups.
func sameEmailAddress(a, b string) bool {
	return strings.EqualFold(a, b)
}

// validEmailAddress checks a configured user name at plan time.
func validEmailAddress() validator.String {
	return emailAddressValidator{}
}

type emailAddressValidator struct{}

func (emailAddressValidator) Description(context.Context) string {
	return "must be an email address such as jane@example.com"
}

func (v emailAddressValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (emailAddressValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkEmailAddress(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid email address",
			fmt.Sprintf("A TeamViewer user name is the email address the user signs in with: %s.", err))
	}
}

// checkEmailAddress accepts a bare address such as jane@example.com: no display name, no spaces.
func checkEmailAddress(s string) error {
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n") {
		return fmt.Errorf("%q contains white space", s)
	}
	parsed, err := mail.ParseAddress(s)
	if err != nil || parsed.Address != s || parsed.Name != "" {
		return fmt.Errorf("%q is not an email address such as jane@example.com", s)
	}
	return nil
}

// keepStateWhenEquivalentAddress plans the prior user name when the configuration only changes its
// case, so such a change is no diff and no API call. Terraform accepts a planned value equal to the
// prior state as the provider's statement that the two are equivalent.
func keepStateWhenEquivalentAddress() planmodifier.String {
	return equivalentAddressModifier{}
}

type equivalentAddressModifier struct{}

func (equivalentAddressModifier) Description(context.Context) string {
	return "A change of case only keeps the user name in state."
}

func (m equivalentAddressModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (equivalentAddressModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	equal, diags := emailAddress{StringValue: req.StateValue}.StringSemanticEquals(ctx, emailAddress{StringValue: req.PlanValue})
	resp.Diagnostics.Append(diags...)
	if equal {
		resp.PlanValue = req.StateValue
	}
}
