import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { AwsCloud } from '../../lib/aws/aws-cloud';
import { AwsPolicyRules } from '../../lib/aws/policy/aws-policy-rules';
import { SecureBucket } from '../../lib/aws/secure-bucket';
import { BackupPolicy } from '../../lib/backup-policy';
import { CostAllocation } from '../../lib/core/cost-allocation';
import { DataStoreKind } from '../../lib/core/data-store-registry';
import { Duration } from '../../lib/core/duration';
import { PlatformStack } from '../../lib/core/platform-stack';
import { RecoveryObjective } from '../../lib/core/recovery-objective';
import {
  DEFAULT_COST, appOf, defaultStackProps, expectValidationError, newApp, newStack, providersOfType, readStackOutput, resourcesOfType, synthStack,
} from '../helpers';

describe('PlatformStack props', () => {
  test.each([
    ['missing', undefined],
    ['a plain object instead of a CostAllocation', { ...DEFAULT_COST }],
  ])('costAllocation %s is rejected', (_name, costAllocation) => {
    expectValidationError(() => new PlatformStack(newApp(), 'test', { ...defaultStackProps(), costAllocation: costAllocation as any }), 'test',
      'costAllocation', /is required: a stack cannot synthesize untagged/);
  });

  test('no props at all is rejected on costAllocation', () => {
    expectValidationError(() => new PlatformStack(newApp(), 'test', undefined as any), 'test', 'costAllocation', /is required/);
  });

  test.each(['costCenter', 'team', 'project', 'environment'])('a missing costAllocation.%s names the field', (field) => {
    const costAllocation = new CostAllocation({ ...DEFAULT_COST, [field]: undefined } as any);
    expectValidationError(() => new PlatformStack(newApp(), 'test', { ...defaultStackProps(), costAllocation }), 'test',
      `costAllocation.${field}`, /is required: a stack cannot synthesize untagged \(got nothing\)/);
  });

  test.each(['costCenter', 'team', 'project', 'environment'])('an invalid costAllocation.%s names the field and value', (field) => {
    const costAllocation = new CostAllocation({ ...DEFAULT_COST, [field]: 'not valid!' });
    expectValidationError(() => new PlatformStack(newApp(), 'test', { ...defaultStackProps(), costAllocation }), 'test',
      `costAllocation.${field}`, /must be 1-63 letters, digits.*\(got "not valid!"\)/);
  });

  test('recoveryObjective is required', () => {
    expectValidationError(() => new PlatformStack(newApp(), 'test', { ...defaultStackProps(), recoveryObjective: undefined as any }), 'test',
      'recoveryObjective', /is required \(got nothing\)\. Pass a RecoveryObjective/);
    expectValidationError(() => new PlatformStack(newApp(), 'test', { ...defaultStackProps(), recoveryObjective: { rpo: Duration.hours(1) } as any }),
      'test', 'recoveryObjective', /is required/);
  });

  test('primaryRegion is required and must be a region', () => {
    expectValidationError(() => new PlatformStack(newApp(), 'test', { ...defaultStackProps(), primaryRegion: undefined as any }), 'test',
      'primaryRegion', /is required \(got nothing\)/);
    expectValidationError(() => new PlatformStack(newApp(), 'test', { ...defaultStackProps(), primaryRegion: 'virginia' }), 'test',
      'primaryRegion', /is not valid: an AWS region name such as "us-east-1" \(got "virginia"\)/);
  });

  test('the recovery objective is checked against the primary region', () => {
    expectValidationError(() => new PlatformStack(newApp(), 'prod', { ...defaultStackProps(), primaryRegion: 'us-west-2' }), 'prod',
      'recoveryObjective.drRegion', /is the same as the primary region/);
  });

  test('a valid stack exposes its props', () => {
    const stack = newStack({ recoveryObjective: RecoveryObjective.standard('eu-central-1'), primaryRegion: 'eu-west-1' });
    expect(stack.primaryRegion).toBe('eu-west-1');
    expect(stack.recoveryObjective.drRegion).toBe('eu-central-1');
    expect(stack.costAllocation.tags).toEqual({ 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' });
    expect(stack.dataStores.stores).toEqual([]);
    expect(stack.policy.rules).toEqual([]);
  });
});

describe('PlatformStack.ofConstruct', () => {
  test('finds the nearest PlatformStack from a nested construct', () => {
    const stack = newStack();
    const leaf = new Construct(new Construct(stack, 'A'), 'B');
    expect(PlatformStack.ofConstruct(leaf)).toBe(stack);
    expect(PlatformStack.ofConstruct(stack)).toBe(stack);
  });

  test('throws a ValidationError outside a stack', () => {
    const app = newApp();
    const loose = new Construct(app, 'Loose');
    const error = expectValidationError(() => PlatformStack.ofConstruct(loose), 'Loose', 'scope', /is not inside a PlatformStack \(got "Loose"\)/);
    expect(error.message).toContain('Create this construct inside a PlatformStack');
  });

  test('throws inside a plain TerraformStack, and library constructs refuse to be created there', () => {
    const app = newApp();
    const plain = new TerraformStack(app, 'plain');
    expectValidationError(() => PlatformStack.ofConstruct(new Construct(plain, 'X')), 'plain/X', 'scope', /is not inside a PlatformStack/);
    expectValidationError(() => new AwsCloud(plain, 'Aws'), 'plain/Aws', 'scope', /is not inside a PlatformStack/);
  });
});

describe('platform report', () => {
  let result: ReturnType<typeof synthStack>;
  beforeAll(() => {
    const stack = newStack();
    new AwsCloud(stack, 'Aws');
    stack.addComponent({ path: 'test/Thing', name: 'Thing', description: 'a component | with a pipe' });
    result = synthStack(stack);
  });

  test('platform-report.json carries the stack, cost tags and recovery objective', () => {
    expect(result.report.stack).toBe('test');
    expect(result.report.primaryRegion).toBe('us-east-1');
    expect(result.report.costAllocation).toEqual({ 'cost-center': 'cc-4512', 'team': 'ml-platform', 'project': 'fraud', 'environment': 'prod' });
    expect(result.report.recoveryObjective).toEqual({ rpoMinutes: 60, rtoMinutes: 240, drRegion: 'us-west-2', retentionDays: 35 });
    expect(result.report.components).toEqual([{ path: 'test/Thing', name: 'Thing', description: 'a component | with a pipe' }]);
    expect(result.report.dataStores).toEqual([]);
    expect(result.report.policy).toEqual({ rules: AwsPolicyRules.all().length, errors: 0, warnings: 0, suppressed: 0, findings: [] });
  });

  test('platform-report.md is written beside cdk.tf.json with the cost tags', () => {
    expect(fs.existsSync(path.join(result.dir, 'cdk.tf.json'))).toBe(true);
    expect(result.markdown).toContain('# Platform report: test');
    expect(result.markdown).toContain('Primary region `us-east-1`, DR region `us-west-2`; RPO 1 hour, RTO 4 hours, retention 35 days.');
    for (const line of ['| cost-center | cc-4512 |', '| team | ml-platform |', '| project | fraud |', '| environment | prod |']) {
      expect(result.markdown).toContain(line);
    }
    expect(result.markdown).toContain('| Thing | `test/Thing` | a component \\| with a pipe |');
    expect(result.markdown).toContain(`${AwsPolicyRules.all().length} rules; 0 errors, 0 warnings, 0 suppressed.`);
  });

  test('terraform.required_version is ">= 1.11.0": use_lockfile needs 1.10, write-only arguments 1.11', () => {
    expect(result.json.terraform.required_version).toBe('>= 1.11.0');
    expect(PlatformStack.MIN_TERRAFORM_VERSION).toBe('1.11.0');
  });

  test('a stack without operator steps reports none and has no "Operator steps" section', () => {
    expect(result.report.deploymentSteps).toEqual([]);
    expect(result.markdown).not.toContain('## Operator steps');
  });

  test('the cost tags reach the synthesized providers', () => {
    for (const provider of providersOfType(result.json, 'aws')) {
      expect(provider.default_tags[0].tags).toMatchObject(result.report.costAllocation);
    }
  });

  test('the report is deterministic', () => {
    const stack = newStack();
    new AwsCloud(stack, 'Aws');
    stack.addComponent({ path: 'test/Thing', name: 'Thing', description: 'a component | with a pipe' });
    const again = synthStack(stack);
    expect(again.report).toEqual(result.report);
    expect(again.markdown).toBe(result.markdown);
  });
});

describe('data store coverage at synth', () => {
  test('a registered store without protection fails synth naming the store, and the report is still written', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets', replicateToDrRegion: false });
    const app = appOf(stack);
    expect(() => app.synth()).toThrow(/^\[test\] recoveryObjective is not met by 1 data store\(s\):\n  data store test\/Datasets \(datasets\) has no backup: add a BackupPolicy to the stack, or enable replication/);
    try {
      appOf(stack).synth();
    } catch (e) {
      expect((e as any).name).toBe('ValidationError');
      expect((e as any).prop).toBe('recoveryObjective');
    }
    const { report, markdown } = readStackOutput(app.outdir, 'test');
    expect(report.dataStores).toEqual([{ path: 'test/Datasets', kind: 'OBJECT_STORE', purpose: 'datasets', region: 'us-east-1', protections: [] }]);
    expect(markdown).toContain('| `test/Datasets` | OBJECT_STORE | datasets | us-east-1 | **none** |');
  });

  test('every unprotected store is named', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'One', { cloud, purpose: 'one', replicateToDrRegion: false });
    new SecureBucket(stack, 'Two', { cloud, purpose: 'two', replicateToDrRegion: false });
    new SecureBucket(stack, 'Three', { cloud, purpose: 'three', replicateToDrRegion: true });
    let message = '';
    try {
      appOf(stack).synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/data store test\/One \(one\) has no backup/);
    expect(message).toMatch(/data store test\/Two \(two\) has no backup/);
    expect(message).not.toMatch(/test\/Three/);
  });

  test('replication to the DR region covers a bucket: synth passes and the report shows it', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets', replicateToDrRegion: true });
    const { report } = synthStack(stack);
    expect(report.dataStores).toEqual([{
      path: 'test/Datasets', kind: 'OBJECT_STORE', purpose: 'datasets', region: 'us-east-1',
      protections: [{ mechanism: 'S3 cross-region replication (RTC 15 min)', rpoMinutes: 15, copyRegion: 'us-west-2', copyRpoMinutes: 15, retentionDays: 35 }],
      restore: expect.objectContaining({ mechanism: 'S3 cross-region replication (RTC 15 min)', kind: 'REPLICA', estimatedMinutes: 15, withinRto: true }),
    }]);
  });

  test('a protection slower than the RPO fails synth', () => {
    const stack = newStack({ recoveryObjective: RecoveryObjective.of({ rpo: Duration.minutes(10), rto: Duration.hours(1), drRegion: 'us-west-2' }) });
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets', replicateToDrRegion: true });
    expect(() => appOf(stack).synth()).toThrow(
      /data store test\/Datasets \(datasets\) cannot meet the RPO of 10 minutes: its protections give S3 cross-region replication \(RTC 15 min\) every 15 minutes/);
  });

  test('a bucket of a stack whose RPO is shorter than the backup copies replicates to the DR region by default', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    const { report } = synthStack(stack);
    expect(report.dataStores[0].protections).toEqual([
      { mechanism: 'S3 cross-region replication (RTC 15 min)', rpoMinutes: 15, copyRegion: 'us-west-2', copyRpoMinutes: 15, retentionDays: 35 },
    ]);
  });

  test('a store copied to another region only by the daily backups fails synth when the RPO is shorter than the copies (30 h)', () => {
    const stack = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets', replicateToDrRegion: false });
    new BackupPolicy(stack, 'Backups', { cloud });
    expect(() => appOf(stack).synth()).toThrow(new RegExp(
      'data store test/Datasets \\(datasets\\) is copied to another region less often than the RPO of 1 hour: AWS Backup copies within 1800 minutes\\. ' +
      'Enable continuous replication of the store, or raise the RPO'));
  });

  test('with an RPO of 30 hours or more the daily backup copies alone cover a store', () => {
    const stack = newStack({ recoveryObjective: RecoveryObjective.of({ rpo: Duration.hours(30), rto: Duration.hours(30), drRegion: 'us-west-2' }) });
    const cloud = new AwsCloud(stack, 'Aws');
    new SecureBucket(stack, 'Datasets', { cloud, purpose: 'datasets' });
    new BackupPolicy(stack, 'Backups', { cloud });
    const { json, report } = synthStack(stack);
    expect(resourcesOfType(json, 'aws_s3_bucket_replication_configuration')).toEqual([]);
    expect(report.dataStores[0].protections).toEqual([
      { mechanism: 'AWS Backup', rpoMinutes: 1680, copyRegion: 'us-west-2', copyRpoMinutes: 1800, retentionDays: 35 },
    ]);
  });

  test('a protection whose copy stays in the store region fails synth', () => {
    const stack = newStack();
    stack.dataStores.register({
      path: 'test/Cache', kind: DataStoreKind.DATABASE, purpose: 'feature cache', resourceId: 'arn:aws:rds:us-east-1:1:db:cache',
      region: 'us-east-1', backupServiceEligible: false,
    });
    stack.dataStores.protect('test/Cache', {
      mechanism: 'local snapshots', rpo: Duration.minutes(30), copyRegion: 'us-east-1', copyRpo: Duration.minutes(30), retention: Duration.days(7),
    });
    expect(() => appOf(stack).synth()).toThrow(
      /data store test\/Cache \(feature cache\) has no copy outside its region us-east-1: copy its backups or replicate it to us-west-2/);
  });

  test('the registry rejects double registration and protecting an unknown store', () => {
    const stack = newStack();
    const record = { path: 'test/X', kind: DataStoreKind.OBJECT_STORE, purpose: 'x', resourceId: 'x', region: 'us-east-1', backupServiceEligible: true };
    stack.dataStores.register(record);
    expect(() => stack.dataStores.register(record)).toThrow('data store test/X is registered twice');
    expect(() => stack.dataStores.protect('test/Y', {
      mechanism: 'm', rpo: Duration.hours(1), copyRegion: 'us-west-2', copyRpo: Duration.hours(1), retention: Duration.days(1),
    })).toThrow('data store test/Y is not registered');
  });
});
