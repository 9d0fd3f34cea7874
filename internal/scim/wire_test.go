package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestDecodeUser(t *testing.T) {
	tests := []struct {
		name string
		body string
		want User
	}{
		{
			name: "TeamViewer shape without schemas and meta",
			body: `{"id":"u1","userName":"jane@example.com","displayName":"Jane Doe","name":{"givenName":"Jane","familyName":"Doe"},"active":true}`,
			want: User{ID: "u1", UserName: "jane@example.com", DisplayName: "Jane Doe", GivenName: "Jane", FamilyName: "Doe", Active: true},
		},
		{
			name: "null name parts",
			body: `{"id":"u1","userName":"a@b.c","displayName":"Cher","name":{"formatted":"Cher","givenName":null,"familyName":null},"active":false}`,
			want: User{ID: "u1", UserName: "a@b.c", DisplayName: "Cher"},
		},
		{
			name: "name null, active missing",
			body: `{"id":"u1","userName":"a@b.c","name":null}`,
			want: User{ID: "u1", UserName: "a@b.c", Active: true},
		},
		{
			name: "active null",
			body: `{"id":"u1","active":null}`,
			want: User{ID: "u1", Active: true},
		},
		{
			name: "active as string False",
			body: `{"id":"u1","active":"False"}`,
			want: User{ID: "u1"},
		},
		{
			name: "active as string true",
			body: `{"id":"u1","active":"true","meta":{"resourceType":"User"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`,
			want: User{ID: "u1", Active: true},
		},
		{
			name: "unknown members and extension ignored",
			body: `{"id":"u1","externalId":7,"urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser":{"ssoCustomerId":"x"},"active":true}`,
			want: User{ID: "u1", Active: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeUser([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeUserRejects(t *testing.T) {
	for _, body := range []string{
		``, `null`, `{}`, `[]`, `"u1"`, `<html>`,
		`{"userName":"a@b.c"}`,
		`{"id":"u1","active":"yes"}`,
		`{"id":"u1","active":{}}`,
		`{"id":"u1"} trailing`,
	} {
		if u, err := decodeUser([]byte(body)); err == nil {
			t.Errorf("decodeUser(%q) = %+v, want an error", body, u)
		}
	}
}

func TestDecodeListResponse(t *testing.T) {
	page, err := decodeListResponse([]byte(`{"totalResults":"2","startIndex":0,"resources":[{"id":"u1"},{"id":"u2","active":false}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if page.total != 2 || len(page.users) != 2 || page.users[1].Active {
		t.Errorf("got %+v", page)
	}

	page, err = decodeListResponse([]byte(`{"Resources":[]}`))
	if err != nil || page.total != -1 || len(page.users) != 0 {
		t.Errorf("no totalResults: got %+v, %v", page, err)
	}

	for _, body := range []string{`{}`, `{"totalResults":1,"Resources":[{"userName":"x"}]}`, `{"totalResults":true}`, `[]`} {
		if _, err := decodeListResponse([]byte(body)); err == nil {
			t.Errorf("decodeListResponse(%s): want an error", body)
		}
	}
}

// A 2xx that is not the expected JSON must be ErrInvalidResponse with an
// excerpt of the body, never a panic or an empty User.
func TestInvalidSuccessResponses(t *testing.T) {
	tests := []struct {
		name, contentType, body, wantInError string
	}{
		{"proxy HTML", "text/html", "<html><body><h1>Proxy Login</h1></body></html>", "Proxy Login"},
		{"empty body", "application/scim+json", "", "(empty body)"},
		{"JSON without id", "application/json", `{"userName":"jane@example.com"}`, "no id"},
		{"truncated JSON", "application/scim+json", `{"id":"u1","userName":`, "unexpected end"},
		{"text with JSON content type", "application/json", "Service temporarily unavailable", "Service temporarily"},
		{"unreadable active", "application/scim+json", `{"id":"u1","active":"yes"}`, `"yes" into Go struct field wireUser.active`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				_, _ = io.WriteString(w, tt.body)
			}, nil)
			u, err := c.GetUser(t.Context(), "u1")
			if !errors.Is(err, ErrInvalidResponse) {
				t.Fatalf("got %+v, %v; want ErrInvalidResponse", u, err)
			}
			if u != (User{}) {
				t.Errorf("got user %+v alongside the error", u)
			}
			e := asError(t, err)
			if e.StatusCode != http.StatusOK || !strings.Contains(err.Error(), tt.wantInError) {
				t.Errorf("error %q: want status 200 and %q", err, tt.wantInError)
			}
			if e.Hint() == "" {
				t.Error("no hint for an invalid response")
			}
		})
	}
}

func TestEncodeNewUser(t *testing.T) {
	b, err := json.Marshal(newWireUser(NewUser{
		UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true,
		Password: "pw", PreferredLanguage: "de_DE", SSOCustomerID: "cust-1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser"],` +
		`"userName":"jane@example.com","displayName":"Jane Doe","active":true,"password":"pw","preferredLanguage":"de_DE",` +
		`"urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser":{"ssoCustomerId":"cust-1"}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}

	b, _ = json.Marshal(newWireUser(NewUser{UserName: "jane@example.com", DisplayName: "Jane Doe"}))
	want = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jane@example.com","displayName":"Jane Doe","active":false}`
	if string(b) != want {
		t.Errorf("minimal user: got %s\nwant %s", b, want)
	}
}

// Seeds: testdata/fuzz/FuzzDecodeUser.
func FuzzDecodeUser(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := decodeUser(body)
		if err == nil && u.ID == "" {
			t.Fatalf("decodeUser(%q) returned a user without id", body)
		}
		if page, err := decodeListResponse(body); err == nil {
			for _, u := range page.users {
				if u.ID == "" {
					t.Fatalf("decodeListResponse(%q) returned a user without id", body)
				}
			}
		}
	})
}

func BenchmarkDecodeListResponse(b *testing.B) {
	users := make([]string, 1000)
	for i := range users {
		users[i] = userJSON(User{ID: fmt.Sprintf("u%d", i), UserName: fmt.Sprintf("user%d@example.com", i), DisplayName: "Some User", Active: true}, false)
	}
	body := []byte(`{"totalResults":1000,"startIndex":0,"itemsPerPage":1000,"Resources":[` + strings.Join(users, ",") + `]}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := decodeListResponse(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeNewUser(b *testing.B) {
	u := NewUser{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true, Password: "pw", PreferredLanguage: "de_DE", SSOCustomerID: "c"}
	for b.Loop() {
		if _, err := json.Marshal(newWireUser(u)); err != nil {
			b.Fatal(err)
		}
	}
}
