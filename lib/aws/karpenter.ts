import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Annotations } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { CostUnit } from '../core/cost-estimate';
import { GpuNodeGroupOptions, IGpuNodeGroup } from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { PlatformStack } from '../core/platform-stack';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkPattern } from '../core/validate';
import { ChartCatalog } from '../k8s/chart-catalog';
import { ManifestChart } from '../k8s/manifest-chart';
import { PinnedRelease } from '../k8s/pinned-release';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { KeyPurpose } from './aws-cloud';
import type { IEksCluster } from './eks-cluster';
import { GpuInstanceCatalog } from './gpu-instance-catalog';
import { PolicyStatement } from './iam-policy';
import { PodIdentity } from './pod-identity';

/** Which autoscaler gives a cluster's GPU pools their nodes. */
export enum Autoscaler {
  /**
   * The Kubernetes Cluster Autoscaler: each GPU pool is an EKS managed node group (an Auto Scaling group) of one
   * instance type, scaled from its minimum to its maximum.
   */
  CLUSTER_AUTOSCALER = 'CLUSTER_AUTOSCALER',
  /**
   * Karpenter: each GPU pool is a Karpenter NodePool that launches EC2 instances for pending pods directly
   * (faster, no Auto Scaling groups), consolidates idle or underused GPU nodes and drains spot nodes on
   * interruption notices. The Cluster Autoscaler then only scales the system node group.
   */
  KARPENTER = 'KARPENTER',
}

/** Tag Karpenter finds the cluster's subnets and node security group by. */
export const KARPENTER_DISCOVERY_TAG = 'karpenter.sh/discovery';
const NAMESPACE = 'karpenter';
const SERVICE_ACCOUNT = 'karpenter';

/** Properties of a {@link Karpenter}. */
export interface KarpenterProps {
  /** The cluster (created in this stack: its subnets carry the discovery tag). */
  readonly cluster: IEksCluster;
  /** Name of the cluster's node IAM role, which Karpenter's nodes run as (its EKS access entry already exists). */
  readonly nodeRoleName: string;
  /**
   * AMI alias of the GPU nodes' EC2NodeClass: `al2023@latest` picks the AL2023 NVIDIA variant (driver and
   * container toolkit included) for NVIDIA instance types; pin a release (`al2023@v20251120`) to control rollouts.
   *
   * @default 'al2023@latest'
   */
  readonly amiAlias?: string;
}

/**
 * Karpenter (pinned chart) for an EKS cluster's GPU pools: the controller in its own `restricted` namespace on the
 * system nodes, with an EKS Pod Identity carrying Karpenter's documented controller policy scoped to this cluster
 * (instances and launch templates it tags, the region, the node role, the interruption queue); nodes run as the
 * cluster's node role through an instance profile Terraform owns; an SQS interruption queue (KMS-encrypted, TLS
 * only) fed by EventBridge rules for spot interruptions, rebalance recommendations, instance state changes and
 * scheduled health events; and the discovery tag on the cluster security group (the VPC tags the subnets).
 * GPU pools become NodePools with their own EC2NodeClass, written through a chart after the CRDs.
 *
 * Choose it with `EksClusterProps.autoscaler: Autoscaler.KARPENTER`; `cluster.addGpuNodeGroup` then calls
 * {@link Karpenter.addGpuNodePool}.
 *
 * @example
 * const cluster = new EksCluster(stack, 'Cluster', { cloud, vpc, autoscaler: Autoscaler.KARPENTER });
 */
export class Karpenter extends Construct {
  /** The Helm release (installs the CRDs; NodePools wait for it). */
  public readonly release: PinnedRelease;
  /** The controller's identity. */
  public readonly identity: PodIdentity;
  /** The interruption queue. */
  public readonly interruptionQueue: SqsQueue;
  /** The instance profile of the nodes. */
  public readonly instanceProfile: IamInstanceProfile;
  /** AMI alias of the GPU nodes. */
  public readonly amiAlias: string;
  private readonly cluster: IEksCluster;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    const cluster = props.cluster;
    this.cluster = cluster;
    this.amiAlias = props.amiAlias ?? 'al2023@latest';
    checkPattern(this, 'amiAlias', this.amiAlias, /^al2023@(latest|v\d{8})$/, 'an AL2023 alias such as "al2023@latest" or "al2023@v20251120"');
    const cloud = cluster.cloud;
    const provider = cloud.provider;
    const stack = PlatformStack.ofConstruct(this);
    const clusterName = cluster.clusterName;

    new Ec2Tag(this, 'SecurityGroupDiscoveryTag', {
      provider, resourceId: cluster.clusterSecurityGroupId, key: KARPENTER_DISCOVERY_TAG, value: clusterName,
    });
    this.instanceProfile = new IamInstanceProfile(this, 'InstanceProfile', {
      provider, namePrefix: `${cloud.namePrefix}-karpenter-`.slice(0, 38), role: props.nodeRoleName,
    });

    // Interruption queue: EventBridge delivers the notices, Karpenter drains the node before AWS takes it.
    const notificationsKey = cloud.key(KeyPurpose.NOTIFICATIONS);
    notificationsKey.addServiceGrant({ servicePrincipal: 'events.amazonaws.com', actions: ['kms:GenerateDataKey*', 'kms:Decrypt'] });
    this.interruptionQueue = new SqsQueue(this, 'InterruptionQueue', {
      provider, namePrefix: `${cloud.namePrefix}-karpenter-`, messageRetentionSeconds: 300,
      kmsMasterKeyId: notificationsKey.keyArn, kmsDataKeyReusePeriodSeconds: 300,
    });
    const queueArn = this.interruptionQueue.arn;
    const queuePolicy = new SqsQueuePolicy(this, 'InterruptionQueuePolicy', {
      provider, queueUrl: this.interruptionQueue.url,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'EventBridgeSendsNotices', Effect: 'Allow', Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
          Action: 'sqs:SendMessage', Resource: queueArn,
        }, {
          Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: queueArn,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }],
      }),
    });
    const notices: Array<[string, { [key: string]: any }]> = [
      ['ScheduledChange', { 'source': ['aws.health'], 'detail-type': ['AWS Health Event'] }],
      ['SpotInterruption', { 'source': ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] }],
      ['Rebalance', { 'source': ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] }],
      ['InstanceStateChange', { 'source': ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] }],
    ];
    for (const [name, pattern] of notices) {
      const rule = new CloudwatchEventRule(this, `${name}Rule`, {
        provider, namePrefix: `${cloud.namePrefix}-karpenter-${name.toLowerCase()}-`.slice(0, 38),
        description: `Karpenter interruption handling (${clusterName}): ${pattern['detail-type'][0]}`, eventPattern: JSON.stringify(pattern),
      });
      new CloudwatchEventTarget(this, `${name}Target`, { provider, rule: rule.name, arn: queueArn, dependsOn: [queuePolicy] });
    }

    const namespace = new PlatformNamespace(this, 'Namespace', { cluster, name: NAMESPACE });
    this.identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: NAMESPACE, serviceAccountName: SERVICE_ACCOUNT }) as PodIdentity;
    karpenterControllerPolicy({
      partition: cloud.partition, region: cloud.primaryRegion, accountId: cloud.accountId, clusterName,
      nodeRoleArn: cluster.nodeRoleArn, queueArn, dataKeyArn: cloud.key(KeyPurpose.DATA).keyArn, notificationsKeyArn: notificationsKey.keyArn,
    }).forEach((s) => this.identity.addToPrincipalPolicy(s));
    PolicySuppressions.add(this.identity, [{
      id: 'CKV_AWS_355', reason: 'pricing:GetProducts has no resource-level permissions; Karpenter reads on-demand prices to choose instances.',
    }]);

    const chart = ChartCatalog.KARPENTER;
    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart,
      releaseName: 'karpenter',
      namespace: NAMESPACE,
      dependsOn: [namespace.resource, ...this.identity.prerequisites],
      values: {
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        settings: { clusterName, interruptionQueue: this.interruptionQueue.name },
        // Never on the nodes it manages: the system nodes run it (the chart's affinity also keeps it off NodePool nodes).
        nodeSelector: { 'kubernetes.io/os': 'linux', 'node-role.mlops/system': 'true' },
        podSecurityContext: { fsGroup: 65532, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        controller: {
          resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        },
        podLabels: stack.costAllocation.tags,
        additionalLabels: stack.costAllocation.tags,
      },
    });

    stack.addCostLine({
      component: this.node.path, resource: 'SQS interruption queue requests, units of 1,000,000', region: cloud.primaryRegion,
      unit: CostUnit.MONTH, baselineQuantity: 0.2, fullScaleQuantity: 1, priceKey: 'sqs:standard-requests-1m',
      assumption: 'Karpenter long-polls the queue (about 130,000 requests a month) plus notices; the first million requests a month are free',
    });
    stack.addComponent({
      path: this.node.path, name: 'Karpenter',
      description: `Karpenter ${chart.appVersion} (chart ${chart.version}) for the GPU pools of ${clusterName}, AMI ${this.amiAlias}, interruption queue on SQS`,
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: 'Protect running GPU jobs from consolidation',
      detail: 'Karpenter replaces underused GPU nodes with cheaper ones (WhenEmptyOrUnderutilized). Pods that must not be moved mid-run ' +
        '(training jobs without checkpoints) should carry the annotation `karpenter.sh/do-not-disrupt: "true"`; Karpenter then only removes ' +
        'their node once they finish. Spot nodes are drained on the 2-minute interruption notice whatever the annotation.',
    });
  }

  /** Adds a GPU pool as a Karpenter NodePool with its own EC2NodeClass. */
  public addGpuNodePool(scope: IConstruct, id: string, options: GpuNodeGroupOptions): KarpenterNodePool {
    return new KarpenterNodePool(scope as Construct, id, { karpenter: this, cluster: this.cluster, options });
  }
}

/** Properties of a {@link KarpenterNodePool}. */
export interface KarpenterNodePoolProps {
  /** The Karpenter installation. */
  readonly karpenter: Karpenter;
  /** The cluster. */
  readonly cluster: IEksCluster;
  /** The pool, as the cluster receives it from GpuNodePool. */
  readonly options: GpuNodeGroupOptions;
}

/**
 * One GPU pool as a Karpenter NodePool and EC2NodeClass: the pool's instance type and capacity type, a GPU limit
 * of maxSize nodes, the `nvidia.com/gpu` taint and the pool's labels, consolidation when empty or underused with a
 * disruption budget, nodes on the AL2023 NVIDIA AMI in the discovered private subnets and cluster security group,
 * an encrypted gp3 root volume on the data key, IMDSv2 with hop limit 1, and the cost allocation tags.
 *
 * @example
 * const pool = karpenter.addGpuNodePool(this, 'NodeGroup', options);
 */
export class KarpenterNodePool extends Construct implements IGpuNodeGroup {
  /** Name of the NodePool (and of its EC2NodeClass). */
  public readonly nodeGroupName: string;
  /** The chart holding the NodePool and EC2NodeClass. */
  public readonly resource: ManifestChart;

  constructor(scope: Construct, id: string, props: KarpenterNodePoolProps) {
    super(scope, id);
    const { karpenter, cluster, options } = props;
    const stack = PlatformStack.ofConstruct(this);
    const cloud = cluster.cloud;
    const name = options.poolName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'gpu';
    this.nodeGroupName = name;
    const spec = GpuInstanceCatalog.lookup(options.instanceType);
    const gpusPerNode = spec?.gpuCount ?? options.advertisedGpusPerNode;
    if (options.minSize > 0) {
      Annotations.of(this).addWarning(`GPU pool ${options.poolName}: Karpenter keeps no minimum of nodes, so minSize ${options.minSize} is not held; ` +
        'nodes start when GPU pods are pending and go when they are empty. Use Autoscaler.CLUSTER_AUTOSCALER for a pool with warm nodes.');
    }
    const capacityTypes = options.capacityReservationId !== undefined ? ['reserved', 'on-demand'] : [options.spot ? 'spot' : 'on-demand'];
    const tags = { ...stack.costAllocation.tags, 'mlops/gpu-pool': options.poolName };
    const nodeClass = {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name, labels: stack.costAllocation.tags },
      spec: {
        amiSelectorTerms: [{ alias: karpenter.amiAlias }],
        instanceProfile: karpenter.instanceProfile.name,
        subnetSelectorTerms: [{ tags: { [KARPENTER_DISCOVERY_TAG]: cluster.clusterName } }],
        securityGroupSelectorTerms: [{ tags: { [KARPENTER_DISCOVERY_TAG]: cluster.clusterName } }],
        ...(options.capacityReservationId !== undefined ? { capacityReservationSelectorTerms: [{ id: options.capacityReservationId }] } : {}),
        blockDeviceMappings: [{
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: `${options.diskSizeGiB}Gi`, volumeType: 'gp3', encrypted: true,
            kmsKeyID: cloud.key(KeyPurpose.DATA).keyArn, deleteOnTermination: true,
          },
        }],
        metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
        tags,
      },
    };
    const nodePool = {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name, labels: stack.costAllocation.tags },
      spec: {
        template: {
          // GpuNodePool sets mlops/gpu-pool (and the device plugin config label) in options.labels; keep its values.
          metadata: { labels: { 'mlops/gpu-pool': name, ...options.labels } },
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name },
            requirements: [
              { key: 'node.kubernetes.io/instance-type', operator: 'In', values: [options.instanceType] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: capacityTypes },
              { key: 'kubernetes.io/arch', operator: 'In', values: [options.arm64 ? 'arm64' : 'amd64'] },
              { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
            ],
            taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
            // Nodes are replaced monthly (fresh AMI and patches); a drain waits at most a day for pods to leave.
            expireAfter: '720h',
            terminationGracePeriod: '24h',
          },
        },
        // Karpenter counts the instance type's physical GPUs, so maxSize nodes is the pool's ceiling.
        limits: { 'nvidia.com/gpu': String(options.maxSize * gpusPerNode) },
        disruption: {
          consolidationPolicy: 'WhenEmptyOrUnderutilized',
          consolidateAfter: '10m',
          budgets: [{ nodes: '10%' }, { nodes: '1', reasons: ['Underutilized', 'Drifted'] }],
        },
      },
    };
    this.resource = new ManifestChart(this, 'Resource', {
      cluster,
      releaseName: `karpenter-pool-${name}`.slice(0, 53).replace(/-+$/, ''),
      namespace: NAMESPACE,
      manifests: [nodeClass, nodePool],
      // The CRDs come with the Karpenter chart; the instance profile must exist for the node class to be ready.
      dependsOn: [karpenter.release.resource, karpenter.instanceProfile],
    });
  }
}

/** Inputs of {@link karpenterControllerPolicy}. */
export interface KarpenterPolicyInputs {
  /** Partition. */
  readonly partition: string;
  /** Region of the cluster. */
  readonly region: string;
  /** Account ID. */
  readonly accountId: string;
  /** Cluster name. */
  readonly clusterName: string;
  /** Node role ARN (Karpenter passes it to EC2). */
  readonly nodeRoleArn: string;
  /** Interruption queue ARN. */
  readonly queueArn: string;
  /** Key of the nodes' EBS volumes. */
  readonly dataKeyArn: string;
  /** Key of the interruption queue. */
  readonly notificationsKeyArn: string;
}

/**
 * Karpenter's documented controller policy (the `KarpenterControllerPolicy` of its getting-started CloudFormation
 * template for v1), scoped to this cluster: instances, fleets, volumes, network interfaces and launch templates
 * only with the cluster's ownership tag and a NodePool tag, reads limited to the region, the node role as the only
 * role it may pass, its own queue. The instance-profile management statements are left out: Terraform creates the
 * nodes' instance profile and the EC2NodeClass names it. Added for the CMK-encrypted root volumes: use of the data
 * key through EC2 only.
 */
export function karpenterControllerPolicy(p: KarpenterPolicyInputs): PolicyStatement[] {
  const ec2 = (resource: string) => `arn:${p.partition}:ec2:${p.region}:*:${resource}`;
  const owned = `kubernetes.io/cluster/${p.clusterName}`;
  return [
    {
      sid: 'AllowScopedEC2InstanceAccessActions', actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      // Spot requests too, without the tag conditions, as Karpenter's current reference policy grants them.
      resources: [`arn:${p.partition}:ec2:${p.region}::image/*`, `arn:${p.partition}:ec2:${p.region}::snapshot/*`,
        ec2('security-group/*'), ec2('subnet/*'), ec2('capacity-reservation/*'), ec2('spot-instances-request/*')],
    },
    {
      sid: 'AllowScopedEC2LaunchTemplateAccessActions', actions: ['ec2:RunInstances', 'ec2:CreateFleet'], resources: [ec2('launch-template/*')],
      conditions: { StringEquals: { [`aws:ResourceTag/${owned}`]: 'owned' }, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
    },
    {
      sid: 'AllowScopedEC2InstanceActionsWithTags', actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: [ec2('fleet/*'), ec2('instance/*'), ec2('volume/*'), ec2('network-interface/*'), ec2('launch-template/*'), ec2('spot-instances-request/*')],
      conditions: {
        StringEquals: { [`aws:RequestTag/${owned}`]: 'owned', 'aws:RequestTag/eks:eks-cluster-name': p.clusterName },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      sid: 'AllowScopedResourceCreationTagging', actions: ['ec2:CreateTags'],
      resources: [ec2('fleet/*'), ec2('instance/*'), ec2('volume/*'), ec2('network-interface/*'), ec2('launch-template/*'), ec2('spot-instances-request/*')],
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${owned}`]: 'owned', 'aws:RequestTag/eks:eks-cluster-name': p.clusterName,
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      sid: 'AllowScopedResourceTagging', actions: ['ec2:CreateTags'], resources: [ec2('instance/*')],
      conditions: {
        'StringEquals': { [`aws:ResourceTag/${owned}`]: 'owned' },
        'StringLike': { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
        'StringEqualsIfExists': { 'aws:RequestTag/eks:eks-cluster-name': p.clusterName },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
      },
    },
    {
      sid: 'AllowScopedDeletion', actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'], resources: [ec2('instance/*'), ec2('launch-template/*')],
      conditions: { StringEquals: { [`aws:ResourceTag/${owned}`]: 'owned' }, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
    },
    {
      sid: 'AllowRegionalReadActions',
      actions: ['ec2:DescribeAvailabilityZones', 'ec2:DescribeCapacityReservations', 'ec2:DescribeImages', 'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplates', 'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets'],
      resources: ['*'], conditions: { StringEquals: { 'aws:RequestedRegion': p.region } },
    },
    { sid: 'AllowSSMReadActions', actions: ['ssm:GetParameter'], resources: [`arn:${p.partition}:ssm:${p.region}::parameter/aws/service/*`] },
    { sid: 'AllowPricingReadActions', actions: ['pricing:GetProducts'], resources: ['*'] },
    {
      sid: 'AllowInterruptionQueueActions', actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [p.queueArn],
    },
    { sid: 'AllowInterruptionQueueDecrypt', actions: ['kms:Decrypt'], resources: [p.notificationsKeyArn] },
    {
      sid: 'AllowPassingInstanceRole', actions: ['iam:PassRole'], resources: [p.nodeRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
    },
    {
      // The first spot launch in an account creates EC2's spot service-linked role; without this, a fresh account's spot
      // pools fail with AuthFailure.ServiceLinkedRoleCreationNotPermitted. Only that role, by its fixed ARN.
      sid: 'AllowSpotServiceLinkedRoleCreation', actions: ['iam:CreateServiceLinkedRole'],
      resources: [`arn:${p.partition}:iam::${p.accountId}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'spot.amazonaws.com' } },
    },
    { sid: 'AllowInstanceProfileReadActions', actions: ['iam:GetInstanceProfile'], resources: [`arn:${p.partition}:iam::${p.accountId}:instance-profile/*`] },
    { sid: 'AllowAPIServerEndpointDiscovery', actions: ['eks:DescribeCluster'], resources: [`arn:${p.partition}:eks:${p.region}:${p.accountId}:cluster/${p.clusterName}`] },
    {
      sid: 'AllowEncryptedRootVolumes',
      actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
      resources: [p.dataKeyArn], conditions: { StringEquals: { 'kms:ViaService': `ec2.${p.region}.amazonaws.com` } },
    },
  ];
}
