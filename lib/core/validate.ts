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

/** Throws unless `value` is a private IPv4 CIDR block with a prefix in [minPrefix, maxPrefix]. */
export function checkCidr(scope: IConstruct, prop: string, value: string | undefined, minPrefix: number, maxPrefix: number): void {
  if (value === undefined || isUnresolved(value)) {
    return;
  }
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const valid = match !== null
    && match.slice(1, 5).every((octet) => Number(octet) <= 255)
    && Number(match[5]) >= minPrefix && Number(match[5]) <= maxPrefix;
  if (!valid) {
    throw new ValidationError(scope, prop, value, `must be an IPv4 CIDR block with a prefix from /${minPrefix} to /${maxPrefix}`,
      `Use a block such as "10.40.0.0/16".`);
  }
}
