import type { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import type { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Annotations, Fn, ITerraformDependable, TerraformLocal } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
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
import type { AzureCloud } from './azure-cloud';
import { AzureKeyPurpose, AzureRegionRole } from './azure-cloud';
import { azurePairedRegion } from './azure-regions';
import { loadAzurerm } from './azurerm-bindings';
import { DataProtectionBackupPlan } from './data-protection-backup';
import { KeyVaultSecretStore } from './key-vault-secret-store';

/** Minutes of data a geo-restore may lose: Azure documents an RPO of less than one hour for geo-redundant backups. */
const GEO_BACKUP_RPO_MINUTES = 60;

/** Image of the role bootstrap Job: the PostgreSQL client, pinned (uid 70 is `postgres` in the Alpine image). */

/** Namespace of the Jobs that create application roles: the only namespace the admin login is synced to. */

/** Storage sizes (GiB) a flexible server accepts (`storage_mb` takes these times 1024). */
const STORAGE_SIZES_GIB = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

/**
 * Server parameters the platform sets: TLS required, connection logging and throttling of failed logins (checkov's
 * CKV_AZURE_30-32, written for single servers, asked of flexible servers too). Statement logging stays off: it
 * would write parameters (secrets, personal data) to the server logs.
 */
const SERVER_PARAMETERS: Array<[string, string]> = [
  ['require_secure_transport', 'on'],
  ['log_checkpoints', 'on'],
  ['log_connections', 'on'],
  ['log_disconnections', 'on'],
  ['connection_throttle.enable', 'on'],
];

/** Properties of a {@link PostgresFlexibleServer}. */
export interface PostgresFlexibleServerProps extends PostgresDatabaseOptions {
  /** The cloud (provider, network, keys, Key Vault). */
  readonly cloud: AzureCloud;
  /**
   * Keep geo-redundant backups, which Azure stores in the primary region's Azure pair and can only be chosen when
   * the server is created.
   *
   * @default - true when the stack's DR region is the primary region's pair (the copy is then in the DR region)
   */
  readonly geoRedundantBackup?: boolean;
  /**
   * Object ID of an Entra group or user that becomes the server's Entra administrator (people sign in with Entra
   * tokens; the platform's workloads use their password logins).
   *
   * @default - no Entra administrator: Entra authentication is on, and an administrator can be added later
   */
  readonly entraAdminObjectId?: string;
  /**
   * Display name of the Entra administrator (the group's or user's name), required with `entraAdminObjectId`.
   *
   * @default - none
   */
  readonly entraAdminName?: string;
}

/**
 * An Azure Database for PostgreSQL flexible server: General Purpose (or Memory Optimized) SKU with zone-redundant
 * high availability, private access only (VNet integration in the network's delegated subnet, registered in the
 * `privatelink.postgres.database.azure.com` zone linked to the VNet), TLS required (`require_secure_transport`),
 * encrypted with the platform's CMK through a user-assigned identity, geo-redundant backups (chosen at creation)
 * encrypted with the DR region's key through a second identity, storage auto-grow, connection logging and
 * throttling parameters, and a `CanNotDelete` management lock (flexible servers have no deletion-protection
 * argument).
 *
 * Authentication: Entra ID is on, and so are passwords. MLflow (and most workloads the platform installs) connect
 * through SQLAlchemy with a fixed password in the connection URL; an Entra token expires after an hour and MLflow
 * has no hook to fetch a new one, so password authentication cannot be turned off without breaking it. The
 * administrator's password is generated at apply time and written only through write-only arguments into the
 * server and a Key Vault secret; workloads never use it: `addApplicationRole` creates a login role per
 * application (a Job in the `db-admin` namespace, its password in Key Vault, synced by a secret store scoped to
 * the application's namespace). People use Entra (`entraAdminObjectId`).
 *
 * Geo-redundant backups go to the primary region's Azure pair: when the stack's DR region is that pair, they are
 * the copy in the DR region (geo-restore there); otherwise they default to off and the copy outside the region is
 * the backup vault's (BackupPolicy), whose own geo-redundancy also follows the pair.
 *
 * @example
 * const db = cloud.newPostgresDatabase(this, 'Database', { purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
 */
export class PostgresFlexibleServer extends Construct implements IPostgresDatabase {
  /** The server. */
  public readonly resource: PostgresqlFlexibleServer;
  /** The identity the server unwraps its CMK with. */
  public readonly encryptionIdentity: UserAssignedIdentity;
  /** The identity the server unwraps the geo-backup key with (in the pair region), when geo backups are on. */
  public readonly geoBackupIdentity?: UserAssignedIdentity;
  /** FQDN of the server (resolves to its private address in the VNet). */
  public readonly host: string;
  /** PostgreSQL port. */
  public readonly port = 5432;
  /** Name of the initial database. */
  public readonly databaseName: string;
  /** Administrator login, for the role bootstrap only. */
  public readonly username = 'mlops_admin';
  /** Server name. */
  public readonly serverName: string;
  /** Key Vault secret holding the administrator login (`username`, `password`). */
  public readonly adminSecret: KeyVaultSecret;
  /** Whether geo-redundant backups are on. */
  public readonly geoRedundantBackup: boolean;
  /** The cloud. */
  public readonly cloud: AzureCloud;
  /** What application roles must be created after: the server, its parameters and the admin secret. */
  public readonly adminPrerequisites: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: PostgresFlexibleServerProps) {
    super(scope, id);
    const cloud = this.cloud = props.cloud;
    const provider = cloud.provider;
    checkPattern(this, 'databaseName', props.databaseName, /^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'a letter followed by up to 62 letters, digits or "_"');
    const engineVersion = props.engineVersion ?? '17';
    checkPattern(this, 'engineVersion', engineVersion, /^1[3-7]$/, 'a PostgreSQL flexible server major version, 13 to 17 (e.g. "17")');
    const sku = props.instanceClass ?? 'GP_Standard_D2ds_v5';
    cloud.checkDatabaseInstanceClass(this, 'instanceClass', sku);
    const storage = props.allocatedStorageGiB ?? 64;
    if (!STORAGE_SIZES_GIB.includes(storage)) {
      throw new ValidationError(this, 'allocatedStorageGiB', storage, `is not a flexible server storage size (${STORAGE_SIZES_GIB.join(', ')} GiB)`,
        'Pick one of the listed sizes; storage grows on its own (auto-grow) from there.');
    }
    const maxStorage = props.maxAllocatedStorageGiB ?? Math.max(512, storage);
    checkInteger(this, 'maxAllocatedStorageGiB', maxStorage, storage, 32767);
    if (props.entraAdminObjectId !== undefined && props.entraAdminName === undefined) {
      throw new ValidationError(this, 'entraAdminName', undefined, 'is required with entraAdminObjectId',
        'Pass the display name of the Entra group or user, e.g. "ml-platform-dba".');
    }
    const pair = azurePairedRegion(cloud.primaryRegion);
    const geo = this.geoRedundantBackup = props.geoRedundantBackup ?? cloud.drRegionIsPaired;
    if (geo && pair === undefined) {
      throw new ValidationError(this, 'geoRedundantBackup', true, `cannot be on in ${cloud.primaryRegion}, which has no Azure pair region`,
        'Leave it unset; the backup vault (BackupPolicy) keeps the copy outside the region.');
    }
    this.databaseName = props.databaseName;
    const stack = cloud.stack;
    const name = this.serverName = slugify(`psql-${cloud.namePrefix}-${props.purpose}`).slice(0, 63).replace(/-+$/, '');
    const resourceGroupName = cloud.resourceGroupName(AzureRegionRole.PRIMARY);
    const network = cloud.network;

    const { UserAssignedIdentity: Identity } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/user-assigned-identity')>('user-assigned-identity');
    this.encryptionIdentity = new Identity(this, 'EncryptionIdentity', {
      provider, name: `id-${name}-cmk`.slice(0, 128), location: cloud.primaryRegion, resourceGroupName,
    });
    const key = cloud.key(AzureKeyPurpose.DATA, AzureRegionRole.PRIMARY);
    const grants: ITerraformDependable[] = [key.grantEncryptDecrypt(this.encryptionIdentity.principalId, `Postgres${this.node.addr.slice(0, 10)}`)];
    let geoKeyId: string | undefined;
    if (geo) {
      // The geo-backup key and its identity must be in the region the backups go to: the pair.
      this.geoBackupIdentity = new Identity(this, 'GeoBackupIdentity', {
        provider, name: `id-${name}-geo-cmk`.slice(0, 128), location: pair!, resourceGroupName: cloud.resourceGroupName(AzureRegionRole.DR),
      });
      const drKey = cloud.key(AzureKeyPurpose.DATA, AzureRegionRole.DR);
      geoKeyId = drKey.versionlessId;
      grants.push(drKey.grantEncryptDecrypt(this.geoBackupIdentity.principalId, `PostgresGeo${this.node.addr.slice(0, 10)}`));
    }
    const admin = newLogin(this, 'Admin', this.username, `${name}-admin`.slice(0, 127), 'administrator login');
    this.adminSecret = admin.secret;
    const retentionDays = Math.min(35, Math.max(7, Math.floor(stack.recoveryObjective.retention.toDays())));
    const zones = cloud.hasZones(AzureRegionRole.PRIMARY);

    const { PostgresqlFlexibleServer: Server } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/postgresql-flexible-server')>('postgresql-flexible-server');
    this.resource = new Server(this, 'Resource', {
      provider,
      name,
      location: cloud.primaryRegion,
      resourceGroupName,
      version: engineVersion,
      skuName: sku,
      storageMb: storage * 1024,
      autoGrowEnabled: true,
      backupRetentionDays: retentionDays,
      // Decided at creation: changing it later replaces the server.
      geoRedundantBackupEnabled: geo,
      delegatedSubnetId: network.postgresSubnetId,
      privateDnsZoneId: network.postgresPrivateDnsZoneId,
      publicNetworkAccessEnabled: false,
      zone: zones ? '1' : undefined,
      highAvailability: zones ? { mode: 'ZoneRedundant', standbyAvailabilityZone: '2' } : { mode: 'SameZone' },
      authentication: { activeDirectoryAuthEnabled: true, passwordAuthEnabled: true, tenantId: cloud.tenantId },
      administratorLogin: this.username,
      // Write-only (Terraform >= 1.11): the password reaches the server and never Terraform state or plan.
      administratorPasswordWo: admin.password,
      administratorPasswordWoVersion: 1,
      identity: { type: 'UserAssigned', identityIds: [this.encryptionIdentity.id, ...(this.geoBackupIdentity ? [this.geoBackupIdentity.id] : [])] },
      customerManagedKey: {
        keyVaultKeyId: key.versionlessId,
        primaryUserAssignedIdentityId: this.encryptionIdentity.id,
        geoBackupKeyVaultKeyId: geoKeyId,
        geoBackupUserAssignedIdentityId: this.geoBackupIdentity?.id,
      },
      maintenanceWindow: { dayOfWeek: 0, startHour: 4, startMinute: 0 },
      // Azure picks the zones again after a failover: keep Terraform from swapping them back.
      lifecycle: { ignoreChanges: ['zone', 'high_availability[0].standby_availability_zone'] },
      dependsOn: [...grants, network.postgresPrivateDnsZoneLink],
    });
    this.host = this.resource.fqdn;
    PolicySuppressions.add(this.resource, [{
      id: 'CKV2_AZURE_57',
      reason: 'The server uses private access (VNet integration in a delegated subnet, no public endpoint at all); Azure offers private ' +
        'endpoints only for servers created with public access, which the platform does not create.',
    }]);
    if (!geo) {
      PolicySuppressions.add(this.resource, [{
        id: 'CKV_AZURE_136',
        reason: `Geo-redundant backups go to the Azure pair of ${cloud.primaryRegion} (${pair ?? 'none'}), not to the stack's DR region ` +
          `${cloud.drRegion}; the copy outside the region is the backup vault's (BackupPolicy).`,
      }]);
      Annotations.of(this).addWarning(`Geo-redundant backups are off: the stack's DR region ${cloud.drRegion} is not the Azure pair of ` +
        `${cloud.primaryRegion}. The copy outside the region must come from the backup vault (BackupPolicy).`);
    }
    const { PostgresqlFlexibleServerConfiguration: Parameter } =
      loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/postgresql-flexible-server-configuration')>('postgresql-flexible-server-configuration');
    // One parameter at a time: the server accepts one configuration change at once.
    let previous: ITerraformDependable | undefined;
    const parameters: ITerraformDependable[] = [];
    for (const [parameter, value] of SERVER_PARAMETERS) {
      const resource: ITerraformDependable = new Parameter(this, `Parameter-${parameter.replace(/[._]/g, '-')}`, {
        provider, serverId: this.resource.id, name: parameter, value, dependsOn: previous ? [previous] : undefined,
      });
      parameters.push(resource);
      previous = resource;
    }
    const { PostgresqlFlexibleServerDatabase: Database } =
      loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/postgresql-flexible-server-database')>('postgresql-flexible-server-database');
    new Database(this, 'Database', {
      provider, serverId: this.resource.id, name: props.databaseName, charset: 'UTF8', collation: 'en_US.utf8',
      // Dropping the database with the stack would lose it even with the server lock in place.
      lifecycle: { preventDestroy: true },
    });
    if (props.entraAdminObjectId !== undefined) {
      const { PostgresqlFlexibleServerActiveDirectoryAdministrator: EntraAdmin } =
        loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator')>('postgresql-flexible-server-active-directory-administrator');
      new EntraAdmin(this, 'EntraAdministrator', {
        provider, serverName: this.resource.name, resourceGroupName, tenantId: cloud.tenantId,
        objectId: props.entraAdminObjectId, principalName: props.entraAdminName!, principalType: 'Group',
      });
    }
    cloud.lockAgainstDeletion(this, 'DeleteLock', this.resource.id, `Holds the ${props.purpose} database of the platform.`);
    this.adminPrerequisites = [this.resource, admin.secret, ...parameters];

    stack.dataStores.register({
      path: this.node.path, kind: DataStoreKind.DATABASE, purpose: props.purpose, resourceId: this.resource.id,
      // Azure Backup keeps weekly backups of flexible servers only: the plan records that copy itself (not BackupPolicy's daily cadence).
      region: cloud.primaryRegion, backupServiceEligible: false, sizeGiB: storage,
    });
    DataProtectionBackupPlan.protect(this, {
      path: this.node.path, kind: DataStoreKind.DATABASE, resourceId: this.resource.id, purpose: props.purpose,
      resourceGroupId: cloud.resourceGroup(AzureRegionRole.PRIMARY).id,
    });
    const vcores = vcoresOf(sku);
    const hours = HOURS_PER_MONTH;
    const cost = (resource: string, region: string, unit: CostUnit, baseline: number, full: number, priceKey: string, assumption: string) =>
      stack.addCostLine({ component: this.node.path, resource, region, unit, baselineQuantity: baseline, fullScaleQuantity: full, priceKey, assumption });
    const nodes = 2; // primary and its standby
    const tier = sku.startsWith('MO_') ? 'mo' : 'gp';
    cost(`PostgreSQL flexible server vCores, primary and HA standby (${sku})`, cloud.primaryRegion, CostUnit.HOUR, nodes * vcores * hours,
      nodes * vcores * hours, `postgres:${tier}-vcore-hour`, `${nodes} servers (primary and standby) x ${vcores} vCores x ${hours} h, pay-as-you-go`);
    cost('PostgreSQL flexible server storage, primary and HA standby', cloud.primaryRegion, CostUnit.GB_MONTH, nodes * storage, nodes * maxStorage,
      'postgres-flexible:storage', `allocatedStorageGiB (${storage}) on each of ${nodes} servers at baseline, auto-grow to ${maxStorage} at full scale`);
    if (geo) {
      cost(`PostgreSQL flexible server geo-redundant backup storage (${pair})`, cloud.primaryRegion, CostUnit.GB_MONTH, storage, maxStorage,
        'postgres-flexible:backup-geo', 'backups about the size of the data (geo-redundant backup storage is billed in full)');
    }

    const retention = Duration.days(retentionDays);
    stack.dataStores.protect(this.node.path, {
      mechanism: 'PostgreSQL flexible server point-in-time restore', rpo: Duration.minutes(5), copyRegion: cloud.primaryRegion,
      copyRpo: Duration.minutes(5), retention,
    });
    if (geo) {
      stack.dataStores.protect(this.node.path, {
        mechanism: `PostgreSQL flexible server geo-redundant backups (${pair})`, rpo: Duration.minutes(5), copyRegion: pair!,
        copyRpo: Duration.minutes(GEO_BACKUP_RPO_MINUTES), retention, restore: geoRestore(this, pair!, sku, engineVersion),
      });
    }
  }

  public addApplicationRole(scope: IConstruct, id: string, options: ApplicationRoleOptions): ApplicationRoleCredentials {
    return new FlexibleServerApplicationRole(scope as Construct, id, { ...options, database: this }).credentials;
  }
}

/** vCores of a flexible server SKU (`GP_Standard_D4ds_v5` has 4). */
function vcoresOf(sku: string): number {
  const match = /_[DE](\d+)/.exec(sku);
  return match ? Number(match[1]) : 2;
}

/** A generated login: its Key Vault secret and the password expression (never stored). */
interface Login {
  readonly secret: KeyVaultSecret;
  readonly password: string;
}

/**
 * A login whose password is generated at apply time (two `uuid()`s, 64 hex characters: upper- and lower-case letters and digits) in a
 * Terraform local, which is never stored, and written with write-only arguments: the Key Vault secret keeps it as
 * `{"username", "password"}`. Raise the write-only versions to rotate.
 */
function newLogin(database: PostgresFlexibleServer, idPrefix: string, username: string, secretName: string, what: string): Login {
  const password = new TerraformLocal(database, `${idPrefix}Password`,
    // Upper-case hex + lower-case hex + digits: the flexible server rejects an administrator password with fewer than three
    // character classes (PasswordNotComplex), and this alphabet stays safe in connection URIs.
    Fn.join('', [Fn.upper(Fn.replace(Fn.uuid(), '-', '')), Fn.replace(Fn.uuid(), '-', '')]));
  const secret = KeyVaultSecretStore.newSecret(database, `${idPrefix}Secret`, {
    cloud: database.cloud, secretName: secretName.replace(/[^0-9A-Za-z-]/g, '-'), purpose: `${database.serverName} ${what}`,
    value: Fn.jsonencode({ username, password: password.asString }),
  });
  return { secret, password: password.asString };
}

/** How the geo-redundant backups restore: a new server in the pair region from the newest geo-replicated backup. */
function geoRestore(db: PostgresFlexibleServer, pair: string, sku: string, engineVersion: string): RestoreProcedure {
  const cloud = db.cloud;
  const target = `${db.serverName.slice(0, 54)}-restored`;
  return {
    kind: RestoreKind.POINT_IN_TIME,
    summary: `geo-restore of \`${db.serverName}\` from its geo-redundant backups into a new server in ${pair}`,
    afterDeploy: true,
    prerequisites: [
      `The geo-redundant backups of \`${db.serverName}\`, kept by Azure in \`${pair}\` (kept after the server is gone until they expire).`,
      `The DR data key in \`${pair}\` and the geo-backup identity that reads it.`,
      'The Key Vault secrets with the database logins (the restored database keeps their passwords; Key Vault keeps a copy in the pair region).',
    ],
    steps: [{
      title: `Geo-restore \`${db.serverName}\` into \`${target}\` in ${pair}`,
      detail: 'Set SUBNET_ID and DNS_ZONE_ID to the delegated PostgreSQL subnet and the private DNS zone of the platform deployed in the DR ' +
        `region. The restored server starts without HA: enable zone-redundant HA after the restore (${sku}, PostgreSQL ${engineVersion}).`,
      lookups: {
        SOURCE_ID: db.resource.id, DR_GROUP: cloud.resourceGroupName(AzureRegionRole.DR),
        DR_KEY: cloud.key(AzureKeyPurpose.DATA, AzureRegionRole.DR).versionlessId,
        GEO_IDENTITY: db.geoBackupIdentity?.id ?? '',
      },
      commands: [
        `az postgres flexible-server geo-restore --resource-group "$DR_GROUP" --name ${target} --source-server "$SOURCE_ID" --location ${pair} \\\n` +
        '  --subnet "$SUBNET_ID" --private-dns-zone "$DNS_ZONE_ID" --key "$DR_KEY" --identity "$GEO_IDENTITY"',
        `az postgres flexible-server update --resource-group "$DR_GROUP" --name ${target} --high-availability ZoneRedundant`,
      ],
    }],
    endpointCommand: `az postgres flexible-server show --resource-group "$DR_GROUP" --name ${target} --query fullyQualifiedDomainName -o tsv`,
  };
}

interface FlexibleServerApplicationRoleProps extends ApplicationRoleOptions {
  readonly database: PostgresFlexibleServer;
}

/** A least-privilege login role of one application (see IPostgresDatabase.addApplicationRole). */
class FlexibleServerApplicationRole extends Construct {
  public readonly credentials: ApplicationRoleCredentials;

  constructor(scope: Construct, id: string, props: FlexibleServerApplicationRoleProps) {
    super(scope, id);
    const { database, cluster } = props;
    checkApplicationRoleOptions(this, props);
    if (['azure_pg_admin', 'azuresu', 'azure_superuser', 'replication', database.username].includes(props.roleName)) {
      throw new ValidationError(this, 'roleName', props.roleName, 'is a role the flexible server reserves', 'Use the application\'s name, e.g. "mlflow".');
    }
    const cloud = database.cloud;
    const login = newLogin(database, `Role${pascal(props.roleName)}`, props.roleName,
      `${database.serverName}-${props.roleName.replace(/_/g, '-')}`.slice(0, 127), `${props.roleName} login`);
    const storeName = `${database.serverName}-${props.roleName}`.replace(/[^a-z0-9-]/g, '-').slice(0, 50).replace(/-+$/, '');
    const namespace = databaseAdminNamespace(cluster);
    const admin = new KeyVaultSecretStore(this, 'AdminSecrets', {
      cloud, cluster, namespace: DATABASE_ADMIN_NAMESPACE, name: storeName,
      dependsOn: [namespace.resource, ...database.adminPrerequisites, login.secret],
      secrets: [
        { secretName: `${props.roleName.replace(/_/g, '-')}-admin`, secret: database.adminSecret, properties: ['username', 'password'] },
        { secretName: `${props.roleName.replace(/_/g, '-')}-login`, secret: login.secret, properties: ['password'] },
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
        databases: props.databases, adminSecretName: `${props.roleName.replace(/_/g, '-')}-admin`,
        loginSecretName: `${props.roleName.replace(/_/g, '-')}-login`,
      })],
    });
    const app = new KeyVaultSecretStore(this, 'AppSecrets', {
      cloud, cluster, namespace: props.namespace, name: `${props.secretName}-store`.slice(0, 53),
      dependsOn: [login.secret, ...(props.dependsOn ?? [])],
      secrets: [{ secretName: props.secretName, secret: login.secret, properties: ['username', 'password'] }],
    });
    const stack = PlatformStack.ofConstruct(this);
    if (stack.dataStores.stores.some((e) => e.store.path === database.node.path)) {
      stack.dataStores.addClient(database.node.path, {
        name: `Role \`${props.roleName}\``,
        repoint: {
          title: `Give the \`${props.roleName}\` login of the DR deployment the password the restored database knows`,
          detail: 'The restored database keeps the password the role had; its Key Vault secret still holds it, while the DR deployment ' +
            'generated a new one. Copy the old value over and let External Secrets sync it.',
          lookups: { OLD_VAULT: cloud.keyVault(AzureRegionRole.PRIMARY).vaultName, OLD_SECRET: login.secret.name },
          deployedLookups: { NEW_VAULT: cloud.keyVault(AzureRegionRole.PRIMARY).vaultName, NEW_SECRET: login.secret.name },
          commands: [
            'az keyvault secret show --vault-name "$OLD_VAULT" --name "$OLD_SECRET" --query value -o tsv > /tmp/login.json',
            'az keyvault secret set --vault-name "$NEW_VAULT" --name "$NEW_SECRET" --file /tmp/login.json --content-type application/json && rm /tmp/login.json',
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
