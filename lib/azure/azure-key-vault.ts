import type { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import type { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { loadAzurerm } from './azurerm-bindings';
import type { AzureCloud } from './azure-cloud';
import { AzurePrivateLinkService } from './azure-private-link';

/** Properties of an {@link AzureKeyVault}. */
export interface AzureKeyVaultProps {
  /** The cloud (provider, tenant, deployer, network, locks). */
  readonly cloud: AzureCloud;
  /** Vault name: 3-24 letters, digits and `-`, globally unique (soft-deleted names stay taken for 90 days). */
  readonly vaultName: string;
  /** Region of the vault. */
  readonly region: string;
  /** Resource group name of the vault. */
  readonly resourceGroupName: string;
}

/**
 * An Azure Key Vault for the platform's keys and secrets in one region: premium SKU (HSM-protected keys), RBAC
 * authorization (no access policies), purge protection and 90-day soft delete, public network access off (or,
 * when the cloud has `deployerCidrs`, on with a default-deny firewall that admits only those addresses and
 * trusted Azure services), a private endpoint in the platform network's private-endpoint subnet and a `CanNotDelete` management lock. The identity running Terraform gets
 * `Key Vault Administrator` on the vault so it can write keys and secrets; {@link dataPlanePrerequisites} orders
 * those writes after the role and the private endpoint.
 *
 * Normally obtained from {@link AzureCloud.keyVault}.
 *
 * @example
 * const vault = cloud.keyVault(AzureRegionRole.PRIMARY);
 * // new KeyVaultSecret(..., { keyVaultId: vault.vaultId, dependsOn: vault.dataPlanePrerequisites })
 */
export class AzureKeyVault extends Construct {
  /** The vault resource. */
  public readonly resource: KeyVault;
  /** ARM ID of the vault. */
  public readonly vaultId: string;
  /** Data-plane URI, `https://<name>.vault.azure.net/`. */
  public readonly vaultUri: string;
  /** Name of the vault. */
  public readonly vaultName: string;
  /** Region of the vault. */
  public readonly region: string;
  /** Provider the vault was created with. */
  public readonly provider: AzurermProvider;
  /**
   * What writes to the vault's data plane (keys, secrets) must depend on: the deployer's `Key Vault
   * Administrator` role assignment and the private endpoint.
   */
  public readonly dataPlanePrerequisites: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: AzureKeyVaultProps) {
    super(scope, id);
    const cloud = props.cloud;
    this.region = props.region;
    this.vaultName = props.vaultName;
    this.provider = cloud.provider;
    const { KeyVault: Vault } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/key-vault')>('key-vault');
    const open = cloud.deployerCidrs.length > 0;
    this.resource = new Vault(this, 'Resource', {
      provider: cloud.provider,
      name: props.vaultName,
      location: props.region,
      resourceGroupName: props.resourceGroupName,
      tenantId: cloud.tenantId,
      skuName: 'premium',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      enabledForDiskEncryption: true,
      publicNetworkAccessEnabled: open,
      networkAcls: {
        defaultAction: 'Deny',
        bypass: 'AzureServices',
        ipRules: open ? cloud.deployerCidrs : undefined,
      },
    });
    this.vaultId = this.resource.id;
    this.vaultUri = this.resource.vaultUri;
    const { RoleAssignment } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/role-assignment')>('role-assignment');
    const deployer = new RoleAssignment(this, 'DeployerAdministrator', {
      provider: cloud.provider,
      scope: this.vaultId,
      roleDefinitionName: 'Key Vault Administrator',
      principalId: cloud.deployerObjectId,
      description: 'Lets the identity that runs Terraform write the keys and secrets of the platform (RBAC-mode vault).',
    });
    this.dataPlanePrerequisites.push(deployer);
    cloud.lockAgainstDeletion(this, 'DeleteLock', this.vaultId, 'Holds the customer-managed keys of the platform\'s data and backups.');
    this.dataPlanePrerequisites.push(cloud.network.addPrivateEndpoint(this, 'PrivateEndpoint', {
      resourceId: this.vaultId,
      service: AzurePrivateLinkService.KEY_VAULT,
      endpointName: `pe-${props.vaultName}`,
    }));
  }
}
