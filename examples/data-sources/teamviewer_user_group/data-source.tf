# By display name, in any case.
data "teamviewer_user_group" "support" {
  display_name = "Support Team"
}

output "support" {
  value = {
    id           = data.teamviewer_user_group.support.id
    member_count = length(data.teamviewer_user_group.support.members)
  }
}
