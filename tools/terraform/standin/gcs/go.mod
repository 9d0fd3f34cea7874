// Stands in for Terraform's gcs state backend, a module of its own that the module proxy does not serve.
module github.com/hashicorp/terraform/internal/backend/remote-state/gcs

go 1.26.8
