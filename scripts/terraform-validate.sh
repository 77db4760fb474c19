#!/usr/bin/env bash
# `npm run test:terraform`: terraform init -backend=false + terraform validate on every synthesized stack.
# Not part of `npm test`: it needs a terraform binary and access to the provider registry (or a plugin cache /
# filesystem mirror configured through TF_CLI_CONFIG_FILE or TF_PLUGIN_CACHE_DIR).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v terraform >/dev/null 2>&1; then
  echo "SKIPPED: no terraform binary on the PATH, so the synthesized stacks were not validated."
  echo "Install Terraform >= 1.10 and run 'npm run test:terraform' again."
  exit 0
fi
echo "using $(terraform version 2>/dev/null | head -1)"

if [ ! -d cdktf.out/stacks ]; then
  npm run --silent synth
fi

status=0
for dir in cdktf.out/stacks/*/; do
  stack="$(basename "$dir")"
  work="$(mktemp -d "${TMPDIR:-/tmp}/tfvalidate-$stack-XXXXXX")"
  cp -r "$dir". "$work/"
  echo "== $stack"
  if ! (cd "$work" && terraform init -backend=false -input=false -no-color >init.log 2>&1); then
    echo "FAILED: terraform init could not install the providers for $stack (see below). Validation did not run."
    grep -E "Error|could not|no such host" "$work/init.log" | head -5
    status=1
    continue
  fi
  if (cd "$work" && terraform validate -no-color); then
    echo "OK: $stack is valid"
  else
    status=1
  fi
  rm -rf "$work"
done
exit $status
