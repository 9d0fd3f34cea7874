# In a .tfquery.hcl file, for `terraform query` (Terraform 1.14 and later). With
# `terraform query -generate-config-out=users.tf`, Terraform writes a resource and an import block
# for every user found; see the onboarding guide.
list "teamviewer_user" "company" {
  provider         = teamviewer
  include_resource = true
  limit            = 10000 # Terraform's default is 100
}

list "teamviewer_user" "deactivated_contractors" {
  provider = teamviewer
  config {
    filter = "userName ew \"@contractor.example.com\"" # evaluated by TeamViewer, case-sensitively
    active = false
  }
}
