import { DataStoreEntry, DataStoreKind, DataStoreProtection } from './data-store-registry';
import { RecoveryObjective } from './recovery-objective';
import { RestoreEstimate, RestoreKind, RestoreProcedure, RestoreStep, RestoreTimeModel } from './restore';

/** A protection whose copy lies outside the store's region and says how it is restored, with its estimate. */
export interface RestoreOption {
  /** The protection. */
  readonly protection: DataStoreProtection;
  /** How it restores. */
  readonly restore: RestoreProcedure;
  /** The estimated restore time. */
  readonly estimate: RestoreEstimate;
}

/**
 * The ways a store can be restored from a copy outside its region, fastest first. The first is the one the
 * RTO check and the runbook's main path use.
 */
export function restoreOptions(entry: DataStoreEntry, recoveryObjective: RecoveryObjective): RestoreOption[] {
  return entry.protections
    .filter((p) => p.copyRegion !== entry.store.region && p.restore !== undefined)
    .map((p) => ({ protection: p, restore: p.restore!, estimate: RestoreTimeModel.estimate(p.restore!.kind, entry.store, recoveryObjective.restoreAssumptions) }))
    .sort((a, b) => a.estimate.minutes - b.estimate.minutes);
}

/**
 * One line per store that cannot be restored from outside its region within the RTO: no copy states how it is
 * restored, or the fastest estimate exceeds the RTO. Each line names the store, its mechanism, the estimate and
 * what to change.
 */
export function unrestorableDataStores(dataStores: DataStoreEntry[], recoveryObjective: RecoveryObjective): string[] {
  const rto = recoveryObjective.rto;
  const errors: string[] = [];
  for (const entry of dataStores) {
    const { store } = entry;
    const copies = entry.protections.filter((p) => p.copyRegion !== store.region);
    if (copies.length === 0) {
      continue; // reported by the RPO check: no copy outside the region
    }
    const options = restoreOptions(entry, recoveryObjective);
    if (options.length === 0) {
      errors.push(`data store ${store.path} (${store.purpose}): its copies (${copies.map((p) => p.mechanism).join(', ')}) state no restore ` +
        'procedure, so no restore time can be proven. Record the protection with a `restore` (kind, steps) in the construct that creates it.');
      continue;
    }
    const best = options[0];
    if (best.estimate.minutes > rto.toMinutes()) {
      const faster = APPLICABLE_KINDS[store.kind]
        .filter((k) => RestoreTimeModel.estimate(k, store, recoveryObjective.restoreAssumptions).minutes < best.estimate.minutes)
        .map((k) => `${k}: ${RestoreTimeModel.estimate(k, store, recoveryObjective.restoreAssumptions).minutes} min`);
      errors.push(`data store ${store.path} (${store.purpose}) cannot be restored within the RTO of ${rto}: its fastest restore, ` +
        `${best.protection.mechanism} (${best.restore.kind}), is estimated at ${best.estimate.minutes} min (${best.estimate.breakdown}). ` +
        `Raise the RTO to at least ${best.estimate.minutes} minutes, make the store smaller (or state its real size in ` +
        'recoveryObjective.restoreAssumptions), or protect it with a faster mechanism' +
        (faster.length > 0 ? ` (${faster.join(', ')})` : '') + '.');
    }
  }
  const platform = platformRecoveryEstimate(dataStores, recoveryObjective);
  if (errors.length === 0 && platform !== undefined && platform.minutes > rto.toMinutes()) {
    errors.push(`the platform cannot be back in ${recoveryObjective.drRegion} within the RTO of ${rto}: following the restore runbook it ` +
      `takes an estimated ${platform.minutes} min (${platform.breakdown}). Raise the RTO to at least ${platform.minutes} minutes, ` +
      'or keep the platform deployed in the DR region ahead of time (pilot light), which this estimate does not assume.');
  }
  return errors;
}

/** How long bringing the whole platform back in the DR region takes, by the runbook's phases. */
export interface PlatformRecoveryEstimate {
  /** Estimated minutes from the start of the runbook until the platform serves again. */
  readonly minutes: number;
  /** The arithmetic, phase by phase. */
  readonly breakdown: string;
}

/**
 * The platform's recovery time, following the runbook: data that needs nothing restores while the platform is
 * deployed in the DR region (the longer of the two counts); then the restores that need the DR deployment (in
 * parallel), re-pointing the clients, and re-creating cluster state. Undefined when no store needs the DR
 * deployment (each store's own estimate is then the whole story).
 */
export function platformRecoveryEstimate(dataStores: DataStoreEntry[], recoveryObjective: RecoveryObjective): PlatformRecoveryEstimate | undefined {
  const best = dataStores
    .map((entry) => ({ entry, option: restoreOptions(entry, recoveryObjective)[0] }))
    .filter((p): p is { entry: DataStoreEntry; option: RestoreOption } => p.option !== undefined);
  const isCluster = (o: RestoreOption) => o.restore.kind === RestoreKind.CLUSTER_STATE;
  const early = best.filter((p) => !isCluster(p.option) && p.option.restore.afterDeploy !== true);
  const late = best.filter((p) => !isCluster(p.option) && p.option.restore.afterDeploy === true);
  const cluster = best.filter((p) => isCluster(p.option));
  const hasClients = dataStores.some((e) => (e.clients ?? []).length > 0);
  if (late.length === 0 && cluster.length === 0 && !hasClients) {
    return undefined;
  }
  const longest = (ps: typeof best) => ps.reduce((a, p) => (p.option.estimate.minutes > a.minutes
    ? { minutes: p.option.estimate.minutes, store: p.entry.store.purpose } : a), { minutes: 0, store: '' });
  const deploy = RestoreTimeModel.PLATFORM_DEPLOY_MINUTES;
  const e = longest(early);
  const l = longest(late);
  const c = longest(cluster);
  const repoint = hasClients ? RestoreTimeModel.CLIENT_REPOINT_MINUTES : 0;
  const parts = [
    e.minutes > deploy ? `${e.minutes} min restoring ${e.store} (longer than the ${deploy} min platform deploy beside it)`
      : `${deploy} min deploying the platform in the DR region${e.minutes > 0 ? ` (the ${e.minutes} min restore of ${e.store} runs beside it)` : ''}`,
    ...(l.minutes > 0 ? [`${l.minutes} min restoring ${l.store} into the DR deployment`] : []),
    ...(repoint > 0 ? [`${repoint} min re-pointing clients`] : []),
    ...(c.minutes > 0 ? [`${c.minutes} min re-creating cluster state`] : []),
  ];
  return { minutes: Math.max(e.minutes, deploy) + l.minutes + repoint + c.minutes, breakdown: parts.join(' + ') };
}

/** The restore kinds that can bring back each kind of store. */
const APPLICABLE_KINDS: { readonly [kind in DataStoreKind]: RestoreKind[] } = {
  [DataStoreKind.DATABASE]: [RestoreKind.POINT_IN_TIME, RestoreKind.SNAPSHOT, RestoreKind.REPLICA],
  [DataStoreKind.OBJECT_STORE]: [RestoreKind.SNAPSHOT, RestoreKind.REPLICA],
  [DataStoreKind.CLUSTER_STATE]: [RestoreKind.CLUSTER_STATE],
};

/** Everything the runbook is made from. */
export interface RestoreRunbookInput {
  /** Stack name. */
  readonly stackName: string;
  /** Primary region (the one lost). */
  readonly primaryRegion: string;
  /** Recovery objective (DR region, RTO, size assumptions). */
  readonly recoveryObjective: RecoveryObjective;
  /** Data stores with their protections and clients. */
  readonly dataStores: DataStoreEntry[];
  /**
   * Turns a value that may hold Terraform tokens into text whose references read `${resource.address.attribute}`
   * (a stack's `resolve`). Values without tokens come back unchanged.
   */
  readonly resolve: (value: string) => string;
  /**
   * Why synth failed, when it did.
   *
   * @default - synth succeeded
   */
  readonly failure?: string;
}

/**
 * Renders `restore-runbook.md`, written at synth beside the platform report: the ordered steps that bring the
 * platform back in the DR region, made from the registered stores, their protections' restore procedures and
 * their clients, so a new construct's store appears in it by registering. Names that are Terraform tokens at synth
 * become `terraform console` look-ups of their resource addresses, recorded in `restore-names.env`.
 */
export class RestoreRunbook {
  /** The runbook as Markdown. */
  public static toMarkdown(input: RestoreRunbookInput): string {
    const ro = input.recoveryObjective;
    const dr = ro.drRegion;
    const names = new NameTable(input.resolve);
    const plans = input.dataStores.map((entry) => ({ entry, options: restoreOptions(entry, ro), prefix: names.prefixFor(entry.store.purpose) }));
    // Render first so the name table is complete for the look-up block.
    const restorable = plans.filter((p) => p.options.length > 0);
    const isCluster = (p: { options: RestoreOption[] }) => p.options[0].restore.kind === RestoreKind.CLUSTER_STATE;
    const early = restorable.filter((p) => !isCluster(p) && p.options[0].restore.afterDeploy !== true);
    const late = restorable.filter((p) => !isCluster(p) && p.options[0].restore.afterDeploy === true);
    const cluster = restorable.filter(isCluster);
    const dataLines = early.flatMap((p) => storeSection(p.entry, p.options, p.prefix, names));
    const lateLines = late.flatMap((p) => storeSection(p.entry, p.options, p.prefix, names));
    const clientLines = plans.flatMap((p) => (p.entry.clients ?? []).flatMap((c) => [
      `### ${names.text(c.name)}: re-point to the restored \`${p.entry.store.purpose}\``, '',
      ...stepLines(c.repoint, p.prefix, names, true),
    ]));
    const clusterLines = cluster.flatMap((p) => storeSection(p.entry, p.options, p.prefix, names));
    const missing = plans.filter((p) => p.options.length === 0);
    const longest = Math.max(0, ...plans.filter((p) => p.options.length > 0).map((p) => p.options[0].estimate.minutes));
    const platform = platformRecoveryEstimate(input.dataStores, ro);

    const lines: string[] = [
      `# Restore runbook: ${input.stackName}`,
      '',
      ...(input.failure === undefined ? [] : [
        '> **SYNTH FAILED: this runbook describes a stack that was not synthesized.** See platform-report.md for the error.',
        '',
      ]),
      `Brings the platform back in \`${dr}\` after losing \`${input.primaryRegion}\`. RPO ${ro.rpo}, RTO ${ro.rto}. ` +
      'Generated at synth from the registered data stores and how they are protected; do not edit, synthesize again.',
      '',
      `Data restores run in parallel; the slowest store is estimated at ${longest} min against the RTO of ${ro.rto.toMinutes()} min. ` +
      (platform === undefined ? '' : `The whole platform is estimated back in ${platform.minutes} min (${platform.breakdown}). `) +
      'Estimates follow the documented restore-time model (below); confirm them with a restore test.',
      '',
      '## Restore estimates',
      '',
      '| store | purpose | restore from the DR region | kind | est. (min) | RTO (min) | how the estimate is made |',
      '|---|---|---|---|---|---|---|',
      ...plans.flatMap((p) => (p.options.length === 0
        ? [`| \`${p.entry.store.path}\` | ${cell(p.entry.store.purpose)} | **none** | - | - | ${ro.rto.toMinutes()} | - |`]
        : p.options.map((o, i) => `| \`${p.entry.store.path}\` | ${cell(p.entry.store.purpose)} | ${cell(o.protection.mechanism)}${i === 0 ? '' : ' (fallback)'} | ` +
          `${o.restore.kind} | ${o.estimate.minutes} | ${ro.rto.toMinutes()} | ${cell(o.estimate.breakdown)} |`))),
      '',
      '## What must already exist in ' + `\`${dr}\``,
      '',
      ...unique(plans.flatMap((p) => p.options.flatMap((o) => o.restore.prerequisites ?? []))).map((x) => `- ${names.text(x)}`),
      `- \`restore-names.env\` (step 0), kept outside \`${input.primaryRegion}\`: the look-ups read the Terraform state, which may ` +
      'be unreachable with the primary region.',
      '- The code of this stack and Terraform, to deploy it again with the DR region as primary.',
      '',
      '## 0. Record the names (after every deploy, not during the disaster)',
      '',
      'Run in the directory that holds this runbook and `cdk.tf.json`, after `terraform init`. Names that are only known ' +
      'after deploy are read from the state by their resource address.',
      '',
      '```bash',
      ...names.lines(),
      '```',
      '',
      `## 1. Restore the data in \`${dr}\``,
      '',
      'Load the names first: `. ./restore-names.env`. The stores restore independently: run these in parallel.',
      '',
      ...(dataLines.length > 0 ? dataLines : ['Every store needs the platform deployed first (step 2).', '']),
      `## 2. Deploy the platform in \`${dr}\``,
      '',
      `Set the stack's \`primaryRegion\` to \`${dr}\` and its \`recoveryObjective.drRegion\` to a region other than ` +
      `\`${dr}\` (or \`${input.primaryRegion}\` once it is back), point the Terraform backend at a new state key (the old ` +
      `state still describes the lost region), and give it another resource name prefix (e.g. another \`environment\` in the ` +
      `cost allocation): the old stack's resources in \`${dr}\` (its KMS keys and aliases, vault, replica buckets, secret ` +
      'replicas) still exist and hold the copies. Then deploy. This creates the network, the cluster and the platform\'s ' +
      'workloads (allow for it in the RTO: an EKS cluster alone takes 10-20 minutes); steps 3 to 5 point them at the restored data.',
      '',
      '```sh',
      `cdktf deploy ${input.stackName}`,
      '```',
      '',
      `## 3. Restore the data that needs the DR deployment`,
      '',
      'Run in the directory of the DR deployment (its state names the new network). These also run in parallel.',
      '',
      ...(lateLines.length > 0 ? lateLines : ['None.', '']),
      '## 4. Re-point the platform to the restored data',
      '',
      'Until the stack itself describes the restored resources, another `cdktf deploy` puts these settings back: ' +
      'import the restored resources into the DR deployment\'s state, or repeat this step after each deploy.',
      '',
      ...(clientLines.length > 0 ? clientLines : ['Nothing in the stack is registered as a client of its stores.', '']),
      '## 5. Restore cluster state',
      '',
      ...(clusterLines.length > 0 ? clusterLines : ['No cluster-state backup is registered in this stack.', '']),
      '## 6. DNS and clients',
      '',
      `- Point every DNS name, tracking URI and client configuration that named a \`${input.primaryRegion}\` endpoint at the ` +
      `\`${dr}\` one (the \`$..._ENDPOINT\` values above, and the new cluster's services).`,
      '- Check the platform: log in to MLflow, list experiments and download an artifact; pull a model version.',
      `- Record the time: the restore must finish within the RTO of ${ro.rto}.`,
      '',
      '## Restore-time model',
      '',
      '| kind | fixed (min) | per unit | source and assumption |',
      '|---|---|---|---|',
      ...RestoreTimeModel.models().map((m) => {
        return `| ${m.kind} | ${m.fixedMinutes} (${m.fixedLabel}) | ${m.minutesPerUnit} min/${m.unit === 'GiB' ? 'GiB' : 'object'} | ${cell(m.source)} |`;
      }),
      '',
      'Sizes assumed: ' + sizeAssumptions(ro) + '. Override them with `recoveryObjective.restoreAssumptions`.',
      '',
    ];
    if (missing.length > 0) {
      lines.push('## Stores without a restore from the DR region', '',
        ...missing.map((p) => `- \`${p.entry.store.path}\` (${p.entry.store.purpose}): no copy outside \`${p.entry.store.region}\` states how it is restored.`), '');
    }
    return lines.join('\n');
  }

  private constructor() {}
}

function sizeAssumptions(ro: RecoveryObjective): string {
  const a = ro.restoreAssumptions;
  return [
    `databases ${a.databaseSizeGiB !== undefined ? `${a.databaseSizeGiB} GiB` : 'their allocated storage'}`,
    `buckets restored from snapshots ${a.objectStoreSizeGiB ?? 100} GiB`,
    `cluster state ${a.clusterObjectCount ?? 2000} Kubernetes objects`,
  ].join(', ');
}

/** The section of one store: its fastest restore, then the fallbacks. */
function storeSection(entry: DataStoreEntry, options: RestoreOption[], prefix: string, names: NameTable): string[] {
  const [best, ...fallbacks] = options;
  const lines = [
    `### \`${entry.store.path}\` (${names.text(entry.store.purpose)}): ${names.text(best.restore.summary)}`, '',
    `${best.protection.mechanism}, estimated ${best.estimate.minutes} min (${best.estimate.breakdown}); data loss up to ${best.protection.copyRpo}.`, '',
    ...deployedLines(entry, options, prefix, names),
    ...procedureLines(best.restore, prefix, names),
  ];
  for (const f of fallbacks) {
    lines.push(`If that copy cannot be used: ${f.restore.summary} (${f.protection.mechanism}, estimated ${f.estimate.minutes} min, ` +
      `data loss up to ${f.protection.copyRpo}).`, '', ...procedureLines(f.restore, prefix, names));
  }
  return lines;
}

/** The store's placement in the DR deployment, read from its state, when a restore needs it. */
function deployedLines(entry: DataStoreEntry, options: RestoreOption[], prefix: string, names: NameTable): string[] {
  const lookups = Object.entries(entry.store.deployedLookups ?? {});
  if (lookups.length === 0 || !options.some((o) => o.restore.afterDeploy === true)) {
    return [];
  }
  return ['Where the restore goes in the DR deployment (read from its state, by resource address):', '', '```sh',
    ...lookups.map(([name, value]) => names.deployed(prefix, name, value)), '```', ''];
}

function procedureLines(procedure: RestoreProcedure, prefix: string, names: NameTable): string[] {
  const lines = procedure.steps.flatMap((s) => stepLines(s, prefix, names, true));
  if (procedure.endpointCommand) {
    lines.push('Then keep where clients connect now:', '', '```sh',
      `${prefix}_ENDPOINT=$(${names.command(procedure.endpointCommand, prefix)})`, `echo "${prefix}_ENDPOINT=$${prefix}_ENDPOINT" >> restore-names.env`, '```', '');
  }
  return lines;
}

function stepLines(step: RestoreStep, prefix: string, names: NameTable, bullet: boolean): string[] {
  for (const [name, value] of Object.entries(step.lookups ?? {})) {
    names.add(prefix, name, value);
  }
  const deployed = Object.entries(step.deployedLookups ?? {}).map(([name, value]) => names.deployed(prefix, name, value));
  const lines = [`${bullet ? '- ' : ''}**${names.text(step.title)}.**${step.detail ? ` ${names.text(step.detail)}` : ''}`];
  if (deployed.length > 0 || (step.commands && step.commands.length > 0)) {
    const commands = [...deployed, ...(step.commands ?? []).map((c) => names.command(c, prefix))];
    lines.push('', '  ```sh', ...commands.flatMap((c) => c.split('\n')).map((l) => `  ${l}`), '  ```');
  }
  lines.push('');
  return lines;
}

/**
 * The shell variables of the runbook: each store's look-ups get the store's prefix (its purpose in capitals), so
 * two stores never share a name; token values become `terraform console` look-ups of their resource addresses.
 */
class NameTable {
  private readonly prefixes = new Set<string>();
  private readonly names = new Map<string, string>();
  private readonly byPrefix = new Map<string, Set<string>>();

  constructor(private readonly resolve: (value: string) => string) {}

  public prefixFor(purpose: string): string {
    const base = purpose.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(?=[0-9])/, 'S_') || 'STORE';
    let prefix = base;
    for (let i = 2; this.prefixes.has(prefix); i++) {
      prefix = `${base}_${i}`;
    }
    this.prefixes.add(prefix);
    this.byPrefix.set(prefix, new Set(['ENDPOINT']));
    return prefix;
  }

  public add(prefix: string, name: string, value: string): void {
    this.byPrefix.get(prefix)!.add(name);
    const full = `${prefix}_${name}`;
    const resolved = lookup(this.resolve(value));
    const known = this.names.get(full);
    if (known !== undefined && known !== resolved) {
      // Two steps of one store naming different things alike would make the runbook act on the wrong one.
      throw new Error(`restore runbook: shell variable ${full} would mean both ${known} and ${resolved}; ` +
        'give the look-ups of each client of a store names of their own');
    }
    this.names.set(full, resolved);
  }

  /**
   * A command with every Terraform reference in it (a token the construct left in, e.g. a namespace name) turned
   * into a `terraform console` look-up, and the prefix's variables renamed.
   */
  public command(command: string, prefix: string): string {
    return this.rewrite(String(this.resolve(command)).replace(HCL_REFERENCE, (_m, expression) => lookup(`\${${expression}}`)), prefix);
  }

  /** Prose with every Terraform reference shown as its resource address. */
  public text(text: string): string {
    return String(this.resolve(text)).replace(HCL_REFERENCE, (_m, expression) => `(terraform console: ${expression})`);
  }

  /** A variable read live from the DR deployment's state (not recorded in `restore-names.env`). */
  public deployed(prefix: string, name: string, value: string): string {
    this.byPrefix.get(prefix)!.add(name);
    return `${prefix}_${name}=${lookup(this.resolve(value))}`;
  }

  /** `$NAME` and `${NAME}` of the prefix's variables become `${PREFIX_NAME}`. */
  private rewrite(command: string, prefix: string): string {
    let out = command;
    for (const name of this.byPrefix.get(prefix) ?? []) {
      out = out.replace(new RegExp(`\\$(\\{${name}\\}|${name}(?![A-Za-z0-9_]))`, 'g'), `\${${prefix}_${name}}`);
    }
    return out;
  }

  /** Bash that sets every variable and writes them to `restore-names.env`. */
  public lines(): string[] {
    const entries = [...this.names.entries()];
    return [
      ...entries.map(([name, value]) => `${name}=${value}`),
      ...(entries.length === 0 ? [': > restore-names.env'] : [
        "printf '%s=%q\\n' \\", ...entries.map(([name]) => `  ${name} "$${name}" \\`), '  > restore-names.env',
      ]),
    ];
  }
}

/** A Terraform reference in resolved text, e.g. `${aws_s3_bucket.Name_1234.bucket}` (shell variables have no dot). */
const HCL_REFERENCE = /\$\{([a-z][a-z0-9_]*\.[^{}]*)\}/g;

/**
 * The shell form of a resolved value: plain text single-quoted, text with `${...}` references a `terraform console`
 * evaluation of the expression (the resource address and attribute).
 */
function lookup(resolved: string): string {
  const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
  if (!resolved.includes('${')) {
    return quote(resolved);
  }
  const whole = /^\$\{(.*)\}$/s.exec(resolved);
  const expression = whole && balanced(whole[1]) ? whole[1] : `"${resolved.replace(/"/g, '\\"')}"`;
  return `$(echo ${quote(expression)} | terraform console | tr -d '"')`;
}

/** True when every `{` in the text is closed inside it (so `${a}-${b}` is not mistaken for one expression). */
function balanced(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    if (depth < 0) {
      return false;
    }
  }
  return depth === 0;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function cell(s: string): string {
  return String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
