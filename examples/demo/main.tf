# The configuration `make demo` starts from: only the provider. `terraform query
# -generate-config-out=users.tf` writes the company's users next to it, as the onboarding guide
# describes. Point it at your company by setting TEAMVIEWER_TOKEN (and leave TEAMVIEWER_TENANT_URL
# unset).
terraform {
  required_providers {
    teamviewer = {
      source = "teamviewer-community/teamviewer"
    }
  }
}

# Reads TEAMVIEWER_TENANT_URL and TEAMVIEWER_TOKEN from the environment.
provider "teamviewer" {}
