# By TeamViewer user id:
terraform import teamviewer_user.jane u1234567

# By user name, the email address the user signs in with, in any case:
terraform import teamviewer_user.jane jane.doe@example.com
