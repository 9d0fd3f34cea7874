# Terraform 1.5 and later, and OpenTofu: import with the next `terraform apply`. The import reads
# the group's members too.
import {
  to = teamviewer_user_group.support
  id = "Support Team" # or the group's id
}
