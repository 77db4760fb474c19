#!/usr/bin/env bash
# Proves the Helm stage bites: renders fixture stacks that carry known defects on purpose and asserts the
# checker reports each one with the stack, the release and the object, and fails. Run by run.sh first.
#   fixtures/local  - a small local chart: a pod without seccompProfile in a restricted namespace, a
#                     misspelled field in a built-in kind, a latest image, a custom resource breaking its CRD,
#                     one without a CRD, an identity-bound service account nobody creates; plus good-* objects
#                     that must stay clean (no false positives) and interpolations that must become placeholders.
#   fixtures/mlflow - the real MLflow chart with the values the library first shipped, in a restricted
#                     namespace. Needs the chart: runs when MLOPS_CHARTS_DIR is set or MLOPS_HELM_SELFTEST_ONLINE=1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${HELM_BIN:-}" ] || [ -z "${K8S_CHECK_BIN:-}" ]; then
  . "$here/tools.sh"
  ensure_tools
fi

fail=0
# run_fixture <dir>: runs the checker, which must exit 1 (findings), not 0 (missed) or 2 (broken).
run_fixture() {
  local rc=0
  output="$("$K8S_CHECK_BIN" -helm "$HELM_BIN" ${MLOPS_CHARTS_DIR:+-charts "$MLOPS_CHARTS_DIR"} \
    -chart-cache "${VERIFY_CACHE:-/tmp}/charts" "$1" 2>&1)" || rc=$?
  if [ "$rc" != 1 ]; then
    echo "selftest: expected exit 1 from the checker on $1, got $rc" >&2
    fail=1
  fi
}
expect() { # expect <description> <fixed string> [<second fixed string on the same line>]
  if ! grep -F -- "$2" <<<"$output" | grep -q -F -- "${3:-}"; then
    echo "selftest: MISSED $1: no line with '$2' ${3:+and '$3'}" >&2
    fail=1
  fi
}
absent() { # absent <description> <fixed string>
  if grep -q -F -- "$2" <<<"$output"; then
    echo "selftest: FALSE POSITIVE $1:" >&2
    grep -F -- "$2" <<<"$output" >&2
    fail=1
  fi
}

run_fixture "$here/fixtures/local"
obj="selftest-bad release bad-workload: Deployment bad-restricted/bad-app"
expect "Pod Security: no seccompProfile in a restricted namespace" "[pod-security] $obj" 'seccompProfile'
expect "Pod Security: may run as root" "[pod-security] $obj" 'runAsNonRoot'
expect "strict decoding: misspelled field" "[schema] $obj" 'unknown field "spec.template.spec.containers[0].imagePullPolice"'
expect "latest image" "[image] $obj" '"busybox:latest" uses the latest tag'
expect "custom resource: wrong type" "[schema] selftest-bad release bad-workload: Widget bad-restricted/bad-widget" 'spec.replicas'
expect "custom resource: unknown field" "[schema] selftest-bad release bad-workload: Widget bad-restricted/bad-widget" 'unknown field "spec.colour"'
expect "custom resource without CRD" "[not-checked] selftest-bad release bad-workload: Gadget bad-restricted/bad-gadget" 'no CRD'
expect "identity-bound service account not rendered" "[service-account] selftest-bad:" 'ServiceAccount bad-restricted/missing-sa'
expect "summary line" "helm: 1 releases rendered, 4 Pod Security violations, 3 schema errors, 1 image findings, 1 service-account findings, 1 custom resources not checked (8 objects checked, 2 custom resources validated against their CRD)"
absent "good objects" "good-"
absent "unresolved interpolation" '${'
local_output="$output"

# Interpolations became placeholders of the right shape, and $${ stayed literal text (Terraform's escape).
dump="$(mktemp -d)"; trap 'rm -rf "$dump"' EXIT
"$K8S_CHECK_BIN" -helm "$HELM_BIN" -dump "$dump" "$here/fixtures/local" >/dev/null 2>&1 || true
manifest="$dump/selftest-bad/Bad_Workload.yaml"
output="$(cat "$manifest" 2>/dev/null || true)"
expect "hostname placeholder" 'host: "ph-bad-database.placeholder.invalid"'
expect "ARN placeholder (secret, stack region)" 'secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ph-bad-database-'
expect "escaped interpolation kept literally" 'literal: "${NOT_AN_INTERPOLATION}"'

if [ -n "${MLOPS_CHARTS_DIR:-}" ] || [ "${MLOPS_HELM_SELFTEST_ONLINE:-}" = 1 ]; then
  run_fixture "$here/fixtures/mlflow"
  expect "MLflow without seccompProfile in a restricted namespace" \
    "[pod-security] selftest-mlflow release mlflow: Deployment mlflow-restricted/mlflow" 'seccompProfile'
  mlflow_checked=" and the MLflow fixture"
else
  mlflow_checked=" (MLflow fixture skipped: no MLOPS_CHARTS_DIR)"
fi

if [ "$fail" != 0 ]; then
  echo "selftest: the Helm checker did not report the known defects; its output was:" >&2
  echo "$local_output" >&2
  [ "$output" = "$local_output" ] || echo "$output" >&2
  exit 1
fi
echo "helm selftest: ok, known defects reported for the local fixture$mlflow_checked"
