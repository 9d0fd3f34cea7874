# By user name, the email address the user signs in with, in any case.
data "teamviewer_user" "ada" {
  user_name = "Ada.Lovelace@example.com"
}

# By TeamViewer user id.
data "teamviewer_user" "grace" {
  id = "u1234567"
}

output "ada" {
  value = {
    id         = data.teamviewer_user.ada.id
    active     = data.teamviewer_user.ada.active
    given_name = data.teamviewer_user.ada.given_name
  }
}
