import { DataStoreKind, DataStoreRecord } from './data-store-registry';

/** How a copy of a store is brought back; each kind has its own restore-time model ({@link RestoreTimeModel}). */
export enum RestoreKind {
  /** A new database instance restored to a point in time from automated backups (snapshot plus transaction logs). */
  POINT_IN_TIME = 'POINT_IN_TIME',
  /** A restore job from a backup service's recovery point (snapshot) into a new resource. */
  SNAPSHOT = 'SNAPSHOT',
  /** Clients are re-pointed to a replica that already holds the data (no data moves). */
  REPLICA = 'REPLICA',
  /** Cluster objects re-created from a cluster-state backup (Velero). */
  CLUSTER_STATE = 'CLUSTER_STATE',
}

/**
 * One step of a restore runbook. Commands may reference shell variables set by `lookups`; a lookup's value may be a
 * Terraform token (a bucket name, an ARN), which the runbook turns into a `terraform console` look-up of its
 * resource address, never raw token text.
 */
export interface RestoreStep {
  /** One line, e.g. `Restore the mlflow database in us-west-2`. */
  readonly title: string;
  /**
   * Why and what to check.
   *
   * @default - none
   */
  readonly detail?: string;
  /**
   * Shell variables the commands use: name to value (plain text or a Terraform token).
   *
   * @default - none
   */
  readonly lookups?: { [variable: string]: string };
  /**
   * Shell variables read from the state of the stack deployed in the DR region (after `cdktf deploy` there), by
   * the same resource addresses: name to value (a Terraform token).
   *
   * @default - none
   */
  readonly deployedLookups?: { [variable: string]: string };
  /**
   * Shell commands, in order.
   *
   * @default - none
   */
  readonly commands?: string[];
}

/** How a protection's copy is restored, as stated by the construct that records the protection. */
export interface RestoreProcedure {
  /** Which restore-time model applies. */
  readonly kind: RestoreKind;
  /** One line on how the restore works, for the report, e.g. `point-in-time restore from the replicated backups`. */
  readonly summary: string;
  /** The steps, in order. */
  readonly steps: RestoreStep[];
  /**
   * A shell command (it may use the steps' look-ups) that prints what clients connect to after the restore: a
   * database host, a bucket name. The runbook stores it in `$ENDPOINT`, which the store's clients' steps use.
   *
   * @default - clients are not re-pointed
   */
  readonly endpointCommand?: string;
  /**
   * The steps need the platform deployed in the DR region first (a network, a cluster, the store's subnet group):
   * the runbook runs them after `cdktf deploy` there.
   *
   * @default false
   */
  readonly afterDeploy?: boolean;
  /**
   * What must already exist in the copy's region for the steps to work (keys, vaults, replica buckets, secrets).
   *
   * @default - nothing beyond the copy itself
   */
  readonly prerequisites?: string[];
}

/** Order of restore work in a runbook: data first, then the platform, then its clients. */
export enum RestorePhase {
  /** Bring data back (databases, buckets). */
  DATA = 'DATA',
  /** Re-point the platform's own workloads to the restored stores (after the platform is deployed in the DR region). */
  REPOINT = 'REPOINT',
  /** Re-create cluster objects (after the platform is deployed). */
  CLUSTER_STATE = 'CLUSTER_STATE',
}

/** Something that uses a store and must be re-pointed to its restored copy, e.g. MLflow and its database. */
export interface DataStoreClient {
  /** Who, e.g. `MLflow (Helm release mlflow in namespace mlflow)`. */
  readonly name: string;
  /** How to re-point it, run after the platform is deployed in the DR region. */
  readonly repoint: RestoreStep;
}

/**
 * The sizes the restore-time estimates assume. Declared on the {@link RecoveryObjective}; every value has a
 * default so an estimate always exists, and each is printed in the report next to the estimate.
 */
export interface RestoreAssumptions {
  /**
   * Size of each database to restore, in GiB.
   *
   * @default - the database's allocated storage (the most it holds before storage autoscaling), or 100 GiB when
   * the construct does not state it
   */
  readonly databaseSizeGiB?: number;
  /**
   * Size of each bucket to restore from a snapshot (replicas do not depend on it), in GiB.
   *
   * @default 100
   */
  readonly objectStoreSizeGiB?: number;
  /**
   * Kubernetes objects in a cluster-state backup (all namespaces).
   *
   * @default 2000
   */
  readonly clusterObjectCount?: number;
  /**
   * Sizes of particular stores in GiB, keyed by the store's purpose (e.g. `mlflow`) or construct path; a size
   * given here wins over the per-kind sizes above.
   *
   * @default - the per-kind sizes
   */
  readonly storeSizesGiB?: { [purposeOrPath: string]: number };
}

/** A restore-time estimate and how it was computed. */
export interface RestoreEstimate {
  /** Estimated minutes from starting the restore until the store serves again. */
  readonly minutes: number;
  /** The arithmetic, e.g. `30 min provisioning + 50 GiB x 0.5 min/GiB`. */
  readonly breakdown: string;
}

/** The model of one restore kind: fixed time plus a size-dependent term. */
export interface RestoreKindModel {
  /** The restore kind. */
  readonly kind: RestoreKind;
  /** Minutes that do not depend on size (provisioning, job start, re-deploying clients). */
  readonly fixedMinutes: number;
  /** What the fixed part stands for. */
  readonly fixedLabel: string;
  /** Minutes per unit of size (GiB or Kubernetes objects); 0 when size does not matter. */
  readonly minutesPerUnit: number;
  /** Unit of size: `GiB`, or `objects` for Kubernetes objects. */
  readonly unit: string;
  /** Where the numbers come from. */
  readonly source: string;
}

const MODELS: RestoreKindModel[] = [{
  kind: RestoreKind.POINT_IN_TIME, fixedMinutes: 30, fixedLabel: 'instance provisioning', minutesPerUnit: 0.1, unit: 'GiB',
  source: 'RDS restores to a point in time by creating a new instance from the daily snapshot and replaying the ' +
    'transaction logs after it (RDS User Guide, "Restoring a DB instance to a specified time"); the volume loads ' +
    'lazily from S3, so the instance serves before every block is read. Assumed: 30 min to create a Multi-AZ ' +
    'instance (typically 10-30 min) and 0.1 min/GiB (600 GiB/h) for the log replay of up to a day of writes and the ' +
    'first reads; AWS gives no bound.',
}, {
  kind: RestoreKind.SNAPSHOT, fixedMinutes: 30, fixedLabel: 'restore job start and provisioning', minutesPerUnit: 0.6, unit: 'GiB',
  source: 'An AWS Backup restore job creates a new resource from a recovery point ("Restoring a backup" in the ' +
    'AWS Backup Developer Guide). Assumed: 30 min for the job to start and provision, and 0.6 min/GiB (100 GiB/h) ' +
    'to write the data; AWS gives no bound (S3 restores copy object by object).',
}, {
  kind: RestoreKind.REPLICA, fixedMinutes: 15, fixedLabel: 're-pointing clients to the replica', minutesPerUnit: 0, unit: 'GiB',
  source: 'The replica already holds the data (S3 Replication Time Control replicates 99.99% of objects within ' +
    '15 minutes, S3 User Guide); only clients change. Assumed: 15 min to change their settings and restart them.',
}, {
  kind: RestoreKind.CLUSTER_STATE, fixedMinutes: 10, fixedLabel: 'installing Velero and syncing the backup location', minutesPerUnit: 0.01, unit: 'objects',
  source: 'Velero re-creates objects one by one through the API server, after syncing backups from the bucket ' +
    '(every minute by default). Assumed: 10 min to install Velero and see the backups, and 100 objects per minute.',
}];

/**
 * The documented restore-time model. AWS publishes no restore-time guarantee for RDS, AWS Backup or S3, and Velero
 * none for restores, so these are this library's conservative assumptions: confirm them with a restore test in
 * your account (AWS Backup restore testing) and raise the RTO or change the mechanism when they do not hold.
 */
export class RestoreTimeModel {
  /** The fastest restore any kind gives, in minutes (its fixed part): an RTO below it cannot be met. */
  public static readonly FASTEST_MINUTES: number = Math.min(...MODELS.map((m) => m.fixedMinutes));
  /** The restore kind with the fastest restore. */
  public static readonly FASTEST_KIND: RestoreKind = MODELS.reduce((a, b) => (b.fixedMinutes < a.fixedMinutes ? b : a)).kind;

  /**
   * Minutes to deploy the platform in the DR region before restores that need it (a database restored into the
   * DR deployment's subnets, clients re-pointed, cluster state re-created) can run: `cdktf deploy` of the network,
   * the cluster (an EKS or GKE control plane takes 10-20 minutes), its node groups (5-10) and the Helm releases
   * (10-15, Helm waits for each). Assumed: 45 minutes; time your own deploy and state it in the RTO.
   */
  public static readonly PLATFORM_DEPLOY_MINUTES: number = 45;
  /** Minutes to re-point the platform's workloads to restored stores (a Helm upgrade and pod restarts). */
  public static readonly CLIENT_REPOINT_MINUTES: number = 10;

  /** The model of every restore kind. */
  public static models(): RestoreKindModel[] {
    return MODELS.map((m) => ({ ...m }));
  }

  /** The model of one restore kind. */
  public static modelOf(kind: RestoreKind): RestoreKindModel {
    const model = MODELS.find((m) => m.kind === kind);
    if (!model) {
      throw new Error(`no restore-time model for ${kind}`);
    }
    return model;
  }

  /** The size the estimate of `store` assumes, in the unit of the kind's model. */
  public static assumedSize(kind: RestoreKind, store: DataStoreRecord, assumptions: RestoreAssumptions = {}): number {
    if (RestoreTimeModel.modelOf(kind).unit === 'objects') {
      return assumptions.clusterObjectCount ?? 2000;
    }
    const stated = assumptions.storeSizesGiB?.[store.path] ?? assumptions.storeSizesGiB?.[store.purpose];
    if (stated !== undefined) {
      return stated;
    }
    if (store.kind === DataStoreKind.DATABASE) {
      return assumptions.databaseSizeGiB ?? store.sizeGiB ?? 100;
    }
    if (store.kind === DataStoreKind.OBJECT_STORE) {
      return assumptions.objectStoreSizeGiB ?? store.sizeGiB ?? 100;
    }
    return store.sizeGiB ?? 100;
  }

  /** The estimated restore time of `store` by a restore of `kind`. */
  public static estimate(kind: RestoreKind, store: DataStoreRecord, assumptions: RestoreAssumptions = {}): RestoreEstimate {
    const model = RestoreTimeModel.modelOf(kind);
    const size = RestoreTimeModel.assumedSize(kind, store, assumptions);
    const variable = model.minutesPerUnit * size;
    const minutes = Math.ceil(model.fixedMinutes + variable);
    const breakdown = model.minutesPerUnit === 0
      ? `${model.fixedMinutes} min ${model.fixedLabel} (size-independent)`
      : `${model.fixedMinutes} min ${model.fixedLabel} + ${size} ${model.unit} x ${model.minutesPerUnit} min/${model.unit === 'GiB' ? 'GiB' : 'object'}`;
    return { minutes, breakdown };
  }

  private constructor() {}
}
