import { IngressV1 } from '@cdktf/provider-kubernetes/lib/ingress-v1';
import { ITerraformDependable, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { PlatformStack } from '../core/platform-stack';
import {
  checkBucketName, checkCidr, checkDnsLabel, checkInteger, checkPattern, checkUnique, isUnresolved, requireConstruct, requireList, requireProps,
} from '../core/validate';
import { LoadBalancerController } from './load-balancer-controller';

/** TLS 1.3 with TLS 1.2 fallback, forward-secret ciphers only. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** A Kubernetes Service reached through the internal load balancer under its own host name. */
export interface IngressBackend {
  /** Host name clients use, e.g. `mlflow.ml.example.com` (covered by the certificate). */
  readonly hostName: string;
  /** Name of the Service. */
  readonly serviceName: string;
  /** Namespace of the Service (the Ingress is created there). */
  readonly namespace: string;
  /** Service port. */
  readonly port: number;
  /**
   * Path the load balancer checks the pods' health on.
   *
   * @default '/'
   */
  readonly healthCheckPath?: string;
}

/** Properties of an {@link InternalIngress}. */
export interface InternalIngressProps {
  /** The controller that turns the Ingress objects into the load balancer. */
  readonly controller: LoadBalancerController;
  /** ARN of an ACM certificate in the primary region covering every host name (issued and validated). */
  readonly certificateArn: string;
  /** CIDR blocks that may reach the load balancer (VPN, office, peered VPCs); never 0.0.0.0/0. */
  readonly allowedCidrs: string[];
  /** The services to expose, one host name each. */
  readonly backends: IngressBackend[];
  /**
   * Ingress group: every Ingress of the group shares one ALB.
   *
   * @default - `<project>-<environment>-internal`
   */
  readonly groupName?: string;
  /**
   * ELB security policy of the HTTPS listener.
   *
   * @default DEFAULT_SSL_POLICY (TLS 1.3 and 1.2)
   */
  readonly sslPolicy?: string;
  /**
   * Bucket that receives the load balancer's access logs. It must allow ELB log delivery in its bucket policy
   * and use SSE-S3 (ALB access logs do not support SSE-KMS), e.g. the account's central log bucket.
   *
   * @default - no access logs
   */
  readonly accessLogsBucketName?: string;
  /**
   * What the Ingress objects must be created after (the releases that create the backend namespaces and Services).
   *
   * @default - nothing beyond the controller
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Load Balancer Capacity Units the ALB uses on average, for the cost estimate.
   *
   * @default 1
   */
  readonly averageLcus?: number;
}

const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

/**
 * An internal Application Load Balancer in front of platform services (MLflow, Grafana): one ALB shared by an
 * Ingress per service (an ingress group), HTTPS on 443 only with a user-given ACM certificate and a TLS 1.2+
 * policy, no plain-HTTP listener, reachable only from the given CIDR blocks, targets by pod IP, invalid header
 * fields dropped, optionally access-logged. The Ingress objects wait for the controller (its webhook validates
 * them) and for the load balancer, whose host name is a stack output.
 *
 * @example
 * new InternalIngress(stack, 'Ingress', { controller, certificateArn, allowedCidrs: ['10.0.0.0/8'],
 *   backends: [{ hostName: 'mlflow.ml.example.com', serviceName: 'mlflow', namespace: 'mlflow', port: 80, healthCheckPath: '/health' }] });
 */
export class InternalIngress extends Construct {
  /** The Ingress objects, one per backend. */
  public readonly ingresses: IngressV1[];
  /** DNS name of the internal ALB (point the host names at it with CNAME or alias records). */
  public readonly loadBalancerHostname: string;
  /** Ingress group name. */
  public readonly groupName: string;

  constructor(scope: Construct, id: string, props: InternalIngressProps) {
    super(scope, id);
    requireProps(this, props, "{ controller, certificateArn, allowedCidrs: ['10.0.0.0/8'], backends: [...] }");
    requireConstruct(this, 'controller', props.controller, 'a LoadBalancerController', (v) => v instanceof LoadBalancerController,
      "Create one with new LoadBalancerController(stack, 'LoadBalancerController', { cluster }).");
    const cluster = props.controller.cluster;
    const stack = PlatformStack.ofConstruct(this);
    this.checkCertificate(props.certificateArn, cluster.cloud.primaryRegion);
    this.checkCidrs(props.allowedCidrs);
    requireList(this, 'backends', props.backends, {
      required: true, minLength: 1, example: "[{ hostName: 'mlflow.ml.example.com', serviceName: 'mlflow', namespace: 'mlflow', port: 80 }]",
    });
    props.backends.forEach((b, i) => this.checkBackend(b, `backends[${i}]`));
    checkUnique(this, 'backends.hostName', props.backends.map((b) => b.hostName));
    this.groupName = props.groupName ?? `${cluster.cloud.namePrefix}-internal`;
    checkPattern(this, 'groupName', this.groupName, /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/, 'a lower-case DNS label of at most 63 characters');
    const sslPolicy = props.sslPolicy ?? DEFAULT_SSL_POLICY;
    checkPattern(this, 'sslPolicy', sslPolicy, /^ELBSecurityPolicy-(TLS13-1-[23]-|FS-1-2-|TLS-1-2-)/,
      'an ELB security policy that allows TLS 1.2 or newer only, e.g. "ELBSecurityPolicy-TLS13-1-2-2021-06"');
    checkBucketName(this, 'accessLogsBucketName', props.accessLogsBucketName);
    const lcus = props.averageLcus ?? 1;
    checkInteger(this, 'averageLcus', lcus, 1, 10_000);

    const attributes = ['routing.http.drop_invalid_header_fields.enabled=true'];
    if (props.accessLogsBucketName !== undefined) {
      attributes.push('access_logs.s3.enabled=true', `access_logs.s3.bucket=${props.accessLogsBucketName}`, `access_logs.s3.prefix=${this.groupName}`);
    }
    // Group-wide settings are repeated on every Ingress of the group: the controller merges them and fails on conflicts.
    const groupAnnotations = {
      'alb.ingress.kubernetes.io/group.name': this.groupName,
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': JSON.stringify([{ HTTPS: 443 }]),
      'alb.ingress.kubernetes.io/certificate-arn': props.certificateArn,
      'alb.ingress.kubernetes.io/ssl-policy': sslPolicy,
      'alb.ingress.kubernetes.io/inbound-cidrs': props.allowedCidrs.join(','),
      'alb.ingress.kubernetes.io/load-balancer-attributes': attributes.join(','),
    };
    this.ingresses = props.backends.map((b, i) => new IngressV1(this, `Ingress${i + 1}`, {
      provider: cluster.kubernetesProvider,
      metadata: {
        name: `${b.serviceName}-internal`.slice(0, 63).replace(/-+$/, ''),
        namespace: b.namespace,
        labels: stack.costAllocation.tags,
        annotations: { ...groupAnnotations, 'alb.ingress.kubernetes.io/healthcheck-path': b.healthCheckPath ?? '/' },
      },
      spec: {
        ingressClassName: props.controller.ingressClassName,
        rule: [{
          host: b.hostName,
          http: { path: [{ path: '/', pathType: 'Prefix', backend: { service: { name: b.serviceName, port: { number: b.port } } } }] },
        }],
      },
      // Without it Terraform finishes before the ALB exists and the host name output is empty.
      waitForLoadBalancer: true,
      dependsOn: [...cluster.workloadPrerequisites, props.controller.release.resource, ...(props.dependsOn ?? [])],
    }));
    this.loadBalancerHostname = this.ingresses[0].status.get(0).loadBalancer.get(0).ingress.get(0).hostname;
    new TerraformOutput(this, 'Hostname', {
      value: this.loadBalancerHostname,
      description: `Internal ALB of ${props.backends.map((b) => b.hostName).join(', ')}: point these names at it (CNAME or Route 53 alias)`,
    });

    stack.addCostLine({
      component: this.node.path, resource: 'Application Load Balancer hours', region: cluster.cloud.primaryRegion, unit: CostUnit.HOUR,
      baselineQuantity: HOURS_PER_MONTH, fullScaleQuantity: HOURS_PER_MONTH, priceKey: 'elb:alb-hour', assumption: `one ALB for the group, ${HOURS_PER_MONTH} h`,
    });
    stack.addCostLine({
      component: this.node.path, resource: 'Application Load Balancer capacity units (LCU-hours)', region: cluster.cloud.primaryRegion, unit: CostUnit.HOUR,
      baselineQuantity: lcus * HOURS_PER_MONTH, fullScaleQuantity: lcus * HOURS_PER_MONTH, priceKey: 'elb:alb-lcu',
      assumption: `averageLcus = ${lcus} LCU on average (internal UI and API traffic) x ${HOURS_PER_MONTH} h`,
    });
    stack.addComponent({
      path: this.node.path, name: 'InternalIngress',
      description: `internal ALB "${this.groupName}", HTTPS 443 only (${sslPolicy}), from ${props.allowedCidrs.join(', ')}: ` +
        props.backends.map((b) => `${b.hostName} -> ${b.namespace}/${b.serviceName}:${b.port}`).join(', '),
    });
  }

  private checkCertificate(arn: string, region: string): void {
    if (arn === undefined || arn === null || (typeof arn === 'string' && arn.trim() === '')) {
      throw new ValidationError(this, 'certificateArn', arn, 'is required: the ALB only listens on HTTPS',
        `Request or import a certificate in ACM in ${region} for the host names and pass its ARN.`);
    }
    if (isUnresolved(arn)) {
      return;
    }
    const match = typeof arn === 'string' ? ACM_ARN.exec(arn) : null;
    if (!match) {
      throw new ValidationError(this, 'certificateArn', arn, 'is not an ACM certificate ARN',
        'Use an ARN such as "arn:aws:acm:us-east-1:111122223333:certificate/12345678-90ab-cdef-1234-567890abcdef".');
    }
    if (match[1] !== region) {
      throw new ValidationError(this, 'certificateArn', arn, `is in ${match[1]}, but an ALB only uses certificates of its own region (${region})`,
        `Request or import the certificate in ACM in ${region}.`);
    }
  }

  private checkCidrs(cidrs: string[]): void {
    requireList(this, 'allowedCidrs', cidrs, { required: true, example: "['10.0.0.0/8']" });
    if (cidrs.length === 0) {
      throw new ValidationError(this, 'allowedCidrs', cidrs, 'is empty: the load balancer would admit no one, or with the controller default, everyone',
        "List the CIDR blocks of your VPN, offices or peered VPCs, e.g. ['10.0.0.0/8'].");
    }
    cidrs.forEach((cidr, i) => {
      if (cidr === '0.0.0.0/0' || cidr === '::/0') {
        throw new ValidationError(this, `allowedCidrs[${i}]`, cidr, 'opens the load balancer to every address',
          'List the CIDR blocks of your VPN, offices or peered VPCs instead.');
      }
      checkCidr(this, `allowedCidrs[${i}]`, cidr, 8, 32);
    });
    checkUnique(this, 'allowedCidrs', cidrs);
  }

  private checkBackend(b: IngressBackend, at: string): void {
    if (b === null || typeof b !== 'object') {
      throw new ValidationError(this, at, b, 'must be an object', "Pass e.g. { hostName: 'mlflow.ml.example.com', serviceName: 'mlflow', namespace: 'mlflow', port: 80 }.");
    }
    if (typeof b.hostName !== 'string' || (!isUnresolved(b.hostName) && !HOST.test(b.hostName))) {
      throw new ValidationError(this, `${at}.hostName`, b.hostName, 'is not a lower-case DNS host name', "Use a name such as 'mlflow.ml.example.com'.");
    }
    checkDnsLabel(this, `${at}.serviceName`, b.serviceName, 'service');
    checkDnsLabel(this, `${at}.namespace`, b.namespace, 'namespace');
    if (b.serviceName === undefined || b.namespace === undefined) {
      throw new ValidationError(this, `${at}.${b.serviceName === undefined ? 'serviceName' : 'namespace'}`, undefined, 'is required',
        'Name the Service and its namespace.');
    }
    checkInteger(this, `${at}.port`, b.port, 1, 65535);
    if (b.port === undefined) {
      throw new ValidationError(this, `${at}.port`, undefined, 'is required', 'Give the Service port, e.g. 80.');
    }
    checkPattern(this, `${at}.healthCheckPath`, b.healthCheckPath, /^\/[A-Za-z0-9._~\/-]*$/, 'a path starting with "/"');
  }
}
