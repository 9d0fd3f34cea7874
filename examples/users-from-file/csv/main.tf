terraform {
  required_providers {
    teamviewer = {
      source = "teamviewer-community/teamviewer"
    }
  }
}

# The token comes from TEAMVIEWER_TOKEN.
provider "teamviewer" {}

# One user per row of users.csv. Each is keyed by its lower-cased email address, which stays the
# same wherever the row moves and whatever the case it is written in: sorting the file changes
# nothing, and deleting a row deactivates exactly that user (TeamViewer cannot delete users). Two
# rows with the same address, in any case, are an error.
locals {
  users = {
    for row in csvdecode(file("${path.module}/users.csv")) :
    lower(trimspace(row.email)) => row
  }
}

resource "teamviewer_user" "from_file" {
  for_each = local.users

  user_name    = trimspace(each.value.email)
  display_name = trimspace(each.value.name)
}

output "user_ids" {
  description = "TeamViewer user ids by lower-cased email address."
  value       = { for key, user in teamviewer_user.from_file : key => user.id }
}
