import { Labels } from '@cdktf/provider-kubernetes/lib/labels';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { IKubernetesCluster } from '../core/interfaces';
import { PlatformStack } from '../core/platform-stack';
import { checkDnsLabel, checkPattern } from '../core/validate';

/** Properties of a {@link PlatformNamespace}. */
export interface PlatformNamespaceProps {
  /** The cluster. */
  readonly cluster: IKubernetesCluster;
  /** Namespace name (a DNS label). */
  readonly name: string;
  /**
   * Pod Security Standard enforced in the namespace. Node agents (GPU operator) need `privileged`.
   *
   * @default 'restricted'
   */
  readonly podSecurity?: string;
}

/**
 * A Kubernetes namespace labelled with the stack's cost allocation, so OpenCost and similar tools attribute
 * every pod in it, and with a Pod Security Standard enforced.
 *
 * @example
 * const ns = new PlatformNamespace(this, 'Namespace', { cluster, name: 'mlflow' });
 */
export class PlatformNamespace extends Construct {
  /** The namespace resource. */
  public readonly resource: TerraformResource;
  /** Namespace name. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    checkDnsLabel(this, 'name', props.name, 'namespace');
    const podSecurity = props.podSecurity ?? 'restricted';
    checkPattern(this, 'podSecurity', podSecurity, /^(privileged|baseline|restricted)$/, 'one of privileged, baseline, restricted');
    const labels = { ...PlatformStack.ofConstruct(this).costAllocation.tags, 'pod-security.kubernetes.io/enforce': podSecurity };
    const provider = props.cluster.kubernetesProvider;
    const dependsOn = props.cluster.workloadPrerequisites;
    if (props.cluster.existingNamespaces.includes(props.name)) {
      // A namespace that existed before the stack only gets the labels: creating it would fail, and importing it
      // would let `cdktf destroy` delete it with everything else that runs there.
      this.resource = new Labels(this, 'AdoptedLabels', {
        provider, dependsOn, apiVersion: 'v1', kind: 'Namespace', metadata: { name: props.name }, labels, force: true,
      });
      this.name = props.name;
    } else {
      const namespace = new NamespaceV1(this, 'Resource', { provider, dependsOn, metadata: { name: props.name, labels } });
      this.resource = namespace;
      this.name = namespace.metadata.name;
    }
  }
}

/** Namespace of the Jobs that hold database master credentials (role bootstraps): the only one they reach. */
export const DATABASE_ADMIN_NAMESPACE = 'db-admin';

/**
 * The `db-admin` namespace of a cluster, created once per cluster on first use (every database's role bootstrap
 * Jobs run there, whatever the cloud). Its construct id under the cluster is stable: `DatabaseAdminNamespace`.
 */
export function databaseAdminNamespace(cluster: IKubernetesCluster): PlatformNamespace {
  const existing = cluster.node.tryFindChild('DatabaseAdminNamespace');
  return (existing as PlatformNamespace) ?? new PlatformNamespace(cluster as unknown as Construct, 'DatabaseAdminNamespace', {
    cluster, name: DATABASE_ADMIN_NAMESPACE,
  });
}
