package bench

import (
	"strings"
	"testing"
)

func TestBenchUsers(t *testing.T) {
	u := benchUsers(3)
	if len(u) != 3 || u["bench-00001@example.com"] != "Bench User 00001" || u["bench-00003@example.com"] == "" {
		t.Errorf("benchUsers(3) = %v", u)
	}
}

func TestRenamed(t *testing.T) {
	for n, want := range map[int]int{1000: 100, 100: 10, 15: 1, 4: 1, 1: 1} {
		all := benchUsers(n)
		renamed, count := all.renamed()
		if count != want {
			t.Errorf("renamed %d of %d users, want %d", count, n, want)
		}
		changed := 0
		for name, displayName := range renamed {
			if displayName != all[name] {
				changed++
			}
		}
		if changed != count || len(renamed) != n {
			t.Errorf("%d users: %d display names changed, %d reported, %d users left", n, changed, count, len(renamed))
		}
	}
}

func TestConfigRender(t *testing.T) {
	c := config{tenantURL: "http://127.0.0.1:1234/scim/v2", users: benchUsers(2)}
	got := string(c.render())
	for _, want := range []string{
		`source = "teamviewer-community/teamviewer"`,
		`tenant_url = "http://127.0.0.1:1234/scim/v2"`,
		`"bench-00001@example.com" = "Bench User 00001"`,
		`"bench-00002@example.com" = "Bench User 00002"`,
		"for_each     = local.display_names",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the configuration lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "bulk_refresh") || strings.Contains(got, "token") {
		t.Errorf("the default configuration sets bulk_refresh or a token:\n%s", got)
	}
	c.bulkRefreshOff = true
	if got := string(c.render()); !strings.Contains(got, "bulk_refresh = false") {
		t.Errorf("bulk refresh is not turned off:\n%s", got)
	}
}
