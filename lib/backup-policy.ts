import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { BackupSchedule } from './core/backup-schedule';
import { Duration } from './core/duration';
import { DataStoreKind, DataStoreProtection, DataStoreRecord, IDataStoreCoverage } from './core/data-store-registry';
import { ClusterBackupLocation, IBackupPlan, ICloudServices, IKubernetesCluster, IWorkloadIdentity } from './core/interfaces';
import { RestoreKind, RestoreProcedure } from './core/restore';
import { PlatformStack } from './core/platform-stack';
import { checkInteger, claimSingleton, isCloudServices, isKubernetesCluster, requireConstruct, requireProps } from './core/validate';
import { ChartCatalog } from './k8s/chart-catalog';
import { PinnedRelease } from './k8s/pinned-release';
import { PlatformNamespace } from './k8s/platform-namespace';

/** Properties of a {@link BackupPolicy}. */
export interface BackupPolicyProps {
  /** Cloud whose backup service protects the registered stores. */
  readonly cloud: ICloudServices;
  /**
   * Cluster whose state (Kubernetes objects) Velero backs up to the DR region.
   *
   * @default - no cluster-state backups
   */
  readonly cluster?: IKubernetesCluster;
  /**
   * Turn the vault locks into compliance mode after this many days (3 or more): afterwards nobody, not even the
   * account root, can shorten retention or delete the vault. Governance mode when unset.
   *
   * @default - governance mode
   */
  readonly complianceLockAfterDays?: number;
}

/**
 * Disaster recovery derived from the stack's RecoveryObjective: a locked backup vault, a daily snapshot plan
 * with every recovery point copied to the DR region (stores meet shorter RPOs with their own continuous copies), a selection of every registered data store (including stores created after this
 * construct), and Velero backing cluster state up to a bucket in the DR region. Synth fails, naming the store,
 * when a registered store is not covered.
 *
 * @example
 * new BackupPolicy(stack, 'Backups', { cloud, cluster });
 */
export class BackupPolicy extends Construct implements IDataStoreCoverage {
  /** The schedule derived from the RPO. */
  public readonly schedule: BackupSchedule;
  /** The cloud's backup plan. */
  public readonly plan: IBackupPlan;
  private readonly stack: PlatformStack;
  private readonly copyRegion: string;

  constructor(scope: Construct, id: string, props: BackupPolicyProps) {
    super(scope, id);
    requireProps(this, props, '{ cloud, cluster }');
    requireConstruct(this, 'cloud', props.cloud, 'a cloud (ICloudServices, e.g. an AwsCloud)', isCloudServices, "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
    if (props.cluster !== undefined) {
      requireConstruct(this, 'cluster', props.cluster, 'a Kubernetes cluster (an EksCluster, or EksCluster.fromClusterAttributes)', isKubernetesCluster,
        'Pass the cluster whose state Velero backs up, or leave cluster unset.');
    }
    // One plan and one vault lock per stack: a second policy would back every store up twice under one name.
    claimSingleton(this, 'BackupPolicy', 'Keep one BackupPolicy per stack; it covers every data store of the stack, including ones created after it.');
    this.stack = PlatformStack.ofConstruct(this);
    const ro = this.stack.recoveryObjective;
    if (props.complianceLockAfterDays !== undefined) {
      checkInteger(this, 'complianceLockAfterDays', props.complianceLockAfterDays, 3, 36500);
    }
    this.schedule = BackupSchedule.forRpo(ro.rpo);
    this.copyRegion = props.cloud.drRegion;
    const registry = this.stack.dataStores;
    this.plan = props.cloud.newBackupPlan(this, 'Plan', {
      snapshotIntervalHours: this.schedule.snapshotIntervalHours,
      snapshotSchedule: this.schedule.cronExpression,
      startWindowMinutes: this.schedule.startWindowMinutes,
      completionWindowMinutes: this.schedule.completionWindowMinutes,
      retention: ro.retention,
      copyRegion: props.cloud.drRegion,
      // Resolved at synth so stores registered after this construct are selected too.
      resourceIds: Lazy.listValue({ produce: () => registry.stores.filter((e) => e.store.backupServiceEligible).map((e) => e.store.resourceId) }),
      complianceLockAfterDays: props.complianceLockAfterDays,
    });
    registry.addCoverage(this);
    if (props.cluster) {
      this.addVelero(props.cloud, props.cluster);
    }
    this.stack.addComponent({
      path: this.node.path, name: 'BackupPolicy',
      description: `${this.plan.mechanism}: snapshots every ${this.schedule.snapshotIntervalHours} h (start window ${this.schedule.startWindowMinutes} min, ` +
        `completion window ${this.schedule.completionWindowMinutes} min), ` +
        `copies to ${this.copyRegion}, ${ro.retention} retention${props.cluster ? `; Velero ${ChartCatalog.VELERO.appVersion} for cluster state, into a bucket in ${this.copyRegion}` : ''}`,
    });
  }

  /** Covers every store the cloud's backup service can protect. */
  public protectionFor(store: DataStoreRecord): DataStoreProtection | undefined {
    if (!store.backupServiceEligible) {
      return undefined;
    }
    return {
      mechanism: this.plan.mechanism,
      rpo: this.schedule.snapshotRpo,
      copyRegion: this.copyRegion,
      copyRpo: this.schedule.copyRpo,
      retention: this.stack.recoveryObjective.retention,
      restore: this.plan.restoreProcedure(store),
    };
  }

  private addVelero(cloud: ICloudServices, cluster: IKubernetesCluster): void {
    const namespace = new PlatformNamespace(this, 'VeleroNamespace', { cluster, name: 'velero', podSecurity: 'baseline' });
    const location = cloud.newClusterBackupLocation(this, 'ClusterStateBucket');
    const identity = cluster.newWorkloadIdentity(this, 'VeleroIdentity', { namespace: 'velero', serviceAccountName: 'velero-server' });
    location.grantee.grantReadWrite(identity);
    const veleroMinutes = veleroIntervalMinutes(this.stack.recoveryObjective.rpo);
    const retentionHours = Math.round(this.stack.recoveryObjective.retention.toHours());
    new PinnedRelease(this, 'Velero', {
      cluster,
      chart: ChartCatalog.VELERO,
      releaseName: 'velero',
      namespace: namespace.name,
      // Pods started before the association get no AWS credentials.
      dependsOn: identity.prerequisites,
      values: {
        initContainers: [{
          name: location.pluginImage.split('/').pop()!.split(':')[0], image: location.pluginImage, imagePullPolicy: 'IfNotPresent',
          volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
        }],
        configuration: {
          backupStorageLocation: [{ name: 'default', provider: location.provider, bucket: location.bucket.bucketName, prefix: cluster.clusterName, default: true, config: location.config }],
          volumeSnapshotLocation: [],
        },
        credentials: { useSecret: false },
        serviceAccount: {
          server: {
            create: true, name: 'velero-server',
            ...(identity.serviceAccountAnnotations ? { annotations: identity.serviceAccountAnnotations } : {}),
          },
        },
        snapshotsEnabled: false,
        deployNodeAgent: false,
        // The metrics Service Monitoring scrapes (velero_backup_failure_total, velero_backup_last_successful_timestamp).
        // Its ServiceMonitor comes from Monitoring, after the Prometheus CRDs, not from this chart.
        metrics: { enabled: true, serviceMonitor: { enabled: false } },
        podLabels: { ...this.stack.costAllocation.tags, ...identity.podLabels },
        schedules: {
          platform: {
            disabled: false,
            schedule: veleroCron(veleroMinutes),
            useOwnerReferencesInBackup: false,
            template: { ttl: `${retentionHours}h0m0s`, storageLocation: 'default', includedNamespaces: ['*'] },
          },
        },
      },
    });
    const path = `${this.node.path}/ClusterState`;
    this.stack.dataStores.register({
      path, kind: DataStoreKind.CLUSTER_STATE, purpose: `Kubernetes objects of ${cluster.clusterName}`,
      resourceId: cluster.clusterName, region: cloud.primaryRegion, backupServiceEligible: false,
    });
    // Velero writes straight to the DR-region bucket, so the copy is as fresh as the backup.
    this.stack.dataStores.protect(path, {
      mechanism: `Velero (bucket in ${location.bucket.region})`, rpo: Duration.minutes(veleroMinutes), copyRegion: location.bucket.region,
      copyRpo: Duration.minutes(veleroMinutes), retention: this.stack.recoveryObjective.retention,
      restore: veleroRestore(location, cluster.clusterName, identity),
    });
  }
}

/** Name of the read-only backup location the runbook adds to the DR deployment's Velero. */
const RESTORE_LOCATION = 'lost-region';

/**
 * How cluster state comes back: the Velero of the stack deployed in the DR region reads the old backups from their
 * bucket (already in the DR region) as a read-only location and restores the newest completed one, leaving the
 * objects the deploy re-created as they are.
 */
function veleroRestore(location: ClusterBackupLocation, clusterName: string, identity: IWorkloadIdentity): RestoreProcedure {
  const bucketRegion = location.bucket.region;
  const config = Object.entries(location.config ?? {});
  const configVars = Object.fromEntries(config.map(([key]) => [`CONFIG_${key.toUpperCase()}`, location.config![key]]));
  const configArg = config.length === 0 ? '' : ` --config "${config.map(([key]) => `${key}=$CONFIG_${key.toUpperCase()}`).join(',')}"`;
  return {
    kind: RestoreKind.CLUSTER_STATE,
    summary: `Velero restore of the newest backup of \`${clusterName}\` from its bucket in ${bucketRegion}`,
    afterDeploy: true,
    prerequisites: [
      `The Velero backup bucket in \`${bucketRegion}\` (prefix \`${clusterName}\`) and the key that encrypts it.`,
      'The `velero` and `kubectl` CLIs and `jq` on the machine that runs the restore.',
    ],
    steps: [{
      title: 'Point kubectl at the cluster of the DR deployment',
      detail: 'Use the kubeconfig of the cluster the DR deployment created (its `kubeconfig_command` output, when the stack has one), ' +
        'and check the context before going on.',
      commands: ['kubectl config current-context', 'kubectl -n velero get deployment velero'],
    }, {
      title: 'Let the new Velero read the old backups',
      detail: 'The DR deployment\'s Velero identity (`VELERO_PRINCIPAL` below) must be allowed to list and read the bucket (`BACKUP_BUCKET`) ' +
        'and decrypt with its key; grant that first. The location is read-only: nothing is written into the old backups.',
      lookups: { BACKUP_BUCKET: location.bucket.bucketName, ...configVars },
      deployedLookups: { VELERO_PRINCIPAL: identity.principalId },
      commands: [
        `velero backup-location create ${RESTORE_LOCATION} --provider ${location.provider} --bucket "$BACKUP_BUCKET" --prefix ${clusterName}` +
        `${configArg} --access-mode ReadOnly`,
        `kubectl -n velero wait backupstoragelocation/${RESTORE_LOCATION} --for=jsonpath='{.status.phase}'=Available --timeout=10m`,
      ],
    }, {
      title: 'Restore the newest completed backup',
      detail: 'Objects the deploy already re-created are left as they are (`--existing-resource-policy none`).',
      commands: [
        "BACKUP=$(kubectl -n velero get backups.velero.io -o json | jq -r '[.items[] | select(.spec.storageLocation==\"" + RESTORE_LOCATION + "\" " +
        "and .status.phase==\"Completed\")] | sort_by(.status.completionTimestamp) | last | .metadata.name')",
        'velero restore create --from-backup "$BACKUP" --exclude-namespaces velero,kube-system --existing-resource-policy none --wait',
        'velero restore get',
      ],
    }],
  };
}

/** Velero runs on a plain cron: the longest interval that divides a day and is at most the RPO (daily at most). */
function veleroIntervalMinutes(rpo: Duration): number {
  return [1440, 720, 480, 360, 240, 180, 120, 60, 30, 20, 15, 10, 5].find((m) => m <= rpo.toMinutes()) ?? 5;
}

function veleroCron(minutes: number): string {
  if (minutes < 60) {
    return `*/${minutes} * * * *`;
  }
  return minutes >= 24 * 60 ? '0 3 * * *' : `0 */${minutes / 60} * * *`;
}
