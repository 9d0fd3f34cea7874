# GROUP_ID/USER_ID: the group's id, a slash, and the user's id.
terraform import teamviewer_user_group_member.grace_in_all_staff GROUP_ID/u1234567
