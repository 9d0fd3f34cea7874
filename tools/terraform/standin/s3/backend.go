// Package s3 stands in for Terraform's s3 state backend, which this build of Terraform leaves
// out.
package s3

import (
	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/backend/remote-state/unavailable"
)

// New returns a backend that fails as soon as a configuration uses it.
func New() backend.Backend { return unavailable.New("s3") }
