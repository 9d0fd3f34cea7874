// Package gcs stands in for Terraform's gcs state backend, which this build of Terraform leaves
// out.
package gcs

import (
	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/backend/remote-state/unavailable"
)

// New returns a backend that fails as soon as a configuration uses it.
func New() backend.Backend { return unavailable.New("gcs") }
