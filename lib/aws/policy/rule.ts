/*
 * Internal helpers for the AWS rule pack. Rules see resources as synthesized Terraform JSON, where a block
 * may be an object or an array, references are "${type.name.attr}" strings and policies are JSON strings;
 * these helpers absorb those shapes so each rule reads as the requirement it checks.
 */
import { IPolicyContext, IPolicyRule, PolicyLevel, PolicyResource } from '../../core/policy/policy-rule';

/** Signature of a rule's check. */
export type RuleCheck = (resource: PolicyResource, context: IPolicyContext) => string | undefined;

/** Defines a rule compactly. */
export function rule(id: string, level: PolicyLevel, description: string, resourceTypes: string[], check: RuleCheck): IPolicyRule {
  return { id, level, description, resourceTypes, check };
}

/** A block that cdktf may render as an object or an array, as an array ([] when absent). */
export function asList(value: any): any[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** The first (usually only) instance of a nested block, or undefined. */
export function firstBlock(config: { [key: string]: any } | undefined, key: string): any {
  return config ? asList(config[key])[0] : undefined;
}

/**
 * True when the value is, or contains, a Terraform expression that is only known at apply time.
 * Such values cannot be judged at synth, so rules let them pass rather than raise false alarms.
 */
export function isUnknown(value: any): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** True for a boolean true, including the string form Terraform also accepts. */
export function isTrue(value: any): boolean {
  return value === true || value === 'true';
}

/** True for a boolean false, including the string form. */
export function isFalse(value: any): boolean {
  return value === false || value === 'false';
}

/** True when an argument has a value (empty strings count as unset, as Terraform treats them). */
export function isSet(value: any): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A number or numeric string as a number; undefined when absent or not a literal number. */
export function toNumber(value: any): number | undefined {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value))) {
    return Number(value);
  }
  return undefined;
}

/** How a value reads in a finding message. */
export function shown(value: any): string {
  return value === undefined || value === null ? 'not set' : JSON.stringify(value);
}

/** Message when `key` must be true, or undefined when it is (or cannot be known at synth). */
export function requireTrue(config: { [key: string]: any }, key: string): string | undefined {
  const value = config[key];
  return isTrue(value) || isUnknown(value) ? undefined : `${key} is not true (it is ${shown(value)})`;
}

/** Message when `key` must not be true, or undefined when it is not. */
export function forbidTrue(config: { [key: string]: any }, key: string): string | undefined {
  return isTrue(config[key]) ? `${key} is true` : undefined;
}

/** Message when `key` must have a value, or undefined when it has one. */
export function requireSet(config: { [key: string]: any }, key: string): string | undefined {
  return isSet(config[key]) ? undefined : `${key} is not set`;
}

/** Parses a policy document; undefined when it is not JSON at synth (e.g. a whole-document reference). */
export function parsePolicy(value: any): any {
  if (value !== null && typeof value === 'object') {
    return value;
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The statements of a policy document (string or parsed), [] when it cannot be parsed. */
export function statementsOf(policyJson: any): any[] {
  const policy = parsePolicy(policyJson);
  return asList(policy?.Statement).filter((s) => s !== null && typeof s === 'object');
}

/** True when the value (a string or any nested structure) references an attribute of the resource. */
export function referencesResource(value: any, resource: PolicyResource): boolean {
  if (value === undefined || value === null) {
    return false;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.includes('${' + resource.address + '.');
}

/**
 * Resources of `type` whose argument `arg` points at `target`: by reference, or by the target's literal
 * `nameArg` (a bucket or vault given by name rather than by reference).
 */
export function attachedTo(context: IPolicyContext, type: string, target: PolicyResource, arg: string, nameArg?: string): PolicyResource[] {
  const byReference = context.resourcesReferencing(type, target).filter((r) => referencesResource(r.config[arg], target));
  const name = nameArg ? target.config[nameArg] : undefined;
  if (typeof name !== 'string' || name === '' || isUnknown(name)) {
    return byReference;
  }
  const byName = context.resourcesOfType(type).filter((r) => r.config[arg] === name && !byReference.includes(r));
  return [...byReference, ...byName];
}
