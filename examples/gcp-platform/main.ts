/*
 * The reference MLOps platform on Google Cloud. `npm run synth` writes it to cdktf.out/stacks/mlops-platform-gcp.
 *
 * Settings come from environment variables with defaults, so synth needs no credentials. Deploying needs a real
 * project, a GCS state bucket and the APIs enabled (the platform report lists the command).
 */
import { App, GcsBackend } from 'cdktf';
import { CapacityType, CostAllocation, GcpMlopsPlatform, PlatformStack, RecoveryObjective } from '../../lib/gcp';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;

export function buildGcpPlatform(app: App): PlatformStack {
  const stack = new PlatformStack(app, 'mlops-platform-gcp', {
    primaryRegion: env('MLOPS_GCP_REGION', 'us-central1'),
    costAllocation: new CostAllocation({
      costCenter: env('MLOPS_COST_CENTER', 'cc-4512'),
      team: env('MLOPS_TEAM', 'ml-platform'),
      project: env('MLOPS_PROJECT', 'mlops'),
      environment: env('MLOPS_ENVIRONMENT', 'prod'),
    }),
    recoveryObjective: RecoveryObjective.businessCritical(env('MLOPS_GCP_DR_REGION', 'us-east1')),
  });
  new GcsBackend(stack, {
    bucket: env('MLOPS_GCP_STATE_BUCKET', 'acme-terraform-state'),
    prefix: env('MLOPS_GCP_STATE_PREFIX', 'mlops/platform-gcp'),
  });
  new GcpMlopsPlatform(stack, 'Platform', {
    projectId: env('MLOPS_GCP_PROJECT_ID', 'acme-mlops-prod'),
    monthlyBudgetUsd: Number(env('MLOPS_MONTHLY_BUDGET_USD', '25000')),
    alertEmails: env('MLOPS_ALERT_EMAILS', 'ml-platform@example.com').split(','),
    rbacSecurityGroup: env('MLOPS_GKE_SECURITY_GROUP', 'gke-security-groups@example.com'),
    modelObjectLockDays: 365,
    gpuPools: [
      { name: 'InferenceGpus', instanceType: 'g2-standard-8', maxSize: 6, timeSlicingReplicas: 4 },
      { name: 'TrainingGpus', instanceType: 'a2-highgpu-1g', maxSize: 4, capacityType: CapacityType.SPOT },
    ],
  });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildGcpPlatform(app);
  app.synth();
}
