import { AnnotationMetadataEntryType, App } from 'cdktf';
import { IConstruct } from 'constructs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AwsCloud } from '../lib/aws/aws-cloud';
import { EksCluster, EksClusterProps } from '../lib/aws/eks-cluster';
import { Vpc, VpcProps } from '../lib/aws/vpc';
import { CostAllocation, CostAllocationProps } from '../lib/core/cost-allocation';
import { ValidationError } from '../lib/core/errors';
import { PlatformStack, PlatformStackProps } from '../lib/core/platform-stack';
import { RecoveryObjective } from '../lib/core/recovery-objective';

/** The cost allocation every test stack uses unless overridden. */
export const DEFAULT_COST: CostAllocationProps = { costCenter: 'cc-4512', team: 'ml-platform', project: 'fraud', environment: 'prod' };

/** A fresh output directory under the OS temp dir. */
export function newOutdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-test-'));
}

/** A fresh App writing to its own temp directory. */
export function newApp(): App {
  return new App({ outdir: newOutdir() });
}

/** Props of the default test stack. */
export function defaultStackProps(): PlatformStackProps {
  return {
    costAllocation: new CostAllocation({ ...DEFAULT_COST }),
    recoveryObjective: RecoveryObjective.businessCritical('us-west-2'),
    primaryRegion: 'us-east-1',
  };
}

/** A PlatformStack in a fresh App (or the given one) with the default cost allocation and recovery objective. */
export function newStack(overrides: Partial<PlatformStackProps> = {}, app: App = newApp(), id = 'test'): PlatformStack {
  return new PlatformStack(app, id, { ...defaultStackProps(), ...overrides });
}

/** The App a stack belongs to. */
export function appOf(stack: PlatformStack): App {
  return stack.node.root as App;
}

export interface SynthResult {
  /** The stack's cdk.tf.json (undefined when synth failed before writing it). */
  readonly json: any;
  /** The stack's platform-report.json. */
  readonly report: any;
  /** The stack's platform-report.md. */
  readonly markdown: string;
  /** The stack's output directory. */
  readonly dir: string;
}

/** Synthesizes the app (running validations and aspects) and reads the stack's outputs. */
export function synthStack(stack: PlatformStack, app: App = appOf(stack)): SynthResult {
  app.synth();
  return readStackOutput(app.outdir, stack.node.id);
}

/** Reads the synthesized files of a stack. */
export function readStackOutput(outdir: string, stackId: string): SynthResult {
  const dir = path.join(outdir, 'stacks', stackId);
  return {
    dir,
    json: fs.existsSync(path.join(dir, 'cdk.tf.json')) ? JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) : undefined,
    report: JSON.parse(fs.readFileSync(path.join(dir, 'platform-report.json'), 'utf8')),
    markdown: fs.readFileSync(path.join(dir, 'platform-report.md'), 'utf8'),
  };
}

/** The configs of every resource of a type (empty when none). */
export function resourcesOfType(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** The [name, config] entries of every resource of a type. */
export function resourceEntries(json: any, type: string): Array<[string, any]> {
  return Object.entries(json.resource?.[type] ?? {});
}

/** The configs of every data source of a type. */
export function dataSourcesOfType(json: any, type: string): any[] {
  return Object.values(json.data?.[type] ?? {});
}

/** The configs of every provider of a type. */
export function providersOfType(json: any, type: string): any[] {
  return json.provider?.[type] ?? [];
}

/** The single resource of a type whose construct path (cdktf metadata) ends with `suffix`. */
export function resourceAt(json: any, type: string, suffix: string): any {
  const hits = resourcesOfType(json, type).filter((r) => r['//']?.metadata?.path?.endsWith(suffix));
  if (hits.length !== 1) {
    throw new Error(`expected one ${type} at *${suffix}, found ${hits.length}: ` +
      resourcesOfType(json, type).map((r) => r['//']?.metadata?.path).join(', '));
  }
  return hits[0];
}

/** The Terraform address `${type}.${name}` of the resource whose construct path ends with `suffix`. */
export function addressOf(json: any, type: string, suffix: string): string {
  const hits = resourceEntries(json, type).filter(([, r]) => r['//']?.metadata?.path?.endsWith(suffix));
  if (hits.length !== 1) {
    throw new Error(`expected one ${type} at *${suffix}, found ${hits.length}`);
  }
  return `${type}.${hits[0][0]}`;
}

/** A `${type.name.attr}` reference to the resource at `suffix`. */
export function refTo(json: any, type: string, suffix: string, attr: string): string {
  return '${' + addressOf(json, type, suffix) + '.' + attr + '}';
}

/** Parses a JSON string argument (policies, Helm values). */
export function parseJson(value: string): any {
  return JSON.parse(value);
}

/** The Helm values document of a release, parsed. */
export function helmValues(release: any): any {
  expect(release.values).toHaveLength(1);
  return JSON.parse(release.values[0]);
}

/** The helm_release with the given release name. */
export function helmRelease(json: any, name: string): any {
  const hits = resourcesOfType(json, 'helm_release').filter((r) => r.name === name);
  if (hits.length !== 1) {
    throw new Error(`expected one helm_release named ${name}, found ${hits.length}`);
  }
  return hits[0];
}

/** The default typical building blocks: an AwsCloud, a Vpc and an EksCluster. */
export interface Platform {
  readonly stack: PlatformStack;
  readonly cloud: AwsCloud;
  readonly vpc: Vpc;
  readonly cluster: EksCluster;
}

/** Builds an AwsCloud, a Vpc and an EksCluster in a stack. */
export function newPlatform(
  stack: PlatformStack = newStack(),
  options: { vpc?: Partial<VpcProps>; cluster?: Partial<EksClusterProps> } = {},
): Platform {
  const cloud = new AwsCloud(stack, 'Aws');
  const vpc = new Vpc(stack, 'Network', { cloud, ...options.vpc });
  const cluster = new EksCluster(stack, 'Cluster', { cloud, vpc, ...options.cluster });
  return { stack, cloud, vpc, cluster };
}

/**
 * Runs `fn`, expects it to throw a ValidationError naming `constructPath` and `prop`, whose message matches
 * `message`; returns the error.
 */
export function expectValidationError(fn: () => unknown, constructPath: string, prop: string, message: RegExp): ValidationError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  const error = caught as ValidationError;
  expect(error.name).toBe('ValidationError');
  expect(error.constructPath).toBe(constructPath);
  expect(error.prop).toBe(prop);
  expect(error.message).toMatch(message);
  expect(error.message.startsWith(`[${constructPath}] ${prop} `)).toBe(true);
  return error;
}

/** Every string leaf in a JSON tree, with its dotted key path. */
export function stringLeaves(node: any, at = ''): Array<[string, string]> {
  if (typeof node === 'string') {
    return [[at, node]];
  }
  if (Array.isArray(node)) {
    return node.flatMap((n, i) => stringLeaves(n, `${at}[${i}]`));
  }
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => stringLeaves(v, at ? `${at}.${k}` : k));
  }
  return [];
}

/** Every [keyPath, value] pair in a JSON tree (all leaves). */
export function leaves(node: any, at = ''): Array<[string, any]> {
  if (Array.isArray(node)) {
    return node.flatMap((n, i) => leaves(n, `${at}[${i}]`));
  }
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => leaves(v, at ? `${at}.${k}` : k));
  }
  return [[at, node]];
}

/**
 * The Kubernetes objects of a ManifestChart release, read from its chart asset in the stack directory `dir`, with
 * the chart's value placeholders replaced by the release's values (Terraform references) so tests see what Helm
 * will apply.
 */
export function manifestObjects(dir: string, release: any): any[] {
  const values = JSON.parse(release.values[0]);
  const template = fs.readFileSync(path.join(dir, release.chart, 'templates', 'objects.yaml'), 'utf8');
  const rendered = template
    .replace(/\{\{ \.Values\.(v\d+) \| toJson \}\}/g, (_all, key: string) => JSON.stringify(values[key]))
    .replace(/\{\{ "(\{\{|\}\})" \}\}/g, (_all, braces: string) => braces);
  return rendered.split('\n---\n').map((doc) => JSON.parse(doc));
}

/** `[path] message` of every warning annotation on `scope` and the constructs below it. */
export function warningsUnder(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === AnnotationMetadataEntryType.WARN)
    .map((m) => `[${c.node.path}] ${m.data}`));
}
