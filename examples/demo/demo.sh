#!/usr/bin/env bash
# `make demo`: a real Terraform run of this example against the TeamViewer emulator on loopback.
# Expects TERRAFORM, PROVIDER and EMULATOR to name built binaries (the GNUmakefile sets them).
set -euo pipefail

example=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$example/../.." && pwd)
work=$root/bin/demo
token=demo-token-$RANDOM$RANDOM

rm -rf "$work"
mkdir -p "$work"
cp "$example"/*.tf "$example"/*.tfvars "$work"/

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

"$EMULATOR" serve -addr 127.0.0.1:0 -token "$token" -state "$work/tenant.json" -ready-file "$work/url" &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true; wait $emulator_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ -s "$work/url" ] && break
  sleep 0.1
done
[ -s "$work/url" ] || { echo "the emulator did not start" >&2; exit 1; }
tenant_url=$(cat "$work/url")

export TF_CLI_CONFIG_FILE=$work/terraformrc
export TF_IN_AUTOMATION=1
export TEAMVIEWER_TENANT_URL=$tenant_url
export TEAMVIEWER_TOKEN=$token
admin_url=${tenant_url%/scim/v2}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show_users() {
  step "The emulator's view of the users"
  "$EMULATOR" users -url "$admin_url"
}
tf() { "$TERRAFORM" -chdir="$work" "$@"; }

step "terraform init (provider from a local mirror, emulator at $tenant_url)"
tf init -input=false -no-color | grep -v '^$'

step "terraform apply: create the team"
tf apply -input=false -auto-approve
show_users

step "terraform plan: nothing to change"
tf plan -input=false -detailed-exitcode

step "terraform apply -var-file=changes.tfvars: a rename and a leaver, in place"
tf apply -input=false -auto-approve -var-file=changes.tfvars
show_users

step "terraform destroy: TeamViewer cannot delete users, so they are deactivated"
tf destroy -input=false -auto-approve -var-file=changes.tfvars
show_users

step "Done. The emulator's data is in bin/demo/tenant.json."
