import type { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { IKubernetesCluster, IWorkloadIdentity } from '../core/interfaces';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkDnsLabel, checkInteger, checkPattern, requireList } from '../core/validate';
import { ExternalSecretsOperator, namespacedExternalSecret } from '../k8s/external-secrets-operator';
import { ManifestChart } from '../k8s/manifest-chart';
import type { AzureCloud } from './azure-cloud';
import { AzureRegionRole } from './azure-cloud';
import { loadAzurerm } from './azurerm-bindings';

/** Options for a Key Vault secret of the platform ({@link KeyVaultSecretStore.newSecret}). */
export interface KeyVaultSecretOptions {
  /** The cloud. */
  readonly cloud: AzureCloud;
  /** Secret name: 1-127 letters, digits and `-`, unique in the vault. */
  readonly secretName: string;
  /** What the secret holds, for its tags and the cost report. */
  readonly purpose: string;
  /**
   * The value, written with the write-only `value_wo` (Terraform >= 1.11): never stored in state or plan. Pass an
   * expression computed at apply time (e.g. a `TerraformLocal` of `uuid()`s), never a literal secret.
   */
  readonly value: string;
  /**
   * Version of the write-only value: raise it to write a new value.
   *
   * @default 1
   */
  readonly valueVersion?: number;
  /**
   * MIME type of the value, shown in Key Vault.
   *
   * @default 'application/json'
   */
  readonly contentType?: string;
}

/** A Key Vault secret copied into a Kubernetes secret of the namespace. */
export interface KeyVaultSyncedSecret {
  /** Name of the Kubernetes secret to write. */
  readonly secretName: string;
  /** The Key Vault secret (its value is a JSON document). */
  readonly secret: KeyVaultSecret;
  /** JSON properties of the value to copy, each to a key of the same name. */
  readonly properties: string[];
  /**
   * How often External Secrets re-reads the secret, as a Go duration.
   *
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/** Properties of a {@link KeyVaultSecretStore}. */
export interface KeyVaultSecretStoreProps {
  /** The cloud. */
  readonly cloud: AzureCloud;
  /** The AKS cluster. */
  readonly cluster: IKubernetesCluster;
  /** Namespace of the store and of the secrets it writes. */
  readonly namespace: string;
  /** Name of the SecretStore, its Kubernetes service account and its Helm release (unique in the namespace). */
  readonly name: string;
  /** The secrets to copy. The store's identity may read these and nothing else. */
  readonly secrets: KeyVaultSyncedSecret[];
  /**
   * What the store must wait for (e.g. the namespace, the secrets).
   *
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A namespaced External Secrets `SecretStore` on Azure Key Vault (`azurekv`, `authType: WorkloadIdentity`) with an
 * identity of its own: a user-assigned managed identity federated with a Kubernetes service account of this
 * namespace only, holding `Key Vault Secrets User` on exactly the listed secrets (role assignments scoped to each
 * secret, nothing vault-wide). The External Secrets controller has no Azure permissions of its own: it exchanges
 * the store's service-account token, so a user who may create SecretStores in another namespace cannot reach
 * these secrets.
 *
 * `newSecret` creates the secrets themselves in the platform's primary Key Vault (RBAC mode, purge protection,
 * private endpoint), with the value written through the write-only `value_wo`, so it is never in Terraform state.
 * Key Vault keeps a read-only copy of every vault in the region's Azure pair.
 *
 * @example
 * const secret = KeyVaultSecretStore.newSecret(this, 'Login', { cloud, secretName: 'fraud-prod-mlflow-db', purpose: 'mlflow login', value });
 * new KeyVaultSecretStore(this, 'Secrets', { cloud, cluster, namespace: 'mlflow', name: 'mlflow-db', secrets: [{
 *   secretName: 'mlflow-db', secret, properties: ['username', 'password'] }] });
 */
export class KeyVaultSecretStore extends Construct {
  /**
   * A secret in the platform's primary Key Vault whose value is written once, write-only. It has no expiry date:
   * the platform's secrets do not rotate on their own (pods read them at start), and Key Vault refuses to return
   * an expired secret, which would break the sync.
   */
  public static newSecret(scope: Construct, id: string, options: KeyVaultSecretOptions): KeyVaultSecret {
    const { cloud } = options;
    checkPattern(scope, 'secretName', options.secretName, /^[0-9A-Za-z-]{1,127}$/, '1-127 letters, digits and "-"');
    checkInteger(scope, 'valueVersion', options.valueVersion, 1, 1000000);
    if (typeof options.value !== 'string' || options.value === '') {
      throw new ValidationError(scope, 'value', options.value, 'must be a non-empty expression',
        'Pass an expression computed at apply time, e.g. a TerraformLocal of uuid()s.');
    }
    const vault = cloud.keyVault(AzureRegionRole.PRIMARY);
    const { KeyVaultSecret: Secret } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/key-vault-secret')>('key-vault-secret');
    const secret = new Secret(scope, id, {
      provider: cloud.provider,
      name: options.secretName,
      keyVaultId: vault.vaultId,
      contentType: options.contentType ?? 'application/json',
      valueWo: options.value,
      valueWoVersion: options.valueVersion ?? 1,
      tags: { purpose: options.purpose.slice(0, 256) },
      // The deployer's data-plane role and the private endpoint must exist before Terraform writes the secret.
      dependsOn: vault.dataPlanePrerequisites,
    });
    PolicySuppressions.add(secret, [{
      id: 'CKV_AZURE_41',
      reason: 'Platform secrets do not rotate on their own (pods read them at start); Key Vault refuses to return an expired secret, ' +
        'so an expiry date would stop the External Secrets sync. Rotate by raising the value version.',
    }]);
    cloud.stack.addCostLine({
      component: secret.node.path, resource: `Key Vault secret (${options.purpose})`, region: cloud.primaryRegion, unit: CostUnit.MONTH,
      baselineQuantity: 1, fullScaleQuantity: 1, priceKey: 'keyvault:secret-operations-10k',
      assumption: 'about 10,000 secret operations a month (External Secrets refreshes hourly per synced secret); storing secrets is free',
    });
    return secret;
  }

  /** The identity the store's service account runs as. */
  public readonly identity: IWorkloadIdentity;
  /** The Helm release with the service account, the store and the ExternalSecrets. */
  public readonly chart: ManifestChart;
  /** The per-secret `Key Vault Secrets User` grants of the identity. */
  public readonly grants: RoleAssignment[];

  constructor(scope: Construct, id: string, props: KeyVaultSecretStoreProps) {
    super(scope, id);
    checkDnsLabel(this, 'name', props.name, 'secret store');
    if (props.name.length > 53) {
      throw new ValidationError(this, 'name', props.name, 'is longer than 53 characters', 'Helm release names are limited to 53 characters: shorten it.');
    }
    requireList(this, 'secrets', props.secrets, { required: true, minLength: 1, example: "[{ secretName: 'mlflow-db', secret, properties: ['password'] }]" });
    props.secrets.forEach((s, i) => {
      checkDnsLabel(this, `secrets[${i}].secretName`, s.secretName, 'Kubernetes secret');
      requireList(this, `secrets[${i}].properties`, s.properties, { required: true, minLength: 1, example: "['username', 'password']" });
    });
    const { cloud, cluster, namespace } = props;
    const serviceAccount = props.name;
    this.identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace, serviceAccountName: serviceAccount });
    const { RoleAssignment: Assignment } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/role-assignment')>('role-assignment');
    this.grants = props.secrets.map((s, i) => new Assignment(this, `Read${i + 1}`, {
      provider: cloud.provider,
      scope: s.secret.resourceVersionlessId,
      roleDefinitionName: 'Key Vault Secrets User',
      principalId: this.identity.principalId,
      principalType: 'ServicePrincipal',
    }));
    const vault = cloud.keyVault(AzureRegionRole.PRIMARY);
    const operator = ExternalSecretsOperator.of(cluster);
    this.chart = new ManifestChart(this, 'Chart', {
      cluster,
      releaseName: props.name,
      namespace,
      // The federated credential and the grants must exist before the controller first exchanges the token.
      dependsOn: [operator.release.resource, ...this.identity.prerequisites, ...this.grants, ...(props.dependsOn ?? [])],
      manifests: [
        {
          apiVersion: 'v1', kind: 'ServiceAccount',
          metadata: { name: serviceAccount, namespace, annotations: { ...this.identity.serviceAccountAnnotations } },
          automountServiceAccountToken: false,
        },
        {
          apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: props.name, namespace },
          spec: {
            provider: {
              azurekv: {
                vaultUrl: vault.vaultUri,
                tenantId: cloud.tenantId,
                authType: 'WorkloadIdentity',
                serviceAccountRef: { name: serviceAccount },
              },
            },
          },
        },
        ...props.secrets.map((secret) => namespacedExternalSecret(props.name, namespace, secret.secretName, secret.properties,
          (property) => ({ key: `secret/${secret.secret.name}`, property }), secret.refreshInterval)),
      ],
    });
  }
}
