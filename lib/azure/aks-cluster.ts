import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import type { DiskEncryptionSet } from '@cdktf/provider-azurerm/lib/disk-encryption-set';
import type { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import type { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import type { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Fn, ITerraformDependable } from 'cdktf';
import * as crypto from 'crypto';
import { Construct, IConstruct } from 'constructs';
import { CostUnit, HOURS_PER_MONTH } from '../core/cost-estimate';
import { ValidationError } from '../core/errors';
import { IGpuCatalog } from '../core/gpu-catalog';
import {
  EncryptedStorageClass, GpuNodeGroupOptions, IGpuNodeGroup, IKubernetesCluster, IWorkloadIdentity, NamespaceAccessLevel, NamespaceAccessOptions,
  WorkloadIdentityOptions,
} from '../core/interfaces';
import { DeploymentPhase } from '../core/platform-report';
import { PlatformStack } from '../core/platform-stack';
import { PolicySuppressions } from '../core/policy/policy-suppressions';
import { checkDnsLabel, checkEnum, checkInteger, checkPattern, isUnresolved, requireList, requireProps } from '../core/validate';
import { AzureCloud, AzureKeyPurpose, AzureRegionRole } from './azure-cloud';
import { AzureGpuCatalog } from './azure-gpu-catalog';
import { loadAzurerm } from './azurerm-bindings';

/** The Entra ID application (server) ID of AKS, which kubelogin asks tokens for. */
const AKS_ENTRA_SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** AKS automatic upgrade channels (Kubernetes version). */
export enum AksUpgradeChannel {
  /** Newest patch of the current minor version: the default. */
  PATCH = 'patch',
  /** Newest patch of the newest supported minor version minus one. */
  STABLE = 'stable',
  /** Newest supported version. */
  RAPID = 'rapid',
}

/** How kubelogin gets the Entra token the Kubernetes and Helm providers present. */
export enum AksKubeloginMode {
  /** The Azure CLI's signed-in account (`az login`): a person at a terminal, or a pipeline's `azure/login` step. */
  AZURE_CLI = 'azurecli',
  /** Workload identity federation (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_FEDERATED_TOKEN_FILE`): CI runners. */
  WORKLOAD_IDENTITY = 'workloadidentity',
  /** The managed identity of the VM Terraform runs on (a self-hosted runner in the VNet). */
  MANAGED_IDENTITY = 'msi',
}

/** Properties of an {@link AksCluster}. */
export interface AksClusterProps {
  /** The cloud (its network is the cluster's). */
  readonly cloud: AzureCloud;
  /**
   * Cluster name: 1-63 letters, digits, `-` and `_`, starting and ending with a letter or digit.
   *
   * @default - `aks-<prefix>`
   */
  readonly clusterName?: string;
  /**
   * Kubernetes version (`1.33`) at creation. Automatic upgrades move it forward within the channel afterwards, so
   * Terraform ignores later changes of it (upgrade with the channel, or `az aks upgrade`).
   *
   * @default - the region's default version at creation
   */
  readonly kubernetesVersion?: string;
  /**
   * Automatic upgrade channel.
   *
   * @default AksUpgradeChannel.PATCH
   */
  readonly upgradeChannel?: AksUpgradeChannel;
  /**
   * Entra group object IDs that are cluster admins (besides the identity running Terraform, which gets the
   * `Azure Kubernetes Service RBAC Cluster Admin` role).
   *
   * @default - none
   */
  readonly adminGroupObjectIds?: string[];
  /**
   * How the Kubernetes and Helm providers get their Entra token (local accounts are disabled).
   *
   * @default AksKubeloginMode.AZURE_CLI
   */
  readonly kubeloginMode?: AksKubeloginMode;
  /**
   * VM size of the system node pool (only critical add-ons run there).
   *
   * @default 'Standard_D4ds_v5'
   */
  readonly systemVmSize?: string;
  /**
   * VM size of the general-purpose user pool the platform's non-GPU workloads (MLflow, operators, monitoring) run on.
   *
   * @default 'Standard_D4ds_v5'
   */
  readonly workloadVmSize?: string;
  /**
   * Minimum nodes of the general-purpose user pool (spread over the region's zones).
   *
   * @default 2
   */
  readonly workloadMinNodes?: number;
  /**
   * Maximum nodes of the general-purpose user pool.
   *
   * @default 6
   */
  readonly workloadMaxNodes?: number;
}

/**
 * A pod identity on AKS: a user-assigned managed identity with a federated credential that trusts the cluster's
 * OIDC issuer for one Kubernetes service account (Entra Workload ID). Federated credentials on one identity must
 * be written one at a time (Azure rejects concurrent writes), so the cluster chains every credential it creates
 * after the previous one.
 *
 * The service account carries `azure.workload.identity/client-id` ({@link serviceAccountAnnotations}); pods must
 * also carry the label `azure.workload.identity/use: "true"` ({@link podLabels}) for the AKS webhook to inject the
 * token.
 */
export class AksWorkloadIdentity extends Construct implements IWorkloadIdentity {
  /** The label pods need for the AKS workload identity webhook to inject the token. */
  public static readonly POD_LABELS: { [key: string]: string } = { 'azure.workload.identity/use': 'true' };
  /** Namespace of the Kubernetes service account. */
  public readonly namespace: string;
  /** Name of the Kubernetes service account. */
  public readonly serviceAccountName: string;
  /** Principal (object) ID of the managed identity: what Azure role assignments name. */
  public readonly principalId: string;
  /** Client ID of the managed identity: what the service account annotation and SDKs use. */
  public readonly clientId: string;
  /** The managed identity. */
  public readonly identity: UserAssignedIdentity;
  /** The federated credential. */
  public readonly credential: FederatedIdentityCredential;
  /** The annotation that binds the service account to the managed identity. */
  public readonly serviceAccountAnnotations?: { [key: string]: string };
  /** The label pods need for the AKS webhook to inject the federated token. */
  public readonly podLabels?: { [key: string]: string };
  /** Pods must be created after the federated credential. */
  public readonly prerequisites: ITerraformDependable[];

  /**
   * @example
   * const identity = cluster.newWorkloadIdentity(this, 'Identity', { namespace: 'mlflow', serviceAccountName: 'mlflow' });
   */
  constructor(scope: Construct, id: string, cluster: AksCluster, options: WorkloadIdentityOptions) {
    super(scope, id);
    checkDnsLabel(this, 'namespace', options?.namespace, 'namespace');
    checkDnsLabel(this, 'serviceAccountName', options.serviceAccountName, 'service account name');
    this.namespace = options.namespace;
    this.serviceAccountName = options.serviceAccountName;
    const cloud = cluster.cloud;
    const hash = crypto.createHash('sha256').update(`${cluster.node.path}/${options.namespace}/${options.serviceAccountName}`).digest('hex').slice(0, 6);
    const { UserAssignedIdentity: Identity } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/user-assigned-identity')>('user-assigned-identity');
    this.identity = new Identity(this, 'Resource', {
      provider: cloud.provider,
      name: `id-${cloud.namePrefix}-${options.namespace}-${options.serviceAccountName}`.slice(0, 120) + `-${hash}`,
      location: cloud.primaryRegion,
      resourceGroupName: cloud.resourceGroupName(),
    });
    this.principalId = this.identity.principalId;
    this.clientId = this.identity.clientId;
    const { FederatedIdentityCredential: Credential } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/federated-identity-credential')>('federated-identity-credential');
    this.credential = new Credential(this, 'FederatedCredential', {
      provider: cloud.provider,
      name: `${cluster.clusterName}-${options.namespace}-${options.serviceAccountName}`.slice(0, 120),
      resourceGroupName: cloud.resourceGroupName(),
      parentId: this.identity.id,
      audience: ['api://AzureADTokenExchange'],
      issuer: cluster.oidcIssuerUrl,
      subject: `system:serviceaccount:${options.namespace}:${options.serviceAccountName}`,
      dependsOn: cluster._serializeFederatedCredential(),
    });
    cloud._v5Override(this.credential, { user_assigned_identity_id: this.identity.id }, ['parent_id', 'resource_group_name']);
    cluster._federatedCredentialWritten(this.credential);
    this.serviceAccountAnnotations = { 'azure.workload.identity/client-id': this.clientId };
    this.podLabels = { ...AksWorkloadIdentity.POD_LABELS };
    this.prerequisites = [this.credential];
  }
}

/** A GPU node pool created by {@link AksCluster.addGpuNodeGroup}. */
export class AksGpuNodePool extends Construct implements IGpuNodeGroup {
  /** Name of the node pool: at most 12 lower-case letters and digits, changing with every immutable field. */
  public readonly nodeGroupName: string;
  /** The node pool. */
  public readonly resource: KubernetesClusterNodePool;

  /**
   * @example
   * cluster.addGpuNodeGroup(this, 'NodeGroup', options);
   */
  constructor(scope: Construct, id: string, cluster: AksCluster, options: GpuNodeGroupOptions) {
    super(scope, id);
    const spec = AzureGpuCatalog.lookupAzure(options.instanceType);
    if (!spec) {
      throw new ValidationError(this, 'instanceType', options.instanceType, 'is not a known AKS GPU VM size',
        `Use one of ${AzureGpuCatalog.INSTANCE.families().join(', ')}.`);
    }
    const gpuInstance = options.migEnabled ? spec.migProfiles[0] : undefined;
    if (options.migEnabled && gpuInstance === undefined) {
      throw new ValidationError(this, 'migStrategy', 'MIG', `needs GPU partitioning that AKS does not offer on ${spec.vmSize}`, AzureGpuCatalog.INSTANCE.migHint());
    }
    // vm_size, gpu_driver, gpu_instance, priority, eviction policy and spot price force replacement (and the OS disk
    // size a rotation): they go into the name, so a change creates the new pool first (create_before_destroy).
    const immutable = JSON.stringify([spec.vmSize, 'Install', gpuInstance ?? '', options.spot, options.diskSizeGiB, options.capacityReservationId ?? '']);
    const slug = options.poolName.toLowerCase().replace(/[^a-z0-9]/g, '');
    const stem = /^[a-z]/.test(slug) ? slug.slice(0, 4) : `g${slug}`.slice(0, 4);
    this.nodeGroupName = `${stem}${crypto.createHash('sha256').update(immutable).digest('hex').slice(0, 12 - stem.length)}`;
    const labels: { [key: string]: string } = { ...options.labels };
    const taints = ['nvidia.com/gpu=present:NoSchedule'];
    if (options.spot) {
      // AKS adds this label and taint to spot pools itself: repeating them keeps the plan from showing a diff
      // that would replace the pool.
      labels['kubernetes.azure.com/scalesetpriority'] = 'spot';
      taints.push('kubernetes.azure.com/scalesetpriority=spot:NoSchedule');
    }
    const { KubernetesClusterNodePool: Pool } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool')>('kubernetes-cluster-node-pool');
    this.resource = new Pool(this, 'Resource', {
      provider: cluster.cloud.provider,
      name: this.nodeGroupName,
      kubernetesClusterId: cluster.resource.id,
      vmSize: spec.vmSize,
      mode: 'User',
      osType: 'Linux',
      osSku: 'Ubuntu',
      osDiskType: 'Managed',
      osDiskSizeGb: options.diskSizeGiB,
      hostEncryptionEnabled: true,
      maxPods: AksCluster.MAX_PODS,
      vnetSubnetId: cluster.cloud.network.nodeSubnet.id,
      autoScalingEnabled: true,
      minCount: options.minSize,
      maxCount: options.maxSize,
      nodeCount: options.desiredSize,
      // Always explicit: unset, AKS reports a value and the next plan replaces the pool.
      gpuDriver: 'Install',
      ...(gpuInstance !== undefined ? { gpuInstance } : {}),
      ...(options.spot ? { priority: 'Spot', evictionPolicy: 'Delete', spotMaxPrice: -1 } : { priority: 'Regular' }),
      ...(options.capacityReservationId !== undefined ? { capacityReservationGroupId: options.capacityReservationId } : {}),
      nodeLabels: labels,
      nodeTaints: taints,
      lifecycle: { createBeforeDestroy: true, ignoreChanges: ['node_count'] },
      dependsOn: cluster.nodePrerequisites,
    });
  }
}

/**
 * An AKS cluster, Standard tier (uptime SLA, cost analysis on), with:
 * - **API server access**: API server VNet integration (the API server sits in the network's delegated subnet). When
 *   the cloud has `deployerCidrs`, the public endpoint admits only those addresses (`authorized_ip_ranges`) and
 *   `cdktf deploy` runs from them; otherwise the cluster is private and `cdktf deploy` must run inside the VNet.
 * - **Entra ID authentication with local accounts disabled** and Azure RBAC for Kubernetes: the Kubernetes and Helm
 *   providers run `kubelogin get-token` (install kubelogin beside the Azure CLI) for the identity running Terraform,
 *   which gets `Azure Kubernetes Service RBAC Cluster Admin` on the cluster; no static credential is in state.
 * - **OIDC issuer and workload identity** ({@link newWorkloadIdentity}).
 * - **KMS etcd encryption** with the `etcd` key through a private Key Vault, by a user-assigned control-plane identity
 *   that holds `Key Vault Crypto User` on the key (and Network Contributor on the subnets) before the cluster exists.
 * - **Azure CNI overlay with Cilium** (dataplane and network policy), NAT gateway egress.
 * - **Automatic upgrades** (`patch` channel) and node OS upgrades (`NodeImage`) in weekly Sunday windows.
 * - **Container Insights** (Log Analytics, managed identity auth) and the **managed Prometheus** metrics add-on.
 * - **OS disks encrypted with the data key** through a disk encryption set (cluster-wide `disk_encryption_set_id`),
 *   **encryption at host** on every pool (temporary disks and caches; the subscription needs the
 *   `Microsoft.Compute/EncryptionAtHost` feature registered once), ephemeral OS disks on the system pool, 110 pods
 *   per node.
 * - A **system pool** (`only_critical_addons_enabled`, zone-spread) and a **general-purpose user pool** for the
 *   platform's workloads; GPU pools from {@link addGpuNodeGroup}.
 *
 * GPU pools use the AKS-installed NVIDIA driver (`gpu_driver = "Install"`, always set) and AKS MIG profiles
 * (`gpu_instance`); the NVIDIA GPU operator that GpuNodePool installs runs the device plugin (with the
 * time-slicing configurations), GPU feature discovery and DCGM, and its MIG manager is turned off (AKS partitions
 * the GPUs). Its daemonsets tolerate the AKS spot taint.
 *
 * @example
 * const cloud = new AzureCloud(stack, 'Azure', { subscriptionId, deployerCidrs: ['203.0.113.0/24'] });
 * const cluster = new AksCluster(stack, 'Cluster', { cloud });
 */
export class AksCluster extends Construct implements IKubernetesCluster {
  /** Pods per node on every pool (Azure CNI overlay allows up to 250; AKS defaults to 30 without it). */
  public static readonly MAX_PODS = 110;
  /** The cloud. */
  public readonly cloud: AzureCloud;
  /** Cluster name. */
  public readonly clusterName: string;
  /** The cluster. */
  public readonly resource: KubernetesCluster;
  /** The general-purpose user node pool. */
  public readonly workloadNodePool: KubernetesClusterNodePool;
  /** The control plane's user-assigned identity. */
  public readonly controlPlaneIdentity: UserAssignedIdentity;
  /** The disk encryption set of node OS disks and encrypted volumes. */
  public readonly diskEncryptionSet: DiskEncryptionSet;
  /** The Log Analytics workspace of Container Insights. */
  public readonly logAnalyticsWorkspace: LogAnalyticsWorkspace;
  /** OIDC issuer URL (what federated credentials trust). */
  public readonly oidcIssuerUrl: string;
  /** Helm provider wired to this cluster. */
  public readonly helmProvider: HelmProvider;
  /** Kubernetes provider wired to this cluster. */
  public readonly kubernetesProvider: KubernetesProvider;
  /** What workloads wait for: the user pool and the deployer's cluster-admin role. */
  public readonly workloadPrerequisites: ITerraformDependable[];
  /** What node pools wait for: the disk encryption set's key grant. */
  public readonly nodePrerequisites: ITerraformDependable[];
  /** Namespaces AKS creates. */
  public readonly existingNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
  /** The AKS GPU catalog. */
  public readonly gpuCatalog: IGpuCatalog = AzureGpuCatalog.INSTANCE;
  /** Whether the API server is private (no deployer CIDRs). */
  public readonly privateCluster: boolean;
  private lastFederatedCredential?: ITerraformDependable;
  private gpuStackConfigured = false;
  private encryptedStorage?: EncryptedStorageClass;

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    requireProps(this, props, '{ cloud }');
    const cloud = this.cloud = props.cloud;
    const stack = PlatformStack.ofConstruct(this);
    this.clusterName = props.clusterName ?? `aks-${cloud.namePrefix}`.slice(0, 63);
    checkPattern(this, 'clusterName', this.clusterName, /^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/,
      '1-63 letters, digits, "-" and "_", starting and ending with a letter or digit');
    checkPattern(this, 'kubernetesVersion', props.kubernetesVersion, /^1\.\d{2}(\.\d{1,2})?$/, 'a Kubernetes version such as "1.33"');
    checkEnum(this, 'upgradeChannel', props.upgradeChannel, AksUpgradeChannel, 'AksUpgradeChannel');
    checkEnum(this, 'kubeloginMode', props.kubeloginMode, AksKubeloginMode, 'AksKubeloginMode');
    requireList(this, 'adminGroupObjectIds', props.adminGroupObjectIds, { example: "['00000000-0000-0000-0000-000000000000']" });
    (props.adminGroupObjectIds ?? []).forEach((g, i) => checkPattern(this, `adminGroupObjectIds[${i}]`, g, GUID, 'an Entra group object ID (a GUID)'));
    const systemVmSize = props.systemVmSize ?? 'Standard_D4ds_v5';
    const workloadVmSize = props.workloadVmSize ?? 'Standard_D4ds_v5';
    checkPattern(this, 'systemVmSize', systemVmSize, /^Standard_[A-Za-z0-9_]+$/, 'an Azure VM size such as "Standard_D4ds_v5"');
    checkPattern(this, 'workloadVmSize', workloadVmSize, /^Standard_[A-Za-z0-9_]+$/, 'an Azure VM size such as "Standard_D4ds_v5"');
    const minNodes = props.workloadMinNodes ?? 2;
    const maxNodes = props.workloadMaxNodes ?? 6;
    checkInteger(this, 'workloadMinNodes', minNodes, 1, 1000);
    checkInteger(this, 'workloadMaxNodes', maxNodes, 1, 1000);
    if (minNodes > maxNodes) {
      throw new ValidationError(this, 'workloadMinNodes', minNodes, `is greater than workloadMaxNodes (${maxNodes})`, 'Set workloadMinNodes at most workloadMaxNodes.');
    }
    const provider = cloud.provider;
    const rg = cloud.resourceGroupName();
    const location = cloud.primaryRegion;
    const zones = cloud.hasZones(AzureRegionRole.PRIMARY) ? ['1', '2', '3'] : undefined;
    this.privateCluster = cloud.deployerCidrs.length === 0;
    const network = cloud.network;
    const { RoleAssignment } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/role-assignment')>('role-assignment');

    // Control-plane identity: it must hold its roles before the cluster is created (KMS and BYO subnets are
    // checked at creation).
    const { UserAssignedIdentity: Identity } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/user-assigned-identity')>('user-assigned-identity');
    this.controlPlaneIdentity = new Identity(this, 'ControlPlaneIdentity', { provider, name: `id-${this.clusterName}`, location, resourceGroupName: rg });
    const principalId = this.controlPlaneIdentity.principalId;
    const etcdKey = cloud.key(AzureKeyPurpose.ETCD);
    const etcdGrant = etcdKey.grantCryptoUser(principalId, 'AksControlPlane');
    // A private Key Vault for KMS: AKS sets up its private link with the control-plane identity.
    const vaultGrant = new RoleAssignment(this, 'KmsVaultContributor', {
      provider, scope: etcdKey.vault.vaultId, roleDefinitionName: 'Key Vault Contributor', principalId, principalType: 'ServicePrincipal',
    });
    const subnetGrants = [network.nodeSubnet, network.apiServerSubnet].map((subnet, i) => new RoleAssignment(this, `SubnetNetworkContributor${i}`, {
      provider, scope: subnet.id, roleDefinitionName: 'Network Contributor', principalId, principalType: 'ServicePrincipal',
    }));

    // Node OS disks and encrypted volumes: a disk encryption set with the data key (automatic key rotation).
    const dataKey = cloud.key(AzureKeyPurpose.DATA);
    const { DiskEncryptionSet: Des } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/disk-encryption-set')>('disk-encryption-set');
    this.diskEncryptionSet = new Des(this, 'DiskEncryptionSet', {
      provider, name: `des-${this.clusterName}`, location, resourceGroupName: rg,
      keyVaultKeyId: dataKey.versionlessId, autoKeyRotationEnabled: true, encryptionType: 'EncryptionAtRestWithCustomerKey',
      identity: { type: 'SystemAssigned' },
    });
    const desGrant = dataKey.grantEncryptDecrypt(this.diskEncryptionSet.identity.principalId, 'AksDiskEncryptionSet');
    const desReader = new RoleAssignment(this, 'DiskEncryptionSetReader', {
      provider, scope: this.diskEncryptionSet.id, roleDefinitionName: 'Reader', principalId, principalType: 'ServicePrincipal',
    });
    this.nodePrerequisites = [desGrant];

    const { LogAnalyticsWorkspace: Workspace } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/log-analytics-workspace')>('log-analytics-workspace');
    this.logAnalyticsWorkspace = new Workspace(this, 'LogAnalytics', {
      provider, name: `log-${this.clusterName}`, location, resourceGroupName: rg, sku: 'PerGB2018', retentionInDays: 90,
      localAuthenticationEnabled: false,
    });

    const { KubernetesCluster: Cluster } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/kubernetes-cluster')>('kubernetes-cluster');
    this.resource = new Cluster(this, 'Resource', {
      provider,
      name: this.clusterName,
      location,
      resourceGroupName: rg,
      dnsPrefix: this.clusterName.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 54),
      ...(props.kubernetesVersion !== undefined ? { kubernetesVersion: props.kubernetesVersion } : {}),
      skuTier: 'Standard',
      costAnalysisEnabled: true,
      nodeResourceGroup: `${rg}-aks-nodes`.slice(0, 80),
      identity: { type: 'UserAssigned', identityIds: [this.controlPlaneIdentity.id] },
      privateClusterEnabled: this.privateCluster,
      apiServerAccessProfile: {
        virtualNetworkIntegrationEnabled: true,
        subnetId: network.apiServerSubnet.id,
        ...(this.privateCluster ? {} : { authorizedIpRanges: [...cloud.deployerCidrs] }),
      },
      localAccountDisabled: true,
      roleBasedAccessControlEnabled: true,
      azureActiveDirectoryRoleBasedAccessControl: {
        azureRbacEnabled: true,
        tenantId: cloud.tenantId,
        adminGroupObjectIds: props.adminGroupObjectIds,
      },
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      keyManagementService: { keyVaultKeyId: etcdKey.keyId, keyVaultNetworkAccess: 'Private' },
      diskEncryptionSetId: this.diskEncryptionSet.id,
      automaticUpgradeChannel: props.upgradeChannel ?? AksUpgradeChannel.PATCH,
      nodeOsUpgradeChannel: 'NodeImage',
      maintenanceWindowAutoUpgrade: { frequency: 'Weekly', interval: 1, dayOfWeek: 'Sunday', startTime: '02:00', utcOffset: '+00:00', duration: 4 },
      maintenanceWindowNodeOs: { frequency: 'Weekly', interval: 1, dayOfWeek: 'Sunday', startTime: '06:00', utcOffset: '+00:00', duration: 4 },
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: 'overlay',
        networkDataPlane: 'cilium',
        networkPolicy: 'cilium',
        podCidr: network.podCidr,
        serviceCidr: '172.16.0.0/16',
        dnsServiceIp: '172.16.0.10',
        outboundType: 'userAssignedNATGateway',
        loadBalancerSku: 'standard',
      },
      omsAgent: { logAnalyticsWorkspaceId: this.logAnalyticsWorkspace.id, msiAuthForMonitoringEnabled: true },
      monitorMetrics: {},
      azurePolicyEnabled: true,
      imageCleanerEnabled: true,
      imageCleanerIntervalHours: 48,
      runCommandEnabled: false,
      storageProfile: { diskDriverEnabled: true, fileDriverEnabled: false, blobDriverEnabled: false, snapshotControllerEnabled: true },
      defaultNodePool: {
        name: 'system',
        vmSize: systemVmSize,
        temporaryNameForRotation: 'systemtmp',
        onlyCriticalAddonsEnabled: true,
        autoScalingEnabled: true,
        minCount: zones ? 3 : 2,
        maxCount: zones ? 6 : 4,
        nodeCount: zones ? 3 : 2,
        zones,
        osSku: 'AzureLinux',
        // Ephemeral OS disks on the VM's local storage (no managed disk to pay for or lose), encrypted at host.
        osDiskType: 'Ephemeral',
        osDiskSizeGb: 64,
        hostEncryptionEnabled: true,
        maxPods: AksCluster.MAX_PODS,
        vnetSubnetId: network.nodeSubnet.id,
        upgradeSettings: { maxSurge: '33%' },
      },
      dependsOn: [etcdGrant, vaultGrant, ...subnetGrants, desGrant, desReader, ...etcdKey.vault.dataPlanePrerequisites],
      lifecycle: { ignoreChanges: ['default_node_pool[0].node_count', 'kubernetes_version'] },
    });
    cloud._v5Override(this.resource, { node_provisioning_profile: { mode: 'Manual' } }, []);
    PolicySuppressions.add(this.resource, [{
      id: 'CKV_AZURE_172',
      reason: 'The Secrets Store CSI driver add-on is not installed: Key Vault secrets reach pods through External Secrets (KeyVaultSecretStore), scoped per namespace.',
    }]);
    if (!this.privateCluster) {
      PolicySuppressions.add(this.resource, [{
        id: 'CKV_AZURE_115',
        reason: `The API server has a public endpoint so that cdktf deploy can reach it, admitting only deployerCidrs (${cloud.deployerCidrs.join(', ')}) `
          + 'through authorized IP ranges, with Entra ID authentication and local accounts disabled. Leave deployerCidrs empty for a private cluster.',
      }]);
    }
    this.oidcIssuerUrl = this.resource.oidcIssuerUrl;

    this.addManagedPrometheus(location, rg);

    const { KubernetesClusterNodePool: Pool } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool')>('kubernetes-cluster-node-pool');
    this.workloadNodePool = new Pool(this, 'WorkloadNodePool', {
      provider,
      name: 'general',
      kubernetesClusterId: this.resource.id,
      vmSize: workloadVmSize,
      mode: 'User',
      osType: 'Linux',
      osSku: 'AzureLinux',
      osDiskType: 'Managed',
      osDiskSizeGb: 128,
      hostEncryptionEnabled: true,
      maxPods: AksCluster.MAX_PODS,
      vnetSubnetId: network.nodeSubnet.id,
      zones,
      autoScalingEnabled: true,
      minCount: minNodes,
      maxCount: maxNodes,
      nodeCount: minNodes,
      temporaryNameForRotation: 'generaltmp',
      upgradeSettings: { maxSurge: '33%' },
      lifecycle: { ignoreChanges: ['node_count'] },
      dependsOn: this.nodePrerequisites,
    });

    // The identity running Terraform administers the cluster through Azure RBAC (local accounts are off).
    const deployerAdmin = new RoleAssignment(this, 'DeployerClusterAdmin', {
      provider, scope: this.resource.id, roleDefinitionName: 'Azure Kubernetes Service RBAC Cluster Admin', principalId: cloud.deployerObjectId,
      description: 'Lets the identity that runs Terraform install the platform\'s Helm releases and Kubernetes objects.',
    });
    this.workloadPrerequisites = [this.workloadNodePool, deployerAdmin];

    // Providers: Entra tokens from kubelogin (no static credential; local accounts are disabled).
    const kubeConfig = this.resource.kubeConfig.get(0);
    const ca = Fn.base64decode(kubeConfig.clusterCaCertificate);
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'kubelogin',
      args: ['get-token', '--login', props.kubeloginMode ?? AksKubeloginMode.AZURE_CLI, '--server-id', AKS_ENTRA_SERVER_ID, '--environment', 'AzurePublicCloud'],
    };
    this.kubernetesProvider = new KubernetesProvider(this, 'Kubernetes', { alias: `${id.toLowerCase()}-k8s`, host: kubeConfig.host, clusterCaCertificate: ca, exec: [exec] });
    this.helmProvider = new HelmProvider(this, 'Helm', { alias: `${id.toLowerCase()}-helm`, kubernetes: { host: kubeConfig.host, clusterCaCertificate: ca, exec } });

    const systemMin = zones ? 3 : 2;
    const systemMax = zones ? 6 : 4;
    stack.addCostLine({
      component: this.node.path, resource: 'AKS Standard tier', region: location, unit: CostUnit.HOUR,
      baselineQuantity: HOURS_PER_MONTH, fullScaleQuantity: HOURS_PER_MONTH, priceKey: 'aks:standard-tier',
      assumption: `one cluster x ${HOURS_PER_MONTH} h`,
    });
    stack.addCostLine({
      component: this.node.path, resource: `system nodes (${systemVmSize})`, region: location, unit: CostUnit.HOUR,
      baselineQuantity: systemMin * HOURS_PER_MONTH, fullScaleQuantity: systemMax * HOURS_PER_MONTH, priceKey: `vm:${systemVmSize}`,
      assumption: `${systemMin} to ${systemMax} nodes x ${HOURS_PER_MONTH} h`,
    });
    stack.addCostLine({
      component: this.node.path, resource: `general-purpose nodes (${workloadVmSize})`, region: location, unit: CostUnit.HOUR,
      baselineQuantity: minNodes * HOURS_PER_MONTH, fullScaleQuantity: maxNodes * HOURS_PER_MONTH, priceKey: `vm:${workloadVmSize}`,
      assumption: `${minNodes} (workloadMinNodes) to ${maxNodes} (workloadMaxNodes) nodes x ${HOURS_PER_MONTH} h`,
    });
    stack.addCostLine({
      component: this.node.path, resource: 'general-purpose node OS disks (Premium SSD, 128 GiB)', region: location, unit: CostUnit.GB_MONTH,
      baselineQuantity: minNodes * 128, fullScaleQuantity: maxNodes * 128, priceKey: 'disk:premium-ssd',
      assumption: `${minNodes} to ${maxNodes} nodes x 128 GiB (system nodes use ephemeral OS disks on local storage)`,
    });
    stack.addCostLine({
      component: this.node.path, resource: 'Container Insights log ingestion', region: location, unit: CostUnit.GB,
      baselineQuantity: 30, fullScaleQuantity: 150, priceKey: 'loganalytics:ingestion-gb',
      assumption: 'about 1 GB a day at baseline, 5 GB at full scale (Container Insights, container logs and inventory)',
    });
    stack.addComponent({
      path: this.node.path, name: 'AksCluster',
      description: `AKS Standard tier ${location}, ${this.privateCluster ? 'private API server' : `API server limited to ${cloud.deployerCidrs.join(', ')}`}, `
        + 'Entra ID + Azure RBAC (local accounts off), workload identity, KMS etcd (private Key Vault), Azure CNI overlay + Cilium',
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: 'Install kubelogin for cdktf deploy',
      detail: 'Local accounts are disabled: the Kubernetes and Helm providers run `kubelogin get-token` for an Entra token '
        + `(login mode ${props.kubeloginMode ?? AksKubeloginMode.AZURE_CLI}). `
        + (this.privateCluster ? 'The API server is private: run the deploy from a machine in the platform VNet (or a peered network).'
          : `The API server admits only ${cloud.deployerCidrs.join(', ')}: run the deploy from there.`)
        + ' Azure role assignments can take a few minutes to apply: if the first Helm release is denied, run the deploy again.',
      command: 'az aks install-cli',
    });
    stack.addDeploymentStep({
      phase: DeploymentPhase.BEFORE_DEPLOY,
      title: 'Register encryption at host on the subscription (once)',
      detail: 'Every node pool encrypts temporary disks and caches at the host, a subscription feature that must be registered '
        + 'before the first node pool is created (registration takes a few minutes; `az feature show` reports "Registered").',
      command: 'az feature register --namespace Microsoft.Compute --name EncryptionAtHost && az provider register --namespace Microsoft.Compute',
    });
  }

  /**
   * A Premium SSD StorageClass (Azure Disk CSI driver) whose disks are encrypted with the platform's data key
   * through the cluster's disk encryption set (zone-redundant `Premium_ZRS` in regions with zones).
   */
  public encryptedStorageClass(): EncryptedStorageClass {
    if (!this.encryptedStorage) {
      const sku = this.cloud.hasZones(AzureRegionRole.PRIMARY) ? 'Premium_ZRS' : 'Premium_LRS';
      const storageClass = new StorageClassV1(this, 'EncryptedStorageClass', {
        provider: this.kubernetesProvider,
        metadata: { name: 'managed-premium-cmk' },
        storageProvisioner: 'disk.csi.azure.com',
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
        parameters: { skuName: sku, diskEncryptionSetID: this.diskEncryptionSet.id, diskEncryptionType: 'EncryptionAtRestWithCustomerKey' },
        dependsOn: [...this.workloadPrerequisites, ...this.nodePrerequisites],
      });
      this.encryptedStorage = {
        storageClassName: 'managed-premium-cmk', priceKey: 'disk:premium-ssd',
        description: `Azure Disk ${sku} encrypted with the platform data key (disk encryption set)`,
        prerequisites: [storageClass],
      };
    }
    return this.encryptedStorage;
  }

  public newWorkloadIdentity(scope: IConstruct, id: string, options: WorkloadIdentityOptions): IWorkloadIdentity {
    return new AksWorkloadIdentity(scope as Construct, id, this, options);
  }

  public addGpuNodeGroup(scope: IConstruct, id: string, options: GpuNodeGroupOptions): IGpuNodeGroup {
    const pool = new AksGpuNodePool(scope as Construct, id, this, options);
    this.useAksGpuStack();
    return pool;
  }

  /**
   * RoleBindings of the built-in aggregated ClusterRole (`view`, `edit`, `admin`) in the namespace, to Entra users
   * (their object ID) or groups (`group:<object ID>`); AKS puts the Entra object IDs in the Kubernetes identity.
   */
  public grantNamespaceAccess(scope: IConstruct, id: string, options: NamespaceAccessOptions): void {
    checkDnsLabel(scope, 'namespace', options?.namespace, 'namespace');
    checkEnum(scope, 'accessLevel', options.accessLevel, NamespaceAccessLevel, 'NamespaceAccessLevel');
    requireList(scope, 'principals', options.principals, { required: true, example: "['00000000-0000-0000-0000-000000000000', 'group:11111111-1111-1111-1111-111111111111']" });
    options.principals.forEach((p, i) => {
      if (!isUnresolved(p) && (typeof p !== 'string' || !GUID.test(p.replace(/^group:/, '')))) {
        throw new ValidationError(scope, `principals[${i}]`, p, 'is not an Entra object ID, or "group:" and a group object ID',
          'Use the object ID (a GUID) of the user (`az ad user show --id alice@example.com --query id`) or "group:<group object ID>".');
      }
    });
    new RoleBindingV1(scope as Construct, id, {
      provider: this.kubernetesProvider,
      metadata: { name: `mlops-${options.accessLevel}`, namespace: options.namespace, labels: PlatformStack.ofConstruct(this).costAllocation.tags },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: options.accessLevel },
      subject: options.principals.map((p) => ({
        apiGroup: 'rbac.authorization.k8s.io', kind: p.startsWith('group:') ? 'Group' : 'User', name: p.replace(/^group:/, ''),
      })),
      dependsOn: this.workloadPrerequisites,
    });
  }

  /**
   * Managed Prometheus: the `monitor_metrics` add-on scrapes, and ships to an Azure Monitor workspace through a data
   * collection endpoint and rule associated with the cluster (what `az aks update --enable-azure-monitor-metrics`
   * creates).
   */
  private addManagedPrometheus(location: string, rg: string): void {
    const provider = this.cloud.provider;
    const { MonitorWorkspace } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/monitor-workspace')>('monitor-workspace');
    const { MonitorDataCollectionEndpoint } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint')>('monitor-data-collection-endpoint');
    const { MonitorDataCollectionRule } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/monitor-data-collection-rule')>('monitor-data-collection-rule');
    const { MonitorDataCollectionRuleAssociation } = loadAzurerm<typeof import('@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association')>('monitor-data-collection-rule-association');
    const workspace = new MonitorWorkspace(this, 'PrometheusWorkspace', { provider, name: `amw-${this.clusterName}`, location, resourceGroupName: rg });
    const endpoint = new MonitorDataCollectionEndpoint(this, 'PrometheusEndpoint', {
      provider, name: `dce-${this.clusterName}`.slice(0, 44), location, resourceGroupName: rg, kind: 'Linux',
    });
    const rule = new MonitorDataCollectionRule(this, 'PrometheusRule', {
      provider, name: `dcr-${this.clusterName}`.slice(0, 64), location, resourceGroupName: rg, kind: 'Linux',
      dataCollectionEndpointId: endpoint.id,
      dataSources: { prometheusForwarder: [{ name: 'PrometheusDataSource', streams: ['Microsoft-PrometheusMetrics'] }] },
      destinations: { monitorAccount: [{ monitorAccountId: workspace.id, name: 'MonitoringAccount1' }] },
      dataFlow: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['MonitoringAccount1'] }],
    });
    new MonitorDataCollectionRuleAssociation(this, 'PrometheusRuleAssociation', {
      provider, name: `dcra-${this.clusterName}`.slice(0, 64), targetResourceId: this.resource.id, dataCollectionRuleId: rule.id,
    });
    // The add-on reads its configuration through the endpoint association, whose name Azure fixes.
    new MonitorDataCollectionRuleAssociation(this, 'PrometheusEndpointAssociation', {
      provider, name: 'configurationAccessEndpoint', targetResourceId: this.resource.id, dataCollectionEndpointId: endpoint.id,
    });
    PlatformStack.ofConstruct(this).addCostLine({
      component: this.node.path, resource: 'managed Prometheus ingestion (per 10 million samples)', region: location, unit: CostUnit.MONTH,
      baselineQuantity: 45, fullScaleQuantity: 150, priceKey: 'monitor:prometheus-10m-samples',
      assumption: 'about 90 million samples a month per node (default AKS scrape targets every 30 s): 5 nodes at baseline, about 16 at full scale',
    });
  }

  /**
   * What the next federated credential must wait for: the previous one (Azure rejects concurrent writes of
   * federated credentials).
   * @internal
   */
  public _serializeFederatedCredential(): ITerraformDependable[] {
    return [this.resource, ...(this.lastFederatedCredential ? [this.lastFederatedCredential] : [])];
  }

  /** @internal */
  public _federatedCredentialWritten(credential: ITerraformDependable): void {
    this.lastFederatedCredential = credential;
  }

  /**
   * AKS installs the driver and partitions MIG GPUs: the GPU operator GpuNodePool installs gets a values document
   * that turns its MIG manager off and lets its daemonsets (and node feature discovery) run on spot nodes.
   * (GpuNodePool creates the operator before it asks for the node group.)
   */
  private useAksGpuStack(): void {
    if (this.gpuStackConfigured) {
      return;
    }
    const operator = this.node.tryFindChild('GpuOperator') as any;
    const release = operator?.release;
    if (release && Array.isArray(release.valuesInput)) {
      const tolerations = [
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' },
      ];
      release.values = [...release.valuesInput, JSON.stringify({
        migManager: { enabled: false },
        daemonsets: { tolerations },
        'node-feature-discovery': { worker: { tolerations } },
      })];
      this.gpuStackConfigured = true;
    }
  }
}
