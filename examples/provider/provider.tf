terraform {
  required_providers {
    teamviewer = {
      source = "teamviewer-community/teamviewer"
    }
  }
}

variable "teamviewer_token" {
  description = "TeamViewer script token with the user management permissions (view, create and edit users)."
  type        = string
  sensitive   = true
}

provider "teamviewer" {
  # Or leave it out and set the TEAMVIEWER_TOKEN environment variable.
  token = var.teamviewer_token

  # TeamViewer's SCIM endpoint is the default, the same for every company; TEAMVIEWER_TENANT_URL
  # overrides it too.
  # tenant_url = "https://webapi.teamviewer.com/scim/v2"
}
