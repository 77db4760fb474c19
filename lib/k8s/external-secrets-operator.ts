import { Construct } from 'constructs';
import { IKubernetesCluster, IWorkloadIdentity } from '../core/interfaces';
import { PlatformStack } from '../core/platform-stack';
import { ChartCatalog } from './chart-catalog';
import { PinnedRelease } from './pinned-release';
import { PlatformNamespace } from './platform-namespace';

const NAMESPACE = 'external-secrets';
const SERVICE_ACCOUNT = 'external-secrets';

/**
 * The External Secrets Operator, once per cluster: it copies secrets from the cloud's secret service into
 * Kubernetes secrets, so passwords never pass through Terraform state or Helm values. Its controller runs
 * with a workload identity that each synced secret grants read access to.
 */
export class ExternalSecretsOperator extends Construct {
  /** The operator of a cluster, installed on first use. */
  public static of(cluster: IKubernetesCluster): ExternalSecretsOperator {
    const existing = cluster.node.tryFindChild('ExternalSecrets');
    return (existing as ExternalSecretsOperator) ?? new ExternalSecretsOperator(cluster as unknown as Construct, 'ExternalSecrets', cluster);
  }

  /** The controller's identity; grant it read access to each secret it syncs. */
  public readonly identity: IWorkloadIdentity;
  /** The Helm release (custom resources must depend on it). */
  public readonly release: PinnedRelease;

  private constructor(scope: Construct, id: string, cluster: IKubernetesCluster) {
    super(scope, id);
    const labels = PlatformStack.ofConstruct(this).costAllocation.tags;
    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: NAMESPACE });
    this.identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: NAMESPACE, serviceAccountName: SERVICE_ACCOUNT });
    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart: ChartCatalog.EXTERNAL_SECRETS,
      releaseName: 'external-secrets',
      namespace: namespace.name,
      values: {
        installCRDs: true,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        podLabels: labels,
        webhook: { podLabels: labels },
        certController: { podLabels: labels },
      },
    });
    PlatformStack.ofConstruct(this).addComponent({
      path: this.node.path, name: 'ExternalSecretsOperator',
      description: `External Secrets Operator ${ChartCatalog.EXTERNAL_SECRETS.appVersion} (chart ${ChartCatalog.EXTERNAL_SECRETS.version})`,
    });
  }
}
