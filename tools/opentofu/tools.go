//go:build tools

// Package tools pins the OpenTofu CLI that `make test` builds into bin/tofu.
package tools

import (
	_ "github.com/opentofu/opentofu/cmd/tofu"
)
