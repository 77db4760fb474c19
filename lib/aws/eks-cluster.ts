import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { Annotations, Fn, ITerraformDependable, Lazy, Op } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { IGpuCatalog } from '../core/gpu-catalog';
import { DeploymentPhase } from '../core/platform-report';
import {
  EncryptedStorageClass, GpuNodeGroupOptions, IGpuNodeGroup, IKubernetesCluster, IWorkloadIdentity, NamespaceAccessLevel, NamespaceAccessOptions, WorkloadIdentityOptions,
} from '../core/interfaces';
import { checkCidr, checkDnsLabel, checkEnum, checkInteger, checkPattern, checkUnique, isUnresolved, requireConstruct, requireList, requireProps } from '../core/validate';
import * as crypto from 'crypto';
import { checkEksKubernetesVersion, checkIamPrincipalArn, checkImportedClusterAttributes, checkSystemNodeInstanceType } from './aws-catalogs';
import { AwsCloud, KeyPurpose } from './aws-cloud';
import { EksClusterAutoscaler } from './cluster-autoscaler';
import { Autoscaler, KARPENTER_DISCOVERY_TAG, Karpenter } from './karpenter';
import { AwsGpuCatalog } from './gpu-instance-catalog';
import { policyDocument, serviceTrustPolicy } from './iam-policy';
import { encryptedLogGroup } from './log-group';
import { ManagedNodeGroup } from './node-group';
import { PodIdentity } from './pod-identity';
import { Vpc } from './vpc';

/** Oldest Kubernetes version accepted: 1.34 leaves standard support on 2026-12-02 (extended support costs 6x). */
export const MIN_KUBERNETES_MINOR = 35;

/** An EKS cluster, created here or imported, that AWS-backed constructs can build on. */
export interface IEksCluster extends IKubernetesCluster {
  /** The cloud the cluster runs in. */
  readonly cloud: AwsCloud;
  /** Private subnets for nodes and data. */
  readonly privateSubnetIds: string[];
  /** Security group EKS attaches to the control plane and managed nodes. */
  readonly clusterSecurityGroupId: string;
  /** IAM role worker nodes run as. */
  readonly nodeRoleArn: string;
  /** ARN of the cluster's IAM OIDC provider, for roles that service accounts assume (External Secrets stores). */
  readonly openIdConnectProviderArn: string;
  /** OIDC issuer of the cluster without `https://`, as IAM condition keys spell it. */
  readonly openIdConnectIssuer: string;
}

/** Who can reach the Kubernetes API endpoint. */
export class EndpointAccess {
  /** Only from inside the VPC (and peered networks). */
  public static private(): EndpointAccess {
    return new EndpointAccess(false, []);
  }

  /** From inside the VPC, and from the internet only from these CIDR blocks (never 0.0.0.0/0). */
  public static publicAndPrivate(allowedCidrs: string[]): EndpointAccess {
    return new EndpointAccess(true, allowedCidrs);
  }

  private constructor(
    /** Whether the public endpoint is on. */
    public readonly publicAccess: boolean,
    /** CIDR blocks allowed to reach the public endpoint. */
    public readonly publicCidrs: string[],
  ) {}
}

/** Size of the system node group that runs cluster add-ons and platform services. */
export interface SystemNodesOptions {
  /**
   * Instance type.
   *
   * @default 'm7i.large'
   */
  readonly instanceType?: string;
  /**
   * Minimum nodes (at least 2, for the add-ons' replicas across AZs).
   *
   * @default 2
   */
  readonly minSize?: number;
  /**
   * Maximum nodes.
   *
   * @default 6
   */
  readonly maxSize?: number;
}

/** Properties of an {@link EksCluster}. */
export interface EksClusterProps {
  /** The cloud. */
  readonly cloud: AwsCloud;
  /** The VPC whose private subnets host the control plane ENIs and nodes. */
  readonly vpc: Vpc;
  /**
   * Cluster name.
   *
   * @default - `<project>-<environment>`
   */
  readonly clusterName?: string;
  /**
   * Kubernetes version, at least 1.35.
   *
   * @default '1.35'
   */
  readonly kubernetesVersion?: string;
  /**
   * Who can reach the API endpoint.
   *
   * @default EndpointAccess.private()
   */
  readonly endpointAccess?: EndpointAccess;
  /**
   * IAM principals (role ARNs) given cluster-admin through EKS access entries.
   *
   * @default - only the identity that creates the cluster
   */
  readonly adminPrincipalArns?: string[];
  /**
   * System node group size.
   *
   * @default - two to six m7i.large nodes
   */
  readonly systemNodes?: SystemNodesOptions;
  /**
   * Install the Cluster Autoscaler, without which node groups (GPU pools at size 0) never scale.
   *
   * @default true
   */
  readonly clusterAutoscaler?: boolean;
  /**
   * What gives GPU pools their nodes. With Karpenter, each GPU pool becomes a Karpenter NodePool instead of a
   * managed node group, and the Cluster Autoscaler (when on) only scales the system node group.
   *
   * @default Autoscaler.CLUSTER_AUTOSCALER
   */
  readonly autoscaler?: Autoscaler;
}

/** Attributes of an EKS cluster created outside this stack. */
export interface EksClusterAttributes {
  /** The cloud of this stack (the cluster must be in its primary region). */
  readonly cloud: AwsCloud;
  /** Cluster name. */
  readonly clusterName: string;
  /**
   * API server endpoint URL.
   *
   * @default - read from AWS at plan time (`data.aws_eks_cluster`)
   */
  readonly endpoint?: string;
  /**
   * Base64 certificate authority data.
   *
   * @default - read from AWS at plan time (`data.aws_eks_cluster`)
   */
  readonly certificateAuthorityData?: string;
  /**
   * Whether to install the EKS Pod Identity agent add-on. Workload identities need it; installing an add-on
   * the cluster already has fails, so this is a required choice.
   */
  readonly installPodIdentityAgent: boolean;
  /**
   * ARN of the cluster's IAM OIDC provider, when it has one (IRSA in use).
   *
   * @default - one is created for the cluster's issuer
   */
  readonly openIdConnectProviderArn?: string;
  /**
   * Namespaces that already exist on the cluster and that the library would create (e.g. `external-secrets`):
   * they are imported into Terraform and labelled, instead of failing to create them.
   *
   * @default - none
   */
  readonly existingNamespaces?: string[];
  /** Private subnets for new node groups and databases. */
  readonly privateSubnetIds: string[];
  /** The cluster security group. */
  readonly clusterSecurityGroupId: string;
  /** IAM role for new worker nodes (must be allowed in the cluster's access entries). */
  readonly nodeRoleArn: string;
  /**
   * Install the Cluster Autoscaler. Leave off when the cluster already runs an autoscaler (or Karpenter):
   * GPU pools with a minimum of 0 then rely on it.
   *
   * @default false
   */
  readonly installClusterAutoscaler?: boolean;
}

/** Shared behaviour of created and imported clusters. */
abstract class EksClusterBase extends Construct implements IEksCluster {
  public abstract readonly cloud: AwsCloud;
  public abstract readonly clusterName: string;
  public abstract readonly helmProvider: HelmProvider;
  public abstract readonly kubernetesProvider: KubernetesProvider;
  public abstract readonly privateSubnetIds: string[];
  public abstract readonly clusterSecurityGroupId: string;
  public abstract readonly nodeRoleArn: string;
  public abstract readonly openIdConnectProviderArn: string;
  public abstract readonly openIdConnectIssuer: string;
  public abstract readonly workloadPrerequisites: ITerraformDependable[];
  /**
   * Cluster name as a reference where the cluster is created here, so dependants wait for the cluster.
   * @internal
   */
  protected _clusterNameReference?: string;
  /**
   * What GPU node groups must be created after (add-ons that make nodes Ready).
   * @internal
   */
  protected _nodeDependencies: ITerraformDependable[] = [];
  /**
   * Whether this stack runs the Cluster Autoscaler for the cluster.
   * @internal
   */
  protected _autoscalerInstalled = true;
  /**
   * Karpenter, when it gives the GPU pools their nodes.
   * @internal
   */
  protected _karpenter?: Karpenter;
  /**
   * Namespaces that exist before the stack.
   * @internal
   */
  protected _existingNamespaces: string[] = [];
  /**
   * What the encrypted StorageClass must be created after (the EBS CSI driver add-on).
   * @internal
   */
  protected _storageDependencies: ITerraformDependable[] = [];
  private _encryptedStorage?: EncryptedStorageClass;

  /**
   * The `gp3-encrypted` StorageClass (EBS CSI driver, gp3, encrypted with the cloud's data key), created on first
   * call. The EBS CSI driver's identity may use that key (EksCluster grants it); on an imported cluster, check
   * that its driver's role may.
   */
  public encryptedStorageClass(): EncryptedStorageClass {
    if (!this._encryptedStorage) {
      const storageClass = new StorageClassV1(this, 'EncryptedStorageClass', {
        provider: this.kubernetesProvider,
        metadata: { name: 'gp3-encrypted' },
        storageProvisioner: 'ebs.csi.aws.com',
        // Volumes follow their claims: metrics are operational data, not a registered store.
        reclaimPolicy: 'Delete',
        // Created in the zone of the node the pod lands on, not a random one.
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
        parameters: { type: 'gp3', encrypted: 'true', kmsKeyId: this.cloud.key(KeyPurpose.DATA).keyArn },
        dependsOn: [...this.workloadPrerequisites, ...this._storageDependencies],
      });
      if (this._storageDependencies.length === 0) {
        Annotations.of(this).addWarning(`StorageClass gp3-encrypted on imported cluster ${this.clusterName}: the EBS CSI driver must be installed and its ` +
          'role allowed to use the data key (kms:CreateGrant, kms:GenerateDataKey*, kms:Decrypt), or volume claims stay Pending.');
      }
      this._encryptedStorage = {
        storageClassName: 'gp3-encrypted', priceKey: 'ebs:gp3', description: 'EBS gp3 volumes encrypted with the platform data key',
        prerequisites: [storageClass],
      };
    }
    return this._encryptedStorage;
  }

  /**
   * Terraform condition that holds when the cluster accepts access entries (authentication mode API or
   * API_AND_CONFIG_MAP), checked before namespace access is granted; unset when the stack sets the mode itself.
   * @internal
   */
  protected _accessEntriesCondition?: any;
  /** Access entries (one per principal, as EKS allows) and, per access level, the namespaces granted. */
  private readonly namespaceGrants = new Map<string, { entry: EksAccessEntry; id: string; levels: Map<NamespaceAccessLevel, string[]> }>();

  /** The EC2 GPU instance types EKS runs, which GpuNodePool validates against. */
  public get gpuCatalog(): IGpuCatalog {
    return AwsGpuCatalog.INSTANCE;
  }

  /** Namespaces that exist before the stack; see {@link EksClusterAttributes.existingNamespaces}. */
  public get existingNamespaces(): string[] {
    return [...this._existingNamespaces];
  }

  /** The reference when the cluster is created here (so dependants wait for it), else the literal name. */
  private get clusterNameForDependants(): string {
    return this._clusterNameReference ?? this.clusterName;
  }

  public newWorkloadIdentity(scope: IConstruct, id: string, options: WorkloadIdentityOptions): IWorkloadIdentity {
    return new PodIdentity(scope as Construct, id, {
      cloud: this.cloud, clusterName: this.clusterNameForDependants,
      namespace: options.namespace, serviceAccountName: options.serviceAccountName,
    });
  }

  public addGpuNodeGroup(scope: IConstruct, id: string, options: GpuNodeGroupOptions): IGpuNodeGroup {
    if (this._karpenter) {
      return this._karpenter.addGpuNodePool(scope, id, options);
    }
    if (!this._autoscalerInstalled && options.minSize < options.maxSize) {
      Annotations.of(scope).addWarning(`GPU pool ${scope.node.path} on ${this.node.path}: this stack runs no Cluster Autoscaler for the ` +
        'cluster, so the pool stays at its minimum size unless an autoscaler (or Karpenter) already runs there. Set installClusterAutoscaler: true ' +
        'on EksCluster.fromClusterAttributes if none does.');
    }
    return new ManagedNodeGroup(scope as Construct, id, {
      cloud: this.cloud,
      clusterName: this.clusterNameForDependants,
      nodeRoleArn: this.nodeRoleArn,
      subnetIds: this.privateSubnetIds,
      // AL2023 NVIDIA AMIs ship the driver and container toolkit.
      amiType: options.arm64 ? 'AL2023_ARM_64_NVIDIA' : 'AL2023_x86_64_NVIDIA',
      instanceTypes: [options.instanceType],
      minSize: options.minSize,
      maxSize: options.maxSize,
      desiredSize: options.desiredSize,
      capacityType: options.spot ? 'SPOT' : 'ON_DEMAND',
      diskSizeGiB: options.diskSizeGiB,
      groupName: options.poolName,
      // The Cluster Autoscaler's AWS provider treats nodes with this label as GPU nodes: without it, it sees a
      // new node without ready GPUs as useless and keeps scaling out while the device plugin starts.
      labels: { ...options.labels, 'k8s.amazonaws.com/accelerator': `nvidia-${options.gpuModel.toLowerCase().replace(/^nvidia[^a-z0-9]*/, '').replace(/[^a-z0-9]+/g, '-')}` },
      taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }],
      // Scaling from zero, the autoscaler plans with the GPUs the instance type has; a time-sliced node
      // advertises more, which it only learns from this Auto Scaling group tag.
      autoScalingGroupTags: { 'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu': String(options.advertisedGpusPerNode) },
      capacityReservationId: options.capacityReservationId,
      dependsOn: this._nodeDependencies,
    });
  }

  /**
   * Gives IAM principals a namespace-scoped EKS access policy (AmazonEKSViewPolicy, AmazonEKSEditPolicy or
   * AmazonEKSAdminPolicy for VIEW, EDIT, ADMIN). EKS allows one access entry per principal and one association
   * per principal and policy, so both live on the cluster and collect every namespace granted to the principal
   * (a role two teams list gets one entry whose association names both namespaces). A principal that already has
   * an access entry outside this stack makes the apply fail: grant it in the stack that owns the entry.
   */
  public grantNamespaceAccess(scope: IConstruct, id: string, options: NamespaceAccessOptions): void {
    // The resources live on the cluster (EKS allows one entry per principal), not under scope/id.
    void id;
    checkDnsLabel(scope, 'namespace', options.namespace, 'namespace');
    checkEnum(scope, 'accessLevel', options.accessLevel, NamespaceAccessLevel, 'NamespaceAccessLevel');
    requireList(scope, 'principals', options.principals, { required: true, example: "['arn:aws:iam::111122223333:role/team-a']" });
    options.principals.forEach((arn, i) => checkIamPrincipalArn(scope, `principals[${i}]`, arn));
    checkUnique(scope, 'principals', options.principals);
    for (const principalArn of options.principals) {
      const key = isUnresolved(principalArn) ? `token-${this.namespaceGrants.size}` : principalArn;
      let grant = this.namespaceGrants.get(key);
      if (!grant) {
        grant = this.newAccessEntry(principalArn);
        this.namespaceGrants.set(key, grant);
      }
      let namespaces = grant.levels.get(options.accessLevel);
      if (!namespaces) {
        namespaces = [];
        grant.levels.set(options.accessLevel, namespaces);
        this.newNamespacePolicyAssociation(principalArn, grant.entry, grant.id, options.accessLevel, namespaces);
      }
      if (!namespaces.includes(options.namespace)) {
        namespaces.push(options.namespace);
      }
    }
  }

  /** The principal's access entry, under `NamespaceAccess`, with an id stable for the ARN. */
  private newAccessEntry(principalArn: string): { entry: EksAccessEntry; id: string; levels: Map<NamespaceAccessLevel, string[]> } {
    // An adminPrincipalArns entry already exists for the principal: EKS rejects a second one, so reuse it.
    const adminEntry = this.node.children.find((c): c is EksAccessEntry => c instanceof EksAccessEntry && c.principalArnInput === principalArn);
    const group = (this.node.tryFindChild('NamespaceAccess') as Construct | undefined) ?? new Construct(this, 'NamespaceAccess');
    // The role name for readability and a hash of the ARN so two paths or accounts with one name stay apart.
    const name = isUnresolved(principalArn) ? `principal${this.namespaceGrants.size + 1}` : principalArn.split(/[:/]/).pop()!.replace(/[^A-Za-z0-9-]/g, '-');
    const id = `${name}-${crypto.createHash('sha256').update(String(principalArn)).digest('hex').slice(0, 8)}`;
    const lifecycle = this._accessEntriesCondition === undefined ? undefined : {
      precondition: [{
        condition: this._accessEntriesCondition,
        errorMessage: `Cluster ${this.clusterName} authenticates through the aws-auth ConfigMap only (CONFIG_MAP), and namespace access needs access entries: ` +
          'switch it to API_AND_CONFIG_MAP (aws eks update-cluster-config --access-config authenticationMode=API_AND_CONFIG_MAP).',
      }],
    };
    const entry = adminEntry ?? new EksAccessEntry(group, id, {
      provider: this.cloud.provider, clusterName: this.clusterNameForDependants, principalArn, type: 'STANDARD', lifecycle,
    });
    return { entry, id, levels: new Map() };
  }

  /** The namespace-scoped association of one access level; `namespaces` is read at synth, after every grant. */
  private newNamespacePolicyAssociation(principalArn: string, entry: EksAccessEntry, id: string, level: NamespaceAccessLevel, namespaces: string[]): void {
    const policy = { [NamespaceAccessLevel.VIEW]: 'AmazonEKSViewPolicy', [NamespaceAccessLevel.EDIT]: 'AmazonEKSEditPolicy', [NamespaceAccessLevel.ADMIN]: 'AmazonEKSAdminPolicy' }[level];
    const group = this.node.tryFindChild('NamespaceAccess') as Construct;
    new EksAccessPolicyAssociation(group, `${id}-${policy}`, {
      provider: this.cloud.provider, clusterName: this.clusterNameForDependants, principalArn,
      policyArn: `arn:${this.cloud.partition}:eks::aws:cluster-access-policy/${policy}`,
      accessScope: { type: 'namespace', namespaces: Lazy.listValue({ produce: () => [...namespaces].sort() }) },
      dependsOn: [entry],
    });
  }

  /**
   * Kubernetes and Helm providers authenticating with `aws eks get-token` (short-lived tokens, no stored secrets).
   * @internal
   */
  protected _makeProviders(endpoint: string, caData: string): [KubernetesProvider, HelmProvider] {
    const args = ['eks', 'get-token', '--cluster-name', this.clusterName, '--region', this.cloud.primaryRegion, '--output', 'json'];
    const exec = { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args };
    const ca = Fn.base64decode(caData);
    const kubernetes = new KubernetesProvider(this, 'Kubernetes', { host: endpoint, clusterCaCertificate: ca, exec: [exec] });
    const helm = new HelmProvider(this, 'Helm', { kubernetes: { host: endpoint, clusterCaCertificate: ca, exec } });
    return [kubernetes, helm];
  }
}

/**
 * An EKS cluster with secrets encrypted by a customer-managed key, all five control-plane log types in an
 * encrypted log group, API authentication through access entries, a private (or CIDR-restricted) endpoint,
 * standard (not extended) support, the Pod Identity agent and core add-ons, and a system node group.
 * Kubernetes and Helm providers are wired to it with exec authentication.
 *
 * @example
 * const cluster = new EksCluster(stack, 'Cluster', { cloud, vpc, endpointAccess: EndpointAccess.publicAndPrivate(['203.0.113.0/24']) });
 */
export class EksCluster extends EksClusterBase {
  /** References a cluster created elsewhere, to add node pools and workloads to it. */
  public static fromClusterAttributes(scope: Construct, id: string, attrs: EksClusterAttributes): IEksCluster {
    return new ImportedEksCluster(scope, id, attrs);
  }

  public readonly cloud: AwsCloud;
  public readonly clusterName: string;
  public readonly helmProvider: HelmProvider;
  public readonly kubernetesProvider: KubernetesProvider;
  public readonly privateSubnetIds: string[];
  public readonly clusterSecurityGroupId: string;
  public readonly nodeRoleArn: string;
  /** The cluster. */
  public readonly resource: EksClusterResource;
  /** Kubernetes version. */
  public readonly kubernetesVersion: string;
  /** The system node group. */
  public readonly systemNodes: ManagedNodeGroup;
  public readonly workloadPrerequisites: ITerraformDependable[];
  public readonly openIdConnectProviderArn: string;
  public readonly openIdConnectIssuer: string;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    validateClusterInput(this, props);
    const cloud = props.cloud;
    const provider = cloud.provider;
    this.cloud = cloud;
    this.clusterName = props.clusterName ?? cloud.namePrefix;
    this.kubernetesVersion = props.kubernetesVersion ?? `1.${MIN_KUBERNETES_MINOR}`;
    this.privateSubnetIds = props.vpc.privateSubnetIds;
    validateClusterProps(this, props, this.clusterName, this.kubernetesVersion);
    const access = props.endpointAccess ?? EndpointAccess.private();

    const clusterRole = new IamRole(this, 'ClusterRole', {
      provider, namePrefix: 'eks-cluster-', assumeRolePolicy: serviceTrustPolicy(['eks.amazonaws.com'], ['sts:AssumeRole', 'sts:TagSession']),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'ClusterPolicy', {
      provider, role: clusterRole.name, policyArn: `arn:${cloud.partition}:iam::aws:policy/AmazonEKSClusterPolicy`,
    });
    const secretsKey = cloud.key(KeyPurpose.DATA);
    const keyPolicy = new IamRolePolicy(this, 'ClusterKeyPolicy', {
      provider, role: clusterRole.id,
      policy: policyDocument([{ actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant'], resources: [secretsKey.keyArn] }]),
    });
    // EKS would create this group itself, unencrypted and kept forever; creating it first sets both.
    const logGroup = encryptedLogGroup(this, 'ControlPlaneLogs', cloud, `/aws/eks/${this.clusterName}/cluster`);

    this.resource = new EksClusterResource(this, 'Resource', {
      provider,
      name: this.clusterName,
      version: this.kubernetesVersion,
      roleArn: clusterRole.arn,
      vpcConfig: {
        subnetIds: props.vpc.privateSubnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: access.publicAccess,
        publicAccessCidrs: access.publicAccess ? access.publicCidrs : undefined,
      },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: secretsKey.keyArn } },
      enabledClusterLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
      upgradePolicy: { supportType: 'STANDARD' },
      dependsOn: [clusterPolicy, keyPolicy, logGroup],
    });
    this.clusterSecurityGroupId = this.resource.vpcConfig.clusterSecurityGroupId;
    const issuerUrl = this.resource.identity.get(0).oidc.get(0).issuer;
    const oidc = new IamOpenidConnectProvider(this, 'OidcProvider', { provider, url: issuerUrl, clientIdList: ['sts.amazonaws.com'] });
    this.openIdConnectProviderArn = oidc.arn;
    this.openIdConnectIssuer = Fn.replace(issuerUrl, 'https://', '');
    this._clusterNameReference = this.resource.name;

    (props.adminPrincipalArns ?? []).forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `AdminAccess${i + 1}`, { provider, clusterName: this.resource.name, principalArn, type: 'STANDARD' });
      new EksAccessPolicyAssociation(this, `AdminPolicy${i + 1}`, {
        provider, clusterName: this.resource.name, principalArn,
        policyArn: `arn:${cloud.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: 'cluster' }, dependsOn: [entry],
      });
    });

    // Networking and identity add-ons go before nodes (nodes need them to become Ready); CoreDNS after.
    const addon = (name: string, extra: { dependsOn?: ITerraformDependable[]; configurationValues?: string } = {}) => new EksAddon(this, name, {
      provider, clusterName: this.resource.name, addonName: name,
      resolveConflictsOnCreate: 'OVERWRITE', resolveConflictsOnUpdate: 'PRESERVE', ...extra,
    });
    // The VPC CNI enforces NetworkPolicies only with its network policy agent on: without it, the default-deny
    // policies of team namespaces would be accepted by the API server and silently not enforced.
    const vpcCni = addon('vpc-cni', { configurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }) });
    this._nodeDependencies = [vpcCni, addon('kube-proxy'), addon('eks-pod-identity-agent')];

    const nodeRole = new IamRole(this, 'NodeRole', {
      provider, namePrefix: 'eks-node-', assumeRolePolicy: serviceTrustPolicy(['ec2.amazonaws.com']),
    });
    const nodePolicies = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly', 'AmazonEKS_CNI_Policy']
      .map((name) => new IamRolePolicyAttachment(this, `NodeRole${name.replace(/_/g, '')}`, {
        provider, role: nodeRole.name, policyArn: `arn:${cloud.partition}:iam::aws:policy/${name}`,
      }));
    this.nodeRoleArn = nodeRole.arn;
    this._nodeDependencies.push(...nodePolicies);

    const system = props.systemNodes ?? {};
    const minSize = system.minSize ?? 2;
    const maxSize = system.maxSize ?? 6;
    checkInteger(this, 'systemNodes.minSize', minSize, 2, 100);
    checkInteger(this, 'systemNodes.maxSize', maxSize, minSize, 100);
    this.systemNodes = new ManagedNodeGroup(this, 'SystemNodes', {
      cloud, clusterName: this.resource.name, nodeRoleArn: nodeRole.arn, subnetIds: props.vpc.privateSubnetIds,
      amiType: 'AL2023_x86_64_STANDARD', instanceTypes: [system.instanceType ?? 'm7i.large'],
      minSize, maxSize, desiredSize: minSize, capacityType: 'ON_DEMAND', diskSizeGiB: 50,
      labels: { 'node-role.mlops/system': 'true' },
      dependsOn: this._nodeDependencies,
    });
    const coreDns = addon('coredns', { dependsOn: [this.systemNodes.resource] });
    this.workloadPrerequisites = [this.systemNodes.resource, coreDns];
    const ebsCsi = this.newWorkloadIdentity(this, 'EbsCsiIdentity', { namespace: 'kube-system', serviceAccountName: 'ebs-csi-controller-sa' }) as PodIdentity;
    new IamRolePolicyAttachment(this, 'EbsCsiPolicy', {
      provider, role: ebsCsi.role.name, policyArn: `arn:${cloud.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy`,
    });
    ebsCsi.addToPrincipalPolicy({
      actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: [secretsKey.keyArn],
    });
    this._storageDependencies.push(addon('aws-ebs-csi-driver', { dependsOn: [this.systemNodes.resource, ...ebsCsi.prerequisites] }));

    [this.kubernetesProvider, this.helmProvider] = this._makeProviders(this.resource.endpoint, this.resource.certificateAuthority.get(0).data);
    if (props.clusterAutoscaler ?? true) {
      new EksClusterAutoscaler(this, 'ClusterAutoscaler', this);
    }
    checkEnum(this, 'autoscaler', props.autoscaler, Autoscaler, 'Autoscaler');
    if (props.autoscaler === Autoscaler.KARPENTER) {
      props.vpc.addPrivateSubnetTags({ [KARPENTER_DISCOVERY_TAG]: this.clusterName });
      // The node role's EC2_LINUX access entry exists already: EKS created it with the system node group.
      this._karpenter = new Karpenter(this, 'Karpenter', { cluster: this, nodeRoleName: nodeRole.name });
    }
    const systemType = system.instanceType ?? 'm7i.large';
    const cost = (resource: string, unit: CostUnit, baseline: number, full: number, priceKey: string, assumption: string) =>
      cloud.stack.addCostLine({ component: this.node.path, resource, region: cloud.primaryRegion, unit, baselineQuantity: baseline, fullScaleQuantity: full, priceKey, assumption });
    cost('EKS control plane (standard support)', CostUnit.HOUR, HOURS_PER_MONTH, HOURS_PER_MONTH, 'eks:cluster-standard',
      `${HOURS_PER_MONTH} h; costs 6x (eks:cluster-extended) once Kubernetes ${this.kubernetesVersion} leaves standard support`);
    cost(`system nodes (${systemType})`, CostUnit.HOUR, minSize * HOURS_PER_MONTH, maxSize * HOURS_PER_MONTH, `ec2:${systemType}`,
      `${minSize} to ${maxSize} nodes x ${HOURS_PER_MONTH} h, on-demand`);
    cost('system node root volumes (gp3, 50 GiB)', CostUnit.GB_MONTH, minSize * 50, maxSize * 50, 'ebs:gp3', `${minSize} to ${maxSize} nodes x 50 GiB`);
    cloud.stack.addComponent({
      path: this.node.path, name: 'EksCluster',
      description: `EKS ${this.kubernetesVersion} "${this.clusterName}", ${access.publicAccess ? `public endpoint limited to ${access.publicCidrs.join(', ')}` : 'private endpoint'}`,
    });
    this.recordApiAccessSteps(access);
  }

  /**
   * The same apply creates the cluster and installs Helm releases on it, so the machine running `cdktf deploy`
   * must reach the API endpoint: say where from, in the report and at synth.
   */
  private recordApiAccessSteps(access: EndpointAccess): void {
    const stack = this.cloud.stack;
    const where = access.publicAccess
      ? `from an address inside ${access.publicCidrs.join(', ')} (the public endpoint admits nothing else) or from inside the VPC`
      : 'from inside the VPC or a network connected to it (VPN, peering, Transit Gateway), e.g. a CI runner in the private subnets: ' +
        'the endpoint is private, and the Helm and Kubernetes providers talk to it during the same apply that creates the cluster';
    stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: `Run cdktf deploy where the API of ${this.clusterName} is reachable`,
      detail: `Run it ${where}. It needs the AWS CLI on the PATH (the providers authenticate with \`aws eks get-token\`) and ` +
        'credentials of the identity that creates the cluster or of one listed in adminPrincipalArns.',
    });
    if (!access.publicAccess) {
      Annotations.of(this).addWarning(`EKS cluster ${this.clusterName} has a private endpoint: cdktf deploy must run from inside the VPC ` +
        '(or a connected network), because the same apply installs Helm releases on it. From a laptop, use ' +
        "EndpointAccess.publicAndPrivate(['<your CIDR>']).");
    }
    stack.addDeploymentStep({
      phase: DeploymentPhase.AFTER_DEPLOY,
      title: `Point kubectl at ${this.clusterName}`,
      detail: 'Writes a kubeconfig entry that authenticates with your AWS identity (it needs an EKS access entry: the creator and adminPrincipalArns have one).',
      command: `aws eks update-kubeconfig --name ${this.clusterName} --region ${this.cloud.primaryRegion}`,
    });
  }
}

/** A cluster created outside this stack. */
class ImportedEksCluster extends EksClusterBase {
  public readonly cloud: AwsCloud;
  public readonly clusterName: string;
  public readonly helmProvider: HelmProvider;
  public readonly kubernetesProvider: KubernetesProvider;
  public readonly privateSubnetIds: string[];
  public readonly clusterSecurityGroupId: string;
  public readonly nodeRoleArn: string;
  public readonly openIdConnectProviderArn: string;
  public readonly openIdConnectIssuer: string;
  public readonly workloadPrerequisites: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, attrs: EksClusterAttributes) {
    super(scope, id);
    for (const prop of ['cloud', 'clusterName', 'privateSubnetIds', 'clusterSecurityGroupId', 'nodeRoleArn']) {
      const value = (attrs as any)?.[prop];
      if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
        throw new ValidationError(this, prop, value, 'is required to reference an existing cluster', `Pass the cluster's ${prop}.`);
      }
    }
    checkImportedClusterAttributes(this, attrs, (v) => v instanceof AwsCloud);
    if (typeof attrs.installPodIdentityAgent !== 'boolean') {
      throw new ValidationError(this, 'installPodIdentityAgent', attrs.installPodIdentityAgent, 'must be true or false',
        'Check with `aws eks describe-addon --cluster-name <name> --addon-name eks-pod-identity-agent`: pass false when the add-on ' +
        'is installed, true to install it. Workload identities need it, and installing it twice fails.');
    }
    this.cloud = attrs.cloud;
    this.clusterName = attrs.clusterName;
    this.privateSubnetIds = attrs.privateSubnetIds;
    this.clusterSecurityGroupId = attrs.clusterSecurityGroupId;
    this.nodeRoleArn = attrs.nodeRoleArn;
    this._existingNamespaces = [...(attrs.existingNamespaces ?? [])];
    const provider = this.cloud.provider;
    // Endpoint, CA and OIDC issuer are read from AWS at plan time unless given, so they cannot go stale.
    const lookup = new DataAwsEksCluster(this, 'Lookup', { provider, name: attrs.clusterName });
    if (attrs.endpoint !== undefined) {
      checkPattern(this, 'endpoint', attrs.endpoint, /^https:\/\/\S+$/, 'an https:// URL');
    }
    const issuerUrl = lookup.identity.get(0).oidc.get(0).issuer;
    this._accessEntriesCondition = Op.neq(lookup.accessConfig.get(0).authenticationMode, 'CONFIG_MAP');
    this.openIdConnectIssuer = Fn.replace(issuerUrl, 'https://', '');
    if (attrs.openIdConnectProviderArn !== undefined) {
      this.openIdConnectProviderArn = attrs.openIdConnectProviderArn;
    } else {
      this.openIdConnectProviderArn = new IamOpenidConnectProvider(this, 'OidcProvider', {
        provider, url: issuerUrl, clientIdList: ['sts.amazonaws.com'],
      }).arn;
      Annotations.of(this).addWarning('EksCluster.fromClusterAttributes: creating an IAM OIDC provider for the cluster. ' +
        'IAM allows one per issuer: if the cluster already has one (IRSA in use), pass its ARN as openIdConnectProviderArn.');
    }
    [this.kubernetesProvider, this.helmProvider] = this._makeProviders(
      attrs.endpoint ?? lookup.endpoint, attrs.certificateAuthorityData ?? lookup.certificateAuthority.get(0).data);
    if (attrs.installPodIdentityAgent) {
      const agent = new EksAddon(this, 'eks-pod-identity-agent', {
        provider, clusterName: attrs.clusterName, addonName: 'eks-pod-identity-agent',
        resolveConflictsOnCreate: 'OVERWRITE', resolveConflictsOnUpdate: 'PRESERVE',
      });
      this.workloadPrerequisites.push(agent);
    }
    this._autoscalerInstalled = attrs.installClusterAutoscaler === true;
    if (attrs.installClusterAutoscaler) {
      new EksClusterAutoscaler(this, 'ClusterAutoscaler', this);
    }
  }
}

function validateClusterProps(scope: Construct, props: EksClusterProps, name: string, version: string): void {
  checkPattern(scope, 'clusterName', name, /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, '1-100 letters, digits, "-" or "_", starting with a letter or digit');
  checkEksKubernetesVersion(scope, 'kubernetesVersion', version, MIN_KUBERNETES_MINOR);
  const access = props.endpointAccess;
  if (access?.publicAccess) {
    if (!Array.isArray(access.publicCidrs)) {
      throw new ValidationError(scope, 'endpointAccess.publicCidrs', access.publicCidrs, 'must be a list of CIDR blocks',
        "Pass e.g. EndpointAccess.publicAndPrivate(['203.0.113.0/24']).");
    }
    if (access.publicCidrs.length === 0) {
      throw new ValidationError(scope, 'endpointAccess', access.publicCidrs, 'opens the public endpoint without CIDR restrictions',
        'List the CIDR blocks of your VPN or CI runners, or use EndpointAccess.private().');
    }
    access.publicCidrs.forEach((cidr, i) => {
      if (cidr === '0.0.0.0/0' || cidr === '::/0') {
        throw new ValidationError(scope, `endpointAccess.publicCidrs[${i}]`, cidr, 'opens the API endpoint to the whole internet',
          'List the CIDR blocks of your VPN or CI runners instead.');
      }
      checkCidr(scope, `endpointAccess.publicCidrs[${i}]`, cidr, 8, 32);
    });
  }
}

/**
 * Checks the kinds of the props before the constructor reads them: a missing cloud or VPC, an endpointAccess
 * given as a string (which would otherwise leave the public endpoint at the provider's default: open), a single
 * ARN where a list is expected, an STS session ARN, an ARM or unknown system node type.
 */
function validateClusterInput(scope: Construct, props: EksClusterProps): void {
  requireProps(scope, props, "{ cloud, vpc }");
  requireConstruct(scope, 'cloud', props.cloud, 'an AwsCloud', (v) => v instanceof AwsCloud, "Pass the stack's AwsCloud, e.g. new AwsCloud(stack, 'Aws').");
  requireConstruct(scope, 'vpc', props.vpc, 'a Vpc', (v) => v instanceof Vpc, "Pass e.g. new Vpc(stack, 'Network', { cloud }).");
  if (props.endpointAccess !== undefined && !(props.endpointAccess instanceof EndpointAccess)) {
    throw new ValidationError(scope, 'endpointAccess', props.endpointAccess, 'must be an EndpointAccess (a string or plain object would leave the public endpoint open to the internet)',
      "Use EndpointAccess.private() or EndpointAccess.publicAndPrivate(['203.0.113.0/24']).");
  }
  requireList(scope, 'adminPrincipalArns', props.adminPrincipalArns, { example: "['arn:aws:iam::111122223333:role/platform-admins']" });
  (Array.isArray(props.adminPrincipalArns) ? props.adminPrincipalArns : []).forEach((arn, i) => checkIamPrincipalArn(scope, `adminPrincipalArns[${i}]`, arn));
  if (Array.isArray(props.adminPrincipalArns)) {
    checkUnique(scope, 'adminPrincipalArns', props.adminPrincipalArns);
  }
  const system = props.systemNodes;
  if (system !== undefined && (system === null || typeof system !== 'object' || Array.isArray(system))) {
    throw new ValidationError(scope, 'systemNodes', system, 'must be an object', "Pass e.g. { instanceType: 'm7i.large', minSize: 2, maxSize: 6 }.");
  }
  checkSystemNodeInstanceType(scope, 'systemNodes.instanceType', system?.instanceType ?? 'm7i.large');
}
