#!/usr/bin/env bash
# `make demo`: a company that an identity provider has filled with users comes under Terraform, and
# is then managed as code: real Terraform runs against the TeamViewer emulator on loopback.
# Expects TERRAFORM (1.14 or later, for terraform query), PROVIDER and EMULATOR to name built
# binaries (the GNUmakefile sets them).
set -euo pipefail

example=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$example/../.." && pwd)
work=$root/bin/demo
token=demo-token-$RANDOM$RANDOM

rm -rf "$work"
mkdir -p "$work"
cp "$example"/main.tf "$example"/users.tfquery.hcl "$work"/

# Install the provider the way `terraform init` finds any provider: from a filesystem mirror, so
# init runs for real without a registry.
version=0.0.1
platform=$(go env GOOS)_$(go env GOARCH)
mirror=$work/mirror/registry.terraform.io/teamviewer-community/teamviewer/$version/$platform
mkdir -p "$mirror"
cp "$PROVIDER" "$mirror/terraform-provider-teamviewer_v$version"
cat > "$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/teamviewer-community/teamviewer"]
  }
}
RC
export TF_CLI_CONFIG_FILE=$work/terraformrc
export TF_IN_AUTOMATION=1

release=$("$TERRAFORM" version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')
IFS=. read -r major minor _ <<<"$release"
if [ "${major:-0}" -lt 1 ] || { [ "$major" -eq 1 ] && [ "${minor:-0}" -lt 14 ]; }; then
  echo "make demo needs Terraform 1.14 or later for terraform query; $TERRAFORM is ${release:-unknown}" >&2
  exit 1
fi

# The company as an identity provider left it: users it created over the years, one of whom has
# already left. The emulator loads them from its state file.
cat > "$work/tenant.json" <<'JSON'
{
  "users": [
    {"id": "u4100001", "userName": "ada.lovelace@example.com", "displayName": "Ada Lovelace", "active": true},
    {"id": "u4100002", "userName": "alan.turing@example.com", "displayName": "Alan Turing", "active": true},
    {"id": "u4100003", "userName": "grace.hopper@example.com", "displayName": "Grace Hopper", "active": true},
    {"id": "u4100004", "userName": "katherine.johnson@example.com", "displayName": "Katherine Johnson", "active": false},
    {"id": "u4100005", "userName": "margaret.hamilton@example.com", "displayName": "Margaret Hamilton", "active": true}
  ]
}
JSON

# The emulator says where it listens on its first line of output; a FIFO hands that line over as
# soon as it is written, and the rest of its output goes to a log.
mkfifo "$work/emulator.out"
"$EMULATOR" serve -addr 127.0.0.1:0 -token "$token" -state "$work/tenant.json" 2>"$work/emulator.out" &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true; wait $emulator_pid 2>/dev/null || true' EXIT
exec 3<"$work/emulator.out"
read -r listening <&3 || true
cat <&3 >"$work/emulator.log" &
tenant_url=${listening##* }
case $listening in
  "teamviewer-emulator listening on http://127.0.0.1:"*) ;;
  *) echo "the emulator did not start: ${listening:-no output}" >&2; exit 1 ;;
esac

export TEAMVIEWER_TENANT_URL=$tenant_url
export TEAMVIEWER_TOKEN=$token
admin_url=${tenant_url%/scim/v2}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show_users() {
  step "The emulator's view of the users"
  "$EMULATOR" users -url "$admin_url"
}
tf() { "$TERRAFORM" -chdir="$work" "$@"; }
# set_in_block FILE USER_NAME FROM TO replaces FROM by TO in the block (blocks are separated by
# blank lines, as Terraform generates them) that holds the user name.
set_in_block() {
  awk -v user="\"$2\"" -v from="$3" -v to="$4" -v RS= -v ORS='\n\n' 'index($0, user) { sub(from, to) } 1' "$1" >"$1.new"
  mv "$1.new" "$1"
}

show_users

step "terraform init (provider from a local mirror, emulator at $tenant_url)"
tf init -input=false -no-color | grep -E '^- Install|successfully initialized'

step "terraform query -generate-config-out=users.tf: find every user, write a resource and an import block for each"
tf query -no-color -generate-config-out=users.tf
awk -v RS= -v ORS='\n\n' '/resource "teamviewer_user"|^import \{/ { print; if (++n == 2) exit }' "$work/users.tf"
echo "... and the same for every user, in bin/demo/users.tf"

step "terraform apply: import them all, Katherine (who left) as active = false; TeamViewer sees only reads"
tf apply -input=false -auto-approve
show_users

step "Delete the import blocks, which have done their work: nothing to change"
awk -v RS= -v ORS='\n\n' '!/^import \{/' "$work/users.tf" >"$work/users.tf.new"
mv "$work/users.tf.new" "$work/users.tf"
tf plan -input=false -detailed-exitcode

step "Edit users.tf: add Hedy Lamarr, rename Ada, deactivate Alan, who has left"
cat >>"$work/users.tf" <<'HCL'
resource "teamviewer_user" "hedy" {
  user_name    = "hedy.lamarr@example.com"
  display_name = "Hedy Lamarr"
}
HCL
set_in_block "$work/users.tf" ada.lovelace@example.com '"Ada Lovelace"' '"Ada King, Countess of Lovelace"'
set_in_block "$work/users.tf" alan.turing@example.com 'active *= true' 'active = false'
tf fmt >/dev/null

step "terraform apply: one user added, two changed in place"
tf apply -input=false -auto-approve
show_users

step "terraform destroy: TeamViewer cannot delete users, so they are deactivated"
tf destroy -input=false -auto-approve
show_users

step "Done. The configuration is in bin/demo, the emulator's data in bin/demo/tenant.json."
