# Finds every user of the company, active and deactivated. `terraform query` shows them;
# `terraform query -generate-config-out=users.tf` writes a resource and an import block for each.
list "teamviewer_user" "company" {
  provider         = teamviewer
  include_resource = true # the generated resource blocks need every attribute
  limit            = 10000
}

# Only the contractors, by a SCIM filter that TeamViewer evaluates (case-sensitively).
list "teamviewer_user" "contractors" {
  provider = teamviewer
  config {
    filter = "userName ew \"@contractor.example.com\""
    active = true
  }
}
