import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { DeploymentPhase } from '../core/platform-report';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkInteger, checkPattern, requireConstruct, requireProps } from '../core/validate';
import { AwsCloud, KeyPurpose } from './aws-cloud';
import { policyDocument, serviceTrustPolicy } from './iam-policy';
import { encryptedLogGroup } from './log-group';
import { SecureBucket } from './secure-bucket';

/** Properties of an {@link AuditTrail}. */
export interface AuditTrailProps {
  /** The cloud. */
  readonly cloud: AwsCloud;
  /**
   * Trail name (unique in the account and region).
   *
   * @default - `<project>-<environment>-audit`
   */
  readonly trailName?: string;
  /**
   * Days each log file is locked against deletion and overwrite (S3 object lock, governance mode), in the
   * bucket and its DR replica.
   *
   * @default 365
   */
  readonly retentionDays?: number;
  /**
   * Also deliver the events to an encrypted CloudWatch Logs group (kept a year), for metric filters and
   * queries. Costs log ingestion on top of the bucket.
   *
   * @default false
   */
  readonly cloudWatchLogs?: boolean;
}

/**
 * A CloudTrail trail of every region's management events (including global services) with log file integrity
 * validation, encrypted with the platform's data key, delivered to a dedicated bucket that is object-locked,
 * versioned, access-logged and replicated to the DR region, and registered as a data store so the backup
 * policy and the DR proof cover it. Optionally also delivered to CloudWatch Logs.
 *
 * The bucket and key policies admit CloudTrail only for this trail (`aws:SourceArn`), so no other trail or
 * account can write into the bucket or use the key.
 *
 * @example
 * new AuditTrail(stack, 'Audit', { cloud, retentionDays: 400, cloudWatchLogs: true });
 */
export class AuditTrail extends Construct {
  /** The trail. */
  public readonly resource: Cloudtrail;
  /** The bucket the log files go to. */
  public readonly bucket: SecureBucket;
  /** Trail name. */
  public readonly trailName: string;
  /** Trail ARN (built from the name, so the bucket and key policies can name it before the trail exists). */
  public readonly trailArn: string;
  /** The CloudWatch Logs group, when `cloudWatchLogs` is on. */
  public readonly logGroup?: CloudwatchLogGroup;
  /** Object lock retention in days. */
  public readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    requireProps(this, props, '{ cloud }');
    requireConstruct(this, 'cloud', props.cloud, 'an AwsCloud', (v) => v instanceof AwsCloud, "Pass the stack's AwsCloud.");
    const cloud = props.cloud;
    const provider = cloud.provider;
    this.trailName = props.trailName ?? `${cloud.namePrefix}-audit`;
    checkPattern(this, 'trailName', this.trailName, /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/,
      '3-128 letters, digits, ".", "_" or "-", starting and ending with a letter or digit');
    this.retentionDays = props.retentionDays ?? 365;
    checkInteger(this, 'retentionDays', this.retentionDays, 1, 36500);
    this.trailArn = `arn:${cloud.partition}:cloudtrail:${cloud.primaryRegion}:${cloud.accountId}:trail/${this.trailName}`;

    this.bucket = new SecureBucket(this, 'Bucket', {
      cloud, purpose: 'audit-trail', objectLockDays: this.retentionDays, replicateToDrRegion: true,
      noncurrentVersionExpirationDays: this.retentionDays,
    });
    const bucketPolicy = this.addCloudTrailToBucketPolicy(cloud);

    const key = cloud.key(KeyPurpose.DATA);
    const thisTrail = { 'aws:SourceArn': this.trailArn };
    key.addServiceGrant({
      sid: 'CloudTrailEncryptsLogFiles',
      servicePrincipal: 'cloudtrail.amazonaws.com',
      actions: ['kms:GenerateDataKey*'],
      conditions: {
        StringEquals: thisTrail,
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${cloud.partition}:cloudtrail:*:${cloud.accountId}:trail/*` },
      },
    });
    key.addServiceGrant({
      sid: 'CloudTrailDescribesKey', servicePrincipal: 'cloudtrail.amazonaws.com', actions: ['kms:DescribeKey'], conditions: { StringEquals: thisTrail },
    });

    let cloudWatch: { cloudWatchLogsGroupArn: string; cloudWatchLogsRoleArn: string } | undefined;
    const dependsOn: any[] = [bucketPolicy, key.resource];
    if (props.cloudWatchLogs) {
      this.logGroup = encryptedLogGroup(this, 'LogGroup', cloud, `/aws/cloudtrail/${this.trailName}`);
      const role = new IamRole(this, 'LogsRole', {
        provider, namePrefix: 'cloudtrail-logs-',
        assumeRolePolicy: serviceTrustPolicy(['cloudtrail.amazonaws.com'], ['sts:AssumeRole'], { StringEquals: thisTrail }),
      });
      const rolePolicy = new IamRolePolicy(this, 'LogsPolicy', {
        provider, role: role.id,
        policy: policyDocument([{ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:log-stream:*`] }]),
      });
      dependsOn.push(rolePolicy);
      cloudWatch = { cloudWatchLogsGroupArn: `${this.logGroup.arn}:*`, cloudWatchLogsRoleArn: role.arn };
    }

    this.resource = new Cloudtrail(this, 'Resource', {
      provider,
      name: this.trailName,
      s3BucketName: this.bucket.bucketName,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: key.keyArn,
      ...cloudWatch,
      // CloudTrail checks at creation that it may write to the bucket and use the key.
      dependsOn,
    });
    if (!props.cloudWatchLogs) {
      PolicySuppressions.add(this, [{
        id: 'CKV2_AWS_10',
        reason: 'CloudWatch Logs delivery is off (cloudWatchLogs: false): the locked, replicated bucket is the record; turn it on for metric filters.',
      }]);
    }
    PolicySuppressions.add(this, [{
      id: 'CKV_AWS_252',
      reason: 'A notification per delivered log file is noise; security findings reach the alert topic through EventBridge rules instead.',
    }]);

    const stack = cloud.stack;
    stack.addCostLine({
      component: this.node.path, resource: 'CloudTrail management events, units of 100,000 (only a second copy is billed)',
      region: cloud.primaryRegion, unit: CostUnit.MONTH, baselineQuantity: 0, fullScaleQuantity: 10, priceKey: 'cloudtrail:management-events-100k',
      assumption: 'the first copy of management events in an account is free (baseline 0); if the account already has a trail ' +
        '(e.g. an organization trail), this one is a paid copy: about 1,000,000 events a month assumed at full scale',
    });
    stack.addComponent({
      path: this.node.path, name: 'AuditTrail',
      description: `CloudTrail "${this.trailName}": all regions, log file validation, KMS, object-locked ${this.retentionDays} days, replicated to ${cloud.drRegion}` +
        (props.cloudWatchLogs ? ', also in CloudWatch Logs' : ''),
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: `Check the integrity of the audit log files of ${this.trailName}`,
      detail: 'CloudTrail signs a digest file every hour; validate a time range when you rely on the logs (an audit, an incident).',
      command: `aws cloudtrail validate-logs --region ${cloud.primaryRegion} --start-time $(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ) ` +
        `--trail-arn "$(aws cloudtrail get-trail --region ${cloud.primaryRegion} --name ${this.trailName} --query Trail.TrailARN --output text)"`,
    });
  }

  /**
   * S3 allows one bucket policy, which the SecureBucket writes (TLS only); CloudTrail's two statements, scoped to
   * this trail, are added to that same document.
   */
  private addCloudTrailToBucketPolicy(cloud: AwsCloud): S3BucketPolicy {
    const policy = this.bucket.node.findChild('Policy') as S3BucketPolicy;
    const base = JSON.parse(policy.policyInput!);
    const thisTrail = { 'aws:SourceArn': this.trailArn };
    base.Statement.push({
      Sid: 'CloudTrailChecksBucketAcl',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: this.bucket.bucketArn,
      Condition: { StringEquals: thisTrail },
    }, {
      Sid: 'CloudTrailWritesLogFiles',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${this.bucket.bucketArn}/AWSLogs/${cloud.accountId}/*`,
      Condition: { StringEquals: { ...thisTrail, 's3:x-amz-acl': 'bucket-owner-full-control' } },
    });
    policy.policy = JSON.stringify(base);
    return policy;
  }
}
