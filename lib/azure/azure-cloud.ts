import type { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import type { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import type { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Annotations, TerraformResource } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import * as crypto from 'crypto';
import { ValidationError } from '../core/errors';
import {
  AlertDestinationOptions, BackupPlanOptions, ClusterBackupLocation, ContainerRepositoryOptions, CostBudgetOptions, IAlertDestination,
  IBackupPlan, ICloudServices, IContainerRepository, IObjectStore, IPostgresDatabase, ObjectStoreOptions, PostgresDatabaseOptions,
} from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { PlatformStack } from '../core/platform-stack';
import { checkCidr, isUnresolved } from '../core/validate';
import { AzureCostBudget } from './azure-cost-budget';
import { AzureKey } from './azure-key';
import { AzureKeyVault } from './azure-key-vault';
import { AzureNetwork, AzureNetworkOptions } from './azure-network';
import { AzurePriceCatalog } from './azure-price-catalog';
import { azurePairedRegion, azureRegionHasZones, checkAzureRegion } from './azure-regions';
import { AzureTagsAspect } from './azure-tags';
import { loadAzurerm } from './azurerm-bindings';
import { AzurePolicyRules } from './policy/azure-policy-rules';
import { BlobContainerStore } from './blob-storage';
import { AzureContainerRegistry } from './container-registry';
import { DataProtectionBackupPlan } from './data-protection-backup';
import { PostgresFlexibleServer } from './postgres-flexible-server';

/** The Velero plugin for Azure matching Velero 1.18 (chart velero 12.1.0). */
const VELERO_AZURE_PLUGIN_IMAGE = 'velero/velero-plugin-for-microsoft-azure:v1.14.0';

/** Which of the stack's two regions a resource lives in. */
export enum AzureRegionRole {
  /** The stack's primary region. */
  PRIMARY = 'PRIMARY',
  /** The recovery objective's DR region. */
  DR = 'DR',
}

/** Purposes of the customer-managed keys the Azure layer creates on demand (any lower-case word works too). */
export enum AzureKeyPurpose {
  /** Data at rest: Blob storage, PostgreSQL, ACR, node disks (disk encryption set). */
  DATA = 'data',
  /** AKS KMS etcd encryption. */
  ETCD = 'etcd',
  /** Backup vault (Data Protection) encryption. */
  BACKUP = 'backup',
}

/**
 * The azurerm major version the stack is written for. Some arguments exist in only one: azurerm 5.0 removed
 * `azurerm_federated_identity_credential.parent_id` (now `user_assigned_identity_id`) and its `resource_group_name`, the zone name and resource
 * group of `azurerm_private_dns_zone_virtual_network_link` (now `private_dns_zone_id`), and made
 * `azurerm_kubernetes_cluster.node_provisioning_profile` required, while 4.x rejects the new forms.
 */
export enum AzurermVersion {
  /** azurerm 4.x (`~> 4.55`), the version @cdktf/provider-azurerm 14.23 was generated from. */
  V4 = 'V4',
  /** azurerm 5.x (`~> 5.2`): the 5.x forms are written through overrides and the stack requires `~> 5.2`. */
  V5 = 'V5',
}

/** Properties of an {@link AzureCloud}. */
export interface AzureCloudProps {
  /** Subscription ID (a GUID) the stack deploys to. */
  readonly subscriptionId: string;
  /**
   * Entra tenant ID (a GUID) of Key Vaults.
   *
   * @default - the tenant of the identity running Terraform (`data.azurerm_client_config`)
   */
  readonly tenantId?: string;
  /**
   * Prefix of the resource group names: the groups are `<prefix>-primary` and `<prefix>-dr`.
   *
   * @default - `rg-<cost allocation resource prefix>`
   */
  readonly resourceGroupPrefix?: string;
  /**
   * Public CIDR blocks of the machines that run `cdktf deploy`. Key Vault, Blob and the AKS API server are private;
   * Terraform writes to their data planes (keys, secrets, containers, Helm releases), so it must either run inside
   * the platform's VNet (a self-hosted runner: leave this empty) or reach the public endpoints from these
   * addresses, which the firewalls and the AKS authorized IP ranges then admit (everything else stays denied).
   *
   * @default - none: deploy from inside the VNet
   */
  readonly deployerCidrs?: string[];
  /**
   * The platform network in the primary region.
   *
   * @default - AzureNetwork defaults
   */
  readonly network?: AzureNetworkOptions;
  /**
   * The azurerm major version the stack is written for.
   *
   * @default AzurermVersion.V4
   */
  readonly azurermVersion?: AzurermVersion;
}

/**
 * The Azure implementation of {@link ICloudServices}: the azurerm provider of a stack (`storage_use_azuread`,
 * Key Vault soft-delete recovery, no automatic resource provider registration: the providers the platform uses
 * are listed), one resource group per region, the platform network ({@link AzureNetwork}), one Key Vault per
 * region with a CMK per purpose, deletion locks, and the factory of every Azure data store the platform
 * constructs ask for. azurerm has no default tags: {@link AzureTagsAspect} tags every resource. Creating it
 * registers the Azure price catalog.
 *
 * The azurerm bindings are loaded when this is constructed (see `azurerm-bindings.ts`): AWS and GCP users of the
 * library never load them.
 *
 * Part B's stores (`BlobContainerStore`, `PostgresFlexibleServer`, `AzureContainerRegistry`,
 * `DataProtectionBackupPlan`, `AzureCostBudget`, `KeyVaultSecretStore`) take `{ cloud: AzureCloud, ...options }` and
 * use `provider`, `subscriptionId`, `tenantId`, `regionName(role)`, `resourceGroupName(role)`, `key(purpose,
 * role)` with `grantEncryptDecrypt`, `keyVault(role)`, `network` (`addPrivateEndpoint`, `postgresSubnetId`,
 * `privateDnsZoneId`), `lockAgainstDeletion`, `deployerCidrs`, `deployerObjectId`, `hasZones(role)`, `tags` and
 * `namePrefix`.
 *
 * @example
 * const cloud = new AzureCloud(stack, 'Azure', { subscriptionId: '00000000-0000-0000-0000-000000000000' });
 * const store = cloud.newObjectStore(stack, 'Datasets', { purpose: 'datasets' });
 */
export class AzureCloud extends Construct implements ICloudServices {
  /** Notifications an Azure consumption budget can have. */
  public static readonly MAX_BUDGET_NOTIFICATIONS = 5;
  /** Contact emails per consumption budget notification. */
  public static readonly MAX_BUDGET_EMAILS = 50;
  /** Resource providers the platform uses, registered by the provider (nothing else is). */
  public static readonly RESOURCE_PROVIDERS: string[] = [
    'Microsoft.AlertsManagement', 'Microsoft.Compute', 'Microsoft.ContainerRegistry', 'Microsoft.ContainerService',
    'Microsoft.Consumption', 'Microsoft.CostManagement', 'Microsoft.DataProtection', 'Microsoft.DBforPostgreSQL',
    'Microsoft.Insights', 'Microsoft.KeyVault', 'Microsoft.KubernetesConfiguration', 'Microsoft.ManagedIdentity',
    'Microsoft.Monitor', 'Microsoft.Network', 'Microsoft.OperationalInsights',
    // AKS add-ons: Azure Policy needs PolicyInsights, Container Insights (oms_agent) OperationsManagement.
    'Microsoft.OperationsManagement', 'Microsoft.PolicyInsights', 'Microsoft.Storage',
  ];

  /** Always `azure`. */
  public readonly cloudName = 'azure';
  /** Primary region, e.g. `eastus2`. */
  public readonly primaryRegion: string;
  /** DR region, e.g. `centralus`. */
  public readonly drRegion: string;
  /**
   * Whether the DR region is the primary region's Azure pair. Geo-redundant storage (GRS/GZRS) and PostgreSQL
   * geo-redundant backups copy only to the pair; for another DR region stores use object replication or
   * explicit copies.
   */
  public readonly drRegionIsPaired: boolean;
  /** Subscription ID. */
  public readonly subscriptionId: string;
  /** Tenant ID (a token from `data.azurerm_client_config` unless given). */
  public readonly tenantId: string;
  /** Object ID of the identity that runs Terraform (resolved at plan time): gets data-plane roles it needs. */
  public readonly deployerObjectId: string;
  /** The azurerm provider. */
  public readonly provider: AzurermProvider;
  /** Prefix for names that must be unique, e.g. `fraud-prod`. */
  public readonly namePrefix: string;
  /** The cost allocation as Azure tags, plus `managed-by`. */
  public readonly tags: { [key: string]: string };
  /** Public CIDRs of the deploying machines (empty: deploy from inside the VNet). */
  public readonly deployerCidrs: string[];
  /** The azurerm major version the stack is written for. */
  public readonly azurermVersion: AzurermVersion;
  /** The stack. */
  public readonly stack: PlatformStack;
  /** The platform network in the primary region. */
  public readonly network: AzureNetwork;
  private readonly resourceGroupPrefix: string;
  private readonly resourceGroups = new Map<AzureRegionRole, ResourceGroup>();
  private readonly vaults = new Map<AzureRegionRole, AzureKeyVault>();
  private readonly keys = new Map<string, AzureKey>();

  constructor(scope: Construct, id: string, props: AzureCloudProps) {
    super(scope, id);
    this.stack = PlatformStack.ofConstruct(this);
    checkGuid(this, 'subscriptionId', props?.subscriptionId, true);
    checkGuid(this, 'tenantId', props.tenantId, false);
    checkAzureRegion(this, 'primaryRegion', this.stack.primaryRegion);
    checkAzureRegion(this, 'recoveryObjective.drRegion', this.stack.recoveryObjective.drRegion);
    (props.deployerCidrs ?? []).forEach((cidr, i) => checkCidr(this, `deployerCidrs[${i}]`, cidr, 8, 32));
    if (props.resourceGroupPrefix !== undefined && !isUnresolved(props.resourceGroupPrefix)
      && !/^[A-Za-z0-9][A-Za-z0-9._()-]{0,80}$/.test(props.resourceGroupPrefix)) {
      throw new ValidationError(this, 'resourceGroupPrefix', props.resourceGroupPrefix,
        'must be 1-81 letters, digits, ".", "_", "-", "(" or ")", starting with a letter or digit',
        'Use a prefix such as "rg-fraud-prod" (the groups get "-primary" and "-dr").');
    }
    this.primaryRegion = this.stack.primaryRegion;
    this.drRegion = this.stack.recoveryObjective.drRegion;
    this.drRegionIsPaired = azurePairedRegion(this.primaryRegion) === this.drRegion;
    if (!this.drRegionIsPaired) {
      Annotations.of(this).addInfo(`The DR region ${this.drRegion} is not the Azure pair of ${this.primaryRegion} `
        + `(${azurePairedRegion(this.primaryRegion) ?? 'none'}): stores are copied there by object replication and backups, not GRS.`);
    }
    this.subscriptionId = props.subscriptionId;
    this.namePrefix = this.stack.costAllocation.resourcePrefix;
    this.resourceGroupPrefix = props.resourceGroupPrefix ?? `rg-${this.namePrefix}`;
    this.deployerCidrs = [...props.deployerCidrs ?? []];
    this.azurermVersion = props.azurermVersion ?? AzurermVersion.V4;
    this.tags = { ...this.stack.costAllocation.tags, 'managed-by': 'cdktf-mlops' };

    const { AzurermProvider: Provider } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/provider')>('provider');
    this.provider = new Provider(this, 'Primary', {
      subscriptionId: props.subscriptionId,
      // Blob containers and data-plane calls authenticate with Entra ID: storage accounts have shared keys off.
      storageUseAzuread: true,
      resourceProviderRegistrations: 'none',
      resourceProvidersToRegister: [...AzureCloud.RESOURCE_PROVIDERS],
      features: [{
        // Never purge on destroy: purge protection forbids it, and a soft-deleted vault or key is the last copy.
        keyVault: [{ purgeSoftDeleteOnDestroy: false, purgeSoftDeletedKeysOnDestroy: false, purgeSoftDeletedSecretsOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
        resourceGroup: [{ preventDeletionIfContainsResources: true }],
      }],
    });
    if (this.azurermVersion === AzurermVersion.V5) {
      this.stack.addOverride('terraform.required_providers.azurerm.version', '~> 5.2');
    }
    const { DataAzurermClientConfig: ClientConfig } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/data-azurerm-client-config')>('data-azurerm-client-config');
    const client: DataAzurermClientConfig = new ClientConfig(this, 'ClientConfig', { provider: this.provider });
    this.tenantId = props.tenantId ?? client.tenantId;
    this.deployerObjectId = client.objectId;
    AzureTagsAspect.applyTo(this.stack, this.tags);
    this.stack.policy.addRules(AzurePolicyRules.all());
    this.stack.usePriceCatalog(AzurePriceCatalog.load());
    this.network = new AzureNetwork(this, 'Network', { cloud: this, ...props.network });
    this.stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: 'Sign in to Azure with an identity that may assign roles',
      detail: 'The stack assigns Azure RBAC roles (Key Vault, AKS, storage) to the identities it creates and to the identity '
        + 'running Terraform, so that identity needs Owner, or Contributor plus Role Based Access Control Administrator, on '
        + 'the subscription. Resource providers are registered by the provider (the list in AzureCloud.RESOURCE_PROVIDERS).'
        + ' Azure RBAC takes minutes to apply and the azurerm provider does not wait for it: if the first apply stops with 403 '
        + '(ForbiddenByRbac) on a Key Vault key or secret, or a CMK consumer is denied its key, run the deploy again.'
        + (this.deployerCidrs.length > 0 ? ` Run the deploy from ${this.deployerCidrs.join(', ')}.`
          : ' Run the deploy from a machine inside the platform VNet (Key Vault, Blob and the AKS API are private).'),
      command: `az login && az account set --subscription ${props.subscriptionId}`,
    });
  }

  /** The region name of a region role. */
  public regionName(region: AzureRegionRole): string {
    return region === AzureRegionRole.DR ? this.drRegion : this.primaryRegion;
  }

  /** True when the region of the role has availability zones (zone-redundant pools, HA, ZRS). */
  public hasZones(region: AzureRegionRole): boolean {
    return azureRegionHasZones(this.regionName(region));
  }

  /**
   * The resource group of a region (`<prefix>-primary` or `<prefix>-dr`), created on first use. It has no lock
   * (a lock on the group would stop Terraform deleting anything in it); data resources carry their own
   * `CanNotDelete` locks ({@link lockAgainstDeletion}), and the provider refuses to delete a group that still
   * holds resources.
   */
  public resourceGroup(region: AzureRegionRole = AzureRegionRole.PRIMARY): ResourceGroup {
    let group = this.resourceGroups.get(region);
    if (!group) {
      const { ResourceGroup: Group } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/resource-group')>('resource-group');
      group = new Group(this, region === AzureRegionRole.DR ? 'DrResourceGroup' : 'PrimaryResourceGroup', {
        provider: this.provider,
        name: `${this.resourceGroupPrefix}-${region === AzureRegionRole.DR ? 'dr' : 'primary'}`,
        location: this.regionName(region),
      });
      this.resourceGroups.set(region, group);
    }
    return group;
  }

  /** Name of the resource group of a region (see {@link resourceGroup}). */
  public resourceGroupName(region: AzureRegionRole = AzureRegionRole.PRIMARY): string {
    return this.resourceGroup(region).name;
  }

  /**
   * A `CanNotDelete` management lock on a resource (Azure has no deletion-protection argument on storage accounts,
   * PostgreSQL servers, registries, vaults): Azure refuses to delete it, Terraform included, until the lock is
   * removed. To tear a stack down, remove the locks first (`terraform destroy -target` of the `DeleteLock`
   * resources). Created as `<scope>/<id>`.
   */
  public lockAgainstDeletion(scope: Construct, id: string, resourceId: string, notes: string): ManagementLock {
    const { ManagementLock: Lock } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/management-lock')>('management-lock');
    return new Lock(scope, id, {
      provider: this.provider,
      name: 'cdktf-mlops-do-not-delete',
      scope: resourceId,
      lockLevel: 'CanNotDelete',
      notes,
    });
  }

  /**
   * The platform's Key Vault in a region (keys and secrets), created on first use: see {@link AzureKeyVault}.
   * Its name is derived from the subscription, name prefix and region (`kv<prefix>-<p|d><hash>`, 24 characters at
   * most), so it is stable and globally unique; a destroyed vault keeps its name for 90 days (soft delete).
   */
  public keyVault(region: AzureRegionRole = AzureRegionRole.PRIMARY): AzureKeyVault {
    let vault = this.vaults.get(region);
    if (!vault) {
      const hash = crypto.createHash('sha256').update(`${this.subscriptionId}/${this.namePrefix}/${this.regionName(region)}`).digest('hex').slice(0, 6);
      const stem = this.namePrefix.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 13);
      vault = new AzureKeyVault(this, region === AzureRegionRole.DR ? 'DrKeyVault' : 'PrimaryKeyVault', {
        cloud: this,
        vaultName: `kv${stem}-${region === AzureRegionRole.DR ? 'd' : 'p'}${hash}`,
        region: this.regionName(region),
        resourceGroupName: this.resourceGroupName(region),
      });
      this.vaults.set(region, vault);
    }
    return vault;
  }

  /**
   * The CMK for a purpose in a region, created on first use in the region's Key Vault (`<prefix>-<purpose>`).
   * A CMK must be in the region of the resource it encrypts (PostgreSQL geo-backups: the DR region's key).
   *
   * @param purpose lower-case letters and digits, e.g. `data` (see {@link AzureKeyPurpose})
   * @param region which of the stack's regions
   */
  public key(purpose: string, region: AzureRegionRole = AzureRegionRole.PRIMARY): AzureKey {
    if (typeof purpose !== 'string' || !/^[a-z][a-z0-9]{0,30}$/.test(purpose)) {
      throw new ValidationError(this, 'purpose', purpose, 'must be lower-case letters and digits, starting with a letter, at most 31',
        "Pass an AzureKeyPurpose value, e.g. 'data'.");
    }
    const name = `${region === AzureRegionRole.DR ? 'Dr' : 'Primary'}${purpose[0].toUpperCase()}${purpose.slice(1)}Key`;
    let key = this.keys.get(name);
    if (!key) {
      key = new AzureKey(this, name, {
        vault: this.keyVault(region),
        keyName: `${this.namePrefix}-${purpose}`,
        purpose: `${purpose} (${this.namePrefix})`,
      });
      this.keys.set(name, key);
    }
    return key;
  }

  public newObjectStore(scope: IConstruct, id: string, options: ObjectStoreOptions): IObjectStore {
    return new BlobContainerStore(scope as Construct, id, { cloud: this, ...options });
  }

  public newPostgresDatabase(scope: IConstruct, id: string, options: PostgresDatabaseOptions): IPostgresDatabase {
    return new PostgresFlexibleServer(scope as Construct, id, { cloud: this, ...options });
  }

  public newContainerRepository(scope: IConstruct, id: string, options: ContainerRepositoryOptions): IContainerRepository {
    return new AzureContainerRegistry(scope as Construct, id, { cloud: this, ...options });
  }

  public newBackupPlan(scope: IConstruct, id: string, options: BackupPlanOptions): IBackupPlan {
    return new DataProtectionBackupPlan(scope as Construct, id, { cloud: this, ...options });
  }

  public newCostBudget(scope: IConstruct, id: string, options: CostBudgetOptions): void {
    new AzureCostBudget(scope as Construct, id, { cloud: this, ...options });
  }

  /**
   * A Blob container in the DR region for Velero (plugin for Microsoft Azure, Entra workload identity, no storage
   * keys): AKS Backup's Terraform policy supports only the operational (in-cluster snapshot) tier, so the
   * cluster-state copy in the DR region is Velero's.
   */
  public newClusterBackupLocation(scope: IConstruct, id: string): ClusterBackupLocation {
    const bucket = new BlobContainerStore(scope as Construct, id, { cloud: this, purpose: 'cluster-state-backups', inDrRegion: true });
    return {
      provider: 'velero.io/azure',
      pluginImage: VELERO_AZURE_PLUGIN_IMAGE,
      bucket,
      config: {
        resourceGroup: bucket.resourceGroupName,
        storageAccount: bucket.storageAccountName,
        subscriptionId: this.subscriptionId,
        useAAD: 'true',
      },
      grantee: bucket,
    };
  }

  /**
   * PostgreSQL flexible server SKUs with zone-redundant HA: General Purpose (`GP_Standard_D4ds_v5`) or Memory
   * Optimized (`MO_Standard_E4ds_v5`). Burstable (`B_Standard_*`) has no high availability.
   */
  public checkDatabaseInstanceClass(scope: IConstruct, prop: string, instanceClass?: string): void {
    if (instanceClass === undefined || isUnresolved(instanceClass)) {
      return;
    }
    if (typeof instanceClass !== 'string' || !/^(GP_Standard_D\d{1,2}(a?d)?s_v[345]|MO_Standard_E\d{1,3}(a?d)?s_v[345])$/.test(instanceClass)) {
      const burstable = typeof instanceClass === 'string' && instanceClass.startsWith('B_');
      throw new ValidationError(scope, prop, instanceClass,
        burstable ? 'is a Burstable SKU, which has no zone-redundant high availability' : 'is not a PostgreSQL flexible server SKU with high availability',
        'Use a General Purpose or Memory Optimized SKU such as "GP_Standard_D4ds_v5" (4 vCores, 16 GiB).');
    }
  }

  /** A consumption budget has at most 5 notifications, each with at most 50 contact emails. */
  public checkBudgetNotifications(scope: IConstruct, emailsProp: string, emails: string[], thresholdsProp: string, notificationCount: number): void {
    if (Array.isArray(emails) && emails.length > AzureCloud.MAX_BUDGET_EMAILS) {
      throw new ValidationError(scope, emailsProp, `${emails.length} addresses`,
        `lists more than the ${AzureCloud.MAX_BUDGET_EMAILS} contact emails an Azure budget notification can have`,
        'Send to a group address instead of individual people.');
    }
    if (notificationCount > AzureCloud.MAX_BUDGET_NOTIFICATIONS) {
      throw new ValidationError(scope, thresholdsProp, `${notificationCount} notifications`,
        `needs more than the ${AzureCloud.MAX_BUDGET_NOTIFICATIONS} notifications an Azure consumption budget can have`,
        'Use at most 5 thresholds in total (actual and forecasted together).');
    }
  }

  /**
   * Not available on Azure yet: Alertmanager has no Azure Monitor action group receiver. Throws an error saying so.
   */
  public newAlertDestination(_scope: IConstruct, _id: string, _options: AlertDestinationOptions): IAlertDestination {
    throw new Error(`${this.node.path}: alert destinations are not implemented on Azure yet `
      + '(Alertmanager has no Azure Monitor action group receiver); route alerts through Azure Monitor action groups instead.');
  }

  /**
   * Writes an argument in the form of azurerm 5.x when the stack targets it ({@link AzurermVersion.V5}), through
   * an override (the bindings know 4.x): sets `set` and removes `remove`.
   * @internal
   */
  public _v5Override(resource: TerraformResource, set: { [path: string]: any }, remove: string[]): void {
    if (this.azurermVersion !== AzurermVersion.V5) {
      return;
    }
    for (const [path, value] of Object.entries(set)) {
      resource.addOverride(path, value);
    }
    for (const path of remove) {
      resource.addOverride(path, undefined);
    }
  }
}

function checkGuid(scope: IConstruct, prop: string, value: unknown, required: boolean): void {
  if ((value === undefined && !required) || isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new ValidationError(scope, prop, value, 'must be a GUID such as "00000000-0000-0000-0000-000000000000"',
      prop === 'subscriptionId' ? 'Pass the subscription ID (`az account show --query id -o tsv`), not its name.'
        : 'Pass the Entra tenant ID (`az account show --query tenantId -o tsv`), or leave it unset to use the signed-in tenant.');
  }
}
