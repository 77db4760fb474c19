import { TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { PolicyLevel } from './policy/policy-rule';

/*
 * Small input checks shared by the constructs. Every check skips unresolved tokens: a value that is only
 * known at apply time cannot be judged at synth.
 */

/** True when the value is a token that only Terraform can resolve. */
export function isUnresolved(value: any): boolean {
  return value !== undefined && value !== null && Token.isUnresolved(value);
}

/** Throws unless `value` is a whole number in [min, max]. */
export function checkInteger(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(scope, prop, value, `must be a whole number from ${min} to ${max}`, `Set ${prop} within that range.`);
  }
}

/** Throws unless `value` is a finite number > 0 (and <= max when given). */
export function checkPositive(scope: IConstruct, prop: string, value: number | undefined, max?: number): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (max !== undefined && value > max)) {
    const range = max === undefined ? 'greater than 0' : `greater than 0 and at most ${max}`;
    throw new ValidationError(scope, prop, value, `must be a number ${range}`, `Set ${prop} to a positive amount.`);
  }
}

/** Throws unless `value` is a non-empty string matching `pattern`. */
export function checkPattern(scope: IConstruct, prop: string, value: string | undefined, pattern: RegExp, rule: string): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ValidationError(scope, prop, value, `is not valid: ${rule}`, `Use a value that matches that rule.`);
  }
}

/** Throws when a required prop is missing or empty. */
export function checkRequired(scope: IConstruct, prop: string, value: any, fix: string): void {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new ValidationError(scope, prop, value, 'is required', fix);
  }
}

// The shape of a region name in every partition (aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc); AwsCloud checks the
// name against the real list in lib/aws/aws-regions.ts.
const AWS_REGION = /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[bef]?)?|eusc-de)-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

const GCP_REGION = /^(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-[a-z]+\d{1,2}$/;

// Azure programmatic region names: lower-case letters naming a direction, an optional trailing digit (`eastus2`,
// `westeurope`, `swedencentral`).
const AZURE_REGION = /^[a-z]{0,16}(?:east|west|north|south|central)[a-z]{0,16}\d?$/;

/**
 * Throws unless `value` looks like a region name of a supported cloud: AWS (`eu-west-1`), Google Cloud
 * (`europe-west4`) or Azure (`eastus2`). The cloud checks its own list of regions when it is created.
 */
export function checkRegionName(scope: IConstruct, prop: string, value: string | undefined): void {
  if (typeof value === 'string' && (GCP_REGION.test(value) || AZURE_REGION.test(value))) {
    return;
  }
  // Anything else gets the AWS rule's message, unchanged since the AWS-only releases.
  checkPattern(scope, prop, value, AWS_REGION, 'an AWS region name such as "us-east-1"');
}

/** Throws unless `value` looks like an AWS region name such as `eu-west-1`. */
export function checkAwsRegion(scope: IConstruct, prop: string, value: string | undefined): void {
  checkPattern(scope, prop, value, AWS_REGION, 'an AWS region name such as "us-east-1"');
}

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Throws unless every entry is a well-formed email address. */
export function checkEmails(scope: IConstruct, prop: string, values: string[] | undefined): void {
  (values ?? []).forEach((value, i) => checkPattern(scope, `${prop}[${i}]`, value, EMAIL, 'an email address such as "ml-platform@example.com"'));
}

/**
 * Throws unless `value` is an IPv4 CIDR block in canonical form (no leading zeros, no host bits set) with a
 * prefix in [minPrefix, maxPrefix]: AWS rejects or silently rewrites anything else.
 */
export function checkCidr(scope: IConstruct, prop: string, value: string | undefined, minPrefix: number, maxPrefix: number): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  const match = typeof value === 'string' ? /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\/(\d{1,2})$/.exec(value) : null;
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  if (!match || octets.some((o) => o > 255) || prefix < minPrefix || prefix > maxPrefix) {
    throw new ValidationError(scope, prop, value, `must be an IPv4 CIDR block with a prefix from /${minPrefix} to /${maxPrefix}`,
      'Use a block such as "10.40.0.0/16".');
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) {
    const base = address - (address % hostBits);
    const canonical = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.');
    throw new ValidationError(scope, prop, value, 'has host bits set', `Use the network address: "${canonical}/${prefix}".`);
  }
}

/** Throws unless `value` is one of the enum's values (catches strings cast past the type system). */
export function checkEnum(scope: IConstruct, prop: string, value: any, enumObject: { [key: string]: string }, enumName: string): void {
  if (value === undefined) {
    return;
  }
  const allowed = Object.values(enumObject);
  if (!allowed.includes(value)) {
    const memberOf = (v: string) => `${enumName}.${Object.keys(enumObject).find((k) => enumObject[k] === v)}`;
    // A value in the wrong case ('error' for 'ERROR') would otherwise be dropped or downgraded silently.
    const sameButCase = typeof value === 'string' ? allowed.find((v) => v.toLowerCase() === value.trim().toLowerCase()) : undefined;
    throw new ValidationError(scope, prop, value, `is not a ${enumName}`, sameButCase !== undefined
      ? `Use ${memberOf(sameButCase)} (enum values are case-sensitive; use the enum member, not a string).`
      : `Use one of ${allowed.map(memberOf).join(', ')}.`);
  }
}

/** Throws when a list has the same entry twice. */
export function checkUnique(scope: IConstruct, prop: string, values: any[]): void {
  const seen = new Set<any>();
  values.forEach((v, i) => {
    if (seen.has(v)) {
      throw new ValidationError(scope, `${prop}[${i}]`, v, 'repeats an earlier entry', 'List each value once.');
    }
    seen.add(v);
  });
}

const BUCKET_NAME = /^(?!xn--)(?!sthree-)(?!.*-s3alias$)(?!.*--ol-s3$)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Throws unless `value` is a valid object store bucket name (the S3 rules, which GCS and Azure also accept). */
export function checkBucketName(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !BUCKET_NAME.test(value)) {
    throw new ValidationError(scope, prop, value,
      'is not a valid bucket name: 3-63 lower-case letters, digits, "." or "-", starting and ending with a letter or digit, not an IP address',
      `Choose a valid name, e.g. "acme-ml-artifacts-prod", or leave ${prop} unset to let Terraform generate one.`);
  }
}

/** AWS billing takes amounts as decimal strings in cents: less than a cent rounds to 0, huge numbers to "1e+21". */
export function checkUsdAmount(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  checkPositive(scope, prop, value);
  if (value < 0.01 || value > 1e12) {
    throw new ValidationError(scope, prop, value, 'must be between 0.01 and 1000000000000 USD', 'Use an amount in dollars and cents, e.g. 25000.');
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Throws unless `value` is a Kubernetes name that must be a DNS label (namespaces, service accounts). */
export function checkDnsLabel(scope: IConstruct, prop: string, value: string | undefined, what: string): void {
  checkPattern(scope, prop, value, DNS_LABEL, `a Kubernetes ${what} name (lower-case DNS label)`);
}

/** Lower-case letters, digits and single hyphens, none at either end: the form most derived cloud names accept. */
export function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Shape checks for JavaScript callers and casts past the type system: a missing props object, a missing or
// wrong construct, a string where a list is expected. Each gives a ValidationError instead of a TypeError from
// deep inside a constructor.
// ---------------------------------------------------------------------------------------------------------------

/** Throws unless a construct's props argument is an object. */
export function requireProps(scope: IConstruct, props: any, example: string): void {
  if (props === undefined || props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new ValidationError(scope, 'props', props, 'must be an object of properties', `Pass e.g. ${example}.`);
  }
}

/** How a value is named in an error: a construct by its class and path, anything else as given. */
function describeGiven(value: any): any {
  if (value !== null && typeof value === 'object' && value.node !== undefined && typeof value.node.path === 'string') {
    return `${value.constructor?.name ?? 'construct'} at ${value.node.path || '<root>'}`;
  }
  if (typeof value === 'function') {
    return `function ${value.name || '(anonymous)'}`;
  }
  return value;
}

/**
 * Throws unless `predicate(value)` holds. `expected` says what the prop must be ("an AwsCloud"). When the value
 * is an object holding the expected kind in one of its fields (an AwsMlopsPlatform passed where its cluster is
 * expected), the fix names that field.
 */
export function requireConstruct(scope: IConstruct, prop: string, value: any, expected: string, predicate: (v: any) => boolean, fix: string): void {
  if (safely(() => predicate(value))) {
    return;
  }
  if (value === undefined || value === null) {
    throw new ValidationError(scope, prop, value, `is required: it must be ${expected}`, fix);
  }
  const field = typeof value === 'object'
    ? Object.keys(value).find((k) => k !== 'node' && safely(() => predicate(value[k])))
    : undefined;
  throw new ValidationError(scope, prop, describeGiven(value), `must be ${expected}`,
    field !== undefined ? `Pass the ${field} it holds instead (${prop}: <that ${value.constructor?.name ?? 'object'}>.${field}).` : fix);
}

function safely(test: () => boolean): boolean {
  try {
    return test() === true;
  } catch {
    return false;
  }
}

/** Options of {@link requireList}. */
export interface RequireListOptions {
  /** An example list for the fix, e.g. `['ml-platform@example.com']`. */
  readonly example: string;
  /** Throw when the list is missing. */
  readonly required?: boolean;
  /** Fewest entries (default 0). */
  readonly minLength?: number;
  /** Most entries. */
  readonly maxLength?: number;
  /** Why there is a maximum (an AWS limit), for the message. */
  readonly maxReason?: string;
}

/** Throws unless `value` is a list (a single string where a list is expected is the usual mistake). */
export function requireList(scope: IConstruct, prop: string, value: any, options: RequireListOptions): void {
  if (value === undefined || value === null) {
    if (options.required) {
      throw new ValidationError(scope, prop, value, 'is required', `Pass a list, e.g. ${options.example}.`);
    }
    return;
  }
  if (!Array.isArray(value)) {
    if (typeof value === 'string' && isUnresolved(value)) {
      return;
    }
    throw new ValidationError(scope, prop, value, typeof value === 'string' ? 'must be a list, not a single string' : 'must be a list',
      `Pass a list, e.g. ${options.example}.`);
  }
  if (options.minLength !== undefined && value.length < options.minLength) {
    throw new ValidationError(scope, prop, value, `must list at least ${options.minLength} entr${options.minLength === 1 ? 'y' : 'ies'}`,
      `Pass e.g. ${options.example}.`);
  }
  if (options.maxLength !== undefined && value.length > options.maxLength) {
    throw new ValidationError(scope, prop, value, `lists ${value.length} entries, more than ${options.maxLength}${options.maxReason ? ` (${options.maxReason})` : ''}`,
      `List at most ${options.maxLength}.`);
  }
}

/** True for a construct implementing ICloudServices. */
export function isCloudServices(value: any): boolean {
  return isConstructLike(value) && ['newObjectStore', 'newPostgresDatabase', 'newContainerRepository', 'newBackupPlan', 'newCostBudget']
    .every((m) => typeof value[m] === 'function');
}

/** True for a construct implementing IKubernetesCluster. */
export function isKubernetesCluster(value: any): boolean {
  return isConstructLike(value) && typeof value.addGpuNodeGroup === 'function' && typeof value.newWorkloadIdentity === 'function';
}

function isConstructLike(value: any): boolean {
  return value !== null && typeof value === 'object' && value.node !== undefined && typeof value.node.path === 'string';
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes labels
// ---------------------------------------------------------------------------------------------------------------

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why a label key is invalid, or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) {
    return 'is empty';
  }
  const parts = key.split('/');
  if (parts.length > 2) {
    return 'has more than one "/"';
  }
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'has a prefix that is not a lower-case DNS subdomain of at most 253 characters';
  }
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    return 'has a name that is not 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** Whether a key is in the kubernetes.io / k8s.io namespaces, which kubelet refuses to set on its own node. */
function kubeletRestricted(key: string): boolean {
  const prefix = key.includes('/') ? key.split('/')[0] : '';
  const inNamespace = (ns: string) => prefix === ns || prefix.endsWith(`.${ns}`);
  return (inNamespace('kubernetes.io') || inNamespace('k8s.io')) && !inNamespace('node-restriction.kubernetes.io');
}

/** Options of {@link checkKubernetesLabels}. */
export interface KubernetesLabelOptions {
  /** The labels go on nodes (through kubelet), which may not set kubernetes.io / k8s.io labels. */
  readonly onNodes?: boolean;
  /** Keys the construct sets itself, which a user label would silently lose to. */
  readonly reservedKeys?: string[];
}

/**
 * Throws unless `labels` is a map of valid Kubernetes label keys (optional DNS-subdomain prefix up to 253
 * characters, "/", name up to 63) to valid values (up to 63 characters, empty allowed).
 */
export function checkKubernetesLabels(scope: IConstruct, prop: string, labels: any, options: KubernetesLabelOptions = {}): void {
  if (labels === undefined || isUnresolved(labels)) {
    return;
  }
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new ValidationError(scope, prop, labels, 'must be a map of label keys to values', `Pass e.g. { 'team.example.com/owner': 'ml-platform' }.`);
  }
  for (const [key, value] of Object.entries(labels)) {
    const at = `${prop}[${JSON.stringify(key)}]`;
    if (isUnresolved(key)) {
      continue;
    }
    const problem = labelKeyProblem(key);
    if (problem !== undefined) {
      throw new ValidationError(scope, at, key, `is not a valid Kubernetes label key: it ${problem}`,
        'Use a key such as "team.example.com/owner" or "workload-class".');
    }
    if (options.onNodes && kubeletRestricted(key)) {
      throw new ValidationError(scope, at, key, 'is in the kubernetes.io / k8s.io namespaces, which kubelet refuses to set on its node (the node never joins)',
        'Use a prefix of your own, e.g. "example.com/role", or "node-restriction.kubernetes.io/..." for labels pods must not be able to claim.');
    }
    if (options.reservedKeys?.includes(key)) {
      throw new ValidationError(scope, at, key, 'is set by this construct itself, which would overwrite your value',
        `Use another key; this construct sets ${options.reservedKeys.join(', ')}.`);
    }
    if (isUnresolved(value)) {
      continue;
    }
    if (typeof value !== 'string' || value.length > 63 || (value.length > 0 && !LABEL_NAME.test(value))) {
      throw new ValidationError(scope, at, value, 'is not a valid Kubernetes label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
        'Use a value such as "ml-platform" (quote numbers and booleans: "true").');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Uniqueness within a stack
// ---------------------------------------------------------------------------------------------------------------

const CLAIMS = new WeakMap<IConstruct, Map<string, string>>();

function stackOf(scope: IConstruct): IConstruct {
  return [...scope.node.scopes].reverse().find((c) => TerraformStack.isStack(c)) ?? scope.node.root;
}

/**
 * Records that `scope` uses `key` of a kind (a bucket name, a namespace on a cluster) in its stack; throws when
 * another construct of the stack already did. `prop` and `value` are what the user set; nothing is claimed when
 * the value is unset or a token.
 */
export function claimUnique(scope: IConstruct, prop: string, value: any, kind: string, key: string, fix: string): void {
  if (value === undefined || isUnresolved(value) || isUnresolved(key)) {
    return;
  }
  const owner = stackOf(scope);
  let claims = CLAIMS.get(owner);
  if (!claims) {
    claims = new Map();
    CLAIMS.set(owner, claims);
  }
  const claimKey = `${kind}\u0000${key}`;
  const earlier = claims.get(claimKey);
  if (earlier !== undefined && earlier !== scope.node.path) {
    throw new ValidationError(scope, prop, value, `is already used by ${earlier}: a stack can have only one ${kind} with it`, fix);
  }
  claims.set(claimKey, scope.node.path);
}

/** Throws when the stack already has a construct of this kind (two AwsClouds, two BackupPolicies). */
export function claimSingleton(scope: IConstruct, kind: string, fix: string): void {
  claimUnique(scope, kind, scope.node.path, `${kind} (one per stack)`, '', fix);
}

// ---------------------------------------------------------------------------------------------------------------
// Policy rules given by users
// ---------------------------------------------------------------------------------------------------------------

/**
 * Throws unless every rule has an ID, a PolicyLevel (a level in the wrong case would otherwise downgrade an
 * error to a warning), resource types and a check function.
 */
export function checkPolicyRules(scope: IConstruct, prop: string, rules: any): void {
  if (rules === undefined) {
    return;
  }
  requireList(scope, prop, rules, { example: '[new MyRule()]' });
  (rules as any[]).forEach((rule, i) => {
    const at = `${prop}[${i}]`;
    if (rule === null || typeof rule !== 'object') {
      throw new ValidationError(scope, at, rule, 'must be a policy rule object', 'Pass an object implementing IPolicyRule (id, level, description, resourceTypes, check).');
    }
    if (typeof rule.id !== 'string' || !/^[A-Z0-9_]+$/.test(rule.id)) {
      throw new ValidationError(scope, `${at}.id`, rule.id, 'must be a rule ID of upper-case letters, digits and "_"', 'Use e.g. "MLOPS_ORG_1": suppressions name rules by ID.');
    }
    if (rule.level === undefined) {
      throw new ValidationError(scope, `${at}.level`, rule.level, 'is required', 'Set PolicyLevel.ERROR (fails synth) or PolicyLevel.WARNING.');
    }
    checkEnum(scope, `${at}.level`, rule.level, PolicyLevel, 'PolicyLevel');
    requireList(scope, `${at}.resourceTypes`, rule.resourceTypes, { required: true, minLength: 1, example: "['aws_s3_bucket']" });
    if (typeof rule.check !== 'function') {
      throw new ValidationError(scope, `${at}.check`, describeGiven(rule.check), 'must be a function', 'Implement check(resource, context), returning a problem or undefined.');
    }
  });
}
