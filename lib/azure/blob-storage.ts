import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import type { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import type { StorageObjectReplication } from '@cdktf/provider-azurerm/lib/storage-object-replication';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { ITerraformDependable, Token } from 'cdktf';
import * as crypto from 'crypto';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { DataStoreKind } from '../core/data-store-registry';
import { Duration } from '../core/duration';
import { ValidationError } from '../core/errors';
import { IObjectStore, IWorkloadIdentity, ObjectStoreOptions } from '../core/interfaces';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { RestoreKind, RestoreProcedure } from '../core/restore';
import { checkInteger, checkPattern, claimUnique, slugify } from '../core/validate';
import type { AzureCloud } from './azure-cloud';
import { AzureKeyPurpose, AzureRegionRole } from './azure-cloud';
import { AzurePrivateLinkService } from './azure-private-link';
import { loadAzurerm } from './azurerm-bindings';
import { DataProtectionBackupPlan } from './data-protection-backup';

/**
 * Minutes this library budgets for object replication to copy a blob to the DR account. Azure states no bound for
 * object replication (most blobs replicate within minutes; large blobs and bursts take longer): check the
 * replication status of recent blobs (`az storage blob show --query objectReplicationSourceProperties`) and raise
 * the stack's RPO if it does not hold.
 */
const REPLICATION_BUDGET_MINUTES = 60;

/** Days deleted blobs and containers stay restorable (soft delete). */
const SOFT_DELETE_DAYS = 30;

/** Days the change feed (which object replication and point-in-time restore read) is kept. */
const CHANGE_FEED_DAYS = 35;

/** Properties of a {@link BlobContainerStore}. */
export interface BlobContainerStoreProps extends ObjectStoreOptions {
  /** The cloud (provider, resource groups, keys, network, locks). */
  readonly cloud: AzureCloud;
  /**
   * Record the store in the stack's data-store registry so the DR proof must cover it.
   *
   * @default - true, except for stores in the DR region
   */
  readonly register?: boolean;
  /**
   * Name of the storage account: 3-24 lower-case letters and digits, globally unique.
   *
   * @default - derived from the name prefix, the purpose and a hash of the construct path
   */
  readonly storageAccountName?: string;
}

/**
 * An object store on Azure Blob Storage: one StorageV2 account per store (so immutability, replication, the
 * CMK identity and the deletion lock are per store, and grants are scoped to it), with one private container.
 *
 * The account is zone-redundant (ZRS) where the region has zones, encrypted with the platform's regional CMK
 * through a user-assigned identity that holds `Key Vault Crypto Service Encryption User` on the key before the
 * account is created, with infrastructure (double) encryption; shared keys and local users are off (the
 * provider uses Entra ID: `storage_use_azuread`), TLS 1.2, no public blobs, public network access off (the
 * deployer's addresses only when the cloud has `deployerCidrs`) and a private endpoint in the platform network.
 * Blob versioning, the change feed, and blob and container soft delete (30 days) are on; noncurrent versions
 * expire by a management policy; `objectLockDays` sets an account-level, version-level immutability policy
 * (WORM), which Azure allows only when the account is created. A `CanNotDelete` management lock protects the
 * account (azurerm has no deletion-protection argument).
 *
 * The DR copy is object replication into an account of the same shape in the stack's DR region, rather than
 * geo-redundant storage: GRS/GZRS copy only to the primary region's Azure pair, which need not be the DR region
 * the recovery objective names, and a GRS secondary is read-only until Microsoft or the owner fails the whole
 * account over. Object replication works for any pair of regions, keeps the copy under the DR region's own key, and
 * leaves an independent account that a mistake on the primary does not reach (deletions are not replicated).
 *
 * @example
 * const store = new BlobContainerStore(this, 'Datasets', { cloud, purpose: 'datasets' });
 * store.grantRead(identity);
 */
export class BlobContainerStore extends Construct implements IObjectStore {
  /** Minutes budgeted for a replicated blob to reach the DR region (the copy RPO the registry records); Azure states no bound. */
  public static readonly REPLICATION_BUDGET_MINUTES = REPLICATION_BUDGET_MINUTES;

  /** The storage account. */
  public readonly resource: StorageAccount;
  /** The blob container. */
  public readonly container: StorageContainer;
  /** The user-assigned identity the account unwraps its CMK with. */
  public readonly encryptionIdentity: UserAssignedIdentity;
  /** Name of the container (what Velero and IObjectStore call the bucket). */
  public readonly bucketName: string;
  /** Name of the storage account. */
  public readonly storageAccountName: string;
  /** The storage account (IObjectStore's account level). */
  public readonly accountName?: string;
  /** ARM ID of the storage account. */
  public readonly storageAccountId: string;
  /** Resource group of the storage account. */
  public readonly resourceGroupName: string;
  /** Region of the account. */
  public readonly region: string;
  /** `https://<account>.blob.core.windows.net/<container>`. */
  public readonly url: string;
  /** Key Vault key ID (versionless) of the account's CMK. */
  public readonly encryptionKeyId: string;
  /** Days of the version-level immutability policy, when set. */
  public readonly objectLockDays?: number;
  /** The replica in the DR region, when replication is on. */
  public readonly replica?: BlobContainerStore;
  /** The object replication policy, when replication is on. */
  public readonly replication?: StorageObjectReplication;
  /** What grants and readers of the store must wait for: the private endpoint. */
  public readonly prerequisites: ITerraformDependable[] = [];
  private readonly cloud: AzureCloud;
  private readonly grants = new Map<string, RoleAssignment>();

  constructor(scope: Construct, id: string, props: BlobContainerStoreProps) {
    super(scope, id);
    const cloud = this.cloud = props.cloud;
    const role = props.inDrRegion ? AzureRegionRole.DR : AzureRegionRole.PRIMARY;
    this.region = cloud.regionName(role);
    checkPattern(this, 'bucketName', props.bucketName, /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/,
      '3-63 lower-case letters, digits and single "-" between them (an Azure blob container name)');
    checkPattern(this, 'storageAccountName', props.storageAccountName, /^[a-z0-9]{3,24}$/, '3-24 lower-case letters and digits');
    checkInteger(this, 'objectLockDays', props.objectLockDays, 1, 146000);
    checkInteger(this, 'noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays, 1, 36500);
    if (props.objectLockDays !== undefined && props.noncurrentVersionExpirationDays !== undefined
      && props.noncurrentVersionExpirationDays < props.objectLockDays) {
      throw new ValidationError(this, 'noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays,
        `is shorter than objectLockDays (${props.objectLockDays}): immutable versions cannot be deleted before their retention ends`,
        `Set noncurrentVersionExpirationDays to at least ${props.objectLockDays}, or leave it unset.`);
    }
    this.objectLockDays = props.objectLockDays;
    const accountName = props.storageAccountName ?? generatedAccountName(cloud, props.purpose, role, this.node.path);
    claimUnique(this, 'storageAccountName', accountName, 'storage account', accountName,
      'Give each store its own storageAccountName, or leave it unset to let the library derive one.');
    const containerName = props.bucketName ?? containerNameFor(props.purpose);

    const provider = cloud.provider;
    const resourceGroupName = this.resourceGroupName = cloud.resourceGroupName(role);
    const { UserAssignedIdentity: Identity } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/user-assigned-identity')>('user-assigned-identity');
    this.encryptionIdentity = new Identity(this, 'EncryptionIdentity', {
      provider, name: `id-${accountName}-cmk`, location: this.region, resourceGroupName,
    });
    const key = cloud.key(AzureKeyPurpose.DATA, role);
    this.encryptionKeyId = key.versionlessId;
    // Azure checks the key when the account is created: the identity must hold its role first.
    const keyGrant = key.grantEncryptDecrypt(this.encryptionIdentity.principalId, `Blob${this.node.addr.slice(0, 10)}`);
    const open = cloud.deployerCidrs.length > 0;
    const days = props.noncurrentVersionExpirationDays ?? Math.max(90, props.objectLockDays ?? 0);

    const { StorageAccount: Account } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/storage-account')>('storage-account');
    this.resource = new Account(this, 'Resource', {
      provider,
      name: accountName,
      location: this.region,
      resourceGroupName,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: cloud.hasZones(role) ? 'ZRS' : 'LRS',
      accessTier: 'Hot',
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      localUserEnabled: false,
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      infrastructureEncryptionEnabled: true,
      publicNetworkAccessEnabled: open,
      networkRules: {
        defaultAction: 'Deny',
        bypass: ['AzureServices'],
        // Storage firewalls take single addresses without "/32".
        ipRules: open ? cloud.deployerCidrs.map((c) => c.replace(/\/32$/, '')) : undefined,
      },
      identity: { type: 'UserAssigned', identityIds: [this.encryptionIdentity.id] },
      customerManagedKey: { keyVaultKeyId: key.versionlessId, userAssignedIdentityId: this.encryptionIdentity.id },
      blobProperties: {
        versioningEnabled: true,
        changeFeedEnabled: true,
        changeFeedRetentionInDays: CHANGE_FEED_DAYS,
        deleteRetentionPolicy: { days: SOFT_DELETE_DAYS },
        containerDeleteRetentionPolicy: { days: SOFT_DELETE_DAYS },
      },
      // Version-level WORM for the whole account; Azure accepts it only at creation. Unlocked, so the period can
      // still be extended or the policy tested; lock it (state "Locked") by hand once it is right: that is final.
      immutabilityPolicy: props.objectLockDays !== undefined ? {
        allowProtectedAppendWrites: false, state: 'Unlocked', periodSinceCreationInDays: props.objectLockDays,
      } : undefined,
      dependsOn: [keyGrant],
    });
    this.storageAccountName = this.resource.name;
    this.accountName = this.storageAccountName;
    this.storageAccountId = this.resource.id;
    const { StorageContainer: Container } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/storage-container')>('storage-container');
    this.container = new Container(this, 'Container', {
      provider, name: containerName, storageAccountId: this.resource.id, containerAccessType: 'private',
    });
    this.bucketName = this.container.name;
    this.url = `https://${this.storageAccountName}.blob.core.windows.net/${this.bucketName}`;
    const { StorageManagementPolicy: Policy } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/storage-management-policy')>('storage-management-policy');
    new Policy(this, 'Lifecycle', {
      provider,
      storageAccountId: this.resource.id,
      rule: [{
        name: 'expire-noncurrent-versions',
        enabled: true,
        filters: { blobTypes: ['blockBlob'] },
        actions: { version: { deleteAfterDaysSinceCreation: days } },
      }],
    });
    this.prerequisites.push(cloud.network.addPrivateEndpoint(this, 'PrivateEndpoint', {
      resourceId: this.resource.id, service: AzurePrivateLinkService.BLOB, endpointName: `pe-${accountName}-blob`,
    }));
    cloud.lockAgainstDeletion(this, 'DeleteLock', this.resource.id,
      `Holds the ${props.purpose} blobs${role === AzureRegionRole.DR ? ' (DR copy)' : ''} of the platform.`);
    const replicationType = cloud.hasZones(role) ? 'ZRS' : 'LRS';
    PolicySuppressions.add(this.resource, [
      {
        id: 'CKV_AZURE_206',
        reason: `The account is ${replicationType}; the copy outside the region is object replication into an account in the stack's DR region ` +
          `(${cloud.drRegion}), which GRS/GZRS cannot target (they copy only to the Azure pair of the primary region).`,
      },
      {
        id: 'CKV_AZURE_33',
        reason: 'The platform uses no queues in this account, and queue logging (queue_properties) needs Shared Key access, which is off.',
      },
    ]);
    if (open) {
      PolicySuppressions.add(this.resource, [{
        id: 'CKV_AZURE_59',
        reason: `The cloud lists deployerCidrs: the public endpoint is on only behind a default-deny firewall that admits ${cloud.deployerCidrs.join(', ')} ` +
          '(the machines that run the deploy) and trusted Azure services; everything else reaches the account through its private endpoint.',
      }]);
    }
    PolicySuppressions.add(this.container, [{
      id: 'CKV2_AZURE_21',
      reason: 'Log Analytics storage insights reads the account with a storage key, and Shared Key access is off; the container is private ' +
        'behind a private endpoint and reachable only by Entra identities with RBAC roles.',
    }]);

    const stack = cloud.stack;
    const storedGiB = stack.usage.objectStorageGiBPerBucket;
    stack.addCostLine({
      component: this.node.path, resource: `Blob Storage Hot ${replicationType} (${props.purpose})`, region: this.region, unit: CostUnit.GB_MONTH,
      baselineQuantity: storedGiB, fullScaleQuantity: storedGiB, priceKey: `blob:hot:${replicationType.toLowerCase()}`,
      assumption: `usageAssumptions.objectStorageGiBPerBucket = ${storedGiB} GiB (noncurrent versions and ${SOFT_DELETE_DAYS} days of soft-deleted ` +
        'blobs included); operations and change feed not counted',
    });
    const registered = props.register ?? !props.inDrRegion;
    if (registered) {
      stack.dataStores.register({
        path: this.node.path, kind: DataStoreKind.OBJECT_STORE, purpose: props.purpose, resourceId: this.resource.id,
        // BackupPolicy's copies are in the DR region only when the vault's geo-redundant pair is the DR region.
        region: this.region, backupServiceEligible: cloud.drRegionIsPaired,
      });
      DataProtectionBackupPlan.protect(this, {
        path: this.node.path, kind: DataStoreKind.OBJECT_STORE, resourceId: this.resource.id, containerNames: [this.container.name], purpose: props.purpose,
      });
    }
    const replicate = props.replicateToDrRegion ?? (registered && role === AzureRegionRole.PRIMARY);
    if (replicate) {
      if (role === AzureRegionRole.DR) {
        throw new ValidationError(this, 'replicateToDrRegion', true, 'cannot be set on a store that is already in the DR region',
          'Replicate a primary-region store instead.');
      }
      const replica = this.replica = new BlobContainerStore(this, 'Replica', {
        cloud, purpose: `${props.purpose}-replica`, inDrRegion: true, register: false, bucketName: containerName,
        noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays, objectLockDays: props.objectLockDays,
      });
      const { StorageObjectReplication: Replication } =
        loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/storage-object-replication')>('storage-object-replication');
      this.replication = new Replication(this, 'Replication', {
        provider,
        sourceStorageAccountId: this.resource.id,
        destinationStorageAccountId: replica.resource.id,
        // Blobs written before the policy existed are copied too.
        rules: [{ sourceContainerName: this.container.name, destinationContainerName: replica.container.name, copyBlobsCreatedAfter: 'Everything' }],
        dependsOn: [this.container, replica.container],
      });
      const replicatedGiB = stack.usage.replicatedGiBPerBucketPerMonth;
      stack.addCostLine({
        component: this.node.path, resource: `object replication transfer to ${cloud.drRegion} (${props.purpose})`, region: this.region, unit: CostUnit.GB,
        baselineQuantity: replicatedGiB, fullScaleQuantity: replicatedGiB, priceKey: 'bandwidth:inter-region',
        assumption: `usageAssumptions.replicatedGiBPerBucketPerMonth = ${replicatedGiB} GiB written a month; object replication itself is free, ` +
          'the inter-region data transfer and the destination\'s write operations are billed',
      });
      if (registered) {
        const budget = Duration.minutes(REPLICATION_BUDGET_MINUTES);
        stack.dataStores.protect(this.node.path, {
          mechanism: 'Blob object replication', rpo: budget, copyRegion: cloud.drRegion, copyRpo: budget,
          retention: stack.recoveryObjective.retention, restore: replicaRestore(cloud, props.purpose, this, replica),
        });
      }
    }
  }

  /** Lets the identity list and read blobs: `Storage Blob Data Reader` on the account. */
  public grantRead(identity: IWorkloadIdentity): void {
    this.grant(identity, 'Storage Blob Data Reader', 'Read');
  }

  /** Lets the identity list, read, write and delete blobs: `Storage Blob Data Contributor` on the account. */
  public grantReadWrite(identity: IWorkloadIdentity): void {
    this.grant(identity, 'Storage Blob Data Contributor', 'ReadWrite');
  }

  private grant(identity: IWorkloadIdentity, role: string, what: string): void {
    const principal = identity?.principalId;
    if (typeof principal !== 'string' || principal === '') {
      throw new ValidationError(this, 'identity', identity?.node?.path ?? identity, 'has no Entra principal (principalId)',
        'Pass a workload identity of an AKS cluster (AksCluster.newWorkloadIdentity), whose principalId is its managed identity\'s principal ID.');
    }
    const id = `${what}-${identity.node.addr.slice(0, 12)}`;
    if (this.grants.has(id)) {
      return;
    }
    const { RoleAssignment: Assignment } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/role-assignment')>('role-assignment');
    const assignment = new Assignment(this, id, {
      provider: this.cloud.provider, scope: this.resource.id, roleDefinitionName: role, principalId: principal,
      // Managed identities: skips the Entra lookup that fails while a new identity is still replicating.
      principalType: 'ServicePrincipal',
    });
    this.grants.set(id, assignment);
    addPrerequisite(identity, assignment);
    this.prerequisites.forEach((p) => addPrerequisite(identity, p));
  }
}

/** Makes pods running as the identity wait for a grant, when the identity lets them. */
export function addPrerequisite(identity: IWorkloadIdentity, dependable: ITerraformDependable): void {
  const candidate = identity as any;
  if (typeof candidate.addPrerequisite === 'function') {
    candidate.addPrerequisite(dependable);
  } else if (Array.isArray(candidate.prerequisites) && !Object.isFrozen(candidate.prerequisites) && !candidate.prerequisites.includes(dependable)) {
    candidate.prerequisites.push(dependable);
  }
}

/** How a replicated store comes back: the DR account holds the blobs; clients move to it after the policy is removed. */
function replicaRestore(cloud: AzureCloud, purpose: string, source: BlobContainerStore, replica: BlobContainerStore): RestoreProcedure {
  const dr = cloud.drRegion;
  return {
    kind: RestoreKind.REPLICA,
    summary: `re-point clients to the replica container in ${dr} (object replication)`,
    prerequisites: [
      `The replica account of the \`${purpose}\` store in \`${dr}\` (encrypted with the DR data key), which holds every blob replicated ` +
      `before the loss (${REPLICATION_BUDGET_MINUTES} minutes are budgeted; Azure states no bound).`,
    ],
    steps: [{
      title: `Make the replica of \`${purpose}\` in ${dr} writable`,
      detail: 'A destination container of object replication is read-only while the policy exists: delete the policy on the replica ' +
        'account (the source account may be unreachable). Blobs written shortly before the loss may be missing.',
      lookups: { SOURCE_ACCOUNT: source.storageAccountName, REPLICA_ACCOUNT: replica.storageAccountName, REPLICA_GROUP: replica.resourceGroupName },
      commands: [
        'POLICY=$(az storage account or-policy list --account-name "$REPLICA_ACCOUNT" --resource-group "$REPLICA_GROUP" --query "[0].policyId" -o tsv)',
        'az storage account or-policy delete --account-name "$REPLICA_ACCOUNT" --resource-group "$REPLICA_GROUP" --policy-id "$POLICY"',
        `az storage blob list --auth-mode login --account-name "$REPLICA_ACCOUNT" --container-name ${containerNameOrToken(replica)} --num-results 5 -o table`,
      ],
    }],
    endpointCommand: 'echo "$REPLICA_ACCOUNT"',
  };
}

function containerNameOrToken(store: BlobContainerStore): string {
  return Token.isUnresolved(store.bucketName) ? '"$CONTAINER"' : store.bucketName;
}

/** A container name from a purpose: lower-case letters, digits and single hyphens, 3-63 characters. */
function containerNameFor(purpose: string): string {
  const name = slugify(purpose).replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 63).replace(/-+$/, '');
  return name.length >= 3 ? name : `${name}-data`.replace(/^-/, '');
}

/** A deterministic, globally unique-enough storage account name (24 lower-case letters and digits at most). */
function generatedAccountName(cloud: AzureCloud, purpose: string, role: AzureRegionRole, path: string): string {
  const subscription = Token.isUnresolved(cloud.subscriptionId) ? '' : cloud.subscriptionId;
  const hash = crypto.createHash('sha256').update(`${subscription}/${path}`).digest('hex').slice(0, 8);
  const suffix = `${role === AzureRegionRole.DR ? 'dr' : ''}${hash}`;
  const stem = `st${cloud.namePrefix}${purpose}`.toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${stem.slice(0, 24 - suffix.length)}${suffix}`;
}
