//go:build tools

// Package tools pins Terraform 1.16.4, the newest CLI the acceptance tests run on, which `make test`
// builds into bin/terraform.
//
// Terraform after 1.5.x is BUSL-1.1: it is built here only to test the provider and never shipped.
// `go install github.com/hashicorp/terraform@v1.16.4` is refused because Terraform's go.mod replaces
// nine remote-state backends and internal/legacy, modules of their own, with directories of its
// repository, and neither the module zip nor the module proxy has them. This module repeats those
// replace directives and points them at standin/: each backend there refuses to be configured
// (the tests keep state locally), and internal/legacy is empty (only Terraform's own tests import
// it, hence `go mod tidy -e`).
package tools

import (
	_ "github.com/hashicorp/terraform"
)
