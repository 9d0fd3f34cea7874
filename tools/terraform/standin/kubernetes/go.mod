// Stands in for Terraform's kubernetes state backend, a module of its own that the module proxy does not serve.
module github.com/hashicorp/terraform/internal/backend/remote-state/kubernetes

go 1.26.8
