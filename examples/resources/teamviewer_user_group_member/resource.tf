# The "All Staff" group belongs to another configuration, which does not set its members. This
# team's configuration adds its own people to it and leaves everybody else alone.
data "teamviewer_user_group" "all_staff" {
  display_name = "All Staff"
}

resource "teamviewer_user" "ada" {
  user_name    = "ada.lovelace@example.com"
  display_name = "Ada Lovelace"
}

resource "teamviewer_user_group_member" "ada_in_all_staff" {
  group_id = data.teamviewer_user_group.all_staff.id
  user_id  = teamviewer_user.ada.id
}

# An existing user, by user name.
data "teamviewer_user" "grace" {
  user_name = "grace.hopper@example.com"
}

resource "teamviewer_user_group_member" "grace_in_all_staff" {
  group_id = data.teamviewer_user_group.all_staff.id
  user_id  = data.teamviewer_user.grace.id
}
