import type { DataProtectionBackupPolicyBlobStorage } from '@cdktf/provider-azurerm/lib/data-protection-backup-policy-blob-storage';
import type { DataProtectionBackupPolicyPostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/data-protection-backup-policy-postgresql-flexible-server';
import type { DataProtectionBackupVault } from '@cdktf/provider-azurerm/lib/data-protection-backup-vault';
import { ITerraformDependable } from 'cdktf';
import * as crypto from 'crypto';
import { Construct, IConstruct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { DataStoreKind, DataStoreRecord } from '../core/data-store-registry';
import { Duration } from '../core/duration';
import { ValidationError } from '../core/errors';
import { BackupPlanOptions, IBackupPlan } from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { PlatformStack } from '../core/platform-stack';
import { RestoreKind, RestoreProcedure } from '../core/restore';
import { checkInteger, claimSingleton, slugify } from '../core/validate';
import type { AzureCloud } from './azure-cloud';
import { AzureKeyPurpose, AzureRegionRole } from './azure-cloud';
import { azurePairedRegion } from './azure-regions';
import { loadAzurerm } from './azurerm-bindings';

/** Days of operational (in-account, continuous point-in-time) blob backup: the most Azure Backup keeps. */
const OPERATIONAL_BLOB_DAYS = 30;

/** Hours between two vaulted PostgreSQL flexible server backups: Azure Backup takes them weekly only. */
const POSTGRES_INTERVAL_HOURS = 7 * 24;

/** Something the backup vault protects: what a store hands to {@link DataProtectionBackupPlan.protect}. */
export interface AzureBackupTarget {
  /** Construct path of the store (its registry path). */
  readonly path: string;
  /** Kind: blobs or a PostgreSQL flexible server. */
  readonly kind: DataStoreKind;
  /** ARM ID of the storage account or server. */
  readonly resourceId: string;
  /** Containers to back up (blob stores). */
  readonly containerNames?: string[];
  /** Resource group of the store (PostgreSQL: the vault reads it). */
  readonly resourceGroupId?: string;
  /** What the store holds, for names. */
  readonly purpose: string;
}

/** Properties of a {@link DataProtectionBackupPlan}. */
export interface DataProtectionBackupPlanProps extends BackupPlanOptions {
  /** The cloud. */
  readonly cloud: AzureCloud;
  /**
   * Days a deleted backup stays recoverable (soft delete is always on).
   *
   * @default 14
   */
  readonly softDeleteRetentionDays?: number;
}

const PLANS = new WeakMap<PlatformStack, DataProtectionBackupPlan>();
const PENDING = new WeakMap<PlatformStack, AzureBackupTarget[]>();

/**
 * The backup service behind BackupPolicy on Azure: a Data Protection backup vault in the primary region, geo-redundant
 * (its copy is in the primary region's Azure pair) with cross-region restore, soft delete always on, immutability
 * (`Unlocked`, or `Locked` for good when `complianceLockAfterDays` is set: Azure has no grace period), encrypted
 * with the platform's backup key through the vault's identity.
 *
 * What it protects, found in the stack whenever they are created (stores call {@link DataProtectionBackupPlan.protect}):
 * - Blob stores: operational backup (continuous, point-in-time restore in the account, 30 days) and vaulted daily
 *   backups kept for the retention; the vault's identity gets `Storage Account Backup Contributor` on the account.
 * - PostgreSQL flexible servers: vaulted weekly backups (the only frequency Azure offers) kept for the retention;
 *   the identity gets the long-term retention backup role on the server and `Reader` on its resource group.
 *
 * Cluster state: AKS Backup's Terraform policy supports only the operational tier (snapshots in the cluster's own
 * region), which is no copy outside the region, so the plan does not use it. The cluster-state copy in the DR
 * region is Velero's, written by BackupPolicy into a Blob container in the DR region (`newClusterBackupLocation`),
 * and registered with the DataStoreRegistry there; `restoreProcedure` returns undefined for it.
 *
 * When the stack's DR region is not the primary region's pair, the vault's copies are still in the pair: stores then
 * register themselves as not eligible for BackupPolicy, and this plan records its protection with the pair as the
 * copy region, so the DR proof states where the copies really are.
 *
 * @example
 * const plan = cloud.newBackupPlan(this, 'Plan', { snapshotIntervalHours: 24, snapshotSchedule: 'cron(0 3 ? * * *)', startWindowMinutes: 60,
 *   completionWindowMinutes: 180, retention: Duration.days(35), copyRegion: 'centralus', resourceIds: [] });
 */
export class DataProtectionBackupPlan extends Construct implements IBackupPlan {
  /**
   * Hands a store to the stack's plan: protected now when the plan exists, else when it is created. Returns the
   * plan, or undefined when the stack has none yet.
   */
  public static protect(scope: IConstruct, target: AzureBackupTarget): DataProtectionBackupPlan | undefined {
    const stack = PlatformStack.ofConstruct(scope);
    const plan = PLANS.get(stack);
    if (plan) {
      plan.addTarget(target);
    } else {
      pendingTargets(stack).push(target);
    }
    return plan;
  }

  /** `Azure Backup (Data Protection backup vault)`. */
  public readonly mechanism = 'Azure Backup (Data Protection backup vault)';
  /** The vault. */
  public readonly vault: DataProtectionBackupVault;
  /** The blob backup policy (operational and vaulted). */
  public readonly blobPolicy: DataProtectionBackupPolicyBlobStorage;
  /** The PostgreSQL flexible server backup policy (vaulted, weekly). */
  public readonly postgresPolicy: DataProtectionBackupPolicyPostgresqlFlexibleServer;
  /** Region the vault's geo-redundant copies are in (the primary region's pair). */
  public readonly copyRegion: string;
  private readonly cloud: AzureCloud;
  private readonly props: DataProtectionBackupPlanProps;
  private readonly ready: ITerraformDependable[];
  private readonly retentionDays: number;
  private readonly targets = new Map<string, AzureBackupTarget>();

  constructor(scope: Construct, id: string, props: DataProtectionBackupPlanProps) {
    super(scope, id);
    claimSingleton(this, 'DataProtectionBackupPlan', 'Keep one backup plan per stack: it protects every store of the stack.');
    const cloud = this.cloud = props.cloud;
    this.props = props;
    checkInteger(this, 'snapshotIntervalHours', props.snapshotIntervalHours, 24, 24);
    const retentionDays = this.retentionDays = Math.max(1, Math.round(props.retention.toDays()));
    checkInteger(this, 'retention', retentionDays, 7, 3650);
    const softDeleteDays = props.softDeleteRetentionDays ?? 14;
    checkInteger(this, 'softDeleteRetentionDays', softDeleteDays, 14, 180);
    const pair = azurePairedRegion(cloud.primaryRegion);
    if (pair === undefined) {
      throw new ValidationError(this, 'primaryRegion', cloud.primaryRegion, 'has no Azure pair region, so a backup vault cannot be geo-redundant',
        'Choose a primary region with a pair (e.g. eastus2, westeurope), or protect the stores by replication only.');
    }
    this.copyRegion = pair;
    const provider = cloud.provider;
    const { DataProtectionBackupVault: Vault } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/data-protection-backup-vault')>('data-protection-backup-vault');
    this.vault = new Vault(this, 'Resource', {
      provider,
      name: slugify(`bvault-${cloud.namePrefix}`).slice(0, 50).replace(/-+$/, ''),
      location: cloud.primaryRegion,
      resourceGroupName: cloud.resourceGroupName(AzureRegionRole.PRIMARY),
      datastoreType: 'VaultStore',
      redundancy: 'GeoRedundant',
      crossRegionRestoreEnabled: true,
      softDelete: 'AlwaysOn',
      retentionDurationInDays: softDeleteDays,
      // Locked is final (no one can shorten retention or delete recovery points early); Azure has no grace period.
      immutability: props.complianceLockAfterDays !== undefined ? 'Locked' : 'Unlocked',
      identity: { type: 'SystemAssigned' },
    });
    // Azure accepts a vault CMK only before the vault protects anything: instances depend on it.
    const key = cloud.key(AzureKeyPurpose.BACKUP, AzureRegionRole.PRIMARY);
    const keyGrant = key.grantEncryptDecrypt(this.vault.identity.principalId, 'BackupVault');
    const { DataProtectionBackupVaultCustomerManagedKey: VaultKey } =
      loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/data-protection-backup-vault-customer-managed-key')>('data-protection-backup-vault-customer-managed-key');
    const vaultKey = new VaultKey(this, 'CustomerManagedKey', {
      provider, dataProtectionBackupVaultId: this.vault.id, keyVaultKeyId: key.versionlessId, dependsOn: [keyGrant],
    });
    this.ready = [vaultKey];
    cloud.lockAgainstDeletion(this, 'DeleteLock', this.vault.id, 'Holds the backups of the platform\'s data stores.');

    const start = '2025-01-06T03:00:00+00:00'; // a Monday, 03:00 UTC: a fixed anchor keeps the policy from being replaced
    const { DataProtectionBackupPolicyBlobStorage: BlobPolicy } =
      loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/data-protection-backup-policy-blob-storage')>('data-protection-backup-policy-blob-storage');
    this.blobPolicy = new BlobPolicy(this, 'BlobPolicy', {
      provider,
      name: 'blobs-operational-and-daily',
      vaultId: this.vault.id,
      operationalDefaultRetentionDuration: `P${OPERATIONAL_BLOB_DAYS}D`,
      vaultDefaultRetentionDuration: `P${retentionDays}D`,
      backupRepeatingTimeIntervals: [`R/${start}/P1D`],
      timeZone: 'UTC',
    });
    const { DataProtectionBackupPolicyPostgresqlFlexibleServer: PostgresPolicy } =
      loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/data-protection-backup-policy-postgresql-flexible-server')>('data-protection-backup-policy-postgresql-flexible-server');
    this.postgresPolicy = new PostgresPolicy(this, 'PostgresPolicy', {
      provider,
      name: 'postgres-weekly',
      vaultId: this.vault.id,
      backupRepeatingTimeIntervals: [`R/${start}/P1W`],
      timeZone: 'UTC',
      defaultRetentionRule: { lifeCycle: [{ dataStoreType: 'VaultStore', duration: `P${Math.max(retentionDays, 7)}D` }] },
    });

    const stack = cloud.stack;
    stack.addCostLine({
      component: this.node.path, resource: 'Backup vault storage, geo-redundant', region: cloud.primaryRegion, unit: CostUnit.GB_MONTH,
      baselineQuantity: stack.usage.backupGiBPerStore, fullScaleQuantity: stack.usage.backupGiBPerStore, priceKey: 'backup:vault-grs',
      assumption: `usageAssumptions.backupGiBPerStore = ${stack.usage.backupGiBPerStore} GiB of recovery points per protected store (counted once)`,
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: 'Know what protects cluster state on Azure',
      detail: 'AKS Backup\'s Terraform policy supports only the operational tier (snapshots kept in the cluster\'s region), so the platform ' +
        `does not use it for DR: Velero writes cluster state to a Blob container in ${cloud.drRegion}. The backup vault's copies are in ` +
        `${pair}${pair === cloud.drRegion ? ' (the DR region)' : ` (the primary region's pair, not the DR region ${cloud.drRegion})`}.`,
    });
    PLANS.set(stack, this);
    for (const target of pendingTargets(stack).splice(0)) {
      this.addTarget(target);
    }
  }

  /**
   * For blob stores, a cross-region restore from the vault's copy in the pair region into a new account there; for
   * PostgreSQL flexible servers, a cross-region restore of the newest weekly backup into a new server. Cluster
   * state is Velero's (undefined here).
   */
  public restoreProcedure(store: DataStoreRecord): RestoreProcedure | undefined {
    if (store.kind === DataStoreKind.CLUSTER_STATE) {
      return undefined;
    }
    const target = this.targets.get(store.path);
    const pair = this.copyRegion;
    const instance = `${instanceName(store.purpose, store.path)}`;
    const lookups = { BACKUP_VAULT: this.vault.name, VAULT_GROUP: this.cloud.resourceGroupName(AzureRegionRole.PRIMARY) };
    const find = 'RP=$(az dataprotection recovery-point list --vault-name "$BACKUP_VAULT" --resource-group "$VAULT_GROUP" ' +
      `--backup-instance-name ${instance} --use-secondary-region true --query "[0].name" -o tsv)`;
    if (store.kind === DataStoreKind.OBJECT_STORE) {
      return {
        kind: RestoreKind.SNAPSHOT,
        summary: `cross-region restore of the newest vaulted backup of \`${store.purpose}\` from the backup vault's copy in ${pair}`,
        afterDeploy: true,
        prerequisites: [`The geo-redundant copy of backup vault \`${this.vault.name}\` in \`${pair}\` (cross-region restore is on).`],
        steps: [{
          title: `Restore \`${store.purpose}\` into a storage account in ${pair}`,
          detail: 'Set TARGET_ACCOUNT_ID to an empty StorageV2 account in the pair region (the DR deployment\'s store, with its replication ' +
            'policy removed); the vault restores the containers into it.',
          lookups: { ...lookups, BACKUP_SOURCE_ID: target?.resourceId ?? store.resourceId },
          commands: [
            find,
            `az dataprotection backup-instance restore initialize-for-data-recovery --datasource-type AzureBlob --restore-location ${pair} \\\n` +
            '  --source-datastore VaultStore --recovery-point-id "$RP" --target-resource-id "$TARGET_ACCOUNT_ID" > restore.json',
            `az dataprotection backup-instance restore trigger --vault-name "$BACKUP_VAULT" --resource-group "$VAULT_GROUP" --backup-instance-name ${instance} \\\n` +
            '  --restore-request-object restore.json --use-secondary-region true',
          ],
        }],
        endpointCommand: 'echo "$TARGET_ACCOUNT_ID"',
      };
    }
    return {
      kind: RestoreKind.SNAPSHOT,
      summary: `cross-region restore of the newest weekly vaulted backup of \`${store.purpose}\` from the backup vault's copy in ${pair}`,
      afterDeploy: true,
      prerequisites: [`The geo-redundant copy of backup vault \`${this.vault.name}\` in \`${pair}\` (cross-region restore is on).`],
      steps: [{
        title: `Restore \`${store.purpose}\` as database files into a container in ${pair}, then into a server`,
        detail: 'Azure Backup restores PostgreSQL flexible server backups as files (a pg_dump per database) into a Blob container; load them ' +
          'with pg_restore into the server of the DR deployment. Set TARGET_CONTAINER_URL to a container of a storage account in the pair region.',
        lookups: { ...lookups, BACKUP_SOURCE_ID: target?.resourceId ?? store.resourceId },
        commands: [
          find,
          `az dataprotection backup-instance restore initialize-for-data-recovery-as-files --datasource-type AzureDatabaseForPostgreSQLFlexibleServer \\\n` +
          `  --restore-location ${pair} --source-datastore VaultStore --recovery-point-id "$RP" --target-blob-container-url "$TARGET_CONTAINER_URL" \\\n` +
          '  --target-file-name restored > restore.json',
          `az dataprotection backup-instance restore trigger --vault-name "$BACKUP_VAULT" --resource-group "$VAULT_GROUP" --backup-instance-name ${instance} \\\n` +
          '  --restore-request-object restore.json --use-secondary-region true',
        ],
      }],
    };
  }

  /** Creates the role assignments and the backup instance of a store (once per store). */
  private addTarget(target: AzureBackupTarget): void {
    if (this.targets.has(target.path)) {
      return;
    }
    this.targets.set(target.path, target);
    const cloud = this.cloud;
    const provider = cloud.provider;
    const id = `Store${crypto.createHash('sha256').update(target.path).digest('hex').slice(0, 8)}`;
    const { RoleAssignment: Assignment } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/role-assignment')>('role-assignment');
    const role = (suffix: string, scope: string, roleName: string) => new Assignment(this, `${id}${suffix}`, {
      provider, scope, roleDefinitionName: roleName, principalId: this.vault.identity.principalId, principalType: 'ServicePrincipal',
    });
    const name = instanceName(target.purpose, target.path);
    const stack = this.cloud.stack;
    const blob = target.kind === DataStoreKind.OBJECT_STORE;
    stack.addCostLine({
      component: this.node.path, resource: `Azure Backup protected instance (${target.purpose})`, region: cloud.primaryRegion, unit: CostUnit.MONTH,
      baselineQuantity: 1, fullScaleQuantity: 1, priceKey: blob ? 'backup:blob-instance' : 'backup:postgres-instance',
      assumption: `one protected ${blob ? 'storage account' : 'flexible server'}; its recovery points are counted in the vault storage line`,
    });
    const registered = stack.dataStores.stores.find((e) => e.store.path === target.path);
    if (target.kind === DataStoreKind.OBJECT_STORE) {
      const grant = role('BackupContributor', target.resourceId, 'Storage Account Backup Contributor');
      const { DataProtectionBackupInstanceBlobStorage: Instance } =
        loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/data-protection-backup-instance-blob-storage')>('data-protection-backup-instance-blob-storage');
      new Instance(this, `${id}Instance`, {
        provider, name, vaultId: this.vault.id, location: cloud.primaryRegion, storageAccountId: target.resourceId,
        backupPolicyId: this.blobPolicy.id, storageAccountContainerNames: target.containerNames,
        dependsOn: [grant, ...this.ready],
      });
      if (registered) {
        stack.dataStores.protect(target.path, {
          mechanism: 'Azure Backup operational blob backup (point-in-time restore)', rpo: Duration.minutes(5), copyRegion: cloud.primaryRegion,
          copyRpo: Duration.minutes(5), retention: Duration.days(OPERATIONAL_BLOB_DAYS),
        });
        if (!registered.store.backupServiceEligible) {
          this.recordVaultCopy(target, 24);
        }
      }
    } else {
      const grants = [role('LtrBackup', target.resourceId, 'PostgreSQL Flexible Server Long Term Retention Backup Role')];
      if (target.resourceGroupId) {
        grants.push(role('GroupReader', target.resourceGroupId, 'Reader'));
      }
      const { DataProtectionBackupInstancePostgresqlFlexibleServer: Instance } =
        loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/data-protection-backup-instance-postgresql-flexible-server')>('data-protection-backup-instance-postgresql-flexible-server');
      new Instance(this, `${id}Instance`, {
        provider, name, vaultId: this.vault.id, location: cloud.primaryRegion, serverId: target.resourceId,
        backupPolicyId: this.postgresPolicy.id, dependsOn: [...grants, ...this.ready],
      });
      if (registered) {
        this.recordVaultCopy(target, POSTGRES_INTERVAL_HOURS);
      }
    }
  }

  /** Records the vault's geo-redundant copy of a store BackupPolicy does not cover (not eligible), with its real region. */
  private recordVaultCopy(target: AzureBackupTarget, intervalHours: number): void {
    const windows = this.props.startWindowMinutes + this.props.completionWindowMinutes;
    const rpo = Duration.minutes(intervalHours * 60 + windows);
    const record = this.cloud.stack.dataStores.stores.find((e) => e.store.path === target.path)!.store;
    this.cloud.stack.dataStores.protect(target.path, {
      mechanism: `${this.mechanism}, geo-redundant copy in ${this.copyRegion}`, rpo, copyRegion: this.copyRegion,
      // Azure replicates vault data to the pair asynchronously and states no bound: 12 hours are budgeted.
      copyRpo: Duration.minutes(rpo.toMinutes() + 12 * 60),
      retention: Duration.days(this.retentionDays), restore: this.restoreProcedure(record),
    });
  }
}

/** Targets handed over before the stack's plan exists. */
function pendingTargets(stack: PlatformStack): AzureBackupTarget[] {
  let pending = PENDING.get(stack);
  if (!pending) {
    pending = [];
    PENDING.set(stack, pending);
  }
  return pending;
}

/** A backup instance name: letters, digits and `-`, from the purpose and a hash of the path. */
function instanceName(purpose: string, path: string): string {
  const hash = crypto.createHash('sha256').update(path).digest('hex').slice(0, 6);
  return `${slugify(purpose).slice(0, 40).replace(/-+$/, '')}-${hash}`;
}
