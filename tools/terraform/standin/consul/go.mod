// Stands in for Terraform's consul state backend, a module of its own that the module proxy does not serve.
module github.com/hashicorp/terraform/internal/backend/remote-state/consul

go 1.26.8
