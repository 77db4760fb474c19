import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';

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

const AWS_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)(-gov)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d$/;

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
    throw new ValidationError(scope, prop, value, `is not a ${enumName}`, `Use one of ${allowed.map((v) => `${enumName}.${Object.keys(enumObject).find((k) => enumObject[k] === v)}`).join(', ')}.`);
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
