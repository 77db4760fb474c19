import { InternalIngress, InternalIngressProps } from '../../lib/aws/internal-ingress';
import { LoadBalancerController } from '../../lib/aws/load-balancer-controller';
import { ChartCatalog } from '../../lib/k8s/chart-catalog';
import {
  SynthResult, addressOf, expectValidationError, helmRelease, helmValues, newPlatform, resourceAt, resourcesOfType, synthStack,
} from '../helpers';

const CERT = 'arn:aws:acm:us-east-1:111122223333:certificate/12345678-90ab-cdef-1234-567890abcdef';
const BACKENDS = [
  { hostName: 'mlflow.ml.example.com', serviceName: 'mlflow', namespace: 'mlflow', port: 80, healthCheckPath: '/health' },
  { hostName: 'grafana.ml.example.com', serviceName: 'grafana', namespace: 'monitoring', port: 3000, healthCheckPath: '/api/health' },
];

describe('LoadBalancerController and InternalIngress', () => {
  let out: SynthResult;
  let json: any;
  beforeAll(() => {
    const { stack, cluster } = newPlatform();
    const controller = new LoadBalancerController(stack, 'LoadBalancerController', { cluster });
    new InternalIngress(stack, 'Ingress', { controller, certificateArn: CERT, allowedCidrs: ['10.0.0.0/8', '192.168.10.0/24'], backends: BACKENDS });
    out = synthStack(stack);
    json = out.json;
  });

  test('the pinned chart, with cluster name, region, VPC and the restricted security context', () => {
    const release = helmRelease(json, 'aws-load-balancer-controller');
    expect(release).toMatchObject({
      repository: ChartCatalog.AWS_LOAD_BALANCER_CONTROLLER.repository, chart: 'aws-load-balancer-controller', version: '3.5.0',
      namespace: 'aws-load-balancer-controller', atomic: true, wait: true,
    });
    const values = helmValues(release);
    expect(values).toMatchObject({
      clusterName: 'fraud-prod', region: 'us-east-1', vpcId: '${' + addressOf(json, 'aws_eks_cluster', 'test/Cluster/Resource') + '.vpc_config[0].vpc_id}',
      serviceAccount: { create: true, name: 'aws-load-balancer-controller' },
      enableServiceMutatorWebhook: false, createIngressClassResource: true, ingressClass: 'alb',
      nodeSelector: { 'node-role.mlops/system': 'true' },
      defaultTags: { team: 'ml-platform' },
    });
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.securityContext).toEqual({
      readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(values.resources.requests).toBeDefined();
    expect(values.resources.limits.memory).toBe('256Mi');
  });

  test('its namespace enforces restricted Pod Security and the release waits for the pod identity', () => {
    const ns = resourcesOfType(json, 'kubernetes_namespace_v1').find((n) => n.metadata.name === 'aws-load-balancer-controller');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const release = helmRelease(json, 'aws-load-balancer-controller');
    expect(release.depends_on).toEqual(expect.arrayContaining([
      addressOf(json, 'aws_eks_pod_identity_association', 'test/LoadBalancerController/Identity/Association'),
      addressOf(json, 'aws_iam_role_policy', 'test/LoadBalancerController/Identity/Policy'),
    ]));
    expect(resourceAt(json, 'aws_eks_pod_identity_association', 'test/LoadBalancerController/Identity/Association'))
      .toMatchObject({ namespace: 'aws-load-balancer-controller', service_account: 'aws-load-balancer-controller' });
  });

  test('the IAM policy limits mutations to resources tagged by the controller', () => {
    const policy = JSON.parse(resourceAt(json, 'aws_iam_role_policy', 'test/LoadBalancerController/Identity/Policy').policy);
    const sid = (id: string) => policy.Statement.find((s: any) => s.Sid === id);
    expect(sid('ManageOwnLoadBalancers').Condition).toEqual({ Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } });
    expect(sid('CreateTaggedLoadBalancers').Condition).toEqual({ Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } });
    expect(sid('CreateElbServiceLinkedRole').Condition.StringEquals['iam:AWSServiceName']).toBe('elasticloadbalancing.amazonaws.com');
    expect(sid('ManageOwnSecurityGroups').Action).toContain('ec2:DeleteSecurityGroup');
    const actions = policy.Statement.flatMap((s: any) => s.Action);
    expect(actions).not.toContain('*');
    expect(actions.filter((a: string) => a.endsWith(':*'))).toEqual([]);
  });

  test('one internal ALB group: HTTPS 443 only, the certificate, TLS 1.2+, the CIDRs, IP targets', () => {
    const ingresses = resourcesOfType(json, 'kubernetes_ingress_v1');
    expect(ingresses).toHaveLength(2);
    for (const [i, ingress] of ingresses.entries()) {
      const a = ingress.metadata.annotations;
      expect(a).toMatchObject({
        'alb.ingress.kubernetes.io/group.name': 'fraud-prod-internal',
        'alb.ingress.kubernetes.io/scheme': 'internal',
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
        'alb.ingress.kubernetes.io/certificate-arn': CERT,
        'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        'alb.ingress.kubernetes.io/inbound-cidrs': '10.0.0.0/8,192.168.10.0/24',
        'alb.ingress.kubernetes.io/healthcheck-path': BACKENDS[i].healthCheckPath,
      });
      expect(a['alb.ingress.kubernetes.io/load-balancer-attributes']).toContain('routing.http.drop_invalid_header_fields.enabled=true');
      expect(JSON.stringify(a)).not.toMatch(/"HTTP":|ssl-redirect/);
      expect(ingress.metadata.namespace).toBe(BACKENDS[i].namespace);
      expect(ingress.spec.ingress_class_name).toBe('alb');
      expect(ingress.spec.rule).toEqual([{
        host: BACKENDS[i].hostName,
        http: { path: [{ path: '/', path_type: 'Prefix', backend: { service: { name: BACKENDS[i].serviceName, port: { number: BACKENDS[i].port } } } }] },
      }]);
      expect(ingress.wait_for_load_balancer).toBe(true);
      // The controller's validating webhook rejects Ingress objects until it runs.
      expect(ingress.depends_on).toContain(addressOf(json, 'helm_release', 'test/LoadBalancerController/Release/Resource'));
    }
    expect(Object.keys(json.output).some((k) => k.includes('Hostname'))).toBe(true);
  });

  test('cost lines for ALB hours and LCUs; no policy errors', () => {
    const text = JSON.stringify(out.report);
    expect(text).toContain('elb:alb-hour');
    expect(text).toContain('elb:alb-lcu');
    expect(out.report.policy.errors).toBe(0);
  });

  test('access logs go to the given bucket', () => {
    const { stack, cluster } = newPlatform();
    const controller = new LoadBalancerController(stack, 'Lbc', { cluster });
    new InternalIngress(stack, 'Ingress', {
      controller, certificateArn: CERT, allowedCidrs: ['10.0.0.0/8'], backends: [BACKENDS[0]], accessLogsBucketName: 'acme-elb-logs', groupName: 'ml-ui',
    });
    const ingress = resourcesOfType(synthStack(stack).json, 'kubernetes_ingress_v1')[0];
    expect(ingress.metadata.annotations['alb.ingress.kubernetes.io/load-balancer-attributes'])
      .toBe('routing.http.drop_invalid_header_fields.enabled=true,access_logs.s3.enabled=true,access_logs.s3.bucket=acme-elb-logs,access_logs.s3.prefix=ml-ui');
  });
});

describe('validation', () => {
  const setup = () => {
    const { stack, cluster } = newPlatform();
    const controller = new LoadBalancerController(stack, 'Lbc', { cluster });
    let n = 0;
    // Each attempt needs its own id: a construct that throws is already in the tree. Ids: I1, I2, ...
    const make = (overrides: Partial<InternalIngressProps>) => () => new InternalIngress(stack, `I${++n}`, {
      controller, certificateArn: CERT, allowedCidrs: ['10.0.0.0/8'], backends: BACKENDS, ...overrides,
    });
    return { stack, cluster, make };
  };

  test('certificateArn: missing, malformed, another region', () => {
    const { make } = setup();
    expectValidationError(make({ certificateArn: '' }), 'test/I1', 'certificateArn', /is required/);
    expectValidationError(make({ certificateArn: 'arn:aws:iam::111122223333:server-certificate/x' }), 'test/I2', 'certificateArn', /not an ACM certificate ARN/);
    expectValidationError(make({ certificateArn: CERT.replace('us-east-1', 'eu-west-1') }), 'test/I3', 'certificateArn', /only uses certificates of its own region/);
  });

  test('allowedCidrs: empty, missing, 0.0.0.0/0, malformed, host bits, repeated', () => {
    const { make } = setup();
    expectValidationError(make({ allowedCidrs: [] }), 'test/I1', 'allowedCidrs', /is empty/);
    expectValidationError(make({ allowedCidrs: undefined as any }), 'test/I2', 'allowedCidrs', /is required/);
    expectValidationError(make({ allowedCidrs: ['10.0.0.0/8', '0.0.0.0/0'] }), 'test/I3', 'allowedCidrs[1]', /every address/);
    expectValidationError(make({ allowedCidrs: ['10.0.0.300/24'] }), 'test/I4', 'allowedCidrs[0]', /IPv4 CIDR/);
    expectValidationError(make({ allowedCidrs: ['10.0.0.1/8'] }), 'test/I5', 'allowedCidrs[0]', /host bits/);
    expectValidationError(make({ allowedCidrs: ['10.0.0.0/8', '10.0.0.0/8'] }), 'test/I6', 'allowedCidrs[1]', /repeats/);
  });

  test('backends: empty, bad host, repeated host, bad port, bad namespace', () => {
    const { make } = setup();
    expectValidationError(make({ backends: [] }), 'test/I1', 'backends', /at least 1/);
    expectValidationError(make({ backends: [{ ...BACKENDS[0], hostName: 'MLflow_UI' }] }), 'test/I2', 'backends[0].hostName', /DNS host name/);
    expectValidationError(make({ backends: [BACKENDS[0], { ...BACKENDS[1], hostName: BACKENDS[0].hostName }] }), 'test/I3', 'backends.hostName[1]', /repeats/);
    expectValidationError(make({ backends: [{ ...BACKENDS[0], port: 0 }] }), 'test/I4', 'backends[0].port', /whole number/);
    expectValidationError(make({ backends: [{ ...BACKENDS[0], namespace: 'ML' }] }), 'test/I5', 'backends[0].namespace', /namespace/);
    expectValidationError(make({ backends: [{ ...BACKENDS[0], healthCheckPath: 'health' }] }), 'test/I6', 'backends[0].healthCheckPath', /path/);
  });

  test('sslPolicy must be TLS 1.2+, groupName a DNS label, access log bucket a bucket name', () => {
    const { make } = setup();
    expectValidationError(make({ sslPolicy: 'ELBSecurityPolicy-2016-08' }), 'test/I1', 'sslPolicy', /TLS 1.2/);
    expectValidationError(make({ groupName: 'Internal ALB' }), 'test/I2', 'groupName', /DNS label/);
    expectValidationError(make({ accessLogsBucketName: 'Bad_Bucket' }), 'test/I3', 'accessLogsBucketName', /bucket name/);
    expectValidationError(make({ averageLcus: 0 }), 'test/I4', 'averageLcus', /whole number/);
  });

  test('controller props', () => {
    const { stack, cluster } = setup();
    expect(() => new InternalIngress(stack, 'X', { controller: {} as any, certificateArn: CERT, allowedCidrs: ['10.0.0.0/8'], backends: BACKENDS })).toThrow(/controller/);
    expectValidationError(() => new LoadBalancerController(stack, 'Lbc2', { cluster, replicas: 0 }), 'test/Lbc2', 'replicas', /whole number/);
    expectValidationError(() => new LoadBalancerController(stack, 'Lbc3', { cluster, vpcId: 'vpc-1' }), 'test/Lbc3', 'vpcId', /VPC ID/);
    expect(() => new LoadBalancerController(stack, 'Lbc4', { cluster: 'x' as any })).toThrow(/cluster/);
  });
});
