#!/usr/bin/env bash
# Helm stage of `npm run verify` (issue 7, step 3).
# Usage: scripts/verify/helm/run.sh <cdktf.out dir>      (env MLOPS_CHARTS_DIR: offline chart mirror, optional)
#
# Builds helm and the project's checker (k8s-check) from the Go module proxy into the tool cache, proves
# the checker still catches known defects (selftest.sh), then renders every helm_release of every stack
# and checks the result. Prints one line per finding and a summary line; exits non-zero on any error.
set -euo pipefail
out="${1:?usage: run.sh <cdktf.out dir>}"
[ -d "$out/stacks" ] || { echo "helm: $out/stacks not found (run npm run synth first)" >&2; exit 2; }

. "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_tools

# Pulled charts (online mode) are cached by repository, name and version next to the tools.
chart_cache="$VERIFY_CACHE/charts"

if [ "${MLOPS_HELM_SKIP_SELFTEST:-}" != 1 ]; then
  HELM_BIN="$HELM_BIN" K8S_CHECK_BIN="$K8S_CHECK_BIN" bash "$HELM_STAGE_DIR/selftest.sh" >&2
fi

exec "$K8S_CHECK_BIN" -helm "$HELM_BIN" -chart-cache "$chart_cache" ${MLOPS_CHARTS_DIR:+-charts "$MLOPS_CHARTS_DIR"} "$out"
