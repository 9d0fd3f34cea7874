package emulator

import (
	"net/http"
	"testing"
)

func TestPatch(t *testing.T) {
	jane := User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true}
	tests := []struct {
		name  string
		start User
		body  string
		want  User // ID is filled in
	}{
		{"displayName", jane, patchOps(`{"op":"replace","path":"displayName","value":"Janet Smith"}`),
			User{UserName: "jane@example.com", DisplayName: "Janet Smith", Active: true}},
		{"userName", jane, patchOps(`{"op":"replace","path":"userName","value":"janet@example.com"}`),
			User{UserName: "janet@example.com", DisplayName: "Jane Doe", Active: true}},
		{"emails.value", jane, patchOps(`{"op":"replace","path":"emails.value","value":"janet@example.com"}`),
			User{UserName: "janet@example.com", DisplayName: "Jane Doe", Active: true}},
		{"filtered emails path as Entra sends", jane, patchOps(`{"op":"replace","path":"emails[type eq \"work\"].value","value":"janet@example.com"}`),
			User{UserName: "janet@example.com", DisplayName: "Jane Doe", Active: true}},
		{"name.formatted", jane, patchOps(`{"op":"replace","path":"name.formatted","value":"Janet Smith"}`),
			User{UserName: "jane@example.com", DisplayName: "Janet Smith", Active: true}},
		{"name.givenName keeps family name", jane, patchOps(`{"op":"replace","path":"name.givenName","value":"Janet"}`),
			User{UserName: "jane@example.com", DisplayName: "Janet Doe", Active: true}},
		{"name.familyName keeps given name", jane, patchOps(`{"op":"replace","path":"name.familyName","value":"van Dyke"}`),
			User{UserName: "jane@example.com", DisplayName: "Jane van Dyke", Active: true}},
		{"given then family on a one-word name", User{UserName: "cher@example.com", DisplayName: "Cher", Active: true},
			patchOps(`{"op":"replace","path":"name.givenName","value":"Cherilyn"}`, `{"op":"replace","path":"name.familyName","value":"Sarkisian"}`),
			User{UserName: "cher@example.com", DisplayName: "Cherilyn Sarkisian", Active: true}},
		{"familyName on a one-word name", User{UserName: "cher@example.com", DisplayName: "Cher", Active: true},
			patchOps(`{"op":"replace","path":"name.familyName","value":"Sarkisian"}`),
			User{UserName: "cher@example.com", DisplayName: "Sarkisian", Active: true}},
		{"name object", jane, patchOps(`{"op":"replace","path":"name","value":{"givenName":"Janet","familyName":"Smith"}}`),
			User{UserName: "jane@example.com", DisplayName: "Janet Smith", Active: true}},
		{"active false", jane, patchOps(`{"op":"replace","path":"active","value":false}`),
			User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: false}},
		{"active as Entra's string False", jane, patchOps(`{"op":"Replace","path":"active","value":"False"}`),
			User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: false}},
		{"active as string true", User{UserName: "jane@example.com", DisplayName: "Jane Doe"},
			patchOps(`{"op":"replace","path":"active","value":"TRUE"}`),
			User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true}},
		{"op and path ignore case", jane, patchOps(`{"op":"REPLACE","path":"DisplayName","value":"Janet"}`),
			User{UserName: "jane@example.com", DisplayName: "Janet", Active: true}},
		{"schema-qualified path", jane, patchOps(`{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:displayName","value":"Janet"}`),
			User{UserName: "jane@example.com", DisplayName: "Janet", Active: true}},
		{"path-less partial user", jane, patchOps(`{"op":"replace","value":{"displayName":"Janet Smith","active":false,"emails":[{"value":"janet@example.com","primary":true}]}}`),
			User{UserName: "janet@example.com", DisplayName: "Janet Smith", Active: false}},
		{"path-less dotted keys as Entra sends", jane, patchOps(`{"op":"Replace","value":{"name.givenName":"Janet","emails[type eq \"work\"].value":"janet@example.com"}}`),
			User{UserName: "janet@example.com", DisplayName: "Janet Doe", Active: true}},
		{"path-less displayName wins over name parts", jane, patchOps(`{"op":"replace","value":{"name":{"givenName":"X"},"displayName":"Janet Smith"}}`),
			User{UserName: "jane@example.com", DisplayName: "Janet Smith", Active: true}},
		{"operations apply in order", jane, patchOps(`{"op":"replace","path":"displayName","value":"First"}`, `{"op":"replace","path":"displayName","value":"Second Try"}`),
			User{UserName: "jane@example.com", DisplayName: "Second Try", Active: true}},
		{"null value changes nothing", jane, patchOps(`{"op":"replace","path":"displayName","value":null}`), jane},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestServer(t, Options{})
			start := s.AddUser(tt.start)
			r := c.do(t, http.MethodPatch, "/Users/"+start.ID, tt.body)
			r.expectStatus(t, http.StatusOK)
			tt.want.ID = start.ID
			if stored, _ := s.User(start.ID); stored != tt.want {
				t.Errorf("stored %+v, want %+v", stored, tt.want)
			}
			got := decode[userJSON](t, r.body)
			if got.ID != tt.want.ID || got.UserName != tt.want.UserName || got.DisplayName != tt.want.DisplayName || got.Active != tt.want.Active {
				t.Errorf("response %+v, want the full user %+v", got, tt.want)
			}
		})
	}
}

func TestPatchRejects(t *testing.T) {
	tests := []struct {
		name         string
		body         string
		wantStatus   int
		wantScimType string
	}{
		{"add", patchOps(`{"op":"add","path":"displayName","value":"X"}`), http.StatusBadRequest, scimTypeInvalidSyntax},
		{"remove", patchOps(`{"op":"remove","path":"displayName"}`), http.StatusBadRequest, scimTypeInvalidSyntax},
		{"no PatchOp schema", `{"schemas":["` + userSchema + `"],"Operations":[{"op":"replace","path":"displayName","value":"X"}]}`,
			http.StatusBadRequest, scimTypeInvalidSyntax},
		{"no operations", patchOps(), http.StatusBadRequest, scimTypeInvalidSyntax},
		{"malformed JSON", `{"schemas":`, http.StatusBadRequest, scimTypeInvalidSyntax},
		{"missing value", patchOps(`{"op":"replace","path":"displayName"}`), http.StatusBadRequest, scimTypeInvalidValue},
		{"id", patchOps(`{"op":"replace","path":"id","value":"u1"}`), http.StatusBadRequest, scimTypeMutability},
		{"password", patchOps(`{"op":"replace","path":"password","value":"x"}`), http.StatusBadRequest, scimTypeMutability},
		{"preferredLanguage in value", patchOps(`{"op":"replace","value":{"preferredLanguage":"de_DE"}}`), http.StatusBadRequest, scimTypeMutability},
		{"SSO extension", patchOps(`{"op":"replace","path":"` + ssoUserSchema + `:ssoCustomerId","value":"x"}`), http.StatusBadRequest, scimTypeMutability},
		{"unknown path", patchOps(`{"op":"replace","path":"title","value":"x"}`), http.StatusBadRequest, scimTypeInvalidPath},
		{"unknown key in value", patchOps(`{"op":"replace","value":{"externalId":"x"}}`), http.StatusBadRequest, scimTypeInvalidPath},
		{"unknown name part", patchOps(`{"op":"replace","path":"name.middleName","value":"x"}`), http.StatusBadRequest, scimTypeInvalidPath},
		{"filter on a simple attribute", patchOps(`{"op":"replace","path":"name[givenName eq \"Jane\"].familyName","value":"x"}`), http.StatusBadRequest, scimTypeInvalidPath},
		{"unparsable path", patchOps(`{"op":"replace","path":"display name","value":"x"}`), http.StatusBadRequest, scimTypeInvalidPath},
		{"value not an object", patchOps(`{"op":"replace","value":"x"}`), http.StatusBadRequest, scimTypeInvalidSyntax},
		{"userName not an email", patchOps(`{"op":"replace","path":"userName","value":"jane"}`), http.StatusBadRequest, scimTypeInvalidValue},
		{"active not a boolean", patchOps(`{"op":"replace","path":"active","value":"no"}`), http.StatusBadRequest, scimTypeInvalidValue},
		{"displayName not a string", patchOps(`{"op":"replace","path":"displayName","value":7}`), http.StatusBadRequest, scimTypeInvalidValue},
		// Atomicity: the valid first operation must not be applied.
		{"valid then invalid", patchOps(`{"op":"replace","path":"displayName","value":"Changed"}`, `{"op":"add","path":"active","value":false}`),
			http.StatusBadRequest, scimTypeInvalidSyntax},
		{"valid then duplicate", patchOps(`{"op":"replace","path":"displayName","value":"Changed"}`, `{"op":"replace","path":"userName","value":"OTHER@example.com"}`),
			http.StatusConflict, scimTypeUniqueness},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestServer(t, Options{})
			s.AddUser(User{UserName: "other@example.com", Active: true})
			u := s.AddUser(User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true})
			c.do(t, http.MethodPatch, "/Users/"+u.ID, tt.body).expectSCIMError(t, tt.wantStatus, tt.wantScimType)
			if stored, _ := s.User(u.ID); stored != u {
				t.Errorf("rejected PATCH changed the user to %+v", stored)
			}
		})
	}
}

func TestPatchUnknownUser(t *testing.T) {
	_, c := newTestServer(t, Options{})
	c.do(t, http.MethodPatch, "/Users/u9999999", patchOps(`{"op":"replace","path":"active","value":false}`)).
		expectSCIMError(t, http.StatusNotFound, "")
}
