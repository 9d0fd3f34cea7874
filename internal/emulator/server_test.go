package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestAuthorization(t *testing.T) {
	_, c := newTestServer(t, Options{ReadOnlyToken: "read-only"})
	user := `{"userName":"jane@example.com"}`
	tests := []struct {
		name       string
		header     string // Authorization; "" sends none
		method     string
		body       string
		wantStatus int
		wantError  string // Web API error name, "" for success
	}{
		{"no header", "", http.MethodGet, "", http.StatusUnauthorized, "invalid_token"},
		{"wrong token", "Bearer nope", http.MethodGet, "", http.StatusUnauthorized, "invalid_token"},
		{"wrong scheme", "Basic " + testToken, http.MethodGet, "", http.StatusUnauthorized, "invalid_token"},
		{"empty bearer", "Bearer ", http.MethodGet, "", http.StatusUnauthorized, "invalid_token"},
		{"token", "Bearer " + testToken, http.MethodGet, "", http.StatusOK, ""},
		{"scheme in lower case", "bearer " + testToken, http.MethodGet, "", http.StatusOK, ""},
		{"read-only token reads", "Bearer read-only", http.MethodGet, "", http.StatusOK, ""},
		{"read-only token cannot create", "Bearer read-only", http.MethodPost, user, http.StatusForbidden, "invalid_permission"},
		{"read-only token cannot patch", "Bearer read-only", http.MethodPatch, "{}", http.StatusForbidden, "invalid_permission"},
		{"wrong token cannot create", "Bearer nope", http.MethodPost, user, http.StatusUnauthorized, "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/Users"
			if tt.method == http.MethodPatch {
				path = "/Users/u1000001"
			}
			header := http.Header{}
			if tt.header != "" {
				header.Set("Authorization", tt.header)
			}
			r, err := c.withToken("").send(t.Context(), tt.method, path, tt.body, header)
			if err != nil {
				t.Fatal(err)
			}
			r.expectStatus(t, tt.wantStatus)
			if tt.wantError == "" {
				return
			}
			if ct := r.header.Get("Content-Type"); ct != apiContentType {
				t.Errorf("Content-Type = %q, want %q", ct, apiContentType)
			}
			body := decode[map[string]any](t, r.body)
			if body["error"] != tt.wantError || body["error_description"] == "" {
				t.Errorf("body = %s, want error %q with a description", r.body, tt.wantError)
			}
			if _, ok := body["error_code"].(float64); !ok {
				t.Errorf("body = %s, want a numeric error_code", r.body)
			}
			if tt.wantStatus == http.StatusUnauthorized && body["error_code"] != float64(1) {
				t.Errorf("error_code = %v, want 1", body["error_code"])
			}
		})
	}
}

func TestNewRequiresToken(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New without a token did not panic")
		}
	}()
	New(Options{})
}

func TestCreateUser(t *testing.T) {
	tests := []struct {
		name            string
		body            string
		wantUserName    string
		wantDisplayName string
		wantActive      bool
	}{
		{"userName only", `{"userName":"a@example.com"}`, "a@example.com", "", true},
		{"displayName wins over name",
			`{"userName":"a@example.com","displayName":"Dee Play","name":{"formatted":"Form Atted","givenName":"Giv","familyName":"Fam"}}`,
			"a@example.com", "Dee Play", true},
		{"name.formatted wins over parts",
			`{"userName":"a@example.com","name":{"formatted":"Form Atted","givenName":"Giv","familyName":"Fam"}}`,
			"a@example.com", "Form Atted", true},
		{"given and family joined", `{"userName":"a@example.com","name":{"givenName":"Jane","familyName":"van Doe"}}`, "a@example.com", "Jane van Doe", true},
		{"given only", `{"userName":"a@example.com","name":{"givenName":"Jane"}}`, "a@example.com", "Jane", true},
		{"family only", `{"userName":"a@example.com","name":{"familyName":"Doe"}}`, "a@example.com", "Doe", true},
		{"empty given skipped", `{"userName":"a@example.com","name":{"givenName":"","familyName":"Doe"}}`, "a@example.com", "Doe", true},
		{"emails only", `{"emails":[{"value":"e@example.com","primary":true}]}`, "e@example.com", "", true},
		{"primary email chosen", `{"emails":[{"value":"x@example.com"},{"value":"p@example.com","primary":true}]}`, "p@example.com", "", true},
		{"userName wins over emails", `{"userName":"u@example.com","emails":[{"value":"e@example.com"}]}`, "u@example.com", "", true},
		{"inactive", `{"userName":"a@example.com","active":false}`, "a@example.com", "", false},
		{"active as Entra string", `{"userName":"a@example.com","active":"False"}`, "a@example.com", "", false},
		{"attribute names ignore case", `{"USERNAME":"a@example.com","DisplayName":"Jane Doe"}`, "a@example.com", "Jane Doe", true},
		{"schema-qualified name", `{"urn:ietf:params:scim:schemas:core:2.0:User:userName":"a@example.com"}`, "a@example.com", "", true},
		{"null is absent", `{"userName":"a@example.com","displayName":null,"active":null}`, "a@example.com", "", true},
		{"id and unknown attributes ignored", `{"id":"u1","externalId":"x","meta":{},"userName":"a@example.com"}`, "a@example.com", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestServer(t, Options{})
			got := c.createUser(t, tt.body)
			if got.UserName != tt.wantUserName || got.DisplayName != tt.wantDisplayName || got.Active != tt.wantActive {
				t.Errorf("got userName %q displayName %q active %v, want %q %q %v",
					got.UserName, got.DisplayName, got.Active, tt.wantUserName, tt.wantDisplayName, tt.wantActive)
			}
			stored, ok := s.User(got.ID)
			if !ok || stored.UserName != tt.wantUserName || stored.DisplayName != tt.wantDisplayName || stored.Active != tt.wantActive {
				t.Errorf("stored %+v (found %v), want it to match the response", stored, ok)
			}
		})
	}
}

func TestCreateUserRejects(t *testing.T) {
	tests := []struct {
		name         string
		contentType  string
		body         string
		wantStatus   int
		wantScimType string
	}{
		{"no userName", "", `{"displayName":"Jane"}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"empty userName", "", `{"userName":""}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"userName without @", "", `{"userName":"jane"}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"userName without local part", "", `{"userName":"@example.com"}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"userName without domain", "", `{"userName":"jane@"}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"userName with two @", "", `{"userName":"a@b@example.com"}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"email not an address", "", `{"emails":[{"value":"nope"}]}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"userName not a string", "", `{"userName":42}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"active not a boolean", "", `{"userName":"a@example.com","active":"maybe"}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"name not an object", "", `{"userName":"a@example.com","name":"Jane"}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"malformed JSON", "", `{"userName":`, http.StatusBadRequest, scimTypeInvalidSyntax},
		{"not an object", "", `["a@example.com"]`, http.StatusBadRequest, scimTypeInvalidSyntax},
		{"unsupported media type", "text/plain", `{"userName":"a@example.com"}`, http.StatusUnsupportedMediaType, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestServer(t, Options{})
			header := http.Header{}
			if tt.contentType != "" {
				header.Set("Content-Type", tt.contentType)
			}
			r, err := c.send(t.Context(), http.MethodPost, "/Users", tt.body, header)
			if err != nil {
				t.Fatal(err)
			}
			r.expectSCIMError(t, tt.wantStatus, tt.wantScimType)
			if n := len(s.Users()); n != 0 {
				t.Errorf("%d users stored after a rejected create", n)
			}
		})
	}
}

func TestCreateUserAcceptsPlainJSON(t *testing.T) {
	_, c := newTestServer(t, Options{})
	header := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	r, err := c.send(t.Context(), http.MethodPost, "/Users", `{"userName":"a@example.com"}`, header)
	if err != nil {
		t.Fatal(err)
	}
	r.expectStatus(t, http.StatusCreated)
}

func TestUserRepresentation(t *testing.T) {
	s, c := newTestServer(t, Options{})
	r := c.do(t, http.MethodPost, "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "`+ssoUserSchema+`"],
		"userName": "jane@example.com",
		"displayName": "Jane Doe",
		"password": "s3cret-Passw0rd",
		"preferredLanguage": "de_DE",
		"`+ssoUserSchema+`": {"ssoCustomerId": "customer-42"}
	}`)
	r.expectStatus(t, http.StatusCreated)
	if ct := r.header.Get("Content-Type"); ct != scimContentType {
		t.Errorf("Content-Type = %q, want %q", ct, scimContentType)
	}
	created := decode[userJSON](t, r.body)
	fetched := c.do(t, http.MethodGet, "/Users/"+created.ID, "")
	fetched.expectStatus(t, http.StatusOK)
	listed := c.list(t, "")

	for name, body := range map[string][]byte{"POST": r.body, "GET": fetched.body, "list": listed.Resources[0]} {
		t.Run(name, func(t *testing.T) {
			raw := decode[map[string]any](t, body)
			for _, hidden := range []string{"password", "preferredLanguage", ssoUserSchema, "meta"} {
				if _, ok := raw[hidden]; ok {
					t.Errorf("response has %q: %s", hidden, body)
				}
			}
			if strings.Contains(string(body), "s3cret") || strings.Contains(string(body), "customer-42") {
				t.Errorf("response leaks a create-only value: %s", body)
			}
			u := decode[userJSON](t, body)
			if !regexp.MustCompile(`^u\d{7,}$`).MatchString(u.ID) {
				t.Errorf("id = %q, want u and 7+ digits", u.ID)
			}
			wantSchemas := name != "list" // list items omit schemas, like TeamViewer's
			if got := len(u.Schemas) == 1 && u.Schemas[0] == userSchema; got != wantSchemas {
				t.Errorf("schemas = %v, want present: %v", u.Schemas, wantSchemas)
			}
			if len(u.Emails) != 1 || u.Emails[0].Value != "jane@example.com" || !u.Emails[0].Primary {
				t.Errorf("emails = %+v, want the userName as the only, primary email", u.Emails)
			}
			if u.Name.Formatted != "Jane Doe" || *u.Name.GivenName != "Jane" || *u.Name.FamilyName != "Doe" {
				t.Errorf("name = %+v, want Jane Doe derived", u.Name)
			}
		})
	}

	stored, _ := s.User(created.ID)
	want := User{ID: created.ID, UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true,
		Password: "s3cret-Passw0rd", PreferredLanguage: "de_DE", SSOCustomerID: "customer-42"}
	if stored != want {
		t.Errorf("stored %+v, want %+v", stored, want)
	}
}

func TestDerivedNamesInResponses(t *testing.T) {
	tests := []struct {
		displayName      string
		wantGiven        *string
		wantFamily       *string
		wantGivenMethod  string
		wantFamilyMethod string
	}{
		{"Jane Doe", ptr("Jane"), ptr("Doe"), "Jane", "Doe"},
		{"Jane van Doe", ptr("Jane"), ptr("van Doe"), "Jane", "van Doe"},
		{"Cher", nil, nil, "", ""},
		{"", nil, nil, "", ""},
		{"Jane ", ptr("Jane"), ptr(""), "Jane", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.displayName), func(t *testing.T) {
			_, c := newTestServer(t, Options{})
			u := c.createUser(t, fmt.Sprintf(`{"userName":"a@example.com","displayName":%q}`, tt.displayName))
			if !equalPtr(u.Name.GivenName, tt.wantGiven) || !equalPtr(u.Name.FamilyName, tt.wantFamily) {
				t.Errorf("givenName %v familyName %v, want %v %v",
					show(u.Name.GivenName), show(u.Name.FamilyName), show(tt.wantGiven), show(tt.wantFamily))
			}
			given, givenOK := User{DisplayName: tt.displayName}.GivenName()
			family, familyOK := User{DisplayName: tt.displayName}.FamilyName()
			if given != tt.wantGivenMethod || givenOK != (tt.wantGiven != nil) ||
				family != tt.wantFamilyMethod || familyOK != (tt.wantFamily != nil) {
				t.Errorf("GivenName() = %q, %v; FamilyName() = %q, %v", given, givenOK, family, familyOK)
			}
		})
	}
}

func equalPtr(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func show(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}

func TestGetUser(t *testing.T) {
	s, c := newTestServer(t, Options{})
	u := s.AddUser(User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: false})

	r := c.do(t, http.MethodGet, "/Users/"+u.ID, "")
	r.expectStatus(t, http.StatusOK)
	if got := decode[userJSON](t, r.body); got.ID != u.ID || got.Active {
		t.Errorf("got %+v, want the inactive user %s", got, u.ID)
	}
	c.do(t, http.MethodGet, "/Users/u9999999", "").expectSCIMError(t, http.StatusNotFound, "")
}

func TestReplaceUser(t *testing.T) {
	s, c := newTestServer(t, Options{})
	u := s.AddUser(User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: false, Password: "pw", PreferredLanguage: "de_DE"})

	r := c.do(t, http.MethodPut, "/Users/"+u.ID, `{"schemas":["`+userSchema+`"],"userName":"jane.doe@example.com","name":{"givenName":"Janet"},"password":"ignored"}`)
	r.expectStatus(t, http.StatusOK)
	got := decode[userJSON](t, r.body)
	// Omitted attributes are reset: active defaults to true, the name comes only from the body.
	if got.UserName != "jane.doe@example.com" || got.DisplayName != "Janet" || !got.Active {
		t.Errorf("after PUT got %+v", got)
	}
	stored, _ := s.User(u.ID)
	if stored.Password != "pw" || stored.PreferredLanguage != "de_DE" {
		t.Errorf("PUT changed create-only attributes: %+v", stored)
	}

	c.do(t, http.MethodPut, "/Users/"+u.ID, `{"displayName":"No Name"}`).expectSCIMError(t, http.StatusBadRequest, scimTypeInvalidValue)
	c.do(t, http.MethodPut, "/Users/"+u.ID, `{"userName":"nope"}`).expectSCIMError(t, http.StatusBadRequest, scimTypeInvalidValue)
	c.do(t, http.MethodPut, "/Users/u9999999", `{"userName":"x@example.com"}`).expectSCIMError(t, http.StatusNotFound, "")
	if after, _ := s.User(u.ID); after != stored {
		t.Errorf("rejected PUTs changed the user: %+v", after)
	}
}

func TestUserNameUniqueness(t *testing.T) {
	reserved := []string{"taken@elsewhere.com"}
	tests := []struct {
		name string
		opts Options
		// request prepares the tenant and returns the request that must fail.
		request    func(t *testing.T, c *testClient, existing User) (method, path, body string)
		wantStatus int
	}{
		{"create with other case", Options{}, func(*testing.T, *testClient, User) (string, string, string) {
			return http.MethodPost, "/Users", `{"userName":"JANE@Example.com"}`
		}, http.StatusConflict},
		{"create via emails", Options{}, func(*testing.T, *testClient, User) (string, string, string) {
			return http.MethodPost, "/Users", `{"emails":[{"value":"jane@example.com"}]}`
		}, http.StatusConflict},
		{"create reserved elsewhere", Options{ReservedUserNames: reserved}, func(*testing.T, *testClient, User) (string, string, string) {
			return http.MethodPost, "/Users", `{"userName":"Taken@Elsewhere.com"}`
		}, http.StatusConflict},
		{"DuplicateStatus 400", Options{DuplicateStatus: http.StatusBadRequest}, func(*testing.T, *testClient, User) (string, string, string) {
			return http.MethodPost, "/Users", `{"userName":"jane@example.com"}`
		}, http.StatusBadRequest},
		{"replace with taken name", Options{}, func(t *testing.T, c *testClient, _ User) (string, string, string) {
			other := c.createUser(t, `{"userName":"other@example.com"}`)
			return http.MethodPut, "/Users/" + other.ID, `{"userName":"Jane@example.com"}`
		}, http.StatusConflict},
		{"patch to taken name", Options{}, func(t *testing.T, c *testClient, _ User) (string, string, string) {
			other := c.createUser(t, `{"userName":"other@example.com"}`)
			return http.MethodPatch, "/Users/" + other.ID, patchOps(`{"op":"replace","path":"userName","value":"jane@EXAMPLE.com"}`)
		}, http.StatusConflict},
		{"patch to reserved name", Options{ReservedUserNames: reserved}, func(_ *testing.T, _ *testClient, existing User) (string, string, string) {
			return http.MethodPatch, "/Users/" + existing.ID, patchOps(`{"op":"replace","path":"userName","value":"taken@elsewhere.com"}`)
		}, http.StatusConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestServer(t, tt.opts)
			existing := s.AddUser(User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true})
			method, path, body := tt.request(t, c, existing)
			before := s.Users()
			e := c.do(t, method, path, body).expectSCIMError(t, tt.wantStatus, scimTypeUniqueness)
			if !strings.Contains(e.Detail, "already in use") {
				t.Errorf("detail = %q", e.Detail)
			}
			if after := s.Users(); !slices.Equal(after, before) {
				t.Errorf("users changed to %+v, were %+v", after, before)
			}
		})
	}
}

func TestRenameToOwnNameInOtherCase(t *testing.T) {
	s, c := newTestServer(t, Options{})
	u := s.AddUser(User{UserName: "jane@example.com", Active: true})
	r := c.do(t, http.MethodPatch, "/Users/"+u.ID, patchOps(`{"op":"replace","path":"userName","value":"Jane@Example.com"}`))
	r.expectStatus(t, http.StatusOK)
	if got, _ := s.User(u.ID); got.UserName != "Jane@Example.com" {
		t.Errorf("userName = %q", got.UserName)
	}
}

func TestReservedUserNamesAreInvisible(t *testing.T) {
	_, c := newTestServer(t, Options{ReservedUserNames: []string{"taken@elsewhere.com"}})
	if l := c.list(t, "filter="+url.QueryEscape(`userName eq "taken@elsewhere.com"`)); l.TotalResults != 0 {
		t.Errorf("reserved userName is listed: %+v", l)
	}
	if l := c.list(t, ""); l.TotalResults != 0 {
		t.Errorf("list has %d users, want 0", l.TotalResults)
	}
}

func TestUnsupportedMethodsAndEndpoints(t *testing.T) {
	s, c := newTestServer(t, Options{})
	u := s.AddUser(User{UserName: "jane@example.com", Active: true})
	tests := []struct {
		method, path string
		wantStatus   int
		wantDetail   string
	}{
		{http.MethodDelete, "/Users/" + u.ID, http.StatusMethodNotAllowed, "active to false"},
		{http.MethodDelete, "/Users", http.StatusMethodNotAllowed, "active to false"},
		{http.MethodPut, "/Users", http.StatusMethodNotAllowed, "PUT"},
		{http.MethodPost, "/Users/" + u.ID, http.StatusMethodNotAllowed, "POST"},
		{http.MethodGet, "/ServiceProviderConfig", http.StatusNotFound, ""},
		{http.MethodGet, "/Schemas", http.StatusNotFound, ""},
		{http.MethodGet, "/ResourceTypes", http.StatusNotFound, ""},
		{http.MethodGet, "/Groups/g1/members", http.StatusNotFound, ""},
		{http.MethodGet, "/Users/" + u.ID + "/extra", http.StatusNotFound, ""},
		{http.MethodGet, "/Users/", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			body := ""
			if carriesBody(tt.method) {
				body = `{"userName":"x@example.com"}`
			}
			e := c.do(t, tt.method, tt.path, body).expectSCIMError(t, tt.wantStatus, "")
			if !strings.Contains(e.Detail, tt.wantDetail) {
				t.Errorf("detail = %q, want it to mention %q", e.Detail, tt.wantDetail)
			}
		})
	}
	if _, ok := s.User(u.ID); !ok {
		t.Error("DELETE removed the user")
	}
}

func TestOnChange(t *testing.T) {
	var changes atomic.Int32
	s, c := newTestServer(t, Options{OnChange: func() { changes.Add(1) }})
	u := c.createUser(t, `{"userName":"jane@example.com"}`)
	c.do(t, http.MethodGet, "/Users/"+u.ID, "")
	c.do(t, http.MethodPost, "/Users", `{"userName":"jane@example.com"}`) // duplicate
	c.do(t, http.MethodPatch, "/Users/"+u.ID, patchOps(`{"op":"replace","path":"displayName","value":"Jane"}`))
	c.do(t, http.MethodPatch, "/Users/"+u.ID, patchOps(`{"op":"replace","path":"displayName","value":"Jane"}`)) // no change
	s.AddUser(User{UserName: "hook@example.com"})
	if got := changes.Load(); got != 2 {
		t.Errorf("OnChange called %d times, want 2 (create, first patch)", got)
	}
}

func TestConcurrentCreatesKeepUserNamesUnique(t *testing.T) {
	s, c := newTestServer(t, Options{})
	const names, attempts = 20, 5
	var created atomic.Int32
	var wg sync.WaitGroup
	for i := range names * attempts {
		wg.Go(func() {
			r, err := c.send(t.Context(), http.MethodPost, "/Users", fmt.Sprintf(`{"userName":"user%d@example.com"}`, i%names), nil)
			if err != nil {
				t.Error(err)
				return
			}
			switch r.status {
			case http.StatusCreated:
				created.Add(1)
			case http.StatusConflict:
			default:
				t.Errorf("status %d: %s", r.status, r.body)
			}
			if _, err := c.send(t.Context(), http.MethodGet, "/Users?count=1", "", nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if created.Load() != names || len(s.Users()) != names {
		t.Errorf("created %d users (%d stored), want %d", created.Load(), len(s.Users()), names)
	}
}
