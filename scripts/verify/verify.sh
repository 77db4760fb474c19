#!/usr/bin/env bash
# `npm run verify`: synthesizes every example stack (fresh cdktf.out) and checks each one with the real engines:
#   terraform  scripts/verify/terraform/run.sh  terraform init + validate with providers built from the Go module proxy
#   checkov    scripts/verify/checkov/run.sh    pinned checkov; every failure must match a recorded suppression
#   helm       scripts/verify/helm/run.sh       helm template of every release, Pod Security and schema checks
# Prints one summary line per engine and the total time; exits non-zero when any engine fails or is missing.
# Tools are built or installed once into the cache, keyed by version:
#   MLOPS_VERIFY_CACHE  (default ${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-mlops)
#   MLOPS_CHARTS_DIR    a local chart mirror (<dir>/<folder>/chart/) for the Helm stage; unset: charts are pulled
#                       from their repositories
# Options: --no-synth  check the cdktf.out that is there instead of synthesizing again.
#          --only <engine>[,<engine>]  run only these engines (terraform, checkov, helm).
# See scripts/verify/README.md.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export MLOPS_VERIFY_CACHE="${MLOPS_VERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-mlops}"
export CHECKPOINT_DISABLE=1
synth=1
engines="terraform,checkov,helm"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-synth) synth=0 ;;
    --only) engines="$2"; shift ;;
    *) echo "usage: verify.sh [--no-synth] [--only terraform,checkov,helm]" >&2; exit 2 ;;
  esac
  shift
done

start=$(date +%s)
logs="$(mktemp -d "${TMPDIR:-/tmp}/mlops-verify-XXXXXX")"
banner() { printf '\n=== verify: %s ===\n' "$*"; }

if [ "$synth" = 1 ]; then
  banner "synth"
  rm -rf cdktf.out
  if ! npm run --silent synth; then
    echo "verify: FAILED: npm run synth failed"; exit 1
  fi
fi
ls cdktf.out/stacks/*/cdk.tf.json >/dev/null 2>&1 || { echo "verify: FAILED: no stacks in cdktf.out/stacks"; exit 1; }
echo "stacks: $(cd cdktf.out/stacks && ls -d */ | tr -d / | tr '\n' ' ')"
echo "tool cache: $MLOPS_VERIFY_CACHE"
echo "charts: ${MLOPS_CHARTS_DIR:+mirror $MLOPS_CHARTS_DIR}${MLOPS_CHARTS_DIR:-pulled from their repositories (MLOPS_CHARTS_DIR is unset)}"

summaries=()
status=0
run_engine() {
  local engine="$1" script="$2" shape="$3" t0 rc line
  banner "$engine"
  t0=$(date +%s)
  if [ ! -f "$script" ]; then
    line="$engine: FAILED: the $engine stage is missing ($script does not exist), so nothing was checked"
    echo "$line"
    summaries+=("$line"); status=1; return
  fi
  bash "$script" "$root/cdktf.out" 2>&1 | tee "$logs/$engine.log"
  rc=${PIPESTATUS[0]}
  # The summary line has a known shape; other "<engine>: ..." lines are progress.
  line="$(grep -E "^$engine: .*$shape" "$logs/$engine.log" | tail -1)"
  [ -n "$line" ] || line="$engine: FAILED (exit $rc, no summary line)"
  if [ "$rc" -ne 0 ]; then
    status=1
    case "$line" in *FAILED*) ;; *) line="$line  [FAILED, exit $rc]" ;; esac
  fi
  summaries+=("$line  ($(( $(date +%s) - t0 )) s)")
}

for engine in ${engines//,/ }; do
  case "$engine" in
    terraform) run_engine terraform scripts/verify/terraform/run.sh 'stacks validated' ;;
    checkov) run_engine checkov scripts/verify/checkov/run.sh ' passed, ' ;;
    helm) run_engine helm scripts/verify/helm/run.sh 'releases rendered' ;;
    *) echo "unknown engine $engine"; exit 2 ;;
  esac
done

banner "summary"
printf '%s\n' "${summaries[@]}"
total=$(( $(date +%s) - start ))
if [ "$status" -eq 0 ]; then
  echo "verify: passed in ${total} s (logs: $logs)"
else
  echo "verify: FAILED in ${total} s (logs: $logs)"
fi
exit $status
