// Stands in for Terraform's s3 state backend, a module of its own that the module proxy does not serve.
module github.com/hashicorp/terraform/internal/backend/remote-state/s3

go 1.26.8
