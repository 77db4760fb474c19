# shellcheck shell=bash
# Sourced by run.sh and selftest.sh: builds (once, cached by version) the two tools of the Helm stage and
# sets HELM_BIN and K8S_CHECK_BIN. Everything comes from the Go module proxy; nothing is written to the repo.

# The Helm 3 line terraform-provider-helm embeds (its go.mod requires helm.sh/helm/v3 v3.20.2).
# Change the version here only.
HELM_VERSION="v3.20.2"

HELM_STAGE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERIFY_CACHE="${MLOPS_VERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-mlops}"

# Go must not write into the repo or ask a VCS server: modules come from the proxy, checksums from sumdb.
export GOFLAGS="-mod=readonly -buildvcs=false"
export CGO_ENABLED=0

build_helm() {
  local dest="$VERIFY_CACHE/tools/helm-$HELM_VERSION"
  HELM_BIN="$dest/helm"
  [ -x "$HELM_BIN" ] && return 0
  local dir start=$SECONDS
  dir="$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir" ] || { echo "helm: could not download helm.sh/helm/v3@$HELM_VERSION from the Go module proxy" >&2; return 1; }
  mkdir -p "$dest"
  # The same version stamps helm's Makefile sets (the k8s 1.35 defaults come from its go.mod: k8s.io/* v0.35).
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  ld="$ld -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=35"
  ld="$ld -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=35"
  # Built inside the downloaded module with its own go.mod/go.sum (complete, so -mod=readonly is enough).
  (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$HELM_BIN.tmp" ./cmd/helm) || return 1
  mv "$HELM_BIN.tmp" "$HELM_BIN"
  echo "helm: built helm $HELM_VERSION in $((SECONDS - start)) s" >&2
}

# The checker is keyed by a hash of its own sources, so any edit rebuilds it and an unchanged tree reuses it.
build_checker() {
  local src="$HELM_STAGE_DIR/k8s-check" key start=$SECONDS
  key="$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)"
  local dest="$VERIFY_CACHE/tools/k8s-check-$key"
  K8S_CHECK_BIN="$dest/k8s-check"
  [ -x "$K8S_CHECK_BIN" ] && return 0
  mkdir -p "$dest"
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$K8S_CHECK_BIN.tmp" .) || return 1
  mv "$K8S_CHECK_BIN.tmp" "$K8S_CHECK_BIN"
  # Builds of older sources are never used again.
  find "$VERIFY_CACHE/tools" -maxdepth 1 -name 'k8s-check-*' ! -name "k8s-check-$key" -exec rm -rf {} +
  echo "helm: built k8s-check in $((SECONDS - start)) s" >&2
}

ensure_tools() {
  command -v go >/dev/null || { echo "helm: Go is required to build helm and the checker" >&2; return 1; }
  build_helm && build_checker
  # helm keeps its config/cache/data under the tool cache, not in the user's ~/.config/helm.
  export HELM_CONFIG_HOME="$VERIFY_CACHE/helm-home/config" HELM_CACHE_HOME="$VERIFY_CACHE/helm-home/cache" \
    HELM_DATA_HOME="$VERIFY_CACHE/helm-home/data"
}
