package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

// Terraform is interrupted (Ctrl-C) after TeamViewer created the user but before its answer
// arrived: Create still records the user in state, so it is not orphaned outside Terraform.
func TestUserResource_createInterruptedAfterPOSTKeepsUser(t *testing.T) {
	tenant := emulator.New(emulator.Options{Token: testToken})
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			tenant.ServeHTTP(w, r)
			return
		}
		// TeamViewer acts on the POST; then the run is interrupted before the answer leaves.
		tenant.ServeHTTP(httptest.NewRecorder(), r)
		interrupt()
		<-r.Context().Done()
	}))
	defer server.Close()
	client, err := scim.New(scim.Config{BaseURL: server.URL + emulator.BasePath, Token: testToken, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := &userResource{users: scim.NewUsers(client, scim.DirectoryOptions{})}

	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	planned := userResourceModel{
		userModel: userModel{
			ID: types.StringUnknown(), UserName: newEmailAddress("interrupted@example.com"),
			DisplayName: types.StringValue("Interrupted Create"), Active: types.BoolValue(true),
			GivenName: types.StringUnknown(), FamilyName: types.StringUnknown(),
		},
		PreferredLanguage: types.StringNull(), SSOCustomerID: types.StringNull(),
		PasswordWO: types.StringNull(), PasswordWOVersion: types.Int64Null(),
	}
	plan := tfsdk.Plan{Schema: schemaResp.Schema}
	if diags := plan.Set(ctx, planned); diags.HasError() {
		t.Fatal(diags)
	}
	resp := fwresource.CreateResponse{State: tfsdk.State{
		Schema: schemaResp.Schema,
		Raw:    tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil),
	}}
	r.Create(ctx, fwresource.CreateRequest{Plan: plan, Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: plan.Raw}}, &resp)

	if resp.Diagnostics.HasError() {
		t.Fatalf("Create reported %v", resp.Diagnostics)
	}
	var state userResourceModel
	if diags := resp.State.Get(ctx, &state); diags.HasError() {
		t.Fatal(diags)
	}
	users := tenant.Users()
	if len(users) != 1 || state.ID.ValueString() != users[0].ID {
		t.Fatalf("state holds %q; TeamViewer holds %+v", state.ID.ValueString(), users)
	}
}
