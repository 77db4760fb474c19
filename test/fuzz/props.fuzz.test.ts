/*
 * Property-based tests over the props of the platform constructs: every generated input either synthesizes
 * cleanly (no `undefined`, `[object Object]` or `NaN` in cdk.tf.json or platform-report.json) or throws the
 * library's ValidationError naming the construct path and the prop. Never a TypeError, a plain Error or a
 * synth-time crash.
 *
 * Generators mix valid and invalid values per prop, including the inputs these properties once caught crashing
 * or being accepted (enum strings, host-bit CIDRs, exponent-form amounts, reserved names); known-bad.test.ts
 * pins the exact message for each.
 */
import * as fc from 'fast-check';
import {
  AwsCloud, AwsMlopsPlatform, BackupPolicy, BudgetAlerts, BudgetScope, CapacityType, CostAllocation, Duration, EksCluster,
  EndpointAccess, ExperimentTracking, GpuNodePool, MigStrategy, MlflowPermission, ModelRegistry, PlatformGpuPool, PlatformStack,
  PolicySuppressions, RecoveryObjective, Vpc,
} from '../../lib';
import {
  DEFAULT_COST, OutcomeCounter, accountIds, anyNumber, bucketName, cidr, costField, dnsLabel, duration, email, gpuInstanceType, importedCluster,
  drRegion, labelKey, labelValue, mix, newFuzzApp, oddString, orUnset, params, principalArns, region, repositoryName, runCase,
  systemInstanceType, validStackProps, vpcCidr, wrongType,
} from './fuzz-helpers';

const STACK_ID = 'fuzz';

/** A fresh app and a valid PlatformStack (or one with the given props). */
function newStack(props = validStackProps()): { app: ReturnType<typeof newFuzzApp>; stack: PlatformStack } {
  const app = newFuzzApp();
  return { app, stack: new PlatformStack(app, STACK_ID, props) };
}

const resources = (json: any, type: string): any[] => Object.values(json.resource?.[type] ?? {});

/** Runs a property and checks the generators reached both outcomes. */
function assertProperty<T>(arb: fc.Arbitrary<T>, numRuns: number, body: (value: T, counter: OutcomeCounter) => void): OutcomeCounter {
  const counter = new OutcomeCounter();
  fc.assert(fc.property(arb, (value) => body(value, counter)), params(numRuns));
  expect(counter.synthesized).toBeGreaterThan(0);
  expect(counter.rejected).toBeGreaterThan(0);
  if (process.env.FUZZ_VERBOSE) {
    console.log(`${expect.getState().currentTestName}: ${counter.synthesized} synthesized, ${counter.rejected} rejected on ${[...counter.rejectedProps].sort().join(', ')}`);
  }
  return counter;
}

describe('PlatformStack props', () => {
  const costAllocation = fc.oneof(
    { arbitrary: fc.record({ costCenter: costField, team: costField, project: costField, environment: costField }).map((p) => new CostAllocation(p as any)), weight: 8 },
    // A missing field, the way a JavaScript caller leaves it out.
    {
      arbitrary: fc.constantFrom('costCenter', 'team', 'project', 'environment').map((field) => {
        const p: any = { ...DEFAULT_COST };
        delete p[field];
        return new CostAllocation(p);
      }),
      weight: 2,
    },
    { arbitrary: fc.constantFrom(undefined, null, { ...DEFAULT_COST }, 'cc-4512'), weight: 1 },
  );
  const recoveryObjective = fc.oneof(
    {
      arbitrary: fc.record({ rpo: duration(5, 3), rto: duration(1, 30), drRegion, retention: orUnset(mix(fc.integer({ min: 3, max: 400 }).map(Duration.days), duration(1, 40000), 3, 1)) })
        .map((p) => RecoveryObjective.of(p as any)),
      weight: 8,
    },
    { arbitrary: drRegion.map((r) => RecoveryObjective.businessCritical(r)), weight: 2 },
    { arbitrary: fc.constantFrom(undefined, null, { rpo: Duration.hours(1) }), weight: 1 },
  );

  it('costAllocation, recoveryObjective and primaryRegion: synth or ValidationError', () => {
    assertProperty(fc.record({ costAllocation, recoveryObjective, primaryRegion: region }), 120, (props, counter) => {
      const result = runCase(() => {
        const built = newStack(props as any);
        // Resources that carry the tags and the recovery objective into the output.
        const cloud = new AwsCloud(built.stack, 'Aws');
        new ModelRegistry(built.stack, 'Registry', { cloud, repositoryName: 'fuzz/serving' });
        new BackupPolicy(built.stack, 'Backups', { cloud, cluster: importedCluster(built.stack, cloud) });
        return built;
      }, ({ json, report }) => {
        const cost = props.costAllocation as CostAllocation;
        expect(json.provider.aws[0].default_tags[0].tags).toMatchObject(cost.tags);
        expect(report.recoveryObjective.drRegion).toBe((props.recoveryObjective as RecoveryObjective).drRegion);
        expect(report.primaryRegion).toBe(props.primaryRegion);
        // Every data store has a protection within the RPO and a copy outside the primary region.
        const rpoMinutes = report.recoveryObjective.rpoMinutes;
        for (const store of report.dataStores) {
          expect(store.protections.some((p: any) => p.rpoMinutes <= rpoMinutes)).toBe(true);
          expect(store.protections.some((p: any) => p.copyRegion !== store.region)).toBe(true);
        }
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('ExperimentTracking props', () => {
  const arb = fc.record({
    replicas: orUnset(fc.oneof({ arbitrary: anyNumber(1, 20), weight: 5 }, { arbitrary: wrongType, weight: 1 })),
    namespace: orUnset(fc.oneof(
      { arbitrary: dnsLabel, weight: 3 },
      { arbitrary: fc.constantFrom('mlflow', 'ml-tracking', 'external-secrets', 'gpu-operator', 'velero', 'kube-system'), weight: 1 },
      { arbitrary: oddString, weight: 2 },
    )),
    databaseInstanceClass: orUnset(fc.constantFrom('db.m7g.large', 'db.r6g.xlarge', 'db.t4g.micro', 'db.m8g.2xlarge', 'db.r7i.xlarge', 'm5.large', 'db.M7G.large', 'db.m7g',
      'db.m7g.huge', 'db.t2.micro', 'db.m4.large', 'db.serverless', '', ' ', null)),
    defaultPermission: orUnset(fc.constantFrom(MlflowPermission.READ, MlflowPermission.EDIT, MlflowPermission.NO_PERMISSIONS, 'read', 'Edit', 'ALL')),
    artifactBucketName: orUnset(bucketName),
  });

  it('replicas, namespace, databaseInstanceClass, artifactBucketName: synth or ValidationError', () => {
    assertProperty(arb, 60, (props, counter) => {
      const result = runCase(() => {
        const built = newStack();
        const cloud = new AwsCloud(built.stack, 'Aws');
        const cluster = importedCluster(built.stack, cloud);
        new ExperimentTracking(built.stack, 'Tracking', { cloud, cluster, ...(props as any) });
        new BackupPolicy(built.stack, 'Backups', { cloud });
        return built;
      }, ({ json }) => {
        const [db] = resources(json, 'aws_db_instance');
        expect(db.instance_class).toBe(props.databaseInstanceClass ?? 'db.m7g.large');
        const mlflow = resources(json, 'helm_release').find((r) => r.name === 'mlflow');
        expect(JSON.parse(mlflow.values[0]).replicaCount).toBe(props.replicas ?? 2);
        const namespaces = resources(json, 'kubernetes_namespace_v1').map((n) => n.metadata.name);
        expect(namespaces).toContain(props.namespace ?? 'mlflow');
        if (props.artifactBucketName !== undefined) {
          expect(resources(json, 'aws_s3_bucket').map((b) => b.bucket)).toContain(props.artifactBucketName);
        }
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('ModelRegistry props', () => {
  const arb = fc.record({
    bucketName: orUnset(bucketName),
    objectLockDays: orUnset(fc.oneof({ arbitrary: anyNumber(1, 36500), weight: 5 }, { arbitrary: wrongType, weight: 1 })),
    repositoryName: orUnset(repositoryName),
    replicateToDrRegion: orUnset(fc.boolean()),
  });

  it('bucketName, objectLockDays, repositoryName, replicateToDrRegion: synth or ValidationError', () => {
    assertProperty(arb, 50, (props, counter) => {
      const result = runCase(() => {
        const built = newStack();
        const cloud = new AwsCloud(built.stack, 'Aws');
        new ModelRegistry(built.stack, 'Registry', { cloud, ...(props as any) });
        new BackupPolicy(built.stack, 'Backups', { cloud });
        return built;
      }, ({ json }) => {
        const buckets = resources(json, 'aws_s3_bucket');
        if (props.bucketName !== undefined) {
          expect(buckets.map((b) => b.bucket)).toContain(props.bucketName);
        }
        const [repo] = resources(json, 'aws_ecr_repository');
        expect(repo.name).toBe(props.repositoryName ?? 'fraud/model-serving');
        const replications = resources(json, 'aws_s3_bucket_replication_configuration');
        expect(replications).toHaveLength(props.replicateToDrRegion === false ? 0 : 1);
        const locks = resources(json, 'aws_s3_bucket_object_lock_configuration');
        for (const lock of locks) {
          expect(lock.rule.default_retention.days).toBe(props.objectLockDays);
        }
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('GpuNodePool props', () => {
  const arb = fc.record({
    instanceType: gpuInstanceType,
    minSize: orUnset(anyNumber(0, 5)),
    maxSize: orUnset(anyNumber(3, 8)),
    diskSizeGiB: orUnset(anyNumber(50, 16384)),
    timeSlicingReplicas: orUnset(anyNumber(2, 48), 4, 1),
    migStrategy: orUnset(fc.constantFrom(MigStrategy.NONE, MigStrategy.SINGLE, MigStrategy.MIXED, 'bogus' as any, 'SINGLE' as any), 4, 1),
    capacityType: orUnset(fc.constantFrom(CapacityType.ON_DEMAND, CapacityType.SPOT, 'spot' as any)),
    capacityReservationId: orUnset(mix(fc.stringMatching(/^[0-9a-f]{17}$/).map((h) => `cr-${h}`), fc.constantFrom('cr-1', 'CR-0123456789ABCDEF0', '', 'r-0123456789abcdef0', 7)), 3, 1),
    labels: orUnset(fc.oneof(
      { arbitrary: fc.dictionary(labelKey, labelValue, { maxKeys: 3 }), weight: 6 },
      { arbitrary: fc.constantFrom(['a=b'], 'team=ml', null, { 'mlops/gpu-model': 'x' }, { 'kubernetes.io/role': 'gpu' }, { a: 5 }), weight: 1 },
    )),
  });

  it('instanceType, minSize, maxSize, diskSizeGiB, timeSlicingReplicas, migStrategy, capacityType, capacityReservationId, labels: synth or ValidationError', () => {
    assertProperty(arb, 150, (props, counter) => {
      const result = runCase(() => {
        const built = newStack();
        const cloud = new AwsCloud(built.stack, 'Aws');
        const cluster = importedCluster(built.stack, cloud);
        new GpuNodePool(built.stack, 'Gpus', { cluster, ...(props as any) });
        return built;
      }, ({ json }) => {
        const [group] = resources(json, 'aws_eks_node_group');
        expect(group.instance_types).toEqual([String(props.instanceType).trim().toLowerCase()]);
        expect(group.scaling_config).toEqual({ min_size: props.minSize ?? 0, max_size: props.maxSize ?? 4, desired_size: props.minSize ?? 0 });
        expect(group.capacity_type).toBe(props.capacityType === CapacityType.SPOT ? 'SPOT' : 'ON_DEMAND');
        const [template] = resources(json, 'aws_launch_template');
        expect(template.block_device_mappings[0].ebs.volume_size).toBe(props.diskSizeGiB ?? 200);
        expect(group.labels).toMatchObject((props.labels as any) ?? {});
        if (props.capacityReservationId !== undefined) {
          expect(template.capacity_reservation_specification.capacity_reservation_target.capacity_reservation_id).toBe(props.capacityReservationId);
        }
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('BackupPolicy props and the stack RPO', () => {
  const arb = fc.record({
    complianceLockAfterDays: orUnset(fc.oneof({ arbitrary: anyNumber(3, 36500), weight: 5 }, { arbitrary: wrongType, weight: 1 })),
    rpo: duration(1, 60),
    retentionDays: fc.integer({ min: 1, max: 400 }),
    withCluster: fc.boolean(),
  });

  it('complianceLockAfterDays and RPO: synth (every store covered within the RPO) or ValidationError', () => {
    assertProperty(arb, 50, (props, counter) => {
      const result = runCase(() => {
        const built = newStack(validStackProps({
          recoveryObjective: RecoveryObjective.of({ rpo: props.rpo, rto: Duration.hours(4), drRegion: 'us-west-2', retention: Duration.days(props.retentionDays) }),
        }));
        const cloud = new AwsCloud(built.stack, 'Aws');
        // No replication: the backup plan alone must meet the RPO.
        new ModelRegistry(built.stack, 'Registry', { cloud, replicateToDrRegion: false });
        new BackupPolicy(built.stack, 'Backups', {
          cloud, complianceLockAfterDays: props.complianceLockAfterDays as any,
          cluster: props.withCluster ? importedCluster(built.stack, cloud) : undefined,
        });
        return built;
      }, ({ json, report }) => {
        const rpoMinutes = props.rpo.toMinutes();
        expect(report.dataStores.length).toBeGreaterThan(0);
        for (const store of report.dataStores) {
          expect(store.protections.some((p: any) => p.rpoMinutes <= rpoMinutes)).toBe(true);
        }
        const [plan] = resources(json, 'aws_backup_plan');
        expect(plan.rule.some((r: any) => r.enable_continuous_backup === true)).toBe(rpoMinutes < 60);
        for (const lock of resources(json, 'aws_backup_vault_lock_configuration')) {
          expect(lock.max_retention_days).toBe(props.retentionDays);
          expect(lock.changeable_for_days).toBe(props.complianceLockAfterDays);
        }
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('BudgetAlerts props', () => {
  // Includes exponent-form and sub-cent amounts (1e21, 0.004), which must be rejected rather than rendered.
  const money = fc.oneof({ arbitrary: anyNumber(1, 100000), weight: 8 }, { arbitrary: fc.constantFrom(1e21, 0.004, 1e-7), weight: 1 });
  const thresholds = orUnset(fc.oneof(
    { arbitrary: fc.array(anyNumber(1, 1000), { minLength: 1, maxLength: 3 }), weight: 8 },
    { arbitrary: fc.constantFrom([], null, '80', [80, '100']), weight: 1 },
  ));
  const arb = fc.record({
    monthlyLimitUsd: fc.oneof({ arbitrary: money, weight: 8 }, { arbitrary: fc.constantFrom(undefined, null, '100'), weight: 1 }),
    emails: mix(fc.array(email, { minLength: 1, maxLength: 3 }), fc.constantFrom([], undefined, null, 'ops@example.com'), 8, 1),
    actualThresholdsPercent: thresholds,
    forecastThresholdsPercent: thresholds,
    anomalyThresholdUsd: orUnset(money),
    scope: orUnset(fc.constantFrom(BudgetScope.PROJECT, BudgetScope.TEAM, BudgetScope.COST_CENTER, BudgetScope.ENVIRONMENT, 'bogus' as any, 'project' as any)),
  });

  it('monthlyLimitUsd, emails, thresholds, anomalyThresholdUsd: synth or ValidationError', () => {
    assertProperty(arb, 150, (props, counter) => {
      const result = runCase(() => {
        const built = newStack();
        const cloud = new AwsCloud(built.stack, 'Aws');
        new BudgetAlerts(built.stack, 'Budget', { cloud, ...(props as any) });
        return built;
      }, ({ json }) => {
        const [budget] = resources(json, 'aws_budgets_budget');
        expect(budget.limit_amount).toMatch(/^\d+\.\d\d$/);
        expect(Number(budget.limit_amount)).toBeGreaterThan(0);
        const actual = (props.actualThresholdsPercent as number[] | undefined) ?? [80, 100];
        const forecast = (props.forecastThresholdsPercent as number[] | undefined) ?? [100];
        expect(budget.notification.map((n: any) => n.threshold)).toEqual([...actual, ...forecast]);
        expect(resources(json, 'aws_sns_topic_subscription').map((s) => s.endpoint)).toEqual(props.emails);
        const [subscription] = resources(json, 'aws_ce_anomaly_subscription');
        expect(subscription.threshold_expression.dimension.values[0]).toMatch(/^\d+(\.\d+)?$/);
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('AwsCloud props', () => {
  it('allowedAccountIds: synth or ValidationError', () => {
    assertProperty(fc.record({ allowedAccountIds: orUnset(accountIds) }), 40, (props, counter) => {
      const result = runCase(() => {
        const built = newStack();
        const cloud = new AwsCloud(built.stack, 'Aws', props as any);
        new ModelRegistry(built.stack, 'Registry', { cloud, repositoryName: 'fuzz/serving' });
        return built;
      }, ({ json }) => {
        for (const provider of json.provider.aws) {
          expect(provider.allowed_account_ids).toEqual(props.allowedAccountIds);
        }
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('required construct props of the wrong kind', () => {
  // Every required construct prop, given every kind of value: the right kind must synthesize, anything else
  // (nothing, a string, a number, a plain object, a list, a platform-like object holding the right kind, another
  // construct) must be a ValidationError on that prop: never a TypeError, never silently accepted.
  type Kind = 'cloud' | 'cluster' | 'vpc';
  const targets: Array<{ name: string; expects: Kind | 'props'; optional?: boolean }> = [
    { name: 'GpuNodePool.cluster', expects: 'cluster' },
    { name: 'ExperimentTracking.cloud', expects: 'cloud' },
    { name: 'ExperimentTracking.cluster', expects: 'cluster' },
    { name: 'ModelRegistry.cloud', expects: 'cloud' },
    { name: 'BackupPolicy.cloud', expects: 'cloud' },
    { name: 'BackupPolicy.cluster', expects: 'cluster', optional: true },
    { name: 'BudgetAlerts.cloud', expects: 'cloud' },
    { name: 'EksCluster.cloud', expects: 'cloud' },
    { name: 'EksCluster.vpc', expects: 'vpc' },
    { name: 'Vpc.cloud', expects: 'cloud' },
    { name: 'GpuNodePool.props', expects: 'props' },
  ];
  const values = ['cloud', 'cluster', 'vpc', 'platform-like', undefined, null, 'x', 42, {}, [], true] as const;
  const arb = fc.record({ target: fc.constantFrom(...targets), value: fc.constantFrom(...values) });

  it('cloud, cluster, vpc and props: the right kind synthesizes, any other is a ValidationError on that prop', () => {
    assertProperty(arb, 80, ({ target, value }, counter) => {
      const result = runCase(() => {
        const built = newStack();
        const s = built.stack;
        const cloud = new AwsCloud(s, 'Aws');
        const cluster = importedCluster(s, cloud);
        const needsVpc = value === 'vpc' || target.name.startsWith('EksCluster');
        const vpc = needsVpc ? new Vpc(s, 'Network', { cloud, availabilityZoneCount: 2, natGatewayCount: 1 }) : undefined;
        const given: any = value === 'cloud' ? cloud : value === 'cluster' ? cluster : value === 'vpc' ? vpc
          : value === 'platform-like' ? { cloud, cluster, vpc, toString: () => 'platform' } : value;
        if (!target.name.startsWith('BackupPolicy')) {
          new BackupPolicy(s, 'Backups', { cloud });
        }
        switch (target.name) {
          case 'GpuNodePool.cluster': new GpuNodePool(s, 'Gpus', { cluster: given, instanceType: 'g5.xlarge' }); break;
          case 'ExperimentTracking.cloud': new ExperimentTracking(s, 'Tracking', { cloud: given, cluster }); break;
          case 'ExperimentTracking.cluster': new ExperimentTracking(s, 'Tracking', { cloud, cluster: given }); break;
          case 'ModelRegistry.cloud': new ModelRegistry(s, 'Registry', { cloud: given, repositoryName: 'fuzz/serving' }); break;
          case 'BackupPolicy.cloud': new BackupPolicy(s, 'Backups', { cloud: given }); break;
          case 'BackupPolicy.cluster': new BackupPolicy(s, 'Backups', { cloud, cluster: given }); break;
          case 'BudgetAlerts.cloud': new BudgetAlerts(s, 'Budget', { cloud: given, monthlyLimitUsd: 100, emails: ['ops@example.com'] }); break;
          case 'EksCluster.cloud': new EksCluster(s, 'Eks', { cloud: given, vpc: vpc! }); break;
          case 'EksCluster.vpc': new EksCluster(s, 'Eks', { cloud, vpc: given }); break;
          case 'Vpc.cloud': new Vpc(s, 'Vpc2', { cloud: given }); break;
          case 'GpuNodePool.props': new GpuNodePool(s, 'Gpus', given); break;
        }
        return built;
      });
      const rightKind = value === target.expects || (target.optional === true && value === undefined);
      expect(result.outcome).toBe(rightKind ? 'synthesized' : 'rejected');
      if (!rightKind) {
        // An object given as props is read as props: its missing (or present) cluster, then its instanceType, is the error.
        const props = target.expects === 'props' ? ['props', 'cluster', 'instanceType'] : [target.name.split('.')[1]];
        expect(props).toContain(result.error!.prop);
      }
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('Vpc props', () => {
  const arb = fc.record({
    cidrBlock: orUnset(fc.oneof({ arbitrary: vpcCidr, weight: 6 }, { arbitrary: fc.constantFrom('10.40.1.0/16', '010.40.0.0/16', '10.40.0.0/19'), weight: 1 })),
    availabilityZoneCount: orUnset(fc.oneof({ arbitrary: anyNumber(2, 6), weight: 5 }, { arbitrary: wrongType, weight: 1 })),
    natGatewayCount: orUnset(anyNumber(1, 3)),
  });

  it('cidrBlock, availabilityZoneCount, natGatewayCount: synth or ValidationError', () => {
    assertProperty(arb, 80, (props, counter) => {
      const result = runCase(() => {
        const built = newStack();
        const cloud = new AwsCloud(built.stack, 'Aws');
        new Vpc(built.stack, 'Network', { cloud, ...(props as any) });
        return built;
      }, ({ json }) => {
        const azCount = (props.availabilityZoneCount as number | undefined) ?? 3;
        expect(resources(json, 'aws_vpc')[0].cidr_block).toBe(props.cidrBlock ?? '10.40.0.0/16');
        expect(resources(json, 'aws_subnet')).toHaveLength(2 * azCount);
        expect(resources(json, 'aws_nat_gateway')).toHaveLength(props.natGatewayCount ?? azCount);
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('EksCluster props', () => {
  const arb = fc.record({
    kubernetesVersion: orUnset(fc.oneof(
      { arbitrary: fc.integer({ min: 33, max: 40 }).map((m) => `1.${m}`), weight: 6 },
      { arbitrary: fc.constantFrom('1.34', '1.035', '2.0', 'v1.35', '1.35.0', '1.35 ', '', 'latest', '1', null), weight: 2 },
    )),
    endpointAccess: orUnset(fc.oneof(
      { arbitrary: fc.constant(EndpointAccess.private()), weight: 1 },
      { arbitrary: fc.array(cidr, { maxLength: 3 }).map((cidrs) => EndpointAccess.publicAndPrivate(cidrs)), weight: 3 },
      { arbitrary: fc.constantFrom('203.0.113.0/24', undefined).map((v) => EndpointAccess.publicAndPrivate(v as any)), weight: 1 },
      // Not an EndpointAccess: must be rejected, never synthesized as a world-open endpoint.
      { arbitrary: fc.constantFrom('private', 'public', { publicAccess: false }, { publicAccess: true, publicCidrs: ['203.0.113.0/24'] }), weight: 1 },
    )),
    systemNodes: orUnset(fc.record({ instanceType: orUnset(systemInstanceType) })),
    adminPrincipalArns: orUnset(principalArns),
    clusterName: orUnset(fc.oneof(
      { arbitrary: fc.stringMatching(/^[0-9A-Za-z][A-Za-z0-9_-]{0,30}$/).filter((s) => !/undefined|NaN/i.test(s)), weight: 3 },
      { arbitrary: fc.constantFrom('a'.repeat(100), 'a'.repeat(101)), weight: 1 },
      { arbitrary: oddString, weight: 1 },
    )),
  });

  it('kubernetesVersion, endpointAccess, clusterName, systemNodes, adminPrincipalArns: synth or ValidationError', () => {
    assertProperty(arb, 40, (props, counter) => {
      const result = runCase(() => {
        const built = newStack();
        const cloud = new AwsCloud(built.stack, 'Aws');
        const vpc = new Vpc(built.stack, 'Network', { cloud, availabilityZoneCount: 2, natGatewayCount: 1 });
        const cluster = new EksCluster(built.stack, 'Cluster', { cloud, vpc, ...(props as any) });
        PolicySuppressions.add(cluster, [{ id: 'CKV_AWS_39', reason: 'fuzzing: the public endpoint is limited to the generated CIDRs' }]);
        return built;
      }, ({ json }) => {
        const [eks] = resources(json, 'aws_eks_cluster');
        expect(eks.name).toBe(props.clusterName ?? 'fraud-prod');
        expect(eks.version).toBe(props.kubernetesVersion ?? '1.35');
        expect(['1.35', '1.36']).toContain(eks.version);
        const system = resources(json, 'aws_eks_node_group').find((g) => g.ami_type === 'AL2023_x86_64_STANDARD');
        expect(system.instance_types).toEqual([(props.systemNodes as any)?.instanceType ?? 'm7i.large']);
        expect(resources(json, 'aws_eks_access_entry').map((e) => e.principal_arn)).toEqual((props.adminPrincipalArns as any) ?? []);
        const access = props.endpointAccess as EndpointAccess | undefined;
        expect(eks.vpc_config.endpoint_public_access).toBe(access?.publicAccess ?? false);
        if (access?.publicAccess) {
          expect(eks.vpc_config.public_access_cidrs).toEqual(access.publicCidrs);
        }
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});

describe('AwsMlopsPlatform props', () => {
  // Names include empty, repeated and reserved ones (children of the platform), which must be rejected by prop.
  const poolName = (name: string) => fc.oneof({ arbitrary: fc.constant(name), weight: 6 }, { arbitrary: fc.constantFrom('', 'Tracking', 'Aws', 'Inference'), weight: 1 });
  const pool = (name: string): fc.Arbitrary<PlatformGpuPool> => fc.record({
    name: poolName(name),
    instanceType: gpuInstanceType,
    maxSize: orUnset(anyNumber(4, 8, 10, 1)),
    timeSlicingReplicas: orUnset(fc.constantFrom(2, 4, 8, 1, 100), 3, 1),
    capacityType: orUnset(fc.constantFrom(CapacityType.ON_DEMAND, CapacityType.SPOT)),
  }, { requiredKeys: ['name', 'instanceType'] }) as fc.Arbitrary<PlatformGpuPool>;
  const arb = fc.record({
    monthlyBudgetUsd: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 100000 }), weight: 6 }, { arbitrary: fc.constantFrom(0, -1, NaN, Infinity), weight: 1 }),
    alertEmails: mix(fc.array(fc.constantFrom('ml-platform@example.com', 'ops@example.io'), { minLength: 1, maxLength: 2 }),
      fc.oneof(fc.array(email, { maxLength: 2 }), fc.constant([])), 6, 1),
    gpuPools: orUnset(fc.oneof(fc.constant([]), fc.tuple(pool('InferenceGpus')), fc.tuple(pool('Inference'), pool('TrainingGpus')))),
    vpcCidr: orUnset(mix(fc.constantFrom('10.40.0.0/16', '10.0.0.0/20', '172.16.0.0/18'), vpcCidr, 4, 1)),
    endpointAccess: orUnset(fc.array(mix(fc.constantFrom('203.0.113.0/24', '198.51.100.0/24'), fc.oneof(fc.constantFrom('0.0.0.0/0', '10.0.0.0/33'), cidr), 4, 1), { maxLength: 2 })
      .map((cidrs) => EndpointAccess.publicAndPrivate(cidrs))),
    modelObjectLockDays: orUnset(anyNumber(1, 36500, 10, 1)),
  });

  it('a handful of platform props together: synth or ValidationError', () => {
    assertProperty(arb, 25, (props, counter) => {
      const result = runCase(() => {
        const built = newStack();
        const platform = new AwsMlopsPlatform(built.stack, 'Platform', props as any);
        PolicySuppressions.add(platform.cluster, [{ id: 'CKV_AWS_39', reason: 'fuzzing: the public endpoint is limited to the generated CIDRs' }]);
        return built;
      }, ({ json, report }) => {
        const pools = props.gpuPools ?? [{ name: 'Gpu' }];
        expect(resources(json, 'aws_eks_node_group')).toHaveLength(1 + pools.length);
        expect(report.components.map((c: any) => c.name)).toEqual(expect.arrayContaining(['EksCluster', 'ExperimentTracking', 'ModelRegistry', 'BackupPolicy', 'BudgetAlerts']));
      });
      counter.add(result.outcome, result.error?.prop);
    });
  });
});
