import { AutoscalingGroupTagA } from '@cdktf/provider-aws/lib/autoscaling-group-tag';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { AwsCloud } from './aws-cloud';
import { KeyPurpose } from './aws-cloud';

/** A Kubernetes taint on every node of a group. */
export interface NodeTaint {
  /** Taint key. */
  readonly key: string;
  /**
   * Taint value.
   *
   * @default - none
   */
  readonly value?: string;
  /** `NO_SCHEDULE`, `NO_EXECUTE` or `PREFER_NO_SCHEDULE` (the EKS API's spelling). */
  readonly effect: string;
}

/** Properties of a {@link ManagedNodeGroup}. */
export interface ManagedNodeGroupProps {
  /** The cloud. */
  readonly cloud: AwsCloud;
  /** Cluster name. */
  readonly clusterName: string;
  /** Node IAM role ARN. */
  readonly nodeRoleArn: string;
  /** Subnets the nodes launch in (private). */
  readonly subnetIds: string[];
  /** EKS AMI type, e.g. `AL2023_x86_64_NVIDIA`. */
  readonly amiType: string;
  /** Instance types. */
  readonly instanceTypes: string[];
  /** Minimum nodes. */
  readonly minSize: number;
  /** Maximum nodes. */
  readonly maxSize: number;
  /** Nodes at creation; later changed by the autoscaler, so Terraform ignores drift on it. */
  readonly desiredSize: number;
  /** `ON_DEMAND` or `SPOT`. */
  readonly capacityType: string;
  /** Root volume size in GiB. */
  readonly diskSizeGiB: number;
  /**
   * Name that tells this group apart in node group names and in the `eks-node-group` cost tag.
   *
   * @default - the construct id
   */
  readonly groupName?: string;
  /**
   * Kubernetes labels.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Tags on the Auto Scaling group EKS creates (not propagated to instances), e.g. the Cluster Autoscaler's
   * node-template hints.
   *
   * @default - none
   */
  readonly autoScalingGroupTags?: { [key: string]: string };
  /**
   * Kubernetes taints.
   *
   * @default - none
   */
  readonly taints?: NodeTaint[];
  /**
   * IMDS hop limit. 1 keeps pods off the instance metadata service (they use Pod Identity); 2 is the most
   * this library allows.
   *
   * @default 1
   */
  readonly metadataHopLimit?: number;
  /**
   * Capacity reservation to launch into.
   *
   * @default - none
   */
  readonly capacityReservationId?: string;
  /**
   * Resources the node group must wait for (e.g. the networking add-ons).
   *
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An EKS managed node group with its own launch template: IMDSv2 required, hop limit 1, an encrypted gp3 root
 * volume on the platform's data key, and no SSH access.
 *
 * @example
 * new ManagedNodeGroup(this, 'System', { cloud, clusterName, nodeRoleArn, subnetIds, amiType: 'AL2023_x86_64_STANDARD',
 *   instanceTypes: ['m7i.large'], minSize: 2, maxSize: 4, desiredSize: 2, capacityType: 'ON_DEMAND', diskSizeGiB: 50 });
 */
export class ManagedNodeGroup extends Construct {
  /** The node group. */
  public readonly resource: EksNodeGroup;
  /** The launch template. */
  public readonly launchTemplate: LaunchTemplate;
  /** Node group name. */
  public readonly nodeGroupName: string;

  constructor(scope: Construct, id: string, props: ManagedNodeGroupProps) {
    super(scope, id);
    const provider = props.cloud.provider;
    const groupName = (props.groupName ?? id).toLowerCase().replace(/[^a-z0-9-]/g, '-');
    // NVIDIA and Bottlerocket AMIs use /dev/xvda as root as well on AL2023.
    this.launchTemplate = new LaunchTemplate(this, 'LaunchTemplate', {
      provider,
      // Literal prefix: the cluster name may be a reference, which must not be string-manipulated.
      namePrefix: `${props.cloud.namePrefix}-${groupName}-`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpTokens: 'required',
        httpEndpoint: 'enabled',
        httpPutResponseHopLimit: props.metadataHopLimit ?? 1,
      },
      blockDeviceMappings: [{
        deviceName: '/dev/xvda',
        ebs: {
          volumeSize: props.diskSizeGiB,
          volumeType: 'gp3',
          encrypted: 'true',
          kmsKeyId: props.cloud.key(KeyPurpose.DATA).keyArn,
          deleteOnTermination: 'true',
        },
      }],
      capacityReservationSpecification: props.capacityReservationId
        ? { capacityReservationTarget: { capacityReservationId: props.capacityReservationId } }
        : undefined,
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({
        resourceType, tags: { ...props.cloud.stack.costAllocation.tags, 'eks-node-group': props.groupName ?? id },
      })),
    });
    this.resource = new EksNodeGroup(this, 'Resource', {
      provider,
      clusterName: props.clusterName,
      nodeGroupNamePrefix: `${groupName}-`,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: props.subnetIds,
      amiType: props.amiType,
      instanceTypes: props.instanceTypes,
      capacityType: props.capacityType,
      scalingConfig: { minSize: props.minSize, maxSize: props.maxSize, desiredSize: props.desiredSize },
      updateConfig: { maxUnavailablePercentage: 33 },
      launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.toString() },
      labels: props.labels,
      taint: props.taints?.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      dependsOn: props.dependsOn,
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'], createBeforeDestroy: true },
    });
    this.nodeGroupName = this.resource.nodeGroupName;
    const asgName = this.resource.resources.get(0).autoscalingGroups.get(0).name;
    for (const [key, value] of Object.entries(props.autoScalingGroupTags ?? {})) {
      new AutoscalingGroupTagA(this, `AsgTag-${key.split('/').pop()}`, {
        provider, autoscalingGroupName: asgName, tag: { key, value, propagateAtLaunch: false },
      });
    }
  }
}
