# A small team managed as code. `make demo` runs this against the local TeamViewer emulator; point it
# at your company by setting TEAMVIEWER_TOKEN (and leave TEAMVIEWER_TENANT_URL unset).
terraform {
  required_providers {
    teamviewer = {
      source = "teamviewer-community/teamviewer"
    }
  }
}

# Reads TEAMVIEWER_TENANT_URL and TEAMVIEWER_TOKEN from the environment.
provider "teamviewer" {}

variable "users" {
  description = "The team, by the email address each member signs in with."
  type = map(object({
    display_name = string
    active       = optional(bool, true)
  }))
  default = {
    "ada.lovelace@example.com"      = { display_name = "Ada Lovelace" }
    "alan.turing@example.com"       = { display_name = "Alan Turing" }
    "grace.hopper@example.com"      = { display_name = "Grace Hopper" }
    "linus@example.com"             = { display_name = "Linus" }
    "margaret.hamilton@example.com" = { display_name = "Margaret Hamilton" }
  }
}

resource "teamviewer_user" "team" {
  for_each = var.users

  user_name    = each.key
  display_name = each.value.display_name
  active       = each.value.active
}

# Look a user up the way another configuration would, in any case.
data "teamviewer_user" "ada" {
  user_name = upper(teamviewer_user.team["ada.lovelace@example.com"].user_name)
}

output "user_ids" {
  description = "TeamViewer user ids by user name."
  value       = { for user_name, user in teamviewer_user.team : user_name => user.id }
}

output "ada_given_name" {
  description = "Derived by TeamViewer from the display name."
  value       = data.teamviewer_user.ada.given_name
}
