package provider

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

// addClientError turns a failed SCIM call into one diagnostic: what the provider was doing, what
// TeamViewer answered, and what to do about it. Every resource and data source reports through here.
func addClientError(diags *diag.Diagnostics, summary string, err error) {
	detail := err.Error()
	var apiErr *scim.Error
	if errors.As(err, &apiErr) {
		if hint := apiErr.Hint(); hint != "" {
			detail = fmt.Sprintf("%s\n\n%s", detail, hint)
		}
		if pointsAtTenantURL(apiErr) {
			detail += "\n\nThe tenant URL is the provider's tenant_url attribute, or the " + envTenantURL +
				" environment variable."
		}
	}
	diags.AddError(summary, detail)
}

// pointsAtTenantURL reports whether the error suggests a wrong tenant URL rather than a problem
// with one request: nothing answers there, the path takes no such method, or what answers is not
// TeamViewer's SCIM API.
func pointsAtTenantURL(err *scim.Error) bool {
	return errors.Is(err, scim.ErrUnreachable) || errors.Is(err, scim.ErrInvalidResponse) ||
		err.StatusCode == http.StatusMethodNotAllowed || (err.StatusCode == 0 && err.Method != "")
}

// configureData checks the hand-off from the provider's Configure. Data is nil while Terraform
// validates configuration before the provider is configured.
func configureData(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data type",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", data))
		return nil
	}
	return pd
}
