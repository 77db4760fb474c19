import { Duration } from './duration';
import type { DataStoreClient, RestoreProcedure } from './restore';

/** Kinds of stateful stores the platform keeps. */
export enum DataStoreKind {
  /** A relational database. */
  DATABASE = 'DATABASE',
  /** An object store bucket. */
  OBJECT_STORE = 'OBJECT_STORE',
  /** Kubernetes cluster state (objects and volumes). */
  CLUSTER_STATE = 'CLUSTER_STATE',
}

/** A stateful store a construct created, as recorded in the registry. */
export interface DataStoreRecord {
  /** Construct path of the store. Unique in the stack. */
  readonly path: string;
  /** Kind of store. */
  readonly kind: DataStoreKind;
  /** What the store holds, e.g. `MLflow backend store`. */
  readonly purpose: string;
  /** Cloud identifier the backup service selects it by (an ARN on AWS); may be a token. */
  readonly resourceId: string;
  /** Region of the store. */
  readonly region: string;
  /** Whether the cloud's backup service can protect this kind of store. */
  readonly backupServiceEligible: boolean;
  /**
   * Data size the restore-time estimates assume, in GiB (e.g. a database's allocated storage); the
   * RecoveryObjective's restore assumptions override it.
   *
   * @default - the RecoveryObjective's restore assumptions for the kind
   */
  readonly sizeGiB?: number;
  /**
   * Where a restore of this store goes in the stack deployed in the DR region (its subnet group, security group):
   * shell variable to value (a Terraform token of the stack), read from the DR deployment's state after it is
   * deployed. Restore steps use them as `$NAME`.
   *
   * @default - none
   */
  readonly deployedLookups?: { [variable: string]: string };
}

/** How a store is protected, as recorded by the construct that protects it. */
export interface DataStoreProtection {
  /** Mechanism, e.g. `AWS Backup` or `S3 cross-region replication`. */
  readonly mechanism: string;
  /** Worst-case data loss in the primary region. */
  readonly rpo: Duration;
  /** Region that holds the copy. */
  readonly copyRegion: string;
  /** Worst-case data loss of the copy in the copy region. */
  readonly copyRpo: Duration;
  /** How long recovery points are kept. */
  readonly retention: Duration;
  /**
   * How the copy is restored, with the restore-time model that applies. Synth fails when a store's copies outside
   * its region state none, because a copy nobody can restore in time does not meet the RTO.
   *
   * @default - none (only acceptable for copies inside the store's region)
   */
  readonly restore?: RestoreProcedure;
}

/** A registered store and the protections recorded for it. */
export interface DataStoreEntry {
  /** The store. */
  readonly store: DataStoreRecord;
  /** Every protection recorded for it. */
  readonly protections: DataStoreProtection[];
  /**
   * Who uses the store and must be re-pointed to its restored copy.
   *
   * @default - none
   */
  readonly clients?: DataStoreClient[];
}

/** Something that protects every store it is responsible for, including stores registered after it. */
export interface IDataStoreCoverage {
  /** The protection this coverage gives the store, or undefined when it does not cover it. */
  protectionFor(store: DataStoreRecord): DataStoreProtection | undefined;
}

/**
 * Where constructs record the data stores they create, and where backup constructs record how they protect
 * them. The stack's validation proves from this registry that every store meets the recovery objective.
 */
export class DataStoreRegistry {
  private readonly entries = new Map<string, { store: DataStoreRecord; protections: DataStoreProtection[]; clients: DataStoreClient[] }>();
  private readonly coverages: IDataStoreCoverage[] = [];

  /** Adds a coverage that is asked about every store, whenever it was registered. */
  public addCoverage(coverage: IDataStoreCoverage): void {
    this.coverages.push(coverage);
  }

  /** Records a store. Registering the same path twice is a programming error. */
  public register(store: DataStoreRecord): void {
    if (this.entries.has(store.path)) {
      throw new Error(`data store ${store.path} is registered twice`);
    }
    this.entries.set(store.path, { store, protections: [], clients: [] });
  }

  /** Records how a registered store is protected. */
  public protect(path: string, protection: DataStoreProtection): void {
    const entry = this.entries.get(path);
    if (!entry) {
      throw new Error(`data store ${path} is not registered`);
    }
    entry.protections.push(protection);
  }

  /** Records a client of a registered store, which the restore runbook re-points to the restored copy. */
  public addClient(path: string, client: DataStoreClient): void {
    const entry = this.entries.get(path);
    if (!entry) {
      throw new Error(`data store ${path} is not registered`);
    }
    entry.clients.push(client);
  }

  /** Every registered store, in registration order. */
  public get stores(): DataStoreEntry[] {
    return [...this.entries.values()].map((e) => ({
      store: e.store,
      clients: [...e.clients],
      protections: [
        ...e.protections,
        ...this.coverages.map((c) => c.protectionFor(e.store)).filter((p): p is DataStoreProtection => p !== undefined),
      ],
    }));
  }
}
