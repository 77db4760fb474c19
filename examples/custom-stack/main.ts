/*
 * Constructs added to an EKS cluster that already runs, referenced by attributes, as a team that already operates
 * EKS (and cert-manager on it) would: experiment tracking, a GPU pool, a model registry with a KServe endpoint
 * rolling a new model version out as a canary, and backups.
 */
import { App, TerraformOutput } from 'cdktf';
import {
  AwsCloud, BackupPolicy, CertManagerPrerequisite, CostAllocation, Duration, EksCluster, ExperimentTracking, GpuNodePool, ModelFormat,
  ModelRegistry, ModelServing, PlatformStack, RecoveryObjective,
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
  const tracking = new ExperimentTracking(stack, 'Tracking', { cluster, cloud, replicas: 1, databaseInstanceClass: 'db.t4g.medium' });
  // What the team needs after deploy: `cdktf output`.
  new TerraformOutput(stack, 'mlflow_url', { value: tracking.url }).overrideLogicalId('mlflow_url');
  new TerraformOutput(stack, 'mlflow_port_forward_command', { value: tracking.portForwardCommand }).overrideLogicalId('mlflow_port_forward_command');
  new TerraformOutput(stack, 'mlflow_admin_password_command', { value: tracking.adminPasswordCommand }).overrideLogicalId('mlflow_admin_password_command');
  new TerraformOutput(stack, 'mlflow_artifact_bucket', { value: tracking.artifactStore.bucketName }).overrideLogicalId('mlflow_artifact_bucket');
  new GpuNodePool(stack, 'Gpus', { cluster, instanceType: 'g5.2xlarge', maxSize: 2 });
  // Serving: the cluster already runs cert-manager (KServe's webhooks need it); v8 of the model takes 10% of the
  // traffic next to v7 until it is promoted or rolled back (see the report's steps).
  const registry = new ModelRegistry(stack, 'Registry', { cloud });
  const serving = new ModelServing(stack, 'Serving', { cluster, certManager: CertManagerPrerequisite.preinstalled() });
  serving.addEndpoint('Ranker', {
    name: 'ranker', registry, version: 'v7', modelPath: 'ranker/v7', modelFormat: ModelFormat.XGBOOST, minReplicas: 2, maxReplicas: 6,
    canary: { version: 'v8', modelPath: 'ranker/v8', trafficPercent: 10 },
  });
  new BackupPolicy(stack, 'Backups', { cloud, cluster });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildCustomStack(app);
  app.synth();
}
