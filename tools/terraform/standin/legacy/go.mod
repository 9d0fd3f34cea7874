// Stands in, empty, for Terraform's internal/legacy: only Terraform's own tests import it.
module github.com/hashicorp/terraform/internal/legacy

go 1.26.8
