# A user who signs in with their email address. TeamViewer derives given_name ("Jane") and
# family_name ("Doe") from the display name.
resource "teamviewer_user" "jane" {
  user_name    = "jane.doe@example.com"
  display_name = "Jane Doe"
}

# Someone who has left: deactivated in place, and kept in TeamViewer.
resource "teamviewer_user" "john" {
  user_name    = "john.smith@example.com"
  display_name = "John Smith"
  active       = false
}

# A user who signs in through your company's TeamViewer single sign-on, and whose welcome email
# is in German. Both settings are sent only when the user is created.
resource "teamviewer_user" "erika" {
  user_name          = "erika.mustermann@example.com"
  display_name       = "Erika Mustermann"
  sso_customer_id    = var.teamviewer_sso_customer_id
  preferred_language = "de_DE"
}

variable "teamviewer_sso_customer_id" {
  description = "Customer identifier of the company's TeamViewer single sign-on setup."
  type        = string
  sensitive   = true
}
