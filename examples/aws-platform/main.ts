/*
 * The reference MLOps platform on AWS. `npm run synth` (cdktf synth) writes it to cdktf.out/stacks/mlops-platform.
 *
 * Settings come from environment variables so the same file serves a laptop and CI; every one has a default
 * so synth needs no credentials. Deploying needs real values for the state bucket and the admin CIDR.
 */
import { App, S3Backend } from 'cdktf';
import {
  AwsMlopsPlatform, CapacityType, CostAllocation, EndpointAccess, PlatformStack, PolicySuppressions, RecoveryObjective,
} from '../../lib';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;

export function buildReferencePlatform(app: App): PlatformStack {
  const region = env('MLOPS_REGION', 'us-east-1');
  const stack = new PlatformStack(app, 'mlops-platform', {
    primaryRegion: region,
    costAllocation: new CostAllocation({
      costCenter: env('MLOPS_COST_CENTER', 'cc-4512'),
      team: env('MLOPS_TEAM', 'ml-platform'),
      project: env('MLOPS_PROJECT', 'mlops'),
      environment: env('MLOPS_ENVIRONMENT', 'prod'),
    }),
    recoveryObjective: RecoveryObjective.businessCritical(env('MLOPS_DR_REGION', 'us-west-2')),
  });

  const backend = new S3Backend(stack, {
    bucket: env('MLOPS_STATE_BUCKET', 'acme-terraform-state'),
    key: env('MLOPS_STATE_KEY', 'mlops/platform.tfstate'),
    region: env('MLOPS_STATE_REGION', region),
    encrypt: true,
    kmsKeyId: process.env.MLOPS_STATE_KMS_KEY_ID,
  });
  // S3-native state locking (Terraform >= 1.10): no DynamoDB table to manage.
  backend.addOverride('use_lockfile', true);

  const platform = new AwsMlopsPlatform(stack, 'Platform', {
    monthlyBudgetUsd: Number(env('MLOPS_MONTHLY_BUDGET_USD', '25000')),
    alertEmails: env('MLOPS_ALERT_EMAILS', 'ml-platform@example.com').split(','),
    endpointAccess: EndpointAccess.publicAndPrivate(env('MLOPS_ADMIN_CIDRS', '203.0.113.0/24').split(',')),
    adminPrincipalArns: process.env.MLOPS_ADMIN_ROLE_ARNS?.split(','),
    modelObjectLockDays: 365,
    gpuPools: [
      { name: 'InferenceGpus', instanceType: 'g6.xlarge', maxSize: 6, timeSlicingReplicas: 4 },
      { name: 'TrainingGpus', instanceType: 'g6e.12xlarge', maxSize: 4, capacityType: CapacityType.SPOT },
    ],
    // The ML lifecycle: Argo Workflows pipelines in the teams' namespaces and a Feast feature store. Model serving
    // (KServe) needs cert-manager on the cluster first: see examples/custom-stack.
    pipelines: true,
    featureStore: true,
    // Two teams share the GPUs: each is guaranteed part of every pool, borrows what the other leaves idle, and
    // gets it back by preemption (Kueue). MLOPS_<TEAM>_ROLE_ARNS lists the IAM roles that may work in its namespace.
    teams: [
      {
        name: 'fraud', editorPrincipals: process.env.MLOPS_FRAUD_ROLE_ARNS?.split(','),
        gpuShares: [{ pool: 'TrainingGpus', guaranteedGpus: 8 }, { pool: 'InferenceGpus', guaranteedGpus: 8 }],
      },
      {
        name: 'recsys', editorPrincipals: process.env.MLOPS_RECSYS_ROLE_ARNS?.split(','),
        gpuShares: [{ pool: 'TrainingGpus', guaranteedGpus: 4 }, { pool: 'InferenceGpus', guaranteedGpus: 12 }],
      },
    ],
  });
  PolicySuppressions.add(platform.cluster, [{
    id: 'CKV_AWS_39',
    reason: 'Operators and CI deploy from outside the VPC; the public endpoint only admits MLOPS_ADMIN_CIDRS.',
  }]);
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildReferencePlatform(app);
  app.synth();
}
