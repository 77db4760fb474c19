import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbInstanceAutomatedBackupsReplication } from '@cdktf/provider-aws/lib/db-instance-automated-backups-replication';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { BackupSchedule } from '../core/backup-schedule';
import { DataStoreKind } from '../core/data-store-registry';
import { RestoreKind, RestoreProcedure } from '../core/restore';
import { Duration } from '../core/duration';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import {
  ApplicationRoleCredentials, ApplicationRoleOptions, IKubernetesCluster, IPostgresDatabase, PostgresDatabaseOptions,
} from '../core/interfaces';
import { checkInteger, checkPattern, slugify } from '../core/validate';
import { ManifestChart } from '../k8s/manifest-chart';
import { DATABASE_ADMIN_NAMESPACE, databaseAdminNamespace } from '../k8s/platform-namespace';
import { checkApplicationRoleOptions, roleBootstrapJob } from '../k8s/postgres-role-bootstrap';
import { PlatformStack } from '../core/platform-stack';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { AwsCloud, AwsRegionRole, KeyPurpose } from './aws-cloud';
import { checkRdsPostgresInstanceClass } from './aws-catalogs';
import { IEksCluster } from './eks-cluster';
import { serviceTrustPolicy } from './iam-policy';
import { encryptedLogGroup } from './log-group';
import { NamespaceSecretStore } from './namespace-secret-store';

/** Properties of a {@link PostgresDatabase}. */
export interface PostgresDatabaseProps extends PostgresDatabaseOptions {
  /** The cloud. */
  readonly cloud: AwsCloud;
}

/**
 * An RDS PostgreSQL instance: Multi-AZ, encrypted with a customer-managed key, deletion-protected with a final
 * snapshot, automated backups for at least 7 days, enhanced monitoring, log exports to encrypted log groups,
 * IAM authentication, Performance Insights on the same key, TLS forced, and a master password generated and
 * kept by Secrets Manager, never by Terraform. Only the cluster's security group may connect.
 *
 * @example
 * const db = cloud.newPostgresDatabase(this, 'Database', { purpose: 'mlflow', databaseName: 'mlflow', clients: cluster });
 */
export class PostgresDatabase extends Construct implements IPostgresDatabase {
  /** The instance. */
  public readonly resource: DbInstance;
  public readonly host: string;
  public readonly port = 5432;
  public readonly databaseName: string;
  public readonly username = 'mlops_admin';
  /** Replication of automated backups to the DR region, when the RPO needs it. */
  public readonly backupReplication?: DbInstanceAutomatedBackupsReplication;
  /** ARN of the Secrets Manager secret holding the master credentials. */
  public readonly masterSecretArn: string;
  /** The cloud. */
  public readonly cloud: AwsCloud;
  /** The RDS instance identifier. */
  public readonly identifier: string;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const cloud = props.cloud;
    const provider = cloud.provider;
    this.cloud = cloud;
    const cluster = asEksCluster(this, props.clients);
    checkPattern(this, 'databaseName', props.databaseName, /^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'a letter followed by up to 62 letters, digits or "_"');
    const engineVersion = props.engineVersion ?? '17';
    checkPattern(this, 'engineVersion', engineVersion, /^1[4-8](\.\d+)?$/, 'a supported PostgreSQL major version, 14 to 18 (e.g. "17")');
    const instanceClass = props.instanceClass ?? 'db.m7g.large';
    checkPattern(this, 'instanceClass', instanceClass, /^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'an RDS instance class such as "db.m7g.large"');
    checkRdsPostgresInstanceClass(this, 'instanceClass', instanceClass);
    const storage = props.allocatedStorageGiB ?? 50;
    checkInteger(this, 'allocatedStorageGiB', storage, 20, 65536);
    const maxStorage = props.maxAllocatedStorageGiB ?? Math.max(500, storage);
    checkInteger(this, 'maxAllocatedStorageGiB', maxStorage, storage, 65536);
    this.databaseName = props.databaseName;

    // namePrefix starts with a letter and has single hyphens, as RDS identifiers must.
    const identifier = this.identifier = slugify(`${cloud.namePrefix}-${props.purpose}`).slice(0, 63).replace(/-+$/, '');
    const key = cloud.key(KeyPurpose.DATA);
    const subnets = new DbSubnetGroup(this, 'Subnets', { provider, namePrefix: `${identifier}-`, subnetIds: cluster.privateSubnetIds });
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      provider, namePrefix: `${identifier}-db-`, description: `PostgreSQL for ${props.purpose}: cluster access only`,
      vpcId: subnets.vpcId, lifecycle: { createBeforeDestroy: true },
    });
    new VpcSecurityGroupIngressRule(this, 'FromCluster', {
      provider, securityGroupId: securityGroup.id, referencedSecurityGroupId: cluster.clusterSecurityGroupId,
      ipProtocol: 'tcp', fromPort: this.port, toPort: this.port, description: 'PostgreSQL from EKS pods and nodes',
    });
    const family = `postgres${engineVersion.split('.')[0]}`;
    const parameters = new DbParameterGroup(this, 'Parameters', {
      provider, namePrefix: `${identifier}-`, family, lifecycle: { createBeforeDestroy: true },
      parameter: [
        { name: 'rds.force_ssl', value: '1' },
        { name: 'log_connections', value: '1' },
        { name: 'log_disconnections', value: '1' },
        { name: 'log_min_duration_statement', value: '1000' },
      ],
    });
    const monitoringRole = new IamRole(this, 'MonitoringRole', {
      provider, namePrefix: 'rds-monitoring-', assumeRolePolicy: serviceTrustPolicy(['monitoring.rds.amazonaws.com']),
    });
    const monitoringPolicy = new IamRolePolicyAttachment(this, 'MonitoringPolicy', {
      provider, role: monitoringRole.name, policyArn: `arn:${cloud.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    });
    // RDS creates these on first export, unencrypted and kept forever; creating them first sets both.
    const logGroups = ['postgresql', 'upgrade'].map((type) =>
      encryptedLogGroup(this, `Logs${type[0].toUpperCase()}${type.slice(1)}`, cloud, `/aws/rds/instance/${identifier}/${type}`));
    const retentionDays = Math.min(35, Math.max(7, Math.floor(cloud.stack.recoveryObjective.retention.toDays())));

    this.resource = new DbInstance(this, 'Resource', {
      provider,
      identifier,
      engine: 'postgres',
      engineVersion,
      instanceClass,
      allocatedStorage: storage,
      maxAllocatedStorage: maxStorage,
      storageType: 'gp3',
      storageEncrypted: true,
      kmsKeyId: key.keyArn,
      dbName: props.databaseName,
      username: this.username,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: key.keyArn,
      iamDatabaseAuthenticationEnabled: true,
      multiAz: true,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [securityGroup.id],
      parameterGroupName: parameters.name,
      publiclyAccessible: false,
      deletionProtection: true,
      skipFinalSnapshot: false,
      // Stamped with the creation time (and then ignored) so a re-created instance never collides with the
      // final snapshot of the one before it.
      finalSnapshotIdentifier: `${identifier}-final-${Fn.formatdate('YYYYMMDDhhmmss', Fn.timestamp())}`,
      backupRetentionPeriod: retentionDays,
      backupWindow: '02:00-03:00',
      maintenanceWindow: 'sun:04:00-sun:05:00',
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      autoMinorVersionUpgrade: true,
      monitoringInterval: 60,
      monitoringRoleArn: monitoringRole.arn,
      enabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: key.keyArn,
      performanceInsightsRetentionPeriod: 7,
      caCertIdentifier: 'rds-ca-rsa2048-g1',
      // RDS checks the monitoring role when the instance is created: without its policy it answers
      // "IAM role ARN value is invalid", intermittently, depending on IAM propagation.
      dependsOn: [...logGroups, monitoringPolicy],
      tags: { purpose: props.purpose },
      lifecycle: { ignoreChanges: ['final_snapshot_identifier'] },
    });
    this.host = this.resource.address;
    this.masterSecretArn = this.resource.masterUserSecret.get(0).secretArn;
    const stack = cloud.stack;
    stack.dataStores.register({
      path: this.node.path, kind: DataStoreKind.DATABASE, purpose: props.purpose, resourceId: this.resource.arn,
      region: cloud.primaryRegion, backupServiceEligible: true, sizeGiB: storage,
      // A restore in the DR region goes into the network of the stack deployed there.
      deployedLookups: { SUBNET_GROUP: subnets.name, SECURITY_GROUP: securityGroup.id, PARAMETER_GROUP: parameters.name },
    });
    const cost = (resource: string, unit: CostUnit, baseline: number, full: number, priceKey: string, assumption: string) =>
      stack.addCostLine({ component: this.node.path, resource, region: cloud.primaryRegion, unit, baselineQuantity: baseline, fullScaleQuantity: full, priceKey, assumption });
    cost(`RDS PostgreSQL ${instanceClass}, Multi-AZ`, CostUnit.HOUR, HOURS_PER_MONTH, HOURS_PER_MONTH, `rds-postgres:${instanceClass}:multi-az`,
      `${HOURS_PER_MONTH} h, on-demand`);
    cost('RDS gp3 storage, Multi-AZ', CostUnit.GB_MONTH, storage, maxStorage, 'rds:gp3:multi-az',
      `allocatedStorageGiB (${storage}) at baseline, storage autoscaling to maxAllocatedStorageGiB (${maxStorage}) at full scale; ` +
      'backup storage up to the database size is free');
    cost('master password secret (Secrets Manager)', CostUnit.MONTH, 1, 1, 'secretsmanager:secret', 'one secret RDS manages');
    const retention = Duration.days(retentionDays);
    // RDS uploads transaction logs every 5 minutes: point-in-time recovery in the primary region.
    stack.dataStores.protect(this.node.path, {
      mechanism: 'RDS automated backups (point-in-time recovery)', rpo: Duration.minutes(5), copyRegion: cloud.primaryRegion,
      copyRpo: Duration.minutes(5), retention,
    });
    if (BackupSchedule.forRpo(stack.recoveryObjective.rpo).needsContinuousCopies) {
      // Snapshots and transaction logs are copied to the DR region as soon as they are ready, so the instance can
      // be restored there to a point in time. AWS gives no bound on the copy; 15 minutes is this library's
      // budget on top of the 5-minute log upload: check ReplicatedAutomatedBackups in your account.
      this.backupReplication = new DbInstanceAutomatedBackupsReplication(this, 'BackupReplication', {
        provider: cloud.drProvider,
        sourceDbInstanceArn: this.resource.arn,
        kmsKeyId: cloud.key(KeyPurpose.DATA, AwsRegionRole.DR).keyArn,
        retentionPeriod: retentionDays,
      });
      stack.dataStores.protect(this.node.path, {
        mechanism: 'RDS cross-region automated backup replication', rpo: Duration.minutes(5), copyRegion: cloud.drRegion,
        copyRpo: Duration.minutes(15), retention,
        restore: pointInTimeRestore(cloud, identifier, instanceClass, this.backupReplication),
      });
    }
  }

  public addApplicationRole(scope: IConstruct, id: string, options: ApplicationRoleOptions): ApplicationRoleCredentials {
    return new PostgresApplicationRole(scope as Construct, id, { ...options, database: this, cluster: asEksCluster(this, options.cluster) }).credentials;
  }
}

/**
 * How the replicated automated backups restore in the DR region: a new instance (`<identifier>-restored`) at the
 * latest restorable time, in the subnet group and security group of the stack deployed there, encrypted with the
 * DR data key, with the instance's own settings (Multi-AZ, IAM authentication, deletion protection).
 */
function pointInTimeRestore(cloud: AwsCloud, identifier: string, instanceClass: string,
  replication: DbInstanceAutomatedBackupsReplication): RestoreProcedure {
  const dr = cloud.drRegion;
  const target = `${identifier}-restored`.slice(0, 63);
  return {
    kind: RestoreKind.POINT_IN_TIME,
    summary: `point-in-time restore of \`${identifier}\` in ${dr} from the replicated automated backups`,
    afterDeploy: true,
    prerequisites: [
      `The replicated automated backups of RDS instance \`${identifier}\` in \`${dr}\` (aws_db_instance_automated_backups_replication), encrypted with the DR data key.`,
      `The DR data KMS key in \`${dr}\` (alias \`alias/${cloud.namePrefix}/data\`), which encrypts the replicated backups, replica buckets and secret replicas.`,
      `The replicas in \`${dr}\` of the Secrets Manager secrets with the database roles' passwords (the restored database keeps them).`,
    ],
    steps: [{
      title: `Check the replicated backups of \`${identifier}\` in ${dr} and their restore window`,
      lookups: { BACKUPS_ARN: replication.id },
      commands: [
        `aws rds describe-db-instance-automated-backups --region ${dr} --db-instance-automated-backups-arn "$BACKUPS_ARN" \\\n` +
        "  --query 'DBInstanceAutomatedBackups[0].[Status,RestoreWindow.LatestTime]' --output text",
      ],
    }, {
      title: `Restore \`${target}\` to the latest restorable time`,
      detail: 'Takes the settings of the original instance; wait until it is available.',
      lookups: { DR_KEY_ARN: cloud.key(KeyPurpose.DATA, AwsRegionRole.DR).keyArn },
      commands: [
        [
          `aws rds restore-db-instance-to-point-in-time --region ${dr} \\`,
          '  --source-db-instance-automated-backups-arn "$BACKUPS_ARN" --use-latest-restorable-time \\',
          `  --target-db-instance-identifier ${target} --db-instance-class ${instanceClass} --multi-az --storage-type gp3 \\`,
          '  --kms-key-id "$DR_KEY_ARN" --db-subnet-group-name "$SUBNET_GROUP" --vpc-security-group-ids "$SECURITY_GROUP" \\',
          '  --db-parameter-group-name "$PARAMETER_GROUP" --no-publicly-accessible --deletion-protection \\',
          '  --enable-iam-database-authentication --copy-tags-to-snapshot',
        ].join('\n'),
        `aws rds wait db-instance-available --region ${dr} --db-instance-identifier ${target}`,
      ],
    }],
    endpointCommand: `aws rds describe-db-instances --region ${dr} --db-instance-identifier ${target} --query 'DBInstances[0].Endpoint.Address' --output text`,
  };
}

/** Namespace of the Jobs that create application roles: the only place the master password is synced to. */

/** Properties of a {@link PostgresApplicationRole}. */
interface PostgresApplicationRoleProps extends ApplicationRoleOptions {
  readonly database: PostgresDatabase;
  readonly cluster: IEksCluster;
}

/**
 * A least-privilege PostgreSQL login role for one application (see IPostgresDatabase.addApplicationRole):
 * its password is generated by Secrets Manager through an ephemeral resource and written with a write-only
 * argument, so it never enters Terraform state; a Job in the `db-admin` namespace creates the role with the
 * master credentials, which no application namespace can read; a secret store scoped to the application's
 * namespace copies the role's credentials there.
 */
class PostgresApplicationRole extends Construct {
  public readonly credentials: ApplicationRoleCredentials;

  constructor(scope: Construct, id: string, props: PostgresApplicationRoleProps) {
    super(scope, id);
    const { database, cluster } = props;
    checkApplicationRoleOptions(this, props);
    const cloud = database.cloud;
    const provider = cloud.provider;
    const key = cloud.key(KeyPurpose.DATA);

    const secret = new SecretsmanagerSecret(this, 'Secret', {
      provider,
      namePrefix: `${database.identifier}/${props.roleName}-`,
      description: `Login of the ${props.roleName} role on ${database.identifier} (letters and digits; generated once, not rotated)`,
      kmsKeyId: key.keyArn,
      recoveryWindowInDays: 30,
      // A restore in the DR region needs the password as much as the data.
      replica: [{ region: cloud.drRegion, kmsKeyId: cloud.key(KeyPurpose.DATA, AwsRegionRole.DR).keyArn }],
    });
    for (const [region, what] of [[cloud.primaryRegion, 'secret'], [cloud.drRegion, 'replica in the DR region']]) {
      PlatformStack.ofConstruct(this).addCostLine({
        component: this.node.path, resource: `${props.roleName} login ${what} (Secrets Manager)`, region, unit: CostUnit.MONTH,
        baselineQuantity: 1, fullScaleQuantity: 1, priceKey: 'secretsmanager:secret', assumption: 'a replica secret is billed as a secret; API calls not counted',
      });
    }
    PolicySuppressions.add(secret, [{
      id: 'CKV2_AWS_57',
      reason: 'Pods read the password once at start, so automatic rotation would break running MLflow servers. ' +
        'Rotate on purpose: raise the secret version, apply, then restart the pods.',
    }]);
    // Not in the prebuilt bindings: an ephemeral resource (Terraform >= 1.10) whose value is never stored.
    const generator = `${secret.friendlyUniqueId}_password`;
    PlatformStack.ofConstruct(this).addOverride(`ephemeral.aws_secretsmanager_random_password.${generator}`, {
      provider: provider.fqn, password_length: 40, exclude_punctuation: true, include_space: false,
    });
    const version = new SecretsmanagerSecretVersion(this, 'Value', {
      provider,
      secretId: secret.id,
      // Write-only (Terraform >= 1.11): sent to AWS, never kept in state or plan.
      secretStringWo: `\${jsonencode({ username = "${props.roleName}", password = ephemeral.aws_secretsmanager_random_password.${generator}.random_password })}`,
      secretStringWoVersion: 1,
    });

    const adminNamespace = databaseAdminNamespace(cluster);
    const admin = new NamespaceSecretStore(this, 'AdminSecrets', {
      cluster,
      namespace: DATABASE_ADMIN_NAMESPACE,
      name: `${database.identifier}-${props.roleName}`.replace(/[^a-z0-9-]/g, '-').slice(0, 53).replace(/-+$/, ''), // Helm release names: 53 characters at most
      dependsOn: [adminNamespace.resource, version],
      secrets: [
        { secretName: `${props.roleName}-master`, secretArn: database.masterSecretArn, kmsKeyArn: key.keyArn, properties: ['username', 'password'], refreshInterval: '15m' },
        { secretName: `${props.roleName}-login`, secretArn: secret.arn, kmsKeyArn: key.keyArn, properties: ['password'] },
      ],
    });
    const bootstrap = new ManifestChart(this, 'Bootstrap', {
      cluster,
      releaseName: `${props.roleName}-role-bootstrap`,
      namespace: DATABASE_ADMIN_NAMESPACE,
      dependsOn: [admin.chart.resource, database.resource],
      waitForJobs: true,
      manifests: [roleBootstrapJob({
        namePrefix: props.roleName.replace(/_/g, '-'), host: database.host, port: database.port, roleName: props.roleName,
        databases: props.databases, adminSecretName: `${props.roleName}-master`, loginSecretName: `${props.roleName}-login`,
      })],
    });
    const app = new NamespaceSecretStore(this, 'AppSecrets', {
      cluster,
      namespace: props.namespace,
      name: `${props.secretName}-store`,
      dependsOn: [version, ...(props.dependsOn ?? [])],
      secrets: [{ secretName: props.secretName, secretArn: secret.arn, kmsKeyArn: key.keyArn, properties: ['username', 'password'] }],
    });
    // The restored database keeps the role's old password, which the secret's replica in the DR region holds.
    const stack = PlatformStack.ofConstruct(this);
    if (stack.dataStores.stores.some((e) => e.store.path === database.node.path)) {
      // Runbook variables per role: every role of the database has its own login secret.
      const roleVar = props.roleName.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
      const dr = cloud.drRegion;
      stack.dataStores.addClient(database.node.path, {
        name: `Role \`${props.roleName}\``,
        repoint: {
          title: `Give the \`${props.roleName}\` login of the DR deployment the password the restored database knows`,
          detail: 'The restored database keeps the password the role had before the disaster, held by the secret\'s replica in ' +
            `${dr}; the DR deployment generated a new one. Copy the old one over and let External Secrets sync it into the application\'s namespace.`,
          lookups: { [`OLD_${roleVar}_LOGIN_SECRET`]: secret.name },
          deployedLookups: { [`NEW_${roleVar}_LOGIN_SECRET`]: secret.arn },
          commands: [
            `aws secretsmanager put-secret-value --region ${dr} --secret-id "$NEW_${roleVar}_LOGIN_SECRET" --secret-string \\\n` +
            `  "$(aws secretsmanager get-secret-value --region ${dr} --secret-id "$OLD_${roleVar}_LOGIN_SECRET" --query SecretString --output text)"`,
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



function asEksCluster(scope: Construct, cluster: IKubernetesCluster): IEksCluster {
  const candidate = cluster as any;
  if (!candidate || !Array.isArray(candidate.privateSubnetIds) || candidate.clusterSecurityGroupId === undefined) {
    throw new ValidationError(scope, 'clients', cluster?.node?.path ?? cluster, 'is not an EKS cluster',
      'Pass an EksCluster, or EksCluster.fromClusterAttributes(...) for a cluster created elsewhere.');
  }
  return candidate as IEksCluster;
}
