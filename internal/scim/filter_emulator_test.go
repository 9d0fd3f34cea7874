package scim_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

// FuzzEqualFilterMatchesExactlyThatName checks the filter the client builds for any user name
// against the emulator, which parses filters as TeamViewer documents them: it must find exactly
// that user, and neither a user whose name differs in case (TeamViewer's filters are
// case-sensitive) nor one whose name merely contains it. Seeds: testdata/fuzz/FuzzEqualFilterMatchesExactlyThatName.
func FuzzEqualFilterMatchesExactlyThatName(f *testing.F) {
	tenant := emulator.New(emulator.Options{Token: "fuzz-token"})
	server := httptest.NewServer(tenant)
	f.Cleanup(server.Close)
	client, err := scim.New(scim.Config{BaseURL: server.URL + emulator.BasePath, Token: "fuzz-token", MaxRetries: 1})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, userName string) {
		// JSON, and so SCIM, cannot carry invalid UTF-8. Control characters need \u escapes, which
		// the emulator's filter parser (like others) lacks; an email address cannot hold them.
		if userName == "" || !utf8.ValidString(userName) || strings.ContainsFunc(userName, unicode.IsControl) {
			t.Skip()
		}
		want := tenant.AddUser(emulator.User{UserName: userName, DisplayName: "Wanted", Active: true})
		decoys := []emulator.User{tenant.AddUser(emulator.User{UserName: "x" + userName + "x", DisplayName: "Decoy", Active: true})}
		if swapped := swapCase(userName); swapped != userName {
			decoys = append(decoys, tenant.AddUser(emulator.User{UserName: swapped, DisplayName: "Decoy", Active: true}))
		}
		defer func() {
			for _, u := range append(decoys, want) {
				tenant.Remove(u.ID)
			}
		}()

		users, err := client.ListUsers(context.Background(), scim.ListOptions{Filter: scim.EqualFilter("userName", userName)})
		if err != nil {
			t.Fatalf("filter for %q: %v", userName, err)
		}
		if len(users) != 1 || users[0].ID != want.ID || users[0].UserName != userName {
			t.Fatalf("filter for %q matched %+v, want only %s", userName, users, want.ID)
		}
	})
}

func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		if upper := strings.ToUpper(string(r)); upper != string(r) {
			return []rune(upper)[0]
		}
		return []rune(strings.ToLower(string(r)))[0]
	}, s)
}
