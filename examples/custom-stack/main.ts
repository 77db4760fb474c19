/*
 * Three constructs added to an EKS cluster that already runs, referenced by attributes, as a team that
 * already operates EKS would: experiment tracking, a GPU pool and backups.
 */
import { App } from 'cdktf';
import {
  AwsCloud, BackupPolicy, CostAllocation, Duration, EksCluster, ExperimentTracking, GpuNodePool, PlatformStack, RecoveryObjective,
} from '../../lib';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;

export function buildCustomStack(app: App): PlatformStack {
  const stack = new PlatformStack(app, 'mlops-on-existing-eks', {
    primaryRegion: 'eu-west-1',
    costAllocation: new CostAllocation({ costCenter: 'cc-7781', team: 'recsys', project: 'recommendations', environment: 'staging' }),
    recoveryObjective: RecoveryObjective.of({ rpo: Duration.hours(4), rto: Duration.hours(8), drRegion: 'eu-central-1' }),
  });
  const cloud = new AwsCloud(stack, 'Aws');
  // Endpoint, CA and OIDC issuer are read from AWS at plan time; only what AWS cannot tell is given here.
  const cluster = EksCluster.fromClusterAttributes(stack, 'ExistingCluster', {
    cloud,
    clusterName: env('EKS_CLUSTER_NAME', 'recsys-staging'),
    privateSubnetIds: env('EKS_PRIVATE_SUBNETS', 'subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788').split(','),
    clusterSecurityGroupId: env('EKS_CLUSTER_SG', 'sg-0123456789abcdef0'),
    nodeRoleArn: env('EKS_NODE_ROLE_ARN', 'arn:aws:iam::123456789012:role/recsys-staging-nodes'),
    // Check with `aws eks describe-addon --cluster-name <name> --addon-name eks-pod-identity-agent`.
    installPodIdentityAgent: env('EKS_INSTALL_POD_IDENTITY_AGENT', 'true') === 'true',
    // The GPU pool scales from zero only if an autoscaler runs; say false when the cluster already has one.
    installClusterAutoscaler: env('EKS_INSTALL_CLUSTER_AUTOSCALER', 'true') === 'true',
    openIdConnectProviderArn: process.env.EKS_OIDC_PROVIDER_ARN,
    existingNamespaces: process.env.EKS_EXISTING_NAMESPACES?.split(','),
  });
  new ExperimentTracking(stack, 'Tracking', { cluster, cloud, replicas: 1, databaseInstanceClass: 'db.t4g.medium' });
  new GpuNodePool(stack, 'Gpus', { cluster, instanceType: 'g5.2xlarge', maxSize: 2 });
  new BackupPolicy(stack, 'Backups', { cloud, cluster });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildCustomStack(app);
  app.synth();
}
