/*
 * The other side of known-bad.test.ts: inputs close to the rejected ones that AWS accepts must synthesize, so the
 * checks added for issue #6 ("Bad input") do not turn into false alarms. Soft problems give a warning.
 */
import { IConstruct } from 'constructs';
import {
  AwsCloud, BackupPolicy, EksCluster, ExperimentTracking, GpuNodePool, MigStrategy, ModelRegistry, PlatformStack, PolicyLevel,
  RecoveryObjective, Vpc,
} from '../../lib';
import { AWS_REGIONS_BY_PARTITION, awsPartitionOf } from '../../lib/aws/aws-regions';
import {
  EKS_KUBERNETES_VERSIONS, certificateAuthorityProblem, isGravitonInstanceType, isKnownSystemInstanceType, isRdsPostgresInstanceClass,
} from '../../lib/aws/aws-catalogs';
import { labelKeyProblem } from '../../lib/core/validate';
import { TEST_CA_DATA, importedCluster, importedClusterAttributes, newFuzzApp, removeFuzzOutdirs, runCase, validStackProps } from './fuzz-helpers';

afterAll(removeFuzzOutdirs);

function newStack(overrides = {}) {
  const app = newFuzzApp();
  return { app, stack: new PlatformStack(app, 's', validStackProps(overrides)) };
}

function warnings(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data)));
}

describe('regions and partitions', () => {
  it.each([
    ['us-gov-west-1', 'us-gov-east-1'],
    ['cn-north-1', 'cn-northwest-1'],
    ['us-iso-east-1', 'us-iso-west-1'],
    ['us-isob-east-1', 'us-isob-west-1'],
    ['us-isof-south-1', 'us-isof-east-1'],
    ['ap-southeast-7', 'ap-southeast-1'],
    ['mx-central-1', 'us-east-2'],
  ])('%s with DR in %s synthesizes', (primaryRegion, drRegion) => {
    const result = runCase(() => {
      const built = newStack({ primaryRegion, recoveryObjective: RecoveryObjective.standard(drRegion) });
      new ModelRegistry(built.stack, 'Registry', { cloud: new AwsCloud(built.stack, 'Aws'), repositoryName: 'fraud/serving' });
      return built;
    });
    expect(result.outcome).toBe('synthesized');
  });

  it('every region of the table has a partition, and every partition has a region', () => {
    for (const [partition, regions] of Object.entries(AWS_REGIONS_BY_PARTITION)) {
      expect(regions.length).toBeGreaterThan(0);
      regions.forEach((r) => expect(awsPartitionOf(r)).toBe(partition));
    }
    expect(awsPartitionOf('us-east-9')).toBeUndefined();
  });
});

describe('catalogs', () => {
  it('accepts every EKS version of the table from 1.35 on, and the default', () => {
    expect(EKS_KUBERNETES_VERSIONS.map((v) => v.version)).toEqual(['1.34', '1.35', '1.36']);
    for (const kubernetesVersion of ['1.35', '1.36']) {
      const result = runCase(() => {
        const built = newStack();
        const cloud = new AwsCloud(built.stack, 'Aws');
        new EksCluster(built.stack, 'Cluster', { cloud, vpc: new Vpc(built.stack, 'Network', { cloud, availabilityZoneCount: 2 }), kubernetesVersion });
        return built;
      });
      expect(result.outcome).toBe('synthesized');
    }
  });

  it('tells Graviton from x86 instance types', () => {
    for (const arm of ['m7g.large', 'c7gn.xlarge', 'r8g.large', 't4g.medium', 'm6gd.large', 'a1.large', 'g5g.xlarge', 'x2gd.large', 'im4gn.large', 'hpc7g.4xlarge']) {
      expect(isGravitonInstanceType(arm)).toBe(true);
    }
    for (const x86 of ['m7i.large', 'm7i-flex.large', 'c6in.xlarge', 'g6.xlarge', 'p4d.24xlarge', 'm8azn.medium', 'r7iz.large']) {
      expect(isGravitonInstanceType(x86)).toBe(false);
    }
    expect(isKnownSystemInstanceType('m7i.large')).toBe(true);
    expect(isKnownSystemInstanceType('c7i.metal-24xl')).toBe(true);
    expect(isKnownSystemInstanceType('m5.32xlarge')).toBe(false);
  });

  it('knows current RDS PostgreSQL classes', () => {
    for (const c of ['db.t4g.medium', 'db.m7g.large', 'db.m8g.48xlarge', 'db.r7i.48xlarge', 'db.r6id.32xlarge', 'db.m5.24xlarge']) {
      expect(isRdsPostgresInstanceClass(c)).toBe(true);
    }
    for (const c of ['db.m7g.24xlarge', 'db.t2.micro', 'db.m4.large', 'db.serverless', 'db.m7g.huge', 'm7g.large']) {
      expect(isRdsPostgresInstanceClass(c)).toBe(false);
    }
  });

  it('accepts a real CA and valid label keys', () => {
    expect(certificateAuthorityProblem(TEST_CA_DATA)).toBeUndefined();
    for (const key of ['team', 'example.com/team', 'a.b-c/D_e.f', `${'a'.repeat(63)}.${'b'.repeat(63)}/${'n'.repeat(63)}`]) {
      expect(labelKeyProblem(key)).toBeUndefined();
    }
  });
});

describe('close to a conflict, but fine', () => {
  it('same MIG strategy on two pools, labels in node-restriction.kubernetes.io, a reservation on demand', () => {
    const result = runCase(() => {
      const built = newStack();
      const cloud = new AwsCloud(built.stack, 'Aws');
      const cluster = importedCluster(built.stack, cloud);
      new GpuNodePool(built.stack, 'Training', { cluster, instanceType: 'p4d.24xlarge', migStrategy: MigStrategy.MIXED, capacityReservationId: 'cr-0123456789abcdef0' });
      new GpuNodePool(built.stack, 'Inference', {
        cluster, instanceType: 'p5.48xlarge', migStrategy: MigStrategy.MIXED,
        labels: { 'node-restriction.kubernetes.io/tier': 'gpu', 'example.com/team': 'ml', 'empty': '' },
      });
      return built;
    });
    expect(result.outcome).toBe('synthesized');
  });

  it('two ExperimentTracking in different namespaces, one BackupPolicy, one AwsCloud', () => {
    const result = runCase(() => {
      const built = newStack();
      const cloud = new AwsCloud(built.stack, 'Aws', { allowedAccountIds: ['011122223333'] });
      const cluster = importedCluster(built.stack, cloud);
      new ExperimentTracking(built.stack, 'Tracking', { cloud, cluster });
      new ExperimentTracking(built.stack, 'Research', { cloud, cluster, namespace: 'mlflow-research', databaseInstanceClass: 'db.t4g.medium' });
      new BackupPolicy(built.stack, 'Backups', { cloud, cluster });
      return built;
    });
    expect(result.outcome).toBe('synthesized');
  });

  it('an imported cluster in another stack of the same app may reuse names', () => {
    const app = newFuzzApp();
    for (const id of ['a', 'b']) {
      const stack = new PlatformStack(app, id, validStackProps());
      const cloud = new AwsCloud(stack, 'Aws');
      EksCluster.fromClusterAttributes(stack, 'Cluster', importedClusterAttributes(cloud));
      new ModelRegistry(stack, 'Registry', { cloud, repositoryName: 'fraud/serving' });
    }
    expect(() => app.synth()).not.toThrow();
  });

  it('a policy rule with PolicyLevel.WARNING is accepted', () => {
    const { stack } = newStack({
      policyRules: [{ id: 'MLOPS_ORG_1', level: PolicyLevel.WARNING, description: 'x', resourceTypes: ['aws_s3_bucket'], check: () => undefined }],
    });
    expect(stack.policy.rules.map((r) => r.id)).toContain('MLOPS_ORG_1');
  });
});

describe('soft problems warn', () => {
  it('a t3.micro system node group synthesizes with a warning', () => {
    const { stack } = newStack();
    const cloud = new AwsCloud(stack, 'Aws');
    const cluster = new EksCluster(stack, 'Cluster', { cloud, vpc: new Vpc(stack, 'Network', { cloud, availabilityZoneCount: 2 }), systemNodes: { instanceType: 't3.micro' } });
    expect(warnings(cluster).join('\n')).toMatch(/systemNodes.instanceType "t3.micro" has too little memory/);
  });
});
