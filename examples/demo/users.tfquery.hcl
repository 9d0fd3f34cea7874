# Every user of the company, active and deactivated, for `terraform query` (Terraform 1.14 and
# later).
list "teamviewer_user" "company" {
  provider         = teamviewer
  include_resource = true # the generated resource blocks need every attribute
  limit            = 1000
}
