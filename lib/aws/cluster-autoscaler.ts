import { Construct } from 'constructs';
import { PlatformStack } from '../core/platform-stack';
import { ChartCatalog } from '../k8s/chart-catalog';
import { PinnedRelease } from '../k8s/pinned-release';
import type { IEksCluster } from './eks-cluster';
import { PodIdentity } from './pod-identity';

const SERVICE_ACCOUNT = 'cluster-autoscaler';

/**
 * The Kubernetes Cluster Autoscaler for an EKS cluster, in `kube-system` on the system nodes. EKS managed node
 * groups carry the auto-discovery tags, and the autoscaler reads their labels and taints from the EKS API, so
 * GPU pools scale up from zero when a GPU pod is pending and back to zero when idle. Its IAM permissions can
 * only change the capacity of this cluster's groups.
 */
export class EksClusterAutoscaler extends Construct {
  /** The Helm release. */
  public readonly release: PinnedRelease;

  constructor(scope: Construct, id: string, cluster: IEksCluster) {
    super(scope, id);
    const stack = PlatformStack.ofConstruct(this);
    const cloud = cluster.cloud;
    const identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: 'kube-system', serviceAccountName: SERVICE_ACCOUNT }) as PodIdentity;
    const regionArn = (service: string) => `arn:${cloud.partition}:${service}:${cloud.primaryRegion}:${cloud.accountId}`;
    identity.addToPrincipalPolicy({
      actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      resources: [`${regionArn('autoscaling')}:autoScalingGroup:*:autoScalingGroupName/*`],
      conditions: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster.clusterName}`]: 'owned' } },
    });
    identity.addToPrincipalPolicy({
      actions: ['eks:DescribeNodegroup'],
      resources: [`${regionArn('eks')}:nodegroup/${cluster.clusterName}/*/*`],
    });
    // Describe calls cannot be scoped to resources.
    identity.addToPrincipalPolicy({
      actions: [
        'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeScalingActivities', 'autoscaling:DescribeTags', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions', 'ec2:GetInstanceTypesFromInstanceRequirements',
      ],
      resources: ['*'],
    });
    const chart = ChartCatalog.CLUSTER_AUTOSCALER;
    this.release = new PinnedRelease(this, 'Release', {
      cluster,
      chart,
      releaseName: 'cluster-autoscaler',
      namespace: 'kube-system',
      // Pods started before the association get no AWS credentials.
      dependsOn: identity.prerequisites,
      values: {
        cloudProvider: 'aws',
        awsRegion: cloud.primaryRegion,
        autoDiscovery: { clusterName: cluster.clusterName },
        rbac: { serviceAccount: { create: true, name: SERVICE_ACCOUNT } },
        extraArgs: {
          'balance-similar-node-groups': true,
          'skip-nodes-with-system-pods': false,
          'expander': 'least-waste',
          'scale-down-unneeded-time': '10m',
        },
        // Not podLabels: the chart copies those into the Deployment's immutable selector, so a changed cost tag
        // would break every later upgrade. additionalLabels reach the pods and objects, not the selector.
        additionalLabels: stack.costAllocation.tags,
        nodeSelector: { 'node-role.mlops/system': 'true' },
      },
    });
    stack.addComponent({
      path: this.node.path, name: 'ClusterAutoscaler',
      description: `Cluster Autoscaler ${chart.appVersion} (chart ${chart.version}): node groups scale to pending pods, GPU pools from zero`,
    });
  }
}
