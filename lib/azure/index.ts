/*
 * Entry point for Azure users: `import { AzureMlopsPlatform, ... } from 'cdktf-mlops/lib/azure'`. It exports the
 * cloud-neutral core, the Kubernetes pieces, the platform constructs and the Azure layer, and loads none of the
 * AWS or Google provider bindings. (lib/index.ts exports the same Azure classes too, for jsii and API.md, and
 * loads the azurerm bindings only when an Azure construct is created.)
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

export * from './azure-regions';
export * from './azure-tags';
export * from './azure-private-link';
export * from './azure-cloud';
export * from './azure-key';
export * from './azure-key-vault';
export * from './azure-network';
export * from './aks-cluster';
export * from './azure-gpu-catalog';
export * from './azure-price-catalog';
export * from './blob-storage';
export * from './postgres-flexible-server';
export * from './container-registry';
export * from './data-protection-backup';
export * from './azure-cost-budget';
export * from './key-vault-secret-store';
export * from './policy/azure-policy-rules';

export * from '../experiment-tracking';
export * from '../model-registry';
export * from '../gpu-node-pool';
export * from '../backup-policy';
export * from '../budget-alerts';
export * from '../platform/azure-mlops-platform';
export type { PlatformGpuPool } from '../platform/aws-mlops-platform';
