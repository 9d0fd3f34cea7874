# Terraform 1.5 and later, and OpenTofu: import with the next `terraform apply`.
import {
  to = teamviewer_user.jane
  id = "jane.doe@example.com" # or the user id, such as "u1234567"
}
