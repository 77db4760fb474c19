import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct, IConstruct } from 'constructs';
import { DataStoreKind } from '../core/data-store-registry';
import { ValidationError } from '../core/errors';
import { IKubernetesCluster, IPostgresDatabase, PostgresDatabaseOptions } from '../core/interfaces';
import { checkInteger, checkPattern, slugify } from '../core/validate';
import { ExternalSecretsOperator } from '../k8s/external-secrets-operator';
import { ManifestChart } from '../k8s/manifest-chart';
import { AwsCloud, KeyPurpose } from './aws-cloud';
import { IEksCluster } from './eks-cluster';
import { asAwsGrantee } from './grantee';
import { serviceTrustPolicy } from './iam-policy';
import { encryptedLogGroup } from './log-group';

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
  /** ARN of the Secrets Manager secret holding the master credentials. */
  public readonly masterSecretArn: string;
  private readonly cloud: AwsCloud;

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
    const storage = props.allocatedStorageGiB ?? 50;
    checkInteger(this, 'allocatedStorageGiB', storage, 20, 65536);
    const maxStorage = props.maxAllocatedStorageGiB ?? Math.max(500, storage);
    checkInteger(this, 'maxAllocatedStorageGiB', maxStorage, storage, 65536);
    this.databaseName = props.databaseName;

    // namePrefix starts with a letter and has single hyphens, as RDS identifiers must.
    const identifier = slugify(`${cloud.namePrefix}-${props.purpose}`).slice(0, 63).replace(/-+$/, '');
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
    new IamRolePolicyAttachment(this, 'MonitoringPolicy', {
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
      finalSnapshotIdentifier: `${identifier}-final`,
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
      dependsOn: logGroups,
      tags: { purpose: props.purpose },
    });
    this.host = this.resource.address;
    this.masterSecretArn = this.resource.masterUserSecret.get(0).secretArn;
    cloud.stack.dataStores.register({
      path: this.node.path, kind: DataStoreKind.DATABASE, purpose: props.purpose, resourceId: this.resource.arn,
      region: cloud.primaryRegion, backupServiceEligible: true,
    });
  }

  public exposePasswordAsKubernetesSecret(scope: IConstruct, id: string, cluster: IKubernetesCluster, namespace: string, secretName: string): string {
    const operator = ExternalSecretsOperator.of(cluster);
    const grantee = asAwsGrantee(this, 'cluster', operator.identity);
    grantee.addToPrincipalPolicy({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [this.masterSecretArn] });
    grantee.addToPrincipalPolicy({ actions: ['kms:Decrypt'], resources: [this.cloud.key(KeyPurpose.DATA).keyArn] });
    const storeName = `${secretName}-store`;
    new ManifestChart(scope as Construct, id, {
      cluster,
      releaseName: `${secretName}-sync`,
      namespace,
      dependsOn: [operator.release.resource],
      manifests: [
        {
          apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: storeName, namespace },
          spec: { provider: { aws: { service: 'SecretsManager', region: this.cloud.primaryRegion } } },
        },
        {
          apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: secretName, namespace },
          spec: {
            refreshInterval: '1h',
            secretStoreRef: { name: storeName, kind: 'SecretStore' },
            target: { name: secretName, creationPolicy: 'Owner' },
            data: ['username', 'password'].map((property) => ({ secretKey: property, remoteRef: { key: this.masterSecretArn, property } })),
          },
        },
      ],
    });
    return 'password';
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
