# In a .tfquery.hcl file, for `terraform query` (Terraform 1.14 and later). With
# `terraform query -generate-config-out=groups.tf`, Terraform writes a resource, with the group's
# members, and an import block for every group found.
list "teamviewer_user_group" "company" {
  provider         = teamviewer
  include_resource = true
  limit            = 1000 # Terraform's default is 100
}

list "teamviewer_user_group" "sales" {
  provider = teamviewer
  config {
    filter = "displayName sw \"Sales\"" # evaluated by TeamViewer, possibly case-sensitively
  }
}
