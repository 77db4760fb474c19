// Core: cloud-neutral contracts, cost and recovery models, registry, policy engine, report, errors.
export * from './core/error-inspection';
export * from './core/duration';
export * from './core/cost-allocation';
export * from './core/cost-estimate';
export * from './core/recovery-objective';
export * from './core/backup-schedule';
export * from './core/data-store-registry';
export * from './core/restore';
export * from './core/interfaces';
export * from './core/platform-report';
export * from './core/platform-stack';
export * from './core/policy/policy-rule';
export * from './core/policy/policy-pack';
export * from './core/policy/policy-suppressions';

// Kubernetes and Helm pieces any conformant cluster runs.
export * from './k8s/chart-catalog';
export * from './k8s/platform-namespace';
export * from './k8s/pinned-release';
export * from './k8s/manifest-chart';
export { POSTGRES_CLIENT_IMAGE } from './k8s/postgres-role-bootstrap';
export * from './k8s/external-secrets-operator';
export * from './k8s/gpu-operator';
export * from './k8s/monitoring/grafana-dashboard';
export * from './k8s/kueue';
export * from './k8s/log-shipping';

// AWS implementations.
export * from './aws/aws-cloud';
export * from './aws/kms-key';
export * from './aws/iam-policy';
export * from './aws/secure-bucket';
export * from './aws/vpc';
export * from './aws/eks-cluster';
export * from './aws/node-group';
export * from './aws/cluster-autoscaler';
export * from './aws/pod-identity';
export * from './aws/grantee';
export * from './aws/postgres-database';
export * from './aws/container-repository';
export * from './aws/aws-backup-plan';
export * from './aws/aws-cost-budget';
export * from './aws/gpu-instance-catalog';
export * from './aws/aws-price-catalog';
export * from './aws/cloudwatch-log-destination';
export * from './aws/policy/aws-policy-rules';
export * from './aws/alert-topic';
export * from './aws/audit-trail';
export * from './aws/registry-scanning';
export * from './aws/guard-duty';
export * from './aws/load-balancer-controller';
export * from './aws/internal-ingress';
export * from './aws/karpenter';
export * from './aws/redis-cache';

// Google Cloud implementations. The google bindings are required lazily (lib/gcp/google-bindings.ts), so
// loading this barrel never needs @cdktf/provider-google; constructing a GCP construct does.
export * from './core/gpu-catalog';
export * from './gcp/google-service-agents';
export * from './gcp/gcp-cloud';
export * from './gcp/gcp-kms-key';
export * from './gcp/gcp-labels';
export * from './gcp/gcp-regions';
export * from './gcp/gcp-network';
export * from './gcp/gke-cluster';
export * from './gcp/gcp-gpu-catalog';
export * from './gcp/gcp-price-catalog';

// Azure implementations. The azurerm bindings are required lazily (lib/azure/azurerm-bindings.ts), so loading this
// barrel never needs @cdktf/provider-azurerm; constructing an Azure construct does.
export * from './azure/azure-regions';
export * from './azure/azure-tags';
export * from './azure/azure-private-link';
export * from './azure/azure-cloud';
export * from './azure/azure-key';
export * from './azure/azure-key-vault';
export * from './azure/azure-network';
export * from './azure/aks-cluster';
export * from './azure/azure-gpu-catalog';
export * from './azure/azure-price-catalog';
export * from './azure/blob-storage';
export * from './azure/postgres-flexible-server';
export * from './azure/container-registry';
export * from './azure/data-protection-backup';
export * from './azure/azure-cost-budget';
export * from './azure/key-vault-secret-store';

// The platform constructs.
export * from './experiment-tracking';
export * from './model-registry';
export * from './gpu-node-pool';
export * from './backup-policy';
export * from './budget-alerts';
export * from './monitoring';
export * from './cost-monitoring';
export * from './team';
export * from './model-serving';
export * from './inference-endpoint';
export * from './pipelines';
export * from './feature-store';
export * from './platform/platform-options';
export * from './platform/aws-mlops-platform';
export * from './platform/gcp-mlops-platform';
export * from './platform/azure-mlops-platform';
