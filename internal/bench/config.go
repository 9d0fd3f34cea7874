package bench

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
)

// userNameFormat names the users the bench manages; seeded users that no configuration manages
// are named with otherUserNameFormat, so that the two never collide.
const (
	userNameFormat      = "bench-%05d@example.com"
	otherUserNameFormat = "other-%05d@example.com"
)

// renameEvery is the share of users the update step renames: one in renameEvery, a tenth.
const renameEvery = 10

// users maps the user names a configuration manages to their display names.
type users map[string]string

// benchUsers returns n users named after userNameFormat.
func benchUsers(n int) users {
	u := make(users, n)
	for i := 1; i <= n; i++ {
		u[fmt.Sprintf(userNameFormat, i)] = fmt.Sprintf("Bench User %05d", i)
	}
	return u
}

// renamed returns a copy of u in which one user in every renameEvery, in user name order, has a
// new display name, and the number of users renamed: at least one, so that a small run still
// writes something.
func (u users) renamed() (users, int) {
	out := maps.Clone(u)
	renamed := 0
	for i, name := range slices.Sorted(maps.Keys(u)) {
		if i%renameEvery == renameEvery-1 || (len(u) < renameEvery && i == 0) {
			out[name] = u[name] + " (renamed)"
			renamed++
		}
	}
	return out, renamed
}

// config is one generated main.tf.
type config struct {
	tenantURL string
	users     users
	// bulkRefreshOff sets bulk_refresh = false in the provider block. The attribute is left out
	// otherwise, so that the default (on) is what is measured.
	bulkRefreshOff bool
}

// render writes the configuration: the provider pointed at the emulator (the token comes from
// TEAMVIEWER_TOKEN) and one teamviewer_user per user, through for_each.
func (c config) render() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "terraform {\n  required_providers {\n    teamviewer = {\n      source = %q\n    }\n  }\n}\n\n",
		providerSource)
	fmt.Fprintf(&b, "provider \"teamviewer\" {\n  tenant_url = %q\n", c.tenantURL)
	if c.bulkRefreshOff {
		b.WriteString("  bulk_refresh = false\n")
	}
	b.WriteString("}\n\nlocals {\n  display_names = {\n")
	for _, name := range slices.Sorted(maps.Keys(c.users)) {
		fmt.Fprintf(&b, "    %q = %q\n", name, c.users[name])
	}
	b.WriteString("  }\n}\n\n")
	b.WriteString("resource \"teamviewer_user\" \"bench\" {\n  for_each     = local.display_names\n" +
		"  user_name    = each.key\n  display_name = each.value\n}\n")
	return b.Bytes()
}
