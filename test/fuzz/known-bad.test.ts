/*
 * Table of known-bad inputs and the exact ValidationError each one produces: the construct path, the prop and
 * the message text (`[<path>] <prop> <problem> (got <value>). <fix>`), taken from the library's checks.
 */
import { TerraformStack } from 'cdktf';
import {
  AwsCloud, AwsMlopsPlatform, BackupPolicy, BudgetAlerts, CapacityType, CostAllocation, Duration, EksCluster, EndpointAccess, Errors,
  ExperimentTracking, GpuNodePool, MigStrategy, ModelRegistry, PlatformStack, PlatformStackProps, RecoveryObjective, SecureBucket, Vpc,
} from '../../lib';
import { ValidationError } from '../../lib/core/errors';
import {
  DEFAULT_COST, TEST_CA_DATA, importedCluster, importedClusterAttributes, newFuzzApp, removeFuzzOutdirs, validStackProps, validationErrorOf,
} from './fuzz-helpers';

afterAll(removeFuzzOutdirs);

const S = 's';

function stack(overrides: Partial<PlatformStackProps> = {}): PlatformStack {
  return new PlatformStack(newFuzzApp(), S, validStackProps(overrides));
}

/** A stack with an AwsCloud. */
function withCloud(): { stack: PlatformStack; cloud: AwsCloud } {
  const s = stack();
  return { stack: s, cloud: new AwsCloud(s, 'Aws') };
}

function withCluster() {
  const { stack: s, cloud } = withCloud();
  return { stack: s, cloud, cluster: importedCluster(s, cloud) };
}

function withVpc() {
  const { stack: s, cloud } = withCloud();
  return { stack: s, cloud, vpc: new Vpc(s, 'Network', { cloud, availabilityZoneCount: 2 }) };
}

function cost(overrides: any): CostAllocation {
  return new CostAllocation({ ...DEFAULT_COST, ...overrides });
}

function ro(props: any): RecoveryObjective {
  return RecoveryObjective.of({ rpo: Duration.hours(1), rto: Duration.hours(4), drRegion: 'us-west-2', ...props });
}

const RPO_FIX = 'Use an RPO of at least 5 minutes, or use synchronous replication outside this library.';
const BUCKET_RULE = 'is not a valid bucket name: 3-63 lower-case letters, digits, "." or "-", starting and ending with a letter or digit, not an IP address';
const REPO_RULE = 'is not a valid ECR repository name: 2-256 lower-case letters, digits, and "/", ".", "_" or "-" between them';
const COST_RULE = 'must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
const REGION_RULE = 'is not valid: an AWS region name such as "us-east-1"';

interface Row {
  readonly name: string;
  readonly build: () => unknown;
  readonly path: string;
  readonly prop: string;
  /** Exact text that follows `[<path>] ` in the message (a prefix of the rest of the message). */
  readonly message: string;
}

const rows: Row[] = [
  // PlatformStack
  { name: 'costAllocation missing', build: () => stack({ costAllocation: undefined as any }), path: S, prop: 'costAllocation',
    message: "costAllocation is required: a stack cannot synthesize untagged (got nothing). Pass new CostAllocation({ costCenter, team, project, environment })." },
  { name: 'costAllocation as a plain object', build: () => stack({ costAllocation: { ...DEFAULT_COST } as any }), path: S, prop: 'costAllocation',
    message: 'costAllocation is required: a stack cannot synthesize untagged (got {"costCenter":"cc-4512","team":"ml-platform","project":"fraud","environment":"prod"}).' },
  { name: 'costAllocation.team missing', build: () => stack({ costAllocation: cost({ team: undefined }) }), path: S, prop: 'costAllocation.team',
    message: "costAllocation.team is required: a stack cannot synthesize untagged (got nothing). Set costAllocation.team, e.g. new CostAllocation({ costCenter: 'cc-4512', team: 'ml-platform', project: 'fraud', environment: 'prod' })." },
  { name: 'costAllocation.costCenter whitespace', build: () => stack({ costAllocation: cost({ costCenter: '  ' }) }), path: S, prop: 'costAllocation.costCenter',
    message: 'costAllocation.costCenter is required: a stack cannot synthesize untagged (got "  ").' },
  { name: 'costAllocation.project with a space', build: () => stack({ costAllocation: cost({ project: 'fraud models' }) }), path: S, prop: 'costAllocation.project',
    message: `costAllocation.project ${COST_RULE} (got "fraud models"). Use a value that is valid as both an AWS tag and a Kubernetes label value, e.g. "ml-platform".` },
  { name: 'costAllocation.environment 64 characters', build: () => stack({ costAllocation: cost({ environment: 'e'.repeat(64) }) }), path: S, prop: 'costAllocation.environment',
    message: `costAllocation.environment ${COST_RULE} (got "${'e'.repeat(64)}").` },
  { name: 'costAllocation.team a number', build: () => stack({ costAllocation: cost({ team: 42 }) }), path: S, prop: 'costAllocation.team',
    message: `costAllocation.team ${COST_RULE} (got 42).` },
  { name: 'recoveryObjective missing', build: () => stack({ recoveryObjective: undefined as any }), path: S, prop: 'recoveryObjective',
    message: "recoveryObjective is required (got nothing). Pass a RecoveryObjective, e.g. RecoveryObjective.businessCritical('us-west-2')." },
  { name: 'RPO Duration.minutes(1)', build: () => stack({ recoveryObjective: ro({ rpo: Duration.minutes(1) }) }), path: S, prop: 'recoveryObjective.rpo',
    message: `recoveryObjective.rpo is shorter than any backup schedule can give (continuous backup reaches 5 minutes) (got 1 minute). ${RPO_FIX}` },
  { name: 'RPO Duration.minutes(NaN)', build: () => stack({ recoveryObjective: ro({ rpo: Duration.minutes(NaN) }) }), path: S, prop: 'recoveryObjective.rpo',
    message: 'recoveryObjective.rpo is shorter than any backup schedule can give (continuous backup reaches 5 minutes) (got NaN minutes).' },
  { name: 'RPO Duration.days(Infinity)', build: () => stack({ recoveryObjective: ro({ rpo: Duration.days(Infinity) }) }), path: S, prop: 'recoveryObjective.rpo',
    message: 'recoveryObjective.rpo is shorter than any backup schedule can give (continuous backup reaches 5 minutes) (got Infinity days).' },
  { name: 'RPO missing', build: () => stack({ recoveryObjective: ro({ rpo: undefined }) }), path: S, prop: 'recoveryObjective.rpo',
    message: 'recoveryObjective.rpo is required (got nothing). Set it with Duration.minutes/hours/days, e.g. Duration.hours(1).' },
  { name: 'RTO zero', build: () => stack({ recoveryObjective: ro({ rto: Duration.hours(0) }) }), path: S, prop: 'recoveryObjective.rto',
    message: 'recoveryObjective.rto must be longer than zero (got 0 hours). Use e.g. Duration.hours(4).' },
  { name: 'retention not whole days', build: () => stack({ recoveryObjective: ro({ retention: Duration.hours(36) }) }), path: S, prop: 'recoveryObjective.retention',
    message: 'recoveryObjective.retention must be a whole number of days from 1 to 36500 (got 36 hours). Use e.g. Duration.days(35).' },
  { name: 'retention over 100 years', build: () => stack({ recoveryObjective: ro({ retention: Duration.days(36501) }) }), path: S, prop: 'recoveryObjective.retention',
    message: 'recoveryObjective.retention must be a whole number of days from 1 to 36500 (got 36501 days).' },
  { name: 'retention shorter than RPO', build: () => stack({ recoveryObjective: ro({ rpo: Duration.days(2), rto: Duration.days(1), retention: Duration.days(1) }) }),
    path: S, prop: 'recoveryObjective.retention',
    message: 'recoveryObjective.retention is shorter than the RPO (2 days) (got 1 day). Keep recovery points for at least one RPO interval.' },
  { name: 'drRegion equal to primary', build: () => stack({ recoveryObjective: RecoveryObjective.businessCritical('us-east-1') }), path: S, prop: 'recoveryObjective.drRegion',
    message: 'recoveryObjective.drRegion is the same as the primary region (got "us-east-1"). Choose another region for disaster-recovery copies, e.g. "us-west-2" for a stack in "us-east-1".' },
  { name: 'drRegion garbage', build: () => stack({ recoveryObjective: RecoveryObjective.standard('mars-north-1') }), path: S, prop: 'recoveryObjective.drRegion',
    message: `recoveryObjective.drRegion ${REGION_RULE} (got "mars-north-1"). Use a value that matches that rule.` },
  { name: 'drRegion missing', build: () => stack({ recoveryObjective: ro({ drRegion: undefined }) }), path: S, prop: 'recoveryObjective.drRegion',
    message: 'recoveryObjective.drRegion is required (got nothing). Name the region that holds disaster-recovery copies, e.g. "us-west-2".' },
  { name: 'primaryRegion upper case', build: () => stack({ primaryRegion: 'US-EAST-1' }), path: S, prop: 'primaryRegion',
    message: `primaryRegion ${REGION_RULE} (got "US-EAST-1").` },
  { name: 'primaryRegion missing', build: () => stack({ primaryRegion: undefined as any }), path: S, prop: 'primaryRegion',
    message: 'primaryRegion is required (got nothing). Set the region the stack deploys to, e.g. "us-east-1".' },
  { name: 'construct outside a PlatformStack', build: () => new ModelRegistry(new TerraformStack(newFuzzApp(), 'plain'), 'Registry', { cloud: undefined as any }),
    path: 'plain/Registry', prop: 'scope',
    message: 'scope is not inside a PlatformStack (got "plain/Registry"). Create this construct inside a PlatformStack' },

  // GpuNodePool
  { name: "GPU type 'm5.large'", build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'm5.large' }); },
    path: `${S}/Gpus`, prop: 'instanceType',
    message: 'instanceType is not a known NVIDIA GPU instance type (got "m5.large"). Use an NVIDIA GPU instance type from families g4dn, g5, g5g, g6, g6e, ' },
  { name: "GPU type 'g5.huge' (known family)", build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.huge' }); },
    path: `${S}/Gpus`, prop: 'instanceType',
    message: 'instanceType is not a known NVIDIA GPU instance type (got "g5.huge"). Sizes of g5: g5.xlarge, g5.2xlarge, g5.4xlarge, g5.8xlarge, g5.12xlarge, g5.16xlarge, g5.24xlarge, g5.48xlarge.' },
  { name: 'GPU type missing', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: undefined as any }); },
    path: `${S}/Gpus`, prop: 'instanceType', message: 'instanceType is not a known NVIDIA GPU instance type (got nothing).' },
  { name: 'minSize 3 > maxSize 2', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', minSize: 3, maxSize: 2 }); },
    path: `${S}/Gpus`, prop: 'minSize', message: 'minSize is greater than maxSize (2) (got 3). Set minSize at most maxSize.' },
  { name: 'minSize -1', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', minSize: -1 }); },
    path: `${S}/Gpus`, prop: 'minSize', message: 'minSize must be a whole number from 0 to 1000 (got -1). Set minSize within that range.' },
  { name: 'maxSize 0', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', maxSize: 0 }); },
    path: `${S}/Gpus`, prop: 'maxSize', message: 'maxSize must be a whole number from 1 to 1000 (got 0).' },
  { name: 'maxSize 2.5', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', maxSize: 2.5 }); },
    path: `${S}/Gpus`, prop: 'maxSize', message: 'maxSize must be a whole number from 1 to 1000 (got 2.5).' },
  { name: 'diskSizeGiB 10', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', diskSizeGiB: 10 }); },
    path: `${S}/Gpus`, prop: 'diskSizeGiB', message: 'diskSizeGiB must be a whole number from 50 to 16384 (got 10).' },
  { name: 'diskSizeGiB NaN', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', diskSizeGiB: NaN }); },
    path: `${S}/Gpus`, prop: 'diskSizeGiB', message: 'diskSizeGiB must be a whole number from 50 to 16384 (got NaN).' },
  { name: 'timeSlicingReplicas 1', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', timeSlicingReplicas: 1 }); },
    path: `${S}/Gpus`, prop: 'timeSlicingReplicas', message: 'timeSlicingReplicas must be a whole number from 2 to 48 (got 1).' },
  { name: 'migStrategy on a GPU without MIG', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', migStrategy: MigStrategy.MIXED }); },
    path: `${S}/Gpus`, prop: 'migStrategy',
    message: 'migStrategy needs a MIG-capable GPU, and g5.xlarge has NVIDIA_A10G (got "mixed"). Use an A100, H100, H200 or B200 instance type (p4d, p5, p5e, p6), or time-slicing instead.' },
  { name: 'migStrategy with time-slicing', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'p4d.24xlarge', migStrategy: MigStrategy.SINGLE, timeSlicingReplicas: 4 }); },
    path: `${S}/Gpus`, prop: 'timeSlicingReplicas', message: 'timeSlicingReplicas cannot be combined with migStrategy (got 4). Choose one way to share GPUs.' },

  // BudgetAlerts
  { name: 'monthlyLimitUsd 0', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 0, emails: ['ml-platform@example.com'] }); },
    path: `${S}/Budget`, prop: 'monthlyLimitUsd', message: 'monthlyLimitUsd must be a number greater than 0 (got 0). Set monthlyLimitUsd to a positive amount.' },
  { name: 'monthlyLimitUsd Infinity', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: Infinity, emails: ['ml-platform@example.com'] }); },
    path: `${S}/Budget`, prop: 'monthlyLimitUsd', message: 'monthlyLimitUsd must be a number greater than 0 (got Infinity).' },
  { name: 'monthlyLimitUsd missing', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: undefined as any, emails: ['ml-platform@example.com'] }); },
    path: `${S}/Budget`, prop: 'monthlyLimitUsd', message: 'monthlyLimitUsd is required (got nothing). Set the monthly budget in USD, e.g. 25000.' },
  { name: 'actual threshold 1001', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: ['ml-platform@example.com'], actualThresholdsPercent: [1001] }); },
    path: `${S}/Budget`, prop: 'actualThresholdsPercent[0]',
    message: 'actualThresholdsPercent[0] must be a number greater than 0 and at most 1000 (got 1001). Set actualThresholdsPercent[0] to a positive amount.' },
  { name: 'forecast threshold 0 (second entry)', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: ['ml-platform@example.com'], forecastThresholdsPercent: [100, 0] }); },
    path: `${S}/Budget`, prop: 'forecastThresholdsPercent[1]', message: 'forecastThresholdsPercent[1] must be a number greater than 0 and at most 1000 (got 0).' },
  { name: 'no forecast thresholds', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: ['ml-platform@example.com'], forecastThresholdsPercent: [] }); },
    path: `${S}/Budget`, prop: 'forecastThresholdsPercent', message: 'forecastThresholdsPercent must list at least one percentage (got []). Use e.g. [80, 100].' },
  { name: "email 'not-an-email'", build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: ['ml-platform@example.com', 'not-an-email'] }); },
    path: `${S}/Budget`, prop: 'emails[1]',
    message: 'emails[1] is not valid: an email address such as "ml-platform@example.com" (got "not-an-email"). Use a value that matches that rule.' },
  { name: 'no emails', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: [] }); },
    path: `${S}/Budget`, prop: 'emails', message: 'emails must list at least one address (got []). Add the address of the team that owns the spend.' },
  { name: 'anomalyThresholdUsd -5', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: ['ml-platform@example.com'], anomalyThresholdUsd: -5 }); },
    path: `${S}/Budget`, prop: 'anomalyThresholdUsd', message: 'anomalyThresholdUsd must be a number greater than 0 (got -5).' },

  // ModelRegistry
  { name: "bucket name 'My_Bucket'", build: () => { const { stack: s, cloud } = withCloud(); new ModelRegistry(s, 'Registry', { cloud, bucketName: 'My_Bucket' }); },
    path: `${S}/Registry/Models`, prop: 'bucketName',
    message: `bucketName ${BUCKET_RULE} (got "My_Bucket"). Choose a valid name, e.g. "acme-ml-artifacts-prod", or leave bucketName unset to let Terraform generate one.` },
  { name: 'bucket name an IP address', build: () => { const { stack: s, cloud } = withCloud(); new ModelRegistry(s, 'Registry', { cloud, bucketName: '192.168.5.4' }); },
    path: `${S}/Registry/Models`, prop: 'bucketName', message: `bucketName ${BUCKET_RULE} (got "192.168.5.4").` },
  { name: "repository name 'UPPER'", build: () => { const { stack: s, cloud } = withCloud(); new ModelRegistry(s, 'Registry', { cloud, repositoryName: 'UPPER' }); },
    path: `${S}/Registry/ServingImages`, prop: 'repositoryName', message: `repositoryName ${REPO_RULE} (got "UPPER"). Use a name such as "fraud-models/serving".` },
  { name: 'objectLockDays 0', build: () => { const { stack: s, cloud } = withCloud(); new ModelRegistry(s, 'Registry', { cloud, objectLockDays: 0 }); },
    path: `${S}/Registry/Models`, prop: 'objectLockDays', message: 'objectLockDays must be a whole number from 1 to 36500 (got 0). Set objectLockDays within that range.' },

  // ExperimentTracking (namespace and database class are checked by the inner constructs, under their own prop names)
  { name: 'replicas 0', build: () => { const { stack: s, cloud, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cloud, cluster, replicas: 0 }); },
    path: `${S}/Tracking`, prop: 'replicas', message: 'replicas must be a whole number from 1 to 20 (got 0). Set replicas within that range.' },
  { name: 'replicas 21', build: () => { const { stack: s, cloud, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cloud, cluster, replicas: 21 }); },
    path: `${S}/Tracking`, prop: 'replicas', message: 'replicas must be a whole number from 1 to 20 (got 21).' },
  { name: "namespace 'Bad_NS'", build: () => { const { stack: s, cloud, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cloud, cluster, namespace: 'Bad_NS' }); },
    path: `${S}/Tracking`, prop: 'namespace', message: 'namespace is not valid: a Kubernetes namespace name (lower-case DNS label) (got "Bad_NS").' },
  { name: "namespace 'velero'", build: () => { const { stack: s, cloud, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cloud, cluster, namespace: 'velero' }); },
    path: `${S}/Tracking`, prop: 'namespace', message: 'namespace is a namespace the library or Kubernetes already uses (got "velero").' },
  { name: "databaseInstanceClass 'm5.large'", build: () => { const { stack: s, cloud, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cloud, cluster, databaseInstanceClass: 'm5.large' }); },
    path: `${S}/Tracking`, prop: 'databaseInstanceClass', message: 'databaseInstanceClass is not valid: an RDS instance class such as "db.m7g.large" (got "m5.large").' },
  { name: "artifactBucketName 'a'", build: () => { const { stack: s, cloud, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cloud, cluster, artifactBucketName: 'a' }); },
    path: `${S}/Tracking`, prop: 'artifactBucketName', message: `artifactBucketName ${BUCKET_RULE} (got "a").` },

  // BackupPolicy
  { name: 'complianceLockAfterDays 2', build: () => { const { stack: s, cloud } = withCloud(); new BackupPolicy(s, 'Backups', { cloud, complianceLockAfterDays: 2 }); },
    path: `${S}/Backups`, prop: 'complianceLockAfterDays', message: 'complianceLockAfterDays must be a whole number from 3 to 36500 (got 2). Set complianceLockAfterDays within that range.' },

  // Vpc
  { name: 'VPC CIDR /24', build: () => { const { stack: s, cloud } = withCloud(); new Vpc(s, 'Network', { cloud, cidrBlock: '10.0.0.0/24' }); },
    path: `${S}/Network`, prop: 'cidrBlock', message: 'cidrBlock must be an IPv4 CIDR block with a prefix from /16 to /20 (got "10.0.0.0/24"). Use a block such as "10.40.0.0/16".' },
  { name: 'VPC CIDR octet 256', build: () => { const { stack: s, cloud } = withCloud(); new Vpc(s, 'Network', { cloud, cidrBlock: '256.0.0.0/16' }); },
    path: `${S}/Network`, prop: 'cidrBlock', message: 'cidrBlock must be an IPv4 CIDR block with a prefix from /16 to /20 (got "256.0.0.0/16").' },
  { name: 'availabilityZoneCount 1', build: () => { const { stack: s, cloud } = withCloud(); new Vpc(s, 'Network', { cloud, availabilityZoneCount: 1 }); },
    path: `${S}/Network`, prop: 'availabilityZoneCount', message: 'availabilityZoneCount must be a whole number from 2 to 6 (got 1).' },
  { name: 'natGatewayCount above the AZ count', build: () => { const { stack: s, cloud } = withCloud(); new Vpc(s, 'Network', { cloud, natGatewayCount: 4 }); },
    path: `${S}/Network`, prop: 'natGatewayCount', message: 'natGatewayCount must be a whole number from 1 to 3 (got 4).' },
  { name: 'natGatewayCount 0', build: () => { const { stack: s, cloud } = withCloud(); new Vpc(s, 'Network', { cloud, natGatewayCount: 0 }); },
    path: `${S}/Network`, prop: 'natGatewayCount', message: 'natGatewayCount must be a whole number from 1 to 3 (got 0).' },

  // EksCluster
  { name: "kubernetesVersion '1.34'", build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, kubernetesVersion: '1.34' }); },
    path: `${S}/Cluster`, prop: 'kubernetesVersion',
    message: 'kubernetesVersion must be 1.35 or newer (got "1.34"). Use "1.35": older versions leave standard support and extended support costs 6x per cluster hour.' },
  { name: "kubernetesVersion 'v1.35'", build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, kubernetesVersion: 'v1.35' }); },
    path: `${S}/Cluster`, prop: 'kubernetesVersion', message: 'kubernetesVersion must be 1.35 or newer, in the form "1.<minor>" (got "v1.35"). Use one of 1.35, 1.36 (newest: "1.36").' },
  { name: "endpoint CIDR '0.0.0.0/0'", build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, endpointAccess: EndpointAccess.publicAndPrivate(['203.0.113.0/24', '0.0.0.0/0']) }); },
    path: `${S}/Cluster`, prop: 'endpointAccess.publicCidrs[1]',
    message: 'endpointAccess.publicCidrs[1] opens the API endpoint to the whole internet (got "0.0.0.0/0"). List the CIDR blocks of your VPN or CI runners instead.' },
  { name: 'endpoint CIDR /33', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, endpointAccess: EndpointAccess.publicAndPrivate(['10.0.0.0/33']) }); },
    path: `${S}/Cluster`, prop: 'endpointAccess.publicCidrs[0]', message: 'endpointAccess.publicCidrs[0] must be an IPv4 CIDR block with a prefix from /8 to /32 (got "10.0.0.0/33").' },
  { name: 'public endpoint without CIDRs', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, endpointAccess: EndpointAccess.publicAndPrivate([]) }); },
    path: `${S}/Cluster`, prop: 'endpointAccess',
    message: 'endpointAccess opens the public endpoint without CIDR restrictions (got []). List the CIDR blocks of your VPN or CI runners, or use EndpointAccess.private().' },
  { name: "clusterName '-bad'", build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, clusterName: '-bad' }); },
    path: `${S}/Cluster`, prop: 'clusterName',
    message: 'clusterName is not valid: 1-100 letters, digits, "-" or "_", starting with a letter or digit (got "-bad"). Use a value that matches that rule.' },
  { name: 'imported cluster endpoint over http', build: () => {
    const { stack: s, cloud } = withCloud();
    EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { endpoint: 'http://example.com' }));
  }, path: `${S}/Imported`, prop: 'endpoint', message: 'endpoint is not valid: an https:// URL of the API server, e.g. "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com" (got "http://example.com").' },
  { name: 'imported cluster without subnets', build: () => {
    const { stack: s, cloud } = withCloud();
    EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { privateSubnetIds: [] }));
  }, path: `${S}/Imported`, prop: 'privateSubnetIds', message: "privateSubnetIds is required to reference an existing cluster (got []). Pass the cluster's privateSubnetIds." },

  // AwsMlopsPlatform: errors come from the inner constructs, under their prop names.
  { name: 'platform monthlyBudgetUsd -1', build: () => new AwsMlopsPlatform(stack(), 'Platform', { monthlyBudgetUsd: -1, alertEmails: ['ml-platform@example.com'] }),
    path: `${S}/Platform`, prop: 'monthlyBudgetUsd', message: 'monthlyBudgetUsd must be a number greater than 0 (got -1).' },
  { name: 'platform duplicate GPU pool names', build: () => new AwsMlopsPlatform(stack(), 'Platform', { monthlyBudgetUsd: 100, alertEmails: ['ml-platform@example.com'], gpuPools: [{ name: 'A', instanceType: 'g5.xlarge' }, { name: 'A', instanceType: 'g5.xlarge' }] }),
    path: `${S}/Platform`, prop: 'gpuPools[1].name', message: 'gpuPools[1].name repeats the name of an earlier pool (got "A").' },
  { name: 'platform GPU pool named like a platform part', build: () => new AwsMlopsPlatform(stack(), 'Platform', { monthlyBudgetUsd: 100, alertEmails: ['ml-platform@example.com'], gpuPools: [{ name: 'Tracking', instanceType: 'g5.xlarge' }] }),
    path: `${S}/Platform`, prop: 'gpuPools[0].name', message: 'gpuPools[0].name is taken by a part of the platform (got "Tracking").' },
  { name: 'platform GPU pool without a name', build: () => new AwsMlopsPlatform(stack(), 'Platform', { monthlyBudgetUsd: 100, alertEmails: ['ml-platform@example.com'], gpuPools: [{ name: '', instanceType: 'g5.xlarge' }] }),
    path: `${S}/Platform`, prop: 'gpuPools[0].name', message: 'gpuPools[0].name must be 1-63 letters or digits, starting with a letter (got "").' },
  { name: 'platform vpcCidr /8', build: () => new AwsMlopsPlatform(stack(), 'Platform', { monthlyBudgetUsd: 100, alertEmails: ['ml-platform@example.com'], vpcCidr: '10.0.0.0/8' }),
    path: `${S}/Platform`, prop: 'vpcCidr', message: 'vpcCidr must be an IPv4 CIDR block with a prefix from /16 to /20 (got "10.0.0.0/8").' },
  { name: 'platform GPU pool m5.large', build: () => new AwsMlopsPlatform(stack(), 'Platform', { monthlyBudgetUsd: 100, alertEmails: ['ml-platform@example.com'], gpuPools: [{ name: 'Pool', instanceType: 'm5.large' }] }),
    path: `${S}/Platform/Pool`, prop: 'instanceType', message: 'instanceType is not a known NVIDIA GPU instance type (got "m5.large").' },
  // Found by the property tests: each used to crash with a TypeError or be accepted silently.
  { name: 'budget scope outside BudgetScope', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: ['ml-platform@example.com'], scope: 'bogus' as any }); },
    path: `${S}/Budget`, prop: 'scope', message: 'scope is not a BudgetScope (got "bogus").' },
  { name: 'monthlyLimitUsd 1e21', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 1e21, emails: ['ml-platform@example.com'] }); },
    path: `${S}/Budget`, prop: 'monthlyLimitUsd', message: 'monthlyLimitUsd must be between 0.01 and 1000000000000 USD (got 1e+21).' },
  { name: 'monthlyLimitUsd 0.004', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 0.004, emails: ['ml-platform@example.com'] }); },
    path: `${S}/Budget`, prop: 'monthlyLimitUsd', message: 'monthlyLimitUsd must be between 0.01 and 1000000000000 USD (got 0.004).' },
  { name: 'duplicate actual thresholds', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: ['ml-platform@example.com'], actualThresholdsPercent: [80, 80] }); },
    path: `${S}/Budget`, prop: 'actualThresholdsPercent[1]', message: 'actualThresholdsPercent[1] repeats an earlier entry (got 80).' },
  { name: "migStrategy 'bogus'", build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'p4d.24xlarge', migStrategy: 'bogus' as any }); },
    path: `${S}/Gpus`, prop: 'migStrategy', message: 'migStrategy is not a MigStrategy (got "bogus").' },
  { name: "capacityType 'spot'", build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', capacityType: 'spot' as any }); },
    path: `${S}/Gpus`, prop: 'capacityType', message: 'capacityType is not a CapacityType (got "spot").' },
  { name: 'VPC CIDR with host bits', build: () => { const { stack: s, cloud } = withCloud(); new Vpc(s, 'Network', { cloud, cidrBlock: '10.40.1.0/16' }); },
    path: `${S}/Network`, prop: 'cidrBlock', message: 'cidrBlock has host bits set (got "10.40.1.0/16"). Use the network address: "10.40.0.0/16".' },
  { name: 'VPC CIDR with leading zeros', build: () => { const { stack: s, cloud } = withCloud(); new Vpc(s, 'Network', { cloud, cidrBlock: '010.40.0.0/16' }); },
    path: `${S}/Network`, prop: 'cidrBlock', message: 'cidrBlock must be an IPv4 CIDR block with a prefix from /16 to /20 (got "010.40.0.0/16").' },
  { name: 'endpoint CIDRs not a list', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, endpointAccess: EndpointAccess.publicAndPrivate('203.0.113.0/24' as any) }); },
    path: `${S}/Cluster`, prop: 'endpointAccess.publicCidrs', message: 'endpointAccess.publicCidrs must be a list of CIDR blocks (got "203.0.113.0/24").' },
  { name: "kubernetesVersion '1.035'", build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, kubernetesVersion: '1.035' }); },
    path: `${S}/Cluster`, prop: 'kubernetesVersion', message: 'kubernetesVersion must be 1.35 or newer, in the form "1.<minor>" (got "1.035").' },
];

describe('known-bad inputs throw a ValidationError with the exact message', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const error = validationErrorOf(row.build);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.name).toBe('ValidationError');
    expect(Errors.isValidationError(error)).toBe(true);
    expect(error.constructPath).toBe(row.path);
    expect(error.prop).toBe(row.prop);
    expect(error.message.startsWith(`[${row.path}] `)).toBe(true);
    expect(error.message.slice(row.path.length + 3)).toContain(row.message);
    expect(error.message.slice(row.path.length + 3).startsWith(row.message)).toBe(true);
    expect(error.message).not.toContain('[object Object]');
    expect(error.message).not.toContain('undefined');
  });
});

/*
 * The classes of bad input of issue #6 ("Bad input"): each row must throw a ValidationError naming the construct
 * path and the prop (never a TypeError, never silent acceptance). `contains` pins the part of the message that
 * tells the user what is wrong or what to do.
 */
interface ClassRow {
  readonly name: string;
  readonly build: () => unknown;
  readonly path: string;
  readonly prop: string;
  readonly contains?: string;
}

const PLATFORM = { monthlyBudgetUsd: 100, alertEmails: ['ml-platform@example.com'] };
const TRUNCATED_CA = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==';
const ASSUMED_ROLE = 'arn:aws:sts::111122223333:assumed-role/PlatformAdmins/jane@example.com';

/** A rule object as a JavaScript user writes one. */
function rule(level: any): any {
  return { id: 'MLOPS_ORG_1', level, description: 'buckets are tagged', resourceTypes: ['aws_s3_bucket'], check: () => undefined };
}

const classRows: ClassRow[] = [
  // A required construct prop missing or of the wrong kind.
  { name: 'GpuNodePool props undefined', build: () => { const { stack: s } = withCloud(); new GpuNodePool(s, 'Gpus', undefined as any); },
    path: `${S}/Gpus`, prop: 'props', contains: 'must be an object of properties' },
  { name: 'Vpc props undefined', build: () => { const { stack: s } = withCloud(); new Vpc(s, 'Network', undefined as any); },
    path: `${S}/Network`, prop: 'props' },
  { name: 'BackupPolicy props undefined', build: () => { const { stack: s } = withCloud(); new BackupPolicy(s, 'Backups', undefined as any); },
    path: `${S}/Backups`, prop: 'props' },
  { name: 'AwsMlopsPlatform props undefined', build: () => new AwsMlopsPlatform(stack(), 'Platform', undefined as any),
    path: `${S}/Platform`, prop: 'props' },
  { name: 'ExperimentTracking cloud undefined', build: () => { const { stack: s, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cluster, cloud: undefined as any }); },
    path: `${S}/Tracking`, prop: 'cloud', contains: 'cloud is required: it must be a cloud' },
  { name: 'ExperimentTracking cluster undefined', build: () => { const { stack: s, cloud } = withCloud(); new ExperimentTracking(s, 'Tracking', { cloud, cluster: undefined as any }); },
    path: `${S}/Tracking`, prop: 'cluster', contains: 'cluster is required' },
  { name: 'ModelRegistry cloud a string', build: () => { const s = stack(); new ModelRegistry(s, 'Registry', { cloud: 'aws' as any }); },
    path: `${S}/Registry`, prop: 'cloud', contains: 'cloud must be a cloud (ICloudServices, e.g. an AwsCloud) (got "aws")' },
  { name: 'BudgetAlerts cloud undefined', build: () => { const s = stack(); new BudgetAlerts(s, 'Budget', { cloud: undefined as any, monthlyLimitUsd: 100, emails: ['a@example.com'] }); },
    path: `${S}/Budget`, prop: 'cloud' },
  { name: 'EksCluster cloud undefined', build: () => { const { stack: s, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud: undefined as any, vpc }); },
    path: `${S}/Cluster`, prop: 'cloud' },
  { name: 'EksCluster vpc undefined', build: () => { const { stack: s, cloud } = withCloud(); new EksCluster(s, 'Cluster', { cloud, vpc: undefined as any }); },
    path: `${S}/Cluster`, prop: 'vpc', contains: 'vpc is required: it must be a Vpc' },
  { name: 'Vpc cloud undefined', build: () => { const s = stack(); new Vpc(s, 'Network', { cloud: undefined as any }); },
    path: `${S}/Network`, prop: 'cloud' },
  { name: 'a platform passed where a cluster is expected', build: () => {
    const s = stack();
    const platform = new AwsMlopsPlatform(s, 'Platform', PLATFORM);
    new GpuNodePool(s, 'Extra', { cluster: platform as any, instanceType: 'g5.xlarge' });
  }, path: `${S}/Extra`, prop: 'cluster', contains: 'cluster must be a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes) (got "AwsMlopsPlatform at s/Platform"). Pass the cluster it holds instead' },
  { name: 'a platform passed where a cloud is expected', build: () => {
    const s = stack();
    const platform = new AwsMlopsPlatform(s, 'Platform', PLATFORM);
    new ModelRegistry(s, 'MoreModels', { cloud: platform as any, repositoryName: 'fraud/extra' });
  }, path: `${S}/MoreModels`, prop: 'cloud', contains: 'Pass the cloud it holds instead' },
  { name: 'alertEmails a string', build: () => new AwsMlopsPlatform(stack(), 'Platform', { monthlyBudgetUsd: 100, alertEmails: 'a@b.com' as any }),
    path: `${S}/Platform`, prop: 'alertEmails', contains: 'alertEmails must be a list, not a single string (got "a@b.com")' },
  { name: 'BudgetAlerts emails a string', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: 'a@b.com' as any }); },
    path: `${S}/Budget`, prop: 'emails', contains: 'must be a list, not a single string' },
  { name: 'platform adminPrincipalArns a string', build: () => new AwsMlopsPlatform(stack(), 'Platform', { ...PLATFORM, adminPrincipalArns: 'arn:aws:iam::111122223333:role/admins' as any }),
    path: `${S}/Platform`, prop: 'adminPrincipalArns', contains: 'must be a list, not a single string' },
  { name: 'EksCluster adminPrincipalArns a string', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, adminPrincipalArns: 'arn:aws:iam::111122223333:role/admins' as any }); },
    path: `${S}/Cluster`, prop: 'adminPrincipalArns', contains: 'must be a list, not a single string' },
  { name: 'imported privateSubnetIds a string', build: () => { const { stack: s, cloud } = withCloud(); EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { privateSubnetIds: 'subnet-0a1b2c3d4e5f60718' })); },
    path: `${S}/Imported`, prop: 'privateSubnetIds', contains: 'must be a list, not a single string' },
  { name: 'allowedAccountIds a string', build: () => { const s = stack(); new AwsCloud(s, 'Aws', { allowedAccountIds: '111122223333' as any }); },
    path: `${S}/Aws`, prop: 'allowedAccountIds', contains: 'must be a list, not a single string' },

  // Regions, partitions and Kubernetes versions.
  { name: 'primaryRegion shaped like a region but unknown', build: () => new AwsCloud(stack({ primaryRegion: 'us-east-9' }), 'Aws'),
    path: S, prop: 'primaryRegion', contains: 'primaryRegion is not an AWS region (got "us-east-9"). Use one of us-east-1, us-east-2' },
  { name: 'drRegion shaped like a region but unknown', build: () => new AwsCloud(stack({ recoveryObjective: RecoveryObjective.standard('eu-west-4') }), 'Aws'),
    path: S, prop: 'recoveryObjective.drRegion', contains: 'is not an AWS region (got "eu-west-4")' },
  { name: 'drRegion in another partition', build: () => new AwsCloud(stack({ recoveryObjective: RecoveryObjective.standard('cn-north-1') }), 'Aws'),
    path: S, prop: 'recoveryObjective.drRegion', contains: 'is in partition aws-cn, and the primary region us-east-1 is in aws' },
  { name: 'GovCloud primary with a commercial DR region', build: () => new AwsCloud(stack({ primaryRegion: 'us-gov-west-1' }), 'Aws'),
    path: S, prop: 'recoveryObjective.drRegion', contains: 'Choose a DR region of aws-us-gov: us-gov-east-1.' },
  { name: "kubernetesVersion '1.37' (not on EKS yet)", build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, kubernetesVersion: '1.37' }); },
    path: `${S}/Cluster`, prop: 'kubernetesVersion', contains: 'EKS does not offer 1.37 in standard support yet (got "1.37"). Use one of 1.35, 1.36' },
  { name: "kubernetesVersion '1.29' (extended support)", build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, kubernetesVersion: '1.29' }); },
    path: `${S}/Cluster`, prop: 'kubernetesVersion', contains: 'must be 1.35 or newer (got "1.29")' },

  // Values AWS rejects.
  { name: 'ARM system node type on the x86 AMI', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, systemNodes: { instanceType: 'm7g.large' } }); },
    path: `${S}/Cluster`, prop: 'systemNodes.instanceType', contains: 'is an ARM (Graviton) instance type, and system nodes run the x86_64 AMI' },
  { name: 'Graviton t4g system node type', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, systemNodes: { instanceType: 't4g.large' } }); },
    path: `${S}/Cluster`, prop: 'systemNodes.instanceType', contains: 'ARM (Graviton)' },
  { name: 'unknown system node size', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, systemNodes: { instanceType: 'm7i.huge' } }); },
    path: `${S}/Cluster`, prop: 'systemNodes.instanceType', contains: 'Sizes of m7i: m7i.large, m7i.xlarge' },
  { name: 'unknown system node family', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, systemNodes: { instanceType: 'm99.large' } }); },
    path: `${S}/Cluster`, prop: 'systemNodes.instanceType', contains: 'is not a known x86 general-purpose, compute or memory instance type' },
  { name: 'STS assumed-role ARN as admin principal', build: () => new AwsMlopsPlatform(stack(), 'Platform', { ...PLATFORM, adminPrincipalArns: [ASSUMED_ROLE] }),
    path: `${S}/Platform`, prop: 'adminPrincipalArns[0]', contains: 'is an STS assumed-role session ARN, which EKS access entries do not accept (got "arn:aws:sts::111122223333:assumed-role/PlatformAdmins/jane@example.com"). Use the IAM role ARN: "arn:aws:iam::111122223333:role/PlatformAdmins"' },
  { name: 'STS assumed-role ARN on the cluster', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, adminPrincipalArns: [ASSUMED_ROLE] }); },
    path: `${S}/Cluster`, prop: 'adminPrincipalArns[0]', contains: 'assumed-role session ARN' },
  { name: 'admin ARN with an 11-digit account', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, adminPrincipalArns: ['arn:aws:iam::11112222333:role/admins'] }); },
    path: `${S}/Cluster`, prop: 'adminPrincipalArns[0]', contains: 'is not an IAM role or user ARN' },
  { name: 'allowedAccountIds entry of 11 digits', build: () => { const s = stack(); new AwsCloud(s, 'Aws', { allowedAccountIds: ['11112222333'] }); },
    path: `${S}/Aws`, prop: 'allowedAccountIds[0]', contains: 'is not an AWS account ID (exactly 12 digits)' },
  { name: 'platform allowedAccountIds as a number', build: () => new AwsMlopsPlatform(stack(), 'Platform', { ...PLATFORM, allowedAccountIds: [111122223333 as any] }),
    path: `${S}/Platform`, prop: 'allowedAccountIds[0]', contains: 'write it as a string' },
  { name: 'imported nodeRoleArn with a malformed account', build: () => { const { stack: s, cloud } = withCloud(); EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { nodeRoleArn: 'arn:aws:iam::1111:role/nodes' })); },
    path: `${S}/Imported`, prop: 'nodeRoleArn', contains: 'is not an IAM role ARN' },
  { name: 'capacity reservation ID malformed', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'p5.48xlarge', capacityReservationId: 'cr-1234' }); },
    path: `${S}/Gpus`, prop: 'capacityReservationId', contains: '"cr-" and 17 lower-case hexadecimal digits' },
  { name: 'unknown RDS size', build: () => { const { stack: s, cloud, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cloud, cluster, databaseInstanceClass: 'db.m7g.huge' }); },
    path: `${S}/Tracking`, prop: 'databaseInstanceClass', contains: 'is not an instance class RDS for PostgreSQL offers (got "db.m7g.huge"). Sizes of db.m7g: db.m7g.large' },
  { name: 'retired RDS class db.t2.micro', build: () => { const { stack: s, cloud, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cloud, cluster, databaseInstanceClass: 'db.t2.micro' }); },
    path: `${S}/Tracking`, prop: 'databaseInstanceClass', contains: 'Use a class of one of db.t3, db.t4g' },
  { name: 'eleven budget email subscribers', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: Array.from({ length: 11 }, (_, i) => `ops${i}@example.com`) }); },
    path: `${S}/Budget`, prop: 'emails', contains: 'lists more than the 10 email subscribers AWS Budgets allows per notification (got "11 addresses")' },
  { name: 'eleven platform alert emails', build: () => new AwsMlopsPlatform(stack(), 'Platform', { monthlyBudgetUsd: 100, alertEmails: Array.from({ length: 11 }, (_, i) => `ops${i}@example.com`) }),
    path: `${S}/Platform`, prop: 'alertEmails', contains: '10 email subscribers' },
  { name: 'six budget notifications', build: () => { const { stack: s, cloud } = withCloud(); new BudgetAlerts(s, 'Budget', { cloud, monthlyLimitUsd: 100, emails: ['a@example.com'], actualThresholdsPercent: [50, 70, 90, 100], forecastThresholdsPercent: [100, 120] }); },
    path: `${S}/Budget`, prop: 'forecastThresholdsPercent', contains: 'more than the 5 notifications AWS Budgets allows per budget (one per actual and per forecast threshold) (got "6 notifications")' },
  { name: 'label key with a space', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', labels: { 'team name': 'a' } }); },
    path: `${S}/Gpus`, prop: 'labels["team name"]', contains: 'is not a valid Kubernetes label key' },
  { name: 'label key prefix over 253 characters', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', labels: { [`${'a'.repeat(254)}/x`]: 'a' } }); },
    path: `${S}/Gpus`, prop: `labels["${'a'.repeat(254)}/x"]`, contains: 'prefix that is not a lower-case DNS subdomain of at most 253 characters' },
  { name: 'label name over 63 characters', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', labels: { ['n'.repeat(64)]: 'a' } }); },
    path: `${S}/Gpus`, prop: `labels["${'n'.repeat(64)}"]`, contains: 'has a name that is not 1-63' },
  { name: 'label value over 63 characters', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', labels: { team: 'v'.repeat(64) } }); },
    path: `${S}/Gpus`, prop: 'labels["team"]', contains: 'is not a valid Kubernetes label value' },
  { name: 'label value a boolean', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', labels: { spot: true as any } }); },
    path: `${S}/Gpus`, prop: 'labels["spot"]', contains: 'quote numbers and booleans' },
  { name: 'node label in kubernetes.io', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', labels: { 'node-role.kubernetes.io/gpu': 'true' } }); },
    path: `${S}/Gpus`, prop: 'labels["node-role.kubernetes.io/gpu"]', contains: 'kubelet refuses to set on its node' },
  { name: 'label key the pool sets itself', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', labels: { 'mlops/gpu-model': 'a10' } }); },
    path: `${S}/Gpus`, prop: 'labels["mlops/gpu-model"]', contains: 'is set by this construct itself' },
  { name: 'labels given as a list', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', labels: ['team=ml'] as any }); },
    path: `${S}/Gpus`, prop: 'labels', contains: 'must be a map of label keys to values' },
  { name: 'platform pool label invalid', build: () => new AwsMlopsPlatform(stack(), 'Platform', { ...PLATFORM, gpuPools: [{ name: 'Pool', instanceType: 'g5.xlarge', labels: { '-bad': 'x' } }] }),
    path: `${S}/Platform/Pool`, prop: 'labels["-bad"]' },

  // Conflicts.
  { name: 'two pools with different MIG strategies on one cluster', build: () => {
    const { stack: s, cluster } = withCluster();
    new GpuNodePool(s, 'Training', { cluster, instanceType: 'p4d.24xlarge', migStrategy: MigStrategy.SINGLE });
    new GpuNodePool(s, 'Inference', { cluster, instanceType: 'p5.48xlarge', migStrategy: MigStrategy.MIXED });
  }, path: `${S}/Inference`, prop: 'migStrategy', contains: 'conflicts with MigStrategy "single" that s/Training set: the GPU operator has one MIG strategy per cluster' },
  { name: 'spot with a capacity reservation', build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'p5.48xlarge', capacityType: CapacityType.SPOT, capacityReservationId: 'cr-0123456789abcdef0' }); },
    path: `${S}/Gpus`, prop: 'capacityReservationId', contains: 'cannot be combined with capacityType SPOT' },
  { name: 'two ExperimentTracking in one namespace', build: () => {
    const { stack: s, cloud, cluster } = withCluster();
    new ExperimentTracking(s, 'Tracking', { cloud, cluster });
    new ExperimentTracking(s, 'Research', { cloud, cluster });
  }, path: `${S}/Research`, prop: 'namespace', contains: 'is already used by s/Tracking' },
  { name: 'the same bucket name twice', build: () => {
    const { stack: s, cloud, cluster } = withCluster();
    new ModelRegistry(s, 'Registry', { cloud, bucketName: 'acme-ml-prod' });
    new ExperimentTracking(s, 'Tracking', { cloud, cluster, artifactBucketName: 'acme-ml-prod' });
  }, path: `${S}/Tracking/Artifacts`, prop: 'bucketName', contains: 'is already used by s/Registry/Models: a stack can have only one S3 bucket with it' },
  { name: 'the same repository name twice', build: () => {
    const { stack: s, cloud } = withCloud();
    new ModelRegistry(s, 'Registry', { cloud, repositoryName: 'fraud/serving' });
    new ModelRegistry(s, 'Registry2', { cloud, repositoryName: 'fraud/serving' });
  }, path: `${S}/Registry2/ServingImages`, prop: 'repositoryName', contains: 'is already used by s/Registry/ServingImages' },
  { name: 'two BackupPolicy in one stack', build: () => {
    const { stack: s, cloud } = withCloud();
    new BackupPolicy(s, 'Backups', { cloud });
    new BackupPolicy(s, 'MoreBackups', { cloud });
  }, path: `${S}/MoreBackups`, prop: 'BackupPolicy', contains: 'is already used by s/Backups' },
  { name: 'two AwsCloud in one stack', build: () => { const { stack: s } = withCloud(); new AwsCloud(s, 'Aws2'); },
    path: `${S}/Aws2`, prop: 'AwsCloud', contains: 'an AwsMlopsPlatform creates its own (use platform.cloud)' },
  { name: 'an AwsCloud beside a platform', build: () => { const s = stack(); new AwsMlopsPlatform(s, 'Platform', PLATFORM); new AwsCloud(s, 'Aws'); },
    path: `${S}/Aws`, prop: 'AwsCloud' },
  { name: 'imported CA truncated (the old example default)', build: () => { const { stack: s, cloud } = withCloud(); EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { certificateAuthorityData: TRUNCATED_CA })); },
    path: `${S}/Imported`, prop: 'certificateAuthorityData', contains: 'is base64 of a truncated PEM certificate' },
  { name: 'imported CA not a certificate', build: () => { const { stack: s, cloud } = withCloud(); EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { certificateAuthorityData: 'Q0E=' })); },
    path: `${S}/Imported`, prop: 'certificateAuthorityData', contains: 'not of a PEM certificate' },
  { name: 'imported CA PEM instead of base64', build: () => { const { stack: s, cloud } = withCloud(); EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { certificateAuthorityData: Buffer.from(TEST_CA_DATA, 'base64').toString() })); },
    path: `${S}/Imported`, prop: 'certificateAuthorityData', contains: 'is not base64' },
  { name: 'imported CA with a corrupt body', build: () => {
    const { stack: s, cloud } = withCloud();
    const pem = Buffer.from(TEST_CA_DATA, 'base64').toString().replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { certificateAuthorityData: Buffer.from(pem).toString('base64') }));
  }, path: `${S}/Imported`, prop: 'certificateAuthorityData', contains: 'not a valid X.509 certificate' },
  { name: 'imported subnet ID malformed', build: () => { const { stack: s, cloud } = withCloud(); EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { privateSubnetIds: ['subnet-1'] })); },
    path: `${S}/Imported`, prop: 'privateSubnetIds[0]', contains: '"subnet-" and 8 or 17 hexadecimal digits' },
  { name: 'imported security group ID malformed', build: () => { const { stack: s, cloud } = withCloud(); EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(cloud, { clusterSecurityGroupId: 'sg-1' })); },
    path: `${S}/Imported`, prop: 'clusterSecurityGroupId' },
  { name: 'imported cluster with a platform as cloud', build: () => {
    const s = stack();
    const platform = new AwsMlopsPlatform(s, 'Platform', PLATFORM);
    EksCluster.fromClusterAttributes(s, 'Imported', importedClusterAttributes(platform as any));
  }, path: `${S}/Imported`, prop: 'cloud', contains: 'Pass the cloud it holds instead' },

  // Silently dropped or downgraded declarations.
  { name: "policy rule level 'error'", build: () => stack({ policyRules: [rule('error')] }),
    path: S, prop: 'policyRules[0].level', contains: 'is not a PolicyLevel (got "error"). Use PolicyLevel.ERROR (enum values are case-sensitive' },
  { name: 'policy rule without a level', build: () => stack({ policyRules: [rule(undefined)] }),
    path: S, prop: 'policyRules[0].level', contains: 'is required' },
  { name: "rule added later with level 'warning'", build: () => stack().policy.addRules([rule('warning')]),
    path: S, prop: 'rules[0].level', contains: 'Use PolicyLevel.WARNING' },
  { name: "endpointAccess 'private' as a string", build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, endpointAccess: 'private' as any }); },
    path: `${S}/Cluster`, prop: 'endpointAccess', contains: 'must be an EndpointAccess (a string or plain object would leave the public endpoint open to the internet)' },
  { name: "platform endpointAccess 'public' as a string", build: () => new AwsMlopsPlatform(stack(), 'Platform', { ...PLATFORM, endpointAccess: 'public' as any }),
    path: `${S}/Platform`, prop: 'endpointAccess', contains: 'must be an EndpointAccess' },
  { name: 'endpointAccess as a plain object', build: () => { const { stack: s, cloud, vpc } = withVpc(); new EksCluster(s, 'Cluster', { cloud, vpc, endpointAccess: { publicAccess: false } as any }); },
    path: `${S}/Cluster`, prop: 'endpointAccess' },
  { name: "defaultPermission 'read'", build: () => { const { stack: s, cloud, cluster } = withCluster(); new ExperimentTracking(s, 'Tracking', { cloud, cluster, defaultPermission: 'read' as any }); },
    path: `${S}/Tracking`, prop: 'defaultPermission', contains: 'Use MlflowPermission.READ' },
  { name: "bucket region 'dr' as a string", build: () => { const { stack: s, cloud } = withCloud(); new SecureBucket(s, 'Data', { cloud, purpose: 'datasets', region: 'dr' as any }); },
    path: `${S}/Data`, prop: 'region', contains: 'Use AwsRegionRole.DR' },
  { name: "migStrategy 'SINGLE' (case)", build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'p4d.24xlarge', migStrategy: 'SINGLE' as any }); },
    path: `${S}/Gpus`, prop: 'migStrategy', contains: 'Use MigStrategy.SINGLE' },
  { name: "capacityType 'spot' (case)", build: () => { const { stack: s, cluster } = withCluster(); new GpuNodePool(s, 'Gpus', { cluster, instanceType: 'g5.xlarge', capacityType: 'spot' as any }); },
    path: `${S}/Gpus`, prop: 'capacityType', contains: 'Use CapacityType.SPOT' },
];

describe('classes of bad input (issue #6) throw a ValidationError naming the path and the prop', () => {
  it.each(classRows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    expect(row.build).toThrow(new RegExp(row.prop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const error = validationErrorOf(row.build);
    expect(error.constructPath).toBe(row.path);
    expect(error.prop).toBe(row.prop);
    expect(error.message.startsWith(`[${row.path}] ${row.prop} `)).toBe(true);
    if (row.contains !== undefined) {
      expect(error.message).toContain(row.contains);
    }
    expect(error.message).not.toContain('[object Object]');
    expect(error.message).not.toContain('undefined');
  });
});
