#!/usr/bin/env bash
# checkov stage of `npm run verify`: a pinned checkov, installed from PyPI into a virtual environment in the tool
# cache, scans every synthesized stack's cdk.tf.json (Terraform JSON). Each failed check must match a suppression
# the library records (platform-report.json, policy.findings[].suppressedBecause); any other failure is an error.
#
# Usage: bash scripts/verify/checkov/run.sh [<cdktf.out>]
# Last line: "checkov: P passed, F failed, S suppressed". Environment: MLOPS_VERIFY_CACHE (tool cache).
set -uo pipefail
CHECKOV_VERSION="3.3.30"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$(cd "${1:-$root/cdktf.out}" && pwd)" || { echo "checkov: 0 passed, 1 failed, 0 suppressed (no cdktf.out)"; exit 1; }
cache="${MLOPS_VERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-mlops}"
python="${PYTHON:-python3}"
pyver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
venv="$cache/checkov/$CHECKOV_VERSION-py$pyver"

if [ ! -f "$venv/.installed" ]; then
  mkdir -p "$cache/checkov" "$cache/locks"
  exec 9>"$cache/locks/checkov-$CHECKOV_VERSION.lock"
  flock 9
  if [ ! -f "$venv/.installed" ]; then
    echo "installing checkov $CHECKOV_VERSION into $venv"
    start=$(date +%s)
    rm -rf "$venv" "$venv.tmp"
    # Installed beside its final place and then renamed, so an interrupted install is never taken for a good one
    # (the venv is run as "python -m checkov.main", which does not depend on the venv's own path).
    "$python" -m venv "$venv.tmp" && "$venv.tmp/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" \
      || { echo "checkov: 0 passed, 1 failed, 0 suppressed (installing checkov $CHECKOV_VERSION failed)"; exit 1; }
    touch "$venv.tmp/.installed" && mv "$venv.tmp" "$venv"
    echo "installed checkov $CHECKOV_VERSION in $(( $(date +%s) - start )) s"
  fi
  exec 9>&-
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/mlops-verify-checkov-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
stacks=()
for dir in "$out"/stacks/*/; do
  [ -f "$dir/cdk.tf.json" ] || continue
  stack="$(basename "$dir")"
  mkdir -p "$tmp/scan/$stack"
  # Only the Terraform JSON, not the chart assets. checkov's terraform_json parser reads every key of the
  # "terraform" settings block as a block and fails on the string required_version, losing the whole file: the
  # scanned copy leaves out the block's plain values (no check reads them).
  node -e '
    const fs = require("fs");
    const config = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    for (const [k, v] of Object.entries(config.terraform || {})) {
      if (v === null || typeof v !== "object") delete config.terraform[k];
    }
    fs.writeFileSync(process.argv[2], JSON.stringify(config, null, 2));
  ' "$dir/cdk.tf.json" "$tmp/scan/$stack/cdk.tf.json"
  stacks+=("${dir%/}")
done
[ ${#stacks[@]} -gt 0 ] || { echo "checkov: 0 passed, 1 failed, 0 suppressed (no stacks in $out/stacks)"; exit 1; }

# --skip-download: no calls to Prisma Cloud for guidelines or policies; checkov only reads the files.
(cd "$tmp/scan" && BC_SKIP_MAPPING=TRUE \
  "$venv/bin/python" -m checkov.main -d . --framework terraform_json --output json --skip-download --soft-fail >"$tmp/checkov.json" 2>"$tmp/checkov.err")
if ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$tmp/checkov.json" 2>/dev/null; then
  echo "checkov gave no JSON result:"; tail -20 "$tmp/checkov.err"
  echo "checkov: 0 passed, 1 failed, 0 suppressed (checkov did not run)"; exit 1
fi
echo "using checkov $("$venv/bin/python" -m checkov.main --version 2>/dev/null) over ${#stacks[@]} stacks"
node "$here/compare.js" "$tmp/checkov.json" "$root" "${stacks[@]}"
