import type { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import type { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { IKubernetesCluster, IWorkloadIdentity } from '../core/interfaces';
import { checkDnsLabel, checkPattern, requireList } from '../core/validate';
import { ExternalSecretsOperator, namespacedExternalSecret } from '../k8s/external-secrets-operator';
import { ManifestChart } from '../k8s/manifest-chart';
import type { GcpCloud } from './gcp-cloud';
import { GcpKeyPurpose, GcpRegionRole } from './gcp-cloud';
import { addServiceAgentStep, labelValue } from './gcs-bucket';
import { loadGoogle } from './google-bindings';
import { GoogleServiceAgent } from './google-service-agents';

/** Options for a Secret Manager secret of the platform ({@link GcpNamespaceSecretStore.newSecret}). */
export interface GcpSecretOptions {
  /** The cloud. */
  readonly cloud: GcpCloud;
  /** Secret ID: 1-255 letters, digits, `-` and `_`, unique in the project. */
  readonly secretId: string;
  /** What the secret holds, for its `purpose` label and the cost report. */
  readonly purpose: string;
}

/** A Secret Manager secret copied into a Kubernetes secret of the namespace. */
export interface GcpSyncedSecret {
  /** Name of the Kubernetes secret to write. */
  readonly secretName: string;
  /** The Secret Manager secret (its versions hold a JSON document). */
  readonly secret: SecretManagerSecret;
  /** JSON properties of the latest version to copy, each to a key of the same name. */
  readonly properties: string[];
  /**
   * How often External Secrets re-reads the secret, as a Go duration.
   *
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/** Properties of a {@link GcpNamespaceSecretStore}. */
export interface GcpNamespaceSecretStoreProps {
  /** The cloud. */
  readonly cloud: GcpCloud;
  /** The GKE cluster. */
  readonly cluster: IKubernetesCluster;
  /** Namespace of the store and of the secrets it writes. */
  readonly namespace: string;
  /** Name of the SecretStore, its Kubernetes service account and its Helm release (unique in the namespace). */
  readonly name: string;
  /** The secrets to copy. The store's identity may read these and nothing else. */
  readonly secrets: GcpSyncedSecret[];
  /**
   * What the store must wait for (e.g. the namespace, the secrets' first versions).
   *
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A namespaced External Secrets `SecretStore` on Secret Manager (`gcpsm`) with an identity of its own: a Google
 * service account bound through Workload Identity to a Kubernetes service account of this namespace only, allowed
 * to read exactly the listed secrets (`roles/secretmanager.secretAccessor` on each secret, nothing project-wide).
 * The External Secrets controller has no Google permissions of its own: it exchanges the store's service-account
 * token, so a user who may create SecretStores in another namespace cannot reach these secrets.
 *
 * `newSecret` creates the secrets themselves: user-managed replication pinned to the primary and DR regions, each
 * replica encrypted with the platform's data key of its region.
 *
 * @example
 * const secret = GcpNamespaceSecretStore.newSecret(this, 'Login', { cloud, secretId: 'fraud-prod-mlflow-db', purpose: 'mlflow login' });
 * new GcpNamespaceSecretStore(this, 'Secrets', { cloud, cluster, namespace: 'mlflow', name: 'mlflow-db', secrets: [{
 *   secretName: 'mlflow-db', secret, properties: ['username', 'password'] }] });
 */
export class GcpNamespaceSecretStore extends Construct {
  /**
   * A Secret Manager secret replicated to the primary and DR regions only (user-managed replication), each replica
   * under the data key of its region (the Secret Manager service agent is granted both keys first).
   */
  public static newSecret(scope: Construct, id: string, options: GcpSecretOptions): SecretManagerSecret {
    const { cloud } = options;
    checkPattern(scope, 'secretId', options.secretId, /^[A-Za-z0-9_-]{1,255}$/, '1-255 letters, digits, "-" and "_"');
    const primaryKey = cloud.key(GcpKeyPurpose.DATA, GcpRegionRole.PRIMARY);
    const drKey = cloud.key(GcpKeyPurpose.DATA, GcpRegionRole.DR);
    const grants = [primaryKey.grantToServiceAgent(GoogleServiceAgent.SECRET_MANAGER), drKey.grantToServiceAgent(GoogleServiceAgent.SECRET_MANAGER)];
    addServiceAgentStep(cloud);
    const { SecretManagerSecret: Secret } = loadGoogle<typeof import('@cdktf/provider-google/lib/secret-manager-secret')>('secret-manager-secret');
    const secret = new Secret(scope, id, {
      provider: cloud.provider,
      project: cloud.projectId,
      secretId: options.secretId,
      labels: { purpose: labelValue(options.purpose) },
      replication: {
        userManaged: {
          replicas: [
            { location: cloud.primaryRegion, customerManagedEncryption: { kmsKeyName: primaryKey.keyId } },
            { location: cloud.drRegion, customerManagedEncryption: { kmsKeyName: drKey.keyId } },
          ],
        },
      },
      dependsOn: grants,
    });
    for (const region of [cloud.primaryRegion, cloud.drRegion]) {
      cloud.stack.addCostLine({
        component: secret.node.path, resource: `Secret Manager secret replica (${options.purpose})`, region, unit: CostUnit.MONTH,
        baselineQuantity: 1, fullScaleQuantity: 1, priceKey: 'secretmanager:secret-version-replica',
        assumption: 'one active version per replica location; access operations not counted',
      });
    }
    return secret;
  }

  /** The identity the store's service account runs as. */
  public readonly identity: IWorkloadIdentity;
  /** The Helm release with the service account, the store and the ExternalSecrets. */
  public readonly chart: ManifestChart;
  /** The per-secret read grants of the identity. */
  public readonly grants: SecretManagerSecretIamMember[];

  constructor(scope: Construct, id: string, props: GcpNamespaceSecretStoreProps) {
    super(scope, id);
    checkDnsLabel(this, 'name', props.name, 'secret store');
    if (props.name.length > 53) {
      throw new ValidationError(this, 'name', props.name, 'is longer than 53 characters', 'Helm release names are limited to 53 characters: shorten it.');
    }
    requireList(this, 'secrets', props.secrets, { required: true, minLength: 1, example: "[{ secretName: 'mlflow-db', secret, properties: ['password'] }]" });
    const { cloud, cluster, namespace } = props;
    const serviceAccount = props.name;
    this.identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace, serviceAccountName: serviceAccount });
    const { SecretManagerSecretIamMember: Member } =
      loadGoogle<typeof import('@cdktf/provider-google/lib/secret-manager-secret-iam-member')>('secret-manager-secret-iam-member');
    this.grants = props.secrets.map((s, i) => new Member(this, `Read${i + 1}`, {
      provider: cloud.provider,
      project: cloud.projectId,
      secretId: s.secret.secretId,
      role: 'roles/secretmanager.secretAccessor',
      member: `serviceAccount:${this.identity.principalId}`,
    }));
    const operator = ExternalSecretsOperator.of(cluster);
    const location = (cluster as any).location ?? cloud.primaryRegion;
    this.chart = new ManifestChart(this, 'Chart', {
      cluster,
      releaseName: props.name,
      namespace,
      // The binding and the grants must exist before the controller first exchanges the token.
      dependsOn: [operator.release.resource, ...this.identity.prerequisites, ...this.grants, ...(props.dependsOn ?? [])],
      manifests: [
        {
          apiVersion: 'v1', kind: 'ServiceAccount',
          metadata: { name: serviceAccount, namespace, annotations: { 'iam.gke.io/gcp-service-account': this.identity.principalId } },
          automountServiceAccountToken: false,
        },
        {
          apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: props.name, namespace },
          spec: {
            provider: {
              gcpsm: {
                projectID: cloud.projectId,
                auth: {
                  workloadIdentity: {
                    clusterLocation: location, clusterName: cluster.clusterName, clusterProjectID: cloud.projectId,
                    serviceAccountRef: { name: serviceAccount },
                  },
                },
              },
            },
          },
        },
        ...props.secrets.map((secret) => namespacedExternalSecret(props.name, namespace, secret.secretName, secret.properties,
          (property) => ({ key: secret.secret.secretId, version: 'latest', property }), secret.refreshInterval)),
      ],
    });
  }
}
