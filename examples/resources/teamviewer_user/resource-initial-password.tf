# Terraform and OpenTofu 1.11 and later: an initial password, sent once when the user is created
# and never stored in the plan or the state.
resource "teamviewer_user" "max" {
  user_name           = "max.mustermann@example.com"
  display_name        = "Max Mustermann"
  password_wo         = var.max_initial_password
  password_wo_version = 1
}

variable "max_initial_password" {
  description = "Initial TeamViewer password of max.mustermann@example.com."
  type        = string
  sensitive   = true
}
