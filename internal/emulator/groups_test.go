package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// groupJSON decodes a group from the API; Members is nil when absent.
type groupJSON struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	ExternalID  string   `json:"externalId"`
	Members     *[]struct {
		Value   string `json:"value"`
		Display string `json:"display"`
		Ref     string `json:"$ref"`
	} `json:"members"`
}

// memberIDs returns the member values, failing when members is absent.
func (g groupJSON) memberIDs(t *testing.T) []string {
	t.Helper()
	if g.Members == nil {
		t.Fatalf("group %s has no members attribute", g.ID)
	}
	ids := []string{}
	for _, m := range *g.Members {
		ids = append(ids, m.Value)
	}
	return ids
}

func (c *testClient) createGroup(t *testing.T, body string) groupJSON {
	t.Helper()
	r := c.do(t, http.MethodPost, "/Groups", body)
	r.expectStatus(t, http.StatusCreated)
	return decode[groupJSON](t, r.body)
}

func (c *testClient) patchGroup(t *testing.T, id string, operations ...string) groupJSON {
	t.Helper()
	r := c.do(t, http.MethodPatch, "/Groups/"+id, patchOps(operations...))
	r.expectStatus(t, http.StatusOK)
	return decode[groupJSON](t, r.body)
}

// membersValue is a PATCH value naming users as members.
func membersValue(ids ...string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf(`{"value":%q}`, id)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestCreateGroup(t *testing.T) {
	s, c := newTestServer(t, Options{})
	jane := s.AddUser(User{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true})
	joe := s.AddUser(User{UserName: "joe@example.com", Active: true})

	// As Entra ID creates a group: no members yet.
	g := c.createGroup(t, `{"schemas":["`+groupSchema+`"],"externalId":"entra-1","displayName":"Admins","members":[]}`)
	if !slices.Equal(g.Schemas, []string{groupSchema}) || !strings.HasPrefix(g.ID, "g") || g.DisplayName != "Admins" ||
		g.ExternalID != "entra-1" || len(g.memberIDs(t)) != 0 {
		t.Errorf("created %+v", g)
	}
	if stored, ok := s.Group(g.ID); !ok || stored.DisplayName != "Admins" || stored.ExternalID != "entra-1" || len(stored.Members) != 0 {
		t.Errorf("stored %+v (found %v)", stored, ok)
	}

	// With members, named twice, and attributes the server sets or ignores.
	g = c.createGroup(t, `{"displayName":"Staff","id":"chosen","meta":{},"members":[{"value":"`+jane.ID+`","display":"ignored"},{"value":"`+joe.ID+`"},{"value":"`+jane.ID+`"}]}`)
	if got := g.memberIDs(t); !slices.Equal(got, []string{jane.ID, joe.ID}) || g.ID == "chosen" {
		t.Fatalf("created %+v, want members %s and %s once each", g, jane.ID, joe.ID)
	}
	first := (*g.Members)[0]
	if first.Display != "Jane Doe" || first.Ref != c.url+BasePath+"/Users/"+jane.ID {
		t.Errorf("member %+v, want the user's display name and URL", first)
	}
	if raw := c.do(t, http.MethodGet, "/Groups/"+g.ID, "").body; !bytes.Contains(raw, []byte(`"value":"`+joe.ID+`","$ref":`)) {
		t.Errorf("a member without display name should omit display: %s", raw)
	}
}

func TestCreateGroupRejects(t *testing.T) {
	tests := []struct {
		name, body   string
		wantStatus   int
		wantScimType string
	}{
		{"no displayName", `{"members":[]}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"empty displayName", `{"displayName":""}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"displayName not a string", `{"displayName":7}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"member not a user", `{"displayName":"G","members":[{"value":"u404"}]}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"member without value", `{"displayName":"G","members":[{"display":"Jane"}]}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"members not objects", `{"displayName":"G","members":["u1"]}`, http.StatusBadRequest, scimTypeInvalidValue},
		{"malformed JSON", `{"displayName":`, http.StatusBadRequest, scimTypeInvalidSyntax},
		{"existing name in other case", `{"displayName":"ADMINS"}`, http.StatusConflict, scimTypeUniqueness},
		{"more members than the cap", `{"displayName":"G","members":[{"value":"m1"},{"value":"m2"},{"value":"m3"}]}`, http.StatusBadRequest, scimTypeTooMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestServer(t, Options{MaxMembersPerRequest: 2})
			s.AddUser(User{ID: "m1", UserName: "m1@example.com"})
			s.AddUser(User{ID: "m2", UserName: "m2@example.com"})
			s.AddUser(User{ID: "m3", UserName: "m3@example.com"})
			s.AddGroup(Group{DisplayName: "Admins"})
			c.do(t, http.MethodPost, "/Groups", tt.body).expectSCIMError(t, tt.wantStatus, tt.wantScimType)
			if n := len(s.Groups()); n != 1 {
				t.Errorf("%d groups, want the rejected one not created", n)
			}
		})
	}
}

func TestGetGroup(t *testing.T) {
	s, c := newTestServer(t, Options{})
	u := s.AddUser(User{UserName: "jane@example.com", DisplayName: "Jane", Active: true})
	g := s.AddGroup(Group{DisplayName: "Admins", Members: []string{u.ID}})

	got := decode[groupJSON](t, c.do(t, http.MethodGet, "/Groups/"+g.ID, "").body)
	if got.ID != g.ID || !slices.Equal(got.memberIDs(t), []string{u.ID}) {
		t.Errorf("got %+v", got)
	}
	// Entra ID reads groups without their members.
	for _, query := range []string{"excludedAttributes=members", "excludedAttributes=displayName,Members", "excludedAttributes=" + url.QueryEscape(groupSchema+":members")} {
		r := c.do(t, http.MethodGet, "/Groups/"+g.ID+"?"+query, "")
		r.expectStatus(t, http.StatusOK)
		if raw := decode[map[string]any](t, r.body); raw["members"] != nil || raw["displayName"] != "Admins" {
			t.Errorf("?%s returned %s, want no members and the rest", query, r.body)
		}
	}
	c.do(t, http.MethodGet, "/Groups/g404", "").expectSCIMError(t, http.StatusNotFound, "")
}

func TestListGroups(t *testing.T) {
	s, c := newTestServer(t, Options{})
	u := s.AddUser(User{UserName: "jane@example.com", Active: true})
	admins := s.AddGroup(Group{DisplayName: "Admins", ExternalID: "e1", Members: []string{u.ID}})
	staff := s.AddGroup(Group{DisplayName: "Staff"})
	s.AddGroup(Group{DisplayName: "Sales Team", ExternalID: "e3"})

	names := func(l listJSON) []string {
		var out []string
		for _, raw := range l.Resources {
			out = append(out, decode[groupJSON](t, raw).DisplayName)
		}
		return out
	}
	list := func(query string) listJSON {
		t.Helper()
		r := c.do(t, http.MethodGet, "/Groups?"+query, "")
		r.expectStatus(t, http.StatusOK)
		return decode[listJSON](t, r.body)
	}
	filters := []struct {
		filter string
		want   []string
	}{
		{`displayName eq "Admins"`, []string{"Admins"}},
		{`displayName eq "admins"`, nil}, // case-sensitive, like the user filters
		{`DISPLAYNAME sw "S"`, []string{"Staff", "Sales Team"}},
		{`displayName co "Team"`, []string{"Sales Team"}},
		{`displayName ew "s"`, []string{"Admins"}},
		{`displayName ne "Staff"`, []string{"Admins", "Sales Team"}},
		{`externalId pr`, []string{"Admins", "Sales Team"}},
		{`externalId ne "e1"`, []string{"Staff", "Sales Team"}},
		{`id eq "` + staff.ID + `"`, []string{"Staff"}},
		{`displayName eq "Admins" or displayName eq "Staff"`, []string{"Admins", "Staff"}},
		{`not (displayName sw "S") and externalId eq "e1"`, []string{"Admins"}},
	}
	for _, tt := range filters {
		l := list("filter=" + url.QueryEscape(tt.filter))
		if got := names(l); !slices.Equal(got, tt.want) || l.TotalResults != len(tt.want) {
			t.Errorf("filter %s: got %v (total %d), want %v", tt.filter, got, l.TotalResults, tt.want)
		}
	}

	l := list("startIndex=2&count=1")
	if got := names(l); !slices.Equal(got, []string{"Staff"}) || l.TotalResults != 3 || l.ItemsPerPage != 1 || l.StartIndex != 2 {
		t.Errorf("page 2 = %v, %+v", got, l)
	}
	if got := names(list("")); !slices.Equal(got, []string{"Admins", "Staff", "Sales Team"}) {
		t.Errorf("without count: %v, want every group", got)
	}
	if got := names(list("startIndex=9")); got != nil {
		t.Errorf("past the end: %v", got)
	}
	l = list("excludedAttributes=members&filter=" + url.QueryEscape(`displayName eq "Admins"`))
	if g := decode[groupJSON](t, l.Resources[0]); g.Members != nil || g.ID != admins.ID {
		t.Errorf("excluded members still listed: %+v", g)
	}
	if g := decode[groupJSON](t, list("count=1").Resources[0]); !slices.Equal(g.memberIDs(t), []string{u.ID}) {
		t.Errorf("members not listed: %+v", g)
	}
	for _, bad := range []string{`members eq "` + u.ID + `"`, `displayName gt "A"`, `displayName eq`, `emails[value eq "x"]`} {
		c.do(t, http.MethodGet, "/Groups?filter="+url.QueryEscape(bad), "").expectSCIMError(t, http.StatusBadRequest, scimTypeInvalidFilter)
	}
	c.do(t, http.MethodGet, "/Groups?count=x", "").expectSCIMError(t, http.StatusBadRequest, scimTypeInvalidValue)
}

func TestPatchGroup(t *testing.T) {
	s, c := newTestServer(t, Options{})
	var u []User
	for i := range 4 {
		u = append(u, s.AddUser(User{UserName: fmt.Sprintf("u%d@example.com", i), Active: true}))
	}
	g := s.AddGroup(Group{DisplayName: "Admins", ExternalID: "e1"})
	steps := []struct {
		name        string
		operations  []string
		wantMembers []string
		wantName    string
		wantExtID   string
	}{
		{"Entra's Add", []string{`{"op":"Add","path":"members","value":` + membersValue(u[0].ID, u[1].ID) + `}`},
			[]string{u[0].ID, u[1].ID}, "Admins", "e1"},
		{"add of a present member", []string{`{"op":"add","path":"members","value":` + membersValue(u[1].ID, u[2].ID) + `}`},
			[]string{u[0].ID, u[1].ID, u[2].ID}, "Admins", "e1"},
		{"Entra's Remove, with an absent member", []string{`{"op":"Remove","path":"members","value":` + membersValue(u[1].ID, u[3].ID) + `}`},
			[]string{u[0].ID, u[2].ID}, "Admins", "e1"},
		{"remove by filter", []string{`{"op":"remove","path":"members[value eq \"` + u[0].ID + `\"]"}`},
			[]string{u[2].ID}, "Admins", "e1"},
		{"remove by filter of an absent member", []string{`{"op":"remove","path":"members[value eq \"u404\"]"}`},
			[]string{u[2].ID}, "Admins", "e1"},
		{"replace members", []string{`{"op":"Replace","path":"members","value":` + membersValue(u[3].ID, u[0].ID) + `}`},
			[]string{u[3].ID, u[0].ID}, "Admins", "e1"},
		{"Entra's rename", []string{`{"op":"Replace","path":"displayName","value":"Administrators"}`},
			[]string{u[3].ID, u[0].ID}, "Administrators", "e1"},
		{"rename in other case of its own name", []string{`{"op":"replace","path":"displayName","value":"ADMINISTRATORS"}`},
			[]string{u[3].ID, u[0].ID}, "ADMINISTRATORS", "e1"},
		{"several operations in order", []string{
			`{"op":"remove","path":"members"}`,
			`{"op":"add","value":{"members":` + membersValue(u[1].ID) + `,"displayName":"Ops"}}`,
			`{"op":"replace","value":{"id":"` + g.ID + `","externalId":"e2"}}`,
		}, []string{u[1].ID}, "Ops", "e2"},
		{"remove externalId and filter with or", []string{
			`{"op":"remove","path":"externalId"}`,
			`{"op":"add","path":"members","value":{"value":"` + u[2].ID + `"}}`,
			`{"op":"remove","path":"members[value eq \"` + u[1].ID + `\" or value eq \"` + u[2].ID + `\"]"}`,
		}, []string{}, "Ops", ""},
	}
	for _, step := range steps {
		got := c.patchGroup(t, g.ID, step.operations...)
		if !slices.Equal(got.memberIDs(t), step.wantMembers) || got.DisplayName != step.wantName || got.ExternalID != step.wantExtID {
			t.Fatalf("%s: got %+v, want members %v, name %q, externalId %q", step.name, got, step.wantMembers, step.wantName, step.wantExtID)
		}
		if stored, _ := s.Group(g.ID); !slices.Equal(stored.Members, step.wantMembers) || stored.DisplayName != step.wantName {
			t.Fatalf("%s: stored %+v", step.name, stored)
		}
	}
	r := c.do(t, http.MethodPatch, "/Groups/"+g.ID+"?excludedAttributes=members", patchOps(`{"op":"add","path":"members","value":`+membersValue(u[0].ID)+`}`))
	if got := decode[groupJSON](t, r.body); r.status != http.StatusOK || got.Members != nil {
		t.Errorf("PATCH with excludedAttributes=members answered %d %s", r.status, r.body)
	}
}

func TestPatchGroupRejects(t *testing.T) {
	tests := []struct {
		name         string
		operations   []string
		wantStatus   int
		wantScimType string
	}{
		{"unknown op", []string{`{"op":"move","path":"members","value":[]}`}, http.StatusBadRequest, scimTypeInvalidSyntax},
		{"remove without path", []string{`{"op":"remove","value":{"members":[]}}`}, http.StatusBadRequest, scimTypeNoTarget},
		{"unknown path", []string{`{"op":"replace","path":"owner","value":"x"}`}, http.StatusBadRequest, scimTypeInvalidPath},
		{"unknown attribute without path", []string{`{"op":"replace","value":{"owner":"x"}}`}, http.StatusBadRequest, scimTypeInvalidPath},
		{"filtered add", []string{`{"op":"add","path":"members[value eq \"m1\"]","value":[]}`}, http.StatusBadRequest, scimTypeInvalidPath},
		{"filter on display", []string{`{"op":"remove","path":"members[display eq \"x\"]"}`}, http.StatusBadRequest, scimTypeInvalidPath},
		{"unparsable path", []string{`{"op":"remove","path":"members[value eq"}`}, http.StatusBadRequest, scimTypeInvalidPath},
		{"replace id", []string{`{"op":"replace","path":"id","value":"g1"}`}, http.StatusBadRequest, scimTypeMutability},
		{"remove displayName", []string{`{"op":"remove","path":"displayName"}`}, http.StatusBadRequest, scimTypeInvalidValue},
		{"empty displayName", []string{`{"op":"replace","path":"displayName","value":""}`}, http.StatusBadRequest, scimTypeInvalidValue},
		{"add without value", []string{`{"op":"add","path":"members"}`}, http.StatusBadRequest, scimTypeInvalidValue},
		{"member not a user, after a valid op", []string{
			`{"op":"replace","path":"displayName","value":"Renamed"}`,
			`{"op":"add","path":"members","value":` + membersValue("m2", "u404") + `}`,
		}, http.StatusBadRequest, scimTypeInvalidValue},
		{"rename to another group's name", []string{`{"op":"replace","path":"displayName","value":"staff"}`}, http.StatusConflict, scimTypeUniqueness},
		{"too many members across operations", []string{
			`{"op":"add","path":"members","value":` + membersValue("m1", "m2") + `}`,
			`{"op":"remove","path":"members","value":` + membersValue("m3") + `}`,
		}, http.StatusBadRequest, scimTypeTooMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestServer(t, Options{MaxMembersPerRequest: 2})
			for _, id := range []string{"m1", "m2", "m3"} {
				s.AddUser(User{ID: id, UserName: id + "@example.com"})
			}
			g := s.AddGroup(Group{DisplayName: "Admins", Members: []string{"m1"}})
			s.AddGroup(Group{DisplayName: "Staff"})
			c.do(t, http.MethodPatch, "/Groups/"+g.ID, patchOps(tt.operations...)).expectSCIMError(t, tt.wantStatus, tt.wantScimType)
			if after, _ := s.Group(g.ID); after.DisplayName != "Admins" || !slices.Equal(after.Members, []string{"m1"}) {
				t.Errorf("a rejected PATCH changed the group: %+v", after)
			}
		})
	}
	_, c := newTestServer(t, Options{})
	c.do(t, http.MethodPatch, "/Groups/g404", patchOps(`{"op":"remove","path":"members"}`)).expectSCIMError(t, http.StatusNotFound, "")
	c.do(t, http.MethodPatch, "/Groups/g404", `{"Operations":[{"op":"remove","path":"members"}]}`).expectSCIMError(t, http.StatusBadRequest, scimTypeInvalidSyntax)
}

func TestDeleteGroup(t *testing.T) {
	s, c := newTestServer(t, Options{})
	g := s.AddGroup(Group{DisplayName: "Admins"})
	r := c.do(t, http.MethodDelete, "/Groups/"+g.ID, "")
	r.expectStatus(t, http.StatusNoContent)
	if len(r.body) != 0 || r.header.Get("Content-Type") != "" {
		t.Errorf("204 with Content-Type %q and body %q", r.header.Get("Content-Type"), r.body)
	}
	if _, ok := s.Group(g.ID); ok {
		t.Error("the group is still there")
	}
	c.do(t, http.MethodDelete, "/Groups/"+g.ID, "").expectSCIMError(t, http.StatusNotFound, "")
	c.do(t, http.MethodGet, "/Groups/"+g.ID, "").expectSCIMError(t, http.StatusNotFound, "")

	// The name is free again.
	c.createGroup(t, `{"displayName":"Admins"}`)
	c.do(t, http.MethodPut, "/Groups/"+g.ID, `{"displayName":"X"}`).expectSCIMError(t, http.StatusMethodNotAllowed, "")
	r = c.do(t, http.MethodDelete, "/Groups", "")
	if e := r.expectSCIMError(t, http.StatusMethodNotAllowed, ""); strings.Contains(e.Detail, "users") || r.header.Get("Allow") != "GET, POST" {
		t.Errorf("DELETE /Groups: Allow %q, detail %q", r.header.Get("Allow"), e.Detail)
	}
}

func TestGroupRequestsAreCountedAndAuthorized(t *testing.T) {
	var changes atomic.Int32
	s, c := newTestServer(t, Options{ReadOnlyToken: "read-only", OnChange: func() { changes.Add(1) }})
	u := s.AddUser(User{UserName: "jane@example.com", Active: true})
	g := c.createGroup(t, `{"displayName":"Admins"}`)
	c.do(t, http.MethodGet, "/Groups", "")
	c.do(t, http.MethodGet, "/Groups/"+g.ID, "")
	add := patchOps(`{"op":"add","path":"members","value":` + membersValue(u.ID) + `}`)
	c.do(t, http.MethodPatch, "/Groups/"+g.ID, add)
	c.do(t, http.MethodPatch, "/Groups/"+g.ID, add) // changes nothing
	readOnly := c.withToken("read-only")
	readOnly.do(t, http.MethodGet, "/Groups/"+g.ID, "").expectStatus(t, http.StatusOK)
	readOnly.do(t, http.MethodPost, "/Groups", `{"displayName":"X"}`).expectStatus(t, http.StatusForbidden)
	readOnly.do(t, http.MethodDelete, "/Groups/"+g.ID, "").expectStatus(t, http.StatusForbidden)
	c.do(t, http.MethodDelete, "/Groups/"+g.ID, "").expectStatus(t, http.StatusNoContent)

	for _, tt := range []struct {
		method, route string
		want          int
	}{
		{http.MethodPost, "/Groups", 2},
		{http.MethodGet, "/Groups", 1},
		{http.MethodGet, "/Groups/{id}", 2},
		{http.MethodPatch, "/Groups/{id}", 2},
		{http.MethodDelete, "/Groups/{id}", 2},
	} {
		if got := s.Count(tt.method, tt.route); got != tt.want {
			t.Errorf("Count(%s, %s) = %d, want %d", tt.method, tt.route, got, tt.want)
		}
	}
	if got := changes.Load(); got != 3 {
		t.Errorf("OnChange called %d times, want 3 (create, first add, delete)", got)
	}
}

func TestDropAfterGroupDelete(t *testing.T) {
	s, c := newTestServer(t, Options{Faults: Faults{DropAfterWrite: 1}})
	g := s.AddGroup(Group{DisplayName: "Admins"})
	if _, err := c.send(t.Context(), http.MethodDelete, "/Groups/"+g.ID, "", nil); err == nil {
		t.Fatal("the client got a response, want a dropped connection")
	}
	if _, ok := s.Group(g.ID); ok {
		t.Error("the delete was not carried out")
	}
	if got := s.Requests()[0]; got.Fault != FaultDrop || got.Status != http.StatusNoContent {
		t.Errorf("recorded %+v", got)
	}
}

func TestGroupHooks(t *testing.T) {
	s, c := newTestServer(t, Options{})
	jane := s.AddUser(User{UserName: "jane@example.com", DisplayName: "Jane", Active: true})
	joe := s.AddUser(User{UserName: "joe@example.com", Active: true})

	first := s.AddGroup(Group{DisplayName: "Admins", Members: []string{jane.ID, jane.ID}})
	if first.ID != "g1000001" || !slices.Equal(first.Members, []string{jane.ID}) {
		t.Errorf("AddGroup = %+v", first)
	}
	chosen := s.AddGroup(Group{ID: "g5000000", DisplayName: "ADMINS"}) // duplicates are allowed here
	batch := s.AddGroups(2, "group%02d")
	if len(batch) != 2 || batch[0].ID != "g5000001" || batch[1].DisplayName != "group02" || batch[1].Members == nil {
		t.Errorf("AddGroups = %+v", batch)
	}
	if got := s.GroupsByDisplayName("admins"); len(got) != 2 {
		t.Errorf("GroupsByDisplayName found %d groups, want 2", len(got))
	}
	var order []string
	for _, g := range s.Groups() {
		order = append(order, g.ID)
	}
	if want := []string{first.ID, chosen.ID, batch[0].ID, batch[1].ID}; !slices.Equal(order, want) {
		t.Errorf("Groups() order = %v, want %v", order, want)
	}

	// Behind the provider's back: rename and add a member.
	if !s.UpdateGroup(first.ID, func(g *Group) {
		g.DisplayName = "Administrators"
		g.Members = append(g.Members, joe.ID, jane.ID)
		g.ID = "ignored"
	}) {
		t.Fatal("UpdateGroup did not find the group")
	}
	got := decode[groupJSON](t, c.do(t, http.MethodGet, "/Groups/"+first.ID, "").body)
	if got.DisplayName != "Administrators" || !slices.Equal(got.memberIDs(t), []string{jane.ID, joe.ID}) {
		t.Errorf("after UpdateGroup the API returns %+v", got)
	}
	if s.UpdateGroup("g404", func(*Group) {}) {
		t.Error("UpdateGroup found a missing group")
	}
	// The member's display follows the user; a removed user leaves its groups.
	s.Update(jane.ID, func(u *User) { u.DisplayName = "Janet" })
	if got := decode[groupJSON](t, c.do(t, http.MethodGet, "/Groups/"+first.ID, "").body); (*got.Members)[0].Display != "Janet" {
		t.Errorf("member display = %q, want the user's new name", (*got.Members)[0].Display)
	}
	s.Remove(jane.ID)
	if g, _ := s.Group(first.ID); !slices.Equal(g.Members, []string{joe.ID}) {
		t.Errorf("members after the user was removed: %v", g.Members)
	}
	// Snapshots are copies.
	snapshot, _ := s.Group(first.ID)
	snapshot.Members[0] = "changed"
	if g, _ := s.Group(first.ID); g.Members[0] != joe.ID {
		t.Error("changing a snapshot changed the group")
	}

	if !s.RemoveGroup(first.ID) || s.RemoveGroup(first.ID) {
		t.Error("RemoveGroup did not report existence")
	}
	c.do(t, http.MethodGet, "/Groups/"+first.ID, "").expectSCIMError(t, http.StatusNotFound, "")
	if s.TotalRequests() != 3 {
		t.Errorf("hooks were counted: %d requests", s.TotalRequests())
	}
}

func TestGroupHooksPanicOnBadInput(t *testing.T) {
	for name, hook := range map[string]func(s *Server){
		"AddGroup with a member that is not a user": func(s *Server) { s.AddGroup(Group{DisplayName: "G", Members: []string{"u404"}}) },
		"AddGroup with an id in use": func(s *Server) {
			g := s.AddGroup(Group{DisplayName: "G"})
			s.AddGroup(Group{ID: g.ID, DisplayName: "H"})
		},
		"UpdateGroup with a member that is not a user": func(s *Server) {
			g := s.AddGroup(Group{DisplayName: "G"})
			s.UpdateGroup(g.ID, func(g *Group) { g.Members = []string{"u404"} })
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			hook(New(Options{Token: testToken}))
		})
	}
}

func TestConcurrentMemberChanges(t *testing.T) {
	s, c := newTestServer(t, Options{})
	g := s.AddGroup(Group{DisplayName: "Everyone"})
	users := s.AddUsers(40, "user%02d@example.com")
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			body := patchOps(`{"op":"Add","path":"members","value":` + membersValue(u.ID) + `}`)
			if r, err := c.send(t.Context(), http.MethodPatch, "/Groups/"+g.ID, body, nil); err != nil || r.status != http.StatusOK {
				t.Errorf("PATCH: %v %d", err, r.status)
			}
		})
	}
	wg.Wait()
	if got, _ := s.Group(g.ID); len(got.Members) != len(users) {
		t.Errorf("%d members, want %d: a concurrent add was lost", len(got.Members), len(users))
	}
}
