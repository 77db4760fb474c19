/*
 * Shared machinery for the property-based (fast-check) tests of the construct props.
 *
 * Every property has the same oracle: building a stack from generated props either
 *   - synthesizes through `app.synth()` (the path users run), and the stack's `cdk.tf.json` and
 *     `platform-report.json` contain no `undefined`, `[object Object]` or `NaN` and parse as JSON, or
 *   - throws the library's ValidationError, whose message names the construct path (inside `[...]`) and the prop.
 * Anything else (TypeError, plain Error, synth-time crash) fails the property.
 */
import { App } from 'cdktf';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  AwsCloud, CostAllocation, CostAllocationProps, Duration, EksCluster, Errors, GpuInstanceCatalog, IEksCluster,
  PlatformStack, PlatformStackProps, RecoveryObjective,
} from '../../lib';
import { ValidationError } from '../../lib/core/errors';

/**
 * The seed every property runs with, so the suite is deterministic. FUZZ_SEED and FUZZ_RUNS_FACTOR override it
 * for a longer exploratory run, e.g. `FUZZ_SEED=7 FUZZ_RUNS_FACTOR=10 npx jest test/fuzz`.
 */
export const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 42;
const RUNS_FACTOR = process.env.FUZZ_RUNS_FACTOR !== undefined ? Number(process.env.FUZZ_RUNS_FACTOR) : 1;

export const DEFAULT_COST: CostAllocationProps = { costCenter: 'cc-4512', team: 'ml-platform', project: 'fraud', environment: 'prod' };

/** Props of a valid stack in us-east-1 with DR in us-west-2. */
export function validStackProps(overrides: Partial<PlatformStackProps> = {}): PlatformStackProps {
  return {
    costAllocation: new CostAllocation({ ...DEFAULT_COST }),
    recoveryObjective: RecoveryObjective.businessCritical('us-west-2'),
    primaryRegion: 'us-east-1',
    ...overrides,
  };
}

const outdirs = new Set<string>();

/** An App writing to its own temporary directory (removed by `removeFuzzOutdirs`). */
export function newFuzzApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-fuzz-'));
  outdirs.add(outdir);
  return new App({ outdir });
}

/** Removes the output directories of every App made by `newFuzzApp` so far. */
export function removeFuzzOutdirs(): void {
  for (const dir of outdirs) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  outdirs.clear();
}

/**
 * Base64 of a PEM certificate (a self-signed EC certificate, CN=kubernetes, CA:TRUE, generated for these tests),
 * in the form `aws eks describe-cluster` returns the cluster CA.
 */
export const TEST_CA_DATA = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJrRENDQVRXZ0F3SUJBZ0lVWktydXg0a0d0cmxieTVrZ1FjUzZUcE1BQm1jd0NnWUlLb1pJemowRUF3SXcKRlRFVE1CRUdBMVVFQXd3S2EzVmlaWEp1WlhSbGN6QWVGdzB5TmpFeE1qWXhNVEl3TURCYUZ3MHpOakV4TWpNeApNVEl3TURCYU1CVXhFekFSQmdOVkJBTU1DbXQxWW1WeWJtVjBaWE13V1RBVEJnY3Foa2pPUFFJQkJnZ3Foa2pPClBRTUJCd05DQUFTb0t0S3J1Yi9mdzh4VjNSL3RraW5TazU1cEovUVhnQ0lxNDdBSHpjakwreXl6eHNTb1NiVC8KRlUwY0VIT2w1MmMvbS9vdGRoc2N2aWRXUEkyTS95bUxvMk13WVRBZEJnTlZIUTRFRmdRVVRsWjROOHFRanRXbwpMdUVlNlN6c3o4eDM1Vmt3SHdZRFZSMGpCQmd3Rm9BVVRsWjROOHFRanRXb0x1RWU2U3pzejh4MzVWa3dEd1lEClZSMFRBUUgvQkFVd0F3RUIvekFPQmdOVkhROEJBZjhFQkFNQ0FvUXdDZ1lJS29aSXpqMEVBd0lEU1FBd1JnSWgKQVB0akFXZnorS2RneTNFTGNqRHliVW9OVElaSnlYSjJhck90MzRsYndISFRBaUVBODNmdVRVdWxRL2pFK3JrWApEc3ltN2JabVJtYlMxUWZnK1R5K0psSnkrSjQ9Ci0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K';

/** Attributes of a valid imported cluster, with overrides. */
export function importedClusterAttributes(cloud: AwsCloud, overrides: { [key: string]: any } = {}): any {
  return {
    cloud,
    clusterName: 'imported',
    endpoint: 'https://ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com',
    certificateAuthorityData: TEST_CA_DATA,
    installPodIdentityAgent: false,
    privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
    clusterSecurityGroupId: 'sg-0123456789abcdef0',
    nodeRoleArn: 'arn:aws:iam::111122223333:role/nodes',
    openIdConnectProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789',
    ...overrides,
  };
}

/** A cheap imported cluster: no VPC, no EKS resources, only providers. */
export function importedCluster(stack: PlatformStack, cloud: AwsCloud, id = 'Cluster'): IEksCluster {
  return EksCluster.fromClusterAttributes(stack, id, importedClusterAttributes(cloud));
}

/** Text that must never appear in synthesized output. */
export const FORBIDDEN_OUTPUT = ['undefined', '[object Object]', 'NaN'];

export type Outcome = 'synthesized' | 'rejected';

/** What a property saw, so a test can check the generators reached both outcomes. */
export class OutcomeCounter {
  public synthesized = 0;
  public rejected = 0;
  public readonly rejectedProps = new Set<string>();

  public add(outcome: Outcome, prop?: string): void {
    if (outcome === 'synthesized') {
      this.synthesized++;
    } else {
      this.rejected++;
      if (prop !== undefined) {
        this.rejectedProps.add(prop);
      }
    }
  }
}

/**
 * Asserts that `error` is this library's ValidationError with the construct path in `[...]` and the prop in the
 * message, and nothing unrendered in it. Returns the error, typed.
 */
export function assertValidationError(error: unknown): ValidationError {
  const e = error as any;
  // Both checks the spec allows: the class itself, or an Error named ValidationError (another copy of the module).
  const isValidation = [ValidationError].some((cls) => error instanceof cls) || Errors.isValidationError(error);
  if (!isValidation) {
    throw new Error(`expected a ValidationError, got ${e?.name ?? typeof e}: ${e?.message ?? String(e)}\n${e?.stack ?? ''}`);
  }
  if (typeof e.constructPath !== 'string' || e.constructPath === '') {
    throw new Error(`ValidationError without a construct path: ${e.message}`);
  }
  if (!e.message.includes(`[${e.constructPath}]`)) {
    throw new Error(`ValidationError message does not name the construct path [${e.constructPath}]: ${e.message}`);
  }
  if (typeof e.prop !== 'string' || e.prop === '' || !e.message.includes(e.prop)) {
    throw new Error(`ValidationError message does not name the prop ${JSON.stringify(e.prop)}: ${e.message}`);
  }
  if (e.message.includes('[object Object]')) {
    throw new Error(`ValidationError message renders an object as [object Object]: ${e.message}`);
  }
  return e as ValidationError;
}

/** Asserts a synthesized file is clean JSON; returns the parsed value. */
export function assertCleanJson(file: string): any {
  const text = fs.readFileSync(file, 'utf8');
  for (const bad of FORBIDDEN_OUTPUT) {
    const at = text.indexOf(bad);
    if (at >= 0) {
      throw new Error(`${path.basename(file)} contains ${JSON.stringify(bad)}: ...${text.slice(Math.max(0, at - 200), at + 100)}...`);
    }
  }
  return JSON.parse(text);
}

export interface Built {
  readonly app: App;
  readonly stack: PlatformStack;
}

export interface SynthOutput {
  readonly json: any;
  readonly report: any;
}

/**
 * Runs `build` (which constructs an App, a PlatformStack and constructs from generated props) and synthesizes it.
 * Returns 'rejected' when a ValidationError was thrown (and checked), 'synthesized' when synth produced clean
 * output (after `check`, when given, passed); throws for any other outcome. Removes the output directories.
 */
export function runCase(build: () => Built, check?: (out: SynthOutput, built: Built) => void): { outcome: Outcome; error?: ValidationError } {
  let built: Built | undefined;
  try {
    try {
      built = build();
    } catch (error) {
      return { outcome: 'rejected', error: assertValidationError(error) };
    }
    try {
      built.app.synth();
    } catch (error) {
      // A synth-time error is only acceptable when it is a ValidationError too (e.g. thrown from a Lazy value).
      return { outcome: 'rejected', error: assertValidationError(error) };
    }
    const dir = path.join(built.app.outdir, 'stacks', built.stack.node.id);
    const out = { json: assertCleanJson(path.join(dir, 'cdk.tf.json')), report: assertCleanJson(path.join(dir, 'platform-report.json')) };
    check?.(out, built);
    return { outcome: 'synthesized' };
  } finally {
    removeFuzzOutdirs();
  }
}

/** Runs a build function and returns the ValidationError it throws (fails when it throws something else or nothing). */
export function validationErrorOf(build: () => unknown): ValidationError {
  let thrown: unknown;
  try {
    build();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) {
    throw new Error('expected a ValidationError, but nothing was thrown');
  }
  return assertValidationError(thrown);
}

/** fast-check parameters every property uses. */
export function params(numRuns: number): fc.Parameters<unknown> {
  return { numRuns: Math.max(1, Math.round(numRuns * RUNS_FACTOR)), seed: SEED, endOnFailure: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Generators: each mixes valid and invalid values for one kind of prop.
// ---------------------------------------------------------------------------------------------------------------

/** `undefined` (the prop left out) with the given weight against `arb`. */
export function orUnset<T>(arb: fc.Arbitrary<T>, unsetWeight = 1, setWeight = 3): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: unsetWeight }, { arbitrary: arb, weight: setWeight });
}

/** Mostly `valid`, sometimes `invalid` (weights 5:1 by default). */
export function mix<T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>, validWeight = 5, invalidWeight = 1): fc.Arbitrary<T | U> {
  return fc.oneof({ arbitrary: valid as fc.Arbitrary<T | U>, weight: validWeight }, { arbitrary: invalid as fc.Arbitrary<T | U>, weight: invalidWeight });
}

/** Numbers outside [validMin, validMax] or not whole: negatives, zero, huge, fractions, NaN, infinities. */
export function badNumber(validMin: number, validMax: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(0, -1, validMin - 1, validMax + 1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e21, NaN, Infinity, -Infinity),
    fc.integer({ min: -1000, max: 100000 }),
    fc.double({ min: -10, max: validMax + 10, noNaN: true }),
    fc.integer({ min: validMin, max: validMax }).map((n) => n + 0.5),
  );
}

/** Numbers of every awkward kind, mostly whole numbers in [validMin, validMax] (including -0 once in a while). */
export function anyNumber(validMin: number, validMax: number, validWeight = 5, invalidWeight = 1): fc.Arbitrary<number> {
  return mix(fc.integer({ min: validMin, max: validMax }), badNumber(validMin, validMax), validWeight, invalidWeight);
}

/** Values of the wrong type for a prop (as a JavaScript or jsii caller could pass them). */
export const wrongType: fc.Arbitrary<any> = fc.constantFrom(null, true, {}, [], 'x', 42);

/** Strings of odd shapes: empty, whitespace, unicode, very long. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', 'ünïcödé', '名前', '🚀rocket', 'a'.repeat(64), 'a'.repeat(300), 'has space', 'UPPER', '-leading', 'trailing-', 'a..b'),
  fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/undefined|NaN|object Object/.test(s)),
);

/** A lower-case DNS label. */
export const dnsLabel: fc.Arbitrary<string> = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'us-gov-west-1', 'ca-central-1', 'ap-southeast-7', 'mx-central-1'];
/** Malformed names, names shaped like a region that AWS does not have, and regions of other partitions. */
const BAD_REGIONS = ['us-east', 'US-EAST-1', 'us-east-1 ', 'mars-north-1', 'useast1', '', ' ', 'eu-west-10x', 'us-east-9', 'eu-west-4',
  'ap-northeast-4', 'cn-north-1', 'us-gov-east-1', 'us-iso-east-1', 'eusc-de-east-1'];

/** AWS region names, valid and not, including a missing one (for primaryRegion). */
export const region: fc.Arbitrary<any> = fc.oneof(
  { arbitrary: fc.constantFrom(...REGIONS), weight: 12 },
  { arbitrary: fc.constantFrom(...BAD_REGIONS), weight: 2 },
  { arbitrary: fc.constantFrom(undefined, null, 1), weight: 1 },
);

/** DR region names, valid and not, including a missing one. */
export const drRegion: fc.Arbitrary<any> = region;

/** Cost allocation field values: valid labels, invalid ones and missing ones. */
export const costField: fc.Arbitrary<any> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?$/).filter((s) => !/undefined|NaN/i.test(s)), weight: 10 },
  { arbitrary: fc.constantFrom('ml-platform', 'cc-4512', 'prod', 'Fraud.Models', 'a_b', 'x', 'a'.repeat(63)), weight: 6 },
  { arbitrary: fc.constantFrom(undefined, null, '', '   ', 'has space', '-lead', 'trail-', 'a'.repeat(64), 'ünï', 42, {}), weight: 2 },
);

/** Durations of at least `minMinutes` in each unit, plus awkward ones (negative, zero, fractional, NaN, infinite, huge). */
export function duration(minMinutes: number, maxDays: number, invalidWeight = 1): fc.Arbitrary<Duration> {
  return fc.oneof(
    { arbitrary: fc.integer({ min: minMinutes, max: 600 }).map(Duration.minutes), weight: 3 },
    { arbitrary: fc.integer({ min: Math.max(1, Math.ceil(minMinutes / 60)), max: 72 }).map(Duration.hours), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: maxDays }).map(Duration.days), weight: 3 },
    { arbitrary: fc.constantFrom(-5, 0, 1, 4, 0.5, 5.5, NaN, Infinity, -Infinity, 1e300).map(Duration.minutes), weight: invalidWeight },
    { arbitrary: fc.constantFrom(-1, 0, 0.25, 1.5, NaN, Infinity).map(Duration.hours), weight: invalidWeight },
    { arbitrary: fc.constantFrom(-1, 0, 0.5, 1.5, 36500, 36501, NaN, 1e306).map(Duration.days), weight: invalidWeight },
  );
}

/** Every catalogued GPU type, some in odd case or padding, plus non-GPU and garbage types. */
export const gpuInstanceType: fc.Arbitrary<any> = fc.oneof(
  { arbitrary: fc.constantFrom(...GpuInstanceCatalog.all().map((s) => s.instanceType)), weight: 16 },
  { arbitrary: fc.constantFrom(...GpuInstanceCatalog.all().map((s) => s.instanceType)).map((t) => ` ${t.toUpperCase()} `), weight: 1 },
  { arbitrary: fc.constantFrom('m5.large', 'm7i.large', 'c6i.xlarge', 'inf2.xlarge', 'trn1.2xlarge', 'g5.huge', 'p4.24xlarge', 'g4ad.xlarge'), weight: 2 },
  { arbitrary: fc.constantFrom('', ' ', 'garbage', 'g5', '.xlarge', undefined, null, 5), weight: 1 },
);

/** S3 bucket names, valid and invalid. */
export const bucketName: fc.Arbitrary<any> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$/).filter((s) => !s.startsWith('xn--') && !s.startsWith('sthree-')), weight: 8 },
  { arbitrary: fc.constantFrom('acme-ml-artifacts-prod', 'my.bucket.name', 'abc'), weight: 2 },
  {
    arbitrary: fc.constantFrom('My_Bucket', 'ab', 'a'.repeat(64), '-bucket', 'bucket-', 'a..b', '192.168.5.4', 'xn--bucket', 'sthree-x',
      'bucket-s3alias', 'x--ol-s3', 'UPPER', 'has space', '', ' ', 'bücket', null, 7),
    weight: 3,
  },
);

/** ECR repository names, valid and invalid. */
export const repositoryName: fc.Arbitrary<any> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9]{1,10}([._-][a-z0-9]{1,10}){0,2}(\/[a-z0-9]{1,10}([._-][a-z0-9]{1,10}){0,2}){0,2}$/).filter((s) => s.length >= 2), weight: 8 },
  { arbitrary: fc.constantFrom('fraud-models/serving', 'serving', 'a/b/c'), weight: 2 },
  { arbitrary: fc.constantFrom('UPPER', 'a', '', ' ', '/lead', 'trail/', 'a//b', 'a__b', 'a-', '-a', 'x'.repeat(257), 'ünï', null, 3), weight: 3 },
);

/** Email addresses, valid and malformed. */
export const email: fc.Arbitrary<any> = fc.oneof(
  { arbitrary: fc.emailAddress().filter((e) => /^[\x21-\x7e]+$/.test(e)), weight: 2 },
  { arbitrary: fc.constantFrom('ml-platform@example.com', 'a.b+c@sub.example.org', 'ops@example.io'), weight: 8 },
  { arbitrary: fc.constantFrom('not-an-email', '@example.com', 'a@', 'a@b', 'a b@example.com', '', ' ', 'ünï@example.com', null, 5), weight: 1 },
);

/** IPv4 CIDR blocks with every prefix, plus malformed ones. */
export const cidr: fc.Arbitrary<any> = fc.oneof(
  {
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 32 }))
      .map(([a, b, p]) => `${a}.${b}.0.0/${p}`),
    weight: 4,
  },
  { arbitrary: fc.constantFrom('10.40.0.0/16', '10.0.0.0/20', '172.16.0.0/18', '203.0.113.0/24', '198.51.100.7/32'), weight: 3 },
  { arbitrary: fc.constantFrom('0.0.0.0/0', '::/0', '10.0.0.0', '256.0.0.0/16', '10.0.0.0/33', '10.0.0/16', 'garbage', '', ' 10.0.0.0/16', null, 16), weight: 2 },
);

/** VPC CIDR blocks: mostly network-aligned /16 to /20 blocks, sometimes any CIDR or garbage. */
export const vpcCidr: fc.Arbitrary<any> = mix(
  fc.tuple(fc.constantFrom(10, 172, 192, 100), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 20 })).map(([a, b, p]) => `${a}.${b}.0.0/${p}`),
  cidr, 3, 1,
);

/** Kubernetes label keys: valid ones with and without a prefix, and invalid ones. */
export const labelKey: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?\/[A-Za-z0-9]([A-Za-z0-9_.-]{0,20}[A-Za-z0-9])?$/).filter((k) => !/\.\.|\.-|-\./.test(k.split('/')[0])), weight: 3 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,30}[A-Za-z0-9])?$/), weight: 3 },
  { arbitrary: fc.constantFrom('', 'a/b/c', '-lead', 'trail_', 'has space', 'Upper.Case/x', 'x'.repeat(64), `${'p'.repeat(254)}/x`, 'node.kubernetes.io/x', 'ünï'), weight: 1 },
).filter((k) => !/undefined|NaN/.test(k) && k !== '__proto__' && k !== 'constructor');

/** Kubernetes label values, valid and not. */
export const labelValue: fc.Arbitrary<any> = fc.oneof(
  { arbitrary: fc.stringMatching(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,30}[A-Za-z0-9])?)?$/).filter((v) => !/undefined|NaN/.test(v)), weight: 6 },
  { arbitrary: fc.constantFrom('v'.repeat(64), '-x', 'x-', 'has space', 'a/b', true, 5, null), weight: 1 },
);

/** Instance types for the x86 system node group: catalogued, Graviton, unknown and malformed. */
export const systemInstanceType: fc.Arbitrary<any> = fc.oneof(
  { arbitrary: fc.constantFrom('m7i.large', 'm6i.xlarge', 'c7i.2xlarge', 'r7a.large', 'm8i.large', 't3.medium', 't3a.large', 'm5.large'), weight: 6 },
  { arbitrary: fc.constantFrom('m7g.large', 'c7gn.xlarge', 't4g.medium', 'r8g.large', 'a1.large', 'm6gd.large'), weight: 2 },
  { arbitrary: fc.constantFrom('m7i.huge', 'm99.large', 'g5.xlarge', 'M7I.LARGE', '', 'm7i', null, 5), weight: 1 },
);

/** EKS access entry principals: IAM role and user ARNs, STS session ARNs, malformed ARNs, a single string. */
export const principalArns: fc.Arbitrary<any> = fc.oneof(
  {
    arbitrary: fc.uniqueArray(fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,20}$/).map((n) => `arn:aws:iam::111122223333:role/${n}`),
      fc.constantFrom('arn:aws:iam::111122223333:user/jane', 'arn:aws:iam::111122223333:role/team/platform-admins'),
    ), { maxLength: 2 }),
    weight: 6,
  },
  {
    arbitrary: fc.constantFrom(['arn:aws:sts::111122223333:assumed-role/Admins/jane'], ['arn:aws:iam::1111:role/x'], ['arn:aws:iam::111122223333:group/admins'],
      [''], ['admins'], 'arn:aws:iam::111122223333:role/admins', [null]),
    weight: 2,
  },
);

/** allowedAccountIds: valid lists, malformed IDs, numbers, a single string. */
export const accountIds: fc.Arbitrary<any> = fc.oneof(
  { arbitrary: fc.uniqueArray(fc.stringMatching(/^\d{12}$/), { minLength: 1, maxLength: 2 }), weight: 5 },
  { arbitrary: fc.constantFrom(['11112222333'], ['1111222233334'], [111122223333], ['abcdefghijkl'], '111122223333', [], [' 111122223333']), weight: 2 },
);
