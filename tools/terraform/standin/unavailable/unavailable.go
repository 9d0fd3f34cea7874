// Package unavailable is the state backend that stands in for the ones this build of Terraform
// leaves out: it fails as soon as it is configured, saying why.
package unavailable

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/backend/backendbase"
	"github.com/hashicorp/terraform/internal/configs/configschema"
	"github.com/hashicorp/terraform/internal/states/statemgr"
	"github.com/hashicorp/terraform/internal/tfdiags"
)

// New returns the stand-in for the backend called name in a configuration's backend block.
func New(name string) backend.Backend {
	return &unavailable{
		Base: backendbase.Base{Schema: &configschema.Block{}},
		name: name,
	}
}

type unavailable struct {
	backendbase.Base
	name string
}

func (b *unavailable) err() tfdiags.Diagnostics {
	var diags tfdiags.Diagnostics
	return diags.Append(tfdiags.Sourceless(tfdiags.Error, "Backend not available",
		fmt.Sprintf("The %q backend is left out of this build of Terraform, made only to test a provider: "+
			"use local state.", b.name)))
}

// PrepareConfig fails so that the error comes before anything is done with the configuration.
func (b *unavailable) PrepareConfig(cty.Value) (cty.Value, tfdiags.Diagnostics) {
	return cty.NilVal, b.err()
}

// Configure fails too, for callers that skip PrepareConfig.
func (b *unavailable) Configure(cty.Value) tfdiags.Diagnostics { return b.err() }

// StateMgr fails: there is no state to manage.
func (b *unavailable) StateMgr(string) (statemgr.Full, tfdiags.Diagnostics) { return nil, b.err() }

// DeleteWorkspace fails: there are no workspaces.
func (b *unavailable) DeleteWorkspace(string, bool) tfdiags.Diagnostics { return b.err() }

// Workspaces fails: there are no workspaces.
func (b *unavailable) Workspaces() ([]string, tfdiags.Diagnostics) { return nil, b.err() }
