#!/usr/bin/env bash
# Consumer install test: runs the README's "Using the constructs in your own stack" section literally.
#
# The commands and the files (cdktf.json, tsconfig.json, main.ts) are taken from README.md between the
# `<!-- consumer-test:... -->` markers, so the README and this test cannot drift apart. It starts from a fresh-clone
# state (a copy of the repository's tracked and unignored files: no node_modules, no build output), runs the
# commands there (`npm ci`, `npm pack` with its prepack build, a new project next to it, `npm install` of the
# tarball and the tools, `npx cdktf synth` with the real CLI), checks what the tarball ships and that the stack
# synthesized. Needs the npm registry or a warm npm cache (it prefers the cache).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/mlops-consumer-XXXXXX")"
trap 'rm -rf "$work"' EXIT
export CHECKPOINT_DISABLE=1 npm_config_prefer_offline=true npm_config_audit=false npm_config_fund=false npm_config_loglevel=error

# --- the README's section, extracted -----------------------------------------------------------------------------
readme="$root/README.md"
block_after() { # prints the fenced code block that follows the marker line "$1"
  awk -v marker="$1" '
    $0 == marker { found = 1; next }
    found && !open && /^```/ { open = 1; next }
    open && /^```/ { exit }
    open { print }
  ' "$readme"
}
mkdir -p "$work/files"
block_after '<!-- consumer-test:commands -->' > "$work/commands.sh"
for f in cdktf.json tsconfig.json main.ts; do
  block_after "<!-- consumer-test:file $f -->" > "$work/files/$f"
  test -s "$work/files/$f" || { echo "README.md has no block after <!-- consumer-test:file $f -->"; exit 1; }
done
test -s "$work/commands.sh" || { echo "README.md has no block after <!-- consumer-test:commands -->"; exit 1; }
# The one step the README gives in prose ("write cdktf.json, tsconfig.json and main.ts as below").
grep -q '^# write cdktf.json, tsconfig.json and main.ts as below' "$work/commands.sh" \
  || { echo "README commands lost the line '# write cdktf.json, tsconfig.json and main.ts as below, then'"; exit 1; }
sed -i 's|^# write cdktf.json, tsconfig.json and main.ts as below.*$|cp "$CONSUMER_FILES"/* .|' "$work/commands.sh"
echo "--- README commands, as run:"; cat "$work/commands.sh"

# The README pins the versions this repository develops and tests against: fail when they drift.
node - "$root/package.json" "$work/commands.sh" <<'JS'
const [pkgFile, commandsFile] = process.argv.slice(2);
const pkg = require(pkgFile);
const text = require('fs').readFileSync(commandsFile, 'utf8');
const problems = [];
if (!text.includes(`${pkg.name}-${pkg.version}.tgz`)) problems.push(`the tarball name is not ${pkg.name}-${pkg.version}.tgz`);
for (const m of text.matchAll(/(?:^|\s)((?:@[\w-]+\/)?[\w.-]+)@(\d[\w.-]*)/g)) {
  const want = pkg.devDependencies[m[1]];
  if (want !== m[2]) problems.push(`README installs ${m[1]}@${m[2]}, the repository develops against ${want ?? 'nothing'}`);
}
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
JS

# --- a fresh-clone state ---------------------------------------------------------------------------------------
clone="$work/cdktf-mlops"
mkdir -p "$clone"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf -) | tar -xf - -C "$clone"
test ! -e "$clone/node_modules" && test ! -e "$clone/lib/index.js" && test ! -e "$clone/.jsii"

# --- run the README's commands ---------------------------------------------------------------------------------
(cd "$clone" && CONSUMER_FILES="$work/files" bash -euo pipefail "$work/commands.sh")

# --- what the tarball ships ------------------------------------------------------------------------------------
version="$(node -p "require('$root/package.json').version")"
tarball="$clone/cdktf-mlops-$version.tgz"
echo "packed $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"
listing="$(tar -tzf "$tarball")"
for forbidden in 'package/test/' 'package/examples/' '__snapshots__' 'package/cdktf.out/' '.test.' 'package/bench/' 'package/scripts/' 'package/node_modules/'; do
  if grep -q -- "$forbidden" <<<"$listing"; then
    echo "the tarball ships $forbidden:"; grep -- "$forbidden" <<<"$listing" | head; exit 1
  fi
done
for required in package/lib/index.js package/lib/index.d.ts package/.jsii package/API.md package/README.md; do
  grep -qx -- "$required" <<<"$listing" || { echo "the tarball lacks $required"; exit 1; }
done

# --- what the consumer's synth wrote ---------------------------------------------------------------------------
project="$work/my-platform"
shopt -s nullglob
stacks=("$project"/cdktf.out/stacks/*/cdk.tf.json)
test "${#stacks[@]}" -gt 0 || { echo "cdktf synth wrote no cdk.tf.json under $project/cdktf.out/stacks"; exit 1; }
for tf in "${stacks[@]}"; do
  node - "$tf" <<'JS'
const tfFile = process.argv[2];
const tf = require(tfFile);
const report = require(require('path').join(require('path').dirname(tfFile), 'platform-report.json'));
const n = Object.values(tf.resource ?? {}).reduce((a, r) => a + Object.keys(r).length, 0);
if (report.status !== 'ok') { console.error(`${tfFile}: report status ${report.status}`); process.exit(1); }
if (n < 30) { console.error(`${tfFile}: only ${n} resources`); process.exit(1); }
console.log(`consumer stack ${report.stack} synthesized: ${n} resources, report status ${report.status}`);
JS
done
echo "consumer install test passed"
