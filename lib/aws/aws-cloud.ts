import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct, IConstruct } from 'constructs';
import {
  AlertDestinationOptions, AlertmanagerReceiverConfig, IAlertDestination, IWorkloadIdentity,
} from '../core/interfaces';
import {
  BackupPlanOptions, ClusterBackupLocation, ContainerRepositoryOptions, CostBudgetOptions, IBackupPlan, ICloudServices,
  IContainerRepository, IObjectStore, IPostgresDatabase, ObjectStoreOptions, PostgresDatabaseOptions,
} from '../core/interfaces';
import { PlatformStack } from '../core/platform-stack';
import { AwsPriceCatalog } from './aws-price-catalog';
import { AwsBackupPlan } from './aws-backup-plan';
import { AlertTopic } from './alert-topic';
import { asAwsGrantee } from './grantee';
import { checkBudgetLimits, checkRdsPostgresInstanceClass, validateAwsCloudInput } from './aws-catalogs';
import { AwsCostBudget } from './aws-cost-budget';
import { ContainerRepository } from './container-repository';
import { KmsKey, KmsServiceGrant } from './kms-key';
import { AwsPolicyRules } from './policy/aws-policy-rules';
import { PostgresDatabase } from './postgres-database';
import { SecureBucket } from './secure-bucket';

/** The Velero plugin for AWS matching Velero 1.18 (chart velero 12.1.0). */
const VELERO_AWS_PLUGIN_IMAGE = 'velero/velero-plugin-for-aws:v1.14.0';

/** Which of the stack's two regions a resource lives in. */
export enum AwsRegionRole {
  /** The stack's primary region. */
  PRIMARY = 'PRIMARY',
  /** The recovery objective's DR region. */
  DR = 'DR',
}

/** Purposes of the customer-managed keys the cloud creates on demand. */
export enum KeyPurpose {
  /** Data at rest: S3, RDS, ECR, EBS, Secrets Manager, EKS secrets, Performance Insights. */
  DATA = 'data',
  /** CloudWatch log groups. */
  LOGS = 'logs',
  /** SNS topics that AWS Budgets and Cost Anomaly Detection publish to. */
  NOTIFICATIONS = 'notifications',
  /** AWS Backup vaults. */
  BACKUP = 'backup',
}

/** Properties of an {@link AwsCloud}. */
export interface AwsCloudProps {
  /**
   * AWS account IDs the providers may deploy to: a guard against deploying with the wrong credentials.
   *
   * @default - any account
   */
  readonly allowedAccountIds?: string[];
}

/**
 * The AWS implementation of {@link ICloudServices}: the two AWS providers of a stack (primary and DR region,
 * both carrying the cost allocation tags as `default_tags`), the customer-managed keys, access-log buckets,
 * and the factory of every AWS data store the platform constructs ask for. Creating it adds the AWS policy
 * rule pack to the stack.
 *
 * @example
 * const cloud = new AwsCloud(stack, 'Aws');
 * const bucket = cloud.newObjectStore(stack, 'Datasets', { purpose: 'datasets' });
 */
export class AwsCloud extends Construct implements ICloudServices {
  /** Always `aws`. */
  public readonly cloudName = 'aws';
  /** Primary region. */
  public readonly primaryRegion: string;
  /** DR region. */
  public readonly drRegion: string;
  /** Provider for the primary region. */
  public readonly provider: AwsProvider;
  /** Provider for the DR region (alias `dr`). */
  public readonly drProvider: AwsProvider;
  /** Account ID, resolved at plan time. */
  public readonly accountId: string;
  /** Partition (`aws`, `aws-cn`, `aws-us-gov`), resolved at plan time. */
  public readonly partition: string;
  /** Prefix for names that must be unique in the account, e.g. `fraud-prod`. */
  public readonly namePrefix: string;
  /** The stack. */
  public readonly stack: PlatformStack;
  private readonly keys = new Map<string, KmsKey>();
  private readonly accessLogBuckets = new Map<AwsRegionRole, SecureBucket>();
  private alertTopicInstance?: AlertTopic;

  constructor(scope: Construct, id: string, props: AwsCloudProps = {}) {
    super(scope, id);
    this.stack = PlatformStack.ofConstruct(this);
    validateAwsCloudInput(this, this.stack, props);
    this.primaryRegion = this.stack.primaryRegion;
    this.drRegion = this.stack.recoveryObjective.drRegion;
    const cost = this.stack.costAllocation;
    this.namePrefix = cost.resourcePrefix;
    const defaultTags = [{ tags: { ...cost.tags, 'managed-by': 'cdktf-mlops' } }];
    this.provider = new AwsProvider(this, 'Primary', { region: this.primaryRegion, defaultTags, allowedAccountIds: props.allowedAccountIds });
    this.drProvider = new AwsProvider(this, 'DrRegion', { alias: 'dr', region: this.drRegion, defaultTags, allowedAccountIds: props.allowedAccountIds });
    this.accountId = new DataAwsCallerIdentity(this, 'Account', { provider: this.provider }).accountId;
    this.partition = new DataAwsPartition(this, 'Partition', { provider: this.provider }).partition;
    this.stack.policy.addRules(AwsPolicyRules.all());
    this.stack.usePriceCatalog(AwsPriceCatalog.load());
  }

  /** The provider of a region role. */
  public providerFor(region: AwsRegionRole): AwsProvider {
    return region === AwsRegionRole.DR ? this.drProvider : this.provider;
  }

  /** The region name of a region role. */
  public regionName(region: AwsRegionRole): string {
    return region === AwsRegionRole.DR ? this.drRegion : this.primaryRegion;
  }

  /** The customer-managed key for a purpose in a region, created on first use. */
  public key(purpose: KeyPurpose, region: AwsRegionRole = AwsRegionRole.PRIMARY): KmsKey {
    const name = `${region === AwsRegionRole.DR ? 'Dr' : 'Primary'}${purpose[0].toUpperCase()}${purpose.slice(1)}Key`;
    let key = this.keys.get(name);
    if (!key) {
      const regionName = this.regionName(region);
      key = new KmsKey(this, name, {
        purpose: `${purpose} (${this.namePrefix})`,
        provider: this.providerFor(region),
        accountId: this.accountId,
        partition: this.partition,
        aliasName: `${this.namePrefix}/${purpose}`,
        serviceGrants: this.serviceGrantsFor(purpose, regionName),
        // Node groups (and their encrypted EBS volumes) only run in the primary region.
        allowAutoScaling: purpose === KeyPurpose.DATA && region === AwsRegionRole.PRIMARY,
      });
      this.keys.set(name, key);
    }
    return key;
  }

  /**
   * The platform's operational alert topic (KMS-encrypted SNS) that security and health findings are routed
   * to, created on first use. Subscribe to it with `alertTopic().addEmail(...)`.
   */
  public alertTopic(): AlertTopic {
    this.alertTopicInstance ??= new AlertTopic(this, 'AlertTopic', { cloud: this });
    return this.alertTopicInstance;
  }

  /** The bucket that receives S3 server access logs in a region, created on first use. */
  public accessLogBucket(region: AwsRegionRole): SecureBucket {
    let bucket = this.accessLogBuckets.get(region);
    if (!bucket) {
      bucket = new SecureBucket(this, region === AwsRegionRole.DR ? 'DrAccessLogs' : 'PrimaryAccessLogs', {
        cloud: this, purpose: 'access-logs', region, isAccessLogBucket: true,
      });
      this.accessLogBuckets.set(region, bucket);
    }
    return bucket;
  }

  public newObjectStore(scope: IConstruct, id: string, options: ObjectStoreOptions): IObjectStore {
    return new SecureBucket(scope as Construct, id, {
      cloud: this,
      purpose: options.purpose,
      bucketName: options.bucketName,
      region: options.inDrRegion ? AwsRegionRole.DR : AwsRegionRole.PRIMARY,
      replicateToDrRegion: options.replicateToDrRegion,
      objectLockDays: options.objectLockDays,
      noncurrentVersionExpirationDays: options.noncurrentVersionExpirationDays,
      register: !options.inDrRegion,
    });
  }

  public newPostgresDatabase(scope: IConstruct, id: string, options: PostgresDatabaseOptions): IPostgresDatabase {
    return new PostgresDatabase(scope as Construct, id, { cloud: this, ...options });
  }

  public newContainerRepository(scope: IConstruct, id: string, options: ContainerRepositoryOptions): IContainerRepository {
    return new ContainerRepository(scope as Construct, id, { cloud: this, ...options });
  }

  public newBackupPlan(scope: IConstruct, id: string, options: BackupPlanOptions): IBackupPlan {
    return new AwsBackupPlan(scope as Construct, id, { cloud: this, ...options });
  }

  public newCostBudget(scope: IConstruct, id: string, options: CostBudgetOptions): void {
    new AwsCostBudget(scope as Construct, id, { cloud: this, ...options });
  }

  /**
   * Alertmanager's destination: the platform's alert topic ({@link alertTopic}), with the given addresses
   * subscribed. Alertmanager publishes with SigV4 as its pod identity.
   */
  public newAlertDestination(scope: IConstruct, id: string, options: AlertDestinationOptions): IAlertDestination {
    return new AwsAlertDestination(scope as Construct, id, this, options);
  }

  public newClusterBackupLocation(scope: IConstruct, id: string): ClusterBackupLocation {
    const bucket = new SecureBucket(scope as Construct, id, {
      cloud: this, purpose: 'cluster-state-backups', region: AwsRegionRole.DR, register: false,
    });
    return {
      provider: 'aws',
      pluginImage: VELERO_AWS_PLUGIN_IMAGE,
      bucket,
      config: { region: this.drRegion, kmsKeyId: this.key(KeyPurpose.DATA, AwsRegionRole.DR).keyArn },
      grantee: bucket,
    };
  }

  public checkDatabaseInstanceClass(scope: IConstruct, prop: string, instanceClass?: string): void {
    checkRdsPostgresInstanceClass(scope, prop, instanceClass);
  }

  public checkBudgetNotifications(scope: IConstruct, emailsProp: string, emails: string[], thresholdsProp: string, notificationCount: number): void {
    checkBudgetLimits(scope, emailsProp, emails, thresholdsProp, notificationCount);
  }

  /** Which services may use a key of each purpose, scoped to this account. */
  private serviceGrantsFor(purpose: KeyPurpose, regionName: string): KmsServiceGrant[] {
    const useActions = ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'];
    switch (purpose) {
      case KeyPurpose.LOGS:
        return [{
          servicePrincipal: `logs.${regionName}.amazonaws.com`,
          actions: useActions,
          conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${regionName}:${this.accountId}:*` } },
        }];
      case KeyPurpose.NOTIFICATIONS:
        return ['budgets.amazonaws.com', 'costalerts.amazonaws.com'].map((servicePrincipal) => ({
          servicePrincipal,
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.accountId } },
        }));
      default:
        return [];
    }
  }
}

/** The platform's SNS alert topic as an Alertmanager destination. */
class AwsAlertDestination extends Construct implements IAlertDestination {
  public readonly description: string;
  private readonly topic: AlertTopic;

  constructor(scope: Construct, id: string, private readonly cloud: AwsCloud, options: AlertDestinationOptions) {
    super(scope, id);
    this.topic = cloud.alertTopic();
    (options.emails ?? []).forEach((email) => this.topic.addEmail(email));
    this.description = 'the platform alert topic (SNS, KMS-encrypted with the notifications key)' +
      ((options.emails ?? []).length > 0 ? `, subscribed by ${options.emails!.join(', ')}` : '');
  }

  public bindAlertmanager(identity: IWorkloadIdentity): AlertmanagerReceiverConfig {
    const grantee = asAwsGrantee(this, 'identity', identity);
    // The topic policy admits the account's principals; the identity's own policy names the topic, and the key
    // (its policy delegates to IAM) encrypts the message at rest.
    grantee.addToPrincipalPolicy({ sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [this.topic.topicArn] });
    grantee.addToPrincipalPolicy({
      sid: 'EncryptAlerts', actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: [this.cloud.key(KeyPurpose.NOTIFICATIONS).keyArn],
    });
    return {
      receiver: {
        sns_configs: [{
          topic_arn: this.topic.topicArn,
          // No keys: the SDK's default chain picks up the Pod Identity credentials.
          sigv4: { region: this.cloud.primaryRegion },
          send_resolved: true,
        }],
      },
      prerequisites: [...identity.prerequisites, this.topic.policy],
    };
  }
}
