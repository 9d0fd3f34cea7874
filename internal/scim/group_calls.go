package scim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// schemaGroup is the core Group schema that a group create carries.
const schemaGroup = "urn:ietf:params:scim:schemas:core:2.0:Group"

// Paging and batching of groups. TeamViewer documents neither: other SCIM
// servers cap the members of one PATCH at 100, and a page of 100 groups with
// their members stays well below maxResponseBytes even for large groups.
const (
	defaultGroupPageSize = 100
	// MaxMembersPerRequest is the most member values one request carries.
	MaxMembersPerRequest = 100
)

// Group is a TeamViewer user group as the API returns it.
type Group struct {
	ID          string // opaque; TeamViewer does not document its format
	DisplayName string
	// Members are the ids of the group's users, in the server's order.
	Members []string
	// MembersKnown is false when the answer left members out, as a list
	// may: then Members says nothing, and a GET of the group is needed.
	MembersKnown bool
}

// wireGroup is a Group resource as TeamViewer returns it (RFC 7643): a
// member's value is the user's id; display and $ref are not read.
type wireGroup struct {
	ID          string        `json:"id"`
	DisplayName string        `json:"displayName"`
	Members     *[]wireMember `json:"members"`
}

type wireMember struct {
	Value string `json:"value"`
}

func (w wireGroup) group() (Group, error) {
	if w.ID == "" {
		return Group{}, errors.New("group has no id")
	}
	g := Group{ID: w.ID, DisplayName: w.DisplayName, MembersKnown: w.Members != nil}
	if w.Members != nil {
		g.Members = make([]string, 0, len(*w.Members))
		for _, m := range *w.Members {
			if m.Value == "" {
				return Group{}, errors.New("group has a member without value")
			}
			g.Members = append(g.Members, m.Value)
		}
	}
	return g, nil
}

func decodeGroup(body []byte) (Group, error) {
	var w wireGroup
	if err := json.Unmarshal(body, &w); err != nil {
		return Group{}, err
	}
	return w.group()
}

// wireNewGroup is the body of POST /Groups as Entra ID sends it: no members
// (they follow in PATCH requests, at most MaxMembersPerRequest each).
type wireNewGroup struct {
	Schemas     []string     `json:"schemas"`
	DisplayName string       `json:"displayName"`
	Members     []wireMember `json:"members"`
}

// memberValues is the value of a members operation.
func memberValues(ids []string) []wireMember {
	values := make([]wireMember, len(ids))
	for i, id := range ids {
		values[i] = wireMember{Value: id}
	}
	return values
}

// GetGroup returns the group with the given id, with its members; a missing
// group is an error matching ErrNotFound.
func (c *Client) GetGroup(ctx context.Context, id string) (Group, error) {
	op := "get group " + id
	path, err := groupPath(op, id)
	if err != nil {
		return Group{}, err
	}
	g, err := c.doGroup(ctx, c.newCall(op, http.MethodGet, path, nil))
	if err == nil && !g.MembersKnown {
		// A group read by itself that names no members has none.
		g.Members, g.MembersKnown = []string{}, true
	}
	return g, err
}

// ListGroups returns every group matching opts.Filter, with members unless
// the server leaves them out, reading all pages.
func (c *Client) ListGroups(ctx context.Context, opts ListOptions) ([]Group, error) {
	var groups []Group
	err := c.eachGroupPage(ctx, "list groups", opts, true, func(page []Group) error {
		groups = append(groups, page...)
		return nil
	})
	return groups, err
}

// eachGroupPage pages through the groups matching opts.Filter as eachPage
// does through users; withMembers false asks TeamViewer to leave members out
// (excludedAttributes=members), as Entra ID does for lookups.
func (c *Client) eachGroupPage(ctx context.Context, op string, opts ListOptions, withMembers bool, fn func(page []Group) error) error {
	size := opts.PageSize
	if size <= 0 {
		size = defaultGroupPageSize
	}
	fetch := func(start, count int) ([]Group, int, error) {
		return c.fetchGroupPage(ctx, op, opts.Filter, start, count, withMembers)
	}
	return pageThrough(op, "groups", size, fetch, func(g Group) string { return g.ID }, fn)
}

// fetchGroupPage requests one page of groups.
func (c *Client) fetchGroupPage(ctx context.Context, op, filter string, start, count int, withMembers bool) ([]Group, int, error) {
	cl := c.newCall(op, http.MethodGet, "/Groups", nil)
	cl.query = url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(count)}}
	if filter != "" {
		cl.query.Set("filter", filter)
	}
	if !withMembers {
		cl.query.Set("excludedAttributes", "members")
	}
	var (
		groups []Group
		total  int
	)
	err := c.do(ctx, cl, func(b []byte) (err error) {
		groups, total, err = decodeResources(b, wireGroup.group)
		return err
	})
	return groups, total, err
}

// countGroups learns the number of groups with one small request.
func (c *Client) countGroups(ctx context.Context) (int, error) {
	_, total, err := c.fetchGroupPage(ctx, "count groups", "", 1, 1, false)
	return total, err
}

// findGroupsExact returns the groups that a filter displayName eq "name"
// answers with and whose name equals it without regard to case: one
// request, members left out. TeamViewer's filters may be case-sensitive,
// so a miss does not prove that no case variant exists.
func (c *Client) findGroupsExact(ctx context.Context, op, name string) ([]Group, error) {
	groups, _, err := c.fetchGroupPage(ctx, op, EqualFilter("displayName", name), 1, defaultGroupPageSize, false)
	if err != nil {
		return nil, err
	}
	var matches []Group
	for _, g := range groups {
		if strings.EqualFold(g.DisplayName, name) {
			matches = append(matches, g)
		}
	}
	return matches, nil
}

// newCreateGroupCall prepares the POST of a group named displayName.
func (c *Client) newCreateGroupCall(displayName string) *call {
	return c.newCall("create group "+displayName, http.MethodPost, "/Groups",
		wireNewGroup{Schemas: []string{schemaGroup}, DisplayName: displayName, Members: []wireMember{}})
}

// patchGroup sends one PATCH of the group with the given operations, in the
// form Entra ID sends ("Add", "Remove", "Replace"). TeamViewer may answer 200
// with the group or 204 without it; returned tells which.
func (c *Client) patchGroup(ctx context.Context, op, id string, ops ...wirePatchOp) (g Group, returned bool, err error) {
	path, err := groupPath(op, id)
	if err != nil {
		return Group{}, false, err
	}
	cl := c.newCall(op, http.MethodPatch, path, wirePatch{Schemas: []string{schemaPatchOp}, Operations: ops})
	err = c.do(ctx, cl, func(b []byte) (err error) {
		if len(strings.TrimSpace(string(b))) == 0 {
			return nil
		}
		g, err = decodeGroup(b)
		returned = err == nil
		return err
	})
	return g, returned, err
}

// DeleteGroup deletes the group; a missing group is an error matching
// ErrNotFound.
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	op := "delete group " + id
	path, err := groupPath(op, id)
	if err != nil {
		return err
	}
	return c.do(ctx, c.newCall(op, http.MethodDelete, path, nil), func([]byte) error { return nil })
}

// doGroup performs a call whose answer is a single Group.
func (c *Client) doGroup(ctx context.Context, cl *call) (Group, error) {
	var g Group
	err := c.do(ctx, cl, func(b []byte) (err error) {
		g, err = decodeGroup(b)
		return err
	})
	return g, err
}

// groupPath returns the escaped path of a group.
func groupPath(op, id string) (string, error) {
	return resourcePath(op, "Groups", id)
}
