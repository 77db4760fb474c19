import type { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { PlatformStack } from '../core/platform-stack';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { loadAzurerm } from './azurerm-bindings';
import type { AzureKeyVault } from './azure-key-vault';

/** Properties of an {@link AzureKey}. */
export interface AzureKeyProps {
  /** Key Vault the key lives in (a premium vault in RBAC mode: see {@link AzureKeyVault}). */
  readonly vault: AzureKeyVault;
  /** Key name, unique in the vault: letters, digits and `-`, at most 127. */
  readonly keyName: string;
  /** What the key encrypts, for the report and cost lines. */
  readonly purpose: string;
  /**
   * RSA key size in bits. 2048 is what every consumer accepts (AKS KMS, Blob, PostgreSQL flexible server, ACR,
   * disk encryption sets).
   *
   * @default 2048
   */
  readonly keySize?: number;
}

/**
 * A customer-managed key (CMK) in Azure Key Vault: an HSM-protected RSA key (`RSA-HSM`, premium vault) for
 * wrap/unwrap, rotated automatically every 90 days (each version expires after two years; services that use a
 * versionless key ID pick the new version up), with `lifecycle.prevent_destroy`: deleting the key would make the
 * stores, backups and DR copies it encrypts unreadable. The vault has purge protection and 90-day soft delete, so
 * even a forced delete is recoverable for 90 days.
 *
 * Normally obtained from {@link AzureCloud.key}: one vault per region, one key per purpose and region.
 *
 * Consumers use `versionlessId` (automatic rotation) and grant their identity with
 * {@link AzureKey.grantEncryptDecrypt} (role `Key Vault Crypto Service Encryption User` on the key), then depend
 * on the returned grant, since Azure checks the key when the resource is created.
 *
 * @example
 * const key = cloud.key(AzureKeyPurpose.DATA, AzureRegionRole.PRIMARY);
 * const grant = key.grantEncryptDecrypt(identity.principalId, 'StorageIdentity');
 * // new StorageAccount(..., { customerManagedKey: { keyVaultKeyId: key.versionlessId, ... }, dependsOn: [grant] })
 */
export class AzureKey extends Construct {
  /** The key resource. */
  public readonly resource: KeyVaultKey;
  /** Key ID with its version (`https://<vault>.vault.azure.net/keys/<name>/<version>`). */
  public readonly keyId: string;
  /** Key ID without the version: what CMK fields take so rotation is picked up. */
  public readonly versionlessId: string;
  /** ARM resource ID of the key without version: the scope of role assignments on the key. */
  public readonly resourceId: string;
  /** Name of the key. */
  public readonly keyName: string;
  /** The vault the key lives in. */
  public readonly vault: AzureKeyVault;
  /** Region of the key (its vault's). */
  public readonly region: string;
  private readonly grants = new Map<string, RoleAssignment>();

  constructor(scope: Construct, id: string, props: AzureKeyProps) {
    super(scope, id);
    this.vault = props.vault;
    this.region = props.vault.region;
    this.keyName = props.keyName;
    const { KeyVaultKey: Key } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/key-vault-key')>('key-vault-key');
    this.resource = new Key(this, 'Resource', {
      provider: props.vault.provider,
      name: props.keyName,
      keyVaultId: props.vault.vaultId,
      keyType: 'RSA-HSM',
      keySize: props.keySize ?? 2048,
      keyOpts: ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt'],
      rotationPolicy: {
        automatic: { timeAfterCreation: 'P90D' },
        expireAfter: 'P2Y',
        notifyBeforeExpiry: 'P30D',
      },
      // The deployer's data-plane role and the network rules must exist before Terraform can write the key.
      dependsOn: props.vault.dataPlanePrerequisites,
      // Deleting a key makes every store, backup and replica it encrypts unreadable: Terraform refuses to.
      lifecycle: { preventDestroy: true },
    });
    PolicySuppressions.add(this.resource, [{
      id: 'CKV_AZURE_40',
      reason: 'The rotation policy expires every key version two years after it is created and rotates every 90 days; a fixed '
        + 'expiration_date on the resource would expire the key the stores and backups are encrypted with at a date written in code.',
    }]);
    this.keyId = this.resource.id;
    this.versionlessId = this.resource.versionlessId;
    this.resourceId = this.resource.resourceVersionlessId;
    const stack = PlatformStack.ofConstruct(this);
    stack.addCostLine({
      component: this.node.path, resource: `Key Vault HSM key (${props.purpose})`,
      region: Token.isUnresolved(this.region) ? stack.primaryRegion : this.region,
      unit: CostUnit.MONTH, baselineQuantity: 1, fullScaleQuantity: 4, priceKey: 'keyvault:hsm-key',
      assumption: 'one HSM-protected key, rotated every 90 days: each version is billed while it is enabled (about 4 a year '
        + 'at full scale); cryptographic operations are priced separately (keyvault:operations)',
    });
  }

  /**
   * Lets a principal (a managed identity's principal ID, a token is fine) wrap and unwrap with the key: role
   * `Key Vault Crypto Service Encryption User` on this key only. Returns the role assignment: resources that
   * use the key must depend on it. The same grant id twice returns the first grant.
   *
   * @param principalId object (principal) ID of the identity
   * @param grantId construct id of the grant, e.g. `StorageIdentity`
   */
  public grantEncryptDecrypt(principalId: string, grantId: string): ITerraformDependable {
    return this.grant(principalId, grantId, 'Key Vault Crypto Service Encryption User');
  }

  /**
   * Lets a principal use the key for cryptographic operations (role `Key Vault Crypto User` on this key): what
   * AKS KMS etcd encryption asks of the cluster identity. Returns the role assignment to depend on.
   */
  public grantCryptoUser(principalId: string, grantId: string): ITerraformDependable {
    return this.grant(principalId, grantId, 'Key Vault Crypto User');
  }

  private grant(principalId: string, grantId: string, role: string): ITerraformDependable {
    let grant = this.grants.get(grantId);
    if (!grant) {
      const { RoleAssignment: Assignment } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/role-assignment')>('role-assignment');
      grant = new Assignment(this, grantId, {
        provider: this.vault.provider,
        scope: this.resourceId,
        roleDefinitionName: role,
        principalId,
        principalType: 'ServicePrincipal',
      });
      this.grants.set(grantId, grant);
    }
    return grant;
  }
}
