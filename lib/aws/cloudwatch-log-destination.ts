import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { ILogDestination, IWorkloadIdentity, LogSource } from '../core/interfaces';
import { checkPattern, checkPositive, isUnresolved, requireConstruct, requireProps } from '../core/validate';
import { AwsCloud, KeyPurpose } from './aws-cloud';
import { asAwsGrantee } from './grantee';
import { LOG_RETENTION_DAYS } from './log-group';

/** Retention periods CloudWatch Logs accepts, in days. */
const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/** Days in an average month. */
const DAYS_PER_MONTH = 30.42;

/** Properties of a {@link CloudWatchLogDestination}. */
export interface CloudWatchLogDestinationProps {
  /** The cloud. */
  readonly cloud: AwsCloud;
  /** Name of the EKS cluster whose logs these are; the groups are `/aws/eks/<name>/containers` and `/nodes`. */
  readonly clusterName: string;
  /**
   * Days CloudWatch keeps the records (one of the periods CloudWatch accepts). Less than 365 fails the policy pack
   * (CKV_AWS_338) unless suppressed.
   *
   * @default 365
   */
  readonly retentionDays?: number;
  /**
   * Logs the cluster ships each day, GiB (containers and nodes together), for the cost estimate.
   *
   * @default 2
   */
  readonly ingestionGiBPerDay?: number;
}

/**
 * CloudWatch Logs as the destination of a cluster's logs: a log group for container logs and one for node logs
 * (kubelet, containerd), both encrypted with the platform's logs key and kept for a year by default, created
 * before the shipper starts so nothing is auto-created unencrypted. The shipper's identity may create streams in
 * and put events into these two groups, and nothing else. Ingestion is priced from a GiB-per-day assumption.
 *
 * @example
 * const logs = new CloudWatchLogDestination(stack, 'Logs', { cloud, clusterName: cluster.clusterName, ingestionGiBPerDay: 10 });
 * new LogShipping(stack, 'LogShipping', { cluster, destination: logs });
 */
export class CloudWatchLogDestination extends Construct implements ILogDestination {
  /** Log group of container logs. */
  public readonly containerLogGroup: CloudwatchLogGroup;
  /** Log group of node logs. */
  public readonly nodeLogGroup: CloudwatchLogGroup;
  /** Retention in days. */
  public readonly retentionDays: number;
  /** One line for the platform report. */
  public readonly description: string;
  /** The two log groups: the shipper starts after them. */
  public readonly prerequisites: ITerraformDependable[];
  private readonly region: string;
  private readonly groupNames: { [source: string]: string };

  constructor(scope: Construct, id: string, props: CloudWatchLogDestinationProps) {
    super(scope, id);
    requireProps(this, props, '{ cloud, clusterName }');
    requireConstruct(this, 'cloud', props.cloud, 'an AwsCloud', (v) => v instanceof AwsCloud, "Pass the stack's AwsCloud.");
    checkPattern(this, 'clusterName', props.clusterName, /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'an EKS cluster name');
    this.retentionDays = props.retentionDays ?? LOG_RETENTION_DAYS;
    if (!isUnresolved(this.retentionDays) && !CLOUDWATCH_RETENTION_DAYS.includes(this.retentionDays)) {
      throw new ValidationError(this, 'retentionDays', this.retentionDays, 'is not a retention period CloudWatch Logs accepts',
        `Use one of ${CLOUDWATCH_RETENTION_DAYS.join(', ')} (365 or more keeps a year for audits).`);
    }
    const perDay = props.ingestionGiBPerDay ?? 2;
    checkPositive(this, 'ingestionGiBPerDay', perDay, 100000);
    const { cloud } = props;
    this.region = cloud.primaryRegion;
    const group = (groupId: string, name: string) => new CloudwatchLogGroup(this, groupId, {
      provider: cloud.provider, name, retentionInDays: this.retentionDays, kmsKeyId: cloud.key(KeyPurpose.LOGS).keyArn,
    });
    // Literal names in the shipper's configuration (readable in the chart's ConfigMap); prerequisites order it.
    this.groupNames = { [LogSource.CONTAINERS]: `/aws/eks/${props.clusterName}/containers`, [LogSource.NODES]: `/aws/eks/${props.clusterName}/nodes` };
    this.containerLogGroup = group('ContainerLogs', this.groupNames[LogSource.CONTAINERS]);
    this.nodeLogGroup = group('NodeLogs', this.groupNames[LogSource.NODES]);
    this.prerequisites = [this.containerLogGroup, this.nodeLogGroup];
    const names = `${this.groupNames[LogSource.CONTAINERS]} and ${this.groupNames[LogSource.NODES]}`;
    this.description = `CloudWatch Logs ${names} (KMS, ${this.retentionDays} days)`;
    const gib = Math.round(perDay * DAYS_PER_MONTH * 100) / 100;
    cloud.stack.addCostLine({
      component: this.node.path, resource: `log ingestion (${names})`, region: cloud.primaryRegion,
      unit: CostUnit.GB, baselineQuantity: gib, fullScaleQuantity: gib, priceKey: 'logs:ingestion',
      assumption: `${perDay} GiB/day (ingestionGiBPerDay) x ${DAYS_PER_MONTH} days; storage after ingestion not counted`,
    });
  }

  /** A Fluent Bit `cloudwatch_logs` output for the source's log group, which it never creates. */
  public fluentBitOutput(source: LogSource, match: string): string {
    const group = this.groupNames[source === LogSource.NODES ? LogSource.NODES : LogSource.CONTAINERS];
    // Containers: one stream per container log file (the tag). Nodes: one stream per node and unit, so nodes never
    // write into the same stream (the fallback name is used only when a record lacks those fields).
    const stream = source === LogSource.NODES
      ? ['    log_stream_name node', '    log_stream_template $_HOSTNAME.$_SYSTEMD_UNIT']
      : ['    log_stream_prefix container-'];
    return [
      '[OUTPUT]',
      '    Name cloudwatch_logs',
      `    Match ${match}`,
      `    region ${this.region}`,
      `    log_group_name ${group}`,
      ...stream,
      // The groups exist with KMS and retention; the shipper may not create (unencrypted) ones.
      '    auto_create_group Off',
      '    auto_retry_requests true',
      '    Retry_Limit 10',
      '',
    ].join('\n');
  }

  /** Lets the identity create streams in and put events into the two log groups, nothing else. */
  public grantWrite(identity: IWorkloadIdentity): void {
    const grantee = asAwsGrantee(this, 'identity', identity);
    const groups = [this.containerLogGroup.arn, this.nodeLogGroup.arn];
    grantee.addToPrincipalPolicy({
      sid: 'ShipLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [...groups, ...groups.map((arn) => `${arn}:log-stream:*`)],
    });
  }
}
