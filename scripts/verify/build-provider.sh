#!/usr/bin/env bash
# Builds one Terraform provider from the Go module proxy into the verify tool cache, as a filesystem mirror
# entry: <cache>/plugins/registry.terraform.io/<namespace>/<name>/<version>/<os>_<arch>/terraform-provider-<name>_v<version>
#
# Usage: build-provider.sh <name> <go-module-version> <mirror-version> [<go-module-path>] [<namespace>]
#   <go-module-version>  what the Go module proxy serves (a tag, or a pseudo-version naming a commit)
#   <mirror-version>     the semver Terraform sees in the mirror (the release it is, or an honest dev name)
#   <go-module-path>     default github.com/hashicorp/terraform-provider-<name>
# Never calls a Terraform registry. A build that exists is reused (the cache is keyed by version); a second
# caller waits for a build of the same provider version that is under way instead of starting another.
# Each build records its wall time and peak memory in <cache>/builds/provider-<name>-<mirror-version>.txt.
set -euo pipefail
name="$1"; modver="$2"; version="$3"
module="${4:-github.com/hashicorp/terraform-provider-$name}"
namespace="${5:-hashicorp}"
cache="${MLOPS_VERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-mlops}"
os_arch="$(go env GOOS)_$(go env GOARCH)"
dest="$cache/plugins/registry.terraform.io/$namespace/$name/$version/$os_arch"
bin="$dest/terraform-provider-${name}_v$version"
info="$cache/builds/provider-$name-$version.txt"
mkdir -p "$cache/locks" "$cache/builds"

exec 9>"$cache/locks/provider-$name-$version.lock"
if ! flock -n 9; then
  echo "waiting for a build of $name $version that is already running" >&2
  flock 9
fi
# A build started some other way (without the lock) is waited for too, rather than started twice.
running="$(printf '%s' "-o $bin.tmp" | sed 's/[]\\.*^$()+?{}|[]/\\&/g')"
if pgrep -f -- "$running" >/dev/null 2>&1; then
  echo "waiting for the running go build of $bin" >&2
  while pgrep -f -- "$running" >/dev/null 2>&1; do sleep 20; done
fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

dir="$(go mod download -json "$module@$modver" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
[ -d "$dir" ] || { echo "could not download $module@$modver from the Go module proxy" >&2; exit 1; }
mkdir -p "$dest"
log="$cache/builds/provider-$name-$version.log"
echo "building $module@$modver as $name $version (log: $log)" >&2
start=$(date +%s)
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$log.time")
# -trimpath and stripped symbols keep the binary small; the build cache under GOCACHE makes rebuilds cheap.
# -mod=mod: the module cache is read-only and some providers' go.sum lack entries the build wants.
if ! (cd "$dir" && GOFLAGS=-mod=mod CGO_ENABLED=0 "${timer[@]}" go build -trimpath -ldflags "-s -w" -o "$bin.tmp" .) >"$log" 2>&1; then
  tail -20 "$log" >&2
  rm -f "$bin.tmp"
  echo "building $module@$modver failed (log: $log)" >&2
  exit 1
fi
mv "$bin.tmp" "$bin"
secs=$(( $(date +%s) - start ))
rss_kb="$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$log.time" 2>/dev/null || true)"
{
  echo "module=$module@$modver"
  echo "version=$version"
  echo "go=$(go env GOVERSION)"
  echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "wall_seconds=$secs"
  echo "peak_rss_kb=${rss_kb:-unknown}"
  echo "binary_bytes=$(stat -c %s "$bin")"
} >"$info"
echo "built $name $version in $secs s, peak RSS ${rss_kb:-?} kB" >&2
echo "$bin"
