#!/usr/bin/env node
/*
 * Compares checkov's results with the suppressions the library records, for the checkov stage of `npm run verify`.
 * Usage: compare.js <checkov.json> <repo-root> <stack-dir>...
 * A failed check is "suppressed" when the stack's platform-report.json has a finding with the same rule ID and
 * resource address and a suppressedBecause reason; any other failed check is an error. Prints each suppression
 * with its reason, each failure with its stack, resource and construct path, and finally
 * "checkov: P passed, F failed, S suppressed". Exit status 1 on a failure or a file checkov could not parse.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const [resultFile, root, ...stackDirs] = process.argv.slice(2);
const raw = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
// One framework gives an object, several a list; an empty scan gives a summary without results.
const reports = (Array.isArray(raw) ? raw : [raw]).filter((r) => r && /^terraform/.test(r.check_type || ''));

/** Rule IDs the library's own rule packs define (lib/<cloud>/policy/*-rules.ts). */
function libraryRuleIds() {
  const ids = new Set();
  const libDir = path.join(root, 'lib');
  for (const cloud of fs.readdirSync(libDir)) {
    const dir = path.join(libDir, cloud, 'policy');
    if (!fs.existsSync(dir)) {
      continue;
    }
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('-rules.ts'))) {
      for (const m of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/\b((?:CKV2?|MLOPS)_[A-Z0-9_]+)\b/g)) {
        ids.add(m[1]);
      }
    }
  }
  return ids;
}

const stacks = new Map();
for (const dir of stackDirs) {
  const stack = path.basename(dir.replace(/\/$/, ''));
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'platform-report.json'), 'utf8'));
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
  const findings = (report.policy && report.policy.findings) || [];
  stacks.set(stack, { findings, config });
}

/** The stack a checkov file_path belongs to (checkov scans <tmp>/<stack>/cdk.tf.json). */
function stackOf(check) {
  const parts = String(check.file_path || check.repo_file_path || '').split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2] : parts[0];
}

/**
 * The Terraform address of a checked resource. checkov's terraform_json runner names most resources
 * "<type>.<name>" but some only "resource.<name>" or "data.<name>"; cdktf names are unique, so the type is looked up.
 */
function addressOf(stack, resource) {
  const [kind, name, ...rest] = String(resource).split('.');
  const config = stacks.get(stack)?.config || {};
  if ((kind === 'resource' || kind === 'data') && name && rest.length === 0) {
    const type = Object.keys(config[kind] || {}).find((t) => config[kind][t][name] !== undefined);
    if (type) {
      return kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
    }
  }
  return String(resource);
}

function constructPath(stack, address) {
  const parts = String(address).split('.');
  const [block, type, name] = parts[0] === 'data' ? parts : ['resource', ...parts];
  const node = stacks.get(stack)?.config[block]?.[type]?.[name];
  return node?.['//']?.metadata?.path;
}

let passed = 0;
const failures = [];
const suppressed = [];
const parseErrors = [];
for (const r of reports) {
  passed += (r.results.passed_checks || []).length;
  parseErrors.push(...(r.results.parsing_errors || []));
  for (const check of r.results.failed_checks || []) {
    const stack = stackOf(check);
    check.resource = addressOf(stack, check.resource);
    const finding = (stacks.get(stack)?.findings || [])
      .find((f) => f.ruleId === check.check_id && f.address === check.resource && f.suppressedBecause);
    (finding ? suppressed : failures).push({ stack, check, finding });
  }
}
if (reports.length === 0) {
  parseErrors.push('checkov reported no Terraform results (did it parse cdk.tf.json?)');
}

const ruleIds = libraryRuleIds();
for (const { stack, check, finding } of suppressed) {
  console.log(`  suppressed ${check.check_id} ${stack} ${check.resource}: ${finding.suppressedBecause}`);
}
for (const { stack, check } of failures) {
  const cp = constructPath(stack, check.resource);
  const gap = ruleIds.has(check.check_id) ? 'the rule pack has this rule but did not report it here'
    : 'not in the library\'s rule pack';
  console.log(`  FAILED ${check.check_id} ${stack} ${check.resource}${cp ? ` [${cp}]` : ''}: ${check.check_name} (${gap})`);
}
for (const e of parseErrors) {
  console.log(`  parse error: ${e}`);
}
// Suppressions the library records that checkov did not need (checkov passes, or has no such check).
for (const [stack, { findings }] of stacks) {
  for (const f of findings.filter((x) => x.suppressedBecause)) {
    if (!suppressed.some((s) => s.stack === stack && s.finding === f)) {
      console.log(`  note: ${stack} suppresses ${f.ruleId} on ${f.address} but checkov does not fail it`);
    }
  }
}
console.log(`checkov: ${passed} passed, ${failures.length} failed, ${suppressed.length} suppressed`
  + (parseErrors.length ? `, ${parseErrors.length} parse errors` : ''));
process.exit(failures.length === 0 && parseErrors.length === 0 ? 0 : 1);
