#!/usr/bin/env bash
# Terraform stage of `npm run verify`: `terraform init -backend=false` and `terraform validate` on every synthesized
# stack, with real providers built from the Go module proxy and installed through a filesystem mirror in the tool
# cache. No Terraform registry is ever contacted.
#
# Usage: bash scripts/verify/terraform/run.sh [<cdktf.out>]
# Last line: "terraform: N stacks validated, E errors". Exit status 1 when any stack has an error or a provider
# could not be built. Environment:
#   MLOPS_VERIFY_CACHE        tool cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-mlops)
#   MLOPS_VERIFY_TERRAFORM    "build" to build OpenTofu from the Go module proxy even when a terraform >= 1.11 is
#                             on the PATH (what happens when there is none), or the path of a terraform binary
#   MLOPS_VERIFY_REFRESH=1    ask the Go module proxy again which provider builds it serves (otherwise the
#                             answer recorded in the cache for each binding version is reused)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$(cd "${1:-$root/cdktf.out}" && pwd)" || { echo "terraform: 0 stacks validated, 1 errors (no cdktf.out)"; exit 1; }
cache="${MLOPS_VERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-mlops}"
tool="$here/tf-tool.js"
min_terraform="1.11.0" # PlatformStack.MIN_TERRAFORM_VERSION: use_lockfile (1.10), ephemeral resources and write-only arguments (1.11)
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_validate
mkdir -p "$cache/resolved"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/mlops-verify-terraform-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

fail_stage() { echo "terraform: 0 stacks validated, 1 errors ($1)"; exit 1; }

stacks=()
for dir in "$out"/stacks/*/; do
  [ -f "$dir/cdk.tf.json" ] && stacks+=("${dir%/}")
done
[ ${#stacks[@]} -gt 0 ] || fail_stage "no stacks in $out/stacks"

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

# The first URL of GOPROXY, or nothing when modules come straight from their origin.
goproxy_url() {
  local p
  p="$(go env GOPROXY | tr '|' ',' | cut -d, -f1)"
  case "$p" in http*) echo "${p%/}";; *) echo "";; esac
}

# Module path as the proxy protocol spells it (upper case letters as "!" + lower case).
escape_module() { echo "$1" | sed -E 's/([A-Z])/!\L\1/g'; }

# The newest version (by commit time) the Go module proxy serves for a module; "" when it lists none.
newest_served() {
  local module="$1" proxy list best="" best_time="" v t
  proxy="$(goproxy_url)"
  if [ -z "$proxy" ]; then
    go list -m -json "$module@latest" 2>/dev/null | sed -n 's/^\s*"Version": "\(.*\)",\?$/\1/p'
    return
  fi
  list="$(curl -fsS --max-time 60 "$proxy/$(escape_module "$module")/@v/list")" || return 0
  for v in $list; do
    t="$(curl -fsS --max-time 60 "$proxy/$(escape_module "$module")/@v/$v.info" | sed -n 's/.*"Time" *: *"\([^"]*\)".*/\1/p')"
    if [ -n "$t" ] && { [ -z "$best_time" ] || [[ "$t" > "$best_time" ]]; }; then best="$v"; best_time="$t"; fi
  done
  echo "$best"
}

# Downloads module@version through the proxy; prints the module's directory, or the proxy's answer on stderr.
download() {
  local json
  json="$(cd "$tmp" && go mod download -json "$1@$2" 2>&1)"
  local dir err
  dir="$(echo "$json" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')"
  if [ -n "$dir" ] && [ -d "$dir" ]; then echo "$dir"; return 0; fi
  err="$(echo "$json" | sed -n 's/^\s*"Error": "\(.*\)",\?$/\1/p' | tail -1)"
  echo "${err:-$(echo "$json" | tail -1)}" >&2
  return 1
}

# An honest semver for a commit build, from the first heading of the module's CHANGELOG.md:
# "6.48.0 (Unreleased)" -> 6.48.0-dev.<sha12> (a development build before 6.48.0);
# "3.2.1 (Jun 30, 2026)" -> 3.2.1+<sha12> (the 3.2.1 line at a later commit).
commit_version() {
  local dir="$1" sha="$2" heading base
  heading="$(grep -m1 -E '^#+ *v?[0-9]+\.[0-9]+\.[0-9]+' "$dir/CHANGELOG.md" 2>/dev/null || true)"
  base="$(echo "$heading" | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)"
  if [ -z "$base" ]; then echo "0.0.0-dev.$sha"; elif echo "$heading" | grep -qi unreleased; then echo "$base-dev.$sha"; else echo "$base+$sha"; fi
}

# --- Terraform itself -------------------------------------------------------------------------------------------
terraform_bin=""
if [ -n "${MLOPS_VERIFY_TERRAFORM:-}" ] && [ "${MLOPS_VERIFY_TERRAFORM}" != build ]; then
  terraform_bin="$MLOPS_VERIFY_TERRAFORM"
elif [ "${MLOPS_VERIFY_TERRAFORM:-}" != build ] && command -v terraform >/dev/null 2>&1; then
  v="$(TF_CLI_CONFIG_FILE=/dev/null terraform version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')"
  if [ -n "$v" ] && version_ge "$v" "$min_terraform"; then terraform_bin="$(command -v terraform)"; else
    echo "terraform ${v:-?} on the PATH is older than $min_terraform: building one from the Go module proxy"; fi
fi
if [ -z "$terraform_bin" ]; then
  # Terraform >= 1.10 cannot be built from the Go module proxy: its go.mod replaces its backends with local
  # submodules, which module zips leave out. OpenTofu (the same language, validate and JSON output) can.
  tofu_ver="$(newest_served github.com/opentofu/opentofu)"
  [ -n "$tofu_ver" ] || fail_stage "no terraform >= $min_terraform on the PATH, and the Go module proxy serves no OpenTofu"
  version_ge "${tofu_ver#v}" "$min_terraform" || fail_stage "the newest OpenTofu the proxy serves, $tofu_ver, is older than $min_terraform"
  terraform_bin="$cache/opentofu/${tofu_ver#v}/tofu"
  if [ ! -x "$terraform_bin" ]; then
    echo "building OpenTofu $tofu_ver from the Go module proxy (no terraform >= $min_terraform on the PATH)"
    start=$(date +%s)
    dir="$(download github.com/opentofu/opentofu "$tofu_ver")" || fail_stage "downloading OpenTofu $tofu_ver failed"
    mkdir -p "$(dirname "$terraform_bin")"
    (cd "$dir" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$terraform_bin.tmp" ./cmd/tofu) || fail_stage "building OpenTofu $tofu_ver failed"
    mv "$terraform_bin.tmp" "$terraform_bin"
    echo "built OpenTofu $tofu_ver in $(( $(date +%s) - start )) s"
  fi
fi
tf_version="$(TF_CLI_CONFIG_FILE=/dev/null "$terraform_bin" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')"
case "$(basename "$terraform_bin")" in tofu*) tf_name=OpenTofu ;; *) tf_name=Terraform ;; esac
echo "using $tf_name $tf_version ($terraform_bin)"

# --- providers --------------------------------------------------------------------------------------------------
provider_rows="$(node "$tool" providers "$root" "$here/providers.tsv" "${stacks[@]}")" || fail_stage "unknown providers"
pins=()
provider_errors=0
# The rows come on fd 3, so nothing run inside the loop can read them from stdin.
while IFS=$'\t' read -r -u 3 name namespace module binding commit used_by; do
  [ -n "$name" ] || continue
  record="$cache/resolved/$name-$binding.env"
  if [ "${MLOPS_VERIFY_REFRESH:-0}" = 1 ] || [ ! -s "$record" ]; then
    modver=""; version=""; why=""
    if [ "$commit" != "-" ]; then
      if dir="$(download "$module" "$commit" 2>"$tmp/err")"; then
        modver="$(basename "$dir")"; modver="${modver##*@}"; version="$binding"
      else
        answer="$(sed -n 's/.*server response: *//p' "$tmp/err" | head -1)"
        why="the Go module proxy serves no build of $binding (asked for the commit of its tag, ${commit:0:12}: ${answer:-$(head -c 200 "$tmp/err")})"
      fi
    else
      why="the Go module proxy serves no build of $binding (its tag has no /vN module suffix, and the commit of v$binding is not recorded in scripts/verify/terraform/providers.tsv)"
    fi
    if [ -z "$modver" ]; then
      served="$(newest_served "$module")"
      if [ -z "$served" ] || ! dir="$(download "$module" "$served" 2>"$tmp/err")"; then
        echo "provider $name: bindings $binding: cannot build it: $why; and the proxy serves no other build ($(head -c 200 "$tmp/err" 2>/dev/null))"
        provider_errors=$((provider_errors + 1)); continue
      fi
      modver="$served"
      sha="${served##*-}"
      if [[ "$served" =~ [0-9]{14}-[0-9a-f]{12}$ ]]; then version="$(commit_version "$dir" "$sha")"; else version="${served#v}"; fi
      if [ "${version%%.*}" -lt "${binding%%.*}" ] 2>/dev/null; then
        echo "provider $name: bindings $binding: cannot build it: $why; and the newest build the proxy serves, $served ($version), is of an older major version"
        provider_errors=$((provider_errors + 1)); continue
      fi
    fi
    printf 'modver=%q\nversion=%q\nwhy=%q\n' "$modver" "$version" "$why" >"$record"
  fi
  modver=""; version=""; why=""
  # shellcheck disable=SC1090
  . "$record"
  if ! bash "$here/../build-provider.sh" "$name" "$modver" "$version" "$module" "$namespace" >"$tmp/build-$name.out" 2>"$tmp/build-$name.err"; then
    cat "$tmp/build-$name.err"
    echo "provider $name: building $module@$modver failed"
    provider_errors=$((provider_errors + 1)); continue
  fi
  grep -E '^(built|waiting)' "$tmp/build-$name.err" || true
  if [ "$version" = "$binding" ]; then
    echo "provider $name: bindings $binding, validated with $binding ($module@$modver)"
  else
    ts="$(echo "$modver" | grep -oE '[0-9]{14}' | head -1)"
    echo "provider $name: bindings $binding, validated with $version (commit ${modver##*-}${ts:+ of ${ts:0:4}-${ts:4:2}-${ts:6:2}}): $why"
  fi
  pins+=("$name=$version")
done 3<<<"$provider_rows"

# --- validate every stack ---------------------------------------------------------------------------------------
# OpenTofu resolves "hashicorp/aws" to registry.opentofu.org: the mirror answers for that host with the same builds
# (hard links: OpenTofu does not follow symlinked directories in a mirror).
if [ "$tf_name" = OpenTofu ]; then
  [ -L "$cache/plugins/registry.opentofu.org" ] && rm "$cache/plugins/registry.opentofu.org"
  (cd "$cache/plugins/registry.terraform.io" && find . -type f -name 'terraform-provider-*' | while read -r f; do
    mkdir -p "../registry.opentofu.org/$(dirname "$f")" && ln -f "$f" "../registry.opentofu.org/$f"
  done)
fi
cat >"$cache/terraform.rc" <<EOF
# Generated by scripts/verify/terraform/run.sh: providers come only from the verify cache's filesystem mirror.
# The same directory as plugin cache makes init link the (large) binaries instead of copying them per stack.
disable_checkpoint = true
plugin_cache_dir = "$cache/plugins"
plugin_cache_may_break_dependency_lock_file = true
provider_installation {
  filesystem_mirror {
    path    = "$cache/plugins"
    include = ["*/*/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$cache/terraform.rc"

validated=0
errors=$provider_errors
for dir in "${stacks[@]}"; do
  stack="$(basename "$dir")"
  work="$tmp/stacks/$stack"
  mkdir -p "$work"
  cp -r "$dir/." "$work/"
  node "$tool" rewrite "$dir/cdk.tf.json" "$work/cdk.tf.json" "${pins[@]}"
  if ! (cd "$work" && "$terraform_bin" init -backend=false -input=false -no-color >init.log 2>&1); then
    echo "  $stack: error: terraform init failed, so the stack was not validated:"
    grep -vE '^\s*$' "$work/init.log" | grep -A3 -E 'Error' | head -12 | sed 's/^/    /'
    errors=$((errors + 1)); continue
  fi
  (cd "$work" && "$terraform_bin" validate -json -no-color >validate.json 2>validate.err)
  if ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$work/validate.json" 2>/dev/null; then
    echo "  $stack: error: terraform validate gave no JSON result:"; head -20 "$work/validate.err" | sed 's/^/    /'
    errors=$((errors + 1)); continue
  fi
  node "$tool" diagnostics "$stack" "$work/validate.json" "$work/cdk.tf.json" >"$work/diagnostics.txt"
  grep -v '^COUNTS ' "$work/diagnostics.txt"
  read -r _ e w < <(grep '^COUNTS ' "$work/diagnostics.txt")
  echo "  $stack: valid=$(grep -q '"valid": *true' "$work/validate.json" && echo true || echo false), $e errors, $w warnings"
  validated=$((validated + 1))
  errors=$((errors + e))
done

echo "terraform: $validated stacks validated, $errors errors"
[ "$errors" -eq 0 ] && [ "$validated" -eq ${#stacks[@]} ]
