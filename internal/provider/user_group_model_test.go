package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestMemberDiff(t *testing.T) {
	add, remove := memberDiff([]string{"u1", "u2", "u3"}, []string{"u4", "u2", "u1", "u5"})
	if !slices.Equal(add, []string{"u4", "u5"}) || !slices.Equal(remove, []string{"u3"}) {
		t.Errorf("memberDiff = add %v, remove %v", add, remove)
	}
	if add, remove := memberDiff(nil, nil); add != nil || remove != nil {
		t.Errorf("no members, no difference: add %v, remove %v", add, remove)
	}
}

// memberSetValue compares as a set of strings does, whatever the order, and treats null and
// unknown as the framework does.
func TestMemberSetEquality(t *testing.T) {
	ctx := context.Background()
	unknown := memberSetValue{SetValue: types.SetUnknown(types.StringType)}
	withUnknown := memberSetValue{SetValue: types.SetValueMust(types.StringType, []attr.Value{types.StringValue("u1"), types.StringUnknown()})}
	cases := []struct {
		a, b memberSetValue
		want bool
	}{
		{memberSet([]string{"u1", "u2"}), memberSet([]string{"u2", "u1"}), true},
		{memberSet([]string{"u1", "u2"}), memberSet([]string{"u1", "u3"}), false},
		{memberSet([]string{"u1"}), memberSet([]string{"u1", "u2"}), false},
		{memberSet(nil), memberSet(nil), true},
		{memberSet(nil), noMembers(), false},
		{noMembers(), noMembers(), true},
		{unknown, unknown, true},
		{unknown, noMembers(), false},
		{withUnknown, withUnknown, true},
		{withUnknown, memberSet([]string{"u1", "u2"}), false},
	}
	for _, c := range cases {
		if got := c.a.Equal(c.b); got != c.want {
			t.Errorf("%s.Equal(%s) = %t, want %t", c.a, c.b, got, c.want)
		}
		if got := c.a.Equal(c.b.SetValue); got {
			t.Errorf("a memberSetValue must not equal a plain set: %s", c.a)
		}
		if got, _ := c.a.SetSemanticEquals(ctx, c.b); got != c.want {
			t.Errorf("%s.SetSemanticEquals(%s) = %t, want %t", c.a, c.b, got, c.want)
		}
	}
}

func TestMemberSetTypeValidate(t *testing.T) {
	ctx := context.Background()
	set := func(ids ...string) tftypes.Value {
		values := make([]tftypes.Value, len(ids))
		for i, id := range ids {
			values[i] = tftypes.NewValue(tftypes.String, id)
		}
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, values)
	}
	typ := newMemberSetType()
	if diags := typ.Validate(ctx, set("u1", "u2"), path.Root("members")); diags.HasError() {
		t.Errorf("distinct members: %v", diags)
	}
	if diags := typ.Validate(ctx, set("u1", "u2", "u1"), path.Root("members")); !diags.HasError() {
		t.Error("a duplicate member must be an error")
	}
	v, err := typ.ValueFromTerraform(ctx, set("u2", "u1"))
	if err != nil || !v.Equal(memberSet([]string{"u1", "u2"})) {
		t.Errorf("ValueFromTerraform = %v, %v", v, err)
	}
	if !typ.Equal(newMemberSetType()) || typ.Equal(types.SetType{ElemType: types.StringType}) {
		t.Error("memberSetType equals itself only")
	}
}
