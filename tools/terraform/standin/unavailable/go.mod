// What every stand-in backend in ../ returns. Its path is under github.com/hashicorp/terraform so
// that it may import Terraform's internal packages; it exists only here, through a replace directive.
module github.com/hashicorp/terraform/internal/backend/remote-state/unavailable

go 1.26.8
