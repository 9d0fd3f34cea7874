terraform {
  required_providers {
    teamviewer = {
      source = "teamviewer-community/teamviewer"
    }
  }
}

# The token comes from TEAMVIEWER_TOKEN, which works on every CLI and stays out of plan files.
provider "teamviewer" {}
