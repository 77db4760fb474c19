import { Construct } from 'constructs';
import { IKubernetesCluster } from '../core/interfaces';
import { PlatformStack } from '../core/platform-stack';
import { ChartCatalog } from './chart-catalog';
import { PinnedRelease } from './pinned-release';
import { PlatformNamespace } from './platform-namespace';

const NAMESPACE = 'external-secrets';
const SERVICE_ACCOUNT = 'external-secrets';

/**
 * The External Secrets Operator, once per cluster: it copies secrets from the cloud's secret service into
 * Kubernetes secrets, so passwords never pass through Terraform state or Helm values.
 *
 * The controller has no cloud identity of its own: every namespaced SecretStore authenticates with a service
 * account of its own namespace, whose cloud role reads only that namespace's secrets. Cluster-wide stores are
 * not processed, and the chart's aggregation of SecretStore and ExternalSecret rights into the built-in
 * `edit` and `admin` roles is off, so `edit` in one namespace gives no way to another namespace's secrets.
 */
export class ExternalSecretsOperator extends Construct {
  /** The operator of a cluster, installed on first use. */
  public static of(cluster: IKubernetesCluster): ExternalSecretsOperator {
    const existing = cluster.node.tryFindChild('ExternalSecrets');
    return (existing as ExternalSecretsOperator) ?? new ExternalSecretsOperator(cluster as unknown as Construct, 'ExternalSecrets', cluster);
  }

  /** The Helm release (custom resources must depend on it). */
  public readonly release: PinnedRelease;

  private constructor(scope: Construct, id: string, cluster: IKubernetesCluster) {
    super(scope, id);
    const labels = PlatformStack.ofConstruct(this).costAllocation.tags;
    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: NAMESPACE });
    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart: ChartCatalog.EXTERNAL_SECRETS,
      releaseName: 'external-secrets',
      namespace: namespace.name,
      values: {
        installCRDs: true,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        processClusterStore: false,
        processClusterExternalSecret: false,
        processClusterPushSecret: false,
        rbac: { aggregateToEdit: false, aggregateToAdmin: false },
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

/**
 * An `ExternalSecret` that copies properties of one cloud secret into a Kubernetes secret of the same name, through
 * a namespaced SecretStore (every cloud's namespace secret store writes these; only the remote reference differs).
 *
 * @param remoteRef the store provider's reference to one property of the cloud secret
 */
export function namespacedExternalSecret(storeName: string, namespace: string, secretName: string, properties: string[],
  remoteRef: (property: string) => { [key: string]: string }, refreshInterval?: string): any {
  return {
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: secretName, namespace },
    spec: {
      refreshInterval: refreshInterval ?? '1h',
      secretStoreRef: { name: storeName, kind: 'SecretStore' },
      target: { name: secretName, creationPolicy: 'Owner' },
      data: properties.map((property) => ({ secretKey: property, remoteRef: remoteRef(property) })),
    },
  };
}
