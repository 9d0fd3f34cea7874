terraform {
  required_providers {
    teamviewer = {
      source = "teamviewer-community/teamviewer"
    }
  }
}

provider "teamviewer" {}

# Every user of the company, keyed by lower-cased user name: a key that stays the same when
# TeamViewer lists users in another order.
data "teamviewer_users" "company" {}

locals {
  company = { for user in data.teamviewer_users.company.users : lower(user.user_name) => user }
}

# Terraform 1.7 and later, and OpenTofu: one import block for all of them.
import {
  for_each = local.company
  to       = teamviewer_user.company[each.key]
  id       = each.value.id
}

resource "teamviewer_user" "company" {
  for_each = local.company

  user_name    = each.value.user_name
  display_name = each.value.display_name
  active       = each.value.active
}
