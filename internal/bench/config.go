package bench

import (
	"fmt"
	"strings"
)

// userName is the name of the i-th user a configuration manages; prefix keeps the users of
// workspaces that share a tenant apart. Users seeded in the tenant and managed by no
// configuration are named with otherFormat, so that the two never collide.
func userName(prefix string, i int) string { return fmt.Sprintf("%s%05d@example.com", prefix, i) }

const otherFormat = "other-%05d@example.com"

// config renders a main.tf: the provider pointed at the tenant (the token comes from
// TEAMVIEWER_TOKEN), users teamviewer_user resources named userName(prefix, 1…users), and
// whatever more is given.
func config(tenantURL, prefix string, users int, more ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "terraform {\n  required_providers {\n    teamviewer = { source = %q }\n  }\n}\n\n", providerSource)
	fmt.Fprintf(&b, "provider \"teamviewer\" {\n  tenant_url = %q\n}\n", tenantURL)
	if users > 0 {
		b.WriteString("\nlocals {\n  users = {\n")
		for i := 1; i <= users; i++ {
			fmt.Fprintf(&b, "    %q = \"Bench User %05d\"\n", userName(prefix, i), i)
		}
		b.WriteString("  }\n}\n\nresource \"teamviewer_user\" \"bench\" {\n  for_each     = local.users\n" +
			"  user_name    = each.key\n  display_name = each.value\n}\n")
	}
	for _, m := range more {
		b.WriteString("\n" + m)
	}
	return []byte(b.String())
}

// groupsConfig is groups teamviewer_user_group resources with members members each, drawn in
// turn from users managed users, so that every user is in about as many groups.
func groupsConfig(groups, members, users int) string {
	var b strings.Builder
	b.WriteString("locals {\n  groups = {\n")
	for g := range groups {
		names := make([]string, members)
		for i := range names {
			names[i] = fmt.Sprintf("%q", userName("bench-", (g*members+i)%users+1))
		}
		fmt.Fprintf(&b, "    \"bench-group-%03d\" = [%s]\n", g+1, strings.Join(names, ", "))
	}
	b.WriteString("  }\n}\n\nresource \"teamviewer_user_group\" \"bench\" {\n  for_each     = local.groups\n" +
		"  display_name = each.key\n  members      = [for name in each.value : teamviewer_user.bench[name].id]\n}\n")
	return b.String()
}

// bigGroupConfig is one teamviewer_user_group, imported by its id, with the given member ids.
func bigGroupConfig(id string, members []string) string {
	quoted := make([]string, len(members))
	for i, m := range members {
		quoted[i] = fmt.Sprintf("%q", m)
	}
	return fmt.Sprintf("import {\n  to = teamviewer_user_group.big\n  id = %q\n}\n\n"+
		"resource \"teamviewer_user_group\" \"big\" {\n  display_name = \"bench-big-group\"\n  members      = [%s]\n}\n",
		id, strings.Join(quoted, ", "))
}
