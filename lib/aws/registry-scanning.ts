import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { EcrRegistryScanningConfiguration } from '@cdktf/provider-aws/lib/ecr-registry-scanning-configuration';
import { Construct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { DeploymentPhase } from '../core/platform-report';
import { checkEnum, checkInteger, requireConstruct, requireProps } from '../core/validate';
import { AlertTopic } from './alert-topic';
import { AwsCloud } from './aws-cloud';

/** How ECR scans the images of the registry. */
export enum ImageScanType {
  /**
   * Basic scanning (free, Clair-based CVE database) of every image when it is pushed. Findings are not
   * refreshed later: an image pushed clean stays "clean" when a CVE is published against it.
   */
  BASIC_ON_PUSH = 'BASIC_ON_PUSH',
  /**
   * Enhanced scanning by Amazon Inspector, continuously: images are rescanned when new CVEs are published,
   * OS and language packages are covered. Needs Amazon Inspector activated for ECR in the account and region
   * (a deployment step, not a stack resource) and costs per image scanned.
   */
  ENHANCED_CONTINUOUS = 'ENHANCED_CONTINUOUS',
}

/** Properties of a {@link RegistryScanning}. */
export interface RegistryScanningProps {
  /** The cloud. */
  readonly cloud: AwsCloud;
  /**
   * How images are scanned.
   *
   * @default ImageScanType.BASIC_ON_PUSH
   */
  readonly scanType?: ImageScanType;
  /**
   * Topic HIGH and CRITICAL findings are routed to.
   *
   * @default - the cloud's alert topic (`cloud.alertTopic()`)
   */
  readonly alertTopic?: AlertTopic;
  /**
   * Images pushed or rescanned a month, for the cost estimate of enhanced scanning.
   *
   * @default 200
   */
  readonly imagesScannedPerMonth?: number;
}

/**
 * The ECR registry scanning configuration of the account in the primary region (every repository, wildcard
 * filter) and an EventBridge rule that routes HIGH and CRITICAL findings to the alert topic.
 *
 * The configuration is one per account and region: creating it replaces whatever was set before, and
 * destroying the stack returns the registry to basic manual scanning. Enhanced scanning needs Amazon
 * Inspector activated for ECR; the stack does not activate it (that is an account-wide setting a destroyable
 * stack must not own) and the report lists it as a step before the first deploy.
 *
 * @example
 * new RegistryScanning(stack, 'ImageScanning', { cloud, scanType: ImageScanType.ENHANCED_CONTINUOUS });
 */
export class RegistryScanning extends Construct {
  /** The registry scanning configuration. */
  public readonly resource: EcrRegistryScanningConfiguration;
  /** The rule routing findings to the topic. */
  public readonly findingsRule: CloudwatchEventRule;
  /** The scan type in use. */
  public readonly scanType: ImageScanType;

  constructor(scope: Construct, id: string, props: RegistryScanningProps) {
    super(scope, id);
    requireProps(this, props, '{ cloud }');
    requireConstruct(this, 'cloud', props.cloud, 'an AwsCloud', (v) => v instanceof AwsCloud, "Pass the stack's AwsCloud.");
    checkEnum(this, 'scanType', props.scanType, ImageScanType, 'ImageScanType');
    if (props.alertTopic !== undefined) {
      requireConstruct(this, 'alertTopic', props.alertTopic, 'an AlertTopic', (v) => v instanceof AlertTopic, 'Pass cloud.alertTopic().');
    }
    const images = props.imagesScannedPerMonth ?? 200;
    checkInteger(this, 'imagesScannedPerMonth', images, 0, 10_000_000);
    const cloud = props.cloud;
    this.scanType = props.scanType ?? ImageScanType.BASIC_ON_PUSH;
    const enhanced = this.scanType === ImageScanType.ENHANCED_CONTINUOUS;
    this.resource = new EcrRegistryScanningConfiguration(this, 'Resource', {
      provider: cloud.provider,
      scanType: enhanced ? 'ENHANCED' : 'BASIC',
      rule: [{
        scanFrequency: enhanced ? 'CONTINUOUS_SCAN' : 'SCAN_ON_PUSH',
        repositoryFilter: [{ filter: '*', filterType: 'WILDCARD' }],
      }],
    });
    const topic = props.alertTopic ?? cloud.alertTopic();
    this.findingsRule = enhanced
      ? topic.routeEvents(this, 'Findings', 'HIGH and CRITICAL Amazon Inspector findings on ECR images', {
        'source': ['aws.inspector2'],
        'detail-type': ['Inspector2 Finding'],
        'detail': { severity: ['HIGH', 'CRITICAL'], status: ['ACTIVE'], resources: { type: ['AWS_ECR_CONTAINER_IMAGE'] } },
      })
      : topic.routeEvents(this, 'Findings', 'ECR basic scans that found HIGH or CRITICAL vulnerabilities', {
        'source': ['aws.ecr'],
        'detail-type': ['ECR Image Scan'],
        'detail': {
          'scan-status': ['COMPLETE'],
          'finding-severity-counts': { $or: [{ CRITICAL: [{ numeric: ['>', 0] }] }, { HIGH: [{ numeric: ['>', 0] }] }] },
        },
      });

    const stack = cloud.stack;
    if (enhanced) {
      stack.addDeploymentStep({
        phase: DeploymentPhase.BEFORE_DEPLOY,
        title: `Activate Amazon Inspector for ECR in ${cloud.primaryRegion}`,
        detail: 'Enhanced (continuous) image scanning is done by Amazon Inspector, which must be activated for ECR in this account and region ' +
          '(in an AWS Organization, by the Inspector delegated administrator). The stack does not do it: Inspector activation is account-wide, ' +
          'and destroying a stack that owned it would switch scanning off for every team. Without it, images show "scan status: unsupported" ' +
          'and no findings arrive. Use ImageScanType.BASIC_ON_PUSH where Inspector cannot be activated.',
        command: `aws inspector2 enable --resource-types ECR --region ${cloud.primaryRegion}`,
      });
      stack.addCostLine({
        component: this.node.path, resource: 'Amazon Inspector ECR image scans (initial scan and continuous rescans)', region: cloud.primaryRegion,
        unit: CostUnit.MONTH, baselineQuantity: images, fullScaleQuantity: images, priceKey: 'inspector:ecr-image-scan',
        assumption: `imagesScannedPerMonth = ${images} images pushed or rescanned a month; priced per image`,
      });
    }
    stack.addComponent({
      path: this.node.path, name: 'RegistryScanning',
      description: `ECR ${enhanced ? 'enhanced continuous (Amazon Inspector)' : 'basic on-push'} scanning of every repository; HIGH/CRITICAL findings to the alert topic`,
    });
  }
}
