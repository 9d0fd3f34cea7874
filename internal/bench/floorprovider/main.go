// Command floorprovider is the bench's floor: a framework provider with exactly the schemas of the
// TeamViewer provider and of its teamviewer_user resource (taken from internal/provider when it
// starts, never copied) and its logging setup, whose resource does nothing but copy the plan to
// state. What Terraform and the framework cost for a thousand users, this provider costs too; what
// the TeamViewer provider costs beyond it is its own. The bench builds and runs it; it is never
// shipped.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	teamviewer "github.com/teamviewer-community/terraform-provider-teamviewer/internal/provider"
)

func main() {
	debug := flag.Bool("debug", false, "serve in debug mode, printing TF_REATTACH_PROVIDERS")
	flag.Parse()
	// Logging as the TeamViewer provider's main sets it up: framework logs nobody reads are a
	// cost any provider can avoid, so the floor avoids it too.
	teamviewer.QuietUnlessLogging()
	err := providerserver.Serve(context.Background(), func() provider.Provider { return floorProvider{teamviewer.New("floor")()} },
		providerserver.ServeOpts{Address: teamviewer.RegistryAddress, Debug: *debug})
	if err != nil {
		log.Fatal(err)
	}
}

// floorProvider answers with the real provider's metadata and schema, configures nothing and
// serves only teamviewer_user.
type floorProvider struct{ real provider.Provider }

func (p floorProvider) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.real.Metadata(ctx, req, resp)
}

func (p floorProvider) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	p.real.Schema(ctx, req, resp)
}

func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (p floorProvider) Resources(ctx context.Context) []func() resource.Resource {
	for _, newResource := range p.real.Resources(ctx) {
		real := newResource()
		var meta resource.MetadataResponse
		real.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "teamviewer"}, &meta)
		if real, ok := real.(resource.ResourceWithIdentity); ok && meta.TypeName == "teamviewer_user" {
			return []func() resource.Resource{func() resource.Resource { return floorUser{real} }}
		}
	}
	panic("floorprovider: the provider has no teamviewer_user resource with an identity")
}

// floorUser has teamviewer_user's schema (its plan modifiers and validators run as they do for
// the real resource) and identity schema; its plan becomes its state.
type floorUser struct{ real resource.ResourceWithIdentity }

var _ resource.ResourceWithIdentity = floorUser{}

// ids numbers the users this process creates, so that every id is unique within a run.
var ids atomic.Int64

func (r floorUser) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r floorUser) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.real.Schema(ctx, req, resp)
}

func (r floorUser) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	r.real.IdentitySchema(ctx, req, resp)
}

func (floorUser) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	id := fmt.Sprintf("f%07d", ids.Add(1))
	resp.State.Raw = known(req.Plan.Raw, id)
	resp.Diagnostics.Append(resp.Identity.SetAttribute(ctx, path.Root("id"), types.StringValue(id))...)
}

// Read keeps the state and identity, which the framework has already copied into the response.
func (floorUser) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (floorUser) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = known(req.Plan.Raw, "")
}

// Delete does nothing; the framework removes the resource from state.
func (floorUser) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// known is the plan with its unknown values (the computed id, given_name, family_name) made
// known: the id as given, anything else a fixed string.
func known(plan tftypes.Value, id string) tftypes.Value {
	state, err := tftypes.Transform(plan, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		if steps := p.Steps(); len(steps) == 1 && steps[0] == tftypes.AttributeName("id") {
			return tftypes.NewValue(tftypes.String, id), nil
		}
		return tftypes.NewValue(tftypes.String, "Floor"), nil
	})
	if err != nil {
		panic("floorprovider: " + err.Error()) // Transform fails only on a callback's error
	}
	return state
}
