# By display name, in any case:
terraform import teamviewer_user_group.support "Support Team"

# By TeamViewer group id, as the teamviewer_user_group data source or `terraform query` shows it:
terraform import teamviewer_user_group.support GROUP_ID
