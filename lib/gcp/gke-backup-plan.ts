import type { GkeBackupBackupPlan } from '@cdktf/provider-google/lib/gke-backup-backup-plan';
import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { DataStoreKind, DataStoreProtection, DataStoreRecord } from '../core/data-store-registry';
import { Duration } from '../core/duration';
import { BackupPlanOptions, IBackupPlan } from '../core/interfaces';
import { RestoreKind, RestoreProcedure } from '../core/restore';
import { checkInteger, slugify } from '../core/validate';
import type { GcpCloud } from './gcp-cloud';
import { GcpKeyPurpose, GcpRegionRole } from './gcp-cloud';
import { addServiceAgentStep } from './gcs-bucket';
import { loadGoogle } from './google-bindings';
import { GoogleServiceAgent } from './google-service-agents';

/** Pods a Backup for GKE plan is assumed to protect, for its per-pod fee. */
const ASSUMED_PODS = 100;

/** Properties of a {@link GkeBackupPlan}. */
export interface GkeBackupPlanProps extends BackupPlanOptions {
  /** The cloud. */
  readonly cloud: GcpCloud;
  /**
   * Back up persistent volume data (Persistent Disk snapshots) as well as Kubernetes objects.
   *
   * @default true
   */
  readonly includeVolumeData?: boolean;
  /**
   * Days after creation during which nobody can delete a backup.
   *
   * @default - 7, or the retention when it is shorter
   */
  readonly deleteLockDays?: number;
}

/**
 * The backup service behind BackupPolicy on Google Cloud. Google Cloud has no backup service that covers buckets
 * and Cloud SQL: each store copies itself to the DR region (Storage Transfer Service replication for buckets,
 * backups stored in the DR region and a cross-region replica for Cloud SQL), so no registered store is eligible
 * here. What this plan adds is Backup for GKE for every GKE cluster of the stack: a backup plan in the DR region
 * (so backups survive the primary region), all namespaces with secrets and, by default, volume data, on the
 * snapshot schedule, kept for the retention with a delete lock, encrypted with the DR backup key (the Backup for
 * GKE and GKE service agents are granted it first). It covers the stack's cluster-state store beside Velero, which stays the
 * object-level copy BackupPolicy installs (its bucket is in the DR region too); Backup for GKE is what brings
 * volume data back, which the platform's Velero (no node agent) does not.
 *
 * The clusters need the Backup for GKE agent (`addons_config.gke_backup_agent_config.enabled`, which the plan turns
 * on for every cluster it covers), and the `gkebackup.googleapis.com` API enabled. Clusters created after this
 * construct are not covered.
 *
 * @example
 * const plan = cloud.newBackupPlan(this, 'Plan', { snapshotIntervalHours: 24, snapshotSchedule: '...', startWindowMinutes: 60,
 *   completionWindowMinutes: 180, retention: Duration.days(35), copyRegion: 'us-east1', resourceIds: [] });
 */
export class GkeBackupPlan extends Construct implements IBackupPlan {
  /** `Backup for GKE`. */
  public readonly mechanism = 'Backup for GKE';
  /** One backup plan per GKE cluster found in the stack. */
  public readonly plans: GkeBackupBackupPlan[] = [];
  /** Cron schedule of the backups (standard five fields, UTC). */
  public readonly cronSchedule: string;
  private readonly cloud: GcpCloud;

  constructor(scope: Construct, id: string, props: GkeBackupPlanProps) {
    super(scope, id);
    const cloud = this.cloud = props.cloud;
    checkInteger(this, 'snapshotIntervalHours', props.snapshotIntervalHours, 1, 24);
    const retainDays = Math.max(1, Math.round(props.retention.toDays()));
    checkInteger(this, 'retention', retainDays, 1, 990);
    const lockDays = props.deleteLockDays ?? Math.min(7, retainDays);
    checkInteger(this, 'deleteLockDays', lockDays, 0, retainDays);
    this.cronSchedule = cronFor(props.snapshotIntervalHours);
    const stack = cloud.stack;
    const clusters = stack.node.findAll().filter((c) => TerraformResource.isTerraformResource(c)
      && (c as TerraformResource).terraformResourceType === 'google_container_cluster') as TerraformResource[];
    if (clusters.length === 0) {
      return;
    }
    const key = cloud.key(GcpKeyPurpose.BACKUP, GcpRegionRole.DR);
    // Backup for GKE encrypts with the plan's key through two agents: its own and the GKE service agent ("agent_robot"
    // in the Backup for GKE CMEK guide); without the GKE agent's grant the backups fail with a key permission error.
    const grant = key.grantToServiceAgent(GoogleServiceAgent.GKE_BACKUP);
    const robotGrant = key.grantToServiceAgent(GoogleServiceAgent.CONTAINER);
    addServiceAgentStep(cloud);
    const { GkeBackupBackupPlan: Plan } = loadGoogle<typeof import('@cdktf/provider-google/lib/gke-backup-backup-plan')>('gke-backup-backup-plan');
    clusters.forEach((cluster, i) => {
      // A plan of a cluster without the Backup for GKE agent never produces a backup (GkeCluster turns it on already).
      cluster.addOverride('addons_config.gke_backup_agent_config.enabled', true);
      const plan = new Plan(this, clusters.length === 1 ? 'Resource' : `Resource${i + 1}`, {
        provider: cloud.provider,
        project: cloud.projectId,
        name: slugify(`${cloud.namePrefix}-cluster${clusters.length === 1 ? '' : `-${i + 1}`}`).slice(0, 63).replace(/-+$/, ''),
        // The plan, and so its backups, live in the DR region.
        location: cloud.drRegion,
        cluster: (cluster as any).id,
        description: `Backups of ${cluster.node.path} into ${cloud.drRegion}`,
        backupSchedule: { cronSchedule: this.cronSchedule },
        retentionPolicy: {
          backupRetainDays: retainDays, backupDeleteLockDays: lockDays,
          // Locking is irreversible: only when the stack asks for compliance-mode locks.
          locked: props.complianceLockAfterDays !== undefined,
        },
        backupConfig: {
          allNamespaces: true,
          includeSecrets: true,
          includeVolumeData: props.includeVolumeData ?? true,
          encryptionKey: { gcpKmsEncryptionKey: key.keyId },
        },
        dependsOn: [grant, robotGrant, cluster],
      });
      this.plans.push(plan);
      stack.addCostLine({
        component: this.node.path, resource: 'Backup for GKE backup management', region: cloud.drRegion, unit: CostUnit.MONTH,
        baselineQuantity: ASSUMED_PODS, fullScaleQuantity: ASSUMED_PODS, priceKey: 'gkebackup:pod-month',
        assumption: `${ASSUMED_PODS} protected pods (the fee is per pod and month)`,
      });
      stack.addCostLine({
        component: this.node.path, resource: 'Backup for GKE backup storage', region: cloud.drRegion, unit: CostUnit.GB_MONTH,
        baselineQuantity: stack.usage.backupGiBPerStore, fullScaleQuantity: stack.usage.backupGiBPerStore, priceKey: 'gkebackup:storage',
        assumption: `usageAssumptions.backupGiBPerStore = ${stack.usage.backupGiBPerStore} GiB of volume data and objects`,
      });
    });
    const windows = props.startWindowMinutes + props.completionWindowMinutes;
    const rpo = Duration.minutes(props.snapshotIntervalHours * 60 + windows);
    const self = this;
    stack.dataStores.addCoverage({
      protectionFor(store: DataStoreRecord): DataStoreProtection | undefined {
        if (store.kind !== DataStoreKind.CLUSTER_STATE) {
          return undefined;
        }
        return {
          mechanism: `Backup for GKE (plan in ${cloud.drRegion})`, rpo, copyRegion: cloud.drRegion, copyRpo: rpo,
          retention: props.retention, restore: self.restoreProcedure(store),
        };
      },
    });
  }

  /**
   * For cluster state: a restore plan and restore of the newest backup into the cluster of the DR deployment.
   * Other stores are not backed up by this plan.
   */
  public restoreProcedure(store: DataStoreRecord): RestoreProcedure | undefined {
    if (store.kind !== DataStoreKind.CLUSTER_STATE || this.plans.length === 0) {
      return undefined;
    }
    const dr = this.cloud.drRegion;
    const plan = this.plans[0];
    return {
      kind: RestoreKind.CLUSTER_STATE,
      summary: `Backup for GKE restore of the newest backup of plan \`${plan.name}\` (${dr}) into the DR cluster`,
      afterDeploy: true,
      prerequisites: [
        `The Backup for GKE plan \`${plan.name}\` in \`${dr}\` with its backups, and the DR backup key that encrypts them.`,
      ],
      steps: [{
        title: 'Restore the newest backup into the cluster of the DR deployment',
        detail: 'Objects the deploy already created are kept (MERGE_SKIP_ON_CONFLICT); volumes are restored from their snapshots.',
        lookups: { PROJECT: this.cloud.projectId, PLAN: plan.name },
        deployedLookups: { DR_CLUSTER: plan.cluster },
        commands: [
          `BACKUP=$(gcloud beta container backup-restore backups list --project "$PROJECT" --location ${dr} --backup-plan "$PLAN" \\\n` +
          '  --filter="state=SUCCEEDED" --sort-by=~completeTime --limit 1 --format="value(name.basename())")',
          `gcloud beta container backup-restore restore-plans create restore-from-lost-region --project "$PROJECT" --location ${dr} \\\n` +
          `  --backup-plan "projects/$PROJECT/locations/${dr}/backupPlans/$PLAN" --cluster "$DR_CLUSTER" --all-namespaces \\\n` +
          '  --namespaced-resource-restore-mode merge-skip-on-conflict --volume-data-restore-policy restore-volume-data-from-backup \\\n' +
          '  --cluster-resource-conflict-policy use-existing-version --cluster-resource-scope-all-group-kinds',
          `gcloud beta container backup-restore restores create "restore-$(date +%Y%m%d%H%M)" --project "$PROJECT" --location ${dr} \\\n` +
          '  --restore-plan restore-from-lost-region --backup "projects/$PROJECT/locations/' + dr + '/backupPlans/$PLAN/backups/$BACKUP" --wait-for-completion',
        ],
      }],
    };
  }
}

/** A five-field cron for an interval that divides a day: daily at 03:00 UTC, else every N hours. */
function cronFor(hours: number): string {
  return hours >= 24 ? '0 3 * * *' : `0 */${hours} * * *`;
}
