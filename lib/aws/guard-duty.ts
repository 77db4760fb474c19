import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import { Construct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkInteger, checkPattern, requireConstruct, requireProps } from '../core/validate';
import { AlertTopic } from './alert-topic';
import { AwsCloud } from './aws-cloud';

/** Properties of a {@link ThreatDetection}. */
export interface ThreatDetectionProps {
  /** The cloud. */
  readonly cloud: AwsCloud;
  /**
   * ID of the GuardDuty detector the account already has in the primary region. A detector is one per account
   * and region: creating a second fails, so pass the existing one's ID (`aws guardduty list-detectors`) and
   * the stack only turns on the EKS features and the routing. Leave unset when the account has none.
   *
   * @default - a detector is created
   */
  readonly existingDetectorId?: string;
  /**
   * Also turn on EKS Runtime Monitoring with the GuardDuty agent managed as an EKS add-on (it runs as a
   * DaemonSet in its own `amazon-guardduty` namespace and creates a VPC endpoint).
   *
   * @default true
   */
  readonly runtimeMonitoring?: boolean;
  /**
   * Topic HIGH and CRITICAL findings are routed to.
   *
   * @default - the cloud's alert topic (`cloud.alertTopic()`)
   */
  readonly alertTopic?: AlertTopic;
  /**
   * vCPUs of the cluster's nodes on average, for the Runtime Monitoring cost estimate.
   *
   * @default 16
   */
  readonly monitoredVcpus?: number;
}

/**
 * Amazon GuardDuty with EKS protection: a detector (or the account's existing one), the EKS audit log
 * analysis feature and optionally EKS Runtime Monitoring with the agent managed by GuardDuty, and an
 * EventBridge rule routing HIGH and CRITICAL findings (severity 7 and above) to the alert topic. Off by
 * default in the platform: a detector is per account and region and usually owned by the security team.
 *
 * @example
 * new ThreatDetection(stack, 'GuardDuty', { cloud, existingDetectorId: '12abc34d567e8fa901bc2d34e56789f0' });
 */
export class ThreatDetection extends Construct {
  /** The detector, when the stack creates it. */
  public readonly detector?: GuarddutyDetector;
  /** Detector ID. */
  public readonly detectorId: string;
  /** The rule routing findings to the topic. */
  public readonly findingsRule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: ThreatDetectionProps) {
    super(scope, id);
    requireProps(this, props, '{ cloud }');
    requireConstruct(this, 'cloud', props.cloud, 'an AwsCloud', (v) => v instanceof AwsCloud, "Pass the stack's AwsCloud.");
    checkPattern(this, 'existingDetectorId', props.existingDetectorId, /^[a-z0-9]{32}$/, 'a GuardDuty detector ID (32 lower-case letters and digits)');
    if (props.alertTopic !== undefined) {
      requireConstruct(this, 'alertTopic', props.alertTopic, 'an AlertTopic', (v) => v instanceof AlertTopic, 'Pass cloud.alertTopic().');
    }
    const vcpus = props.monitoredVcpus ?? 16;
    checkInteger(this, 'monitoredVcpus', vcpus, 1, 1_000_000);
    const cloud = props.cloud;
    const provider = cloud.provider;
    if (props.existingDetectorId !== undefined) {
      this.detectorId = props.existingDetectorId;
    } else {
      this.detector = new GuarddutyDetector(this, 'Resource', { provider, enable: true, findingPublishingFrequency: 'FIFTEEN_MINUTES' });
      this.detectorId = this.detector.id;
      PolicySuppressions.add(this.detector, [{
        id: 'CKV2_AWS_3',
        reason: 'Enrolling every account of the AWS Organization is done by the GuardDuty delegated administrator account, not by a workload stack.',
      }]);
    }
    new GuarddutyDetectorFeature(this, 'EksAuditLogs', { provider, detectorId: this.detectorId, name: 'EKS_AUDIT_LOGS', status: 'ENABLED' });
    const runtime = props.runtimeMonitoring ?? true;
    if (runtime) {
      new GuarddutyDetectorFeature(this, 'RuntimeMonitoring', {
        provider, detectorId: this.detectorId, name: 'RUNTIME_MONITORING', status: 'ENABLED',
        additionalConfiguration: [{ name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' }],
      });
    }
    const topic = props.alertTopic ?? cloud.alertTopic();
    this.findingsRule = topic.routeEvents(this, 'Findings', 'GuardDuty findings of HIGH or CRITICAL severity (7 and above)', {
      'source': ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      'detail': { severity: [{ numeric: ['>=', 7] }] },
    });

    const stack = cloud.stack;
    stack.addCostLine({
      component: this.node.path, resource: 'GuardDuty EKS audit log analysis, units of 1,000,000 events', region: cloud.primaryRegion,
      unit: CostUnit.MONTH, baselineQuantity: 2, fullScaleQuantity: 10, priceKey: 'guardduty:eks-audit-logs-1m',
      assumption: '2 to 10 million Kubernetes audit events a month (grows with pods and controllers); foundational CloudTrail/VPC/DNS analysis not counted',
    });
    if (runtime) {
      stack.addCostLine({
        component: this.node.path, resource: 'GuardDuty EKS Runtime Monitoring, vCPU-hours', region: cloud.primaryRegion,
        unit: CostUnit.HOUR, baselineQuantity: vcpus * HOURS_PER_MONTH, fullScaleQuantity: vcpus * HOURS_PER_MONTH, priceKey: 'guardduty:runtime-vcpu-hour',
        assumption: `monitoredVcpus = ${vcpus} node vCPUs on average x ${HOURS_PER_MONTH} h`,
      });
    }
    stack.addComponent({
      path: this.node.path, name: 'ThreatDetection',
      description: `GuardDuty ${props.existingDetectorId ? 'existing detector' : 'detector'} with EKS audit logs${runtime ? ' and EKS Runtime Monitoring (managed add-on)' : ''}; ` +
        'HIGH/CRITICAL findings to the alert topic',
    });
  }
}
