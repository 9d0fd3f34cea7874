//go:build tools

// Package tools pins the documentation generator and the linter that `make generate` and
// `make lint` build into bin/.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
