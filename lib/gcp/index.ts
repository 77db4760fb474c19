/*
 * Entry point for Google Cloud users: `import { GcpMlopsPlatform, ... } from 'cdktf-mlops/lib/gcp'`. It exports
 * the cloud-neutral core, the Kubernetes pieces, the platform constructs and the GCP layer, and loads none of
 * the AWS provider bindings. (lib/index.ts exports the same GCP classes too, for jsii and API.md, and loads the
 * google bindings only when a GCP construct is created.)
 */
export * from '../core/error-inspection';
export * from '../core/duration';
export * from '../core/cost-allocation';
export * from '../core/cost-estimate';
export * from '../core/recovery-objective';
export * from '../core/backup-schedule';
export * from '../core/data-store-registry';
export * from '../core/restore';
export * from '../core/interfaces';
export * from '../core/gpu-catalog';
export * from '../core/platform-report';
export * from '../core/platform-stack';
export * from '../core/policy/policy-rule';
export * from '../core/policy/policy-pack';
export * from '../core/policy/policy-suppressions';

export * from '../k8s/chart-catalog';
export * from '../k8s/platform-namespace';
export * from '../k8s/pinned-release';
export * from '../k8s/manifest-chart';
export * from '../k8s/external-secrets-operator';
export * from '../k8s/gpu-operator';

export * from './google-service-agents';
export * from './gcp-cloud';
export * from './gcp-kms-key';
export * from './gcp-labels';
export * from './gcp-regions';
export * from './gcp-network';
export * from './gke-cluster';
export * from './gcp-gpu-catalog';
export * from './gcp-price-catalog';
export * from './gcs-bucket';
export * from './cloud-sql-postgres';
export * from './artifact-repository';
export * from './gke-backup-plan';
export * from './gcp-billing-budget';
export * from './gcp-secret-store';
export * from './policy/gcp-policy-rules';

export * from '../experiment-tracking';
export * from '../model-registry';
export * from '../gpu-node-pool';
export * from '../backup-policy';
export * from '../budget-alerts';
export * from '../platform/gcp-mlops-platform';
export type { PlatformGpuPool } from '../platform/aws-mlops-platform';
