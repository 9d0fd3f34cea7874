# Every user of the company, active and deactivated.
data "teamviewer_users" "all" {}

# Only the active ones.
data "teamviewer_users" "active" {
  active = true
}

# A SCIM filter, passed to TeamViewer as it is: here, the user names that end with a domain. TeamViewer
# compares the value case-sensitively.
data "teamviewer_users" "contractors" {
  filter = "userName ew \"@contractor.example.com\""
}

output "active_user_names" {
  value = data.teamviewer_users.active.users[*].user_name
}

output "contractor_ids" {
  value = { for user in data.teamviewer_users.contractors.users : user.user_name => user.id }
}
