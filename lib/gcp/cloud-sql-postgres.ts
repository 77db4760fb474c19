import type { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import type { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import type { SqlDatabaseInstance, SqlDatabaseInstanceSettings } from '@cdktf/provider-google/lib/sql-database-instance';
import type { SqlUser } from '@cdktf/provider-google/lib/sql-user';
import { Fn, ITerraformDependable, TerraformLocal } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { BackupSchedule } from '../core/backup-schedule';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { DataStoreKind } from '../core/data-store-registry';
import { Duration } from '../core/duration';
import { ValidationError } from '../core/errors';
import {
  ApplicationRoleCredentials, ApplicationRoleOptions, IPostgresDatabase, PostgresDatabaseOptions,
} from '../core/interfaces';
import { PlatformStack } from '../core/platform-stack';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { RestoreKind, RestoreProcedure } from '../core/restore';
import { checkInteger, checkPattern, slugify } from '../core/validate';
import { ManifestChart } from '../k8s/manifest-chart';
import { DATABASE_ADMIN_NAMESPACE, databaseAdminNamespace } from '../k8s/platform-namespace';
import { checkApplicationRoleOptions, roleBootstrapJob } from '../k8s/postgres-role-bootstrap';
import type { GcpCloud } from './gcp-cloud';
import { GcpKeyPurpose, GcpRegionRole } from './gcp-cloud';
import { GcpNamespaceSecretStore } from './gcp-secret-store';
import { addServiceAgentStep, labelValue } from './gcs-bucket';
import { loadGoogle } from './google-bindings';
import { GoogleServiceAgent } from './google-service-agents';

/** Minutes budgeted for a cross-region read replica to lag behind the primary (Google states no bound). */
const REPLICA_LAG_BUDGET_MINUTES = 15;

/** Image of the role bootstrap Job: the PostgreSQL client, pinned (uid 70 is `postgres` in the Alpine image). */

/** Namespace of the Jobs that create application roles: the only namespace the admin login is synced to. */

/** Properties of a {@link CloudSqlPostgres}. */
export interface CloudSqlPostgresProps extends PostgresDatabaseOptions {
  /** The cloud. */
  readonly cloud: GcpCloud;
  /**
   * Self link or ID of the VPC network the instance gets its private IP in.
   *
   * @default - the network of `clients` (its `network.networkSelfLink`, `network.selfLink` or `network.id`)
   */
  readonly privateNetwork?: string;
  /**
   * The private services access connection (service networking) the instance must be created after.
   *
   * @default - `clients.network.privateServiceConnection`
   */
  readonly privateServiceConnection?: ITerraformDependable;
}

/**
 * A Cloud SQL for PostgreSQL instance: regional high availability, private IP only in the cluster's VPC (created
 * after the private services access connection), TLS required, encrypted with the platform's regional CMEK (the
 * Cloud SQL service agent is granted the key first), automated backups stored in the DR region with point-in-time
 * recovery, deletion-protected twice (Terraform's `deletion_protection` and the API's
 * `deletion_protection_enabled`), audit and connection logging flags, IAM database authentication enabled, and the
 * cost allocation as `user_labels` (the provider's default labels do not reach them).
 *
 * When the stack's RPO is shorter than daily backups achieve, a cross-region read replica in the DR region (zonal,
 * under the DR key) keeps a copy within minutes; it is promoted on a disaster.
 *
 * Application roles get a password generated at apply time and written only through write-only arguments (never
 * in Terraform state or Helm values) into a Secret Manager secret replicated to both regions; a Job in the
 * `db-admin` namespace creates the role, and a secret store scoped to the application's namespace copies the
 * login there. MLflow connects with it over TLS (`sslmode=require`), without a proxy sidecar.
 *
 * @example
 * const db = cloud.newPostgresDatabase(this, 'Database', { purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
 */
export class CloudSqlPostgres extends Construct implements IPostgresDatabase {
  /** The instance. */
  public readonly resource: SqlDatabaseInstance;
  /** The cross-region read replica, when the RPO needs one. */
  public readonly replica?: SqlDatabaseInstance;
  /** Private IP address of the instance. */
  public readonly host: string;
  /** PostgreSQL port. */
  public readonly port = 5432;
  /** Name of the initial database. */
  public readonly databaseName: string;
  /** Administrative login (a built-in user with `cloudsqlsuperuser`), for the role bootstrap only. */
  public readonly username = 'mlops_admin';
  /** Instance name. */
  public readonly instanceName: string;
  /** Secret Manager secret holding the admin login (`username`, `password`). */
  public readonly adminSecret: SecretManagerSecret;
  /** The cloud. */
  public readonly cloud: GcpCloud;
  /** What application roles must be created after: the instance, its admin user and the admin secret's version. */
  public readonly adminPrerequisites: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: CloudSqlPostgresProps) {
    super(scope, id);
    const cloud = this.cloud = props.cloud;
    const provider = cloud.provider;
    checkPattern(this, 'databaseName', props.databaseName, /^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'a letter followed by up to 62 letters, digits or "_"');
    const engineVersion = props.engineVersion ?? '18';
    checkPattern(this, 'engineVersion', engineVersion, /^1[4-8]$/, 'a Cloud SQL PostgreSQL major version, 14 to 18 (e.g. "18")');
    const tier = props.instanceClass ?? 'db-custom-2-8192';
    checkPattern(this, 'instanceClass', tier, /^db-custom-\d{1,2}-\d{4,6}$/,
      'a Cloud SQL Enterprise custom tier "db-custom-<vCPUs>-<memory MiB>", e.g. "db-custom-2-8192" (shared-core tiers have no SLA)');
    const storage = props.allocatedStorageGiB ?? 50;
    checkInteger(this, 'allocatedStorageGiB', storage, 10, 65536);
    const maxStorage = props.maxAllocatedStorageGiB ?? Math.max(500, storage);
    checkInteger(this, 'maxAllocatedStorageGiB', maxStorage, storage, 65536);
    const network = networkOf(this, props);
    this.databaseName = props.databaseName;

    const name = this.instanceName = slugify(`${cloud.namePrefix}-${props.purpose}`).slice(0, 80).replace(/-+$/, '');
    const stack = cloud.stack;
    const retentionDays = Math.min(365, Math.max(7, Math.floor(stack.recoveryObjective.retention.toDays())));
    const key = cloud.key(GcpKeyPurpose.DATA, GcpRegionRole.PRIMARY);
    const keyGrant = key.grantToServiceAgent(GoogleServiceAgent.CLOUD_SQL);
    addServiceAgentStep(cloud);
    const labels = { ...cloud.labels, purpose: labelValue(props.purpose) };
    const settings = (availabilityType: string, withBackups: boolean): SqlDatabaseInstanceSettings => ({
      tier,
      edition: 'ENTERPRISE',
      availabilityType,
      diskType: 'PD_SSD',
      diskSize: storage,
      diskAutoresize: true,
      diskAutoresizeLimit: maxStorage,
      deletionProtectionEnabled: true,
      userLabels: labels,
      ipConfiguration: {
        ipv4Enabled: false,
        privateNetwork: network.selfLink,
        // TLS without client certificates: MLflow's driver connects with sslmode=require and a password.
        sslMode: 'ENCRYPTED_ONLY',
      },
      backupConfiguration: withBackups ? {
        enabled: true,
        pointInTimeRecoveryEnabled: true,
        startTime: '02:00',
        // Backups are stored in the DR region: they survive the loss of the primary region.
        location: cloud.drRegion,
        transactionLogRetentionDays: 7,
        backupRetentionSettings: { retainedBackups: retentionDays, retentionUnit: 'COUNT' },
      } : undefined,
      maintenanceWindow: { day: 7, hour: 4, updateTrack: 'stable' },
      insightsConfig: { queryInsightsEnabled: true, recordApplicationTags: false, recordClientAddress: false },
      databaseFlags: DATABASE_FLAGS.map(([flag, value]) => ({ name: flag, value })),
    });
    const { SqlDatabaseInstance: Instance } = loadGoogle<typeof import('@cdktf/provider-google/lib/sql-database-instance')>('sql-database-instance');
    this.resource = new Instance(this, 'Resource', {
      provider,
      project: cloud.projectId,
      name,
      region: cloud.primaryRegion,
      databaseVersion: `POSTGRES_${engineVersion}`,
      encryptionKeyName: key.keyId,
      deletionProtection: true,
      settings: settings('REGIONAL', true),
      dependsOn: [keyGrant, ...(network.connection ? [network.connection] : [])],
    });
    this.host = this.resource.privateIpAddress;
    PolicySuppressions.add(this, [{
      id: 'CKV_GCP_6',
      reason: 'TLS is required (ssl_mode ENCRYPTED_ONLY); client certificates are not, because MLflow connects with a password and ' +
        'sslmode=require, and the instance has no public IP.',
    }]);

    const { SqlDatabase: Database } = loadGoogle<typeof import('@cdktf/provider-google/lib/sql-database')>('sql-database');
    new Database(this, 'Database', {
      provider, project: cloud.projectId, instance: this.resource.name, name: props.databaseName, deletionPolicy: 'ABANDON',
    });
    const admin = newLogin(this, 'Admin', this.username, `${name}-admin`, 'admin login');
    this.adminSecret = admin.secret;
    const { SqlUser: User } = loadGoogle<typeof import('@cdktf/provider-google/lib/sql-user')>('sql-user');
    const adminUser: SqlUser = new User(this, 'AdminUser', {
      provider, project: cloud.projectId, instance: this.resource.name, name: this.username, type: 'BUILT_IN',
      // Write-only (Terraform >= 1.11): the password is sent to Cloud SQL and never kept in state or plan.
      passwordWo: admin.password, passwordWoVersion: 1,
      // PostgreSQL refuses to drop a role that owns objects; the instance goes with its users anyway.
      deletionPolicy: 'ABANDON',
    });
    this.adminPrerequisites = [this.resource, adminUser, admin.version];

    stack.dataStores.register({
      path: this.node.path, kind: DataStoreKind.DATABASE, purpose: props.purpose, resourceId: this.resource.selfLink,
      region: cloud.primaryRegion, backupServiceEligible: false, sizeGiB: storage,
    });
    const cpus = Number(tier.split('-')[2]);
    const memoryGiB = Number(tier.split('-')[3]) / 1024;
    const cost = (resource: string, region: string, unit: CostUnit, baseline: number, full: number, priceKey: string, assumption: string) =>
      stack.addCostLine({ component: this.node.path, resource, region, unit, baselineQuantity: baseline, fullScaleQuantity: full, priceKey, assumption });
    const hours = HOURS_PER_MONTH;
    cost(`Cloud SQL vCPU, regional HA (${tier})`, cloud.primaryRegion, CostUnit.HOUR, cpus * hours, cpus * hours, 'cloudsql:enterprise:vcpu:regional',
      `${cpus} vCPU x ${hours} h, on-demand (no committed-use discount)`);
    cost(`Cloud SQL memory, regional HA (${tier})`, cloud.primaryRegion, CostUnit.HOUR, memoryGiB * hours, memoryGiB * hours, 'cloudsql:enterprise:memory-gib:regional',
      `${memoryGiB} GiB x ${hours} h`);
    cost('Cloud SQL SSD storage, regional HA', cloud.primaryRegion, CostUnit.GB_MONTH, storage, maxStorage, 'cloudsql:ssd:regional',
      `allocatedStorageGiB (${storage}) at baseline, automatic growth to maxAllocatedStorageGiB (${maxStorage}) at full scale`);
    cost(`Cloud SQL backups in ${cloud.drRegion}`, cloud.drRegion, CostUnit.GB_MONTH, storage, maxStorage, 'cloudsql:backup',
      'incremental daily backups about the size of the data (the provisioned storage as an upper bound)');

    const schedule = BackupSchedule.forRpo(stack.recoveryObjective.rpo);
    const retention = Duration.days(retentionDays);
    stack.dataStores.protect(this.node.path, {
      mechanism: 'Cloud SQL point-in-time recovery', rpo: Duration.minutes(5), copyRegion: cloud.primaryRegion, copyRpo: Duration.minutes(5), retention,
    });
    stack.dataStores.protect(this.node.path, {
      mechanism: `Cloud SQL automated backups stored in ${cloud.drRegion}`, rpo: schedule.snapshotRpo, copyRegion: cloud.drRegion,
      copyRpo: schedule.snapshotRpo, retention, restore: backupRestore(cloud, name, tier, engineVersion),
    });
    if (schedule.needsContinuousCopies) {
      const drKey = cloud.key(GcpKeyPurpose.DATA, GcpRegionRole.DR);
      const drGrant = drKey.grantToServiceAgent(GoogleServiceAgent.CLOUD_SQL);
      this.replica = new Instance(this, 'Replica', {
        provider,
        project: cloud.projectId,
        name: `${name.slice(0, 75)}-dr`,
        region: cloud.drRegion,
        databaseVersion: `POSTGRES_${engineVersion}`,
        masterInstanceName: this.resource.name,
        encryptionKeyName: drKey.keyId,
        deletionProtection: true,
        // A zonal replica halves the standby cost; after promotion it can be made regional.
        settings: settings('ZONAL', false),
        dependsOn: [drGrant],
      });
      cost(`Cloud SQL vCPU, cross-region replica (${tier})`, cloud.drRegion, CostUnit.HOUR, cpus * hours, cpus * hours, 'cloudsql:enterprise:vcpu:zonal',
        `${cpus} vCPU x ${hours} h`);
      cost(`Cloud SQL memory, cross-region replica (${tier})`, cloud.drRegion, CostUnit.HOUR, memoryGiB * hours, memoryGiB * hours, 'cloudsql:enterprise:memory-gib:zonal',
        `${memoryGiB} GiB x ${hours} h`);
      cost('Cloud SQL SSD storage, cross-region replica', cloud.drRegion, CostUnit.GB_MONTH, storage, maxStorage, 'cloudsql:ssd:zonal',
        'the replica grows with the primary');
      stack.dataStores.protect(this.node.path, {
        mechanism: 'Cloud SQL cross-region read replica', rpo: Duration.minutes(5), copyRegion: cloud.drRegion,
        copyRpo: Duration.minutes(REPLICA_LAG_BUDGET_MINUTES), retention, restore: replicaRestore(cloud, this.replica, name),
      });
    }
  }

  public addApplicationRole(scope: IConstruct, id: string, options: ApplicationRoleOptions): ApplicationRoleCredentials {
    return new CloudSqlApplicationRole(scope as Construct, id, { ...options, database: this }).credentials;
  }
}

/** A generated login: its secret, the secret's first version and the password expression (never stored). */
interface Login {
  readonly secret: SecretManagerSecret;
  readonly version: SecretManagerSecretVersion;
  readonly password: string;
}

/**
 * A login whose password is generated at apply time (two `uuid()`s, 64 hex characters) into a Terraform local,
 * which is never stored, and written with write-only arguments; the Secret Manager secret keeps it (replicated to
 * both regions). Raise the version of the writes to rotate.
 */
function newLogin(database: CloudSqlPostgres, idPrefix: string, username: string, secretId: string, what: string): Login {
  const password = new TerraformLocal(database, `${idPrefix}Password`,
    Fn.join('', [Fn.replace(Fn.uuid(), '-', ''), Fn.replace(Fn.uuid(), '-', '')]));
  const secret = GcpNamespaceSecretStore.newSecret(database, `${idPrefix}Secret`, { cloud: database.cloud, secretId, purpose: `${database.instanceName} ${what}` });
  const { SecretManagerSecretVersion: Version } =
    loadGoogle<typeof import('@cdktf/provider-google/lib/secret-manager-secret-version')>('secret-manager-secret-version');
  const version = new Version(database, `${idPrefix}SecretValue`, {
    provider: database.cloud.provider,
    secret: secret.id,
    secretDataWo: Fn.jsonencode({ username, password: password.asString }),
    secretDataWoVersion: 1,
  });
  return { secret, version, password: password.asString };
}

/**
 * Flags that checkov's Cloud SQL PostgreSQL checks ask for (CKV_GCP_51-57, 108-111, CKV2_GCP_13-17) and IAM
 * database authentication. log_min_duration_statement stays -1: logging statements by duration would write their
 * parameters (secrets, personal data) to Cloud Logging.
 */
const DATABASE_FLAGS: Array<[string, string]> = [
  ['cloudsql.iam_authentication', 'on'],
  ['cloudsql.enable_pgaudit', 'on'],
  ['log_checkpoints', 'on'],
  ['log_connections', 'on'],
  ['log_disconnections', 'on'],
  ['log_duration', 'on'],
  ['log_hostname', 'on'],
  ['log_lock_waits', 'on'],
  ['log_min_duration_statement', '-1'],
  ['log_min_error_statement', 'error'],
  ['log_min_messages', 'error'],
  ['log_statement', 'ddl'],
  ['log_temp_files', '0'],
];

interface NetworkRef {
  readonly selfLink: string;
  readonly connection?: ITerraformDependable;
}

/** The VPC and private services connection, from the props or the clients' network. */
function networkOf(scope: Construct, props: CloudSqlPostgresProps): NetworkRef {
  const network = (props.clients as any)?.network;
  const selfLink = props.privateNetwork ?? network?.networkSelfLink ?? network?.selfLink ?? network?.vpcSelfLink ?? network?.id;
  if (typeof selfLink !== 'string' || selfLink === '') {
    throw new ValidationError(scope, 'clients', (props.clients as any)?.node?.path ?? props.clients, 'has no VPC network the instance can take a private IP in',
      'Pass a GkeCluster (its network is used), or set privateNetwork and privateServiceConnection.');
  }
  return { selfLink, connection: props.privateServiceConnection ?? network?.privateServiceConnection };
}

/** How the backups stored in the DR region restore: a new instance there, then a restore of the newest backup into it. */
function backupRestore(cloud: GcpCloud, name: string, tier: string, engineVersion: string): RestoreProcedure {
  const dr = cloud.drRegion;
  const target = `${name.slice(0, 70)}-restored`;
  return {
    kind: RestoreKind.SNAPSHOT,
    summary: `restore of the newest automated backup of \`${name}\` (stored in ${dr}) into a new instance in ${dr}`,
    afterDeploy: true,
    prerequisites: [
      `The automated backups of Cloud SQL instance \`${name}\`, stored in \`${dr}\` (kept after the instance is gone until they expire).`,
      `The DR data key in \`${dr}\` (key ring \`${cloud.namePrefix}-dr\`, key \`${cloud.namePrefix}-data\`).`,
      `The replicas in \`${dr}\` of the Secret Manager secrets with the database logins (the restored database keeps their passwords).`,
    ],
    steps: [{
      title: `Create \`${target}\` in ${dr}`,
      lookups: { PROJECT: cloud.projectId, DR_KEY: cloud.key(GcpKeyPurpose.DATA, GcpRegionRole.DR).keyId },
      commands: [
        `gcloud sql instances create ${target} --project "$PROJECT" --region ${dr} --database-version POSTGRES_${engineVersion} --tier ${tier} \\\n` +
        '  --edition ENTERPRISE --availability-type REGIONAL --no-assign-ip --network "$NETWORK" --disk-encryption-key "$DR_KEY" \\\n' +
        '  --ssl-mode ENCRYPTED_ONLY --deletion-protection',
      ],
      detail: 'Set NETWORK to the VPC of the platform deployed in the DR region (`projects/<project>/global/networks/<name>`).',
    }, {
      title: `Restore the newest backup of \`${name}\` into \`${target}\``,
      commands: [
        `BACKUP=$(gcloud sql backups list --project "$PROJECT" --instance ${name} --filter="status=SUCCESSFUL" --sort-by=~endTime --limit 1 --format="value(id)")`,
        `gcloud sql backups restore "$BACKUP" --project "$PROJECT" --backup-instance ${name} --restore-instance ${target} --quiet`,
      ],
    }],
    endpointCommand: `gcloud sql instances describe ${target} --project "$PROJECT" --format="value(ipAddresses[0].ipAddress)"`,
  };
}

/** How the cross-region replica takes over: promote it to a standalone primary. */
function replicaRestore(cloud: GcpCloud, replica: SqlDatabaseInstance, name: string): RestoreProcedure {
  const dr = cloud.drRegion;
  return {
    kind: RestoreKind.REPLICA,
    summary: `promote the cross-region read replica of \`${name}\` in ${dr}`,
    prerequisites: [`The read replica of \`${name}\` in \`${dr}\`, encrypted with the DR data key.`],
    steps: [{
      title: `Promote the replica of \`${name}\` in ${dr}`,
      detail: 'Transactions not yet replayed on the replica when the primary region was lost are missing. Promotion is one-way: the ' +
        'replica becomes a standalone zonal instance; make it regional and enable its backups afterwards.',
      lookups: { PROJECT: cloud.projectId, REPLICA: replica.name },
      commands: [
        'gcloud sql instances promote-replica "$REPLICA" --project "$PROJECT" --quiet',
        'gcloud sql instances patch "$REPLICA" --project "$PROJECT" --availability-type REGIONAL --backup-start-time 02:00 --enable-point-in-time-recovery',
      ],
    }],
    endpointCommand: 'gcloud sql instances describe "$REPLICA" --project "$PROJECT" --format="value(ipAddresses[0].ipAddress)"',
  };
}

interface CloudSqlApplicationRoleProps extends ApplicationRoleOptions {
  readonly database: CloudSqlPostgres;
}

/** A least-privilege login role of one application (see IPostgresDatabase.addApplicationRole). */
class CloudSqlApplicationRole extends Construct {
  public readonly credentials: ApplicationRoleCredentials;

  constructor(scope: Construct, id: string, props: CloudSqlApplicationRoleProps) {
    super(scope, id);
    const { database, cluster } = props;
    checkApplicationRoleOptions(this, props);
    const cloud = database.cloud;
    const login = newLogin(database, `Role${pascal(props.roleName)}`, props.roleName,
      `${database.instanceName}-${props.roleName.replace(/_/g, '-')}`.slice(0, 255), `${props.roleName} login`);
    // Scoped to this construct: each application role gets its own pair of stores.
    databaseAdminNamespace(cluster);
    const storeName = `${database.instanceName}-${props.roleName}`.replace(/[^a-z0-9-]/g, '-').slice(0, 50).replace(/-+$/, '');
    const admin = new GcpNamespaceSecretStore(this, 'AdminSecrets', {
      cloud, cluster, namespace: DATABASE_ADMIN_NAMESPACE, name: storeName,
      dependsOn: [databaseAdminNamespace(cluster).resource, ...database.adminPrerequisites, login.version],
      secrets: [
        { secretName: `${props.roleName}-admin`, secret: database.adminSecret, properties: ['username', 'password'] },
        { secretName: `${props.roleName}-login`, secret: login.secret, properties: ['password'] },
      ],
    });
    const bootstrap = new ManifestChart(this, 'Bootstrap', {
      cluster,
      releaseName: `${props.roleName}-role-bootstrap`.replace(/_/g, '-'),
      namespace: DATABASE_ADMIN_NAMESPACE,
      dependsOn: [admin.chart.resource, ...database.adminPrerequisites],
      waitForJobs: true,
      manifests: [roleBootstrapJob({
        namePrefix: props.roleName.replace(/_/g, '-'), host: database.host, port: database.port, roleName: props.roleName,
        databases: props.databases, adminSecretName: `${props.roleName}-admin`, loginSecretName: `${props.roleName}-login`,
      })],
    });
    const app = new GcpNamespaceSecretStore(this, 'AppSecrets', {
      cloud, cluster, namespace: props.namespace, name: `${props.secretName}-store`.slice(0, 53),
      dependsOn: [login.version, ...(props.dependsOn ?? [])],
      secrets: [{ secretName: props.secretName, secret: login.secret, properties: ['username', 'password'] }],
    });
    const stack = PlatformStack.ofConstruct(this);
    if (stack.dataStores.stores.some((e) => e.store.path === database.node.path)) {
      // Runbook variables per role: every role of the database has its own login secret.
      const roleVar = props.roleName.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
      stack.dataStores.addClient(database.node.path, {
        name: `Role \`${props.roleName}\``,
        repoint: {
          title: `Give the \`${props.roleName}\` login of the DR deployment the password the restored database knows`,
          detail: 'The restored (or promoted) database keeps the password the role had; its secret (replicated to the DR region) still ' +
            'holds it, while the DR deployment generated a new one. Copy the old value over and let External Secrets sync it.',
          lookups: { PROJECT: cloud.projectId, [`OLD_${roleVar}_LOGIN_SECRET`]: login.secret.secretId },
          deployedLookups: { [`NEW_${roleVar}_LOGIN_SECRET`]: login.secret.secretId },
          commands: [
            `gcloud secrets versions access latest --project "$PROJECT" --secret "$OLD_${roleVar}_LOGIN_SECRET" | \\\n` +
            `  gcloud secrets versions add "$NEW_${roleVar}_LOGIN_SECRET" --project "$PROJECT" --data-file=-`,
            `kubectl -n ${props.namespace} annotate externalsecret ${props.secretName} force-sync="$(date +%s)" --overwrite`,
          ],
        },
      });
    }
    this.credentials = {
      secretName: props.secretName, usernameKey: 'username', passwordKey: 'password',
      prerequisites: [bootstrap.resource, app.chart.resource],
    };
  }
}



function pascal(value: string): string {
  return value.split(/[_-]/).filter((w) => w !== '').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
