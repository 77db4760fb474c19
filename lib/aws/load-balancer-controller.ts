import { Construct } from 'constructs';
import { ValidationError } from '../core/errors';
import { DeploymentPhase } from '../core/platform-report';
import { PlatformStack } from '../core/platform-stack';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkInteger, checkPattern, isKubernetesCluster, requireConstruct, requireProps } from '../core/validate';
import { ChartCatalog } from '../k8s/chart-catalog';
import { PinnedRelease } from '../k8s/pinned-release';
import { PlatformNamespace } from '../k8s/platform-namespace';
import type { IEksCluster } from './eks-cluster';
import { PolicyStatement } from './iam-policy';
import { PodIdentity } from './pod-identity';

const SERVICE_ACCOUNT = 'aws-load-balancer-controller';
const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/**
 * The IAM permissions the AWS Load Balancer Controller documents for itself (`docs/install/iam_policy.json` of
 * kubernetes-sigs/aws-load-balancer-controller, in its v2.14+ form that v3 keeps: listener attributes, capacity
 * reservations, IPAM pools, rule priorities). Mutations of load balancers, target groups and security groups are
 * limited to resources carrying the controller's `elbv2.k8s.aws/cluster` tag, as upstream does; describe calls
 * cannot be scoped. Re-check against that file when the chart is bumped.
 */
export function loadBalancerControllerPolicy(partition: string): PolicyStatement[] {
  const elb = (resource: string) => `arn:${partition}:elasticloadbalancing:*:*:${resource}`;
  const lbAndTargetGroups = [elb('targetgroup/*/*'), elb('loadbalancer/net/*/*'), elb('loadbalancer/app/*/*')];
  const tagged = { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' } };
  return [
    {
      sid: 'CreateElbServiceLinkedRole', actions: ['iam:CreateServiceLinkedRole'],
      // Upstream grants it on "*" under the condition; the role ELB creates has a fixed ARN, named here.
      resources: [`arn:${partition}:iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      sid: 'Describe',
      actions: [
        'ec2:DescribeAccountAttributes', 'ec2:DescribeAddresses', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs', 'ec2:DescribeVpcPeeringConnections', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces', 'ec2:DescribeTags', 'ec2:GetCoipPoolUsage', 'ec2:DescribeCoipPools', 'ec2:GetSecurityGroupsForVpc',
        'ec2:DescribeIpamPools', 'ec2:DescribeRouteTables',
        'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerCertificates', 'elasticloadbalancing:DescribeSSLPolicies', 'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTrustStores', 'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeCapacityReservation',
      ],
      resources: ['*'],
    },
    {
      sid: 'CertificatesWafShield',
      actions: [
        'cognito-idp:DescribeUserPoolClient', 'acm:ListCertificates', 'acm:DescribeCertificate', 'iam:ListServerCertificates', 'iam:GetServerCertificate',
        'waf-regional:GetWebACL', 'waf-regional:GetWebACLForResource', 'waf-regional:AssociateWebACL', 'waf-regional:DisassociateWebACL',
        'wafv2:GetWebACL', 'wafv2:GetWebACLForResource', 'wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL',
        'shield:GetSubscriptionState', 'shield:DescribeProtection', 'shield:CreateProtection', 'shield:DeleteProtection',
      ],
      resources: ['*'],
    },
    { sid: 'SecurityGroupRules', actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'], resources: ['*'] },
    { sid: 'CreateSecurityGroup', actions: ['ec2:CreateSecurityGroup'], resources: ['*'] },
    {
      sid: 'TagNewSecurityGroups', actions: ['ec2:CreateTags'], resources: [`arn:${partition}:ec2:*:*:security-group/*`],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' } },
    },
    {
      sid: 'RetagOwnSecurityGroups', actions: ['ec2:CreateTags', 'ec2:DeleteTags'], resources: [`arn:${partition}:ec2:*:*:security-group/*`],
      conditions: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true', [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' } },
    },
    {
      sid: 'ManageOwnSecurityGroups', actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
      resources: ['*'], conditions: tagged,
    },
    {
      sid: 'CreateTaggedLoadBalancers', actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      resources: ['*'], conditions: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' } },
    },
    {
      sid: 'ListenersAndRules',
      actions: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule'],
      resources: ['*'],
    },
    {
      sid: 'RetagOwnLoadBalancers', actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'], resources: lbAndTargetGroups,
      conditions: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true', [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' } },
    },
    {
      sid: 'TagListenersAndRules', actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      resources: [elb('listener/net/*/*/*'), elb('listener/app/*/*/*'), elb('listener-rule/net/*/*/*'), elb('listener-rule/app/*/*/*')],
    },
    {
      sid: 'ManageOwnLoadBalancers',
      actions: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes', 'elasticloadbalancing:SetIpAddressType', 'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets', 'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation', 'elasticloadbalancing:ModifyIpPools',
      ],
      resources: ['*'], conditions: tagged,
    },
    {
      sid: 'TagOnCreate', actions: ['elasticloadbalancing:AddTags'], resources: lbAndTargetGroups,
      conditions: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
        Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' },
      },
    },
    {
      sid: 'RegisterTargets', actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: [elb('targetgroup/*/*')],
    },
    {
      sid: 'ListenerSettings',
      actions: [
        'elasticloadbalancing:SetWebAcl', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:SetRulePriorities',
      ],
      resources: ['*'],
    },
  ];
}

/** Properties of a {@link LoadBalancerController}. */
export interface LoadBalancerControllerProps {
  /** The EKS cluster. */
  readonly cluster: IEksCluster;
  /**
   * ID of the cluster's VPC, passed to the controller so it never asks the instance metadata service (which the
   * hop limit of 1 keeps pods away from).
   *
   * @default - the VPC of an EksCluster created in this stack; required for an imported cluster
   */
  readonly vpcId?: string;
  /**
   * Namespace of the controller (created, Pod Security `restricted`).
   *
   * @default 'aws-load-balancer-controller'
   */
  readonly namespace?: string;
  /**
   * Controller replicas (one is the leader, the others answer the webhooks).
   *
   * @default 2
   */
  readonly replicas?: number;
}

/**
 * The AWS Load Balancer Controller (pinned chart) in its own `restricted` namespace on the system nodes, with an
 * EKS Pod Identity carrying the controller's documented least-privilege policy, the cluster name, region and
 * VPC passed explicitly, the cost allocation tags on every load balancer it creates, and the Service mutating
 * webhook off (the platform exposes services through Ingress only, and a failing webhook would otherwise block
 * every `LoadBalancer` Service of the cluster). Ingress objects of class `alb` must be created after
 * {@link LoadBalancerController.release}: its validating webhook rejects them until the controller is ready.
 *
 * @example
 * const lbc = new LoadBalancerController(stack, 'LoadBalancerController', { cluster });
 */
export class LoadBalancerController extends Construct {
  /** The Helm release (Ingress objects depend on it). */
  public readonly release: PinnedRelease;
  /** The controller's identity. */
  public readonly identity: PodIdentity;
  /** Namespace. */
  public readonly namespace: string;
  /** IngressClass name the controller serves. */
  public readonly ingressClassName = 'alb';
  /** The cluster. */
  public readonly cluster: IEksCluster;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id);
    requireProps(this, props, '{ cluster }');
    requireConstruct(this, 'cluster', props.cluster, 'an EKS cluster (EksCluster or EksCluster.fromClusterAttributes)',
      (v) => isKubernetesCluster(v) && v.cloud !== undefined && typeof v.nodeRoleArn === 'string', 'Pass the platform\'s EksCluster.');
    const cluster = props.cluster;
    this.cluster = cluster;
    const vpcId = props.vpcId ?? (cluster as any).resource?.vpcConfig?.vpcId;
    if (vpcId === undefined) {
      throw new ValidationError(this, 'vpcId', vpcId, 'is required for a cluster created outside this stack',
        "Pass the cluster's VPC ID, e.g. vpcId: 'vpc-0123456789abcdef0'.");
    }
    checkPattern(this, 'vpcId', vpcId, /^vpc-[0-9a-f]{8,17}$/, 'a VPC ID such as "vpc-0123456789abcdef0"');
    const replicas = props.replicas ?? 2;
    checkInteger(this, 'replicas', replicas, 1, 5);
    const stack = PlatformStack.ofConstruct(this);
    const cloud = cluster.cloud;
    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: props.namespace ?? 'aws-load-balancer-controller' });
    this.namespace = props.namespace ?? 'aws-load-balancer-controller';
    this.identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: this.namespace, serviceAccountName: SERVICE_ACCOUNT }) as PodIdentity;
    loadBalancerControllerPolicy(cloud.partition).forEach((s) => this.identity.addToPrincipalPolicy(s));
    PolicySuppressions.add(this.identity, [{
      id: 'CKV_AWS_355', reason: 'ec2:GetCoipPoolUsage and ec2:GetSecurityGroupsForVpc are read calls the controller makes across the VPC; upstream grants them on "*".',
    }]);

    const chart = ChartCatalog.AWS_LOAD_BALANCER_CONTROLLER;
    const restrictedContainer = {
      readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    };
    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart,
      releaseName: 'aws-load-balancer-controller',
      namespace: this.namespace,
      // Pods started before the association get no AWS credentials.
      dependsOn: [namespace.resource, ...this.identity.prerequisites],
      values: {
        clusterName: cluster.clusterName,
        region: cloud.primaryRegion,
        vpcId,
        replicaCount: replicas,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        podSecurityContext: { fsGroup: 65534, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: restrictedContainer,
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        nodeSelector: { 'node-role.mlops/system': 'true' },
        podDisruptionBudget: { maxUnavailable: 1 },
        // Labels on the pods (not in the Deployment's immutable selector) and on every object.
        podLabels: stack.costAllocation.tags,
        additionalLabels: stack.costAllocation.tags,
        // Tags on every load balancer, target group and security group the controller creates.
        defaultTags: stack.costAllocation.tags,
        ingressClass: this.ingressClassName,
        createIngressClassResource: true,
        enableServiceMutatorWebhook: false,
      },
    });
    stack.addComponent({
      path: this.node.path, name: 'LoadBalancerController',
      description: `AWS Load Balancer Controller ${chart.appVersion} (chart ${chart.version}) in ${this.namespace}, IngressClass "${this.ingressClassName}"`,
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: 'Destroy load balancers before the cluster',
      detail: 'The controller creates ALBs and security groups outside Terraform. `cdktf destroy` removes Ingress objects first, but when the ' +
        'controller is gone before it has deleted them, they stay (and keep costing): check `aws elbv2 describe-load-balancers` for ' +
        `load balancers tagged ${CLUSTER_TAG}=${cluster.clusterName} after a destroy.`,
    });
  }
}
