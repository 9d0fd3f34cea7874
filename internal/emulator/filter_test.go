package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// filterFixture adds users for the filter tests and returns their ids.
func filterFixture(s *Server) (jane, john, mary, quote string) {
	jane = s.AddUser(User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true}).ID
	john = s.AddUser(User{UserName: "john@example.com", DisplayName: "John Smith", Active: false}).ID
	mary = s.AddUser(User{UserName: "Mary@Example.org", DisplayName: "Mary", Active: true}).ID
	quote = s.AddUser(User{UserName: `o"neil\x@example.net`, DisplayName: "Pat O'Neil", Active: true}).ID
	return jane, john, mary, quote
}

func TestFilter(t *testing.T) {
	s, c := newTestServer(t, Options{})
	jane, john, mary, quote := filterFixture(s)
	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "jane@example.com"`, []string{jane}},
		{`userName eq "JANE@example.com"`, nil}, // TeamViewer matches case-sensitively
		{`userName eq "mary@example.org"`, nil},
		{`USERNAME eq "jane@example.com"`, []string{jane}}, // attribute names are not
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "jane@example.com"`, []string{jane}},
		{`userName EQ "jane@example.com"`, []string{jane}},
		{`userName ne "jane@example.com"`, []string{john, mary, quote}},
		{`userName co "example.com"`, []string{jane, john}},
		{`userName co "EXAMPLE"`, nil},
		{`userName sw "j"`, []string{jane, john}},
		{`userName ew ".org"`, []string{mary}},
		{`userName eq "o\"neil\\x@example.net"`, []string{quote}},
		{`userName pr`, []string{jane, john, mary, quote}},
		{`emails.value eq "john@example.com"`, []string{john}},
		{`emails eq "john@example.com"`, []string{john}},
		{`emails[value eq "john@example.com"]`, []string{john}},
		{`emails[value sw "j" and value ew ".com"]`, []string{jane, john}},
		{`emails[not (value co "john")]`, []string{jane, mary, quote}},
		{`name eq "Jane Doe"`, []string{jane}},
		{`name.formatted sw "J"`, []string{jane, john}},
		{`displayName co "o"`, []string{jane, john}},
		{`displayName ew "Neil"`, []string{quote}},
		{`name.givenName eq "John"`, []string{john}},
		{`name.familyName eq "Smith"`, []string{john}},
		{`name.givenName pr`, []string{jane, john, quote}},          // Mary's is null
		{`name.familyName ne "Smith"`, []string{jane, mary, quote}}, // ne matches null
		{`active eq false`, []string{john}},
		{`active ne true`, []string{john}},
		{`active eq true and userName sw "j"`, []string{jane}},
		{`displayName eq "Mary" or active eq false`, []string{john, mary}},
		{`not (active eq true)`, []string{john}},
		{`userName sw "j" and (displayName ew "Doe" or displayName ew "Smith") and active eq true`, []string{jane}},
		{`id eq "` + mary + `"`, []string{mary}},
		{`userName eq "nobody@example.com"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			l := c.list(t, "filter="+url.QueryEscape(tt.filter))
			got := l.ids(t)
			if !slices.Equal(got, tt.want) {
				t.Errorf("matched %v, want %v", got, tt.want)
			}
			if l.TotalResults != len(tt.want) {
				t.Errorf("totalResults = %d, want %d", l.TotalResults, len(tt.want))
			}
		})
	}
}

func TestFilterRejects(t *testing.T) {
	_, c := newTestServer(t, Options{})
	for _, filter := range []string{
		`userName gt "a"`,
		`userName ge "a"`,
		`userName lt "a"`,
		`userName le "a"`,
		`userName eq`,
		`userName = "a"`,
		`userName eq "unterminated`,
		`title eq "x"`,
		`meta.created pr`,
		`password eq "x"`,
		`userName eq true`,
		`userName eq 42`,
		`active eq "yes"`,
		`active co "t"`,
		`name[givenName eq "Jane"]`,
		`emails[type eq "work"]`,
	} {
		t.Run(filter, func(t *testing.T) {
			c.do(t, http.MethodGet, "/Users?filter="+url.QueryEscape(filter), "").
				expectSCIMError(t, http.StatusBadRequest, scimTypeInvalidFilter)
		})
	}
}

func TestPagination(t *testing.T) {
	s, c := newTestServer(t, Options{})
	users := s.AddUsers(25, "user%02d@example.com")
	idsOf := func(from, to int) []string { // 1-based, inclusive
		var ids []string
		for _, u := range users[from-1 : to] {
			ids = append(ids, u.ID)
		}
		return ids
	}
	tests := []struct {
		query     string
		wantTotal int
		want      []string
	}{
		{"", 25, idsOf(1, 25)}, // count omitted: all users, as TeamViewer documents
		{"startIndex=11", 25, idsOf(11, 25)},
		{"startIndex=11&count=10", 25, idsOf(11, 20)},
		{"startIndex=21&count=10", 25, idsOf(21, 25)},
		{"startIndex=26&count=10", 25, nil},
		{"count=0", 25, nil},
		{"startIndex=0&count=2", 25, idsOf(1, 2)},  // below 1 means 1
		{"startIndex=-5&count=2", 25, idsOf(1, 2)}, // below 1 means 1
		{"count=-1", 25, nil},                      // negative means 0
		{"filter=" + url.QueryEscape(`userName sw "user1"`) + "&startIndex=2&count=3", 10, idsOf(11, 13)},
		{"filter=" + url.QueryEscape(`userName eq "none@example.com"`), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := c.do(t, http.MethodGet, "/Users?"+tt.query, "")
			r.expectStatus(t, http.StatusOK)
			if !strings.Contains(string(r.body), `"Resources":[`) {
				t.Errorf("Resources is not an array: %s", r.body)
			}
			l := decode[listJSON](t, r.body)
			if got := l.ids(t); !slices.Equal(got, tt.want) {
				t.Errorf("ids %v, want %v", got, tt.want)
			}
			if l.TotalResults != tt.wantTotal || l.ItemsPerPage != len(tt.want) {
				t.Errorf("totalResults %d itemsPerPage %d, want %d %d", l.TotalResults, l.ItemsPerPage, tt.wantTotal, len(tt.want))
			}
			if l.StartIndex != 0 {
				t.Errorf("startIndex = %d, want TeamViewer's echoed 0", l.StartIndex)
			}
			if !slices.Equal(l.Schemas, []string{listResponseSchema}) {
				t.Errorf("schemas = %v", l.Schemas)
			}
		})
	}
}

func TestPaginationRejects(t *testing.T) {
	_, c := newTestServer(t, Options{})
	for _, query := range []string{"startIndex=abc", "count=1.5", "count=", "startIndex=1e3"} {
		t.Run(query, func(t *testing.T) {
			c.do(t, http.MethodGet, "/Users?"+query, "").expectSCIMError(t, http.StatusBadRequest, scimTypeInvalidValue)
		})
	}
}

func BenchmarkFilter(b *testing.B) {
	s := New(Options{Token: testToken})
	s.AddUsers(10000, "user%05d@example.com")
	const expr = `userName sw "user09" and active eq true or emails[value ew "00042@example.com"]`
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []User
	for b.Loop() {
		match, err := compileFilter(expr)
		if err != nil {
			b.Fatal(err)
		}
		matched = s.users.matching(match)
	}
	if len(matched) != 1001 {
		b.Fatalf("matched %d users, want 1001", len(matched))
	}
}
