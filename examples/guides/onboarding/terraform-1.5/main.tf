terraform {
  required_providers {
    teamviewer = {
      source = "teamviewer-community/teamviewer"
    }
  }
}

provider "teamviewer" {}

data "teamviewer_users" "company" {}

# Terraform 1.5 and 1.6 have import blocks but no for_each on them: this output writes one block
# per user, to save as imports.tf; `terraform plan -generate-config-out=users.tf` then writes the
# resource blocks. Resource names are the user ids, which never change.
output "import_blocks" {
  value = join("", [
    for user in data.teamviewer_users.company.users :
    "import {\n  to = teamviewer_user.${user.id}\n  id = \"${user.id}\"\n}\n\n"
  ])
}
