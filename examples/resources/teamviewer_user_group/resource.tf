resource "teamviewer_user" "jane" {
  user_name    = "jane.doe@example.com"
  display_name = "Jane Doe"
}

resource "teamviewer_user" "max" {
  user_name    = "max.mustermann@example.com"
  display_name = "Max Mustermann"
}

# A group whose whole membership this configuration owns: a member added in the Management
# Console is removed again by the next apply, and a member removed there is added back.
resource "teamviewer_user_group" "support" {
  display_name = "Support Team"
  members = [
    teamviewer_user.jane.id,
    teamviewer_user.max.id,
  ]
}

# A group whose members are managed elsewhere (by teamviewer_user_group_member resources, an
# identity provider or by hand): without `members`, the provider leaves them alone.
resource "teamviewer_user_group" "all_staff" {
  display_name = "All Staff"
}
