#!/usr/bin/env node
/*
 * JSON helpers for the Terraform stage of `npm run verify` (run.sh calls them):
 *   providers <repo-root> <providers.tsv> <stack-dir>...   providers the stacks require, one TSV line each:
 *                                                          name namespace module binding-version release-commit stacks
 *   rewrite <src cdk.tf.json> <dst cdk.tf.json> <name>=<version>...
 *                                                          a copy with required_providers pinned to the built versions
 *   diagnostics <stack> <validate.json> <cdk.tf.json>      prints each diagnostic with the resource address and the
 *                                                          construct path; last line "COUNTS <errors> <warnings>"
 */
'use strict';
const fs = require('fs');
const path = require('path');

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function fail(message) {
  process.stderr.write(message + '\n');
  process.exit(2);
}

/** "aws", "hashicorp/aws" or "registry.terraform.io/hashicorp/aws" as { namespace, type }. */
function parseSource(source, key) {
  const parts = String(source || key).split('/');
  const type = parts[parts.length - 1];
  const namespace = parts.length >= 2 ? parts[parts.length - 2] : 'hashicorp';
  return { namespace, type };
}

function readTable(file) {
  const table = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) {
      continue;
    }
    const [name, module, bindingPackage, commits] = line.split('\t');
    const releaseCommits = new Map();
    for (const entry of (commits || '-').split(/\s+/)) {
      const [version, commit] = entry.split('=');
      if (version && commit) {
        releaseCommits.set(version, commit);
      }
    }
    table.set(name, { module, bindingPackage, releaseCommits });
  }
  return table;
}

/** The provider version a @cdktf/provider-* package was generated from, or undefined when it is not installed. */
function bindingVersion(root, bindingPackage) {
  try {
    const pkg = readJson(path.join(root, 'node_modules', bindingPackage, 'package.json'));
    return pkg.cdktf && pkg.cdktf.provider && pkg.cdktf.provider.version;
  } catch {
    return undefined;
  }
}

function providers(root, tableFile, stackDirs) {
  const table = readTable(tableFile);
  const found = new Map();
  for (const dir of stackDirs) {
    const stack = path.basename(dir);
    const config = readJson(path.join(dir, 'cdk.tf.json'));
    const required = (config.terraform && config.terraform.required_providers) || {};
    for (const [key, spec] of Object.entries(required)) {
      const { namespace, type } = parseSource(spec.source, key);
      const entry = found.get(type) || { namespace, constraints: new Set(), stacks: [] };
      if (spec.version) {
        entry.constraints.add(spec.version);
      }
      entry.stacks.push(stack);
      found.set(type, entry);
    }
  }
  let unknown = 0;
  for (const [type, entry] of found) {
    const row = table.get(type);
    if (!row) {
      process.stderr.write(`provider ${type} (used by ${entry.stacks.join(', ')}) is not in ${tableFile}: add its Go module there\n`);
      unknown++;
      continue;
    }
    let version = bindingVersion(root, row.bindingPackage);
    if (!version) {
      // No binding package (e.g. a provider used through a generated binding): take the stacks' exact pin.
      const exact = [...entry.constraints].filter((c) => /^=?\s*\d+\.\d+\.\d+$/.test(c));
      if (exact.length !== 1) {
        process.stderr.write(`provider ${type}: ${row.bindingPackage} is not installed and the stacks pin no single exact version (${[...entry.constraints].join(', ') || 'none'})\n`);
        unknown++;
        continue;
      }
      version = exact[0].replace(/^=?\s*/, '');
    }
    for (const c of entry.constraints) {
      if (c.replace(/^=?\s*/, '') !== version) {
        process.stderr.write(`note: provider ${type}: the stacks require "${c}" but ${row.bindingPackage} was generated from ${version}\n`);
      }
    }
    const commit = row.releaseCommits.get(version) || '-';
    process.stdout.write([type, entry.namespace, row.module, version, commit, entry.stacks.join(',')].join('\t') + '\n');
  }
  if (unknown > 0) {
    process.exit(3);
  }
}

function rewrite(src, dst, pins) {
  const config = readJson(src);
  const versions = new Map(pins.map((p) => p.split('=')).map(([k, ...v]) => [k, v.join('=')]));
  const required = (config.terraform && config.terraform.required_providers) || {};
  for (const [key, spec] of Object.entries(required)) {
    const { type } = parseSource(spec.source, key);
    if (versions.has(type)) {
      spec.version = versions.get(type);
    }
  }
  fs.writeFileSync(dst, JSON.stringify(config, null, 2));
}

/**
 * The chain of keys (and array indexes) that encloses the character at `offset` in a JSON text. A small scanner:
 * it tracks the containers it is in and the key of the current member, and stops at the offset.
 */
function jsonPathAt(text, offset) {
  const stack = []; // { kind: 'object'|'array', key, index }
  let i = 0;
  let expectKey = false;
  while (i < text.length && i < offset) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        j += text[j] === '\\' ? 2 : 1;
      }
      if (expectKey && stack.length > 0 && stack[stack.length - 1].kind === 'object') {
        stack[stack.length - 1].key = JSON.parse(text.slice(i, j + 1));
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (ch === '{') {
      stack.push({ kind: 'object', key: undefined });
      expectKey = true;
    } else if (ch === '[') {
      stack.push({ kind: 'array', index: 0 });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top && top.kind === 'array') {
        top.index++;
      } else if (top) {
        top.key = undefined;
        expectKey = true;
      }
    }
    i++;
  }
  return stack.map((f) => (f.kind === 'object' ? f.key : f.index)).filter((k) => k !== undefined);
}

/** The Terraform address and the construct path for a JSON path in cdk.tf.json. */
function describe(config, keys) {
  const [block, a, b, ...rest] = keys;
  const attr = rest.filter((k) => typeof k === 'string' && k !== '//').join('.');
  let address;
  let node;
  if (block === 'resource' && a && b) {
    address = `${a}.${b}`;
    node = config.resource?.[a]?.[b];
  } else if (block === 'data' && a && b) {
    address = `data.${a}.${b}`;
    node = config.data?.[a]?.[b];
  } else if (block === 'provider' && a) {
    address = `provider.${a}`;
  } else if (block && a) {
    address = `${block}.${a}`;
    node = config[block]?.[a];
  } else {
    address = block || '(configuration)';
  }
  const constructPath = node && node['//'] && node['//'].metadata && node['//'].metadata.path;
  return { address: attr ? `${address} (${attr})` : address, constructPath };
}

function diagnostics(stack, validateFile, configFile) {
  const result = readJson(validateFile);
  const configText = fs.readFileSync(configFile, 'utf8');
  const config = JSON.parse(configText);
  const bytes = Buffer.from(configText, 'utf8');
  let errors = 0;
  let warnings = 0;
  for (const d of result.diagnostics || []) {
    if (d.severity === 'error') {
      errors++;
    } else {
      warnings++;
    }
    let where = '';
    if (d.range && path.basename(d.range.filename || '') === path.basename(configFile)) {
      const offset = bytes.subarray(0, d.range.start.byte).toString('utf8').length;
      const { address, constructPath } = describe(config, jsonPathAt(configText, offset));
      where = ` at ${address}${constructPath ? ` [${constructPath}]` : ''} (line ${d.range.start.line})`;
    } else if (d.address) {
      where = ` at ${d.address}`;
    }
    const detail = (d.detail || '').replace(/\s+/g, ' ').trim();
    process.stdout.write(`  ${stack}: ${d.severity}: ${d.summary}${where}${detail ? `: ${detail}` : ''}\n`);
  }
  process.stdout.write(`COUNTS ${errors} ${warnings}\n`);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'providers') {
  providers(args[0], args[1], args.slice(2));
} else if (command === 'rewrite') {
  rewrite(args[0], args[1], args.slice(2));
} else if (command === 'diagnostics') {
  diagnostics(args[0], args[1], args[2]);
} else {
  fail('usage: tf-tool.js providers|rewrite|diagnostics ...');
}
